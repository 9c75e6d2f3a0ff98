//! Benchmarks of the storage lessons: each index against the full scan that answers the same
//! query, on 100,000 seeded rows. The figures are recorded in `storage::indexes`' docs.
//!
//! Run: `cargo bench -p fundamentals --bench storage -- --warm-up-time 1 --measurement-time 2`.

use criterion::{criterion_group, criterion_main, Criterion};
use fundamentals::storage::indexes::{
    generate_rows, scan_all_terms, scan_count, scan_email, BitmapIndex, HashIndex, InvertedIndex,
};
use std::hint::black_box;

const ROWS: u32 = 100_000;

fn indexes(c: &mut Criterion) {
    let rows = generate_rows(42, ROWS);

    let hash = HashIndex::build(&rows);
    let email = "user77777@example.com";
    let mut group = c.benchmark_group("email_lookup_100k");
    group.bench_function("full_scan", |b| b.iter(|| black_box(scan_email(&rows, black_box(email)))));
    group.bench_function("hash_index", |b| b.iter(|| black_box(hash.lookup(black_box(email)).len())));
    group.finish();

    let bitmap = BitmapIndex::build(&rows);
    let mut group = c.benchmark_group("count_country_plan_active_100k");
    group.bench_function("full_scan", |b| b.iter(|| black_box(scan_count(&rows, black_box(7), black_box(1)))));
    group.bench_function("bitmap_index", |b| b.iter(|| black_box(bitmap.count(black_box(7), black_box(1)))));
    group.finish();

    let inverted = InvertedIndex::build(&rows);
    let terms = ["postgres", "chess"];
    let mut group = c.benchmark_group("bio_has_two_words_100k");
    group.sample_size(10);
    group.bench_function("full_scan", |b| b.iter(|| black_box(scan_all_terms(&rows, black_box(&terms)))));
    group.bench_function("inverted_index", |b| b.iter(|| black_box(inverted.all_terms(black_box(&terms)))));
    group.finish();
}

criterion_group!(benches, indexes);
criterion_main!(benches);

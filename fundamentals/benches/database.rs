//! Benchmarks of the database lessons: the cost of one page of 20 orders at increasing depth,
//! by OFFSET and by cursor, on 100,000 orders in an in-memory SQLite database. The figures are
//! recorded in `database::pagination`'s docs.
//!
//! Run: `cargo bench -p fundamentals --bench database -- --warm-up-time 1 --measurement-time 2`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fundamentals::database::open_in_memory;
use fundamentals::database::pagination::{page_after, page_by_offset, seed_orders, PAGE_SIZE};
use std::hint::black_box;

const ORDERS: usize = 100_000;

fn pagination(c: &mut Criterion) {
    let mut conn = open_in_memory().expect("in-memory database");
    seed_orders(&mut conn, ORDERS).expect("seeded orders");
    let mut group = c.benchmark_group("page_of_20_at_depth");
    for depth in [0usize, 10_000, 90_000] {
        // Newest first, ids ORDERS..=1: the cursor for `depth` rows already seen is the id of
        // the last of them.
        let cursor = (depth > 0).then_some((ORDERS - depth + 1) as i64);
        assert_eq!(
            page_by_offset(&conn, depth, PAGE_SIZE).unwrap(),
            page_after(&conn, cursor, PAGE_SIZE).unwrap(),
            "both ways fetch the same page"
        );
        group.bench_with_input(BenchmarkId::new("offset", depth), &depth, |b, &depth| {
            b.iter(|| black_box(page_by_offset(&conn, black_box(depth), PAGE_SIZE).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("cursor", depth), &cursor, |b, &cursor| {
            b.iter(|| black_box(page_after(&conn, black_box(cursor), PAGE_SIZE).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, pagination);
criterion_main!(benches);

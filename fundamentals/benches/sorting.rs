//! Benchmark: the teaching sorts of `fundamentals::algorithms::sorting` against std's
//! `slice::sort` (stable, driftsort) and `slice::sort_unstable` (ipnsort) on 100 000 seeded
//! random `u32`s — the same data on every run, so results compare across machines and commits.
//! Insertion sort is quadratic, so it gets its own small group (2 000 elements).
//!
//! Run: `cargo bench -p fundamentals --bench sorting -- --warm-up-time 1 --measurement-time 2`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fundamentals::algorithms::sorting;
use fundamentals::sim::stream_rng;
use rand::Rng;
use std::hint::black_box;

const SEED: u64 = 2024;

fn random_values(len: usize) -> Vec<u32> {
    let mut rng = stream_rng(SEED, "bench-sorting");
    (0..len).map(|_| rng.random()).collect()
}

type InPlaceSort = fn(&mut [u32]);

fn sort_100k(c: &mut Criterion) {
    let input = random_values(100_000);
    let mut group = c.benchmark_group("sort_100k_random_u32");
    let in_place: [(&str, InPlaceSort); 5] = [
        ("std_sort", <[u32]>::sort),
        ("std_sort_unstable", <[u32]>::sort_unstable),
        ("merge_sort", sorting::merge_sort),
        ("quick_sort", sorting::quick_sort),
        ("heap_sort", sorting::heap_sort),
    ];
    for (name, sort) in in_place {
        group.bench_function(name, |b| {
            b.iter_batched_ref(|| input.clone(), |values| sort(black_box(values)), BatchSize::LargeInput)
        });
    }
    group.bench_function("radix_sort_u32", |b| b.iter(|| sorting::radix_sort_u32(black_box(&input))));
    group.finish();
}

fn sort_2k(c: &mut Criterion) {
    let input = random_values(2_000);
    let mut group = c.benchmark_group("sort_2k_random_u32");
    let in_place: [(&str, InPlaceSort); 2] = [("std_sort", <[u32]>::sort), ("insertion_sort", sorting::insertion_sort)];
    for (name, sort) in in_place {
        group.bench_function(name, |b| {
            b.iter_batched_ref(|| input.clone(), |values| sort(black_box(values)), BatchSize::SmallInput)
        });
    }
    group.finish();
}

criterion_group!(benches, sort_100k, sort_2k);
criterion_main!(benches);

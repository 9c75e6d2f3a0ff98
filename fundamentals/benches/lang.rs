//! Benchmarks for the language and memory lessons whose point is a cost: preallocation vs
//! growth, string building, pooling vs allocation, and static vs dynamic vs enum dispatch.
//! The measured figures are recorded in the lessons (`lang::collections`, `lang::traits`,
//! `memory::object_pool`).
//!
//! Run: `cargo bench -p fundamentals --bench lang -- --warm-up-time 1 --measurement-time 2`.

use criterion::{criterion_group, criterion_main, Criterion};
use fundamentals::lang::collections::{join_with_format, join_with_push_str};
use fundamentals::lang::traits::{total_area_dyn, total_area_enum, total_area_generic, AnyShape, Circle, Shape};
use fundamentals::memory::object_pool::buffer_pool;
use std::hint::black_box;

const PUSHES: u64 = 100_000;

/// 100k `u64` pushes into a `Vec` that grows vs one created with the right capacity.
fn vec_growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("vec_100k_pushes");
    group.bench_function("grow_from_empty", |b| {
        b.iter(|| {
            let mut values = Vec::new();
            for i in 0..black_box(PUSHES) {
                values.push(i);
            }
            values
        })
    });
    group.bench_function("with_capacity", |b| {
        b.iter(|| {
            let mut values = Vec::with_capacity(PUSHES as usize);
            for i in 0..black_box(PUSHES) {
                values.push(i);
            }
            values
        })
    });
    group.finish();

    // The common case in services: many small vectors (a row, a batch, a header list).
    let mut group = c.benchmark_group("vec_1000x_100_pushes");
    group.bench_function("grow_from_empty", |b| {
        b.iter(|| {
            (0..1_000_u64)
                .map(|row| {
                    let mut values = Vec::new();
                    for i in 0..black_box(100) {
                        values.push(row + i);
                    }
                    values.len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("with_capacity", |b| {
        b.iter(|| {
            (0..1_000_u64)
                .map(|row| {
                    let mut values = Vec::with_capacity(100);
                    for i in 0..black_box(100) {
                        values.push(row + i);
                    }
                    values.len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Joining 1 000 short pieces: one preallocated `String` vs a `format!` per piece.
fn string_building(c: &mut Criterion) {
    let owned: Vec<String> = (0..1_000).map(|i| format!("piece-{i}")).collect();
    let pieces: Vec<&str> = owned.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("join_1000_pieces");
    group.bench_function("push_str_with_capacity", |b| b.iter(|| join_with_push_str(black_box(&pieces), ",")));
    group.bench_function("format_per_piece", |b| b.iter(|| join_with_format(black_box(&pieces), ",")));
    group.finish();
}

/// Get a 64 KiB buffer, write 1 KiB, give it back: from a pool vs a fresh allocation.
fn pooling(c: &mut Criterion) {
    const CAPACITY: usize = 64 * 1024;
    let payload = [7_u8; 1024];
    let pool = buffer_pool(8, CAPACITY);
    let mut group = c.benchmark_group("buffer_64k_write_1k");
    group.bench_function("pooled", |b| {
        b.iter(|| {
            let mut buffer = pool.get();
            buffer.extend_from_slice(black_box(&payload));
            black_box(buffer.len())
        })
    });
    group.bench_function("fresh_allocation", |b| {
        b.iter(|| {
            let mut buffer = Vec::with_capacity(CAPACITY);
            buffer.extend_from_slice(black_box(&payload));
            black_box(buffer.len())
        })
    });
    group.finish();

    // Objects that are expensive to build (a stand-in for a connection handshake or a
    // precomputed table): here pooling pays.
    let build = || -> Vec<u32> {
        (0..4_096_u32).map(|i| (0..8).fold(i, |x, _| x.wrapping_mul(0x9E37_79B9).rotate_left(5))).collect()
    };
    let table_pool = fundamentals::memory::object_pool::Pool::new(8, build, |_| {});
    let mut group = c.benchmark_group("expensive_object_4096_entry_table");
    group.bench_function("pooled", |b| b.iter(|| black_box(table_pool.get()[17])));
    group.bench_function("fresh", |b| b.iter(|| black_box(build()[17])));
    group.finish();
}

/// Summing the areas of 10 000 circles through a generic, a `Box<dyn Shape>` and an enum.
fn dispatch(c: &mut Criterion) {
    let circles: Vec<Circle> = (0..10_000).map(|i| Circle { radius: f64::from(i % 100) }).collect();
    let boxed: Vec<Box<dyn Shape>> = circles.iter().map(|&c| Box::new(c) as Box<dyn Shape>).collect();
    let enums: Vec<AnyShape> = circles.iter().map(|&c| AnyShape::Circle(c)).collect();
    let mut group = c.benchmark_group("area_sum_10k_shapes");
    group.bench_function("generic", |b| b.iter(|| total_area_generic(black_box(&circles))));
    group.bench_function("box_dyn", |b| b.iter(|| total_area_dyn(black_box(&boxed))));
    group.bench_function("enum", |b| b.iter(|| total_area_enum(black_box(&enums))));
    group.finish();
}

criterion_group!(benches, vec_growth, string_building, pooling, dispatch);
criterion_main!(benches);

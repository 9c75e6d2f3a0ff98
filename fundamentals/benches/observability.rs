//! Benchmarks for `observability::histograms`: what it costs to know a p99. Recording 100 000
//! latencies into an HDR histogram and reading p99, vs keeping every sample and sorting them,
//! vs merging four servers' histograms (the fleet-wide view). Figures are quoted in the lesson.
//!
//! Run: `cargo bench -p fundamentals --bench observability -- --warm-up-time 1 --measurement-time 3`.

use criterion::{criterion_group, criterion_main, Criterion};
use fundamentals::observability::histograms::{exact_quantile, latency_histogram, merged_quantile, LatencyProfile};
use fundamentals::sim::stream_rng;
use std::hint::black_box;

const SAMPLES: usize = 100_000;
const PROFILE: LatencyProfile =
    LatencyProfile { median_us: 20_000.0, sigma: 0.3, slow_fraction: 0.02, slow_median_us: 800_000.0 };

fn p99_of_100k(c: &mut Criterion) {
    let mut rng = stream_rng(1, "bench-latency");
    let samples: Vec<u64> = (0..SAMPLES).map(|_| PROFILE.sample_us(&mut rng)).collect();
    let mut group = c.benchmark_group("p99_of_100k_latencies");
    group.bench_function("hdr_record_then_quantile", |b| {
        b.iter(|| {
            let mut histogram = latency_histogram();
            for &latency_us in black_box(&samples) {
                histogram.record(latency_us).expect("in range");
            }
            histogram.value_at_quantile(0.99)
        })
    });
    group.bench_function("keep_all_then_sort", |b| b.iter(|| exact_quantile(black_box(&samples), 0.99)));
    group.finish();

    let servers: Vec<_> = samples
        .chunks(SAMPLES / 4)
        .map(|chunk| {
            let mut histogram = latency_histogram();
            chunk.iter().for_each(|&latency_us| histogram.record(latency_us).expect("in range"));
            histogram
        })
        .collect();
    c.bench_function("merge_4_histograms_then_p99", |b| b.iter(|| merged_quantile(black_box(&servers), 0.99)));
}

criterion_group!(benches, p99_of_100k);
criterion_main!(benches);

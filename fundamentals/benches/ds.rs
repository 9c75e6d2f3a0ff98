//! Benchmarks of the data-structure lessons against their references (std collections and the
//! `lru` crate), 100k operations each. The measured ratios are recorded in each module's doc.
//!
//! Run: `cargo bench -p fundamentals --bench ds -- --warm-up-time 1 --measurement-time 2`.
//! Each group has a `lesson` function and a reference function; compare their times.
//! Workloads come from a seeded stream, so both sides see exactly the same keys.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fundamentals::ds::binary_heap::BinaryHeap as LessonHeap;
use fundamentals::ds::btree::BTree;
use fundamentals::ds::hash_map_chaining::ChainedHashMap;
use fundamentals::ds::hash_map_open_addressing::OpenAddressingHashMap;
use fundamentals::ds::lru_cache::LruCache;
use fundamentals::ds::skip_list::SkipList;
use fundamentals::sim::stream_rng;
use rand::Rng;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::hint::black_box;
use std::num::NonZeroUsize;

const OPS: usize = 100_000;

fn random_keys(name: &str, count: usize, below: u64) -> Vec<u64> {
    let mut rng = stream_rng(42, name);
    (0..count).map(|_| rng.random_range(0..below)).collect()
}

/// 100k get-or-put operations over 20k keys with room for 10k: a ~50% hit rate, so both the
/// hit path (move to front) and the miss path (evict + insert) are exercised.
fn lru(c: &mut Criterion) {
    const CAPACITY: usize = 10_000;
    let keys = random_keys("bench-lru", OPS, 20_000);
    let mut group = c.benchmark_group("lru_100k_get_or_put");
    group.bench_function("lesson", |b| {
        b.iter(|| {
            let mut cache = LruCache::with_capacity(CAPACITY);
            for &key in &keys {
                if cache.get(&key).is_none() {
                    cache.put(key, key);
                }
            }
            black_box(cache.len())
        })
    });
    group.bench_function("lru_crate", |b| {
        b.iter(|| {
            let mut cache = lru::LruCache::new(NonZeroUsize::new(CAPACITY).unwrap());
            for &key in &keys {
                if cache.get(&key).is_none() {
                    cache.put(key, key);
                }
            }
            black_box(cache.len())
        })
    });
    group.finish();
}

/// 100k pushes of random keys, then 100k pops.
fn heap(c: &mut Criterion) {
    let keys = random_keys("bench-heap", OPS, u64::MAX);
    let mut group = c.benchmark_group("heap_100k_push_then_pop");
    group.bench_function("lesson", |b| {
        b.iter(|| {
            let mut heap = LessonHeap::default();
            keys.iter().for_each(|&k| heap.push(k));
            let mut sum = 0_u64;
            while let Some(k) = heap.pop() {
                sum = sum.wrapping_add(k);
            }
            black_box(sum)
        })
    });
    group.bench_function("std_binary_heap", |b| {
        b.iter(|| {
            let mut heap = BinaryHeap::new();
            keys.iter().for_each(|&k| heap.push(k));
            let mut sum = 0_u64;
            while let Some(k) = heap.pop() {
                sum = sum.wrapping_add(k);
            }
            black_box(sum)
        })
    });
    group.finish();
}

/// Builds a map with 100k random keys, then looks up 100k keys (all present) — reported as two
/// groups so insert and lookup costs can be read separately.
macro_rules! insert_then_lookup {
    ($c:expr, $group:literal, $keys:expr, $($name:literal => $make:expr),+ $(,)?) => {{
        let keys: &[u64] = $keys;
        let mut group = $c.benchmark_group(concat!($group, "_100k_inserts"));
        $(group.bench_function($name, |b| {
            b.iter(|| {
                let mut map = $make;
                keys.iter().for_each(|&k| { map.insert(k, k); });
                black_box(map.len())
            })
        });)+
        group.finish();
        let mut group = $c.benchmark_group(concat!($group, "_100k_lookups"));
        $(group.bench_function($name, |b| {
            b.iter_batched_ref(
                || { let mut map = $make; keys.iter().for_each(|&k| { map.insert(k, k); }); map },
                |map| keys.iter().fold(0_u64, |acc, k| acc.wrapping_add(*map.get(k).unwrap())),
                BatchSize::LargeInput,
            )
        });)+
        group.finish();
    }};
}

fn hash_maps(c: &mut Criterion) {
    let keys = random_keys("bench-hash", OPS, u64::MAX);
    insert_then_lookup!(c, "hash_map", &keys,
        "chaining" => ChainedHashMap::default(),
        "open_addressing" => OpenAddressingHashMap::default(),
        "std_hash_map" => HashMap::new(),
    );
}

fn ordered_maps(c: &mut Criterion) {
    let keys = random_keys("bench-ordered", OPS, u64::MAX);
    insert_then_lookup!(c, "ordered_map", &keys,
        "skip_list" => SkipList::with_seed(7),
        "btree" => <BTree<u64, u64>>::default(),
        "std_btree_map" => BTreeMap::new(),
    );
}

criterion_group!(benches, lru, heap, hash_maps, ordered_maps);
criterion_main!(benches);

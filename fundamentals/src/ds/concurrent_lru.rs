//! # Thread-safe LRU: a lock per shard
//!
//! ## Why interviewers ask this
//! The follow-up to "design an LRU" is "now many threads use it". It tests whether you see
//! that an LRU `get` is a *write* (it reorders the recency list), so a reader-writer lock buys
//! nothing, and whether you know the standard way out of one hot lock: sharding.
//!
//! ## How it works
//! [`ConcurrentLru`] holds N independent [`LruCache`]s, each behind its own `Mutex`. A key's
//! shard is `stable_hash(key) % N`, so a key always lands in the same shard and operations on
//! different shards never contend. Each shard gets `ceil(capacity / N)` entries.
//! - `get` returns a **clone** of the value: a reference into the cache cannot outlive the lock
//!   guard, and handing out the guard would hold the shard lock for as long as the caller
//!   keeps the value. (Production caches store `Arc<V>` so the clone is a refcount bump.)
//! - The price of sharding: recency is per shard, so eviction is *approximately* LRU — a shard
//!   can evict while another shard still has room (a test shows it). With many shards and a
//!   decent hash the approximation is good, which is why segmented caches (Guava's
//!   `LocalCache`, one LRU queue per segment) accept it.
//!
//! Rust enforces the locking: the shards must be `Sync` to be shared across threads, and only a
//! lock makes `LruCache` (which needs `&mut` for `get`) shareable.
//!
//! ## Common pitfalls
//! - `RwLock` with `get` under a read lock: impossible here (it mutates), and in languages
//!   that let you do it, a data race on the list.
//! - Returning references out of a lock guard, or holding a guard across slow work (I/O,
//!   `.await`): every other user of that shard waits.
//! - Taking two shard locks in different orders in different code paths: deadlock. Operations
//!   here touch one shard each.
//! - `len()` sums shards one at a time: a snapshot that may never have existed at any instant.
//! - Lock poisoning: if a thread panics mid-update the `Mutex` is poisoned; we refuse to
//!   continue (`expect`) because the shard may be inconsistent.
//!
//! ## Key takeaways
//! - LRU reads are writes, so use a `Mutex`, not an `RwLock`.
//! - Shard to cut contention; accept per-shard (approximate) recency.
//! - Return owned values (or `Arc`s) from concurrent caches, never references into them.
//!
//! ## Break it
//! `breaks/concurrent_lru.patch` replaces each shard's `Mutex` with a `RefCell` — the
//! single-threaded interior-mutability cell. `scripts/break-it.sh concurrent_lru` shows
//! **E0277**: "`RefCell<LruCache<…>>` cannot be shared between threads safely" at the test that
//! hands the cache to scoped threads. In C++ or Go this is a data race found in production;
//! Rust rejects it because `RefCell` is not `Sync`.
//!
//! ## Interview questions
//! - *Why not a read-write lock?* — `get` moves the entry to the front of the recency list,
//!   which is a write. Some caches buffer reads in a lock-free queue and apply the reordering
//!   later in batches (Caffeine), trading exact recency for read throughput.
//! - *How many shards?* — A small multiple of the number of cores (e.g. 4×), a power of two
//!   for a cheap mask; more shards = less contention but coarser LRU and more overhead.
//! - *What if one key is extremely hot?* — All its traffic hits one shard; sharding doesn't
//!   help. Cache it locally per thread, or replicate hot keys.
//! - *How do you avoid a thundering herd on a miss?* — Single-flight: the first miss loads the
//!   value while later callers for the same key wait for that result instead of all loading.

use super::hashing::stable_hash;
use super::lru_cache::LruCache;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

/// An LRU cache split into independently locked shards.
#[derive(Debug)]
pub struct ConcurrentLru<K, V> {
    shards: Vec<Mutex<LruCache<K, V>>>,
}

impl<K: Hash + Eq + Clone, V: Clone> ConcurrentLru<K, V> {
    /// A cache of about `capacity` entries in `shard_count` shards of `ceil(capacity / shards)`.
    pub fn new(capacity: usize, shard_count: usize) -> Self {
        assert!(shard_count > 0, "need at least one shard");
        assert!(capacity >= shard_count, "every shard needs room for at least one entry");
        let per_shard = capacity.div_ceil(shard_count);
        let shards = (0..shard_count).map(|_| Mutex::new(LruCache::with_capacity(per_shard))).collect();
        Self { shards }
    }

    /// A clone of the value for `key`, marking it most recently used within its shard.
    pub fn get(&self, key: &K) -> Option<V> {
        self.shard(key).get(key).cloned()
    }

    /// Inserts or updates; returns the entry its shard evicted to make room, if any.
    pub fn put(&self, key: K, value: V) -> Option<(K, V)> {
        self.shard(&key).put(key, value)
    }

    pub fn remove(&self, key: &K) -> Option<V> {
        self.shard(key).remove(key)
    }

    /// Sum of shard sizes, read one shard at a time (not an atomic snapshot).
    pub fn len(&self) -> usize {
        (0..self.shards.len()).map(|i| self.lock(i).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total capacity across shards (may round `capacity` up to a multiple of the shards).
    pub fn capacity(&self) -> usize {
        (0..self.shards.len()).map(|i| self.lock(i).capacity()).sum()
    }

    /// Which shard `key` lives in; fixed for the life of the cache.
    pub fn shard_of(&self, key: &K) -> usize {
        // `stable_hash` is mixed, so the low bits taken by `%` are well distributed.
        (stable_hash(key) % self.shards.len() as u64) as usize
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, LruCache<K, V>> {
        self.lock(self.shard_of(key))
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, LruCache<K, V>> {
        self.shards[shard].lock().expect("a thread panicked while holding this shard's lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn threads_inserting_disjoint_keys_all_find_their_own_entries() {
        let cache = ConcurrentLru::new(4_096, 8);
        std::thread::scope(|scope| {
            for thread in 0..4_u32 {
                let cache = &cache;
                scope.spawn(move || {
                    let keys = (0..500).map(|i| thread * 10_000 + i);
                    for key in keys.clone() {
                        cache.put(key, key * 2);
                    }
                    for key in keys {
                        assert_eq!(cache.get(&key), Some(key * 2), "thread {thread} lost key {key}");
                    }
                });
            }
        });
        assert_eq!(cache.len(), 2_000);
    }

    #[test]
    fn concurrent_puts_never_exceed_capacity_and_hits_are_never_torn() {
        let cache = ConcurrentLru::new(256, 4);
        std::thread::scope(|scope| {
            for thread in 0..4_u64 {
                let cache = &cache;
                scope.spawn(move || {
                    for i in 0..5_000_u64 {
                        let key = (i * 7 + thread * 13) % 1_000;
                        cache.put(key, (key, key.wrapping_mul(31)));
                        // Whatever interleaving happened, a hit must be a whole, matching value.
                        if let Some(value) = cache.get(&((key + 1) % 1_000)) {
                            assert_eq!(value, ((key + 1) % 1_000, ((key + 1) % 1_000) * 31));
                        }
                    }
                });
            }
        });
        assert!(cache.len() <= cache.capacity());
        assert_eq!(cache.capacity(), 256);
    }

    #[test]
    fn sharding_makes_eviction_only_approximately_lru() {
        // Two shards of one entry each. Two keys in the same shard evict each other even though
        // the cache as a whole has room: the price paid for not having one global lock.
        let cache = ConcurrentLru::new(2, 2);
        let first = 0_u32;
        let same_shard = (1..).find(|k| cache.shard_of(k) == cache.shard_of(&first)).unwrap();
        cache.put(first, "first");
        assert_eq!(cache.put(same_shard, "second"), Some((first, "first")));
        assert_eq!(cache.len(), 1, "evicted while the other shard stood empty");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Get(u8),
        Put(u8, u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0_u8..10).prop_map(Op::Get),
            (0_u8..10, any::<u8>()).prop_map(|(k, v)| Op::Put(k, v)),
            (0_u8..10).prop_map(Op::Remove),
        ]
    }

    proptest! {
        #[test]
        fn one_shard_behaves_exactly_like_the_single_threaded_lru(capacity in 1_usize..5, ops in prop::collection::vec(op(), 0..100)) {
            let cache = ConcurrentLru::new(capacity, 1);
            let mut model = LruCache::with_capacity(capacity);
            for op in ops {
                match op {
                    Op::Get(k) => prop_assert_eq!(cache.get(&k), model.get(&k).copied()),
                    Op::Put(k, v) => prop_assert_eq!(cache.put(k, v), model.put(k, v)),
                    Op::Remove(k) => prop_assert_eq!(cache.remove(&k), model.remove(&k)),
                }
                prop_assert_eq!(cache.len(), model.len());
            }
        }
    }
}

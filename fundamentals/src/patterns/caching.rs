//! # Caching strategies: cache-aside, write-through, write-back, stampedes and TTL jitter
//!
//! ## Why interviewers ask this
//! "Add a cache" is the first answer to every read-heavy design question, and the follow-ups
//! are where candidates separate: how does the cache learn about writes? What is stale, and
//! for how long? What happens when a hot key expires under 10 000 requests per second, or when
//! a million keys warmed at deploy time all expire in the same second? Interviewers want the
//! three write strategies with their failure modes, and the two stampede defences.
//!
//! ## How it works
//! [`CachedStore`] puts a TTL cache in front of a [`Database`] (both count their operations,
//! time is `now_ms` from a [`crate::sim::VirtualClock`]). Reads are always **cache-aside**:
//! hit → return; miss → read the database, fill the cache with a TTL. Writes follow a
//! [`WritePolicy`]:
//! - **Cache-aside** (invalidate): write the database, then *delete* the key. The next read
//!   refills it. Deleting rather than setting avoids writing an older value over a newer one
//!   when two writers race; staleness is bounded by the TTL if a delete is lost.
//! - **Write-through**: write the database and the cache together. Reads after writes hit and
//!   are fresh; every write pays both, and rarely-read keys fill the cache.
//! - **Write-back** (write-behind): write only the cache, mark the key dirty, flush to the
//!   database later in a batch. Many writes to one key become one database write — and a
//!   crash before the flush **loses acknowledged writes** (a test shows both).
//!
//! Two stampedes, two defences:
//! - **Hot key expiry** (cache stampede / dog-piling): when a hot key expires, every request
//!   that arrives before the refill completes misses and hits the database. **Single-flight**
//!   (request coalescing): the first miss loads, later misses for the same key wait for that
//!   load. In [`hot_key_stampede`] (one request per ms, 50 ms database read) each expiry costs
//!   50 database reads without it and 1 with it.
//! - **Synchronized expiry**: keys filled at the same moment (a deploy, a cold start) with the
//!   same TTL expire at the same moment. **TTL jitter**: each TTL is shortened by a random
//!   fraction (here up to 20 %, drawn from a seeded stream), spreading the refills: the worst
//!   second of database reads drops from 1 000 to under 150 in the test.
//!
//! ## Common pitfalls
//! - Updating the cache *before* the database, or setting instead of deleting on write:
//!   races leave the cache holding an old value with a fresh TTL.
//! - No TTL at all: any missed invalidation is stale forever.
//! - Write-back for data you cannot lose (orders, payments) without a durable queue.
//! - Caching misses forever (or not at all: a request for a missing key then always hits the
//!   database — cache the negative result with a short TTL).
//! - Single-flight per process only: N servers still send N loads. Add a short distributed
//!   lock or "stale-while-revalidate" for very hot keys.
//!
//! ## Key takeaways
//! - Cache-aside with delete-on-write and a TTL is the safe default.
//! - Write-through buys read-after-write freshness; write-back buys write throughput with
//!   durability risk.
//! - Coalesce concurrent misses (single-flight) and jitter TTLs.
//!
//! ## Break it
//! `fundamentals/breaks/patterns_caching.patch` turns single-flight off inside
//! [`hot_key_stampede`]: misses no longer join the load in flight, so each expiry sends every
//! waiting request to the database: `single_flight_turns_a_stampede_into_one_load` fails.
//!
//! ## Interview questions
//! - **Q: Cache-aside vs write-through vs write-back?** A: Aside: app reads cache, on miss
//!   loads the DB and fills; on write updates DB and invalidates. Through: writes update DB and
//!   cache synchronously (fresh reads, slower writes). Back: writes go to cache, flushed later
//!   (fast writes, coalescing, data loss on crash).
//! - **Q: Why delete the key on write instead of updating it?** A: Two concurrent writers can
//!   update the DB in one order and the cache in the other, leaving the cache permanently
//!   stale; a delete makes the next read load the current value.
//! - **Q: A hot key expires and the database falls over. What happened and how do you fix
//!   it?** A: A cache stampede: every request missed at once. Coalesce misses (single-flight),
//!   refresh hot keys before they expire (stale-while-revalidate, probabilistic early
//!   refresh), and jitter TTLs so keys don't expire together.
//! - **Q: How stale can a cache-aside read be?** A: Until the invalidation lands; if it is
//!   lost, up to the TTL. Pick the TTL as the staleness you can tolerate.

use crate::sim::SimRng;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The source of truth; counts reads and writes (the load the cache exists to reduce).
#[derive(Debug, Default)]
pub struct Database {
    data: BTreeMap<String, u64>,
    pub reads: u64,
    pub writes: u64,
}

impl Database {
    pub fn read(&mut self, key: &str) -> Option<u64> {
        self.reads += 1;
        self.data.get(key).copied()
    }
    pub fn write(&mut self, key: &str, value: u64) {
        self.writes += 1;
        self.data.insert(key.to_owned(), value);
    }
}

/// A TTL cache whose TTLs are shortened by up to `jitter` (a fraction) at random.
pub struct TtlCache {
    entries: BTreeMap<String, (u64, u64)>,
    ttl_ms: u64,
    jitter: f64,
    rng: SimRng,
}

impl TtlCache {
    pub fn new(ttl_ms: u64, jitter: f64, rng: SimRng) -> Self {
        assert!((0.0..1.0).contains(&jitter));
        Self { entries: BTreeMap::new(), ttl_ms, jitter, rng }
    }
    pub fn get(&self, key: &str, now_ms: u64) -> Option<u64> {
        self.entries.get(key).filter(|(_, expires_ms)| now_ms < *expires_ms).map(|(value, _)| *value)
    }
    pub fn set(&mut self, key: &str, value: u64, now_ms: u64) {
        let shortened_ms = (self.ttl_ms as f64 * self.jitter * self.rng.random::<f64>()) as u64;
        self.entries.insert(key.to_owned(), (value, now_ms + self.ttl_ms - shortened_ms));
    }
    pub fn delete(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritePolicy {
    CacheAside,
    WriteThrough,
    WriteBack,
}

/// A cache in front of a database, with cache-aside reads and a choice of write policy.
pub struct CachedStore {
    pub cache: TtlCache,
    pub db: Database,
    policy: WritePolicy,
    /// Write-back only: written to the cache, not yet to the database.
    dirty: BTreeMap<String, u64>,
}

impl CachedStore {
    pub fn new(policy: WritePolicy, cache: TtlCache) -> Self {
        Self { cache, db: Database::default(), policy, dirty: BTreeMap::new() }
    }

    pub fn read(&mut self, key: &str, now_ms: u64) -> Option<u64> {
        if let Some(&value) = self.dirty.get(key) {
            return Some(value); // write-back: the newest value is not in the database yet
        }
        if let Some(value) = self.cache.get(key, now_ms) {
            return Some(value);
        }
        let value = self.db.read(key)?;
        self.cache.set(key, value, now_ms);
        Some(value)
    }

    pub fn write(&mut self, key: &str, value: u64, now_ms: u64) {
        match self.policy {
            WritePolicy::CacheAside => {
                self.db.write(key, value);
                self.cache.delete(key); // database first, then invalidate
            }
            WritePolicy::WriteThrough => {
                self.db.write(key, value);
                self.cache.set(key, value, now_ms);
            }
            WritePolicy::WriteBack => {
                self.dirty.insert(key.to_owned(), value);
            }
        }
    }

    /// Write-back: persist every dirty key once, whatever number of writes it absorbed.
    pub fn flush(&mut self, now_ms: u64) {
        for (key, value) in std::mem::take(&mut self.dirty) {
            self.db.write(&key, value);
            self.cache.set(&key, value, now_ms);
        }
    }

    /// The cache process dies: everything in memory is gone, the database remains.
    pub fn crash(self) -> Database {
        self.db
    }
}

/// One request per millisecond for one hot key, cached with `ttl_ms`, loaded from a database
/// that answers after `db_latency_ms`, for `duration_ms`. Returns the database reads.
/// With `single_flight`, a miss while a load is in flight waits for it instead of loading.
pub fn hot_key_stampede(single_flight: bool, ttl_ms: u64, db_latency_ms: u64, duration_ms: u64) -> u64 {
    let mut cached_until_ms = 0; // expired at start
    let mut loads_in_flight: Vec<u64> = Vec::new(); // completion times
    let mut db_reads = 0;
    for now_ms in 0..duration_ms {
        // Loads that complete now refill the cache.
        if loads_in_flight.contains(&now_ms) {
            cached_until_ms = now_ms + ttl_ms;
        }
        loads_in_flight.retain(|&done_ms| done_ms > now_ms);
        if now_ms < cached_until_ms {
            continue; // hit
        }
        if single_flight && !loads_in_flight.is_empty() {
            continue; // join the load in flight; no database read
        }
        db_reads += 1;
        loads_in_flight.push(now_ms + db_latency_ms);
    }
    db_reads
}

/// `keys` keys filled at time 0 and read once a second by every client for `duration_ms`;
/// returns the database reads in each second (the refill load over time).
pub fn refills_per_second(cache: TtlCache, keys: usize, duration_ms: u64) -> Vec<u64> {
    let mut store = CachedStore::new(WritePolicy::CacheAside, cache);
    for k in 0..keys {
        store.db.write(&format!("key{k}"), k as u64);
    }
    let mut per_second = Vec::new();
    for second in 0..duration_ms / 1_000 {
        let before = store.db.reads;
        for k in 0..keys {
            store.read(&format!("key{k}"), second * 1_000);
        }
        per_second.push(store.db.reads - before);
    }
    per_second
}

/// The set of keys `dirty` in write-back mode (for tests).
pub fn dirty_keys(store: &CachedStore) -> BTreeSet<String> {
    store.dirty.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{stream_rng, VirtualClock};

    fn store(policy: WritePolicy) -> CachedStore {
        CachedStore::new(policy, TtlCache::new(60_000, 0.0, stream_rng(1, "ttl")))
    }

    #[test]
    fn cache_aside_hits_after_the_first_miss_and_a_write_invalidates() {
        let mut clock = VirtualClock::starting_at(0);
        let mut s = store(WritePolicy::CacheAside);
        s.db.write("user:1", 10);
        assert_eq!(s.read("user:1", clock.now_ms()), Some(10));
        assert_eq!(s.read("user:1", clock.advance_ms(1_000)), Some(10));
        assert_eq!(s.db.reads, 1, "the second read was a hit");

        s.write("user:1", 11, clock.now_ms());
        assert_eq!(s.read("user:1", clock.advance_ms(1)), Some(11), "the delete forced a fresh load");
        assert_eq!(s.db.reads, 2);
        // The TTL bounds staleness: after it, the entry is reloaded even without a write.
        s.read("user:1", clock.advance_ms(60_000));
        assert_eq!(s.db.reads, 3);
    }

    #[test]
    fn write_through_keeps_reads_after_writes_fresh_without_a_database_read() {
        let mut s = store(WritePolicy::WriteThrough);
        s.write("user:1", 10, 0);
        assert_eq!(s.read("user:1", 1), Some(10));
        assert_eq!((s.db.reads, s.db.writes), (0, 1));
    }

    #[test]
    fn write_back_coalesces_writes_and_loses_them_if_the_cache_dies_before_a_flush() {
        let mut s = store(WritePolicy::WriteBack);
        for value in 0..100 {
            s.write("counter", value, value);
        }
        assert_eq!(s.read("counter", 100), Some(99), "reads see the unflushed value");
        assert_eq!(dirty_keys(&s), BTreeSet::from(["counter".to_owned()]));
        s.flush(200);
        assert_eq!(s.db.writes, 1, "100 writes, one database write");

        s.write("counter", 1_000, 300);
        let mut survivor = s.crash();
        assert_eq!(survivor.read("counter"), Some(99), "the acknowledged write of 1 000 is lost");
    }

    #[test]
    fn without_single_flight_every_miss_during_a_refill_hits_the_database() {
        // 10 s, TTL 1 s, 50 ms loads: the key expires about 10 times.
        let reads = hot_key_stampede(false, 1_000, 50, 10_000);
        assert_eq!(reads, 50 * 10, "50 concurrent loads per expiry");
    }

    #[test]
    fn single_flight_turns_a_stampede_into_one_load() {
        let reads = hot_key_stampede(true, 1_000, 50, 10_000);
        assert_eq!(reads, 10, "one load per expiry");
    }

    #[test]
    fn ttl_jitter_spreads_the_refills_of_keys_filled_together() {
        const KEYS: usize = 1_000;
        let fixed = refills_per_second(TtlCache::new(60_000, 0.0, stream_rng(2, "ttl")), KEYS, 300_000);
        let jittered = refills_per_second(TtlCache::new(60_000, 0.2, stream_rng(2, "ttl")), KEYS, 300_000);
        // Fixed TTL: every key reloads in the same second, every minute.
        assert_eq!(*fixed.iter().max().unwrap(), KEYS as u64);
        assert_eq!(fixed.iter().filter(|&&reads| reads > 0).count(), 5, "{fixed:?}");
        // Jittered: the first wave is spread over ~12 s and later waves spread further.
        let worst = *jittered[1..].iter().max().unwrap();
        assert!(worst < 150, "worst second after warm-up: {worst} database reads");
        assert!(jittered.iter().sum::<u64>() >= fixed.iter().sum::<u64>(), "jitter trades a few extra loads");
    }
}

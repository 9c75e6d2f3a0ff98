//! # TTL cache on a virtual clock
//!
//! ## Why interviewers ask this
//! Sessions, DNS answers, idempotency keys, rate-limit windows, feature flags: backend caches
//! usually expire by time, not (only) by size. The design questions are which clock, when an
//! expired entry is actually removed (on access? in the background?), and what happens when a
//! key is refreshed. Redis answers all three and interviewers like to compare.
//!
//! ## How it works
//! - `entries: BTreeMap<K, (value, expires_at_ms)>` holds the data.
//! - `deadlines: BTreeSet<(expires_at_ms, K)>` is an index ordered by deadline, so the
//!   soonest-expiring entries are at its front.
//!
//! An entry inserted at `now_ms` with `ttl_ms` is live while `now_ms < expires_at_ms` and
//! expired from `expires_at_ms` on. Expired entries leave in two ways, as in Redis:
//! - **Lazily**: `get` notices the entry is expired, removes it and answers "absent".
//! - **Actively**: `purge_expired(now_ms)` pops the deadline index from the front until it
//!   reaches a future deadline — O(expired · log n), never a full scan.
//!
//! Both structures must change together. Re-inserting a key moves its deadline: the old
//! `(deadline, key)` pair must leave the index, or a later purge would find the stale deadline
//! and delete the *refreshed* entry (see Break it). When a capacity is set and the cache is
//! full, it purges expired entries first and then evicts the entry closest to expiry (Redis's
//! `volatile-ttl` policy).
//!
//! Time is an argument (`now_ms`), never read from the system: tests drive a
//! [`VirtualClock`](crate::sim::VirtualClock) and "wait an hour" costs nothing.
//!
//! ## Common pitfalls
//! - Reading the wall clock inside the cache: untestable, and a clock step (NTP) expires or
//!   resurrects everything. Production code uses a monotonic clock; here the caller passes it.
//! - Lazy expiry only: keys that are never read again never leave — a memory leak.
//! - Active expiry by scanning all entries: O(n) pauses. Keep an ordered index (or a timer
//!   wheel, or sample like Redis).
//! - Off-by-one at the boundary: decide whether `now == expires_at` is live (here: expired)
//!   and test exactly that instant.
//! - Refreshing a key without moving its deadline in the index.
//! - Every entry created together expiring together: a stampede on the backend. Add jitter
//!   to TTLs.
//!
//! ## Key takeaways
//! - Time is an input; test it with a virtual clock.
//! - Expire lazily *and* actively; an ordered deadline index makes the active part cheap.
//! - Two structures that index the same data must be updated as one.
//!
//! ## Break it
//! `breaks/ttl_cache.patch` stops `insert` from removing a refreshed key's old deadline.
//! `scripts/break-it.sh ttl_cache` shows `refreshing_a_key_moves_its_deadline` and the model
//! property failing. In these debug-build tests the in-structure assertion "index and entries
//! have the same size" fires at the faulty insert itself; without it, the purge at the *old*
//! deadline would delete the entry refreshed after it, and a client would see its fresh
//! session vanish early — a bug far from its cause. That is what invariant checks buy.
//!
//! ## Interview questions
//! - *How does Redis expire keys?* — Lazily on access, plus an active cycle that samples 20
//!   keys with a TTL, deletes the expired ones, and repeats while more than 25% were expired.
//! - *How would you expire millions of timers efficiently?* — A hierarchical timing wheel:
//!   O(1) insert and O(1) per tick, at the cost of tick granularity; or a heap / ordered set.
//! - *What clock should a TTL use?* — Monotonic for "expires in N seconds" on one machine;
//!   wall-clock deadlines only when they cross machines, with bounded clock skew in mind.
//! - *Why add jitter to TTLs?* — Keys filled together expire together, and the misses hit the
//!   database at once (cache stampede). Jitter spreads the refreshes.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
struct Entry<V> {
    value: V,
    expires_at_ms: u64,
}

/// A map whose entries expire `ttl_ms` after they were inserted, on a caller-supplied clock.
#[derive(Debug, Clone)]
pub struct TtlCache<K, V> {
    entries: BTreeMap<K, Entry<V>>,
    /// One `(expires_at_ms, key)` per entry, soonest first.
    deadlines: BTreeSet<(u64, K)>,
    max_entries: Option<usize>,
    evictions: u64,
}

impl<K, V> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self { entries: BTreeMap::new(), deadlines: BTreeSet::new(), max_entries: None, evictions: 0 }
    }
}

impl<K: Ord + Clone, V> TtlCache<K, V> {
    /// A cache that holds at most `max_entries`, evicting the soonest-to-expire entry when full.
    pub fn with_capacity(max_entries: usize) -> Self {
        assert!(max_entries > 0, "a TTL cache with capacity 0 cannot hold anything");
        Self { max_entries: Some(max_entries), ..Self::default() }
    }

    /// Inserts or refreshes `key` to expire at `now_ms + ttl_ms`. Returns the previous value if
    /// it was still live.
    pub fn insert(&mut self, key: K, value: V, ttl_ms: u64, now_ms: u64) -> Option<V> {
        let expires_at_ms = now_ms.saturating_add(ttl_ms);
        let previous = self.entries.remove(&key);
        if let Some(old) = &previous {
            // The old deadline must leave the index with the old entry.
            let removed = self.deadlines.remove(&(old.expires_at_ms, key.clone()));
            debug_assert!(removed, "an entry had no deadline in the index");
        } else {
            self.make_room(now_ms);
        }
        self.deadlines.insert((expires_at_ms, key.clone()));
        self.entries.insert(key, Entry { value, expires_at_ms });
        debug_assert_eq!(self.entries.len(), self.deadlines.len());
        previous.filter(|old| now_ms < old.expires_at_ms).map(|old| old.value)
    }

    /// The value if `key` is live at `now_ms`; an expired entry is removed on the spot (lazy
    /// expiry), which is why this takes `&mut self`.
    pub fn get(&mut self, key: &K, now_ms: u64) -> Option<&V> {
        let expires_at_ms = self.entries.get(key)?.expires_at_ms;
        if now_ms >= expires_at_ms {
            self.remove(key);
            return None;
        }
        self.entries.get(key).map(|entry| &entry.value)
    }

    /// Milliseconds `key` has left to live, if it is live at `now_ms`.
    pub fn ttl_remaining_ms(&self, key: &K, now_ms: u64) -> Option<u64> {
        let entry = self.entries.get(key)?;
        entry.expires_at_ms.checked_sub(now_ms).filter(|&left| left > 0)
    }

    /// Removes `key`, returning its stored value whether or not it had expired.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let entry = self.entries.remove(key)?;
        let removed = self.deadlines.remove(&(entry.expires_at_ms, key.clone()));
        debug_assert!(removed, "an entry had no deadline in the index");
        Some(entry.value)
    }

    /// Removes every entry expired at `now_ms`; returns how many. Walks only expired entries.
    pub fn purge_expired(&mut self, now_ms: u64) -> usize {
        let mut purged = 0;
        while let Some((expires_at_ms, key)) = self.deadlines.first().cloned() {
            if expires_at_ms > now_ms {
                break;
            }
            self.deadlines.pop_first();
            self.entries.remove(&key);
            purged += 1;
        }
        debug_assert_eq!(self.entries.len(), self.deadlines.len());
        purged
    }

    /// Entries stored, including expired ones not yet purged or read.
    pub fn stored_len(&self) -> usize {
        self.entries.len()
    }

    /// Live entries at `now_ms`, in key order (O(n); for inspection and tests).
    pub fn live_entries(&self, now_ms: u64) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.entries
            .iter()
            .filter(move |(_, entry)| now_ms < entry.expires_at_ms)
            .map(|(key, entry)| (key, &entry.value))
    }

    /// Entries evicted for lack of room (not counting expiries).
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// The deadline index and the entries describe exactly the same set.
    pub fn check_invariants(&self) {
        assert_eq!(self.entries.len(), self.deadlines.len(), "index and entries differ in size");
        for (expires_at_ms, key) in &self.deadlines {
            let entry = self.entries.get(key).expect("the index names a key that is not stored");
            assert_eq!(entry.expires_at_ms, *expires_at_ms, "the index holds a stale deadline");
        }
        if let Some(max) = self.max_entries {
            assert!(self.entries.len() <= max);
        }
    }

    /// Before adding a new key to a full cache: purge what has expired, then evict the entry
    /// that would expire soonest.
    fn make_room(&mut self, now_ms: u64) {
        let Some(max) = self.max_entries else { return };
        if self.entries.len() < max {
            return;
        }
        self.purge_expired(now_ms);
        if self.entries.len() >= max {
            if let Some((_, key)) = self.deadlines.pop_first() {
                self.entries.remove(&key);
                self.evictions += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;

    #[test]
    fn entry_expires_exactly_at_its_deadline() {
        let mut clock = VirtualClock::default();
        let mut cache = TtlCache::default();
        cache.insert("session", 1, 1_000, clock.now_ms());
        clock.advance_ms(999);
        assert_eq!(cache.get(&"session", clock.now_ms()), Some(&1));
        assert_eq!(cache.ttl_remaining_ms(&"session", clock.now_ms()), Some(1));
        clock.advance_ms(1);
        assert_eq!(cache.get(&"session", clock.now_ms()), None, "live means now < expires_at");
        assert_eq!(cache.stored_len(), 0, "the read removed it (lazy expiry)");
    }

    #[test]
    fn refreshing_a_key_moves_its_deadline() {
        let mut clock = VirtualClock::default();
        let mut cache = TtlCache::default();
        cache.insert("session", "v1", 100, clock.now_ms()); // expires at 100
        clock.advance_ms(50);
        assert_eq!(cache.insert("session", "v2", 100, clock.now_ms()), Some("v1")); // now 150
        clock.advance_ms(70); // t = 120: past the old deadline, before the new one
        assert_eq!(cache.purge_expired(clock.now_ms()), 0);
        assert_eq!(cache.get(&"session", clock.now_ms()), Some(&"v2"));
        cache.check_invariants();
    }

    #[test]
    fn purge_removes_only_expired_entries_without_a_read() {
        let mut clock = VirtualClock::default();
        let mut cache = TtlCache::default();
        for (key, ttl_ms) in [("a", 10), ("b", 20), ("c", 30)] {
            cache.insert(key, (), ttl_ms, clock.now_ms());
        }
        clock.advance_ms(20);
        assert_eq!(cache.purge_expired(clock.now_ms()), 2);
        assert_eq!(cache.live_entries(clock.now_ms()).map(|(k, _)| *k).collect::<Vec<_>>(), ["c"]);
        cache.check_invariants();
    }

    #[test]
    fn a_full_cache_drops_expired_entries_before_evicting_live_ones() {
        let mut clock = VirtualClock::default();
        let mut cache = TtlCache::with_capacity(2);
        cache.insert("short", (), 10, clock.now_ms());
        cache.insert("long", (), 1_000, clock.now_ms());
        clock.advance_ms(10); // "short" has expired
        cache.insert("new", (), 500, clock.now_ms());
        assert_eq!(cache.evictions(), 0, "room came from the expired entry");
        cache.insert("newer", (), 2_000, clock.now_ms());
        assert_eq!(cache.evictions(), 1);
        // The victim is the live entry closest to expiry: "new" (t=510), not "long" (t=1000).
        let live: Vec<_> = cache.live_entries(clock.now_ms()).map(|(k, _)| *k).collect();
        assert_eq!(live, ["long", "newer"]);
        cache.check_invariants();
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u16, u64),
        Get(u8),
        Remove(u8),
        Advance(u64),
        Purge,
    }

    fn op() -> impl Strategy<Value = Op> {
        let key = 0_u8..8;
        prop_oneof![
            (key.clone(), any::<u16>(), 0_u64..50).prop_map(|(k, v, ttl)| Op::Insert(k, v, ttl)),
            key.clone().prop_map(Op::Get),
            key.prop_map(Op::Remove),
            (0_u64..30).prop_map(Op::Advance),
            Just(Op::Purge),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_a_map_filtered_by_deadline(ops in prop::collection::vec(op(), 0..200)) {
            let mut clock = VirtualClock::default();
            let mut cache = TtlCache::default();
            // The model never removes anything; liveness is recomputed from deadlines.
            let mut model: BTreeMap<u8, (u16, u64)> = BTreeMap::new();
            let live = |model: &BTreeMap<u8, (u16, u64)>, key: u8, now: u64| {
                model.get(&key).filter(|(_, expires)| now < *expires).map(|(v, _)| *v)
            };
            for op in ops {
                let now = clock.now_ms();
                match op {
                    Op::Insert(k, v, ttl) => {
                        let expected = live(&model, k, now);
                        model.insert(k, (v, now + ttl));
                        prop_assert_eq!(cache.insert(k, v, ttl, now), expected);
                    }
                    Op::Get(k) => prop_assert_eq!(cache.get(&k, now).copied(), live(&model, k, now)),
                    Op::Remove(k) => {
                        let expected = live(&model, k, now);
                        model.remove(&k);
                        prop_assert_eq!(cache.remove(&k).filter(|_| expected.is_some()), expected);
                    }
                    Op::Advance(ms) => { clock.advance_ms(ms); }
                    Op::Purge => { cache.purge_expired(now); }
                }
                cache.check_invariants();
                let now = clock.now_ms();
                let expected: Vec<(u8, u16)> = model.keys().filter_map(|&k| live(&model, k, now).map(|v| (k, v))).collect();
                let actual: Vec<(u8, u16)> = cache.live_entries(now).map(|(k, v)| (*k, *v)).collect();
                prop_assert_eq!(actual, expected);
            }
        }
    }
}

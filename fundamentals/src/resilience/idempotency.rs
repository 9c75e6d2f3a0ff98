//! # Idempotency keys
//!
//! ## Why interviewers ask this
//! "The client sent a payment, the connection dropped, the client retried. Was the card
//! charged once or twice?" A lost response is indistinguishable from a lost request, so safe
//! retries need the *server* to recognise a repeat. Stripe, PayPal and most payment APIs take
//! an `Idempotency-Key` header for exactly this; interviewers want to hear where the key is
//! stored, when, for how long, and what a concurrent duplicate sees.
//!
//! ## How it works
//! The client picks a unique key per logical operation (a UUID, or `order-id:attempt-group`)
//! and sends it with every attempt. The server keeps `key → state`:
//! - [`IdempotencyStore::begin`] on first sight returns [`Begin::New`] and marks the key
//!   *in progress* — before doing the work; a duplicate arriving meanwhile gets
//!   [`Begin::InProgress`] (answer "409, try again later", don't run it twice);
//! - [`IdempotencyStore::complete`] stores the result; every later attempt gets
//!   [`Begin::Done`] with that same result, replayed without re-running the work;
//! - [`IdempotencyStore::abandon`] forgets an in-progress key whose work failed *without side
//!   effects*, so the client's retry can run it again.
//!
//! The store is bounded: results are kept `ttl_ms` after completion (longer than any client
//! retries), an in-progress mark is a lease that lapses after `ttl_ms` (its worker may have
//! crashed), and at most `capacity` keys are kept, the oldest (by first sight) evicted first.
//! Everything is in `BTreeMap`s, so eviction order is deterministic.
//!
//! This store lives in memory. A real service must keep the key **in the same durable
//! transaction as the side effect** (the ledger row and the key row commit together), or a
//! crash between "charge" and "remember" forgets the key and the retry charges again — the
//! lab's idempotent-retries scenario has a variant that does exactly that.
//!
//! ## Common pitfalls
//! - Storing the key only after the side effect: two concurrent attempts both miss the key and
//!   both charge. Mark in progress first (atomically: `INSERT … ON CONFLICT DO NOTHING`).
//! - Keys in memory only: a crash loses them, the retry after restart charges again.
//! - A TTL shorter than the client's retry window: the key expires, the late retry is "new".
//! - Keying on the request body (amount + card): two genuine identical purchases become one.
//!   The client decides what "the same operation" is, by reusing the key.
//! - Replaying a different response: the retry must get the original result (same charge id),
//!   not "already processed", or the client cannot tell success from failure.
//! - Abandoning a key after a partial side effect: the retry repeats the part that happened.
//!
//! ## Key takeaways
//! - At-least-once delivery + idempotent processing = effectively once.
//! - Claim the key before the work; store the result with the work, durably, atomically.
//! - Bound the store by time (longer than retries) and size, and say what eviction means.
//!
//! ## Break it
//! `fundamentals/breaks/resilience_idempotency.patch` stops `begin` from recording the key:
//! the key is written only when the work completes (after the side effect). A duplicate that
//! arrives while the first attempt is still charging is told `New` and charges again:
//! `a_duplicate_during_the_work_sees_in_progress` and the model property fail.
//!
//! ## Interview questions
//! - *How do you make a payment API safe to retry?* Client sends an idempotency key; server
//!   inserts it as "in progress" in the same database as the ledger, does the charge and
//!   stores the response with the key in one transaction; repeats get the stored response.
//! - *Two attempts with the same key arrive at once. What happens?* Only one insert of the key
//!   succeeds (unique constraint); the other sees "in progress" and returns 409 / retry-later,
//!   never runs the charge.
//! - *How long do you keep keys?* Longer than the longest client retry window (Stripe: 24 h),
//!   then expire them; bound the table and document what happens to a key after expiry.
//! - *The service crashed after charging but before storing the key. Now what?* If the key and
//!   the charge commit in one transaction, that state cannot exist. If they cannot share a
//!   transaction (external processor), pass the key *to* the processor so it dedupes too, and
//!   reconcile on restart.

use std::collections::BTreeMap;

/// What [`IdempotencyStore::begin`] found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin<V> {
    /// First sight (or expired): the key is now marked in progress; do the work.
    New,
    /// Another attempt is doing the work right now: don't run it twice.
    InProgress,
    /// Already done: reply with this result, without redoing the work.
    Done(V),
}

#[derive(Debug, Clone)]
enum Slot<V> {
    InProgress { since_ms: u64 },
    Done { value: V, completed_ms: u64 },
}

#[derive(Debug, Clone)]
struct Entry<V> {
    slot: Slot<V>,
    /// Order of first sight; the smallest is evicted first.
    seq: u64,
}

/// A bounded `key → in progress | result` map, as a payment service keeps per request key.
#[derive(Debug, Clone)]
pub struct IdempotencyStore<V: Clone> {
    capacity: usize,
    ttl_ms: u64,
    entries: BTreeMap<String, Entry<V>>,
    by_age: BTreeMap<u64, String>,
    next_seq: u64,
}

impl<V: Clone> IdempotencyStore<V> {
    /// Keeps at most `capacity` keys (at least 1), each for `ttl_ms` after it was begun
    /// (in progress) or completed (done).
    pub fn new(capacity: usize, ttl_ms: u64) -> Self {
        assert!(capacity >= 1, "an idempotency store needs capacity >= 1");
        Self { capacity, ttl_ms, entries: BTreeMap::new(), by_age: BTreeMap::new(), next_seq: 0 }
    }

    /// First sight of `key` → `New` (and marks it in progress); seen and unfinished →
    /// `InProgress`; finished within the TTL → `Done(result)`. An expired entry is forgotten
    /// and the key counts as new.
    pub fn begin(&mut self, key: &str, now_ms: u64) -> Begin<V> {
        if let Some(entry) = self.entries.get(key) {
            if !self.expired(&entry.slot, now_ms) {
                return match &entry.slot {
                    Slot::InProgress { .. } => Begin::InProgress,
                    Slot::Done { value, .. } => Begin::Done(value.clone()),
                };
            }
            self.remove(key);
        }
        self.insert(key, Slot::InProgress { since_ms: now_ms });
        Begin::New
    }

    /// Records the result of the work for `key`. If the key was forgotten meanwhile (evicted,
    /// lease lapsed, abandoned) the result is recorded anyway: the work did happen. A key that
    /// is already done keeps its first result.
    pub fn complete(&mut self, key: &str, value: V, now_ms: u64) {
        match self.entries.get_mut(key).map(|entry| &mut entry.slot) {
            Some(slot @ Slot::InProgress { .. }) => *slot = Slot::Done { value, completed_ms: now_ms },
            Some(Slot::Done { .. }) => {}
            None => self.insert(key, Slot::Done { value, completed_ms: now_ms }),
        }
    }

    /// Forgets an in-progress key whose work failed, so a retry may try again. A key that is
    /// already done is kept: forgetting it would let a retry repeat a finished side effect.
    pub fn abandon(&mut self, key: &str) {
        if matches!(self.entries.get(key), Some(Entry { slot: Slot::InProgress { .. }, .. })) {
            self.remove(key);
        }
    }

    /// Keys held, expired ones not yet dropped included (see [`IdempotencyStore::purge_expired`]).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every expired entry now (otherwise they go when looked up or evicted).
    pub fn purge_expired(&mut self, now_ms: u64) {
        let expired: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, entry)| self.expired(&entry.slot, now_ms))
            .map(|(key, _)| key.clone())
            .collect();
        for key in expired {
            self.remove(&key);
        }
    }

    fn expired(&self, slot: &Slot<V>, now_ms: u64) -> bool {
        let since_ms = match slot {
            Slot::InProgress { since_ms } => *since_ms,
            Slot::Done { completed_ms, .. } => *completed_ms,
        };
        now_ms >= since_ms.saturating_add(self.ttl_ms)
    }

    fn insert(&mut self, key: &str, slot: Slot<V>) {
        debug_assert!(!self.entries.contains_key(key));
        while self.entries.len() >= self.capacity {
            let (_, oldest) = self.by_age.pop_first().expect("a full store has an oldest key");
            self.entries.remove(&oldest);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(key.to_owned(), Entry { slot, seq });
        self.by_age.insert(seq, key.to_owned());
        debug_assert_eq!(self.entries.len(), self.by_age.len());
        debug_assert!(self.entries.len() <= self.capacity);
    }

    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_age.remove(&entry.seq);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;

    #[test]
    fn new_then_in_progress_then_done_replays_the_same_result() {
        let mut clock = VirtualClock::starting_at(0);
        let mut store = IdempotencyStore::new(10, 60_000);
        assert_eq!(store.begin("pay-1", clock.now_ms()), Begin::New);
        assert_eq!(store.begin("pay-1", clock.now_ms()), Begin::InProgress);
        clock.advance_ms(30);
        store.complete("pay-1", "charge-42", clock.now_ms());
        for _retry in 0..3 {
            clock.advance_ms(1_000);
            assert_eq!(store.begin("pay-1", clock.now_ms()), Begin::Done("charge-42"));
        }
        assert_eq!(store.begin("pay-2", clock.now_ms()), Begin::New, "other keys are independent");
    }

    #[test]
    fn a_duplicate_during_the_work_sees_in_progress() {
        // Attempt 1 claims the key and starts charging; its response is slow, the client
        // times out and retries while the charge is still running.
        let mut store: IdempotencyStore<u32> = IdempotencyStore::new(10, 60_000);
        assert_eq!(store.begin("pay-1", 0), Begin::New);
        assert_eq!(store.begin("pay-1", 500), Begin::InProgress, "must not charge a second time");
        store.complete("pay-1", 7, 800);
        assert_eq!(store.begin("pay-1", 900), Begin::Done(7));
    }

    #[test]
    fn results_expire_after_the_ttl() {
        let mut clock = VirtualClock::starting_at(0);
        let mut store = IdempotencyStore::new(10, 1_000);
        store.begin("k", clock.now_ms());
        clock.advance_ms(200);
        store.complete("k", 1, clock.now_ms());
        clock.advance_ms(999);
        assert_eq!(store.begin("k", clock.now_ms()), Begin::Done(1), "TTL counts from completion");
        clock.advance_ms(1);
        assert_eq!(store.begin("k", clock.now_ms()), Begin::New);
    }

    #[test]
    fn an_in_progress_mark_lapses_when_its_worker_never_finishes() {
        let mut store: IdempotencyStore<u8> = IdempotencyStore::new(10, 5_000);
        assert_eq!(store.begin("k", 0), Begin::New);
        assert_eq!(store.begin("k", 4_999), Begin::InProgress);
        assert_eq!(store.begin("k", 5_000), Begin::New, "the worker crashed; a retry may run it");
    }

    #[test]
    fn evicts_the_oldest_key_first_when_full() {
        let mut store = IdempotencyStore::new(3, 60_000);
        for (at, key) in ["a", "b", "c"].iter().enumerate() {
            store.begin(key, at as u64);
        }
        store.complete("a", 1, 10); // completing does not make "a" younger
        assert_eq!(store.begin("d", 20), Begin::New);
        assert_eq!(store.len(), 3);
        assert_eq!(store.begin("b", 21), Begin::InProgress, "b survived");
        assert_eq!(store.begin("a", 22), Begin::New, "a, the oldest, was evicted (and is back, evicting b)");
        assert_eq!(store.begin("b", 23), Begin::New);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn abandon_lets_a_retry_start_anew_but_never_forgets_a_result() {
        let mut store = IdempotencyStore::new(10, 60_000);
        assert_eq!(store.begin("k", 0), Begin::New);
        store.abandon("k"); // the charge was declined before any side effect
        assert_eq!(store.begin("k", 10), Begin::New);
        store.complete("k", "ok", 20);
        store.abandon("k");
        assert_eq!(store.begin("k", 30), Begin::Done("ok"));
    }

    #[test]
    fn a_result_completed_after_its_mark_was_evicted_is_still_recorded() {
        let mut store = IdempotencyStore::new(1, 60_000);
        store.begin("slow", 0);
        store.begin("fast", 1); // evicts "slow" while its work runs
        store.complete("slow", 5, 2);
        assert_eq!(store.begin("slow", 3), Begin::Done(5));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn purge_expired_drops_only_expired_entries() {
        let mut store = IdempotencyStore::new(10, 100);
        store.begin("old", 0);
        store.complete("old", 1, 0);
        store.begin("young", 50);
        store.purge_expired(120);
        assert_eq!(store.len(), 1);
        assert_eq!(store.begin("young", 120), Begin::InProgress);
    }

    /// The reference: a `Vec` in order of first sight, scanned linearly.
    #[derive(Default)]
    struct Model {
        entries: Vec<(String, Option<u32>, u64)>, // key, result, time the TTL counts from
    }

    impl Model {
        fn begin(&mut self, key: &str, now: u64, capacity: usize, ttl: u64) -> Begin<u32> {
            if let Some(i) = self.entries.iter().position(|(k, _, _)| k == key) {
                let (_, result, since) = &self.entries[i];
                if now < since + ttl {
                    return result.map_or(Begin::InProgress, Begin::Done);
                }
                self.entries.remove(i);
            }
            self.push(key, None, now, capacity);
            Begin::New
        }

        fn complete(&mut self, key: &str, value: u32, now: u64, capacity: usize) {
            match self.entries.iter_mut().find(|(k, _, _)| k == key) {
                Some((_, result @ None, since)) => (*result, *since) = (Some(value), now),
                Some(_) => {}
                None => self.push(key, Some(value), now, capacity),
            }
        }

        fn abandon(&mut self, key: &str) {
            self.entries.retain(|(k, result, _)| k != key || result.is_some());
        }

        fn push(&mut self, key: &str, result: Option<u32>, now: u64, capacity: usize) {
            while self.entries.len() >= capacity {
                self.entries.remove(0);
            }
            self.entries.push((key.to_owned(), result, now));
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Begin(u8),
        Complete(u8, u32),
        Abandon(u8),
        Advance(u64),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![
            4 => (0u8..8).prop_map(Op::Begin),
            3 => (0u8..8, any::<u32>()).prop_map(|(k, v)| Op::Complete(k, v)),
            1 => (0u8..8).prop_map(Op::Abandon),
            2 => (0u64..300).prop_map(Op::Advance),
        ];
        prop::collection::vec(op, 0..150)
    }

    proptest! {
        #[test]
        fn behaves_like_the_reference_model(capacity in 1usize..6, ttl in 1u64..1_000, ops in ops()) {
            let mut store = IdempotencyStore::new(capacity, ttl);
            let mut model = Model::default();
            let mut clock = VirtualClock::starting_at(0);
            for op in &ops {
                let now = clock.now_ms();
                match op {
                    Op::Begin(k) => {
                        let key = format!("key-{k}");
                        prop_assert_eq!(store.begin(&key, now), model.begin(&key, now, capacity, ttl), "begin {}", key);
                    }
                    Op::Complete(k, v) => {
                        let key = format!("key-{k}");
                        store.complete(&key, *v, now);
                        model.complete(&key, *v, now, capacity);
                    }
                    Op::Abandon(k) => {
                        let key = format!("key-{k}");
                        store.abandon(&key);
                        model.abandon(&key);
                    }
                    Op::Advance(ms) => {
                        clock.advance_ms(*ms);
                    }
                }
                prop_assert_eq!(store.len(), model.entries.len());
                prop_assert!(store.len() <= capacity);
            }
        }
    }
}

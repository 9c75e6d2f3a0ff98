//! # In-process pub/sub with `tokio::sync::broadcast`: slow subscribers lag
//!
//! ## Why interviewers ask this
//! Fan-out inside one process — config changes, cache invalidations, live-update feeds to
//! WebSocket clients — is usually a broadcast channel, and the design question is always the
//! same: **what happens when one subscriber is slower than the publisher?** Either the
//! publisher waits (one slow client stalls everyone), or the buffer grows (memory runs out),
//! or the slow subscriber loses messages. Interviewers want you to pick deliberately and to
//! say how the loser recovers.
//!
//! ## How it works
//! `broadcast::channel(capacity)` keeps the last `capacity` messages in a ring shared by all
//! receivers; each receiver has its own position. `send` never waits: when the ring is full
//! the oldest message is overwritten, whoever has not read it yet. A receiver that fell
//! behind gets `Err(RecvError::Lagged(n))` — "you missed `n` messages" — and then continues
//! from the oldest message still in the ring. A receiver only sees messages sent after it
//! subscribed; when every sender is dropped, receivers drain what is left and then get
//! `RecvError::Closed`.
//!
//! So broadcast chooses "the publisher never waits; slow subscribers lose messages, *and
//! know it*". What a subscriber should do about `Lagged` depends on the messages:
//! - **state updates** (the value of a key): missing some is fine if you resync. [`Mirror`]
//!   keeps a copy of a versioned store; on `Lagged` it reloads a snapshot from the source of
//!   truth and then ignores events older than the snapshot's version. The tests show it
//!   converges even when it lags over and over;
//! - **every event matters** (payments, audit): broadcast is the wrong tool. Use a durable
//!   log (Kafka, a database outbox) where the consumer keeps an offset and resumes, or a
//!   bounded `mpsc` per subscriber that applies back-pressure;
//! - **only the latest value matters** (config): `tokio::sync::watch` keeps just one value.
//!
//! ## Common pitfalls
//! - Treating `Lagged` as fatal (the subscriber task exits) or ignoring it (silent divergence).
//! - A huge capacity "so it never lags": memory = capacity × message size, per channel, and
//!   a stuck subscriber still lags eventually.
//! - Expecting a late subscriber to see earlier messages: it starts from now; load a snapshot.
//! - Blocking inside the receive loop (a database call per message) and so lagging by design.
//!
//! ## Key takeaways
//! - Broadcast: publisher never blocks, bounded memory, slow receivers skip and are told.
//! - Recovery from a gap = snapshot + versioned events (ignore events older than the snapshot).
//! - Need every message? Use a log with offsets or per-subscriber back-pressure instead.
//!
//! ## Break it
//! `fundamentals/breaks/patterns_pubsub_broadcast.patch` makes [`Mirror`] shrug off `Lagged`
//! and carry on without resyncing. The missed updates are gone for good:
//! `a_lagging_mirror_resyncs_from_a_snapshot_and_converges` fails.
//!
//! ## Interview questions
//! - **Q: One WebSocket client is on a slow network. How do you keep it from slowing the
//!   others?** A: Don't let the publisher wait for it: a bounded per-client buffer; when it
//!   overflows, drop messages and resync the client (or disconnect it) rather than block.
//! - **Q: What does `RecvError::Lagged(n)` mean and what do you do?** A: The receiver fell
//!   more than the capacity behind and `n` messages were overwritten. Re-read the state from
//!   the source of truth and continue; if every message matters, you needed a durable log.
//! - **Q: broadcast vs mpsc vs watch?** A: mpsc: many producers, one consumer, back-pressure.
//!   broadcast: every receiver gets every message while it keeps up. watch: receivers see
//!   only the latest value.
//! - **Q: How do you make event-driven caches consistent after a gap?** A: Version every
//!   update; after a gap load a snapshot with its version and discard events at or below it.

use std::collections::BTreeMap;
use tokio::sync::broadcast;

/// One change to a versioned key-value store. Versions increase by one per change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub version: u64,
    pub key: String,
    pub value: u64,
}

/// The source of truth: a store that publishes every change.
pub struct Store {
    version: u64,
    data: BTreeMap<String, u64>,
    updates: broadcast::Sender<Update>,
}

impl Store {
    pub fn new(channel_capacity: usize) -> Self {
        let (updates, _) = broadcast::channel(channel_capacity);
        Self { version: 0, data: BTreeMap::new(), updates }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.updates.subscribe()
    }

    /// Applies and publishes a change. Never waits for subscribers.
    pub fn set(&mut self, key: &str, value: u64) {
        self.version += 1;
        self.data.insert(key.to_owned(), value);
        // `send` fails only when nobody is subscribed, which is fine for a store.
        let _ = self.updates.send(Update { version: self.version, key: key.to_owned(), value });
    }

    /// A consistent copy of the data and the version it reflects.
    pub fn snapshot(&self) -> (u64, BTreeMap<String, u64>) {
        (self.version, self.data.clone())
    }
}

/// A subscriber that keeps a copy of the store, surviving gaps by resyncing.
pub struct Mirror {
    pub version: u64,
    pub data: BTreeMap<String, u64>,
    pub resyncs: u32,
    updates: broadcast::Receiver<Update>,
}

impl Mirror {
    /// Subscribes *first*, then snapshots, so no change falls between the two.
    pub fn start(store: &Store) -> Self {
        let updates = store.subscribe();
        let (version, data) = store.snapshot();
        Self { version, data, resyncs: 0, updates }
    }

    /// Handles everything that is waiting (without blocking). `store` is where a snapshot is
    /// fetched from after a gap (in a real system: a read from the database).
    pub fn catch_up(&mut self, store: &Store) {
        loop {
            match self.updates.try_recv() {
                Ok(update) => self.apply(update),
                Err(broadcast::error::TryRecvError::Lagged(_missed)) => {
                    // Updates were overwritten before we read them: our copy has a hole.
                    let (version, data) = store.snapshot();
                    (self.version, self.data) = (version, data);
                    self.resyncs += 1;
                }
                Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed) => return,
            }
        }
    }

    fn apply(&mut self, update: Update) {
        // Events already reflected in the snapshot are skipped; versions make replays harmless.
        if update.version > self.version {
            self.version = update.version;
            self.data.insert(update.key, update.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;
    use rand::Rng;
    use tokio::sync::broadcast::error::RecvError;

    #[tokio::test]
    async fn every_subscriber_gets_every_message_while_it_keeps_up() {
        let (tx, mut a) = broadcast::channel(4);
        let mut b = tx.subscribe();
        for i in 0..3 {
            tx.send(i).unwrap();
        }
        for expected in 0..3 {
            assert_eq!(a.recv().await, Ok(expected));
            assert_eq!(b.recv().await, Ok(expected));
        }
    }

    #[tokio::test]
    async fn a_slow_subscriber_lags_learns_how_many_it_missed_and_continues_from_the_oldest_kept() {
        let (tx, mut slow) = broadcast::channel(4);
        let mut fast = tx.subscribe();
        for i in 0..10 {
            tx.send(i).unwrap(); // never waits, even though `slow` reads nothing
            assert_eq!(fast.recv().await, Ok(i));
        }
        assert_eq!(slow.recv().await, Err(RecvError::Lagged(6)));
        for expected in 6..10 {
            assert_eq!(slow.recv().await, Ok(expected), "the last 4 are still in the ring");
        }
    }

    #[tokio::test]
    async fn a_late_subscriber_sees_only_later_messages_and_closed_ends_the_stream() {
        let (tx, mut early) = broadcast::channel(8);
        tx.send("before").unwrap();
        let mut late = tx.subscribe();
        tx.send("after").unwrap();
        drop(tx);
        assert_eq!(early.recv().await, Ok("before"));
        assert_eq!(early.recv().await, Ok("after"));
        assert_eq!(early.recv().await, Err(RecvError::Closed));
        assert_eq!(late.recv().await, Ok("after"));
        assert_eq!(late.recv().await, Err(RecvError::Closed));
    }

    #[test]
    fn a_lagging_mirror_resyncs_from_a_snapshot_and_converges() {
        let mut store = Store::new(8);
        let mut mirror = Mirror::start(&store);
        let mut rng = stream_rng(1, "pubsub");
        for _round in 0..200 {
            // Bursts of up to 20 writes between catch-ups: often more than the ring holds.
            for _ in 0..rng.random_range(0..20) {
                store.set(&format!("k{}", rng.random_range(0..10)), rng.random());
            }
            mirror.catch_up(&store);
            assert_eq!(mirror.version, store.snapshot().0);
            assert_eq!(mirror.data, store.snapshot().1);
        }
        assert!(mirror.resyncs > 50, "the test must exercise the gap path: {} resyncs", mirror.resyncs);
    }

    #[test]
    fn a_mirror_that_keeps_up_never_resyncs() {
        let mut store = Store::new(8);
        let mut mirror = Mirror::start(&store);
        for i in 0..100 {
            store.set("k", i);
            mirror.catch_up(&store);
        }
        assert_eq!((mirror.resyncs, mirror.data["k"], mirror.version), (0, 99, 100));
    }
}

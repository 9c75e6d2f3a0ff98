//! # Vector clocks and version vectors
//!
//! ## Why interviewers ask this
//! When two replicas accept a write to the same key during a partition, the database has to
//! notice that the writes conflict, and Dynamo's way — Riak's and Voldemort's too — is a version
//! vector per value. A vector clock is the one structure that tells *exactly* whether one event
//! could have influenced another, and the follow-ups probe its costs: how it grows, why it
//! cannot be truncated safely, and how it differs from a version vector.
//!
//! ## How it works
//! A vector clock maps each node to a counter; a missing node counts as 0.
//! - **Local event or send** on node `i`: `v[i] += 1`. A message carries the sender's vector.
//! - **Receive** on node `i`: `v = max(v, message)` entry by entry, then `v[i] += 1`.
//!
//! After these rules `v(e)[j]` is the number of events of node `j` in `e`'s causal history (`e`
//! included), so comparing vectors compares histories:
//!
//! | outcome | condition | meaning |
//! | --- | --- | --- |
//! | `Before` | every `a[j] ≤ b[j]`, and `a ≠ b` | `a → b`: `b` has seen `a` |
//! | `After` | every `a[j] ≥ b[j]`, and `a ≠ b` | `b → a` |
//! | `Equal` | same entries | the same history |
//! | `Concurrent` | some `a[j] < b[j]` *and* some `a[k] > b[k]` | neither saw the other: a conflict |
//!
//! This is the **strong clock condition**, `a → b ⇔ V(a) < V(b)`, which a
//! [Lamport clock](super::lamport) cannot give. Merge (entrywise `max`) is the least upper bound
//! of two clocks: commutative, associative and idempotent, so a vector clock is itself a CRDT.
//!
//! **Version vectors** are the same structure counting something else: one entry per *replica*,
//! incremented when that replica accepts an update to a data item, merged when replicas sync.
//! Comparing two versions of a value then says whether one supersedes the other (keep the newer)
//! or they are concurrent (keep both as siblings: see [`multi_value_register`](super::multi_value_register)).
//!
//! A [`Dot`] `(node, counter)` names one event or write; a clock *has seen* it when
//! `v[node] ≥ counter`. The map here is sparse and never stores a zero, so two clocks with the
//! same history are equal as values, and a clock costs one entry per node that ever acted.
//!
//! ## Common pitfalls
//! - Giving vector clocks a total order — a derived `Ord` on the map (lexicographic), or
//!   comparing the sum of the entries: concurrent writes then look ordered and one is dropped
//!   (see Break it). The relation is partial on purpose.
//! - Clients as actors: one entry per client that ever wrote, forever. Use server ids, plus dots
//!   so two clients writing through one server are still told apart (dotted version vectors).
//! - Pruning old entries to bound the size (Dynamo truncated at ten): a pruned clock can look
//!   like an ancestor of, or concurrent with, a version it actually descends from.
//! - Storing explicit zeros and comparing maps structurally: `{a: 0}` and `{}` are the same
//!   clock but unequal maps.
//! - Forgetting to increment after the merge on receive: the receive is indistinguishable from
//!   the send, and events on the receiver compare as equal to the sender's.
//!
//! ## Key takeaways
//! - `V(a) < V(b)` exactly when `a → b`; incomparable vectors are concurrent events.
//! - Compare = "every entry ≤" checked both ways; four outcomes, one of them *concurrent*.
//! - Merge = entrywise max; the cost is one counter per actor, in every message and version.
//!
//! ## Break it
//! `fundamentals/breaks/vector_clock.patch` makes [`VectorClock::compare`] order clocks by the
//! map's lexicographic order — what a derived `Ord` would do. Concurrent clocks now come out as
//! `Before` or `After`: `concurrent_updates_compare_as_concurrent_both_ways` fails, and the
//! property `compare_matches_happens_before_exactly` shrinks to two unrelated local events.
//!
//! ## Interview questions
//! - *Vector clock vs version vector?* Same shape. A vector clock timestamps every event of a
//!   process to capture causality between events; a version vector tags versions of a replicated
//!   item, counting updates per replica, to decide whether one version supersedes another.
//! - *How do you compare two vector clocks, and at what cost?* Walk the union of their nodes,
//!   noting whether any entry is smaller and whether any is larger: both → concurrent, neither →
//!   equal, one → before/after. O(n) in the number of nodes.
//! - *A Dynamo read finds two concurrent versions. Then what?* It returns both (siblings) with
//!   their merged context; the application merges them (the shopping cart took the union) and
//!   writes back with that context, which supersedes both.
//! - *How do you stop version vectors growing without bound?* Actors are servers, not clients;
//!   dots tell apart writes coordinated by the same server (Riak 2.0's dotted version vectors);
//!   interval tree clocks for systems where nodes join and leave all the time. Not truncation.

use super::NodeId;
use std::collections::BTreeMap;

/// How two vector clocks (and the events they stamp) relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Causality {
    /// The first happened before the second: the second has seen it.
    Before,
    /// The second happened before the first.
    After,
    /// The same history.
    Equal,
    /// Neither has seen the other.
    Concurrent,
}

/// One event or write: the node that made it and that node's counter for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dot {
    pub node: NodeId,
    pub counter: u64,
}

/// A vector clock (or version vector): node → counter, absent meaning 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VectorClock {
    /// Never holds a zero, so equal histories are equal maps.
    counters: BTreeMap<NodeId, u64>,
}

impl VectorClock {
    /// The counter of `node` (0 if it never acted in this history).
    pub fn get(&self, node: NodeId) -> u64 {
        self.counters.get(&node).copied().unwrap_or(0)
    }

    /// Records a new event on `node` and returns its dot.
    pub fn increment(&mut self, node: NodeId) -> Dot {
        let counter = self.counters.entry(node).or_insert(0);
        *counter = counter.checked_add(1).expect("a vector clock entry overflowed u64");
        Dot { node, counter: *counter }
    }

    /// Takes everything `other` has seen into this clock (entrywise max).
    pub fn merge(&mut self, other: &Self) {
        for (&node, &counter) in &other.counters {
            let mine = self.counters.entry(node).or_insert(0);
            *mine = (*mine).max(counter);
        }
    }

    /// Marks `dot` as seen (and, with it, every earlier dot of the same node).
    pub fn observe(&mut self, dot: Dot) {
        if dot.counter > self.get(dot.node) {
            self.counters.insert(dot.node, dot.counter);
        }
    }

    /// Whether this history includes the event `dot`.
    pub fn has_seen(&self, dot: Dot) -> bool {
        self.get(dot.node) >= dot.counter
    }

    /// Whether this clock has seen everything `other` has: every entry at least as large.
    pub fn descends(&self, other: &Self) -> bool {
        other.counters.iter().all(|(&node, &counter)| self.get(node) >= counter)
    }

    /// How this clock relates to `other`; see the table in the module docs.
    pub fn compare(&self, other: &Self) -> Causality {
        match (other.descends(self), self.descends(other)) {
            (true, true) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (false, false) => Causality::Concurrent,
        }
    }

    /// `(node, counter)` for every node with a non-zero counter, in node order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, u64)> + '_ {
        self.counters.iter().map(|(&node, &counter)| (node, counter))
    }
}

/// Builds a clock from `(node, counter)` pairs; zeros are dropped, a repeated node keeps its max.
impl FromIterator<(NodeId, u64)> for VectorClock {
    fn from_iter<I: IntoIterator<Item = (NodeId, u64)>>(pairs: I) -> Self {
        let mut clock = Self::default();
        for (node, counter) in pairs {
            clock.observe(Dot { node, counter });
        }
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::super::exchange::{exchange, EventKind, Exchange};
    use super::*;
    use proptest::prelude::*;

    fn clock<const N: usize>(pairs: [(NodeId, u64); N]) -> VectorClock {
        pairs.into_iter().collect()
    }

    #[test]
    fn a_receive_takes_the_entrywise_max_then_ticks() {
        let mut sender = VectorClock::default();
        sender.increment(0);
        sender.increment(0);
        let message = sender.clone(); // {0: 2}
        let mut receiver = clock([(1, 3), (2, 1)]);
        receiver.merge(&message);
        receiver.increment(1);
        assert_eq!(receiver, clock([(0, 2), (1, 4), (2, 1)]));
        assert_eq!(message.compare(&receiver), Causality::Before, "the receiver has seen the send");
    }

    #[test]
    fn concurrent_updates_compare_as_concurrent_both_ways() {
        // Two replicas update the same item while partitioned.
        let a = clock([(0, 1)]);
        let b = clock([(1, 1)]);
        assert_eq!(a.compare(&b), Causality::Concurrent);
        assert_eq!(b.compare(&a), Causality::Concurrent);
        // Each has seen some of the other's updates, but not all.
        let c = clock([(0, 2), (1, 1)]);
        let d = clock([(0, 1), (1, 2)]);
        assert_eq!(c.compare(&d), Causality::Concurrent);
        assert_eq!(d.compare(&c), Causality::Concurrent);
    }

    #[test]
    fn a_clock_that_has_seen_another_compares_after_it() {
        let older = clock([(0, 1), (1, 1)]);
        let newer = clock([(0, 1), (1, 2), (2, 1)]);
        assert_eq!(older.compare(&newer), Causality::Before);
        assert_eq!(newer.compare(&older), Causality::After);
        assert_eq!(newer.compare(&newer.clone()), Causality::Equal);
        assert!(newer.descends(&older));
        assert!(!older.descends(&newer));
    }

    #[test]
    fn missing_entries_count_as_zero() {
        assert_eq!(clock([(0, 0), (1, 0)]), VectorClock::default(), "zeros are not stored");
        assert_eq!(clock([(3, 0)]).compare(&VectorClock::default()), Causality::Equal);
        assert_eq!(VectorClock::default().compare(&clock([(3, 1)])), Causality::Before);
    }

    #[test]
    fn a_dot_is_seen_by_every_clock_that_includes_its_event() {
        let mut writer = VectorClock::default();
        let first = writer.increment(4);
        let second = writer.increment(4);
        assert_eq!(second, Dot { node: 4, counter: 2 });
        let reader = clock([(4, 1)]);
        assert!(reader.has_seen(first));
        assert!(!reader.has_seen(second));
    }

    /// Replays `exchange` with one vector clock per node; returns each event's stamp.
    fn stamp(exchange: &Exchange) -> Vec<VectorClock> {
        let mut clocks = vec![VectorClock::default(); exchange.nodes];
        let mut stamps: Vec<VectorClock> = Vec::with_capacity(exchange.events.len());
        let mut sends = std::collections::BTreeMap::new();
        for (index, event) in exchange.events.iter().enumerate() {
            let clock = &mut clocks[event.node];
            match event.kind {
                EventKind::Local => {}
                EventKind::Send { message } => {
                    sends.insert(message, index);
                }
                EventKind::Receive { message } => clock.merge(&stamps[sends[&message]]),
            }
            clock.increment(event.node as NodeId);
            stamps.push(clock.clone());
        }
        stamps
    }

    fn joined(a: &VectorClock, b: &VectorClock) -> VectorClock {
        let mut merged = a.clone();
        merged.merge(b);
        merged
    }

    fn any_clock() -> impl Strategy<Value = VectorClock> {
        prop::collection::vec((0..4_u32, 0..4_u64), 0..5).prop_map(VectorClock::from_iter)
    }

    proptest! {
        /// The strong clock condition: compare says `Before` exactly when the first event
        /// happened before the second, and `Concurrent` exactly when neither did.
        #[test]
        fn compare_matches_happens_before_exactly(exchange in exchange()) {
            let stamps = stamp(&exchange);
            for a in 0..stamps.len() {
                for b in 0..stamps.len() {
                    let expected = if a == b {
                        Causality::Equal
                    } else if exchange.happened_before(a, b) {
                        Causality::Before
                    } else if exchange.happened_before(b, a) {
                        Causality::After
                    } else {
                        Causality::Concurrent
                    };
                    prop_assert_eq!(stamps[a].compare(&stamps[b]), expected, "events {} and {}", a, b);
                }
            }
        }

        /// Merge takes the entrywise max — the least upper bound of the two histories — so it is
        /// commutative, associative and idempotent.
        #[test]
        fn merge_takes_the_entrywise_max(a in any_clock(), b in any_clock(), c in any_clock()) {
            let merged = joined(&a, &b);
            for node in 0..4 {
                prop_assert_eq!(merged.get(node), a.get(node).max(b.get(node)));
            }
            prop_assert_eq!(&merged, &joined(&b, &a));
            prop_assert_eq!(joined(&merged, &c), joined(&a, &joined(&b, &c)));
            prop_assert_eq!(joined(&merged, &b), merged);
        }
    }
}

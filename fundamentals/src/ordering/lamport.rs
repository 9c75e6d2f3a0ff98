//! # Lamport clocks
//!
//! ## Why interviewers ask this
//! Ordering events when the machines' clocks disagree is the first problem of distributed
//! systems, and Lamport's 1978 paper (*Time, Clocks, and the Ordering of Events in a Distributed
//! System*) solved it with a counter and two rules. The idea is everywhere: Raft terms, Paxos
//! ballot numbers, Kafka leader epochs and the hybrid logical clocks of CockroachDB and MongoDB
//! are all built on it. The interviewer wants the rules, the exact guarantee, and — the
//! usual trap — what it does *not* guarantee.
//!
//! ## How it works
//! Every node keeps one integer, `time`, starting at 0.
//! - **Local event or send:** `time += 1`; the event is stamped `time`. A message carries the
//!   stamp of its send.
//! - **Receive** of a message stamped `t`: `time = max(time, t) + 1`; the receive is stamped
//!   `time`. The `max` pulls a node that is behind past everything the sender had seen.
//!
//! This gives the **clock condition**: if `a` happened before `b` (`a → b`: same node and
//! earlier, or the send of the message `b` receives, or a chain of those), then
//! `L(a) < L(b)`. Each rule makes a stamp larger than the stamps of the events just before it
//! — the node's previous event, and for a receive the send — and `<` is transitive.
//!
//! Concurrent events on different nodes can carry the same time. Pairing the time with the node
//! id, [`Timestamp`] `{ time, node }` compared time first, gives a **total order** that every
//! node computes identically from the stamps alone, with no further messages. That is what
//! Lamport's mutual-exclusion algorithm, total-order broadcast and Paxos ballots
//! (`(round, node id)`) need: not *the* order, but one order everyone agrees on that never
//! contradicts causality.
//!
//! The converse does not hold: `L(a) < L(b)` does **not** mean `a → b`. A node that is busy
//! on its own racks up a high time; a quiet node's events get low stamps although nobody could
//! tell which came first. To detect concurrency you need a [vector clock](super::vector_clock).
//!
//! ## Common pitfalls
//! - Forgetting the `max` on receive (see Break it): a node that is behind stamps the receipt of
//!   a message lower than its send, and the order contradicts causality.
//! - Forgetting the `+ 1` after the `max`: the receive ties with the send, and the node-id
//!   tie-break may put the effect first.
//! - Comparing times without the node id: two nodes issue the same time, and "unique ballot
//!   numbers" or "the lowest request wins the lock" are no longer unique.
//! - Reading causality into the stamps (`L(a) < L(b)` ⇒ "a caused b"): wrong for concurrent
//!   events, and last-writer-wins by Lamport time still discards one of two concurrent writes.
//! - Restarting from 0 after a crash: the node reissues stamps it already used. Persist the
//!   clock (Raft persists `currentTerm` before answering) or a high-water mark to jump past.
//! - Trusting a peer's time blindly: one buggy node sending `u64::MAX / 2` drags every clock
//!   forward. Hybrid logical clock implementations bound how far ahead of physical time a
//!   received stamp may be.
//!
//! ## Key takeaways
//! - Two rules: tick on every event; on receive take the max with the message, then tick.
//! - `a → b` ⇒ `L(a) < L(b)`; never the converse.
//! - `(time, node id)` is a total order all nodes agree on without talking — enough for
//!   tie-breaking and mutual exclusion, not for detecting conflicts.
//!
//! ## Break it
//! `fundamentals/breaks/lamport.patch` drops the `max` from [`LamportClock::receive`]: a receive
//! just ticks the receiver's own clock. A receiver that is behind stamps the message's arrival
//! before its departure, and the `debug_assert!` in `receive` says so: it fails
//! `a_receive_is_stamped_after_its_send_even_when_the_receiver_is_behind`, and the properties
//! shrink it to a few events — typically: node 0 acts, then sends to node 1, which receives at
//! time 1 a message sent at time 2.
//!
//! ## Interview questions
//! - *State the guarantee of a Lamport clock.* If `a → b` then `L(a) < L(b)`. Concurrent events
//!   get some order, arbitrary but consistent. With the node id as tie-break every stamp is
//!   unique, so the stamps totally order all events.
//! - *Why can't you detect concurrent updates with Lamport timestamps?* Because the order is
//!   total: two concurrent events always compare as `<` or `>`. The information "neither saw the
//!   other" is gone; a vector clock keeps it, one counter per node.
//! - *How does a Raft term behave like a Lamport clock?* A node that sees a message with a higher
//!   term adopts it (the `max`) and steps down; a candidate increments it to start an election
//!   (the tick). Stale leaders are recognised by their lower term.
//! - *How would you implement distributed mutual exclusion with Lamport clocks?* Lamport's
//!   algorithm: broadcast a timestamped request; every node keeps a queue ordered by
//!   `(time, node)`; a node enters when its request heads its queue and it has heard a later
//!   stamp from every other node; release by broadcast. It costs 3(n−1) messages per entry and
//!   stalls if any node is down — which is why real systems use a lease from a consensus group.
//! - *What does a hybrid logical clock add?* Stamps stay close to wall-clock time (within the
//!   skew), so "read as of 10:00:00" is meaningful, while still respecting causality like a
//!   Lamport clock when clocks disagree.

use super::NodeId;

/// A Lamport time paired with the node that issued it. The derived order compares `time` first
/// and breaks ties by `node` (the field order matters): a total order every node agrees on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Logical time; in an [`LwwRegister`](super::crdt::LwwRegister) it may be a wall-clock time.
    pub time: u64,
    pub node: NodeId,
}

/// One node's Lamport clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LamportClock {
    node: NodeId,
    time: u64,
}

impl LamportClock {
    /// The clock of `node`, at time 0 (no event yet).
    pub fn new(node: NodeId) -> Self {
        Self { node, time: 0 }
    }

    /// The time of the node's latest event.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// A local event happens: advance the clock and stamp it.
    pub fn tick(&mut self) -> Timestamp {
        self.time = self.time.checked_add(1).expect("a Lamport clock overflowed u64");
        Timestamp { time: self.time, node: self.node }
    }

    /// The node sends a message: sending is an event, so the clock ticks; the message carries
    /// the returned stamp.
    pub fn send(&mut self) -> Timestamp {
        self.tick()
    }

    /// A message stamped `sent` arrives: jump to the sender's time if it is ahead, then tick,
    /// so the receive is stamped after the send and after everything the sender had seen.
    pub fn receive(&mut self, sent: Timestamp) -> Timestamp {
        self.time = self.time.max(sent.time);
        let received = self.tick();
        debug_assert!(received > sent, "a receive must be stamped after its send");
        received
    }
}

#[cfg(test)]
mod tests {
    use super::super::exchange::{exchange, EventKind, Exchange};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn local_events_and_sends_each_advance_the_clock_by_one() {
        let mut clock = LamportClock::new(7);
        assert_eq!(clock.tick(), Timestamp { time: 1, node: 7 });
        assert_eq!(clock.send(), Timestamp { time: 2, node: 7 });
        assert_eq!(clock.tick(), Timestamp { time: 3, node: 7 });
        assert_eq!(clock.time(), 3);
    }

    #[test]
    fn a_receive_is_stamped_after_its_send_even_when_the_receiver_is_behind() {
        let mut busy = LamportClock::new(0);
        let mut quiet = LamportClock::new(1);
        for _ in 0..5 {
            busy.tick();
        }
        let sent = busy.send();
        assert_eq!(sent.time, 6);
        let received = quiet.receive(sent);
        assert_eq!(received, Timestamp { time: 7, node: 1 }, "max(0, 6) + 1");
        assert!(sent < received);
    }

    #[test]
    fn a_receiver_ahead_of_the_sender_just_ticks() {
        let mut sender = LamportClock::new(0);
        let mut receiver = LamportClock::new(1);
        for _ in 0..10 {
            receiver.tick();
        }
        let received = receiver.receive(sender.send());
        assert_eq!(received.time, 11, "max(10, 1) + 1: the receiver's own past is later still");
    }

    #[test]
    fn equal_times_are_ordered_by_node_id_the_same_way_on_every_node() {
        // Three nodes act at once, unaware of each other: all three events have time 1.
        let mut stamps: Vec<Timestamp> = [2, 0, 1].map(|node| LamportClock::new(node).tick()).to_vec();
        assert!(stamps.iter().all(|s| s.time == 1));
        stamps.sort();
        let order: Vec<NodeId> = stamps.iter().map(|s| s.node).collect();
        assert_eq!(order, [0, 1, 2], "whoever sorts these stamps gets this order");
    }

    #[test]
    fn a_skewed_wall_clock_stamps_a_reply_before_its_question_a_lamport_clock_does_not() {
        // Node 1's wall clock runs 50 ms behind node 0's. Node 0 asks at 10:00:00.000 by its
        // clock; node 1 replies 10 ms later in real time, which its clock calls 09:59:59.960.
        let question_wall_ms: u64 = 36_000_000;
        let reply_wall_ms = question_wall_ms + 10 - 50;
        assert!(reply_wall_ms < question_wall_ms, "by wall clock, the answer precedes the question");

        let mut asker = LamportClock::new(0);
        let mut answerer = LamportClock::new(1);
        let question = asker.send();
        let reply = answerer.receive(question);
        assert!(question < reply, "by Lamport time, the answer comes after the question");
    }

    /// Replays `exchange` with one Lamport clock per node; returns each event's stamp.
    fn stamp(exchange: &Exchange) -> Vec<Timestamp> {
        let mut clocks: Vec<LamportClock> = (0..exchange.nodes).map(|n| LamportClock::new(n as NodeId)).collect();
        let mut in_flight: BTreeMap<usize, Timestamp> = BTreeMap::new();
        let mut stamps = Vec::with_capacity(exchange.events.len());
        for event in &exchange.events {
            let clock = &mut clocks[event.node];
            let stamp = match event.kind {
                EventKind::Local => clock.tick(),
                EventKind::Send { message } => {
                    let sent = clock.send();
                    in_flight.insert(message, sent);
                    sent
                }
                EventKind::Receive { message } => clock.receive(in_flight[&message]),
            };
            stamps.push(stamp);
        }
        stamps
    }

    proptest! {
        /// The clock condition, checked against the exchange's true happens-before relation.
        #[test]
        fn timestamps_respect_happens_before(exchange in exchange()) {
            let stamps = stamp(&exchange);
            for a in 0..stamps.len() {
                for b in 0..stamps.len() {
                    if exchange.happened_before(a, b) {
                        let (earlier, later) = (stamps[a], stamps[b]);
                        prop_assert!(earlier < later, "event {} → event {}, but {:?} ≥ {:?}", a, b, earlier, later);
                    }
                }
            }
        }

        /// No two events share a stamp, so sorting by stamp totally orders every event.
        #[test]
        fn timestamps_are_unique_so_they_totally_order_every_event(exchange in exchange()) {
            let mut stamps = stamp(&exchange);
            let events = stamps.len();
            stamps.sort();
            stamps.dedup();
            prop_assert_eq!(stamps.len(), events);
        }
    }
}

//! # Time and ordering: logical clocks, version vectors, CRDTs
//!
//! ## Why interviewers ask this
//! Every replicated system has to answer "which write came first?" without one clock that
//! everyone can read. Wall clocks drift and jump (NTP corrections, leap seconds, a VM paused
//! for a second), so "order by timestamp" silently reorders a reply before the question it
//! answers and loses writes. Interviewers ask about Lamport clocks, vector clocks and CRDTs to
//! see whether you know what *can* be known about order in a distributed system, what it costs
//! in metadata, and what each database you name (Dynamo, Riak, Cassandra, Redis Enterprise)
//! actually does when two clients write the same key at once.
//!
//! ## How it works
//! Each module adds one capability to the one before it:
//!
//! | module | answers | metadata per item |
//! | --- | --- | --- |
//! | [`lamport`] | a total order consistent with causality: if `a → b` then `L(a) < L(b)` | one integer (+ node id) |
//! | [`vector_clock`] | *exactly* whether `a → b`, `b → a`, or they are concurrent | one counter per node |
//! | [`multi_value_register`] | keep concurrent writes as siblings until a write that saw them all | a dot + a context per sibling |
//! | [`crdt`] | data types whose replicas merge in any order and still agree: counters, registers, sets | per replica, per type |
//!
//! The relation underneath them all is Lamport's *happens-before* (`→`): `a → b` when `a` and
//! `b` are on the same node and `a` came first, or `a` is the send of a message and `b` its
//! receipt, or by transitivity. Two events with neither `a → b` nor `b → a` are
//! *concurrent*: no message chain connects them, so no node could have known about both when it
//! acted. A Lamport clock respects `→` but cannot detect concurrency; a vector clock can, at
//! the price of one entry per node; a CRDT makes concurrency harmless by defining a merge that
//! gives the same answer whatever order the replicas' states meet in.
//!
//! Nothing here reads a clock: timestamps are explicit inputs, so every test is deterministic.
//! Physical clocks — skew, NTP, monotonic time, leases, fencing tokens — are the
//! [`time`](crate::time) lessons, which start with a hybrid logical clock.
//!
//! ## Common pitfalls
//! - Ordering events across nodes by wall-clock time: skew makes an effect precede its cause,
//!   and last-writer-wins then discards the write that happened later.
//! - Reading "`L(a) < L(b)`" as "`a` happened before `b`": Lamport order also orders
//!   concurrent events, arbitrarily.
//! - Treating vector clocks as totally ordered (a derived `Ord`, a sum of the entries): the whole
//!   point is that some pairs are *incomparable*.
//! - Believing a merge is correct because replicas converge: they can converge to the wrong
//!   value (a resurrected deleted item, a double-counted increment).
//!
//! ## Key takeaways
//! - Causality is a partial order. Lamport clocks embed it in a total order; vector clocks
//!   characterise it exactly; neither needs synchronised clocks.
//! - Detecting a conflict and resolving it are different problems: version vectors detect,
//!   siblings defer the decision to the application, CRDTs resolve it by construction.
//! - Metadata grows with the number of writers: choose the actors (servers, not clients).
//!
//! ## Break it
//! Every lesson has a patch: `lamport`, `vector_clock`, `multi_value_register`, `g_counter`,
//! `pn_counter`, `lww_register`, `or_set`. Run `scripts/break-it.sh <topic>` and read which
//! test catches it — the property tests shrink each break to a handful of events.
//!
//! ## Interview questions
//! - *Why not order events by NTP-synchronised timestamps?* NTP keeps clocks within
//!   milliseconds at best, and they can step backwards; two events closer than the skew get an
//!   arbitrary order, so a causally later write can carry an earlier timestamp and lose. Google
//!   Spanner can use time only because TrueTime bounds the uncertainty and commits wait it out.
//! - *Lamport clock vs vector clock?* Lamport: one integer, a total order that respects
//!   causality, cannot tell concurrent from ordered. Vector: one counter per node, tells exactly,
//!   costs O(nodes) per message and per stored version.
//! - *What is a hybrid logical clock?* A Lamport clock whose counter is kept close to physical
//!   time: `max(own, received, wall)` plus a logical tie-breaking part. It respects causality
//!   like Lamport and stays within the clock skew of real time, so it can serve snapshot reads
//!   "as of 10:00" (CockroachDB, MongoDB, YugabyteDB).
//! - *Two clients write the same key on two replicas during a partition. What does Dynamo do,
//!   and what does Cassandra do?* Dynamo (and Riak) detect the conflict with version vectors
//!   and return both values as siblings for the client to merge. Cassandra stamps every cell
//!   with a timestamp and keeps the latest: one write silently disappears.

pub mod crdt;
pub mod lamport;
pub mod multi_value_register;
pub mod vector_clock;

#[cfg(test)]
pub(crate) mod exchange; // also drives the hybrid logical clock's tests in `crate::time`

/// Identifies a node (a process, a replica, a server) in the ordering lessons.
pub type NodeId = u32;

#[cfg(test)]
mod tests {
    //! The two clocks side by side on the same message exchanges.
    use super::exchange::{exchange, EventKind, Exchange};
    use super::lamport::{LamportClock, Timestamp};
    use super::vector_clock::{Causality, VectorClock};
    use super::NodeId;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Replays `exchange` with both clocks; returns each event's Lamport and vector stamps.
    fn stamp_with_both(exchange: &Exchange) -> Vec<(Timestamp, VectorClock)> {
        let mut lamport: Vec<LamportClock> = (0..exchange.nodes).map(|n| LamportClock::new(n as NodeId)).collect();
        let mut vector: Vec<VectorClock> = vec![VectorClock::default(); exchange.nodes];
        let mut in_flight: BTreeMap<usize, (Timestamp, VectorClock)> = BTreeMap::new();
        let mut stamps = Vec::new();
        for event in &exchange.events {
            let node = event.node;
            let id = node as NodeId;
            let stamp = match event.kind {
                EventKind::Local => (lamport[node].tick(), tick(&mut vector[node], id)),
                EventKind::Send { message } => {
                    let stamp = (lamport[node].send(), tick(&mut vector[node], id));
                    in_flight.insert(message, stamp.clone());
                    stamp
                }
                EventKind::Receive { message } => {
                    let (sent_lamport, sent_vector) = in_flight[&message].clone();
                    vector[node].merge(&sent_vector);
                    (lamport[node].receive(sent_lamport), tick(&mut vector[node], id))
                }
            };
            stamps.push(stamp);
        }
        stamps
    }

    fn tick(clock: &mut VectorClock, node: NodeId) -> VectorClock {
        clock.increment(node);
        clock.clone()
    }

    #[test]
    fn lamport_orders_concurrent_events_that_a_vector_clock_calls_concurrent() {
        // Node 0 does three things on its own; node 1 does one. No message connects them.
        let mut a = LamportClock::new(0);
        let mut b = LamportClock::new(1);
        let (mut va, mut vb) = (VectorClock::default(), VectorClock::default());
        for _ in 0..3 {
            a.tick();
            va.increment(0);
        }
        let b_event = b.tick();
        vb.increment(1);
        assert!(b_event < Timestamp { time: a.time(), node: 0 }, "Lamport puts node 1's event first…");
        assert_eq!(vb.compare(&va), Causality::Concurrent, "…but neither could have seen the other");
    }

    proptest! {
        /// Vector order implies Lamport order (both respect causality), on every exchange.
        #[test]
        fn lamport_order_extends_vector_clock_order(exchange in exchange()) {
            let stamps = stamp_with_both(&exchange);
            for (a, (lamport_a, vector_a)) in stamps.iter().enumerate() {
                for (b, (lamport_b, vector_b)) in stamps.iter().enumerate() {
                    if vector_a.compare(vector_b) == Causality::Before {
                        prop_assert!(lamport_a < lamport_b, "events {} and {}", a, b);
                    }
                }
            }
        }
    }
}

//! # LWW register: last writer wins
//!
//! ## Why interviewers ask this
//! Last-writer-wins is what Cassandra does for every cell, what DynamoDB global tables do across
//! regions, and what most "just use the timestamp" designs do. It is the simplest register that
//! converges — and it converges by throwing writes away. Interviewers want you to say which
//! write is lost, why clock skew makes it the wrong one, and what to use instead.
//!
//! ## How it works
//! The state is a value and the stamp of the write that produced it; merge keeps the value with
//! the larger stamp. The stamp is a [`Timestamp`] `(time, node)`, compared time first with the
//! node id breaking ties, so two replicas comparing the same two writes always pick the same
//! one. Merge is a max over a total order: commutative, associative and idempotent.
//!
//! `time` can be wall-clock time (Cassandra stamps cells in microseconds, from the client driver
//! or the coordinator) or a
//! [Lamport time](crate::ordering::lamport). The difference matters:
//! - **Wall clock:** a node whose clock lags stamps its write earlier than a write it has
//!   already *seen*, so the older value wins everywhere, silently (tested below).
//! - **Lamport time:** a write made after seeing another gets a larger time, so causally later
//!   writes always win; only truly concurrent writes are decided by the tie-break.
//!
//! Either way, of two concurrent writes one disappears without a trace. That is fine for a
//! "last seen at" field or a cache entry, wrong for a shopping cart or a document.
//!
//! ## Common pitfalls
//! - Comparing times without a tie-break (see Break it): two writes in the same millisecond on
//!   two replicas, each replica keeps its own, and they never converge.
//! - Wall-clock stamps: skew decides who wins. A client with a clock an hour fast wins every
//!   write for an hour; a lagging one loses writes it made after reading the current value.
//! - Read-modify-write through LWW (`x = x + 1` on two replicas): one increment is lost. That
//!   is a counter, not a register.
//! - Deleting by dropping the value: a replica that missed the delete merges the old value back.
//!   A delete must be a write — a tombstone with its own stamp — kept until every replica has
//!   it (Cassandra's `gc_grace_seconds`).
//!
//! ## Key takeaways
//! - Merge = keep the larger `(time, node)`; the node id makes the order total.
//! - LWW converges by discarding concurrent writes; know that you are choosing it.
//! - Stamp with a logical (Lamport or hybrid) clock so a causally later write cannot lose.
//!
//! ## Break it
//! `fundamentals/breaks/lww_register.patch` compares stamps by `time` only, keeping the current
//! value on a tie. Two writes with the same time on different replicas now stay where they were
//! written: `equal_times_are_broken_by_node_id_so_replicas_agree` fails, and the properties find
//! merge not commutative and replicas that never converge.
//!
//! ## Interview questions
//! - *Cassandra uses last-write-wins. What can go wrong?* Concurrent writes to a cell lose one
//!   silently; client clock skew lets an older write win; a read-modify-write loses updates.
//!   Lightweight transactions (Paxos) exist for when that is unacceptable.
//! - *How do you make LWW respect causality?* Stamp with a hybrid logical clock (or Lamport
//!   time): a write made after reading a value carries a larger stamp than that value's.
//! - *When is LWW the right choice?* When the newest value replaces the old one by meaning —
//!   a user's last location, a session's last-seen time, a cache entry — and losing one of two
//!   simultaneous writes costs nothing.
//! - *What would you use for a shopping cart instead?* An OR-set of items (add wins over
//!   concurrent remove), or a multi-value register that hands concurrent versions to the app.

use super::Crdt;
use crate::ordering::lamport::Timestamp;

/// A single value, replaced by any write with a later `(time, node)` stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LwwRegister<V> {
    latest: Option<Stamped<V>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamped<V> {
    value: V,
    stamp: Timestamp,
}

impl<V> Default for LwwRegister<V> {
    fn default() -> Self {
        Self { latest: None }
    }
}

/// Whether a write stamped `challenger` replaces the one stamped `holder`: the later time wins,
/// and on equal times the larger node id, so every replica decides alike.
fn replaces(challenger: Timestamp, holder: Timestamp) -> bool {
    challenger > holder
}

impl<V: Clone + PartialEq> LwwRegister<V> {
    /// Writes `value` stamped `stamp`; it takes effect only if no later write is already here.
    pub fn set(&mut self, value: V, stamp: Timestamp) {
        self.offer(Stamped { value, stamp });
    }

    /// The value of the latest write this replica has heard of.
    pub fn get(&self) -> Option<&V> {
        self.latest.as_ref().map(|latest| &latest.value)
    }

    /// The stamp of that write.
    pub fn stamp(&self) -> Option<Timestamp> {
        self.latest.as_ref().map(|latest| latest.stamp)
    }

    fn offer(&mut self, candidate: Stamped<V>) {
        match &self.latest {
            Some(current) if !replaces(candidate.stamp, current.stamp) => {
                debug_assert!(
                    candidate.stamp != current.stamp || candidate.value == current.value,
                    "two different writes carry the same stamp {:?}",
                    current.stamp
                );
            }
            _ => self.latest = Some(candidate),
        }
    }
}

impl<V: Clone + PartialEq> Crdt for LwwRegister<V> {
    fn merge(&mut self, other: &Self) {
        if let Some(theirs) = &other.latest {
            self.offer(theirs.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::laws;
    use super::*;
    use crate::ordering::lamport::LamportClock;
    use crate::ordering::NodeId;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn at(time: u64, node: NodeId) -> Timestamp {
        Timestamp { time, node }
    }

    #[test]
    fn the_later_write_wins_whatever_order_the_writes_arrive_in() {
        let mut a = LwwRegister::default();
        let mut b = LwwRegister::default();
        a.set("old", at(10, 0));
        a.set("new", at(20, 0));
        b.set("new", at(20, 0));
        b.set("old", at(10, 0)); // arrives late: ignored
        assert_eq!(a.get(), Some(&"new"));
        assert_eq!(a, b);
    }

    #[test]
    fn equal_times_are_broken_by_node_id_so_replicas_agree() {
        // Two replicas write in the same millisecond. One write must go, the same one everywhere.
        let mut a = LwwRegister::default();
        let mut b = LwwRegister::default();
        a.set("from node 0", at(5, 0));
        b.set("from node 1", at(5, 1));
        let a_before = a.clone();
        a.merge(&b);
        b.merge(&a_before);
        assert_eq!(a.get(), Some(&"from node 1"));
        assert_eq!(b.get(), Some(&"from node 1"));
    }

    #[test]
    fn a_write_from_a_lagging_wall_clock_is_lost_although_it_came_later() {
        // Node 1's clock runs 100 ms behind node 0's. Node 1 reads node 0's "draft" and then
        // writes "final" — later in real time, but earlier by its own clock.
        let mut node_0 = LwwRegister::default();
        node_0.set("draft", at(1_000, 0));
        let mut node_1 = node_0.clone();
        node_1.set("final", at(1_000 + 50 - 100, 1));
        node_0.merge(&node_1);
        assert_eq!(node_1.get(), Some(&"draft"), "the edit made after reading the draft is gone");
        assert_eq!(node_0.get(), Some(&"draft"));
    }

    #[test]
    fn lamport_stamps_let_the_causally_later_write_win() {
        let mut clock_0 = LamportClock::new(0);
        let mut clock_1 = LamportClock::new(1);
        for _ in 0..100 {
            clock_0.tick(); // node 0 is far "ahead": it has done a lot of work
        }
        let draft = clock_0.tick();
        let mut node_0 = LwwRegister::default();
        node_0.set("draft", draft);
        let mut node_1 = node_0.clone();
        clock_1.receive(draft); // reading the draft is receiving its stamp
        node_1.set("final", clock_1.tick());
        node_0.merge(&node_1);
        assert_eq!(node_0.get(), Some(&"final"));
    }

    /// A write attempted at `time` on the writer's clock; the test keeps each replica's clock
    /// monotonic, so two writes from one replica never share a stamp.
    fn write_time() -> impl Strategy<Value = u64> {
        0..8_u64
    }

    /// Plays `steps`; returns the run and every write made, with its stamp.
    fn play(steps: &[laws::Step<u64>]) -> (laws::Run<LwwRegister<usize>>, Vec<(Timestamp, usize)>) {
        let mut writes: Vec<(Timestamp, usize)> = Vec::new();
        let mut clocks: BTreeMap<NodeId, u64> = BTreeMap::new();
        let run = laws::run(steps, |register: &mut LwwRegister<usize>, replica, &time| {
            let last = clocks.entry(replica).or_insert(0);
            *last = time.max(*last + 1);
            let stamp = at(*last, replica);
            register.set(writes.len(), stamp);
            writes.push((stamp, writes.len()));
        });
        (run, writes)
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_and_idempotent(steps in laws::steps(write_time())) {
            laws::assert_semilattice(&play(&steps).0.states())?;
        }

        /// Replicas agree under any delivery order, on the write with the largest stamp.
        #[test]
        fn replicas_converge_on_the_latest_stamp_under_any_delivery_order(
            steps in laws::steps(write_time()),
            finale in laws::finale(),
        ) {
            let (run, writes) = play(&steps);
            let converged = run.converge(&finale)?;
            let latest = writes.iter().max().map(|(_, value)| value);
            prop_assert_eq!(converged.get(), latest);
        }
    }
}

//! # G-counter: a grow-only counter
//!
//! ## Why interviewers ask this
//! The smallest CRDT is the usual warm-up: count page views in three data centres, each taking
//! writes locally. The interviewer wants to hear why a single replicated integer cannot be
//! merged, and how one entry per replica fixes it.
//!
//! ## How it works
//! The state is a map replica → count. Replica `r` increments **only its own entry**. Merge
//! takes the max of each entry; the value is the sum of the entries.
//!
//! Why this is exact: each entry has a single writer and only grows, so of two versions of an
//! entry the larger one is simply the newer one, and `max` picks it — no increment is lost,
//! none is counted twice, whatever the order and number of merges.
//!
//! Why one shared integer fails: two replicas at 5 each add 1. Merging by `max` gives 6 (an
//! increment lost); by `+` gives 12 (everything counted twice), and every redelivery adds
//! again. Neither knows which part of the other's number it already has — the per-replica
//! entries are exactly that knowledge.
//!
//! Cost: one `u64` per replica that ever incremented, in the state and in every message.
//!
//! ## Common pitfalls
//! - Merging by sum (see Break it): merge is no longer idempotent, so a duplicated or stale
//!   state inflates the count.
//! - Incrementing another replica's entry: two writers per entry, and `max` drops one's work.
//! - Using it for values that go down: a decrement is a smaller entry, which `max` ignores. Use
//!   a [PN-counter](super::pn_counter).
//! - Confusing merge idempotence with request idempotence: merging a state twice is harmless,
//!   but a client that retries a timed-out *increment* adds twice. That needs an idempotency
//!   key, as for any other write.
//! - Reading a replica's value as "the" count: it is what that replica has heard so far.
//!
//! ## Key takeaways
//! - One entry per replica, single writer each; merge = entrywise max; value = sum.
//! - Max is idempotent, so delivery can duplicate and reorder freely.
//! - State grows with the number of replicas, not with the number of increments.
//!
//! ## Break it
//! `fundamentals/breaks/g_counter.patch` makes merge add the other side's entries instead of
//! taking the max. `merging_the_same_state_twice_counts_it_once` fails (one increment is
//! counted twice), the law property shrinks to a single increment merged with itself, and the
//! convergence property finds replicas that differ after receiving the very same states.
//!
//! ## Interview questions
//! - *Why one entry per replica instead of one number?* So merge can tell what it already has:
//!   with single-writer entries, the larger entry is the newer, and `max` never loses or repeats
//!   an increment.
//! - *How large does the state get, and can you shrink it?* One counter per replica that ever
//!   wrote. Folding a retired replica's entry into another's needs every replica to agree (or a
//!   replica could still send the old entry and get it counted twice), which is coordination.
//! - *Your count must be exact at read time. Now what?* A CRDT read is local and may be stale.
//!   For an exact read, collect every replica's state (or a quorum that is guaranteed to have
//!   seen all acknowledged increments) and merge before summing.
//! - *How are Cassandra counters different?* They are not a state-based CRDT from the client's
//!   view: an increment that timed out may or may not have applied, and retrying it can count
//!   twice, so they are documented as not idempotent.

use super::Crdt;
use crate::ordering::NodeId;
use std::collections::BTreeMap;

/// A counter that only grows; each replica counts its own increments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GCounter {
    /// Replica → how much that replica has added. Never holds a zero.
    counts: BTreeMap<NodeId, u64>,
}

impl GCounter {
    /// Replica `replica` adds `by`. Only `replica` itself may call this for its entry.
    pub fn increment(&mut self, replica: NodeId, by: u64) {
        if by == 0 {
            return;
        }
        let count = self.counts.entry(replica).or_insert(0);
        *count = count.checked_add(by).expect("a G-counter entry overflowed u64");
    }

    /// The total of every increment this replica has heard of.
    pub fn value(&self) -> u64 {
        self.counts.values().try_fold(0_u64, |sum, &count| sum.checked_add(count)).expect("a G-counter overflowed u64")
    }

    /// How much `replica` has added, as far as this state knows.
    pub fn count_of(&self, replica: NodeId) -> u64 {
        self.counts.get(&replica).copied().unwrap_or(0)
    }
}

impl Crdt for GCounter {
    fn merge(&mut self, other: &Self) {
        for (&replica, &count) in &other.counts {
            let mine = self.counts.entry(replica).or_insert(0);
            *mine = (*mine).max(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::laws;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_value_is_the_sum_of_what_each_replica_added() {
        let mut counter = GCounter::default();
        counter.increment(0, 3);
        counter.increment(1, 2);
        counter.increment(0, 1);
        assert_eq!(counter.count_of(0), 4);
        assert_eq!(counter.count_of(1), 2);
        assert_eq!(counter.value(), 6);
    }

    #[test]
    fn concurrent_increments_on_two_replicas_both_survive_a_merge() {
        let mut eu = GCounter::default();
        let mut us = GCounter::default();
        eu.increment(0, 5);
        us.merge(&eu); // both at 5
        eu.increment(0, 1);
        us.increment(1, 1);
        eu.merge(&us);
        us.merge(&eu);
        assert_eq!(eu.value(), 7);
        assert_eq!(us, eu);
    }

    #[test]
    fn one_shared_integer_cannot_be_merged_correctly() {
        // Both replicas hold 5 and each adds 1: the true count is 7.
        let (eu, us) = (5_u64 + 1, 5_u64 + 1);
        assert_eq!(eu.max(us), 6, "max loses an increment");
        assert_eq!(eu + us, 12, "sum counts the shared 5 twice");
        // Per-replica entries know which part each side already has.
        let mut shared = GCounter::default();
        shared.increment(0, 5);
        let (mut eu, mut us) = (shared.clone(), shared);
        eu.increment(0, 1);
        us.increment(1, 1);
        eu.merge(&us);
        assert_eq!(eu.value(), 7);
    }

    #[test]
    fn merging_the_same_state_twice_counts_it_once() {
        let mut eu = GCounter::default();
        let mut us = GCounter::default();
        us.increment(1, 1);
        eu.merge(&us);
        eu.merge(&us); // the network delivered the same state again
        assert_eq!(eu.value(), 1);
    }

    #[test]
    fn a_stale_state_arriving_late_changes_nothing() {
        let mut eu = GCounter::default();
        eu.increment(0, 1);
        let stale = eu.clone();
        eu.increment(0, 1);
        let mut us = eu.clone();
        us.merge(&stale);
        assert_eq!(us, eu);
        assert_eq!(us.value(), 2);
    }

    fn increment() -> impl Strategy<Value = u64> {
        1..5_u64
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_and_idempotent(steps in laws::steps(increment())) {
            let run = laws::run(&steps, |counter: &mut GCounter, replica, &by| counter.increment(replica, by));
            laws::assert_semilattice(&run.states())?;
        }

        /// Replicas agree under any delivery order, on exactly the sum of all increments.
        #[test]
        fn replicas_converge_on_the_total_under_any_delivery_order(
            steps in laws::steps(increment()),
            finale in laws::finale(),
        ) {
            let run = laws::run(&steps, |counter: &mut GCounter, replica, &by| counter.increment(replica, by));
            let converged = run.converge(&finale)?;
            let total: u64 = steps.iter().map(|step| match step {
                laws::Step::Update { op, .. } => *op,
                _ => 0,
            }).sum();
            prop_assert_eq!(converged.value(), total);
        }
    }
}

//! # PN-counter: a counter that goes up and down
//!
//! ## Why interviewers ask this
//! Once users can unlike, the G-counter is not enough, and this is the natural follow-up. It
//! tests whether you understood *why* the [G-counter](super::g_counter) works — single-writer
//! entries that only grow — well enough to see that a decrement breaks it, and how to restore it.
//!
//! ## How it works
//! Two G-counters: `increments` and `decrements`. Replica `r` adds to its own entry of one or
//! the other; both only ever grow. Merge merges each half (entrywise max); the value is
//! `increments − decrements`, which can be negative.
//!
//! Why not one signed count per replica, merged by max? Replica A goes to 5, B hears of it,
//! then A decrements to 2. When B's old state reaches A, `max(2, 5)` brings back the 5: the
//! decrement is lost. An entry that can go down is no longer "larger means newer", so `max`
//! cannot tell news from history. Splitting it into two growing entries restores that.
//!
//! ## Common pitfalls
//! - One signed entry per replica, merged by max: decrements vanish (tested below).
//! - Merging only one half when the type grows a second (see Break it).
//! - Expecting a floor: nothing stops two replicas from each taking the last item in stock —
//!   "never below zero" is an invariant across replicas, which needs coordination.
//! - Computing the value in an unsigned type: a counter that dips below zero underflows.
//!
//! ## Key takeaways
//! - A decrement is an increment of a second counter; both halves only grow.
//! - Merge both halves; the value is their difference and may be negative.
//! - Bounds (stock ≥ 0) are not a merge property; they need escrow or consensus.
//!
//! ## Break it
//! `fundamentals/breaks/pn_counter.patch` makes merge take in the other replica's increments but
//! not its decrements. `a_decrement_made_elsewhere_arrives_by_merge` fails, and the convergence
//! property finds replicas that disagree after receiving the same states.
//!
//! ## Interview questions
//! - *Why two G-counters rather than a signed count per replica?* Max-merge needs entries that
//!   only grow; a signed entry that went down looks older than it is, and the decrement is lost.
//! - *Inventory across regions must never go below zero. Can a PN-counter do it?* No: each
//!   region sees stock 1 and sells it. Give each region an allowance it may spend alone
//!   (escrow, a "bounded counter") and move allowance between regions on demand, or route the
//!   decrement through a single leader.
//! - *What does a PN-counter cost?* Two entries per replica that ever wrote, in the state and
//!   in every message.

use super::g_counter::GCounter;
use super::Crdt;
use crate::ordering::NodeId;

/// A counter of increments and decrements, each replica recording its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PnCounter {
    increments: GCounter,
    decrements: GCounter,
}

impl PnCounter {
    /// Replica `replica` adds `by`.
    pub fn increment(&mut self, replica: NodeId, by: u64) {
        self.increments.increment(replica, by);
    }

    /// Replica `replica` subtracts `by`.
    pub fn decrement(&mut self, replica: NodeId, by: u64) {
        self.decrements.increment(replica, by);
    }

    /// Increments minus decrements heard of so far. `i128` holds the difference of any two
    /// `u64` totals.
    pub fn value(&self) -> i128 {
        i128::from(self.increments.value()) - i128::from(self.decrements.value())
    }
}

impl Crdt for PnCounter {
    fn merge(&mut self, other: &Self) {
        self.increments.merge(&other.increments);
        self.decrements.merge(&other.decrements);
    }
}

#[cfg(test)]
mod tests {
    use super::super::laws;
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_value_is_increments_minus_decrements_and_can_go_below_zero() {
        let mut counter = PnCounter::default();
        counter.increment(0, 2);
        counter.decrement(1, 5);
        assert_eq!(counter.value(), -3);
    }

    #[test]
    fn a_decrement_made_elsewhere_arrives_by_merge() {
        let mut a = PnCounter::default();
        let mut b = PnCounter::default();
        a.increment(0, 5);
        b.merge(&a);
        b.decrement(1, 2);
        a.merge(&b);
        assert_eq!(a.value(), 3);
        assert_eq!(a, b);
    }

    #[test]
    fn one_signed_count_per_replica_loses_a_decrement_under_max_merge() {
        // The tempting design: replica → net count, merged by max.
        let merge_by_max = |mine: &mut BTreeMap<NodeId, i64>, theirs: &BTreeMap<NodeId, i64>| {
            for (&replica, &count) in theirs {
                let entry = mine.entry(replica).or_insert(count);
                *entry = (*entry).max(count);
            }
        };
        let mut a: BTreeMap<NodeId, i64> = BTreeMap::from([(0, 5)]);
        let b_heard = a.clone(); // B learns that A is at 5
        *a.get_mut(&0).unwrap() -= 3; // A decrements to 2
        merge_by_max(&mut a, &b_heard); // B's state comes back to A
        assert_eq!(a[&0], 5, "the decrement is gone");

        // The same history with a PN-counter.
        let mut a = PnCounter::default();
        a.increment(0, 5);
        let b_heard = a.clone();
        a.decrement(0, 3);
        a.merge(&b_heard);
        assert_eq!(a.value(), 2);
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Increment(u64),
        Decrement(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![(1..5_u64).prop_map(Op::Increment), (1..5_u64).prop_map(Op::Decrement)]
    }

    fn apply(counter: &mut PnCounter, replica: NodeId, op: &Op) {
        match *op {
            Op::Increment(by) => counter.increment(replica, by),
            Op::Decrement(by) => counter.decrement(replica, by),
        }
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_and_idempotent(steps in laws::steps(op())) {
            laws::assert_semilattice(&laws::run(&steps, apply).states())?;
        }

        /// Replicas agree under any delivery order, on increments minus decrements.
        #[test]
        fn replicas_converge_on_the_net_total_under_any_delivery_order(
            steps in laws::steps(op()),
            finale in laws::finale(),
        ) {
            let converged = laws::run(&steps, apply).converge(&finale)?;
            let net: i128 = steps.iter().map(|step| match step {
                laws::Step::Update { op: Op::Increment(by), .. } => i128::from(*by),
                laws::Step::Update { op: Op::Decrement(by), .. } => -i128::from(*by),
                _ => 0,
            }).sum();
            prop_assert_eq!(converged.value(), net);
        }
    }
}

//! Test support for the CRDT lessons: the laws every state-based CRDT must obey, checked on
//! states that replicas actually reach, and convergence under any delivery order.
//!
//! A run has [`REPLICAS`] replicas. Each step either updates one replica locally, sends a
//! snapshot of one replica's state into the network, or delivers a snapshot — any snapshot, so
//! states arrive late, out of order, more than once, or never. Then a finale delivers every
//! replica's final state to every replica (twice each, shuffled, mixed with more stale
//! snapshots). Whatever the schedule, the replicas must end identical.

use super::Crdt;
use crate::ordering::NodeId;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::fmt::Debug;

pub(crate) const REPLICAS: usize = 3;

#[derive(Debug, Clone)]
pub(crate) enum Step<O> {
    /// Replica `replica` applies an update locally, without asking anyone.
    Update { replica: usize, op: O },
    /// Replica `from` sends a snapshot of its state; it stays in the network until delivered.
    Send { from: usize },
    /// Snapshot number `message` (modulo how many were sent) reaches replica `to`.
    Deliver { message: usize, to: usize },
}

/// Up to 60 steps over [`REPLICAS`] replicas, with updates drawn from `op`.
pub(crate) fn steps<O: Clone + Debug>(op: impl Strategy<Value = O>) -> impl Strategy<Value = Vec<Step<O>>> {
    let step = prop_oneof![
        3 => (0..REPLICAS, op).prop_map(|(replica, op)| Step::Update { replica, op }),
        1 => (0..REPLICAS).prop_map(|from| Step::Send { from }),
        2 => (0..16_usize, 0..REPLICAS).prop_map(|(message, to)| Step::Deliver { message, to }),
    ];
    prop::collection::vec(step, 0..60)
}

#[derive(Debug, Clone)]
pub(crate) enum Delivery {
    /// Replica `from`'s state as it was when the finale began reaches replica `to`.
    Final { from: usize, to: usize },
    /// An old snapshot (number `message` modulo how many were sent) reaches replica `to`.
    Stale { message: usize, to: usize },
}

/// The finale's deliveries: every replica's final state to every replica, twice, plus up to 12
/// stale snapshots, in a shuffled order.
pub(crate) fn finale() -> impl Strategy<Value = Vec<Delivery>> {
    prop::collection::vec((0..16_usize, 0..REPLICAS), 0..12).prop_flat_map(|stale| {
        let mut deliveries: Vec<Delivery> =
            stale.into_iter().map(|(message, to)| Delivery::Stale { message, to }).collect();
        for from in 0..REPLICAS {
            for to in 0..REPLICAS {
                deliveries.push(Delivery::Final { from, to });
                deliveries.push(Delivery::Final { from, to });
            }
        }
        Just(deliveries).prop_shuffle()
    })
}

/// The replicas after the steps, and every snapshot sent.
pub(crate) struct Run<S> {
    pub replicas: Vec<S>,
    sent: Vec<S>,
}

/// Plays `steps`; `update` applies one update to a replica's state (it is told the replica's id).
pub(crate) fn run<S: Crdt + Clone + Default, O>(
    steps: &[Step<O>],
    mut update: impl FnMut(&mut S, NodeId, &O),
) -> Run<S> {
    let mut replicas = vec![S::default(); REPLICAS];
    let mut sent: Vec<S> = Vec::new();
    for step in steps {
        match step {
            Step::Update { replica, op } => update(&mut replicas[*replica], *replica as NodeId, op),
            Step::Send { from } => sent.push(replicas[*from].clone()),
            Step::Deliver { message, to } => {
                if !sent.is_empty() {
                    replicas[*to].merge(&sent[message % sent.len()]);
                }
            }
        }
    }
    Run { replicas, sent }
}

impl<S: Crdt + Clone + PartialEq + Debug> Run<S> {
    /// States to check the laws on: the replicas, and the first snapshots sent (older states of
    /// the same replicas, which merge checks must also handle).
    pub fn states(&self) -> Vec<S> {
        self.replicas.iter().chain(self.sent.iter().take(2)).cloned().collect()
    }

    /// Plays the finale, checks every replica ended in the same state, and returns that state.
    pub fn converge(mut self, finale: &[Delivery]) -> Result<S, TestCaseError> {
        let finals = self.replicas.clone();
        for delivery in finale {
            match *delivery {
                Delivery::Final { from, to } => self.replicas[to].merge(&finals[from]),
                Delivery::Stale { message, to } => {
                    if !self.sent.is_empty() {
                        self.replicas[to].merge(&self.sent[message % self.sent.len()]);
                    }
                }
            }
        }
        for replica in &self.replicas[1..] {
            prop_assert_eq!(replica, &self.replicas[0], "replicas diverged after receiving the same states");
        }
        Ok(self.replicas.swap_remove(0))
    }
}

fn merged<S: Crdt + Clone>(a: &S, b: &S) -> S {
    let mut result = a.clone();
    result.merge(b);
    result
}

/// Merge is idempotent, commutative and associative on every combination of `states`.
pub(crate) fn assert_semilattice<S: Crdt + Clone + PartialEq + Debug>(states: &[S]) -> Result<(), TestCaseError> {
    for a in states {
        prop_assert_eq!(&merged(a, a), a, "merging a state with itself changed it");
        for b in states {
            prop_assert_eq!(merged(a, b), merged(b, a), "merge is not commutative");
            for c in states {
                prop_assert_eq!(merged(&merged(a, b), c), merged(a, &merged(b, c)), "merge is not associative");
            }
        }
    }
    Ok(())
}

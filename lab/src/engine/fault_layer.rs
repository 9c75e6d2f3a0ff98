//! The lab's fault layer, shared by every host of a run:
//!
//! - **RPC faults** decide, for each incoming call, whether the lab interferes with it. They sit
//!   in the driver between the gRPC server and the node, so nodes never see them. Rules come
//!   from the scenario's fault schedule and are switched on and off by the engine; each decision
//!   draws from a random stream of the receiving host, derived from the run's seed.
//! - **The ledger of network faults** (cut and held links, crashed nodes, by fault index) says
//!   what fate awaits a message leg sent now, so the trace can name the fault that lost or held
//!   a message. It only attributes: the engine carries or loses the leg by its own rules, which
//!   mean the same thing (scenarios/README.md, "Faults").
//! - **Pauses** say until when a node's host holds back its inputs and timers (a GC pause).

use crate::scenario::{FaultAction, RpcFault, RpcRule};
use fundamentals::sim::{stream_rng, SimRng};
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct FaultLayer {
    inner: Arc<Mutex<State>>,
}

struct State {
    seed: u64,
    /// Active rules by their index in the schedule.
    active: BTreeMap<usize, RpcRule>,
    rngs: BTreeMap<String, SimRng>,
    ledger: Ledger,
    /// Paused nodes and the simulated time (ms) their pause ends.
    paused: BTreeMap<String, u64>,
}

/// Which network fault (by schedule index) currently cuts or holds each directed link, and
/// which crash keeps each node down.
#[derive(Default)]
struct Ledger {
    cut: BTreeMap<(String, String), (usize, &'static str)>,
    held: BTreeMap<(String, String), usize>,
    down: BTreeMap<String, usize>,
}

/// What happens to a message leg sent now, as far as the fault schedule decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegFate {
    /// Lost: a partition cuts the link (`fault` is `partition` or `partition-one-way`), or
    /// the receiving node is down (`crash`). `index` is the fault's place in the schedule.
    Lost { fault: &'static str, index: usize },
    /// Held until the `hold` fault at `index` releases the link.
    Held { index: usize },
}

impl FaultLayer {
    pub fn new(seed: u64) -> Self {
        let state = State {
            seed,
            active: BTreeMap::new(),
            rngs: BTreeMap::new(),
            ledger: Ledger::default(),
            paused: BTreeMap::new(),
        };
        Self { inner: Arc::new(Mutex::new(state)) }
    }

    /// Notes the start or end of the network fault at `index` (RPC rules have their own
    /// switches: [`Self::activate`], [`Self::deactivate`]).
    pub fn note_network_fault(&self, index: usize, action: &FaultAction, starts: bool) {
        let ledger = &mut self.inner.lock().expect("fault table lock").ledger;
        let directed = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        match action {
            FaultAction::Partition { from, to, one_way } => {
                let fault = if *one_way { "partition-one-way" } else { "partition" };
                for (a, b) in super::pairs(from, to) {
                    let mut links = vec![directed(a, b)];
                    if !one_way {
                        links.push(directed(b, a));
                    }
                    for link in links {
                        if starts {
                            ledger.cut.insert(link, (index, fault));
                        } else {
                            ledger.cut.remove(&link);
                        }
                    }
                }
            }
            FaultAction::Hold { from, to } => {
                for (a, b) in super::pairs(from, to) {
                    for link in [directed(a, b), directed(b, a)] {
                        if starts {
                            ledger.held.insert(link, index);
                        } else {
                            ledger.held.remove(&link);
                        }
                    }
                }
            }
            FaultAction::Crash { nodes } => {
                for node in nodes {
                    if starts {
                        ledger.down.insert(node.clone(), index);
                    } else {
                        ledger.down.remove(node);
                    }
                }
            }
            FaultAction::Restart { .. }
            | FaultAction::Latency { .. }
            | FaultAction::Pause { .. }
            | FaultAction::Rpc(_) => {}
        }
    }

    /// The fate the network faults hold for a message leg sent now from `from` to `to`; `None`
    /// when none interferes (the healthy path: no lookups while no fault is active).
    pub fn leg_fate(&self, from: &str, to: &str) -> Option<LegFate> {
        let state = self.inner.lock().expect("fault table lock");
        let ledger = &state.ledger;
        if ledger.cut.is_empty() && ledger.held.is_empty() && ledger.down.is_empty() {
            return None;
        }
        if let Some(&index) = ledger.down.get(to) {
            return Some(LegFate::Lost { fault: "crash", index });
        }
        let link = (from.to_owned(), to.to_owned());
        if let Some(&(index, fault)) = ledger.cut.get(&link) {
            return Some(LegFate::Lost { fault, index });
        }
        ledger.held.get(&link).map(|&index| LegFate::Held { index })
    }

    /// Pauses `nodes` until `until_ms` (simulated time).
    pub fn pause(&self, nodes: &[String], until_ms: u64) {
        let paused = &mut self.inner.lock().expect("fault table lock").paused;
        for node in nodes {
            paused.insert(node.clone(), until_ms);
        }
    }

    pub fn resume(&self, nodes: &[String]) {
        let paused = &mut self.inner.lock().expect("fault table lock").paused;
        for node in nodes {
            paused.remove(node);
        }
    }

    /// When `node`'s pause ends, if it is paused.
    pub fn paused_until(&self, node: &str) -> Option<u64> {
        let state = self.inner.lock().expect("fault table lock");
        if state.paused.is_empty() {
            return None;
        }
        state.paused.get(node).copied()
    }

    pub fn activate(&self, id: usize, rule: RpcRule) {
        self.inner.lock().expect("fault table lock").active.insert(id, rule);
    }

    pub fn deactivate(&self, id: usize) {
        self.inner.lock().expect("fault table lock").active.remove(&id);
    }

    /// The fault to apply to a call from `from` to `to`, if any. The first matching rule
    /// whose dice roll hits wins; a roll is made for every matching rule in schedule order.
    pub fn decide(&self, from: &str, to: &str) -> Option<RpcFault> {
        let mut state = self.inner.lock().expect("fault table lock");
        let State { seed, active, rngs, .. } = &mut *state;
        // Most calls meet no rule: skip the per-host stream lookup (it would draw nothing).
        if active.is_empty() {
            return None;
        }
        let rng = rngs.entry(to.to_owned()).or_insert_with(|| stream_rng(*seed, &format!("rpc-faults/{to}")));
        active
            .values()
            .filter(|rule| matches(&rule.from, from) && matches(&rule.to, to))
            .find(|rule| rng.random_bool(rule.probability))
            .map(|rule| rule.fault)
    }
}

fn matches(names: &[String], name: &str) -> bool {
    names.is_empty() || names.iter().any(|n| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(from: &[&str], to: &[&str], probability: f64) -> RpcRule {
        RpcRule {
            from: from.iter().map(|s| s.to_string()).collect(),
            to: to.iter().map(|s| s.to_string()).collect(),
            fault: RpcFault::DropResponse,
            probability,
        }
    }

    #[test]
    fn applies_only_to_matching_calls_while_active() {
        let faults = FaultLayer::new(1);
        faults.activate(0, rule(&["gw-1"], &["limiter"], 1.0));
        assert_eq!(faults.decide("gw-1", "limiter"), Some(RpcFault::DropResponse));
        assert_eq!(faults.decide("gw-2", "limiter"), None);
        assert_eq!(faults.decide("limiter", "gw-1"), None);
        faults.deactivate(0);
        assert_eq!(faults.decide("gw-1", "limiter"), None);
    }

    #[test]
    fn probability_is_honoured_and_decisions_replay_from_the_seed() {
        let run = |seed| {
            let faults = FaultLayer::new(seed);
            faults.activate(0, rule(&[], &[], 0.25));
            (0..4_000).map(|_| faults.decide("a", "b").is_some()).collect::<Vec<_>>()
        };
        let hits = run(7).iter().filter(|&&hit| hit).count();
        assert!((900..1_100).contains(&hits), "25% of 4000 calls, got {hits}");
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }
}

//! The RPC fault layer: decides, for each incoming call, whether the lab interferes with it.
//!
//! It sits in the driver between the gRPC server and the node, so nodes never see it. Rules
//! come from the scenario's fault schedule and are switched on and off by the engine; each
//! decision draws from a random stream of the receiving host, derived from the run's seed.

use crate::scenario::{RpcFault, RpcRule};
use fundamentals::sim::{stream_rng, SimRng};
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct RpcFaults {
    inner: Arc<Mutex<State>>,
}

struct State {
    seed: u64,
    /// Active rules by their index in the schedule.
    active: BTreeMap<usize, RpcRule>,
    rngs: BTreeMap<String, SimRng>,
}

impl RpcFaults {
    pub fn new(seed: u64) -> Self {
        Self { inner: Arc::new(Mutex::new(State { seed, active: BTreeMap::new(), rngs: BTreeMap::new() })) }
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
        let State { seed, active, rngs } = &mut *state;
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
        let faults = RpcFaults::new(1);
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
            let faults = RpcFaults::new(seed);
            faults.activate(0, rule(&[], &[], 0.25));
            (0..4_000).map(|_| faults.decide("a", "b").is_some()).collect::<Vec<_>>()
        };
        let hits = run(7).iter().filter(|&&hit| hit).count();
        assert!((900..1_100).contains(&hits), "25% of 4000 calls, got {hits}");
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }
}

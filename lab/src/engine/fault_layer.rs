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
//! - **DNS faults** decide, for each query a DNS server gets, whether the lab changes its
//!   answer (NXDOMAIN, SERVFAIL, no answer, a stale or a wrong address). They sit where the
//!   RPC faults do, so they work the same on every engine. For `stale`, the layer remembers
//!   the last answer each server gave for each name while no stale fault was on.
//! - **TCP faults** (`tcp_faults.rs`) say what each connection must suffer; the dialled
//!   connections apply them on engines whose calls run over TCP.
//! - **Pauses** say until when a node's host holds back its inputs and timers (a GC pause).
//! - **Clocks** say how far each skewed or drifting node's own clock is off simulated time.

use super::tcp_faults::{TcpEffects, TcpTable};
use crate::scenario::{DnsFault, DnsRule, FaultAction, RpcFault, RpcRule, TcpFault};
use fundamentals::sim::{stream_rng, SimRng};
use nodes::dns::wire::Answer;
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
    dns_active: BTreeMap<usize, DnsRule>,
    /// The last answer each DNS server gave for each name, unfaulted: what `stale` serves.
    dns_answers: BTreeMap<(String, String), Answer>,
    tcp: TcpTable,
    rngs: BTreeMap<String, SimRng>,
    ledger: Ledger,
    /// Paused nodes and the simulated time (ms) their pause ends.
    paused: BTreeMap<String, u64>,
    /// Nodes whose clock is off.
    clocks: BTreeMap<String, NodeClock>,
}

/// A node's own clock, off simulated time from `since_ms` on: `skew_ms` at once (a step, as an
/// NTP correction or a bad boot makes), then `drift_ppm` millionths of a millisecond gained (or
/// lost, if negative) per simulated millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeClock {
    pub since_ms: u64,
    pub skew_ms: i64,
    pub drift_ppm: i64,
}

impl NodeClock {
    /// The time the node reads at simulated time `sim_us` (never before 0).
    pub fn local_ms(&self, sim_us: u64) -> u64 {
        let sim_ms = sim_us as i128 / 1_000;
        let drifted = (sim_ms - self.since_ms as i128).max(0) * self.drift_ppm as i128 / 1_000_000;
        (sim_ms + self.skew_ms as i128 + drifted).max(0) as u64
    }

    /// How long `local_ms` of the node's own time lasts in simulated time: a fast clock's
    /// timers fire early, a slow one's late (at least 1 ms for any wait of 1 ms or more).
    pub fn sim_duration_ms(&self, local_ms: u64) -> u64 {
        let sim = local_ms as u128 * 1_000_000 / (1_000_000 + self.drift_ppm) as u128;
        (sim as u64).max(local_ms.min(1))
    }
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
            dns_active: BTreeMap::new(),
            dns_answers: BTreeMap::new(),
            tcp: TcpTable::default(),
            rngs: BTreeMap::new(),
            ledger: Ledger::default(),
            paused: BTreeMap::new(),
            clocks: BTreeMap::new(),
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
            | FaultAction::Clock { .. }
            | FaultAction::Rpc(_)
            | FaultAction::Dns(_)
            | FaultAction::Tcp { .. } => {}
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

    pub fn set_clock(&self, nodes: &[String], clock: NodeClock) {
        let clocks = &mut self.inner.lock().expect("fault table lock").clocks;
        for node in nodes {
            clocks.insert(node.clone(), clock);
        }
    }

    pub fn reset_clock(&self, nodes: &[String]) {
        let clocks = &mut self.inner.lock().expect("fault table lock").clocks;
        for node in nodes {
            clocks.remove(node);
        }
    }

    /// `node`'s own clock, when it is off simulated time.
    pub fn clock_of(&self, node: &str) -> Option<NodeClock> {
        let state = self.inner.lock().expect("fault table lock");
        if state.clocks.is_empty() {
            return None;
        }
        state.clocks.get(node).copied()
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

impl FaultLayer {
    pub fn activate_dns(&self, id: usize, rule: DnsRule) {
        self.inner.lock().expect("fault table lock").dns_active.insert(id, rule);
    }

    pub fn deactivate_dns(&self, id: usize) {
        self.inner.lock().expect("fault table lock").dns_active.remove(&id);
    }

    /// The DNS fault to apply to a query for `name` (normalised) from `from` to the DNS server
    /// `to`, if any: the first matching rule whose roll hits, as for RPC faults, from the
    /// server's own stream.
    pub fn decide_dns(&self, from: &str, to: &str, name: &str) -> Option<DnsFault> {
        let mut state = self.inner.lock().expect("fault table lock");
        let State { seed, dns_active, rngs, .. } = &mut *state;
        if dns_active.is_empty() {
            return None;
        }
        let rng = rngs.entry(format!("dns/{to}")).or_insert_with(|| stream_rng(*seed, &format!("dns-faults/{to}")));
        dns_active
            .values()
            .filter(|rule| matches(&rule.from, from) && matches(&rule.to, to) && matches(&rule.names, name))
            .find(|rule| rng.random_bool(rule.probability))
            .map(|rule| rule.fault.clone())
    }

    /// Notes what `server` really answered for `name`, unless a stale fault is on there now
    /// (the answer it keeps serving is the one from before).
    pub fn note_dns_answer(&self, server: &str, name: &str, answer: Answer) {
        let mut state = self.inner.lock().expect("fault table lock");
        let stale_on = state.dns_active.values().any(|rule| rule.fault == DnsFault::Stale && matches(&rule.to, server));
        if !stale_on {
            state.dns_answers.insert((server.to_owned(), name.to_owned()), answer);
        }
    }

    /// The answer `server` last gave for `name` before a stale fault started.
    pub fn stale_dns_answer(&self, server: &str, name: &str) -> Option<Answer> {
        let state = self.inner.lock().expect("fault table lock");
        state.dns_answers.get(&(server.to_owned(), name.to_owned())).cloned()
    }
}

impl FaultLayer {
    pub fn activate_tcp(&self, index: usize, from: &[String], to: &[String], fault: TcpFault, since_us: u64) {
        self.inner.lock().expect("fault table lock").tcp.activate(index, from, to, fault, since_us);
    }

    pub fn deactivate_tcp(&self, index: usize) {
        self.inner.lock().expect("fault table lock").tcp.deactivate(index);
    }

    /// What the TCP faults ask now of a connection `from` → `to` opened at `opened_us`.
    pub fn tcp_effects(&self, from: &str, to: &str, opened_us: u64) -> TcpEffects {
        self.inner.lock().expect("fault table lock").tcp.effects(from, to, opened_us)
    }

    pub fn tcp_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.lock().expect("fault table lock").tcp.changes()
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

//! The madsim engine: madsim's executor and clock (it jumps to the next timer instead of
//! stepping every host every tick), madsim's nodes for crashes and restarts, and the lab's own
//! in-memory network between them, so that partitions, holds and link latencies mean exactly
//! what they mean on turmoil (scenarios/README.md, "Faults").
//!
//! Messages are passed in memory as the same `Envelope`s the gRPC engine sends. A call is a
//! request leg and a reply leg; each leg waits for its link's latency, is dropped if the link is
//! partitioned when it is sent, and waits while the link is held.

use super::host::{self, Calls, HostContext, Inbound, Runtime};
use super::once_sleep;
use super::{FaultSchedule, ScheduledOp};
use crate::engine::{RunEnd, RunResult};
use crate::scenario::{FaultAction, Scenario, Variant};
use crate::trace::Recorder;
use fundamentals::sim::{stream_rng, SimRng};
use nodes::{Body, CallError, Record};
use proto::Envelope;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Madsim;

impl Runtime for Madsim {
    fn now_us() -> u64 {
        madsim::time::TimeHandle::current().elapsed().as_micros() as u64
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        once_sleep::sleep(duration)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        madsim::task::spawn(task);
    }
}

/// The network between the hosts: who listens, which links are cut, held or slowed.
struct Net {
    min_latency_ms: u64,
    max_latency_ms: u64,
    rng: SimRng,
    /// Each running host's serving side; a crashed host has none.
    listening: BTreeMap<String, Inbound>,
    /// Each host's madsim node (the same across restarts; its tasks are not).
    nodes: BTreeMap<String, madsim::task::NodeId>,
    cut: BTreeSet<(String, String)>,
    /// Held links and the legs waiting on each, released in the order they were sent (a
    /// `watch` would wake them in an order drawn from tokio's unseeded thread RNG).
    held: BTreeMap<(String, String), Vec<oneshot::Sender<()>>>,
    /// Fixed latencies, by unordered pair.
    latency_ms: BTreeMap<(String, String), u64>,
}

type SharedNet = Arc<Mutex<Net>>;

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

impl Net {
    fn latency(&mut self, from: &str, to: &str) -> Duration {
        let fixed = match self.latency_ms.is_empty() {
            true => None,
            false => self.latency_ms.get(&pair(from, to)),
        };
        let ms = match fixed {
            Some(fixed) => *fixed,
            None => self.rng.random_range(self.min_latency_ms..=self.max_latency_ms),
        };
        Duration::from_millis(ms)
    }

    /// If the link is held, a receiver that resolves when it is released.
    fn wait_if_held(&mut self, from: &str, to: &str) -> Option<oneshot::Receiver<()>> {
        if self.held.is_empty() {
            return None;
        }
        let waiting = self.held.get_mut(&(from.to_owned(), to.to_owned()))?;
        let (release, released) = oneshot::channel();
        waiting.push(release);
        Some(released)
    }
}

/// One leg of a call: false if it is lost (the link is cut when it is sent).
async fn carry(net: &SharedNet, from: &str, to: &str) -> bool {
    let (latency, held) = {
        let mut net = net.lock().expect("the network lock is never poisoned");
        if !net.cut.is_empty() && net.cut.contains(&(from.to_owned(), to.to_owned())) {
            return false;
        }
        (net.latency(from, to), net.wait_if_held(from, to))
    };
    // A held link keeps the leg until it is released, then it travels.
    if let Some(released) = held {
        let _ = released.await;
    }
    once_sleep::sleep(latency).await;
    true
}

struct NetCalls {
    me: Arc<str>,
    net: SharedNet,
}

impl Calls for NetCalls {
    fn call(
        &mut self,
        to: &str,
        envelope: Envelope,
        timeout: Duration,
    ) -> impl Future<Output = Result<Body, CallError>> + Send + 'static {
        let (me, to, net) = (self.me.to_string(), to.to_owned(), Arc::clone(&self.net));
        async move {
            let call = async {
                if !carry(&net, &me, &to).await {
                    return std::future::pending().await;
                }
                let (server, node) = {
                    let net = net.lock().expect("the network lock is never poisoned");
                    (net.listening.get(&to).cloned(), net.nodes.get(&to).cloned())
                };
                // The node's current incarnation: a handle taken before a restart spawns nowhere.
                let node = node.and_then(|id| madsim::runtime::Handle::current().get_node(id));
                let (Some(server), Some(node)) = (server, node) else {
                    return Err(CallError::Unreachable);
                };
                let body = envelope.body.ok_or_else(|| CallError::Failed("envelope without a body".into()))?;
                // The answer is computed on the callee's node: a crash there cancels it.
                let answer = node.spawn(async move { server.answer::<Madsim>(envelope.from, body).await.ok() });
                let Ok(Some(answer)) = answer.await else {
                    return Err(CallError::Unreachable);
                };
                if !carry(&net, &to, &me).await {
                    return std::future::pending().await;
                }
                Ok(answer)
            };
            // Not madsim::time::timeout: its sleep would add a timer entry at every wake of the call.
            tokio::select! {
                biased;
                result = call => result,
                () = once_sleep::sleep(timeout) => Err(CallError::Timeout),
            }
        }
    }
}

/// Runs `variant` of `scenario` with `seed` on madsim.
pub fn run(scenario: &Scenario, variant: &Variant, seed: u64) -> RunResult {
    let recorder = Recorder::new(scenario.max_events as usize);
    let faults = super::rpc_faults::RpcFaults::new(seed);
    let mut config = madsim::Config::default();
    // The lab's own network carries every message; madsim's is unused.
    config.net.send_latency = Duration::from_millis(1)..Duration::from_millis(2);
    let runtime = madsim::runtime::Runtime::with_seed_and_config(seed, config);
    let net: SharedNet = Arc::new(Mutex::new(Net {
        min_latency_ms: scenario.network.min_latency_ms,
        max_latency_ms: scenario.network.max_latency_ms,
        rng: stream_rng(seed, "madsim/net"),
        listening: BTreeMap::new(),
        nodes: BTreeMap::new(),
        cut: BTreeSet::new(),
        held: BTreeMap::new(),
        latency_ms: scenario.network.links.iter().map(|l| (pair(&l.a, &l.b), l.latency_ms)).collect(),
    }));

    for spec in &variant.nodes {
        let ctx = Arc::new(HostContext::new(spec, seed, &recorder, &faults));
        let node_net = Arc::clone(&net);
        let handle = runtime
            .create_node()
            .name(spec.name.as_str())
            .init(move || {
                let (ctx, net) = (Arc::clone(&ctx), Arc::clone(&node_net));
                async move {
                    let calls = NetCalls { me: Arc::clone(&ctx.name), net: Arc::clone(&net) };
                    let (inbox, node) = host::start::<Madsim, _>(&ctx, calls);
                    let inbound = ctx.inbound(inbox);
                    net.lock()
                        .expect("the network lock is never poisoned")
                        .listening
                        .insert(ctx.name.to_string(), inbound);
                    node.await;
                }
            })
            .build();
        net.lock().expect("the network lock is never poisoned").nodes.insert(spec.name.clone(), handle.id());
    }

    let mut schedule = FaultSchedule::new(&scenario.faults);
    let end = runtime.block_on(async {
        let handle = madsim::runtime::Handle::current();
        // Check the event budget at least this often; faults wake the loop at their times.
        const BUDGET_CHECK_MS: u64 = 100;
        loop {
            let now_ms = Madsim::now_us() / 1_000;
            schedule.apply_due(now_ms, &recorder, |op| apply(&handle, &net, scenario, op, &faults));
            if now_ms >= scenario.duration_ms {
                break RunEnd::Completed;
            }
            if recorder.overflowed() {
                break RunEnd::EventBudgetExhausted;
            }
            let next_due = schedule.next_at().unwrap_or(scenario.duration_ms).min(scenario.duration_ms);
            let wake = next_due.min(now_ms + BUDGET_CHECK_MS);
            madsim::time::sleep(Duration::from_millis(wake.saturating_sub(now_ms).max(1))).await;
        }
    });
    let simulated_ms = scenario.duration_ms;
    RunResult { events: recorder.take_events(), end, simulated_ms }
}

fn apply(
    handle: &madsim::runtime::Handle,
    net: &SharedNet,
    scenario: &Scenario,
    op: &ScheduledOp<'_>,
    faults: &super::rpc_faults::RpcFaults,
) -> Record {
    let mut net = net.lock().expect("the network lock is never poisoned");
    super::fault_record(op, faults, |action, starts| match (action, starts) {
        (FaultAction::Partition { from, to, one_way }, true) => {
            for (a, b) in super::pairs(from, to) {
                net.cut.insert((a.to_owned(), b.to_owned()));
                if !one_way {
                    net.cut.insert((b.to_owned(), a.to_owned()));
                }
            }
        }
        (FaultAction::Partition { from, to, one_way }, false) => {
            for (a, b) in super::pairs(from, to) {
                net.cut.remove(&(a.to_owned(), b.to_owned()));
                if !one_way {
                    net.cut.remove(&(b.to_owned(), a.to_owned()));
                }
            }
        }
        (FaultAction::Hold { from, to }, true) => {
            for (a, b) in super::pairs(from, to) {
                for link in [(a, b), (b, a)] {
                    net.held.entry((link.0.to_owned(), link.1.to_owned())).or_default();
                }
            }
        }
        (FaultAction::Hold { from, to }, false) => {
            for (a, b) in super::pairs(from, to) {
                for link in [(a, b), (b, a)] {
                    for release in net.held.remove(&(link.0.to_owned(), link.1.to_owned())).unwrap_or_default() {
                        let _ = release.send(());
                    }
                }
            }
        }
        (FaultAction::Latency { from, to, latency_ms }, true) => {
            for (a, b) in super::pairs(from, to) {
                net.latency_ms.insert(pair(a, b), *latency_ms);
            }
        }
        (FaultAction::Latency { from, to, .. }, false) => {
            for (a, b) in super::pairs(from, to) {
                let fixed = scenario.network.links.iter().find(|l| pair(&l.a, &l.b) == pair(a, b));
                match fixed {
                    Some(link) => net.latency_ms.insert(pair(a, b), link.latency_ms),
                    None => net.latency_ms.remove(&pair(a, b)),
                };
            }
        }
        (FaultAction::Crash { nodes }, true) => {
            for name in nodes {
                net.listening.remove(name);
                if let Some(&node) = net.nodes.get(name) {
                    handle.kill(node);
                }
            }
        }
        (FaultAction::Crash { nodes }, false) | (FaultAction::Restart { nodes }, _) => {
            for name in nodes {
                net.listening.remove(name);
                if let Some(&node) = net.nodes.get(name) {
                    handle.restart(node);
                }
            }
        }
        (FaultAction::Rpc(_), _) => {}
    })
}

//! The madsim engine: madsim's executor and clock (it jumps to the next timer instead of
//! stepping every host every tick), madsim's nodes for crashes and restarts, and the lab's own
//! in-memory network between them ([`super::links`]), so that partitions, holds and link
//! latencies mean exactly what they mean on turmoil (scenarios/README.md, "Faults").
//!
//! Messages are passed in memory as the same `Envelope`s the gRPC engine sends. A call is a
//! request leg and a reply leg; each leg waits for its link's latency, is dropped if the link is
//! partitioned when it is sent, and waits while the link is held. A datagram is one such leg,
//! with nobody waiting for an answer; it is lost if its receiver is down when it arrives.

use super::host::{self, Calls, HostContext, Inbound, Runtime};
use super::links::{self, carry, Links};
use super::once_sleep;
use super::{FaultSchedule, ScheduledOp};
use crate::engine::{RunEnd, RunResult};
use crate::scenario::{FaultAction, Scenario, Variant};
use crate::trace::Recorder;
use fundamentals::sim::stream_rng;
use nodes::{Body, CallError, Record};
use proto::Envelope;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Who listens on the network: each host's madsim node and, while it runs, its serving side.
/// The links between them are [`Links`].
struct Net {
    /// Each running host's serving side; a crashed host has none.
    listening: BTreeMap<String, Inbound>,
    /// Each host's madsim node (the same across restarts; its tasks are not).
    nodes: BTreeMap<String, madsim::task::NodeId>,
}

type SharedNet = Arc<Mutex<Net>>;
type SharedLinks = Arc<Mutex<Links>>;

struct NetCalls {
    me: Arc<str>,
    net: SharedNet,
    links: SharedLinks,
}

impl Calls for NetCalls {
    fn call(
        &mut self,
        to: &str,
        envelope: Envelope,
        timeout: Duration,
    ) -> impl Future<Output = Result<Body, CallError>> + Send + 'static {
        let (me, to, net, links) = (self.me.to_string(), to.to_owned(), Arc::clone(&self.net), Arc::clone(&self.links));
        async move {
            let call = async {
                if !carry::<Madsim>(&links, &me, &to).await {
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
                let answer =
                    node.spawn(async move { server.answer::<Madsim>(envelope.from, envelope.msg, body).await.ok() });
                let Ok(Some(answer)) = answer.await else {
                    return Err(CallError::Unreachable);
                };
                if !carry::<Madsim>(&links, &to, &me).await {
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

    /// Carried by a task of the sender's node, as a call's request leg is: a datagram still
    /// on its way when its sender crashes is lost with it (on turmoil it would arrive).
    fn send(&mut self, to: &str, envelope: Envelope) {
        let (me, to, net, links) = (self.me.to_string(), to.to_owned(), Arc::clone(&self.net), Arc::clone(&self.links));
        madsim::task::spawn(async move {
            if !carry::<Madsim>(&links, &me, &to).await {
                return;
            }
            let receiver = net.lock().expect("the network lock is never poisoned").listening.get(&to).cloned();
            if let (Some(receiver), Some(body)) = (receiver, envelope.body) {
                receiver.datagram(envelope.from, envelope.msg, body);
            }
        });
    }
}

/// Runs `variant` of `scenario` with `seed` on madsim.
pub fn run(scenario: &Scenario, variant: &Variant, seed: u64) -> RunResult {
    if let Some(why) = super::Engine::Madsim.refuses(scenario) {
        panic!("callers check Engine::refuses before running: {why}");
    }
    let recorder = Recorder::new(scenario.max_events as usize);
    let faults = super::fault_layer::FaultLayer::new(seed);
    let mut config = madsim::Config::default();
    // The lab's own network carries every message; madsim's is unused.
    config.net.send_latency = Duration::from_millis(1)..Duration::from_millis(2);
    let runtime = madsim::runtime::Runtime::with_seed_and_config(seed, config);
    let net: SharedNet = Arc::new(Mutex::new(Net { listening: BTreeMap::new(), nodes: BTreeMap::new() }));
    let links: SharedLinks = Arc::new(Mutex::new(Links::new(&scenario.network, stream_rng(seed, "madsim/net"))));

    for spec in &variant.nodes {
        let ctx = Arc::new(HostContext::new(spec, seed, &scenario.storage, &recorder, &faults));
        let (node_net, node_links) = (Arc::clone(&net), Arc::clone(&links));
        let handle = runtime
            .create_node()
            .name(spec.name.as_str())
            .init(move || {
                let (ctx, net, links) = (Arc::clone(&ctx), Arc::clone(&node_net), Arc::clone(&node_links));
                async move {
                    let calls = NetCalls { me: Arc::clone(&ctx.name), net: Arc::clone(&net), links };
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

    let mut schedule = FaultSchedule::new(&scenario.faults, &variant.name, &recorder);
    let end = runtime.block_on(async {
        let handle = madsim::runtime::Handle::current();
        // Check the event budget at least this often; faults wake the loop at their times.
        const BUDGET_CHECK_MS: u64 = 100;
        loop {
            let now_ms = Madsim::now_us() / 1_000;
            schedule.apply_due(now_ms, &recorder, |op| apply(&handle, &net, &links, op, &faults));
            if now_ms >= scenario.duration_ms {
                schedule.finish(now_ms, &recorder);
                break RunEnd::Completed;
            }
            if recorder.overflowed() {
                break RunEnd::EventBudgetExhausted;
            }
            let next_due = schedule.next_at(now_ms).unwrap_or(scenario.duration_ms).min(scenario.duration_ms);
            let wake = next_due.min(now_ms + BUDGET_CHECK_MS);
            // To the whole millisecond, as turmoil's ticks: a fault due at 28,824 ms starts
            // then, not up to a millisecond later (an event-started crash must beat the answer
            // in flight).
            let wake_us = (wake * 1_000).saturating_sub(Madsim::now_us()).max(1);
            madsim::time::sleep(Duration::from_micros(wake_us)).await;
        }
    });
    let simulated_ms = scenario.duration_ms;
    RunResult { events: recorder.take_events(), end, simulated_ms }
}

fn apply(
    handle: &madsim::runtime::Handle,
    net: &SharedNet,
    links: &SharedLinks,
    op: &ScheduledOp<'_>,
    faults: &super::fault_layer::FaultLayer,
) -> Record {
    let mut net = net.lock().expect("the network lock is never poisoned");
    super::fault_record(op, faults, |action, starts| match (action, starts) {
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
        (network, starts) => links::lock(links).apply(network, starts),
    })
}

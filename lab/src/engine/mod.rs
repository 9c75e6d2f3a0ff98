//! The turmoil engine: builds a simulated network from a scenario, runs every node on it
//! through the driver, applies the fault schedule at its times, and returns the event stream.
//!
//! One `u64` seed decides the run: turmoil's own RNG (message latencies), each node's random
//! stream and the RPC fault dice are all derived from it, and the simulation's epoch is fixed,
//! so the same seed and build give the same events, byte for byte.

mod dialled;
mod disk;
mod dns_faults;
mod driver;
mod fault_layer;
mod host;
mod links;
mod net;
#[cfg(madsim)]
pub mod on_madsim;
#[cfg(madsim)]
mod once_sleep;
mod pool;
pub mod real;
mod tcp_faults;

use crate::scenario::{DnsFault, Fault, FaultAction, FaultStart, Scenario, TcpFault, Trigger, Variant};
use crate::trace::{Event, Fired, Recorder, WatchId, LAB_NODE};
use fault_layer::FaultLayer;
use host::HostContext;
pub use host::{DATAGRAM_NOT_SENT, DISK_LOST, SYNCED};
use nodes::Record;
pub use pool::CONNECT_FAILED;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// The simulated wall-clock date every run starts at; fixed so that no run depends on the
/// real clock (turmoil's default epoch is the real time).
const EPOCH_SECS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Per-socket buffer of simulated TCP, in segments (and of simulated UDP, in datagrams).
const TCP_CAPACITY_SEGMENTS: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// The run reached its simulated duration.
    Completed,
    /// The run recorded `max_events` events and was stopped: a runaway scenario.
    EventBudgetExhausted,
    /// A host's software returned an error.
    HostFailed(String),
}

pub struct RunResult {
    pub events: Vec<Event>,
    pub end: RunEnd,
    pub simulated_ms: u64,
}

/// How a node's calls use their connections, for node kinds that model a client's connection
/// pool (turmoil only; madsim has no connections, and real mode uses its defaults). Without
/// it a call's timeout covers everything, and a call that times out retires its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transport {
    /// How long dialling a peer (TCP and the HTTP/2 handshake) may take. The call's own
    /// timeout starts once it has a connection, as a client's "read timeout" does.
    pub connect_timeout_ms: u64,
    /// HTTP/2 keepalive pings: every `interval_ms`, given up on after `timeout_ms` (the
    /// connection then fails, and the calls on it); `None`: no keepalive.
    pub keepalive: Option<Keepalive>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

/// The simulators a scenario can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Engine {
    /// turmoil: every host stepped every tick, gRPC over simulated TCP (the default).
    #[default]
    Turmoil,
    /// madsim: jumps to the next timer; messages passed in memory. Only in builds made with
    /// `--cfg madsim` (`just` does this in `target/madsim`).
    Madsim,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Turmoil => "turmoil",
            Engine::Madsim => "madsim",
        }
    }

    /// Why this engine cannot run `scenario` faithfully, if it cannot: madsim has no TCP
    /// beneath its calls, so it refuses TCP faults rather than ignore them.
    pub fn refuses(self, scenario: &Scenario) -> Option<String> {
        match self {
            Engine::Turmoil => None,
            Engine::Madsim => tcp_fault_refusal(
                scenario,
                "the madsim engine",
                "madsim-tonic carries calls in memory, with no TCP connection beneath them to reset, silence or slow",
            ),
        }
    }

    /// Whether this build can run the engine.
    pub fn built_in(self) -> bool {
        match self {
            Engine::Turmoil => true,
            Engine::Madsim => cfg!(madsim),
        }
    }
}

/// The refusal of an engine (`engine`: how to name it) without TCP beneath its calls, if the
/// scenario has a TCP fault: it names the first one.
fn tcp_fault_refusal(scenario: &Scenario, engine: &str, why: &str) -> Option<String> {
    let (index, fault) = scenario.faults.iter().enumerate().find_map(|(index, fault)| match &fault.action {
        FaultAction::Tcp { fault, .. } => Some((index, fault)),
        _ => None,
    })?;
    Some(format!(
        "{}: faults[{index}] is a `{}` fault, which {engine} cannot apply: {why}; \
         run this scenario on turmoil, the default engine",
        scenario.path.display(),
        fault.name()
    ))
}

/// Runs `variant` of `scenario` with `seed` on `engine` (which must be [`Engine::built_in`]
/// and must not [`Engine::refuse`](Engine::refuses) the scenario).
pub fn run_on(engine: Engine, scenario: &Scenario, variant: &Variant, seed: u64) -> RunResult {
    match engine {
        Engine::Turmoil => run(scenario, variant, seed),
        #[cfg(madsim)]
        Engine::Madsim => on_madsim::run(scenario, variant, seed),
        #[cfg(not(madsim))]
        Engine::Madsim => panic!("this build has no madsim engine (callers check Engine::built_in)"),
    }
}

/// Runs `variant` of `scenario` with `seed` on turmoil.
pub fn run(scenario: &Scenario, variant: &Variant, seed: u64) -> RunResult {
    let recorder = Recorder::new(scenario.max_events as usize);
    let faults = FaultLayer::new(seed);
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .epoch(UNIX_EPOCH + Duration::from_secs(EPOCH_SECS))
        .tick_duration(Duration::from_millis(scenario.tick_ms))
        // turmoil's own limit is a backstop: the loop below stops at the scenario's duration.
        .simulation_duration(Duration::from_millis(scenario.duration_ms + 60_000))
        .min_message_latency(Duration::from_millis(scenario.network.min_latency_ms))
        .max_message_latency(Duration::from_millis(scenario.network.max_latency_ms))
        // A held link releases everything it queued at once; the default socket buffer (64
        // segments) would overflow and turmoil panics rather than drop.
        .tcp_capacity(TCP_CAPACITY_SEGMENTS)
        // turmoil drops datagrams beyond a socket's buffer; a held link's release must not.
        .udp_capacity(TCP_CAPACITY_SEGMENTS)
        .build();

    for spec in &variant.nodes {
        let ctx = Rc::new(HostContext::new(spec, seed, &scenario.storage, &recorder, &faults));
        sim.host(spec.name.as_str(), move || driver::run_host(Rc::clone(&ctx)));
    }
    for link in &scenario.network.links {
        sim.set_link_latency(link.a.as_str(), link.b.as_str(), Duration::from_millis(link.latency_ms));
    }

    let mut schedule = FaultSchedule::new(&scenario.faults, &variant.name, &recorder);
    let end = loop {
        let now_ms = sim.elapsed().as_millis() as u64;
        schedule.apply_due(now_ms, &recorder, |op| apply(&mut sim, scenario, op, &faults));
        if now_ms >= scenario.duration_ms {
            schedule.finish(now_ms, &recorder);
            break RunEnd::Completed;
        }
        if recorder.overflowed() {
            break RunEnd::EventBudgetExhausted;
        }
        if let Err(error) = sim.step() {
            break RunEnd::HostFailed(error.to_string());
        }
    };
    let simulated_ms = sim.elapsed().as_millis() as u64;
    RunResult { events: recorder.take_events(), end, simulated_ms }
}

/// One change to the simulated world at a point in time: a fault starting or ending.
pub(crate) struct ScheduledOp<'a> {
    at_ms: u64,
    index: usize,
    fault: &'a Fault,
    starts: bool,
    /// For the start of an event-started fault: the record that set it off.
    trigger: Option<Fired>,
}

/// The fault schedule as a run consumes it: every start and end applied once, in order, when
/// its time comes, and recorded as the harness's own event. A fault that starts on an event
/// joins the schedule when the recorder sees that event.
pub(crate) struct FaultSchedule<'a> {
    ops: Vec<ScheduledOp<'a>>,
    next: usize,
    lab: Arc<str>,
    /// Event-started faults whose event has not happened yet, in file order.
    waiting: Vec<(usize, &'a Fault, &'a Trigger, WatchId)>,
}

impl<'a> FaultSchedule<'a> {
    /// The schedule of the faults `variant` meets (each keeps its index in the file).
    pub(crate) fn new(faults: &'a [Fault], variant: &str, recorder: &Recorder) -> Self {
        let waiting = faults
            .iter()
            .enumerate()
            .filter(|(_, fault)| fault.applies_to(variant))
            .filter_map(|(index, fault)| match &fault.start {
                FaultStart::When(trigger) => {
                    Some((index, fault, trigger, recorder.watch(&trigger.node, &trigger.record, trigger.nth)))
                }
                FaultStart::At { .. } => None,
            })
            .collect();
        Self { ops: schedule(faults, variant), next: 0, lab: LAB_NODE.into(), waiting }
    }

    /// Applies (through `apply`, which says what it did) and records every op due at `now_ms`.
    pub(crate) fn apply_due(
        &mut self,
        now_ms: u64,
        recorder: &Recorder,
        mut apply: impl FnMut(&ScheduledOp<'a>) -> Record,
    ) {
        self.schedule_triggered(recorder);
        while let Some(op) = self.ops.get(self.next).filter(|op| op.at_ms <= now_ms) {
            let mut record = apply(op);
            if let (Some(fired), FaultStart::When(trigger)) = (op.trigger, &op.fault.start) {
                record = record.with("when", trigger.describe()).with("trigger", fired.seq);
            }
            recorder.record(now_ms * 1_000, &self.lab, record);
            self.next += 1;
        }
    }

    /// Moves every fault whose event has happened into the schedule: it starts `delay_ms`
    /// after the millisecond in which its event was recorded (the run applies faults on whole
    /// milliseconds), and ends `for_ms` after that.
    fn schedule_triggered(&mut self, recorder: &Recorder) {
        let mut index = 0;
        while let Some(&(fault_index, fault, trigger, watch)) = self.waiting.get(index) {
            let Some(fired) = recorder.fired(watch) else {
                index += 1;
                continue;
            };
            self.waiting.remove(index);
            let at_ms = fired.t_us.div_ceil(1_000) + trigger.delay_ms;
            let start = ScheduledOp { at_ms, index: fault_index, fault, starts: true, trigger: Some(fired) };
            let end = fault.for_ms.map(|d| ScheduledOp {
                at_ms: at_ms + d,
                index: fault_index,
                fault,
                starts: false,
                trigger: None,
            });
            for op in std::iter::once(start).chain(end) {
                // After every op due at the same time or before: ties keep the order of arrival.
                let position = self.next + self.ops[self.next..].partition_point(|o| o.at_ms <= op.at_ms);
                self.ops.insert(position, op);
            }
        }
    }

    /// When the next op is due, if any is left (madsim and real mode sleep until then). While
    /// an event-started fault waits, that is the next millisecond: its event may come any time.
    pub(crate) fn next_at(&self, now_ms: u64) -> Option<u64> {
        let timed = self.ops.get(self.next).map(|op| op.at_ms);
        match self.waiting.is_empty() {
            true => timed,
            false => Some(timed.map_or(now_ms + 1, |at| at.min(now_ms + 1))),
        }
    }

    /// At the run's end: records each event-started fault whose event never came, so that a
    /// trigger that never fired is seen, not silently a run without the fault.
    pub(crate) fn finish(&mut self, now_ms: u64, recorder: &Recorder) {
        self.schedule_triggered(recorder);
        for (index, _, trigger, _) in self.waiting.drain(..) {
            let record = Record::warn("fault")
                .with("fault", "not-triggered")
                .with("index", index as u64)
                .with("when", trigger.describe());
            recorder.record(now_ms * 1_000, &self.lab, record);
        }
    }
}

/// The timed faults in time order; a fault's end follows its start, and ties keep file order.
fn schedule<'a>(faults: &'a [Fault], variant: &str) -> Vec<ScheduledOp<'a>> {
    let mut ops: Vec<ScheduledOp<'_>> = faults
        .iter()
        .enumerate()
        .filter(|(_, fault)| fault.applies_to(variant))
        .filter_map(|(index, fault)| match fault.start {
            FaultStart::At { at_ms } => Some((index, fault, at_ms)),
            FaultStart::When(_) => None,
        })
        .flat_map(|(index, fault, at_ms)| {
            let start = ScheduledOp { at_ms, index, fault, starts: true, trigger: None };
            let end =
                fault.for_ms.map(|d| ScheduledOp { at_ms: at_ms + d, index, fault, starts: false, trigger: None });
            std::iter::once(start).chain(end)
        })
        .collect();
    ops.sort_by_key(|op| op.at_ms);
    ops
}

pub(crate) fn pairs<'a>(from: &'a [String], to: &'a [String]) -> impl Iterator<Item = (&'a str, &'a str)> {
    from.iter().flat_map(move |a| to.iter().map(move |b| (a.as_str(), b.as_str())))
}

/// Applies a fault's start or end to turmoil's simulation.
fn apply(sim: &mut turmoil::Sim<'_>, scenario: &Scenario, op: &ScheduledOp<'_>, faults: &FaultLayer) -> Record {
    fault_record(op, faults, |action, starts| match (action, starts) {
        (FaultAction::Partition { from, to, one_way: false }, true) => {
            pairs(from, to).for_each(|(a, b)| sim.partition(a, b))
        }
        (FaultAction::Partition { from, to, one_way: false }, false) => {
            pairs(from, to).for_each(|(a, b)| sim.repair(a, b))
        }
        (FaultAction::Partition { from, to, one_way: true }, true) => {
            pairs(from, to).for_each(|(a, b)| sim.partition_oneway(a, b))
        }
        (FaultAction::Partition { from, to, one_way: true }, false) => {
            pairs(from, to).for_each(|(a, b)| sim.repair_oneway(a, b))
        }
        (FaultAction::Hold { from, to }, true) => pairs(from, to).for_each(|(a, b)| sim.hold(a, b)),
        (FaultAction::Hold { from, to }, false) => pairs(from, to).for_each(|(a, b)| sim.release(a, b)),
        (FaultAction::Latency { from, to, latency_ms, jitter_ms }, true) => {
            for (a, b) in pairs(from, to) {
                sim.set_link_latency(a, b, Duration::from_millis(latency_ms - jitter_ms));
                if *jitter_ms > 0 {
                    sim.set_link_max_message_latency(a, b, Duration::from_millis(latency_ms + jitter_ms));
                }
            }
        }
        (FaultAction::Latency { from, to, .. }, false) => {
            pairs(from, to).for_each(|(a, b)| restore_link_latency(sim, scenario, a, b))
        }
        (FaultAction::Crash { nodes }, true) => nodes.iter().for_each(|n| sim.crash(n.as_str())),
        (FaultAction::Crash { nodes }, false) | (FaultAction::Restart { nodes }, _) => {
            nodes.iter().for_each(|n| sim.bounce(n.as_str()))
        }
        (
            FaultAction::Pause { .. }
            | FaultAction::Clock { .. }
            | FaultAction::Rpc(_)
            | FaultAction::Dns(_)
            | FaultAction::Tcp { .. },
            _,
        ) => {}
    })
}

/// Applies a fault's start or end — the engine's part through `effect`, the RPC fault layer's
/// here — and says what happened, for the trace. Every engine records the same events.
use fault_layer::NodeClock;

pub(crate) fn fault_record(
    op: &ScheduledOp<'_>,
    faults: &FaultLayer,
    mut effect: impl FnMut(&FaultAction, bool),
) -> Record {
    effect(&op.fault.action, op.starts);
    faults.note_network_fault(op.index, &op.fault.action, op.starts);
    let record = |what: &'static str| Record::warn("fault").with("fault", what).with("index", op.index as u64);
    let join = |names: &[String]| names.join(",");
    match (&op.fault.action, op.starts) {
        (FaultAction::Partition { from, to, one_way: false }, true) => {
            record("partition").with("from", join(from)).with("to", join(to))
        }
        (FaultAction::Partition { from, to, one_way: false }, false) => {
            record("heal").with("from", join(from)).with("to", join(to))
        }
        (FaultAction::Partition { from, to, one_way: true }, true) => {
            record("partition-one-way").with("from", join(from)).with("to", join(to))
        }
        (FaultAction::Partition { from, to, one_way: true }, false) => {
            record("heal-one-way").with("from", join(from)).with("to", join(to))
        }
        (FaultAction::Hold { from, to }, true) => record("hold").with("from", join(from)).with("to", join(to)),
        (FaultAction::Hold { from, to }, false) => record("release").with("from", join(from)).with("to", join(to)),
        (FaultAction::Latency { from, to, latency_ms, jitter_ms }, true) => {
            let record =
                record("latency").with("from", join(from)).with("to", join(to)).with("latency_ms", *latency_ms);
            match jitter_ms {
                0 => record,
                jitter_ms => record.with("jitter_ms", *jitter_ms),
            }
        }
        (FaultAction::Latency { from, to, .. }, false) => {
            record("latency-restored").with("from", join(from)).with("to", join(to))
        }
        (FaultAction::Crash { nodes }, true) => record("crash").with("nodes", join(nodes)),
        (FaultAction::Crash { nodes }, false) | (FaultAction::Restart { nodes }, _) => {
            record("restart").with("nodes", join(nodes))
        }
        (FaultAction::Pause { nodes }, true) => {
            let for_ms = op.fault.for_ms.unwrap_or_default();
            faults.pause(nodes, op.at_ms + for_ms);
            record("pause").with("nodes", join(nodes)).with("for_ms", for_ms)
        }
        (FaultAction::Pause { nodes }, false) => {
            faults.resume(nodes);
            record("resume").with("nodes", join(nodes))
        }
        (FaultAction::Clock { nodes, skew_ms, drift_ppm }, true) => {
            let clock = NodeClock { since_ms: op.at_ms, skew_ms: *skew_ms, drift_ppm: *drift_ppm };
            faults.set_clock(nodes, clock);
            record("clock").with("nodes", join(nodes)).with("skew_ms", *skew_ms).with("drift_ppm", *drift_ppm)
        }
        (FaultAction::Clock { nodes, .. }, false) => {
            faults.reset_clock(nodes);
            record("clock-restored").with("nodes", join(nodes))
        }
        (FaultAction::Rpc(rule), true) => {
            faults.activate(op.index, rule.clone());
            record("rpc-faults-on")
                .with("from", join(&rule.from))
                .with("to", join(&rule.to))
                .with("probability", rule.probability)
        }
        (FaultAction::Rpc(rule), false) => {
            faults.deactivate(op.index);
            record("rpc-faults-off").with("from", join(&rule.from)).with("to", join(&rule.to))
        }
        (FaultAction::Dns(rule), true) => {
            faults.activate_dns(op.index, rule.clone());
            let mut record = record("dns-faults-on")
                .with("action", rule.fault.name())
                .with("names", join(&rule.names))
                .with("from", join(&rule.from))
                .with("to", join(&rule.to))
                .with("probability", rule.probability);
            if let DnsFault::WrongAddress { node, .. } = &rule.fault {
                record = record.with("points_to", node.as_str());
            }
            record
        }
        (FaultAction::Dns(rule), false) => {
            faults.deactivate_dns(op.index);
            record("dns-faults-off").with("action", rule.fault.name()).with("names", join(&rule.names))
        }
        (FaultAction::Tcp { from, to, fault }, true) => {
            faults.activate_tcp(op.index, from, to, *fault, op.at_ms * 1_000);
            let record = record(fault.name()).with("from", join(from)).with("to", join(to));
            match *fault {
                TcpFault::Reset { after_ms } => record.with("timeout_ms", after_ms),
                TcpFault::SlowClose { delay_ms } => record.with("delay_ms", delay_ms),
                TcpFault::Bandwidth { bytes_per_second } => record.with("bytes_per_second", bytes_per_second),
                TcpFault::LimitData { bytes } => record.with("bytes", bytes),
                TcpFault::BlackHole | TcpFault::ConnectTimeout => record,
            }
        }
        (FaultAction::Tcp { from, to, fault }, false) => {
            faults.deactivate_tcp(op.index);
            record("tcp-restored").with("was", fault.name()).with("from", join(from)).with("to", join(to))
        }
    }
}

/// Puts a link back to its configured latency: its fixed `[[network.links]]` value if it has
/// one, else the network-wide [min, max] range.
fn restore_link_latency(sim: &mut turmoil::Sim<'_>, scenario: &Scenario, a: &str, b: &str) {
    let fixed = scenario.network.links.iter().find(|l| (l.a == a && l.b == b) || (l.a == b && l.b == a));
    match fixed {
        Some(link) => sim.set_link_latency(a, b, Duration::from_millis(link.latency_ms)),
        None => {
            sim.set_link_latency(a, b, Duration::from_millis(scenario.network.min_latency_ms));
            sim.set_link_max_message_latency(a, b, Duration::from_millis(scenario.network.max_latency_ms));
        }
    }
}

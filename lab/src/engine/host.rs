//! One node on one host, whatever the engine (turmoil, madsim, or real mode's loopback sockets):
//! the inbox, the timers, the pending replies and the RPC fault layer. It is the only place
//! where node logic meets I/O.
//!
//! Incoming calls and datagrams, results of outgoing calls and timers are queued into one inbox
//! and handed to the node one at a time; the node's actions become calls (with timeouts),
//! replies, datagrams, timers and trace records. What differs between engines — how time is
//! read and waited on, how a task is spawned, how a call or a datagram reaches its peer — comes
//! in through [`Runtime`] and [`Calls`].

use super::disk::Disk;
use super::dns_faults::DnsDoor;
use super::fault_layer::{FaultLayer, LegFate};
use crate::family::NodeBuilder;
use crate::scenario::{NodeSpec, RpcFault, Storage};
use crate::trace::Recorder;
use fundamentals::sim::{stream_rng, SimRng};
use nodes::{Action, Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use proto::Envelope;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Everything a host needs to (re)start its node. Shared by every incarnation of the host.
pub struct HostContext {
    pub name: Arc<str>,
    pub seed: u64,
    pub build: NodeBuilder,
    /// How the node's calls use their connections (turmoil), when its kind says.
    pub transport: Option<super::Transport>,
    /// Whether the node sends or receives datagrams: only then does its host open a UDP socket.
    pub datagrams: bool,
    pub recorder: Recorder,
    pub faults: FaultLayer,
    /// How many times the node has started; each start gets a fresh random stream.
    pub starts: std::sync::atomic::AtomicU64,
    /// The node's disk: it outlives every incarnation (a crash loses only its page cache).
    pub disk: SharedDisk,
    pub fsync_ms: u64,
}

/// A disk shared by the incarnations of one host.
#[derive(Default)]
pub struct SharedDisk(Arc<Mutex<Disk>>);

impl SharedDisk {
    /// The disk, for one step of one incarnation. Only one incarnation runs at a time and a
    /// step never holds the lock across an await, so a poisoned lock can only mean a panic
    /// elsewhere, which ends the run anyway.
    fn lock(&self) -> std::sync::MutexGuard<'_, Disk> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl HostContext {
    pub fn new(spec: &NodeSpec, seed: u64, storage: &Storage, recorder: &Recorder, faults: &FaultLayer) -> Self {
        Self {
            name: spec.name.as_str().into(),
            seed,
            build: spec.builder.clone(),
            transport: spec.builder.transport(),
            datagrams: spec.builder.uses_datagrams(),
            recorder: recorder.clone(),
            faults: faults.clone(),
            starts: Default::default(),
            disk: SharedDisk::default(),
            fsync_ms: storage.fsync_ms,
        }
    }

    /// The serving side of this host's current incarnation, delivering into `inbox`.
    pub fn inbound(&self, inbox: Inbox) -> Inbound {
        Inbound {
            me: Arc::clone(&self.name),
            inbox,
            faults: self.faults.clone(),
            recorder: self.recorder.clone(),
            datagrams: self.datagrams,
        }
    }
}

/// The engine's clock and tasks, as a node's driver uses them.
pub trait Runtime: 'static {
    /// Time since the start of the run, in microseconds: simulated, or real in real mode.
    fn now_us() -> u64;
    /// `Send`: tonic wants every answer as a `Send` future, and an answer may sleep (an RPC
    /// `delay` fault).
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
    fn spawn(task: impl Future<Output = ()> + Send + 'static);
}

/// How a host's outgoing calls and datagrams reach their peers.
pub trait Calls: 'static {
    /// A call to `to` that resolves to the peer's reply or why there is none (never later
    /// than `timeout`: then it is [`CallError::Timeout`]).
    fn call(
        &mut self,
        to: &str,
        envelope: Envelope,
        timeout: Duration,
    ) -> impl Future<Output = Result<Body, CallError>> + Send + 'static;

    /// A call to `to` timed out or found it unreachable (`why`): drop whatever is cached for it,
    /// as the engine's connection policy says.
    fn forget(&mut self, _to: &str, _why: &CallError) {}

    /// One datagram to `to`, through the network's faults and latencies: it arrives once
    /// (as [`Inbound::datagram`] on the peer's host) or never, and the sender is not told.
    fn send(&mut self, to: &str, envelope: Envelope);
}

pub enum DriverMsg {
    /// A call from `from`; `msg` is its message id (see [`Recorder::next_message_id`]).
    Request { from: String, msg: u64, body: Body, reply: oneshot::Sender<Body> },
    /// How this host's call `msg` to `to`, sent at `sent_us`, ended.
    CallResult { to: String, tag: u64, msg: u64, sent_us: u64, result: Result<Body, CallError> },
    /// Datagram `msg` from `from`.
    Datagram { from: String, msg: u64, body: Body },
}

/// A call the node has yet to answer: where the answer goes, and what the trace calls it.
struct PendingReply {
    reply: oneshot::Sender<Body>,
    caller: String,
    msg: u64,
}

pub type Inbox = mpsc::UnboundedSender<DriverMsg>;

/// What a host waits for at a due time: one of the node's timers, or an fsync finishing.
#[derive(Debug, Clone, Copy)]
enum Due {
    Timer {
        tag: u64,
    },
    /// The disk finishes the fsync that covers every write up to `point`.
    Synced {
        tag: u64,
        point: u64,
    },
}

/// A sleep until a host's earliest timer.
type Alarm = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The due time of "no timer": far enough that a run never reaches it.
const NEVER_MS: u64 = u64::MAX / 4;

/// Starts an incarnation of the host: returns its inbox (for the server to deliver requests
/// into) and the future that runs the node until the host is crashed or the inbox closes.
pub fn start<R: Runtime, C: Calls>(ctx: &HostContext, calls: C) -> (Inbox, impl Future<Output = ()>) {
    let incarnation = ctx.starts.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    let (inbox_tx, mut inbox) = mpsc::unbounded_channel();
    let mut host = HostState::<R, C> {
        disk: SharedDisk(Arc::clone(&ctx.disk.0)),
        fsync_ms: ctx.fsync_ms,
        name: Arc::clone(&ctx.name),
        node: ctx.build.build(),
        rng: stream_rng(ctx.seed, &format!("node/{}/{incarnation}", ctx.name)),
        recorder: ctx.recorder.clone(),
        faults: ctx.faults.clone(),
        inbox: inbox_tx.clone(),
        timers: BTreeMap::new(),
        next_timer_seq: 0,
        pending_replies: BTreeMap::new(),
        next_request_id: 0,
        dns_door: DnsDoor::default(),
        datagrams: ctx.datagrams,
        calls,
        runtime: std::marker::PhantomData,
    };
    let run = async move {
        host.record(Record::info("start").with("incarnation", incarnation));
        // What the last incarnation wrote but never fsynced died with it.
        let (lost, disk) = {
            let mut disk = host.disk.lock();
            (disk.lose_page_cache(), disk.durable().clone())
        };
        if lost > 0 {
            host.record(Record::warn(DISK_LOST).with("writes", lost as u64));
        }
        host.step(Input::Start { disk });
        // One sleep for the earliest timer, kept across messages until that timer changes: a
        // fresh sleep per message would cost a simulator timer entry per message.
        let mut alarm: Option<(u64, Alarm)> = None;
        loop {
            let next_due_ms = host.timers.keys().next().map_or(NEVER_MS, |(due, _)| *due);
            if alarm.as_ref().is_none_or(|(due, _)| *due != next_due_ms) {
                let sleep_ms = next_due_ms.saturating_sub(R::now_us() / 1_000);
                alarm = Some((next_due_ms, Box::pin(R::sleep(Duration::from_millis(sleep_ms)))));
            }
            let (_, sleep) = alarm.as_mut().expect("set just above");
            // `biased` keeps the choice deterministic: messages first, then timers.
            tokio::select! {
                biased;
                msg = inbox.recv() => match msg {
                    Some(msg) => {
                        host.wait_out_pause().await;
                        host.deliver(msg)
                    }
                    None => return,
                },
                _ = sleep.as_mut() => {
                    alarm = None;
                    host.wait_out_pause().await;
                    host.fire_due_timers();
                }
            }
        }
    };
    (inbox_tx, run)
}

/// A restarted node lost writes that were never fsynced (`writes`).
pub const DISK_LOST: &str = "disk-lost";
/// An fsync finished (`writes`: how many it made durable).
pub const SYNCED: &str = "synced";
/// A node sent a datagram from a host without a UDP socket: a lab bug, said instead of hidden.
pub const DATAGRAM_NOT_SENT: &str = "datagram-not-sent";

struct HostState<R, C> {
    disk: SharedDisk,
    fsync_ms: u64,
    name: Arc<str>,
    node: Box<dyn Node>,
    rng: SimRng,
    recorder: Recorder,
    faults: FaultLayer,
    inbox: Inbox,
    /// Pending timers and fsyncs by (due time, order set).
    timers: BTreeMap<(u64, u64), Due>,
    next_timer_seq: u64,
    pending_replies: BTreeMap<RequestId, PendingReply>,
    next_request_id: RequestId,
    /// The DNS faults on the datagrams this host receives and sends.
    dns_door: DnsDoor,
    /// Whether the host has a UDP socket to send datagrams from.
    datagrams: bool,
    calls: C,
    runtime: std::marker::PhantomData<R>,
}

impl<R: Runtime, C: Calls> HostState<R, C> {
    /// Records for this node; a node whose clock is off also gets the time it read (`local_ms`).
    fn record(&self, record: Record) {
        let record = match self.faults.clock_of(&self.name) {
            Some(clock) => record.with("local_ms", clock.local_ms(R::now_us())),
            None => record,
        };
        self.recorder.record(R::now_us(), &self.name, record);
    }

    /// A paused node handles nothing: what arrives waits in its inbox, its timers wait, and it
    /// goes on when the pause ends as if no time had passed (unless it reads the clock).
    async fn wait_out_pause(&self) {
        if let Some(until_ms) = self.faults.paused_until(&self.name) {
            let now_us = R::now_us();
            if until_ms * 1_000 > now_us {
                R::sleep(Duration::from_micros(until_ms * 1_000 - now_us)).await;
            }
        }
    }

    fn deliver(&mut self, msg: DriverMsg) {
        match msg {
            DriverMsg::Request { from, msg, body, reply } => {
                self.record(message_record("msg-deliver", msg, ("from", &from), &body));
                self.next_request_id += 1;
                let id = self.next_request_id;
                self.pending_replies.insert(id, PendingReply { reply, caller: from.clone(), msg });
                self.step(Input::Request { id, from, body });
            }
            DriverMsg::CallResult { to, tag, msg, sent_us, result } => {
                self.record(result_record(msg, &to, R::now_us().saturating_sub(sent_us), &result));
                if let Err(why @ (CallError::Timeout | CallError::Unreachable)) = &result {
                    self.calls.forget(&to, why);
                }
                self.step(Input::CallResult { tag, result })
            }
            DriverMsg::Datagram { from, msg, body } => {
                let (faults, me, recorder) = (self.faults.clone(), Arc::clone(&self.name), self.recorder.clone());
                let record = |record| recorder.record(R::now_us(), &me, record);
                if !self.dns_door.admit(&faults, &me, &from, msg, &body, record) {
                    return;
                }
                self.record(message_record("msg-deliver", msg, ("from", &from), &body).with("datagram", true));
                self.step(Input::Datagram { from, body });
                self.dns_door.close();
            }
        }
    }

    /// Records what the active network faults do to leg `leg` of message `msg`, sent now to `to`.
    fn note_leg_fate(&self, msg: u64, leg: &'static str, to: &str) {
        let Some(fate) = self.faults.leg_fate(&self.name, to) else { return };
        let (kind, fault, index) = match fate {
            LegFate::Lost { fault, index } => ("msg-lost", fault, index),
            LegFate::Held { index } => ("msg-held", "hold", index),
        };
        self.record(
            Record::warn(kind)
                .with("msg", msg)
                .with("leg", leg)
                .with("to", to)
                .with("fault", fault)
                .with("index", index as u64),
        );
    }

    fn schedule(&mut self, due_ms: u64, due: Due) {
        self.next_timer_seq += 1;
        self.timers.insert((due_ms, self.next_timer_seq), due);
    }

    fn fire_due_timers(&mut self) {
        let now_ms = R::now_us() / 1_000;
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now_ms {
                break;
            }
            match entry.remove() {
                Due::Timer { tag } => self.step(Input::Timer { tag }),
                Due::Synced { tag, point } => {
                    let writes = self.disk.lock().sync_through(point);
                    self.record(Record::debug(SYNCED).with("writes", writes as u64));
                    self.step(Input::Synced { tag });
                }
            }
        }
    }

    fn step(&mut self, input: Input) {
        let now_ms = R::now_us() / 1_000;
        // A node with a clock fault reads its own clock, and its waits last its own time.
        let clock = self.faults.clock_of(&self.name);
        let local_ms = clock.map_or(now_ms, |c| c.local_ms(R::now_us()));
        let mut out = Out::default();
        self.node.on_input(&mut Ctx { now_ms: local_ms, rng: &mut self.rng }, input, &mut out);
        for action in out.take() {
            let action = match (action, clock) {
                (Action::SetTimer { tag, after_ms }, Some(c)) => {
                    Action::SetTimer { tag, after_ms: c.sim_duration_ms(after_ms) }
                }
                (Action::Call { to, tag, body, timeout_ms }, Some(c)) => {
                    Action::Call { to, tag, body, timeout_ms: c.sim_duration_ms(timeout_ms) }
                }
                (action, _) => action,
            };
            self.execute(now_ms, action);
        }
    }

    fn execute(&mut self, now_ms: u64, action: Action) {
        match action {
            Action::Call { to, tag, body, timeout_ms } => {
                let msg = self.recorder.next_message_id();
                self.record(message_record("msg-send", msg, ("to", &to), &body).with("timeout_ms", timeout_ms));
                self.note_leg_fate(msg, "request", &to);
                let envelope = Envelope { from: self.name.to_string(), msg, body: Some(body) };
                let call = self.calls.call(&to, envelope, Duration::from_millis(timeout_ms));
                let inbox = self.inbox.clone();
                let sent_us = R::now_us();
                R::spawn(async move {
                    let result = call.await;
                    let _ = inbox.send(DriverMsg::CallResult { to, tag, msg, sent_us, result });
                });
            }
            Action::Reply { id, body } => {
                // The caller may have given up already; a reply nobody waits for is dropped.
                if let Some(PendingReply { reply, caller, msg }) = self.pending_replies.remove(&id) {
                    self.record(message_record("msg-reply", msg, ("to", &caller), &body));
                    self.note_leg_fate(msg, "reply", &caller);
                    let _ = reply.send(body);
                }
            }
            Action::Send { to, .. } if !self.datagrams => {
                let why = "its kind does not use datagrams (NodeBuilder::with_datagrams)";
                self.record(Record::warn(DATAGRAM_NOT_SENT).with("to", to.as_str()).with("error", why));
            }
            Action::Send { to, body } => {
                let body = self.dns_door.release(&self.faults, &self.name, &to, body);
                let msg = self.recorder.next_message_id();
                self.record(message_record("msg-send", msg, ("to", &to), &body).with("datagram", true));
                self.note_leg_fate(msg, "datagram", &to);
                self.calls.send(&to, Envelope { from: self.name.to_string(), msg, body: Some(body) });
            }
            Action::SetTimer { tag, after_ms } => self.schedule(now_ms + after_ms, Due::Timer { tag }),
            Action::Write { key, value } => self.disk.lock().write(key, value),
            Action::Fsync { tag } => {
                let point = self.disk.lock().sync_point();
                self.schedule(now_ms + self.fsync_ms, Due::Synced { tag, point });
            }
            Action::Record(record) => self.record(record),
        }
    }
}

/// Why an incoming call got no answer from the node.
#[derive(Debug)]
pub enum Refused {
    /// The node is not running (crashed, or restarting).
    NotRunning,
}

/// The serving side of a host, shared by every engine: each incoming call goes through the
/// RPC fault layer and into the node's inbox.
#[derive(Clone)]
pub struct Inbound {
    pub me: Arc<str>,
    pub inbox: Inbox,
    pub faults: FaultLayer,
    pub recorder: Recorder,
    /// Whether the host has a UDP socket (see [`HostContext::datagrams`]).
    pub datagrams: bool,
}

impl Inbound {
    /// The node's answer to a call from `from`, as the fault layer lets it through; a dropped
    /// request or response never resolves (the caller's timeout ends the wait).
    pub async fn answer<R: Runtime>(&self, from: String, msg: u64, body: Body) -> Result<Body, Refused> {
        let fault = self.faults.decide(&from, &self.me);
        if let Some(fault) = fault {
            self.note_fault::<R>(&from, msg, fault);
        }
        match fault {
            None => self.forward(from, msg, body).await,
            Some(RpcFault::DropRequest) => std::future::pending().await,
            Some(RpcFault::DropResponse) => {
                // The node acts on the request; its answer is lost on the way back.
                let _ = self.forward(from, msg, body).await;
                std::future::pending().await
            }
            Some(RpcFault::Duplicate) => {
                let first = self.forward(from.clone(), msg, body.clone());
                let _second = self.forward(from, msg, body);
                first.await
            }
            Some(RpcFault::Delay { delay_ms }) => {
                R::sleep(Duration::from_millis(delay_ms)).await;
                self.forward(from, msg, body).await
            }
        }
    }

    /// Hands a datagram to the node, if it runs and has a UDP socket: otherwise it is lost,
    /// as a datagram to a crashed host or a closed port is.
    pub fn datagram(&self, from: String, msg: u64, body: Body) {
        if self.datagrams {
            let _ = self.inbox.send(DriverMsg::Datagram { from, msg, body });
        }
    }

    /// A datagram that was not a lab envelope: dropped, and said (`why`).
    pub(super) fn malformed_datagram<R: Runtime>(&self, why: &str) {
        self.recorder.record(R::now_us(), &self.me, Record::warn("malformed-datagram").with("error", why));
    }

    /// Hands the request to the node and returns a future of its reply.
    fn forward(&self, from: String, msg: u64, body: Body) -> impl Future<Output = Result<Body, Refused>> {
        let (reply, answer) = oneshot::channel();
        let queued = self.inbox.send(DriverMsg::Request { from, msg, body, reply });
        async move {
            queued.map_err(|_| Refused::NotRunning)?;
            answer.await.map_err(|_| Refused::NotRunning)
        }
    }

    fn note_fault<R: Runtime>(&self, from: &str, msg: u64, fault: RpcFault) {
        let (name, delay_ms) = match fault {
            RpcFault::DropRequest => ("drop-request", 0),
            RpcFault::DropResponse => ("drop-response", 0),
            RpcFault::Duplicate => ("duplicate", 0),
            RpcFault::Delay { delay_ms } => ("delay", delay_ms),
        };
        let mut record = Record::warn("rpc-fault").with("fault", name).with("from", from).with("msg", msg);
        if delay_ms > 0 {
            record = record.with("delay_ms", delay_ms);
        }
        self.recorder.record(R::now_us(), &self.me, record);
    }
}

/// A message event of the trace (`msg-send`, `msg-deliver`, `msg-reply`): message `msg`, the
/// peer it goes to or comes from (`("to", name)` or `("from", name)`), and what it carries.
fn message_record(kind: &'static str, msg: u64, (direction, peer): (&'static str, &str), body: &Body) -> Record {
    Record::debug(kind).with("msg", msg).with(direction, peer).with("body", body.name())
}

/// How a call ended, for the trace: `msg-result` on the caller.
fn result_record(msg: u64, callee: &str, latency_us: u64, result: &Result<Body, CallError>) -> Record {
    let record = Record::debug("msg-result").with("msg", msg).with("from", callee);
    let record = match result {
        Ok(body) => record.with("outcome", "ok").with("body", body.name()),
        Err(CallError::Timeout) => record.with("outcome", "timeout"),
        Err(CallError::Unreachable) => record.with("outcome", "unreachable"),
        Err(CallError::Failed(detail)) => record.with("outcome", "error").with("detail", detail.as_str()),
    };
    record.with("latency_us", latency_us)
}

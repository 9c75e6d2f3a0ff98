//! Node logic as pure state machines.
//!
//! A node is handed one [`Input`] at a time — a start, a request from a peer, the result of a
//! call it made, a timer firing — together with the simulated time and its own random stream
//! ([`Ctx`]). It answers by pushing [`Action`]s into an [`Out`] buffer: call a peer, reply to a
//! request, send a datagram, set a timer, write to its disk and fsync it, record an event for
//! the history. It
//! never touches a socket, a clock, a file or a runtime. The lab's drivers turn actions into gRPC calls and timers under turmoil (and,
//! later, madsim or real sockets), which is why the same logic can be unit-tested here with no
//! network at all.
//!
//! **Architecture invariant:** this crate knows nothing about tokio, tonic, turmoil or faults.
//! A dropped response and a slow peer both look like a call that ended in [`CallError`].

pub mod caller;
pub mod client;
pub mod dependency;
pub mod dns;
pub mod durable;
pub mod front;
pub mod gateway;
pub mod ledger;
pub mod limiter;
pub mod lock;
pub mod payer;
pub mod payment_service;
pub mod pool;
pub mod pubsub;
pub mod record;
pub mod records;
pub mod replication;

pub use proto::Body;
pub use record::{Field, Level, Record};

use fundamentals::sim::SimRng;

/// What a node's disk held durably when it (re)started: key → value. The lab owns the disk
/// (see [`Out::write`]); a node only ever sees what survived.
pub type Stored = std::collections::BTreeMap<String, Vec<u8>>;

/// What a node is told. Every input is handled to completion before the next one arrives.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The node (re)starts with fresh in-memory state and what its disk kept (empty for a node
    /// that never fsynced); set up timers here.
    Start { disk: Stored },
    /// A peer's request. Answer it with [`Out::reply`] now or later, or never (the caller times out).
    Request { id: RequestId, from: String, body: Body },
    /// A datagram a peer sent with [`Out::send`]: no reply expected, none possible.
    Datagram { from: String, body: Body },
    /// The end of a call this node made with [`Out::call`]; `tag` is the node's own label.
    CallResult { tag: u64, result: Result<Body, CallError> },
    /// A timer set with [`Out::set_timer`] fired.
    Timer { tag: u64 },
    /// The fsync asked for with [`Out::fsync`] finished: every write made before it is durable.
    Synced { tag: u64 },
}

impl Input {
    /// The first start of a node whose disk is empty (what most tests feed a node first).
    pub fn fresh_start() -> Self {
        Input::Start { disk: Stored::new() }
    }
}

/// Identifies an incoming request so the node can reply to it later. Assigned by the driver.
pub type RequestId = u64;

/// Why a call did not produce a reply. Nodes cannot tell a lost request from a lost response:
/// that ambiguity is the lesson of several scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No reply within the call's timeout.
    Timeout,
    /// The peer could not be reached (connection refused or reset).
    Unreachable,
    /// The peer answered with an error the transport reported.
    Failed(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Timeout => write!(f, "timeout"),
            CallError::Unreachable => write!(f, "unreachable"),
            CallError::Failed(why) => write!(f, "failed: {why}"),
        }
    }
}

/// What a node asks its driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Call {
        to: String,
        tag: u64,
        body: Body,
        timeout_ms: u64,
    },
    Reply {
        id: RequestId,
        body: Body,
    },
    /// One datagram to `to`: sent once, never acknowledged, lost without a word if the network
    /// or the peer drops it.
    Send {
        to: String,
        body: Body,
    },
    SetTimer {
        tag: u64,
        after_ms: u64,
    },
    /// Write `value` under `key` (`None` deletes it) into the disk's page cache.
    Write {
        key: String,
        value: Option<Vec<u8>>,
    },
    Fsync {
        tag: u64,
    },
    Record(Record),
}

/// The simulated present: time and this node's own random stream.
pub struct Ctx<'a> {
    pub now_ms: u64,
    pub rng: &'a mut SimRng,
}

/// The buffer a node writes its actions into while it handles one input.
#[derive(Debug, Default)]
pub struct Out {
    actions: Vec<Action>,
}

impl Out {
    pub fn call(&mut self, to: &str, tag: u64, body: Body, timeout_ms: u64) {
        self.actions.push(Action::Call { to: to.to_owned(), tag, body, timeout_ms });
    }

    pub fn reply(&mut self, id: RequestId, body: Body) {
        self.actions.push(Action::Reply { id, body });
    }

    /// Sends `body` to `to` as one datagram (UDP on the engines): fire and forget. An answer,
    /// if the peer sends one, is a datagram of its own ([`Input::Datagram`]); a lost one is
    /// the sender's timer to notice.
    pub fn send(&mut self, to: &str, body: Body) {
        self.actions.push(Action::Send { to: to.to_owned(), body });
    }

    pub fn set_timer(&mut self, tag: u64, after_ms: u64) {
        self.actions.push(Action::SetTimer { tag, after_ms });
    }

    /// Writes `value` under `key`. Like `write(2)`, it reaches the page cache, not the disk: a
    /// crash before an fsync that covers it loses it.
    pub fn write(&mut self, key: impl Into<String>, value: Vec<u8>) {
        self.actions.push(Action::Write { key: key.into(), value: Some(value) });
    }

    /// Deletes `key`, in the page cache like [`Out::write`].
    pub fn delete(&mut self, key: impl Into<String>) {
        self.actions.push(Action::Write { key: key.into(), value: None });
    }

    /// Makes every write so far durable. The disk takes time (the scenario's `storage.fsync_ms`):
    /// [`Input::Synced`] with `tag` arrives when it is done, unless the node crashes first.
    pub fn fsync(&mut self, tag: u64) {
        self.actions.push(Action::Fsync { tag });
    }

    pub fn record(&mut self, record: Record) {
        self.actions.push(Action::Record(record));
    }

    /// Hands the collected actions to the driver, leaving the buffer empty.
    pub fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }
}

/// A node's logic. Implementations hold only in-memory state, which a crash throws away.
pub trait Node {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out);
}

/// Everything a node kind needs to know about the cluster when it is built.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Node names by kind, in the order the scenario declares them.
    pub by_kind: std::collections::BTreeMap<String, Vec<String>>,
}

impl Topology {
    pub fn nodes_of_kind(&self, kind: &str) -> &[String] {
        self.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }
}

//! Scenarios: loading a scenario file, checking it, and the checked form the engine runs.
//!
//! A file is parsed into [`format::RawScenario`] (which mirrors the TOML) and then checked
//! into a [`Scenario`], whose values are plain and known to be consistent: every name a fault
//! or a link mentions exists, every time lies within the run, every rate is positive. Nothing
//! downstream re-checks the file, and nothing here knows any scenario by name.

mod diagnostic;
pub mod format;
mod validate;

pub use diagnostic::Diagnostic;
pub use format::RawAction;
pub use validate::Checker;

use crate::family::{Check, NodeBuilder, Phase};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub summary: String,
    pub default_variant: String,
    pub duration_ms: u64,
    pub default_seed: u64,
    pub tick_ms: u64,
    pub max_events: u64,
    pub network: Network,
    pub storage: Storage,
    pub nodes: Vec<NodeName>,
    pub faults: Vec<Fault>,
    pub checks: Vec<CheckSpec>,
    pub variants: Vec<Variant>,
    pub lesson: Lesson,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub min_latency_ms: u64,
    pub max_latency_ms: u64,
    pub links: Vec<LinkLatency>,
}

/// The model of every node's disk.
#[derive(Debug, Clone)]
pub struct Storage {
    /// How long an fsync takes.
    pub fsync_ms: u64,
}

#[derive(Debug, Clone)]
pub struct LinkLatency {
    pub a: String,
    pub b: String,
    pub latency_ms: u64,
}

/// A node of the scenario: its name and the kind of its `[nodes.<kind>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeName {
    pub name: String,
    pub kind: &'static str,
}

/// A node as one variant runs it: the variant's settings are already part of its builder.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub name: String,
    pub kind: &'static str,
    pub builder: NodeBuilder,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub start: FaultStart,
    /// When set, the fault is undone this long after it starts (heal, release, restart).
    pub for_ms: Option<u64>,
    pub action: FaultAction,
    /// The variants that meet this fault; empty: every variant.
    pub variants: Vec<String>,
}

impl Fault {
    /// Whether a run of `variant` meets this fault.
    pub fn applies_to(&self, variant: &str) -> bool {
        self.variants.is_empty() || self.variants.iter().any(|v| v == variant)
    }
}

/// When a fault starts: at a time, or on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultStart {
    At { at_ms: u64 },
    When(Trigger),
}

/// A fault's trigger: `node` makes its `nth` record of kind `record` (counting from the run's
/// start, across restarts); the fault starts `delay_ms` later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub node: String,
    pub record: String,
    pub nth: u64,
    pub delay_ms: u64,
}

impl Trigger {
    /// `ledger charge-applied #3 (+2 ms)`, as the trace and the viewer name it.
    pub fn describe(&self) -> String {
        let delay = if self.delay_ms > 0 { format!(" (+{} ms)", self.delay_ms) } else { String::new() };
        format!("{} {} #{}{delay}", self.node, self.record, self.nth)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    Partition {
        from: Vec<String>,
        to: Vec<String>,
        one_way: bool,
    },
    Hold {
        from: Vec<String>,
        to: Vec<String>,
    },
    /// Each message on the links takes `latency_ms` ± `jitter_ms` (0: exactly `latency_ms`).
    Latency {
        from: Vec<String>,
        to: Vec<String>,
        latency_ms: u64,
        jitter_ms: u64,
    },
    Crash {
        nodes: Vec<String>,
    },
    Restart {
        nodes: Vec<String>,
    },
    /// The nodes stop handling anything (a GC pause, a stopped VM) until the fault ends.
    Pause {
        nodes: Vec<String>,
    },
    /// The nodes' clocks run off true time: `skew_ms` ahead (behind, if negative) from the
    /// fault's start, gaining `drift_ppm` millionths of every millisecond after it.
    Clock {
        nodes: Vec<String>,
        skew_ms: i64,
        drift_ppm: i64,
    },
    Rpc(RpcRule),
    Dns(DnsRule),
    /// A fault on the TCP connections nodes in `from` open to nodes in `to`.
    Tcp {
        from: Vec<String>,
        to: Vec<String>,
        fault: TcpFault,
    },
}

/// What a TCP fault does to a connection (toxiproxy's toxics, by the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpFault {
    /// Each connection is reset `after_ms` after the fault starts or the connection opens,
    /// whichever is later: both ends see it end.
    Reset { after_ms: u64 },
    /// Nothing flows and nothing closes; new connections hang in connect.
    BlackHole,
    /// New connections hang in connect; open ones are untouched.
    ConnectTimeout,
    /// A close takes `delay_ms` to reach the peer.
    SlowClose { delay_ms: u64 },
    /// Each direction of a connection carries at most this many bytes a second.
    Bandwidth { bytes_per_second: u64 },
    /// A connection is closed once it has carried this many bytes (both ways) in the fault.
    LimitData { bytes: u64 },
}

impl TcpFault {
    pub fn name(&self) -> &'static str {
        match self {
            TcpFault::Reset { .. } => "reset",
            TcpFault::BlackHole => "black-hole",
            TcpFault::ConnectTimeout => "connect-timeout",
            TcpFault::SlowClose { .. } => "slow-close",
            TcpFault::Bandwidth { .. } => "bandwidth",
            TcpFault::LimitData { .. } => "limit-data",
        }
    }
}

/// An RPC-layer fault: for calls from any of `from` to any of `to` (empty = any node), apply
/// `fault` with `probability`.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcRule {
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub fault: RpcFault,
    pub probability: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpcFault {
    DropRequest,
    DropResponse,
    Duplicate,
    Delay { delay_ms: u64 },
}

/// A DNS fault: for queries from any of `from` to any of the DNS servers `to` (empty = any)
/// for any of `names` (empty = any name; lower case, no trailing dot), apply `fault` with
/// `probability`.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsRule {
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub names: Vec<String>,
    pub fault: DnsFault,
    pub probability: f64,
}

/// What a DNS fault makes of a query's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFault {
    /// The name does not exist.
    NxDomain,
    /// The server failed.
    ServFail,
    /// No answer at all: the query is lost, and the client's timeout ends its wait.
    Timeout,
    /// The answer the server gave for the name before the fault started, whatever the zone
    /// says now (a secondary that stopped taking zone transfers).
    Stale,
    /// The address of `node` instead of the right one.
    WrongAddress { node: String, address: std::net::Ipv4Addr },
}

impl DnsFault {
    pub fn name(&self) -> &'static str {
        match self {
            DnsFault::NxDomain => "nxdomain",
            DnsFault::ServFail => "servfail",
            DnsFault::Timeout => "timeout",
            DnsFault::Stale => "stale",
            DnsFault::WrongAddress { .. } => "wrong-address",
        }
    }
}

/// A configured check of the scenario, declared by its family (`crate::families`).
#[derive(Debug, Clone)]
pub struct CheckSpec {
    pub name: &'static str,
    pub phase: Phase,
    pub check: Arc<dyn Check>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub summary: String,
    pub expect_fail: Vec<String>,
    /// Checks with nothing to judge in this variant; they may not pass, but must not fail.
    pub expect_inconclusive: Vec<String>,
    /// Checks this buggy variant may fail on some seeds besides `expect_fail`: a side effect of
    /// its bug that depends on timing (the herd in half-open sometimes starves the pool too).
    pub may_fail: Vec<String>,
    /// Every node of the scenario, built with this variant's settings, in registry order.
    pub nodes: Vec<NodeSpec>,
}

impl Variant {
    /// A correct variant is built to fail nothing.
    pub fn is_correct(&self) -> bool {
        self.expect_fail.is_empty()
    }

    /// Whether a run that failed `failed` and could not judge `inconclusive` did what this
    /// variant promises: every `expect_fail` check failed ([`Variant::missed`]), and nothing
    /// else went differently ([`Variant::unexpected`]). If not, says how the run differed.
    pub fn promise_kept(&self, failed: &[&str], inconclusive: &[&str]) -> Result<(), String> {
        let missed = self.missed(failed);
        let mut broken: Vec<String> = self.unexpected(failed, inconclusive).into_iter().collect();
        if !missed.is_empty() {
            broken.insert(0, format!("did not fail {}", missed.join(", ")));
        }
        match broken.is_empty() {
            true => Ok(()),
            false => Err(broken.join("; ")),
        }
    }

    /// The `expect_fail` checks a run did not fail: the bug did not show on that seed.
    pub fn missed(&self, failed: &[&str]) -> Vec<&str> {
        self.expect_fail.iter().map(String::as_str).filter(|check| !failed.contains(check)).collect()
    }

    /// What a run did that this variant never should: fail a check outside `expect_fail` and
    /// `may_fail`, or find nothing to judge in other checks than `expect_inconclusive`.
    pub fn unexpected(&self, failed: &[&str], inconclusive: &[&str]) -> Option<String> {
        let mut wrong = Vec::new();
        let extra: Vec<&str> = failed
            .iter()
            .copied()
            .filter(|check| !self.expect_fail.iter().chain(&self.may_fail).any(|c| c == check))
            .collect();
        if !extra.is_empty() {
            wrong.push(format!("failed {}", extra.join(", ")));
        }
        let mut expected_inconclusive: Vec<&str> = self.expect_inconclusive.iter().map(String::as_str).collect();
        let mut got_inconclusive = inconclusive.to_vec();
        expected_inconclusive.sort_unstable();
        got_inconclusive.sort_unstable();
        if expected_inconclusive != got_inconclusive {
            wrong.push(format!(
                "had nothing to judge in [{}] instead of [{}]",
                got_inconclusive.join(", "),
                expected_inconclusive.join(", ")
            ));
        }
        (!wrong.is_empty()).then(|| wrong.join("; "))
    }
}

#[derive(Debug, Clone)]
pub struct Lesson {
    pub why_interviewers_ask: String,
    pub how_it_works: String,
    pub pitfalls: String,
    pub takeaways: String,
    pub break_it: String,
    pub interview_questions: String,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Self, Diagnostic> {
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::whole_file(path, format!("cannot read the scenario file: {e}"), "a readable UTF-8 TOML file")
        })?;
        Self::from_bytes(path, &bytes)
    }

    /// Checks a scenario file's bytes, exactly as [`Scenario::load`] does once it has read them.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self, Diagnostic> {
        match std::str::from_utf8(bytes) {
            Ok(source) => Self::parse(path, source),
            Err(error) => Err(Diagnostic::invalid_utf8(path, bytes, error.valid_up_to())),
        }
    }

    /// Checks scenario text; `path` is only used in messages.
    pub fn parse(path: &Path, source: &str) -> Result<Self, Diagnostic> {
        validate::parse(path, source)
    }

    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
}

//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! Every table denies unknown fields, and values that need checks beyond their type are
//! `Spanned`, so that both toml's own errors and the lab's checks can point at the exact
//! place in the file. The tables that belong to a scenario family (node kinds, checks, variant
//! settings) are only listed here and read by their family (`crate::family`).
//! `scenarios/README.md` documents this format field by field.

use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Spanned<String>,
    pub summary: Spanned<String>,
    pub default_variant: Spanned<String>,
    pub run: RawRun,
    #[serde(default)]
    pub network: RawNetwork,
    #[serde(default)]
    pub storage: RawStorage,
    /// `[nodes.<kind>]` tables: read by their kind's family (see `crate::family`).
    pub nodes: BTreeMap<Spanned<String>, IgnoredAny>,
    #[serde(default)]
    pub faults: Vec<Spanned<RawFault>>,
    /// `[checks.<name>]` tables: read by their check's family.
    pub checks: BTreeMap<Spanned<String>, IgnoredAny>,
    /// `[variants.<name>]` tables: [`RawVariantBase`] plus the families' settings.
    pub variants: BTreeMap<String, BTreeMap<Spanned<String>, IgnoredAny>>,
    pub lesson: RawLesson,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub duration_ms: Spanned<u64>,
    pub seed: u64,
    #[serde(default = "default_tick_ms")]
    pub tick_ms: Spanned<u64>,
    #[serde(default = "default_max_events")]
    pub max_events: Spanned<u64>,
}

fn default_tick_ms() -> Spanned<u64> {
    Spanned::new(0..0, 1)
}

fn default_max_events() -> Spanned<u64> {
    Spanned::new(0..0, 2_000_000)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// `[min, max]` one-way latency of every link, in milliseconds.
    pub latency_ms: Option<Spanned<Vec<u64>>>,
    #[serde(default)]
    pub links: Vec<RawLink>,
}

/// `[storage]`: how the lab's model of a node's disk behaves (see `engine::disk`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    /// How long an fsync takes, in milliseconds.
    pub fsync_ms: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub between: Spanned<Vec<Spanned<String>>>,
    pub latency_ms: Spanned<u64>,
}

/// The default `count` of a node group: one node.
pub fn one() -> Spanned<u64> {
    Spanned::new(0..0, 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    Partition,
    PartitionOneWay,
    Hold,
    Latency,
    Crash,
    Restart,
    Pause,
    Clock,
    Rpc,
    Dns,
    Reset,
    BlackHole,
    ConnectTimeout,
    SlowClose,
    Bandwidth,
    LimitData,
}

impl FaultKind {
    /// The kind as a scenario file spells it.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::PartitionOneWay => "partition-one-way",
            FaultKind::Hold => "hold",
            FaultKind::Latency => "latency",
            FaultKind::Crash => "crash",
            FaultKind::Restart => "restart",
            FaultKind::Pause => "pause",
            FaultKind::Clock => "clock",
            FaultKind::Rpc => "rpc",
            FaultKind::Dns => "dns",
            FaultKind::Reset => "reset",
            FaultKind::BlackHole => "black-hole",
            FaultKind::ConnectTimeout => "connect-timeout",
            FaultKind::SlowClose => "slow-close",
            FaultKind::Bandwidth => "bandwidth",
            FaultKind::LimitData => "limit-data",
        }
    }

    /// A fault on TCP connections: only an engine with TCP beneath its calls can apply it.
    pub fn is_tcp(self) -> bool {
        matches!(
            self,
            FaultKind::Reset
                | FaultKind::BlackHole
                | FaultKind::ConnectTimeout
                | FaultKind::SlowClose
                | FaultKind::Bandwidth
                | FaultKind::LimitData
        )
    }
}

/// What an `rpc` fault does to a call, or a `dns` fault to a DNS query: one list, so that a
/// file that gives an rpc fault a DNS action hears which kind the action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawAction {
    DropRequest,
    DropResponse,
    Duplicate,
    Delay,
    Nxdomain,
    Servfail,
    Timeout,
    Stale,
    WrongAddress,
}

impl RawAction {
    pub fn name(self) -> &'static str {
        match self {
            RawAction::DropRequest => "drop-request",
            RawAction::DropResponse => "drop-response",
            RawAction::Duplicate => "duplicate",
            RawAction::Delay => "delay",
            RawAction::Nxdomain => "nxdomain",
            RawAction::Servfail => "servfail",
            RawAction::Timeout => "timeout",
            RawAction::Stale => "stale",
            RawAction::WrongAddress => "wrong-address",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub kind: Spanned<FaultKind>,
    /// When the fault starts; or `when`, the event it starts on (exactly one of the two).
    pub at_ms: Option<Spanned<u64>>,
    pub when: Option<Spanned<RawWhen>>,
    pub for_ms: Option<Spanned<u64>>,
    pub nodes: Option<Spanned<Vec<Spanned<String>>>>,
    pub from: Option<Spanned<Vec<Spanned<String>>>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub latency_ms: Option<Spanned<u64>>,
    /// A `latency` fault's spread: each message takes latency ± jitter.
    pub jitter_ms: Option<Spanned<u64>>,
    pub action: Option<Spanned<RawAction>>,
    pub probability: Option<Spanned<Number>>,
    pub delay_ms: Option<Spanned<u64>>,
    pub skew_ms: Option<Spanned<i64>>,
    pub drift_ppm: Option<Spanned<i64>>,
    /// A `dns` fault's names (every name when left out) and, for `wrong-address`, the node
    /// whose address the answer gives.
    pub names: Option<Spanned<Vec<Spanned<String>>>>,
    pub points_to: Option<Spanned<String>>,
    /// TCP faults: `reset` after `timeout_ms`; `bandwidth`'s `bytes_per_second`;
    /// `limit-data`'s `bytes`.
    pub timeout_ms: Option<Spanned<u64>>,
    pub bytes_per_second: Option<Spanned<u64>>,
    pub bytes: Option<Spanned<u64>>,
    /// The variants that meet this fault; every variant when left out.
    pub variants: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `when = { node = "ledger", record = "charge-applied", nth = 3, delay_ms = 0 }`: a fault that
/// starts when a node makes its nth record of a kind (plus an optional delay).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWhen {
    pub node: Spanned<String>,
    pub record: Spanned<String>,
    #[serde(default = "one")]
    pub nth: Spanned<u64>,
    pub delay_ms: Option<Spanned<u64>>,
}

/// What a `[variants.<name>]` table holds besides the families' settings.
#[derive(Debug, Deserialize)]
pub struct RawVariantBase {
    pub summary: Spanned<String>,
    /// Checks this variant is meant to fail; empty for a correct variant.
    #[serde(default)]
    pub expect_fail: Vec<Spanned<String>>,
    /// Checks that have nothing to judge in this variant (a breaker check with no breaker).
    #[serde(default)]
    pub expect_inconclusive: Vec<Spanned<String>>,
    /// Checks a buggy variant may also fail on some seeds, as a timing-dependent side effect.
    #[serde(default)]
    pub may_fail: Vec<Spanned<String>>,
}

/// The fields of [`RawVariantBase`]; every other key of a variant table is a family's setting.
pub const VARIANT_FIELDS: &[&str] = &["summary", "expect_fail", "expect_inconclusive", "may_fail"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLesson {
    pub why_interviewers_ask: Spanned<String>,
    pub how_it_works: Spanned<String>,
    pub pitfalls: Spanned<String>,
    pub takeaways: Spanned<String>,
    pub break_it: Spanned<String>,
    pub interview_questions: Spanned<String>,
}

/// A number written either as an integer (`5`) or a float (`5.5`); TOML keeps the two
/// apart, but a user writing a percentage should not have to care.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

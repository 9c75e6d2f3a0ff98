//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! Every table denies unknown fields, and values that need checks beyond their type are
//! `Spanned`, so that both toml's own errors and the lab's checks can point at the exact
//! place in the file. `scenarios/README.md` documents this format field by field.

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
    pub nodes: RawNodes,
    #[serde(default)]
    pub faults: Vec<Spanned<RawFault>>,
    pub checks: RawChecks,
    pub variants: BTreeMap<String, RawVariant>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub between: Spanned<Vec<Spanned<String>>>,
    pub latency_ms: Spanned<u64>,
}

/// Node groups by kind. Adding a node kind adds a field here, so an unknown kind is an
/// "unknown field" error that lists the kinds there are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNodes {
    pub client: Option<RawClients>,
    pub gateway: Option<RawGateways>,
    pub limiter: Option<RawLimiters>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClients {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub requests_per_second: Spanned<Number>,
    pub api_keys: Spanned<BTreeMap<String, Spanned<u32>>>,
    /// Which nodes the clients call, with weights: the traffic skew.
    pub targets: Spanned<BTreeMap<String, Spanned<u32>>>,
    pub timeout_ms: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGateways {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub limit_per_second: Spanned<u64>,
    #[serde(default = "one")]
    pub burst: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimiters {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub limit_per_second: Spanned<u64>,
}

fn one() -> Spanned<u64> {
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
    Rpc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RpcAction {
    DropRequest,
    DropResponse,
    Duplicate,
    Delay,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub kind: Spanned<FaultKind>,
    pub at_ms: Spanned<u64>,
    pub for_ms: Option<Spanned<u64>>,
    pub nodes: Option<Spanned<Vec<Spanned<String>>>>,
    pub from: Option<Spanned<Vec<Spanned<String>>>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub latency_ms: Option<Spanned<u64>>,
    pub action: Option<Spanned<RpcAction>>,
    pub probability: Option<Spanned<Number>>,
    pub delay_ms: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawChecks {
    pub limit_conformance: Option<RawConformance>,
    pub limit_utilization: Option<RawUtilization>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConformance {
    pub limit_per_second: Spanned<u64>,
    pub tolerance_pct: Option<Spanned<Number>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUtilization {
    pub limit_per_second: Spanned<u64>,
    pub min_pct: Spanned<Number>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub summary: Spanned<String>,
    /// Checks this variant is meant to fail; empty for a correct variant.
    #[serde(default)]
    pub expect_fail: Vec<Spanned<String>>,
    pub gateway: Option<Spanned<RawGatewayVariant>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyName {
    Local,
    LocalUndivided,
    Central,
    Sync,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailModeName {
    FailOpen,
    FailClosed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGatewayVariant {
    pub strategy: Spanned<StrategyName>,
    pub on_limiter_unreachable: Option<Spanned<FailModeName>>,
    pub limiter_timeout_ms: Option<Spanned<u64>>,
    pub sync_interval_ms: Option<Spanned<u64>>,
    pub peer_stale_after_ms: Option<Spanned<u64>>,
    pub silent_peer_counts_as: Option<Spanned<SilentPeerName>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SilentPeerName {
    LastReport,
    FairShare,
}

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

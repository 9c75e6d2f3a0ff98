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
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawNodes {
    pub client: Option<RawClients>,
    pub gateway: Option<RawGateways>,
    pub limiter: Option<RawLimiters>,
    pub payer: Option<RawPayers>,
    pub payment_service: Option<RawPaymentServices>,
    pub ledger: Option<RawLedgers>,
    pub caller: Option<RawCallers>,
    pub front: Option<RawFronts>,
    pub dependency: Option<RawDependencies>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JitterName {
    None,
    Full,
    Equal,
    Decorrelated,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayers {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub payments_per_second: Spanned<Number>,
    pub service: Spanned<String>,
    pub amount_cents: Spanned<u64>,
    pub deadline_ms: Spanned<u64>,
    pub attempt_timeout_ms: Spanned<u64>,
    pub max_attempts: Spanned<u64>,
    pub backoff_base_ms: Spanned<u64>,
    pub backoff_cap_ms: Spanned<u64>,
    pub jitter: JitterName,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaymentServices {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub ledger: Spanned<String>,
    pub ledger_timeout_ms: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLedgers {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCallers {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub requests_per_second: Spanned<Number>,
    pub endpoints: Spanned<BTreeMap<String, Spanned<u32>>>,
    pub target: Spanned<String>,
    pub timeout_ms: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFronts {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub dependency: Spanned<String>,
    pub max_in_flight: Spanned<u64>,
    pub dependency_timeout_ms: Spanned<u64>,
    pub healthy_work_ms: Spanned<u64>,
    pub failure_threshold: Spanned<u64>,
    pub open_for_ms: Spanned<u64>,
    pub half_open_probes: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDependencies {
    pub name: Spanned<String>,
    #[serde(default = "one")]
    pub count: Spanned<u64>,
    pub service_time_ms: Spanned<u64>,
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
    pub exactly_once: Option<RawNoSettings>,
    pub deadlines: Option<RawDeadlines>,
    pub retry_amplification: Option<RawAmplification>,
    pub healthy_availability: Option<RawAvailability>,
    pub breaker_conformance: Option<RawNoSettings>,
    pub recovery: Option<RawRecovery>,
}

/// A check that has nothing to configure: written as an empty table, `[checks.exactly-once]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNoSettings {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeadlines {
    #[serde(default)]
    pub slack_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmplification {
    pub max_attempts_per_payment: Spanned<Number>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAvailability {
    pub endpoint: String,
    pub from_ms: Spanned<u64>,
    pub to_ms: Spanned<u64>,
    pub min_pct: Spanned<Number>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecovery {
    pub endpoint: String,
    pub recovered_at_ms: Spanned<u64>,
    pub within_ms: Spanned<u64>,
    pub min_pct: Spanned<Number>,
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
    pub payments: Option<Spanned<RawPaymentsVariant>>,
    pub front: Option<Spanned<RawFrontVariant>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdempotencyName {
    None,
    InLedger,
    InMemory,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaymentsVariant {
    /// Where idempotency keys live: nowhere, in the ledger with the charge, in the service's memory.
    pub idempotency: IdempotencyName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreakerName {
    None,
    Standard,
    AllThroughInHalfOpen,
    StuckHalfOpen,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrontVariant {
    pub breaker: BreakerName,
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

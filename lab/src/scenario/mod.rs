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
pub use format::RpcAction;

use nodes::caller::CallerConfig;
use nodes::client::ClientConfig;
use nodes::dependency::DependencyConfig;
use nodes::front::FrontConfig;
use nodes::gateway::Strategy;
use nodes::limiter::LimiterConfig;
use nodes::payer::PayerConfig;
use nodes::payment_service::{Idempotency, PaymentServiceConfig};
use std::path::{Path, PathBuf};

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
    pub nodes: Vec<NodeSpec>,
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

#[derive(Debug, Clone)]
pub struct LinkLatency {
    pub a: String,
    pub b: String,
    pub latency_ms: u64,
}

#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub name: String,
    pub kind: NodeKind,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Client(ClientConfig),
    /// A gateway's settings; its strategy comes from the variant being run.
    Gateway {
        limit_per_second: u64,
        burst: u64,
        gateway_count: u64,
    },
    Limiter(LimiterConfig),
    /// A payer; whether it sends idempotency keys comes from the variant.
    Payer(PayerConfig),
    /// A payment service; where it keeps idempotency keys comes from the variant.
    PaymentService(PaymentServiceConfig),
    Ledger,
    Caller(CallerConfig),
    /// A front service; its breaker mode comes from the variant, its breaker settings from here.
    Front(FrontConfig),
    Dependency(DependencyConfig),
}

impl NodeKind {
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Client(_) => "client",
            NodeKind::Gateway { .. } => "gateway",
            NodeKind::Limiter(_) => "limiter",
            NodeKind::Payer(_) => "payer",
            NodeKind::PaymentService(_) => "payment-service",
            NodeKind::Ledger => "ledger",
            NodeKind::Caller(_) => "caller",
            NodeKind::Front(_) => "front",
            NodeKind::Dependency(_) => "dependency",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub at_ms: u64,
    /// When set, the fault is undone this long after it starts (heal, release, restart).
    pub for_ms: Option<u64>,
    pub action: FaultAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    Partition { from: Vec<String>, to: Vec<String>, one_way: bool },
    Hold { from: Vec<String>, to: Vec<String> },
    Latency { from: Vec<String>, to: Vec<String>, latency_ms: u64 },
    Crash { nodes: Vec<String> },
    Restart { nodes: Vec<String> },
    Rpc(RpcRule),
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

#[derive(Debug, Clone, PartialEq)]
pub enum CheckSpec {
    /// Safety: admitted requests per key in any sliding window of 1 s stay within the limit.
    LimitConformance { limit_per_second: u64, tolerance_pct: f64 },
    /// Liveness: in every second where a key's offered load reaches the limit, at least
    /// `min_pct` of the limit is admitted.
    LimitUtilization { limit_per_second: u64, min_pct: f64 },
    /// Safety: no payment is applied by the ledger more than once, and none the payer was told
    /// is charged is missing from the ledger.
    ExactlyOnce,
    /// Liveness: every payment ends (charged or a definite failure) by its deadline.
    Deadlines { slack_ms: u64 },
    /// Load: attempts per payment, on average, stay within the bound.
    RetryAmplification { max_attempts_per_payment: f64 },
    /// Availability: an endpoint's success rate for calls started in [from_ms, to_ms).
    EndpointAvailability { endpoint: String, from_ms: u64, to_ms: u64, min_pct: f64 },
    /// Safety: the breaker's transitions follow its state machine and half-open stays within
    /// its probe budget; nothing goes to the dependency while open.
    BreakerConformance { half_open_probes: u64 },
    /// Liveness: after the dependency recovers, the endpoint's success rate is back above
    /// `min_pct` within `within_ms`.
    Recovery { endpoint: String, recovered_at_ms: u64, within_ms: u64, min_pct: f64 },
}

impl CheckSpec {
    pub fn name(&self) -> &'static str {
        match self {
            CheckSpec::LimitConformance { .. } => "limit-conformance",
            CheckSpec::LimitUtilization { .. } => "limit-utilization",
            CheckSpec::ExactlyOnce => "exactly-once",
            CheckSpec::Deadlines { .. } => "deadlines",
            CheckSpec::RetryAmplification { .. } => "retry-amplification",
            CheckSpec::EndpointAvailability { .. } => "healthy-availability",
            CheckSpec::BreakerConformance { .. } => "breaker-conformance",
            CheckSpec::Recovery { .. } => "recovery",
        }
    }

    pub fn phase(&self) -> &'static str {
        match self {
            CheckSpec::LimitConformance { .. } | CheckSpec::ExactlyOnce | CheckSpec::BreakerConformance { .. } => {
                "safety"
            }
            CheckSpec::RetryAmplification { .. } => "load",
            CheckSpec::LimitUtilization { .. }
            | CheckSpec::Deadlines { .. }
            | CheckSpec::EndpointAvailability { .. }
            | CheckSpec::Recovery { .. } => "liveness",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub summary: String,
    pub expect_fail: Vec<String>,
    pub gateway_strategy: Option<Strategy>,
    pub idempotency: Option<Idempotency>,
    pub breaker: Option<format::BreakerName>,
}

impl Variant {
    pub fn is_correct(&self) -> bool {
        self.expect_fail.is_empty()
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
        let source = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::whole_file(path, format!("cannot read the scenario file: {e}"), "a readable UTF-8 TOML file")
        })?;
        Self::parse(path, &source)
    }

    /// Checks scenario text; `path` is only used in messages.
    pub fn parse(path: &Path, source: &str) -> Result<Self, Diagnostic> {
        validate::parse(path, source)
    }

    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
}

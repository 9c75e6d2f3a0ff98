//! The circuit-breaker family: callers, a front service with a bulkhead and a breaker, and
//! the dependency behind it. Node logic: `nodes::{caller, front, dependency}`; messages:
//! `proto/proto/breaker.proto`.
//!
//! File tables: `[nodes.caller]`, `[nodes.front]`, `[nodes.dependency]`; the variant setting
//! `front = { breaker = … }`; the checks `healthy-availability`, `breaker-conformance` and
//! `recovery`. Endpoint names are the ones the front serves (`nodes::front::ENDPOINTS`): a
//! misspelt endpoint is an error in the file, not a silently different call.

mod checks;

use crate::checks::{Decimal, Outcome};
use crate::engine::RunResult;
use crate::family::{
    Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef, Phase,
    Setting,
};
use crate::scenario::format::{one, Number};
use crate::scenario::Checker;
use checks::BreakerDesign;
use fundamentals::resilience::BreakerConfig;
use nodes::caller::{Caller, CallerConfig};
use nodes::dependency::{Dependency, DependencyConfig};
use nodes::front::{BreakerMode, Front, FrontConfig, ENDPOINTS};
use nodes::records::breaker as records;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use toml::Spanned;

pub const CALLER: &str = "caller";
pub const FRONT: &str = "front";
pub const DEPENDENCY: &str = "dependency";

const BREAKER_CONFORMANCE: &str = "breaker-conformance";

pub static FAMILY: Family = Family {
    name: "circuit breaking",
    node_kinds: &[
        NodeKindDef::new::<RawCallers>(CALLER)
            .with_load(&["count", "requests_per_second"])
            .with_records(records::CALLER_RECORDS),
        NodeKindDef::new::<RawFronts>(FRONT).with_records(records::FRONT_RECORDS),
        NodeKindDef::new::<RawDependencies>(DEPENDENCY),
    ],
    settings: &[FRONT_SETTINGS.def()],
    checks: &[
        CheckDef::new::<RawAvailability>("healthy-availability", Phase::Liveness),
        CheckDef::new::<RawBreakerConformance>(BREAKER_CONFORMANCE, Phase::Safety),
        CheckDef::new::<RawRecovery>("recovery", Phase::Liveness),
    ],
};

const MAX_TIME_MS: u64 = 600_000;

/// Which breaker the front service of a variant uses.
const FRONT_SETTINGS: Setting<RawFrontVariant> = Setting::new(
    "front",
    "which breaker the front service uses",
    "front = { breaker = \"none\" | \"standard\" | \"all-through-in-half-open\" | \"stuck-half-open\" }",
    &[FRONT],
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum BreakerName {
    None,
    Standard,
    AllThroughInHalfOpen,
    StuckHalfOpen,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontVariant {
    breaker: BreakerName,
}

/// An endpoint name the front serves.
fn endpoint(checker: &Checker<'_>, name: &Spanned<String>, field: &str) -> Checked<String> {
    if ENDPOINTS.contains(&name.get_ref().as_str()) {
        return Ok(name.get_ref().clone());
    }
    Err(checker.error(
        name.span(),
        field,
        format!("the front service serves no endpoint `{}`", name.get_ref()),
        format!("one of: {}", ENDPOINTS.join(", ")),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCallers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    requests_per_second: Spanned<Number>,
    endpoints: Spanned<BTreeMap<String, Spanned<u32>>>,
    target: Spanned<String>,
    timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawCallers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        for (name, weight) in self.endpoints.get_ref() {
            endpoint(c, &Spanned::new(weight.span(), name.clone()), &cx.field(&format!("endpoints.{name}")))?;
        }
        let config = CallerConfig {
            requests_per_second: c.rate(&self.requests_per_second, &cx.field("requests_per_second"))?,
            endpoints: c.weights(&self.endpoints, &cx.field("endpoints"), false)?,
            target: c.node_of_kind(&self.target, &cx.field("target"), FRONT)?,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIME_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, Caller::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFronts {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    dependency: Spanned<String>,
    max_in_flight: Spanned<u64>,
    dependency_timeout_ms: Spanned<u64>,
    healthy_work_ms: Spanned<u64>,
    failure_threshold: Spanned<u64>,
    open_for_ms: Spanned<u64>,
    half_open_probes: Spanned<u64>,
}

impl RawFronts {
    /// The breaker settings of the table, checked; `field` names a field of it.
    fn breaker_config(&self, checker: &Checker<'_>, field: impl Fn(&str) -> String) -> Checked<BreakerConfig> {
        Ok(BreakerConfig {
            failure_threshold: checker.at_most(
                &self.failure_threshold,
                &field("failure_threshold"),
                10_000,
                "failures",
            )? as u32,
            open_for_ms: checker.at_most(&self.open_for_ms, &field("open_for_ms"), MAX_TIME_MS, "ms")?,
            half_open_probes: checker.at_most(&self.half_open_probes, &field("half_open_probes"), 10_000, "probes")?
                as u32,
        })
    }
}

impl NodeGroup for RawFronts {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let settings = self.breaker_config(c, |f| cx.field(f))?;
        let breaker = match cx.setting(&FRONT_SETTINGS)?.value.breaker {
            BreakerName::None => BreakerMode::None,
            BreakerName::Standard => BreakerMode::Standard(settings),
            BreakerName::AllThroughInHalfOpen => BreakerMode::AllThroughInHalfOpen(settings),
            BreakerName::StuckHalfOpen => BreakerMode::StuckHalfOpen(settings),
        };
        let config = FrontConfig {
            dependency: c.node_of_kind(&self.dependency, &cx.field("dependency"), DEPENDENCY)?,
            max_in_flight: c.at_most(&self.max_in_flight, &cx.field("max_in_flight"), 100_000, "requests")? as u32,
            dependency_timeout_ms: c.at_most(
                &self.dependency_timeout_ms,
                &cx.field("dependency_timeout_ms"),
                MAX_TIME_MS,
                "ms",
            )?,
            healthy_work_ms: c.up_to(&self.healthy_work_ms, &cx.field("healthy_work_ms"), 60_000, "ms")?,
            breaker,
        };
        Ok(NodeBuilder::new(config, Front::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDependencies {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    service_time_ms: Spanned<u64>,
}

impl NodeGroup for RawDependencies {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let service_time_ms = cx.checker.up_to(&self.service_time_ms, &cx.field("service_time_ms"), 60_000, "ms")?;
        Ok(NodeBuilder::new(DependencyConfig { service_time_ms }, Dependency::new))
    }
}

/// Availability: an endpoint's success rate for calls started in [from_ms, to_ms).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAvailability {
    endpoint: Spanned<String>,
    from_ms: Spanned<u64>,
    to_ms: Spanned<u64>,
    min_pct: Spanned<Number>,
}

#[derive(Debug)]
struct Availability {
    endpoint: String,
    from_ms: u64,
    to_ms: u64,
    min_pct: Decimal,
}

impl CheckSettings for RawAvailability {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let endpoint = endpoint(cx.checker, &self.endpoint, &cx.field("endpoint"))?;
        let from_ms = cx.within_run(&self.from_ms, "from_ms")?;
        let to_ms = cx.within_run(&self.to_ms, "to_ms")?;
        if to_ms <= from_ms {
            return Err(cx.checker.error(
                self.to_ms.span(),
                &cx.field("to_ms"),
                "the window ends before it starts",
                format!("a time after from_ms ({from_ms})"),
            ));
        }
        let min_pct = cx.checker.percentage(&self.min_pct, &cx.field("min_pct"))?;
        Ok(Arc::new(Availability { endpoint, from_ms, to_ms, min_pct }))
    }
}

impl Check for Availability {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::availability(&run.events, &self.endpoint, self.from_ms, self.to_ms, self.min_pct)
    }
}

/// Safety: the breaker's transitions, replayed by the check, follow its state machine; it stays
/// open for `open_for_ms`; nothing goes to the dependency while open; half-open stays within
/// its probe budget. Both numbers come from the `[nodes.front]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBreakerConformance {}

#[derive(Debug)]
struct BreakerConformance {
    design: BreakerDesign,
}

impl CheckSettings for RawBreakerConformance {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let Some(front) = cx.group::<RawFronts>(FRONT) else {
            return Err(cx.checker.error(
                cx.checker.header_span(&format!("checks.{BREAKER_CONFORMANCE}")),
                &format!("checks.{BREAKER_CONFORMANCE}"),
                "breaker-conformance judges a front service's breaker, and the scenario has none",
                "a [nodes.front] table, or no [checks.breaker-conformance]",
            ));
        };
        let config = front.breaker_config(cx.checker, |f| format!("nodes.{FRONT}.{f}"))?;
        let design =
            BreakerDesign { open_for_ms: config.open_for_ms, half_open_probes: u64::from(config.half_open_probes) };
        Ok(Arc::new(BreakerConformance { design }))
    }
}

impl Check for BreakerConformance {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::conformance(&run.events, self.design)
    }
}

/// Liveness: after the dependency recovers, the endpoint's success rate is back above
/// `min_pct` within `within_ms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecovery {
    endpoint: Spanned<String>,
    recovered_at_ms: Spanned<u64>,
    within_ms: Spanned<u64>,
    min_pct: Spanned<Number>,
}

#[derive(Debug)]
struct Recovery {
    endpoint: String,
    recovered_at_ms: u64,
    within_ms: u64,
    min_pct: Decimal,
}

impl CheckSettings for RawRecovery {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let endpoint = endpoint(cx.checker, &self.endpoint, &cx.field("endpoint"))?;
        let recovered_at_ms = cx.within_run(&self.recovered_at_ms, "recovered_at_ms")?;
        let within_ms = cx.within_run(&self.within_ms, "within_ms")?;
        let min_pct = cx.checker.percentage(&self.min_pct, &cx.field("min_pct"))?;
        Ok(Arc::new(Recovery { endpoint, recovered_at_ms, within_ms, min_pct }))
    }
}

impl Check for Recovery {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::recovery(
            &run.events,
            &self.endpoint,
            self.recovered_at_ms,
            self.within_ms,
            self.min_pct,
            run.simulated_ms,
        )
    }
}

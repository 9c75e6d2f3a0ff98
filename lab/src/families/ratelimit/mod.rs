//! The rate-limiting family: clients, API gateways that share one per-key limit, and the
//! central limiter some strategies ask. Node logic: `nodes::{client, gateway, limiter}`;
//! messages: `proto/proto/ratelimit.proto`.
//!
//! File tables: `[nodes.client]`, `[nodes.gateway]`, `[nodes.limiter]`; the variant setting
//! `gateway = { strategy = … }`; the checks `limit-conformance` and `limit-utilization`.

mod checks;

use crate::checks::{Decimal, Outcome};
use crate::engine::RunResult;
use crate::family::{
    Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef, Phase,
    Setting, SettingRef,
};
use crate::scenario::format::{one, Number};
use crate::scenario::Checker;
use nodes::client::{ApiClient, ClientConfig};
use nodes::gateway::{FailMode, Gateway, GatewayConfig, SilentPeer, Strategy};
use nodes::limiter::{Limiter, LimiterConfig};
use nodes::records::ratelimit as records;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

pub const CLIENT: &str = "client";
pub const GATEWAY: &str = "gateway";
pub const LIMITER: &str = "limiter";

pub static FAMILY: Family = Family {
    name: "rate limiting",
    node_kinds: &[
        NodeKindDef::new::<RawClients>(CLIENT)
            .with_load(&["count", "requests_per_second"])
            .with_records(records::CLIENT_RECORDS),
        NodeKindDef::new::<RawGateways>(GATEWAY).with_records(records::GATEWAY_RECORDS),
        NodeKindDef::new::<RawLimiters>(LIMITER).with_records(records::LIMITER_RECORDS),
    ],
    settings: &[GATEWAY_SETTINGS.def()],
    checks: &[
        CheckDef::new::<RawConformance>("limit-conformance", Phase::Safety),
        CheckDef::new::<RawUtilization>("limit-utilization", Phase::Liveness),
    ],
};

/// Most requests per second any setting of this family may ask for: keeps runs bounded.
const MAX_LIMIT_PER_SECOND: u64 = 1_000_000;
const MAX_TIMEOUT_MS: u64 = 600_000;
const DEFAULT_LIMITER_TIMEOUT_MS: u64 = 50;

/// A per-second limit in a node or check table: a whole number from 1 to the lab's maximum.
fn limit(checker: &Checker<'_>, value: &Spanned<u64>, field: &str) -> Checked<u64> {
    checker.at_most(value, field, MAX_LIMIT_PER_SECOND, "requests per second")
}

/// How the gateways of a variant enforce the limit.
const GATEWAY_SETTINGS: Setting<RawGatewayVariant> = Setting::new(
    "gateway",
    "how gateways enforce the limit",
    "gateway = { strategy = \"local\" | \"local-undivided\" | \"central\" | \"sync\", … }",
    &[GATEWAY],
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClients {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    requests_per_second: Spanned<Number>,
    api_keys: Spanned<BTreeMap<String, Spanned<u32>>>,
    /// Which nodes the clients call, with weights: the traffic skew.
    targets: Spanned<BTreeMap<String, Spanned<u32>>>,
    timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawClients {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let config = ClientConfig {
            requests_per_second: c.rate(&self.requests_per_second, &cx.field("requests_per_second"))?,
            api_keys: c.weights(&self.api_keys, &cx.field("api_keys"), false)?,
            gateways: c.weights(&self.targets, &cx.field("targets"), true)?,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIMEOUT_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, ApiClient::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGateways {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    limit_per_second: Spanned<u64>,
    /// Token-bucket capacity of the local strategies.
    #[serde(default = "one")]
    burst: Spanned<u64>,
}

impl NodeGroup for RawGateways {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let config = GatewayConfig {
            limit_per_second: limit(c, &self.limit_per_second, &cx.field("limit_per_second"))?,
            burst: c.at_most(&self.burst, &cx.field("burst"), MAX_LIMIT_PER_SECOND, "requests")?,
            gateway_count: cx.count,
            strategy: strategy(cx, &cx.setting(&GATEWAY_SETTINGS)?)?,
        };
        Ok(NodeBuilder::new(config, Gateway::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimiters {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    limit_per_second: Spanned<u64>,
}

impl NodeGroup for RawLimiters {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        cx.single(&self.count, "central limiter")?;
        let limit = limit(cx.checker, &self.limit_per_second, &cx.field("limit_per_second"))?;
        Ok(NodeBuilder::new(LimiterConfig { limit_per_second: limit }, Limiter::new))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum StrategyName {
    Local,
    LocalUndivided,
    Central,
    Sync,
}

impl StrategyName {
    fn name(self) -> &'static str {
        match self {
            StrategyName::Local => "local",
            StrategyName::LocalUndivided => "local-undivided",
            StrategyName::Central => "central",
            StrategyName::Sync => "sync",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum FailModeName {
    FailOpen,
    FailClosed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SilentPeerName {
    LastReport,
    FairShare,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGatewayVariant {
    strategy: Spanned<StrategyName>,
    on_limiter_unreachable: Option<Spanned<FailModeName>>,
    limiter_timeout_ms: Option<Spanned<u64>>,
    sync_interval_ms: Option<Spanned<u64>>,
    peer_stale_after_ms: Option<Spanned<u64>>,
    silent_peer_counts_as: Option<Spanned<SilentPeerName>>,
}

/// The strategy of one gateway: the variant's setting, with the topology filled in.
fn strategy(cx: &NodeCx<'_>, setting: &SettingRef<'_, RawGatewayVariant>) -> Checked<Strategy> {
    let c = cx.checker;
    let g = setting.value;
    let strategy = *g.strategy.get_ref();
    let stray = |name: &str, span: Option<Range<usize>>, allowed: bool| -> Checked<()> {
        match span {
            Some(span) if !allowed => Err(c.error(
                span,
                &setting.field(name),
                format!("`{name}` does not apply to strategy `{}`", strategy.name()),
                "only the settings of the chosen strategy",
            )),
            _ => Ok(()),
        }
    };
    let central = strategy == StrategyName::Central;
    let sync = strategy == StrategyName::Sync;
    stray("on_limiter_unreachable", g.on_limiter_unreachable.as_ref().map(|s| s.span()), central)?;
    stray("limiter_timeout_ms", g.limiter_timeout_ms.as_ref().map(|s| s.span()), central)?;
    stray("sync_interval_ms", g.sync_interval_ms.as_ref().map(|s| s.span()), sync)?;
    stray("peer_stale_after_ms", g.peer_stale_after_ms.as_ref().map(|s| s.span()), sync)?;
    stray("silent_peer_counts_as", g.silent_peer_counts_as.as_ref().map(|s| s.span()), sync)?;
    Ok(match strategy {
        StrategyName::Local => Strategy::Local,
        StrategyName::LocalUndivided => Strategy::LocalUndivided,
        StrategyName::Central => {
            let Some(limiter) = cx.topology.nodes_of_kind(LIMITER).first() else {
                return Err(c.error(
                    g.strategy.span(),
                    &setting.field("strategy"),
                    "the central strategy needs a limiter node",
                    "a [nodes.limiter] table",
                ));
            };
            let on_unreachable = g.on_limiter_unreachable.as_ref().ok_or_else(|| {
                c.error(
                    setting.span.clone(),
                    &setting.field("on_limiter_unreachable"),
                    "a central limiter must say what gateways do when it cannot be reached",
                    "on_limiter_unreachable = \"fail-open\" or \"fail-closed\"",
                )
            })?;
            let timeout_ms = match &g.limiter_timeout_ms {
                Some(t) => c.at_most(t, &setting.field("limiter_timeout_ms"), 60_000, "ms")?,
                None => DEFAULT_LIMITER_TIMEOUT_MS,
            };
            let on_unreachable = match on_unreachable.get_ref() {
                FailModeName::FailOpen => FailMode::Open,
                FailModeName::FailClosed => FailMode::Closed,
            };
            Strategy::Central { limiter: limiter.clone(), timeout_ms, on_unreachable }
        }
        StrategyName::Sync => {
            let interval = g.sync_interval_ms.as_ref().ok_or_else(|| {
                c.error(
                    setting.span.clone(),
                    &setting.field("sync_interval_ms"),
                    "the sync strategy needs an interval",
                    "sync_interval_ms = <milliseconds>",
                )
            })?;
            let interval_ms = c.at_most(interval, &setting.field("sync_interval_ms"), 60_000, "ms")?;
            let stale_after_ms = match &g.peer_stale_after_ms {
                Some(s) => c.at_most(s, &setting.field("peer_stale_after_ms"), MAX_TIMEOUT_MS, "ms")?,
                None => interval_ms * 4,
            };
            let silent_peer = match g.silent_peer_counts_as.as_ref().map(|s| *s.get_ref()) {
                None | Some(SilentPeerName::LastReport) => SilentPeer::LastReport,
                Some(SilentPeerName::FairShare) => SilentPeer::FairShare,
            };
            let peers = cx.topology.nodes_of_kind(GATEWAY).iter().filter(|n| *n != cx.name).cloned().collect();
            Strategy::Sync { peers, interval_ms, stale_after_ms, silent_peer }
        }
    })
}

/// Safety: admitted requests per key in any sliding window of 1 s stay within the limit plus
/// the tolerance the design allows — wider, where the file says so, while a fault lasts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConformance {
    limit_per_second: Spanned<u64>,
    tolerance_pct: Option<Spanned<Number>>,
    #[serde(default)]
    during: Vec<RawTolerancePeriod>,
}

/// `[[checks.limit-conformance.during]]`: the tolerance for windows overlapping a period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTolerancePeriod {
    from_ms: Spanned<u64>,
    to_ms: Spanned<u64>,
    tolerance_pct: Spanned<Number>,
}

#[derive(Debug)]
struct Conformance {
    limit_per_second: u64,
    tolerance: checks::Tolerance,
}

fn tolerance(cx: &CheckCx<'_>, value: &Spanned<Number>, field: &str) -> Checked<Decimal> {
    match Decimal::from_f64(value.get_ref().0).filter(|d| d.is_at_most_ratio(100, 1)) {
        Some(d) => Ok(d),
        None => Err(cx.checker.error(
            value.span(),
            &cx.field(field),
            "not a usable tolerance",
            "a percentage from 0 to 100, with at most 6 decimal places",
        )),
    }
}

impl CheckSettings for RawConformance {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let base = match &self.tolerance_pct {
            None => Decimal::whole(0),
            Some(t) => tolerance(cx, t, "tolerance_pct")?,
        };
        let mut during = Vec::new();
        for (i, period) in self.during.iter().enumerate() {
            let field = |f: &str| format!("during[{i}].{f}");
            let from_ms = cx.within_run(&period.from_ms, &field("from_ms"))?;
            let to_ms = cx.within_run(&period.to_ms, &field("to_ms"))?;
            if to_ms <= from_ms {
                return Err(cx.checker.error(
                    period.to_ms.span(),
                    &cx.field(&field("to_ms")),
                    "the period ends before it starts",
                    format!("a time after from_ms ({from_ms})"),
                ));
            }
            during.push((
                from_ms * 1_000,
                to_ms * 1_000,
                tolerance(cx, &period.tolerance_pct, &field("tolerance_pct"))?,
            ));
        }
        let limit_per_second = limit(cx.checker, &self.limit_per_second, &cx.field("limit_per_second"))?;
        Ok(Arc::new(Conformance { limit_per_second, tolerance: checks::Tolerance { base, during } }))
    }
}

impl Check for Conformance {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::conformance(&run.events, self.limit_per_second, &self.tolerance)
    }
}

/// Liveness: in every second where a key's offered load reaches the limit, at least
/// `min_pct` of the limit is admitted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUtilization {
    limit_per_second: Spanned<u64>,
    min_pct: Spanned<Number>,
}

#[derive(Debug)]
struct Utilization {
    limit_per_second: u64,
    min_pct: Decimal,
}

impl CheckSettings for RawUtilization {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let min_pct = cx.checker.percentage(&self.min_pct, &cx.field("min_pct"))?;
        let limit_per_second = limit(cx.checker, &self.limit_per_second, &cx.field("limit_per_second"))?;
        Ok(Arc::new(Utilization { limit_per_second, min_pct }))
    }
}

impl Check for Utilization {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::utilization(&run.events, self.limit_per_second, self.min_pct, run.simulated_ms)
    }
}

//! The connection-pool family: clients spreading requests over backends through pooled
//! connections whose transport — connect timeout, HTTP/2 keepalive, per-call deadline — is the
//! variant's. Node logic: `nodes::pool`; the backends are the DNS family's `backend` kind, and
//! the `availability` check is the DNS family's too (both read `service-result` records).
//!
//! File tables: `[nodes.pool-client]`; the variant setting `transport = { deadline_ms,
//! connect_timeout_ms, keepalive_ms, keepalive_timeout_ms }`; the checks `request-deadline`
//! and `dead-connection-detection`.

mod checks;

use crate::checks::Outcome;
use crate::engine::{Keepalive, RunResult, Transport};
use crate::family::{
    Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef, Phase,
    Setting,
};
use crate::scenario::format::{one, Number};
use nodes::pool::{PoolClient, PoolClientConfig};
use nodes::records::pool as records;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const POOL_CLIENT: &str = "pool-client";
const BACKEND: &str = super::dns::BACKEND;

pub static FAMILY: Family = Family {
    name: "connection-pool",
    node_kinds: &[NodeKindDef::new::<RawPoolClients>(POOL_CLIENT)
        .with_load(&["count", "requests_per_second"])
        .with_records(records::POOL_CLIENT_RECORDS)],
    settings: &[TRANSPORT.def()],
    checks: &[
        CheckDef::new::<RawRequestDeadline>("request-deadline", Phase::Liveness),
        CheckDef::new::<RawDetection>("dead-connection-detection", Phase::Liveness),
    ],
};

const MAX_TIME_MS: u64 = 600_000;

/// How a variant's clients use their connections.
const TRANSPORT: Setting<RawTransport> = Setting::new(
    "transport",
    "how the clients dial, keep alive and wait on their connections",
    "transport = { deadline_ms = <ms, 0: none>, connect_timeout_ms = <ms>, keepalive_ms = <ms, 0: none>, keepalive_timeout_ms = <ms> }",
    &[POOL_CLIENT],
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransport {
    deadline_ms: Spanned<u64>,
    connect_timeout_ms: Spanned<u64>,
    keepalive_ms: Spanned<u64>,
    keepalive_timeout_ms: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoolClients {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    backends: Spanned<Vec<Spanned<String>>>,
    requests_per_second: Spanned<Number>,
    eject_ms: Spanned<u64>,
}

impl NodeGroup for RawPoolClients {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        if self.backends.get_ref().is_empty() {
            let expected = "backends = [\"<backend>\", …]";
            return Err(c.error(self.backends.span(), &cx.field("backends"), "a pool with no backend", expected));
        }
        let backends = self
            .backends
            .get_ref()
            .iter()
            .map(|b| c.node_of_kind(b, &cx.field("backends"), BACKEND))
            .collect::<Checked<Vec<String>>>()?;
        let setting = cx.setting(&TRANSPORT)?;
        let t = setting.value;
        let ms = |value: &Spanned<u64>, name: &str| c.up_to(value, &setting.field(name), MAX_TIME_MS, "ms");
        let deadline_ms = ms(&t.deadline_ms, "deadline_ms")?;
        let keepalive_ms = ms(&t.keepalive_ms, "keepalive_ms")?;
        let transport = Transport {
            connect_timeout_ms: c.at_most(
                &t.connect_timeout_ms,
                &setting.field("connect_timeout_ms"),
                MAX_TIME_MS,
                "ms",
            )?,
            keepalive: match keepalive_ms {
                0 => None,
                interval_ms => Some(Keepalive {
                    interval_ms,
                    timeout_ms: c.at_most(
                        &t.keepalive_timeout_ms,
                        &setting.field("keepalive_timeout_ms"),
                        MAX_TIME_MS,
                        "ms",
                    )?,
                }),
            },
        };
        let config = PoolClientConfig {
            backends,
            requests_per_second: c.rate(&self.requests_per_second, &cx.field("requests_per_second"))?,
            deadline_ms: (deadline_ms > 0).then_some(deadline_ms),
            eject_ms: c.at_most(&self.eject_ms, &cx.field("eject_ms"), MAX_TIME_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, PoolClient::new).with_transport(transport))
    }
}

/// Liveness: no request took longer than `deadline_ms`, finished or not.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequestDeadline {
    deadline_ms: Spanned<u64>,
}

#[derive(Debug)]
struct RequestDeadline {
    deadline_ms: u64,
}

impl CheckSettings for RawRequestDeadline {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let deadline_ms = cx.checker.at_most(&self.deadline_ms, &cx.field("deadline_ms"), MAX_TIME_MS, "ms")?;
        Ok(Arc::new(RequestDeadline { deadline_ms }))
    }
}

impl Check for RequestDeadline {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::request_deadline(&run.events, run.simulated_ms * 1_000, self.deadline_ms * 1_000)
    }
}

/// Liveness: after a backend is black-holed, each client that was using it ejects it within
/// `within_ms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetection {
    within_ms: Spanned<u64>,
}

#[derive(Debug)]
struct Detection {
    within_ms: u64,
}

impl CheckSettings for RawDetection {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let within_ms = cx.checker.at_most(&self.within_ms, &cx.field("within_ms"), MAX_TIME_MS, "ms")?;
        Ok(Arc::new(Detection { within_ms }))
    }
}

impl Check for Detection {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::dead_connection_detection(&run.events, run.simulated_ms * 1_000, self.within_ms * 1_000)
    }
}

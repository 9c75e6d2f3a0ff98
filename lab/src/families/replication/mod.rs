//! The replication family: KV clients, replicas replicating a log under one primary, and a
//! failover controller. Node logic: `nodes::replication`; messages:
//! `proto/proto/replication.proto`.
//!
//! File tables: `[nodes.kv-client]`, `[nodes.replica]`, `[nodes.controller]`; the variant
//! setting `replication = { commit, fsync, fencing, reads }`; the checks `linearizable`,
//! `durability`, `single-primary` and `write-availability`.

mod checks;
mod linearizable;

use crate::checks::{Decimal, Outcome};
use crate::engine::RunResult;
use crate::family::{
    ByEvents, Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef,
    Phase, Setting,
};
use crate::scenario::format::{one, Number};
use crate::scenario::Checker;
use nodes::records::replication as records;
use nodes::replication::controller::{Controller, ControllerConfig};
use nodes::replication::kv_client::{KvClient, KvClientConfig};
use nodes::replication::replica::{CommitRule, Replica, ReplicaConfig};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const KV_CLIENT: &str = "kv-client";
pub const REPLICA: &str = "replica";
pub const CONTROLLER: &str = "controller";

pub static FAMILY: Family = Family {
    name: "replication",
    node_kinds: &[
        NodeKindDef::new::<RawKvClients>(KV_CLIENT)
            .with_load(&["count", "ops_per_second"])
            .with_records(records::KV_CLIENT_RECORDS),
        NodeKindDef::new::<RawReplicas>(REPLICA).with_records(records::REPLICA_RECORDS),
        NodeKindDef::new::<RawControllers>(CONTROLLER).with_records(records::CONTROLLER_RECORDS),
    ],
    settings: &[REPLICATION.def()],
    checks: &[
        CheckDef::new::<RawLinearizable>("linearizable", Phase::Safety),
        CheckDef::new::<RawDurability>("durability", Phase::Safety),
        CheckDef::new::<RawSinglePrimary>("single-primary", Phase::Safety),
        CheckDef::new::<RawWriteAvailability>("write-availability", Phase::Liveness),
    ],
};

const MAX_TIME_MS: u64 = 600_000;
const MAX_KEYS: u64 = 1_000;

/// How a variant replicates: when a write is acknowledged, whether replicas fsync first,
/// whether they fence a deposed primary, where reads go.
const REPLICATION: Setting<RawReplication> = Setting::new(
    "replication",
    "how the replicas replicate and the clients read",
    "replication = { commit = \"majority\" | \"all\" | \"primary-only\", fsync = \"before-ack\" | \"every-second\", fencing = true | false, reads = \"primary\" | \"any-replica\" }",
    &[KV_CLIENT, REPLICA],
);

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawCommit {
    Majority,
    All,
    PrimaryOnly,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawFsync {
    BeforeAck,
    EverySecond,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawReads {
    Primary,
    AnyReplica,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplication {
    commit: RawCommit,
    fsync: RawFsync,
    fencing: bool,
    reads: RawReads,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMix {
    read: Spanned<u32>,
    write: Spanned<u32>,
    cas: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKvClients {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    ops_per_second: Spanned<Number>,
    keys: Spanned<u64>,
    mix: Spanned<RawMix>,
    controller: Spanned<String>,
    timeout_ms: Spanned<u64>,
    refresh_ms: Spanned<u64>,
    audit_at_ms: Spanned<u64>,
}

impl NodeGroup for RawKvClients {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let mix = self.mix.get_ref();
        let mix = [*mix.read.get_ref(), *mix.write.get_ref(), *mix.cas.get_ref()];
        if mix.iter().all(|w| *w == 0) {
            return Err(c.error(
                self.mix.span(),
                &cx.field("mix"),
                "every weight is 0: the clients would do nothing",
                "weights like { read = 2, write = 2, cas = 1 } with at least one above 0",
            ));
        }
        let keys = c.at_most(&self.keys, &cx.field("keys"), MAX_KEYS, "keys")?;
        let replicas = cx.topology.nodes_of_kind(REPLICA).to_vec();
        if replicas.is_empty() {
            return Err(c.error(
                self.name.span(),
                &cx.field("name"),
                "KV clients need replicas to talk to, and the scenario has none",
                "a [nodes.replica] table",
            ));
        }
        let replication = &cx.setting(&REPLICATION)?.value;
        let config = KvClientConfig {
            name: cx.name.to_owned(),
            controller: c.node_of_kind(&self.controller, &cx.field("controller"), CONTROLLER)?,
            replicas,
            keys: (1..=keys).map(|k| format!("k{k}")).collect(),
            mix,
            ops_per_second: c.rate(&self.ops_per_second, &cx.field("ops_per_second"))?,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIME_MS, "ms")?,
            refresh_ms: c.at_most(&self.refresh_ms, &cx.field("refresh_ms"), MAX_TIME_MS, "ms")?,
            audit_at_ms: c.up_to(&self.audit_at_ms, &cx.field("audit_at_ms"), u64::MAX, "ms")?,
            reads_to_any_replica: matches!(replication.reads, RawReads::AnyReplica),
        };
        Ok(NodeBuilder::new(config, KvClient::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplicas {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    heartbeat_ms: Spanned<u64>,
    rpc_timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawReplicas {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let replication = &cx.setting(&REPLICATION)?.value;
        let config = ReplicaConfig {
            peers: cx.topology.nodes_of_kind(REPLICA).iter().filter(|n| *n != cx.name).cloned().collect(),
            commit: match replication.commit {
                RawCommit::Majority => CommitRule::Majority,
                RawCommit::All => CommitRule::All,
                RawCommit::PrimaryOnly => CommitRule::PrimaryOnly,
            },
            fsync_before_ack: matches!(replication.fsync, RawFsync::BeforeAck),
            fencing: replication.fencing,
            follower_reads: matches!(replication.reads, RawReads::AnyReplica),
            heartbeat_ms: c.at_most(&self.heartbeat_ms, &cx.field("heartbeat_ms"), MAX_TIME_MS, "ms")?,
            rpc_timeout_ms: c.at_most(&self.rpc_timeout_ms, &cx.field("rpc_timeout_ms"), MAX_TIME_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, Replica::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControllers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    health_interval_ms: Spanned<u64>,
    health_timeout_ms: Spanned<u64>,
    failures_before_failover: Spanned<u64>,
    rpc_timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawControllers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        cx.single(&self.count, "failover controller")?;
        let replicas = cx.topology.nodes_of_kind(REPLICA).to_vec();
        if replicas.is_empty() {
            return Err(c.error(
                self.name.span(),
                &cx.field("name"),
                "a controller needs replicas to fail over, and the scenario has none",
                "a [nodes.replica] table",
            ));
        }
        let config = ControllerConfig {
            replicas,
            health_interval_ms: c.at_most(
                &self.health_interval_ms,
                &cx.field("health_interval_ms"),
                MAX_TIME_MS,
                "ms",
            )?,
            health_timeout_ms: c.at_most(&self.health_timeout_ms, &cx.field("health_timeout_ms"), MAX_TIME_MS, "ms")?,
            failures_before_failover: c.at_most(
                &self.failures_before_failover,
                &cx.field("failures_before_failover"),
                1_000,
                "checks",
            )? as u32,
            rpc_timeout_ms: c.at_most(&self.rpc_timeout_ms, &cx.field("rpc_timeout_ms"), MAX_TIME_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, Controller::new))
    }
}

/// Safety: the clients' history is linearizable, key by key, against a register with
/// compare-and-set. `max_states` bounds the search; running out is inconclusive, never a pass.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinearizable {
    #[serde(default = "default_max_states")]
    max_states: Spanned<u64>,
}

fn default_max_states() -> Spanned<u64> {
    Spanned::new(0..0, 2_000_000)
}

#[derive(Debug)]
struct Linearizable {
    max_states: u64,
}

impl CheckSettings for RawLinearizable {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let max_states = cx.checker.at_most(&self.max_states, &cx.field("max_states"), 100_000_000, "states")?;
        Ok(Arc::new(Linearizable { max_states }))
    }
}

impl Check for Linearizable {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        linearizable::linearizable(&run.events, self.max_states)
    }
}

/// Safety: every write a client was told succeeded is in the primary's committed log when the
/// clients audit it at the end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDurability {}

impl CheckSettings for RawDurability {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ByEvents(checks::durability)))
    }
}

/// Safety: one node acknowledged writes per epoch, and none after its successor's promotion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSinglePrimary {}

impl CheckSettings for RawSinglePrimary {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ByEvents(checks::single_primary)))
    }
}

/// Liveness: of the writes and compare-and-sets clients started in [from_ms, to_ms), at least
/// `min_pct` got a definite answer (ok, or a cas that did not match).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWriteAvailability {
    from_ms: Spanned<u64>,
    to_ms: Spanned<u64>,
    min_pct: Spanned<Number>,
}

#[derive(Debug)]
struct WriteAvailability {
    from_ms: u64,
    to_ms: u64,
    min_pct: Decimal,
}

impl CheckSettings for RawWriteAvailability {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let from_ms = cx.within_run(&self.from_ms, "from_ms")?;
        let to_ms = cx.within_run(&self.to_ms, "to_ms")?;
        if to_ms <= from_ms {
            return Err(window_error(cx.checker, &self.to_ms, &cx.field("to_ms"), from_ms));
        }
        let min_pct = cx.checker.percentage(&self.min_pct, &cx.field("min_pct"))?;
        Ok(Arc::new(WriteAvailability { from_ms, to_ms, min_pct }))
    }
}

fn window_error(checker: &Checker<'_>, to_ms: &Spanned<u64>, field: &str, from_ms: u64) -> crate::scenario::Diagnostic {
    checker.error(to_ms.span(), field, "the window ends before it starts", format!("a time after from_ms ({from_ms})"))
}

impl Check for WriteAvailability {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::write_availability(&run.events, self.from_ms, self.to_ms, self.min_pct)
    }
}

//! The distributed-lock family: a lock server granting leases with fencing tokens, workers
//! doing a read-modify-write on one stored value under the lock, and the storage. Node logic:
//! `nodes::lock`; messages: `proto/proto/lock.proto`.
//!
//! File tables: `[nodes.lock-server]`, `[nodes.worker]`, `[nodes.storage]`; the variant
//! setting `lock = { fencing, leases_expire, worker_deadline }`; the checks
//! `mutual-exclusion`, `fenced-writes` and `lock-liveness`.

mod checks;

use crate::checks::Outcome;
use crate::engine::RunResult;
use crate::family::{
    ByEvents, Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef,
    Phase, Setting,
};
use crate::scenario::format::one;
use nodes::lock::server::{LockServer, LockServerConfig};
use nodes::lock::storage::{Storage, StorageConfig};
use nodes::lock::worker::{LeaseDeadline, Worker, WorkerConfig};
use nodes::records::lock as records;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const LOCK_SERVER: &str = "lock-server";
pub const WORKER: &str = "worker";
pub const STORAGE: &str = "storage";

pub static FAMILY: Family = Family {
    name: "distributed-lock",
    node_kinds: &[
        NodeKindDef::new::<RawLockServers>(LOCK_SERVER).with_records(records::LOCK_SERVER_RECORDS),
        NodeKindDef::new::<RawWorkers>(WORKER).with_load(&["count"]).with_records(records::WORKER_RECORDS),
        NodeKindDef::new::<RawStorages>(STORAGE).with_records(records::STORAGE_RECORDS),
    ],
    settings: &[LOCK.def()],
    checks: &[
        CheckDef::new::<RawMutualExclusion>("mutual-exclusion", Phase::Safety),
        CheckDef::new::<RawFencedWrites>("fenced-writes", Phase::Safety),
        CheckDef::new::<RawLockLiveness>("lock-liveness", Phase::Liveness),
    ],
};

const MAX_TIME_MS: u64 = 600_000;

/// How a variant guards the lock: whether the storage checks fencing tokens, whether leases
/// end by themselves, and how workers judge whether their lease is still alive.
const LOCK: Setting<RawLock> = Setting::new(
    "lock",
    "how the storage, the lock server and the workers guard the lock",
    "lock = { fencing = true | false, leases_expire = true | false, worker_deadline = \"elapsed\" | \"server-timestamp\" }",
    &[LOCK_SERVER, WORKER, STORAGE],
);

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawDeadline {
    Elapsed,
    ServerTimestamp,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    fencing: bool,
    leases_expire: bool,
    worker_deadline: RawDeadline,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLockServers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    ttl_ms: Spanned<u64>,
}

impl NodeGroup for RawLockServers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        cx.single(&self.count, "lock server")?;
        let config = LockServerConfig {
            ttl_ms: cx.checker.at_most(&self.ttl_ms, &cx.field("ttl_ms"), MAX_TIME_MS, "ms")?,
            leases_expire: cx.setting(&LOCK)?.value.leases_expire,
        };
        Ok(NodeBuilder::new(config, LockServer::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    lock_server: Spanned<String>,
    storage: Spanned<String>,
    work_ms: Spanned<u64>,
    commit_ms: Spanned<u64>,
    renew_ms: Spanned<u64>,
    retry_ms: Spanned<u64>,
    timeout_ms: Spanned<u64>,
    drift_bound_ppm: Spanned<u64>,
    max_pause_ms: Spanned<u64>,
}

impl NodeGroup for RawWorkers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let ms = |value: &Spanned<u64>, name: &str| c.at_most(value, &cx.field(name), MAX_TIME_MS, "ms");
        let config = WorkerConfig {
            lock_server: c.node_of_kind(&self.lock_server, &cx.field("lock_server"), LOCK_SERVER)?,
            storage: c.node_of_kind(&self.storage, &cx.field("storage"), STORAGE)?,
            work_ms: ms(&self.work_ms, "work_ms")?,
            commit_ms: c.up_to(&self.commit_ms, &cx.field("commit_ms"), MAX_TIME_MS, "ms")?,
            renew_ms: ms(&self.renew_ms, "renew_ms")?,
            retry_ms: ms(&self.retry_ms, "retry_ms")?,
            timeout_ms: ms(&self.timeout_ms, "timeout_ms")?,
            drift_bound_ppm: c.up_to(&self.drift_bound_ppm, &cx.field("drift_bound_ppm"), 500_000, "millionths")?,
            max_pause_ms: c.up_to(&self.max_pause_ms, &cx.field("max_pause_ms"), MAX_TIME_MS, "ms")?,
            deadline: match cx.setting(&LOCK)?.value.worker_deadline {
                RawDeadline::Elapsed => LeaseDeadline::Elapsed,
                RawDeadline::ServerTimestamp => LeaseDeadline::ServerTimestamp,
            },
        };
        Ok(NodeBuilder::new(config, Worker::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorages {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
}

impl NodeGroup for RawStorages {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        cx.single(&self.count, "storage")?;
        let config = StorageConfig { fencing: cx.setting(&LOCK)?.value.fencing };
        Ok(NodeBuilder::new(config, Storage::new))
    }
}

/// Safety: no two holders' read-modify-writes interleave at the storage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMutualExclusion {}

impl CheckSettings for RawMutualExclusion {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ByEvents(checks::mutual_exclusion)))
    }
}

/// Safety: the storage never accepted a write with a stale fencing token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFencedWrites {}

impl CheckSettings for RawFencedWrites {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ByEvents(checks::fenced_writes)))
    }
}

/// Liveness: a lock whose holder crashed is granted again within `within_ms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLockLiveness {
    within_ms: Spanned<u64>,
}

#[derive(Debug)]
struct LockLiveness {
    within_ms: u64,
}

impl CheckSettings for RawLockLiveness {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let within_ms = cx.within_run(&self.within_ms, "within_ms")?;
        let within_ms = cx.checker.positive(&Spanned::new(self.within_ms.span(), within_ms), &cx.field("within_ms"))?;
        Ok(Arc::new(LockLiveness { within_ms }))
    }
}

impl Check for LockLiveness {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::lock_liveness(&run.events, run.simulated_ms * 1_000, self.within_ms * 1_000)
    }
}

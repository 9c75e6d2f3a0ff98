//! The failover controller (the part Patroni, Sentinel or an orchestrator plays): it
//! health-checks the primary, and when the primary fails enough checks in a row it starts a
//! new epoch and promotes a replica. It also tells clients who the primary is.
//!
//! A failover: bump the epoch and make it durable; ask every replica to adopt it (a replica
//! that does stops taking appends from older epochs — this is what fences the old primary, if
//! the replicas check); once every replica has answered or timed out, and if a majority
//! adopted the epoch, promote the first replica in priority order among those, telling it which answering replica has the most up-to-date log (highest
//! last epoch, then highest last index) to copy from first. Waiting for a majority is what
//! makes that copy hold every committed entry: a committed entry is on a majority too, and two
//! majorities share a replica.

use crate::records::replication::{EPOCH, FAILOVER, PRIMARY, PROMOTED};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use proto::replication::{Health, HealthReply, NewEpoch, Position, PrimaryIs, Promote, Promoted};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ControllerConfig {
    /// Every replica, in promotion priority order.
    pub replicas: Vec<String>,
    pub health_interval_ms: u64,
    pub health_timeout_ms: u64,
    /// Consecutive failed health checks before a failover.
    pub failures_before_failover: u32,
    pub rpc_timeout_ms: u64,
}

const HEALTH_TIMER: u64 = 0;
const RETRY_TIMER: u64 = 1;
/// Call tags: the health check, then per-epoch calls as `epoch << 8 | what`.
const HEALTH_TAG: u64 = 0;
const PROMOTE_CALL: u64 = 0xff;
const EPOCH_KEY: &str = "epoch";

enum Phase {
    /// The durable epoch write for a new election is on its way to the disk.
    Syncing,
    /// Asking the replicas to adopt `epoch`: those that did, with their log positions.
    Electing {
        answers: usize,
        positions: BTreeMap<String, (u64, u64)>,
    },
    Promoting {
        replica: String,
    },
    Monitoring {
        failures: u32,
    },
}

pub struct Controller {
    config: ControllerConfig,
    epoch: u64,
    primary: Option<String>,
    phase: Phase,
    /// The highest epoch any replica has said it follows: the next election starts above it.
    highest_seen: u64,
}

impl Controller {
    pub fn new(config: ControllerConfig) -> Self {
        Self { config, epoch: 0, primary: None, phase: Phase::Syncing, highest_seen: 0 }
    }

    fn majority(&self) -> usize {
        self.config.replicas.len() / 2 + 1
    }

    fn start_election(&mut self, out: &mut Out) {
        self.epoch = self.epoch.max(self.highest_seen) + 1;
        self.primary = None;
        self.phase = Phase::Syncing;
        // A restarted controller must never reuse an epoch it has handed out.
        out.write(EPOCH_KEY, self.epoch.to_be_bytes().to_vec());
        out.fsync(self.epoch);
    }

    fn ask_replicas(&mut self, out: &mut Out) {
        self.phase = Phase::Electing { answers: 0, positions: BTreeMap::new() };
        for (i, replica) in self.config.replicas.iter().enumerate() {
            let body = Body::NewEpoch(NewEpoch { epoch: self.epoch });
            out.call(replica, self.epoch << 8 | i as u64, body, self.config.rpc_timeout_ms);
        }
    }

    fn on_position(&mut self, replica: usize, result: Result<Body, CallError>, out: &mut Out) {
        let majority = self.majority();
        let Phase::Electing { answers, positions } = &mut self.phase else { return };
        *answers += 1;
        match result {
            Ok(Body::Position(Position { accepted: true, last_index, last_epoch, .. })) => {
                positions.insert(self.config.replicas[replica].clone(), (last_epoch, last_index));
            }
            Ok(Body::Position(Position { accepted: false, epoch, .. })) => {
                self.highest_seen = self.highest_seen.max(epoch);
            }
            _ => {}
        }
        // Every replica answers or times out before the choice: the choice must not depend on
        // which answers happened to arrive first.
        if *answers < self.config.replicas.len() {
            return;
        }
        if positions.len() >= majority {
            let positions = std::mem::take(positions);
            self.promote(&positions, out);
        } else {
            // No majority answered: try again with a fresh epoch after a pause.
            out.set_timer(RETRY_TIMER, self.config.health_interval_ms);
        }
    }

    fn promote(&mut self, positions: &BTreeMap<String, (u64, u64)>, out: &mut Out) {
        let chosen =
            self.config.replicas.iter().find(|r| positions.contains_key(*r)).expect("a majority answered").clone();
        let best = positions.values().max().expect("a majority answered");
        // The chosen one copies from the first, in priority order, that has the best log.
        let source = self
            .config
            .replicas
            .iter()
            .find(|r| positions.get(*r) == Some(best))
            .filter(|source| **source != chosen)
            .cloned()
            .unwrap_or_default();
        let body = Body::Promote(Promote { epoch: self.epoch, source: source.clone() });
        out.call(&chosen, self.epoch << 8 | PROMOTE_CALL, body, self.config.rpc_timeout_ms * 4);
        self.phase = Phase::Promoting { replica: chosen };
    }

    fn on_promoted(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let Phase::Promoting { replica } = &self.phase else { return };
        if let Ok(Body::Promoted(Promoted { ok: true })) = result {
            out.record(Record::info(PROMOTED).with(PRIMARY, replica.as_str()).with(EPOCH, self.epoch));
            self.primary = Some(replica.clone());
            self.phase = Phase::Monitoring { failures: 0 };
        } else {
            out.set_timer(RETRY_TIMER, self.config.health_interval_ms);
        }
    }

    fn on_health(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let threshold = self.config.failures_before_failover;
        let epoch = self.epoch;
        let Phase::Monitoring { failures } = &mut self.phase else { return };
        let healthy = matches!(result, Ok(Body::HealthReply(HealthReply { primary: true, epoch: e })) if e == epoch);
        *failures = if healthy { 0 } else { *failures + 1 };
        if *failures >= threshold {
            let failed = self.primary.clone().unwrap_or_default();
            self.start_election(out);
            out.record(Record::warn(FAILOVER).with(PRIMARY, failed).with(EPOCH, self.epoch));
        }
    }

    fn on_request(&mut self, id: RequestId, body: Body, out: &mut Out) {
        match body {
            Body::WhoIsPrimary(_) => {
                let primary = self.primary.clone().unwrap_or_default();
                out.reply(id, Body::PrimaryIs(PrimaryIs { primary, epoch: self.epoch }));
            }
            other => out.record(Record::warn("unexpected-message").with("body", other.name())),
        }
    }
}

impl Node for Controller {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { disk } => {
                self.epoch = disk
                    .get(EPOCH_KEY)
                    .and_then(|b| Some(u64::from_be_bytes(b.as_slice().try_into().ok()?)))
                    .unwrap_or(0);
                out.set_timer(HEALTH_TIMER, self.config.health_interval_ms);
                self.start_election(out);
            }
            Input::Synced { tag } if tag == self.epoch && matches!(self.phase, Phase::Syncing) => {
                self.ask_replicas(out)
            }
            Input::Synced { .. } | Input::Datagram { .. } => {}
            Input::Timer { tag: HEALTH_TIMER } => {
                if let (Phase::Monitoring { .. }, Some(primary)) = (&self.phase, &self.primary) {
                    out.call(primary, HEALTH_TAG, Body::Health(Health {}), self.config.health_timeout_ms);
                }
                out.set_timer(HEALTH_TIMER, self.config.health_interval_ms);
            }
            Input::Timer { tag: RETRY_TIMER } => {
                if !matches!(self.phase, Phase::Monitoring { .. }) {
                    self.start_election(out);
                }
            }
            Input::Timer { .. } => {}
            Input::CallResult { tag: HEALTH_TAG, result } => self.on_health(result, out),
            // Answers from an earlier election are stale.
            Input::CallResult { tag, .. } if tag >> 8 != self.epoch => {}
            Input::CallResult { tag, result } if tag & 0xff == PROMOTE_CALL => self.on_promoted(result, out),
            Input::CallResult { tag, result } => self.on_position((tag & 0xff) as usize, result, out),
            Input::Request { id, body, .. } => self.on_request(id, body, out),
        }
    }
}

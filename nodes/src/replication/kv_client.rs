//! A key-value client in the style of Jepsen's: at most one operation outstanding, a random
//! (Poisson) pause between operations, a timeout after which the outcome is unknown — the write
//! may or may not have happened, and the history says so.
//!
//! Operations are reads, writes and compare-and-sets on a few keys; every written value is the
//! op's own id, so a read names exactly which write it saw. A cas expects the value this client
//! last saw for the key. The client asks the controller who the primary is when it starts,
//! after any failure, and every `refresh_ms` (as a client of a service registry would). At
//! `audit_at_ms` it stops and asks the primary which ops its log has committed: the durability
//! check compares that with what clients were told.
//!
//! Records: `kv-call` and `kv-return` (outcome `ok`, `fail` — the op certainly did nothing — or
//! `unknown`), and `audit`.

use crate::client::poisson_gap_ms;
use crate::records::replication::{
    AUDIT, CAS_MISMATCH, EXPECT, F, FAIL, KEY, KV_CALL, KV_RETURN, NOT_PRIMARY, OK, OP, OPS, OUTCOME, REASON, SENT_MS,
    UNKNOWN, VALUE,
};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::replication::{Audit, AuditReply, KvOp, KvReply, KvRequest, PrimaryIs, WhoIsPrimary};
use rand::Rng;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct KvClientConfig {
    /// This node's name, which prefixes its op ids ("kv-client-2:17").
    pub name: String,
    pub controller: String,
    pub replicas: Vec<String>,
    pub keys: Vec<String>,
    /// Weights of reads, writes and compare-and-sets.
    pub mix: [u32; 3],
    pub ops_per_second: f64,
    pub timeout_ms: u64,
    pub refresh_ms: u64,
    pub audit_at_ms: u64,
    /// Send reads to any replica, not only the primary (what the follower-reads bug needs).
    pub reads_to_any_replica: bool,
}

const NEXT_OP_TIMER: u64 = 0;
const REFRESH_TIMER: u64 = 1;
const AUDIT_TIMER: u64 = 2;
const OP_TAG: u64 = 0;
const LOOKUP_TAG: u64 = 1;
const AUDIT_TAG: u64 = 2;
/// How long to wait before asking again when there is no primary to ask.
const RETRY_MS: u64 = 100;

const KINDS: [&str; 3] = ["read", "write", "cas"];

pub struct KvClient {
    config: KvClientConfig,
    primary: Option<String>,
    ops: u64,
    in_flight: Option<KvOp>,
    /// The value this client last saw for each key (`None`: unset), what its cas expects.
    seen: BTreeMap<String, Option<String>>,
    /// When it sent the audit in flight: the durability check judges only acks before it.
    auditing_since: Option<u64>,
    done: bool,
}

impl KvClient {
    pub fn new(config: KvClientConfig) -> Self {
        assert!(config.ops_per_second > 0.0 && !config.keys.is_empty() && config.mix.iter().any(|w| *w > 0));
        Self {
            config,
            primary: None,
            ops: 0,
            in_flight: None,
            seen: BTreeMap::new(),
            auditing_since: None,
            done: false,
        }
    }

    fn look_up_primary(&self, out: &mut Out) {
        out.call(&self.config.controller, LOOKUP_TAG, Body::WhoIsPrimary(WhoIsPrimary {}), self.config.timeout_ms);
    }

    fn schedule_next_op(&self, ctx: &mut Ctx<'_>, out: &mut Out) {
        out.set_timer(NEXT_OP_TIMER, poisson_gap_ms(ctx, self.config.ops_per_second).max(1));
    }

    fn pick_kind(&self, ctx: &mut Ctx<'_>) -> &'static str {
        let total: u32 = self.config.mix.iter().sum();
        let mut ticket = ctx.rng.random_range(0..total);
        for (kind, weight) in KINDS.iter().zip(self.config.mix) {
            if ticket < weight {
                return kind;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the total weight")
    }

    fn send_op(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        let kind = self.pick_kind(ctx);
        let key = self.config.keys[ctx.rng.random_range(0..self.config.keys.len())].clone();
        let target = if kind == "read" && self.config.reads_to_any_replica {
            Some(self.config.replicas[ctx.rng.random_range(0..self.config.replicas.len())].clone())
        } else {
            self.primary.clone()
        };
        let Some(target) = target else {
            self.look_up_primary(out);
            out.set_timer(NEXT_OP_TIMER, RETRY_MS);
            return;
        };
        self.ops += 1;
        let op_id = format!("{}:{}", self.config.name, self.ops);
        let op = KvOp {
            value: if kind == "read" { String::new() } else { op_id.clone() },
            expect: if kind == "cas" { self.seen.get(&key).cloned().flatten() } else { None },
            op_id,
            kind: kind.to_owned(),
            key,
        };
        let mut record = Record::info(KV_CALL).with(OP, op.op_id.as_str()).with(F, kind).with(KEY, op.key.as_str());
        if kind != "read" {
            record = record.with(VALUE, op.value.as_str());
        }
        if let Some(expect) = &op.expect {
            record = record.with(EXPECT, expect.as_str());
        }
        out.record(record);
        out.call(&target, OP_TAG, Body::KvRequest(KvRequest { op: Some(op.clone()) }), self.config.timeout_ms);
        self.in_flight = Some(op);
    }

    fn on_op_result(&mut self, ctx: &mut Ctx<'_>, result: Result<Body, CallError>, out: &mut Out) {
        let Some(op) = self.in_flight.take() else { return };
        // (outcome, why it failed or is unknown, a read's value)
        let (outcome, reason, value) = match result {
            Ok(Body::KvReply(KvReply { outcome, value })) => match outcome.as_str() {
                OK => (OK, None, value),
                FAIL => (FAIL, Some(CAS_MISMATCH), None),
                // The replica did nothing with it: it is not (or no longer) the primary.
                NOT_PRIMARY => (FAIL, Some(NOT_PRIMARY), None),
                _ => (UNKNOWN, Some("stepped-down"), None),
            },
            // No answer: the op may have been applied or not.
            Ok(_) => (UNKNOWN, Some("bad-reply"), None),
            Err(CallError::Timeout) => (UNKNOWN, Some("timeout"), None),
            Err(CallError::Unreachable) => (UNKNOWN, Some("unreachable"), None),
            Err(CallError::Failed(_)) => (UNKNOWN, Some("error"), None),
        };
        let mut record = Record::info(KV_RETURN).with(OP, op.op_id.as_str()).with(OUTCOME, outcome);
        if let Some(reason) = reason {
            record = record.with(REASON, reason);
        }
        if let Some(value) = &value {
            record = record.with(VALUE, value.as_str());
        }
        out.record(record);
        if outcome == OK {
            let seen = if op.kind == "read" { value } else { Some(op.value) };
            self.seen.insert(op.key, seen);
        } else {
            self.look_up_primary(out);
        }
        if !self.done {
            self.schedule_next_op(ctx, out);
        }
    }

    fn send_audit(&mut self, ctx: &Ctx<'_>, out: &mut Out) {
        let Some(primary) = self.primary.clone() else {
            self.look_up_primary(out);
            out.set_timer(AUDIT_TIMER, RETRY_MS);
            return;
        };
        self.auditing_since = Some(ctx.now_ms);
        out.call(&primary, AUDIT_TAG, Body::Audit(Audit {}), self.config.timeout_ms);
    }

    fn on_audit_result(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let Some(sent_ms) = self.auditing_since.take() else { return };
        match result {
            Ok(Body::AuditReply(AuditReply { ok: true, op_ids })) => {
                out.record(
                    Record::info(AUDIT)
                        .with(SENT_MS, sent_ms)
                        .with("count", op_ids.len() as u64)
                        .with(OPS, op_ids.join(",")),
                );
            }
            _ => {
                self.look_up_primary(out);
                out.set_timer(AUDIT_TIMER, RETRY_MS);
            }
        }
    }
}

impl Node for KvClient {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => {
                self.look_up_primary(out);
                self.schedule_next_op(ctx, out);
                out.set_timer(REFRESH_TIMER, self.config.refresh_ms);
                out.set_timer(AUDIT_TIMER, self.config.audit_at_ms.saturating_sub(ctx.now_ms));
            }
            Input::Timer { tag: NEXT_OP_TIMER } if !self.done && self.in_flight.is_none() => self.send_op(ctx, out),
            Input::Timer { tag: REFRESH_TIMER } => {
                self.look_up_primary(out);
                out.set_timer(REFRESH_TIMER, self.config.refresh_ms);
            }
            Input::Timer { tag: AUDIT_TIMER } => {
                self.done = true;
                self.send_audit(ctx, out);
            }
            Input::Timer { .. } => {}
            Input::CallResult { tag: OP_TAG, result } => self.on_op_result(ctx, result, out),
            Input::CallResult { tag: LOOKUP_TAG, result } => {
                if let Ok(Body::PrimaryIs(PrimaryIs { primary, .. })) = result {
                    if !primary.is_empty() {
                        self.primary = Some(primary);
                    }
                }
            }
            Input::CallResult { tag: AUDIT_TAG, result } => self.on_audit_result(result, out),
            Input::CallResult { .. } | Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

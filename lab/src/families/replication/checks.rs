//! Replication checks: what clients were told, against what the system kept.
//!
//! - Durability (safety): every write or cas a client was told succeeded is in the committed
//!   log the primary shows the clients' final audit.
//! - Single primary (safety): per epoch, one node acknowledged writes; no two nodes'
//!   acknowledging periods overlap in time.
//! - Write availability (liveness): the share of writes started in a window that got a
//!   definite answer.
//! - Linearizable (safety): in `linearizable.rs`.

use crate::checks::{seconds, Decimal, Outcome};
use crate::trace::Event;
use nodes::records::replication::{
    AUDIT, CAS_MISMATCH, EPOCH, F, FAIL, KV_CALL, KV_RETURN, OK, OP, OPS, OUTCOME, PRIMARY, PROMOTED, REASON, SENT_MS,
    WRITE_ACKED,
};
use std::collections::{BTreeMap, BTreeSet};

/// A client operation: its call and, if it ended, its return.
pub struct ClientOp<'a> {
    pub call: &'a Event,
    pub ret: Option<&'a Event>,
}

impl ClientOp<'_> {
    pub fn kind(&self) -> &str {
        self.call.str_field(F).unwrap_or_default()
    }

    pub fn outcome(&self) -> Option<&str> {
        self.ret.and_then(|r| r.str_field(OUTCOME))
    }

    fn is_write(&self) -> bool {
        self.kind() != "read"
    }
}

/// Every client operation, in call order, paired with its return by op id.
pub fn client_ops(events: &[Event]) -> Vec<ClientOp<'_>> {
    let mut ops = Vec::new();
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for event in events {
        match (event.kind(), event.str_field(OP)) {
            (KV_CALL, Some(op)) => {
                by_id.insert(op, ops.len());
                ops.push(ClientOp { call: event, ret: None });
            }
            (KV_RETURN, Some(op)) => {
                if let Some(&i) = by_id.get(op) {
                    ops[i].ret = Some(event);
                }
            }
            _ => {}
        }
    }
    ops
}

/// Witnesses: the first lost write's call, return and acknowledgement, and the audit.
pub fn durability(events: &[Event]) -> Outcome {
    let Some(audit) = events.iter().filter(|e| e.kind() == AUDIT).max_by_key(|e| e.seq) else {
        return Outcome::Inconclusive(
            "no client completed its audit of the committed log: nothing to hold acknowledged writes to".into(),
        );
    };
    // The client stamped the audit's send on its own clock; in true time it was sent that long
    // before the audit's record.
    let sent_ago_ms = audit.local_ms().saturating_sub(audit.u64_field(SENT_MS).unwrap_or(0));
    let audited_us = (audit.t_us / 1_000).saturating_sub(sent_ago_ms) * 1_000;
    let committed: BTreeSet<&str> = audit.str_field(OPS).unwrap_or_default().split(',').collect();
    let acked_by: BTreeMap<&str, &Event> =
        events.iter().filter(|e| e.kind() == WRITE_ACKED).filter_map(|e| Some((e.str_field(OP)?, e))).collect();
    let ops = client_ops(events);
    let acknowledged: Vec<&ClientOp> = ops
        .iter()
        .filter(|op| op.is_write() && op.outcome() == Some(OK) && op.ret.is_some_and(|r| r.t_us < audited_us))
        .collect();
    if acknowledged.is_empty() {
        return Outcome::Inconclusive(format!(
            "no write was acknowledged before the audit at {}: nothing to lose",
            seconds(audited_us)
        ));
    }
    let lost: Vec<&&ClientOp> =
        acknowledged.iter().filter(|op| !committed.contains(op.call.str_field(OP).unwrap_or_default())).collect();
    let audit_figure =
        format!("audit at {} ({} committed writes, from {})", seconds(audited_us), committed.len(), audit.node);
    let Some(first) = lost.first() else {
        return Outcome::Pass(format!(
            "all {} acknowledged writes are in the committed log; {audit_figure}",
            acknowledged.len()
        ));
    };
    let op = first.call.str_field(OP).unwrap_or_default();
    let ret = first.ret.expect("acknowledged ops returned");
    let by = match acked_by.get(op) {
        Some(ack) => format!("by {} in epoch {}", ack.node, ack.u64_field(EPOCH).unwrap_or(0)),
        None => "by a primary that recorded no acknowledgement".to_owned(),
    };
    let figure = format!(
        "{} of {} acknowledged writes lost (first: {op}, acknowledged at {} {by}); {audit_figure}",
        lost.len(),
        acknowledged.len(),
        seconds(ret.t_us),
    );
    let mut witnesses = vec![first.call.seq, ret.seq, audit.seq];
    witnesses.extend(acked_by.get(op).map(|e| e.seq));
    Outcome::fail(figure, witnesses)
}

/// Witnesses: the promotion that deposed the node, and its first acknowledgement after it (or
/// the first acknowledgements of the two nodes that shared an epoch).
pub fn single_primary(events: &[Event]) -> Outcome {
    // The controller's latest promotion so far: (its epoch, its record).
    let mut current: Option<(u64, &Event)> = None;
    // epoch → the node that acknowledged writes in it, and its first acknowledgement
    let mut acknowledger: BTreeMap<u64, (&str, &Event)> = BTreeMap::new();
    // (deposed node, its epoch, the promotion that deposed it) → its acknowledgements after it
    let mut stale: BTreeMap<(&str, u64, u64), Vec<&Event>> = BTreeMap::new();
    let mut writes = 0;
    for event in events {
        match event.kind() {
            PROMOTED => {
                let epoch = event.u64_field(EPOCH).unwrap_or(0);
                current = Some((epoch, event));
            }
            WRITE_ACKED => {
                writes += 1;
                let (node, epoch) = (&*event.node, event.u64_field(EPOCH).unwrap_or(0));
                let (first, first_ack) = *acknowledger.entry(epoch).or_insert((node, event));
                if first != node {
                    return Outcome::fail(
                        format!("epoch {epoch}: both {first} and {node} acknowledged writes"),
                        vec![first_ack.seq, event.seq],
                    );
                }
                if let Some((_, promotion)) = current.filter(|(newer, _)| *newer > epoch) {
                    stale.entry((node, epoch, promotion.seq)).or_default().push(event);
                }
            }
            _ => {}
        }
    }
    if writes == 0 {
        return Outcome::Inconclusive("no primary acknowledged a write: nothing to judge".into());
    }
    let promotions = events.iter().filter(|e| e.kind() == PROMOTED).count();
    let Some(((node, epoch, promotion_seq), acks)) = stale.into_iter().next() else {
        return Outcome::Pass(format!(
            "{} epochs with acknowledged writes, each by one primary, none after its successor was promoted ({writes} writes, {promotions} promotions)",
            acknowledger.len()
        ));
    };
    let promotion = events.iter().find(|e| e.seq == promotion_seq).expect("recorded above");
    Outcome::fail(
        format!(
            "two primaries at once: {node} (epoch {epoch}) acknowledged {} writes after {} became primary of epoch {} at {} (first at {})",
            acks.len(),
            promotion.str_field(PRIMARY).unwrap_or_default(),
            promotion.u64_field(EPOCH).unwrap_or(0),
            seconds(promotion.t_us),
            seconds(acks[0].t_us),
        ),
        vec![promotion.seq, acks[0].seq],
    )
}

/// Witnesses: the writes in the window that got no definite answer.
pub fn write_availability(events: &[Event], from_ms: u64, to_ms: u64, min_pct: Decimal) -> Outcome {
    let window = from_ms * 1_000..to_ms * 1_000;
    let ops = client_ops(events);
    let writes: Vec<&ClientOp> = ops.iter().filter(|op| op.is_write() && window.contains(&op.call.t_us)).collect();
    let span = format!("between {} and {}", seconds(window.start), seconds(window.end));
    if writes.is_empty() {
        return Outcome::Inconclusive(format!("no write started {span}"));
    }
    let answered = |op: &ClientOp| match op.outcome() {
        Some(OK) => true,
        Some(FAIL) => op.ret.and_then(|r| r.str_field(REASON)) == Some(CAS_MISMATCH),
        _ => false,
    };
    let ok = writes.iter().filter(|op| answered(op)).count() as u64;
    let total = writes.len() as u64;
    let pct = ok as f64 * 100.0 / total as f64;
    Outcome::judged(
        min_pct.is_at_most_ratio(ok * 100, total),
        format!("{ok} of {total} writes started {span} got a definite answer ({pct:.1}%) — bound >= {min_pct}%"),
        || writes.iter().filter(|op| !answered(op)).map(|op| op.call.seq).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;
    use nodes::Record;
    use std::sync::Arc;

    struct History(Vec<Event>);

    impl History {
        fn add(&mut self, t_ms: u64, node: &str, record: Record) -> &mut Self {
            let seq = self.0.len() as u64;
            self.0.push(Event { seq, t_us: t_ms * 1_000, node: Arc::from(node), record });
            self
        }

        fn write(&mut self, t_ms: u64, op: &str, outcome: &str) -> &mut Self {
            self.add(t_ms, "c", Record::info(KV_CALL).with(OP, op).with(F, "write")).add(
                t_ms + 1,
                "c",
                Record::info(KV_RETURN).with(OP, op).with(OUTCOME, outcome),
            )
        }

        fn ack(&mut self, t_ms: u64, node: &str, epoch: u64, op: &str) -> &mut Self {
            self.add(t_ms, node, Record::debug(WRITE_ACKED).with(OP, op).with(EPOCH, epoch))
        }

        fn audit(&mut self, t_ms: u64, ops: &str) -> &mut Self {
            self.add(t_ms, "c", Record::info(AUDIT).with(SENT_MS, t_ms).with(OPS, ops))
        }
    }

    fn is_fail(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Fail(..))
    }

    #[test]
    fn durability_fails_on_an_acknowledged_write_missing_from_the_audit() {
        let mut h = History(Vec::new());
        h.write(10, "c:1", OK).ack(10, "r1", 1, "c:1").write(20, "c:2", OK).audit(50, "c:2");
        let outcome = durability(&h.0);
        assert!(is_fail(&outcome), "{outcome:?}");
        let Outcome::Fail(figure, _) = outcome else { unreachable!() };
        assert!(figure.contains("1 of 2") && figure.contains("c:1") && figure.contains("by r1 in epoch 1"), "{figure}");
    }

    #[test]
    fn durability_ignores_unknown_outcomes_and_writes_after_the_audit() {
        let mut h = History(Vec::new());
        h.write(10, "c:1", "unknown").write(20, "c:2", OK).audit(50, "c:2").write(60, "c:3", OK);
        assert!(matches!(durability(&h.0), Outcome::Pass(_)));
    }

    #[test]
    fn durability_without_an_audit_is_inconclusive() {
        let mut h = History(Vec::new());
        h.write(10, "c:1", OK);
        assert!(matches!(durability(&h.0), Outcome::Inconclusive(_)));
    }

    fn promote(h: &mut History, t_ms: u64, node: &str, epoch: u64) {
        h.add(t_ms, "controller", Record::info(PROMOTED).with(PRIMARY, node).with(EPOCH, epoch));
    }

    #[test]
    fn single_primary_fails_when_a_deposed_primary_acknowledges_a_write() {
        let mut h = History(Vec::new());
        promote(&mut h, 0, "r1", 1);
        h.ack(10, "r1", 1, "a");
        promote(&mut h, 20, "r2", 2);
        h.ack(30, "r1", 1, "c");
        let outcome = single_primary(&h.0);
        let Outcome::Fail(figure, witnesses) = outcome else { panic!("{outcome:?}") };
        assert!(figure.contains("r1 (epoch 1) acknowledged 1 writes after r2 became primary of epoch 2"), "{figure}");
        assert_eq!(witnesses, vec![2, 3]);
    }

    #[test]
    fn single_primary_passes_successive_primaries() {
        let mut h = History(Vec::new());
        promote(&mut h, 0, "r1", 1);
        h.ack(10, "r1", 1, "a").ack(20, "r1", 1, "b");
        promote(&mut h, 25, "r2", 2);
        h.ack(30, "r2", 2, "c");
        promote(&mut h, 35, "r1", 3);
        h.ack(40, "r1", 3, "d");
        assert!(matches!(single_primary(&h.0), Outcome::Pass(_)));
    }

    #[test]
    fn single_primary_fails_two_primaries_in_one_epoch() {
        let mut h = History(Vec::new());
        h.ack(10, "r1", 1, "a").ack(20, "r2", 1, "b");
        assert!(is_fail(&single_primary(&h.0)));
    }

    #[test]
    fn write_availability_counts_cas_mismatches_as_answers_and_timeouts_as_not() {
        let mut h = History(Vec::new());
        h.write(10, "c:1", OK).write(20, "c:2", "unknown");
        h.add(30, "c", Record::info(KV_CALL).with(OP, "c:3").with(F, "cas"));
        h.add(31, "c", Record::info(KV_RETURN).with(OP, "c:3").with(OUTCOME, FAIL).with(REASON, CAS_MISMATCH));
        let pct = |p: f64| Decimal::from_f64(p).unwrap();
        assert!(matches!(write_availability(&h.0, 0, 100, pct(60.0)), Outcome::Pass(_)));
        assert!(is_fail(&write_availability(&h.0, 0, 100, pct(70.0))));
        assert!(matches!(write_availability(&h.0, 50, 100, pct(70.0)), Outcome::Inconclusive(_)));
    }
}

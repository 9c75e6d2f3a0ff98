//! The ledger: the system of record where a charge takes effect. It stands in for a database,
//! so a scenario does not crash it.
//!
//! With an idempotency key, the ledger records the key **in the same step as the charge**: the
//! check "seen this key?" and the effect are one atomic act, so no retry, duplicate or crash
//! between them can apply a payment twice. Records `charge-applied` (the effect checkers count)
//! and `charge-replayed` (a key seen before).

use crate::records::payments::{CHARGE_APPLIED, CHARGE_REPLAYED, PAYMENT};
use crate::{Body, Ctx, Input, Node, Out, Record};
use fundamentals::resilience::{Begin, IdempotencyStore};
use proto::payments::ChargeReply;

/// How many keys the ledger remembers, and for how long: far beyond any scenario's length.
const KEY_CAPACITY: usize = 1_000_000;
const KEY_TTL_MS: u64 = 24 * 3_600_000;

pub struct Ledger {
    keys: IdempotencyStore<()>,
    applied: u64,
}

impl Default for Ledger {
    fn default() -> Self {
        Self { keys: IdempotencyStore::new(KEY_CAPACITY, KEY_TTL_MS), applied: 0 }
    }
}

impl Node for Ledger {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let Input::Request { id, from, body } = input else { return };
        let Body::ChargeRequest(charge) = body else {
            return out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")));
        };
        let key = charge.idempotency_key.as_str();
        if !key.is_empty() {
            if let Begin::Done(()) | Begin::InProgress = self.keys.begin(key, ctx.now_ms) {
                out.record(Record::debug(CHARGE_REPLAYED).with("payment", charge.payment_id.as_str()).with("key", key));
                return out.reply(id, Body::ChargeReply(ChargeReply { newly_applied: false }));
            }
            self.keys.complete(key, (), ctx.now_ms);
        }
        self.applied += 1;
        out.record(
            Record::info(CHARGE_APPLIED)
                .with(PAYMENT, charge.payment_id)
                .with("amount_cents", charge.amount_cents)
                .with("total_applied", self.applied),
        );
        out.reply(id, Body::ChargeReply(ChargeReply { newly_applied: true }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::payments::ChargeRequest;

    fn charge(ledger: &mut Ledger, key: &str) -> bool {
        let mut rng = stream_rng(1, "ledger");
        let mut out = Out::default();
        let body = Body::ChargeRequest(ChargeRequest {
            payment_id: "p/1".into(),
            amount_cents: 5,
            idempotency_key: key.into(),
        });
        ledger.on_input(
            &mut Ctx { now_ms: 0, rng: &mut rng },
            Input::Request { id: 1, from: "payments".into(), body },
            &mut out,
        );
        out.take()
            .iter()
            .any(|a| matches!(a, Action::Reply { body: Body::ChargeReply(ChargeReply { newly_applied: true }), .. }))
    }

    #[test]
    fn a_key_makes_the_second_charge_a_replay() {
        let mut ledger = Ledger::default();
        assert!(charge(&mut ledger, "p/1"));
        assert!(!charge(&mut ledger, "p/1"));
        assert_eq!(ledger.applied, 1);
    }

    #[test]
    fn without_a_key_every_charge_applies() {
        let mut ledger = Ledger::default();
        assert!(charge(&mut ledger, ""));
        assert!(charge(&mut ledger, ""));
        assert_eq!(ledger.applied, 2);
    }
}

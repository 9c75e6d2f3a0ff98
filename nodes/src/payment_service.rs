//! The payment service: takes a payer's request and charges the ledger.
//!
//! Where it keeps idempotency keys is the variant, and the lesson:
//! - [`Idempotency::None`]: every request is a new charge. A retry after a lost response, or
//!   a duplicated request, charges twice.
//! - [`Idempotency::InLedger`]: the key travels to the ledger, which stores it atomically with
//!   the charge. Retries, duplicates and crashes of this service cannot double-charge.
//! - [`Idempotency::InMemory`]: this service keeps keys in its own memory, marking a key done
//!   only after the ledger answered. A crash between "charge" and "remember" forgets the key,
//!   and a ledger answer lost in transit makes it abandon a key whose charge did happen: the
//!   retry charges again.

use crate::records::payments::PAY_RECEIVED;
use crate::{Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use fundamentals::resilience::{Begin, IdempotencyStore};
use proto::payments::{ChargeRequest, PayReply, PayRequest, PayStatus};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    None,
    InLedger,
    InMemory,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentServiceConfig {
    pub ledger: String,
    pub ledger_timeout_ms: u64,
    pub idempotency: Idempotency,
}

const MEMORY_KEY_CAPACITY: usize = 100_000;
const MEMORY_KEY_TTL_MS: u64 = 3_600_000;

pub struct PaymentService {
    config: PaymentServiceConfig,
    keys: IdempotencyStore<()>,
    /// Ledger calls in flight, by call tag → the payer's request waiting for them.
    charging: BTreeMap<u64, (RequestId, PayRequest)>,
    next_tag: u64,
}

impl PaymentService {
    pub fn new(config: PaymentServiceConfig) -> Self {
        Self {
            config,
            keys: IdempotencyStore::new(MEMORY_KEY_CAPACITY, MEMORY_KEY_TTL_MS),
            charging: BTreeMap::new(),
            next_tag: 0,
        }
    }

    fn on_pay(&mut self, ctx: &mut Ctx<'_>, id: RequestId, request: PayRequest, out: &mut Out) {
        out.record(
            Record::debug(PAY_RECEIVED)
                .with("payment", request.payment_id.as_str())
                .with("attempt", u64::from(request.attempt)),
        );
        let key = request.idempotency_key.clone();
        if self.config.idempotency == Idempotency::InMemory && !key.is_empty() {
            match self.keys.begin(&key, ctx.now_ms) {
                Begin::New => {}
                Begin::InProgress => return reply(out, id, &request, PayStatus::InProgress),
                Begin::Done(()) => return reply(out, id, &request, PayStatus::Charged),
            }
        }
        let ledger_key = if self.config.idempotency == Idempotency::InLedger { key } else { String::new() };
        let charge = ChargeRequest {
            payment_id: request.payment_id.clone(),
            amount_cents: request.amount_cents,
            idempotency_key: ledger_key,
        };
        self.next_tag += 1;
        out.call(&self.config.ledger, self.next_tag, Body::ChargeRequest(charge), self.config.ledger_timeout_ms);
        self.charging.insert(self.next_tag, (id, request));
    }

    fn on_ledger_answer(&mut self, ctx: &mut Ctx<'_>, tag: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some((id, request)) = self.charging.remove(&tag) else { return };
        let in_memory = self.config.idempotency == Idempotency::InMemory && !request.idempotency_key.is_empty();
        match result {
            Ok(Body::ChargeReply(_)) => {
                if in_memory {
                    self.keys.complete(&request.idempotency_key, (), ctx.now_ms);
                }
                reply(out, id, &request, PayStatus::Charged);
            }
            _ => {
                // We cannot tell whether the ledger charged. Forgetting the key lets the
                // payer's retry through — and charge again if the first charge did happen.
                if in_memory {
                    self.keys.abandon(&request.idempotency_key);
                }
                reply(out, id, &request, PayStatus::Failed);
            }
        }
    }
}

fn reply(out: &mut Out, id: RequestId, request: &PayRequest, status: PayStatus) {
    out.reply(id, Body::PayReply(PayReply { payment_id: request.payment_id.clone(), status: status as i32 }));
}

impl Node for PaymentService {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Request { id, body: Body::PayRequest(request), .. } => self.on_pay(ctx, id, request, out),
            Input::Request { from, body, .. } => {
                out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")))
            }
            Input::CallResult { tag, result } => self.on_ledger_answer(ctx, tag, result, out),
            Input::Start { .. } | Input::Timer { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::payments::ChargeReply;

    fn service(idempotency: Idempotency) -> PaymentService {
        PaymentService::new(PaymentServiceConfig { ledger: "ledger".into(), ledger_timeout_ms: 100, idempotency })
    }

    /// Sends one pay request; returns the ledger calls it caused and the status replied, if any.
    fn pay(svc: &mut PaymentService, id: RequestId) -> (Vec<(u64, ChargeRequest)>, Option<i32>) {
        let mut rng = stream_rng(1, "svc");
        let mut out = Out::default();
        let request =
            PayRequest { payment_id: "p/1".into(), amount_cents: 5, idempotency_key: "p/1".into(), attempt: 1 };
        svc.on_input(
            &mut Ctx { now_ms: 0, rng: &mut rng },
            Input::Request { id, from: "payer".into(), body: Body::PayRequest(request) },
            &mut out,
        );
        let actions = out.take();
        let calls = actions
            .iter()
            .filter_map(|a| match a {
                Action::Call { tag, body: Body::ChargeRequest(c), .. } => Some((*tag, c.clone())),
                _ => None,
            })
            .collect();
        let status = actions.iter().find_map(|a| match a {
            Action::Reply { body: Body::PayReply(r), .. } => Some(r.status),
            _ => None,
        });
        (calls, status)
    }

    fn ledger_answers(svc: &mut PaymentService, tag: u64, result: Result<Body, CallError>) {
        let mut rng = stream_rng(1, "svc");
        svc.on_input(&mut Ctx { now_ms: 50, rng: &mut rng }, Input::CallResult { tag, result }, &mut Out::default());
    }

    #[test]
    fn in_ledger_mode_passes_the_key_to_the_ledger() {
        let (calls, _) = pay(&mut service(Idempotency::InLedger), 1);
        assert_eq!(calls[0].1.idempotency_key, "p/1");
    }

    #[test]
    fn in_memory_mode_replays_a_finished_key_without_charging_again() {
        let mut svc = service(Idempotency::InMemory);
        let (calls, _) = pay(&mut svc, 1);
        assert_eq!(calls[0].1.idempotency_key, "", "the ledger is not told the key");
        let (duplicate_calls, status) = pay(&mut svc, 2);
        assert!(duplicate_calls.is_empty());
        assert_eq!(status, Some(PayStatus::InProgress as i32));
        ledger_answers(&mut svc, calls[0].0, Ok(Body::ChargeReply(ChargeReply { newly_applied: true })));
        assert_eq!(pay(&mut svc, 3), (vec![], Some(PayStatus::Charged as i32)));
    }

    #[test]
    fn in_memory_mode_charges_again_after_an_ambiguous_ledger_failure() {
        let mut svc = service(Idempotency::InMemory);
        let (calls, _) = pay(&mut svc, 1);
        ledger_answers(&mut svc, calls[0].0, Err(CallError::Timeout));
        let (retry_calls, _) = pay(&mut svc, 2);
        assert_eq!(retry_calls.len(), 1, "the abandoned key lets the retry charge again");
    }
}

//! A payer: a client that makes payments and retries them — with exponential backoff and full
//! jitter, inside a per-payment deadline — until it hears a definite answer.
//!
//! Records: `payment-start`, `attempt` for every send, and `payment-end` with the outcome
//! (`charged`, `gave-up` after the last attempt, `deadline-exceeded`) and the attempt count.
//! Checkers compare these with what the ledger says it applied.

use crate::client::Arrivals;
use crate::records::payments::{ATTEMPT, CHARGED, DEADLINE_MS, OUTCOME, PAYMENT, PAYMENT_END, PAYMENT_START};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use fundamentals::resilience::{Deadline, Retrier, RetryPolicy};
use proto::payments::{PayReply, PayRequest, PayStatus};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PayerConfig {
    /// This node's name, which prefixes its payment ids ("payer-2/17").
    pub name: String,
    pub payments_per_second: f64,
    pub service: String,
    pub amount_cents: u64,
    /// Budget of one payment, all attempts and waits included.
    pub deadline_ms: u64,
    /// Cap on one attempt's timeout (an attempt also never outlives the deadline).
    pub attempt_timeout_ms: u64,
    pub retry: RetryPolicy,
    /// Send the payment id as an idempotency key (the same key on every retry).
    pub send_idempotency_key: bool,
    /// Cap every attempt and every retry at the payment's deadline. `false` is a bug a
    /// variant shows: attempts run their full timeout and retries go on past the deadline.
    pub honours_deadline: bool,
}

struct Payment {
    id: String,
    started_ms: u64,
    deadline: Deadline,
    retrier: Retrier,
}

pub struct Payer {
    config: PayerConfig,
    arrivals: Arrivals,
    next_payment: u64,
    /// Payments by their sequence number; the sequence number tags their calls and timers.
    open: BTreeMap<u64, Payment>,
}

const ARRIVAL_TIMER: u64 = 0;

impl Payer {
    pub fn new(config: PayerConfig) -> Self {
        assert!(config.payments_per_second > 0.0);
        let arrivals = Arrivals::new(config.payments_per_second);
        Self { config, arrivals, next_payment: 0, open: BTreeMap::new() }
    }

    fn start_payment(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        self.next_payment += 1;
        let seq = self.next_payment;
        let id = format!("{}/{seq}", self.config.name);
        let payment = Payment {
            id: id.clone(),
            started_ms: ctx.now_ms,
            deadline: Deadline::after(ctx.now_ms, self.config.deadline_ms),
            retrier: Retrier::new(self.config.retry.clone()),
        };
        out.record(Record::debug(PAYMENT_START).with(PAYMENT, id).with(DEADLINE_MS, payment.deadline.at_ms));
        self.open.insert(seq, payment);
        self.send_attempt(ctx, seq, out);
    }

    fn send_attempt(&mut self, ctx: &mut Ctx<'_>, seq: u64, out: &mut Out) {
        let Some(payment) = self.open.get(&seq) else { return };
        let capped = match self.config.honours_deadline {
            true => payment.deadline.attempt_timeout_ms(ctx.now_ms, self.config.attempt_timeout_ms),
            false => Some(self.config.attempt_timeout_ms),
        };
        let Some(timeout_ms) = capped else {
            return self.finish(ctx, seq, "deadline-exceeded", out);
        };
        let attempt = payment.retrier.attempts();
        let key = if self.config.send_idempotency_key { payment.id.clone() } else { String::new() };
        let body = Body::PayRequest(PayRequest {
            payment_id: payment.id.clone(),
            amount_cents: self.config.amount_cents,
            idempotency_key: key,
            attempt,
        });
        out.record(
            Record::debug(ATTEMPT)
                .with(PAYMENT, payment.id.as_str())
                .with("attempt", u64::from(attempt))
                .with("timeout_ms", timeout_ms),
        );
        out.call(&self.config.service, seq, body, timeout_ms);
    }

    fn on_answer(&mut self, ctx: &mut Ctx<'_>, seq: u64, result: Result<Body, CallError>, out: &mut Out) {
        let status = match result {
            Ok(Body::PayReply(PayReply { status, .. })) => {
                PayStatus::try_from(status).unwrap_or(PayStatus::Unspecified)
            }
            _ => PayStatus::Failed,
        };
        if status == PayStatus::Charged {
            return self.finish(ctx, seq, CHARGED, out);
        }
        // Everything else is retryable: a timeout may hide a charge that happened, which is
        // exactly why the retry must carry the same idempotency key.
        let Some(payment) = self.open.get_mut(&seq) else { return };
        let retry = match self.config.honours_deadline {
            true => payment.retrier.after_failure_within(payment.deadline, ctx.now_ms, ctx.rng),
            false => payment.retrier.after_failure(ctx.rng),
        };
        match retry {
            Some(delay_ms) => out.set_timer(seq, delay_ms),
            None if payment.deadline.remaining_ms(ctx.now_ms).is_some()
                && payment.retrier.attempts() >= payment.retrier.policy().max_attempts =>
            {
                self.finish(ctx, seq, "gave-up", out)
            }
            None => self.finish(ctx, seq, "deadline-exceeded", out),
        }
    }

    fn finish(&mut self, ctx: &Ctx<'_>, seq: u64, outcome: &str, out: &mut Out) {
        let Some(payment) = self.open.remove(&seq) else { return };
        out.record(
            Record::info(PAYMENT_END)
                .with(PAYMENT, payment.id)
                .with(OUTCOME, outcome)
                .with("attempts", u64::from(payment.retrier.attempts()))
                .with("elapsed_ms", ctx.now_ms.saturating_sub(payment.started_ms)),
        );
    }
}

impl Node for Payer {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => out.set_timer(ARRIVAL_TIMER, self.arrivals.start(ctx)),
            Input::Timer { tag: ARRIVAL_TIMER } => {
                let (due, wait_ms) = self.arrivals.due(ctx);
                for _ in 0..due {
                    self.start_payment(ctx, out);
                }
                out.set_timer(ARRIVAL_TIMER, wait_ms);
            }
            Input::Timer { tag } => self.send_attempt(ctx, tag, out),
            Input::CallResult { tag, result } => self.on_answer(ctx, tag, result, out),
            Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::resilience::{Backoff, Jitter};
    use fundamentals::sim::stream_rng;

    fn payer(send_key: bool) -> Payer {
        Payer::new(PayerConfig {
            name: "payer-1".into(),
            payments_per_second: 10.0,
            service: "payments".into(),
            amount_cents: 500,
            deadline_ms: 1_000,
            attempt_timeout_ms: 200,
            retry: RetryPolicy { max_attempts: 3, backoff: Backoff { base_ms: 50, cap_ms: 400, jitter: Jitter::Full } },
            send_idempotency_key: send_key,
            honours_deadline: true,
        })
    }

    fn sent_requests(actions: &[Action]) -> Vec<PayRequest> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Call { body: Body::PayRequest(r), .. } => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_lost_answer_is_retried_with_the_same_key_until_charged() {
        let mut rng = stream_rng(1, "payer");
        let mut p = payer(true);
        let mut out = Out::default();
        p.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, Input::Timer { tag: ARRIVAL_TIMER }, &mut out);
        let first = sent_requests(&out.take());
        assert_eq!(first[0].idempotency_key, "payer-1/1");
        p.on_input(
            &mut Ctx { now_ms: 200, rng: &mut rng },
            Input::CallResult { tag: 1, result: Err(CallError::Timeout) },
            &mut out,
        );
        let Action::SetTimer { tag: 1, after_ms } = out.take()[0] else { panic!("a retry timer") };
        assert!(after_ms <= 50, "first retry waits at most the base with full jitter");
        p.on_input(&mut Ctx { now_ms: 200 + after_ms, rng: &mut rng }, Input::Timer { tag: 1 }, &mut out);
        let retry = sent_requests(&out.take());
        assert_eq!((retry[0].idempotency_key.as_str(), retry[0].attempt), ("payer-1/1", 2));
        let charged =
            Ok(Body::PayReply(PayReply { payment_id: "payer-1/1".into(), status: PayStatus::Charged as i32 }));
        p.on_input(
            &mut Ctx { now_ms: 300 + after_ms, rng: &mut rng },
            Input::CallResult { tag: 1, result: charged },
            &mut out,
        );
        let Action::Record(end) = &out.take()[0] else { panic!("a record") };
        assert_eq!(end.field("outcome"), Some(&"charged".into()));
        assert_eq!(end.field("attempts"), Some(&2u64.into()));
    }

    #[test]
    fn attempts_never_outlive_the_deadline() {
        let mut rng = stream_rng(2, "payer");
        let mut p = payer(false);
        let mut out = Out::default();
        p.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, Input::Timer { tag: ARRIVAL_TIMER }, &mut out);
        out.take();
        p.open.get_mut(&1).unwrap().deadline = Deadline { at_ms: 120 };
        p.on_input(&mut Ctx { now_ms: 100, rng: &mut rng }, Input::Timer { tag: 1 }, &mut out);
        let actions = out.take();
        let timeout = actions.iter().find_map(|a| match a {
            Action::Call { timeout_ms, .. } => Some(*timeout_ms),
            _ => None,
        });
        assert_eq!(timeout, Some(20), "the attempt gets only what is left of the deadline");
        assert_eq!(sent_requests(&actions)[0].idempotency_key, "", "no key when the variant sends none");
    }
}

//! # Resilience patterns: retries, deadlines, circuit breakers, idempotency, bulkheads
//!
//! ## Why interviewers ask this
//! Every distributed system is one slow or failing dependency away from an outage, and the
//! standard remedies interact: retries without jitter cause thundering herds, retries without a
//! deadline outlive their callers, retries of non-idempotent calls charge cards twice, retries
//! at every layer multiply load during the very outage they are meant to ride out, and a
//! shared pool lets one slow dependency starve the rest (a cascading failure). Interviewers
//! ask "what happens when the response is lost?" and "how do you stop one dependency taking
//! everything down?" to see whether you know each pattern *and* how they compose.
//!
//! ## How it works
//! | module | pattern | answers |
//! | --- | --- | --- |
//! | [`backoff`] | [`Backoff`], [`Retrier`] | when to try again, and when to stop |
//! | [`deadline`] | [`Deadline`] | how long the whole request may take, shrinking downstream |
//! | [`circuit_breaker`] | [`CircuitBreaker`] | stop calling a dependency that is down; probe for recovery |
//! | [`idempotency`] | [`IdempotencyStore`] | make a retried side effect happen once |
//! | [`bulkhead`] | [`Bulkhead`] | cap concurrent calls per dependency; reject when full |
//!
//! How they nest around one outgoing call, outermost first:
//!
//! ```text
//! deadline (whole request) ─┐
//!   circuit breaker ────────┤  open → fail fast, no retries at all
//!     retry loop ───────────┤  backoff + jitter, max attempts, never past the deadline
//!       bulkhead ───────────┤  no permit → fail fast (counts as a failure for the retry)
//!         attempt           │  timeout = min(per-attempt cap, deadline remaining),
//!                           │  same idempotency key on every attempt
//! ```
//!
//! - Retry *inside* a deadline: each attempt's timeout and each backoff wait must end before
//!   the request's deadline ([`Retrier::after_failure_within`], [`Deadline::attempt_timeout_ms`]).
//! - Breaker *around* retries: when it opens, every caller's retry loop stops at once, instead
//!   of each one spending its attempts on a dependency that is known to be down.
//! - Idempotency keys make retries *safe*: the server stores the key with the result, so a
//!   retry after a lost response replays the result instead of repeating the side effect.
//! - Bulkheads make the failure *local*: a slow dependency can hold only its own permits.
//!
//! ## Common pitfalls
//! - Retrying non-idempotent calls (double charges); retrying without a deadline (work for a
//!   caller who left); retrying at every layer (3 attempts × 4 layers = 81 calls).
//! - Retrying while the breaker is open, or counting the breaker's fast failures as the
//!   dependency's failures (they say nothing new about it).
//! - A breaker that never leaves half-open; keys stored after the side effect or only in memory.
//! - One shared pool for all dependencies.
//!
//! ## Key takeaways
//! - Bound everything: attempts, time (deadline), concurrency (bulkhead), and calls to a dead
//!   dependency (breaker).
//! - Retries are only as safe as the operation is idempotent.
//! - Each pattern alone fails in a known way; the composition is what survives an outage.
//!
//! ## Break it
//! Every module has a patch in `fundamentals/breaks/` (`resilience_backoff`,
//! `resilience_retrier`, `resilience_deadline`, `resilience_circuit_breaker`,
//! `resilience_breaker_stuck_half_open`, `resilience_idempotency`, `resilience_bulkhead`):
//! run `scripts/break-it.sh <topic>` and read which test catches it and why.
//! The lab's `idempotent-retries` and `circuit-breaker` scenarios run these same modules
//! inside simulated nodes, where the broken variants are caught by checks over the trace.
//!
//! ## Interview questions
//! - *A client calls a payment service, which times out. Walk through a safe retry.* The
//!   client attaches an idempotency key and retries with capped exponential backoff and full
//!   jitter, under the request's deadline; the service claims the key before charging and
//!   stores the result with the charge in one transaction, so a retry replays the original
//!   result. Exactly one charge, whatever was lost.
//! - *How do you stop a cascading failure?* Deadlines so nothing waits forever, bulkheads so a
//!   slow dependency holds only its own workers, a circuit breaker so calls stop once it is
//!   down, retries only at one layer with a budget, and load shedding at the edge.
//! - *Where do the retries go: inside or outside the breaker?* Inside: the breaker sees each
//!   attempt's outcome and, once open, refuses the remaining retries instantly.
//! - *What is retry amplification and how do you bound it?* Each layer multiplies the attempts
//!   of the layer above. Retry at one layer, cap attempts, and use a retry budget (retries at
//!   most ~10% of requests) so an outage cannot multiply load.

pub mod backoff;
pub mod bulkhead;
pub mod circuit_breaker;
pub mod deadline;
pub mod idempotency;

pub use backoff::{Backoff, Jitter, Retrier, RetryPolicy};
pub use bulkhead::Bulkhead;
pub use circuit_breaker::{is_legal, BreakerConfig, BreakerState, CircuitBreaker, Transition};
pub use deadline::Deadline;
pub use idempotency::{Begin, IdempotencyStore};

#[cfg(test)]
mod tests {
    //! The patterns composed: a client paying through a flaky network, on a virtual clock.
    use super::*;
    use crate::sim::{stream_rng, SimRng, VirtualClock};
    use rand::Rng;

    const ATTEMPT_MS: u64 = 20;
    const BUDGET_MS: u64 = 2_000;

    /// A payment service that charges a ledger; with `keyed` it dedupes by idempotency key.
    struct PaymentService {
        keys: IdempotencyStore<u64>,
        keyed: bool,
        charges: u64,
    }

    impl PaymentService {
        /// Handles one attempt; returns the charge id, or `None` if the key is in progress.
        fn pay(&mut self, key: &str, now_ms: u64) -> Option<u64> {
            if !self.keyed {
                self.charges += 1;
                return Some(self.charges);
            }
            match self.keys.begin(key, now_ms) {
                Begin::Done(charge_id) => Some(charge_id),
                Begin::InProgress => None,
                Begin::New => {
                    self.charges += 1;
                    self.keys.complete(key, self.charges, now_ms);
                    Some(self.charges)
                }
            }
        }
    }

    /// One logical payment: retries until a response arrives, attempts run out, or the deadline
    /// passes. Responses are lost (after the service acted) with probability `loss`.
    /// Returns whether the client got an answer, and how long it took to stop.
    fn pay_with_retries(
        service: &mut PaymentService,
        key: &str,
        loss: f64,
        clock: &mut VirtualClock,
        rng: &mut SimRng,
    ) -> (bool, u64) {
        let started_ms = clock.now_ms();
        let deadline = Deadline::after(started_ms, BUDGET_MS);
        let policy =
            RetryPolicy { max_attempts: 5, backoff: Backoff { base_ms: 50, cap_ms: 1_000, jitter: Jitter::Full } };
        let mut retrier = Retrier::new(policy);
        loop {
            let timeout_ms = deadline.attempt_timeout_ms(clock.now_ms(), 300).expect("never attempt past the deadline");
            clock.advance_ms(ATTEMPT_MS.min(timeout_ms));
            let answered = service.pay(key, clock.now_ms()).is_some() && !rng.random_bool(loss);
            if answered {
                return (true, clock.now_ms() - started_ms);
            }
            match retrier.after_failure_within(deadline, clock.now_ms(), rng) {
                Some(delay_ms) => clock.advance_ms(delay_ms),
                None => return (false, clock.now_ms() - started_ms),
            };
            assert!(!deadline.is_expired(clock.now_ms()));
        }
    }

    /// 100 payments in a row; returns (payments answered, charges made).
    fn run(keyed: bool, seed: u64) -> (u64, u64) {
        let mut service = PaymentService { keys: IdempotencyStore::new(1_000, 60_000), keyed, charges: 0 };
        let mut clock = VirtualClock::starting_at(0);
        let mut rng = stream_rng(seed, "client");
        let mut answered = 0;
        for payment in 0..100 {
            let (got_answer, took_ms) =
                pay_with_retries(&mut service, &format!("pay-{payment}"), 0.3, &mut clock, &mut rng);
            assert!(took_ms <= BUDGET_MS, "payment {payment} ran {took_ms} ms past its start");
            answered += u64::from(got_answer);
        }
        (answered, service.charges)
    }

    #[test]
    fn retries_with_an_idempotency_key_charge_each_payment_exactly_once() {
        // Every payment is charged once, whether or not its client ever heard back.
        for seed in 0..20 {
            let (answered, charges) = run(true, seed);
            assert_eq!(charges, 100, "seed {seed}");
            assert!(answered >= 95, "seed {seed}: only {answered} answered");
        }
    }

    #[test]
    fn the_same_retries_without_a_key_charge_some_payments_twice() {
        let (_, charges) = run(false, 1);
        assert!(charges > 110, "{charges} charges for 100 payments");
    }

    #[test]
    fn an_open_breaker_stops_every_callers_retries_at_once() {
        // The dependency is down. Ten callers each want up to 5 attempts; the breaker opens
        // after 3 failures and the remaining attempts are refused without reaching it.
        let mut breaker =
            CircuitBreaker::new(BreakerConfig { failure_threshold: 3, open_for_ms: 5_000, half_open_probes: 1 });
        let mut rng = stream_rng(9, "callers");
        let mut clock = VirtualClock::starting_at(0);
        let mut calls_reaching_the_dependency = 0;
        for _caller in 0..10 {
            let policy =
                RetryPolicy { max_attempts: 5, backoff: Backoff { base_ms: 10, cap_ms: 100, jitter: Jitter::Full } };
            let mut retrier = Retrier::new(policy);
            loop {
                if !breaker.allow(clock.now_ms()).0 {
                    break; // open: fail fast, and don't retry what is known to be down
                }
                calls_reaching_the_dependency += 1;
                breaker.on_failure(clock.now_ms());
                match retrier.after_failure(&mut rng) {
                    Some(delay_ms) => clock.advance_ms(delay_ms),
                    None => break,
                };
            }
        }
        assert_eq!(calls_reaching_the_dependency, 3, "not 10 × 5 = 50");
        assert_eq!(breaker.state(), BreakerState::Open);
    }
}

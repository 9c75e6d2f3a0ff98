//! # Retries with exponential backoff and jitter
//!
//! ## Why interviewers ask this
//! "The call failed, what now?" Retrying is the cheapest fix for transient faults and the
//! quickest way to turn a blip into an outage: a thousand clients that fail together and retry
//! on the same schedule arrive together again (a thundering herd), and a service that is
//! struggling gets several times its normal load exactly when it can least take it (a retry
//! storm). Interviewers want the formula, the cap, the jitter, and the limits around it.
//!
//! ## How it works
//! Retry number `r` (1 = the first retry) waits `exp(r) = min(cap, base × 2^(r−1))`, computed
//! with saturation so retry 10⁹ is simply `cap`. Jitter then spreads clients apart:
//!
//! | jitter | delay | use |
//! | --- | --- | --- |
//! | [`Jitter::None`] | `exp` | never for many clients: they stay in lockstep |
//! | [`Jitter::Full`] | uniform `[0, exp]` | the default: least total load, widest spread |
//! | [`Jitter::Equal`] | `exp/2 + uniform[0, exp/2]` | when a minimum wait matters |
//! | [`Jitter::Decorrelated`] | uniform `[base, min(cap, 3 × previous)]` | grows from the last delay, not the retry count |
//!
//! A [`Retrier`] follows one logical request: the first attempt is sent when it is made, each
//! [`Retrier::after_failure`] either grants a retry (with its delay) or says the attempts are
//! exhausted, so a request makes at most `max_attempts` attempts — `max_attempts − 1` retries.
//! [`Retrier::after_failure_within`] also refuses a retry whose wait would end past the
//! request's [`Deadline`].
//!
//! ## Common pitfalls
//! - Retrying non-idempotent calls: a lost *response* looks exactly like a lost *request*, so
//!   the retry charges the card again. Retry only idempotent operations, or send a key
//!   (see `idempotency`).
//! - Retrying without a deadline: the caller gave up long ago, yet the retries keep loading the
//!   dependency. Every retry loop needs both an attempt limit and a time budget.
//! - Retry amplification across layers: 3 attempts at each of 4 layers is 3⁴ = 81 calls to the
//!   bottom service per user request. Retry at one layer (usually the edge), or use a retry
//!   budget (retries ≤ 10% of requests).
//! - No cap, or `base << r` without saturation: the delay overflows to 0 or grows to hours.
//! - Retrying errors that will never succeed (400, 403, validation): only transient errors
//!   (timeouts, 503, connection reset) are retryable.
//!
//! ## Key takeaways
//! - Exponential backoff reduces load; jitter de-synchronises clients. You need both.
//! - Cap every delay, bound every loop (`max_attempts`), and stop at the deadline.
//! - Retries are safe only for idempotent work; make the work idempotent with a key.
//!
//! ## Break it
//! `fundamentals/breaks/resilience_backoff.patch` stops capping the exponential delay:
//! `never_exceeds_the_cap_for_any_retry_number` fails (retry 64 waits `u64::MAX` ms).
//! `fundamentals/breaks/resilience_retrier.patch` compares attempts with `>` instead of `>=`:
//! the request gets one retry too many and `grants_exactly_max_attempts_minus_one_retries`
//! fails — the off-by-one that quietly raises every dependency's peak load.
//!
//! ## Interview questions
//! - *Why add jitter if backoff already spreads retries out?* Backoff spreads one client's
//!   retries over time; clients that failed together still retry together. Jitter breaks the
//!   synchronisation: with full jitter 1000 clients' retries spread over the whole window
//!   instead of landing in the same millisecond.
//! - *How many times should a client retry?* Few (2–3 attempts), within a deadline, and only at
//!   one layer; beyond that the retries add load without adding success. Use a retry budget
//!   so retries cannot exceed a fixed fraction of traffic during an outage.
//! - *A payment call timed out. Retry?* Only with an idempotency key the server stores
//!   atomically with the charge; otherwise the timeout may have hidden a success and the retry
//!   double-charges.
//! - *Full vs decorrelated jitter?* Both spread well; full jitter has the lowest total work in
//!   AWS's measurements, decorrelated keeps delays from collapsing to near zero and needs the
//!   previous delay as state.

use rand::Rng;

use super::deadline::Deadline;
use crate::sim::SimRng;

/// How a delay is randomised around the exponential schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    None,
    Full,
    Equal,
    Decorrelated,
}

/// A capped exponential backoff schedule with optional jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    pub base_ms: u64,
    pub cap_ms: u64,
    pub jitter: Jitter,
}

impl Backoff {
    /// The un-jittered delay for retry number `retry`: `min(cap, base × 2^(retry−1))`,
    /// saturating for any `retry`. Retry 0 is treated as retry 1.
    pub fn exponential_ms(&self, retry: u32) -> u64 {
        let doublings = retry.max(1) - 1;
        let uncapped = match 1u64.checked_shl(doublings) {
            Some(factor) => self.base_ms.saturating_mul(factor),
            // 2^64 or more: anything but a zero base saturates.
            None if self.base_ms == 0 => 0,
            None => u64::MAX,
        };
        uncapped.min(self.cap_ms)
    }

    /// Delay before retry number `retry` (1 = the first retry). Never exceeds `cap_ms`.
    ///
    /// `previous_delay_ms` is used only by [`Jitter::Decorrelated`] (pass 0 before the first
    /// retry: it then starts from `base_ms`). If `base_ms > cap_ms` the cap still wins.
    pub fn delay_ms(&self, retry: u32, previous_delay_ms: u64, rng: &mut SimRng) -> u64 {
        let exp = self.exponential_ms(retry);
        let delay = match self.jitter {
            Jitter::None => exp,
            Jitter::Full => rng.random_range(0..=exp),
            Jitter::Equal => {
                let half = exp / 2;
                half + rng.random_range(0..=exp - half)
            }
            Jitter::Decorrelated => {
                let previous = previous_delay_ms.max(self.base_ms);
                let upper = previous.saturating_mul(3).min(self.cap_ms);
                let lower = self.base_ms.min(upper);
                rng.random_range(lower..=upper)
            }
        };
        debug_assert!(delay <= self.cap_ms, "backoff delay {delay} exceeds cap {}", self.cap_ms);
        delay
    }
}

/// How many attempts one logical request may make, and how long to wait between them.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included (so `max_attempts − 1` retries). At least 1.
    pub max_attempts: u32,
    pub backoff: Backoff,
}

/// Tracks one logical request's attempts.
///
/// Create it when the first attempt is sent; after each failed attempt call
/// [`Retrier::after_failure`]: `Some(delay)` means "send attempt n+1 after `delay` ms",
/// `None` means "give up: report a definite error".
#[derive(Debug, Clone)]
pub struct Retrier {
    policy: RetryPolicy,
    /// Attempts sent so far, assuming the caller sends one per granted retry.
    attempts: u32,
    previous_delay_ms: u64,
}

impl Retrier {
    /// Panics if `policy.max_attempts` is 0: a request makes at least one attempt.
    pub fn new(policy: RetryPolicy) -> Self {
        assert!(policy.max_attempts >= 1, "a retry policy needs max_attempts >= 1");
        Self { policy, attempts: 1, previous_delay_ms: 0 }
    }

    /// Call after the latest attempt failed with a retryable error: `Some(delay_ms)` to retry,
    /// `None` when attempts are exhausted. Counts the retry it grants as an attempt.
    pub fn after_failure(&mut self, rng: &mut SimRng) -> Option<u64> {
        if self.attempts >= self.policy.max_attempts {
            return None;
        }
        let retry = self.attempts; // attempt n failed → retry number n
        let delay_ms = self.policy.backoff.delay_ms(retry, self.previous_delay_ms, rng);
        self.previous_delay_ms = delay_ms;
        self.attempts += 1;
        debug_assert!(self.attempts <= self.policy.max_attempts);
        Some(delay_ms)
    }

    /// Like [`Retrier::after_failure`], but also `None` when the retry could not even start
    /// before `deadline` (the wait would end at or after it). A refused retry is not counted.
    pub fn after_failure_within(&mut self, deadline: Deadline, now_ms: u64, rng: &mut SimRng) -> Option<u64> {
        let remaining_ms = deadline.remaining_ms(now_ms)?;
        let before = (self.attempts, self.previous_delay_ms);
        let delay_ms = self.after_failure(rng)?;
        if delay_ms >= remaining_ms {
            (self.attempts, self.previous_delay_ms) = before;
            return None;
        }
        Some(delay_ms)
    }

    /// Attempts made so far, the first included; never more than `max_attempts`.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{stream_rng, VirtualClock};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn backoff(base_ms: u64, cap_ms: u64, jitter: Jitter) -> Backoff {
        Backoff { base_ms, cap_ms, jitter }
    }

    fn policy(max_attempts: u32, jitter: Jitter) -> RetryPolicy {
        RetryPolicy { max_attempts, backoff: backoff(100, 10_000, jitter) }
    }

    fn jitter_kind() -> impl Strategy<Value = Jitter> {
        prop_oneof![Just(Jitter::None), Just(Jitter::Full), Just(Jitter::Equal), Just(Jitter::Decorrelated)]
    }

    #[test]
    fn without_jitter_each_delay_doubles_until_the_cap() {
        let schedule = backoff(100, 5_000, Jitter::None);
        let mut rng = stream_rng(1, "backoff");
        let delays: Vec<u64> = (1..=8).map(|retry| schedule.delay_ms(retry, 0, &mut rng)).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    }

    #[test]
    fn huge_retry_numbers_saturate_at_the_cap_instead_of_overflowing() {
        let schedule = backoff(u64::MAX / 2, 30_000, Jitter::None);
        let mut rng = stream_rng(1, "backoff");
        for retry in [2, 63, 64, 65, 1_000, u32::MAX] {
            assert_eq!(schedule.delay_ms(retry, 0, &mut rng), 30_000, "retry {retry}");
        }
    }

    #[test]
    fn equal_jitter_waits_at_least_half_the_exponential_delay() {
        let schedule = backoff(100, 10_000, Jitter::Equal);
        let mut rng = stream_rng(2, "backoff");
        for _ in 0..1_000 {
            let delay = schedule.delay_ms(4, 0, &mut rng);
            assert!((400..=800).contains(&delay), "delay {delay} outside [400, 800]");
        }
    }

    #[test]
    fn decorrelated_jitter_grows_from_the_previous_delay() {
        let schedule = backoff(100, 10_000, Jitter::Decorrelated);
        let mut rng = stream_rng(3, "backoff");
        for _ in 0..1_000 {
            assert!(schedule.delay_ms(1, 0, &mut rng) <= 300, "first delay within [base, 3 × base]");
            let after_a_long_one = schedule.delay_ms(5, 2_000, &mut rng);
            assert!((100..=6_000).contains(&after_a_long_one));
        }
    }

    /// 1000 clients fail at the same instant and retry four times. Counts retries per 10 ms
    /// bucket: without jitter all 1000 land in the same bucket every time.
    fn busiest_bucket(jitter: Jitter) -> usize {
        let schedule = backoff(100, 10_000, jitter);
        let mut rng = stream_rng(4, "herd");
        let mut per_bucket: BTreeMap<u64, usize> = BTreeMap::new();
        for _client in 0..1_000 {
            let (mut at_ms, mut previous_ms) = (0, 0);
            for retry in 1..=4 {
                previous_ms = schedule.delay_ms(retry, previous_ms, &mut rng);
                at_ms += previous_ms;
                *per_bucket.entry(at_ms / 10).or_default() += 1;
            }
        }
        per_bucket.values().copied().max().unwrap_or(0)
    }

    #[test]
    fn jitter_spreads_a_herd_of_clients_that_failed_together() {
        let lockstep = busiest_bucket(Jitter::None);
        let full = busiest_bucket(Jitter::Full);
        assert_eq!(lockstep, 1_000, "without jitter every client retries in the same 10 ms");
        // The first retries of full jitter land in [0, 100] ms: ten buckets, ~100 each, and the
        // later waves overlap them a little. Anything over 200 would mean clients still clump.
        assert!(full * 5 < lockstep, "full jitter's busiest bucket {full} should be < 200");
        let decorrelated = busiest_bucket(Jitter::Decorrelated);
        assert!(decorrelated * 5 < lockstep, "decorrelated jitter's busiest bucket {decorrelated} should be < 200");
    }

    #[test]
    fn grants_exactly_max_attempts_minus_one_retries() {
        let mut rng = stream_rng(5, "retrier");
        for max_attempts in 1..=6 {
            let mut retrier = Retrier::new(policy(max_attempts, Jitter::Full));
            let retries = std::iter::from_fn(|| retrier.after_failure(&mut rng)).take(100).count();
            assert_eq!(retries as u32, max_attempts - 1);
            assert_eq!(retrier.attempts(), max_attempts);
            assert_eq!(retrier.after_failure(&mut rng), None, "exhausted stays exhausted");
        }
    }

    #[test]
    fn retrier_delays_follow_the_backoff_schedule() {
        let mut rng = stream_rng(6, "retrier");
        let mut retrier = Retrier::new(policy(4, Jitter::None));
        assert_eq!(retrier.attempts(), 1, "the first attempt is already under way");
        let delays: Vec<u64> = std::iter::from_fn(|| retrier.after_failure(&mut rng)).collect();
        assert_eq!(delays, [100, 200, 400]);
    }

    #[test]
    fn no_retry_is_granted_that_would_start_after_the_deadline() {
        let mut clock = VirtualClock::starting_at(1_000);
        let deadline = Deadline::after(clock.now_ms(), 650);
        let mut rng = stream_rng(7, "retrier");
        let mut retrier = Retrier::new(policy(10, Jitter::None));
        // Each attempt takes 50 ms to fail; waits are 100, 200, 400, …
        clock.advance_ms(50);
        assert_eq!(retrier.after_failure_within(deadline, clock.now_ms(), &mut rng), Some(100));
        clock.advance_ms(100 + 50);
        assert_eq!(retrier.after_failure_within(deadline, clock.now_ms(), &mut rng), Some(200));
        clock.advance_ms(200 + 50);
        // 250 ms remain; the next wait (400 ms) would end past the deadline.
        assert_eq!(retrier.after_failure_within(deadline, clock.now_ms(), &mut rng), None);
        assert_eq!(retrier.attempts(), 3, "the refused retry is not counted");
        clock.advance_ms(250);
        assert_eq!(retrier.after_failure_within(deadline, clock.now_ms(), &mut rng), None);
    }

    #[test]
    fn rejects_a_policy_with_zero_attempts() {
        let built = std::panic::catch_unwind(|| Retrier::new(policy(0, Jitter::None)));
        assert!(built.is_err());
    }

    proptest! {
        #[test]
        fn never_exceeds_the_cap_for_any_retry_number(
            base_ms in 0u64..u64::MAX, cap_ms in 0u64..1_000_000, jitter in jitter_kind(),
            retry in prop_oneof![0u32..80, any::<u32>()], previous_ms in any::<u64>(), seed in any::<u64>(),
        ) {
            let schedule = backoff(base_ms, cap_ms, jitter);
            let delay = schedule.delay_ms(retry, previous_ms, &mut stream_rng(seed, "prop"));
            prop_assert!(delay <= cap_ms, "retry {} waited {} > cap {}", retry, delay, cap_ms);
        }

        #[test]
        fn full_jitter_stays_within_zero_and_the_exponential_delay(
            base_ms in 1u64..10_000, cap_ms in 1u64..1_000_000, retry in 1u32..100, seed in any::<u64>(),
        ) {
            let schedule = backoff(base_ms, cap_ms, Jitter::Full);
            let exp = schedule.exponential_ms(retry);
            let delay = schedule.delay_ms(retry, 0, &mut stream_rng(seed, "prop"));
            prop_assert!(delay <= exp);
            prop_assert_eq!(exp, base_ms.saturating_mul(1u64 << (retry - 1).min(63)).min(cap_ms));
        }

        #[test]
        fn decorrelated_jitter_stays_within_base_and_cap(
            base_ms in 1u64..10_000, extra_cap_ms in 0u64..1_000_000, retry in 1u32..100,
            previous_ms in any::<u64>(), seed in any::<u64>(),
        ) {
            let cap_ms = base_ms + extra_cap_ms;
            let schedule = backoff(base_ms, cap_ms, Jitter::Decorrelated);
            let delay = schedule.delay_ms(retry, previous_ms, &mut stream_rng(seed, "prop"));
            prop_assert!((base_ms..=cap_ms).contains(&delay), "{} outside [{}, {}]", delay, base_ms, cap_ms);
        }

        #[test]
        fn without_jitter_the_sequence_doubles_exactly_until_capped(
            base_ms in 1u64..1_000, cap_ms in 1u64..10_000_000,
        ) {
            let schedule = backoff(base_ms, cap_ms, Jitter::None);
            let mut rng = stream_rng(0, "prop");
            let delays: Vec<u64> = (1..=40).map(|retry| schedule.delay_ms(retry, 0, &mut rng)).collect();
            for pair in delays.windows(2) {
                prop_assert_eq!(pair[1], (pair[0] * 2).min(cap_ms));
            }
            prop_assert_eq!(delays[0], base_ms.min(cap_ms));
        }

        #[test]
        fn a_retrier_never_exceeds_its_attempt_limit(
            max_attempts in 1u32..20, failures in 0usize..40, jitter in jitter_kind(), seed in any::<u64>(),
        ) {
            let mut rng = stream_rng(seed, "prop");
            let mut retrier = Retrier::new(policy(max_attempts, jitter));
            let granted = (0..failures).filter(|_| retrier.after_failure(&mut rng).is_some()).count();
            prop_assert_eq!(granted, failures.min(max_attempts as usize - 1));
            prop_assert!(retrier.attempts() <= max_attempts);
        }
    }
}

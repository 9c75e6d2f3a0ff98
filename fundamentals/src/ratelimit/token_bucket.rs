//! # Token bucket
//!
//! ## Why interviewers ask this
//! It is the default answer to "design a rate limiter" (AWS API Gateway, Stripe, Envoy's local
//! rate limit, Linux `tc tbf` all use it). The follow-ups probe whether you can state exactly
//! what it guarantees, implement it without a background timer, and keep it exact.
//!
//! ## How it works
//! A bucket holds up to `capacity` tokens and gains `refill_per_second` tokens per second,
//! never more than `capacity`. A request takes a token or is rejected. There is no timer:
//! on each call the bucket adds `elapsed × rate` for the time since it last looked (lazy
//! refill), so the state is two numbers and a timestamp. Guarantee: in any interval of
//! `T` ms it admits at most `capacity + rate × T / 1000` requests — a burst of `capacity`,
//! then the long-run rate. Tokens are kept in fixed point (nano-tokens, `u64`, see
//! `fixed_point`), so a rate of 0.3/s polled every millisecond still yields exactly 3 tokens
//! in 10 s.
//!
//! ## Common pitfalls
//! - Forgetting the cap: an idle hour then permits an hour's worth of burst.
//! - Float accumulation: `tokens += elapsed * rate` in `f64` drifts, and truncating to whole
//!   tokens on every call loses the fraction — frequent callers starve.
//! - Trusting the clock: if `now_ms` goes backwards (skew between nodes, a replayed message),
//!   `now - last` underflows or a naive reset re-refills. Here an earlier `now_ms` is treated
//!   as the last seen time: a limiter must never mint tokens from a clock going back.
//! - Refilling with a background task per key: a million idle keys, a million timers.
//!
//! ## Key takeaways
//! - Burst = capacity, sustained rate = refill; choose them separately.
//! - Lazy refill on access: O(1) time and memory per key, no timers.
//! - Integer state makes every replica that sees the same calls reach the same decisions.
//!
//! ## Break it
//! `fundamentals/breaks/token_bucket.patch` drops the `min(capacity)` in `refill` (and the
//! `debug_assert!` that would otherwise catch it first). After a long idle the bucket holds
//! more than `capacity`, so
//! `never_holds_more_than_capacity_after_a_long_idle` fails, and the property
//! `admits_at_most_capacity_plus_rate_times_interval` finds an interval with too many admits.
//!
//! ## Interview questions
//! - *Token bucket vs leaky bucket?* As meters they are the same limiter mirrored (tokens
//!   available = capacity − water level); the difference is the leaky bucket *as a queue*,
//!   which smooths output to a constant rate and adds latency instead of rejecting bursts.
//! - *How do you run it across 20 gateways?* Keep the bucket in one place (Redis with a Lua
//!   script doing refill-and-take atomically), or give each gateway `rate / 20` and accept
//!   unfairness when traffic is skewed, or lease token batches from a central service.
//! - *Where do you store state for 10M API keys?* Two integers and a timestamp per key in a
//!   TTL'd map; a key idle longer than `capacity / rate` is full, so it can be evicted and
//!   recreated full with no change in behaviour.
//! - *What do you return on rejection?* 429 with `Retry-After` = time until one token:
//!   `(1 − fraction) / rate`.

use super::fixed_point::{self, UNITS_PER_TOKEN};

/// A token bucket driven by caller-supplied time in milliseconds.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity_units: u64,
    tokens_units: u64,
    refill_units_per_ms: u64,
    /// The latest time seen; refill is computed from here, and earlier times are clamped to it.
    last_refill_ms: u64,
}

impl TokenBucket {
    /// A bucket that starts full at `now_ms`.
    ///
    /// Panics unless `capacity >= 1` and `refill_per_second` is finite and positive (at least
    /// 10⁻⁶/s; the rate is kept to that resolution — see [`TokenBucket::refill_per_second`]).
    pub fn new(capacity: u64, refill_per_second: f64, now_ms: u64) -> Self {
        assert!(capacity >= 1, "a token bucket needs capacity >= 1");
        let capacity_units = fixed_point::tokens_to_units(capacity);
        Self {
            capacity_units,
            tokens_units: capacity_units,
            refill_units_per_ms: fixed_point::units_per_ms(refill_per_second),
            last_refill_ms: now_ms,
        }
    }

    /// Takes one token if available; returns whether it did.
    pub fn try_acquire(&mut self, now_ms: u64) -> bool {
        self.try_acquire_n(1, now_ms)
    }

    /// Takes `n` tokens if all are available (all or nothing). `n == 0` always succeeds;
    /// `n > capacity` never does.
    pub fn try_acquire_n(&mut self, n: u64, now_ms: u64) -> bool {
        self.refill(now_ms);
        let Some(needed_units) = n.checked_mul(UNITS_PER_TOKEN) else {
            return false;
        };
        if self.tokens_units < needed_units {
            return false;
        }
        self.tokens_units -= needed_units;
        true
    }

    /// Whole tokens available at `now_ms`.
    pub fn available(&mut self, now_ms: u64) -> u64 {
        self.refill(now_ms);
        self.tokens_units / UNITS_PER_TOKEN
    }

    pub fn capacity(&self) -> u64 {
        self.capacity_units / UNITS_PER_TOKEN
    }

    /// The refill rate actually enforced: the configured rate rounded to 10⁻⁶ tokens/s.
    pub fn refill_per_second(&self) -> f64 {
        fixed_point::per_second(self.refill_units_per_ms)
    }

    fn refill(&mut self, now_ms: u64) {
        // A clock that goes back (skew, reordering) is treated as standing still.
        let now_ms = now_ms.max(self.last_refill_ms);
        let elapsed_ms = now_ms - self.last_refill_ms;
        let gained_units = elapsed_ms.saturating_mul(self.refill_units_per_ms);
        self.tokens_units = self.tokens_units.saturating_add(gained_units).min(self.capacity_units);
        self.last_refill_ms = now_ms;
        debug_assert!(self.tokens_units <= self.capacity_units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;

    fn drain(bucket: &mut TokenBucket, now_ms: u64) -> u64 {
        let mut taken = 0;
        while bucket.try_acquire(now_ms) {
            taken += 1;
        }
        taken
    }

    #[test]
    fn admits_a_burst_up_to_capacity_then_rejects() {
        let clock = VirtualClock::starting_at(1_000);
        let mut bucket = TokenBucket::new(5, 1.0, clock.now_ms());
        for _ in 0..5 {
            assert!(bucket.try_acquire(clock.now_ms()));
        }
        assert!(!bucket.try_acquire(clock.now_ms()));
        assert_eq!(bucket.available(clock.now_ms()), 0);
    }

    #[test]
    fn refills_at_the_configured_rate() {
        let mut clock = VirtualClock::starting_at(0);
        let mut bucket = TokenBucket::new(10, 5.0, clock.now_ms());
        assert_eq!(drain(&mut bucket, clock.now_ms()), 10);
        clock.advance_ms(199);
        assert!(!bucket.try_acquire(clock.now_ms()), "one token takes 200 ms at 5/s");
        clock.advance_ms(1);
        assert!(bucket.try_acquire(clock.now_ms()));
        clock.advance_ms(1_000);
        assert_eq!(bucket.available(clock.now_ms()), 5);
    }

    #[test]
    fn fractional_rates_accumulate_without_drift() {
        // Polled every millisecond, 0.3 tokens/s must still give exactly 3 tokens in 10 s:
        // each poll adds 300_000 nano-tokens, and no fraction is lost between polls.
        let mut clock = VirtualClock::starting_at(0);
        let mut bucket = TokenBucket::new(10, 0.3, clock.now_ms());
        drain(&mut bucket, clock.now_ms());
        for _ in 0..9_999 {
            clock.advance_ms(1);
            assert!(bucket.available(clock.now_ms()) <= 2);
        }
        clock.advance_ms(1);
        assert_eq!(bucket.available(clock.now_ms()), 3);
    }

    #[test]
    fn never_holds_more_than_capacity_after_a_long_idle() {
        let mut clock = VirtualClock::starting_at(0);
        let mut bucket = TokenBucket::new(3, 100.0, clock.now_ms());
        drain(&mut bucket, clock.now_ms());
        clock.advance_ms(3_600_000);
        assert_eq!(bucket.available(clock.now_ms()), 3);
        assert_eq!(drain(&mut bucket, clock.now_ms()), 3);
    }

    #[test]
    fn a_clock_going_backwards_mints_no_tokens() {
        let mut bucket = TokenBucket::new(2, 10.0, 5_000);
        assert_eq!(drain(&mut bucket, 5_000), 2);
        // A skewed node reports an earlier time: treated as 5_000, so nothing refills...
        assert!(!bucket.try_acquire(1_000));
        // ...and returning to the real time does not count the same interval twice.
        assert_eq!(bucket.available(5_000), 0);
        assert_eq!(bucket.available(5_100), 1);
    }

    #[test]
    fn acquiring_several_tokens_is_all_or_nothing() {
        let mut bucket = TokenBucket::new(5, 1.0, 0);
        assert!(bucket.try_acquire_n(3, 0));
        assert!(!bucket.try_acquire_n(3, 0), "only 2 left");
        assert_eq!(bucket.available(0), 2, "a failed take takes nothing");
        assert!(bucket.try_acquire_n(0, 0));
        assert!(!bucket.try_acquire_n(6, 1_000_000), "more than capacity never fits");
    }

    #[test]
    fn rejects_invalid_parameters_at_construction() {
        let builds = |capacity, rate: f64| std::panic::catch_unwind(|| TokenBucket::new(capacity, rate, 0)).is_ok();
        assert!(!builds(0, 1.0));
        assert!(!builds(1, 0.0));
        assert!(!builds(1, -1.0));
        assert!(!builds(1, f64::NAN));
        assert!(!builds(1, 1e-9), "below the 1e-6/s resolution");
        assert!(builds(1, 0.001));
    }

    /// Arrival times: a start time and sorted arrivals built from random gaps.
    fn arrivals() -> impl Strategy<Value = (u64, Vec<u64>)> {
        (0u64..10_000, prop::collection::vec(0u64..300, 1..200)).prop_map(|(start, gaps)| {
            let times = gaps
                .iter()
                .scan(start, |t, gap| {
                    *t += gap;
                    Some(*t)
                })
                .collect();
            (start, times)
        })
    }

    /// Reference model, deliberately not incremental. Scale: 1 token = 1e6 "micro" and the rate
    /// is `rate_milli_per_s` thousandths of a token per second = `rate_milli_per_s` micro/ms.
    /// The tokens just before `now` equal `min over s` of `capacity + rate·(now − s) − admits
    /// since s`, where s ranges over the start and the instants just before each earlier admit:
    /// every term is an upper bound (the bucket held ≤ capacity at s), and the term for the
    /// last time the bucket was full is exact.
    fn model_admits(capacity: u64, rate_milli_per_s: u64, start: u64, admitted: &[u64], now: u64) -> bool {
        let bound = |since: u64, admits_since: usize| {
            i128::from(capacity) * 1_000_000 + i128::from(rate_milli_per_s) * i128::from(now - since)
                - 1_000_000 * admits_since as i128
        };
        let from_start = bound(start, admitted.len());
        let from_each_admit = admitted.iter().enumerate().map(|(k, &at)| bound(at, admitted.len() - k));
        from_each_admit.fold(from_start, i128::min) >= 1_000_000
    }

    proptest! {
        #[test]
        fn admits_at_most_capacity_plus_rate_times_interval(
            capacity in 1u64..20, rate_milli_per_s in 1u64..50_000, (start, times) in arrivals(),
        ) {
            let mut bucket = TokenBucket::new(capacity, rate_milli_per_s as f64 / 1_000.0, start);
            let admitted: Vec<u64> = times.iter().copied().filter(|&t| bucket.try_acquire(t)).collect();
            // For admits at a_i ≤ … ≤ a_j, T = a_j − a_i: the bucket held ≤ capacity at a_i and
            // gained ≤ rate·T after it, so no +1 for rounding is needed. Checked exactly, in
            // micro-tokens, because the fixed-point rate never rounds this test's rates.
            for i in 0..admitted.len() {
                for j in i..admitted.len() {
                    let count = (j - i + 1) as u64;
                    let interval_ms = admitted[j] - admitted[i];
                    prop_assert!(
                        count * 1_000_000 <= capacity * 1_000_000 + rate_milli_per_s * interval_ms,
                        "{count} admits in {interval_ms} ms"
                    );
                }
            }
        }

        #[test]
        fn admits_exactly_when_the_reference_model_has_a_token(
            capacity in 1u64..20, rate_milli_per_s in 1u64..50_000, (start, times) in arrivals(),
        ) {
            let mut bucket = TokenBucket::new(capacity, rate_milli_per_s as f64 / 1_000.0, start);
            let mut admitted = Vec::new();
            for &now in &times {
                let expected = model_admits(capacity, rate_milli_per_s, start, &admitted, now);
                prop_assert_eq!(bucket.try_acquire(now), expected, "at {} ms", now);
                if expected {
                    admitted.push(now);
                }
            }
        }

        #[test]
        fn out_of_order_times_act_as_the_latest_time_seen(
            capacity in 1u64..20, rate_milli_per_s in 1u64..50_000,
            times in prop::collection::vec(0u64..5_000, 1..100),
        ) {
            let rate = rate_milli_per_s as f64 / 1_000.0;
            let mut skewed = TokenBucket::new(capacity, rate, 0);
            let mut clamped = TokenBucket::new(capacity, rate, 0);
            let mut latest = 0;
            for &now in &times {
                latest = latest.max(now);
                prop_assert_eq!(skewed.try_acquire(now), clamped.try_acquire(latest));
            }
        }
    }
}

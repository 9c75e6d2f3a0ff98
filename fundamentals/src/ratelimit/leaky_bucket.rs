//! # Leaky bucket (as a meter)
//!
//! ## Why interviewers ask this
//! "Leaky bucket" names two different things, and candidates who know only one get caught.
//! Being able to say which one you mean — and that one of them is the token bucket in a
//! mirror — shows you understand what a limiter guarantees rather than a recipe.
//!
//! ## How it works
//! Picture a bucket of `capacity` requests that drains at `leak_per_second`. Each request
//! pours in one unit of water; if it would overflow, the request is rejected. The water level
//! is exactly `capacity − tokens` of a token bucket with the same numbers, so the admits are
//! identical (a property test below checks this) and so is the bound: at most
//! `capacity + rate × T / 1000` admits in any `T` ms. The *queue* variant instead holds the
//! requests and releases them at the leak rate: output becomes perfectly smooth, bursts turn
//! into latency, and a full queue rejects. This module is the meter; the level is lazy
//! (drained on access) and fixed-point, like the token bucket.
//!
//! ## Common pitfalls
//! - Mixing up meter and queue: the queue variant delays, so its latency is part of the
//!   contract — a request admitted into a full-ish queue may wait `capacity / rate` seconds.
//! - A draining timer per bucket; lazy draining needs none.
//! - Letting the level go negative when idle (then an idle period banks credit — a bigger
//!   burst than `capacity`). Draining saturates at zero.
//! - An earlier `now_ms` (skewed clock) must not drain water twice: it is clamped to the last
//!   seen time.
//!
//! ## Key takeaways
//! - Meter ≡ token bucket; queue = traffic shaper (NGINX `limit_req` without `nodelay`).
//! - Choose the queue when downstream needs a smooth rate and clients tolerate waiting.
//!
//! ## Break it
//! Replace `saturating_sub` in `drain` with `wrapping_sub`: an idle bucket's level wraps to a
//! huge value, the level invariant's `debug_assert!` fires, and
//! `rejects_when_full_and_drains_at_the_leak_rate` fails.
//! (No patch file ships for this one; the token bucket's patch shows the mirror-image bug.)
//!
//! ## Interview questions
//! - *Which would you use for an API with bursty clients?* A token bucket (or the meter): it
//!   admits bursts up to capacity immediately; a queueing leaky bucket would make them wait.
//! - *When is a queue better?* Protecting a downstream that cannot absorb bursts (a payment
//!   processor with a fixed TPS quota): shape to its rate, bound the queue, reject the rest.
//! - *How does NGINX `limit_req` with `burst=20 nodelay` behave?* As a meter: 20 excess
//!   requests are admitted at once, then the rate applies; without `nodelay` they are queued.

use super::fixed_point::{self, UNITS_PER_TOKEN};

/// A leaky bucket used as a meter, driven by caller-supplied time in milliseconds.
#[derive(Debug, Clone)]
pub struct LeakyBucket {
    capacity_units: u64,
    level_units: u64,
    leak_units_per_ms: u64,
    /// The latest time seen; earlier times are clamped to it.
    last_leak_ms: u64,
}

impl LeakyBucket {
    /// An empty bucket at `now_ms`. Panics unless `capacity >= 1` and `leak_per_second` is
    /// finite and at least 10⁻⁶/s.
    pub fn new(capacity: u64, leak_per_second: f64, now_ms: u64) -> Self {
        assert!(capacity >= 1, "a leaky bucket needs capacity >= 1");
        Self {
            capacity_units: fixed_point::tokens_to_units(capacity),
            level_units: 0,
            leak_units_per_ms: fixed_point::units_per_ms(leak_per_second),
            last_leak_ms: now_ms,
        }
    }

    /// Pours in one request if it fits; returns whether it did.
    pub fn try_acquire(&mut self, now_ms: u64) -> bool {
        self.drain(now_ms);
        if self.capacity_units - self.level_units < UNITS_PER_TOKEN {
            return false;
        }
        self.level_units += UNITS_PER_TOKEN;
        true
    }

    /// Requests still in the bucket at `now_ms`, rounded up (a partly drained one counts).
    pub fn level(&mut self, now_ms: u64) -> u64 {
        self.drain(now_ms);
        self.level_units.div_ceil(UNITS_PER_TOKEN)
    }

    fn drain(&mut self, now_ms: u64) {
        let now_ms = now_ms.max(self.last_leak_ms);
        let leaked_units = (now_ms - self.last_leak_ms).saturating_mul(self.leak_units_per_ms);
        self.level_units = self.level_units.saturating_sub(leaked_units);
        self.last_leak_ms = now_ms;
        debug_assert!(self.level_units <= self.capacity_units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::TokenBucket;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;

    #[test]
    fn rejects_when_full_and_drains_at_the_leak_rate() {
        let mut clock = VirtualClock::starting_at(0);
        let mut bucket = LeakyBucket::new(4, 2.0, clock.now_ms());
        for _ in 0..4 {
            assert!(bucket.try_acquire(clock.now_ms()));
        }
        assert!(!bucket.try_acquire(clock.now_ms()));
        clock.advance_ms(499);
        assert!(!bucket.try_acquire(clock.now_ms()), "one slot drains in 500 ms at 2/s");
        clock.advance_ms(1);
        assert!(bucket.try_acquire(clock.now_ms()));
        clock.advance_ms(60_000);
        assert_eq!(bucket.level(clock.now_ms()), 0, "an idle bucket empties and stays at zero");
    }

    #[test]
    fn a_clock_going_backwards_drains_nothing() {
        let mut bucket = LeakyBucket::new(1, 1.0, 10_000);
        assert!(bucket.try_acquire(10_000));
        assert!(!bucket.try_acquire(2_000));
        assert_eq!(bucket.level(10_000), 1);
        assert!(bucket.try_acquire(11_000));
    }

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

    proptest! {
        #[test]
        fn admits_at_most_capacity_plus_rate_times_interval(
            capacity in 1u64..20, rate_milli_per_s in 1u64..50_000, (start, times) in arrivals(),
        ) {
            let mut bucket = LeakyBucket::new(capacity, rate_milli_per_s as f64 / 1_000.0, start);
            let admitted: Vec<u64> = times.iter().copied().filter(|&t| bucket.try_acquire(t)).collect();
            // Same argument as the token bucket: the level is ≥ 0 before a_i, and at most
            // rate·T drains after it, so no rounding slack is needed. Exact, in micro-tokens.
            for i in 0..admitted.len() {
                for j in i..admitted.len() {
                    let count = (j - i + 1) as u64;
                    let interval_ms = admitted[j] - admitted[i];
                    prop_assert!(count * 1_000_000 <= capacity * 1_000_000 + rate_milli_per_s * interval_ms);
                }
            }
        }

        #[test]
        fn decides_exactly_like_a_token_bucket_with_the_same_numbers(
            capacity in 1u64..20, rate_milli_per_s in 1u64..50_000, (start, times) in arrivals(),
        ) {
            let rate = rate_milli_per_s as f64 / 1_000.0;
            let mut leaky = LeakyBucket::new(capacity, rate, start);
            let mut token = TokenBucket::new(capacity, rate, start);
            for &now in &times {
                prop_assert_eq!(leaky.try_acquire(now), token.try_acquire(now), "at {} ms", now);
            }
        }
    }
}

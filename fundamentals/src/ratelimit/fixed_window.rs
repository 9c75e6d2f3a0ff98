//! # Fixed window counter
//!
//! ## Why interviewers ask this
//! It is the simplest limiter — one counter per key per window, a Redis `INCR` plus `EXPIRE` —
//! and it has a famous flaw. Interviewers want you to propose it, then find the flaw yourself.
//!
//! ## How it works
//! Time is cut into aligned windows `[k·w, (k+1)·w)`. Each window has a counter; a request is
//! admitted while the counter is below `limit`. When a request arrives in a new window the
//! counter restarts at zero. Memory: one counter and one window start.
//!
//! ## Common pitfalls
//! - The boundary burst: `limit` requests at the end of one window and `limit` more at the
//!   start of the next are all admitted — `2 × limit` within a few milliseconds
//!   (`admits_twice_the_limit_across_a_window_edge` pins this).
//! - Synchronised clients: every client's quota resets at the same instant, so traffic spikes
//!   at each boundary (a thundering herd).
//! - Windows aligned per node but the node clocks skewed: each gateway resets at a different
//!   moment. An earlier `now_ms` is clamped to the last seen time so a skewed caller cannot
//!   drag the counter back into an old window and reset it.
//!
//! ## Key takeaways
//! - Cheapest and easiest to distribute (an atomic increment on a key named by the window).
//! - Guarantees `limit` per *aligned* window only; any sliding window may see up to `2×limit`.
//!
//! ## Break it
//! Reset the counter only when `now_ms` is exactly a multiple of the window: requests rarely
//! land on that millisecond, so the counter never resets and
//! `resets_at_the_start_of_each_window` fails. (No patch file ships for this module.)
//!
//! ## Interview questions
//! - *What is wrong with a fixed window?* The edge burst: up to twice the limit in any
//!   `window_ms` span that straddles a boundary. Fixes: sliding log (exact, O(limit) memory)
//!   or sliding counter (approximate, O(1)).
//! - *How do you implement it in Redis?* `INCR key:{window}`; on the first increment set
//!   `EXPIRE` to the window length; admit if the result ≤ limit. Both in one `MULTI` or Lua
//!   script so a crash between them cannot leave a key without TTL.

/// A fixed-window counter driven by caller-supplied time in milliseconds.
#[derive(Debug, Clone)]
pub struct FixedWindowCounter {
    limit: u64,
    window_ms: u64,
    window_start_ms: u64,
    admitted_in_window: u64,
    /// The latest time seen; earlier times are clamped to it.
    last_seen_ms: u64,
}

impl FixedWindowCounter {
    /// Panics unless `limit >= 1` and `window_ms >= 1`.
    pub fn new(limit: u64, window_ms: u64) -> Self {
        assert!(limit >= 1, "a fixed window needs limit >= 1");
        assert!(window_ms >= 1, "a fixed window needs window_ms >= 1");
        Self { limit, window_ms, window_start_ms: 0, admitted_in_window: 0, last_seen_ms: 0 }
    }

    /// Admits if fewer than `limit` requests were admitted in the aligned window of `now_ms`.
    pub fn try_acquire(&mut self, now_ms: u64) -> bool {
        let now_ms = now_ms.max(self.last_seen_ms);
        self.last_seen_ms = now_ms;
        let window_start_ms = now_ms - now_ms % self.window_ms;
        if window_start_ms != self.window_start_ms {
            self.window_start_ms = window_start_ms;
            self.admitted_in_window = 0;
        }
        if self.admitted_in_window >= self.limit {
            return false;
        }
        self.admitted_in_window += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn admits_up_to_the_limit_within_one_window() {
        let mut counter = FixedWindowCounter::new(3, 1_000);
        assert!(counter.try_acquire(100));
        assert!(counter.try_acquire(500));
        assert!(counter.try_acquire(999));
        assert!(!counter.try_acquire(999));
    }

    #[test]
    fn resets_at_the_start_of_each_window() {
        let mut counter = FixedWindowCounter::new(1, 1_000);
        assert!(counter.try_acquire(1_500));
        assert!(!counter.try_acquire(1_999));
        assert!(counter.try_acquire(2_001));
    }

    #[test]
    fn admits_twice_the_limit_across_a_window_edge() {
        // The classic pitfall, asserted: 2 × limit admits within 2 ms.
        let mut clock = VirtualClock::starting_at(999);
        let mut counter = FixedWindowCounter::new(10, 1_000);
        let before_edge = (0..10).filter(|_| counter.try_acquire(clock.now_ms())).count();
        clock.advance_ms(1);
        let after_edge = (0..10).filter(|_| counter.try_acquire(clock.now_ms())).count();
        assert_eq!(before_edge + after_edge, 20);
    }

    #[test]
    fn a_clock_going_backwards_cannot_reopen_an_old_window() {
        let mut counter = FixedWindowCounter::new(1, 1_000);
        assert!(counter.try_acquire(500));
        assert!(counter.try_acquire(1_200));
        // A skewed caller at 600 ms is treated as 1_200 ms: the window is spent.
        assert!(!counter.try_acquire(600));
        assert!(!counter.try_acquire(1_300));
    }

    proptest! {
        #[test]
        fn admits_at_most_limit_per_aligned_window_and_otherwise_always(
            limit in 1u64..10, window_ms in 1u64..2_000,
            gaps in prop::collection::vec(0u64..300, 1..300),
        ) {
            let mut counter = FixedWindowCounter::new(limit, window_ms);
            let mut admitted_per_window: BTreeMap<u64, u64> = BTreeMap::new();
            let mut now = 0;
            for gap in gaps {
                now += gap;
                let admitted = admitted_per_window.entry(now / window_ms).or_default();
                let expected = *admitted < limit;
                prop_assert_eq!(counter.try_acquire(now), expected, "at {} ms", now);
                *admitted += u64::from(expected);
                prop_assert!(*admitted <= limit);
            }
        }
    }
}

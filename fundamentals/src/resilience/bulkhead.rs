//! # Bulkheads: bounded concurrency per dependency
//!
//! ## Why interviewers ask this
//! A service has one slow dependency and ten healthy ones. Requests to the slow one hold their
//! threads (or connections, or tasks) for the full timeout, the shared pool fills up, and
//! requests that never touch the slow dependency queue behind them: the whole service is down
//! because one dependency is slow. Bulkheads — named after a ship's watertight compartments —
//! are how you keep the flooding in one compartment.
//!
//! ## How it works
//! Each dependency (or tenant, or endpoint) gets its own budget of in-flight calls. Before a
//! call, [`Bulkhead::try_acquire`] takes a permit or refuses at once; after the call (success,
//! failure *or* timeout) [`Bulkhead::release`] returns it. A refused call fails fast — the
//! caller returns an error or a fallback instead of waiting — so a slow dependency can hold at
//! most its own `max_in_flight` workers and the rest of the service keeps its capacity.
//! Size it from Little's law: permits ≈ target rate × latency (100 req/s × 0.2 s = 20), plus
//! headroom.
//!
//! ## Common pitfalls
//! - One shared pool for everything: the default in most HTTP clients and thread-pool servers,
//!   and the reason one slow dependency takes everything down.
//! - Queueing instead of rejecting: an unbounded wait queue in front of the bulkhead just moves
//!   the pile-up; if you queue, bound the queue and honour deadlines while waiting.
//! - Forgetting to release on the error or timeout path: permits leak until the bulkhead is
//!   permanently full. Tie release to the call's lifetime (a guard, `finally`, `Drop`).
//! - Limits that are too tight for normal load: the bulkhead rejects healthy traffic; measure
//!   concurrency under peak load first.
//!
//! ## Key takeaways
//! - Isolate failure domains: separate concurrency budgets per dependency.
//! - Reject fast when full; a fast failure is cheaper than a slow one for everybody.
//! - Bulkheads bound the damage, breakers stop the calls, deadlines bound each wait: use all three.
//!
//! ## Break it
//! `fundamentals/breaks/resilience_bulkhead.patch` changes the full check from `<` to `<=`, so
//! the bulkhead admits one call more than its limit: the property
//! `never_exceeds_max_in_flight_under_random_acquire_and_release` fails on a short sequence.
//!
//! ## Interview questions
//! - *One downstream API became slow and your whole service stopped responding. Why, and how
//!   do you prevent it?* Its calls held every worker for the full timeout; healthy endpoints
//!   had none left. Per-dependency bulkheads (bounded pools or semaphores), short deadlines,
//!   and a circuit breaker so calls stop once it is clearly down.
//! - *Semaphore or separate thread pool?* A semaphore is cheap and works with async code; a
//!   separate pool also isolates blocking calls and CPU, at the cost of threads and hand-offs.
//! - *How do you size a bulkhead?* Little's law: in-flight = arrival rate × latency. Take
//!   the peak rate and the p99 latency you accept, add headroom, and alert on rejections.
//! - *Bulkhead vs rate limiter?* A rate limiter bounds requests per time; a bulkhead bounds
//!   requests at the same time. A slow dependency at a fine rate still exhausts concurrency.

/// A counting semaphore that rejects instead of waiting.
#[derive(Debug, Clone)]
pub struct Bulkhead {
    max_in_flight: u32,
    in_flight: u32,
}

impl Bulkhead {
    /// A bulkhead allowing `max_in_flight` concurrent calls (at least 1).
    pub fn new(max_in_flight: u32) -> Self {
        assert!(max_in_flight >= 1, "a bulkhead must admit at least one call");
        Self { max_in_flight, in_flight: 0 }
    }

    /// Takes a permit; `false` when full (reject fast instead of queueing).
    pub fn try_acquire(&mut self) -> bool {
        if self.in_flight < self.max_in_flight {
            self.in_flight += 1;
            return true;
        }
        false
    }

    /// Returns a permit taken by a successful [`Bulkhead::try_acquire`].
    pub fn release(&mut self) {
        debug_assert!(self.in_flight > 0, "released a bulkhead permit that was never acquired");
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    pub fn max_in_flight(&self) -> u32 {
        self.max_in_flight
    }

    /// Permits left.
    pub fn available(&self) -> u32 {
        self.max_in_flight - self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_fast_when_full_and_admits_again_after_a_release() {
        let mut bulkhead = Bulkhead::new(2);
        assert!(bulkhead.try_acquire());
        assert!(bulkhead.try_acquire());
        assert!(!bulkhead.try_acquire(), "full: reject instead of queueing");
        assert_eq!(bulkhead.in_flight(), 2);
        bulkhead.release();
        assert_eq!(bulkhead.available(), 1);
        assert!(bulkhead.try_acquire());
    }

    #[test]
    fn a_slow_dependency_cannot_take_the_healthy_ones_capacity() {
        // 10 workers' worth of calls: the slow dependency gets a bulkhead of 4, the healthy
        // one its own 6. Every call to the slow one hangs, yet the healthy one keeps serving.
        let (mut slow, mut healthy) = (Bulkhead::new(4), Bulkhead::new(6));
        let slow_admitted = (0..100).filter(|_| slow.try_acquire()).count();
        assert_eq!(slow_admitted, 4, "96 calls to the slow dependency failed fast");
        for _request in 0..1_000 {
            assert!(healthy.try_acquire(), "healthy calls always find a permit");
            healthy.release();
        }
    }

    #[test]
    fn releasing_more_than_was_acquired_is_caught_in_debug_builds() {
        let released_on_empty = std::panic::catch_unwind(|| Bulkhead::new(1).release());
        assert_eq!(released_on_empty.is_err(), cfg!(debug_assertions));
    }

    #[test]
    fn rejects_a_bulkhead_that_admits_nothing() {
        assert!(std::panic::catch_unwind(|| Bulkhead::new(0)).is_err());
    }

    proptest! {
        #[test]
        fn never_exceeds_max_in_flight_under_random_acquire_and_release(
            max_in_flight in 1u32..10, ops in prop::collection::vec(any::<bool>(), 0..200),
        ) {
            let mut bulkhead = Bulkhead::new(max_in_flight);
            let mut held = 0u32; // the model: permits our callers actually hold
            for acquire in ops {
                if acquire {
                    let admitted = bulkhead.try_acquire();
                    prop_assert_eq!(admitted, held < max_in_flight);
                    held += u32::from(admitted);
                } else if held > 0 {
                    bulkhead.release();
                    held -= 1;
                }
                prop_assert_eq!(bulkhead.in_flight(), held);
                prop_assert!(bulkhead.in_flight() <= max_in_flight);
            }
        }
    }
}

//! # Deadlines and timeout budgets
//!
//! ## Why interviewers ask this
//! Timeouts are where cascading failures start. A caller that waits forever holds a thread,
//! a connection and memory for a request its own client abandoned seconds ago; a service
//! that keeps working on such requests spends its capacity on answers nobody will read. The
//! question probes whether you set timeouts per *request* rather than per *hop*, and pass the
//! remaining budget downstream (as gRPC does with `grpc-timeout`).
//!
//! ## How it works
//! A [`Deadline`] is an absolute instant (`at_ms`), fixed once when the request enters the
//! system: `Deadline::after(now, budget)`. Everything else is derived from it:
//! - each attempt gets `min(per_attempt_cap, remaining)` ([`Deadline::attempt_timeout_ms`]), so
//!   a retry never outlives the request;
//! - a downstream call gets the deadline minus a reserve for our own work after it answers
//!   ([`Deadline::downstream`]); if less than the reserve remains, don't call at all;
//! - once expired, every question answers `None`: stop, reply with a definite "deadline
//!   exceeded" and free the resources.
//!
//! Absolute instants are easy to compare in one process; across machines clocks differ, so the
//! wire carries the *remaining* milliseconds and the receiver rebuilds a deadline from its own
//! clock (`Deadline::after(receiver_now, remaining)`): skew then costs nothing, transit time
//! is the only error.
//!
//! ## Common pitfalls
//! - A fixed timeout per hop: 3 hops × 2 s each = 6 s, for a user who waits 2 s. Budgets must
//!   shrink as they travel.
//! - Retrying without a deadline: the retry loop runs long after the caller has gone.
//! - Not checking the deadline when work is *dequeued*: a request that waited 3 s in a queue
//!   with a 1 s budget should be dropped, not served.
//! - Sending an absolute timestamp to another machine: its clock disagrees with yours.
//! - Giving the downstream call all of the remaining time: when it times out, nothing is left
//!   to answer our own caller, so they time out too and see no useful error.
//!
//! ## Key takeaways
//! - One deadline per request, set at the edge, propagated (shrinking) to every call.
//! - Attempt timeout = `min(cap, remaining)`; downstream = remaining − reserve.
//! - Expired means stop: no new attempts, no downstream calls, a definite error.
//!
//! ## Break it
//! `fundamentals/breaks/resilience_deadline.patch` makes [`Deadline::downstream`] hand our
//! own deadline to the dependency, keeping no reserve. The dependency may now use all of the
//! time, so `downstream_deadline_keeps_the_reserve_for_our_own_work` and the property
//! `downstream_is_earlier_by_exactly_the_reserve` fail.
//!
//! ## Interview questions
//! - *Service A calls B calls C; the user's budget is 1 s. What timeouts do you set?* Not three
//!   fixed ones: A sets a 1 s deadline, passes "remaining − A's reserve" to B, which does the
//!   same for C. Each layer stops as soon as its deadline passes.
//! - *How does gRPC propagate deadlines?* The client sends `grpc-timeout` (a duration); the
//!   server turns it into a deadline on its clock and hands it to its own outgoing calls via
//!   the context; when it passes, the call is cancelled with `DEADLINE_EXCEEDED`.
//! - *Why send a duration rather than a timestamp?* Clock skew between hosts can be larger
//!   than the budget itself; a duration only loses the network transit time.
//! - *The deadline passed while the request was queued. Now what?* Drop it before doing any
//!   work: the caller has given up, and serving it only delays requests that can still succeed.

/// An absolute instant by which a request must be finished, in simulated milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at_ms: u64,
}

impl Deadline {
    /// The deadline `budget_ms` from `now_ms` (saturating: a huge budget means "far away").
    pub fn after(now_ms: u64, budget_ms: u64) -> Self {
        Self { at_ms: now_ms.saturating_add(budget_ms) }
    }

    /// Time left; `None` once expired (`at_ms <= now_ms`).
    pub fn remaining_ms(&self, now_ms: u64) -> Option<u64> {
        self.at_ms.checked_sub(now_ms).filter(|&left| left > 0)
    }

    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.at_ms <= now_ms
    }

    /// Timeout to give one attempt: `min(per_attempt_cap_ms, remaining)`; `None` if expired.
    pub fn attempt_timeout_ms(&self, now_ms: u64, per_attempt_cap_ms: u64) -> Option<u64> {
        self.remaining_ms(now_ms).map(|left| left.min(per_attempt_cap_ms))
    }

    /// The deadline to pass to a downstream call, keeping `reserve_ms` for our own work after
    /// it answers: `at_ms − reserve_ms`. `None` unless more than `reserve_ms` remains — a
    /// downstream deadline that is already expired is not worth sending.
    pub fn downstream(&self, now_ms: u64, reserve_ms: u64) -> Option<Deadline> {
        let left = self.remaining_ms(now_ms)?;
        if left <= reserve_ms {
            return None;
        }
        let downstream = Deadline { at_ms: self.at_ms - reserve_ms };
        debug_assert!(!downstream.is_expired(now_ms));
        Some(downstream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;

    #[test]
    fn remaining_time_shrinks_as_the_clock_moves_then_expires() {
        let mut clock = VirtualClock::starting_at(10_000);
        let deadline = Deadline::after(clock.now_ms(), 500);
        assert_eq!(deadline.at_ms, 10_500);
        assert_eq!(deadline.remaining_ms(clock.now_ms()), Some(500));
        clock.advance_ms(499);
        assert_eq!(deadline.remaining_ms(clock.now_ms()), Some(1));
        assert!(!deadline.is_expired(clock.now_ms()));
        clock.advance_ms(1);
        assert_eq!(deadline.remaining_ms(clock.now_ms()), None, "expired exactly at at_ms");
        assert!(deadline.is_expired(clock.now_ms()));
    }

    #[test]
    fn attempt_timeout_is_the_cap_early_and_the_remainder_late() {
        let mut clock = VirtualClock::starting_at(0);
        let deadline = Deadline::after(clock.now_ms(), 1_000);
        assert_eq!(deadline.attempt_timeout_ms(clock.now_ms(), 300), Some(300));
        clock.advance_ms(800);
        assert_eq!(deadline.attempt_timeout_ms(clock.now_ms(), 300), Some(200), "last attempt gets what is left");
        clock.advance_ms(200);
        assert_eq!(deadline.attempt_timeout_ms(clock.now_ms(), 300), None);
    }

    #[test]
    fn downstream_deadline_keeps_the_reserve_for_our_own_work() {
        let mut clock = VirtualClock::starting_at(0);
        let ours = Deadline::after(clock.now_ms(), 1_000);
        assert_eq!(ours.downstream(clock.now_ms(), 100), Some(Deadline { at_ms: 900 }));
        clock.advance_ms(850);
        assert_eq!(ours.downstream(clock.now_ms(), 100), Some(Deadline { at_ms: 900 }));
        clock.advance_ms(50);
        assert_eq!(ours.downstream(clock.now_ms(), 100), None, "only the reserve is left: don't call");
    }

    #[test]
    fn a_budget_passed_as_a_duration_survives_clock_skew() {
        // The caller's clock reads 1_000, the callee's 61_000 (a minute of skew). The wire
        // carries the remaining duration, and the callee rebuilds the deadline on its clock.
        let callers = Deadline::after(1_000, 2_000);
        let downstream = callers.downstream(1_000, 200).expect("plenty of time left");
        let on_the_wire_ms = downstream.remaining_ms(1_000).expect("not expired");
        let callees = Deadline::after(61_000 + 30, on_the_wire_ms); // 30 ms in transit
        assert_eq!(callees.remaining_ms(61_030), Some(1_800));
    }

    #[test]
    fn huge_budgets_saturate_instead_of_wrapping() {
        let deadline = Deadline::after(u64::MAX - 5, 1_000);
        assert_eq!(deadline.at_ms, u64::MAX);
        assert!(!deadline.is_expired(u64::MAX - 5));
    }

    proptest! {
        #[test]
        fn attempt_timeout_never_exceeds_the_remaining_time(
            start in 0u64..1_000_000, budget in 0u64..100_000, elapsed in 0u64..200_000, cap in 0u64..50_000,
        ) {
            let deadline = Deadline::after(start, budget);
            let now = start + elapsed;
            match deadline.attempt_timeout_ms(now, cap) {
                Some(timeout) => {
                    let remaining = deadline.remaining_ms(now).expect("a timeout implies time left");
                    prop_assert!(timeout <= remaining);
                    prop_assert!(timeout <= cap);
                    prop_assert_eq!(timeout, remaining.min(cap));
                }
                None => prop_assert!(deadline.is_expired(now)),
            }
        }

        #[test]
        fn downstream_is_earlier_by_exactly_the_reserve(
            start in 0u64..1_000_000, budget in 0u64..100_000, elapsed in 0u64..200_000, reserve in 0u64..50_000,
        ) {
            let ours = Deadline::after(start, budget);
            let now = start + elapsed;
            match ours.downstream(now, reserve) {
                Some(theirs) => {
                    prop_assert_eq!(theirs.at_ms + reserve, ours.at_ms);
                    prop_assert!(!theirs.is_expired(now));
                }
                None => prop_assert!(ours.remaining_ms(now).unwrap_or(0) <= reserve),
            }
        }

        #[test]
        fn expired_deadlines_answer_none_to_everything(
            at in 0u64..1_000_000, late_by in 0u64..1_000_000, cap in any::<u64>(), reserve in any::<u64>(),
        ) {
            let deadline = Deadline { at_ms: at };
            let now = at + late_by;
            prop_assert!(deadline.is_expired(now));
            prop_assert_eq!(deadline.remaining_ms(now), None);
            prop_assert_eq!(deadline.attempt_timeout_ms(now, cap), None);
            prop_assert_eq!(deadline.downstream(now, reserve), None);
        }
    }
}

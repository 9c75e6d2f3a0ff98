//! # Time: physical clocks, NTP, monotonic clocks, leases, fencing tokens
//!
//! ## Why interviewers ask this
//! Backend designs lean on clocks everywhere: a lock that expires, a cache TTL, a request
//! timeout, "last write wins", a token valid until 10:00. Each silently assumes something —
//! that machines' clocks agree, that a clock only moves forward, that a process notices time
//! passing — and each assumption fails in production. Interviewers want to hear which clock you
//! read for what, how wrong it can be, and what you do when "how wrong" has no bound: a process
//! that stalls for longer than its lease.
//!
//! ## How it works
//! | module | answers |
//! | --- | --- |
//! | [`physical_vs_logical`] | why wall-clock order across machines is not causal order; a hybrid logical clock that is both |
//! | [`ntp`] | how a clock learns its offset, how wrong that estimate can be, and why the wall clock jumps |
//! | [`monotonic`] | which clock measures a duration: the one that is never stepped |
//! | [`lease`] | how long a lease holder may act, given bounded drift and bounded pauses |
//! | [`fencing`] | what keeps a lock safe when those bounds fail: the resource rejects stale holders |
//!
//! One model of time runs through all five. The simulation owns *true time* in whole
//! milliseconds (`true_ms`), which no code under test can read. Each machine reads its own
//! [`Clock`]s, which turn true time into a reading in nanoseconds. A
//! [`PhysicalClock`](physical_vs_logical::PhysicalClock) adds an offset and a drift in parts per
//! million, so a clock `N` ppm fast gains exactly `N` ns per millisecond — integer arithmetic,
//! nothing rounded. NTP steps and slews the wall clock ([`ntp::WallClock`]); the monotonic clock
//! ([`monotonic::MonotonicClock`]) only counts.
//!
//! The argument, one lesson per step: clocks disagree (skew) and run at different rates (drift)
//! → NTP narrows the skew, but corrects large errors by *jumping* the wall clock → so durations
//! belong on a monotonic clock → which is good to within its drift, and a lease can budget for
//! drift → but nothing bounds how long a process can stall, so no lease is enough on its own →
//! the resource itself must turn the stale holder away, by its fencing token.
//!
//! ## Common pitfalls
//! - "Our clocks are synced by NTP" as a reason to order events by timestamp: NTP's error is
//!   milliseconds on a good day and unbounded on a bad one.
//! - Measuring a timeout or a latency as the difference of two wall-clock readings.
//! - Starting a lease's countdown when the grant arrives, or budgeting for one clock's drift
//!   when two clocks are involved.
//! - Treating a lock that expires as a lock that excludes: a holder can stall past its expiry
//!   and then carry on as if it still held the lock.
//!
//! ## Key takeaways
//! - Wall clocks are for humans and for other machines, monotonic clocks for durations, logical
//!   clocks for order.
//! - Bounded drift is an assumption you can budget for; a bounded pause is one you rarely can.
//! - Mutual exclusion under expiring locks comes from the resource: fencing tokens, checked on
//!   every write.
//!
//! ## Break it
//! Every lesson has a patch: `time_physical_vs_logical`, `time_ntp`, `time_monotonic`,
//! `time_lease`, `time_fencing`. Run `scripts/break-it.sh <topic>` and read which test
//! catches it.
//!
//! ## Interview questions
//! - *Which clock do you read for a timeout, for a log timestamp, and to order two writes?*
//!   The monotonic clock for the timeout (it is never stepped); the wall clock for the log line
//!   (a human or another machine reads it); neither for ordering writes across machines — a
//!   logical or hybrid logical clock, or a sequence number from a single leader.
//! - *Spanner orders transactions by timestamp. Why does that work there and not elsewhere?*
//!   TrueTime returns an interval guaranteed to contain the true time, kept to a few ms by GPS
//!   and atomic clocks in every data centre. A transaction takes the interval's upper end as its
//!   timestamp and waits until the lower end has passed it before acknowledging (commit wait),
//!   so every later transaction gets a larger timestamp. Plain NTP offers no such guaranteed
//!   bound, so nothing can be waited out.
//! - *A lock service grants 10 s leases. What can still go wrong?* The holder can stall (GC,
//!   page faults, a paused VM, a slow disk) between checking its lease and using it, and act
//!   after another client was granted the lock. The lease limits how long a crashed holder
//!   blocks others; only a fencing token checked by the resource stops a stalled holder's
//!   writes.
//! - *How do you notice clock trouble in a fleet?* Export every host's NTP offset and alert on
//!   it; systems whose correctness assumes a bound enforce it — a CockroachDB node shuts itself
//!   down when its clock is too far from its peers', rather than serve reads that might be stale.

pub mod fencing;
pub mod lease;
pub mod monotonic;
pub mod ntp;
pub mod physical_vs_logical;

/// Something a machine can read the time from. `true_ms` is the simulation's true time, the
/// input that stands in for "now"; the reading is what the machine sees, in nanoseconds.
pub trait Clock {
    fn now_ns(&self, true_ms: u64) -> i64;
}

#[cfg(test)]
mod tests {
    //! The lessons composed: the lease arithmetic fails when its pause bound does, and the fence
    //! catches what the lease let through.
    use super::fencing::{FencingToken, StaleToken, Storage};
    use super::lease::{safe_lease_ms, LeaseHolder, LockServer};
    use super::physical_vs_logical::PhysicalClock;

    #[test]
    fn a_pause_that_outlasts_the_lease_margin_is_stopped_by_the_fence() {
        let mut server = LockServer::new(PhysicalClock::default(), 10_000);
        let safe_ms = safe_lease_ms(10_000, 100, 500).expect("a 10 s lease leaves 9.5 s to act");
        let old_holder = LeaseHolder::new(PhysicalClock::default(), 0, safe_ms);
        let old_token = server.try_acquire(1, 0).expect("the lock is free");

        // The old holder checks its lease at the last moment it may, and it passes; then a 30 s
        // GC pause. Meanwhile the server expires the lease and grants it to client 2, who writes.
        let checked_ms = old_holder.last_true_ms_to_act().expect("the window is open");
        assert!(old_holder.may_act(checked_ms));
        let woke_ms = checked_ms + 30_000;
        let new_token = server.try_acquire(2, woke_ms - 1).expect("the old lease expired long ago");
        let mut storage = Storage::fenced();
        assert_eq!(storage.write(2, new_token, 20), Ok(()));

        // The old holder wakes and writes as if nothing happened; the storage knows better.
        assert_eq!(
            storage.write(1, old_token, 10),
            Err(StaleToken { token: old_token, highest: new_token }),
            "the lease check passed 30 s ago; the token is what is stale"
        );
        assert_eq!(storage.value(), Some(20));
        assert_eq!(old_token, FencingToken(1));
    }
}

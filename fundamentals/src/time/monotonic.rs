//! # Monotonic clocks vs wall clocks
//!
//! ## Why interviewers ask this
//! "How do you measure how long something took?" has a wrong answer that passes every test on a
//! laptop: subtract two readings of the wall clock. In production NTP steps that clock, and the
//! subtraction yields a negative latency, a timeout that fires at once or an hour late, a cache
//! entry that never expires. The question separates people who have read an incident report
//! about it — Cloudflare's 2017 leap second outage, for one — from people who have not.
//!
//! ## How it works
//! A machine has (at least) two clocks, and they answer different questions:
//!
//! | | wall clock ([`WallClock`]) | monotonic clock ([`MonotonicClock`]) |
//! | --- | --- | --- |
//! | reads | civil time: comparable across machines, meaningful to people | time since some point, often boot: meaningful only on this machine |
//! | NTP may | step it (either way) and slew it | at most slew it, never step it |
//! | use it for | timestamps you store, show or send | timeouts, elapsed time, rate limits, leases, TTLs |
//! | Rust | `SystemTime` | `Instant` |
//! | Linux | `CLOCK_REALTIME` | `CLOCK_MONOTONIC` (`_RAW`: not even slewed) |
//!
//! A [`Timeout`] records a start reading and compares later readings against it; it is right
//! only if nothing but time moves the clock between the two readings. On the wall clock, a step
//! of `+1 h` makes a 10 s timeout fire at the next check, and a step of `−1 h` delays it by an
//! hour. [`Host`] does it right: timestamps from the wall clock, timeouts on the monotonic one.
//! The monotonic clock still drifts (a 100 ppm crystal makes a 10 s timeout 1 ms long or short)
//! — that is the error a [lease](super::lease) budgets for.
//!
//! ## Common pitfalls
//! - `SystemTime::now()` (or `time.time()`, `Date.now()`, `System.currentTimeMillis()`) at the
//!   start and end of an operation. `SystemTime::duration_since` returns `Err` when time went
//!   backwards, for exactly this reason.
//! - Sending a monotonic reading to another machine, or storing it: its zero is this boot.
//! - Expiring cache entries or sessions by wall-clock deadlines computed in process, where a
//!   relative duration on the monotonic clock would do.
//! - Assuming the monotonic clock counts a suspend: on Linux `CLOCK_MONOTONIC` stops while the
//!   machine sleeps; `CLOCK_BOOTTIME` keeps counting.
//!
//! ## Key takeaways
//! - Durations on the monotonic clock, timestamps on the wall clock; never subtract wall
//!   readings to time something.
//! - A monotonic clock cannot be stepped, so it cannot go backwards; it can still drift.
//! - Monotonic readings mean nothing on another machine.
//!
//! ## Break it
//! `fundamentals/breaks/time_monotonic.patch` makes the [`Host`]'s timers read the wall clock.
//! `host_timeouts_ignore_ntp_steps_of_the_wall_clock` catches it: after NTP steps the clock an
//! hour forward, a 10 s timeout fires one second in.
//!
//! ## Interview questions
//! - *How do you measure the duration of a request?* Read a monotonic clock (`Instant::now()`)
//!   at start and end and subtract. The wall clock can be stepped by NTP in between, giving
//!   negative or wildly wrong durations.
//! - *Your p99 latency dashboard shows a negative value once a day. Why?* Durations computed
//!   from wall-clock readings, across an NTP step (or a leap second). Measure on the
//!   monotonic clock.
//! - *What happened in Cloudflare's 2017 leap second outage?* The leap second made the wall
//!   clock repeat a second; Go's `time.Now()` then had no monotonic part, so a duration computed
//!   across it came out negative, and DNS code that passed it to a random-number function
//!   panicked. Go 1.9 added a monotonic reading to `time.Time` so that subtraction uses it.
//! - *Can you send an `Instant` to another service as a deadline?* No: monotonic readings are
//!   relative to an arbitrary point on one machine. Send the remaining duration and let the
//!   receiver add it to its own monotonic clock, as gRPC does with `grpc-timeout`.
//! - *Is a monotonic clock accurate?* It is monotonic, not exact: it runs at the crystal's rate,
//!   off by tens of ppm, and (`CLOCK_MONOTONIC`) may be slewed by NTP. Good enough for timeouts;
//!   code whose safety depends on durations across machines, such as leases, must budget for it.

use super::ntp::{discipline, Correction, WallClock};
use super::physical_vs_logical::{ms_i64, PhysicalClock, NS_PER_MS};
use super::Clock;

/// Time since boot, counted by the machine's oscillator. It has no step, no slew and no set:
/// nothing but true time moves it, so it never goes backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonotonicClock {
    booted_true_ms: u64,
    oscillator: PhysicalClock,
}

impl MonotonicClock {
    /// The monotonic clock of a machine booted at `booted_true_ms` whose crystal drifts
    /// `drift_ppm`; it reads 0 at boot.
    pub fn booted_at(booted_true_ms: u64, drift_ppm: i64) -> Self {
        Self { booted_true_ms, oscillator: PhysicalClock::new(0, drift_ppm) }
    }
}

impl Clock for MonotonicClock {
    fn now_ns(&self, true_ms: u64) -> i64 {
        let since_boot_ms = true_ms.checked_sub(self.booted_true_ms).expect("read before boot");
        self.oscillator.now_ns(since_boot_ms)
    }
}

/// A timeout of `after_ns` started at reading `started_ns` of whichever clock started it; ask
/// it only with the same clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    started_ns: i64,
    after_ns: i64,
}

impl Timeout {
    pub fn start(clock: &impl Clock, true_ms: u64, after_ms: u64) -> Self {
        let after_ns = ms_i64(after_ms) * NS_PER_MS;
        Self { started_ns: clock.now_ns(true_ms), after_ns }
    }

    /// Time since the start, as `clock` sees it: negative if the clock was set back.
    pub fn elapsed_ns(&self, clock: &impl Clock, true_ms: u64) -> i64 {
        clock.now_ns(true_ms) - self.started_ns
    }

    pub fn has_fired(&self, clock: &impl Clock, true_ms: u64) -> bool {
        self.elapsed_ns(clock, true_ms) >= self.after_ns
    }
}

/// A machine with both clocks, each used for what it is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    pub wall: WallClock,
    pub mono: MonotonicClock,
}

impl Host {
    /// A timestamp to log, store or send: the wall clock.
    pub fn timestamp_ns(&self, true_ms: u64) -> i64 {
        self.wall.now_ns(true_ms)
    }

    /// NTP corrects the wall clock; the monotonic clock does not notice.
    pub fn ntp_update(&mut self, offset_ns: i64, true_ms: u64) -> Correction {
        discipline(&mut self.wall, offset_ns, true_ms)
    }

    pub fn start_timeout(&self, true_ms: u64, after_ms: u64) -> Timeout {
        Timeout::start(self.timer_clock(), true_ms, after_ms)
    }

    pub fn has_fired(&self, timeout: &Timeout, true_ms: u64) -> bool {
        timeout.has_fired(self.timer_clock(), true_ms)
    }

    pub fn elapsed_ns(&self, timeout: &Timeout, true_ms: u64) -> i64 {
        timeout.elapsed_ns(self.timer_clock(), true_ms)
    }

    /// The clock every duration on this host is measured with.
    fn timer_clock(&self) -> &impl Clock {
        &self.mono
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const START_MS: u64 = 1_000_000;
    const HOUR_NS: i64 = 3_600_000 * NS_PER_MS;

    /// A host booted at true time 0 whose clocks both run exactly right.
    fn host() -> Host {
        Host { wall: WallClock::new(PhysicalClock::default()), mono: MonotonicClock::booted_at(0, 0) }
    }

    #[test]
    fn elapsed_time_on_the_wall_clock_goes_negative_when_ntp_steps_it_back() {
        let mut host = host();
        let on_wall = Timeout::start(&host.wall, START_MS, 10_000);
        let on_mono = host.start_timeout(START_MS, 10_000);
        assert_eq!(host.ntp_update(-2_000 * NS_PER_MS, START_MS + 500), Correction::Stepped);
        assert_eq!(on_wall.elapsed_ns(&host.wall, START_MS + 1_000), -NS_PER_MS * 1_000, "a latency of −1 s");
        assert_eq!(host.elapsed_ns(&on_mono, START_MS + 1_000), NS_PER_MS * 1_000);
    }

    #[test]
    fn a_10_s_timeout_on_the_wall_clock_fires_at_once_after_a_one_hour_step_forward() {
        let mut host = host();
        let on_wall = Timeout::start(&host.wall, START_MS, 10_000);
        host.ntp_update(HOUR_NS, START_MS + 1_000);
        assert!(on_wall.has_fired(&host.wall, START_MS + 1_000), "fired 9 s early");
    }

    #[test]
    fn a_10_s_timeout_on_the_wall_clock_fires_an_hour_late_after_a_one_hour_step_back() {
        let mut host = host();
        let on_wall = Timeout::start(&host.wall, START_MS, 10_000);
        host.ntp_update(-HOUR_NS, START_MS + 1_000);
        assert!(!on_wall.has_fired(&host.wall, START_MS + 3_609_999));
        assert!(on_wall.has_fired(&host.wall, START_MS + 3_610_000), "an hour and ten seconds in");
    }

    #[test]
    fn host_timeouts_ignore_ntp_steps_of_the_wall_clock() {
        for step_ns in [HOUR_NS, -HOUR_NS] {
            let mut host = host();
            let timeout = host.start_timeout(START_MS, 10_000);
            host.ntp_update(step_ns, START_MS + 1_000);
            assert!(!host.has_fired(&timeout, START_MS + 9_999), "step {step_ns} ns");
            assert!(host.has_fired(&timeout, START_MS + 10_000), "step {step_ns} ns");
        }
    }

    #[test]
    fn monotonic_readings_from_two_machines_cannot_be_compared_but_wall_readings_can() {
        // Two hosts with perfect clocks, one booted a day after the other.
        let early = host();
        let late = Host { mono: MonotonicClock::booted_at(86_400_000, 0), ..host() };
        let now_ms = 90_000_000;
        assert_eq!(early.timestamp_ns(now_ms), late.timestamp_ns(now_ms));
        assert_ne!(early.mono.now_ns(now_ms), late.mono.now_ns(now_ms), "same instant, a day apart");
    }

    proptest! {
        /// Whatever NTP does, and however the crystal drifts, the monotonic clock never goes
        /// back; the wall clock does whenever NTP steps it back.
        #[test]
        fn monotonic_readings_never_decrease_whatever_ntp_does(
            drift_ppm in -500..=500_i64,
            updates in prop::collection::vec((1..5_000_u64, -500_000..=500_000_i64), 1..30),
        ) {
            let mut host = Host {
                wall: WallClock::new(PhysicalClock::new(0, drift_ppm)),
                mono: MonotonicClock::booted_at(0, drift_ppm),
            };
            let mut true_ms = START_MS;
            for (gap_ms, offset_us) in updates {
                let (mono_before, wall_before) = (host.mono.now_ns(true_ms), host.wall.now_ns(true_ms));
                let correction = host.ntp_update(offset_us * 1_000, true_ms);
                true_ms += gap_ms;
                prop_assert!(host.mono.now_ns(true_ms) > mono_before);
                if correction == Correction::Stepped && offset_us * 1_000 < -2 * ms_i64(gap_ms) * NS_PER_MS {
                    prop_assert!(host.wall.now_ns(true_ms) < wall_before, "a big step back outruns the gap");
                }
            }
        }
    }
}

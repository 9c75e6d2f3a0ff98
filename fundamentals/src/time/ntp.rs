//! # NTP, and why wall clocks jump
//!
//! ## Why interviewers ask this
//! Every "the clocks are synchronised" in a design rests on NTP, and most engineers cannot say
//! what it measures, how wrong it can be, or what it does to the clock when it corrects it. The
//! answers explain a whole class of incidents: timestamps that go backwards, timeouts that fire
//! at once, leases that expire early. Expect "how does NTP estimate the offset?", "what limits
//! its accuracy?" and "what happens to `now()` when it corrects the clock?".
//!
//! ## How it works
//! **Measuring.** The client sends a request at `t1` by its own clock; the server stamps its
//! arrival `t2` and its reply `t3` by the server's clock; the client notes the reply's arrival
//! at `t4`. With `θ` the server's clock minus the client's, and one-way delays `d↑` and `d↓`:
//! `t2 = t1 + d↑ + θ` and `t4 = t3 + d↓ − θ`. Two unknowns too many, so NTP assumes the path is
//! symmetric ([`NtpSample`]):
//!
//! ```text
//! offset = ((t2 − t1) + (t3 − t4)) / 2  = θ + (d↑ − d↓) / 2
//! delay  = (t4 − t1) − (t3 − t2)        = d↑ + d↓
//! ```
//!
//! The offset is exact when `d↑ = d↓`. Otherwise it is off by `(d↑ − d↓) / 2`, which is at most
//! `delay / 2`: all of the delay on one side. Nothing inside the exchange can tell asymmetry from
//! offset, so `delay / 2` is the honest error bar. That is why ntpd keeps the lowest-delay
//! sample of its last eight, why a server on the other side of an ocean gives a worse answer than
//! one in the rack, and why PTP needs hardware timestamps and switches that correct for their own
//! queueing to reach microseconds.
//!
//! **Correcting.** ntpd's rule ([`discipline`]): an offset above 128 ms is *stepped* — the
//! wall clock is set to the new time at once, forwards or backwards. Below it the clock is
//! *slewed*: it runs up to 500 ppm fast or slow until the offset is gone, so it never jumps and
//! never runs backwards, but removing 100 ms takes 200 s. ([`WallClock`] models the old
//! `adjtime` slew; ntpd's kernel discipline also steers the frequency to cancel the drift it
//! learns, within the same 500 ppm.) chrony's `makestep` and ntpd's `-x` change when stepping is
//! allowed; leap seconds are a step the whole world takes at once, unless smeared over hours
//! as Google and AWS do.
//!
//! ## Common pitfalls
//! - Treating a synced clock as exact: a few ms of error across a data centre is normal, and an
//!   overloaded path or a bad server makes it far worse.
//! - Believing the wall clock only moves forward: a step is a jump backwards or forwards, at
//!   boot, after a VM migration, or when the daemon first reaches a server.
//! - Reporting an offset without its error bound: an offset of 2 ms with a delay of 80 ms means
//!   "somewhere between −38 and +42 ms".
//! - Syncing every machine to one upstream pool without monitoring it: one bad source (a
//!   falseticker) moves the whole fleet; use several sources and let NTP vote.
//!
//! ## Key takeaways
//! - `offset = ((t2 − t1) + (t3 − t4)) / 2`, `delay = (t4 − t1) − (t3 − t2)`, error ≤ `delay / 2`.
//! - Small offsets are slewed (≤ 500 ppm, monotonic but slow); large ones are stepped (instant,
//!   and possibly backwards).
//! - The wall clock is a best estimate of civil time, not a measure of elapsed time.
//!
//! ## Break it
//! `fundamentals/breaks/time_ntp.patch` flips the sign of [`NtpSample::offset_ns`], computing
//! client minus server. A client that is behind is told it is ahead and corrects the wrong way,
//! doubling its error: `a_symmetric_path_measures_the_offset_exactly` fails, and so does the
//! property `an_asymmetric_path_errs_by_at_most_half_the_delay`.
//!
//! ## Interview questions
//! - *How does NTP compute the clock offset?* From four timestamps: client send `t1`, server
//!   receive `t2`, server send `t3`, client receive `t4`. Offset `((t2 − t1) + (t3 − t4)) / 2`,
//!   round-trip delay `(t4 − t1) − (t3 − t2)`. It assumes both directions take equally long.
//! - *What limits NTP's accuracy?* Path asymmetry: the offset is wrong by half the difference of
//!   the two one-way delays, at most half the round trip, and no measurement at the endpoints
//!   can see it. Queueing jitter and the server's own error add to it. Expect about a
//!   millisecond in a data centre, tens of ms over the internet.
//! - *What does NTP do when the clock is 5 s off? And 50 ms?* ntpd steps the clock when the
//!   offset exceeds 128 ms (5 s: a jump, possibly backwards) and slews it below that (50 ms:
//!   runs up to 500 ppm slow or fast, done in 100 s, never backwards).
//!   Beyond 1000 s it refuses and exits, unless told to allow a first big step.
//! - *What is a leap smear?* Instead of inserting a 61st second, the time servers run their
//!   clocks slightly slow over many hours (Google: 24 h) so clients never see a repeated or
//!   missing second. Every server a client uses must smear the same way, or they disagree by
//!   up to a second.
//! - *When do you need PTP rather than NTP?* When you need sub-microsecond agreement (trading,
//!   telecom, some databases' commit protocols). PTP takes timestamps in the NIC and lets
//!   switches correct for their own delay, which removes most of the asymmetry NTP cannot see.

use super::physical_vs_logical::{ms_i64, PhysicalClock, MAX_DRIFT_PPM, NS_PER_MS};
use super::Clock;

/// Offsets above this are stepped, at or below it slewed (ntpd's default step threshold).
pub const STEP_THRESHOLD_NS: i64 = 128 * NS_PER_MS;

/// The fastest a slew may change the clock's rate: 500 ppm, that is 500 ns per ms.
pub const MAX_SLEW_PPM: i64 = 500;

// A clock slewed back at full rate, and drifting slow as far as allowed, still runs forwards.
const _: () = assert!(MAX_DRIFT_PPM + MAX_SLEW_PPM < NS_PER_MS);

/// The four timestamps of one request–reply exchange, in ns: `t1` and `t4` read on the client's
/// clock, `t2` and `t3` on the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtpSample {
    /// The client sends the request.
    pub t1_ns: i64,
    /// The server receives it.
    pub t2_ns: i64,
    /// The server sends the reply.
    pub t3_ns: i64,
    /// The client receives the reply.
    pub t4_ns: i64,
}

impl NtpSample {
    /// One exchange between two clocks: the request leaves at true time `sent_true_ms`, spends
    /// `out_ms` on the wire, the server takes `processing_ms`, the reply spends `back_ms`.
    pub fn measure(
        client: &impl Clock,
        server: &impl Clock,
        sent_true_ms: u64,
        out_ms: u64,
        processing_ms: u64,
        back_ms: u64,
    ) -> Self {
        let received_ms = sent_true_ms + out_ms;
        let replied_ms = received_ms + processing_ms;
        Self {
            t1_ns: client.now_ns(sent_true_ms),
            t2_ns: server.now_ns(received_ms),
            t3_ns: server.now_ns(replied_ms),
            t4_ns: client.now_ns(replied_ms + back_ms),
        }
    }

    /// How far the server's clock is ahead of the client's, assuming a symmetric path:
    /// `((t2 − t1) + (t3 − t4)) / 2`. Positive: the client is behind and must add it.
    pub fn offset_ns(&self) -> i64 {
        ((self.t2_ns - self.t1_ns) + (self.t3_ns - self.t4_ns)) / 2
    }

    /// Time on the wire, both ways: the round trip minus the server's processing,
    /// `(t4 − t1) − (t3 − t2)`.
    pub fn delay_ns(&self) -> i64 {
        (self.t4_ns - self.t1_ns) - (self.t3_ns - self.t2_ns)
    }

    /// The most [`offset_ns`](Self::offset_ns) can be wrong by, however the delay splits
    /// between the two directions: half the delay (rounded up, for the halving's truncation).
    pub fn error_bound_ns(&self) -> i64 {
        (self.delay_ns() + 1) / 2
    }
}

/// A machine's wall clock: its [`PhysicalClock`], plus whatever NTP has done to it. Readings
/// follow the hardware rate, shifted by every step, and bent by at most [`MAX_SLEW_PPM`] while
/// a slew is in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    /// The true time of the last correction, and the clock's reading just after it.
    anchor_true_ms: u64,
    anchor_ns: i64,
    drift_ppm: i64,
    /// Of the slew started at the anchor, what was asked for (signed); it is applied at
    /// [`MAX_SLEW_PPM`] until done.
    slew_ns: i64,
}

impl WallClock {
    /// The wall clock of a machine whose hardware clock is `hardware`, not yet corrected.
    pub fn new(hardware: PhysicalClock) -> Self {
        Self { anchor_true_ms: 0, anchor_ns: hardware.now_ns(0), drift_ppm: hardware.drift_ppm(), slew_ns: 0 }
    }

    /// Sets the clock `by_ns` forward (or back, if negative) at once; cancels any slew.
    pub fn step(&mut self, true_ms: u64, by_ns: i64) {
        *self = Self { anchor_true_ms: true_ms, anchor_ns: self.now_ns(true_ms) + by_ns, slew_ns: 0, ..*self };
    }

    /// Starts moving the clock `by_ns` gradually, replacing any slew still in progress (as
    /// `adjtime` does).
    pub fn slew(&mut self, true_ms: u64, by_ns: i64) {
        *self = Self { anchor_true_ms: true_ms, anchor_ns: self.now_ns(true_ms), slew_ns: by_ns, ..*self };
    }
}

impl Clock for WallClock {
    fn now_ns(&self, true_ms: u64) -> i64 {
        let elapsed_ms = true_ms.checked_sub(self.anchor_true_ms).expect("read before the last correction");
        let elapsed_ms = ms_i64(elapsed_ms);
        let slewed_ns = self.slew_ns.signum() * self.slew_ns.abs().min(elapsed_ms * MAX_SLEW_PPM);
        self.anchor_ns + elapsed_ms * (NS_PER_MS + self.drift_ppm) + slewed_ns
    }
}

/// What [`discipline`] did to the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// The clock jumped by the whole offset.
    Stepped,
    /// The clock is running fast or slow and will have absorbed the offset at `done_true_ms`.
    Slewing { done_true_ms: u64 },
}

/// Applies a measured offset (server minus client) to the client's wall clock at `true_ms`:
/// a step above [`STEP_THRESHOLD_NS`], a slew at [`MAX_SLEW_PPM`] at or below it.
pub fn discipline(clock: &mut WallClock, offset_ns: i64, true_ms: u64) -> Correction {
    if offset_ns.abs() > STEP_THRESHOLD_NS {
        clock.step(true_ms, offset_ns);
        return Correction::Stepped;
    }
    clock.slew(true_ms, offset_ns);
    Correction::Slewing { done_true_ms: true_ms + offset_ns.unsigned_abs().div_ceil(MAX_SLEW_PPM.unsigned_abs()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const START_MS: u64 = 1_000_000;

    /// A client clock `ahead_ms` ahead of a perfect server's.
    fn client_ahead_by(ahead_ms: i64) -> WallClock {
        WallClock::new(PhysicalClock::new(ahead_ms * NS_PER_MS, 0))
    }

    #[test]
    fn a_symmetric_path_measures_the_offset_exactly() {
        let server = PhysicalClock::default();
        let client = client_ahead_by(-250); // 250 ms behind
        let sample = NtpSample::measure(&client, &server, START_MS, 20, 1, 20);
        assert_eq!(sample.offset_ns(), 250 * NS_PER_MS, "the client must add 250 ms");
        assert_eq!(sample.delay_ns(), 40 * NS_PER_MS, "20 ms each way; the server's 1 ms is not delay");
    }

    #[test]
    fn a_one_sided_delay_errs_by_exactly_half_the_round_trip() {
        // The client's clock is right, but the request queues for 40 ms and the reply is instant:
        // the exchange looks exactly like a symmetric one with the client 20 ms behind.
        let (server, client) = (PhysicalClock::default(), client_ahead_by(0));
        let sample = NtpSample::measure(&client, &server, START_MS, 40, 0, 0);
        assert_eq!(sample.offset_ns(), 20 * NS_PER_MS, "a 20 ms error on a perfect clock");
        assert_eq!(sample.error_bound_ns(), 20 * NS_PER_MS, "delay / 2 is reached, not just a bound");
    }

    #[test]
    fn an_offset_over_128_ms_steps_the_clock_and_time_runs_backwards() {
        let server = PhysicalClock::default();
        let mut client = client_ahead_by(1_000);
        let sample = NtpSample::measure(&client, &server, START_MS, 5, 0, 5);
        let corrected_ms = START_MS + 10;
        let before_ns = client.now_ns(corrected_ms);
        assert_eq!(discipline(&mut client, sample.offset_ns(), corrected_ms), Correction::Stepped);
        let after_ns = client.now_ns(corrected_ms + 1);

        // A program stamping one event just before the correction and one just after sees the
        // second happen almost a second before the first.
        assert!(after_ns < before_ns, "time went backwards");
        assert_eq!(before_ns - after_ns, 999 * NS_PER_MS);
        assert_eq!(after_ns, server.now_ns(corrected_ms + 1), "and now the client is right");
    }

    #[test]
    fn an_offset_under_128_ms_slews_at_500_ppm_and_never_runs_backwards() {
        let server = PhysicalClock::default();
        let mut client = client_ahead_by(100);
        let offset_ns = NtpSample::measure(&client, &server, START_MS, 5, 0, 5).offset_ns();
        let Correction::Slewing { done_true_ms } = discipline(&mut client, offset_ns, START_MS + 10) else {
            panic!("100 ms is below the step threshold");
        };
        assert_eq!(done_true_ms - (START_MS + 10), 200_000, "100 ms at 0.5 ms per second: 200 s");

        let mut previous_ns = client.now_ns(START_MS + 10);
        for true_ms in START_MS + 11..=done_true_ms + 1_000 {
            let now_ns = client.now_ns(true_ms);
            let tick_ns = now_ns - previous_ns;
            let expected_ns = if true_ms <= done_true_ms { NS_PER_MS - MAX_SLEW_PPM } else { NS_PER_MS };
            assert_eq!(tick_ns, expected_ns, "at true ms {true_ms}");
            previous_ns = now_ns;
        }
        assert_eq!(client.now_ns(done_true_ms), server.now_ns(done_true_ms), "the offset is gone");
    }

    #[test]
    fn the_threshold_is_128_ms_either_way() {
        let mut clock = client_ahead_by(0);
        assert!(matches!(discipline(&mut clock, STEP_THRESHOLD_NS, START_MS), Correction::Slewing { .. }));
        assert!(matches!(discipline(&mut clock, -STEP_THRESHOLD_NS, START_MS), Correction::Slewing { .. }));
        assert_eq!(discipline(&mut clock, STEP_THRESHOLD_NS + 1, START_MS), Correction::Stepped);
        assert_eq!(discipline(&mut clock, -STEP_THRESHOLD_NS - 1, START_MS), Correction::Stepped);
    }

    proptest! {
        #[test]
        fn an_asymmetric_path_errs_by_at_most_half_the_delay(
            client_behind_ns in -10_000_000_000..10_000_000_000_i64,
            out_ms in 0..500_u64, processing_ms in 0..50_u64, back_ms in 0..500_u64,
        ) {
            let server = PhysicalClock::default();
            let client = PhysicalClock::new(-client_behind_ns, 0);
            let sample = NtpSample::measure(&client, &server, START_MS, out_ms, processing_ms, back_ms);
            prop_assert_eq!(sample.delay_ns(), ms_i64(out_ms + back_ms) * NS_PER_MS);
            let error_ns = sample.offset_ns() - client_behind_ns;
            prop_assert_eq!(error_ns, (ms_i64(out_ms) - ms_i64(back_ms)) * NS_PER_MS / 2, "half the asymmetry");
            prop_assert!(error_ns.abs() <= sample.error_bound_ns());
        }
    }
}

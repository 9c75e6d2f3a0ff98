//! # Physical time vs logical time
//!
//! ## Why interviewers ask this
//! "Sort the events by timestamp" is the obvious way to order what happened across machines,
//! and it is wrong whenever two clocks disagree by more than the time between the events. The
//! question checks whether you can say why (skew and drift), show the failure (a reply stamped
//! before its request), and name the fix that keeps timestamps readable as times: the hybrid
//! logical clock of CockroachDB, MongoDB and YugabyteDB.
//!
//! ## How it works
//! **Physical clocks.** A quartz oscillator is off its nominal rate by some parts per million,
//! and the error moves with temperature. [`PhysicalClock`] models a machine's clock as
//! `offset + true time × (1 + drift)`. *Skew* is the difference between two clocks' readings at
//! one instant; *drift* is the rate at which it grows: 100 ppm is 8.64 s a day.
//!
//! **Why timestamps reverse causality.** Node A sends a request stamped by its clock. Node B,
//! whose clock is 50 ms behind, answers 10 ms later and stamps its reply 40 ms *before* the
//! request. Anything that orders by those stamps — last-writer-wins, a merged log, "the latest
//! version" — puts the effect before its cause. Care does not fix this: inside a data centre,
//! causally related events are often closer together than any realistic skew.
//!
//! **Logical clocks** ([Lamport](crate::ordering::lamport)) respect causality by construction
//! — a receive is stamped after its send — but their values are counters. "Lamport time 4112"
//! answers no question a person would ask, such as "what did the data look like at 10:00?".
//!
//! **A hybrid logical clock** ([`HybridClock`]) is a Lamport clock whose value is a physical
//! time. A stamp is `(wall, logical)`, compared wall first:
//! - local event or send: `wall = max(previous wall, own clock)`; `logical + 1` if the wall
//!   part did not move, else `logical = 0`;
//! - receive of `(w, l)`: `wall = max(previous wall, w, own clock)`; the logical part counts one
//!   past the largest logical part among the stamps that share that wall value (else 0).
//!
//! So a receive is stamped after its send, as with Lamport. And the wall part is always a real
//! reading of some node's clock: never behind the node's own clock, never ahead of the fastest
//! one. It stays within the skew of physical time, and "every write as of 10:00:00" is a
//! meaningful snapshot. A node that hears from no faster clock just reads its own clock, with
//! `logical = 0`.
//!
//! ## Common pitfalls
//! - Last-writer-wins on wall-clock stamps: a later write from a node with a slow clock loses
//!   to the write it was meant to replace.
//! - Accepting remote stamps without a bound: one node whose clock is a year ahead drags every
//!   HLC forward a year, and they never come back. Production HLCs reject or alarm on stamps
//!   further ahead than a configured maximum offset (CockroachDB: 500 ms by default).
//! - Reading "stamped earlier" as "happened first" for concurrent events: as with Lamport, the
//!   order of concurrent events is arbitrary.
//! - Forgetting that a node's own clock is an input: if NTP steps it back, the HLC stays
//!   monotonic (the `max`), but its wall part stops tracking that node's clock until it
//!   catches up.
//!
//! ## Key takeaways
//! - Skew is a difference of readings, drift a difference of rates; neither is ever zero.
//! - Wall-clock order is causal order only for events further apart than the skew.
//! - An HLC gives `a → b ⇒ hlc(a) < hlc(b)` and stamps within the skew of real time, in one
//!   64-bit time and a small counter.
//!
//! ## Break it
//! `fundamentals/breaks/time_physical_vs_logical.patch` drops the message's wall time from the
//! HLC's merge, so a receive looks only at the receiver's own clock — the wall-clock bug again.
//! The `debug_assert!` in [`HybridClock::receive`] fires in
//! `hlc_stamps_a_reply_after_its_request_when_the_replier_runs_behind`, and the property
//! `hlc_respects_happens_before_whatever_the_skew` shrinks it to one message from a fast clock
//! to a slow one.
//!
//! ## Interview questions
//! - *Two servers are NTP-synced. Can you order their log lines by timestamp?* Only lines
//!   further apart than the skew, which is a few ms on a good day and unbounded on a bad one.
//!   Causally related lines closer than that can come out reversed. To order them, log a
//!   logical or hybrid timestamp, or trace ids with parent spans.
//! - *What is the difference between skew and drift?* Skew is how far apart two clocks read
//!   now; drift is how fast one gains or loses against true time (ppm). NTP corrects skew
//!   periodically; between corrections drift rebuilds it.
//! - *What does a hybrid logical clock guarantee?* Causality like a Lamport clock (a receive is
//!   stamped after its send), and a wall part that is some real clock reading, never behind the
//!   node's own clock nor ahead of the fastest clock in the system, so it is within the skew of
//!   physical time. That makes "read as of time T" snapshots possible without TrueTime.
//! - *Why not a vector clock instead?* A vector clock detects concurrency, which an HLC cannot,
//!   but costs one entry per node on every message and every version, and its entries are
//!   counters, not times. Databases that need snapshot timestamps pick the HLC; systems that
//!   must keep concurrent writes as siblings pick version vectors.
//! - *What happens to an HLC if one node's clock is an hour fast?* Every node that hears from
//!   it jumps its wall part an hour ahead and stays there, counting with the logical part until
//!   real time catches up. That is why implementations refuse stamps too far ahead of their own
//!   clock instead of adopting them.

use super::Clock;

/// Nanoseconds in a millisecond. True time advances in whole milliseconds and clocks read in
/// nanoseconds, so a drift of `N` ppm is exactly `N` ns per ms and no reading is rounded.
pub const NS_PER_MS: i64 = 1_000_000;

/// The largest drift a [`PhysicalClock`] accepts, in ppm. Real quartz is within 100; the bound
/// only keeps every clock running forwards, even with NTP's slew on top.
pub const MAX_DRIFT_PPM: i64 = 100_000;

/// A machine's hardware clock: `offset_ns + true_ms × (1 ms + drift_ppm ns)`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PhysicalClock {
    offset_ns: i64,
    drift_ppm: i64,
}

impl PhysicalClock {
    /// A clock that reads `offset_ns` at true time 0 and gains `drift_ppm` ns per true ms
    /// (negative: it loses time).
    pub fn new(offset_ns: i64, drift_ppm: i64) -> Self {
        assert!(drift_ppm.abs() <= MAX_DRIFT_PPM, "a drift of {drift_ppm} ppm is no clock");
        Self { offset_ns, drift_ppm }
    }

    pub fn drift_ppm(&self) -> i64 {
        self.drift_ppm
    }

    /// Nanoseconds this clock advances per true millisecond.
    fn rate_ns_per_ms(&self) -> i64 {
        NS_PER_MS + self.drift_ppm
    }

    /// The last true millisecond at which this clock still reads below `reading_ns`; `None`
    /// if it never does (from true time 0 on).
    pub fn last_true_ms_below(&self, reading_ns: i64) -> Option<u64> {
        // reading(t) < reading_ns  ⇔  t × rate < span  ⇔  t ≤ (span − 1) / rate.
        let span = reading_ns - self.offset_ns;
        if span <= 0 {
            return None;
        }
        Some(u64::try_from((span - 1) / self.rate_ns_per_ms()).expect("positive"))
    }
}

impl Clock for PhysicalClock {
    fn now_ns(&self, true_ms: u64) -> i64 {
        self.offset_ns + ms_i64(true_ms) * self.rate_ns_per_ms()
    }
}

/// A true-time count of milliseconds as a signed number, for arithmetic with readings.
pub(crate) fn ms_i64(ms: u64) -> i64 {
    i64::try_from(ms).expect("milliseconds beyond i64: 292 million years")
}

/// A hybrid logical clock stamp. The derived order compares `wall_ns` first (field order
/// matters), then `logical`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HlcTimestamp {
    /// The largest physical reading this node has seen, its own or in a message.
    pub wall_ns: i64,
    /// Counts events since `wall_ns` last changed.
    pub logical: u32,
}

/// One node's hybrid logical clock. Every method takes the node's physical clock reading as an
/// input; the clock reads nothing itself.
#[derive(Debug, Default, Clone)]
pub struct HybridClock {
    latest: HlcTimestamp,
}

impl HybridClock {
    /// The stamp of the node's latest event.
    pub fn latest(&self) -> HlcTimestamp {
        self.latest
    }

    /// A local event, at physical reading `physical_ns`.
    pub fn now(&mut self, physical_ns: i64) -> HlcTimestamp {
        self.merge(self.latest, physical_ns)
    }

    /// A send is an event; the message carries the returned stamp.
    pub fn send(&mut self, physical_ns: i64) -> HlcTimestamp {
        self.now(physical_ns)
    }

    /// A message stamped `sent` arrives at physical reading `physical_ns`.
    pub fn receive(&mut self, sent: HlcTimestamp, physical_ns: i64) -> HlcTimestamp {
        let received = self.merge(sent, physical_ns);
        debug_assert!(received > sent, "a receive must be stamped after its send");
        received
    }

    /// The next stamp after both the node's latest and `seen`, as close to `physical_ns` as
    /// that allows.
    fn merge(&mut self, seen: HlcTimestamp, physical_ns: i64) -> HlcTimestamp {
        let wall_ns = self.latest.wall_ns.max(seen.wall_ns).max(physical_ns);
        let logical = [self.latest, seen]
            .iter()
            .filter(|stamp| stamp.wall_ns == wall_ns)
            .map(|stamp| stamp.logical.checked_add(1).expect("HLC logical counter overflowed"))
            .max()
            .unwrap_or(0);
        let next = HlcTimestamp { wall_ns, logical };
        debug_assert!(next > self.latest);
        self.latest = next;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ordering::exchange::{exchange, EventKind, Exchange};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// True time of the stories: a quarter of an hour in, so every clock reads positive.
    const START_MS: u64 = 1_000_000;

    #[test]
    fn a_clock_100_ppm_slow_loses_a_millisecond_every_ten_seconds() {
        let slow = PhysicalClock::new(0, -100);
        let exact = PhysicalClock::default();
        let skew_ns = exact.now_ns(10_000) - slow.now_ns(10_000);
        assert_eq!(skew_ns, NS_PER_MS);
        assert_eq!(exact.now_ns(86_400_000) - slow.now_ns(86_400_000), 8_640 * NS_PER_MS, "8.64 s a day");
    }

    #[test]
    fn wall_clock_stamps_put_a_reply_before_its_request_when_the_replier_runs_behind() {
        let asker = PhysicalClock::default();
        let replier = PhysicalClock::new(-50 * NS_PER_MS, 0);
        let request_ns = asker.now_ns(START_MS);
        let reply_ns = replier.now_ns(START_MS + 10); // answered 10 ms later
        assert!(reply_ns < request_ns, "sorted by timestamp, the answer precedes the question");
        assert_eq!(request_ns - reply_ns, 40 * NS_PER_MS);
    }

    #[test]
    fn hlc_stamps_a_reply_after_its_request_when_the_replier_runs_behind() {
        let (asker_clock, replier_clock) = (PhysicalClock::default(), PhysicalClock::new(-50 * NS_PER_MS, 0));
        let (mut asker, mut replier) = (HybridClock::default(), HybridClock::default());
        let request = asker.send(asker_clock.now_ns(START_MS));
        let reply = replier.receive(request, replier_clock.now_ns(START_MS + 10));
        assert!(request < reply);
        assert_eq!(reply, HlcTimestamp { wall_ns: request.wall_ns, logical: 1 }, "the sender's time, one step on");

        // The replier's next events still count on the logical part, until its own clock
        // passes the wall time it adopted; from then on it reads its clock again.
        let next = replier.now(replier_clock.now_ns(START_MS + 20));
        assert_eq!(next, HlcTimestamp { wall_ns: request.wall_ns, logical: 2 });
        let caught_up_ns = replier_clock.now_ns(START_MS + 60);
        assert_eq!(replier.now(caught_up_ns), HlcTimestamp { wall_ns: caught_up_ns, logical: 0 });
    }

    #[test]
    fn without_messages_from_faster_clocks_an_hlc_reads_as_the_physical_clock() {
        let clock = PhysicalClock::new(3 * NS_PER_MS, 40);
        let mut hlc = HybridClock::default();
        for true_ms in (START_MS..START_MS + 1_000).step_by(100) {
            let physical_ns = clock.now_ns(true_ms);
            assert_eq!(hlc.now(physical_ns), HlcTimestamp { wall_ns: physical_ns, logical: 0 });
        }
    }

    /// One event of a replayed exchange: its HLC stamp, the node's own clock reading and the
    /// fastest clock's reading at that instant.
    struct Stamped {
        hlc: HlcTimestamp,
        own_ns: i64,
        fastest_ns: i64,
    }

    /// Replays `exchange` with one HLC per node on skewed, drifting clocks; event `i` happens
    /// `gaps_ms[i % len]` after the one before it.
    fn stamp(exchange: &Exchange, clocks: &[PhysicalClock], gaps_ms: &[u64]) -> Vec<Stamped> {
        let clocks = &clocks[..exchange.nodes];
        let mut hlcs = vec![HybridClock::default(); exchange.nodes];
        let mut in_flight: BTreeMap<usize, HlcTimestamp> = BTreeMap::new();
        let mut true_ms = START_MS;
        let mut stamps = Vec::with_capacity(exchange.events.len());
        for (i, event) in exchange.events.iter().enumerate() {
            true_ms += gaps_ms[i % gaps_ms.len()];
            let own_ns = clocks[event.node].now_ns(true_ms);
            let hlc = &mut hlcs[event.node];
            let stamp = match event.kind {
                EventKind::Local => hlc.now(own_ns),
                EventKind::Send { message } => {
                    let sent = hlc.send(own_ns);
                    in_flight.insert(message, sent);
                    sent
                }
                EventKind::Receive { message } => hlc.receive(in_flight[&message], own_ns),
            };
            let fastest_ns = clocks.iter().map(|c| c.now_ns(true_ms)).max().expect("at least two nodes");
            stamps.push(Stamped { hlc: stamp, own_ns, fastest_ns });
        }
        stamps
    }

    /// Four clocks up to 200 ms apart, drifting up to 200 ppm either way.
    fn skewed_clocks() -> impl Strategy<Value = Vec<PhysicalClock>> {
        prop::collection::vec((-200..=200_i64, -200..=200_i64), 4).prop_map(|c| {
            c.into_iter().map(|(offset_ms, ppm)| PhysicalClock::new(offset_ms * NS_PER_MS, ppm)).collect()
        })
    }

    fn gaps() -> impl Strategy<Value = Vec<u64>> {
        prop::collection::vec(0..30_u64, 1..40)
    }

    proptest! {
        #[test]
        fn hlc_respects_happens_before_whatever_the_skew(
            exchange in exchange(), clocks in skewed_clocks(), gaps_ms in gaps(),
        ) {
            let stamps = stamp(&exchange, &clocks, &gaps_ms);
            for a in 0..stamps.len() {
                for b in 0..stamps.len() {
                    if exchange.happened_before(a, b) {
                        prop_assert!(stamps[a].hlc < stamps[b].hlc, "event {} → event {}", a, b);
                    }
                }
            }
        }

        /// The wall part is never behind the node's own clock nor ahead of the fastest clock,
        /// so it differs from the node's clock by at most the skew at that instant.
        #[test]
        fn hlc_stays_between_its_own_clock_and_the_fastest_clock(
            exchange in exchange(), clocks in skewed_clocks(), gaps_ms in gaps(),
        ) {
            for (i, s) in stamp(&exchange, &clocks, &gaps_ms).iter().enumerate() {
                prop_assert!(s.own_ns <= s.hlc.wall_ns, "event {} is stamped behind its own clock", i);
                prop_assert!(s.hlc.wall_ns <= s.fastest_ns, "event {} is stamped ahead of every clock", i);
            }
        }
    }
}

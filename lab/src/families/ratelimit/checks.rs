//! Rate-limit checks over gateway decisions and client requests.
//!
//! - Conformance (safety): per API key, the most requests admitted in any sliding window of
//!   one second, against the limit plus its tolerance.
//! - Utilization (liveness): per API key, in every whole second in which clients offered at
//!   least the limit, how much of the limit was admitted — a limiter that rejects everything
//!   is perfectly "safe", and this is the check that says it is useless.

use crate::checks::{seconds, Decimal, Outcome};
use crate::trace::Event;
use nodes::records::ratelimit::{ADMITTED, DECISION, KEY, REQUEST};
use std::collections::BTreeMap;

const WINDOW_US: u64 = 1_000_000;

/// Admissions per key, from gateways' `decision` events, in time order: their times (µs) and,
/// in step, their `seq` (the witnesses of a window).
fn admissions_by_key(events: &[Event]) -> BTreeMap<&str, (Vec<u64>, Vec<u64>)> {
    let mut by_key: BTreeMap<&str, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
    for event in events.iter().filter(|e| e.kind() == DECISION && e.bool_field(ADMITTED) == Some(true)) {
        if let Some(key) = event.str_field(KEY) {
            let (times, seqs) = by_key.entry(key).or_default();
            times.push(event.t_us);
            seqs.push(event.seq);
        }
    }
    by_key
}

/// For every time in `times` (sorted), how many times lie in the 1 s window ending there,
/// (t - 1 s, t], with that end.
fn windows(times: &[u64]) -> impl Iterator<Item = (u64, u64)> + '_ {
    let mut start = 0;
    times.iter().enumerate().map(move |(end, &t)| {
        while times[start] + WINDOW_US <= t {
            start += 1;
        }
        ((end + 1 - start) as u64, t)
    })
}

/// The tolerance over the limit that a window is held to: `base`, or the widest tolerance of
/// the periods (a fault's, derived from the schedule) that the window overlaps.
#[derive(Debug, Clone)]
pub struct Tolerance {
    pub base: Decimal,
    /// `[from_us, to_us)` and the tolerance that holds for windows overlapping it.
    pub during: Vec<(u64, u64, Decimal)>,
}

impl Tolerance {
    fn for_window_ending(&self, end_us: u64) -> Decimal {
        let start_us = end_us.saturating_sub(WINDOW_US);
        self.during
            .iter()
            .filter(|(from_us, to_us, _)| *from_us <= end_us && start_us < *to_us)
            .fold(self.base, |widest, (_, _, tolerance)| widest.max(*tolerance))
    }
}

/// For every key and every sliding 1 s window, admissions against
/// `floor(limit × (100 + tolerance) / 100)`, compared in whole numbers. The figure names the
/// tightest window: the one furthest over its bound, or closest to it.
pub fn conformance(events: &[Event], limit_per_second: u64, tolerance: &Tolerance) -> Outcome {
    /// A 1 s window of one key's admissions, against its bound.
    struct Window<'a> {
        margin: i64,
        count: u64,
        key: &'a str,
        end_us: u64,
        tolerance_pct: Decimal,
        bound: u64,
        /// The window's admissions, by seq.
        admissions: &'a [u64],
    }
    let admissions = admissions_by_key(events);
    let mut tightest: Option<Window<'_>> = None;
    for (key, (times, seqs)) in &admissions {
        for (end, (count, end_us)) in windows(times).enumerate() {
            let tolerance_pct = tolerance.for_window_ending(end_us);
            let bound = Decimal::whole(100).plus(tolerance_pct).percent_of_floor(limit_per_second);
            let margin = bound as i64 - count as i64;
            if tightest.as_ref().is_none_or(|least| margin < least.margin) {
                let admissions = &seqs[end + 1 - count as usize..=end];
                tightest = Some(Window { margin, count, key, end_us, tolerance_pct, bound, admissions });
            }
        }
    }
    let Some(Window { margin, count, key, end_us, tolerance_pct, bound, admissions }) = tightest else {
        return Outcome::Inconclusive(format!(
            "no request was admitted: nothing to hold to the limit of {limit_per_second}/s"
        ));
    };
    Outcome::judged(
        margin >= 0,
        format!(
            "tightest 1 s window: {count} admitted (key {key}, window ending {}) — limit {limit_per_second} (+{tolerance_pct}%) = {bound}",
            seconds(end_us)
        ),
        || admissions.to_vec(),
    )
}

/// In every whole second where a key was offered at least the limit, the share of the limit
/// admitted, against `min_pct`.
pub fn utilization(events: &[Event], limit_per_second: u64, min_pct: Decimal, simulated_ms: u64) -> Outcome {
    let whole_seconds = simulated_ms / 1_000;
    let second_of = |t_us: u64| t_us / WINDOW_US;
    // (key, second) → (offered, admitted)
    let mut per_second: BTreeMap<(&str, u64), (u64, u64)> = BTreeMap::new();
    // (key, second) → its gateways' decisions, by seq: what a reader checks a second against.
    let mut decisions: BTreeMap<(&str, u64), Vec<u64>> = BTreeMap::new();
    for event in events {
        let counts = match (event.kind(), event.str_field(KEY)) {
            (REQUEST, Some(key)) => &mut per_second.entry((key, second_of(event.t_us))).or_default().0,
            (DECISION, Some(key)) => {
                decisions.entry((key, second_of(event.t_us))).or_default().push(event.seq);
                if event.bool_field(ADMITTED) != Some(true) {
                    continue;
                }
                &mut per_second.entry((key, second_of(event.t_us))).or_default().1
            }
            _ => continue,
        };
        *counts += 1;
    }
    let saturated =
        per_second.iter().filter(|((_, second), (offered, _))| *second < whole_seconds && *offered >= limit_per_second);
    let worst = saturated.min_by_key(|(_, (_, admitted))| *admitted);
    let Some(((key, second), (offered, admitted))) = worst else {
        return Outcome::Inconclusive(format!(
            "no key was offered {limit_per_second} requests in any second — raise the load or lower the limit"
        ));
    };
    let pct = *admitted as f64 * 100.0 / limit_per_second as f64;
    Outcome::judged(
        min_pct.is_at_most_ratio(admitted * 100, limit_per_second),
        format!(
            "worst saturated second: {admitted} of limit {limit_per_second} admitted ({pct:.0}%; key {key}, second {second}, {offered} offered) — bound >= {min_pct}%"
        ),
        || decisions.remove(&(*key, *second)).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use nodes::Record;

    fn decision(t_ms: u64, key: &str, admitted: bool) -> Event {
        Event {
            seq: 0,
            t_us: t_ms * 1_000,
            node: "gw-1".into(),
            record: Record::info(DECISION).with(KEY, key).with(ADMITTED, admitted),
        }
    }

    fn request(t_ms: u64, key: &str) -> Event {
        Event { seq: 0, t_us: t_ms * 1_000, node: "client".into(), record: Record::debug(REQUEST).with(KEY, key) }
    }

    fn busiest(times: &[u64]) -> (u64, u64) {
        windows(times).max_by_key(|(count, _)| *count).unwrap()
    }

    fn flat(base: u64) -> Tolerance {
        Tolerance { base: Decimal::whole(base), during: Vec::new() }
    }

    #[test]
    fn windows_slide_rather_than_align() {
        // 3 admissions late in second 0 and 3 early in second 1: no aligned second holds more
        // than 3, but the window (0.6 s, 1.6 s] holds 6.
        let times: Vec<u64> = [700, 800, 900, 1_100, 1_200, 1_300].iter().map(|ms| ms * 1_000).collect();
        assert_eq!(busiest(&times), (6, 1_300_000));
    }

    #[test]
    fn an_admission_exactly_one_second_later_starts_a_new_window() {
        assert_eq!(busiest(&[0, 1_000_000]).0, 1);
    }

    #[test]
    fn a_fault_period_widens_the_tolerance_only_for_windows_that_overlap_it() {
        let tolerance =
            Tolerance { base: Decimal::whole(10), during: vec![(5_000_000, 6_000_000, Decimal::whole(50))] };
        assert_eq!(tolerance.for_window_ending(4_000_000), Decimal::whole(10));
        assert_eq!(tolerance.for_window_ending(5_500_000), Decimal::whole(50));
        assert_eq!(tolerance.for_window_ending(6_999_999), Decimal::whole(50));
        assert_eq!(tolerance.for_window_ending(7_000_000), Decimal::whole(10));
        // 14 admissions in 0.2 s: over 10 + 10% before the period, within 10 + 50% inside it.
        let burst = |at_ms: u64| (0..14).map(move |i| decision(at_ms + i * 10, "k", true));
        assert!(matches!(conformance(&burst(5_200).collect::<Vec<_>>(), 10, &tolerance), Outcome::Pass(_)));
        assert!(matches!(conformance(&burst(1_000).collect::<Vec<_>>(), 10, &tolerance), Outcome::Fail(..)));
    }

    fn pct(value: u64) -> Decimal {
        Decimal::whole(value)
    }

    #[test]
    fn conformance_fails_above_limit_plus_tolerance_and_names_the_key() {
        let mut events: Vec<Event> =
            (0..11).map(|i| decision(i * 10, "alpha", true)).chain([decision(5, "beta", false)]).collect();
        events.iter_mut().zip(0..).for_each(|(event, seq)| event.seq = seq);
        let Outcome::Fail(figure, witnesses) = conformance(&events, 10, &flat(5)) else { panic!("11 > 10 + 5%") };
        assert!(figure.contains("tightest 1 s window: 11 admitted (key alpha"), "{figure}");
        assert_eq!(witnesses, (0..11).collect::<Vec<u64>>(), "the window's 11 admissions, not beta's rejection");
        assert!(matches!(conformance(&events, 10, &flat(10)), Outcome::Pass(_)), "11 <= 10 + 10%");
    }

    #[test]
    fn a_count_equal_to_the_printed_bound_passes_whatever_floating_point_would_say() {
        // 100 × 1.15 is 114.99999999999999 in f64; 115 admissions are within "100 (+15%) = 115".
        let events: Vec<Event> = (0..115).map(|i| decision(i, "alpha", true)).collect();
        let Outcome::Pass(figure) = conformance(&events, 100, &flat(15)) else { panic!() };
        assert!(figure.ends_with("limit 100 (+15%) = 115"), "{figure}");
    }

    #[test]
    fn conformance_with_no_admission_is_inconclusive_not_a_pass() {
        assert!(matches!(conformance(&[decision(1, "k", false)], 10, &flat(0)), Outcome::Inconclusive(_)));
    }

    #[test]
    fn utilization_judges_only_seconds_where_the_limit_was_offered() {
        let mut events: Vec<Event> = (0..20).map(|i| request(i * 40, "k")).collect(); // second 0: 20 offered
        events.extend((0..4).map(|i| decision(i * 100, "k", true))); // 4 of limit 10 admitted
        events.extend((0..3).map(|i| request(1_000 + i, "k"))); // second 1: under the limit, not judged
        events.push(decision(1_500, "k", true)); // second 1's decision: not a witness of second 0
        events.iter_mut().zip(0..).for_each(|(event, seq)| event.seq = seq);
        let Outcome::Fail(figure, witnesses) = utilization(&events, 10, pct(50), 2_000) else { panic!("40% < 50%") };
        assert!(figure.contains("4 of limit 10 admitted (40%"), "{figure}");
        assert_eq!(witnesses, [20, 21, 22, 23], "the worst second's decisions");
        assert!(matches!(utilization(&events, 10, pct(40), 2_000), Outcome::Pass(_)), "exactly the bound passes");
    }

    #[test]
    fn utilization_without_any_saturated_second_is_inconclusive_not_a_pass() {
        let events = vec![request(1, "k"), decision(2, "k", true)];
        assert!(matches!(utilization(&events, 10, pct(50), 5_000), Outcome::Inconclusive(_)));
    }
}

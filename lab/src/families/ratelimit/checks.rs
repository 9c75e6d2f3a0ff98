//! Rate-limit checks over gateway decisions and client requests.
//!
//! - Conformance (safety): per API key, the most requests admitted in any sliding window of
//!   one second, against the limit plus its tolerance.
//! - Utilization (liveness): per API key, in every whole second in which clients offered at
//!   least the limit, how much of the limit was admitted — a limiter that rejects everything
//!   is perfectly "safe", and this is the check that says it is useless.

use super::seconds;
use crate::trace::Event;
use std::collections::BTreeMap;

const WINDOW_US: u64 = 1_000_000;

/// Admission times (µs) per key, from gateways' `decision` events, in time order.
fn admissions_by_key(events: &[Event]) -> BTreeMap<&str, Vec<u64>> {
    let mut by_key: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for event in events.iter().filter(|e| e.kind() == "decision" && e.bool_field("admitted") == Some(true)) {
        if let Some(key) = event.str_field("key") {
            by_key.entry(key).or_default().push(event.t_us);
        }
    }
    by_key
}

/// The largest number of times in any window (t - 1 s, t], and the window's end.
fn busiest_window(times: &[u64]) -> (usize, u64) {
    let mut best = (0, 0);
    let mut start = 0;
    for (end, &t) in times.iter().enumerate() {
        while times[start] + WINDOW_US <= t {
            start += 1;
        }
        if end + 1 - start > best.0 {
            best = (end + 1 - start, t);
        }
    }
    best
}

pub fn conformance(events: &[Event], limit_per_second: u64, tolerance_pct: f64) -> (bool, String) {
    let bound = limit_per_second as f64 * (1.0 + tolerance_pct / 100.0);
    let worst = admissions_by_key(events)
        .into_iter()
        .map(|(key, times)| (busiest_window(&times), key))
        .max_by_key(|((count, _), _)| *count);
    let Some(((count, end_us), key)) = worst else {
        return (true, format!("no request was admitted — limit {limit_per_second}/s trivially respected"));
    };
    let passed = count as f64 <= bound;
    let figure = format!(
        "max admitted in any 1 s window: {count} (key {key}, window ending {}) — limit {limit_per_second} (+{tolerance_pct}%) = {bound:.0}",
        seconds(end_us)
    );
    (passed, figure)
}

pub fn utilization(events: &[Event], limit_per_second: u64, min_pct: f64, simulated_ms: u64) -> (bool, String) {
    let whole_seconds = simulated_ms / 1_000;
    let second_of = |t_us: u64| t_us / WINDOW_US;
    // (key, second) → (offered, admitted)
    let mut per_second: BTreeMap<(&str, u64), (u64, u64)> = BTreeMap::new();
    for event in events {
        let counts = match (event.kind(), event.str_field("key")) {
            ("request", Some(key)) => &mut per_second.entry((key, second_of(event.t_us))).or_default().0,
            ("decision", Some(key)) if event.bool_field("admitted") == Some(true) => {
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
        return (false, format!("inconclusive: no key was offered {limit_per_second} requests in any second — raise the load or lower the limit"));
    };
    let pct = *admitted as f64 * 100.0 / limit_per_second as f64;
    let passed = pct >= min_pct;
    let figure = format!(
        "worst saturated second: {admitted} of limit {limit_per_second} admitted ({pct:.0}%; key {key}, second {second}, {offered} offered) — bound >= {min_pct}%"
    );
    (passed, figure)
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
            record: Record::info("decision").with("key", key).with("admitted", admitted),
        }
    }

    fn request(t_ms: u64, key: &str) -> Event {
        Event { seq: 0, t_us: t_ms * 1_000, node: "client".into(), record: Record::debug("request").with("key", key) }
    }

    #[test]
    fn busiest_window_is_sliding_not_aligned() {
        // 3 admissions late in second 0 and 3 early in second 1: no aligned second holds more
        // than 3, but the window (0.6 s, 1.6 s] holds 6.
        let times: Vec<u64> = [700, 800, 900, 1_100, 1_200, 1_300].iter().map(|ms| ms * 1_000).collect();
        assert_eq!(busiest_window(&times), (6, 1_300_000));
    }

    #[test]
    fn an_admission_exactly_one_second_later_starts_a_new_window() {
        assert_eq!(busiest_window(&[0, 1_000_000]).0, 1);
    }

    #[test]
    fn conformance_fails_above_limit_plus_tolerance_and_names_the_key() {
        let events: Vec<Event> =
            (0..11).map(|i| decision(i * 10, "alpha", true)).chain([decision(5, "beta", false)]).collect();
        let (passed, figure) = conformance(&events, 10, 5.0);
        assert!(!passed, "{figure}");
        assert!(figure.contains("max admitted in any 1 s window: 11 (key alpha"), "{figure}");
        assert!(conformance(&events, 10, 10.0).0, "11 <= 10 + 10%");
    }

    #[test]
    fn utilization_judges_only_seconds_where_the_limit_was_offered() {
        let mut events: Vec<Event> = (0..20).map(|i| request(i * 40, "k")).collect(); // second 0: 20 offered
        events.extend((0..4).map(|i| decision(i * 100, "k", true))); // 4 of limit 10 admitted
        events.extend((0..3).map(|i| request(1_000 + i, "k"))); // second 1: under the limit, not judged
        let (passed, figure) = utilization(&events, 10, 50.0, 2_000);
        assert!(!passed, "{figure}");
        assert!(figure.contains("4 of limit 10 admitted (40%"), "{figure}");
    }

    #[test]
    fn utilization_without_any_saturated_second_is_inconclusive_not_a_pass() {
        let events = vec![request(1, "k"), decision(2, "k", true)];
        let (passed, figure) = utilization(&events, 10, 50.0, 5_000);
        assert!(!passed);
        assert!(figure.starts_with("inconclusive"), "{figure}");
    }
}

//! Circuit-breaker checks over what callers saw and what the front service recorded.
//!
//! - Availability (liveness): an endpoint's success rate for calls started in a window.
//! - Breaker conformance (safety): the recorded transitions follow the state machine
//!   (closed → open → half-open → closed or open), each starting from the state the breaker
//!   was in; no dependency call is made while open; half-open stays within its probe budget.
//! - Recovery (liveness): after the dependency recovers, the endpoint's success rate climbs
//!   back above the bound within the allowed time.

use super::seconds;
use crate::trace::Event;
use std::collections::BTreeMap;

/// (start time in ms, ok) of every call to `endpoint`, from callers' `call-result` records.
fn calls(events: &[Event], endpoint: &str) -> Vec<(u64, bool)> {
    events
        .iter()
        .filter(|e| e.kind() == "call-result" && e.str_field("endpoint") == Some(endpoint))
        .map(|e| (e.t_us / 1_000 - e.u64_field("latency_ms").unwrap_or(0), e.bool_field("ok") == Some(true)))
        .collect()
}

pub fn availability(events: &[Event], endpoint: &str, from_ms: u64, to_ms: u64, min_pct: f64) -> (bool, String) {
    let window: Vec<bool> =
        calls(events, endpoint).into_iter().filter(|(t, _)| (from_ms..to_ms).contains(t)).map(|(_, ok)| ok).collect();
    if window.is_empty() {
        return (
            false,
            format!(
                "inconclusive: no `{endpoint}` calls started between {} and {}",
                seconds(from_ms * 1_000),
                seconds(to_ms * 1_000)
            ),
        );
    }
    let ok = window.iter().filter(|&&ok| ok).count();
    let pct = ok as f64 * 100.0 / window.len() as f64;
    (
        pct >= min_pct,
        format!(
            "`{endpoint}` succeeded for {ok} of {} calls ({pct:.1}%) between {} and {} — bound >= {min_pct}%",
            window.len(),
            seconds(from_ms * 1_000),
            seconds(to_ms * 1_000)
        ),
    )
}

pub fn conformance(events: &[Event], half_open_probes: u64) -> (bool, String) {
    // Per front node: its breaker state and the dependency calls made in the current half-open period.
    let mut state: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    let mut transitions = 0;
    let mut most_in_half_open = 0;
    for event in events {
        let node = &*event.node;
        match event.kind() {
            "breaker" => {
                transitions += 1;
                let (current, in_half_open) = state.entry(node).or_insert(("closed", 0));
                let (from, to) = (event.str_field("from").unwrap_or(""), event.str_field("to").unwrap_or(""));
                let legal = matches!(
                    (from, to),
                    ("closed", "open") | ("open", "half-open") | ("half-open", "closed") | ("half-open", "open")
                );
                if !legal || from != *current {
                    return (
                        false,
                        format!(
                            "illegal transition on {node} at {}: {from} → {to} while {current}",
                            seconds(event.t_us)
                        ),
                    );
                }
                *current = to;
                *in_half_open = 0;
            }
            "dependency-call" => match event.str_field("breaker") {
                Some("open") => {
                    return (
                        false,
                        format!("{node} called the dependency while its breaker was open, at {}", seconds(event.t_us)),
                    )
                }
                Some("half-open") => {
                    let (_, in_half_open) = state.entry(node).or_insert(("closed", 0));
                    *in_half_open += 1;
                    most_in_half_open = most_in_half_open.max(*in_half_open);
                    if *in_half_open > half_open_probes {
                        return (false, format!("{node} let {} calls through one half-open period at {} — probe budget {half_open_probes}", in_half_open, seconds(event.t_us)));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    if transitions == 0
        && !events.iter().any(|e| e.kind() == "dependency-call" && e.str_field("breaker").is_some_and(|b| b != "none"))
    {
        return (true, "no breaker in this variant: no transitions to check".into());
    }
    (true, format!("{transitions} transitions, all legal; at most {most_in_half_open} calls per half-open period (probe budget {half_open_probes})"))
}

pub fn recovery(
    events: &[Event],
    endpoint: &str,
    recovered_at_ms: u64,
    within_ms: u64,
    min_pct: f64,
    simulated_ms: u64,
) -> (bool, String) {
    let mut per_second: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (t, ok) in calls(events, endpoint).into_iter().filter(|(t, _)| *t >= recovered_at_ms) {
        let bucket = per_second.entry((t - recovered_at_ms) / 1_000).or_default();
        bucket.0 += 1;
        bucket.1 += u64::from(ok);
    }
    let complete_seconds = simulated_ms.saturating_sub(recovered_at_ms) / 1_000;
    let back = per_second
        .iter()
        .filter(|(s, _)| **s < complete_seconds)
        .find(|(_, (n, ok))| *n > 0 && *ok as f64 * 100.0 / *n as f64 >= min_pct);
    match back {
        Some((second, (n, ok))) => {
            let after_ms = second * 1_000;
            let pct = *ok as f64 * 100.0 / *n as f64;
            (
                after_ms <= within_ms,
                format!(
                    "`{endpoint}` back to {pct:.0}% success {} after recovery at {} — bound: within {}",
                    seconds(after_ms * 1_000),
                    seconds(recovered_at_ms * 1_000),
                    seconds(within_ms * 1_000)
                ),
            )
        }
        None => (
            false,
            format!(
                "`{endpoint}` never got back to {min_pct}% success after recovery at {} (bound: within {})",
                seconds(recovered_at_ms * 1_000),
                seconds(within_ms * 1_000)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nodes::Record;

    fn at(t_ms: u64, record: Record) -> Event {
        Event { seq: 0, t_us: t_ms * 1_000, node: "front".into(), record }
    }

    fn transition(t_ms: u64, from: &str, to: &str) -> Event {
        at(t_ms, Record::warn("breaker").with("from", from).with("to", to))
    }

    fn call(t_ms: u64, state: &str) -> Event {
        at(t_ms, Record::debug("dependency-call").with("breaker", state))
    }

    fn result(end_ms: u64, endpoint: &str, ok: bool) -> Event {
        at(end_ms, Record::debug("call-result").with("endpoint", endpoint).with("ok", ok).with("latency_ms", 10u64))
    }

    #[test]
    fn a_full_cycle_within_the_probe_budget_conforms() {
        let events = [
            transition(1, "closed", "open"),
            transition(9, "open", "half-open"),
            call(9, "half-open"),
            transition(12, "half-open", "closed"),
            call(13, "closed"),
        ];
        assert_eq!(conformance(&events, 1).0, true);
    }

    #[test]
    fn skipping_a_state_or_exceeding_the_probe_budget_is_caught() {
        let skip = [transition(1, "closed", "half-open")];
        assert!(conformance(&skip, 1).1.starts_with("illegal transition"));
        let herd = [
            transition(1, "closed", "open"),
            transition(9, "open", "half-open"),
            call(9, "half-open"),
            call(10, "half-open"),
        ];
        let (passed, figure) = conformance(&herd, 1);
        assert!(!passed);
        assert!(figure.contains("let 2 calls through one half-open period"), "{figure}");
        assert!(!conformance(&[transition(1, "closed", "open"), call(2, "open")], 1).0);
    }

    #[test]
    fn availability_counts_calls_by_when_they_started() {
        let events = [result(20, "healthy", true), result(30, "healthy", false), result(5_000, "healthy", false)];
        let (passed, figure) = availability(&events, "healthy", 0, 1_000, 50.0);
        assert!(passed, "{figure}");
        assert!(figure.contains("1 of 2 calls (50.0%)"), "{figure}");
    }

    #[test]
    fn recovery_must_happen_within_the_bound() {
        let mut events: Vec<Event> = (0..10).map(|i| result(10_100 + i * 50, "dependent", false)).collect();
        events.extend((0..10).map(|i| result(12_100 + i * 50, "dependent", true)));
        assert!(recovery(&events, "dependent", 10_000, 2_000, 90.0, 20_000).0);
        assert!(!recovery(&events, "dependent", 10_000, 1_000, 90.0, 20_000).0);
    }
}

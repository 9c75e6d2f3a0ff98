//! Circuit-breaker checks over what callers saw and what the front service recorded.
//!
//! - Availability (liveness): an endpoint's success rate for calls started in a window.
//! - Breaker conformance (safety): the recorded transitions follow the state machine
//!   (closed → open → half-open → closed or open), each starting from the state the breaker
//!   was in; no dependency call is made while open; half-open stays within its probe budget.
//! - Recovery (liveness): after the dependency recovers, the endpoint's success rate climbs
//!   back above the bound within the allowed time.

use crate::checks::{seconds, Decimal, Outcome};
use crate::trace::Event;
use nodes::records::breaker::{
    CALL_RESULT, CLOSED, DEPENDENCY_CALL, ENDPOINT, FROM, HALF_OPEN, LATENCY_MS, OK, OPEN, TO, TRANSITION,
};
use std::collections::BTreeMap;

/// One call as its caller's `call-result` record tells it.
struct Call {
    start_ms: u64,
    ok: bool,
    /// The `call-result` event's seq.
    seq: u64,
}

/// Every call to `endpoint`, from callers' `call-result` records.
fn calls(events: &[Event], endpoint: &str) -> Vec<Call> {
    events
        .iter()
        .filter(|e| e.kind() == CALL_RESULT && e.str_field(ENDPOINT) == Some(endpoint))
        .map(|e| Call {
            start_ms: (e.t_us / 1_000).saturating_sub(e.u64_field(LATENCY_MS).unwrap_or(0)),
            ok: e.bool_field(OK) == Some(true),
            seq: e.seq,
        })
        .collect()
}

/// Witnesses: the window's failed calls.
pub fn availability(events: &[Event], endpoint: &str, from_ms: u64, to_ms: u64, min_pct: Decimal) -> Outcome {
    let in_window: Vec<Call> =
        calls(events, endpoint).into_iter().filter(|c| (from_ms..to_ms).contains(&c.start_ms)).collect();
    let window: Vec<bool> = in_window.iter().map(|c| c.ok).collect();
    let span = format!("between {} and {}", seconds(from_ms * 1_000), seconds(to_ms * 1_000));
    if window.is_empty() {
        return Outcome::Inconclusive(format!("no `{endpoint}` calls started {span}"));
    }
    let ok = window.iter().filter(|&&ok| ok).count() as u64;
    let total = window.len() as u64;
    let pct = ok as f64 * 100.0 / total as f64;
    Outcome::judged(
        min_pct.is_at_most_ratio(ok * 100, total),
        format!("`{endpoint}` succeeded for {ok} of {total} calls ({pct:.1}%) {span} — bound >= {min_pct}%"),
        || in_window.iter().filter(|c| !c.ok).map(|c| c.seq).collect(),
    )
}

/// What the conformance check knows of the breaker's design: from the front's table.
#[derive(Debug, Clone, Copy)]
pub struct BreakerDesign {
    pub open_for_ms: u64,
    pub half_open_probes: u64,
}

/// The breaker's state per front node, replayed from its transitions alone: the state the
/// node writes on its own records is never trusted.
struct Replayed<'a> {
    state: &'a str,
    since_us: u64,
    /// The transition into `state` (none for the initial closed state).
    since_seq: Option<u64>,
    /// The dependency calls of the current half-open period, by seq.
    calls_in_half_open: Vec<u64>,
}

pub fn conformance(events: &[Event], design: BreakerDesign) -> Outcome {
    let mut breakers: BTreeMap<&str, Replayed<'_>> = BTreeMap::new();
    let mut transitions = 0;
    let mut most_in_half_open = 0;
    for event in events {
        let node = &*event.node;
        let breaker = breakers.entry(node).or_insert(Replayed {
            state: CLOSED,
            since_us: 0,
            since_seq: None,
            calls_in_half_open: Vec::new(),
        });
        // The rule broken, then the transition that set the state it was broken in.
        let witnesses = |breaker: &Replayed<'_>| breaker.since_seq.into_iter().chain([event.seq]).collect();
        match event.kind() {
            TRANSITION => {
                transitions += 1;
                let (from, to) = (event.str_field(FROM).unwrap_or(""), event.str_field(TO).unwrap_or(""));
                let legal =
                    matches!((from, to), (CLOSED, OPEN) | (OPEN, HALF_OPEN) | (HALF_OPEN, CLOSED) | (HALF_OPEN, OPEN));
                if !legal || from != breaker.state {
                    let figure = format!(
                        "illegal transition on {node} at {}: {from} → {to} while {}",
                        seconds(event.t_us),
                        breaker.state
                    );
                    return Outcome::fail(figure, witnesses(breaker));
                }
                // Judged on the node's own clock, whole milliseconds: a breaker that opened at
                // 50.5467 s (its clock: 50546 ms) rightly half-opens at 52.546 s. Events land on
                // whole milliseconds on turmoil, anywhere in between on madsim.
                let open_for_ms = event.t_us / 1_000 - breaker.since_us / 1_000;
                if (from, to) == (OPEN, HALF_OPEN) && open_for_ms < design.open_for_ms {
                    let figure = format!(
                        "{node} went half-open at {} after only {open_for_ms} ms open (by its clock) — open_for_ms {}",
                        seconds(event.t_us),
                        design.open_for_ms
                    );
                    return Outcome::fail(figure, witnesses(breaker));
                }
                *breaker = Replayed {
                    state: to,
                    since_us: event.t_us,
                    since_seq: Some(event.seq),
                    calls_in_half_open: Vec::new(),
                };
            }
            DEPENDENCY_CALL if breaker.state == OPEN => {
                let figure =
                    format!("{node} called the dependency while its breaker was open, at {}", seconds(event.t_us));
                return Outcome::fail(figure, witnesses(breaker));
            }
            DEPENDENCY_CALL if breaker.state == HALF_OPEN => {
                breaker.calls_in_half_open.push(event.seq);
                let in_period = breaker.calls_in_half_open.len() as u64;
                most_in_half_open = most_in_half_open.max(in_period);
                if in_period > design.half_open_probes {
                    let figure = format!(
                        "{node} let {in_period} calls through one half-open period at {} — probe budget {}",
                        seconds(event.t_us),
                        design.half_open_probes
                    );
                    let calls = breaker.calls_in_half_open.iter().copied();
                    return Outcome::fail(figure, breaker.since_seq.into_iter().chain(calls).collect());
                }
            }
            _ => {}
        }
    }
    if transitions == 0 {
        return Outcome::Inconclusive("the breaker never changed state: no transitions to judge".into());
    }
    Outcome::Pass(format!(
        "{transitions} transitions, all legal; at most {most_in_half_open} calls per half-open period (probe budget {})",
        design.half_open_probes
    ))
}

pub fn recovery(
    events: &[Event],
    endpoint: &str,
    recovered_at_ms: u64,
    within_ms: u64,
    min_pct: Decimal,
    simulated_ms: u64,
) -> Outcome {
    // second after recovery → (calls, ok), and each second's calls by seq
    let mut per_second: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut seqs: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for call in calls(events, endpoint).into_iter().filter(|c| c.start_ms >= recovered_at_ms) {
        let second = (call.start_ms - recovered_at_ms) / 1_000;
        let bucket = per_second.entry(second).or_default();
        bucket.0 += 1;
        bucket.1 += u64::from(call.ok);
        seqs.entry(second).or_default().push(call.seq);
    }
    let complete_seconds = simulated_ms.saturating_sub(recovered_at_ms) / 1_000;
    let judged: Vec<(&u64, &(u64, u64))> =
        per_second.iter().filter(|(s, (n, _))| **s < complete_seconds && *n > 0).collect();
    let recovered_at = seconds(recovered_at_ms * 1_000);
    let bound = seconds(within_ms * 1_000);
    if judged.is_empty() {
        return Outcome::Inconclusive(format!(
            "no `{endpoint}` calls in a whole second after recovery at {recovered_at}"
        ));
    }
    let last_judged = judged.last().map(|(second, _)| **second);
    match judged.into_iter().find(|(_, (n, ok))| min_pct.is_at_most_ratio(ok * 100, *n)) {
        Some((second, (n, ok))) => {
            let after_ms = second * 1_000;
            let pct = *ok as f64 * 100.0 / *n as f64;
            Outcome::judged(
                after_ms <= within_ms,
                format!(
                    "`{endpoint}` back to {pct:.0}% success {} after recovery at {recovered_at} — bound: within {bound}",
                    seconds(after_ms * 1_000)
                ),
                // The calls of the first second that made it back: later than the bound allows.
                || seqs.remove(second).unwrap_or_default(),
            )
        }
        // The calls of the last second judged: still short of the bound.
        None => Outcome::fail(
            format!(
                "`{endpoint}` never got back to {min_pct}% success after recovery at {recovered_at} (bound: within {bound})"
            ),
            last_judged.and_then(|second| seqs.remove(&second)).unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nodes::Record;

    const DESIGN: BreakerDesign = BreakerDesign { open_for_ms: 5, half_open_probes: 1 };

    fn at(t_ms: u64, record: Record) -> Event {
        Event { seq: 0, t_us: t_ms * 1_000, node: "front".into(), record }
    }

    fn transition(t_ms: u64, from: &str, to: &str) -> Event {
        at(t_ms, Record::warn(TRANSITION).with(FROM, from).with(TO, to))
    }

    /// A dependency call, with the state the node *claims* on it — which the check ignores.
    fn call(t_ms: u64, claimed_state: &str) -> Event {
        at(t_ms, Record::debug(DEPENDENCY_CALL).with("breaker", claimed_state))
    }

    fn result(end_ms: u64, endpoint: &str, ok: bool) -> Event {
        at(end_ms, Record::debug(CALL_RESULT).with(ENDPOINT, endpoint).with(OK, ok).with(LATENCY_MS, 10u64))
    }

    fn failure(outcome: Outcome) -> String {
        match outcome {
            Outcome::Fail(figure, _) => figure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_full_cycle_within_the_probe_budget_conforms() {
        let events = [
            transition(1, CLOSED, OPEN),
            transition(9, OPEN, HALF_OPEN),
            call(9, HALF_OPEN),
            transition(12, HALF_OPEN, CLOSED),
            call(13, CLOSED),
        ];
        assert!(matches!(conformance(&events, DESIGN), Outcome::Pass(_)));
    }

    #[test]
    fn skipping_a_state_exceeding_the_probe_budget_or_reopening_early_is_caught() {
        assert!(failure(conformance(&[transition(1, CLOSED, HALF_OPEN)], DESIGN)).starts_with("illegal transition"));
        let herd =
            [transition(1, CLOSED, OPEN), transition(9, OPEN, HALF_OPEN), call(9, HALF_OPEN), call(10, HALF_OPEN)];
        assert!(failure(conformance(&herd, DESIGN)).contains("let 2 calls through one half-open period"));
        let early = [transition(1, CLOSED, OPEN), transition(3, OPEN, HALF_OPEN)];
        assert!(failure(conformance(&early, DESIGN)).contains("after only 2 ms open"));
    }

    #[test]
    fn a_broken_rule_is_witnessed_by_the_event_and_the_transition_that_set_the_state() {
        let mut herd =
            [transition(1, CLOSED, OPEN), transition(9, OPEN, HALF_OPEN), call(9, HALF_OPEN), call(10, HALF_OPEN)];
        herd.iter_mut().zip(0..).for_each(|(event, seq)| event.seq = seq);
        let Outcome::Fail(_, witnesses) = conformance(&herd, DESIGN) else { panic!("2 probes > 1") };
        assert_eq!(witnesses, [1, 2, 3], "the half-open transition and both probes");
        let mut lying = [transition(1, CLOSED, OPEN), call(2, CLOSED)];
        lying.iter_mut().zip(0..).for_each(|(event, seq)| event.seq = seq);
        let Outcome::Fail(_, witnesses) = conformance(&lying, DESIGN) else { panic!("called while open") };
        assert_eq!(witnesses, [0, 1]);
    }

    #[test]
    fn the_open_time_is_judged_on_the_nodes_millisecond_clock() {
        let at_us = |t_us: u64, from: &str, to: &str| Event { t_us, ..transition(0, from, to) };
        // Opened at 1.7 ms (its clock: 1 ms), half-open at 6.0 ms: 5 ms by its clock.
        let on_time = [at_us(1_700, CLOSED, OPEN), at_us(6_000, OPEN, HALF_OPEN)];
        assert!(matches!(conformance(&on_time, DESIGN), Outcome::Pass(_)));
        let early = [at_us(1_700, CLOSED, OPEN), at_us(5_999, OPEN, HALF_OPEN)];
        assert!(failure(conformance(&early, DESIGN)).contains("after only 4 ms open"));
    }

    #[test]
    fn the_state_is_replayed_from_transitions_not_taken_from_the_nodes_own_records() {
        // The node claims the call was made while closed; the transitions say it was open.
        let lying = [transition(1, CLOSED, OPEN), call(2, CLOSED)];
        assert!(failure(conformance(&lying, DESIGN)).contains("called the dependency while its breaker was open"));
    }

    #[test]
    fn a_breaker_that_never_changed_state_is_inconclusive() {
        assert!(matches!(conformance(&[call(1, "none")], DESIGN), Outcome::Inconclusive(_)));
    }

    #[test]
    fn availability_counts_calls_by_when_they_started_and_the_bound_itself_passes() {
        let events = [result(20, "healthy", true), result(30, "healthy", false), result(5_000, "healthy", false)];
        let Outcome::Pass(figure) = availability(&events, "healthy", 0, 1_000, Decimal::whole(50)) else { panic!() };
        assert!(figure.contains("1 of 2 calls (50.0%)"), "{figure}");
        assert!(matches!(availability(&events, "healthy", 2_000, 3_000, Decimal::whole(50)), Outcome::Inconclusive(_)));
    }

    #[test]
    fn recovery_must_happen_within_the_bound() {
        let mut events: Vec<Event> = (0..10).map(|i| result(10_100 + i * 50, "dependent", false)).collect();
        events.extend((0..10).map(|i| result(12_100 + i * 50, "dependent", true)));
        let bound = Decimal::whole(90);
        assert!(matches!(recovery(&events, "dependent", 10_000, 2_000, bound, 20_000), Outcome::Pass(_)));
        assert!(matches!(recovery(&events, "dependent", 10_000, 1_000, bound, 20_000), Outcome::Fail(..)));
        assert!(matches!(recovery(&[], "dependent", 10_000, 1_000, bound, 20_000), Outcome::Inconclusive(_)));
    }
}

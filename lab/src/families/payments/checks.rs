//! Payment checks: what payers were told against what the ledger did.
//!
//! - Exactly once (safety): the ledger applied no payment twice, and every payment a payer was
//!   told is charged was applied.
//! - Deadlines (liveness): every payment ended — charged or a definite failure — by its deadline.
//! - Retry amplification (load): attempts per payment, on average.

use crate::checks::{seconds, Decimal, Outcome};
use crate::trace::Event;
use nodes::records::payments::{
    ATTEMPT, CHARGED, CHARGE_APPLIED, DEADLINE_MS, OUTCOME, PAYMENT, PAYMENT_END, PAYMENT_START,
};
use std::collections::BTreeMap;

pub fn exactly_once(events: &[Event]) -> Outcome {
    let mut applied: BTreeMap<&str, u64> = BTreeMap::new();
    let mut charged: Vec<&str> = Vec::new();
    let mut payments = 0;
    for event in events {
        match (event.kind(), event.str_field(PAYMENT)) {
            (CHARGE_APPLIED, Some(payment)) => *applied.entry(payment).or_default() += 1,
            (PAYMENT_END, Some(payment)) if event.str_field(OUTCOME) == Some(CHARGED) => charged.push(payment),
            (PAYMENT_START, Some(_)) => payments += 1,
            _ => {}
        }
    }
    if payments == 0 && applied.is_empty() {
        return Outcome::Inconclusive("no payment was made and none applied: nothing to hold to exactly once".into());
    }
    let duplicated: Vec<(&str, u64)> = applied.iter().filter(|(_, &n)| n > 1).map(|(&p, &n)| (p, n)).collect();
    let missing: Vec<&str> = charged.iter().copied().filter(|p| !applied.contains_key(p)).collect();
    let mut figure = match duplicated.first() {
        None => {
            format!("no payment applied twice ({payments} payments, {} charges applied)", applied.values().sum::<u64>())
        }
        Some((first, times)) => format!(
            "{} payments charged more than once (first: {first}, applied {times} times) of {payments}",
            duplicated.len()
        ),
    };
    match missing.first() {
        None => figure.push_str(&format!("; all {} reported charged were applied", charged.len())),
        Some(first) => {
            figure.push_str(&format!("; {} reported charged but never applied (first: {first})", missing.len()))
        }
    }
    Outcome::judged(duplicated.is_empty() && missing.is_empty(), figure)
}

pub fn deadlines(events: &[Event], slack_ms: u64, simulated_ms: u64) -> Outcome {
    let mut deadline_of: BTreeMap<&str, u64> = BTreeMap::new();
    let mut ended_at: BTreeMap<&str, u64> = BTreeMap::new();
    for event in events {
        match (event.kind(), event.str_field(PAYMENT)) {
            (PAYMENT_START, Some(p)) => {
                deadline_of.insert(p, event.u64_field(DEADLINE_MS).unwrap_or(0));
            }
            (PAYMENT_END, Some(p)) => {
                ended_at.insert(p, event.t_us / 1_000);
            }
            _ => {}
        }
    }
    let mut judged = 0;
    let mut late: Vec<(&str, String)> = Vec::new();
    let mut least_spare_ms = u64::MAX;
    for (&payment, &deadline_ms) in &deadline_of {
        let limit_ms = deadline_ms + slack_ms;
        match ended_at.get(payment) {
            Some(&end_ms) if end_ms <= limit_ms => least_spare_ms = least_spare_ms.min(limit_ms - end_ms),
            Some(&end_ms) => late.push((payment, format!("ended {} ms late", end_ms - limit_ms))),
            // A payment whose deadline lies beyond the end of the run cannot be judged.
            None if limit_ms >= simulated_ms => continue,
            None => late.push((payment, format!("never ended (deadline {})", seconds(deadline_ms * 1_000)))),
        }
        judged += 1;
    }
    match late.first() {
        None if judged == 0 => Outcome::Inconclusive("no payment's deadline fell within the run".into()),
        None => Outcome::Pass(format!(
            "all {judged} payments ended by their deadline (least time to spare: {least_spare_ms} ms)"
        )),
        Some((first, how)) => {
            Outcome::Fail(format!("{} of {judged} payments missed their deadline (first: {first}, {how})", late.len()))
        }
    }
}

/// Attempts per payment, on average, against the bound — compared exactly.
pub fn retry_amplification(events: &[Event], max_attempts_per_payment: Decimal) -> Outcome {
    let payments = events.iter().filter(|e| e.kind() == PAYMENT_START).count() as u64;
    let attempts = events.iter().filter(|e| e.kind() == ATTEMPT).count() as u64;
    if payments == 0 {
        return Outcome::Inconclusive("no payments were made".into());
    }
    let ratio = attempts as f64 / payments as f64;
    Outcome::judged(
        max_attempts_per_payment.is_at_least_ratio(attempts, payments),
        format!(
            "{ratio:.2} attempts per payment ({attempts} attempts for {payments} payments) — bound <= {max_attempts_per_payment}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use nodes::Record;

    fn event(t_ms: u64, node: &str, record: Record) -> Event {
        Event { seq: 0, t_us: t_ms * 1_000, node: node.into(), record }
    }

    fn start(t_ms: u64, p: &str, deadline_ms: u64) -> Event {
        event(t_ms, "payer", Record::debug(PAYMENT_START).with(PAYMENT, p).with(DEADLINE_MS, deadline_ms))
    }

    fn end(t_ms: u64, p: &str, outcome: &str) -> Event {
        event(t_ms, "payer", Record::info(PAYMENT_END).with(PAYMENT, p).with(OUTCOME, outcome))
    }

    fn applied(t_ms: u64, p: &str) -> Event {
        event(t_ms, "ledger", Record::info(CHARGE_APPLIED).with(PAYMENT, p))
    }

    fn figure_of_failure(outcome: Outcome) -> String {
        match outcome {
            Outcome::Fail(figure) => figure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_double_charge_fails_and_names_the_first_payment() {
        let events = [start(0, "a", 100), applied(1, "a"), applied(2, "a"), end(3, "a", CHARGED)];
        let figure = figure_of_failure(exactly_once(&events));
        assert!(figure.starts_with("1 payments charged more than once (first: a, applied 2 times)"), "{figure}");
    }

    #[test]
    fn a_payment_reported_charged_but_never_applied_fails() {
        let figure = figure_of_failure(exactly_once(&[start(0, "a", 100), end(3, "a", CHARGED)]));
        assert!(figure.contains("1 reported charged but never applied (first: a)"), "{figure}");
    }

    #[test]
    fn no_payments_at_all_is_inconclusive_for_every_payment_check() {
        assert!(matches!(exactly_once(&[]), Outcome::Inconclusive(_)));
        assert!(matches!(deadlines(&[], 0, 1_000), Outcome::Inconclusive(_)));
        assert!(matches!(retry_amplification(&[], Decimal::whole(2)), Outcome::Inconclusive(_)));
    }

    #[test]
    fn deadlines_fail_late_and_unfinished_payments_but_not_ones_still_within_the_run() {
        let events = [start(0, "a", 100), end(150, "a", "gave-up"), start(0, "b", 100), start(900, "c", 2_000)];
        let figure = figure_of_failure(deadlines(&events, 0, 1_000));
        assert!(figure.starts_with("2 of 2 payments missed their deadline (first: a, ended 50 ms late)"), "{figure}");
        assert!(matches!(deadlines(&[start(0, "a", 100), end(100, "a", CHARGED)], 0, 1_000), Outcome::Pass(_)));
    }

    #[test]
    fn amplification_is_attempts_over_payments_and_the_bound_itself_passes() {
        let attempt = |t| event(t, "payer", Record::debug(ATTEMPT));
        let events = [start(0, "a", 10), start(0, "b", 10), attempt(1), attempt(2), attempt(3)];
        assert!(matches!(retry_amplification(&events, Decimal::from_f64(1.5).unwrap()), Outcome::Pass(_)));
        assert!(matches!(retry_amplification(&events, Decimal::from_f64(1.4).unwrap()), Outcome::Fail(_)));
    }
}

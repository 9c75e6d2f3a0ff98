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

/// Witnesses: the first payment applied twice (its start and every `charge-applied`), and the
/// first reported charged but never applied (its start and its `payment-end`).
pub fn exactly_once(events: &[Event]) -> Outcome {
    // payment → the seq of each `charge-applied`
    let mut applied: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    // (payment, seq of its `payment-end`) of every payment reported charged
    let mut charged: Vec<(&str, u64)> = Vec::new();
    let mut started: BTreeMap<&str, u64> = BTreeMap::new();
    let mut payments = 0;
    for event in events {
        match (event.kind(), event.str_field(PAYMENT)) {
            (CHARGE_APPLIED, Some(payment)) => applied.entry(payment).or_default().push(event.seq),
            (PAYMENT_END, Some(payment)) if event.str_field(OUTCOME) == Some(CHARGED) => {
                charged.push((payment, event.seq))
            }
            (PAYMENT_START, Some(payment)) => {
                started.insert(payment, event.seq);
                payments += 1;
            }
            _ => {}
        }
    }
    if payments == 0 && applied.is_empty() {
        return Outcome::Inconclusive("no payment was made and none applied: nothing to hold to exactly once".into());
    }
    let duplicated: Vec<(&str, &Vec<u64>)> =
        applied.iter().filter(|(_, seqs)| seqs.len() > 1).map(|(&p, s)| (p, s)).collect();
    let missing: Vec<(&str, u64)> = charged.iter().copied().filter(|(p, _)| !applied.contains_key(p)).collect();
    let mut witnesses = Vec::new();
    let mut figure = match duplicated.first() {
        None => {
            let total: usize = applied.values().map(Vec::len).sum();
            format!("no payment applied twice ({payments} payments, {total} charges applied)")
        }
        Some((first, seqs)) => {
            witnesses.extend(started.get(first).copied().into_iter().chain(seqs.iter().copied()));
            format!(
                "{} payments charged more than once (first: {first}, applied {} times) of {payments}",
                duplicated.len(),
                seqs.len()
            )
        }
    };
    match missing.first() {
        None => figure.push_str(&format!("; all {} reported charged were applied", charged.len())),
        Some((first, end_seq)) => {
            witnesses.extend(started.get(first).copied().into_iter().chain([*end_seq]));
            figure.push_str(&format!("; {} reported charged but never applied (first: {first})", missing.len()))
        }
    }
    Outcome::judged(duplicated.is_empty() && missing.is_empty(), figure, || witnesses)
}

/// Witnesses: the first late payment's start and end (or its start and attempts, if it never ended).
pub fn deadlines(events: &[Event], slack_ms: u64, simulated_ms: u64) -> Outcome {
    // payment → (deadline in true time, seq of its start)
    let mut deadline_of: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    // payment → (end time in ms, seq of its end)
    let mut ended_at: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut attempts: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for event in events {
        match (event.kind(), event.str_field(PAYMENT)) {
            (PAYMENT_START, Some(p)) => {
                // The payer wrote its deadline on its own clock; judge it in true time: the
                // payment's start plus the time the payer gave it. A payer whose clock runs slow
                // or is stepped back mid-payment then misses deadlines, as its callers would see.
                let given_ms = event.u64_field(DEADLINE_MS).unwrap_or(0).saturating_sub(event.local_ms());
                deadline_of.insert(p, (event.t_us / 1_000 + given_ms, event.seq));
            }
            (PAYMENT_END, Some(p)) => {
                ended_at.insert(p, (event.t_us / 1_000, event.seq));
            }
            (ATTEMPT, Some(p)) => attempts.entry(p).or_default().push(event.seq),
            _ => {}
        }
    }
    let mut judged = 0;
    let mut late: Vec<(&str, String, Vec<u64>)> = Vec::new();
    let mut least_spare_ms = u64::MAX;
    for (&payment, &(deadline_ms, start_seq)) in &deadline_of {
        let limit_ms = deadline_ms + slack_ms;
        match ended_at.get(payment) {
            Some(&(end_ms, _)) if end_ms <= limit_ms => least_spare_ms = least_spare_ms.min(limit_ms - end_ms),
            Some(&(end_ms, end_seq)) => {
                late.push((payment, format!("ended {} ms late", end_ms - limit_ms), vec![start_seq, end_seq]))
            }
            // A payment whose deadline lies beyond the end of the run cannot be judged.
            None if limit_ms >= simulated_ms => continue,
            None => {
                let witnesses = [start_seq].into_iter().chain(attempts.remove(payment).unwrap_or_default()).collect();
                late.push((payment, format!("never ended (deadline {})", seconds(deadline_ms * 1_000)), witnesses))
            }
        }
        judged += 1;
    }
    match late.first() {
        None if judged == 0 => Outcome::Inconclusive("no payment's deadline fell within the run".into()),
        None => Outcome::Pass(format!(
            "all {judged} payments ended by their deadline (least time to spare: {least_spare_ms} ms)"
        )),
        Some((first, how, witnesses)) => Outcome::fail(
            format!("{} of {judged} payments missed their deadline (first: {first}, {how})", late.len()),
            witnesses.clone(),
        ),
    }
}

/// Attempts per payment, on average, against the bound — compared exactly. Witnesses: the
/// attempts of the payment retried most.
pub fn retry_amplification(events: &[Event], max_attempts_per_payment: Decimal) -> Outcome {
    let payments = events.iter().filter(|e| e.kind() == PAYMENT_START).count() as u64;
    let attempts = events.iter().filter(|e| e.kind() == ATTEMPT).count() as u64;
    let most_retried = || {
        let mut by_payment: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for event in events.iter().filter(|e| e.kind() == ATTEMPT) {
            by_payment.entry(event.str_field(PAYMENT).unwrap_or("")).or_default().push(event.seq);
        }
        // The first of the most retried, in payment order: max_by_key would take the last.
        let most = by_payment.values().map(Vec::len).max().unwrap_or(0);
        by_payment.into_values().find(|seqs| seqs.len() == most).unwrap_or_default()
    };
    if payments == 0 {
        return Outcome::Inconclusive("no payments were made".into());
    }
    let ratio = attempts as f64 / payments as f64;
    Outcome::judged(
        max_attempts_per_payment.is_at_least_ratio(attempts, payments),
        format!(
            "{ratio:.2} attempts per payment ({attempts} attempts for {payments} payments) — bound <= {max_attempts_per_payment}"
        ),
        most_retried,
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
            Outcome::Fail(figure, _) => figure,
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
    fn a_double_charge_is_witnessed_by_its_start_and_both_charges() {
        let mut events = [start(0, "a", 100), applied(1, "b"), applied(2, "a"), applied(3, "a"), end(4, "a", CHARGED)];
        events.iter_mut().zip(0..).for_each(|(event, seq)| event.seq = seq);
        let Outcome::Fail(_, witnesses) = exactly_once(&events) else { panic!("a was applied twice") };
        assert_eq!(witnesses, [0, 2, 3]);
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
    fn a_deadline_written_on_a_skewed_clock_is_judged_in_true_time() {
        // The payer's clock reads 1.5 s behind: it starts at true 10 s (its 8.5 s) with a
        // deadline of its 9.5 s — 1 s from now, in true time by 11 s.
        let start = |t_ms: u64| {
            let record = Record::debug(PAYMENT_START).with(PAYMENT, "a").with(DEADLINE_MS, 9_500u64);
            event(t_ms, "payer", record.with("local_ms", t_ms - 1_500))
        };
        let on_time = [start(10_000), end(10_900, "a", CHARGED)];
        assert!(matches!(deadlines(&on_time, 0, 20_000), Outcome::Pass(_)));
        let late = [start(10_000), end(11_200, "a", CHARGED)];
        assert!(figure_of_failure(deadlines(&late, 0, 20_000)).contains("ended 200 ms late"));
    }

    #[test]
    fn amplification_is_attempts_over_payments_and_the_bound_itself_passes() {
        let attempt = |t| event(t, "payer", Record::debug(ATTEMPT));
        let events = [start(0, "a", 10), start(0, "b", 10), attempt(1), attempt(2), attempt(3)];
        assert!(matches!(retry_amplification(&events, Decimal::from_f64(1.5).unwrap()), Outcome::Pass(_)));
        assert!(matches!(retry_amplification(&events, Decimal::from_f64(1.4).unwrap()), Outcome::Fail(..)));
    }
}

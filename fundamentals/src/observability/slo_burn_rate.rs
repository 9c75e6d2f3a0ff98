//! # SLOs, error budgets and multi-window, multi-burn-rate alerts
//!
//! ## Why interviewers ask this
//! "How would you alert on this service?" separates engineers who page on CPU > 80 % from
//! those who page on what users feel. An SLO (99.9 % of requests succeed over 30 days) turns
//! reliability into a budget (0.1 % of requests may fail), and the alert question becomes
//! "are we spending the budget too fast?". The naive answers fail in opposite directions: an
//! alert on the last 5 minutes pages for every blip; an alert on the last 3 days notices a
//! total outage after hours and keeps firing for days after it ends. The Google SRE workbook's
//! multi-window, multi-burn-rate alert fixes both, and interviewers like to hear why.
//!
//! ## How it works
//! - **Error budget**: `1 − objective` (0.1 % for 99.9 %). **Burn rate** over a window: the
//!   window's error ratio divided by the budget. Burn 1 spends exactly the budget over the SLO
//!   period; burn 14.4 sustained for 1 hour spends 14.4 × 1 h / 720 h = **2 %** of a 30-day
//!   budget; burn 6 for 6 hours spends 5 %; burn 1 for 3 days spends 10 %.
//! - **A rule fires when both windows burn faster than its rate**: the *long* window proves
//!   the burn is significant (a blip is diluted in an hour of traffic), the *short* window
//!   (1/12 of it) proves it is still happening, so the alert **resets** minutes after recovery
//!   instead of an hour later. [`WORKBOOK_RULES`]:
//!
//! | severity | long window | short window | burn rate | budget spent when it fires |
//! | --- | --- | --- | --- | --- |
//! | page | 1 h | 5 min | 14.4 | 2 % |
//! | page | 6 h | 30 min | 6 | 5 % |
//! | ticket | 3 days | 6 h | 1 | 10 % |
//!
//! [`BurnRateAlerter`] takes a request stream — `record(now_ms, is_error)` on a
//! [`crate::sim::VirtualClock`] — counts it in one-minute buckets (a bounded ring as long as
//! the longest window, with running totals so each window's sum costs O(1)), and
//! [`BurnRateAlerter::evaluate`] returns the most severe rule that fires over closed minutes.
//!
//! What the tests show (99.9 % SLO, 200 requests/min, errors drawn from a seeded stream):
//! - a total outage pages after **1 minute** (the 1 h window's burn is already 16.7);
//! - a steady 2 % error rate (burn 20) pages after **≈ 44 minutes**, having spent ≈ 2 % of
//!   the budget;
//! - a steady 0.3 % error rate (burn 3) never pages, and opens a ticket after **≈ 14–15 h**;
//! - half a minute of errors does not page — while a 5-minute-only rule would have;
//! - after a 10-minute outage ends, the 1 h / 5 min rule stops within **5 minutes** and the
//!   page clears within **30** (the 6 h rule's short window), although the 1 h burn is still
//!   above 70 and the 6 h burn above 18: rules on long windows alone would keep paging for
//!   an hour and for hours.
//!
//! ## Common pitfalls
//! - Alerting on causes (CPU, queue depth) instead of symptoms users feel (errors, latency).
//! - One window: short → noisy pages at 3 a.m. for blips; long → slow detection, slow reset.
//! - Thresholds on raw error rate ("> 1 %") unrelated to the SLO: too tight for a 99 % service,
//!   far too loose for 99.99 %.
//! - Low traffic: at 10 requests/hour one failure is a 10 % error rate. Add synthetic probes or
//!   require a minimum request count.
//! - An SLO of 100 %: no budget, so every deploy and every retry-able error is an incident.
//!
//! ## Key takeaways
//! - SLO → error budget → burn rate; alert on burn rate, page only for fast burns.
//! - Long window for significance, short window for reset; both must agree.
//! - Slow burns are tickets (someone looks tomorrow), not pages.
//!
//! ## Break it
//! `fundamentals/breaks/observability_slo_burn_rate.patch` drops the short-window condition:
//! a rule fires on its long window alone. Detection is unchanged, but the page keeps firing
//! for hours after the outage ends:
//! `the_page_clears_within_the_short_window_after_recovery` fails.
//!
//! ## Interview questions
//! - **Q: What is an error budget and what do you do with it?** A: The failures the SLO
//!   allows (0.1 % of requests over 30 days for 99.9 %). While budget remains, ship; when it
//!   is spent, freeze risky changes and spend the time on reliability.
//! - **Q: Why not alert when the error rate over the last 5 minutes exceeds the SLO?** A: It
//!   pages for blips that spend a negligible part of the budget, and misses slow burns that
//!   spend all of it. Alert on burn rate over a window long enough to matter.
//! - **Q: Why two windows per rule?** A: The long window makes the alert significant (≥ 2 % of
//!   budget), the short one makes it stop firing shortly after recovery; an alert that fires an
//!   hour after the fix trains people to ignore pages.
//! - **Q: Where does 14.4 come from?** A: Paging when 2 % of a 30-day budget goes in 1 hour:
//!   0.02 × 720 h / 1 h = 14.4.
//! - **Q: How do you alert on a service with very little traffic?** A: Synthetic traffic,
//!   longer windows, a minimum event count, or aggregate several services into one SLO.

use std::collections::VecDeque;

const MINUTE_MS: u64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Ticket,
    Page,
}

/// Fires when the burn rate over both windows is at least `burn_rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnRule {
    pub severity: Severity,
    pub long_window_min: usize,
    pub short_window_min: usize,
    pub burn_rate: f64,
}

/// The SRE workbook's recommended rules for a 30-day SLO.
pub const WORKBOOK_RULES: [BurnRule; 3] = [
    BurnRule { severity: Severity::Page, long_window_min: 60, short_window_min: 5, burn_rate: 14.4 },
    BurnRule { severity: Severity::Page, long_window_min: 360, short_window_min: 30, burn_rate: 6.0 },
    BurnRule { severity: Severity::Ticket, long_window_min: 3 * 1_440, short_window_min: 360, burn_rate: 1.0 },
];

/// Cumulative (requests, errors) at the end of a closed minute.
#[derive(Debug, Clone, Copy, Default)]
struct Cumulative {
    requests: u64,
    errors: u64,
}

/// Counts a request stream in one-minute buckets and evaluates burn-rate rules.
#[derive(Debug)]
pub struct BurnRateAlerter {
    error_budget: f64,
    rules: Vec<BurnRule>,
    /// Running totals after each closed minute, oldest first; one more entry than the longest
    /// window, so that any window's sum is a difference of two entries.
    closed: VecDeque<Cumulative>,
    capacity: usize,
    open_minute: u64,
    open: Cumulative,
}

impl BurnRateAlerter {
    /// `objective` as a fraction: 0.999 for "three nines".
    pub fn new(objective: f64, rules: &[BurnRule]) -> Self {
        assert!((0.0..1.0).contains(&objective), "an objective of 100 % leaves no budget");
        let longest = rules.iter().map(|r| r.long_window_min.max(r.short_window_min)).max().expect("at least one rule");
        let mut closed = VecDeque::with_capacity(longest + 1);
        closed.push_back(Cumulative::default());
        Self {
            error_budget: 1.0 - objective,
            rules: rules.to_vec(),
            closed,
            capacity: longest + 1,
            open_minute: 0,
            open: Cumulative::default(),
        }
    }

    /// One request finishing at `now_ms`. Time must not go backwards.
    pub fn record(&mut self, now_ms: u64, is_error: bool) {
        self.close_minutes_before(now_ms / MINUTE_MS);
        self.open.requests += 1;
        self.open.errors += u64::from(is_error);
    }

    /// Closes every minute that ended at or before `now_ms` (minutes without traffic too).
    fn close_minutes_before(&mut self, minute: u64) {
        assert!(minute >= self.open_minute, "time went backwards");
        while self.open_minute < minute {
            let last = *self.closed.back().expect("never empty");
            self.closed.push_back(Cumulative {
                requests: last.requests + self.open.requests,
                errors: last.errors + self.open.errors,
            });
            if self.closed.len() > self.capacity {
                self.closed.pop_front();
            }
            self.open = Cumulative::default();
            self.open_minute += 1;
        }
    }

    /// Burn rate over the last `window_min` closed minutes (fewer if the service is younger).
    pub fn burn_rate(&self, window_min: usize) -> f64 {
        let newest = self.closed.len() - 1;
        let end = self.closed[newest];
        let start = self.closed[newest.saturating_sub(window_min)];
        let requests = end.requests - start.requests;
        if requests == 0 {
            return 0.0;
        }
        (end.errors - start.errors) as f64 / requests as f64 / self.error_budget
    }

    /// Whether one rule fires now.
    pub fn fires(&self, rule: &BurnRule) -> bool {
        self.burn_rate(rule.long_window_min) >= rule.burn_rate
            && self.burn_rate(rule.short_window_min) >= rule.burn_rate
    }

    /// The most severe alert firing at `now_ms`, judged on the minutes closed by then.
    pub fn evaluate(&mut self, now_ms: u64) -> Option<Severity> {
        self.close_minutes_before(now_ms / MINUTE_MS);
        self.rules.iter().filter(|rule| self.fires(rule)).map(|rule| rule.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{stream_rng, SimRng, VirtualClock};
    use rand::Rng;

    const OBJECTIVE: f64 = 0.999;
    const REQUESTS_PER_MIN: u64 = 200;
    /// Errors a healthy service still has: half the budget (burn 0.5).
    const BASELINE_ERROR_RATE: f64 = 0.0005;

    /// A service under test: the alerter, the virtual clock and a seeded request stream.
    struct Service {
        alerter: BurnRateAlerter,
        clock: VirtualClock,
        rng: SimRng,
    }

    impl Service {
        /// A service that has already run healthy for `history_min` minutes.
        fn with_history(seed: u64, history_min: u64) -> Self {
            let mut service = Service {
                alerter: BurnRateAlerter::new(OBJECTIVE, &WORKBOOK_RULES),
                clock: VirtualClock::starting_at(0),
                rng: stream_rng(seed, "requests"),
            };
            service.run(history_min, BASELINE_ERROR_RATE);
            assert_eq!(service.alerter.evaluate(service.clock.now_ms()), None, "healthy history must not alert");
            service
        }

        /// One minute of traffic, requests evenly spread, each failing with `error_rate`.
        fn minute(&mut self, error_rate: f64) -> Option<Severity> {
            for _ in 0..REQUESTS_PER_MIN {
                self.clock.advance_ms(MINUTE_MS / REQUESTS_PER_MIN);
                let is_error = self.rng.random_bool(error_rate);
                self.alerter.record(self.clock.now_ms(), is_error);
            }
            self.alerter.evaluate(self.clock.now_ms())
        }

        /// `minutes` of traffic; returns the alert after each minute.
        fn run(&mut self, minutes: u64, error_rate: f64) -> Vec<Option<Severity>> {
            (0..minutes).map(|_| self.minute(error_rate)).collect()
        }
    }

    fn first(alerts: &[Option<Severity>], severity: Severity) -> Option<usize> {
        alerts.iter().position(|&a| a == Some(severity)).map(|i| i + 1)
    }

    #[test]
    fn burn_rate_is_the_error_ratio_in_units_of_the_budget() {
        let mut alerter = BurnRateAlerter::new(OBJECTIVE, &WORKBOOK_RULES);
        for i in 0..1_000 {
            alerter.record(i, i < 2); // 0.2 % errors in minute 0
        }
        alerter.evaluate(MINUTE_MS);
        assert!((alerter.burn_rate(5) - 2.0).abs() < 1e-9, "{}", alerter.burn_rate(5));
        // 14.4 for 1 h of a 30-day (720 h) budget is 2 % of it.
        assert!((14.4 * 1.0 / 720.0 - 0.02_f64).abs() < 1e-12);
    }

    #[test]
    fn a_total_outage_pages_within_two_minutes() {
        let mut service = Service::with_history(1, 360);
        let alerts = service.run(10, 1.0);
        assert_eq!(first(&alerts, Severity::Page), Some(1));
    }

    #[test]
    fn a_two_percent_error_rate_pages_in_about_three_quarters_of_an_hour() {
        let mut service = Service::with_history(2, 360);
        let alerts = service.run(120, 0.02); // burn 20
        let paged_after_min = first(&alerts, Severity::Page).expect("a burn of 20 must page");
        // The 1 h window reaches 14.4 after 14.4 / 20 × 60 ≈ 43 minutes.
        assert!((38..=50).contains(&paged_after_min), "paged after {paged_after_min} min");
    }

    #[test]
    fn a_slow_burn_opens_a_ticket_and_never_pages() {
        let mut service = Service::with_history(3, 3 * 1_440);
        let alerts = service.run(2 * 1_440, 0.003); // burn 3 for two days
        assert_eq!(first(&alerts, Severity::Page), None, "a burn of 3 is not worth waking anyone");
        let ticket_after_min = first(&alerts, Severity::Ticket).expect("a burn of 3 spends the budget in 10 days");
        // The 3-day window, full of burn-0.5 history, averages above 1 after ≈ 864 minutes.
        assert!((720..=1_020).contains(&ticket_after_min), "ticket after {ticket_after_min} min");
    }

    #[test]
    fn half_a_minute_of_errors_does_not_page_but_a_five_minute_rule_would() {
        let mut service = Service::with_history(4, 3 * 1_440);
        let blip = service.minute(0.5);
        let after: Vec<Option<Severity>> = service.run(360, BASELINE_ERROR_RATE);
        assert_eq!(blip, None);
        assert!(after.iter().all(Option::is_none), "{after:?}");
        // A rule on the 5-minute window alone would have paged at the blip.
        let mut single = Service::with_history(4, 3 * 1_440);
        single.minute(0.5);
        let five_min_only =
            BurnRule { severity: Severity::Page, long_window_min: 5, short_window_min: 5, burn_rate: 14.4 };
        assert!(single.alerter.fires(&five_min_only));
    }

    #[test]
    fn the_page_clears_within_the_short_window_after_recovery() {
        let mut service = Service::with_history(5, 360);
        let outage = service.run(10, 1.0);
        assert_eq!(outage.last(), Some(&Some(Severity::Page)));

        // Recovery, one minute at a time: when does each part of the page stop?
        let (mut fast_rule_off_min, mut page_off_min) = (None, None);
        for minute in 1..=120 {
            let alert = service.minute(BASELINE_ERROR_RATE);
            if fast_rule_off_min.is_none() && !service.alerter.fires(&WORKBOOK_RULES[0]) {
                fast_rule_off_min = Some(minute);
            }
            if page_off_min.is_none() && alert != Some(Severity::Page) {
                page_off_min = Some(minute);
                // The long windows alone still burn far above their rates: rules without a
                // short window would keep paging for about an hour (1 h) and for hours (6 h).
                assert!(service.alerter.burn_rate(60) > 14.4 * 5.0, "1 h burn {}", service.alerter.burn_rate(60));
                assert!(service.alerter.burn_rate(360) > 6.0 * 3.0, "6 h burn {}", service.alerter.burn_rate(360));
            }
            if page_off_min.is_some() {
                assert_ne!(alert, Some(Severity::Page), "paged again at minute {minute} of recovery");
            }
        }
        assert!(fast_rule_off_min.expect("the 1 h / 5 min rule resets") <= 5, "{fast_rule_off_min:?}");
        assert!(page_off_min.expect("the page clears") <= 30, "{page_off_min:?}");
    }

    #[test]
    fn minutes_without_traffic_are_closed_and_memory_stays_bounded() {
        let mut alerter = BurnRateAlerter::new(OBJECTIVE, &WORKBOOK_RULES);
        alerter.record(0, true);
        // Ten days later: the error has left every window, and at most 3 days are kept.
        assert_eq!(alerter.evaluate(10 * 1_440 * MINUTE_MS), None);
        assert_eq!(alerter.burn_rate(3 * 1_440), 0.0);
        assert_eq!(alerter.closed.len(), 3 * 1_440 + 1);
    }
}

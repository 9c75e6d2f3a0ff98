//! Checkers: verdicts computed from a run's recorded history, each with a figure.
//!
//! A checker never runs inside the simulation and never asks a node anything: it reads the
//! events the run recorded (what clients asked and were told, what gateways decided) and
//! says pass or fail with the number that decided it. Each check is proven able to fail by a
//! scenario variant that breaks it (see `tests/`).

mod breaker;
mod payments;
mod ratelimit;

use crate::engine::{RunEnd, RunResult};
use crate::scenario::{CheckSpec, Variant};

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub check: String,
    pub phase: &'static str,
    pub passed: bool,
    /// The number that decided the verdict, in words.
    pub figure: String,
    /// The variant is deliberately broken in a way this check should catch.
    pub expected_to_fail: bool,
}

/// Evaluates every check of the scenario over a run, plus the run's own health: a run that
/// did not reach its end has no trustworthy history, and says so as a failed verdict.
pub fn evaluate(checks: &[CheckSpec], variant: &Variant, run: &RunResult) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    if run.end != RunEnd::Completed {
        let figure = match &run.end {
            RunEnd::EventBudgetExhausted => format!(
                "stopped at {} ms: event budget ({} events) exhausted — a runaway scenario",
                run.simulated_ms,
                run.events.len()
            ),
            RunEnd::HostFailed(why) => format!("stopped at {} ms: a node failed: {why}", run.simulated_ms),
            RunEnd::Completed => unreachable!(),
        };
        verdicts.push(Verdict {
            check: "run-completed".into(),
            phase: "harness",
            passed: false,
            figure,
            expected_to_fail: false,
        });
    }
    for spec in checks {
        let (passed, figure) = match spec {
            CheckSpec::LimitConformance { limit_per_second, tolerance_pct } => {
                ratelimit::conformance(&run.events, *limit_per_second, *tolerance_pct)
            }
            CheckSpec::LimitUtilization { limit_per_second, min_pct } => {
                ratelimit::utilization(&run.events, *limit_per_second, *min_pct, run.simulated_ms)
            }
            CheckSpec::ExactlyOnce => payments::exactly_once(&run.events),
            CheckSpec::Deadlines { slack_ms } => payments::deadlines(&run.events, *slack_ms, run.simulated_ms),
            CheckSpec::RetryAmplification { max_attempts_per_payment } => {
                payments::retry_amplification(&run.events, *max_attempts_per_payment)
            }
            CheckSpec::EndpointAvailability { endpoint, from_ms, to_ms, min_pct } => {
                breaker::availability(&run.events, endpoint, *from_ms, *to_ms, *min_pct)
            }
            CheckSpec::BreakerConformance { half_open_probes } => breaker::conformance(&run.events, *half_open_probes),
            CheckSpec::Recovery { endpoint, recovered_at_ms, within_ms, min_pct } => {
                breaker::recovery(&run.events, endpoint, *recovered_at_ms, *within_ms, *min_pct, run.simulated_ms)
            }
        };
        let expected_to_fail = variant.expect_fail.iter().any(|c| c == spec.name());
        verdicts.push(Verdict { check: spec.name().into(), phase: spec.phase(), passed, figure, expected_to_fail });
    }
    verdicts
}

pub fn all_passed(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.passed)
}

/// Formats simulated microseconds as seconds with millisecond precision ("21.304 s").
pub fn seconds(t_us: u64) -> String {
    format!("{:.3} s", t_us as f64 / 1_000_000.0)
}

//! Verdicts: what the checks of a scenario say about one run, each with a figure.
//!
//! A check never runs inside the simulation and never asks a node anything: it reads the
//! events the run recorded and says pass, fail or inconclusive with the number that decided
//! it. The checks themselves belong to their scenario families (`crate::families`); this module
//! runs them and adds the run's own health. Each check is proven able to fail by a scenario
//! variant that breaks it (`tests/variants.rs`).

mod decimal;

pub use decimal::Decimal;

use crate::engine::{RunEnd, RunResult};
use crate::scenario::{CheckSpec, Variant};

/// The `seq` numbers of the events that prove a failure, in trace order.
pub type Witnesses = Vec<u64>;

/// What one check concluded, in words: the figure names the number that decided it. A failure
/// also names its witnesses: the events a reader looks at to see it for themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    Fail(String, Witnesses),
    /// A failure with a picture of it too: several lines of text (a linearizability witness
    /// drawn on a time line), shown below the verdicts.
    FailDrawn(String, Witnesses, String),
    /// Nothing to judge (no admissions, no payments, no breaker transitions): not a pass.
    Inconclusive(String),
}

impl Outcome {
    /// Pass when `passed`, else fail with `witnesses`, with the same figure.
    pub fn judged(passed: bool, figure: String, witnesses: impl FnOnce() -> Witnesses) -> Self {
        if passed {
            Outcome::Pass(figure)
        } else {
            Outcome::fail(figure, witnesses())
        }
    }

    /// The figure, whatever the verdict.
    pub fn figure(&self) -> &str {
        match self {
            Outcome::Pass(f) | Outcome::Fail(f, _) | Outcome::FailDrawn(f, ..) | Outcome::Inconclusive(f) => f,
        }
    }

    /// A failure proven by `witnesses` (sorted here, so checks may collect them in any order).
    pub fn fail(figure: String, mut witnesses: Witnesses) -> Self {
        witnesses.sort_unstable();
        witnesses.dedup();
        Outcome::Fail(figure, witnesses)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    Pass,
    Fail,
    Inconclusive,
}

impl CheckResult {
    pub fn name(self) -> &'static str {
        match self {
            CheckResult::Pass => "pass",
            CheckResult::Fail => "FAIL",
            CheckResult::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub check: String,
    pub phase: &'static str,
    pub result: CheckResult,
    /// The number that decided the verdict, in words.
    pub figure: String,
    /// The variant is deliberately broken (or lacks the feature) in a way this check shows.
    pub expected: bool,
    /// For a failure, the events that prove it (their `seq`); empty otherwise.
    pub witnesses: Witnesses,
    /// For some failures, a drawing of the witnesses (several lines of text).
    pub drawing: Option<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.result == CheckResult::Pass
    }
}

/// Evaluates every check of the scenario over a run, plus the run's own health: a run that
/// did not reach its end has no trustworthy history, and says so as a failed verdict.
pub fn evaluate(checks: &[CheckSpec], variant: &Variant, run: &RunResult) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let stopped = match &run.end {
        RunEnd::Completed => None,
        RunEnd::EventBudgetExhausted => Some(format!(
            "stopped at {} ms: event budget ({} events) exhausted — a runaway scenario",
            run.simulated_ms,
            run.events.len()
        )),
        RunEnd::HostFailed(why) => Some(format!("stopped at {} ms: a node failed: {why}", run.simulated_ms)),
    };
    if let Some(figure) = stopped {
        verdicts.push(Verdict {
            check: "run-completed".into(),
            phase: "harness",
            result: CheckResult::Fail,
            figure,
            expected: false,
            // Where the run stopped: its last event.
            witnesses: run.events.last().map(|e| e.seq).into_iter().collect(),
            drawing: None,
        });
    }
    for spec in checks {
        let (result, figure, witnesses, drawing) = match spec.check.evaluate(run) {
            Outcome::Pass(figure) => (CheckResult::Pass, figure, Vec::new(), None),
            Outcome::Fail(figure, witnesses) => (CheckResult::Fail, figure, witnesses, None),
            Outcome::FailDrawn(figure, witnesses, drawing) => (CheckResult::Fail, figure, witnesses, Some(drawing)),
            Outcome::Inconclusive(figure) => (CheckResult::Inconclusive, figure, Vec::new(), None),
        };
        let expected = match result {
            CheckResult::Pass => false,
            CheckResult::Fail => variant.expect_fail.iter().chain(&variant.may_fail).any(|c| c == spec.name),
            CheckResult::Inconclusive => variant.expect_inconclusive.iter().any(|c| c == spec.name),
        };
        verdicts.push(Verdict {
            check: spec.name.into(),
            phase: spec.phase.name(),
            result,
            figure,
            expected,
            witnesses,
            drawing,
        });
    }
    verdicts
}

pub fn all_passed(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(Verdict::passed)
}

/// Formats simulated microseconds as seconds with millisecond precision ("21.304 s").
pub fn seconds(t_us: u64) -> String {
    format!("{:.3} s", t_us as f64 / 1_000_000.0)
}

/// Builds a history for a check's unit tests: each line is (time in ms, node, record), and
/// sequence numbers follow the lines' order.
#[cfg(test)]
pub fn test_events(lines: Vec<(u64, &str, nodes::Record)>) -> Vec<crate::trace::Event> {
    lines
        .into_iter()
        .enumerate()
        .map(|(seq, (t_ms, node, record))| crate::trace::Event {
            seq: seq as u64,
            t_us: t_ms * 1_000,
            node: std::sync::Arc::from(node),
            record,
        })
        .collect()
}

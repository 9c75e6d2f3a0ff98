//! Seed sweeps: the same scenario variant under many seeds, on all cores.
//!
//! Each seed is an independent simulation on its own OS thread (turmoil keeps its world in
//! thread-local state, so runs never share anything). Results come back in completion order
//! for the progress bar and are reported in seed order, so a sweep's summary is the same
//! whatever the thread timing.

use crate::runner::run_and_judge;
use crate::scenario::{Scenario, Variant};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

#[derive(Debug, Clone)]
pub struct SeedOutcome {
    pub seed: u64,
    /// Names of the checks that failed, with their figures.
    pub failures: Vec<(String, String)>,
    /// Set when the run itself could not complete (a panic in the simulation).
    pub error: Option<String>,
    pub simulated_ms: u64,
}

impl SeedOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

pub fn run_seed(scenario: &Scenario, variant: &Variant, seed: u64) -> SeedOutcome {
    match run_and_judge(scenario, variant, seed) {
        Ok(judged) => SeedOutcome {
            seed,
            failures: judged.verdicts.iter().filter(|v| !v.passed).map(|v| (v.check.clone(), v.figure.clone())).collect(),
            error: None,
            simulated_ms: judged.run.simulated_ms,
        },
        Err(error) => SeedOutcome { seed, failures: Vec::new(), error: Some(error), simulated_ms: 0 },
    }
}

/// Runs every seed in `seeds` on `jobs` threads; `progress` is called once per finished seed.
pub fn sweep(scenario: &Scenario, variant: &Variant, seeds: Range<u64>, jobs: usize, mut progress: impl FnMut(&SeedOutcome)) -> Vec<SeedOutcome> {
    let next = AtomicU64::new(seeds.start);
    let (done_tx, done_rx) = mpsc::channel();
    let mut outcomes = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            let done_tx = done_tx.clone();
            let next = &next;
            let end = seeds.end;
            scope.spawn(move || loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end {
                    break;
                }
                if done_tx.send(run_seed(scenario, variant, seed)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        for outcome in done_rx {
            progress(&outcome);
            outcomes.push(outcome);
        }
    });
    outcomes.sort_by_key(|o| o.seed);
    outcomes
}

/// How many sweep threads to use by default: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

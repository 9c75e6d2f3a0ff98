//! Seed sweeps: the same scenario variant under many seeds, on all cores.
//!
//! **Each seed runs in its own `lab` process** (`lab __run-seed`). A simulation is reproducible
//! only as the first one in its process: tokio files tasks into shards by a process-global
//! task counter and drops them shard by shard when turmoil crashes a host, so the order in
//! which a crashed host's sockets close — and hence which random latency each close draws —
//! depends on what ran before in the same process. A fresh process per seed makes every
//! sweep verdict exactly what `lab replay` of that seed shows. Results come back in completion
//! order for the progress bar and are reported in seed order.

use crate::checks::CheckResult;
use crate::engine::Engine;
use crate::runner::{run_and_judge_on, Judged};
use crate::scenario::{Scenario, Variant};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedOutcome {
    pub seed: u64,
    /// Names of the checks that failed, with their figures.
    pub failures: Vec<(String, String)>,
    /// Names of the checks that had nothing to judge, with their figures: not a pass either.
    #[serde(default)]
    pub inconclusive: Vec<(String, String)>,
    /// Set when the run itself could not complete (a panic in the simulation).
    pub error: Option<String>,
    pub simulated_ms: u64,
}

impl SeedOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.inconclusive.is_empty() && self.error.is_none()
    }

    /// What a judged run of `seed` says, or why it could not be judged.
    pub fn of(seed: u64, judged: &Result<Judged, String>) -> Self {
        let named = |result: CheckResult| -> Vec<(String, String)> {
            let verdicts = judged.as_ref().map(|j| j.verdicts.as_slice()).unwrap_or_default();
            verdicts.iter().filter(|v| v.result == result).map(|v| (v.check.clone(), v.figure.clone())).collect()
        };
        Self {
            seed,
            failures: named(CheckResult::Fail),
            inconclusive: named(CheckResult::Inconclusive),
            error: judged.as_ref().err().cloned(),
            simulated_ms: judged.as_ref().map_or(0, |j| j.run.simulated_ms),
        }
    }
}

pub fn run_seed(engine: Engine, scenario: &Scenario, variant: &Variant, seed: u64) -> SeedOutcome {
    SeedOutcome::of(seed, &run_and_judge_on(engine, scenario, variant, seed))
}

/// Runs one seed in a fresh `lab` process (`lab_exe __run-seed …`) and reads its outcome.
pub fn run_seed_isolated(
    lab_exe: &Path,
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    seed: u64,
    trace: Option<&Path>,
) -> SeedOutcome {
    run_seed_isolated_with_page(lab_exe, engine, scenario, variant, seed, trace, None)
}

/// [`run_seed_isolated`], the run's viewer page (`crate::view`) written to `page` too.
pub fn run_seed_isolated_with_page(
    lab_exe: &Path,
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    seed: u64,
    trace: Option<&Path>,
    page: Option<&Path>,
) -> SeedOutcome {
    let mut command = Command::new(lab_exe);
    command.arg("__run-seed").arg(&scenario.path).arg(seed.to_string()).args(["--variant", &variant.name]);
    command.args(["--engine", engine.name()]);
    if let Some(trace) = trace {
        command.arg("--trace").arg(trace);
    }
    if let Some(page) = page {
        command.arg("--html").arg(page);
    }
    let failed = |why: String| SeedOutcome::of(seed, &Err(why));
    match command.output() {
        Err(e) => failed(format!("cannot start {}: {e}", lab_exe.display())),
        Ok(out) if !out.status.success() => failed(format!(
            "the run's process failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Ok(out) => serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| failed(format!("unreadable outcome from the run's process: {e}"))),
    }
}

/// `count` seeds from `first` on; the caller keeps `first + count - 1` within u64.
#[derive(Debug, Clone, Copy)]
pub struct Seeds {
    pub first: u64,
    pub count: u64,
}

/// Runs every seed of `seeds`, each in its own `lab` process, `jobs` at a time; `progress` is
/// called once per finished seed.
pub fn sweep(
    lab_exe: &Path,
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    seeds: Seeds,
    jobs: usize,
    progress: impl FnMut(&SeedOutcome),
) -> Vec<SeedOutcome> {
    let Seeds { first, count } = seeds;
    in_parallel(
        count,
        jobs,
        |index| run_seed_isolated(lab_exe, engine, scenario, variant, first + index, None),
        progress,
    )
}

/// Runs `task(0)` … `task(count - 1)` on `jobs` threads; `progress` sees each result as it
/// finishes. Returns the results in index order.
pub fn in_parallel<R: Send>(
    count: u64,
    jobs: usize,
    task: impl Fn(u64) -> R + Sync,
    mut progress: impl FnMut(&R),
) -> Vec<R> {
    // Counts tasks taken: an index, never a seed, so a sweep may end at seed u64::MAX.
    let taken = AtomicU64::new(0);
    let threads = usize::try_from(count).map_or(jobs, |count| jobs.min(count)).max(1);
    let (done_tx, done_rx) = mpsc::channel();
    let mut results = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (done_tx, taken, task) = (done_tx.clone(), &taken, &task);
            scope.spawn(move || loop {
                let index = taken.fetch_add(1, Ordering::Relaxed);
                if index >= count || done_tx.send((index, task(index))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        for (index, result) in done_rx {
            progress(&result);
            results.push((index, result));
        }
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// How many sweep threads to use by default: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

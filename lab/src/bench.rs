//! `lab bench`: how fast the simulator runs a scenario, in simulated seconds per wall-clock
//! second for one run and seeds per minute for a parallel sweep.
//!
//! This is the one module that reads the real clock, on purpose: it measures the simulator
//! from the outside and never feeds the reading into a run.

use crate::engine::Engine;
use crate::scenario::{Scenario, Variant};
use crate::sweep::{run_seed, sweep, Seeds};
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BenchFigures {
    pub scenario: String,
    pub variant: String,
    pub single_runs: u64,
    pub wall_s_per_run: f64,
    pub simulated_s_per_wall_s: f64,
    pub sweep_seeds: u64,
    pub jobs: usize,
    pub sweep_wall_s: f64,
    pub seeds_per_minute: f64,
}

impl BenchFigures {
    /// Projected wall time of a sweep of `seeds` seeds at the measured rate.
    pub fn projected_sweep_s(&self, seeds: u64) -> f64 {
        seeds as f64 * 60.0 / self.seeds_per_minute
    }
}

pub fn bench(
    lab_exe: &Path,
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    single_runs: u64,
    sweep_seeds: u64,
    jobs: usize,
) -> BenchFigures {
    let started = Instant::now();
    let mut simulated_ms = 0;
    for seed in 1..=single_runs {
        simulated_ms += run_seed(engine, scenario, variant, seed).simulated_ms;
    }
    let single_wall_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    sweep(lab_exe, engine, scenario, variant, Seeds { first: 1_000, count: sweep_seeds }, jobs, |_| {});
    let sweep_wall_s = started.elapsed().as_secs_f64();

    BenchFigures {
        scenario: scenario.name.clone(),
        variant: variant.name.clone(),
        single_runs,
        wall_s_per_run: single_wall_s / single_runs as f64,
        simulated_s_per_wall_s: simulated_ms as f64 / 1_000.0 / single_wall_s,
        sweep_seeds,
        jobs,
        sweep_wall_s,
        seeds_per_minute: sweep_seeds as f64 * 60.0 / sweep_wall_s,
    }
}

//! `lab bench`: how fast each engine runs each scenario — wall seconds per run, simulated
//! seconds per wall second, seeds per minute in a parallel sweep — side by side, with the
//! ratio between engines and the speed targets the lab holds itself to.
//!
//! This is the one module that reads the real clock to measure the simulator, from the
//! outside; the reading never reaches a run.

use crate::engine::Engine;
use crate::scenario::{Scenario, Variant};
use crate::sweep::{run_seed, sweep, Seeds};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BenchFigures {
    pub scenario: String,
    pub variant: String,
    pub engine: Engine,
    pub nodes: usize,
    pub single_runs: u64,
    pub wall_s_per_run: f64,
    pub simulated_s_per_run: f64,
    pub simulated_s_per_wall_s: f64,
    /// The measured sweep, unless the bench was asked for none.
    pub sweep: Option<SweepFigures>,
}

#[derive(Debug, Clone)]
pub struct SweepFigures {
    pub seeds: u64,
    pub jobs: usize,
    pub wall_s: f64,
    pub seeds_per_minute: f64,
}

impl SweepFigures {
    /// Projected wall time of a sweep of `seeds` seeds at the measured rate.
    pub fn projected_s(&self, seeds: u64) -> f64 {
        seeds as f64 * 60.0 / self.seeds_per_minute
    }
}

/// Measures `runs` single runs in this process (seeds 1…), then a sweep of `sweep_seeds` seeds
/// (none if 0) on `jobs` threads, each seed in its own process as every sweep runs it.
pub fn bench(
    lab_exe: &Path,
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    runs: u64,
    sweep_seeds: u64,
    jobs: usize,
) -> BenchFigures {
    let started = Instant::now();
    let mut simulated_ms = 0;
    for seed in 1..=runs {
        simulated_ms += run_seed(engine, scenario, variant, seed).simulated_ms;
    }
    let single_wall_s = started.elapsed().as_secs_f64();

    let sweep = (sweep_seeds > 0).then(|| {
        let started = Instant::now();
        sweep(lab_exe, engine, scenario, variant, Seeds { first: 1_000, count: sweep_seeds }, jobs, |_| {});
        let wall_s = started.elapsed().as_secs_f64();
        SweepFigures { seeds: sweep_seeds, jobs, wall_s, seeds_per_minute: sweep_seeds as f64 * 60.0 / wall_s }
    });

    BenchFigures {
        scenario: scenario.name.clone(),
        variant: variant.name.clone(),
        engine,
        nodes: variant.nodes.len(),
        single_runs: runs,
        wall_s_per_run: single_wall_s / runs as f64,
        simulated_s_per_run: simulated_ms as f64 / 1_000.0 / runs as f64,
        simulated_s_per_wall_s: simulated_ms as f64 / 1_000.0 / single_wall_s,
        sweep,
    }
}

/// Seeds of the sweep the table projects: the 10,000-seed target.
const PROJECTED_SEEDS: u64 = 10_000;

/// The figures as a table, one row per scenario and engine, and under each scenario measured on
/// both engines how many times faster the faster one is.
pub fn table(figures: &[BenchFigures]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:>5}  {:<8} {:>11} {:>14} {:>10} {:>15}",
        "scenario", "nodes", "engine", "wall s/run", "sim s/wall s", "seeds/min", "10k-seed sweep"
    );
    let mut rows = figures.iter().peekable();
    while let Some(first) = rows.next() {
        let mut group = vec![first];
        while let Some(next) = rows.next_if(|f| f.scenario == first.scenario) {
            group.push(next);
        }
        for f in &group {
            let (per_minute, projected) = match &f.sweep {
                Some(s) => (format!("{:.0}", s.seeds_per_minute), minutes(s.projected_s(PROJECTED_SEEDS))),
                None => ("-".into(), "-".into()),
            };
            let _ = writeln!(
                out,
                "{:<22} {:>5}  {:<8} {:>11.3} {:>14.1} {:>10} {:>15}",
                f.scenario,
                f.nodes,
                f.engine.name(),
                f.wall_s_per_run,
                f.simulated_s_per_wall_s,
                per_minute,
                projected
            );
        }
        if let [a, b] = group.as_slice() {
            let (fast, slow) = if a.wall_s_per_run <= b.wall_s_per_run { (a, b) } else { (b, a) };
            let mut line = format!(
                "{:>30}{} is {:.1}x faster per run",
                "",
                fast.engine.name(),
                slow.wall_s_per_run / fast.wall_s_per_run
            );
            if let (Some(fs), Some(ss)) = (&fast.sweep, &slow.sweep) {
                line.push_str(&format!(", {:.1}x in a sweep", fs.seeds_per_minute / ss.seeds_per_minute));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn minutes(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{:.1} min", seconds / 60.0)
    }
}

/// The speed targets (issue 9), each judged on the faster engine's figures.
pub fn targets(figures: &[BenchFigures]) -> String {
    let mut out = String::from("targets (on the faster engine):\n");
    let fastest = |scenario: &str| {
        figures.iter().filter(|f| f.scenario == scenario).min_by(|a, b| a.wall_s_per_run.total_cmp(&b.wall_s_per_run))
    };
    let mut scenarios: Vec<&str> = figures.iter().map(|f| f.scenario.as_str()).collect();
    scenarios.dedup();
    for scenario in scenarios {
        let Some(f) = fastest(scenario) else { continue };
        if f.nodes >= 50 {
            let met = f.simulated_s_per_wall_s >= 10.0;
            let _ = writeln!(
                out,
                "  {:<6} {scenario} ({} nodes) at >= 10x real time: {:.1}x on {}",
                verdict(met),
                f.nodes,
                f.simulated_s_per_wall_s,
                f.engine.name()
            );
            continue;
        }
        // A 60 s run in 0.2 s is 300x real time; scale the bound to the scenario's duration.
        let bound_s = 0.2 * f.simulated_s_per_run / 60.0;
        let _ = writeln!(
            out,
            "  {:<6} {scenario}: a {:.0} s run in <= {bound_s:.2} s: {:.3} s on {} ({:.0}x real time)",
            verdict(f.wall_s_per_run <= bound_s),
            f.simulated_s_per_run,
            f.wall_s_per_run,
            f.engine.name(),
            f.simulated_s_per_wall_s
        );
        if scenario == "rate-limiter" {
            if let Some(s) = figures
                .iter()
                .filter(|f| f.scenario == scenario)
                .filter_map(|f| f.sweep.as_ref().map(|s| (f, s)))
                .max_by(|a, b| a.1.seeds_per_minute.total_cmp(&b.1.seeds_per_minute))
            {
                let projected = s.1.projected_s(PROJECTED_SEEDS);
                let _ = writeln!(
                    out,
                    "  {:<6} {scenario}: a 10,000-seed sweep in < 5 min: {} on {} (projected from {} seeds on {} threads)",
                    verdict(projected < 300.0),
                    minutes(projected),
                    s.0.engine.name(),
                    s.1.seeds,
                    s.1.jobs
                );
            }
        }
    }
    if out.contains(verdict(false)) {
        out.push_str(WHERE_THE_TIME_GOES);
    }
    out
}

/// What a profile of a missed target shows (README, "Speed", has the figures and the history).
const WHERE_THE_TIME_GOES: &str = "\
where the time goes (valgrind --tool=callgrind, the rate limiter on madsim; README \"Speed\"):
  madsim's executor about half (a task per call leg and per timer, its timer heap), malloc/free
  about a quarter, the nodes' own logic under a fifth; recording every message (send, deliver,
  reply, result) costs about a fifth of a run. The 50-node topology's load grows with the square
  of the gateways (78,000 count reports per simulated second). Profile it yourself:
  valgrind --tool=callgrind target/madsim/release/lab bench rate-limiter --engine madsim --runs 1 --sweep-seeds 0
";

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

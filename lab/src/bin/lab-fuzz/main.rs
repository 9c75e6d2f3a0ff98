//! `lab-fuzz`: feeds the lab generated and mutated inputs — scenario files, trace files, command
//! lines, history files — and reports every panic, abort, hang or unlocated error as a finding, shrunk and
//! saved to the regressions folder, whose files every later run (and `just test`) replays first.
//!
//!   lab-fuzz --cases 2000 --seed 1              a fixed budget per target (what `just test` runs)
//!   lab-fuzz --minutes 30                       as long as asked, with a progress bar
//!   lab-fuzz --target scenarios --cases 100000
//!
//! Each case runs in a worker process (`lab-fuzz __worker`), so an abort or a stack overflow
//! costs a restart, not the run, and a case that outlives its timeout is killed and reported as
//! a hang. Case `i` of a target is made from the seed and `i` alone: a run is reproducible.
//! Exit codes: 0 no finding, 1 findings (listed, and written as regression files), 2 bad usage.

mod args;
mod histories;
mod minimize;
mod mutate;
mod pool;
mod targets;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use pool::Pool;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use targets::{Corpus, Target, Verdict};

#[derive(Parser)]
#[command(
    name = "lab-fuzz",
    about = "Fuzz every input the lab reads: scenario files, trace files, command lines, history files"
)]
struct Cli {
    /// Targets to fuzz (default: all).
    #[arg(long, value_enum)]
    target: Vec<Target>,
    /// Cases per target (default: unlimited with --minutes, else 1000).
    #[arg(long)]
    cases: Option<u64>,
    /// Stop generating after this many minutes (all targets share the time, in turns).
    #[arg(long)]
    minutes: Option<f64>,
    /// Seed of the case generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker processes (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Regression inputs: replayed first, and where new findings are written.
    #[arg(long, value_name = "DIR")]
    regressions: Option<PathBuf>,
    /// Seconds a case may take before it counts as a hang (default: 30, 60 for command lines).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Only replay the regression inputs.
    #[arg(long)]
    replay_only: bool,
    /// The `lab` binary the command-line target runs (default: the one beside this binary).
    #[arg(long, value_name = "PATH")]
    lab: Option<PathBuf>,
    /// (internal) Judge cases read from stdin; used by the fuzzer's own worker processes.
    #[arg(long, hide = true)]
    worker: bool,
    /// (internal) A worker's scratch directory for command-line cases.
    #[arg(long, hide = true, value_name = "DIR")]
    sandbox: Option<PathBuf>,
    /// Where the scenarios are (default: the repository's).
    #[arg(long, value_name = "DIR")]
    scenarios_dir: Option<PathBuf>,
}

/// `lab/<relative>` in the repository this binary was built from.
fn lab_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let scenarios_dir = cli.scenarios_dir.clone().unwrap_or_else(|| lab_path("../scenarios"));
    let regressions = cli.regressions.clone().unwrap_or_else(|| lab_path("fuzz/regressions"));
    let result = match (&cli.worker, &cli.lab, &cli.sandbox) {
        (true, Some(lab_exe), Some(sandbox)) => pool::worker_main(&scenarios_dir, &regressions, lab_exe, sandbox),
        (true, _, _) => Err(anyhow::anyhow!("a worker needs --lab and --sandbox")),
        (false, _, _) => drive(&cli, &scenarios_dir, &regressions),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A week: a longer run is a typo.
const MAX_MINUTES: f64 = 7.0 * 24.0 * 60.0;

/// A defect found: the smallest input found that shows it, and where it was saved.
struct Finding {
    target: Target,
    signature: String,
    detail: String,
    saved: PathBuf,
}

/// Returns whether nothing was found.
fn drive(cli: &Cli, scenarios_dir: &Path, regressions: &Path) -> anyhow::Result<bool> {
    let targets: Vec<Target> = if cli.target.is_empty() { Target::ALL.to_vec() } else { cli.target.clone() };
    let lab_exe = match &cli.lab {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("lab"),
    };
    anyhow::ensure!(
        lab_exe.is_file(),
        "no lab binary at {} (build it: cargo build --release -p lab)",
        lab_exe.display()
    );
    let jobs = cli.jobs.map_or_else(lab::sweep::default_jobs, usize::from);
    let timeout = match cli.timeout {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => anyhow::bail!("--timeout {s}: expected a positive number of seconds"),
        None => None,
    };
    let mut pool = Pool::start(jobs, scenarios_dir, regressions, &lab_exe, timeout)?;
    let mut findings: BTreeMap<(Target, String), Finding> = BTreeMap::new();

    // Every regression input first: each must now be judged clean.
    let mut replayed = 0;
    for &target in &Target::ALL {
        let files = targets::files_in(&regressions.join(target.name()), target.extension());
        let inputs: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
        for (i, verdict) in pool.judge_all(target, inputs.clone()).into_iter().enumerate() {
            replayed += 1;
            if let Verdict::Finding { signature, detail } = verdict {
                let saved = files[i].clone();
                findings.entry((target, signature.clone())).or_insert(Finding { target, signature, detail, saved });
            }
        }
    }
    println!("replayed {replayed} regression inputs from {}: {} still failing", regressions.display(), findings.len());
    if cli.replay_only {
        return report(&findings, &BTreeMap::new());
    }

    let corpus = Corpus::load(scenarios_dir, regressions)?;
    let cases = cli.cases.or(if cli.minutes.is_some() { None } else { Some(1_000) });
    let deadline = match cli.minutes {
        Some(m) if m.is_finite() && m > 0.0 && m <= MAX_MINUTES => {
            Some(Instant::now() + Duration::from_secs_f64(m * 60.0))
        }
        Some(m) => anyhow::bail!("--minutes {m}: expected a number of minutes above 0 and at most {MAX_MINUTES}"),
        None => None,
    };
    let bar = ProgressBar::new(cases.map_or(0, |c| c * targets.len() as u64));
    let template = match (cases, cli.minutes) {
        (Some(_), _) => "{bar:30} {pos}/{len} cases{msg} [{elapsed_precise}, eta {eta}]".to_owned(),
        (None, Some(m)) => format!("{{spinner}} {{pos}} cases{{msg}} [{{elapsed_precise}} of {m} min]"),
        (None, None) => unreachable!("without --minutes there is a case budget"),
    };
    bar.set_style(ProgressStyle::with_template(&template).expect("a valid template"));
    let mut counts: BTreeMap<Target, [u64; 3]> = BTreeMap::new();
    // Batches of cases per target in turn, so a --minutes run covers every target.
    const BATCH: u64 = 64;
    let mut next_index: BTreeMap<Target, u64> = targets.iter().map(|&t| (t, 0)).collect();
    loop {
        let open: Vec<Target> = targets.iter().copied().filter(|t| cases.is_none_or(|c| next_index[t] < c)).collect();
        if open.is_empty() || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        for target in open {
            let start = next_index[&target];
            let end = cases.map_or(start + BATCH, |c| c.min(start + BATCH));
            let inputs: Vec<Vec<u8>> =
                (start..end).map(|i| targets::generate(target, &corpus, &mut case_rng(cli.seed, target, i))).collect();
            let verdicts = pool.judge_all(target, inputs.clone());
            for (input, verdict) in inputs.into_iter().zip(verdicts) {
                let tally = counts.entry(target).or_default();
                match verdict {
                    Verdict::Clean(code) => tally[usize::from(code.min(2))] += 1,
                    Verdict::Finding { signature, detail } => {
                        if !findings.contains_key(&(target, signature.clone())) {
                            bar.suspend(|| println!("finding in {}: {signature}; shrinking it", target.name()));
                            let finding = shrink_and_save(&mut pool, target, input, signature, detail, regressions)?;
                            findings.insert((target, finding.signature.clone()), finding);
                        }
                    }
                }
            }
            next_index.insert(target, end);
            bar.set_position(next_index.values().sum());
            bar.set_message(format!(", {} findings", findings.len()));
        }
    }
    bar.finish_and_clear();
    report(&findings, &counts)
}

/// The RNG of case `index` of `target`: a function of the seed and the index only.
fn case_rng(seed: u64, target: Target, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(target as u64 * (1 << 48) + index);
    rng
}

fn shrink_and_save(
    pool: &mut Pool,
    target: Target,
    input: Vec<u8>,
    signature: String,
    detail: String,
    regressions: &Path,
) -> anyhow::Result<Finding> {
    // A hang costs a whole timeout per try: shrink those only a little.
    let budget = if signature == "hang" { 8 } else { 400 };
    let same = |verdict: &Verdict| matches!(verdict, Verdict::Finding { signature: s, .. } if *s == signature);
    let shrunk = if target == Target::Args {
        let args = targets::decode_args(&input).unwrap_or_default();
        let mut budget = budget;
        let args =
            minimize::shrink(args, &mut budget, |candidate| same(&pool.judge(target, targets::encode_args(candidate))));
        targets::encode_args(&args)
    } else {
        minimize::shrink_bytes(&input, budget, |candidate| same(&pool.judge(target, candidate.to_vec())))
    };
    let dir = regressions.join(target.name());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = format!("{:016x}.{}", fnv1a(signature.as_bytes()), target.extension());
    let saved = dir.join(name);
    std::fs::write(&saved, &shrunk).with_context(|| format!("cannot write {}", saved.display()))?;
    Ok(Finding { target, signature, detail, saved })
}

/// A stable name for a finding's file (std's hasher is randomly seeded per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn report(findings: &BTreeMap<(Target, String), Finding>, counts: &BTreeMap<Target, [u64; 3]>) -> anyhow::Result<bool> {
    for (target, [exit0, exit1, exit2]) in counts {
        println!(
            "{:<10} {:>8} cases: exit 0 (passed) {exit0}, exit 1 (a check failed, a trace differed) {exit1}, exit 2 (rejected, with a message) {exit2}",
            target.name(),
            exit0 + exit1 + exit2
        );
    }
    if findings.is_empty() {
        println!("no panics, aborts, hangs or unlocated errors");
        return Ok(true);
    }
    println!("\n{} findings:", findings.len());
    for f in findings.values() {
        let detail: String = f.detail.lines().take(6).collect::<Vec<_>>().join("\n    ");
        println!("- {}: {}\n    {detail}\n    input: {}", f.target.name(), f.signature, f.saved.display());
    }
    Ok(false)
}

//! The `lab` command line: run, replay, sweep, list, check and benchmark scenarios.
//!
//! Exit codes are part of the interface: 0 every check passed, 1 a check failed (the output
//! names the seed and the replay command), 2 bad input or usage (the message says what and where).

use anyhow::{anyhow, Context};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use lab::checks::{seconds, CheckResult, Verdict};
use lab::engine::Engine;
use lab::runner::{run_recorded, RunFiles};
use lab::scenario::{Scenario, Variant};
use lab::summary::Partition;
use lab::trace::first_divergence;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod history_cmd;
mod real_cmd;
mod shrink_cmd;

const EXAMPLES: &str = "\
Examples:
  lab run rate-limiter                                          the default variant, the file's seed
  lab run rate-limiter 42 --variant full-limit-per-gateway      seed 42, a deliberately broken variant
  lab replay rate-limiter 42 --variant full-limit-per-gateway   the same run again, event for event
  lab sweep rate-limiter 500 --start-seed 100000                500 fresh seeds on all cores
  lab list                                                      every scenario, its summary and variants
  lab check scenarios/rate-limiter.toml                         check a scenario file without running it
  lab lesson rate-limiter                                       the scenario's lesson
  lab run replication --variant read-from-followers             a stale read, drawn by the linearizability checker
  lab history check --model cas-register scenarios/histories/stale-read.log   a Jepsen history: not linearizable";

#[derive(Parser)]
#[command(name = "lab", version, about = "Backend Lab: run distributed-systems scenarios on a deterministic simulated network", after_help = EXAMPLES)]
struct Cli {
    /// Where scenario names are looked up (default: ./scenarios, else the repository's).
    #[arg(long, global = true, value_name = "DIR")]
    scenarios_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one variant of a scenario with one seed; print the verdict, write the trace and log.
    #[command(after_help = "Example: lab run rate-limiter 7 --variant central")]
    Run {
        /// A scenario name from the scenarios directory, or a path to a .toml file.
        scenario: String,
        /// The seed that decides every random choice (default: the file's run.seed).
        seed: Option<u64>,
        #[command(flatten)]
        common: RunArgs,
        /// Run the seed twice and report the first event where the two runs differ.
        #[arg(long)]
        check_determinism: bool,
    },
    /// Run a seed again, event for event, and compare with the trace it recorded before.
    #[command(after_help = "Example: lab replay rate-limiter 7 --variant central")]
    Replay {
        scenario: String,
        seed: u64,
        #[command(flatten)]
        common: RunArgs,
    },
    /// Compare two runs — two seeds, two variants, or two trace files — and say where they part ways.
    #[command(
        after_help = "Exit status: 0 identical, 1 different, 2 bad input (like diff(1)).\n\nExamples:\n  lab diff circuit-breaker 1 2                                   (two seeds of the default variant)\n  lab diff circuit-breaker 1 --variant breaker --variant-b no-breaker   (two variants, one seed)\nTwo trace files, from any engine or machine: lab diff --traces A.trace.jsonl B.trace.jsonl"
    )]
    Diff {
        /// A scenario name or .toml path; not with --traces.
        #[arg(required_unless_present = "traces", conflicts_with = "traces")]
        scenario: Option<String>,
        /// The seed of the first run.
        #[arg(required_unless_present = "traces")]
        seed: Option<u64>,
        /// The seed of the second run (default: the same seed).
        seed_b: Option<u64>,
        /// The first run's variant (default: the file's default_variant).
        #[arg(long)]
        variant: Option<String>,
        /// The second run's variant (default: the first run's).
        #[arg(long)]
        variant_b: Option<String>,
        /// The simulator both runs use.
        #[arg(long, value_enum, default_value_t)]
        engine: Engine,
        /// Compare two trace files instead of running anything.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        traces: Option<Vec<PathBuf>>,
        /// Directory for the runs' traces.
        #[arg(long, default_value = "target/lab", value_name = "DIR")]
        out: PathBuf,
        /// Also write a page drawing both runs one above the other, aligned on time, with the
        /// first difference marked (in --out; its path is printed).
        #[arg(long)]
        html: bool,
    },
    /// From a failing run, the smallest scenario file that still fails the same check: faults
    /// dropped and shortened, the run shortened, the workload lowered (delta debugging).
    #[command(
        after_help = "Every candidate is a normal seeded run; the search stops when nothing smaller fails, or at the budget.\n\nExamples:\n  lab shrink idempotent-retries 1 --variant key-in-memory\n  lab shrink circuit-breaker 1 --variant no-breaker --budget 60"
    )]
    Shrink(shrink_cmd::ShrinkArgs),
    /// Run many seeds on all cores; summarise, and give the first failure's replay command.
    #[command(
        after_help = "Examples:\n  lab sweep rate-limiter 500 --variant sync --start-seed 100000\n  lab sweep circuit-breaker 1000 --partition 2/4   (the 2nd of 4 shares: seeds 2, 6, 10, …)"
    )]
    Sweep {
        scenario: String,
        /// How many seeds to run.
        count: u64,
        /// First seed of the sweep.
        #[arg(long, default_value_t = 1)]
        start_seed: u64,
        /// Variant to run (default: the file's default_variant).
        #[arg(long)]
        variant: Option<String>,
        /// Parallel runs (default: one per core).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
        jobs: Option<u16>,
        /// The simulator (see `run --help`).
        #[arg(long, value_enum, default_value_t)]
        engine: Engine,
        /// Run only the K-th of N shares of the seeds (nextest's `count:K/N`; `K/N` works too),
        /// to split a sweep across machines; `lab sweep-merge` combines the shares' summaries.
        #[arg(long, value_name = "K/N", value_parser = Partition::parse)]
        partition: Option<Partition>,
        /// Where to write the JSON summary (default: in --out, named after the seeds and share).
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        /// Directory for the summary.
        #[arg(long, default_value = "target/lab", value_name = "DIR")]
        out: PathBuf,
    },
    /// Combine the JSON summaries of every share of a partitioned sweep into one summary.
    #[command(after_help = "Example: lab sweep-merge target/lab/rate-limiter/sync/sweep-1-1000.part-*-of-4.json")]
    SweepMerge {
        /// The summary files, one per share, in any order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also write the merged summary here.
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
    },
    /// List the scenarios with a one-line summary and their variants.
    #[command(after_help = "Example: lab list")]
    List,
    /// Check a scenario file without running it.
    #[command(after_help = "Example: lab check scenarios/rate-limiter.toml")]
    Check { scenario: String },
    /// Print a lesson: a scenario's, or a fundamentals module's (full path or last segment).
    #[command(
        after_help = "Examples:\n  lab lesson rate-limiter\n  lab lesson lru_cache\n  lab lesson ratelimit::token_bucket"
    )]
    Lesson { topic: String },
    /// List every lesson: fundamentals modules and scenarios, one line each.
    #[command(after_help = "Example: lab topics")]
    Topics,
    /// Measure simulated seconds per wall second, and seeds per minute in a sweep (use --release).
    #[command(after_help = "Example: lab bench circuit-breaker --runs 1 --sweep-seeds 4")]
    Bench {
        /// Scenarios to measure (default: all).
        scenarios: Vec<String>,
        /// Single runs per scenario.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1_000))]
        runs: u64,
        /// Seeds in the measured sweep (0: no sweep).
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(0..=100_000))]
        sweep_seeds: u64,
        /// Measure only this engine (default: every engine this build has, side by side).
        #[arg(long, value_enum)]
        engine: Option<Engine>,
    },
    /// Prove the engines agree: every variant of every scenario on madsim and turmoil, each run
    /// keeping its variant's promise, and madsim's default-variant traces replaying byte for byte.
    #[command(
        after_help = "Examples:\n  lab agree --seeds 20 --turmoil-seeds 3   (what just test runs)\n  lab agree --seeds 200"
    )]
    Agree {
        /// Scenarios to check (default: all).
        scenarios: Vec<String>,
        /// Seeds per variant on madsim, and on turmoil unless --turmoil-seeds says otherwise.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seeds: u64,
        /// Seeds per variant on turmoil (default: --seeds).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        turmoil_seeds: Option<u64>,
        /// Seeds of each scenario's default variant run twice on madsim (default: 20, at most --seeds).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
        determinism_seeds: u64,
        /// First seed.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=u64::MAX / 2))]
        start_seed: u64,
        /// Parallel runs (default: one per core).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
        jobs: Option<u16>,
    },
    /// Recorded histories (EDN operation maps, Jepsen logs): `lab history check` proves one
    /// linearizable, or shows the operations no order explains.
    #[command(subcommand)]
    History(history_cmd::HistoryCommand),
    /// Run a scenario's nodes as real gRPC servers on 127.0.0.1, the workload in real time.
    #[command(
        after_help = "Example: lab real rate-limiter --seconds 3\nWith --keep-up the nodes serve on after the workload, until Ctrl-C: grpcurl -plaintext ADDR list"
    )]
    Real(real_cmd::RealArgs),
    /// (internal) Run one seed as this process's only simulation; print its outcome as JSON.
    #[command(name = "__run-seed", hide = true)]
    RunSeed {
        scenario: PathBuf,
        seed: u64,
        #[arg(long)]
        variant: String,
        #[arg(long, value_enum, default_value_t)]
        engine: Engine,
        /// Also write the JSON Lines trace here.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Also write the run's viewer page here.
        #[arg(long)]
        html: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Variant to run (default: the file's default_variant).
    #[arg(long)]
    variant: Option<String>,
    /// Directory for traces and logs.
    #[arg(long, default_value = "target/lab", value_name = "DIR")]
    out: PathBuf,
    /// The simulator: turmoil, or madsim (a build with `--cfg madsim`; `just` makes one).
    #[arg(long, value_enum, default_value_t)]
    engine: Engine,
}

/// More parallel runs than any machine this runs on has cores for is a typo.
const MAX_JOBS: i64 = 1_024;

/// An error that is the user's input, not a failed check: exit code 2.
struct BadInput(String);

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    // A panic inside a simulation is reported as that run's failure, with its replay
    // command; the default hook's backtrace would bury that report.
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    }
    match execute(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            match error.downcast_ref::<BadInputError>() {
                Some(_) => eprintln!("error: {error}"),
                None => eprintln!("error: {error:#}"),
            }
            ExitCode::from(2)
        }
    }
}

#[derive(Debug)]
struct BadInputError(String);
impl std::fmt::Display for BadInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BadInputError {}

impl From<BadInput> for anyhow::Error {
    fn from(b: BadInput) -> Self {
        anyhow::Error::new(BadInputError(b.0))
    }
}

/// `lab topics | head` should end quietly when `head` closes the pipe, as other command-line
/// tools do; Rust ignores SIGPIPE by default and `println!` would panic instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; resetting a
    // signal's disposition to its default has no other precondition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Returns whether every check passed.
fn execute(cli: &Cli) -> anyhow::Result<bool> {
    let dir = scenarios_dir(cli.scenarios_dir.as_deref());
    match &cli.command {
        Command::Run { scenario, seed, common, check_determinism } => {
            built_in(common.engine)?;
            let (scenario, arg) = load(&dir, scenario)?;
            runnable(common.engine, &scenario)?;
            let variant = pick_variant(&scenario, common.variant.as_deref())?;
            let seed = seed.unwrap_or(scenario.default_seed);
            let deterministic = !*check_determinism || check_determinism_of(common.engine, &scenario, variant, seed)?;
            Ok(run_and_report(common.engine, &scenario, &arg, variant, seed, &common.out, false)? && deterministic)
        }
        Command::Replay { scenario, seed, common } => {
            built_in(common.engine)?;
            let (scenario, arg) = load(&dir, scenario)?;
            runnable(common.engine, &scenario)?;
            let variant = pick_variant(&scenario, common.variant.as_deref())?;
            run_and_report(common.engine, &scenario, &arg, variant, *seed, &common.out, true)
        }
        Command::Diff { scenario, seed, seed_b, variant, variant_b, engine, traces, out, html } => {
            match (traces, scenario, seed) {
                (Some(files), _, _) => {
                    let stem = |p: &Path| {
                        p.file_name().map_or("trace".into(), |n| n.to_string_lossy().replace(".trace.jsonl", ""))
                    };
                    let page = html.then(|| DiffPage {
                        path: out.join(format!("diff-{}-vs-{}.html", stem(&files[0]), stem(&files[1]))),
                        sides: [None, None],
                    });
                    diff_trace_files(&files[0], &files[1], page)
                }
                (None, Some(scenario), Some(seed)) => {
                    built_in(*engine)?;
                    let (scenario, _) = load(&dir, scenario)?;
                    runnable(*engine, &scenario)?;
                    let first = pick_variant(&scenario, variant.as_deref())?;
                    let second = pick_variant(&scenario, variant_b.as_deref().or(variant.as_deref()))?;
                    diff_runs(*engine, &scenario, (first, *seed), (second, seed_b.unwrap_or(*seed)), out, *html)
                }
                _ => Err(BadInput("lab diff needs a scenario and a seed, or --traces A B".into()).into()),
            }
        }
        Command::Sweep { scenario, count, start_seed, variant, jobs, engine, partition, summary, out } => {
            built_in(*engine)?;
            let (scenario, arg) = load(&dir, scenario)?;
            runnable(*engine, &scenario)?;
            let variant = pick_variant(&scenario, variant.as_deref())?;
            if *count == 0 {
                return Err(BadInput("a sweep needs at least one seed".into()).into());
            }
            if start_seed.checked_add(*count - 1).is_none() {
                return Err(BadInput(format!(
                    "seeds {start_seed} onwards: {count} seeds would run past the largest seed, {}",
                    u64::MAX
                ))
                .into());
            }
            let of = lab::summary::SweepOf {
                scenario_arg: &arg,
                scenario: &scenario,
                variant,
                engine: *engine,
                first_seed: *start_seed,
                count: *count,
                partition: *partition,
            };
            let summary_path = summary.clone().unwrap_or_else(|| default_summary_path(out, &of));
            sweep_and_report(&of, &summary_path, jobs.map_or_else(lab::sweep::default_jobs, usize::from))
        }
        Command::SweepMerge { files, summary } => {
            let parts = files
                .iter()
                .map(|path| {
                    lab::summary::SweepSummary::read(path).map(|s| (path.display().to_string(), s)).map_err(BadInput)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let merged = lab::summary::merge(&parts).map_err(BadInput)?;
            println!(
                "merged {} shares: {} — variant `{}` — seeds {}..{} on {}",
                parts.len(),
                merged.scenario,
                merged.variant,
                merged.first_seed,
                merged.first_seed + merged.count - 1,
                merged.engine
            );
            println!("{merged}");
            if let Some(path) = summary {
                write_summary(path, &merged)?;
            }
            Ok(merged.passed())
        }
        Command::List => list(&dir),
        Command::Check { scenario } => {
            let (scenario, _) = load(&dir, scenario)?;
            println!(
                "ok: {} — {} nodes, {} faults, {} checks, variants: {}",
                scenario.name,
                scenario.nodes.len(),
                scenario.faults.len(),
                scenario.checks.len(),
                scenario.variants.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ")
            );
            Ok(true)
        }
        Command::Lesson { topic } => lesson(&dir, topic),
        Command::Topics => {
            for l in lab::lessons::module_lessons(&fundamentals_src()) {
                println!("{:<40} {} — {}", l.topic, l.title, l.summary);
            }
            for path in scenario_files(&dir) {
                if let Ok(s) = Scenario::load(&path) {
                    println!("{:<40} scenario — {}", format!("scenario: {}", s.name), s.summary.trim());
                }
            }
            Ok(true)
        }
        Command::Bench { scenarios, runs, sweep_seeds, engine } => {
            let engines: Vec<Engine> = match engine {
                Some(engine) => {
                    built_in(*engine)?;
                    vec![*engine]
                }
                None => Engine::value_variants().iter().copied().filter(|e| e.built_in()).collect(),
            };
            bench(&engines, &dir, scenarios, *runs, *sweep_seeds)
        }
        Command::Agree { scenarios, seeds, turmoil_seeds, determinism_seeds, start_seed, jobs } => {
            built_in(Engine::Madsim)?;
            let plan = lab::agree::Plan {
                first_seed: *start_seed,
                madsim_seeds: *seeds,
                turmoil_seeds: turmoil_seeds.unwrap_or(*seeds),
                determinism_seeds: (*determinism_seeds).min(*seeds),
            };
            agree(&dir, scenarios, plan, jobs.map_or_else(lab::sweep::default_jobs, usize::from))
        }
        Command::History(command) => history_cmd::execute(command),
        Command::Real(args) => real_cmd::execute(&dir, args),
        Command::Shrink(args) => shrink_cmd::execute(&dir, args),
        Command::RunSeed { scenario, seed, variant, engine, trace, html } => {
            let scenario = Scenario::load(scenario).map_err(|d| BadInput(d.to_string()))?;
            let variant = pick_variant(&scenario, Some(variant))?;
            built_in(*engine)?;
            runnable(*engine, &scenario)?;
            let judged = lab::runner::run_and_judge_on(*engine, &scenario, variant, *seed);
            if let (Ok(judged), Some(path)) = (&judged, trace) {
                lab::runner::write_trace(path, &judged.run.events)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            if let (Ok(judged), Some(path)) = (&judged, html) {
                let arg = scenario.path.display().to_string();
                let replay = lab::runner::replay_command(*engine, &arg, variant, &scenario, *seed);
                let info = run_info(*engine, &scenario, variant, *seed, &replay, judged);
                let page = lab::view::render(&info, &judged.verdicts, &judged.run.events);
                std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
            }
            let outcome = lab::sweep::SeedOutcome::of(*seed, &judged);
            println!("{}", serde_json::to_string(&outcome)?);
            Ok(true)
        }
    }
}

/// Where `lab diff --html` writes its page, and each side's own viewer page when it has one (a
/// run's, with its verdicts); a bare trace file's page is drawn from its events.
struct DiffPage {
    path: PathBuf,
    sides: [Option<PathBuf>; 2],
}

/// `lab diff --traces A B`: exit 0 if the traces are the same events, 1 if not.
fn diff_trace_files(a: &Path, b: &Path, page: Option<DiffPage>) -> anyhow::Result<bool> {
    let read = |path: &Path| -> anyhow::Result<(String, Vec<lab::diff::DiffEvent>)> {
        let text =
            std::fs::read(path).map_err(|e| BadInput(format!("cannot read the trace {}: {e}", path.display())))?;
        let text = String::from_utf8_lossy(&text).into_owned();
        let events = lab::diff::read_trace(&path.display().to_string(), &text).map_err(BadInput)?;
        Ok((text, events))
    };
    let ((text_a, first), (text_b, second)) = (read(a)?, read(b)?);
    let difference = lab::diff::compare(&first, &second);
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let report = lab::diff::report(&a, &b, first.len(), second.len(), difference.as_ref());
    print!("{report}");
    if let Some(DiffPage { path, sides }) = page {
        let side_page = |side: &Option<PathBuf>, name: &str, text: &str| -> anyhow::Result<String> {
            match side {
                Some(own) => std::fs::read_to_string(own)
                    .with_context(|| format!("cannot read the run's page {}", own.display())),
                None => Ok(lab::view::render_trace(name, text)),
            }
        };
        let pages = (side_page(&sides[0], &a, &text_a)?, side_page(&sides[1], &b, &text_b)?);
        let html = lab::diff::page((&a, &b), &report, difference.as_ref(), (&pages.0, &pages.1));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
        println!("\nview:   {} (both runs on one time axis; open it in a browser)", path.display());
    }
    Ok(difference.is_none())
}

/// `lab diff <scenario> <seed> …`: both runs, each in its own process as every reproducible run
/// is, their traces (and with `--html`, their pages) written where `lab run` writes them; then
/// the comparison.
fn diff_runs(
    engine: Engine,
    scenario: &Scenario,
    (first, first_seed): (&Variant, u64),
    (second, second_seed): (&Variant, u64),
    out: &Path,
    html: bool,
) -> anyhow::Result<bool> {
    if (first.name.as_str(), first_seed) == (second.name.as_str(), second_seed) {
        return Err(BadInput(format!(
            "both runs would be variant `{}` with seed {first_seed}: give a second seed or --variant-b",
            first.name
        ))
        .into());
    }
    let exe = std::env::current_exe().context("cannot find the lab executable to run seeds with")?;
    let mut runs = Vec::new();
    for (variant, seed) in [(first, first_seed), (second, second_seed)] {
        let files = RunFiles::new(out, engine, scenario, variant, seed);
        if let Some(dir) = files.trace.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let page = html.then_some(files.html.as_path());
        let outcome =
            lab::sweep::run_seed_isolated_with_page(&exe, engine, scenario, variant, seed, Some(&files.trace), page);
        if let Some(error) = &outcome.error {
            anyhow::bail!("variant `{}` seed {seed} did not run: {error}", variant.name);
        }
        println!("{}: variant `{}`, seed {seed}: {}", ["a", "b"][runs.len()], variant.name, files.trace.display());
        runs.push(files);
    }
    println!();
    let page = html.then(|| DiffPage {
        path: out
            .join(&scenario.name)
            .join(format!("diff-{}-{first_seed}-vs-{}-{second_seed}.html", first.name, second.name)),
        sides: [Some(runs[0].html.clone()), Some(runs[1].html.clone())],
    });
    diff_trace_files(&runs[0].trace, &runs[1].trace, page)
}

/// What a run's viewer page says about the run besides its events and verdicts.
fn run_info<'a>(
    engine: Engine,
    scenario: &'a Scenario,
    variant: &'a Variant,
    seed: u64,
    replay: &'a str,
    judged: &lab::runner::Judged,
) -> lab::view::RunInfo<'a> {
    lab::view::RunInfo {
        scenario: &scenario.name,
        variant: &variant.name,
        summary: &variant.summary,
        seed,
        engine: engine.name(),
        replay,
        simulated_us: judged.run.simulated_ms * 1_000,
        nodes: variant.nodes.iter().map(|n| n.name.as_str()).collect(),
    }
}

/// Refuses an engine that cannot run this scenario faithfully (a TCP fault on madsim).
fn runnable(engine: Engine, scenario: &Scenario) -> anyhow::Result<()> {
    match engine.refuses(scenario) {
        Some(why) => Err(BadInput(why).into()),
        None => Ok(()),
    }
}

/// Refuses an engine this build does not have, saying how to get one that does.
fn built_in(engine: Engine) -> anyhow::Result<()> {
    if engine.built_in() {
        return Ok(());
    }
    Err(BadInput(format!(
        "this lab was built without the {0} engine, which needs `--cfg madsim` for the whole build; \
         run it through just (`just scenario rate-limiter --engine {0}`, `just agree`), which builds one in target/madsim",
        engine.name()
    ))
    .into())
}

/// `--scenarios-dir`, else `./scenarios`, else the repository's own (for `cargo run` elsewhere).
fn scenarios_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_owned();
    }
    let local = PathBuf::from("scenarios");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

/// A scenario name or path → the checked scenario, plus how to name it in commands we print.
fn load(dir: &Path, arg: &str) -> anyhow::Result<(Scenario, String)> {
    let path =
        if arg.ends_with(".toml") || arg.contains('/') { PathBuf::from(arg) } else { dir.join(format!("{arg}.toml")) };
    if !path.is_file() {
        let known = scenario_files(dir)
            .iter()
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect::<Vec<_>>();
        return Err(BadInput(format!(
            "no scenario `{arg}` (looked for {}); known scenarios: {}",
            path.display(),
            if known.is_empty() { "none".into() } else { known.join(", ") }
        ))
        .into());
    }
    let scenario = Scenario::load(&path).map_err(|d| BadInput(d.to_string()))?;
    Ok((scenario, arg.to_owned()))
}

fn pick_variant<'a>(scenario: &'a Scenario, name: Option<&str>) -> anyhow::Result<&'a Variant> {
    let name = name.unwrap_or(&scenario.default_variant);
    scenario.variant(name).ok_or_else(|| {
        let names: Vec<&str> = scenario.variants.iter().map(|v| v.name.as_str()).collect();
        BadInput(format!(
            "scenario `{}` has no variant `{name}`; its variants are: {}",
            scenario.name,
            names.join(", ")
        ))
        .into()
    })
}

fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn run_and_report(
    engine: Engine,
    scenario: &Scenario,
    arg: &str,
    variant: &Variant,
    seed: u64,
    out: &Path,
    replay: bool,
) -> anyhow::Result<bool> {
    let files = RunFiles::new(out, engine, scenario, variant, seed);
    let earlier = if replay { read_earlier_trace(&files.trace)? } else { None };
    let judged = run_recorded(engine, scenario, variant, seed, &files)?
        .map_err(|e| anyhow!("{e}\nreplay: {}", lab::runner::replay_command(engine, arg, variant, scenario, seed)))?;
    let on = if engine == Engine::default() { String::new() } else { format!(" — on {}", engine.name()) };
    println!("{} — variant `{}` — seed {seed}{on}", scenario.name, variant.name);
    println!("{}", variant.summary.trim());
    println!("{} simulated, {} events\n", seconds(judged.run.simulated_ms * 1_000), judged.run.events.len());
    print_verdicts(&judged.verdicts);
    print_witnesses(&judged.verdicts, &judged.run.events);
    let replay_line = lab::runner::replay_command(engine, arg, variant, scenario, seed);
    files.write_html(&run_info(engine, scenario, variant, seed, &replay_line, &judged), &judged)?;
    let passed = judged.passed();
    println!();
    print_outcome_line(&judged.verdicts, variant);
    if replay {
        match earlier {
            None => println!(
                "replay:  no earlier trace of this seed at {} to compare with; recorded one now",
                files.trace.display()
            ),
            Some(earlier) => match first_divergence(&earlier, (judged.trace_lines().join("\n") + "\n").as_bytes()) {
                None => println!(
                    "replay:  identical to the earlier trace, event for event ({} events)",
                    judged.run.events.len()
                ),
                Some(d) => {
                    // The earlier trace is evidence: keep it beside the new one, never overwrite it.
                    let kept = files.trace.with_extension("earlier.jsonl");
                    std::fs::write(&kept, &earlier)
                        .with_context(|| format!("cannot keep the earlier trace as {}", kept.display()))?;
                    println!(
                        "replay:  DIFFERS from the earlier trace at event #{}\n  before: {}\n  now:    {}\n  (a changed build or scenario file changes the run; the same build and file must not)\n  the earlier trace is kept as {}",
                        d.index,
                        d.first.as_deref().unwrap_or("(end of trace)"),
                        d.second.as_deref().unwrap_or("(end of trace)"),
                        kept.display()
                    )
                }
            },
        }
    } else if !passed {
        println!("replay:  {replay_line}");
    }
    println!("trace:   {}", files.trace.display());
    println!("log:     {}", files.log.display());
    println!("view:    {} (open it in a browser)", files.html.display());
    Ok(passed)
}

/// The trace an earlier run of this seed left, if any. A trace that exists but cannot be read
/// is an error, not "no earlier trace": the replay would otherwise overwrite it unseen.
fn read_earlier_trace(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(BadInput(format!("cannot read the earlier trace {} to compare with: {e}", path.display())).into())
        }
    }
}

fn print_verdicts(verdicts: &[Verdict]) {
    let width = verdicts.iter().map(|v| v.check.len()).max().unwrap_or(5).max(5);
    println!("  {:<width$}  {:<8}  {:<13}  figure", "check", "phase", "result");
    for v in verdicts {
        let mark = if v.expected { "*" } else { "" };
        println!("  {:<width$}  {:<8}  {:<13}  {}", v.check, v.phase, format!("{}{mark}", v.result.name()), v.figure);
    }
}

/// Each failed check's witnesses: the first few events that prove it, by `seq`, and how many
/// more there are. The trace holds them all (`jq 'select(.seq == N)'`).
fn print_witnesses(verdicts: &[Verdict], events: &[lab::trace::Event]) {
    const SHOWN: usize = 4;
    let failed: Vec<&Verdict> = verdicts.iter().filter(|v| !v.witnesses.is_empty()).collect();
    if failed.is_empty() {
        return;
    }
    println!("\nwitnesses (by seq in the trace):");
    for verdict in failed {
        let count = verdict.witnesses.len();
        let plural = if count == 1 { "" } else { "s" };
        println!("  {} — {count} event{plural}:", verdict.check);
        // seq is the event's index in the run (numbered from 0 without gaps).
        for event in verdict.witnesses.iter().take(SHOWN).filter_map(|&seq| events.get(seq as usize)) {
            println!("    seq {:<7} {:>10}  {:<10} {}", event.seq, seconds(event.t_us), event.node, event.human_text());
        }
        if count > SHOWN {
            let last = verdict.witnesses[count - 1];
            println!("    … {} more, up to seq {last}", count - SHOWN);
            let mut by_node: std::collections::BTreeMap<&str, usize> = Default::default();
            for event in verdict.witnesses.iter().filter_map(|&seq| events.get(seq as usize)) {
                *by_node.entry(&event.node).or_default() += 1;
            }
            let by_node: Vec<String> = by_node.iter().map(|(node, n)| format!("{node} {n}")).collect();
            println!("    by node: {}", by_node.join(", "));
        }
        if let Some(drawing) = &verdict.drawing {
            for line in drawing.lines() {
                println!("    {line}");
            }
        }
    }
}

fn print_outcome_line(verdicts: &[Verdict], variant: &Variant) {
    let named = |result: CheckResult| -> Vec<&str> {
        verdicts.iter().filter(|v| v.result == result).map(|v| v.check.as_str()).collect()
    };
    let (failed, inconclusive) = (named(CheckResult::Fail), named(CheckResult::Inconclusive));
    let not_passed = failed.len() + inconclusive.len();
    if not_passed == 0 {
        println!("verdict: PASS — all {} checks passed", verdicts.len());
    } else if inconclusive.is_empty() {
        println!("verdict: FAIL — {} of {} checks failed: {}", failed.len(), verdicts.len(), failed.join(", "));
    } else {
        let mut what = Vec::new();
        if !failed.is_empty() {
            what.push(format!("failed: {}", failed.join(", ")));
        }
        if !inconclusive.is_empty() {
            what.push(format!("inconclusive (nothing to judge): {}", inconclusive.join(", ")));
        }
        println!("verdict: FAIL — {not_passed} of {} checks did not pass; {}", verdicts.len(), what.join("; "));
    }
    for (list, shown, word) in [
        (&variant.expect_fail, &failed, "fail"),
        (&variant.expect_inconclusive, &inconclusive, "have nothing to judge in"),
    ] {
        if list.is_empty() {
            continue;
        }
        let missed: Vec<&str> = list.iter().map(String::as_str).filter(|c| !shown.contains(c)).collect();
        if missed.is_empty() {
            println!("         (* expected: variant `{}` is built to {word} {})", variant.name, list.join(", "));
        } else {
            println!(
                "         (variant `{}` is built to {word} {}, but this seed did not show it)",
                variant.name,
                missed.join(", ")
            );
        }
    }
    let side_effects: Vec<&str> = variant.may_fail.iter().map(String::as_str).filter(|c| failed.contains(c)).collect();
    if !side_effects.is_empty() {
        println!(
            "         (* expected on some seeds: variant `{}` may also fail {})",
            variant.name,
            side_effects.join(", ")
        );
    }
}

/// Runs the seed twice, each as the only simulation of a fresh process (as every replay
/// does), and compares the two traces line by line.
fn check_determinism_of(engine: Engine, scenario: &Scenario, variant: &Variant, seed: u64) -> anyhow::Result<bool> {
    let exe = std::env::current_exe().context("cannot find the lab executable to re-run")?;
    let dir = std::env::temp_dir().join(format!("lab-determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut traces = Vec::new();
    for copy in ["first", "second"] {
        let path = dir.join(format!("{copy}.trace.jsonl"));
        let outcome = lab::sweep::run_seed_isolated(&exe, engine, scenario, variant, seed, Some(&path));
        if let Some(error) = outcome.error {
            return Err(anyhow!("the {copy} run failed: {error}"));
        }
        traces.push(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let events = traces[0].iter().filter(|&&b| b == b'\n').count();
    match first_divergence(&traces[0], &traces[1]) {
        None => {
            println!(
                "determinism: seed {seed} ran twice in separate processes: {} events, byte-identical traces\n",
                events
            );
            Ok(true)
        }
        Some(d) => {
            println!(
                "determinism: FAILED — the two runs of seed {seed} differ first at event #{}\n  first run:  {}\n  second run: {}\n",
                d.index,
                d.first.as_deref().unwrap_or("(end of trace)"),
                d.second.as_deref().unwrap_or("(end of trace)")
            );
            Ok(false)
        }
    }
}

fn sweep_and_report(of: &lab::summary::SweepOf<'_>, summary_path: &Path, jobs: usize) -> anyhow::Result<bool> {
    let (first, count) = (of.first_seed, of.count);
    let partition = of.partition.unwrap_or(Partition { k: 1, n: 1 });
    let seeds = partition.seeds_in_share(count);
    let share = match of.partition {
        Some(p) => format!(", share {p}: {seeds} seeds"),
        None => String::new(),
    };
    println!(
        "sweep: {} — variant `{}` — seeds {first}..{}{share} on {jobs} threads",
        of.scenario.name,
        of.variant.name,
        first + count - 1
    );
    let bar = ProgressBar::new(seeds);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds, {msg} [{elapsed_precise}, eta {eta}]")
            .expect("valid template"),
    );
    let mut failed = 0;
    let exe = std::env::current_exe().context("cannot find the lab executable to run seeds with")?;
    let outcomes = lab::sweep::in_parallel(
        seeds,
        jobs,
        |index| {
            let seed = partition.seed(first, index);
            lab::sweep::run_seed_isolated(&exe, of.engine, of.scenario, of.variant, seed, None)
        },
        |o| {
            failed += u64::from(!o.passed());
            bar.set_message(format!("{failed} failed"));
            bar.inc(1);
        },
    );
    bar.finish();
    let summary = lab::summary::SweepSummary::new(of, &outcomes)
        .with_context(|| format!("cannot read the scenario file {} again", of.scenario.path.display()))?;
    println!("\n{summary}");
    write_summary(summary_path, &summary)?;
    Ok(summary.passed())
}

/// `<out>/<scenario>/<variant>/sweep-<first>-<last>[.<engine>][.part-K-of-N].json`
fn default_summary_path(out: &Path, of: &lab::summary::SweepOf<'_>) -> PathBuf {
    let mut name = format!("sweep-{}-{}", of.first_seed, of.first_seed + of.count - 1);
    if of.engine != Engine::default() {
        name.push_str(&format!(".{}", of.engine.name()));
    }
    if let Some(p) = of.partition {
        name.push_str(&format!(".part-{}-of-{}", p.k, p.n));
    }
    out.join(&of.scenario.name).join(&of.variant.name).join(format!("{name}.json"))
}

fn write_summary(path: &Path, summary: &lab::summary::SweepSummary) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(summary)?;
    std::fs::write(path, json + "\n").with_context(|| format!("cannot write the summary {}", path.display()))?;
    println!("summary: {}", path.display());
    Ok(())
}

fn agree(dir: &Path, names: &[String], plan: lab::agree::Plan, jobs: usize) -> anyhow::Result<bool> {
    let every = names.is_empty();
    let names: Vec<String> = if every { scenario_stems(dir) } else { names.to_vec() };
    let mut scenarios = Vec::new();
    for name in &names {
        let (scenario, arg) = load(dir, name)?;
        match Engine::Madsim.refuses(&scenario) {
            // Its variants keep their promises on turmoil: lab/tests/variants.rs holds them to it.
            Some(why) if every => println!("skipped: {why}"),
            Some(why) => return Err(BadInput(why).into()),
            None => scenarios.push(lab::agree::Named { arg, scenario }),
        }
    }
    println!(
        "agree: {} scenarios on madsim ({} seeds per variant) and turmoil ({}), on {jobs} threads",
        scenarios.len(),
        plan.madsim_seeds,
        plan.turmoil_seeds
    );
    let exe = std::env::current_exe().context("cannot find the lab executable to run seeds with")?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs [{elapsed_precise}, eta {eta}]")
            .expect("valid template"),
    );
    let report = lab::agree::agree(&exe, &scenarios, plan, jobs, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .context("cannot make a scratch directory for traces")?;
    bar.finish_and_clear();
    println!("{report}");
    Ok(report.agreed())
}

/// The file stems of every scenario file in `dir`, in name order.
fn scenario_stems(dir: &Path) -> Vec<String> {
    scenario_files(dir).iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect()
}

fn list(dir: &Path) -> anyhow::Result<bool> {
    let files = scenario_files(dir);
    if files.is_empty() {
        return Err(BadInput(format!("no scenario files in {}", dir.display())).into());
    }
    for path in files {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match Scenario::load(&path) {
            Ok(s) => {
                let variants: Vec<String> = s
                    .variants
                    .iter()
                    .map(|v| if v.name == s.default_variant { format!("{}*", v.name) } else { v.name.clone() })
                    .collect();
                println!("{stem:<20} {}\n{:<20} variants: {} (* default)", s.summary.trim(), "", variants.join(", "));
            }
            Err(d) => println!("{stem:<20} (invalid: {})", d.to_string().lines().next().unwrap_or_default()),
        }
    }
    Ok(true)
}

fn fundamentals_src() -> PathBuf {
    let local = PathBuf::from("fundamentals/src");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fundamentals/src")
}

/// A scenario's lesson if `topic` names a scenario, else a fundamentals module's.
fn lesson(dir: &Path, topic: &str) -> anyhow::Result<bool> {
    if dir.join(format!("{topic}.toml")).is_file() || topic.ends_with(".toml") {
        let (scenario, _) = load(dir, topic)?;
        print_lesson(&scenario);
        return Ok(true);
    }
    let lessons = lab::lessons::module_lessons(&fundamentals_src());
    match lab::lessons::find(&lessons, topic) {
        Ok(lesson) => {
            let source = std::fs::read_to_string(&lesson.file)
                .with_context(|| format!("cannot read {}", lesson.file.display()))?;
            println!("{}\n\n(source: {})", lab::lessons::module_doc(&source), lesson.file.display());
            Ok(true)
        }
        Err(ambiguous) if !ambiguous.is_empty() => {
            Err(BadInput(format!("`{topic}` could be: {}", ambiguous.join(", "))).into())
        }
        Err(_) => Err(BadInput(format!("no lesson or scenario `{topic}`; `just topics` lists them all")).into()),
    }
}

fn print_lesson(scenario: &Scenario) {
    let l = &scenario.lesson;
    println!("# {}\n\n{}\n", scenario.name, scenario.summary.trim());
    for (title, text) in [
        ("Why interviewers ask this", &l.why_interviewers_ask),
        ("How it works", &l.how_it_works),
        ("Common pitfalls", &l.pitfalls),
        ("Key takeaways", &l.takeaways),
        ("Break it", &l.break_it),
        ("Interview questions", &l.interview_questions),
    ] {
        println!("## {title}\n\n{}\n", text.trim());
    }
    println!("## Variants\n");
    for v in &scenario.variants {
        println!("- {}: {}", v.name, v.summary.trim());
    }
}

fn bench(engines: &[Engine], dir: &Path, names: &[String], runs: u64, sweep_seeds: u64) -> anyhow::Result<bool> {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; figures are only meaningful with --release (just bench)");
    }
    // Every scenario, then the large topologies of scenarios/bench/: one run each and no sweep
    // (at 50 nodes turmoil takes a while).
    let mut plan: Vec<(String, u64, u64)> = names.iter().map(|n| (n.clone(), runs, sweep_seeds)).collect();
    if names.is_empty() {
        plan.extend(scenario_stems(dir).into_iter().map(|n| (n, runs, sweep_seeds)));
        plan.extend(scenario_files(&dir.join("bench")).iter().map(|p| (p.display().to_string(), 1, 0)));
    }
    let jobs = lab::sweep::default_jobs();
    let exe = std::env::current_exe().context("cannot find the lab executable")?;
    let engine_names: Vec<&str> = engines.iter().map(|e| e.name()).collect();
    println!(
        "measuring {} ({runs} single runs each; sweeps of {sweep_seeds} seeds on {jobs} threads)…",
        engine_names.join(" and ")
    );
    let mut figures = Vec::new();
    for (name, runs, sweep_seeds) in plan {
        let (scenario, _) = load(dir, &name)?;
        let variant = pick_variant(&scenario, None)?;
        for &engine in engines {
            if let Some(why) = engine.refuses(&scenario) {
                println!("skipped on {}: {why}", engine.name());
                continue;
            }
            figures.push(lab::bench::bench(&exe, engine, &scenario, variant, runs, sweep_seeds, jobs));
        }
    }
    println!("{}", lab::bench::table(&figures));
    print!("{}", lab::bench::targets(&figures));
    Ok(true)
}

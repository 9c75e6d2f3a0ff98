//! `lab shrink`: the command around [`lab::shrink`]. It runs the failing seed, picks the check
//! to keep failing, judges every candidate file as a normal seeded run in its own process (as
//! `lab sweep` runs seeds), then writes and prints the smallest file that still fails, with
//! how much smaller it is and the command that replays it.

use super::{built_in, load, pick_variant, runnable, BadInput};
use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use lab::engine::Engine;
use lab::scenario::{Scenario, Variant};
use lab::shrink::{self, Budget, Judgement, Size};
use lab::sweep::{run_seed_isolated, SeedOutcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use toml_edit::DocumentMut;

#[derive(clap::Args)]
pub struct ShrinkArgs {
    /// A scenario name from the scenarios directory, or a path to a .toml file.
    scenario: String,
    /// A seed on which the variant fails a check.
    seed: u64,
    /// Variant to run (default: the file's default_variant).
    #[arg(long)]
    variant: Option<String>,
    /// The check that must keep failing (default: the first failed check the variant is
    /// expected to fail, else the first failed check).
    #[arg(long)]
    check: Option<String>,
    /// Stop looking after this many seconds; the smallest failing file found so far is the result.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    budget: u64,
    /// Stop looking after this many candidate runs.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_runs: u64,
    /// Parallel runs (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=super::MAX_JOBS))]
    jobs: Option<u16>,
    /// The simulator every candidate runs on.
    #[arg(long, value_enum, default_value_t)]
    engine: Engine,
    /// Directory for the shrunk file (and the candidates while the search runs).
    #[arg(long, default_value = "target/lab", value_name = "DIR")]
    out: PathBuf,
}

/// Runs the command; returns true when a shrunk file was written.
pub fn execute(dir: &Path, args: &ShrinkArgs) -> anyhow::Result<bool> {
    built_in(args.engine)?;
    let (scenario, _) = load(dir, &args.scenario)?;
    runnable(args.engine, &scenario)?;
    let variant = pick_variant(&scenario, args.variant.as_deref())?;
    let (seed, engine) = (args.seed, args.engine);
    let exe = std::env::current_exe().context("cannot find the lab executable to run candidates with")?;
    let started = Instant::now();

    let source = std::fs::read_to_string(&scenario.path)
        .with_context(|| format!("cannot read the scenario file {} again", scenario.path.display()))?;
    let original: DocumentMut = source
        .parse()
        .map_err(|e| BadInput(format!("{}: not a TOML document toml_edit can edit: {e}", scenario.path.display())))?;
    let original = focus(original, &scenario, variant);

    let work = args.out.join(&scenario.name).join(&variant.name).join(format!("shrink-seed-{seed}"));
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let numbered = AtomicU64::new(0);
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {pos} runs [{elapsed_precise}]").expect("valid template"));
    let run = |doc: &DocumentMut| -> Option<SeedOutcome> {
        let path = work.join(format!("candidate-{}.toml", numbered.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, doc.to_string()).ok()?;
        // The run's process reads the file itself; it goes once the run is over.
        let outcome = Scenario::load(&path).ok().and_then(|candidate| {
            let variant = candidate.variant(&variant.name)?;
            bar.inc(1);
            Some(run_seed_isolated(&exe, engine, &candidate, variant, seed, None))
        });
        let _ = std::fs::remove_file(&path);
        outcome
    };

    // The original, as the shrunk files will be written (one variant, its own name).
    let outcome = run(&original).context("the scenario file did not load again for the first run")?;
    if let Some(error) = &outcome.error {
        anyhow::bail!("seed {seed} of variant `{}` did not run: {error}", variant.name);
    }
    let target = pick_check(&outcome, variant, args.check.as_deref())?;
    println!("shrink: {} — variant `{}` — seed {seed} — keeps check `{target}` failing", scenario.name, variant.name);
    println!("  fails now: {}", figure_of(&outcome, &target).unwrap_or_default());

    let budget = Budget {
        max_runs: usize::try_from(args.max_runs).unwrap_or(usize::MAX),
        deadline: Some(started + Duration::from_secs(args.budget)),
    };
    let load_fields = shrink::load_fields(lab::families::ALL);
    let jobs = args.jobs.map_or_else(lab::sweep::default_jobs, usize::from);
    let judge = |doc: &DocumentMut| match run(doc) {
        None => Judgement::Invalid,
        Some(outcome) => figure_of(&outcome, &target).map_or(Judgement::Passes, Judgement::StillFails),
    };
    let shrunk = shrink::shrink(original.clone(), &load_fields, jobs, budget, judge, |step| {
        // A hidden bar (output not a terminal) would swallow the line.
        match bar.is_hidden() {
            true => println!("  - {}", step.what),
            false => bar.println(format!("  - {}", step.what)),
        }
    });
    bar.finish_and_clear();
    let _ = std::fs::remove_dir(&work);

    let path = args.out.join(&scenario.name).join(&variant.name).join(format!("shrunk-seed-{seed}.toml"));
    let header = format!(
        "# Shrunk by `lab shrink` from {} (variant `{}`, seed {seed}): still fails `{target}`.\n\
         # Faults kept: {} of the original's. Comments are the original's and may describe its sizes.\n",
        scenario.path.display(),
        variant.name,
        if shrunk.faults_kept.is_empty() {
            "none".to_owned()
        } else {
            shrunk.faults_kept.iter().map(|n| format!("#{n}")).collect::<Vec<_>>().join(", ")
        }
    );
    std::fs::write(&path, format!("{header}{}", shrunk.doc))
        .with_context(|| format!("cannot write {}", path.display()))?;

    let stopped =
        if shrunk.out_of_budget { " — stopped by the budget: the smallest failing file so far" } else { "" };
    println!(
        "\n{} candidate runs in {:.1} s (budget {} s, {} runs){stopped}\n",
        shrunk.runs,
        started.elapsed().as_secs_f64(),
        args.budget,
        args.max_runs
    );
    print_sizes(&shrink::size(&original, &load_fields), &shrink::size(&shrunk.doc, &load_fields));
    let last =
        shrunk.steps.last().map_or_else(|| figure_of(&outcome, &target).unwrap_or_default(), |s| s.figure.clone());
    println!("\nstill fails `{target}`: {last}");

    let mut shown = shrunk.doc.clone();
    shown.remove("lesson");
    println!("\n{header}{}\n# [lesson] as in the original (it is in the file)\n", shown.to_string().trim_end());
    println!("file:   {}", path.display());
    println!("replay: {}", lab::runner::replay_line(&path.display().to_string(), seed, None, engine.name()));
    Ok(true)
}

/// The file as the search edits it: only `variant`, made the default, under its own name so
/// that its runs' traces do not overwrite the original's.
fn focus(mut doc: DocumentMut, scenario: &Scenario, variant: &Variant) -> DocumentMut {
    doc["name"] = toml_edit::value(format!("{}-shrunk", scenario.name));
    doc["default_variant"] = toml_edit::value(variant.name.as_str());
    if let Some(variants) = doc.get_mut("variants").and_then(|v| v.as_table_like_mut()) {
        let others: Vec<String> = variants.iter().map(|(k, _)| k.to_owned()).filter(|k| *k != variant.name).collect();
        for other in others {
            variants.remove(&other);
        }
    }
    doc
}

/// The check to keep failing: the one asked for, else the first the variant expects to fail,
/// else the first that failed.
fn pick_check(outcome: &SeedOutcome, variant: &Variant, asked: Option<&str>) -> anyhow::Result<String> {
    let failed: Vec<&str> = outcome.failures.iter().map(|(check, _)| check.as_str()).collect();
    if failed.is_empty() {
        return Err(BadInput(format!(
            "seed {} of variant `{}` fails no check: nothing to shrink (`just sweep` finds failing seeds)",
            outcome.seed, variant.name
        ))
        .into());
    }
    if let Some(asked) = asked {
        return match failed.contains(&asked) {
            true => Ok(asked.to_owned()),
            false => Err(BadInput(format!(
                "seed {} does not fail check `{asked}`; it fails: {}",
                outcome.seed,
                failed.join(", ")
            ))
            .into()),
        };
    }
    let expected = variant.expect_fail.iter().find(|c| failed.contains(&c.as_str()));
    Ok(expected.map_or(failed[0], String::as_str).to_owned())
}

fn figure_of(outcome: &SeedOutcome, check: &str) -> Option<String> {
    outcome.failures.iter().find(|(c, _)| c == check).map(|(_, figure)| figure.clone())
}

fn print_sizes(before: &Size, after: &Size) {
    let seconds = |ms: u64| lab::checks::seconds(ms * 1_000);
    let mut rows = vec![
        ("faults".to_owned(), before.faults.to_string(), after.faults.to_string()),
        ("fault time".to_owned(), seconds(before.fault_ms), seconds(after.fault_ms)),
        ("run".to_owned(), seconds(before.run_ms), seconds(after.run_ms)),
    ];
    for (field, value) in &before.load {
        let after = after.load.get(field).map_or("?".to_owned(), f64::to_string);
        rows.push((format!("nodes.{field}"), value.to_string(), after));
    }
    let width = rows.iter().map(|(name, _, _)| name.len()).max().unwrap_or(0);
    println!("  {:<width$}  {:>12}  {:>12}", "", "before", "after");
    for (name, before, after) in rows {
        println!("  {name:<width$}  {before:>12}  {after:>12}");
    }
}

//! `lab real`: a scenario's nodes as real gRPC servers on loopback, the workload in real time,
//! judged by the same checks (`lab::engine::real` runs it; this is the command's face). Part of
//! the `lab` binary, not the library: it prints with the binary's own verdict table.

use super::{load, pick_variant, print_outcome_line, print_verdicts};
use anyhow::Context as _;
use lab::checks::{self, seconds, CheckResult, Verdict};
use lab::engine::real::{Cluster, Workload};
use lab::runner::{Judged, RunFiles};
use lab::scenario::{Scenario, Variant};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct RealArgs {
    /// A scenario name from the scenarios directory, or a path to a .toml file.
    scenario: String,
    /// The seed of every random stream: nodes, RPC-fault dice, link latencies (default: the
    /// file's run.seed). Real time still differs from run to run.
    seed: Option<u64>,
    /// Variant to run (default: the file's default_variant).
    #[arg(long)]
    variant: Option<String>,
    /// How long the workload runs, in real seconds (capped at the file's run.duration_ms).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// After the workload, keep every node serving and print its address, until Ctrl-C.
    #[arg(long)]
    keep_up: bool,
    /// Directory for traces and logs.
    #[arg(long, default_value = "target/lab", value_name = "DIR")]
    out: PathBuf,
}

/// Runs the command; returns whether no check failed (see [`passed`]).
pub fn execute(dir: &Path, args: &RealArgs) -> anyhow::Result<bool> {
    let (scenario, arg) = load(dir, &args.scenario)?;
    let variant = pick_variant(&scenario, args.variant.as_deref())?;
    let seed = args.seed.unwrap_or(scenario.default_seed);
    let run_ms = (args.seconds * 1_000).min(scenario.duration_ms);
    let files = real_files(&args.out, &scenario, variant, seed);
    if let Some(dir) = files.trace.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
    }
    let log =
        lab::log::dispatch(&files.log).with_context(|| format!("cannot write the log {}", files.log.display()))?;

    println!("{} — variant `{}` — seed {seed} — real mode on 127.0.0.1", scenario.name, variant.name);
    println!("{}", variant.summary.trim());
    println!("running for {} s of real time: not deterministic, each run differs\n", run_ms / 1_000);
    let mut cluster = Cluster::start(&scenario, variant, seed, log)?;
    let Workload { run, interrupted } = cluster.run_workload(run_ms);
    let keep_up = args.keep_up && !interrupted;
    if !keep_up {
        cluster.stop();
    }

    let verdicts = checks::evaluate(&scenario.checks, variant, &run);
    let judged = Judged { run, verdicts };
    lab::runner::write_trace(&files.trace, &judged.run.events)
        .with_context(|| format!("cannot write the trace {}", files.trace.display()))?;
    let info = lab::view::RunInfo {
        scenario: &scenario.name,
        variant: &variant.name,
        summary: &variant.summary,
        seed,
        engine: "real network (127.0.0.1)",
        replay: "none: real mode is not deterministic",
        simulated_us: judged.run.simulated_ms * 1_000,
        nodes: variant.nodes.iter().map(|n| n.name.as_str()).collect(),
    };
    files.write_html(&info, &judged)?;

    if interrupted {
        println!("interrupted by Ctrl-C: every node stopped; the checks judge what was recorded until then");
    }
    let ran_ms = judged.run.simulated_ms;
    let shortened = ran_ms < scenario.duration_ms;
    let of_file = if shortened {
        format!(" of the file's {} (shortened: faults due later never applied)", seconds(scenario.duration_ms * 1_000))
    } else {
        String::new()
    };
    println!("{} real time{of_file}, {} events\n", seconds(ran_ms * 1_000), judged.run.events.len());
    print_verdicts(&judged.verdicts);
    println!();
    let passed = passed(&judged.verdicts, shortened);
    if shortened && passed && !checks::all_passed(&judged.verdicts) {
        print_unjudged_line(&judged.verdicts, &arg, &scenario, variant);
    } else {
        print_outcome_line(&judged.verdicts, variant);
    }
    println!("trace:   {}", files.trace.display());
    println!("log:     {}", files.log.display());
    println!("view:    {}", files.html.display());

    if keep_up {
        println!("\nkept up: every node serves gRPC (service lab.Node, and reflection) until Ctrl-C");
        let addresses = cluster.addresses();
        let width = addresses.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, address) in &addresses {
            println!("{name:<width$}  {address}");
        }
        if let Some((_, address)) = addresses.first() {
            println!("try:     grpcurl -plaintext {address} list");
        }
        cluster.serve_until_interrupted();
        cluster.stop();
        println!("stopped every node");
    }
    Ok(passed)
}

/// `<out>/<scenario>/<variant>/real-<seed>.{trace.jsonl,log,html}`: beside the simulators' traces
/// of the same seed, never over them.
fn real_files(out: &Path, scenario: &Scenario, variant: &Variant, seed: u64) -> RunFiles {
    let dir = out.join(&scenario.name).join(&variant.name);
    RunFiles::in_dir(&dir, &format!("real-{seed}"))
}

/// A run of the file's whole length passes as a simulated one does: every check passes. A
/// shortened run (`--seconds`, Ctrl-C) passes when no check fails: a check whose window lies
/// beyond its end has nothing to judge, which says nothing against the variant.
fn passed(verdicts: &[Verdict], shortened: bool) -> bool {
    if shortened {
        !verdicts.iter().any(|v| v.result == CheckResult::Fail)
    } else {
        checks::all_passed(verdicts)
    }
}

/// The verdict of a shortened run in which some checks had nothing to judge and none failed.
fn print_unjudged_line(verdicts: &[Verdict], arg: &str, scenario: &Scenario, variant: &Variant) {
    let named = |result: CheckResult| -> Vec<&str> {
        verdicts.iter().filter(|v| v.result == result).map(|v| v.check.as_str()).collect()
    };
    let (passed, unjudged) = (named(CheckResult::Pass), named(CheckResult::Inconclusive));
    println!(
        "verdict: no check failed — {} passed; nothing to judge yet in this shortened run: {}",
        passed.len(),
        unjudged.join(", ")
    );
    let variant_flag =
        if variant.name == scenario.default_variant { String::new() } else { format!(" --variant {}", variant.name) };
    println!(
        "         (`just real {arg}{variant_flag} --seconds {}` runs the file's whole length)",
        scenario.duration_ms.div_ceil(1_000)
    );
}

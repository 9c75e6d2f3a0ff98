//! `lab history check`: the linearizability checker ([`lab::linearizability`]) on recorded
//! history files — EDN operation maps (Porcupine's KV test data) or Jepsen logs (its etcd
//! data), the format detected per file. Exit 0 only when every file is proven linearizable;
//! 1 when one is not (with its witness) or when the search ran out of budget (which is not a
//! pass); 2 when a file is malformed (`FILE:LINE: what was found, what was expected`).

use super::BadInput;
use lab::linearizability::jepsen::{self, History, OpLines, MAX_BYTES};
use lab::linearizability::{self, Budget, Model, Verdict};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum HistoryCommand {
    /// Is a recorded history linearizable? Wing–Gong–Lowe search, key by key, with a shrunk
    /// witness when it is not.
    #[command(after_help = "\
Formats (detected per file), one event per line; an :invoke is completed by its process's next line:
  EDN:        {:process 0, :type :invoke, :f :put, :key \"4\", :value \"x 0 1 y\"}   (:f :get :put :append :read :write :cas)
  Jepsen log: INFO  jepsen.util - 3<TAB>:invoke<TAB>:cas<TAB>[1 4]                 (other log lines are skipped)
:ok happened; :fail did not (left out); :info, or no completion, is an unknown outcome (it may have happened).

Exit status: 0 linearizable, 1 not linearizable (witness printed) or unknown (budget ran out: NOT a pass), 2 malformed file.

Examples:
  lab history check --model kv c50-ok.txt
  lab history check --model cas-register etcd_*.log --timeout-ms 2000")]
    Check(CheckArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelArg {
    /// Per key: read (get), write (put), cas, append; a missing key reads as nil or "".
    Kv,
    /// Per key: read and write.
    Register,
    /// Per key: read, write and compare-and-set.
    CasRegister,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The sequential specification the history is checked against.
    #[arg(long, value_enum)]
    model: ModelArg,
    /// Search configurations to explore at most, per file (shrinking a witness may explore 10×
    /// what the verdict took, at least 1,000,000, at most this again).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    max_states: u64,
    /// Wall-clock time allowed per file, in milliseconds: the verdict and its witness together.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    timeout_ms: u64,
    /// History files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Runs the command; returns whether every file was proven linearizable.
pub fn execute(command: &HistoryCommand) -> anyhow::Result<bool> {
    let HistoryCommand::Check(args) = command;
    let model = match args.model {
        ModelArg::Kv => Model::Kv,
        ModelArg::Register => Model::Register,
        ModelArg::CasRegister => Model::CasRegister,
    };
    // Every file is read before any is checked: a malformed one is bad input (exit 2) whatever
    // the others would say, and says so at once.
    let histories = args.files.iter().map(|path| read(path, model)).collect::<Result<Vec<_>, _>>()?;
    let mut counts = [0usize; 3];
    for (path, history) in args.files.iter().zip(&histories) {
        if args.files.len() > 1 {
            println!("== {}", path.display());
        }
        counts[report(path, history, model, args)] += 1;
    }
    if args.files.len() > 1 {
        println!(
            "{} files: {} linearizable, {} NOT linearizable, {} unknown",
            args.files.len(),
            counts[0],
            counts[1],
            counts[2]
        );
    }
    Ok(counts[1] + counts[2] == 0)
}

fn read(path: &Path, model: Model) -> Result<History, BadInput> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| BadInput(format!("{name}: cannot read the history: {e}"));
    let mut bytes = Vec::new();
    // One byte past the limit is enough to say the file is too large.
    std::fs::File::open(path).map_err(cannot)?.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(cannot)?;
    jepsen::read_history(&name, &bytes, model).map_err(BadInput)
}

/// Checks one history and prints the verdict; returns 0 linearizable, 1 not, 2 unknown.
fn report(path: &Path, history: &History, model: Model, args: &CheckArgs) -> usize {
    let started = Instant::now();
    let budget =
        Budget { max_states: args.max_states, deadline: Some(started + Duration::from_millis(args.timeout_ms)) };
    let verdict = linearizability::check(&history.ops, model, &budget);
    let ms = started.elapsed().as_secs_f64() * 1_000.0;
    let unknown = history.ops.iter().filter(|op| op.ret.is_none()).count();
    println!(
        "{}: {}, {} operations ({} with unknown outcome; {} failed, left out) — {} model",
        path.display(),
        history.format.name(),
        history.ops.len(),
        unknown,
        history.failed,
        model.name()
    );
    match verdict {
        Verdict::Linearizable { figures } => {
            println!(
                "linearizable: every key has an order of its operations that respects real time and the model — \
                 {} keys, {} states explored in {ms:.1} ms",
                figures.keys, figures.states
            );
            0
        }
        Verdict::NotLinearizable(witness) => {
            print!("NOT linearizable: {witness}");
            println!("  (times are line numbers: [invoke, completion]; … = never completed: unknown outcome)");
            let lines: Vec<String> = witness.ops.iter().map(|&i| shown_lines(history.lines[i])).collect();
            println!("lines: {}", lines.join(", "));
            println!(
                "found after {} states, shrunk in {} more, {ms:.1} ms in all",
                witness.figures.states, witness.shrink_states
            );
            1
        }
        Verdict::Unknown { key, why, figures } => {
            let key = if key.is_empty() { String::new() } else { format!(" on key {key:?}") };
            println!("unknown: {why} / {ms:.0} ms{key} ({} keys searched)", figures.keys);
            println!(
                "This is NOT a pass: the search gave up before it found an order or proved there is none. \
                 Raise --max-states or --timeout-ms, or check a shorter history."
            );
            2
        }
    }
}

fn shown_lines(lines: OpLines) -> String {
    match lines.completion {
        Some(end) => format!("{}–{end}", lines.invoke),
        None => format!("{}–", lines.invoke),
    }
}

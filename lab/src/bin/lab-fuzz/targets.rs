//! What is fuzzed and how each input is judged. Four inputs the lab reads from users:
//!
//! - `scenarios`: scenario files, through the same path as `lab check` (read, parse, check),
//!   and for a file that passes, a short bounded run of one of its variants;
//! - `traces`: a trace file as `lab replay` reads it back, compared with a fresh run's trace;
//! - `args`: command lines given to the real `lab` binary;
//! - `histories`: history files as `lab history check` reads and judges them (`histories.rs`).
//!
//! The oracle is the same for all: exit 0, 1 or 2 — never a panic, an abort or a hang — and an
//! exit 2 says what is wrong (for a scenario file: `file:line:column:` first).

use crate::mutate;
use lab::runner::run_and_judge;
use lab::scenario::Scenario;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;
use wait_timeout::ChildExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Scenarios,
    Traces,
    Args,
    // Last, so the other targets' cases (a function of the target's position) stay the same.
    Histories,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Scenarios, Target::Traces, Target::Args, Target::Histories];

    pub fn name(self) -> &'static str {
        match self {
            Target::Scenarios => "scenarios",
            Target::Traces => "traces",
            Target::Args => "args",
            Target::Histories => "histories",
        }
    }

    /// The extension of this target's regression files.
    pub fn extension(self) -> &'static str {
        match self {
            Target::Scenarios => "toml",
            Target::Traces => "jsonl",
            Target::Args => "json",
            Target::Histories => "history",
        }
    }

    /// How long one case may take before it counts as a hang, unless `--timeout` says
    /// otherwise (a generous bound: a case is a parse, a run of at most `RUN_CAP_MS` simulated
    /// milliseconds, or one `lab` command of a few runs).
    pub fn default_timeout(self) -> Duration {
        match self {
            Target::Scenarios | Target::Traces | Target::Histories => Duration::from_secs(30),
            Target::Args => Duration::from_secs(60),
        }
    }
}

/// How a case ended when nothing was wrong, or what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The exit code the lab gives this input: 0, 1 or 2.
    Clean(u8),
    /// A defect. `signature` groups the same defect across inputs (a panic's location, say);
    /// `detail` says what happened.
    Finding { signature: String, detail: String },
}

impl Verdict {
    pub(crate) fn finding(signature: impl Into<String>, detail: impl Into<String>) -> Self {
        Verdict::Finding { signature: signature.into(), detail: detail.into() }
    }
}

/// The corpus a target's cases are made from.
pub struct Corpus {
    pub scenario_files: Vec<Vec<u8>>,
    pub trace: Vec<u8>,
}

impl Corpus {
    pub fn load(scenarios_dir: &Path, regressions: &Path) -> anyhow::Result<Self> {
        let mut scenario_files = Vec::new();
        for dir in [scenarios_dir.to_owned(), regressions.join(Target::Scenarios.name())] {
            for path in files_in(&dir, "toml") {
                scenario_files.push(std::fs::read(&path)?);
            }
        }
        anyhow::ensure!(!scenario_files.is_empty(), "no scenario files in {}", scenarios_dir.display());
        Ok(Self { scenario_files, trace: reference_trace(scenarios_dir)? })
    }
}

/// Files with `extension` in `dir`, sorted; none if the directory does not exist.
pub fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == extension));
    files.sort();
    files
}

/// Simulated time a fuzzed scenario runs for: enough to start every node and apply early
/// faults, short enough for thousands of cases.
const RUN_CAP_MS: u64 = 1_500;
const EVENT_CAP: u64 = 200_000;

/// The trace a replay compares against: a short run of the circuit breaker scenario, the same
/// bytes in every process (the run is deterministic).
fn reference_trace(scenarios_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = scenarios_dir.join("circuit-breaker.toml");
    let scenario = Scenario::load(&path).map_err(|d| anyhow::anyhow!("{d}"))?;
    let scenario = capped(scenario);
    let variant = scenario.variant(&scenario.default_variant).expect("a checked scenario has its default variant");
    let judged = run_and_judge(&scenario, variant, 1).map_err(|e| anyhow::anyhow!(e))?;
    Ok((judged.trace_lines().join("\n") + "\n").into_bytes())
}

fn capped(mut scenario: Scenario) -> Scenario {
    scenario.duration_ms = scenario.duration_ms.min(RUN_CAP_MS);
    scenario.max_events = scenario.max_events.min(EVENT_CAP);
    scenario
}

/// Makes case `index` of `target` from the corpus.
pub fn generate(target: Target, corpus: &Corpus, rng: &mut impl RngCore) -> Vec<u8> {
    match target {
        Target::Scenarios => {
            let seed = corpus.scenario_files.choose(rng).expect("the corpus is not empty");
            match std::str::from_utf8(seed) {
                Ok(text) if rng.random_bool(0.85) => mutate::toml_case(text, rng),
                _ => mutate::bytes_case(seed, rng),
            }
        }
        Target::Traces => {
            if rng.random_bool(0.02) {
                return Vec::new();
            }
            mutate::bytes_case(&corpus.trace, rng)
        }
        Target::Args => encode_args(&crate::args::generate(rng)),
        Target::Histories => crate::histories::generate(rng),
    }
}

/// Where and why the last panic on this process happened (set by the worker's panic hook).
pub struct PanicReport {
    pub location: String,
    pub message: String,
}

pub static LAST_PANIC: Mutex<Option<PanicReport>> = Mutex::new(None);

/// Judges one case. Runs in a worker process, whose panic hook fills [`LAST_PANIC`].
pub fn judge(target: Target, input: &[u8], corpus: &Corpus, lab_exe: &Path, sandbox: &Path) -> Verdict {
    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        plant(input);
        match target {
            Target::Scenarios => judge_scenario(input),
            Target::Traces => judge_trace(input, &corpus.trace),
            Target::Args => match decode_args(input) {
                Some(args) => judge_args(&args, lab_exe, sandbox),
                None => Verdict::Clean(2),
            },
            Target::Histories => crate::histories::judge(input),
        }
    }));
    judged.unwrap_or_else(|_| panic_verdict())
}

/// The marker of a planted defect; see [`plant`].
pub const PLANTED: &[u8] = b"PLANTED";

/// Defects planted on purpose, so the fuzzer's own tests can prove it catches each kind: with
/// `LAB_FUZZ_PLANT=panic|hang|abort` in the environment, an input containing [`PLANTED`]
/// panics, never finishes, or aborts the worker. Without the variable this does nothing.
fn plant(input: &[u8]) {
    let Some(kind) = std::env::var_os("LAB_FUZZ_PLANT") else { return };
    if !input.windows(PLANTED.len()).any(|w| w == PLANTED) {
        return;
    }
    match kind.to_str() {
        Some("panic") => panic!("a planted panic"),
        Some("hang") => loop {
            std::thread::park();
        },
        Some("abort") => std::process::abort(),
        _ => {}
    }
}

/// The last panic as a finding; its location is the defect's signature.
fn panic_verdict() -> Verdict {
    match LAST_PANIC.lock().ok().and_then(|mut last| last.take()) {
        Some(p) => {
            Verdict::finding(format!("panic at {}", p.location), format!("panicked at {}: {}", p.location, p.message))
        }
        None => Verdict::finding("panic", "a panic without a recorded message"),
    }
}

const CASE_FILE: &str = "fuzz-case.toml";

fn judge_scenario(input: &[u8]) -> Verdict {
    let scenario = match Scenario::from_bytes(Path::new(CASE_FILE), input) {
        Ok(scenario) => scenario,
        Err(diagnostic) => return judge_error_message(&diagnostic.to_string(), input),
    };
    let scenario = capped(scenario);
    // One variant per file, chosen by the file's bytes: every variant gets its turn across cases.
    let pick = input.iter().fold(0usize, |h, &b| h.wrapping_mul(31).wrapping_add(b as usize));
    let variant = &scenario.variants[pick % scenario.variants.len()];
    match run_and_judge(&scenario, variant, 1) {
        Ok(judged) => Verdict::Clean(if judged.passed() { 0 } else { 1 }),
        // A file the checks accepted must run: a panic in the simulation is a defect.
        Err(panic) => {
            let Verdict::Finding { signature, .. } = panic_verdict() else { unreachable!() };
            Verdict::finding(signature, format!("{panic}\n(variant `{}`)", variant.name))
        }
    }
}

/// An exit-2 message must start with `file:line:column:` (a line that exists) and must not
/// carry raw control characters to the terminal.
fn judge_error_message(message: &str, input: &[u8]) -> Verdict {
    let Some(rest) = message.strip_prefix(&format!("{CASE_FILE}:")) else {
        return Verdict::finding("error without the file name", message);
    };
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse::<usize>().ok());
    let column = parts.next().and_then(|c| c.parse::<usize>().ok());
    let lines_in_file = input.split(|&b| b == b'\n').count();
    match (line, column) {
        (Some(line), Some(_)) if line >= 1 && line <= lines_in_file => {}
        _ => return Verdict::finding("error without a line in the file", message),
    }
    if message.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Verdict::finding("error echoes control characters", message);
    }
    Verdict::Clean(2)
}

fn judge_trace(earlier: &[u8], now: &[u8]) -> Verdict {
    match lab::trace::first_divergence(earlier, now) {
        None => Verdict::Clean(0),
        Some(d) => {
            let shown = [d.first.as_deref(), d.second.as_deref()];
            let raw = |s: &str| s.chars().any(|c| c.is_control() && c != '\t');
            if shown.iter().flatten().any(|s| raw(s) || s.chars().count() > 500) {
                return Verdict::finding("replay prints a raw or unbounded line", format!("{d:?}"));
            }
            Verdict::Clean(1)
        }
    }
}

/// Runs `lab` with `args` in the sandbox (a copy of the scenarios, shortened, and nothing
/// else) and judges its exit code and its stderr.
fn judge_args(args: &[Vec<u8>], lab_exe: &Path, sandbox: &Path) -> Verdict {
    use std::os::unix::ffi::OsStrExt;
    let mut command = Command::new(lab_exe);
    command
        .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
        .current_dir(sandbox)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Verdict::finding("cannot start lab", e.to_string()),
    };
    // stderr is read on a thread so a chatty child never blocks on a full pipe.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut text).ok();
        text
    });
    let status = match child.wait_timeout(Target::Args.default_timeout() / 2) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Verdict::finding("hang", format!("lab {} did not finish", shown_args(args)));
        }
        Err(e) => return Verdict::finding("cannot wait for lab", e.to_string()),
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let about = || format!("lab {}\nstderr: {stderr}", shown_args(args));
    if stderr.contains("panicked") {
        let location = stderr.split("panicked at ").nth(1).and_then(|r| r.split(':').next()).unwrap_or("?");
        return Verdict::finding(format!("lab panicked in {location}"), about());
    }
    match status.code() {
        Some(code @ (0 | 1)) => Verdict::Clean(code as u8),
        Some(2) if stderr.trim().is_empty() => Verdict::finding("exit 2 without a message", about()),
        Some(2) => Verdict::Clean(2),
        Some(code) => Verdict::finding(format!("exit code {code}"), about()),
        None => Verdict::finding("lab killed by a signal", format!("{status}: {}", about())),
    }
}

fn shown_args(args: &[Vec<u8>]) -> String {
    args.iter().map(|a| format!("{:?}", String::from_utf8_lossy(a))).collect::<Vec<_>>().join(" ")
}

/// Arguments as a regression file stores them: a JSON array with a string per UTF-8 argument
/// and an array of byte values for any other.
pub fn encode_args(args: &[Vec<u8>]) -> Vec<u8> {
    let values: Vec<Value> = args
        .iter()
        .map(|a| match std::str::from_utf8(a) {
            Ok(s) => Value::String(s.to_owned()),
            Err(_) => Value::Array(a.iter().map(|&b| Value::from(b)).collect()),
        })
        .collect();
    serde_json::to_vec(&values).expect("JSON values serialize")
}

pub fn decode_args(input: &[u8]) -> Option<Vec<Vec<u8>>> {
    let values: Vec<Value> = serde_json::from_slice(input).ok()?;
    values
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Some(s.into_bytes()),
            Value::Array(bytes) => bytes.iter().map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok())).collect(),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_message_must_name_the_file_and_an_existing_line() {
        let input = b"a = 1\nb = 2\n";
        assert_eq!(judge_error_message("fuzz-case.toml:2:1: field `b`: bad", input), Verdict::Clean(2));
        for bad in ["other.toml:1:1: x", "fuzz-case.toml: cannot read", "fuzz-case.toml:9:1: past the end"] {
            assert!(matches!(judge_error_message(bad, input), Verdict::Finding { .. }), "{bad}");
        }
        assert!(matches!(judge_error_message("fuzz-case.toml:1:1: \u{1b}[2J", input), Verdict::Finding { .. }));
    }

    #[test]
    fn args_survive_a_round_trip_through_a_regression_file() {
        let args = vec![b"run".to_vec(), vec![0xff, b'x'], Vec::new()];
        assert_eq!(decode_args(&encode_args(&args)), Some(args));
    }
}

//! One run of one scenario variant with one seed: simulate, judge, and optionally write the
//! trace and the log to disk.

use crate::checks::{self, Verdict};
use crate::engine::{self, Engine, RunResult};
use crate::scenario::{Scenario, Variant};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

pub struct Judged {
    pub run: RunResult,
    pub verdicts: Vec<Verdict>,
}

impl Judged {
    pub fn passed(&self) -> bool {
        checks::all_passed(&self.verdicts)
    }

    pub fn trace_lines(&self) -> Vec<String> {
        self.run.events.iter().map(|e| e.to_json_line()).collect()
    }
}

/// Simulates and judges. A panic inside the simulation — a node's assertion failing — is
/// an invariant violation: it is returned as an error message rather than tearing down a
/// whole sweep.
pub fn run_and_judge(scenario: &Scenario, variant: &Variant, seed: u64) -> Result<Judged, String> {
    run_and_judge_on(Engine::Turmoil, scenario, variant, seed)
}

/// [`run_and_judge`] on a chosen engine.
pub fn run_and_judge_on(engine: Engine, scenario: &Scenario, variant: &Variant, seed: u64) -> Result<Judged, String> {
    let run = catch_unwind(AssertUnwindSafe(|| engine::run_on(engine, scenario, variant, seed))).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        format!("the simulation panicked: {message}")
    })?;
    let verdicts = checks::evaluate(&scenario.checks, variant, &run);
    Ok(Judged { run, verdicts })
}

/// Where a run's files go: `<out>/<scenario>/<variant>/seed-<seed>.{trace.jsonl,log,html}` on
/// turmoil, `seed-<seed>.<engine>.{…}` on another engine (its traces differ from turmoil's).
pub struct RunFiles {
    pub trace: PathBuf,
    pub log: PathBuf,
    /// The run viewer's page (`crate::view`).
    pub html: PathBuf,
}

impl RunFiles {
    pub fn new(out_dir: &Path, engine: Engine, scenario: &Scenario, variant: &Variant, seed: u64) -> Self {
        let dir = out_dir.join(&scenario.name).join(&variant.name);
        let stem = match engine {
            Engine::Turmoil => format!("seed-{seed}"),
            other => format!("seed-{seed}.{}", other.name()),
        };
        Self::in_dir(&dir, &stem)
    }

    /// `<dir>/<stem>.trace.jsonl`, `.log` and `.html`.
    pub fn in_dir(dir: &Path, stem: &str) -> Self {
        Self {
            trace: dir.join(format!("{stem}.trace.jsonl")),
            log: dir.join(format!("{stem}.log")),
            html: dir.join(format!("{stem}.html")),
        }
    }

    /// Writes the run viewer's page for `judged`.
    pub fn write_html(&self, info: &crate::view::RunInfo<'_>, judged: &Judged) -> anyhow::Result<()> {
        use anyhow::Context;
        let page = crate::view::render(info, &judged.verdicts, &judged.run.events);
        std::fs::write(&self.html, page).with_context(|| format!("cannot write the run's page {}", self.html.display()))
    }
}

/// A run with its human log written as it happens and its JSON trace written at the end.
pub fn run_recorded(
    engine: Engine,
    scenario: &Scenario,
    variant: &Variant,
    seed: u64,
    files: &RunFiles,
) -> anyhow::Result<Result<Judged, String>> {
    use anyhow::Context;
    if let Some(dir) = files.trace.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
    }
    let judged = {
        let _log =
            crate::log::install(&files.log).with_context(|| format!("cannot write the log {}", files.log.display()))?;
        run_and_judge_on(engine, scenario, variant, seed)
    };
    if let Ok(judged) = &judged {
        write_trace(&files.trace, &judged.run.events)
            .with_context(|| format!("cannot write the trace {}", files.trace.display()))?;
    }
    Ok(judged)
}

/// Writes `events` as JSON Lines, one line at a time (a long run's whole trace as one string
/// would be a second copy of it in memory).
pub fn write_trace(path: &Path, events: &[crate::trace::Event]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for event in events {
        writeln!(file, "{}", event.to_json_line())?;
    }
    file.flush()
}

/// The command that replays `seed` of `variant`, as a user types it (`arg` names the scenario
/// as the user did: a name or a path).
pub fn replay_command(engine: Engine, arg: &str, variant: &Variant, scenario: &Scenario, seed: u64) -> String {
    let variant = (variant.name != scenario.default_variant).then_some(variant.name.as_str());
    replay_line(arg, seed, variant, engine.name())
}

/// `just replay <arg> <seed>`, with `--variant` unless it is the default (`None`) and `--engine`
/// unless it is the default one. Shared with sweep summaries read back from files.
pub fn replay_line(arg: &str, seed: u64, variant: Option<&str>, engine: &str) -> String {
    let variant_flag = variant.map_or(String::new(), |v| format!(" --variant {v}"));
    let engine_flag = if engine == Engine::default().name() { String::new() } else { format!(" --engine {engine}") };
    format!("just replay {arg} {seed}{variant_flag}{engine_flag}")
}

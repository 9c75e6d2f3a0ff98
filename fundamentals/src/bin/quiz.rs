//! `just quiz [topic]`: the handbook's interview questions — from every lesson, scenario and
//! theory chapter — asked in the terminal, scheduled by Leitner boxes so that practice goes to
//! what you keep missing. The logic lives in `fundamentals::quiz`; this file is the command
//! line: flags, where the state file lives, and exit codes (0 done, 2 bad input: a malformed
//! source, an unusable state file, a topic that matches nothing).

use clap::Parser;
use fundamentals::quiz::leitner::State;
use fundamentals::quiz::session::{self, PlanOptions};
use fundamentals::quiz::{load_all, Question};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Interview questions from every lesson, scenario and chapter, with spaced repetition.
#[derive(Parser, Debug)]
#[command(name = "quiz")]
struct Args {
    /// Only questions whose source contains this (`lru`, `concurrency::`, `rate-limiter`,
    /// `scenario`, `system-design`); the same as --topic.
    #[arg(value_name = "TOPIC", conflicts_with = "topic")]
    topic_arg: Option<String>,
    /// Only questions whose source contains this.
    #[arg(long)]
    topic: Option<String>,
    /// Ask at most this many questions (at least 1).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Print the questions this session would ask, one per line (source, file:line, box,
    /// question, tab-separated), and change nothing.
    #[arg(long)]
    list: bool,
    /// The state file (Leitner boxes). Default: $XDG_STATE_HOME/backend-lab/quiz-state.json,
    /// or ~/.local/state/backend-lab/quiz-state.json.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Order new questions with this seed (default: the session number).
    #[arg(long)]
    seed: Option<u64>,
    /// The repository to read questions from (default: the one this binary was built from).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// Where the state lives unless --state says otherwise: outside the repository, as the XDG
/// base-directory spec puts per-user state, so a `git clean` or a fresh clone keeps progress
/// and nothing needs ignoring.
fn default_state_file() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("backend-lab/quiz-state.json")
}

fn main() -> ExitCode {
    let args = Args::parse();
    match quiz(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quiz: {message}");
            ExitCode::from(2)
        }
    }
}

fn quiz(args: &Args) -> Result<(), String> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let questions = load_all(&root).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        format!("cannot read every question source:\n{}", lines.join("\n"))
    })?;
    let state_file = args.state.clone().unwrap_or_else(default_state_file);
    let mut state = State::load(&state_file).map_err(|e| e.to_string())?;
    let topic = args.topic.clone().or_else(|| args.topic_arg.clone());
    let matching: Vec<Question> =
        questions.iter().filter(|q| session::matches_topic(q, topic.as_deref())).cloned().collect();
    if matching.is_empty() {
        return Err(format!("no question matches topic `{}`", topic.unwrap_or_default()));
    }
    let current = state.next_session();
    let count = usize::try_from(args.count).expect("a u32 fits in usize");
    let options = PlanOptions { topic: None, count, session: current, seed: args.seed.unwrap_or(current) };
    let plan = session::plan(&matching, &state, &options);

    if args.list {
        for q in &plan {
            let level = state.card(&q.id()).level;
            println!("{}\t{}:{}\tbox {level}\t{}", q.topic_key(), q.file.display(), q.line, q.question);
        }
        return Ok(());
    }

    println!(
        "Quiz, session {current}: {} of {} questions{} are due; asking {}. State: {}",
        due_count(&matching, &state, current),
        matching.len(),
        topic.map(|t| format!(" on `{t}`")).unwrap_or_default(),
        plan.len(),
        state_file.display()
    );
    if plan.is_empty() {
        println!("Nothing is due: every matching question is in a box that waits. Come back next session.");
        return Ok(());
    }
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = io::stdout();
    let mut save = |state: &State| state.save(&state_file).map_err(|e| io::Error::other(e.to_string()));
    let summary =
        session::run(&mut input, &mut out, &plan, &mut state, current, &mut save).map_err(|e| e.to_string())?;
    let boxes = session::box_counts(&matching, &state);
    let boxes: Vec<String> = boxes.iter().enumerate().map(|(i, n)| format!("{}:{n}", i + 1)).collect();
    println!(
        "\nSession {current}: {} got it, {} missed, {} not asked. Boxes {}. Saved to {}.",
        summary.got_it,
        summary.missed,
        summary.skipped,
        boxes.join(" "),
        state_file.display()
    );
    out.flush().map_err(|e| e.to_string())
}

fn due_count(questions: &[Question], state: &State, session: u64) -> usize {
    questions.iter().filter(|q| state.card(&q.id()).due_session <= session).count()
}

//! Drives the `quiz` binary in a pseudo-terminal, the way a reader uses it: answer two
//! questions (one right, one missed), quit at the third, start again, and see the missed one
//! come back first while the known one waits in box 2 — the Leitner boxes persisted.
//!
//! The only waiting is rexpect's bounded expect timeout: the test never sleeps on the clock.

use rexpect::session::{spawn_command, PtySession};
use std::path::{Path, PathBuf};
use std::process::Command;

/// How long any one expected output may take to appear (the binary is already built).
const TIMEOUT_MS: u64 = 30_000;

/// A scratch directory for this test's state file, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("quiz-pty-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The quiz on the lru_cache lesson's questions, with a fixed seed and this state file.
fn quiz_command(state: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quiz"));
    command.args(["--topic", "ds::lru_cache", "--count", "3", "--seed", "11", "--state"]).arg(state).args(extra);
    command
}

fn start(state: &Path) -> PtySession {
    spawn_command(quiz_command(state, &[]), Some(TIMEOUT_MS)).expect("the quiz starts in a pty")
}

/// Waits for the next question and returns its text.
fn next_question(quiz: &mut PtySession) -> String {
    // Up to the line's end, so a question still arriving is never cut short.
    let (_, line) = quiz.exp_regex(r"Q: [^\r\n]+\r?\n").expect("a question is shown");
    line.trim_start_matches("Q: ").trim_end().to_owned()
}

/// Presses Enter (optionally after typing notes) and waits for the answer and the prompt.
fn reveal(quiz: &mut PtySession, notes: &str) {
    quiz.exp_string("Enter shows the answer").expect("the reveal prompt");
    quiz.send_line(notes).expect("typed");
    quiz.exp_string("A: ").expect("the model answer");
    quiz.exp_string("Try it: just lesson ds::lru_cache").expect("the command that demonstrates it");
    quiz.exp_string("How did it go?").expect("the self-assessment prompt");
}

#[test]
fn a_missed_question_comes_back_first_after_a_restart() {
    let scratch = Scratch::new("restart");
    let state = scratch.0.join("quiz-state.json");

    // Session 1: got the first, missed the second, quit at the third.
    let mut quiz = start(&state);
    quiz.exp_string("Quiz, session 1").expect("the banner");
    let known = next_question(&mut quiz);
    reveal(&mut quiz, "");
    quiz.send_line("y").expect("typed");
    let missed = next_question(&mut quiz);
    reveal(&mut quiz, "a list lets me unlink from the middle");
    quiz.send_line("n").expect("typed");
    let _third = next_question(&mut quiz);
    quiz.exp_string("Enter shows the answer").expect("the reveal prompt");
    quiz.send_line("q").expect("typed");
    quiz.exp_string("Session 1: 1 got it, 1 missed, 1 not asked").expect("the summary");
    quiz.exp_eof().expect("the quiz exits");
    assert_ne!(known, missed);

    // The boxes are on disk.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("the state was saved")).expect("JSON");
    let card = |question: &str| saved["cards"][format!("lesson ds::lru_cache: {question}")].clone();
    assert_eq!(card(&known)["box"], 2, "{saved:#}");
    assert_eq!(card(&missed)["box"], 1, "{saved:#}");
    assert_eq!(card(&missed)["missed"], 1, "{saved:#}");
    assert_eq!(saved["sessions"], 1);

    // Session 2: the missed question leads; the known one is not due until session 3.
    let mut quiz = start(&state);
    quiz.exp_string("Quiz, session 2").expect("the banner");
    assert_eq!(next_question(&mut quiz), missed, "the missed question comes back first");
    quiz.exp_string("Enter shows the answer").expect("the reveal prompt");
    quiz.send_line("q").expect("typed");
    quiz.exp_eof().expect("the quiz exits");

    // `--list` agrees, without a terminal, and changes nothing.
    let listed = quiz_command(&state, &["--list"]).output().expect("the quiz runs");
    assert!(listed.status.success(), "{listed:?}");
    let listed = String::from_utf8(listed.stdout).expect("utf-8");
    let first: Vec<&str> = listed.lines().next().expect("one question at least").split('\t').collect();
    assert_eq!(first[0], "lesson ds::lru_cache");
    assert!(first[1].starts_with("fundamentals/src/ds/lru_cache.rs:"), "{first:?}");
    assert_eq!((first[2], first[3]), ("box 1", missed.as_str()));
    assert!(listed.lines().all(|l| !l.ends_with(&format!("\t{known}"))), "box 2 waits: {listed}");
}

#[test]
fn a_corrupt_state_file_is_refused_with_its_name_and_exit_code_two() {
    let scratch = Scratch::new("corrupt");
    let state = scratch.0.join("quiz-state.json");
    std::fs::write(&state, "{ not json").expect("written");
    let output = quiz_command(&state, &["--list"]).output().expect("the quiz runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    assert!(stderr.contains(&format!("state file {}: not a quiz state", state.display())), "{stderr}");
}

#[test]
fn a_topic_that_matches_nothing_is_an_error() {
    let scratch = Scratch::new("topic");
    let output = Command::new(env!("CARGO_BIN_EXE_quiz"))
        .args(["no-such-topic", "--list", "--state"])
        .arg(scratch.0.join("s.json"))
        .output()
        .expect("the quiz runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no question matches topic `no-such-topic`"));
}

#[test]
fn usage_errors_exit_with_two() {
    let scratch = Scratch::new("usage");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_quiz"))
            .args(args)
            .arg("--state")
            .arg(scratch.0.join("s.json"))
            .output()
            .expect("the quiz runs")
    };
    assert_eq!(run(&["--list", "--count", "0"]).status.code(), Some(2), "at least one question");
    assert_eq!(run(&["lru", "--topic", "lru", "--list"]).status.code(), Some(2), "one topic, not two");
    assert!(!scratch.0.join("s.json").exists(), "a usage error writes no state");
}

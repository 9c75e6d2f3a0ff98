//! Questions from the scenario files: the `interview_questions` string of each
//! `scenarios/*.toml` file's `[lesson]` table, in the shape every scenario uses:
//!
//! ```text
//! interview_questions = """
//! Q: How do you rate-limit across 10 gateways? A: Options: divide the limit (simple, wrong
//! under skew), a central store …
//! Q: What happens when Redis is down? A: You choose: …
//! """
//! ```
//!
//! A question starts at a line beginning with `Q:` and runs to the next such line; its answer
//! follows the first `A:`. The file is read with `toml` itself (not the lab's loader: the
//! fundamentals crate knows nothing of the lab), and only the `[lesson]` table is looked at, so
//! a scenario whose other tables the lab would reject still gives its questions.

use super::{one_line, parse_each, Question, SourceError, SourceKind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The part of a scenario file the quiz reads; every other table is ignored.
#[derive(Deserialize)]
struct ScenarioFile {
    lesson: Option<LessonTable>,
}

#[derive(Deserialize)]
struct LessonTable {
    interview_questions: Option<toml::Spanned<String>>,
}

/// The scenario files directly in `dir` (not `scenarios/bench/`: benchmarks are not lessons),
/// sorted by name.
pub fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The questions of every scenario in `dir`; `root` makes the file names relative.
pub fn load(root: &Path, dir: &Path) -> Result<Vec<Question>, Vec<SourceError>> {
    let files = scenario_files(dir);
    if files.is_empty() {
        return Err(vec![SourceError::new(dir, None, "no scenario files found (expected `*.toml`)")]);
    }
    parse_each(root, files, |shown, file, text| {
        let name = file.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        parse(shown, &name, &text)
    })
}

/// The questions of one scenario file's text.
pub fn parse(file: &Path, name: &str, text: &str) -> Result<Vec<Question>, Vec<SourceError>> {
    let expected = "expected a `[lesson]` table with `interview_questions = \"\"\"Q: … A: …\"\"\"`";
    let one = |line, message: String| Err(vec![SourceError::new(file, line, message)]);
    let parsed: ScenarioFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        // toml's message carries the line, the column and the offending text.
        Err(e) => return one(None, format!("not valid TOML ({expected}): {}", one_line(&e.to_string()))),
    };
    let Some(lesson) = parsed.lesson else { return one(None, format!("no `[lesson]` table: {expected}")) };
    let Some(spanned) = lesson.interview_questions else {
        return one(None, format!("the `[lesson]` table has no `interview_questions`: {expected}"));
    };
    let first_line = content_first_line(text, spanned.span().start);
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for (line, block) in blocks(spanned.get_ref(), first_line) {
        match block {
            Block::Stray(text) => errors.push(SourceError::new(
                file,
                Some(line),
                format!("expected a question starting with `Q:`, found `{}`", text.trim()),
            )),
            Block::Question(text) => match split_question(&text) {
                Some((question, answer)) => questions.push(Question {
                    kind: SourceKind::Scenario,
                    source: name.to_owned(),
                    file: file.to_owned(),
                    line,
                    question,
                    answer,
                }),
                None => errors.push(SourceError::new(
                    file,
                    Some(line),
                    "expected `Q: question? A: answer`: the question has no `A:` answer after it",
                )),
            },
        }
    }
    if questions.is_empty() && errors.is_empty() {
        errors.push(SourceError::new(file, Some(first_line), format!("`interview_questions` is empty: {expected}")));
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(errors)
    }
}

/// The 1-based line where the string value starting at byte `start` begins its content: a
/// multi-line string's content starts on the line after its opening `"""` when a newline
/// follows it (TOML drops that newline).
fn content_first_line(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let literal = &text[start..];
    let skips_newline = ["\"\"\"\n", "'''\n", "\"\"\"\r\n", "'''\r\n"].iter().any(|p| literal.starts_with(p));
    line + usize::from(skips_newline)
}

enum Block {
    Question(String),
    Stray(String),
}

/// Splits the string into question blocks (a `Q:` line and the lines up to the next one), each
/// with its line in the file; text before the first `Q:` is a stray block.
fn blocks(text: &str, first_line: usize) -> Vec<(usize, Block)> {
    let mut out: Vec<(usize, Block)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Q:") {
            out.push((first_line + i, Block::Question(rest.trim().to_owned())));
        } else if trimmed.is_empty() {
            continue;
        } else if let Some((_, Block::Question(text))) = out.last_mut() {
            text.push(' ');
            text.push_str(trimmed);
        } else {
            out.push((first_line + i, Block::Stray(trimmed.to_owned())));
        }
    }
    out
}

/// `question? A: answer` → the two halves, both non-empty. The answer marker is the first `A:`
/// that starts a word, so "a `DATA:` header" inside a question is not mistaken for it.
fn split_question(block: &str) -> Option<(String, String)> {
    let at =
        block.match_indices("A:").map(|(i, _)| i).find(|&i| i == 0 || block[..i].ends_with(char::is_whitespace))?;
    let question = one_line(&block[..at]);
    let answer = one_line(&block[at + 2..]);
    (!question.is_empty() && !answer.is_empty()).then_some((question, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[run]
seconds = 10

[lesson]
why_interviewers_ask = "..."
interview_questions = """
Q: How do you rate-limit across 10 gateways? A: Divide the limit,
or a central store.
Q: What happens when Redis is down?
A: You choose: fail open or fail closed.
"""
"#;

    #[test]
    fn questions_run_to_the_next_q_and_keep_their_file_lines() {
        let questions = parse(Path::new("scenarios/rl.toml"), "rl", SCENARIO).expect("well-formed");
        let got: Vec<(usize, &str, &str)> =
            questions.iter().map(|q| (q.line, q.question.as_str(), q.answer.as_str())).collect();
        assert_eq!(
            got,
            [
                (8, "How do you rate-limit across 10 gateways?", "Divide the limit, or a central store."),
                (10, "What happens when Redis is down?", "You choose: fail open or fail closed."),
            ]
        );
        assert_eq!(questions[0].demo(), "just scenario rl");
    }

    #[test]
    fn a_missing_table_key_or_answer_is_an_error_naming_the_file() {
        let file = Path::new("scenarios/bad.toml");
        let message = |text: &str| parse(file, "bad", text).expect_err("malformed")[0].to_string();
        assert!(message("[run]\nseconds = 1\n").starts_with("scenarios/bad.toml: no `[lesson]` table"));
        assert!(message("[lesson]\ntakeaways = \"x\"\n").contains("has no `interview_questions`"));
        assert!(message("[lesson]\ninterview_questions = 5\n").contains("not valid TOML"));
        assert!(message("[lesson\n").contains("not valid TOML"));
        let no_answer = message("[lesson]\ninterview_questions = \"\"\"\nQ: Why?\n\"\"\"\n");
        assert_eq!(
            no_answer,
            "scenarios/bad.toml:3: expected `Q: question? A: answer`: the question has no `A:` answer after it"
        );
        let stray = message("[lesson]\ninterview_questions = \"\"\"\nPreamble.\nQ: Why? A: So.\n\"\"\"\n");
        assert_eq!(stray, "scenarios/bad.toml:3: expected a question starting with `Q:`, found `Preamble.`");
        assert!(message("[lesson]\ninterview_questions = \"\"\n").contains("`interview_questions` is empty"));
    }

    #[test]
    fn the_answer_marker_must_start_a_word() {
        assert_eq!(
            split_question("Is a DATA: header odd? A: No."),
            Some(("Is a DATA: header odd?".to_owned(), "No.".to_owned()))
        );
        assert_eq!(split_question("A: no question"), None);
    }
}

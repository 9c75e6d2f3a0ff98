//! The interview quiz behind `just quiz`: every interview question the handbook asks, from
//! every lesson, scenario and theory chapter, asked in the terminal and scheduled by spaced
//! repetition so that practice goes to what the reader keeps missing.
//!
//! - **Sources.** [`lessons`] reads the `## Interview questions` section of each fundamentals
//!   module's `//!` docs; [`scenarios`] reads the `interview_questions` string of each
//!   `scenarios/*.toml` file's `[lesson]` table; [`chapters`] reads the `### Q:` questions of
//!   each `fundamentals/theory/*.md` chapter. Each gives [`Question`]s that carry where they came
//!   from and the command that demonstrates them. A malformed source is a [`SourceError`]
//!   naming the file, the line and what was expected — never a panic.
//! - **Scheduling.** [`leitner`] keeps a Leitner box per question in a small JSON state file;
//!   boxes are counted in quiz sessions, not days, so the schedule needs no clock and a test
//!   can replay it exactly.
//! - **Session.** [`session`] plans a session (due questions, lowest box first, ties in a
//!   seeded order) and runs it over any reader and writer: the binary hands it the terminal,
//!   the tests hand it strings.
//!
//! The binary is `src/bin/quiz.rs`; `tests/quiz_pty.rs` drives it in a pseudo-terminal.

pub mod chapters;
pub mod leitner;
pub mod lessons;
pub mod scenarios;
pub mod session;

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a question comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    Lesson,
    Scenario,
    Chapter,
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Lesson => "lesson",
            SourceKind::Scenario => "scenario",
            SourceKind::Chapter => "chapter",
        }
    }
}

/// One interview question with its model answer and its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub kind: SourceKind,
    /// The lesson's module path (`ds::lru_cache`), the scenario's name (`rate-limiter`) or the
    /// chapter's file name without `.md` (`system-design`).
    pub source: String,
    /// The file, relative to the repository root, and the 1-based line of the question.
    pub file: PathBuf,
    pub line: usize,
    pub question: String,
    pub answer: String,
}

impl Question {
    /// A stable id for the state file: the source and the question's text. Readable on
    /// purpose (the state file can be inspected and edited by hand); a question whose text
    /// changes starts again in box 1, which is right, since it is a new question.
    pub fn id(&self) -> String {
        format!("{} {}: {}", self.kind.label(), self.source, self.question)
    }

    /// The command (or file) that demonstrates the answer.
    pub fn demo(&self) -> String {
        match self.kind {
            SourceKind::Lesson => format!("just lesson {}", self.source),
            SourceKind::Scenario => format!("just scenario {}", self.source),
            SourceKind::Chapter => format!("{}:{}", self.file.display(), self.line),
        }
    }

    /// The text `--topic` filters on: `lesson ds::lru_cache`, `chapter system-design`.
    pub fn topic_key(&self) -> String {
        format!("{} {}", self.kind.label(), self.source)
    }
}

/// A source the quiz could not read: which file, where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub file: PathBuf,
    /// 1-based; `None` when the problem is the file as a whole.
    pub line: Option<usize>,
    pub message: String,
}

impl SourceError {
    pub fn new(file: &Path, line: Option<usize>, message: impl Into<String>) -> SourceError {
        SourceError { file: file.to_owned(), line, message: message.into() }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Every question of the repository rooted at `root`, lessons first, then scenarios, then
/// chapters, each group in file order. All errors are collected, not just the first, so one
/// run shows everything to fix.
pub fn load_all(root: &Path) -> Result<Vec<Question>, Vec<SourceError>> {
    gather([
        lessons::load(root, &root.join("fundamentals/src")),
        scenarios::load(root, &root.join("scenarios")),
        chapters::load(root, &root.join("fundamentals/theory")),
    ])
}

/// Every question the results hold, or every error among them: one run shows everything to fix.
fn gather(
    results: impl IntoIterator<Item = Result<Vec<Question>, Vec<SourceError>>>,
) -> Result<Vec<Question>, Vec<SourceError>> {
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(found) => questions.extend(found),
            Err(found) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(errors)
    }
}

/// Reads each of `files` and parses it with `parse(shown name, file, text)`; a file that cannot
/// be read is an error naming it (`root` makes the shown names relative).
fn parse_each(
    root: &Path,
    files: Vec<PathBuf>,
    mut parse: impl FnMut(&Path, &Path, String) -> Result<Vec<Question>, Vec<SourceError>>,
) -> Result<Vec<Question>, Vec<SourceError>> {
    gather(files.into_iter().map(|file| {
        let shown = relative(root, &file);
        match std::fs::read_to_string(&file) {
            Ok(text) => parse(&shown, &file, text),
            Err(e) => Err(vec![SourceError::new(&shown, None, format!("cannot be read: {e}"))]),
        }
    }))
}

/// `file` relative to `root` when it lies below it (for messages and the `demo` path).
fn relative(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).map_or_else(|_| file.to_owned(), Path::to_path_buf)
}

/// Text squeezed onto one line: every run of whitespace becomes one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn repo_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn every_source_of_the_repository_contributes_questions() {
        let root = repo_root();
        let questions = load_all(&root).unwrap_or_else(|errors| {
            panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        });
        let count = |kind| questions.iter().filter(|q| q.kind == kind).count();
        let sources =
            |kind| questions.iter().filter(|q| q.kind == kind).map(|q| q.source.clone()).collect::<BTreeSet<_>>();

        // Every lesson module whose docs have the section contributes, and nothing else does.
        let with_section = lessons::lesson_files(&root.join("fundamentals/src"))
            .into_iter()
            .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| lessons::has_questions(&t)))
            .count();
        assert!(with_section >= 80, "only {with_section} lessons with interview questions");
        assert_eq!(sources(SourceKind::Lesson).len(), with_section);
        assert!(count(SourceKind::Lesson) >= 3 * with_section, "{} lesson questions", count(SourceKind::Lesson));

        // Every scenario file and every chapter contributes.
        let scenario_files = std::fs::read_dir(root.join("scenarios"))
            .expect("scenarios/ is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .count();
        assert_eq!(sources(SourceKind::Scenario).len(), scenario_files);
        assert!(count(SourceKind::Scenario) >= 3 * scenario_files);
        let chapter_files = crate::theory::chapter_files(&root.join("fundamentals/theory")).expect("chapters").len();
        assert_eq!(sources(SourceKind::Chapter).len(), chapter_files);
        assert!(count(SourceKind::Chapter) >= crate::theory::MIN_QUESTIONS * chapter_files);

        // Ids are unique, so the state file never merges two questions.
        let ids: BTreeSet<String> = questions.iter().map(Question::id).collect();
        assert_eq!(ids.len(), questions.len(), "two questions share an id");
        assert!(questions.iter().all(|q| !q.question.is_empty() && !q.answer.is_empty()));
        // Nothing meant for the tests (figure markers) or for rustdoc reaches the reader.
        let leaks: Vec<&Question> =
            questions.iter().filter(|q| q.question.contains("<!--") || q.answer.contains("<!--")).collect();
        assert!(leaks.is_empty(), "{leaks:#?}");
    }

    #[test]
    fn a_repository_with_a_malformed_source_of_each_kind_reports_each_file() {
        let root = std::env::temp_dir().join(format!("quiz-malformed-{}", std::process::id()));
        let write = |path: &str, text: &str| {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("a directory");
            std::fs::write(file, text).expect("written");
        };
        write("fundamentals/src/bad.rs", "//! # Bad\n//! ## Interview questions\n//! - No emphasis. Answer.\n");
        write("scenarios/bad.toml", "[run]\nseconds = 1\n");
        write("fundamentals/theory/bad.md", "# Bad\n\nNo questions.\n");
        let errors: Vec<String> =
            load_all(&root).expect_err("all three are malformed").iter().map(ToString::to_string).collect();
        std::fs::remove_dir_all(&root).expect("cleaned up");
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("fundamentals/src/bad.rs:3: expected the question emphasised"), "{}", errors[0]);
        assert!(errors[1].starts_with("scenarios/bad.toml: no `[lesson]` table"), "{}", errors[1]);
        assert!(errors[2].starts_with("fundamentals/theory/bad.md: no interview questions"), "{}", errors[2]);
    }

    #[test]
    fn each_kind_names_the_command_that_demonstrates_it() {
        let q = |kind, source: &str, file: &str| Question {
            kind,
            source: source.to_owned(),
            file: PathBuf::from(file),
            line: 7,
            question: "Why?".to_owned(),
            answer: "Because.".to_owned(),
        };
        assert_eq!(q(SourceKind::Lesson, "ds::lru_cache", "x.rs").demo(), "just lesson ds::lru_cache");
        assert_eq!(q(SourceKind::Scenario, "rate-limiter", "x.toml").demo(), "just scenario rate-limiter");
        let chapter = q(SourceKind::Chapter, "system-design", "fundamentals/theory/system-design.md");
        assert_eq!(chapter.demo(), "fundamentals/theory/system-design.md:7");
        assert_eq!(chapter.id(), "chapter system-design: Why?");
    }
}

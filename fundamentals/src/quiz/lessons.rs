//! Questions from the fundamentals lessons: the `## Interview questions` section of each lesson
//! module's `//!` docs (a module is a lesson when its docs open with a `# ` title, the rule
//! `just lesson` and `just topics` use).
//!
//! The section is a markdown list, one question per item, in either of the two shapes the
//! lessons use:
//!
//! ```text
//! - *Why a doubly linked list?* — You must remove from the middle …
//!   (continuation lines are indented)
//! - **Q: What does `black_box` do?** A: It is an identity function …
//! ```
//!
//! Anything else inside the section — a paragraph, an item whose question is not emphasised,
//! an item with no answer — is an error naming the file and line, so a lesson cannot silently
//! drop out of the quiz.

use super::{one_line, parse_each, Question, SourceError, SourceKind};
use std::path::{Path, PathBuf};

/// The heading of the section, as a doc line.
pub const SECTION: &str = "## Interview questions";

/// Every `.rs` file under `src_dir`, sorted, except the binaries (`src/bin/`), which are
/// programs, not lessons.
pub fn lesson_files(src_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(src_dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() && path.file_name().is_some_and(|n| n != "bin") {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file below `src_dir`: `ds/lru_cache.rs` is `ds::lru_cache`,
/// `ds/mod.rs` is `ds`.
pub fn topic_of(src_dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src_dir).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    if parts.is_empty() {
        "fundamentals".to_owned()
    } else {
        parts.join("::")
    }
}

/// The leading `//!` lines of a source file, without the markers, each with its 1-based line.
pub fn module_doc(source: &str) -> Vec<(usize, &str)> {
    source
        .lines()
        .enumerate()
        .take_while(|(_, l)| l.starts_with("//!"))
        .map(|(i, l)| (i + 1, l.strip_prefix("//! ").or_else(|| l.strip_prefix("//!")).unwrap_or("")))
        .collect()
}

/// Whether the file's docs make it a lesson with an interview-questions section.
pub fn has_questions(source: &str) -> bool {
    let doc = module_doc(source);
    let is_lesson = doc.first().is_some_and(|(_, l)| l.starts_with("# "));
    is_lesson && doc.iter().any(|(_, l)| l.trim_end() == SECTION)
}

/// The questions of every lesson under `src_dir`; `root` makes the file names relative.
pub fn load(root: &Path, src_dir: &Path) -> Result<Vec<Question>, Vec<SourceError>> {
    let files = lesson_files(src_dir);
    if files.is_empty() {
        return Err(vec![SourceError::new(src_dir, None, "no lesson sources found (expected `*.rs` modules)")]);
    }
    parse_each(root, files, |shown, file, text| parse(shown, &topic_of(src_dir, file), &text))
}

/// The questions of one module's source; none when it is not a lesson or has no section.
pub fn parse(file: &Path, topic: &str, source: &str) -> Result<Vec<Question>, Vec<SourceError>> {
    if !has_questions(source) {
        return Ok(Vec::new());
    }
    let doc = module_doc(source);
    let start = doc.iter().position(|(_, l)| l.trim_end() == SECTION).expect("has_questions found it");
    let heading_line = doc[start].0;
    let section = doc[start + 1..].iter().take_while(|(_, l)| !l.starts_with("# ") && !l.starts_with("## "));

    // Items: a `- ` line starts one; indented lines continue it; blank lines separate.
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut errors = Vec::new();
    for &(line, text) in section {
        if let Some(rest) = text.strip_prefix("- ").or_else(|| text.strip_prefix("* ")) {
            items.push((line, rest.to_owned()));
        } else if text.trim().is_empty() {
            continue;
        } else if text.starts_with(' ') && !items.is_empty() {
            let last = items.last_mut().expect("checked non-empty");
            last.1.push(' ');
            last.1.push_str(text.trim());
        } else {
            errors.push(SourceError::new(
                file,
                Some(line),
                format!("expected a list item `- *question?* answer` in `{SECTION}`, found `{}`", text.trim()),
            ));
        }
    }
    if items.is_empty() && errors.is_empty() {
        errors.push(SourceError::new(file, Some(heading_line), format!("`{SECTION}` has no questions")));
    }
    let mut questions = Vec::new();
    for (line, item) in items {
        match split_item(&one_line(&item)) {
            Ok((question, answer)) => questions.push(Question {
                kind: SourceKind::Lesson,
                source: topic.to_owned(),
                file: file.to_owned(),
                line,
                question,
                answer,
            }),
            Err(message) => errors.push(SourceError::new(file, Some(line), message)),
        }
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(errors)
    }
}

/// Splits one list item into its question and its answer.
pub fn split_item(item: &str) -> Result<(String, String), String> {
    let (question, rest) = if let Some(rest) = item.strip_prefix("**Q:") {
        let end = rest.find("**").ok_or("a `**Q: …` question with no closing `**`")?;
        (&rest[..end], &rest[end + 2..])
    } else if let Some(rest) = item.strip_prefix('*') {
        let end = closing_star(rest).ok_or("an `*emphasised question` with no closing `*`")?;
        (&rest[..end], &rest[end + 1..])
    } else {
        return Err(format!(
            "expected the question emphasised, `*question?* answer` or `**Q: question?** A: answer`, found `{}`",
            truncate(item, 60)
        ));
    };
    let question = question.trim();
    // The answer may be introduced by a dash or `A:`; neither is part of it.
    let answer = rest.trim_start();
    let answer = answer.strip_prefix(['—', '–', '-', ':']).unwrap_or(answer).trim_start();
    let answer = answer.strip_prefix("A:").unwrap_or(answer).trim();
    if question.is_empty() {
        return Err("an empty question".to_owned());
    }
    if answer.is_empty() {
        return Err(format!("`{}` has no answer after it", truncate(question, 60)));
    }
    Ok((question.to_owned(), answer.to_owned()))
}

/// The index of the `*` that closes an emphasis opened just before `text`, skipping any `*`
/// inside a code span (`` `*const T` ``).
fn closing_star(text: &str) -> Option<usize> {
    let mut in_code = false;
    for (i, c) in text.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '*' if !in_code => return Some(i),
            _ => {}
        }
    }
    None
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(chars).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "\
//! # A lesson
//!
//! ## Key takeaways
//! - *Not a question:* this list is another section.
//!
//! ## Interview questions
//! - *Why a doubly linked list?* — You must remove from the middle;
//!   a queue only removes at the ends.
//! - **Q: What does `black_box` do?** A: Hides a value
//!   from the optimiser.
//!
//! - *Is `*const T` a pointer?* Yes: a raw one.
//!
//! ## After
//! - *Not asked either*
use std::fmt;
";

    #[test]
    fn both_item_shapes_are_read_with_their_continuation_lines() {
        let questions = parse(Path::new("x.rs"), "ds::x", LESSON).expect("a well-formed lesson");
        let pairs: Vec<(&str, &str, usize)> =
            questions.iter().map(|q| (q.question.as_str(), q.answer.as_str(), q.line)).collect();
        assert_eq!(
            pairs,
            [
                ("Why a doubly linked list?", "You must remove from the middle; a queue only removes at the ends.", 7),
                ("What does `black_box` do?", "Hides a value from the optimiser.", 9),
                ("Is `*const T` a pointer?", "Yes: a raw one.", 12),
            ]
        );
        assert!(questions.iter().all(|q| q.kind == SourceKind::Lesson && q.source == "ds::x"));
    }

    #[test]
    fn a_module_without_a_title_or_without_the_section_gives_no_questions() {
        assert_eq!(
            parse(Path::new("x.rs"), "x", "//! Not a lesson.\n//! ## Interview questions\n//! - *Q?* A.\n"),
            Ok(vec![])
        );
        assert_eq!(parse(Path::new("x.rs"), "x", "//! # A lesson\n//! ## Key takeaways\n"), Ok(vec![]));
    }

    #[test]
    fn malformed_items_are_errors_naming_the_file_and_line() {
        let source = "\
//! # Broken
//! ## Interview questions
//! - Why is this not emphasised? Because.
//! - *No answer?*
//! - *Never closed? — an answer
//! A paragraph where an item belongs.
";
        let errors = parse(Path::new("src/broken.rs"), "broken", source).expect_err("every item is broken");
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 4, "{shown:#?}");
        assert!(shown[0].starts_with("src/broken.rs:6: expected a list item"), "{}", shown[0]);
        assert!(shown[1].starts_with("src/broken.rs:3: expected the question emphasised"), "{}", shown[1]);
        assert!(shown[2].starts_with("src/broken.rs:4: `No answer?` has no answer"), "{}", shown[2]);
        assert!(shown[3].contains(":5: an `*emphasised question` with no closing `*`"), "{}", shown[3]);
    }

    #[test]
    fn an_empty_section_is_an_error() {
        let errors = parse(Path::new("e.rs"), "e", "//! # Empty\n//! ## Interview questions\n//!\n//! ## Next\n")
            .expect_err("no questions");
        assert_eq!(errors[0].to_string(), "e.rs:2: `## Interview questions` has no questions");
    }

    #[test]
    fn topics_are_module_paths() {
        let src = Path::new("/r/fundamentals/src");
        assert_eq!(topic_of(src, Path::new("/r/fundamentals/src/ds/lru_cache.rs")), "ds::lru_cache");
        assert_eq!(topic_of(src, Path::new("/r/fundamentals/src/ordering/crdt/mod.rs")), "ordering::crdt");
        assert_eq!(topic_of(src, Path::new("/r/fundamentals/src/lib.rs")), "fundamentals");
    }
}

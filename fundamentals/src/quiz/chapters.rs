//! Questions from the theory chapters: each `fundamentals/theory/*.md` chapter's
//! `## Interview questions` section, one `### Q: …` heading per question with its model answer
//! up to the next heading. The reading itself is [`crate::theory::chapter::Chapter::questions`],
//! the same code that holds the chapters to at least ten answered questions; here the figure
//! markers are removed from questions and answers (they are for the tests, not the reader), and
//! a chapter without questions, or a question without an answer, is an error naming the file
//! and line.

use super::{parse_each, Question, SourceError, SourceKind};
use crate::theory::chapter::{strip_html_comments, Chapter, QUESTIONS_HEADING, QUESTION_PREFIX};
use std::path::Path;

/// The questions of every chapter in `dir`; `root` makes the file names relative.
pub fn load(root: &Path, dir: &Path) -> Result<Vec<Question>, Vec<SourceError>> {
    let files = crate::theory::chapter_files(dir)
        .map_err(|e| vec![SourceError::new(dir, None, format!("cannot list the chapters: {e}"))])?;
    if files.is_empty() {
        return Err(vec![SourceError::new(dir, None, "no chapters found (expected `*.md` besides README.md)")]);
    }
    parse_each(root, files, |shown, _, text| parse(&Chapter { file: shown.to_path_buf(), text }))
}

/// The questions of one chapter, with the figure markers (HTML comments) removed from the
/// answers: they are for the tests, not for the reader.
pub fn parse(chapter: &Chapter) -> Result<Vec<Question>, Vec<SourceError>> {
    let name = chapter.file.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let found = chapter.questions();
    if found.is_empty() {
        let message = format!("no interview questions: expected a `{QUESTIONS_HEADING}` section of `{QUESTION_PREFIX} …` headings, each followed by its answer");
        return Err(vec![SourceError::new(&chapter.file, None, message)]);
    }
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for q in found {
        let answer: Vec<String> = q.answer.lines().map(|l| strip_html_comments(l).trim_end().to_owned()).collect();
        let answer = answer.join("\n").trim().to_owned();
        let question = strip_html_comments(&q.question).trim().to_owned();
        if question.is_empty() || answer.is_empty() {
            let what = if question.is_empty() {
                "a `### Q:` heading with no question"
            } else {
                "a question with no answer before the next heading"
            };
            errors.push(SourceError::new(&chapter.file, Some(q.line), what));
            continue;
        }
        questions.push(Question {
            kind: SourceKind::Chapter,
            source: name.clone(),
            file: chapter.file.clone(),
            line: q.line,
            question,
            answer,
        });
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_lose_their_figure_markers_and_keep_their_lines() {
        let text = "# T\n\n## Interview questions\n\n### Q: How many? <!-- assumed: a.c = 3 -->\nAbout **116**. <!-- computed: a.b = 116 -->\nSecond line.\n";
        let questions = parse(&Chapter::from_text("fundamentals/theory/t.md", text)).expect("well-formed");
        assert_eq!(questions.len(), 1);
        assert_eq!((questions[0].line, questions[0].question.as_str()), (5, "How many?"));
        assert_eq!(questions[0].answer, "About **116**.\nSecond line.");
        assert_eq!(questions[0].source, "t");
        assert_eq!(questions[0].demo(), "fundamentals/theory/t.md:5");
    }

    #[test]
    fn a_chapter_without_questions_or_with_an_empty_answer_is_an_error() {
        let none = parse(&Chapter::from_text("t.md", "# T\n\nNo questions here.\n")).expect_err("none");
        assert!(none[0].to_string().starts_with("t.md: no interview questions"), "{}", none[0]);
        let empty = parse(&Chapter::from_text(
            "t.md",
            "# T\n## Interview questions\n### Q: Why?\n<!-- computed: a.b = 1 -->\n### Q: Ok? \nYes.\n",
        ))
        .expect_err("empty answer");
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].to_string(), "t.md:3: a question with no answer before the next heading");
    }
}

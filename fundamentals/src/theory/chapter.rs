//! Reading a theory chapter: its figure markers, its run-it commands and its interview
//! questions, each with the line it came from. The tests in [`super`] use it to hold the
//! chapters to the code; a quiz can use [`Chapter::questions`] to ask them.
//!
//! The markdown conventions it reads are documented in `fundamentals/theory/README.md`.

use super::figures::FigureKind;
use std::path::{Path, PathBuf};

/// The heading of the section that holds a chapter's interview questions.
pub const QUESTIONS_HEADING: &str = "## Interview questions";
/// The prefix of one question's heading in that section.
pub const QUESTION_PREFIX: &str = "### Q:";

/// One chapter: its file and its text.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub file: PathBuf,
    pub text: String,
}

/// A figure quoted in the text: `<!-- computed: url_shortener.writes_per_second = 116 -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// 1-based line number.
    pub line: usize,
    pub kind: FigureKind,
    pub id: String,
    pub value: String,
    /// The line as a reader sees it: with every `<!-- … -->` comment removed.
    pub visible: String,
}

/// A `just …` command the chapter tells the reader to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCommand {
    pub line: usize,
    pub command: String,
}

/// One interview question and its model answer (markdown, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub line: usize,
    pub question: String,
    pub answer: String,
}

/// A line of the chapter, and whether it sits inside a fenced code block.
struct Line<'a> {
    number: usize,
    text: &'a str,
    in_fence: bool,
}

impl Chapter {
    pub fn load(file: &Path) -> std::io::Result<Chapter> {
        Ok(Chapter { file: file.to_owned(), text: std::fs::read_to_string(file)? })
    }

    pub fn from_text(file: &str, text: &str) -> Chapter {
        Chapter { file: PathBuf::from(file), text: text.to_owned() }
    }

    /// The file name, for messages: `system-design.md`.
    pub fn name(&self) -> String {
        self.file.file_name().map_or_else(|| self.file.display().to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The text of the first `# ` heading.
    pub fn title(&self) -> Option<&str> {
        self.lines().find(|l| !l.in_fence && l.text.starts_with("# ")).map(|l| l.text[2..].trim())
    }

    fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        let mut in_fence = false;
        self.text.lines().enumerate().map(move |(i, text)| {
            let is_fence = text.trim_start().starts_with("```") || text.trim_start().starts_with("~~~");
            if is_fence {
                in_fence = !in_fence;
            }
            // A fence line itself counts as inside, so its info string is never read as prose.
            Line { number: i + 1, text, in_fence: in_fence || is_fence }
        })
    }

    /// Every figure marker, or a message naming the line for each malformed one.
    pub fn markers(&self) -> Vec<Result<Marker, String>> {
        let mut out = Vec::new();
        for line in self.lines() {
            let comments = html_comments(line.text);
            let visible = strip_html_comments(line.text);
            for comment in comments {
                let Some((mut kind, body)) = marker_body(comment) else { continue };
                if line.in_fence {
                    out.push(Err(format!("line {}: a figure marker inside a code block", line.number)));
                    continue;
                }
                for pair in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                    // `assumed: a = 1; computed: b = 2`: a keyword switches the kind of what follows.
                    let pair = match marker_body(pair) {
                        Some((switched, rest)) => {
                            kind = switched;
                            rest.trim()
                        }
                        None => pair,
                    };
                    out.push(match pair.split_once('=') {
                        Some((id, value)) if !id.trim().is_empty() && !value.trim().is_empty() => Ok(Marker {
                            line: line.number,
                            kind,
                            id: id.trim().to_owned(),
                            value: value.trim().to_owned(),
                            visible: visible.clone(),
                        }),
                        _ => Err(format!("line {}: `{pair}` is not `id = value`", line.number)),
                    });
                }
            }
        }
        out
    }

    /// Every `just …` command: inline code spans that start with `just `, and lines of code
    /// blocks that do (optionally after a `$ ` prompt). An inline span may run across a line
    /// break, as markdown allows; it is read the way it renders, with the break as a space, and
    /// reported at the line where it starts.
    pub fn commands(&self) -> Vec<RunCommand> {
        let mut out = Vec::new();
        let mut push = |line: usize, span: &str| {
            let command = span.split_whitespace().collect::<Vec<_>>().join(" ");
            if command.starts_with("just ") {
                out.push(RunCommand { line, command });
            }
        };
        // An inline code span still open at the end of a line: where it started, its text so far.
        let mut open: Option<(usize, String)> = None;
        for line in self.lines() {
            if line.in_fence {
                open = None;
                let code = line.text.trim();
                push(line.number, code.strip_prefix("$ ").unwrap_or(code));
                continue;
            }
            if line.text.trim().is_empty() {
                // A paragraph ends; a backtick left open in it was a literal backtick.
                open = None;
                continue;
            }
            // Pieces between backticks alternate between prose and code, starting inside a span
            // when one is still open from the line before.
            let pieces: Vec<&str> = line.text.split('`').collect();
            let mut in_code = open.is_some();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    in_code = !in_code;
                }
                if !in_code {
                    continue;
                }
                let (start, mut span) = match open.take() {
                    Some((start, span)) => (start, span + " "),
                    None => (line.number, String::new()),
                };
                span.push_str(piece);
                if i + 1 == pieces.len() {
                    open = Some((start, span));
                } else {
                    push(start, &span);
                }
            }
        }
        out
    }

    /// The questions of the [`QUESTIONS_HEADING`] section, each with the text up to the next
    /// heading as its answer.
    pub fn questions(&self) -> Vec<Question> {
        let mut out: Vec<Question> = Vec::new();
        let mut in_section = false;
        let mut current: Option<(usize, String, Vec<&str>)> = None;
        for line in self.lines() {
            let heading = !line.in_fence && line.text.starts_with('#');
            if heading {
                if let Some((line, question, answer)) = current.take() {
                    out.push(Question { line, question, answer: answer.join("\n").trim().to_owned() });
                }
                if line.text.starts_with("## ") || line.text.starts_with("# ") {
                    in_section = line.text.trim_end() == QUESTIONS_HEADING;
                }
                if in_section {
                    if let Some(question) = line.text.strip_prefix(QUESTION_PREFIX) {
                        current = Some((line.number, question.trim().to_owned(), Vec::new()));
                    }
                }
                continue;
            }
            if let Some((_, _, answer)) = current.as_mut() {
                answer.push(line.text);
            }
        }
        if let Some((line, question, answer)) = current {
            out.push(Question { line, question, answer: answer.join("\n").trim().to_owned() });
        }
        out
    }

    /// Relative link targets of `[text](target)` links, without `#fragment`s, with their lines.
    pub fn relative_links(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for line in self.lines().filter(|l| !l.in_fence) {
            let mut rest = line.text;
            while let Some(start) = rest.find("](") {
                rest = &rest[start + 2..];
                let Some(end) = rest.find(')') else { break };
                let target = rest[..end].split('#').next().unwrap_or("");
                let external = target.contains("://") || target.starts_with("mailto:");
                if !target.is_empty() && !external {
                    out.push((line.number, target.to_owned()));
                }
                rest = &rest[end..];
            }
        }
        out
    }
}

/// The kind and the `id = value; …` body of a figure marker comment, if it is one.
fn marker_body(comment: &str) -> Option<(FigureKind, &str)> {
    [FigureKind::Computed, FigureKind::Assumed].into_iter().find_map(|kind| {
        let body = comment.trim().strip_prefix(kind.keyword())?.strip_prefix(':')?;
        Some((kind, body))
    })
}

/// The insides of every `<!-- … -->` on one line.
fn html_comments(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("<!--") {
        let after = &rest[start + 4..];
        let Some(end) = after.find("-->") else { break };
        out.push(&after[..end]);
        rest = &after[end + 3..];
    }
    out
}

/// The line without its `<!-- … -->` comments.
pub fn strip_html_comments(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` shows the number `value` as a whole number: `116` is in "116 writes/s" and
/// "**116**" but not in "1,160" or "116.5" or "3116".
pub fn shows_number(text: &str, value: &str) -> bool {
    let bytes = text.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    text.match_indices(value).any(|(start, _)| {
        let end = start + value.len();
        let joined_before = start > 0
            && (digit_at(start - 1) || (matches!(bytes[start - 1], b',' | b'.') && start >= 2 && digit_at(start - 2)));
        let joined_after = digit_at(end) || (matches!(bytes.get(end), Some(b',' | b'.')) && digit_at(end + 1));
        !joined_before && !joined_after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Sample chapter

About **116** writes a second. <!-- computed: url_shortener.writes_per_second = 116 -->
Two at once. <!-- assumed: a.b = 1; computed: c.d = 2 --> <!-- just a comment -->
<!-- computed: broken -->

Run it: `just lesson lru_cache`, then `just scenario rate-limiter --variant local`.

```text
$ just break token_bucket
<!-- computed: in.code = 3 -->
```

See [the B-tree](../src/ds/btree.rs#L10) and [the web](https://example.com).

## Interview questions

### Q: Why?
Because.

```text
## not a heading: inside a code block
```

### Q: Empty?

### Q: Last one
The final answer.

## After
### Q: Not a quiz question
";

    fn sample() -> Chapter {
        Chapter::from_text("sample.md", SAMPLE)
    }

    #[test]
    fn the_title_is_the_first_level_one_heading() {
        assert_eq!(sample().title(), Some("Sample chapter"));
        assert_eq!(sample().name(), "sample.md");
    }

    #[test]
    fn markers_carry_kind_id_value_and_the_visible_line_and_malformed_ones_are_reported() {
        let markers = sample().markers();
        let ok: Vec<&Marker> = markers.iter().filter_map(|m| m.as_ref().ok()).collect();
        let errors: Vec<&String> = markers.iter().filter_map(|m| m.as_ref().err()).collect();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].kind, FigureKind::Computed);
        assert_eq!(
            (ok[0].id.as_str(), ok[0].value.as_str(), ok[0].line),
            ("url_shortener.writes_per_second", "116", 3)
        );
        assert_eq!(ok[0].visible.trim_end(), "About **116** writes a second.");
        assert_eq!((ok[1].kind, ok[1].id.as_str()), (FigureKind::Assumed, "a.b"));
        assert_eq!((ok[2].kind, ok[2].id.as_str()), (FigureKind::Computed, "c.d"), "a keyword switches the kind");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("line 5:"), "{}", errors[0]);
        assert!(errors[1].contains("inside a code block"), "{}", errors[1]);
    }

    #[test]
    fn commands_come_from_inline_code_and_code_blocks() {
        let commands: Vec<(usize, String)> = sample().commands().into_iter().map(|c| (c.line, c.command)).collect();
        assert_eq!(
            commands,
            [
                (7, "just lesson lru_cache".to_owned()),
                (7, "just scenario rate-limiter --variant local".to_owned()),
                (10, "just break token_bucket".to_owned()),
            ]
        );
    }

    #[test]
    fn a_command_split_across_lines_is_read_whole_and_an_unclosed_backtick_is_not_code() {
        let text = "Run `just scenario\nidempotent-retries --variant no-key` now, then `just lesson\nbtree`.\n\
                    A stray ` backtick `just lesson nope\n\nends with its paragraph; `just break lsm_tree` is read.\n";
        let commands: Vec<(usize, String)> =
            Chapter::from_text("split.md", text).commands().into_iter().map(|c| (c.line, c.command)).collect();
        assert_eq!(
            commands,
            [
                (1, "just scenario idempotent-retries --variant no-key".to_owned()),
                (2, "just lesson btree".to_owned()),
                (6, "just break lsm_tree".to_owned()),
            ]
        );
    }

    #[test]
    fn questions_are_read_only_from_their_section_with_answers_up_to_the_next_heading() {
        let questions = sample().questions();
        let asked: Vec<&str> = questions.iter().map(|q| q.question.as_str()).collect();
        assert_eq!(asked, ["Why?", "Empty?", "Last one"]);
        assert!(questions[0].answer.starts_with("Because."));
        assert!(questions[0].answer.contains("## not a heading"), "a code block is part of the answer");
        assert_eq!(questions[1].answer, "", "an empty answer is seen as empty");
        assert_eq!(questions[2].answer, "The final answer.");
    }

    #[test]
    fn relative_links_skip_fragments_and_urls() {
        assert_eq!(sample().relative_links(), [(14, "../src/ds/btree.rs".to_owned())]);
    }

    #[test]
    fn numbers_are_matched_whole() {
        assert!(shows_number("about 116 writes", "116"));
        assert!(shows_number("**116**/s", "116"));
        assert!(shows_number("11,575 reads", "11,575"));
        assert!(shows_number("1.04%.", "1.04"));
        assert!(shows_number("ends with 116.", "116"));
        assert!(!shows_number("1,160", "116"));
        assert!(!shows_number("3116", "116"));
        assert!(!shows_number("116.5", "116"));
        assert!(!shows_number("5,116", "116"));
        assert!(!shows_number("nothing here", "116"));
    }
}

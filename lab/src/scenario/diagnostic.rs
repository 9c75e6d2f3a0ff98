//! Errors in scenario files, pointing at the file, line, column and field, and saying what
//! was expected — rendered like a compiler diagnostic with the offending line underlined.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An error in a scenario file. Boxed: it travels through every `Result` of the loader, and
/// the happy path should not pay for its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic(Box<Detail>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The field the error is about, as a path ("faults[2].at_ms"); empty when unknown.
    pub field: String,
    pub message: String,
    /// What a correct file has here.
    pub expected: String,
    /// The source line and the span's columns on it, for the underline.
    snippet: Option<(String, Range<usize>)>,
}

impl Diagnostic {
    /// An error at a byte span of `source`.
    pub fn at(
        file: &Path,
        source: &str,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        let start = floor_char_boundary(source, span.start);
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let text = printable(&source[line_start..line_end]);
        let underline_start = column - 1;
        let end = floor_char_boundary(source, span.end.clamp(start, line_end));
        let underline_len = source[start..end].chars().count().max(1);
        Self(Box::new(Detail {
            file: file.to_owned(),
            line,
            column,
            field: printable(&field.into()),
            message: printable(&message.into()),
            expected: printable(&expected.into()),
            snippet: Some((text, underline_start..underline_start + underline_len)),
        }))
    }

    /// A file that is not UTF-8 text, pointing at its first invalid byte (at `valid_up_to`).
    pub fn invalid_utf8(file: &Path, bytes: &[u8], valid_up_to: usize) -> Self {
        let line_end = bytes[valid_up_to..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| valid_up_to + i);
        // Up to the end of the bad byte's line, with invalid bytes shown as U+FFFD: the valid
        // prefix is unchanged, so the error's offset is the same in both.
        let text = String::from_utf8_lossy(&bytes[..line_end]);
        let bad = char::REPLACEMENT_CHARACTER.len_utf8();
        Self::at(
            file,
            &text,
            valid_up_to..valid_up_to + bad,
            field_path_at(&text, valid_up_to),
            format!("byte 0x{:02x} is not valid UTF-8", bytes[valid_up_to]),
            "a UTF-8 text file (TOML)",
        )
    }

    /// An error about the file as a whole (it cannot be read, for example).
    pub fn whole_file(file: &Path, message: impl Into<String>, expected: impl Into<String>) -> Self {
        Self(Box::new(Detail {
            file: file.to_owned(),
            line: 1,
            column: 1,
            field: String::new(),
            message: printable(&message.into()),
            expected: printable(&expected.into()),
            snippet: None,
        }))
    }
}

/// `offset` moved back to the start of the character it falls in (and into `text`): spans
/// come from several parsers, and slicing inside a character would panic.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `text` with control characters (other than tab) shown as `\u{…}` escapes: a malformed
/// file's raw bytes are never written to the terminal, where they could garble or command it.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

impl std::ops::Deref for Diagnostic {
    type Target = Detail;

    fn deref(&self) -> &Detail {
        &self.0
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        writeln!(f, "{}", self.message)?;
        if let Some((text, underline)) = &self.snippet {
            let gutter = self.line.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{} | {}", self.line, text)?;
            writeln!(f, "{:gutter$} | {}{}", "", " ".repeat(underline.start), "^".repeat(underline.len()))?;
        }
        if !self.expected.is_empty() {
            write!(f, "expected: {}", self.expected)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// The dotted path of the key at byte `offset`, found from the source text: the nearest
/// table header above it plus the key on its own line. toml's own errors carry a span but
/// not the field's name, and a user fixing a file wants the name.
pub fn field_path_at(source: &str, offset: usize) -> String {
    let offset = floor_char_boundary(source, offset);
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..].find('\n').map_or(source.len(), |i| offset + i);
    let line = &source[line_start..line_end];
    let key = line.split_once('=').map(|(k, _)| k.trim().trim_matches('"').to_owned()).filter(|k| !k.starts_with('['));
    // Inside an inline table (`gateway = { strategy = "x" }`) the field is the inner key the
    // offset sits after: the last `name =` between the last `{` or `,` and the offset.
    let before = &source[line_start..offset];
    let inner = before.rfind('{').and_then(|brace| {
        let segment = &before[brace + 1..];
        let segment = segment.rsplit(',').next().unwrap_or(segment);
        segment.split_once('=').map(|(k, _)| k.trim().trim_matches('"').to_owned())
    });
    let key = match (key, inner) {
        (Some(outer), Some(inner)) if !inner.is_empty() => Some(format!("{outer}.{inner}")),
        (key, _) => key,
    };
    let header = source[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    let on_header = line.trim_start().starts_with('[');
    match (on_header, header, key) {
        (true, _, _) => line.trim().trim_matches(|c| c == '[' || c == ']').trim().to_owned(),
        (false, Some(h), Some(k)) => format!("{h}.{k}"),
        (false, None, Some(k)) => k,
        (false, Some(h), None) => h,
        (false, None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column_and_underlines_the_span() {
        let source = "name = \"x\"\n[run]\nduration_ms = -5\n";
        let at = source.find("-5").unwrap();
        let d = Diagnostic::at(
            Path::new("s.toml"),
            source,
            at..at + 2,
            "run.duration_ms",
            "must be positive",
            "a whole number of milliseconds > 0",
        );
        assert_eq!((d.line, d.column), (3, 15));
        let text = d.to_string();
        assert!(text.starts_with("s.toml:3:15: field `run.duration_ms`: must be positive\n"), "{text}");
        assert!(text.contains("3 | duration_ms = -5\n  |               ^^\n"), "{text}");
        assert!(text.ends_with("expected: a whole number of milliseconds > 0"), "{text}");
    }

    #[test]
    fn control_characters_in_the_file_are_escaped_not_echoed() {
        let source = "name = \"a\u{1b}[2Jb\u{7}\"\n";
        // The expected part too: it can list names taken from the file (found by lab-fuzz).
        let d = Diagnostic::at(Path::new("s.toml"), source, 7..8, "name", "bad \u{1b}", "one of: \u{0}, b");
        let text = d.to_string();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("a\\u{1b}[2Jb\\u{7}"), "{text}");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_reported_at_its_first_bad_byte() {
        let bytes = b"name = \"a\"\n[run]\nseed = \"x\xff\"\n";
        let d = Diagnostic::invalid_utf8(Path::new("s.toml"), bytes, 26);
        assert_eq!((d.line, d.column, d.field.as_str()), (3, 10, "run.seed"));
        assert!(d.to_string().starts_with("s.toml:3:10: field `run.seed`: byte 0xff is not valid UTF-8"), "{d}");
    }

    #[test]
    fn a_span_inside_a_character_is_moved_to_its_start() {
        let source = "name = \"é\"\n";
        let inside = source.find('é').unwrap() + 1;
        let d = Diagnostic::at(Path::new("s.toml"), source, inside..inside + 1, "name", "bad", "text");
        assert_eq!((d.line, d.column), (1, 9));
        assert_eq!(field_path_at(source, inside), "name");
    }

    #[test]
    fn field_path_joins_the_table_header_and_the_key() {
        let source = "a = 1\n[[faults]]\nat_ms = 9\n";
        assert_eq!(field_path_at(source, source.find('9').unwrap()), "faults.at_ms");
        assert_eq!(field_path_at(source, 0), "a");
        assert_eq!(field_path_at(source, source.find("[[").unwrap()), "faults");
    }

    #[test]
    fn field_path_reaches_into_inline_tables() {
        let source = "[variants.a]\ngateway = { strategy = \"x\", sync_interval_ms = -1 }\n";
        assert_eq!(field_path_at(source, source.find("\"x\"").unwrap()), "variants.a.gateway.strategy");
        assert_eq!(field_path_at(source, source.find("-1").unwrap()), "variants.a.gateway.sync_interval_ms");
    }
}

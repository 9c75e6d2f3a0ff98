//! A reader for the part of EDN (Clojure's data notation, which Jepsen and Porcupine write
//! histories in) that operation histories use: maps, vectors (and lists, read as vectors),
//! keywords, strings with escapes, 64-bit integers, `nil`, `true` and `false`. Anything else is
//! an error that says what was found and what was expected — never a panic — and nesting is
//! bounded, so no input can exhaust the stack.

/// A value read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Edn {
    Nil,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Without its colon.
    Keyword(String),
    Vector(Vec<Edn>),
    Map(Vec<(Edn, Edn)>),
}

impl Edn {
    /// How a value is named in messages: its kind, and its text when short.
    pub(crate) fn describe(&self) -> String {
        match self {
            Edn::Nil => "nil".into(),
            Edn::Bool(b) => b.to_string(),
            Edn::Int(n) => format!("the integer {n}"),
            Edn::Str(s) => format!("the string {}", super::witness::shown(Some(s))),
            Edn::Keyword(k) => format!(":{}", snippet(k)),
            Edn::Vector(items) => format!("a vector of {}", items.len()),
            Edn::Map(_) => "a map".into(),
        }
    }
}

/// What went wrong, and at which column (counted in characters, from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EdnError {
    pub column: usize,
    pub message: String,
}

/// Maps, vectors and lists nested deeper than this are refused: a history needs three levels.
pub(crate) const MAX_DEPTH: usize = 16;

/// Reads exactly one value from `text`; whitespace, commas and `;` comments around it are fine.
pub(crate) fn read(text: &str) -> Result<Edn, EdnError> {
    let mut reader = Reader { text, at: 0 };
    reader.skip_space();
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at < text.len() {
        return Err(reader.error(
            reader.at,
            format!("found {} after the value, expected the end of the line", reader.found(reader.at)),
        ));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
}

/// Characters a keyword, a symbol or a number is made of.
fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || "*+!-_?$%&=<>/.'#:".contains(c)
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' {
                self.at = self.text.len();
            } else if c.is_whitespace() || c == ',' {
                self.at += c.len_utf8();
            } else {
                break;
            }
        }
    }

    fn column(&self, at: usize) -> usize {
        self.text[..at].chars().count() + 1
    }

    fn error(&self, at: usize, message: String) -> EdnError {
        EdnError { column: self.column(at), message }
    }

    /// The text at `at`, quoted and escaped, as "found …" shows it.
    fn found(&self, at: usize) -> String {
        if at >= self.text.len() {
            return "the end of the line".into();
        }
        let rest = &self.text[at..];
        let token: String = match rest.chars().next() {
            Some(c) if is_token_char(c) => rest.chars().take_while(|&c| is_token_char(c)).collect(),
            _ => rest.chars().take(8).collect(),
        };
        format!("`{}`", snippet(&token))
    }

    fn value(&mut self, depth: usize) -> Result<Edn, EdnError> {
        let start = self.at;
        let Some(c) = self.peek() else {
            return Err(self.error(start, format!("found {}, expected a value", self.found(start))));
        };
        match c {
            '{' | '[' | '(' if depth >= MAX_DEPTH => {
                Err(self.error(start, format!("found nesting deeper than {MAX_DEPTH} levels, expected a flat operation")))
            }
            '{' => {
                self.bump();
                let items = self.items('}', depth)?;
                if items.len() % 2 == 1 {
                    return Err(self.error(start, "found a map with a key and no value, expected key-value pairs".into()));
                }
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    pairs.push((k, v));
                }
                Ok(Edn::Map(pairs))
            }
            '[' => {
                self.bump();
                Ok(Edn::Vector(self.items(']', depth)?))
            }
            '(' => {
                self.bump();
                Ok(Edn::Vector(self.items(')', depth)?))
            }
            '"' => self.string(),
            ':' => {
                self.bump();
                let name = self.token();
                if name.is_empty() {
                    return Err(self.error(start, format!("found {}, expected a keyword such as :ok", self.found(start))));
                }
                Ok(Edn::Keyword(name.to_owned()))
            }
            c if c.is_ascii_digit() || ((c == '-' || c == '+') && self.text[self.at + 1..].starts_with(|d: char| d.is_ascii_digit())) => {
                self.integer()
            }
            c if is_token_char(c) => match self.token() {
                "nil" => Ok(Edn::Nil),
                "true" => Ok(Edn::Bool(true)),
                "false" => Ok(Edn::Bool(false)),
                _ => Err(self.error(
                    start,
                    format!(
                        "found {}, expected a value: nil, true, false, an integer, a \"string\", a :keyword, [a vector] or {{a map}}",
                        self.found(start)
                    ),
                )),
            },
            _ => Err(self.error(start, format!("found {}, expected a value", self.found(start)))),
        }
    }

    /// Values up to the closing `close`.
    fn items(&mut self, close: char, depth: usize) -> Result<Vec<Edn>, EdnError> {
        let open = self.at - 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(c) if c == close => {
                    self.bump();
                    return Ok(items);
                }
                None => {
                    let column = self.column(open);
                    return Err(self.error(
                        self.at,
                        format!("found the end of the line, expected `{close}` to close what column {column} opens"),
                    ));
                }
                Some(c @ ('}' | ']' | ')')) => {
                    return Err(self.error(self.at, format!("found `{c}`, expected `{close}` or a value")));
                }
                Some(_) => items.push(self.value(depth + 1)?),
            }
        }
    }

    fn token(&mut self) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(is_token_char) {
            self.bump();
        }
        let text = self.text;
        &text[start..self.at]
    }

    fn integer(&mut self) -> Result<Edn, EdnError> {
        let start = self.at;
        let token = self.token();
        let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return match token.parse::<i64>() {
                Ok(n) => Ok(Edn::Int(n)),
                Err(_) => Err(self
                    .error(start, format!("found the integer {}, expected one that fits in 64 bits", snippet(token)))),
            };
        }
        Err(self.error(
            start,
            format!(
                "found {}, expected an integer (floats, ratios and big numbers are not used in histories)",
                self.found(start)
            ),
        ))
    }

    fn string(&mut self) -> Result<Edn, EdnError> {
        let start = self.at;
        self.bump();
        let mut out = String::new();
        loop {
            let at = self.at;
            match self.bump() {
                None => {
                    let column = self.column(start);
                    return Err(self.error(at, format!("found the end of the line inside the string that column {column} opens, expected a closing `\"`")));
                }
                Some('"') => return Ok(Edn::Str(out)),
                Some('\\') => out.push(self.escape(at)?),
                Some(c) => out.push(c),
            }
        }
    }

    fn escape(&mut self, at: usize) -> Result<char, EdnError> {
        let c = match self.bump() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('u') => {
                let hex: String = self.text[self.at..].chars().take(4).collect();
                let code = (hex.len() == 4).then(|| u32::from_str_radix(&hex, 16).ok()).flatten();
                match code.and_then(char::from_u32) {
                    Some(c) => {
                        self.at += 4;
                        c
                    }
                    None => {
                        return Err(self.error(
                            at,
                            format!("found `\\u{}`, expected four hex digits of a Unicode scalar value", snippet(&hex)),
                        ))
                    }
                }
            }
            _ => {
                return Err(self.error(
                    at,
                    format!(
                        "found {}, expected an escape: \\\" \\\\ \\n \\t \\r \\b \\f \\/ or \\uXXXX",
                        self.found(at)
                    ),
                ))
            }
        };
        Ok(c)
    }
}

/// At most 24 characters of `text`, with control characters escaped: what a message may show
/// of untrusted input.
pub(crate) fn snippet(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 24 {
            out.push('…');
            break;
        }
        if c.is_control() || c == '`' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_porcupine_kv_line() {
        let line = r#"{:process 0, :type :invoke, :f :put, :key "4", :value "x 0 1 y"}"#;
        let Edn::Map(pairs) = read(line).unwrap() else { panic!("a map") };
        assert_eq!(pairs[0], (Edn::Keyword("process".into()), Edn::Int(0)));
        assert_eq!(pairs[4], (Edn::Keyword("value".into()), Edn::Str("x 0 1 y".into())));
    }

    #[test]
    fn reads_vectors_nil_negative_numbers_escapes_and_comments() {
        assert_eq!(read("[1 nil -4] ; a cas").unwrap(), Edn::Vector(vec![Edn::Int(1), Edn::Nil, Edn::Int(-4)]));
        assert_eq!(read(r#""a\"b\\c\n\u00e9""#).unwrap(), Edn::Str("a\"b\\c\né".into()));
        assert_eq!(read("(:a :b)").unwrap(), Edn::Vector(vec![Edn::Keyword("a".into()), Edn::Keyword("b".into())]));
    }

    #[test]
    fn errors_say_where_what_was_found_and_what_was_expected() {
        let error = |text: &str| read(text).unwrap_err();
        assert_eq!(
            error("{:value \"abc").message,
            "found the end of the line inside the string that column 9 opens, expected a closing `\"`"
        );
        assert_eq!(error("{:value \"abc").column, 13);
        assert_eq!(
            error("99999999999999999999").message,
            "found the integer 99999999999999999999, expected one that fits in 64 bits"
        );
        assert_eq!(
            error("1.5").message,
            "found `1.5`, expected an integer (floats, ratios and big numbers are not used in histories)"
        );
        assert_eq!(error("{:a 1 :b}").message, "found a map with a key and no value, expected key-value pairs");
        assert_eq!(error("[1 2").message, "found the end of the line, expected `]` to close what column 1 opens");
        assert_eq!(error("{} x").message, "found `x` after the value, expected the end of the line");
        assert_eq!(
            error("\"\\q\"").message,
            "found `\\q\"`, expected an escape: \\\" \\\\ \\n \\t \\r \\b \\f \\/ or \\uXXXX"
        );
        assert!(error("hello").message.starts_with("found `hello`, expected a value"));
        assert_eq!(error("").message, "found the end of the line, expected a value");
        assert_eq!(error("\"\\ud800\"").column, 2, "a lone surrogate is not a character");
    }

    #[test]
    fn nesting_is_bounded_and_untrusted_text_is_escaped_in_messages() {
        let deep = "[".repeat(10_000);
        assert!(read(&deep).unwrap_err().message.contains("nesting deeper than 16"));
        let error = read("\u{1b}[2J").unwrap_err();
        assert!(!error.message.chars().any(char::is_control), "{:?}", error.message);
    }
}

//! # SQL injection and parameterized queries
//!
//! ## Why interviewers ask this
//! Injection has topped the OWASP lists for twenty years, and the fix has been known for as
//! long: never build a query by pasting user input into SQL text. Interviewers ask "how do you
//! prevent SQL injection?" to hear *why* parameters work — not "we escape quotes" — and to see
//! whether you know where parameters don't reach (table and column names, `ORDER BY`, `LIMIT`
//! in some drivers, `IN (…)` lists).
//!
//! ## How it works
//! A database first **parses** the query text into a structure (which columns, which
//! conditions, joined how), then **executes** it with values. Concatenation lets the input
//! take part in parsing: `' OR '1'='1` closes the string literal and adds a condition;
//! `admin' --` closes it and comments out the password check. A **parameterized query** sends
//! the text with placeholders (`?`, `$1`) and the values separately; the structure is fixed
//! before any value is seen, and a value can only ever be a value.
//!
//! This module is a toy SQL engine small enough to read: [`lex`] turns text into tokens,
//! [`Statement::parse`] builds `SELECT * FROM t WHERE a = b AND … OR …`, and
//! [`Statement::execute`] filters a table. [`query_by_concatenation`] formats input into the
//! text, as vulnerable code does; [`Prepared`] lexes and parses the text with `?` placeholders
//! once, and binds values as tokens afterwards — the way real drivers' server-side prepared
//! statements work. The tests run the classic attacks against both. Hand-escaping quotes
//! ([`escape_quotes`]) is shown failing where no quotes are involved: a numeric context.
//!
//! ## Common pitfalls
//! - Escaping by hand: dialect-specific (backslashes, multi-byte encodings), forgotten in one
//!   place, useless in numeric contexts (`WHERE id = 1 OR 1=1`).
//! - Parameters for values, but identifiers from input: `ORDER BY {column}`. Identifiers can't
//!   be parameters — check them against an allow-list.
//! - ORMs' raw-query escape hatches (`format!` into `sqlx::query(&sql)`, `.extra()`, `raw()`).
//! - "Emulated" prepares that interpolate client-side with a wrong charset: the structure is
//!   again decided after the input is pasted in.
//! - Trusting "internal" input: data read back from your own database (second-order injection).
//!
//! ## Key takeaways
//! - Parameterize every value; the query's structure must be fixed before input arrives.
//! - Allow-list identifiers and keywords (sort columns, directions).
//! - Least privilege for the database user limits what a successful injection can do.
//!
//! ## Break it
//! `fundamentals/breaks/security_parameterized_queries.patch` makes [`Prepared::execute`]
//! "bind" by pasting each value's text into the query and re-parsing — parameters in name
//! only. The tautology and comment attacks work again:
//! `prepared_statements_treat_the_attacks_as_plain_values` fails.
//!
//! ## Interview questions
//! - **Q: How do you prevent SQL injection?** A: Parameterized queries (prepared statements)
//!   for every value, allow-lists for identifiers, least-privilege database accounts; never
//!   string-built SQL, and escaping only as a last resort via the driver.
//! - **Q: Why do parameters work where escaping fails?** A: The server parses the statement
//!   before it sees the values, so a value cannot change the statement's structure, whatever
//!   characters it contains; escaping tries to predict the parser and can get it wrong.
//! - **Q: Can you parameterize a table name or `ORDER BY` column?** A: No — placeholders
//!   stand for values only. Map user choices to a fixed set of identifiers in code.
//! - **Q: What is second-order SQL injection?** A: Input stored safely, later read back and
//!   concatenated into another query by code that trusts its own database.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Num(i64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Keyword(String),
    Ident(String),
    Literal(Value),
    Star,
    Eq,
    Placeholder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError(pub String);

/// Splits query text into tokens. `'…'` is a string (`''` inside is a quote), `--` starts a
/// comment to the end of the line, `?` is a placeholder.
pub fn lex(text: &str) -> Result<Vec<Token>, SqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1; // the rest of the line is ignored: this is what `admin' --` exploits
                }
            }
            '*' | '=' | '?' => {
                tokens.push(match c {
                    '*' => Token::Star,
                    '=' => Token::Eq,
                    _ => Token::Placeholder,
                });
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('\''), Some('\'')) => {
                            s.push('\'');
                            i += 2;
                        }
                        (Some('\''), _) => break,
                        (Some(&ch), _) => {
                            s.push(ch);
                            i += 1;
                        }
                        (None, _) => return Err(SqlError("unterminated string".into())),
                    }
                }
                i += 1;
                tokens.push(Token::Literal(Value::Str(s)));
            }
            _ if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                tokens
                    .push(Token::Literal(Value::Num(digits.parse().map_err(|_| SqlError("number too large".into()))?)));
            }
            _ if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let upper = word.to_ascii_uppercase();
                let is_keyword = ["SELECT", "FROM", "WHERE", "AND", "OR"].contains(&upper.as_str());
                tokens.push(if is_keyword { Token::Keyword(upper) } else { Token::Ident(word) });
            }
            other => return Err(SqlError(format!("unexpected character {other:?}"))),
        }
    }
    Ok(tokens)
}

/// A column or a value on one side of `=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Column(String),
    Value(Value),
}

/// `SELECT * FROM table WHERE` an OR of ANDs of equalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub table: String,
    pub condition: Vec<Vec<(Operand, Operand)>>,
}

pub type Row = BTreeMap<String, Value>;

impl Statement {
    pub fn parse(tokens: &[Token]) -> Result<Statement, SqlError> {
        let mut at = tokens.iter().peekable();
        let mut expect = |wanted: Token| match at.next() {
            Some(t) if *t == wanted => Ok(()),
            other => Err(SqlError(format!("expected {wanted:?}, found {other:?}"))),
        };
        expect(Token::Keyword("SELECT".into()))?;
        expect(Token::Star)?;
        expect(Token::Keyword("FROM".into()))?;
        let Some(Token::Ident(table)) = at.next() else { return Err(SqlError("expected a table".into())) };
        let mut condition = vec![Vec::new()];
        if at.next_if_eq(&&Token::Keyword("WHERE".into())).is_some() {
            loop {
                let left = operand(at.next())?;
                match at.next() {
                    Some(Token::Eq) => {}
                    other => return Err(SqlError(format!("expected =, found {other:?}"))),
                }
                let right = operand(at.next())?;
                condition.last_mut().expect("never empty").push((left, right));
                match at.next() {
                    None => break,
                    Some(Token::Keyword(k)) if k == "AND" => {}
                    Some(Token::Keyword(k)) if k == "OR" => condition.push(Vec::new()),
                    other => return Err(SqlError(format!("unexpected {other:?}"))),
                }
            }
        }
        if let Some(extra) = at.next() {
            return Err(SqlError(format!("unexpected {extra:?}")));
        }
        Ok(Statement { table: table.clone(), condition })
    }

    /// The rows of `rows` that satisfy the condition (an OR of ANDs).
    pub fn execute(&self, rows: &[Row]) -> Vec<Row> {
        let value = |row: &Row, operand: &Operand| match operand {
            Operand::Column(name) => row.get(name).cloned(),
            Operand::Value(v) => Some(v.clone()),
        };
        rows.iter()
            .filter(|row| {
                self.condition
                    .iter()
                    .any(|all| all.iter().all(|(l, r)| value(row, l).is_some() && value(row, l) == value(row, r)))
            })
            .cloned()
            .collect()
    }
}

fn operand(token: Option<&Token>) -> Result<Operand, SqlError> {
    match token {
        Some(Token::Ident(name)) => Ok(Operand::Column(name.clone())),
        Some(Token::Literal(v)) => Ok(Operand::Value(v.clone())),
        other => Err(SqlError(format!("expected a column or a value, found {other:?}"))),
    }
}

/// THE VULNERABLE WAY: input formatted into the text before parsing.
pub fn query_by_concatenation(template: &str, inputs: &[&str], rows: &[Row]) -> Result<Vec<Row>, SqlError> {
    let mut text = template.to_owned();
    for input in inputs {
        text = text.replacen("{}", input, 1);
    }
    Ok(Statement::parse(&lex(&text)?)?.execute(rows))
}

/// Hand-escaping: doubles quotes. Correct inside a string literal, useless outside one.
pub fn escape_quotes(input: &str) -> String {
    input.replace('\'', "''")
}

/// A statement parsed once, with `?` placeholders bound to values at execution.
pub struct Prepared {
    text: String,
    tokens: Vec<Token>,
}

impl Prepared {
    pub fn new(text: &str) -> Result<Self, SqlError> {
        let tokens = lex(text)?;
        // Parse now with dummy values to reject a malformed template before any input.
        let dummy: Vec<Token> = tokens
            .iter()
            .map(|t| if *t == Token::Placeholder { Token::Literal(Value::Num(0)) } else { t.clone() })
            .collect();
        Statement::parse(&dummy)?;
        Ok(Self { text: text.to_owned(), tokens })
    }

    /// The statement as written, placeholders included (what a driver sends to the server).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Binds `params` in order. Each becomes one literal token: it cannot add a condition,
    /// close a string or start a comment, because lexing is already over.
    pub fn execute(&self, params: &[Value], rows: &[Row]) -> Result<Vec<Row>, SqlError> {
        let mut params = params.iter();
        let mut bound = Vec::with_capacity(self.tokens.len());
        for token in &self.tokens {
            bound.push(match token {
                Token::Placeholder => {
                    Token::Literal(params.next().ok_or(SqlError("too few parameters".into()))?.clone())
                }
                other => other.clone(),
            });
        }
        if params.next().is_some() {
            return Err(SqlError("too many parameters".into()));
        }
        Ok(Statement::parse(&bound)?.execute(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<Row> {
        [(1, "admin", "s3cret-admin"), (2, "alice", "hunter2"), (3, "bob", "tr0ub4dor")]
            .iter()
            .map(|&(id, name, password)| {
                BTreeMap::from([
                    ("id".to_owned(), Value::Num(id)),
                    ("name".to_owned(), Value::Str(name.into())),
                    ("password".to_owned(), Value::Str(password.into())),
                ])
            })
            .collect()
    }

    /// A toy login check (real code compares a password hash: see `password_hashing`).
    const LOGIN: &str = "SELECT * FROM users WHERE name = '{}' AND password = '{}'";
    const LOGIN_PREPARED: &str = "SELECT * FROM users WHERE name = ? AND password = ?";

    fn names(rows: &[Row]) -> Vec<&Value> {
        rows.iter().map(|r| &r["name"]).collect()
    }

    #[test]
    fn honest_input_works_both_ways() {
        let by_text = query_by_concatenation(LOGIN, &["alice", "hunter2"], &users()).unwrap();
        let prepared = Prepared::new(LOGIN_PREPARED).unwrap();
        let by_params =
            prepared.execute(&[Value::Str("alice".into()), Value::Str("hunter2".into())], &users()).unwrap();
        assert_eq!(names(&by_text), [&Value::Str("alice".into())]);
        assert_eq!(by_text, by_params);
    }

    #[test]
    fn concatenation_lets_a_tautology_and_a_comment_rewrite_the_query() {
        // `' OR '1'='1` closes the literal and adds a condition that is always true.
        let tautology = query_by_concatenation(LOGIN, &["x", "' OR '1'='1"], &users()).unwrap();
        assert_eq!(tautology.len(), 3, "every user matched");
        // `admin' --` closes the literal and comments out the password check.
        let comment = query_by_concatenation(LOGIN, &["admin' --", "wrong"], &users()).unwrap();
        assert_eq!(names(&comment), [&Value::Str("admin".into())], "logged in as admin without a password");
    }

    #[test]
    fn prepared_statements_treat_the_attacks_as_plain_values() {
        let prepared = Prepared::new(LOGIN_PREPARED).unwrap();
        for (name, password) in [("x", "' OR '1'='1"), ("admin' --", "wrong")] {
            let rows = prepared.execute(&[Value::Str(name.into()), Value::Str(password.into())], &users()).unwrap();
            assert!(rows.is_empty(), "{name:?}/{password:?} matched {rows:?}");
        }
        // A user whose name really contains a quote is found, not broken.
        let mut rows = users();
        rows[2].insert("name".into(), Value::Str("o'brien".into()));
        let found = prepared.execute(&[Value::Str("o'brien".into()), Value::Str("tr0ub4dor".into())], &rows).unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn escaping_quotes_stops_the_string_attack_but_not_a_numeric_one() {
        let escaped = escape_quotes("' OR '1'='1");
        assert!(query_by_concatenation(LOGIN, &["x", &escaped], &users()).unwrap().is_empty());
        // No quotes to escape in a numeric context: `id = 1 OR 1 = 1`.
        let by_id = "SELECT * FROM users WHERE id = {}";
        let leaked = query_by_concatenation(by_id, &[&escape_quotes("1 OR 1 = 1")], &users()).unwrap();
        assert_eq!(leaked.len(), 3);
        let prepared = Prepared::new("SELECT * FROM users WHERE id = ?").unwrap();
        // With a parameter the same input is one (string) value, equal to no id.
        assert!(prepared.execute(&[Value::Str("1 OR 1 = 1".into())], &users()).unwrap().is_empty());
    }

    #[test]
    fn a_malformed_template_or_wrong_parameter_count_is_an_error_not_a_query() {
        assert!(Prepared::new("SELECT * FROM users WHERE name = ? AND").is_err());
        let prepared = Prepared::new(LOGIN_PREPARED).unwrap();
        assert_eq!(prepared.execute(&[Value::Num(1)], &users()), Err(SqlError("too few parameters".into())));
        assert!(lex("SELECT 'open").is_err());
    }
}

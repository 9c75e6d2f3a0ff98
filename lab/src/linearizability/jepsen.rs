//! The history files `lab history check` reads, both written by Jepsen-style testers, and the
//! writers that render a history in them (for the fuzzer, tests and benchmarks):
//!
//! - **EDN**, one operation map per line, as Porcupine's KV test data:
//!   `{:process 0, :type :invoke, :f :put, :key "4", :value "x 0 1 y"}`, with `:f` one of
//!   `:get :put :append` or `:read :write :cas`; `:key` is optional (one register);
//! - **Jepsen's log**, as in Porcupine's etcd test data:
//!   `INFO  jepsen.util - 3<TAB>:invoke<TAB>:cas<TAB>[1 4]` — process, type, function, value. Other
//!   log lines are skipped, and so are the nemesis's operations.
//!
//! Each line is an event: `:invoke`, then the same process's next line completes it with `:ok`,
//! `:fail` (it did not happen: left out) or `:info` (unknown outcome). An invoke never completed
//! is unknown too. Times are line numbers: an operation is called at its invoke's line and
//! returns at its completion's, which keeps the file's real-time order and makes a witness's
//! drawing point at lines of the file.

use super::edn::{self, snippet, Edn};
use super::history::{validate, Op, OpKind};
use super::model::Model;
use std::collections::BTreeMap;

/// A history read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The operations that happened or may have happened, in invoke order.
    pub ops: Vec<Op>,
    /// Where each of `ops` is in the file.
    pub lines: Vec<OpLines>,
    pub format: Format,
    /// Operations that completed with `:fail`, left out.
    pub failed: usize,
}

/// The lines (from 1) of an operation's invoke and of its completion, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpLines {
    pub invoke: usize,
    pub completion: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Edn,
    JepsenLog,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Edn => "EDN operation maps",
            Format::JepsenLog => "Jepsen log",
        }
    }
}

/// A file this module cannot read: the line (from 1) and what was found there instead of what
/// was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    /// `FILE:LINE: message`.
    pub fn located(&self, file: &str) -> String {
        format!("{file}:{}: {}", self.line, self.message)
    }
}

/// The largest file read: a history of some million operations.
pub const MAX_BYTES: usize = 64 << 20;

const EXPECTED: &str = "expected one operation per line: EDN maps ({:process 0, :type :invoke, :f :read, :value nil}) \
                        or Jepsen log lines (INFO  jepsen.util - 0<TAB>:invoke<TAB>:read<TAB>nil)";

/// Reads a history file and checks it fits `model`; errors are `FILE:LINE: …` messages.
pub fn read_history(file: &str, bytes: &[u8], model: Model) -> Result<History, String> {
    let history = parse(bytes).map_err(|e| e.located(file))?;
    if let Err(invalid) = validate(&history.ops, model) {
        let line = history.lines[invalid.index].invoke;
        let hint = match &history.ops[invalid.index].kind {
            OpKind::Cas { .. } => "; --model cas-register or kv has cas",
            OpKind::Append { .. } => "; --model kv has append",
            _ => "",
        };
        return Err(format!("{file}:{line}: {}{hint}", invalid.why));
    }
    Ok(history)
}

/// Reads a history in either format (the first line that is not blank or a `;` comment tells
/// which: a `{` starts EDN).
pub fn parse(bytes: &[u8]) -> Result<History, ParseError> {
    if bytes.len() > MAX_BYTES {
        let message = format!("found a file of {} bytes, expected at most {} MiB", bytes.len(), MAX_BYTES >> 20);
        return Err(ParseError { line: 1, message });
    }
    let text = text_of(bytes)?;
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().map(|l| l.trim()).find(|l| !l.is_empty() && !l.starts_with(';'));
    let Some(first) = first else {
        return Err(ParseError { line: 1, message: format!("found no operation (the file is empty), {EXPECTED}") });
    };
    let format = if first.starts_with('{') { Format::Edn } else { Format::JepsenLog };
    let mut events = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let parsed = match format {
            Format::Edn => edn_event(line),
            Format::JepsenLog => log_event(line),
        };
        let located = |message| ParseError { line: i + 1, message };
        if let Some(event) = parsed.map_err(located)? {
            events.push((i + 1, event));
        }
    }
    if events.is_empty() {
        let message = format!("found no operation in {} lines, {EXPECTED}", lines.len());
        return Err(ParseError { line: 1, message });
    }
    pair(events, format)
}

fn text_of(bytes: &[u8]) -> Result<&str, ParseError> {
    let bad = match std::str::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            // A byte-order mark, as some editors write, is not part of the first line.
            None => return Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
            Some(at) => (at, "a NUL byte"),
        },
        Err(e) => (e.valid_up_to(), "bytes that are not UTF-8"),
    };
    let (at, what) = bad;
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at - bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    Err(ParseError { line, message: format!("found {what} at column {column}, expected text") })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Invoke,
    Ok,
    Fail,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Read,
    Write,
    Cas,
    Append,
}

/// One line's event.
#[derive(Debug)]
struct Event {
    process: u64,
    kind: Type,
    f: F,
    /// The function as the file names it, for messages.
    f_name: String,
    key: String,
    value: Edn,
}

fn type_of(name: &str) -> Result<Type, String> {
    match name {
        "invoke" => Ok(Type::Invoke),
        "ok" => Ok(Type::Ok),
        "fail" => Ok(Type::Fail),
        "info" => Ok(Type::Info),
        _ => Err(format!("found :type :{}, expected :invoke, :ok, :fail or :info", snippet(name))),
    }
}

fn f_of(name: &str) -> Result<F, String> {
    match name {
        "read" | "get" => Ok(F::Read),
        "write" | "put" => Ok(F::Write),
        "cas" => Ok(F::Cas),
        "append" => Ok(F::Append),
        _ => Err(format!("found :f :{}, expected :read, :write, :cas (or :get, :put, :append)", snippet(name))),
    }
}

/// An EDN line's event; `None` for a blank or comment line and for the nemesis's operations.
fn edn_event(line: &str) -> Result<Option<Event>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with(';') {
        return Ok(None);
    }
    let value = edn::read(line).map_err(|e| format!("column {}: {}", e.column, e.message))?;
    let Edn::Map(pairs) = value else {
        return Err(format!(
            "found {}, expected a map: {{:process 0, :type :invoke, :f :read, :value nil}}",
            value.describe()
        ));
    };
    let mut fields: BTreeMap<String, Edn> = BTreeMap::new();
    for (key, value) in pairs {
        let Edn::Keyword(name) = key else {
            return Err(format!("found {} as a key, expected :process, :type, :f, :key or :value", key.describe()));
        };
        if fields.contains_key(&name) {
            return Err(format!("found :{} twice, expected each key once", snippet(&name)));
        }
        fields.insert(name, value);
    }
    let field =
        |name: &str| fields.get(name).ok_or_else(|| format!("found no :{name}, expected the operation's :{name}"));
    let process = match field("process")? {
        Edn::Int(n) => u64::try_from(*n).map_err(|_| format!("found :process {n}, expected a process number >= 0"))?,
        // Jepsen's nemesis (`:process :nemesis`) injects faults; it is not a client.
        Edn::Keyword(_) => return Ok(None),
        other => return Err(format!("found :process {}, expected a process number", other.describe())),
    };
    let keyword = |name: &str| match field(name)? {
        Edn::Keyword(k) => Ok(k.clone()),
        other => Err(format!("found :{name} {}, expected a keyword", other.describe())),
    };
    let kind = type_of(&keyword("type")?)?;
    let f_name = keyword("f")?;
    let f = f_of(&f_name)?;
    let key = match fields.get("key") {
        None | Some(Edn::Nil) => String::new(),
        Some(Edn::Str(s)) => s.clone(),
        Some(Edn::Int(n)) => n.to_string(),
        Some(other) => return Err(format!("found :key {}, expected a string or an integer", other.describe())),
    };
    let value = fields.get("value").cloned().unwrap_or(Edn::Nil);
    Ok(Some(Event { process, kind, f, f_name, key, value }))
}

/// The marker of an operation line in Jepsen's log.
const LOG_MARKER: &str = "jepsen.util - ";

/// A Jepsen log line's event; `None` for any other log output and the nemesis's operations.
fn log_event(line: &str) -> Result<Option<Event>, String> {
    let Some(at) = line.find(LOG_MARKER) else { return Ok(None) };
    let rest = line[at + LOG_MARKER.len()..].trim_end_matches('\r');
    // Operation lines start with a process number and a tab; anything else jepsen.util logs
    // (and the nemesis, whose process is `:nemesis`) is not a client's operation.
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') || !rest.contains('\t') {
        return Ok(None);
    }
    let fields: Vec<&str> = rest.split('\t').collect();
    if fields.len() < 4 {
        return Err(format!(
            "found {} tab-separated fields after `{LOG_MARKER}`, expected 4: process, :type, :f, value",
            fields.len()
        ));
    }
    let process = fields[0]
        .parse::<u64>()
        .map_err(|_| format!("found the process `{}`, expected a number from 0 to {}", snippet(fields[0]), u64::MAX))?;
    let keyword = |what: &str, text: &str| {
        text.strip_prefix(':')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("found `{}` as the {what}, expected a keyword such as :ok", snippet(text)))
    };
    let kind = type_of(&keyword("type", fields[1])?)?;
    let f_name = keyword("function", fields[2])?;
    let f = f_of(&f_name)?;
    let value = edn::read(fields[3]).map_err(|e| format!("in the value `{}`: {}", snippet(fields[3]), e.message))?;
    Ok(Some(Event { process, kind, f, f_name, key: String::new(), value }))
}

/// Matches each invoke with its process's next event and builds the operations.
fn pair(events: Vec<(usize, Event)>, format: Format) -> Result<History, ParseError> {
    let mut in_flight: BTreeMap<u64, (usize, Event)> = BTreeMap::new();
    let mut done: Vec<(OpLines, Op)> = Vec::new();
    let mut failed = 0;
    for (line, event) in events {
        let error = |message: String| ParseError { line, message };
        let p = event.process;
        if event.kind == Type::Invoke {
            if let Some((earlier, _)) = in_flight.get(&p) {
                return Err(error(format!(
                    "found a second :invoke of process {p} while its :invoke on line {earlier} is in flight, expected an :ok, :fail or :info for that one first"
                )));
            }
            in_flight.insert(p, (line, event));
            continue;
        }
        let Some((invoke_line, invoke)) = in_flight.remove(&p) else {
            return Err(error(format!(
                "found a completion (:{}) of process {p}, which has no operation in flight, expected an :invoke first",
                type_name(event.kind)
            )));
        };
        if event.f != invoke.f {
            return Err(error(format!(
                "found :f :{} completing process {p}'s :invoke on line {invoke_line}, expected its :f :{}",
                snippet(&event.f_name),
                snippet(&invoke.f_name)
            )));
        }
        if event.key != invoke.key {
            return Err(error(format!(
                "found :key {} completing process {p}'s :invoke on line {invoke_line}, expected its :key {}",
                super::witness::shown(Some(&event.key)),
                super::witness::shown(Some(&invoke.key))
            )));
        }
        let lines = OpLines { invoke: invoke_line, completion: Some(line) };
        match event.kind {
            Type::Fail => failed += 1,
            Type::Ok => {
                let op = operation(&invoke, Some(&event), invoke_line, Some(line)).map_err(error)?;
                done.push((lines, op));
            }
            Type::Info | Type::Invoke => {
                let op = operation(&invoke, None, invoke_line, None).map_err(error)?;
                done.push((lines, op));
            }
        }
    }
    for (_, (invoke_line, invoke)) in in_flight {
        let op =
            operation(&invoke, None, invoke_line, None).map_err(|message| ParseError { line: invoke_line, message })?;
        done.push((OpLines { invoke: invoke_line, completion: None }, op));
    }
    done.sort_by_key(|(lines, _)| lines.invoke);
    let (lines, ops) = done.into_iter().unzip();
    Ok(History { ops, lines, format, failed })
}

fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::Invoke => "invoke",
        Type::Ok => "ok",
        Type::Fail => "fail",
        Type::Info => "info",
    }
}

/// The operation an invoke started, completed by `ok` (or of unknown outcome without one).
fn operation(invoke: &Event, ok: Option<&Event>, call: usize, ret: Option<usize>) -> Result<Op, String> {
    let f = &invoke.f_name;
    let kind = match invoke.f {
        F::Read => match ok {
            Some(ok) => {
                OpKind::Read { value: datum(&ok.value, true).map_err(|e| format!("found a :{f} returning {e}"))? }
            }
            // An unknown read: what it saw is unknown too, and the checker leaves it out.
            None => OpKind::Read { value: None },
        },
        F::Write => OpKind::Write { value: written(&invoke.value).map_err(|e| format!("found a :{f} of {e}"))? },
        F::Append => OpKind::Append { value: written(&invoke.value).map_err(|e| format!("found an :{f} of {e}"))? },
        F::Cas => match &invoke.value {
            Edn::Vector(pair) if pair.len() == 2 => OpKind::Cas {
                expect: datum(&pair[0], true).map_err(|e| format!("found a :{f} expecting {e}"))?,
                new: written(&pair[1]).map_err(|e| format!("found a :{f} setting {e}"))?,
            },
            other => return Err(format!("found a :{f} of {}, expected [expected new], as [1 4]", other.describe())),
        },
    };
    let ret = ret.map(|r| r as u64);
    Ok(Op { process: invoke.process, key: invoke.key.clone(), call: call as u64, ret, kind })
}

/// A value a write sets: an integer or a string.
fn written(value: &Edn) -> Result<String, String> {
    datum(value, false)?.ok_or_else(|| "nil, expected an integer or a string".to_owned())
}

/// A value: nil (if `nil_ok`), an integer or a string.
fn datum(value: &Edn, nil_ok: bool) -> Result<Option<String>, String> {
    match value {
        Edn::Nil if nil_ok => Ok(None),
        Edn::Int(n) => Ok(Some(n.to_string())),
        Edn::Str(s) => Ok(Some(s.clone())),
        other => {
            let expected = if nil_ok { "nil, an integer or a string" } else { "an integer or a string" };
            Err(format!("{}, expected {expected}", other.describe()))
        }
    }
}

/// How an operation ended, as a file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Known not to have happened (`:fail`).
    Failed,
    /// `:info`, or no completion at all.
    Unknown,
}

/// An operation as a file records it: `op.ret` is its `:ok` time (`None` unless `Ok`), and
/// `end` the time of its completion line (`None`: the invoke never completes in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub op: Op,
    pub outcome: Outcome,
    pub end: Option<u64>,
}

/// The history as EDN lines (Porcupine's style: `:get`, `:put`, `:append`, `:cas`).
pub fn to_edn(recorded: &[Recorded]) -> String {
    render(recorded, |process, kind, op, value| {
        let f = match op.kind {
            OpKind::Read { .. } => "get",
            OpKind::Write { .. } => "put",
            OpKind::Cas { .. } => "cas",
            OpKind::Append { .. } => "append",
        };
        format!("{{:process {process}, :type :{kind}, :f :{f}, :key {}, :value {value}}}", edn_string(&op.key))
    })
}

/// The history as Jepsen log lines (`:read`, `:write`, `:cas`, `:append`); keys are not part
/// of this format, so give it one key's history.
pub fn to_jepsen_log(recorded: &[Recorded]) -> String {
    render(recorded, |process, kind, op, value| {
        let value = if kind == "info" { ":timed-out".to_owned() } else { value };
        format!("INFO  jepsen.util - {process}\t:{kind}\t:{}\t{value}", op.kind.name())
    })
}

/// Events in time order (a completion before an invoke at the same time), one line each.
fn render(recorded: &[Recorded], line: impl Fn(u64, &str, &Op, String) -> String) -> String {
    let mut events: Vec<(u64, u8, usize)> = Vec::new();
    for (i, r) in recorded.iter().enumerate() {
        events.push((r.op.call, 1, i));
        if let Some(end) = r.end {
            events.push((end, 0, i));
        }
    }
    events.sort_unstable();
    let mut out = String::new();
    for (_, is_invoke, i) in events {
        let r = &recorded[i];
        let (kind, value) = match (is_invoke, r.outcome) {
            (1, _) => ("invoke", invoke_value(&r.op.kind)),
            (_, Outcome::Ok) => ("ok", completion_value(&r.op.kind)),
            (_, Outcome::Failed) => ("fail", invoke_value(&r.op.kind)),
            (_, Outcome::Unknown) => ("info", invoke_value(&r.op.kind)),
        };
        out.push_str(&line(r.op.process, kind, &r.op, value));
        out.push('\n');
    }
    out
}

fn invoke_value(kind: &OpKind) -> String {
    match kind {
        OpKind::Read { .. } => "nil".into(),
        OpKind::Write { value } | OpKind::Append { value } => edn_value(Some(value)),
        OpKind::Cas { expect, new } => format!("[{} {}]", edn_value(expect.as_deref()), edn_value(Some(new))),
    }
}

fn completion_value(kind: &OpKind) -> String {
    match kind {
        OpKind::Read { value } => edn_value(value.as_deref()),
        other => invoke_value(other),
    }
}

/// An integer as itself, anything else as an EDN string, nil as `nil`.
fn edn_value(value: Option<&str>) -> String {
    match value {
        None => "nil".into(),
        Some(v) if v.parse::<i64>().is_ok_and(|n| n.to_string() == v) => v.to_owned(),
        Some(v) => edn_string(v),
    }
}

fn edn_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text.as_bytes()).unwrap_err().located("h.txt")
    }

    #[test]
    fn reads_porcupine_kv_lines_pairing_each_invoke_with_its_processs_next_line() {
        let text = r#"{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :get, :key "0", :value nil}
{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}
{:process 1, :type :ok, :f :get, :key "0", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :put, :key "1", :value "z"}
{:process 1, :type :fail, :f :put, :key "1", :value "z"}
{:process 0, :type :invoke, :f :get, :key "1", :value nil}
"#;
        let history = parse(text.as_bytes()).unwrap();
        assert_eq!(history.format, Format::Edn);
        assert_eq!(history.failed, 1);
        let ops: Vec<(u64, &str, u64, Option<u64>, &OpKind)> =
            history.ops.iter().map(|o| (o.process, o.key.as_str(), o.call, o.ret, &o.kind)).collect();
        assert_eq!(
            ops,
            [
                (0, "0", 1, Some(3), &OpKind::Append { value: "x 0 0 y".into() }),
                (1, "0", 2, Some(4), &OpKind::Read { value: Some("x 0 0 y".into()) }),
                (0, "1", 7, None, &OpKind::Read { value: None }),
            ]
        );
        assert_eq!(history.lines[2], OpLines { invoke: 7, completion: None });
        let with_bom = parse(format!("\u{feff}{text}").as_bytes()).unwrap();
        assert_eq!(with_bom.ops, history.ops, "a byte-order mark is not part of the first line");
    }

    #[test]
    fn reads_jepsen_log_lines_and_skips_other_output() {
        let text = "INFO  jepsen.core - Running test\n\
                    INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\n\
                    INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n\
                    INFO  jepsen.util - 4\t:invoke\t:write\t2\n\
                    INFO  jepsen.util - 3\t:ok\t:cas\t[1 4]\n\
                    INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n\
                    INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
                    INFO  jepsen.util - 0\t:fail\t:read\t:timed-out\n\
                    INFO  jepsen.util - 5\t:invoke\t:read\tnil\n\
                    INFO  jepsen.util - 5\t:ok\t:read\tnil\n";
        let history = parse(text.as_bytes()).unwrap();
        assert_eq!(history.format, Format::JepsenLog);
        assert_eq!(history.failed, 1, "the failed read");
        let kinds: Vec<(&OpKind, Option<u64>)> = history.ops.iter().map(|o| (&o.kind, o.ret)).collect();
        assert_eq!(
            kinds,
            [
                (&OpKind::Cas { expect: Some("1".into()), new: "4".into() }, Some(5)),
                (&OpKind::Write { value: "2".into() }, None),
                (&OpKind::Read { value: None }, Some(10)),
            ]
        );
    }

    #[test]
    fn malformed_files_name_the_line_what_was_found_and_what_was_expected() {
        let invoke = "{:process 1, :type :invoke, :f :read}\n";
        assert_eq!(
            error(&format!("{invoke}{invoke}")),
            "h.txt:2: found a second :invoke of process 1 while its :invoke on line 1 is in flight, expected an :ok, :fail or :info for that one first"
        );
        assert_eq!(
            error("{:process 1, :type :ok, :f :read}"),
            "h.txt:1: found a completion (:ok) of process 1, which has no operation in flight, expected an :invoke first"
        );
        assert_eq!(
            error(&format!("{invoke}{{:process 1, :type :ok, :f :write, :value 1}}")),
            "h.txt:2: found :f :write completing process 1's :invoke on line 1, expected its :f :read"
        );
        assert_eq!(
            error("{:process 1, :type :done, :f :read}"),
            "h.txt:1: found :type :done, expected :invoke, :ok, :fail or :info"
        );
        assert_eq!(error("{:process 1, :type :ok}"), "h.txt:1: found no :f, expected the operation's :f");
        assert_eq!(
            error("{:process 1, :type :invoke, :f :write, :value nil}"),
            "h.txt:1: found a :write of nil, expected an integer or a string"
        );
        assert_eq!(
            error("{:process 1, :type :invoke, :f :cas, :value 3}"),
            "h.txt:1: found a :cas of the integer 3, expected [expected new], as [1 4]"
        );
        assert!(error("{:process 1, :value \"abc}")
            .starts_with("h.txt:1: column 26: found the end of the line inside the string that column 21 opens"));
        assert_eq!(
            error("INFO  jepsen.util - 99999999999999999999\t:invoke\t:read\tnil"),
            "h.txt:1: found the process `99999999999999999999`, expected a number from 0 to 18446744073709551615"
        );
        assert_eq!(
            error("INFO  jepsen.util - 1\t:invoke\t:read"),
            "h.txt:1: found 3 tab-separated fields after `jepsen.util - `, expected 4: process, :type, :f, value"
        );
    }

    #[test]
    fn empty_binary_and_operationless_files_are_errors_not_empty_histories() {
        assert!(error("").starts_with("h.txt:1: found no operation (the file is empty)"));
        assert!(error("\n  \n; a comment\n").starts_with("h.txt:1: found no operation (the file is empty)"));
        assert!(error("INFO  jepsen.core - nothing here\n").starts_with("h.txt:1: found no operation in 1 lines"));
        assert_eq!(
            parse(b"ok\n\xff\xfe").unwrap_err().located("h"),
            "h:2: found bytes that are not UTF-8 at column 1, expected text"
        );
        assert_eq!(parse(b"a\0").unwrap_err().line, 1);
    }

    #[test]
    fn a_model_without_the_files_operations_is_an_error_at_the_line() {
        let text = "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 3\t:ok\t:cas\t[1 4]\n";
        assert_eq!(
            read_history("etcd.log", text.as_bytes(), Model::Register).unwrap_err(),
            "etcd.log:1: a cas operation, but the register model has only read and write; --model cas-register or kv has cas"
        );
        assert!(read_history("etcd.log", text.as_bytes(), Model::CasRegister).is_ok());
    }

    #[test]
    fn rendered_histories_read_back_as_the_same_operations() {
        let op = |process, call, ret, kind| Op { process, key: "k\"1".into(), call, ret, kind };
        let recorded = vec![
            Recorded {
                op: op(0, 10, Some(30), OpKind::Write { value: "7".into() }),
                outcome: Outcome::Ok,
                end: Some(30),
            },
            Recorded {
                op: op(1, 20, None, OpKind::Cas { expect: None, new: "a b".into() }),
                outcome: Outcome::Unknown,
                end: Some(40),
            },
            Recorded {
                op: op(2, 25, Some(35), OpKind::Read { value: Some("7".into()) }),
                outcome: Outcome::Ok,
                end: Some(35),
            },
            Recorded {
                op: op(3, 26, None, OpKind::Write { value: "9".into() }),
                outcome: Outcome::Failed,
                end: Some(27),
            },
            Recorded {
                op: op(4, 50, None, OpKind::Append { value: "x".into() }),
                outcome: Outcome::Unknown,
                end: None,
            },
        ];
        for text in [to_edn(&recorded), to_jepsen_log(&recorded)] {
            let history = parse(text.as_bytes()).unwrap();
            assert_eq!(history.failed, 1);
            let got: Vec<(u64, &OpKind, bool)> =
                history.ops.iter().map(|o| (o.process, &o.kind, o.ret.is_some())).collect();
            let want: Vec<(u64, &OpKind, bool)> = recorded
                .iter()
                .filter(|r| r.outcome != Outcome::Failed)
                .map(|r| (r.op.process, &r.op.kind, r.op.ret.is_some()))
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }
}

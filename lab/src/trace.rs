//! The run's one event stream, and its two written views: a JSON Lines trace and a human log.
//!
//! Every event has a sequence number, a simulated time, the node it happened on (`lab` for
//! the harness itself: faults, starts, crashes), a kind, and kind-specific fields in a fixed
//! order. The JSON trace is the ground truth that replays are compared on; the human log is
//! the same events through `tracing`, filtered by `RUST_LOG`. See `docs/trace-format.md`.

use nodes::{Field, Level, Record};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

/// The node name used for events the harness itself emits.
pub const LAB_NODE: &str = "lab";

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: u64,
    pub t_us: u64,
    pub node: Arc<str>,
    pub record: Record,
}

impl Event {
    pub fn kind(&self) -> &str {
        self.record.kind
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.record.field(name)
    }

    /// The time the node read on its own clock when it made this event, in ms: its `local_ms`
    /// while a `clock` fault has it off true time, the simulated time otherwise.
    pub fn local_ms(&self) -> u64 {
        self.u64_field("local_ms").unwrap_or(self.t_us / 1_000)
    }

    pub fn str_field(&self, name: &str) -> Option<&str> {
        match self.field(name) {
            Some(Field::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn bool_field(&self, name: &str) -> Option<bool> {
        match self.field(name) {
            Some(Field::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn u64_field(&self, name: &str) -> Option<u64> {
        match self.field(name) {
            Some(Field::U64(v)) => Some(*v),
            _ => None,
        }
    }

    /// One JSON object: the four fixed columns first, then the record's fields in order.
    pub fn to_json_line(&self) -> String {
        let mut object = Map::new();
        object.insert("seq".into(), self.seq.into());
        object.insert("t_us".into(), self.t_us.into());
        object.insert("node".into(), Value::String(self.node.to_string()));
        object.insert("kind".into(), Value::String(self.record.kind.to_owned()));
        for (name, value) in &self.record.fields {
            object.insert((*name).to_owned(), field_json(value));
        }
        Value::Object(object).to_string()
    }

    /// The event as one human-readable line without the time (the log's timer adds it).
    pub fn human_text(&self) -> String {
        HumanText(self).to_string()
    }
}

/// An event's human-readable text, written only when a log asks for it: formatting every
/// event of a run, logged or not, cost a sixth of a madsim run.
struct HumanText<'a>(&'a Event);

impl std::fmt::Display for HumanText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.record.kind)?;
        for (name, value) in &self.0.record.fields {
            match value {
                Field::Str(s) if s.contains(' ') => write!(f, " {name}=\"{s}\"")?,
                other => write!(f, " {name}={other}")?,
            }
        }
        Ok(())
    }
}

/// `node:` padded to a column, then the event's text: one log line.
struct LogLine<'a>(&'a Event);

impl std::fmt::Display for LogLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NODE_COLUMN: usize = 10;
        let node = &self.0.node;
        write!(f, "{node}:")?;
        for _ in node.chars().count() + 1..NODE_COLUMN {
            f.write_str(" ")?;
        }
        write!(f, " {}", HumanText(self.0))
    }
}

pub(crate) fn field_json(value: &Field) -> Value {
    match value {
        Field::U64(v) => (*v).into(),
        Field::I64(v) => (*v).into(),
        Field::F64(v) => serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number),
        Field::Bool(v) => (*v).into(),
        Field::Str(v) => Value::String(v.clone()),
    }
}

/// Collects the events of one run. Shared by every host of that run (simulated hosts all run
/// on one thread, so the lock is never contended; real mode's run on one thread each);
/// bounded by `max_events`.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Mutex<RecorderState>>,
}

struct RecorderState {
    events: Vec<Event>,
    max_events: usize,
    overflowed: bool,
    closed: bool,
    /// The last message id handed out: every call of the run gets the next one.
    last_message_id: u64,
    /// What event-started faults wait for, in the order they were asked for.
    watches: Vec<Watch>,
}

/// A count of one node's records of one kind, which fires at the `nth`.
struct Watch {
    node: String,
    kind: String,
    nth: u64,
    seen: u64,
    fired: Option<Fired>,
}

/// The record that fired a watch: when it was made, and its place in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fired {
    pub t_us: u64,
    pub seq: u64,
}

/// Names a watch of a [`Recorder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchId(usize);

impl Recorder {
    pub fn new(max_events: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(RecorderState {
                events: Vec::new(),
                max_events,
                overflowed: false,
                closed: false,
                last_message_id: 0,
                watches: Vec::new(),
            })),
        }
    }

    /// Appends an event and mirrors it to the human log (a no-op when no log is installed).
    pub fn record(&self, t_us: u64, node: &Arc<str>, record: Record) {
        let mut state = self.inner.lock().expect("recorder lock poisoned");
        if state.closed {
            return;
        }
        if state.events.len() >= state.max_events {
            state.overflowed = true;
            return;
        }
        let event = Event { seq: state.events.len() as u64, t_us, node: Arc::clone(node), record };
        log_event(&event);
        for watch in &mut state.watches {
            if watch.fired.is_none() && *watch.node == *event.node && watch.kind == event.record.kind {
                watch.seen += 1;
                if watch.seen == watch.nth {
                    watch.fired = Some(Fired { t_us, seq: event.seq });
                }
            }
        }
        state.events.push(event);
    }

    /// Starts counting `node`'s records of `kind`; [`Recorder::fired`] then says when the
    /// `nth` was made (an event-started fault's trigger).
    pub fn watch(&self, node: &str, kind: &str, nth: u64) -> WatchId {
        let mut state = self.inner.lock().expect("recorder lock poisoned");
        state.watches.push(Watch { node: node.to_owned(), kind: kind.to_owned(), nth, seen: 0, fired: None });
        WatchId(state.watches.len() - 1)
    }

    /// The record that fired `watch`, once it has been made.
    pub fn fired(&self, watch: WatchId) -> Option<Fired> {
        self.inner.lock().expect("recorder lock poisoned").watches.get(watch.0).and_then(|w| w.fired)
    }

    /// A fresh id for a message (a call and its reply): 1, 2, … in the order calls are made,
    /// which the simulation makes deterministic.
    pub fn next_message_id(&self) -> u64 {
        let mut state = self.inner.lock().expect("recorder lock poisoned");
        state.last_message_id += 1;
        state.last_message_id
    }

    pub fn overflowed(&self) -> bool {
        self.inner.lock().expect("recorder lock poisoned").overflowed
    }

    /// Ends the recording: later events are neither kept nor logged. A real-mode cluster kept
    /// up after its workload goes on running, but its trace ends with the workload.
    pub fn close(&self) {
        self.inner.lock().expect("recorder lock poisoned").closed = true;
    }

    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut self.inner.lock().expect("recorder lock poisoned").events)
    }
}

thread_local! {
    /// Time of the last recorded event, for log lines written outside any simulated host.
    static LAST_RECORDED_US: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

pub fn last_recorded_us() -> u64 {
    LAST_RECORDED_US.with(|t| t.get())
}

fn log_event(event: &Event) {
    LAST_RECORDED_US.with(|t| t.set(event.t_us));
    let line = LogLine(event);
    match event.record.level {
        Level::Debug => tracing::debug!(target: "lab", "{line}"),
        Level::Info => tracing::info!(target: "lab", "{line}"),
        Level::Warn => tracing::warn!(target: "lab", "{line}"),
    }
}

/// The first place two traces differ, for `--check-determinism` and replay comparisons.
#[derive(Debug, PartialEq, Eq)]
pub struct Divergence {
    /// Index of the first differing line (0-based), equal to the shorter length if one trace
    /// is a prefix of the other.
    pub index: usize,
    /// The differing lines, fit to print: see [`printable_line`].
    pub first: Option<String>,
    pub second: Option<String>,
}

/// Compares two traces line by line, as bytes: a trace read back from disk may have been
/// edited, truncated or corrupted, and is compared as it is, never rejected or repaired.
pub fn first_divergence(first: &[u8], second: &[u8]) -> Option<Divergence> {
    let (first, second) = (lines_of(first), lines_of(second));
    let index = first.iter().zip(&second).position(|(a, b)| a != b).unwrap_or(first.len().min(second.len()));
    if index == first.len() && index == second.len() {
        return None;
    }
    let shown = |lines: &[&[u8]]| lines.get(index).map(|line| printable_line(line));
    Some(Divergence { index, first: shown(&first), second: shown(&second) })
}

/// A trace's lines; a final newline does not start an empty line.
fn lines_of(text: &[u8]) -> Vec<&[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split(|&b| b == b'\n').collect()
}

/// Longest line excerpt a report prints; a corrupted trace can hold one huge line.
const SHOWN_LINE_CHARS: usize = 400;

/// A trace line as a report may print it: invalid UTF-8 replaced, control characters escaped
/// (the terminal is never sent raw bytes from a file), and cut to a readable length.
pub fn printable_line(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut shown = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == SHOWN_LINE_CHARS {
            shown.push_str(&format!("… ({} bytes in all)", line.len()));
            break;
        }
        if c.is_control() && c != '\t' {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            seq: 3,
            t_us: 1_500,
            node: "gw-1".into(),
            record: Record::info("decision").with("key", "alpha").with("admitted", true).with("reason", "token bucket"),
        }
    }

    #[test]
    fn json_line_puts_fixed_columns_first_then_fields_in_record_order() {
        assert_eq!(
            event().to_json_line(),
            r#"{"seq":3,"t_us":1500,"node":"gw-1","kind":"decision","key":"alpha","admitted":true,"reason":"token bucket"}"#
        );
    }

    #[test]
    fn human_text_quotes_values_with_spaces() {
        assert_eq!(event().human_text(), r#"decision key=alpha admitted=true reason="token bucket""#);
    }

    #[test]
    fn divergence_names_the_first_differing_line_or_the_end_of_the_shorter_trace() {
        let (a, b) = (b"x\ny\nz\n".as_slice(), b"x\nY\nz\n".as_slice());
        assert_eq!(first_divergence(a, a), None);
        assert_eq!(first_divergence(a, b"x\ny\nz"), None, "a missing final newline is no difference");
        assert_eq!(first_divergence(a, b).map(|d| d.index), Some(1));
        let d = first_divergence(a, b"x\ny\n").expect("a prefix differs at its end");
        assert_eq!((d.index, d.first.as_deref(), d.second), (2, Some("z"), None));
        assert_eq!(first_divergence(b"", b"").map(|d| d.index), None);
    }

    #[test]
    fn a_corrupted_line_is_shown_escaped_and_cut_short() {
        let d = first_divergence(b"ok\n\x1b[2J\xff\x00tail\n", b"ok\nfine\n").unwrap();
        assert_eq!(d.first.as_deref(), Some("\\u{1b}[2J\u{fffd}\\u{0}tail"));
        let long = vec![b'a'; 10_000];
        let shown = printable_line(&long);
        assert!(shown.ends_with("… (10000 bytes in all)") && shown.chars().count() < 450, "{shown}");
    }

    #[test]
    fn recorder_stops_at_its_budget_and_says_so() {
        let recorder = Recorder::new(2);
        let node: Arc<str> = "n".into();
        for _ in 0..3 {
            recorder.record(0, &node, Record::info("tick"));
        }
        assert!(recorder.overflowed());
        assert_eq!(recorder.take_events().len(), 2);
    }
}

//! The run viewer: every run writes `seed-N.html` beside its trace, one self-contained page (no
//! network: the data, the script and the styles are inline) that draws the run as a space-time
//! diagram with its verdicts and their witnesses. The page's code lives in `lab/view/` (its
//! sources in `src/`, bundled with the d3 modules it uses into `dist/view.js` by
//! `scripts/build-view.sh`); this module only fills the template with the run's data.

use crate::checks::Verdict;
use crate::trace::{field_json, Event};
use nodes::Field;
use serde::ser::{SerializeTuple, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

const TEMPLATE: &str = include_str!("../view/template.html");
const SCRIPT: &str = include_str!("../view/dist/view.js");

/// What the page says about the run besides its events and verdicts.
pub struct RunInfo<'a> {
    pub scenario: &'a str,
    pub variant: &'a str,
    pub summary: &'a str,
    pub seed: u64,
    pub engine: &'a str,
    /// The command that replays the run, as the terminal printed it.
    pub replay: &'a str,
    pub simulated_us: u64,
    /// Every node of the run, in the scenario's order: one lane each.
    pub nodes: Vec<&'a str>,
}

/// The page for one run.
pub fn render(info: &RunInfo<'_>, verdicts: &[Verdict], events: &[Event]) -> String {
    let run = json!({
        "scenario": info.scenario,
        "variant": info.variant,
        "summary": info.summary.trim(),
        "seed": info.seed,
        "engine": info.engine,
        "replay": info.replay,
        "simulated_us": info.simulated_us,
    });
    let verdicts = verdicts.iter().map(verdict_json).collect();
    page(run, verdicts, &info.nodes, EventColumns(events))
}

/// The page for a trace file read back (`lab diff --traces … --html`): its events, no verdicts.
/// Lines that are not trace events are left out (the caller has read the file as a trace).
pub fn render_trace(title: &str, text: &str) -> String {
    let mut nodes: Vec<String> = Vec::new();
    let mut events = Vec::new();
    let mut end_us = 0;
    for line in text.lines() {
        let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(line) else { continue };
        let mut column = |key: &str| object.remove(key).unwrap_or(Value::Null);
        let (seq, t_us, node, kind) = (column("seq"), column("t_us"), column("node"), column("kind"));
        end_us = end_us.max(t_us.as_u64().unwrap_or(0));
        events.push(json!([seq, t_us, node, kind, object]));
    }
    for event in &events {
        if let Some(name) = event[2].as_str().filter(|n| *n != crate::trace::LAB_NODE && !nodes.iter().any(|k| k == n))
        {
            nodes.push(name.to_owned());
        }
    }
    let run = json!({
        "title": title,
        "summary": "a trace file: its events, without verdicts",
        "replay": "",
        "simulated_us": end_us,
    });
    page(run, Vec::new(), &nodes.iter().map(String::as_str).collect::<Vec<_>>(), events)
}

/// The data the page's script reads, in this order.
#[derive(Serialize)]
struct PageData<'a, E> {
    run: Value,
    nodes: &'a [&'a str],
    verdicts: Vec<Value>,
    /// Columns rather than objects keep the page small: [seq, t_us, node, kind, fields].
    events: E,
}

fn page(run: Value, verdicts: Vec<Value>, nodes: &[&str], events: impl Serialize) -> String {
    let data = PageData { run, nodes, verdicts, events };
    fill_in_order(
        TEMPLATE,
        &[("__LAB_DATA__", &json_in_script(&data)), ("__LAB_SCRIPT__", &SCRIPT.replace("</script", "<\\/script"))],
    )
}

/// JSON to sit inside a `<script>` element: a `</` in a string must not end the element early
/// (`<\/` is the same string to JSON).
pub(crate) fn json_in_script(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).expect("the page's data has string keys only");
    json.replace("</", "<\\/")
}

/// `template` with each placeholder, in order, replaced by its value. The template is split once
/// at each placeholder, so nothing inside a value is ever taken for a placeholder.
pub(crate) fn fill_in_order(template: &str, values: &[(&str, &str)]) -> String {
    let mut page = String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    for (placeholder, value) in values {
        let (head, tail) = rest.split_once(placeholder).expect("the template has every placeholder, in order");
        page.push_str(head);
        page.push_str(value);
        rest = tail;
    }
    page.push_str(rest);
    page
}

fn verdict_json(v: &Verdict) -> Value {
    json!({
        "check": v.check,
        "phase": v.phase,
        "result": v.result.name(),
        "figure": v.figure,
        "expected": v.expected,
        "witnesses": v.witnesses,
        "drawing": v.drawing,
    })
}

/// A run's events as the page's columns, written straight from the trace: a JSON tree per
/// event would hold a second, larger copy of a long run beside its events.
struct EventColumns<'a>(&'a [Event]);

impl Serialize for EventColumns<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(EventColumn))
    }
}

struct EventColumn<'a>(&'a Event);

impl Serialize for EventColumn<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut columns = serializer.serialize_tuple(5)?;
        columns.serialize_element(&event.seq)?;
        columns.serialize_element(&event.t_us)?;
        columns.serialize_element(&*event.node)?;
        columns.serialize_element(event.record.kind)?;
        columns.serialize_element(&EventFields(&event.record.fields))?;
        columns.end()
    }
}

struct EventFields<'a>(&'a [(&'static str, Field)]);

impl Serialize for EventFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, field_json(value))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckResult;
    use nodes::Record;
    use sha2::{Digest, Sha256};

    fn page() -> String {
        let info = RunInfo {
            scenario: "s",
            variant: "v",
            summary: "a </script> in the summary",
            seed: 7,
            engine: "turmoil",
            replay: "just replay s 7",
            simulated_us: 1_000,
            nodes: vec!["a", "b"],
        };
        let verdict = Verdict {
            check: "c".into(),
            phase: "safety",
            result: CheckResult::Fail,
            figure: "1 > 0".into(),
            expected: false,
            witnesses: vec![0],
            drawing: None,
        };
        let event = Event { seq: 0, t_us: 5, node: "a".into(), record: Record::info("x").with("note", "</script><b>") };
        render(&info, &[verdict], &[event])
    }

    #[test]
    fn the_page_is_self_contained_and_its_data_cannot_close_its_script_element() {
        let page = page();
        assert!(!page.contains("__LAB_DATA__") && !page.contains("__LAB_SCRIPT__"));
        assert!(!page.contains("src=\"http") && !page.contains("href=\"http"), "no network resources");
        let data_start = page.find("id=\"lab-data\">").expect("the data element");
        let data = &page[data_start..];
        let data = &data[..data.find("</script>").expect("the data element ends")];
        assert!(data.contains(r#""witnesses":[0]"#), "{data}");
        assert!(data.contains(r#"<\/script><b>"#), "an event's text is escaped, not cut short: {data}");
    }

    /// The committed bundle must come from the committed sources: `scripts/build-view.sh` writes
    /// their hash on its first line.
    #[test]
    fn view_bundle_is_built_from_the_current_sources() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("view/src");
        let mut files: Vec<_> = std::fs::read_dir(&src).unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "js"));
        files.sort();
        let mut hasher = Sha256::new();
        for file in files {
            hasher.update(std::fs::read(file).unwrap());
        }
        let expected = format!("// sources: {:x}", hasher.finalize());
        let first_line = SCRIPT.lines().next().unwrap_or("");
        assert_eq!(first_line, expected, "lab/view/dist/view.js is stale: run scripts/build-view.sh");
    }
}

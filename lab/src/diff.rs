//! `lab diff`: where two runs part ways, and what differs after.
//!
//! Two runs of a scenario (two seeds, two variants, two engines' traces, or any two trace
//! files) are compared event by event, ignoring `seq` (a position, not content): the first
//! event that differs names the time, the node and the event on each side. After it, each node's
//! own events are compared in order on both sides: how many differ, from when, and which kinds
//! one side recorded more of.

use crate::trace::{printable_line, Event};
use serde_json::Value;
use std::collections::BTreeMap;

/// One side's event as the comparison needs it, from a run or a trace file.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffEvent {
    pub t_us: u64,
    pub node: String,
    pub kind: String,
    /// Everything but `seq`, as the trace writes it: what two events are compared on.
    pub content: String,
}

impl DiffEvent {
    pub fn of(event: &Event) -> Self {
        Self::from_line(&event.to_json_line()).expect("the lab's own events are valid trace lines")
    }

    /// Reads one JSON Lines trace line; `Err` says what is wrong with it.
    pub fn from_line(line: &str) -> Result<Self, String> {
        let object = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Err("expected a JSON object".into()),
            Err(e) => return Err(format!("not JSON: {e}")),
        };
        // Rebuilt without `seq`, keeping the trace's column order.
        let object: serde_json::Map<String, Value> = object.into_iter().filter(|(key, _)| key != "seq").collect();
        let t_us = object.get("t_us").and_then(Value::as_u64).ok_or("expected `t_us`, a whole number")?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let node = text("node").ok_or("expected `node`, a string")?;
        let kind = text("kind").ok_or("expected `kind`, a string")?;
        Ok(Self { t_us, node, kind, content: Value::Object(object).to_string() })
    }
}

/// Reads a trace file's text, naming the line of the first malformed event.
pub fn read_trace(name: &str, text: &str) -> Result<Vec<DiffEvent>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            DiffEvent::from_line(line)
                .map_err(|why| format!("{name}:{}: {why}: {}", i + 1, printable_line(line.as_bytes())))
        })
        .collect()
}

/// Where two runs part ways.
#[derive(Debug, PartialEq)]
pub struct Difference {
    /// Index (the `seq` on both sides) of the first differing event.
    pub index: usize,
    pub first: Option<DiffEvent>,
    pub second: Option<DiffEvent>,
    /// Per node whose events differ after the divergence, what differs.
    pub by_node: BTreeMap<String, NodeDifference>,
}

/// How one node's events differ after the runs part ways, compared in the node's own order.
#[derive(Debug, PartialEq, Default)]
pub struct NodeDifference {
    /// When the node's first differing event happened (on whichever side has it first).
    pub from_us: u64,
    /// Positions where the two sides' events differ, counting the longer side's extra ones.
    pub differing: u64,
    pub total_a: u64,
    pub total_b: u64,
    /// (kind, count on side a, on side b) for the kinds whose counts differ.
    pub kinds: Vec<(String, u64, u64)>,
}

/// Each node's events, in order.
fn per_node(events: &[DiffEvent]) -> BTreeMap<&str, Vec<&DiffEvent>> {
    let mut nodes: BTreeMap<&str, Vec<&DiffEvent>> = BTreeMap::new();
    for event in events {
        nodes.entry(event.node.as_str()).or_default().push(event);
    }
    nodes
}

/// `None` when the runs are event for event the same.
pub fn compare(first: &[DiffEvent], second: &[DiffEvent]) -> Option<Difference> {
    let index = first.iter().zip(second).position(|(a, b)| a != b).unwrap_or(first.len().min(second.len()));
    if index == first.len() && index == second.len() {
        return None;
    }
    let (nodes_a, nodes_b) = (per_node(&first[index..]), per_node(&second[index..]));
    let names: std::collections::BTreeSet<&str> = nodes_a.keys().chain(nodes_b.keys()).copied().collect();
    let mut by_node = BTreeMap::new();
    for name in names {
        let (a, b) =
            (nodes_a.get(name).map_or(&[][..], Vec::as_slice), nodes_b.get(name).map_or(&[][..], Vec::as_slice));
        let mismatched = a.iter().zip(b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len());
        if mismatched == 0 {
            continue;
        }
        let first_at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        let from_us = [a.get(first_at), b.get(first_at)].into_iter().flatten().map(|e| e.t_us).min().unwrap_or(0);
        let mut kinds: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        a.iter().for_each(|e| kinds.entry(&e.kind).or_default().0 += 1);
        b.iter().for_each(|e| kinds.entry(&e.kind).or_default().1 += 1);
        let kinds = kinds.into_iter().filter(|(_, (x, y))| x != y).map(|(k, (x, y))| (k.to_owned(), x, y)).collect();
        by_node.insert(
            name.to_owned(),
            NodeDifference {
                from_us,
                differing: mismatched as u64,
                total_a: a.len() as u64,
                total_b: b.len() as u64,
                kinds,
            },
        );
    }
    Some(Difference { index, first: first.get(index).cloned(), second: second.get(index).cloned(), by_node })
}

/// The report `lab diff` prints, naming the two sides `a` and `b`.
pub fn report(a: &str, b: &str, first_len: usize, second_len: usize, difference: Option<&Difference>) -> String {
    let Some(d) = difference else {
        return format!("identical: {a} and {b} are the same {first_len} events, in the same order\n");
    };
    let side = |event: &Option<DiffEvent>| match event {
        Some(e) => format!("{:>10}  {:<10} {}", crate::checks::seconds(e.t_us), e.node, e.content),
        None => "(the run ended here)".to_owned(),
    };
    let mut out = format!("first difference at event #{} (seq {} on both sides):\n", d.index, d.index);
    out.push_str(&format!("  a: {}\n  b: {}\n", side(&d.first), side(&d.second)));
    out.push_str(&format!("  (a: {a}, {first_len} events; b: {b}, {second_len} events)\n"));
    if d.by_node.is_empty() {
        out.push_str("\nafter it, every node records the same events on both sides, interleaved differently\n");
        return out;
    }
    out.push_str("\nafter it, per node (its own events compared in order, a vs b):\n");
    for (node, n) in &d.by_node {
        let kinds: Vec<String> = n.kinds.iter().map(|(kind, x, y)| format!("{kind} {x} vs {y}")).collect();
        let kinds = if kinds.is_empty() { "the same kinds, as many of each".to_owned() } else { kinds.join(", ") };
        out.push_str(&format!(
            "  {node:<10} from {:>10}: {} of {} vs {} events differ; {kinds}\n",
            crate::checks::seconds(n.from_us),
            n.differing,
            n.total_a,
            n.total_b
        ));
    }
    out
}

const PAGE_TEMPLATE: &str = include_str!("../view/diff.html");

/// The page of `lab diff --html`: both sides' viewer pages (`crate::view`), one above the
/// other on one time axis that zooms as one, the first difference marked on both, and the
/// report above them.
pub fn page(names: (&str, &str), report: &str, difference: Option<&Difference>, pages: (&str, &str)) -> String {
    use crate::view::{fill_in_order, json_in_script};
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let difference = difference.map(|d| {
        let at = [&d.first, &d.second].into_iter().flatten().map(|e| e.t_us).min().unwrap_or(0);
        serde_json::json!({ "index": d.index, "t_us": at })
    });
    fill_in_order(
        PAGE_TEMPLATE,
        &[
            ("__REPORT__", &escape(report)),
            ("__NAME_A__", &escape(names.0)),
            ("__NAME_B__", &escape(names.1)),
            ("__PAGE_A__", &json_in_script(&Value::from(pages.0))),
            ("__PAGE_B__", &json_in_script(&Value::from(pages.1))),
            ("__DIFFERENCE__", &json_in_script(&difference.unwrap_or(Value::Null))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, t_us: u64, node: &str, kind: &str, extra: &str) -> String {
        format!(r#"{{"seq":{seq},"t_us":{t_us},"node":"{node}","kind":"{kind}"{extra}}}"#)
    }

    fn trace(lines: &[String]) -> Vec<DiffEvent> {
        read_trace("t", &lines.join("\n")).unwrap()
    }

    #[test]
    fn identical_runs_have_no_difference() {
        let a = trace(&[line(0, 0, "n", "start", ""), line(1, 5, "n", "x", r#","v":1"#)]);
        assert_eq!(compare(&a, &a.clone()), None);
        assert!(report("a", "b", 2, 2, None).starts_with("identical"));
    }

    #[test]
    fn the_first_difference_is_named_and_later_counts_are_compared_per_node() {
        let a = trace(&[
            line(0, 0, "n", "start", ""),
            line(1, 5, "gw", "decision", r#","admitted":true"#),
            line(2, 6, "gw", "decision", r#","admitted":true"#),
            line(3, 7, "c", "response", ""),
        ]);
        let b = trace(&[
            line(0, 0, "n", "start", ""),
            line(1, 5, "gw", "decision", r#","admitted":false"#),
            line(2, 7, "c", "response", ""),
        ]);
        let d = compare(&a, &b).expect("they differ");
        assert_eq!(d.index, 1);
        assert!(d.first.as_ref().unwrap().content.contains(r#""admitted":true"#));
        assert!(d.second.as_ref().unwrap().content.contains(r#""admitted":false"#));
        let gw = &d.by_node["gw"];
        assert_eq!((gw.from_us, gw.differing, gw.total_a, gw.total_b), (5, 2, 2, 1));
        assert_eq!(gw.kinds, vec![("decision".to_owned(), 2, 1)]);
        assert_eq!(d.by_node.get("c"), None, "the same response on each side");
        let text = report("seed 1", "seed 2", 4, 3, Some(&d));
        assert!(text.contains("gw         from    0.000 s: 2 of 2 vs 1 events differ; decision 2 vs 1"), "{text}");
    }

    #[test]
    fn a_run_that_is_a_prefix_of_the_other_differs_where_it_ends() {
        let a = trace(&[line(0, 0, "n", "start", "")]);
        let b = trace(&[line(0, 0, "n", "start", ""), line(1, 3, "n", "x", "")]);
        let d = compare(&a, &b).unwrap();
        assert_eq!((d.index, d.first.is_none()), (1, true));
        assert!(report("a", "b", 1, 2, Some(&d)).contains("(the run ended here)"));
    }

    #[test]
    fn a_malformed_trace_line_is_an_error_naming_file_and_line() {
        let text = format!("{}\n{{\"seq\":1}}\n", line(0, 0, "n", "start", ""));
        let error = read_trace("a.jsonl", &text).unwrap_err();
        assert!(error.starts_with("a.jsonl:2: expected `t_us`"), "{error}");
        assert!(read_trace("a.jsonl", "not json").unwrap_err().starts_with("a.jsonl:1: not JSON"));
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn the_diff_page_carries_both_pages_as_strings_that_cannot_close_their_script_elements() {
        let a = read_trace("a", r#"{"seq":0,"t_us":7,"node":"n","kind":"x","v":"</script>"}"#).unwrap();
        let b = read_trace("b", r#"{"seq":0,"t_us":9,"node":"n","kind":"x"}"#).unwrap();
        let difference = compare(&a, &b);
        let page = page(("a <1>", "b"), "report & more", difference.as_ref(), ("<p>A</p></script>", "<p>B</p>"));
        assert!(page.contains("a &lt;1&gt;") && page.contains("report &amp; more"), "names and report are escaped");
        assert!(page.contains(r#""<p>A<\/p><\/script>""#), "a side's page is a JSON string, `</` escaped");
        assert!(page.contains(r#"{"index":0,"t_us":7}"#), "the first difference, at the earlier side's time");
        assert_eq!(page.matches("</script>").count(), 4, "only the page's own four script elements end");
    }
}

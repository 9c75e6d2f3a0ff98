//! The run viewer: every run writes `seed-N.html` beside its trace, one self-contained page (no
//! network: the data, the script and the styles are inline) that draws the run as a space-time
//! diagram with its verdicts and their witnesses. The page's code lives in `lab/view/` (its
//! sources in `src/`, bundled with the d3 modules it uses into `dist/view.js` by
//! `scripts/build-view.sh`); this module only fills the template with the run's data.

use crate::checks::Verdict;
use crate::trace::{field_json, Event};
use serde_json::{json, Map, Value};

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
    let data = json!({
        "run": {
            "scenario": info.scenario,
            "variant": info.variant,
            "summary": info.summary.trim(),
            "seed": info.seed,
            "engine": info.engine,
            "replay": info.replay,
            "simulated_us": info.simulated_us,
        },
        "nodes": info.nodes,
        "verdicts": verdicts.iter().map(verdict_json).collect::<Vec<_>>(),
        // Columns rather than objects keep the page small: [seq, t_us, node, kind, fields].
        "events": events.iter().map(event_json).collect::<Vec<_>>(),
    });
    // The data sits in a <script> element: "</" inside a string must not end it early.
    let data = data.to_string().replace("</", "<\\/");
    // Split once at each placeholder so that nothing inside the data or the script is replaced.
    let (head, rest) = TEMPLATE.split_once("__LAB_DATA__").expect("the template has a data placeholder");
    let (middle, tail) = rest.split_once("__LAB_SCRIPT__").expect("the template has a script placeholder");
    let mut page = String::with_capacity(TEMPLATE.len() + data.len() + SCRIPT.len());
    page.push_str(head);
    page.push_str(&data);
    page.push_str(middle);
    page.push_str(&SCRIPT.replace("</script", "<\\/script"));
    page.push_str(tail);
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
    })
}

fn event_json(e: &Event) -> Value {
    let fields: Map<String, Value> =
        e.record.fields.iter().map(|(name, value)| ((*name).to_owned(), field_json(value))).collect();
    json!([e.seq, e.t_us, &*e.node, e.record.kind, fields])
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

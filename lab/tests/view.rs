//! The run viewer in a real browser: a failing run's `seed-N.html` opened in headless Chromium
//! (Debian's `chromium`; `.ci/run` installs it, `CHROMIUM` overrides its path). The page must
//! draw lanes, arrows, fault bands and records, list the failed check with a witness link, and
//! highlight the witnesses when the link is clicked. A screenshot of the result is saved.
#![cfg(not(madsim))]

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn chromium() -> PathBuf {
    let path = PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    assert!(
        path.exists(),
        "no browser at {}: install Debian's chromium (apt-get install chromium) or set CHROMIUM",
        path.display()
    );
    path
}

/// Runs `variant` of `scenario`, expecting exit `code`, and returns its page.
fn run_page(out: &Path, scenario: &str, variant: &str, code: i32) -> PathBuf {
    let output = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["run", scenario, "--variant", variant, "--out"])
        .arg(out)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(code), "variant {variant}:\n{stdout}");
    let page = stdout.lines().find_map(|l| l.strip_prefix("view:    ")).expect("the run prints its page");
    PathBuf::from(page.split(" (").next().unwrap())
}

/// A failing variant with a partition in its schedule.
fn failing_run_page(out: &Path) -> PathBuf {
    run_page(out, "rate-limiter", "central-fail-open", 1)
}

fn open(page: &Path) -> (Browser, std::sync::Arc<Tab>) {
    let (browser, tab) = launch();
    tab.navigate_to(&format!("file://{}", page.canonicalize().unwrap().display())).unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("#paint-time").unwrap();
    (browser, tab)
}

fn launch() -> (Browser, std::sync::Arc<Tab>) {
    let options = LaunchOptions::default_builder()
        .path(Some(chromium()))
        .headless(true)
        .sandbox(false) // CI runs as root, where Chromium's sandbox refuses to start
        .window_size(Some((1400, 1000)))
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let browser = Browser::new(options).unwrap();
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(60));
    (browser, tab)
}

/// The speed figure for the largest page the scenarios make (the rate limiter's default run):
/// time from the script's start to the first drawn diagram, as the page measures it. A
/// benchmark, not a test: `just bench-view` runs it and prints the figure (README, "Speed").
#[test]
#[ignore = "a benchmark: just bench-view"]
fn first_paint_of_the_largest_page() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view-bench");
    let page = run_page(&out, "rate-limiter", "sync", 0);
    let bytes = std::fs::metadata(&page).unwrap().len();
    // (from the script's start, from the page's navigation start) to the first diagram
    let mut paints = Vec::new();
    for _ in 0..5 {
        let (_browser, tab) = open(&page);
        let drawn = stats(&tab);
        paints.push((drawn["sinceNavigationMs"].as_u64().unwrap(), drawn["firstPaintMs"].as_u64().unwrap()));
    }
    paints.sort_unstable();
    let events = std::fs::read_to_string(page.with_extension("trace.jsonl")).unwrap().lines().count();
    println!(
        "first paint of {} ({events} events, {:.1} MB), from the page starting to load: median {} ms, min {} ms, max {} ms over 5 loads (the script's own share, median: {} ms)",
        page.display(),
        bytes as f64 / 1e6,
        paints[2].0,
        paints[0].0,
        paints[4].0,
        paints[2].1
    );
}

fn stats(tab: &Tab) -> Value {
    let result = tab.evaluate("JSON.stringify(window.labView.stats())", false).unwrap();
    serde_json::from_str(result.value.unwrap().as_str().unwrap()).unwrap()
}

fn count(tab: &Tab, selector: &str) -> u64 {
    let result = tab.evaluate(&format!("document.querySelectorAll({selector:?}).length"), false).unwrap();
    result.value.unwrap().as_u64().unwrap()
}

#[test]
fn a_failing_runs_page_draws_the_run_and_highlights_the_witnesses_of_the_failed_check() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view-test");
    let page = failing_run_page(&out);
    let (_browser, tab) = open(&page);

    let drawn = stats(&tab);
    eprintln!("first paint: {} ms; drawn: {drawn}", drawn["firstPaintMs"]);
    let lanes = drawn["lanes"].as_u64().unwrap();
    assert_eq!(lanes, 7, "3 clients, 3 gateways and the limiter: {drawn}");
    assert_eq!(count(&tab, ".lane-label"), lanes);
    assert!(drawn["arrows"].as_u64().unwrap() > 1_000, "messages drawn as arrows: {drawn}");
    assert!(drawn["marks"].as_u64().unwrap() > 1_000, "node records drawn as marks: {drawn}");
    assert!(drawn["faultBands"].as_u64().unwrap() >= 2, "the partition shades gw-1's and the limiter's lanes: {drawn}");
    assert_eq!(drawn["highlighted"].as_u64(), Some(0), "nothing highlighted before a witness is asked for");
    assert!(count(&tab, "#verdicts tr.fail") >= 1, "the failed check is in the verdict table");

    tab.wait_for_element("#verdicts tr.fail a.witness-link").unwrap().click().unwrap();
    tab.wait_for_element("#witnesses table.events").unwrap();
    let lit = stats(&tab);
    let witnesses = count(&tab, "#witnesses table.events tr") - 1;
    assert!(witnesses > 0, "the witnesses are listed");
    assert!(lit["highlighted"].as_u64().unwrap() >= witnesses.min(200), "every listed witness is highlighted: {lit}");
    // The diagram zoomed to the witnesses: a narrower window than the whole run, around them.
    let window = |s: &Value| (s["windowStart"].as_f64().unwrap(), s["windowEnd"].as_f64().unwrap());
    let ((whole_start, whole_end), (start, end)) = (window(&drawn), window(&lit));
    assert!(end - start < (whole_end - whole_start) / 2.0, "zoomed in: {lit}");
    let first_witness = tab.evaluate("Number(document.querySelector('#witnesses table.events tr:nth-child(2) td:nth-child(2)').textContent.split(' ')[0]) * 1e6", false).unwrap();
    let first_witness_us = first_witness.value.unwrap().as_f64().unwrap();
    assert!((start..=end).contains(&first_witness_us), "the first witness at {first_witness_us} µs is in view: {lit}");

    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    let shot = out.join("witnesses.png");
    // Also the page as it first opens, verdict table on top (README walkthrough).
    tab.evaluate("window.scrollTo(0, 0)", false).unwrap();
    let top = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(out.join("top.png"), top).unwrap();
    std::fs::write(&shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn an_event_started_fault_is_drawn_from_the_record_that_set_it_off() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view-trigger");
    let page = run_page(&out, "idempotent-retries", "key-in-memory", 1);
    let (_browser, tab) = open(&page);
    let drawn = stats(&tab);
    assert_eq!(drawn["triggers"].as_u64(), Some(1), "the crash's link to the ledger's 900th charge: {drawn}");
    let label = tab
        .evaluate(
            "window.labView.model.faults.filter((f) => f.trigger !== undefined).map((f) => f.label).join('|')",
            false,
        )
        .unwrap();
    let label = label.value.unwrap();
    assert!(label.as_str().unwrap().contains("crash payments — on ledger charge-applied #900"), "{label}");
    assert_eq!(count(&tab, ".untriggered"), 0, "the event came, so no fault is reported as never started");
}

#[test]
fn the_diff_page_draws_both_runs_on_one_time_axis_that_zooms_as_one() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view-diff");
    let output = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["diff", "circuit-breaker", "1", "--variant", "breaker", "--variant-b", "no-breaker", "--html", "--out"])
        .arg(&out)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "two variants differ:\n{stdout}");
    let page = stdout.lines().find_map(|l| l.strip_prefix("view:   ")).expect("the diff prints its page");
    let page = PathBuf::from(page.split(" (").next().unwrap());
    let (_browser, tab) = open_diff(&page);

    let number = |script: &str| tab.evaluate(script, false).unwrap().value.unwrap().as_f64().unwrap();
    let end = number("labDiff.end");
    assert_eq!(number("labDiff.views[0].model.end"), end, "one time axis");
    assert_eq!(number("labDiff.views[1].model.end"), end, "one time axis");
    assert!(number("labDiff.difference.index") >= 0.0, "the first difference is known to the page");
    assert_eq!(number("labDiff.views[1].model.data.verdicts.length"), 3.0, "each side is the run's own page");
    // Zooming one diagram moves the other to the same window.
    tab.evaluate("labDiff.views[0].showWindow(20e6, 22e6)", false).unwrap();
    let (from, to) = (number("labDiff.views[1].currentWindow()[0]"), number("labDiff.views[1].currentWindow()[1]"));
    assert!((from - 20e6).abs() < 1e3 && (to - 22e6).abs() < 1e3, "b follows a: {from}..{to}");
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(out.join("diff.png"), png).unwrap();
}

fn open_diff(page: &Path) -> (Browser, std::sync::Arc<Tab>) {
    let (browser, tab) = launch();
    tab.navigate_to(&format!("file://{}", page.canonicalize().unwrap().display())).unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("body[data-linked]").unwrap();
    (browser, tab)
}

//! Every variant of every scenario file in `scenarios/` does what its file says — a correct
//! variant passes every check, a broken one fails exactly the checks it is built to fail — on
//! the default seed, the run a new user sees first. The same runs guard the trace format: the
//! SHA-256 of each trace (seeds 1 and 2) must match `tests/golden/trace-hashes.txt`.
//!
//! A new scenario file is covered without editing this test. When a trace is meant to change,
//! `just bless` rewrites the golden file; the commit says why.

mod common;

use lab::runner::run_and_judge;
use lab::scenario::Scenario;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn lab_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_lab"))
}

/// The seeds whose trace hashes are pinned, for every variant of every scenario.
const GOLDEN_SEEDS: [u64; 2] = [1, 2];

fn golden_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/trace-hashes.txt")
}

/// Every scenario file in the repository's `scenarios/`, by file stem, in name order.
fn repository_scenarios() -> Vec<(String, Scenario)> {
    let dir = common::repo_root().join("scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no scenario files in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                Scenario::load(&p).unwrap_or_else(|d| panic!("{d}")),
            )
        })
        .collect()
}

/// `scenario variant seed` → hex SHA-256 of the trace, as the golden file lists them.
fn read_golden() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(golden_file()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (key, hash) = l.rsplit_once(' ').unwrap_or_else(|| panic!("malformed golden line: {l}"));
            (key.to_owned(), hash.to_owned())
        })
        .collect()
}

fn write_golden(hashes: &BTreeMap<String, String>) {
    let mut text = String::from("# SHA-256 of the JSON Lines trace of every variant of every scenario, seeds 1 and 2.\n# Rewritten only by `just bless`, when a change is meant to change traces.\n");
    for (key, hash) in hashes {
        text.push_str(&format!("{key} {hash}\n"));
    }
    std::fs::create_dir_all(golden_file().parent().unwrap()).unwrap();
    std::fs::write(golden_file(), text).unwrap();
}

#[test]
fn every_variant_fails_exactly_its_expected_checks_and_every_trace_matches_its_golden_hash() {
    let scratch = std::env::temp_dir().join(format!("lab-golden-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let scenarios = repository_scenarios();
    // Every (scenario, variant, seed) run, spread over the machine's cores.
    let runs: Vec<(&str, &Scenario, &lab::scenario::Variant, u64)> = scenarios
        .iter()
        .flat_map(|(name, s)| s.variants.iter().flat_map(move |v| GOLDEN_SEEDS.map(|seed| (name.as_str(), s, v, seed))))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..lab::sweep::default_jobs() {
            scope.spawn(|| {
                while let Some(&(name, scenario, variant, seed)) =
                    runs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    // In its own process, exactly as `just scenario` runs it.
                    let trace = scratch.join(format!("{name}-{}-{seed}.jsonl", variant.name));
                    let outcome = lab::sweep::run_seed_isolated(
                        lab_exe(),
                        lab::engine::Engine::Turmoil,
                        scenario,
                        variant,
                        seed,
                        Some(&trace),
                    );
                    let bytes = std::fs::read(&trace);
                    let hash = bytes.as_ref().ok().map(|bytes| format!("{:x}", Sha256::digest(bytes)));
                    let records = bytes.as_ref().map(|bytes| records_by_kind(variant, bytes)).unwrap_or_default();
                    results.lock().unwrap().push((name, scenario, variant, seed, outcome, hash, records));
                }
            });
        }
    });
    let mut hashes = BTreeMap::new();
    let mut problems = Vec::new();
    let mut recorded = BTreeSet::new();
    for (name, scenario, variant, seed, outcome, hash, records) in results.into_inner().unwrap() {
        recorded.extend(records);
        let key = format!("{name} {} {seed}", variant.name);
        if let Some(error) = &outcome.error {
            problems.push(format!("{key}: the run failed: {error}"));
            continue;
        }
        if seed == scenario.default_seed {
            let failed: Vec<&str> = outcome.failures.iter().map(|(check, _)| check.as_str()).collect();
            let inconclusive: Vec<&str> = outcome.inconclusive.iter().map(|(check, _)| check.as_str()).collect();
            if let Err(how) = variant.promise_kept(&failed, &inconclusive) {
                problems.push(format!("{key}: {how}: {:#?} {:#?}", outcome.failures, outcome.inconclusive));
            }
        }
        hashes.insert(key, hash.expect("a completed run writes its trace"));
    }
    problems.extend(undeclared_or_unseen_records(&recorded));
    for (name, scenario) in &scenarios {
        if scenario.variants.iter().all(|v| v.is_correct()) {
            problems.push(format!("{name} needs a broken variant to prove its checks can fail"));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if std::env::var_os("BLESS").is_some() {
        write_golden(&hashes);
    } else {
        let golden = read_golden();
        for (key, hash) in &hashes {
            match golden.get(key) {
                None => problems.push(format!("{key}: no golden hash (a new scenario or variant? run `just bless` and say why in the commit)")),
                Some(expected) if expected != hash => problems.push(format!("{key}: trace changed (golden {expected}, now {hash}); if meant, `just bless` and say why in the commit")),
                Some(_) => {}
            }
        }
        for key in golden.keys().filter(|k| !hashes.contains_key(*k)) {
            problems.push(format!("{key}: in the golden file but no longer run (run `just bless`)"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The (node kind, record kind) pairs a trace holds, the harness's own events left out.
fn records_by_kind(variant: &lab::scenario::Variant, trace: &[u8]) -> BTreeSet<(&'static str, String)> {
    let kinds: BTreeMap<&str, &'static str> = variant.nodes.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    String::from_utf8_lossy(trace)
        .lines()
        .filter_map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).ok()?;
            let kind = kinds.get(event["node"].as_str()?)?;
            Some((*kind, event["kind"].as_str()?.to_owned()))
        })
        .collect()
}

/// A fault's `when` may only wait for a record its node's kind declares it makes
/// (`NodeKindDef::records`): every record the runs made must be declared, and every declared
/// record must show up in some run, so the list the scenario checker trusts is the truth.
fn undeclared_or_unseen_records(recorded: &BTreeSet<(&'static str, String)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (kind, record) in recorded {
        if !lab::family::records_of(kind).contains(&record.as_str()) {
            problems.push(format!("a {kind} recorded `{record}`, which its NodeKindDef::records does not declare"));
        }
    }
    for def in lab::family::node_kinds() {
        for record in def.records {
            if !recorded.contains(&(def.name, (*record).to_owned())) {
                problems.push(format!("a {} declares `{record}`, but no run recorded one", def.name));
            }
        }
    }
    problems
}

#[test]
fn the_double_charge_figure_names_the_first_payment_charged_twice() {
    let scenario = common::repo_scenario("idempotent-retries");
    let outcome = lab::sweep::run_seed_isolated(
        lab_exe(),
        lab::engine::Engine::Turmoil,
        &scenario,
        scenario.variant("no-key").unwrap(),
        scenario.default_seed,
        None,
    );
    let (_, figure) =
        outcome.failures.iter().find(|(check, _)| check == "exactly-once").expect("no-key double-charges");
    assert!(figure.contains("charged more than once (first: payer-"), "{figure}");
}

#[test]
fn the_buggy_variant_is_caught_by_the_conformance_check_with_a_telling_figure() {
    let scenario = common::repo_scenario("rate-limiter");
    let judged =
        run_and_judge(&scenario, scenario.variant("full-limit-per-gateway").unwrap(), scenario.default_seed).unwrap();
    let conformance = judged.verdicts.iter().find(|v| v.check == "limit-conformance").unwrap();
    assert!(!conformance.passed());
    let admitted: u64 = conformance
        .figure
        .split("window: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        admitted > 120,
        "three gateways each admitting the full limit should show well over it: {}",
        conformance.figure
    );
}

#[test]
fn correct_variants_pass_a_sweep_of_fresh_seeds() {
    // The full sweeps run in release with `just sweep <name> 500 --start-seed …` (README); the
    // test suite keeps a smaller one so that it stays fast.
    for (name, scenario) in repository_scenarios() {
        for variant in scenario.variants.iter().filter(|v| v.is_correct()) {
            let outcomes = lab::sweep::sweep(
                lab_exe(),
                lab::engine::Engine::Turmoil,
                &scenario,
                variant,
                lab::sweep::Seeds { first: 100, count: 4 },
                2,
                |_| {},
            );
            let failed: Vec<_> = outcomes
                .iter()
                .filter(|o| !o.passed())
                .map(|o| (o.seed, o.failures.clone(), o.inconclusive.clone(), o.error.clone()))
                .collect();
            assert!(failed.is_empty(), "{name}/{}: {failed:#?}", variant.name);
        }
    }
}

#[test]
fn another_shape_of_file_just_runs_five_gateways_and_another_limit() {
    let text = common::small_with("count = 2", "count = 5")
        .replace("limit_per_second = 40", "limit_per_second = 25")
        .replace("gw-2 = 1", "gw-5 = 1");
    let scenario = common::parse(&text).unwrap();
    let judged = run_and_judge(&scenario, scenario.variant("undivided").unwrap(), 3).unwrap();
    let gateways_that_decided: std::collections::BTreeSet<&str> =
        judged.run.events.iter().filter(|e| e.kind() == "decision").map(|e| &*e.node).collect();
    assert_eq!(gateways_that_decided.into_iter().collect::<Vec<_>>(), ["gw-1", "gw-5"]);
    assert!(!judged.passed(), "undivided limits across 5 gateways break a 25/s limit");
}

//! The fuzzer in `just test`: a fixed-seed budget of every target with the regression inputs
//! replayed first, and proof that the fuzzer itself catches what it claims to — a planted
//! panic (found, shrunk and saved), a planted hang and a planted abort.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn fuzz(args: &[&str], plant: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lab-fuzz"));
    command.arg("--lab").arg(env!("CARGO_BIN_EXE_lab")).args(args);
    match plant {
        Some(kind) => command.env("LAB_FUZZ_PLANT", kind),
        None => command.env_remove("LAB_FUZZ_PLANT"),
    };
    command.output().expect("lab-fuzz runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The budget `just test` runs: a few thousand cases, seed 1, every regression input first.
#[test]
fn a_fixed_budget_of_every_target_finds_nothing_and_the_regressions_stay_fixed() {
    for (targets, cases) in [
        (&["--target", "scenarios", "--target", "traces", "--target", "histories"][..], "1000"),
        (&["--target", "args"][..], "100"),
    ] {
        let output = fuzz(&[targets, &["--cases", cases, "--seed", "1"]].concat(), None);
        let text = text(&output);
        assert_eq!(output.status.code(), Some(0), "{text}");
        assert!(text.contains("0 still failing"), "{text}");
        assert!(text.contains("no panics, aborts, hangs or unlocated errors"), "{text}");
        for target in targets.iter().filter(|t| !t.starts_with("--")) {
            assert!(text.contains(&format!("{target:<10} {cases:>8} cases")), "{text}");
        }
    }
}

/// A corpus of one real scenario plus one that carries the planted marker.
fn planted_corpus(dir: &Path) -> PathBuf {
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    let breaker = common::repo_root().join("scenarios/circuit-breaker.toml");
    std::fs::copy(&breaker, scenarios.join("circuit-breaker.toml")).unwrap();
    let marked = std::fs::read_to_string(&breaker).unwrap().replace("[run]", "# PLANTED\n[run]");
    std::fs::write(scenarios.join("marked.toml"), marked).unwrap();
    scenarios
}

#[test]
fn a_planted_panic_is_found_shrunk_and_saved_then_replayed() {
    let dir = scratch("panic");
    let scenarios = planted_corpus(&dir);
    let regressions = dir.join("regressions");
    let args = ["--target", "scenarios", "--cases", "40", "--scenarios-dir", scenarios.to_str().unwrap()];
    let output = fuzz(&[&args[..], &["--regressions", regressions.to_str().unwrap()]].concat(), Some("panic"));
    let text = text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("panic at lab/src/bin/lab-fuzz/targets.rs"), "{text}");
    let saved = std::fs::read_dir(regressions.join("scenarios")).unwrap().next().unwrap().unwrap().path();
    let input = std::fs::read(&saved).unwrap();
    assert_eq!(input, b"PLANTED", "shrunk to the marker: {:?}", String::from_utf8_lossy(&input));

    // Replayed first on every later run, and still failing while the defect is there.
    let replay = fuzz(&["--replay-only", "--regressions", regressions.to_str().unwrap()], Some("panic"));
    assert_eq!(replay.status.code(), Some(1), "{}", self::text(&replay));
    assert!(self::text(&replay).contains("1 still failing"));
    let fixed = fuzz(&["--replay-only", "--regressions", regressions.to_str().unwrap()], None);
    assert_eq!(fixed.status.code(), Some(0), "{}", self::text(&fixed));
}

#[test]
fn a_planted_hang_and_a_planted_abort_are_findings_not_a_stuck_or_dead_fuzzer() {
    for (kind, signature) in [("hang", "scenarios: hang"), ("abort", "scenarios: worker died")] {
        let dir = scratch(kind);
        let regressions = dir.join("regressions");
        std::fs::create_dir_all(regressions.join("scenarios")).unwrap();
        std::fs::write(regressions.join("scenarios/planted.toml"), "PLANTED").unwrap();
        std::fs::write(regressions.join("scenarios/fine.toml"), "name = 1").unwrap();
        let output =
            fuzz(&["--replay-only", "--timeout", "2", "--regressions", regressions.to_str().unwrap()], Some(kind));
        let text = text(&output);
        assert_eq!(output.status.code(), Some(1), "{kind}: {text}");
        assert!(text.contains("1 still failing"), "{kind}: the other input is judged clean: {text}");
        assert!(text.contains(signature), "{kind}: {text}");
    }
}

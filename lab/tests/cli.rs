//! The `lab` command as a user meets it: exit codes (0 pass, 1 a check failed, 2 bad input),
//! the replay command printed on failure, replays that match, and `--check-determinism`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `lab` with `args`; runs and replays write their files under `out_dir`.
fn lab(args: &[&str], out_dir: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lab"));
    command.args(args).arg("--scenarios-dir").arg(common::repo_root().join("scenarios"));
    if matches!(args.first(), Some(&"run" | &"replay" | &"shrink")) {
        command.arg("--out").arg(out_dir);
    }
    command.output().expect("the lab binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_broken_variant_exits_1_and_prints_its_replay_command_and_files() {
    let out = scratch("broken");
    let run = lab(&["run", "circuit-breaker", "--variant", "no-breaker"], &out);
    let text = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{text}");
    assert!(text.contains("healthy-availability  liveness  FAIL*"), "{text}");
    assert!(text.contains("replay:  just replay circuit-breaker 1 --variant no-breaker"), "{text}");
    let trace = out.join("circuit-breaker/no-breaker/seed-1.trace.jsonl");
    assert!(text.contains(&trace.display().to_string()), "the trace path is printed:\n{text}");
    let log = std::fs::read_to_string(out.join("circuit-breaker/no-breaker/seed-1.log")).unwrap();
    assert!(
        log.lines().any(|l| l.contains("INFO") && l.contains("front")),
        "the human log names nodes:\n{}",
        &log[..log.len().min(500)]
    );
    assert!(std::fs::metadata(&trace).unwrap().len() > 0);
}

#[test]
fn a_correct_variant_exits_0_and_its_replay_is_identical() {
    let out = scratch("replay");
    let first = lab(&["run", "idempotent-retries", "3"], &out);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let replay = lab(&["replay", "idempotent-retries", "3"], &out);
    let text = stdout(&replay);
    assert_eq!(replay.status.code(), Some(0), "{text}");
    assert!(text.contains("replay:  identical to the earlier trace, event for event"), "{text}");

    // An edited or corrupted earlier trace: the difference is shown escaped, and the earlier
    // trace is kept, not overwritten by the replay.
    let trace = out.join("idempotent-retries/idempotency-key/seed-3.trace.jsonl");
    let corrupted = b"garbage \x1b[2J\xff\n".to_vec();
    std::fs::write(&trace, &corrupted).unwrap();
    let replay = lab(&["replay", "idempotent-retries", "3"], &out);
    let text = stdout(&replay);
    assert!(text.contains("DIFFERS from the earlier trace at event #0"), "{text}");
    assert!(text.contains("before: garbage \\u{1b}[2J\u{fffd}"), "{text}");
    let kept = out.join("idempotent-retries/idempotency-key/seed-3.trace.earlier.jsonl");
    assert!(text.contains(&format!("the earlier trace is kept as {}", kept.display())), "{text}");
    assert_eq!(std::fs::read(&kept).unwrap(), corrupted);

    // An earlier trace that cannot be read is bad input, never mistaken for "no trace yet".
    std::fs::remove_file(&trace).unwrap();
    std::fs::create_dir(&trace).unwrap();
    let replay = lab(&["replay", "idempotent-retries", "3"], &out);
    let stderr = String::from_utf8_lossy(&replay.stderr);
    assert_eq!(replay.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read the earlier trace"), "{stderr}");
}

#[test]
fn check_determinism_reports_identical_runs() {
    let out = scratch("determinism");
    let run = lab(&["run", "circuit-breaker", "2", "--check-determinism"], &out);
    let text = stdout(&run);
    assert!(text.contains("ran twice in separate processes"), "{text}");
    assert!(text.contains("byte-identical traces"), "{text}");
}

#[test]
fn bad_input_exits_2_with_a_message_saying_what_is_wrong() {
    let out = scratch("bad");
    for (args, words) in [
        (vec!["run", "no-such-scenario"], "no scenario `no-such-scenario`"),
        (vec!["run", "rate-limiter", "--variant", "nope"], "has no variant `nope`"),
        (vec!["sweep", "rate-limiter", "0"], "at least one seed"),
        (vec!["lesson", "no_such_topic"], "no lesson or scenario `no_such_topic`"),
        (vec!["run", "rate-limiter", "not-a-seed"], "invalid value"),
        (vec!["sweep", "rate-limiter", "2", "--start-seed", "18446744073709551615"], "past the largest seed"),
        (vec!["sweep", "rate-limiter", "1", "--jobs", "0"], "0 is not in 1..=1024"),
        (vec!["bench", "--runs", "0"], "0 is not in 1..=1000"),
        (vec!["run", "rate-limiter", "--engine", "nope"], "invalid value 'nope' for '--engine"),
    ] {
        let output = lab(&args, &out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
}

/// The tests run on the default build, which has no madsim engine: asking for it says how to
/// get a build that has it.
#[test]
#[cfg(not(madsim))]
fn the_madsim_engine_in_a_build_without_it_is_refused_with_the_way_to_get_it() {
    let output = lab(&["run", "rate-limiter", "--engine", "madsim"], &scratch("no-madsim"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("built without the madsim engine"), "{stderr}");
    assert!(stderr.contains("just scenario rate-limiter --engine madsim"), "{stderr}");
}

#[test]
fn a_malformed_file_exits_2_with_file_line_and_field() {
    let out = scratch("malformed");
    let path = out.join("broken.toml");
    std::fs::write(&path, common::small_with("at_ms = 1_000", "at_ms = 9_000")).unwrap();
    let output = lab(&["check", path.to_str().unwrap()], &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.toml:29:9: field `faults[0].at_ms`"), "{stderr}");
}

/// Every `lab …` example line in `lab --help` and in each command's `--help`.
fn help_examples() -> Vec<String> {
    let help = |args: &[&str]| stdout(&Command::new(env!("CARGO_BIN_EXE_lab")).args(args).output().unwrap());
    let top = help(&["--help"]);
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 8, "commands found in --help: {commands:?}");
    let mut texts = vec![top];
    texts.extend(commands.iter().map(|c| help(&[c, "--help"])));
    let mut examples = Vec::new();
    for text in texts {
        for line in text.lines().skip_while(|l| !l.starts_with("Example")) {
            let line = line.trim_start_matches("Example:").trim_start_matches("Examples:").trim();
            if let Some(command) = line.strip_prefix("lab ") {
                // The description follows the command after a run of spaces.
                examples.push(command.split("  ").next().unwrap().trim().to_owned());
            }
        }
    }
    examples
}

#[test]
fn every_example_in_the_help_runs_with_scenarios_and_variants_that_exist() {
    let out = scratch("help-examples");
    let examples = help_examples();
    assert!(examples.len() >= 12, "{examples:?}");
    for example in &examples {
        let mut args: Vec<String> = example.split_whitespace().map(str::to_owned).collect();
        // Sweeps and benchmarks run the command as written but with fewer seeds: the example
        // is proven to name a real scenario and variant without a 500-seed run in the tests.
        if args[0] == "sweep" {
            args[2] = "4".into();
        }
        if args[0] == "shrink" {
            args.extend(["--max-runs".into(), "3".into()]);
        }
        if args[0] == "sweep-merge" {
            args = shares_for_merge_example(&args, &out);
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_lab"));
        command.current_dir(common::repo_root()).args(&args);
        if matches!(args[0].as_str(), "run" | "replay" | "sweep" | "real" | "diff" | "shrink") {
            command.arg("--out").arg(&out);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if args[0] == "agree" && !cfg!(madsim) {
            // `agree` runs madsim too: this build refuses it, saying how to get one that can.
            assert_eq!(output.status.code(), Some(2), "`lab {example}`: {stderr}");
            assert!(stderr.contains("built without the madsim engine") && stderr.contains("just agree"), "{stderr}");
            continue;
        }
        assert!(matches!(output.status.code(), Some(0 | 1)), "`lab {example}` exited {:?}: {stderr}", output.status);
        assert!(!stderr.contains("error"), "`lab {example}`: {stderr}");
    }
}

/// The merge example names the shares of a 1000-seed sweep by a shell glob: make those shares
/// (4 seeds, not 1000, in `out` rather than target/lab) and expand the glob as a shell would.
fn shares_for_merge_example(args: &[String], out: &Path) -> Vec<String> {
    let pattern = args[1].replacen("target/lab", &out.display().to_string(), 1).replace("1000", "4");
    let (dir, name) = pattern.rsplit_once('/').unwrap();
    let (prefix, suffix) = name.split_once('*').expect("the example names its shares with a glob");
    let scenario = Path::new(dir).parent().unwrap().file_name().unwrap().to_str().unwrap().to_owned();
    let shares: usize = suffix.trim_start_matches("-of-").trim_end_matches(".json").parse().unwrap();
    for k in 1..=shares {
        let share = format!("{k}/{shares}");
        assert!(lab(&["sweep", &scenario, "4", "--partition", &share, "--out", &out.display().to_string()], out)
            .status
            .success());
    }
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.rsplit('/').next().is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix)))
        .collect();
    files.sort();
    assert_eq!(files.len(), shares, "the example's glob names every share: {files:?}");
    std::iter::once(args[0].clone()).chain(files).collect()
}

#[test]
fn a_sweep_split_in_shares_and_merged_says_what_the_whole_sweep_says() {
    let out = scratch("partition");
    let dir = out.join("circuit-breaker/herd-in-half-open");
    let sweep = |extra: &[&str]| {
        let out_arg = out.display().to_string();
        let mut args = vec!["sweep", "circuit-breaker", "5", "--variant", "herd-in-half-open", "--out", &out_arg];
        args.extend_from_slice(extra);
        lab(&args, &out)
    };
    for share in ["1/2", "count:2/2"] {
        let part = sweep(&["--partition", share]);
        assert_eq!(part.status.code(), Some(1), "the herd fails its conformance check: {}", stdout(&part));
    }
    let whole = sweep(&[]);
    assert!(stdout(&whole).contains("0 passed, 5 failed"), "{}", stdout(&whole));

    let parts = [dir.join("sweep-1-5.part-1-of-2.json"), dir.join("sweep-1-5.part-2-of-2.json")];
    let merged_file = out.join("merged.json");
    let merge = |files: &[&Path]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lab"));
        command.arg("sweep-merge").args(files).arg("--summary").arg(&merged_file);
        command.output().unwrap()
    };
    let merged = merge(&[&parts[1], &parts[0]]);
    assert_eq!(merged.status.code(), Some(1), "{}", stdout(&merged));
    let text = stdout(&merged);
    assert!(text.contains("merged 2 shares") && text.contains("0 passed, 5 failed"), "{text}");
    assert!(text.contains("replay:  just replay circuit-breaker 1 --variant herd-in-half-open"), "{text}");
    let json = |path: &Path| serde_json::from_slice::<serde_json::Value>(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(json(&merged_file), json(&dir.join("sweep-1-5.json")), "merged shares = the whole sweep");

    // One share alone, or a file that is not a summary, is refused with exit 2 naming it.
    let alone = merge(&[&parts[0]]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("missing shares: 2/2"));
    let not_json = out.join("not-a-summary.json");
    std::fs::write(&not_json, "{ nope").unwrap();
    let bad = merge(&[&not_json, &parts[0]]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("not-a-summary.json: not a sweep summary"), "{stderr}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn diff_exits_0_for_the_same_run_1_where_runs_part_ways_and_2_for_a_broken_trace() {
    let out = scratch("diff");
    for seed in ["1", "2"] {
        assert_eq!(lab(&["run", "circuit-breaker", seed], &out).status.code(), Some(0));
    }
    let trace = |seed: u64| out.join(format!("circuit-breaker/breaker/seed-{seed}.trace.jsonl")).display().to_string();
    let diff = |a: &str, b: &str| lab(&["diff", "--traces", a, b], &out);

    let same = diff(&trace(1), &trace(1));
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    assert!(stdout(&same).starts_with("identical:"), "{}", stdout(&same));

    let different = diff(&trace(1), &trace(2));
    let text = stdout(&different);
    assert_eq!(different.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with("first difference at event #") && text.contains("\n  a: ") && text.contains("\n  b: "),
        "{text}"
    );
    assert!(text.contains("after it, per node"), "{text}");
    // --html: both traces drawn on one time axis, in --out.
    let paged = lab(&["diff", "--traces", &trace(1), &trace(2), "--html", "--out", &out.display().to_string()], &out);
    assert_eq!(paged.status.code(), Some(1));
    let page = std::fs::read_to_string(out.join("diff-seed-1-vs-seed-2.html")).unwrap();
    assert!(page.contains("a trace file: its events, without verdicts"), "each side drawn from its trace");
    assert!(stdout(&paged).contains("view:   "), "{}", stdout(&paged));

    let broken = out.join("broken.trace.jsonl");
    std::fs::write(&broken, "{\"seq\":0,\"t_us\":0,\"node\":\"a\",\"kind\":\"start\"}\n{\"seq\":1}\n").unwrap();
    let bad = diff(&trace(1), &broken.display().to_string());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.trace.jsonl:2: expected `t_us`"), "{stderr}");
}

#[test]
fn shrink_writes_a_smaller_file_that_still_fails_the_same_check() {
    let out = scratch("shrink");
    let shrink = lab(&["shrink", "idempotent-retries", "1", "--variant", "key-in-memory", "--max-runs", "12"], &out);
    let text = stdout(&shrink);
    assert_eq!(shrink.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&shrink.stderr));
    assert!(text.contains("keeps check `exactly-once` failing"), "{text}");
    assert!(text.contains("  - dropped faults"), "each accepted step is printed:\n{text}");
    assert!(text.contains("stopped by the budget"), "12 runs are not enough to finish:\n{text}");
    let file = out.join("idempotent-retries/key-in-memory/shrunk-seed-1.toml");
    assert!(text.contains(&format!("replay: just replay {} 1", file.display())), "{text}");

    let shrunk = std::fs::read_to_string(&file).unwrap();
    assert!(shrunk.matches("[[faults]]").count() < 5, "{shrunk}");
    assert!(shrunk.contains("default_variant = \"key-in-memory\""), "{shrunk}");
    assert!(!shrunk.contains("[variants.idempotency-key]"), "only the shrunk variant is left:\n{shrunk}");
    // The file is a scenario like any other, and its run fails the same check.
    let rerun = lab(&["run", &file.display().to_string(), "1"], &out);
    let rerun_text = stdout(&rerun);
    assert_eq!(rerun.status.code(), Some(1), "{rerun_text}");
    assert!(rerun_text.contains("exactly-once         safety    FAIL*"), "{rerun_text}");
}

#[test]
fn shrink_refuses_a_seed_that_fails_nothing_and_a_check_that_did_not_fail() {
    let out = scratch("shrink-refused");
    let passing = lab(&["shrink", "idempotent-retries", "1"], &out);
    let stderr = String::from_utf8_lossy(&passing.stderr);
    assert_eq!(passing.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("fails no check: nothing to shrink"), "{stderr}");

    let wrong_check =
        lab(&["shrink", "idempotent-retries", "1", "--variant", "key-in-memory", "--check", "deadlines"], &out);
    let stderr = String::from_utf8_lossy(&wrong_check.stderr);
    assert_eq!(wrong_check.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not fail check `deadlines`; it fails: exactly-once"), "{stderr}");
}

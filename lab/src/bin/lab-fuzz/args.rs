//! Command lines for `lab`: each subcommand with values drawn from the absurd (seeds past
//! u64, negative counts, paths that do not exist or are directories, invalid UTF-8), then
//! sometimes shuffled, cut or repeated. Counts that are valid are kept small: a legitimately
//! long sweep is not a hang, and the fuzzer must not wait for one.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngCore};

/// Scenario names as `lab` may be given them. The sandbox holds shortened copies of the
/// repository's scenarios (see `main.rs`), so the existing ones run quickly.
const SCENARIOS: &[&str] = &[
    "rate-limiter",
    "circuit-breaker",
    "idempotent-retries",
    "no-such-scenario",
    "scenarios/rate-limiter.toml",
    "scenarios",
    "scenarios/",
    "/",
    "/dev/null",
    "/proc/self/mem",
    "missing.toml",
    "../../etc/passwd",
    "",
    "-",
    ".toml",
];

const VARIANTS: &[&str] = &["sync", "central", "no-breaker", "per-attempt-keys", "nope", "", "SYNC"];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "1e9",
    "0x10",
    " 1",
    "1.5",
    "",
    "NaN",
    "٣",
];

const PATHS: &[&str] =
    &["out", "", "/", "/proc", "/dev/null", "scenarios/rate-limiter.toml", "a/b/c/d", "/nonexistent/dir"];

/// `--partition` values: valid shares, nextest's spelling, and the ways to get it wrong.
const PARTITIONS: &[&str] =
    &["1/2", "2/2", "count:1/3", "0/4", "5/4", "1/0", "hash:1/2", "1/18446744073709551616", "x", "", "1/2/3", "-1/2"];

/// Sweep summaries written into each worker's sandbox: the two shares of one sweep, and files
/// a merge must refuse — foreign, doubled, cut short, edited into nonsense.
pub fn summary_files() -> Vec<(&'static str, Vec<u8>)> {
    let share = |k: u64, n: u64, variant: &str| {
        serde_json::json!({
            "format": "lab-sweep-summary/1", "scenario_arg": "rate-limiter", "scenario": "rate-limiter",
            "scenario_sha256": "00", "variant": variant, "default_variant": true, "engine": "turmoil",
            "first_seed": 1, "count": 4, "partition": { "k": k, "n": n }, "seeds_run": 2,
            "not_passed": [{ "seed": k, "failures": [["limit-conformance", "141 admitted"]],
                             "inconclusive": [], "error": null, "simulated_ms": 60000 }]
        })
    };
    let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json = share(1, 2, "sync");
        edit(&mut json);
        json.to_string().into_bytes()
    };
    let sound = share(1, 2, "sync").to_string().into_bytes();
    vec![
        ("share-1.json", sound.clone()),
        ("share-2.json", share(2, 2, "sync").to_string().into_bytes()),
        ("share-2-other-variant.json", share(2, 2, "central").to_string().into_bytes()),
        ("share-1-of-3.json", share(1, 3, "sync").to_string().into_bytes()),
        ("cut-short.json", sound[..sound.len() / 2].to_vec()),
        ("zero-shares.json", edited(&|j| j["partition"]["n"] = 0.into())),
        ("share-0.json", edited(&|j| j["partition"]["k"] = 0.into())),
        ("past-max.json", edited(&|j| j["first_seed"] = u64::MAX.into())),
        ("no-seeds.json", edited(&|j| j["count"] = 0.into())),
        ("huge-count.json", edited(&|j| j["count"] = serde_json::json!(1e300))),
        ("negative.json", edited(&|j| j["seeds_run"] = (-1).into())),
        ("nested.json", "[".repeat(100_000).into_bytes()),
        ("invalid-utf8.json", vec![b'{', 0xff, 0xfe, b'}']),
        ("empty.json", Vec::new()),
    ]
}

/// `history check --model` values.
const MODELS: &[&str] = &["kv", "register", "cas-register", "cas_register", "KV", "", "linearizable"];

/// History files written into each worker's sandbox for `history check`: one that passes, one
/// that fails, one cut off, one not text.
pub fn history_files() -> Vec<(&'static str, Vec<u8>)> {
    let put = "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"1\"}\n{:process 0, :type :ok, :f :put, :key \"k\", :value \"1\"}\n";
    let stale = "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\n\
                 INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t2\n";
    vec![
        ("ok.edn", put.as_bytes().to_vec()),
        ("stale.log", stale.as_bytes().to_vec()),
        ("cut.edn", put.as_bytes()[..put.len() / 2].to_vec()),
        ("binary.edn", vec![0xff, 0x00, 0xfe, b'\n']),
    ]
}

const TOPICS: &[&str] = &["lru_cache", "ds::btree", "rate-limiter", "nope", "", "::", "ds::", "a::b::c", "../README"];

fn pick(list: &[&str], rng: &mut impl RngCore) -> Vec<u8> {
    list.choose(rng).copied().unwrap_or_default().as_bytes().to_vec()
}

fn flag(name: &str, values: &[&str], rng: &mut impl RngCore) -> Vec<Vec<u8>> {
    let mut args = vec![format!("--{name}").into_bytes()];
    if rng.random_bool(0.9) {
        args.push(pick(values, rng));
    }
    args
}

/// `--name value` with probability `p`.
fn maybe_flag(args: &mut Vec<Vec<u8>>, p: f64, name: &str, values: &[&str], rng: &mut impl RngCore) {
    if rng.random_bool(p) {
        args.extend(flag(name, values, rng));
    }
}

/// One command line (without the program name).
pub fn generate(rng: &mut impl RngCore) -> Vec<Vec<u8>> {
    let mut args: Vec<Vec<u8>> = Vec::new();
    match rng.random_range(0..14) {
        0 | 1 => {
            args.push(b"run".to_vec());
            args.push(pick(SCENARIOS, rng));
            if rng.random_bool(0.6) {
                args.push(pick(NUMBERS, rng));
            }
            maybe_flag(&mut args, 0.5, "variant", VARIANTS, rng);
            if rng.random_bool(0.2) {
                args.push(b"--check-determinism".to_vec());
            }
            maybe_flag(&mut args, 0.4, "out", PATHS, rng);
        }
        2 => {
            args.push(b"replay".to_vec());
            args.push(pick(SCENARIOS, rng));
            args.push(pick(NUMBERS, rng));
            maybe_flag(&mut args, 0.5, "variant", VARIANTS, rng);
            maybe_flag(&mut args, 0.4, "out", PATHS, rng);
        }
        3 => {
            args.push(b"sweep".to_vec());
            args.push(pick(SCENARIOS, rng));
            args.push(pick(NUMBERS, rng));
            maybe_flag(&mut args, 0.5, "start-seed", NUMBERS, rng);
            maybe_flag(&mut args, 0.4, "jobs", NUMBERS, rng);
            maybe_flag(&mut args, 0.3, "variant", VARIANTS, rng);
            maybe_flag(&mut args, 0.4, "partition", PARTITIONS, rng);
            maybe_flag(&mut args, 0.2, "summary", PATHS, rng);
            maybe_flag(&mut args, 0.2, "out", PATHS, rng);
        }
        4 => {
            args.push(b"check".to_vec());
            args.push(pick(SCENARIOS, rng));
        }
        5 => {
            args.push(b"lesson".to_vec());
            args.push(pick(TOPICS, rng));
        }
        6 => {
            args.push(pick(&["list", "topics", "--help", "--version", "help", "", "nope", "-x"], rng));
        }
        7 => {
            args.push(b"bench".to_vec());
            args.push(pick(SCENARIOS, rng));
            args.extend(flag("runs", &["0", "1", "-1", "1001", "x"], rng));
            args.extend(flag("sweep-seeds", &["0", "1", "2", "100001", "18446744073709551616"], rng));
        }
        8 => {
            args.push(b"__run-seed".to_vec());
            args.push(pick(SCENARIOS, rng));
            args.push(pick(NUMBERS, rng));
            args.extend(flag("variant", VARIANTS, rng));
            maybe_flag(&mut args, 0.5, "trace", PATHS, rng);
        }
        9 => {
            args.push(b"sweep-merge".to_vec());
            for _ in 0..rng.random_range(0..4) {
                match rng.random_bool(0.8) {
                    true => args.push(
                        summary_files().choose(rng).map(|(name, _)| name.as_bytes().to_vec()).unwrap_or_default(),
                    ),
                    false => args.push(pick(PATHS, rng)),
                }
            }
            maybe_flag(&mut args, 0.2, "summary", PATHS, rng);
        }
        10 => {
            // Refused by this build (no madsim), but the arguments are checked first.
            args.push(b"agree".to_vec());
            maybe_flag(&mut args, 0.5, "seeds", NUMBERS, rng);
            maybe_flag(&mut args, 0.3, "turmoil-seeds", NUMBERS, rng);
            maybe_flag(&mut args, 0.3, "determinism-seeds", NUMBERS, rng);
        }
        11 => {
            // Real mode runs in real time: a valid case takes a second, so most are not valid.
            args.push(b"real".to_vec());
            args.push(pick(SCENARIOS, rng));
            args.extend(flag("seconds", &["1", "0", "3601", "-1", "x", "", "18446744073709551616"], rng));
            maybe_flag(&mut args, 0.3, "variant", VARIANTS, rng);
            maybe_flag(&mut args, 0.2, "out", PATHS, rng);
        }
        12 => {
            args.extend([b"history".to_vec(), pick(&["check", "", "nope", "--help"], rng)]);
            maybe_flag(&mut args, 0.9, "model", MODELS, rng);
            for _ in 0..rng.random_range(0..3) {
                match rng.random_bool(0.7) {
                    true => args.push(
                        history_files().choose(rng).map(|(name, _)| name.as_bytes().to_vec()).unwrap_or_default(),
                    ),
                    false => args.push(pick(PATHS, rng)),
                }
            }
            maybe_flag(&mut args, 0.3, "max-states", NUMBERS, rng);
            maybe_flag(&mut args, 0.3, "timeout-ms", NUMBERS, rng);
        }
        _ => {
            args.push(pick(&["run", "check", "list", "sweep"], rng));
            args.push(pick(SCENARIOS, rng));
        }
    }
    if rng.random_bool(0.2) {
        args.splice(0..0, flag("scenarios-dir", PATHS, rng));
    }
    if rng.random_bool(0.25) {
        mutate(&mut args, rng);
    }
    args
}

/// A line-level accident: an argument dropped, repeated, swapped, corrupted, or a stray one.
fn mutate(args: &mut Vec<Vec<u8>>, rng: &mut impl RngCore) {
    let i = rng.random_range(0..args.len().max(1));
    match rng.random_range(0..6) {
        0 if !args.is_empty() => {
            args.remove(i);
        }
        1 if !args.is_empty() => args.insert(i, args[i].clone()),
        2 => args.shuffle(rng),
        3 => args.insert(i.min(args.len()), vec![0xff, 0xfe, b'x']),
        4 => args.insert(i.min(args.len()), pick(&["--", "-", "--unknown", "--variant=", "-h", "--out=/"], rng)),
        _ => args.push("x".repeat(100_000).into_bytes()),
    }
}

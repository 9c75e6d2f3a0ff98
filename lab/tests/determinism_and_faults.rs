//! One seed decides a run: the same seed gives a byte-identical trace, and every fault in the
//! schedule changes what the nodes see — at the scheduled time and only then.

mod common;

use lab::runner::run_and_judge;
use lab::scenario::Scenario;
use lab::sweep::run_seed_isolated;
use lab::trace::{first_divergence, Event};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The small scenario, central limiter, with every kind of fault in one 4 s run.
fn all_faults() -> Scenario {
    common::parse(&all_faults_text()).unwrap_or_else(|d| panic!("{d}"))
}

fn all_faults_text() -> String {
    let faults = r#"
[[faults]]
kind = "partition"
at_ms = 500
for_ms = 500
from = ["gw-1"]
to = ["limiter"]

[[faults]]
kind = "partition-one-way"
at_ms = 1_100
for_ms = 300
from = ["limiter"]
to = ["gw-2"]

[[faults]]
kind = "hold"
at_ms = 1_500
for_ms = 300
from = ["gw-2"]
to = ["limiter"]

[[faults]]
kind = "crash"
at_ms = 2_000
for_ms = 300
nodes = ["limiter"]

[[faults]]
kind = "latency"
at_ms = 2_600
for_ms = 300
from = ["gw-1"]
to = ["limiter"]
latency_ms = 80

[[faults]]
kind = "rpc"
at_ms = 3_000
for_ms = 200
to = ["limiter"]
action = "drop-request"
probability = 0.5

[[faults]]
kind = "rpc"
at_ms = 3_200
for_ms = 200
to = ["limiter"]
action = "drop-response"
probability = 0.5

[[faults]]
kind = "rpc"
at_ms = 3_400
for_ms = 200
to = ["limiter"]
action = "duplicate"
probability = 0.5

[[faults]]
kind = "rpc"
at_ms = 3_600
for_ms = 200
to = ["limiter"]
action = "delay"
delay_ms = 60
probability = 0.5
"#;
    common::small_with(
        "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n",
        faults,
    )
    .replace("default_variant = \"sync\"", "default_variant = \"central\"")
}

fn events(scenario: &Scenario, seed: u64) -> Vec<Event> {
    run_and_judge(scenario, scenario.variant("central").unwrap(), seed).unwrap().run.events
}

/// The trace of one seed, run as the only simulation of a fresh `lab` process — the way
/// `lab replay` runs it (see `lab::sweep` for why a run must have its process to itself).
fn trace_in_own_process(scenario: &Scenario, variant: &str, seed: u64, dir: &Path) -> Vec<u8> {
    let path = dir.join(format!("{variant}-{seed}-{}.jsonl", COPIES.fetch_add(1, Ordering::Relaxed)));
    let outcome = run_seed_isolated(
        Path::new(env!("CARGO_BIN_EXE_lab")),
        lab::engine::Engine::Turmoil,
        scenario,
        scenario.variant(variant).unwrap(),
        seed,
        Some(&path),
    );
    assert_eq!(outcome.error, None, "seed {seed}");
    std::fs::read(&path).unwrap()
}

static COPIES: AtomicU64 = AtomicU64::new(0);

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn same_seed_gives_a_byte_identical_trace_for_20_seeds() {
    let dir = scratch_dir("determinism");
    let path = dir.join("all-faults.toml");
    std::fs::write(&path, all_faults_text()).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    for seed in 1..=20 {
        let first = trace_in_own_process(&scenario, "central", seed, &dir);
        let second = trace_in_own_process(&scenario, "central", seed, &dir);
        let events = first.iter().filter(|&&b| b == b'\n').count();
        assert!(events > 500, "seed {seed}: suspiciously short trace ({events} events)");
        if let Some(d) = first_divergence(&first, &second) {
            panic!("seed {seed} diverged at event #{}:\n  {:?}\n  {:?}", d.index, d.first, d.second);
        }
    }
}

#[test]
fn the_sync_variant_of_the_repository_scenario_replays_identically() {
    let dir = scratch_dir("replay");
    let scenario = common::repo_scenario("rate-limiter");
    let first = trace_in_own_process(&scenario, "sync", 3, &dir);
    assert_eq!(first_divergence(&first, &trace_in_own_process(&scenario, "sync", 3, &dir)), None);
}

#[test]
fn different_seeds_give_different_runs() {
    let scenario = all_faults();
    let trace = |seed| run_and_judge(&scenario, scenario.variant("central").unwrap(), seed).unwrap().trace_lines();
    assert_ne!(trace(1), trace(2));
}

/// Gateway decisions by `node` between `from_ms` and `to_ms`, as their reasons.
fn reasons(events: &[Event], node: &str, from_ms: u64, to_ms: u64) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind() == "decision" && &*e.node == node && e.t_us >= from_ms * 1_000 && e.t_us < to_ms * 1_000)
        .map(|e| e.str_field("reason").unwrap_or_default().to_owned())
        .collect()
}

fn all_reasons_contain(reasons: &[String], words: &str) -> bool {
    !reasons.is_empty() && reasons.iter().all(|r| r.contains(words))
}

/// Decisions the limiter itself made, granted or not.
fn all_answered_by_limiter(reasons: &[String]) -> bool {
    !reasons.is_empty() && reasons.iter().all(|r| r == "limiter granted" || r == "limiter denied")
}

#[test]
fn a_partition_cuts_only_the_named_link_and_heals_on_time() {
    let events = events(&all_faults(), 5);
    assert!(all_answered_by_limiter(&reasons(&events, "gw-1", 0, 500)), "before the partition");
    assert!(all_reasons_contain(&reasons(&events, "gw-1", 560, 1_000), "fail closed"), "during the partition");
    assert!(reasons(&events, "gw-1", 1_100, 1_500).iter().any(|r| r.contains("limiter granted")), "after the heal");
    assert!(all_answered_by_limiter(&reasons(&events, "gw-2", 0, 1_100)), "gw-2 is not partitioned");
}

#[test]
fn a_one_way_partition_lets_requests_in_but_loses_the_replies() {
    let events = events(&all_faults(), 5);
    let gw2 = reasons(&events, "gw-2", 1_160, 1_400);
    assert!(all_reasons_contain(&gw2, "fail closed"), "gw-2 hears nothing back: {gw2:?}");
    let grants_to_gw2 = events
        .iter()
        .filter(|e| {
            e.kind() == "grant" && e.str_field("gateway") == Some("gw-2") && (1_160_000..1_400_000).contains(&e.t_us)
        })
        .count();
    assert!(grants_to_gw2 > 0, "the limiter still receives gw-2's requests and acts on them");
}

#[test]
fn a_hold_stalls_a_link_until_release_and_traffic_resumes_after() {
    let events = events(&all_faults(), 5);
    assert!(
        all_reasons_contain(&reasons(&events, "gw-2", 1_560, 1_800), "timeout: fail closed"),
        "held requests time out"
    );
    let grants_to_gw2 = |from_ms: u64, to_ms: u64| {
        events
            .iter()
            .filter(|e| {
                e.kind() == "grant"
                    && e.str_field("gateway") == Some("gw-2")
                    && (from_ms * 1_000..to_ms * 1_000).contains(&e.t_us)
            })
            .count()
    };
    assert_eq!(grants_to_gw2(1_510, 1_800), 0, "nothing from gw-2 reaches the limiter while the link is held");
    assert!(grants_to_gw2(1_800, 2_000) > 0, "gw-2's requests reach the limiter again after the release");
}

#[test]
fn a_crash_loses_the_node_and_the_restart_starts_a_fresh_incarnation() {
    let events = events(&all_faults(), 5);
    let limiter_starts: Vec<(u64, u64)> = events
        .iter()
        .filter(|e| e.kind() == "start" && &*e.node == "limiter")
        .map(|e| (e.t_us / 1_000, e.u64_field("incarnation").unwrap()))
        .collect();
    assert_eq!(limiter_starts, [(0, 1), (2_300, 2)]);
    assert!(
        all_reasons_contain(&reasons(&events, "gw-1", 2_060, 2_300), "fail closed"),
        "nobody answers while the limiter is down"
    );
}

#[test]
fn extra_link_latency_beyond_the_timeout_turns_calls_into_timeouts() {
    let events = events(&all_faults(), 5);
    assert!(all_reasons_contain(&reasons(&events, "gw-1", 2_700, 2_900), "timeout"));
    assert!(
        reasons(&events, "gw-2", 2_700, 2_900).iter().any(|r| r.contains("limiter granted")),
        "gw-2's link is not slowed"
    );
}

#[test]
fn every_rpc_fault_is_applied_and_recorded_in_its_window() {
    let events = events(&all_faults(), 5);
    for (fault, from_ms) in [("drop-request", 3_000), ("drop-response", 3_200), ("duplicate", 3_400), ("delay", 3_600)]
    {
        let applied: Vec<&Event> =
            events.iter().filter(|e| e.kind() == "rpc-fault" && e.str_field("fault") == Some(fault)).collect();
        assert!(!applied.is_empty(), "{fault} never applied");
        assert!(
            applied.iter().all(|e| (from_ms * 1_000..(from_ms + 200) * 1_000).contains(&e.t_us)),
            "{fault} outside its window"
        );
    }
    // A duplicated request is acted on twice: the limiter grants more than gateways asked for.
    let asked = events.iter().filter(|e| e.kind() == "decision" && (3_400_000..3_600_000).contains(&e.t_us)).count();
    let granted = events.iter().filter(|e| e.kind() == "grant" && (3_400_000..3_600_000).contains(&e.t_us)).count();
    assert!(granted > asked, "duplicates: {granted} grants for {asked} decisions");
}

/// The repository's payments scenario with only its event-started crash (a lossless network),
/// 40 s long.
fn payments_with_only_the_event_started_crash() -> Scenario {
    let mut scenario = common::repo_scenario("idempotent-retries");
    scenario.faults.retain(|f| matches!(f.start, lab::scenario::FaultStart::When(_)));
    assert_eq!(scenario.faults.len(), 1, "the scenario's crash starts on the ledger's 900th charge");
    scenario.duration_ms = 40_000;
    scenario
}

#[test]
fn an_event_started_crash_lands_between_the_charge_and_its_answer_on_every_seed() {
    use lab::checks::CheckResult;
    let scenario = payments_with_only_the_event_started_crash();
    for seed in 1..=4 {
        let judged = run_and_judge(&scenario, scenario.variant("key-in-memory").unwrap(), seed).unwrap();
        let events = &judged.run.events;
        let crash = events
            .iter()
            .find(|e| e.kind() == "fault" && e.str_field("fault") == Some("crash"))
            .unwrap_or_else(|| panic!("seed {seed}: the crash never happened"));
        assert_eq!(crash.str_field("when"), Some("ledger charge-applied #900"));
        let trigger = &events[crash.u64_field("trigger").unwrap() as usize];
        assert_eq!((trigger.kind(), trigger.u64_field("total_applied")), ("charge-applied", Some(900)), "seed {seed}");
        assert!(crash.t_us > trigger.t_us && crash.t_us - trigger.t_us <= 1_000, "seed {seed}: within the millisecond");
        // The ledger's answer to that charge never reaches the service, which forgets the
        // payment; the payer's retry is charged again.
        let payment = trigger.str_field("payment").unwrap();
        let charges =
            events.iter().filter(|e| e.kind() == "charge-applied" && e.str_field("payment") == Some(payment)).count();
        assert_eq!(charges, 2, "seed {seed}: {payment} is charged twice");
        let failed: Vec<&str> =
            judged.verdicts.iter().filter(|v| v.result == CheckResult::Fail).map(|v| v.check.as_str()).collect();
        assert_eq!(failed, ["exactly-once"], "seed {seed}");
    }
    // The key in the ledger turns the same retry into a replay.
    let judged = run_and_judge(&scenario, scenario.variant("idempotency-key").unwrap(), 1).unwrap();
    assert!(judged.passed(), "{:?}", judged.verdicts);
}

#[test]
fn a_fault_whose_event_never_comes_never_starts_and_the_trace_says_so() {
    let mut scenario = payments_with_only_the_event_started_crash();
    scenario.duration_ms = 5_000;
    let events = run_and_judge(&scenario, scenario.variant("idempotency-key").unwrap(), 1).unwrap().run.events;
    let faults: Vec<(&str, Option<&str>)> = events
        .iter()
        .filter(|e| e.kind() == "fault")
        .map(|e| (e.str_field("fault").unwrap(), e.str_field("when")))
        .collect();
    assert_eq!(faults, [("not-triggered", Some("ledger charge-applied #900"))]);
    assert_eq!(events.last().unwrap().kind(), "fault", "recorded when the run ends");
}

/// The small scenario with its one fault replaced by `fault` (a `[[faults]]` table).
fn small_with_fault(fault: &str) -> String {
    common::small_with(
        "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n",
        fault,
    )
}

/// Each fault event as (ms, what the fault did).
fn fault_events(events: &[Event]) -> Vec<(u64, &str)> {
    events
        .iter()
        .filter(|e| e.kind() == "fault")
        .map(|e| (e.t_us / 1_000, e.str_field("fault").unwrap_or_default()))
        .collect()
}

#[test]
fn a_paused_gateway_decides_nothing_until_the_pause_ends_then_everything_that_queued() {
    let pause = "[[faults]]\nkind = \"pause\"\nat_ms = 1_000\nfor_ms = 1_000\nnodes = [\"gw-1\"]\n";
    let text = small_with_fault(pause).replace("default_variant = \"sync\"", "default_variant = \"central\"");
    let scenario = common::parse(&text).unwrap_or_else(|d| panic!("{d}"));
    let events = events(&scenario, 5);
    let faults = fault_events(&events);
    assert_eq!(faults, [(1_000, "pause"), (2_000, "resume")]);
    assert!(!reasons(&events, "gw-1", 900, 1_000).is_empty(), "gw-1 decides before the pause");
    assert!(reasons(&events, "gw-1", 1_000, 2_000).is_empty(), "a paused node handles nothing");
    assert!(!reasons(&events, "gw-2", 1_000, 2_000).is_empty(), "gw-2 is not paused");
    // What queued during the pause is handled the moment it ends, all at once: more decisions
    // in the 20 ms after it than in any 100 ms before it.
    let burst = reasons(&events, "gw-1", 2_000, 2_020).len();
    let before = reasons(&events, "gw-1", 900, 1_000).len();
    assert!(burst > before, "{burst} decisions just after the resume, {before} in 100 ms before the pause");
}

#[test]
fn a_fast_clock_makes_a_node_read_its_own_time_and_its_timers_fire_early() {
    let clock =
        "[[faults]]\nkind = \"clock\"\nat_ms = 1_000\nfor_ms = 2_000\nnodes = [\"client\"]\nskew_ms = -700\ndrift_ppm = 500_000\n";
    let text = small_with_fault(clock);
    let scenario = common::parse(&text).unwrap_or_else(|d| panic!("{d}"));
    let events = run_and_judge(&scenario, scenario.variant("sync").unwrap(), 5).unwrap().run.events;
    let faults = fault_events(&events);
    assert_eq!(faults, [(1_000, "clock"), (3_000, "clock-restored")]);
    // Every event of the client while its clock is off carries the time it read: 700 ms
    // behind at the start, gaining half a millisecond per millisecond after it.
    let client = || events.iter().filter(|e| &*e.node == "client");
    for event in client() {
        let t_ms = event.t_us / 1_000;
        let local = event.u64_field("local_ms");
        if (1_000..3_000).contains(&t_ms) {
            assert_eq!(local, Some(t_ms - 700 + (t_ms - 1_000) / 2), "{event:?}");
        } else {
            assert_eq!(local, None, "only while the clock is off: {event:?}");
        }
    }
    assert!(events.iter().filter(|e| &*e.node != "client").all(|e| e.field("local_ms").is_none()));
    // Its timers run on its own, faster time: it sends about half again as many requests.
    let requests = |from_ms: u64, to_ms: u64| {
        client().filter(|e| e.kind() == "request" && (from_ms * 1_000..to_ms * 1_000).contains(&e.t_us)).count()
    };
    let (fast, normal) = (requests(1_000, 3_000), requests(0, 1_000) + requests(3_000, 4_000));
    assert!(fast * 100 > normal * 125, "{fast} requests in 2 s of fast clock, {normal} in 2 s of true time");
}

#[test]
fn a_clock_fault_must_skew_or_drift_within_bounds() {
    let with = |body: &str| {
        small_with_fault(&format!("[[faults]]\nkind = \"clock\"\nat_ms = 1_000\nnodes = [\"client\"]\n{body}"))
    };
    let nothing = common::parse(&with("")).map(|_| ()).unwrap_err().to_string();
    assert!(nothing.contains("neither skews nor drifts"), "{nothing}");
    let backwards = common::parse(&with("drift_ppm = -1_000_000\n")).map(|_| ()).unwrap_err().to_string();
    assert!(backwards.contains("faults[0].drift_ppm") && backwards.contains("from -500000 to 500000"), "{backwards}");
    assert!(common::parse(&with("skew_ms = -5_000\n")).is_ok());
}

#[test]
fn a_fault_for_some_variants_starts_only_in_their_runs_and_keeps_its_index() {
    let pause =
        "[[faults]]\nkind = \"pause\"\nat_ms = 1_000\nfor_ms = 500\nnodes = [\"gw-1\"]\nvariants = [\"central\"]\n";
    let partition =
        "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n";
    let text = common::small_with(partition, &format!("{partition}{pause}"));
    let scenario = common::parse(&text).unwrap_or_else(|d| panic!("{d}"));
    let run = |variant: &str| run_and_judge(&scenario, scenario.variant(variant).unwrap(), 5).unwrap().run.events;
    let central = run("central");
    assert_eq!(fault_events(&central), [(1_000, "partition"), (1_000, "pause"), (1_500, "resume"), (2_000, "heal")]);
    let pause_index = central.iter().find(|e| e.str_field("fault") == Some("pause")).and_then(|e| e.u64_field("index"));
    assert_eq!(pause_index, Some(1), "the index is the fault's place in the file");
    let sync = run("sync");
    assert_eq!(fault_events(&sync), [(1_000, "partition"), (2_000, "heal")], "sync never meets the pause");
}

/// `latency_ms` ± `jitter_ms`: each message on the link takes its own delay within the range
/// (on turmoil a draw from turmoil's latency curve), and a jitter beyond the latency is an
/// error — no message may arrive before it left.
#[test]
fn a_latency_fault_with_jitter_spreads_each_message_s_delay_within_its_range() {
    let fault = |jitter: &str| {
        format!(
            "[[faults]]\nkind = \"latency\"\nat_ms = 1_000\nfor_ms = 2_000\nlatency_ms = 40\n{jitter}from = [\"client-1\"]\nto = [\"backend-1\"]\n"
        )
    };
    let round_trips = |jitter: &str| -> Vec<u64> {
        let scenario =
            common::parse(&common::dns_small(&fault(jitter), "max_stale_ms = 0")).unwrap_or_else(|d| panic!("{d}"));
        let events = run_and_judge(&scenario, scenario.variant("v").unwrap(), 1).unwrap().run.events;
        events
            .iter()
            .filter(|e| e.kind() == "msg-result" && &*e.node == "client-1" && e.str_field("from") == Some("backend-1"))
            .filter(|e| (1_100_000..2_900_000).contains(&e.t_us))
            .filter_map(|e| e.u64_field("latency_us"))
            .collect()
    };
    let fixed = round_trips("");
    assert!(!fixed.is_empty() && fixed.iter().all(|&us| (80_000..82_000).contains(&us)), "{fixed:?}");
    let spread = round_trips("jitter_ms = 30\n");
    assert!(spread.iter().all(|&us| (20_000..142_000).contains(&us)), "two legs of 10-70 ms each: {spread:?}");
    assert!(spread.iter().max().unwrap() - spread.iter().min().unwrap() > 10_000, "the delays differ: {spread:?}");
    let too_much =
        common::parse(&common::dns_small(&fault("jitter_ms = 41\n"), "max_stale_ms = 0")).map(|_| ()).unwrap_err();
    assert!(too_much.to_string().contains("faults[0].jitter_ms"), "{too_much}");
}

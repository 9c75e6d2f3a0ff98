//! TCP faults (`reset`, `black-hole`, `connect-timeout`, `bandwidth`, `limit-data`) on turmoil:
//! each does to the named connections what its documentation says both ends observe, only in
//! its window; madsim refuses them rather than ignore them (real mode: lab/tests/real.rs).

mod common;

use lab::engine::Engine;
use lab::runner::run_and_judge;
use lab::trace::Event;

const NO_STALE: &str = "max_stale_ms = 0";

/// The DNS test scenario (two clients calling backend-1 until 4 s) with one TCP fault on the
/// connections client-1 opens to backend-1.
fn with_fault(kind: &str, at_ms: u64, for_ms: u64, extra: &str) -> String {
    let fault = format!(
        "[[faults]]\nkind = \"{kind}\"\nat_ms = {at_ms}\nfor_ms = {for_ms}\nfrom = [\"client-1\"]\nto = [\"backend-1\"]\n{extra}"
    );
    common::dns_small(&fault, NO_STALE)
}

fn run(text: &str) -> Vec<Event> {
    let scenario = common::parse(text).unwrap_or_else(|d| panic!("{d}"));
    run_and_judge(&scenario, scenario.variant("v").unwrap(), 1).unwrap().run.events
}

/// The outcomes of `client`'s requests that started between `from_ms` and `to_ms`, with
/// their latencies.
fn outcomes(events: &[Event], client: &str, from_ms: u64, to_ms: u64) -> Vec<(String, u64)> {
    events
        .iter()
        .filter(|e| e.kind() == "service-result" && &*e.node == client)
        .map(|e| {
            let latency_ms = e.u64_field("latency_ms").unwrap_or(0);
            (e.t_us / 1_000 - latency_ms, e.str_field("outcome").unwrap_or_default().to_owned(), latency_ms)
        })
        .filter(|(start_ms, _, _)| (from_ms..to_ms).contains(start_ms))
        .map(|(_, outcome, latency_ms)| (outcome, latency_ms))
        .collect()
}

fn all_ok(outcomes: &[(String, u64)]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|(outcome, _)| outcome == "ok")
}

fn tcp_faults(events: &[Event], fault: &str) -> usize {
    events.iter().filter(|e| e.kind() == "tcp-fault" && e.str_field("fault") == Some(fault)).count()
}

#[test]
fn a_black_hole_silences_the_connection_and_holds_new_ones_until_it_ends() {
    let events = run(&with_fault("black-hole", 1_000, 1_000, ""));
    let inside = outcomes(&events, "client-1", 1_000, 1_800);
    assert!(!inside.is_empty() && inside.iter().all(|(o, ms)| o == "timeout" && (200..205).contains(ms)), "{inside:?}");
    assert!(all_ok(&outcomes(&events, "client-2", 0, 4_000)), "client-2's connections are not in the fault");
    assert!(all_ok(&outcomes(&events, "client-1", 2_100, 4_000)), "after the hole, calls get through again");
    let heard_from_client_1 = events.iter().any(|e| {
        e.kind() == "msg-deliver"
            && &*e.node == "backend-1"
            && e.str_field("from") == Some("client-1")
            && (1_010_000..2_000_000).contains(&e.t_us)
    });
    assert!(!heard_from_client_1, "the backend hears nothing from client-1 inside the hole");
    assert!(tcp_faults(&events, "black-hole") > 0 && tcp_faults(&events, "connect-held") > 0);
}

#[test]
fn a_reset_fails_calls_at_once_instead_of_at_their_deadline() {
    let events = run(&with_fault("reset", 1_000, 1_000, ""));
    let inside = outcomes(&events, "client-1", 1_000, 2_000);
    let failed_fast = inside.iter().filter(|(o, ms)| o != "ok" && o != "timeout" && *ms < 200).count();
    assert!(failed_fast > 0, "calls see the reset, not a timeout: {inside:?}");
    assert!(inside.iter().all(|(o, _)| o != "timeout"), "{inside:?}");
    assert!(tcp_faults(&events, "reset") > 0);
    assert!(all_ok(&outcomes(&events, "client-1", 2_100, 4_000)));
}

#[test]
fn connect_timeout_spares_open_connections_and_holds_new_ones() {
    let spared = run(&with_fault("connect-timeout", 1_000, 1_000, ""));
    assert!(all_ok(&outcomes(&spared, "client-1", 1_000, 2_000)), "the open connection carries on");
    assert_eq!(tcp_faults(&spared, "connect-held"), 0);

    // A reset at 1 s makes client-1 dial again, into the held connect.
    let reset =
        "[[faults]]\nkind = \"reset\"\nat_ms = 1_000\nfor_ms = 10\nfrom = [\"client-1\"]\nto = [\"backend-1\"]\n";
    let text = with_fault("connect-timeout", 1_000, 1_000, "").replace("[[faults]]", &format!("{reset}\n[[faults]]"));
    let events = run(&text);
    let inside = outcomes(&events, "client-1", 1_100, 1_800);
    assert!(!inside.is_empty() && inside.iter().all(|(o, _)| o == "timeout"), "{inside:?}");
    assert!(tcp_faults(&events, "connect-held") > 0);
    assert!(all_ok(&outcomes(&events, "client-1", 2_100, 4_000)));
}

#[test]
fn bandwidth_slows_calls_past_their_deadline_and_limit_data_resets_a_connection_past_its_bytes() {
    let slow = run(&with_fault("bandwidth", 1_000, 1_000, "bytes_per_second = 200\n"));
    let inside = outcomes(&slow, "client-1", 1_000, 1_800);
    assert!(inside.iter().any(|(o, _)| o == "timeout"), "{inside:?}");
    assert!(all_ok(&outcomes(&slow, "client-1", 2_300, 4_000)));

    let limited = run(&with_fault("limit-data", 1_000, 2_000, "bytes = 2_000\n"));
    assert!(tcp_faults(&limited, "limit-data") >= 2, "every new connection gets its own 2,000 bytes, and uses them");
    assert!(outcomes(&limited, "client-1", 1_000, 3_000).iter().any(|(o, _)| o != "ok"));
}

#[test]
fn madsim_refuses_a_tcp_fault_naming_it() {
    let scenario = common::parse(&with_fault("black-hole", 1_000, 1_000, "")).unwrap();
    let why = Engine::Madsim.refuses(&scenario).expect("madsim has no TCP");
    assert!(why.contains("faults[0] is a `black-hole` fault") && why.contains("turmoil"), "{why}");
    assert_eq!(Engine::Turmoil.refuses(&scenario), None);
    let dns_only = common::parse(&common::dns_small("", NO_STALE)).unwrap();
    assert_eq!(Engine::Madsim.refuses(&dns_only), None);
}

#[test]
fn tcp_fault_mistakes_are_located() {
    let error = |text: String| common::parse(&text).map(|_| ()).unwrap_err().to_string();
    let no_rate = error(with_fault("bandwidth", 1_000, 1_000, ""));
    assert!(no_rate.contains("faults[0].bytes_per_second") && no_rate.contains("needs"), "{no_rate}");
    let stray = error(with_fault("reset", 1_000, 1_000, "bytes = 5\n"));
    assert!(stray.contains("`bytes` does not apply to a `reset` fault"), "{stray}");
    let no_ends = error(with_fault("black-hole", 1_000, 1_000, "").replace("from = [\"client-1\"]\n", ""));
    assert!(no_ends.contains("faults[0].from"), "{no_ends}");
    let zero = error(with_fault("limit-data", 1_000, 1_000, "bytes = 0\n"));
    assert!(zero.contains("faults[0].bytes"), "{zero}");
}

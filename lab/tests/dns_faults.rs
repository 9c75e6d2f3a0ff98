//! DNS faults (`kind = "dns"`): each action changes what the querying clients are told, only
//! in its window, only for the names and nodes it names — while the DNS server's own records
//! still say what its zone says. And the file mistakes a DNS fault can carry are located.

mod common;

use lab::runner::run_and_judge;
use lab::trace::Event;

const NO_STALE: &str = "max_stale_ms = 0";

fn run(faults: &str, resolver: &str, seed: u64) -> Vec<Event> {
    let scenario = common::parse(&common::dns_small(faults, resolver)).unwrap_or_else(|d| panic!("{d}"));
    run_and_judge(&scenario, scenario.variant("v").unwrap(), seed).unwrap().run.events
}

fn fault(action: &str, at_ms: u64, for_ms: u64, extra: &str) -> String {
    format!(
        "[[faults]]\nkind = \"dns\"\nat_ms = {at_ms}\nfor_ms = {for_ms}\naction = \"{action}\"\nprobability = 1.0\n{extra}"
    )
}

/// What `node`'s resolver concluded, for queries it sent between `from_ms` and `to_ms`.
fn resolved(events: &[Event], node: &str, from_ms: u64, to_ms: u64) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind() == "dns-resolved" && &*e.node == node && (from_ms..to_ms).contains(&(e.t_us / 1_000)))
        .map(|e| e.str_field("resolved").unwrap_or_default().to_owned())
        .collect()
}

/// What the DNS server itself answered between `from_ms` and `to_ms`.
fn server_answers(events: &[Event], from_ms: u64, to_ms: u64) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind() == "dns-answer" && (from_ms..to_ms).contains(&(e.t_us / 1_000)))
        .map(|e| e.str_field("answer").unwrap_or_default().to_owned())
        .collect()
}

fn dns_faults(events: &[Event], fault: &str) -> usize {
    events.iter().filter(|e| e.kind() == "dns-fault" && e.str_field("fault") == Some(fault)).count()
}

/// `values` is not empty and every value is `expected`.
fn all(values: &[String], expected: &str) -> bool {
    !values.is_empty() && values.iter().all(|v| v == expected)
}

#[test]
fn nxdomain_and_servfail_replace_the_answer_only_in_their_window() {
    let events = run(&fault("nxdomain", 1_000, 1_000, ""), NO_STALE, 1);
    // A query sent just before the window ends is answered just after it: leave 10 ms.
    assert!(all(&resolved(&events, "client-1", 1_010, 2_000), "nxdomain"));
    assert!(all(&resolved(&events, "client-1", 2_010, 4_000), "backend-1"), "after the window, the truth");
    assert!(all(&server_answers(&events, 1_000, 2_000), "backend-1"), "the server answered honestly");
    assert!(dns_faults(&events, "nxdomain") > 0);

    let events = run(&fault("servfail", 1_000, 1_000, ""), NO_STALE, 1);
    assert!(all(&resolved(&events, "client-2", 1_010, 2_000), "failed"));
    let with_stale = run(&fault("servfail", 1_000, 1_000, ""), "max_stale_ms = 5_000", 1);
    assert!(all(&resolved(&with_stale, "client-2", 1_010, 2_000), "stale:backend-1"), "serve-stale stands in");
}

/// The DNS messages of `events`: (message id, its `msg-send`, its `msg-deliver` if it came).
fn dns_datagrams<'a>(events: &'a [Event], sender: &str) -> Vec<(&'a Event, Option<&'a Event>)> {
    let sent = events.iter().filter(|e| e.kind() == "msg-send" && &*e.node == sender);
    sent.filter(|e| e.str_field("body").is_some_and(|b| b.starts_with("dns_")))
        .map(|send| {
            let id = send.u64_field("msg");
            (send, events.iter().find(|e| e.kind() == "msg-deliver" && e.u64_field("msg") == id))
        })
        .collect()
}

#[test]
fn queries_and_answers_are_datagrams_that_links_delay_and_partitions_lose() {
    let slow_link = "[[network.links]]\nbetween = [\"client-1\", \"dns\"]\nlatency_ms = 20\n";
    let partition =
        "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"client-2\"]\nto = [\"dns\"]\n";
    let text = common::dns_small(partition, NO_STALE)
        .replace("[nodes.dns-server]", &format!("{slow_link}\n[nodes.dns-server]"));
    let scenario = common::parse(&text).unwrap_or_else(|d| panic!("{d}"));
    let events = run_and_judge(&scenario, scenario.variant("v").unwrap(), 1).unwrap().run.events;

    let queries = dns_datagrams(&events, "client-1");
    let answers = dns_datagrams(&events, "dns");
    assert!(!queries.is_empty() && !answers.is_empty());
    for (send, deliver) in queries.iter().chain(&answers) {
        assert_eq!(send.bool_field("datagram"), Some(true), "{send:?}");
        assert!(send.u64_field("timeout_ms").is_none(), "a datagram has no timeout of its own");
        let msg = send.u64_field("msg");
        assert!(!events.iter().any(|e| e.kind() == "msg-result" && e.u64_field("msg") == msg), "nor a result");
        if send.str_field("to") == Some("client-1") || &*send.node == "client-1" {
            let deliver = deliver.unwrap_or_else(|| panic!("{send:?} arrived"));
            assert_eq!(deliver.t_us - send.t_us, 20_000, "the link's latency: {send:?}");
        }
    }

    let cut = dns_datagrams(&events, "client-2");
    let in_window = |e: &Event| (1_000_000..2_000_000).contains(&e.t_us);
    let lost: Vec<_> = cut.iter().filter(|(send, _)| in_window(send)).collect();
    assert!(!lost.is_empty(), "client-2 asked during the partition");
    for (send, deliver) in lost {
        assert!(deliver.is_none(), "a query sent into the partition never arrives: {send:?}");
        let msg = send.u64_field("msg");
        let noted = events.iter().find(|e| e.kind() == "msg-lost" && e.u64_field("msg") == msg);
        assert_eq!(noted.and_then(|e| e.str_field("leg")), Some("datagram"));
    }
    assert!(all(&resolved(&events, "client-2", 1_110, 2_000), "failed"), "each lost query failed at its timer");
    assert!(cut.iter().filter(|(send, _)| send.t_us > 2_100_000).all(|(_, deliver)| deliver.is_some()));
}

#[test]
fn a_timeout_loses_the_query_before_the_server_sees_it() {
    let events = run(&fault("timeout", 1_000, 1_000, ""), NO_STALE, 1);
    assert!(all(&resolved(&events, "client-1", 1_110, 2_000), "failed"), "after the client's 100 ms timeout");
    assert!(server_answers(&events, 1_000, 2_000).is_empty(), "no query reached the server");
    assert!(dns_faults(&events, "timeout") > 0);
}

#[test]
fn stale_keeps_serving_the_answer_from_before_the_fault_across_a_zone_change() {
    let events = run(&fault("stale", 3_000, 3_000, ""), NO_STALE, 1);
    assert!(all(&server_answers(&events, 4_000, 6_000), "backend-2"), "the zone changed at 4 s");
    assert!(all(&resolved(&events, "client-1", 4_000, 6_000), "backend-1"), "the clients were told the old one");
    assert!(all(&resolved(&events, "client-1", 6_010, 8_000), "backend-2"), "until the fault ended");
}

#[test]
fn wrong_address_sends_clients_to_the_named_node() {
    let events = run(&fault("wrong-address", 1_000, 1_000, "points_to = \"backend-2\"\n"), NO_STALE, 1);
    assert!(all(&resolved(&events, "client-1", 1_010, 2_000), "backend-2"));
    let served_by_2 = events.iter().filter(|e| e.kind() == "served" && &*e.node == "backend-2").count();
    assert!(served_by_2 > 0, "the wrong backend got the calls");
}

#[test]
fn a_fault_is_scoped_to_its_clients_names_and_probability_and_replays_from_the_seed() {
    let only_client_2 = fault("nxdomain", 1_000, 2_000, "from = [\"client-2\"]\nnames = [\"API.lab.\"]\n");
    let events = run(&only_client_2, NO_STALE, 1);
    assert!(all(&resolved(&events, "client-2", 1_010, 3_000), "nxdomain"), "names compare as DNS does");
    assert!(all(&resolved(&events, "client-1", 1_010, 3_000), "backend-1"), "client-1 is not in `from`");
    let other_name = run(&fault("nxdomain", 1_000, 2_000, "names = [\"db.lab\"]\n"), NO_STALE, 1);
    assert_eq!(dns_faults(&other_name, "nxdomain"), 0);

    let half = fault("nxdomain", 0, 8_000, "").replace("probability = 1.0", "probability = 0.5");
    let outcomes = resolved(&run(&half, NO_STALE, 3), "client-1", 0, 8_000);
    let missing = outcomes.iter().filter(|r| *r == "nxdomain").count();
    assert!(missing * 4 > outcomes.len() && missing * 4 < outcomes.len() * 3, "{missing} of {}", outcomes.len());
    assert_eq!(outcomes, resolved(&run(&half, NO_STALE, 3), "client-1", 0, 8_000), "the same seed, the same dice");
}

#[test]
fn dns_fault_mistakes_are_located() {
    let error = |faults: &str| common::parse(&common::dns_small(faults, NO_STALE)).map(|_| ()).unwrap_err().to_string();
    let rpc_action = error(&fault("drop-request", 1_000, 1_000, ""));
    assert!(rpc_action.contains("faults[0].action") && rpc_action.contains("nxdomain, servfail"), "{rpc_action}");
    let no_target = error(&fault("wrong-address", 1_000, 1_000, ""));
    assert!(no_target.contains("faults[0].points_to"), "{no_target}");
    let stray_target = error(&fault("nxdomain", 1_000, 1_000, "points_to = \"backend-2\"\n"));
    assert!(stray_target.contains("only to action = \"wrong-address\""), "{stray_target}");
    let not_a_server = error(&fault("servfail", 1_000, 1_000, "to = [\"backend-1\"]\n"));
    assert!(not_a_server.contains("`backend-1` is not a DNS server"), "{not_a_server}");
    let bad_name = error(&fault("servfail", 1_000, 1_000, "names = [\"a..b\"]\n"));
    assert!(bad_name.contains("faults[0].names"), "{bad_name}");
    let dns_on_rpc = error(&fault("servfail", 1_000, 1_000, "").replace("\"dns\"", "\"rpc\""));
    assert!(dns_on_rpc.contains("`servfail` is not an action of `rpc` faults"), "{dns_on_rpc}");

    let no_dns_server = common::small_with("[lesson]", &format!("{}\n[lesson]", fault("nxdomain", 500, 500, "")));
    let error = common::parse(&no_dns_server).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("no DNS server"), "{error}");
}

/// dns-failover with its SERVFAIL outage replaced by a partition between the clients and the
/// DNS server: queries are datagrams lost without an answer, and each takes the whole
/// `dns_timeout_ms` to fail. The correct resolver serves stale and, while a refresh is out,
/// lets no other request ask: it rides the outage out without a query storm. The resolver
/// without serve-stale fails requests and storms.
#[test]
fn a_dns_server_cut_off_by_a_partition_is_an_outage_serve_stale_rides_out() {
    let text = std::fs::read_to_string(common::repo_root().join("scenarios/dns-failover.toml")).unwrap();
    let servfail = "kind = \"dns\"\nat_ms = 48_000\nfor_ms = 10_000\naction = \"servfail\"\nnames = [\"api.lab\"]\nprobability = 1.0\n";
    let partition = "kind = \"partition\"\nat_ms = 48_000\nfor_ms = 10_000\nfrom = [\"client-1\", \"client-2\", \"client-3\"]\nto = [\"dns\"]\n";
    assert!(text.contains(servfail), "the scenario's outage is where this test expects it");
    let scenario = common::parse(&text.replace(servfail, partition)).unwrap_or_else(|d| panic!("{d}"));
    let failed = |variant: &str| -> Vec<String> {
        let judged = run_and_judge(&scenario, scenario.variant(variant).unwrap(), 1).unwrap();
        let lost =
            judged.run.events.iter().filter(|e| e.kind() == "msg-lost" && e.str_field("leg") == Some("datagram"));
        assert!(lost.count() > 0, "{variant}: queries were lost to the partition");
        judged.verdicts.iter().filter(|v| !v.passed()).map(|v| v.check.to_owned()).collect()
    };
    assert_eq!(failed("respect-ttl"), Vec::<String>::new());
    assert_eq!(failed("fail-on-servfail"), ["availability", "dns-query-rate"]);
}

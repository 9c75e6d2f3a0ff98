//! DNS checks, over what the clients recorded and what the lab did to the backends.
//!
//! - Availability (liveness): in each window, the share of requests started there that
//!   succeeded — windows, because a DNS failure shows at particular moments (after a cutover,
//!   during a DNS outage) and an average over the run hides it.
//! - DNS query rate (liveness of the DNS server): the most queries one client sent in one
//!   second — the amplification a resolver without negative caching turns an NXDOMAIN into.
//! - Calls to a stopped backend (safety): a client called a backend while the lab had it
//!   crashed, because its resolver still believed an old answer.

use crate::checks::{seconds, Decimal, Outcome, Witnesses};
use crate::trace::{Event, LAB_NODE};
use nodes::records::dns::{BACKEND, DNS_QUERY, ID, OK, OUTCOME, SERVED, SERVICE_CALL, SERVICE_RESULT};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many witnesses per verdict: enough to see the pattern in the view.
const MAX_WITNESSES: usize = 20;

/// One request: started at `start_ms`, succeeded or not; `seq` is its last event.
struct Request {
    start_ms: u64,
    ok: bool,
    seq: u64,
}

/// Every request, from the clients' `service-result` records — and, as failures, every
/// `service-call` that never got its result, unless it started in the run's last `settle_us`
/// (it may just have been in flight).
fn requests(events: &[Event], end_us: u64, settle_us: u64) -> Vec<Request> {
    let mut by_id: BTreeMap<(&str, u64), Request> = BTreeMap::new();
    for event in events {
        let (kind, Some(id)) = (event.kind(), event.u64_field(ID)) else { continue };
        let key = (&*event.node, id);
        match kind {
            SERVICE_RESULT => {
                let start_ms = (event.t_us / 1_000).saturating_sub(event.u64_field("latency_ms").unwrap_or(0));
                let ok = event.str_field(OUTCOME) == Some(OK);
                by_id.insert(key, Request { start_ms, ok, seq: event.seq });
            }
            SERVICE_CALL if event.t_us + settle_us <= end_us => {
                by_id.entry(key).or_insert(Request { start_ms: event.t_us / 1_000, ok: false, seq: event.seq });
            }
            _ => {}
        }
    }
    by_id.into_values().collect()
}

fn span(from_ms: u64, to_ms: u64) -> String {
    format!("{}–{}", seconds(from_ms * 1_000), seconds(to_ms * 1_000))
}

/// Every window judged on its own; a window no request started in makes the whole check
/// inconclusive (a bound on nothing proves nothing). A request still unanswered at the end is
/// a failure, unless it started in the last `settle_us`. Witnesses: failed requests of the
/// windows below the bound.
pub fn availability(
    events: &[Event],
    end_us: u64,
    settle_us: u64,
    windows: &[(u64, u64)],
    min_pct: Decimal,
) -> Outcome {
    let requests = requests(events, end_us, settle_us);
    let mut parts = Vec::new();
    let mut failed_windows = 0;
    let mut witnesses = Witnesses::new();
    for &(from_ms, to_ms) in windows {
        let inside: Vec<&Request> = requests.iter().filter(|r| (from_ms..to_ms).contains(&r.start_ms)).collect();
        if inside.is_empty() {
            return Outcome::Inconclusive(format!("no request started in {}", span(from_ms, to_ms)));
        }
        let (ok, total) = (inside.iter().filter(|r| r.ok).count() as u64, inside.len() as u64);
        parts.push(format!("{}: {ok} of {total} ({:.1}%)", span(from_ms, to_ms), ok as f64 * 100.0 / total as f64));
        if !min_pct.is_at_most_ratio(ok * 100, total) {
            failed_windows += 1;
            let room = MAX_WITNESSES.saturating_sub(witnesses.len());
            witnesses.extend(inside.iter().filter(|r| !r.ok).take(room).map(|r| r.seq));
        }
    }
    let figure = format!(
        "requests that succeeded, by window — {} — bound >= {min_pct}%; {failed_windows} window(s) below",
        parts.join("; ")
    );
    Outcome::judged(failed_windows == 0, figure, || witnesses)
}

/// The busiest second of any client's DNS queries, against `max_per_second`. A run without a
/// single request has nothing to judge. Witnesses: that second's queries.
pub fn dns_query_rate(events: &[Event], max_per_second: u64) -> Outcome {
    if !events.iter().any(|e| e.kind() == SERVICE_RESULT) {
        return Outcome::Inconclusive("no client finished a request: no query rate to judge".into());
    }
    let mut per_second: BTreeMap<(&str, u64), Vec<u64>> = BTreeMap::new();
    for event in events.iter().filter(|e| e.kind() == DNS_QUERY) {
        per_second.entry((&*event.node, event.t_us / 1_000_000)).or_default().push(event.seq);
    }
    let total: usize = per_second.values().map(Vec::len).sum();
    let clients: BTreeSet<&str> = per_second.keys().map(|(client, _)| *client).collect();
    // The busiest second; the earliest of equals.
    let busiest = per_second.iter().max_by_key(|((_, second), queries)| (queries.len(), std::cmp::Reverse(*second)));
    let Some(((client, second), queries)) = busiest else {
        return Outcome::Pass("no client sent a DNS query".into());
    };
    let over = per_second.values().filter(|q| q.len() as u64 > max_per_second).count();
    let figure = format!(
        "{total} DNS queries from {} client(s); the busiest second: {} sent {} in second {second}; \
         {over} client-second(s) above the bound <= {max_per_second}/s",
        clients.len(),
        client,
        queries.len()
    );
    Outcome::judged(over == 0, figure, || queries.iter().take(MAX_WITNESSES).copied().collect())
}

/// Every `service-call` to a backend the lab had crashed at that moment. Inconclusive when the
/// lab stopped no backend (a node some client called or that served). Witnesses: the crash,
/// then the calls.
pub fn calls_to_stopped_backend(events: &[Event]) -> Outcome {
    let backends: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| match e.kind() {
            SERVICE_CALL => e.str_field(BACKEND),
            SERVED => Some(&*e.node),
            _ => None,
        })
        .collect();
    let mut down: BTreeMap<String, &Event> = BTreeMap::new();
    let mut stopped_any = false;
    let mut calls: Vec<(&Event, &Event)> = Vec::new();
    for event in events {
        match event.kind() {
            "fault" if &*event.node == LAB_NODE => {
                let nodes = event.str_field("nodes").unwrap_or_default().split(',');
                match event.str_field("fault") {
                    Some("crash") => {
                        for node in nodes.filter(|n| backends.contains(n)) {
                            stopped_any = true;
                            down.insert(node.to_owned(), event);
                        }
                    }
                    Some("restart") => {
                        for node in nodes {
                            down.remove(node);
                        }
                    }
                    _ => {}
                }
            }
            SERVICE_CALL => {
                if let Some(crash) = event.str_field(BACKEND).and_then(|b| down.get(b)) {
                    calls.push((crash, event));
                }
            }
            _ => {}
        }
    }
    if !stopped_any {
        return Outcome::Inconclusive("the lab stopped no backend: no call to a stopped one to look for".into());
    }
    let mut figure = format!("calls to a backend while it was stopped: {}", calls.len());
    if let Some((crash, call)) = calls.first() {
        let backend = call.str_field(BACKEND).unwrap_or_default();
        figure += &format!(
            "; first: {} called {backend} at {}, stopped since {}",
            call.node,
            seconds(call.t_us),
            seconds(crash.t_us)
        );
    }
    Outcome::judged(calls.is_empty(), figure, || {
        let first_crash = calls.first().map(|(crash, _)| crash.seq);
        first_crash.into_iter().chain(calls.iter().take(MAX_WITNESSES).map(|(_, call)| call.seq)).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_events;
    use nodes::Record;

    fn result(t_ms: u64, latency_ms: u64, outcome: &str) -> (u64, &'static str, Record) {
        let id = t_ms; // one request per time in these tests
        let record = Record::info(SERVICE_RESULT).with(ID, id).with(OUTCOME, outcome).with("latency_ms", latency_ms);
        (t_ms, "client-1", record)
    }

    fn query(t_ms: u64, client: &'static str) -> (u64, &'static str, Record) {
        (t_ms, client, Record::debug(DNS_QUERY).with("name", "api.lab"))
    }

    fn call(t_ms: u64, backend: &str) -> (u64, &'static str, Record) {
        (t_ms, "client-1", Record::debug(SERVICE_CALL).with(BACKEND, backend))
    }

    fn lab(t_ms: u64, fault: &str, nodes: &str) -> (u64, &'static str, Record) {
        (t_ms, LAB_NODE, Record::warn("fault").with("fault", fault).with("nodes", nodes))
    }

    #[test]
    fn availability_judges_each_window_by_when_requests_started() {
        // Started at 900 ms (in the first window), ended in the second; fails there.
        let events = test_events(vec![result(1_100, 200, "timeout"), result(1_500, 5, OK), result(2_500, 5, OK)]);
        let end = 10_000_000;
        let outcome = availability(&events, end, 0, &[(0, 1_000), (1_000, 3_000)], Decimal::whole(90));
        assert!(matches!(&outcome, Outcome::Fail(f, w) if f.contains("1 window(s) below") && w.len() == 1));
        let at_bound = availability(&events, end, 0, &[(1_000, 3_000)], Decimal::whole(100));
        assert!(matches!(at_bound, Outcome::Pass(_)), "a window at its bound passes");
        let empty = availability(&events, end, 0, &[(0, 1_000), (5_000, 6_000)], Decimal::whole(50));
        assert!(matches!(empty, Outcome::Inconclusive(_)), "an empty window judges nothing");
    }

    #[test]
    fn a_request_never_answered_is_a_failure_unless_it_started_just_before_the_end() {
        let call = |t_ms: u64, id: u64| (t_ms, "client-1", Record::debug(SERVICE_CALL).with(ID, id));
        let events = test_events(vec![result(1_005, 5, OK), call(1_500, 9), call(9_900, 10)]);
        let window = [(1_000, 10_000)];
        let Outcome::Fail(figure, witnesses) = availability(&events, 10_000_000, 500_000, &window, Decimal::whole(60))
        else {
            panic!("the hung request fails the window")
        };
        assert!(figure.contains("1 of 2"), "the one in flight at the end is not judged: {figure}");
        assert_eq!(witnesses, vec![1]);
    }

    #[test]
    fn the_query_rate_is_the_busiest_second_of_any_one_client() {
        let mut lines: Vec<_> = (0..12).map(|i| query(36_000 + i * 10, "client-2")).collect();
        lines.extend([query(36_500, "client-1"), result(37_000, 5, OK)]);
        let events = test_events(lines);
        let Outcome::Fail(figure, witnesses) = dns_query_rate(&events, 10) else { panic!("12 > 10") };
        assert!(figure.contains("client-2 sent 12 in second 36"), "{figure}");
        assert_eq!(witnesses.len(), 12);
        assert!(matches!(dns_query_rate(&events, 12), Outcome::Pass(_)));
        assert!(matches!(dns_query_rate(&test_events(vec![query(1, "c")]), 1), Outcome::Inconclusive(_)));
    }

    #[test]
    fn a_call_to_a_crashed_backend_is_caught_and_one_after_its_restart_is_not() {
        let events = test_events(vec![
            call(1_000, "backend-1"),
            lab(2_000, "crash", "backend-1"),
            call(2_500, "backend-2"),
            call(3_000, "backend-1"),
            lab(4_000, "restart", "backend-1"),
            call(5_000, "backend-1"),
        ]);
        let Outcome::Fail(figure, witnesses) = calls_to_stopped_backend(&events) else { panic!() };
        assert!(figure.starts_with("calls to a backend while it was stopped: 1;"), "{figure}");
        assert_eq!(witnesses, vec![events[1].seq, events[3].seq], "the crash, then the call");
        let kept_away =
            test_events(vec![call(1_000, "backend-1"), lab(2_000, "crash", "backend-1"), call(2_500, "backend-2")]);
        assert!(matches!(calls_to_stopped_backend(&kept_away), Outcome::Pass(_)));
        let no_stop = test_events(vec![lab(2_000, "crash", "client-1"), call(2_500, "backend-2")]);
        assert!(matches!(calls_to_stopped_backend(&no_stop), Outcome::Inconclusive(_)));
    }
}

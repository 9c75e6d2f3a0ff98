//! Connection-pool checks, over what the clients recorded and the lab's fault events.
//!
//! - Request deadline (liveness): every request ended within the deadline — a request still
//!   waiting at the end counts from its start to the end, which is how a hung request shows.
//! - Dead-connection detection (liveness): once a backend is black-holed, every client that
//!   was calling it ejects it within the bound — by a deadline, a keepalive or a failed dial.

use crate::checks::{seconds, Outcome};
use crate::trace::{Event, LAB_NODE};
use nodes::records::dns::{BACKEND, ID, SERVICE_CALL, SERVICE_RESULT};
use nodes::records::pool::BACKEND_DOWN;
use std::collections::BTreeMap;

/// At most this many witnesses per verdict.
const MAX_WITNESSES: usize = 20;

/// A request: when it started (its first call), when it ended if it did, its events' seqs.
struct Request<'a> {
    node: &'a str,
    id: u64,
    start_us: u64,
    end_us: Option<u64>,
    seq: u64,
}

/// Every request of every client, in the order they started.
fn requests(events: &[Event]) -> Vec<Request<'_>> {
    let mut by_id: BTreeMap<(&str, u64), Request> = BTreeMap::new();
    for event in events {
        let (kind, Some(id)) = (event.kind(), event.u64_field(ID)) else { continue };
        let key = (&*event.node, id);
        match kind {
            SERVICE_CALL => {
                by_id.entry(key).or_insert(Request {
                    node: &event.node,
                    id,
                    start_us: event.t_us,
                    end_us: None,
                    seq: event.seq,
                });
            }
            SERVICE_RESULT => {
                let start_us = event.t_us - event.u64_field("latency_ms").unwrap_or(0) * 1_000;
                let request = by_id.entry(key).or_insert(Request {
                    node: &event.node,
                    id,
                    start_us,
                    end_us: None,
                    seq: event.seq,
                });
                request.end_us = Some(event.t_us);
                request.seq = event.seq;
            }
            _ => {}
        }
    }
    let mut requests: Vec<Request> = by_id.into_values().collect();
    requests.sort_by_key(|r| (r.start_us, r.seq));
    requests
}

/// Witnesses: the requests that took longest past the deadline (their last event).
pub fn request_deadline(events: &[Event], end_us: u64, deadline_us: u64) -> Outcome {
    let requests = requests(events);
    if requests.is_empty() {
        return Outcome::Inconclusive("no request was made: no deadline to judge".into());
    }
    let took = |r: &Request| r.end_us.unwrap_or(end_us) - r.start_us;
    let late: Vec<&Request> = requests.iter().filter(|r| took(r) > deadline_us).collect();
    let unfinished = late.iter().filter(|r| r.end_us.is_none()).count();
    let mut figure = format!(
        "requests: {}; longer than {}: {} ({unfinished} still waiting at the end)",
        requests.len(),
        seconds(deadline_us),
        late.len()
    );
    if let Some(worst) = late.iter().max_by_key(|r| (took(r), std::cmp::Reverse(r.start_us))) {
        let how = match worst.end_us {
            Some(_) => "took",
            None => "had waited, unanswered,",
        };
        figure += &format!(
            "; the longest: {} request {} started at {} and {how} {}",
            worst.node,
            worst.id,
            seconds(worst.start_us),
            seconds(took(worst))
        );
    }
    Outcome::judged(late.is_empty(), figure, || late.iter().take(MAX_WITNESSES).map(|r| r.seq).collect())
}

/// A black-hole fault's start, as the lab recorded it: when, and the dialling and the
/// silenced nodes.
struct Hole<'a> {
    event: &'a Event,
    from: Vec<&'a str>,
    to: Vec<&'a str>,
}

/// Judges every (client, backend) pair a black hole cut where the client had called the
/// backend before the hole: the time from the hole's start to the client's first
/// `backend-down` for it. Holes that start in the run's last `within_us` are not judged.
/// Witnesses: the hole, then each late client's ejection (or its last call into the hole).
pub fn dead_connection_detection(events: &[Event], end_us: u64, within_us: u64) -> Outcome {
    let holes: Vec<Hole> = events
        .iter()
        .filter(|e| &*e.node == LAB_NODE && e.kind() == "fault" && e.str_field("fault") == Some("black-hole"))
        .filter(|e| e.t_us + within_us <= end_us)
        .map(|e| Hole {
            event: e,
            from: e.str_field("from").unwrap_or_default().split(',').collect(),
            to: e.str_field("to").unwrap_or_default().split(',').collect(),
        })
        .collect();
    let mut judged = Vec::new();
    for hole in &holes {
        for &client in &hole.from {
            for &backend in &hole.to {
                let called_before = events.iter().any(|e| {
                    e.t_us < hole.event.t_us
                        && &*e.node == client
                        && e.kind() == SERVICE_CALL
                        && e.str_field(BACKEND) == Some(backend)
                });
                if !called_before {
                    continue;
                }
                let ejected = events.iter().find(|e| {
                    e.t_us >= hole.event.t_us
                        && &*e.node == client
                        && e.kind() == BACKEND_DOWN
                        && e.str_field(BACKEND) == Some(backend)
                });
                judged.push((hole, client, backend, ejected));
            }
        }
    }
    if judged.is_empty() {
        return Outcome::Inconclusive(format!(
            "no black hole cut a client from a backend it was calling, more than {} before the end",
            seconds(within_us)
        ));
    }
    let waited =
        |(hole, _, _, ejected): &(&Hole, &str, &str, Option<&Event>)| ejected.map(|e| e.t_us - hole.event.t_us);
    let late: Vec<_> = judged.iter().filter(|j| waited(j).is_none_or(|w| w > within_us)).collect();
    let slowest = match judged.iter().filter_map(waited).max() {
        Some(slowest) => seconds(slowest),
        None => "none did".to_owned(),
    };
    let mut figure = format!(
        "clients cut from a backend they were calling: {}; slowest to eject it: {slowest}; later than {} or never: {}",
        judged.len(),
        seconds(within_us),
        late.len()
    );
    if let Some((hole, client, backend, ejected)) = late.first() {
        let after = match ejected {
            Some(e) => format!("only {} later", seconds(e.t_us - hole.event.t_us)),
            None => format!("never (to the end, {} later)", seconds(end_us - hole.event.t_us)),
        };
        figure += &format!("; first: {client} ejected {backend} {after}");
    }
    Outcome::judged(late.is_empty(), figure, || {
        let hole = late.first().map(|(hole, ..)| hole.event.seq);
        let ejections = late.iter().filter_map(|(_, _, _, ejected)| ejected.map(|e| e.seq));
        hole.into_iter().chain(ejections).take(MAX_WITNESSES).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_events;
    use nodes::Record;

    fn call(t_ms: u64, node: &'static str, id: u64, backend: &str) -> (u64, &'static str, Record) {
        (t_ms, node, Record::debug(SERVICE_CALL).with(ID, id).with(BACKEND, backend))
    }

    fn result(t_ms: u64, node: &'static str, id: u64, latency_ms: u64) -> (u64, &'static str, Record) {
        (t_ms, node, Record::info(SERVICE_RESULT).with(ID, id).with("outcome", "ok").with("latency_ms", latency_ms))
    }

    fn down(t_ms: u64, node: &'static str, backend: &str) -> (u64, &'static str, Record) {
        (t_ms, node, Record::info(BACKEND_DOWN).with(BACKEND, backend))
    }

    fn hole(t_ms: u64) -> (u64, &'static str, Record) {
        let record = Record::warn("fault").with("fault", "black-hole").with("from", "c-1,c-2").with("to", "b-2");
        (t_ms, LAB_NODE, record)
    }

    #[test]
    fn a_request_past_its_deadline_fails_and_so_does_one_still_waiting_at_the_end() {
        let on_time = test_events(vec![call(0, "c-1", 1, "b-1"), result(400, "c-1", 1, 400)]);
        assert!(matches!(request_deadline(&on_time, 10_000_000, 500_000), Outcome::Pass(_)));
        let slow = test_events(vec![call(0, "c-1", 1, "b-1"), result(600, "c-1", 1, 600)]);
        assert!(matches!(request_deadline(&slow, 10_000_000, 500_000), Outcome::Fail(..)));
        let hung = test_events(vec![call(2_000, "c-2", 7, "b-2")]);
        let Outcome::Fail(figure, witnesses) = request_deadline(&hung, 10_000_000, 500_000) else { panic!() };
        assert!(figure.contains("1 still waiting") && figure.contains("c-2 request 7"), "{figure}");
        assert_eq!(witnesses, vec![0]);
        assert!(matches!(request_deadline(&[], 1, 1), Outcome::Inconclusive(_)));
    }

    #[test]
    fn each_client_that_was_calling_the_silenced_backend_must_eject_it_in_time() {
        let events = test_events(vec![
            call(1_000, "c-1", 1, "b-2"),
            call(1_000, "c-2", 2, "b-2"),
            hole(15_000),
            down(15_500, "c-1", "b-2"),
            down(19_000, "c-2", "b-2"),
        ]);
        let Outcome::Fail(figure, witnesses) = dead_connection_detection(&events, 30_000_000, 2_000_000) else {
            panic!()
        };
        assert!(figure.contains("first: c-2 ejected b-2 only 4.000 s later"), "{figure}");
        assert_eq!(witnesses, vec![2, 4], "the hole, then the late ejection");
        assert!(matches!(dead_connection_detection(&events, 30_000_000, 4_000_000), Outcome::Pass(_)));
        let never = test_events(vec![call(1_000, "c-1", 1, "b-2"), hole(15_000)]);
        let Outcome::Fail(figure, _) = dead_connection_detection(&never, 30_000_000, 2_000_000) else { panic!() };
        assert!(figure.contains("never"), "{figure}");
        let unused = test_events(vec![call(1_000, "c-1", 1, "b-1"), hole(15_000)]);
        assert!(matches!(dead_connection_detection(&unused, 30_000_000, 2_000_000), Outcome::Inconclusive(_)));
    }
}

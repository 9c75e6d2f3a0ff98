//! A client that finds its service by name: for every request (Poisson arrivals) it asks its
//! resolver for the service's address — from the cache, or with a query to the DNS server —
//! then calls the backend the address belongs to. Each request that finds nothing usable in
//! the cache sends its own query, as a stub resolver without request coalescing does: what
//! negative caching and TTLs save the DNS server is counted in `dns-query` records.
//!
//! Queries go out as datagrams, as DNS over UDP does: one query, at most one answer, no
//! retransmission. The client keeps each query's 16-bit id and takes only an answer from its
//! DNS server with an id it is waiting for (a late answer, after its timer gave up, is
//! dropped); a query whose answer has not come by `dns_timeout_ms` has failed.
//!
//! Records: `dns-query`, `dns-resolved`, `service-call`, `service-result` (see
//! `records::dns`).

use super::resolver::{Lookup, Resolved, Resolver, ResolverConfig};
use super::wire;
use super::wire::Answer;
use super::Addresses;
use crate::client::Arrivals;
use crate::records::dns::{
    BACKEND, DNS_FAILED, DNS_QUERY, DNS_RESOLVED, FAILED, ID, NAME, NXDOMAIN, OK, OUTCOME, RESOLVED, SERVICE_CALL,
    SERVICE_RESULT,
};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::dns::{DnsQuery, DnsResponse, ServiceCall};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, PartialEq)]
pub struct DnsClientConfig {
    pub dns_server: String,
    /// The name it looks up (`api.lab`).
    pub service: String,
    pub requests_per_second: f64,
    /// Per call to a backend.
    pub timeout_ms: u64,
    /// Per DNS query.
    pub dns_timeout_ms: u64,
    pub resolver: ResolverConfig,
    pub addresses: Addresses,
}

const ARRIVAL_TIMER: u64 = 0;

// A request's service call is tagged with its id ×2; its DNS query's timer with id ×2 + 1.
fn service_tag(id: u64) -> u64 {
    id * 2
}

fn query_timer(id: u64) -> u64 {
    id * 2 + 1
}

/// A request's DNS query id: the request's id folded into DNS's 16 bits. Two queries out at
/// once share an id only 65,536 requests apart, far more than a query's timeout lets overlap.
fn query_id(id: u64) -> u16 {
    id as u16
}

pub struct DnsClient {
    config: DnsClientConfig,
    arrivals: Arrivals,
    resolver: Resolver,
    next_id: u64,
    /// Requests in flight: id → (started at, the backend once known).
    open: BTreeMap<u64, (u64, Option<String>)>,
    /// Queries waiting for their answer: DNS id → the request that asked.
    asking: BTreeMap<u16, u64>,
}

impl DnsClient {
    pub fn new(config: DnsClientConfig) -> Self {
        let arrivals = Arrivals::new(config.requests_per_second);
        let resolver = Resolver::new(config.resolver.clone());
        Self { config, arrivals, resolver, next_id: 0, open: BTreeMap::new(), asking: BTreeMap::new() }
    }

    fn start_request(&mut self, now_ms: u64, out: &mut Out) {
        self.next_id += 1;
        let id = self.next_id;
        self.open.insert(id, (now_ms, None));
        match self.resolver.lookup(&self.config.service, now_ms) {
            Lookup::Address(address) | Lookup::Stale(address) => self.call_backend(now_ms, id, address, out),
            Lookup::Missing => self.finish(now_ms, id, NXDOMAIN, out),
            Lookup::Ask => match wire::query(query_id(id), &self.config.service) {
                Ok(wire) => {
                    out.record(Record::debug(DNS_QUERY).with(NAME, self.config.service.as_str()));
                    self.asking.insert(query_id(id), id);
                    let gives_up_ms = now_ms + self.config.dns_timeout_ms;
                    self.resolver.refreshing(&self.config.service, now_ms, gives_up_ms);
                    out.send(&self.config.dns_server, Body::DnsQuery(DnsQuery { wire }));
                    out.set_timer(query_timer(id), self.config.dns_timeout_ms);
                }
                Err(_) => self.finish(now_ms, id, DNS_FAILED, out),
            },
        }
    }

    /// A datagram from the DNS server: the answer to one of the queries out, or nothing we
    /// asked for (a garbled answer, or a late one whose request has given up).
    fn on_dns_response(&mut self, now_ms: u64, response: &DnsResponse, out: &mut Out) {
        let Ok((query, answer)) = wire::parse_response(&response.wire) else { return };
        if let Some(id) = self.asking.remove(&query) {
            self.on_dns_result(now_ms, id, Some(answer), out);
        }
    }

    /// A query's timer: still unanswered, it has failed.
    fn on_dns_timeout(&mut self, now_ms: u64, id: u64, out: &mut Out) {
        if self.asking.get(&query_id(id)) == Some(&id) {
            self.asking.remove(&query_id(id));
            self.on_dns_result(now_ms, id, None, out);
        }
    }

    /// What the query asked for `id` came to: an answer, or none in time.
    fn on_dns_result(&mut self, now_ms: u64, id: u64, answer: Option<Answer>, out: &mut Out) {
        let service = self.config.service.clone();
        let resolved = match answer {
            Some(answer) => self.resolver.on_answer(&service, &answer, now_ms),
            None => self.resolver.on_failure(&service, now_ms),
        };
        let node_of = |address: Ipv4Addr| self.config.addresses.node(address).unwrap_or("?").to_owned();
        let said = match resolved {
            Resolved::Address(address) => node_of(address),
            Resolved::Stale(address) => format!("stale:{}", node_of(address)),
            Resolved::Missing => NXDOMAIN.to_owned(),
            Resolved::Failed => FAILED.to_owned(),
        };
        out.record(Record::debug(DNS_RESOLVED).with(NAME, service).with(RESOLVED, said));
        match resolved {
            Resolved::Address(address) | Resolved::Stale(address) => self.call_backend(now_ms, id, address, out),
            Resolved::Missing => self.finish(now_ms, id, NXDOMAIN, out),
            Resolved::Failed => self.finish(now_ms, id, DNS_FAILED, out),
        }
    }

    fn call_backend(&mut self, now_ms: u64, id: u64, address: Ipv4Addr, out: &mut Out) {
        let Some(backend) = self.config.addresses.node(address).map(str::to_owned) else {
            return self.finish(now_ms, id, "error", out);
        };
        out.record(Record::debug(SERVICE_CALL).with(ID, id).with(BACKEND, backend.as_str()));
        let body = Body::ServiceCall(ServiceCall { request_id: id });
        out.call(&backend, service_tag(id), body, self.config.timeout_ms);
        if let Some(open) = self.open.get_mut(&id) {
            open.1 = Some(backend);
        }
    }

    fn on_service_result(&mut self, now_ms: u64, id: u64, result: Result<Body, CallError>, out: &mut Out) {
        let outcome = match result {
            Ok(Body::ServiceAnswer(_)) => OK,
            Ok(_) | Err(CallError::Failed(_)) => "error",
            Err(CallError::Timeout) => "timeout",
            Err(CallError::Unreachable) => "unreachable",
        };
        self.finish(now_ms, id, outcome, out);
    }

    fn finish(&mut self, now_ms: u64, id: u64, outcome: &str, out: &mut Out) {
        let Some((started_ms, backend)) = self.open.remove(&id) else { return };
        let mut record = Record::info(SERVICE_RESULT)
            .with(ID, id)
            .with(OUTCOME, outcome)
            .with("latency_ms", now_ms.saturating_sub(started_ms));
        if let Some(backend) = backend {
            record = record.with(BACKEND, backend);
        }
        out.record(record);
    }
}

impl Node for DnsClient {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let now_ms = ctx.now_ms;
        match input {
            Input::Start { .. } => out.set_timer(ARRIVAL_TIMER, self.arrivals.start(ctx)),
            Input::Timer { tag: ARRIVAL_TIMER } => {
                let (due, wait_ms) = self.arrivals.due(ctx);
                for _ in 0..due {
                    self.start_request(now_ms, out);
                }
                out.set_timer(ARRIVAL_TIMER, wait_ms);
            }
            Input::Timer { tag } => self.on_dns_timeout(now_ms, tag / 2, out),
            Input::Datagram { from, body: Body::DnsResponse(response) } if from == self.config.dns_server => {
                self.on_dns_response(now_ms, &response, out)
            }
            Input::CallResult { tag, result } => self.on_service_result(now_ms, tag / 2, result, out),
            Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::resolver::TtlPolicy;
    use crate::dns::wire::Answer;
    use crate::Action;
    use fundamentals::sim::{stream_rng, SimRng};
    use proto::dns::{DnsResponse, ServiceAnswer};

    fn client(ttl: TtlPolicy, negative_cache_ms: u64) -> DnsClient {
        DnsClient::new(DnsClientConfig {
            dns_server: "dns".into(),
            service: "api.lab".into(),
            requests_per_second: 10.0,
            timeout_ms: 200,
            dns_timeout_ms: 100,
            resolver: ResolverConfig { ttl, negative_cache_ms, max_stale_ms: 0, stale_refresh_ms: 0 },
            addresses: Addresses::new(vec!["backend-blue".into(), "backend-green".into()]),
        })
    }

    fn step(client: &mut DnsClient, rng: &mut SimRng, now_ms: u64, input: Input) -> Vec<Action> {
        let mut out = Out::default();
        client.on_input(&mut Ctx { now_ms, rng }, input, &mut out);
        out.take()
    }

    /// One request at `now_ms`: its actions, the DNS answer `dns` given if it asked, and the
    /// backend's answer if it called one. Returns the backend called and whether it asked DNS.
    fn request(client: &mut DnsClient, rng: &mut SimRng, now_ms: u64, dns: &Answer) -> (Option<String>, bool) {
        let mut actions = Vec::new();
        let mut out = Out::default();
        client.start_request(now_ms, &mut out);
        actions.extend(out.take());
        let asked = sent_query(&actions);
        if let Some(query) = asked {
            actions.extend(step(client, rng, now_ms + 2, answer_from("dns", query, dns)));
        }
        let called = actions.iter().find_map(|a| match a {
            Action::Call { to, tag, body: Body::ServiceCall(_), .. } => Some((to.clone(), *tag)),
            _ => None,
        });
        if let Some((backend, tag)) = &called {
            let result = Ok(Body::ServiceAnswer(ServiceAnswer { backend: backend.clone() }));
            step(client, rng, now_ms + 4, Input::CallResult { tag: *tag, result });
        }
        (called.map(|(to, _)| to), asked.is_some())
    }

    /// The id of the DNS query among `actions`, sent as a datagram to the DNS server.
    fn sent_query(actions: &[Action]) -> Option<u16> {
        actions.iter().find_map(|a| match a {
            Action::Send { to, body: Body::DnsQuery(query) } if to == "dns" => {
                Some(wire::parse_query(&query.wire).unwrap().0)
            }
            _ => None,
        })
    }

    fn answer_from(from: &str, query: u16, dns: &Answer) -> Input {
        let wire = wire::response(query, "api.lab", dns).unwrap();
        Input::Datagram { from: from.into(), body: Body::DnsResponse(DnsResponse { wire }) }
    }

    fn outcomes(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Record(r) if r.kind == SERVICE_RESULT => r.field(OUTCOME).map(ToString::to_string),
                _ => None,
            })
            .collect()
    }

    const MISSING: Answer = Answer::NxDomain;

    /// A client with an empty cache, after its first request at 0 ms: it and what it did.
    fn asked_once() -> (DnsClient, Vec<Action>) {
        let mut c = client(TtlPolicy::Respect, 0);
        let mut out = Out::default();
        c.start_request(0, &mut out);
        (c, out.take())
    }

    #[test]
    fn an_unanswered_query_fails_at_its_timeout_and_its_late_answer_is_dropped() {
        let mut rng = stream_rng(1, "dns-client");
        let (mut c, actions) = asked_once();
        let query = sent_query(&actions).expect("an empty cache asks");
        let timer = actions.iter().find_map(|a| match a {
            Action::SetTimer { tag, after_ms } if *tag != ARRIVAL_TIMER => Some((*tag, *after_ms)),
            _ => None,
        });
        assert_eq!(timer.map(|(_, after)| after), Some(100), "the query's timer is dns_timeout_ms");
        let failed = step(&mut c, &mut rng, 100, Input::Timer { tag: timer.unwrap().0 });
        assert_eq!(outcomes(&failed), vec![DNS_FAILED.to_owned()]);
        let late = step(&mut c, &mut rng, 150, answer_from("dns", query, &points_to(1)));
        assert!(late.is_empty(), "nobody waits for a late answer: {late:?}");
    }

    #[test]
    fn only_the_dns_server_can_answer_and_only_a_query_that_is_out() {
        let mut rng = stream_rng(1, "dns-client");
        let (mut c, actions) = asked_once();
        let query = sent_query(&actions).unwrap();
        assert!(step(&mut c, &mut rng, 1, answer_from("backend-blue", query, &points_to(1))).is_empty());
        assert!(step(&mut c, &mut rng, 1, answer_from("dns", query.wrapping_add(1), &points_to(1))).is_empty());
        let answered = step(&mut c, &mut rng, 2, answer_from("dns", query, &points_to(1)));
        let called = answered
            .iter()
            .any(|a| matches!(a, Action::Call { to, body: Body::ServiceCall(_), .. } if to == "backend-blue"));
        assert!(called, "the real answer goes through: {answered:?}");
    }

    fn points_to(node: u8) -> Answer {
        Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, node), 5)])
    }

    #[test]
    fn a_client_that_respects_ttls_follows_the_cutover_and_one_that_does_not_keeps_calling_blue() {
        let mut rng = stream_rng(1, "dns-client");
        let mut honest = client(TtlPolicy::Respect, 0);
        assert_eq!(request(&mut honest, &mut rng, 0, &points_to(1)), (Some("backend-blue".into()), true));
        assert_eq!(request(&mut honest, &mut rng, 1_000, &points_to(2)), (Some("backend-blue".into()), false));
        assert_eq!(request(&mut honest, &mut rng, 6_000, &points_to(2)), (Some("backend-green".into()), true));
        let mut stubborn = client(TtlPolicy::Forever, 0);
        request(&mut stubborn, &mut rng, 0, &points_to(1));
        assert_eq!(request(&mut stubborn, &mut rng, 60_000, &points_to(2)), (Some("backend-blue".into()), false));
    }

    #[test]
    fn without_negative_caching_every_request_for_a_missing_name_asks_again() {
        let mut rng = stream_rng(1, "dns-client");
        let mut cached = client(TtlPolicy::Respect, 5_000);
        let mut uncached = client(TtlPolicy::Respect, 0);
        let asks =
            |c: &mut DnsClient, rng: &mut SimRng| (0..10).filter(|i| request(c, rng, i * 10, &MISSING).1).count();
        assert_eq!(asks(&mut cached, &mut rng), 1);
        assert_eq!(asks(&mut uncached, &mut rng), 10);
    }
}

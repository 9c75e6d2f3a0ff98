//! A client that finds its service by name: for every request (Poisson arrivals) it asks its
//! resolver for the service's address — from the cache, or with a query to the DNS server —
//! then calls the backend the address belongs to. Each request that finds nothing usable in
//! the cache sends its own query, as a stub resolver without request coalescing does: what
//! negative caching and TTLs save the DNS server is counted in `dns-query` records.
//!
//! Records: `dns-query`, `dns-resolved`, `service-call`, `service-result` (see
//! `records::dns`).

use super::resolver::{Lookup, Resolved, Resolver, ResolverConfig};
use super::wire;
use super::Addresses;
use crate::client::Arrivals;
use crate::records::dns::{
    BACKEND, DNS_FAILED, DNS_QUERY, DNS_RESOLVED, FAILED, ID, NAME, NXDOMAIN, OK, OUTCOME, RESOLVED, SERVICE_CALL,
    SERVICE_RESULT,
};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::dns::{DnsQuery, ServiceCall};
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

// A request's calls are tagged with its id: ×2 for the service call, ×2 + 1 for its DNS query.
fn service_tag(id: u64) -> u64 {
    id * 2
}

fn query_tag(id: u64) -> u64 {
    id * 2 + 1
}

pub struct DnsClient {
    config: DnsClientConfig,
    arrivals: Arrivals,
    resolver: Resolver,
    next_id: u64,
    /// Requests in flight: id → (started at, the backend once known).
    open: BTreeMap<u64, (u64, Option<String>)>,
}

impl DnsClient {
    pub fn new(config: DnsClientConfig) -> Self {
        let arrivals = Arrivals::new(config.requests_per_second);
        let resolver = Resolver::new(config.resolver.clone());
        Self { config, arrivals, resolver, next_id: 0, open: BTreeMap::new() }
    }

    fn start_request(&mut self, now_ms: u64, out: &mut Out) {
        self.next_id += 1;
        let id = self.next_id;
        self.open.insert(id, (now_ms, None));
        match self.resolver.lookup(&self.config.service, now_ms) {
            Lookup::Address(address) | Lookup::Stale(address) => self.call_backend(now_ms, id, address, out),
            Lookup::Missing => self.finish(now_ms, id, NXDOMAIN, out),
            Lookup::Ask => {
                // The query id is the request's, folded into DNS's 16 bits.
                match wire::query(id as u16, &self.config.service) {
                    Ok(wire) => {
                        out.record(Record::debug(DNS_QUERY).with(NAME, self.config.service.as_str()));
                        let body = Body::DnsQuery(DnsQuery { wire });
                        out.call(&self.config.dns_server, query_tag(id), body, self.config.dns_timeout_ms);
                    }
                    Err(_) => self.finish(now_ms, id, DNS_FAILED, out),
                }
            }
        }
    }

    fn on_dns_result(&mut self, now_ms: u64, id: u64, result: Result<Body, CallError>, out: &mut Out) {
        let service = self.config.service.clone();
        let answer = match result {
            Ok(Body::DnsResponse(response)) => wire::parse_response(&response.wire).ok().map(|(_, answer)| answer),
            _ => None,
        };
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
            Input::CallResult { tag, result } if tag % 2 == 1 => self.on_dns_result(now_ms, tag / 2, result, out),
            Input::CallResult { tag, result } => self.on_service_result(now_ms, tag / 2, result, out),
            Input::Timer { .. } | Input::Request { .. } | Input::Synced { .. } => {}
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
        let asked = actions.iter().find_map(|a| match a {
            Action::Call { tag, body: Body::DnsQuery(_), .. } => Some(*tag),
            _ => None,
        });
        if let Some(tag) = asked {
            let wire = wire::response(tag as u16 / 2, "api.lab", dns).unwrap();
            let result = Ok(Body::DnsResponse(DnsResponse { wire }));
            actions.extend(step(client, rng, now_ms + 2, Input::CallResult { tag, result }));
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

    const MISSING: Answer = Answer::NxDomain;

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

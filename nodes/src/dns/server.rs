//! The lab's DNS server: answers A queries from its zone as the zone stands at the moment
//! (`now_ms` on the server's clock), authoritatively, with each record's TTL. Queries and
//! answers are datagrams, as on UDP port 53. A name the zone does not hold gets NXDOMAIN; a
//! query that does not parse gets no answer and a SERVFAIL record saying why — never a panic.
//!
//! Records: `dns-answer` (`client`, `name`, `answer`: the node, `nxdomain` or `servfail`).

use super::wire::{self, Answer};
use super::zone::Zone;
use super::Addresses;
use crate::records::dns::{ANSWER, CLIENT, DNS_ANSWER, NAME, NXDOMAIN, SERVFAIL};
use crate::{Body, Ctx, Input, Node, Out, Record};
use proto::dns::DnsResponse;

#[derive(Debug, Clone, PartialEq)]
pub struct DnsServerConfig {
    pub zone: Zone,
    pub addresses: Addresses,
}

pub struct DnsServer {
    config: DnsServerConfig,
}

impl DnsServer {
    pub fn new(config: DnsServerConfig) -> Self {
        Self { config }
    }

    fn answer(&self, now_ms: u64, query: &[u8]) -> (Vec<u8>, String, String) {
        let (id, name) = match wire::parse_query(query) {
            Ok(parsed) => parsed,
            // No id to answer to: the client's query times out, as a real server's silence would.
            Err(why) => return (Vec::new(), String::new(), format!("{SERVFAIL}: {why}")),
        };
        let record = self.config.zone.lookup(&name, now_ms);
        let address = record.and_then(|r| Some((self.config.addresses.of(&r.node)?, r)));
        let (answer, said) = match address {
            Some((address, record)) => (Answer::Addresses(vec![(address, record.ttl_s)]), record.node.clone()),
            None => (Answer::NxDomain, NXDOMAIN.to_owned()),
        };
        match wire::response(id, &name, &answer) {
            Ok(bytes) => (bytes, name, said),
            Err(why) => (Vec::new(), name, format!("{SERVFAIL}: {why}")),
        }
    }

    /// A query datagram from `from`; the answer goes back to it as a datagram of its own.
    fn on_query(&self, now_ms: u64, from: &str, query: &[u8], out: &mut Out) {
        let (wire, name, said) = self.answer(now_ms, query);
        out.record(Record::info(DNS_ANSWER).with(CLIENT, from).with(NAME, name).with(ANSWER, said));
        if !wire.is_empty() {
            out.send(from, Body::DnsResponse(DnsResponse { wire }));
        }
    }
}

impl Node for DnsServer {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Datagram { from, body: Body::DnsQuery(query) } => self.on_query(ctx.now_ms, &from, &query.wire, out),
            Input::Start { .. }
            | Input::Request { .. }
            | Input::CallResult { .. }
            | Input::Timer { .. }
            | Input::Synced { .. }
            | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::zone::ZoneRecord;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::dns::DnsQuery;
    use std::net::Ipv4Addr;

    fn server() -> DnsServer {
        let record = |node: &str, from_ms| ZoneRecord { name: "api.lab".into(), node: node.into(), ttl_s: 5, from_ms };
        DnsServer::new(DnsServerConfig {
            zone: Zone::new(vec![record("backend-blue", 0), record("backend-green", 20_000)]),
            addresses: Addresses::new(vec!["backend-blue".into(), "backend-green".into()]),
        })
    }

    fn ask(server: &mut DnsServer, now_ms: u64, wire: Vec<u8>) -> Vec<Action> {
        let mut rng = stream_rng(1, "dns");
        let mut out = Out::default();
        let input = Input::Datagram { from: "client-1".into(), body: Body::DnsQuery(DnsQuery { wire }) };
        server.on_input(&mut Ctx { now_ms, rng: &mut rng }, input, &mut out);
        out.take()
    }

    fn answer(actions: &[Action]) -> Option<Answer> {
        actions.iter().find_map(|a| match a {
            Action::Send { to, body: Body::DnsResponse(r) } if to == "client-1" => {
                Some(wire::parse_response(&r.wire).unwrap().1)
            }
            _ => None,
        })
    }

    #[test]
    fn the_answer_follows_the_zone_through_its_cutover() {
        let mut server = server();
        let before = answer(&ask(&mut server, 19_000, wire::query(1, "api.lab.").unwrap()));
        let after = answer(&ask(&mut server, 20_000, wire::query(2, "api.lab.").unwrap()));
        assert_eq!(before, Some(Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, 1), 5)])));
        assert_eq!(after, Some(Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, 2), 5)])));
    }

    #[test]
    fn an_unknown_name_is_nxdomain_and_a_garbled_query_gets_no_answer_but_a_record() {
        let mut server = server();
        let unknown = ask(&mut server, 0, wire::query(1, "nope.lab.").unwrap());
        assert_eq!(answer(&unknown), Some(Answer::NxDomain));
        let garbled = ask(&mut server, 0, vec![1, 2, 3]);
        assert_eq!(answer(&garbled), None);
        let said = garbled.iter().find_map(|a| match a {
            Action::Record(r) => r.field(ANSWER).map(ToString::to_string),
            _ => None,
        });
        assert!(said.is_some_and(|s| s.starts_with(SERVFAIL)), "the server says why it did not answer");
    }
}

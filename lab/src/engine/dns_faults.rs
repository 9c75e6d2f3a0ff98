//! DNS faults at the DNS server's door: a query datagram that reaches a DNS server's host passes
//! through the scenario's active `dns` faults before the server sees it, and the server's
//! answer datagram passes again on its way out. The server itself answers honestly (its
//! `dns-answer` records say what the zone says); the fault changes what the client gets, and a
//! `dns-fault` record on the server's host says so. Being part of the host every engine shares,
//! DNS faults work on every engine.

use super::fault_layer::FaultLayer;
use crate::scenario::DnsFault;
use nodes::dns::wire::{self, Answer};
use nodes::dns::zone::normalize;
use nodes::{Body, Record};
use proto::dns::DnsResponse;

/// The TTL a wrong address is given when the real answer had none to copy.
const WRONG_ADDRESS_TTL_S: u32 = 60;

/// One host's door: what was decided for the query the node is handling, for its answer.
/// The lab's DNS server answers while it handles the query, so the door holds one query at a
/// time and forgets it once the node is done ([`DnsDoor::close`]).
#[derive(Default)]
pub(super) struct DnsDoor {
    admitted: Option<Admitted>,
}

struct Admitted {
    client: String,
    id: u16,
    name: String,
    fault: Option<DnsFault>,
}

impl DnsDoor {
    /// A datagram from `from` (message `msg`) arriving at host `me`: whether it reaches the node.
    /// Only a query that parses can meet a fault (one that does not is the server's to refuse);
    /// each one met is recorded through `record`.
    pub(super) fn admit(
        &mut self,
        faults: &FaultLayer,
        me: &str,
        from: &str,
        msg: u64,
        body: &Body,
        record: impl FnOnce(Record),
    ) -> bool {
        let Body::DnsQuery(query) = body else { return true };
        let Ok((id, name)) = wire::parse_query(&query.wire) else { return true };
        let name = normalize(&name);
        let fault = faults.decide_dns(from, me, &name);
        if let Some(fault) = &fault {
            record(
                Record::warn("dns-fault")
                    .with("fault", fault.name())
                    .with("from", from)
                    .with("name", name.as_str())
                    .with("msg", msg),
            );
        }
        if fault == Some(DnsFault::Timeout) {
            // The query is lost: the server never sees it, the client's timer ends the wait.
            return false;
        }
        self.admitted = Some(Admitted { client: from.to_owned(), id, name, fault });
        true
    }

    /// The node is done with the datagram let in last: an answer sent later is not to it.
    pub(super) fn close(&mut self) {
        self.admitted = None;
    }

    /// A datagram host `me` sends to `to`: an answer to a query let in goes out as the fault
    /// decided for that query makes it; anything else goes out as it is.
    pub(super) fn release(&mut self, faults: &FaultLayer, me: &str, to: &str, body: Body) -> Body {
        let Body::DnsResponse(response) = &body else { return body };
        let Ok((id, real)) = wire::parse_response(&response.wire) else { return body };
        let Some(Admitted { name, fault, .. }) = self.admitted.take_if(|a| a.client == to && a.id == id) else {
            return body;
        };
        let answer = match fault {
            None | Some(DnsFault::Timeout) => {
                faults.note_dns_answer(me, &name, real);
                return body;
            }
            Some(DnsFault::NxDomain) => Answer::NxDomain,
            Some(DnsFault::ServFail) => Answer::ServFail,
            Some(DnsFault::Stale) => faults.stale_dns_answer(me, &name).unwrap_or(real),
            Some(DnsFault::WrongAddress { address, .. }) => {
                let ttl_s = match &real {
                    Answer::Addresses(addresses) => addresses.iter().map(|&(_, ttl)| ttl).min(),
                    Answer::NxDomain | Answer::ServFail => None,
                };
                Answer::Addresses(vec![(address, ttl_s.unwrap_or(WRONG_ADDRESS_TTL_S))])
            }
        };
        match wire::response(id, &name, &answer) {
            Ok(wire) => Body::DnsResponse(DnsResponse { wire }),
            // The name came from a query that parsed, so it encodes; were it not to, the
            // honest answer goes out rather than none.
            Err(_) => body,
        }
    }
}

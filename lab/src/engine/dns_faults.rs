//! DNS faults at the DNS server's door: a query that reaches a DNS server passes through the
//! scenario's active `dns` faults before the server sees it and again on its answer's way out.
//! The server itself answers honestly (its `dns-answer` records say what the zone says); the
//! fault changes what the client gets, and a `dns-fault` record on the server's host says so.
//! Being part of the shared [`Inbound`] path, DNS faults work on every engine.

use super::host::{Inbound, Refused, Runtime};
use crate::scenario::DnsFault;
use nodes::dns::wire::{self, Answer};
use nodes::dns::zone::normalize;
use nodes::{Body, Record};
use proto::dns::DnsResponse;

/// The TTL a wrong address is given when the real answer had none to copy.
const WRONG_ADDRESS_TTL_S: u32 = 60;

impl Inbound {
    /// Hands a call to the node; a DNS query goes through the DNS faults on its way in and out.
    pub(super) async fn serve<R: Runtime>(&self, from: String, msg: u64, body: Body) -> Result<Body, Refused> {
        let Body::DnsQuery(query) = &body else { return self.forward(from, msg, body).await };
        // A query that does not parse is the server's to refuse; no fault can name it.
        let Ok((_, name)) = wire::parse_query(&query.wire) else { return self.forward(from, msg, body).await };
        let name = normalize(&name);
        let fault = self.faults.decide_dns(&from, &self.me, &name);
        if let Some(fault) = &fault {
            let record = Record::warn("dns-fault")
                .with("fault", fault.name())
                .with("from", from.as_str())
                .with("name", name.as_str())
                .with("msg", msg);
            self.recorder.record(R::now_us(), &self.me, record);
        }
        if fault == Some(DnsFault::Timeout) {
            // The query is lost: the server never sees it, the client's timeout ends the wait.
            return std::future::pending().await;
        }
        let reply = self.forward(from, msg, body).await?;
        let Body::DnsResponse(response) = &reply else { return Ok(reply) };
        let Ok((id, real)) = wire::parse_response(&response.wire) else { return Ok(reply) };
        let answer = match fault {
            None | Some(DnsFault::Timeout) => {
                self.faults.note_dns_answer(&self.me, &name, real);
                return Ok(reply);
            }
            Some(DnsFault::NxDomain) => Answer::NxDomain,
            Some(DnsFault::ServFail) => Answer::ServFail,
            Some(DnsFault::Stale) => self.faults.stale_dns_answer(&self.me, &name).unwrap_or(real),
            Some(DnsFault::WrongAddress { address, .. }) => {
                let ttl_s = match &real {
                    Answer::Addresses(addresses) => addresses.iter().map(|&(_, ttl)| ttl).min(),
                    Answer::NxDomain | Answer::ServFail => None,
                };
                Answer::Addresses(vec![(address, ttl_s.unwrap_or(WRONG_ADDRESS_TTL_S))])
            }
        };
        match wire::response(id, &name, &answer) {
            Ok(wire) => Ok(Body::DnsResponse(DnsResponse { wire })),
            // The name came from a query that parsed, so it encodes; were it not to, the
            // honest answer goes out rather than none.
            Err(_) => Ok(reply),
        }
    }
}

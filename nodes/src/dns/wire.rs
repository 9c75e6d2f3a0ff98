//! DNS messages in their real wire format (RFC 1035), through `hickory-proto`: a query for one
//! name's A records, and the answers a server gives — addresses with a TTL, NXDOMAIN, SERVFAIL.
//! A message that does not parse is an error naming what was wrong, never a panic.

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::net::Ipv4Addr;

/// What a server answered for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The name's addresses, each with its TTL in seconds.
    Addresses(Vec<(Ipv4Addr, u32)>),
    /// The name does not exist.
    NxDomain,
    /// The server failed to answer.
    ServFail,
}

fn name(text: &str) -> Result<Name, String> {
    Name::from_ascii(text).map_err(|e| format!("`{text}` is not a domain name: {e}"))
}

/// Whether `text` is a domain name a query can carry (for checking scenario files).
pub fn check_name(text: &str) -> Result<(), String> {
    name(text).map(|_| ())
}

/// A query for `domain`'s A records, with message id `id`.
pub fn query(id: u16, domain: &str) -> Result<Vec<u8>, String> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name(domain)?, RecordType::A));
    message.to_vec().map_err(|e| format!("cannot encode a query for `{domain}`: {e}"))
}

/// Reads a query: its id and the name it asks for.
pub fn parse_query(bytes: &[u8]) -> Result<(u16, String), String> {
    let message = Message::from_vec(bytes).map_err(|e| format!("not a DNS message: {e}"))?;
    if message.metadata.message_type != MessageType::Query {
        return Err("a DNS response where a query was expected".into());
    }
    let [question] = message.queries.as_slice() else {
        return Err(format!("a query with {} questions, not one", message.queries.len()));
    };
    Ok((message.metadata.id, question.name().to_ascii()))
}

/// The response to query `id` for `domain`.
pub fn response(id: u16, domain: &str, answer: &Answer) -> Result<Vec<u8>, String> {
    let mut message = Message::new(id, MessageType::Response, OpCode::Query);
    let owner = name(domain)?;
    message.add_query(Query::query(owner.clone(), RecordType::A));
    message.metadata.authoritative = true;
    match answer {
        Answer::Addresses(addresses) => {
            for &(address, ttl) in addresses {
                message.add_answer(Record::from_rdata(owner.clone(), ttl, RData::A(A(address))));
            }
        }
        Answer::NxDomain => message.metadata.response_code = ResponseCode::NXDomain,
        Answer::ServFail => message.metadata.response_code = ResponseCode::ServFail,
    }
    message.to_vec().map_err(|e| format!("cannot encode an answer for `{domain}`: {e}"))
}

/// Reads a response: its id and what it answered.
pub fn parse_response(bytes: &[u8]) -> Result<(u16, Answer), String> {
    let message = Message::from_vec(bytes).map_err(|e| format!("not a DNS message: {e}"))?;
    if message.metadata.message_type != MessageType::Response {
        return Err("a DNS query where a response was expected".into());
    }
    let answer = match message.metadata.response_code {
        ResponseCode::NoError => Answer::Addresses(
            message
                .answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(A(address)) => Some((*address, r.ttl)),
                    _ => None,
                })
                .collect(),
        ),
        ResponseCode::NXDomain => Answer::NxDomain,
        _ => Answer::ServFail,
    };
    Ok((message.metadata.id, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_and_its_answers_survive_the_wire_format() {
        let bytes = query(7, "api.lab.").unwrap();
        assert_eq!(parse_query(&bytes), Ok((7, "api.lab.".to_owned())));
        let addresses = Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, 2), 5)]);
        for answer in [addresses, Answer::NxDomain, Answer::ServFail] {
            let bytes = response(7, "api.lab.", &answer).unwrap();
            assert_eq!(parse_response(&bytes), Ok((7, answer)));
        }
    }

    #[test]
    fn garbage_and_the_wrong_kind_of_message_are_errors_not_panics() {
        assert!(parse_query(&[]).is_err());
        assert!(parse_response(&[0xff; 7]).is_err());
        let a_query = query(1, "api.lab.").unwrap();
        assert!(parse_response(&a_query).unwrap_err().contains("where a response was expected"));
        let an_answer = response(1, "api.lab.", &Answer::NxDomain).unwrap();
        assert!(parse_query(&an_answer).unwrap_err().contains("where a query was expected"));
        assert!(query(1, "a..b").unwrap_err().contains("not a domain name"));
    }

    proptest::proptest! {
        /// A DNS server reads whatever the network brings: any bytes, or a real message with
        /// bytes flipped, parse to a message or an error — never a panic.
        #[test]
        fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = parse_query(&bytes);
            let _ = parse_response(&bytes);
        }

        #[test]
        fn a_real_message_with_bytes_changed_parses_or_fails_cleanly(
            flips in proptest::collection::vec((0usize..64, proptest::num::u8::ANY), 1..8),
            answer_kind in 0u8..3,
        ) {
            let answer = match answer_kind {
                0 => Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, 1), 30), (Ipv4Addr::new(10, 0, 0, 2), 5)]),
                1 => Answer::NxDomain,
                _ => Answer::ServFail,
            };
            for mut bytes in [query(9, "api.lab.").unwrap(), response(9, "api.lab.", &answer).unwrap()] {
                for &(at, value) in &flips {
                    let at = at % bytes.len();
                    bytes[at] = value;
                }
                let _ = parse_query(&bytes);
                let _ = parse_response(&bytes);
            }
        }
    }

    #[test]
    fn every_truncation_of_a_real_answer_is_an_error_or_an_answer_never_a_panic() {
        let bytes = response(3, "api.lab.", &Answer::Addresses(vec![(Ipv4Addr::new(10, 0, 0, 1), 30)])).unwrap();
        for end in 0..bytes.len() {
            let _ = parse_response(&bytes[..end]);
        }
    }
}

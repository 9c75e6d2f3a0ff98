//! Protobuf messages and the gRPC service that carries them between lab nodes.
//!
//! The `.proto` sources live in `proto/proto/`; `build.rs` compiles them with `protox` and
//! generates prost messages plus a tonic client and server for `lab.Node`.
//! Node logic uses the message types as plain data; only the lab's drivers touch tonic.

/// Messages shared by every scenario: the envelope and the `Node` service.
pub mod lab {
    tonic::include_proto!("lab");
}

/// Messages of the rate-limiter scenario.
pub mod ratelimit {
    tonic::include_proto!("ratelimit");
}

/// Messages of the idempotent-retries scenario.
pub mod payments {
    tonic::include_proto!("payments");
}

/// Messages of the circuit-breaker scenario.
pub mod breaker {
    tonic::include_proto!("breaker");
}

/// Messages of the replication scenario.
pub mod replication {
    tonic::include_proto!("replication");
}

/// Messages of the pub-sub scenario.
pub mod pubsub {
    tonic::include_proto!("pubsub");
}

/// Messages of the distributed-lock scenario.
pub mod lock {
    tonic::include_proto!("lock");
}

/// Messages of the DNS scenarios.
pub mod dns {
    tonic::include_proto!("dns");
}

/// Every message and service above as an encoded `FileDescriptorSet`, for gRPC server
/// reflection (real mode registers it, so `grpcurl -plaintext ADDR list` works on a node).
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lab_descriptor.bin"));

pub use lab::envelope::Body;
pub use lab::{Ack, Envelope};

/// The largest datagram a lab node receives: UDP's own limit.
pub const MAX_DATAGRAM_BYTES: usize = 65_507;

impl Envelope {
    /// The envelope as the bytes of one datagram (its protobuf encoding, as on gRPC).
    pub fn to_datagram(&self) -> Vec<u8> {
        prost::Message::encode_to_vec(self)
    }

    /// An envelope read back from a datagram's bytes; anything else is an error, never a panic.
    pub fn from_datagram(bytes: &[u8]) -> Result<Self, prost::DecodeError> {
        prost::Message::decode(bytes)
    }
}

impl Body {
    /// The message type's name as the proto spells its field (`count_report`), for traces.
    pub fn name(&self) -> &'static str {
        match self {
            Body::ApiRequest(_) => "api_request",
            Body::ApiReply(_) => "api_reply",
            Body::AcquireRequest(_) => "acquire_request",
            Body::AcquireReply(_) => "acquire_reply",
            Body::CountReport(_) => "count_report",
            Body::Ack(_) => "ack",
            Body::PayRequest(_) => "pay_request",
            Body::PayReply(_) => "pay_reply",
            Body::ChargeRequest(_) => "charge_request",
            Body::ChargeReply(_) => "charge_reply",
            Body::FrontRequest(_) => "front_request",
            Body::FrontReply(_) => "front_reply",
            Body::WorkRequest(_) => "work_request",
            Body::WorkReply(_) => "work_reply",
            Body::KvRequest(_) => "kv_request",
            Body::KvReply(_) => "kv_reply",
            Body::Append(_) => "append",
            Body::AppendReply(_) => "append_reply",
            Body::Health(_) => "health",
            Body::HealthReply(_) => "health_reply",
            Body::NewEpoch(_) => "new_epoch",
            Body::Position(_) => "position",
            Body::Promote(_) => "promote",
            Body::Promoted(_) => "promoted",
            Body::Fetch(_) => "fetch",
            Body::Fetched(_) => "fetched",
            Body::WhoIsPrimary(_) => "who_is_primary",
            Body::PrimaryIs(_) => "primary_is",
            Body::Audit(_) => "audit",
            Body::AuditReply(_) => "audit_reply",
            Body::Publish(_) => "publish",
            Body::Published(_) => "published",
            Body::Join(_) => "join",
            Body::Joined(_) => "joined",
            Body::Poll(_) => "poll",
            Body::Polled(_) => "polled",
            Body::Commit(_) => "commit",
            Body::Committed(_) => "committed",
            Body::Nack(_) => "nack",
            Body::Nacked(_) => "nacked",
            Body::Apply(_) => "apply",
            Body::Applied(_) => "applied",
            Body::Acquire(_) => "acquire",
            Body::Grant(_) => "grant",
            Body::Renew(_) => "renew",
            Body::Renewed(_) => "renewed",
            Body::Release(_) => "release",
            Body::Released(_) => "released",
            Body::StorageRead(_) => "storage_read",
            Body::StorageWrite(_) => "storage_write",
            Body::StorageReply(_) => "storage_reply",
            Body::DnsQuery(_) => "dns_query",
            Body::DnsResponse(_) => "dns_response",
            Body::ServiceCall(_) => "service_call",
            Body::ServiceAnswer(_) => "service_answer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_survives_its_datagram_and_garbage_is_an_error() {
        let envelope = Envelope { from: "client-1".into(), msg: 7, body: Some(Body::Ack(Ack {})) };
        assert_eq!(Envelope::from_datagram(&envelope.to_datagram()), Ok(envelope));
        assert!(Envelope::from_datagram(&[0xff, 0xff, 0xff]).is_err());
    }

    proptest::proptest! {
        /// A node's UDP port takes whatever arrives: any bytes decode or fail, never panic.
        #[test]
        fn any_bytes_decode_or_fail(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = Envelope::from_datagram(&bytes);
        }

        /// A real envelope (a DNS query) with one byte changed or the tail cut: the same.
        #[test]
        fn a_damaged_envelope_decodes_or_fails(at in 0usize..64, to in proptest::num::u8::ANY, cut in 0usize..64) {
            let query = dns::DnsQuery { wire: vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, b'a', b'p', b'i', 0, 0, 1, 0, 1] };
            let mut bytes = Envelope { from: "client-1".into(), msg: 42, body: Some(Body::DnsQuery(query)) }.to_datagram();
            let at = at % bytes.len();
            bytes[at] = to;
            bytes.truncate(bytes.len().saturating_sub(cut));
            let _ = Envelope::from_datagram(&bytes);
        }
    }
}

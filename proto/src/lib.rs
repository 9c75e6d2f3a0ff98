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

/// Every message and service above as an encoded `FileDescriptorSet`, for gRPC server
/// reflection (real mode registers it, so `grpcurl -plaintext ADDR list` works on a node).
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lab_descriptor.bin"));

pub use lab::envelope::Body;
pub use lab::{Ack, Envelope};

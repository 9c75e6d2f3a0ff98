//! Replication: KV clients, replicas replicating a log under a primary, and the failover
//! controller that promotes a new primary when the old one stops answering. Messages:
//! `proto/proto/replication.proto`.

pub mod controller;
pub mod kv_client;
mod log;
pub mod replica;

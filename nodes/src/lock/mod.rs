//! The distributed-lock scenario's nodes: a lock server granting leases with fencing tokens,
//! workers that do a read-modify-write under the lock, and the storage they write to.

pub mod server;
pub mod storage;
pub mod worker;

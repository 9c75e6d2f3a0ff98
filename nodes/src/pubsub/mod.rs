//! Pub-sub: producers publish keyed messages to a broker's partitioned, fsynced log; consumers
//! in one group process them and apply each effect to a store. The family that shows why
//! "exactly once" is an effect, not a delivery.

pub mod broker;
pub mod consumer;
pub mod producer;
pub mod store;

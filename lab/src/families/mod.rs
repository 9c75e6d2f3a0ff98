//! Every scenario family the lab knows, in one list. Adding a family is adding its module
//! here and one line to [`ALL`]; see ARCHITECTURE.md, "Adding a scenario family".
//!
//! The order of the list is the order nodes are built in and verdicts are shown in, whatever
//! order a file writes its tables in.

mod breaker;
mod dns;
mod lock;
mod payments;
mod pool;
mod pubsub;
mod ratelimit;
mod replication;

use crate::family::Family;

pub static ALL: &[&Family] = &[
    &ratelimit::FAMILY,
    &payments::FAMILY,
    &breaker::FAMILY,
    &replication::FAMILY,
    &pubsub::FAMILY,
    &lock::FAMILY,
    &dns::FAMILY,
    &pool::FAMILY,
];

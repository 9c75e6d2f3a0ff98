//! The downstream dependency of the circuit-breaker scenario: answers each work request after
//! its service time. Faults from the schedule (latency, partition, crash) make it slow or
//! unreachable; the dependency itself never misbehaves.

use crate::{Body, Ctx, Input, Node, Out, Record, RequestId};
use proto::breaker::WorkReply;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct DependencyConfig {
    pub service_time_ms: u64,
}

pub struct Dependency {
    config: DependencyConfig,
    /// Work in progress: timer tag → (request to answer, its id).
    working: BTreeMap<u64, (RequestId, u64)>,
    next_tag: u64,
}

impl Dependency {
    pub fn new(config: DependencyConfig) -> Self {
        Self { config, working: BTreeMap::new(), next_tag: 0 }
    }
}

impl Node for Dependency {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Request { id, body: Body::WorkRequest(work), .. } => {
                self.next_tag += 1;
                self.working.insert(self.next_tag, (id, work.request_id));
                out.set_timer(self.next_tag, self.config.service_time_ms);
            }
            Input::Request { from, body, .. } => out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}"))),
            Input::Timer { tag } => {
                if let Some((id, request_id)) = self.working.remove(&tag) {
                    out.reply(id, Body::WorkReply(WorkReply { request_id }));
                }
            }
            Input::Start | Input::CallResult { .. } => {}
        }
    }
}

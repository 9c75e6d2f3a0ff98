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
            Input::Request { from, body, .. } => {
                out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")))
            }
            Input::Timer { tag } => {
                if let Some((id, request_id)) = self.working.remove(&tag) {
                    out.reply(id, Body::WorkReply(WorkReply { request_id }));
                }
            }
            Input::Start { .. } | Input::CallResult { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::breaker::WorkRequest;

    #[test]
    fn answers_each_request_after_its_service_time_and_only_then() {
        let mut dependency = Dependency::new(DependencyConfig { service_time_ms: 10 });
        let mut rng = stream_rng(1, "dependency");
        let mut out = Out::default();
        let body = Body::WorkRequest(WorkRequest { request_id: 7 });
        dependency.on_input(
            &mut Ctx { now_ms: 0, rng: &mut rng },
            Input::Request { id: 3, from: "front".into(), body },
            &mut out,
        );
        let Action::SetTimer { tag, after_ms: 10 } = out.take()[0] else { panic!("the work takes its service time") };
        dependency.on_input(&mut Ctx { now_ms: 10, rng: &mut rng }, Input::Timer { tag }, &mut out);
        assert_eq!(out.take(), [Action::Reply { id: 3, body: Body::WorkReply(WorkReply { request_id: 7 }) }]);
        dependency.on_input(&mut Ctx { now_ms: 11, rng: &mut rng }, Input::Timer { tag }, &mut out);
        assert!(out.take().is_empty(), "a request is answered once");
    }
}

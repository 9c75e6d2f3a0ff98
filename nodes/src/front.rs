//! The front service of the circuit-breaker scenario: a bounded pool of in-flight requests
//! (a bulkhead) shared by two endpoints. `healthy` needs only local work; `dependent` calls the
//! downstream dependency, optionally through a circuit breaker.
//!
//! Without a breaker, a slow dependency holds a permit for every dependent call until it times
//! out; the pool fills, and the healthy endpoint — which needs nothing from the dependency —
//! is turned away too: the cascade. With a breaker, repeated failures open it, dependent calls
//! fail fast without holding a permit, and the healthy endpoint keeps working.
//!
//! Two broken breakers show what the breaker checks catch: one lets every request through
//! while half-open (a thundering herd on a recovering dependency), one never leaves half-open
//! (the dependency recovers, traffic never returns).
//!
//! Records: `breaker` transitions (`from`, `to`), `dependency-call` with the breaker state at
//! the time, `shed` when the pool is full, `fast-fail` when the breaker refuses.

use crate::records::breaker::{CLOSED, DEPENDENCY_CALL, FAST_FAIL, FROM, HALF_OPEN, OPEN, SHED, TO, TRANSITION};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use fundamentals::resilience::{BreakerConfig, BreakerState, Bulkhead, CircuitBreaker, Transition};
use proto::breaker::{FrontReply, FrontRequest, WorkRequest};
use std::collections::BTreeMap;

/// The endpoint served locally.
pub const HEALTHY: &str = "healthy";
/// The endpoint that needs the dependency.
pub const DEPENDENT: &str = "dependent";
/// Every endpoint the front service serves; a call to any other is refused.
pub const ENDPOINTS: [&str; 2] = [HEALTHY, DEPENDENT];

#[derive(Debug, Clone, PartialEq)]
pub enum BreakerMode {
    None,
    Standard(BreakerConfig),
    /// BUG: while half-open, requests the breaker refuses are sent anyway.
    AllThroughInHalfOpen(BreakerConfig),
    /// BUG: successful probes never close the breaker.
    StuckHalfOpen(BreakerConfig),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrontConfig {
    pub dependency: String,
    pub max_in_flight: u32,
    pub dependency_timeout_ms: u64,
    /// Local work of the healthy endpoint.
    pub healthy_work_ms: u64,
    pub breaker: BreakerMode,
}

pub struct Front {
    config: FrontConfig,
    pool: Bulkhead,
    breaker: Option<CircuitBreaker>,
    /// Requests holding a permit, by tag (a timer for healthy work, a call for dependent).
    holding: BTreeMap<u64, (RequestId, FrontRequest)>,
    next_tag: u64,
}

impl Front {
    pub fn new(config: FrontConfig) -> Self {
        let breaker = match &config.breaker {
            BreakerMode::None => None,
            BreakerMode::Standard(c) | BreakerMode::AllThroughInHalfOpen(c) | BreakerMode::StuckHalfOpen(c) => {
                Some(CircuitBreaker::new(c.clone()))
            }
        };
        Self { pool: Bulkhead::new(config.max_in_flight), config, breaker, holding: BTreeMap::new(), next_tag: 0 }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, id: RequestId, request: FrontRequest, out: &mut Out) {
        if !ENDPOINTS.contains(&request.endpoint.as_str()) {
            out.record(Record::warn("unknown-endpoint").with("endpoint", request.endpoint.as_str()));
            return reply(out, id, &request, false, "unknown endpoint");
        }
        if !self.pool.try_acquire() {
            out.record(
                Record::debug(SHED)
                    .with("endpoint", request.endpoint.as_str())
                    .with("in_flight", u64::from(self.pool.in_flight())),
            );
            return reply(out, id, &request, false, "overloaded");
        }
        self.next_tag += 1;
        let tag = self.next_tag;
        if request.endpoint != DEPENDENT {
            out.set_timer(tag, self.config.healthy_work_ms);
            self.holding.insert(tag, (id, request));
            return;
        }
        if !self.breaker_allows(ctx.now_ms, out) {
            self.pool.release();
            out.record(Record::debug(FAST_FAIL).with("request", request.request_id));
            return reply(out, id, &request, false, "breaker open");
        }
        let state = self.breaker.as_ref().map_or("none", |b| state_name(b.state()));
        out.record(Record::debug(DEPENDENCY_CALL).with("request", request.request_id).with("breaker", state));
        out.call(
            &self.config.dependency,
            tag,
            Body::WorkRequest(WorkRequest { request_id: request.request_id }),
            self.config.dependency_timeout_ms,
        );
        self.holding.insert(tag, (id, request));
    }

    fn breaker_allows(&mut self, now_ms: u64, out: &mut Out) -> bool {
        let Some(breaker) = self.breaker.as_mut() else { return true };
        let (allowed, transition) = breaker.allow(now_ms);
        record_transition(out, transition);
        let bug_lets_it_through = matches!(self.config.breaker, BreakerMode::AllThroughInHalfOpen(_))
            && breaker.state() == BreakerState::HalfOpen;
        allowed || bug_lets_it_through
    }

    fn on_dependency_answer(&mut self, ctx: &mut Ctx<'_>, tag: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some((id, request)) = self.holding.remove(&tag) else { return };
        self.pool.release();
        let stuck = matches!(self.config.breaker, BreakerMode::StuckHalfOpen(_));
        if let Some(breaker) = self.breaker.as_mut() {
            let transition = match &result {
                Ok(_) if stuck && breaker.state() == BreakerState::HalfOpen => None,
                Ok(_) => breaker.on_success(ctx.now_ms),
                Err(_) => breaker.on_failure(ctx.now_ms),
            };
            record_transition(out, transition);
        }
        match result {
            Ok(_) => reply(out, id, &request, true, ""),
            Err(error) => reply(out, id, &request, false, &format!("dependency {error}")),
        }
    }

    fn on_healthy_work_done(&mut self, tag: u64, out: &mut Out) {
        if let Some((id, request)) = self.holding.remove(&tag) {
            self.pool.release();
            reply(out, id, &request, true, "");
        }
    }
}

fn state_name(state: BreakerState) -> &'static str {
    match state {
        BreakerState::Closed => CLOSED,
        BreakerState::Open => OPEN,
        BreakerState::HalfOpen => HALF_OPEN,
    }
}

fn record_transition(out: &mut Out, transition: Option<Transition>) {
    if let Some(t) = transition {
        out.record(Record::warn(TRANSITION).with(FROM, state_name(t.from)).with(TO, state_name(t.to)));
    }
}

fn reply(out: &mut Out, id: RequestId, request: &FrontRequest, ok: bool, detail: &str) {
    out.reply(id, Body::FrontReply(FrontReply { request_id: request.request_id, ok, detail: detail.to_owned() }));
}

impl Node for Front {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Request { id, body: Body::FrontRequest(request), .. } => self.on_request(ctx, id, request, out),
            Input::Request { from, body, .. } => {
                out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")))
            }
            Input::Timer { tag } => self.on_healthy_work_done(tag, out),
            Input::CallResult { tag, result } => self.on_dependency_answer(ctx, tag, result, out),
            Input::Start { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;

    fn front(breaker: BreakerMode) -> Front {
        Front::new(FrontConfig {
            dependency: "dep".into(),
            max_in_flight: 2,
            dependency_timeout_ms: 500,
            healthy_work_ms: 5,
            breaker,
        })
    }

    fn request(f: &mut Front, id: u64, endpoint: &str, now_ms: u64) -> Vec<Action> {
        let mut rng = stream_rng(1, "front");
        let mut out = Out::default();
        let body = Body::FrontRequest(FrontRequest { request_id: id, endpoint: endpoint.into() });
        f.on_input(&mut Ctx { now_ms, rng: &mut rng }, Input::Request { id, from: "c".into(), body }, &mut out);
        out.take()
    }

    fn replied_ok(actions: &[Action]) -> Option<(bool, String)> {
        actions.iter().find_map(|a| match a {
            Action::Reply { body: Body::FrontReply(r), .. } => Some((r.ok, r.detail.clone())),
            _ => None,
        })
    }

    #[test]
    fn an_unknown_endpoint_is_refused_without_taking_a_permit() {
        let mut f = front(BreakerMode::None);
        assert_eq!(replied_ok(&request(&mut f, 1, "dependant", 0)), Some((false, "unknown endpoint".into())));
        assert_eq!(f.pool.in_flight(), 0);
    }

    #[test]
    fn slow_dependent_calls_fill_the_pool_and_starve_the_healthy_endpoint() {
        let mut f = front(BreakerMode::None);
        request(&mut f, 1, "dependent", 0);
        request(&mut f, 2, "dependent", 1);
        assert_eq!(replied_ok(&request(&mut f, 3, "healthy", 2)), Some((false, "overloaded".into())));
    }

    #[test]
    fn an_open_breaker_fails_fast_without_holding_a_permit() {
        let config = BreakerConfig { failure_threshold: 1, open_for_ms: 1_000, half_open_probes: 1 };
        let mut f = front(BreakerMode::Standard(config));
        let Action::Call { tag, .. } =
            request(&mut f, 1, "dependent", 0).into_iter().find(|a| matches!(a, Action::Call { .. })).unwrap()
        else {
            unreachable!()
        };
        let mut rng = stream_rng(1, "front");
        f.on_input(
            &mut Ctx { now_ms: 500, rng: &mut rng },
            Input::CallResult { tag, result: Err(CallError::Timeout) },
            &mut Out::default(),
        );
        assert_eq!(replied_ok(&request(&mut f, 2, "dependent", 501)), Some((false, "breaker open".into())));
        assert_eq!(f.pool.in_flight(), 0);
        let healthy = request(&mut f, 3, "healthy", 502);
        assert!(healthy.iter().any(|a| matches!(a, Action::SetTimer { .. })), "the healthy endpoint is served");
    }
}

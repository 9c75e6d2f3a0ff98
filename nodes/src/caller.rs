//! The circuit-breaker scenario's workload: callers that hit the front service's two
//! endpoints — `healthy` (served locally) and `dependent` (needs the downstream dependency) —
//! with Poisson arrivals, and record what each call came to.
//!
//! Records: `call` when a request leaves, `call-result` (`ok`, `detail`, `latency_ms`) when it
//! ends. Availability and recovery checks read `call-result`.

use crate::client::{pick_weighted, Arrivals};
use crate::records::breaker::{CALL, CALL_RESULT, ENDPOINT, LATENCY_MS, OK};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::breaker::{FrontReply, FrontRequest};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct CallerConfig {
    pub requests_per_second: f64,
    /// Endpoint names and their weights.
    pub endpoints: Vec<(String, u32)>,
    pub target: String,
    pub timeout_ms: u64,
}

pub struct Caller {
    config: CallerConfig,
    arrivals: Arrivals,
    next_id: u64,
    /// Calls in flight: id → (sent at, endpoint).
    in_flight: BTreeMap<u64, (u64, String)>,
}

const ARRIVAL_TIMER: u64 = 0;

impl Caller {
    pub fn new(config: CallerConfig) -> Self {
        assert!(config.requests_per_second > 0.0 && !config.endpoints.is_empty());
        let arrivals = Arrivals::new(config.requests_per_second);
        Self { config, arrivals, next_id: 0, in_flight: BTreeMap::new() }
    }

    fn send(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        let endpoint = pick_weighted(ctx, &self.config.endpoints).to_owned();
        self.next_id += 1;
        let id = self.next_id;
        out.call(
            &self.config.target,
            id,
            Body::FrontRequest(FrontRequest { request_id: id, endpoint: endpoint.clone() }),
            self.config.timeout_ms,
        );
        out.record(Record::debug(CALL).with("id", id).with("endpoint", endpoint.as_str()));
        self.in_flight.insert(id, (ctx.now_ms, endpoint));
    }

    fn finish(&mut self, ctx: &Ctx<'_>, id: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some((sent_at_ms, endpoint)) = self.in_flight.remove(&id) else { return };
        let (ok, detail) = match result {
            Ok(Body::FrontReply(FrontReply { ok, detail, .. })) => (ok, detail),
            Ok(other) => (false, format!("unexpected reply {other:?}")),
            Err(error) => (false, error.to_string()),
        };
        out.record(
            Record::debug(CALL_RESULT)
                .with("id", id)
                .with(ENDPOINT, endpoint)
                .with(OK, ok)
                .with("detail", detail)
                .with(LATENCY_MS, ctx.now_ms.saturating_sub(sent_at_ms)),
        );
    }
}

impl Node for Caller {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => out.set_timer(ARRIVAL_TIMER, self.arrivals.start(ctx)),
            Input::Timer { .. } => {
                let (due, wait_ms) = self.arrivals.due(ctx);
                for _ in 0..due {
                    self.send(ctx, out);
                }
                out.set_timer(ARRIVAL_TIMER, wait_ms);
            }
            Input::CallResult { tag, result } => self.finish(ctx, tag, result, out),
            Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

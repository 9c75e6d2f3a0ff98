//! The workload: an API client that sends requests to gateways at a random (Poisson) rate,
//! with skew over API keys and over gateways, and records what it was told.
//!
//! Records: `request` when a call leaves, `response` when it ends (admitted, rejected,
//! timeout, unreachable or error). Checkers count offered load from `request` records.

use crate::records::ratelimit::{KEY, REQUEST, RESPONSE};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::ratelimit::{ApiReply, ApiRequest, Decision};
use rand::Rng;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Mean request rate of this one client (Poisson arrivals).
    pub requests_per_second: f64,
    /// API keys and their weights: the key skew.
    pub api_keys: Vec<(String, u32)>,
    /// Gateway node names and their weights: the traffic skew over gateways.
    pub gateways: Vec<(String, u32)>,
    pub timeout_ms: u64,
}

pub struct ApiClient {
    config: ClientConfig,
    next_request_id: u64,
    /// Requests in flight: request id → (sent at, gateway).
    in_flight: BTreeMap<u64, (u64, String)>,
}

const ARRIVAL_TIMER: u64 = 0;

impl ApiClient {
    pub fn new(config: ClientConfig) -> Self {
        assert!(config.requests_per_second > 0.0, "a client needs a positive rate");
        assert!(!config.api_keys.is_empty() && !config.gateways.is_empty());
        Self { config, next_request_id: 0, in_flight: BTreeMap::new() }
    }

    fn schedule_next_arrival(&self, ctx: &mut Ctx<'_>, out: &mut Out) {
        out.set_timer(ARRIVAL_TIMER, poisson_gap_ms(ctx, self.config.requests_per_second));
    }

    fn send_request(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        let key = pick_weighted(ctx, &self.config.api_keys).to_owned();
        let gateway = pick_weighted(ctx, &self.config.gateways).to_owned();
        self.next_request_id += 1;
        let id = self.next_request_id;
        let body = Body::ApiRequest(ApiRequest { request_id: id, api_key: key.clone() });
        out.call(&gateway, id, body, self.config.timeout_ms);
        out.record(Record::debug(REQUEST).with("id", id).with(KEY, key).with("gateway", gateway.as_str()));
        self.in_flight.insert(id, (ctx.now_ms, gateway));
    }

    fn finish_request(&mut self, ctx: &Ctx<'_>, id: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some((sent_at_ms, gateway)) = self.in_flight.remove(&id) else {
            return;
        };
        let outcome = match result {
            Ok(Body::ApiReply(ApiReply { decision, .. })) => match Decision::try_from(decision) {
                Ok(Decision::Admitted) => "admitted",
                Ok(Decision::Rejected) => "rejected",
                _ => "error",
            },
            Ok(_) => "error",
            Err(CallError::Timeout) => "timeout",
            Err(CallError::Unreachable) => "unreachable",
            Err(CallError::Failed(_)) => "error",
        };
        out.record(
            Record::debug(RESPONSE)
                .with("id", id)
                .with("gateway", gateway)
                .with("outcome", outcome)
                .with("latency_ms", ctx.now_ms.saturating_sub(sent_at_ms)),
        );
    }
}

impl Node for ApiClient {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => self.schedule_next_arrival(ctx, out),
            Input::Timer { tag: ARRIVAL_TIMER } => {
                self.send_request(ctx, out);
                self.schedule_next_arrival(ctx, out);
            }
            Input::CallResult { tag, result } => self.finish_request(ctx, tag, result, out),
            Input::Timer { .. } | Input::Request { .. } | Input::Synced { .. } => {}
        }
    }
}

/// The wait until the next arrival of a Poisson process with `per_second` arrivals on average:
/// exponential gaps, `1 - u` keeping the logarithm away from 0.
pub fn poisson_gap_ms(ctx: &mut Ctx<'_>, per_second: f64) -> u64 {
    let u: f64 = ctx.rng.random();
    (-(1.0 - u).ln() * 1000.0 / per_second).round() as u64
}

/// Picks a name with probability proportional to its weight. Weights are in file order, so
/// the same seed picks the same names whatever the platform.
pub fn pick_weighted<'a>(ctx: &mut Ctx<'_>, weighted: &'a [(String, u32)]) -> &'a str {
    let total: u64 = weighted.iter().map(|(_, w)| u64::from(*w)).sum();
    assert!(total > 0, "weights must not all be zero");
    let mut ticket = ctx.rng.random_range(0..total);
    for (name, weight) in weighted {
        let weight = u64::from(*weight);
        if ticket < weight {
            return name;
        }
        ticket -= weight;
    }
    unreachable!("ticket below the total weight always lands on a name")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundamentals::sim::stream_rng;

    fn config() -> ClientConfig {
        ClientConfig {
            requests_per_second: 100.0,
            api_keys: vec![("alpha".into(), 9), ("beta".into(), 1)],
            gateways: vec![("gw-1".into(), 1), ("gw-2".into(), 0)],
            timeout_ms: 200,
        }
    }

    #[test]
    fn start_schedules_an_arrival_and_the_arrival_sends_a_request() {
        let mut rng = stream_rng(1, "client");
        let mut client = ApiClient::new(config());
        let mut out = Out::default();
        client.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, Input::fresh_start(), &mut out);
        assert!(matches!(out.take()[..], [crate::Action::SetTimer { tag: ARRIVAL_TIMER, .. }]));

        client.on_input(&mut Ctx { now_ms: 7, rng: &mut rng }, Input::Timer { tag: ARRIVAL_TIMER }, &mut out);
        let actions = out.take();
        let call = actions.iter().find_map(|a| match a {
            crate::Action::Call { to, body: Body::ApiRequest(req), timeout_ms, .. } => Some((to, req, timeout_ms)),
            _ => None,
        });
        let (to, req, timeout_ms) = call.expect("an arrival sends a request");
        assert_eq!(to, "gw-1", "a gateway with weight 0 is never picked");
        assert_eq!(req.request_id, 1);
        assert_eq!(*timeout_ms, 200);
    }

    #[test]
    fn a_timeout_is_recorded_as_such_with_its_latency() {
        let mut rng = stream_rng(1, "client");
        let mut client = ApiClient::new(config());
        let mut out = Out::default();
        client.on_input(&mut Ctx { now_ms: 10, rng: &mut rng }, Input::Timer { tag: ARRIVAL_TIMER }, &mut out);
        out.take();
        let result = Err(CallError::Timeout);
        client.on_input(&mut Ctx { now_ms: 210, rng: &mut rng }, Input::CallResult { tag: 1, result }, &mut out);
        let recorded = out.take();
        let crate::Action::Record(record) = &recorded[0] else { panic!("expected a record, got {recorded:?}") };
        assert_eq!(record.field("outcome"), Some(&"timeout".into()));
        assert_eq!(record.field("latency_ms"), Some(&200u64.into()));
    }

    #[test]
    fn weighted_choice_follows_the_weights() {
        let mut rng = stream_rng(3, "skew");
        let weights = vec![("hot".to_string(), 9), ("cold".to_string(), 1)];
        let hot =
            (0..10_000).filter(|_| pick_weighted(&mut Ctx { now_ms: 0, rng: &mut rng }, &weights) == "hot").count();
        assert!((8_800..9_200).contains(&hot), "9:1 weights gave {hot} of 10000");
    }
}

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
    arrivals: Arrivals,
    next_request_id: u64,
    /// Requests in flight: request id → (sent at, gateway).
    in_flight: BTreeMap<u64, (u64, String)>,
}

const ARRIVAL_TIMER: u64 = 0;

impl ApiClient {
    pub fn new(config: ClientConfig) -> Self {
        assert!(config.requests_per_second > 0.0, "a client needs a positive rate");
        assert!(!config.api_keys.is_empty() && !config.gateways.is_empty());
        let arrivals = Arrivals::new(config.requests_per_second);
        Self { config, arrivals, next_request_id: 0, in_flight: BTreeMap::new() }
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
            Input::Start { .. } => out.set_timer(ARRIVAL_TIMER, self.arrivals.start(ctx)),
            Input::Timer { tag: ARRIVAL_TIMER } => {
                let (due, wait_ms) = self.arrivals.due(ctx);
                for _ in 0..due {
                    self.send_request(ctx, out);
                }
                out.set_timer(ARRIVAL_TIMER, wait_ms);
            }
            Input::CallResult { tag, result } => self.finish_request(ctx, tag, result, out),
            Input::Timer { .. } | Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

/// The wait until the next arrival of a Poisson process with `per_second` arrivals on average:
/// exponential gaps, `1 - u` keeping the logarithm away from 0. Whole milliseconds: for
/// closed-loop nodes (one message at a time), which wait at least 1 ms; an open-loop workload
/// uses [`Arrivals`].
pub fn poisson_gap_ms(ctx: &mut Ctx<'_>, per_second: f64) -> u64 {
    let u: f64 = ctx.rng.random();
    (-(1.0 - u).ln() * 1000.0 / per_second).round() as u64
}

/// An open-loop Poisson arrival process: exponential gaps, `per_second` arrivals on average,
/// kept to the microsecond so that every rate is exact. A timer fires on a whole millisecond and
/// releases every arrival due by then. (Rounding each gap to whole milliseconds makes almost
/// every gap 0 above a few thousand per second: an endless burst at one instant.)
///
/// The schedule is relative to each firing, like a sleep: a pause delays what follows, and a
/// clock stepped back or ahead does not move it.
#[derive(Debug, Clone)]
pub struct Arrivals {
    per_second: f64,
    /// How long before the next firing the first arrival it releases fell due (0–999 µs).
    lead_us: u64,
}

impl Arrivals {
    pub fn new(per_second: f64) -> Self {
        assert!(per_second > 0.0, "an arrival process needs a positive rate");
        Self { per_second, lead_us: 0 }
    }

    /// Draws the first arrival; returns how long to wait for it, in ms.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) -> u64 {
        let gap_us = self.gap_us(ctx);
        self.wait_for(gap_us)
    }

    /// At the timer: how many arrivals are due now, and how long to wait for the next one, in ms.
    pub fn due(&mut self, ctx: &mut Ctx<'_>) -> (u64, u64) {
        // `ahead_us`: when the next arrival falls, counted from the lead before now.
        let mut ahead_us = 0;
        let mut due = 0;
        while ahead_us <= self.lead_us {
            due += 1;
            ahead_us += self.gap_us(ctx);
        }
        (due, self.wait_for(ahead_us - self.lead_us))
    }

    /// The whole milliseconds to wait for an arrival `in_us` from now; remembers how early it is.
    fn wait_for(&mut self, in_us: u64) -> u64 {
        let wait_ms = in_us.div_ceil(1_000).max(1);
        self.lead_us = wait_ms * 1_000 - in_us;
        wait_ms
    }

    fn gap_us(&self, ctx: &mut Ctx<'_>) -> u64 {
        let u: f64 = ctx.rng.random();
        // At least 1 µs, so that no rate can stall time.
        ((-(1.0 - u).ln() * 1_000_000.0 / self.per_second).round() as u64).max(1)
    }
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

    /// Runs an arrival process from 0 for `until_ms`, firing its timer when it asks; returns
    /// the arrivals per firing.
    fn arrivals_until(per_second: f64, until_ms: u64) -> Vec<u64> {
        let mut rng = stream_rng(7, "arrivals");
        let mut arrivals = Arrivals::new(per_second);
        let mut now_ms = arrivals.start(&mut Ctx { now_ms: 0, rng: &mut rng });
        let mut released = Vec::new();
        while now_ms <= until_ms {
            let (due, wait_ms) = arrivals.due(&mut Ctx { now_ms, rng: &mut rng });
            assert!(wait_ms >= 1, "time always moves on");
            released.push(due);
            now_ms += wait_ms;
        }
        released
    }

    #[test]
    fn forty_thousand_a_second_is_forty_a_millisecond_not_an_endless_burst() {
        let released = arrivals_until(40_000.0, 1_000);
        let total: u64 = released.iter().sum();
        assert!((38_800..=41_200).contains(&total), "{total} arrivals in 1 s at 40 000/s");
        assert!(released.iter().all(|&n| n < 100), "no millisecond gets a burst");
    }

    #[test]
    fn a_slow_rate_keeps_its_mean_gap() {
        let released = arrivals_until(10.0, 100_000);
        let total: u64 = released.iter().sum();
        assert!((900..=1_100).contains(&total), "{total} arrivals in 100 s at 10/s");
    }

    #[test]
    fn the_schedule_does_not_read_the_clock_so_a_stepped_clock_cannot_move_it() {
        // The same draws, once on a true clock and once on one stepped an hour ahead halfway:
        // the same arrivals and the same waits.
        let schedule = |step_ms: u64| {
            let mut rng = stream_rng(7, "arrivals");
            let mut arrivals = Arrivals::new(1_000.0);
            let mut now_ms = arrivals.start(&mut Ctx { now_ms: 0, rng: &mut rng });
            let mut seen = Vec::new();
            for firing in 0..100 {
                let read_ms = if firing >= 50 { now_ms + step_ms } else { now_ms };
                let (due, wait_ms) = arrivals.due(&mut Ctx { now_ms: read_ms, rng: &mut rng });
                seen.push((due, wait_ms));
                now_ms += wait_ms;
            }
            seen
        };
        assert_eq!(schedule(0), schedule(3_600_000));
    }

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

//! A client that spreads its requests over several backends through pooled connections, as a
//! service calling its replicas does: round robin over the backends it believes healthy. A
//! backend whose call fails is ejected for `eject_ms` (outlier detection). A request whose call
//! found its backend unreachable (no connection, or the connection failed under the call) is
//! retried once on another backend — the calls are reads, safe to repeat. A request whose
//! deadline passed is not retried: its time is spent.
//!
//! How the connections are dialled and kept alive is the transport's, in the lab's engine (a
//! connect timeout, HTTP/2 keepalive); the deadline is the node's, per call — or none, the
//! default of many client libraries.
//!
//! Records: `service-call` (`id`, `backend`, `attempt`), `service-result` (`id`, `outcome`,
//! `latency_ms`, `backend`), `backend-down` (`backend`, `reason`, `for_ms`).

use crate::client::Arrivals;
use crate::records::dns::{BACKEND, ID, OK, OUTCOME, SERVICE_CALL, SERVICE_RESULT};
use crate::records::pool::{ATTEMPT, BACKEND_DOWN, FOR_MS, REASON};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::dns::ServiceCall;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PoolClientConfig {
    pub backends: Vec<String>,
    pub requests_per_second: f64,
    /// Per call; `None`: no deadline at all (the call waits as long as its connection does).
    pub deadline_ms: Option<u64>,
    /// How long a failed backend gets no requests.
    pub eject_ms: u64,
}

/// What "no deadline" means to the engine: longer than any run.
const NO_DEADLINE_MS: u64 = 24 * 3_600_000;

const ARRIVAL_TIMER: u64 = 0;

struct Open {
    started_ms: u64,
    backend: String,
    attempt: u64,
}

pub struct PoolClient {
    config: PoolClientConfig,
    arrivals: Arrivals,
    next_id: u64,
    /// Round robin position.
    turn: usize,
    /// Ejected backends and until when.
    down_until: BTreeMap<String, u64>,
    open: BTreeMap<u64, Open>,
}

impl PoolClient {
    pub fn new(config: PoolClientConfig) -> Self {
        let arrivals = Arrivals::new(config.requests_per_second);
        Self { config, arrivals, next_id: 0, turn: 0, down_until: BTreeMap::new(), open: BTreeMap::new() }
    }

    fn is_up(&self, backend: &str, now_ms: u64) -> bool {
        self.down_until.get(backend).is_none_or(|&until| now_ms >= until)
    }

    /// The next backend in turn that is up and not `avoid`; if every one is down, the next in
    /// turn anyway (a client with nowhere else to go still tries).
    fn pick(&mut self, now_ms: u64, avoid: Option<&str>) -> Option<String> {
        let count = self.config.backends.len();
        let candidates = (0..count).map(|i| (self.turn + i) % count);
        let usable: Vec<usize> = candidates.filter(|&i| Some(self.config.backends[i].as_str()) != avoid).collect();
        let chosen = usable.iter().copied().find(|&i| self.is_up(&self.config.backends[i], now_ms));
        let chosen = match (chosen, avoid) {
            (Some(i), _) => i,
            // A retry goes only to a backend that is up.
            (None, Some(_)) => return None,
            (None, None) => *usable.first()?,
        };
        self.turn = chosen + 1;
        Some(self.config.backends[chosen].clone())
    }

    fn send(&mut self, id: u64, backend: String, attempt: u64, out: &mut Out) {
        out.record(Record::debug(SERVICE_CALL).with(ID, id).with(BACKEND, backend.as_str()).with(ATTEMPT, attempt));
        let timeout_ms = self.config.deadline_ms.unwrap_or(NO_DEADLINE_MS);
        out.call(&backend, id, Body::ServiceCall(ServiceCall { request_id: id }), timeout_ms);
        if let Some(open) = self.open.get_mut(&id) {
            open.backend = backend;
            open.attempt = attempt;
        }
    }

    fn start_request(&mut self, now_ms: u64, out: &mut Out) {
        self.next_id += 1;
        let id = self.next_id;
        let Some(backend) = self.pick(now_ms, None) else { return };
        self.open.insert(id, Open { started_ms: now_ms, backend: backend.clone(), attempt: 1 });
        self.send(id, backend, 1, out);
    }

    fn eject(&mut self, backend: &str, reason: &str, now_ms: u64, out: &mut Out) {
        if self.is_up(backend, now_ms) {
            out.record(
                Record::info(BACKEND_DOWN)
                    .with(BACKEND, backend)
                    .with(REASON, reason)
                    .with(FOR_MS, self.config.eject_ms),
            );
        }
        self.down_until.insert(backend.to_owned(), now_ms + self.config.eject_ms);
    }

    fn on_result(&mut self, now_ms: u64, id: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some(open) = self.open.get(&id) else { return };
        let (backend, attempt) = (open.backend.clone(), open.attempt);
        let outcome = match &result {
            Ok(Body::ServiceAnswer(_)) => OK,
            Ok(_) | Err(CallError::Failed(_)) => "error",
            Err(CallError::Timeout) => "timeout",
            Err(CallError::Unreachable) => "unreachable",
        };
        if outcome != OK {
            self.eject(&backend, outcome, now_ms, out);
        }
        if outcome == "unreachable" && attempt == 1 {
            // No answer and no connection: another backend may serve it (a read, safe to repeat).
            if let Some(other) = self.pick(now_ms, Some(&backend)) {
                return self.send(id, other, 2, out);
            }
        }
        let Some(open) = self.open.remove(&id) else { return };
        out.record(
            Record::info(SERVICE_RESULT)
                .with(ID, id)
                .with(OUTCOME, outcome)
                .with("latency_ms", now_ms.saturating_sub(open.started_ms))
                .with(BACKEND, backend),
        );
    }
}

impl Node for PoolClient {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let now_ms = ctx.now_ms;
        match input {
            Input::Start { .. } => out.set_timer(ARRIVAL_TIMER, self.arrivals.start(ctx)),
            Input::Timer { tag: ARRIVAL_TIMER } => {
                let (due, wait_ms) = self.arrivals.due(ctx);
                for _ in 0..due {
                    self.start_request(now_ms, out);
                }
                out.set_timer(ARRIVAL_TIMER, wait_ms);
            }
            Input::CallResult { tag, result } => self.on_result(now_ms, tag, result, out),
            Input::Timer { .. } | Input::Request { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::dns::ServiceAnswer;

    fn client() -> PoolClient {
        PoolClient::new(PoolClientConfig {
            backends: vec!["backend-1".into(), "backend-2".into()],
            requests_per_second: 10.0,
            deadline_ms: Some(500),
            eject_ms: 1_000,
        })
    }

    fn calls(actions: &[Action]) -> Vec<(String, u64)> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Call { to, tag, .. } => Some((to.clone(), *tag)),
                _ => None,
            })
            .collect()
    }

    fn result(client: &mut PoolClient, now_ms: u64, id: u64, result: Result<Body, CallError>) -> Vec<Action> {
        let mut rng = stream_rng(1, "pool");
        let mut out = Out::default();
        client.on_input(&mut Ctx { now_ms, rng: &mut rng }, Input::CallResult { tag: id, result }, &mut out);
        out.take()
    }

    fn start(client: &mut PoolClient, now_ms: u64) -> Vec<Action> {
        let mut out = Out::default();
        client.start_request(now_ms, &mut out);
        out.take()
    }

    fn answer() -> Result<Body, CallError> {
        Ok(Body::ServiceAnswer(ServiceAnswer { backend: String::new() }))
    }

    #[test]
    fn requests_take_turns_and_a_backend_that_timed_out_gets_none_until_its_ejection_ends() {
        let mut c = client();
        assert_eq!(calls(&start(&mut c, 0)), [("backend-1".into(), 1)]);
        assert_eq!(calls(&start(&mut c, 10)), [("backend-2".into(), 2)]);
        result(&mut c, 20, 1, answer());
        result(&mut c, 510, 2, Err(CallError::Timeout));
        let turns: Vec<String> = (0..4).map(|i| calls(&start(&mut c, 600 + i))[0].0.clone()).collect();
        assert_eq!(turns, ["backend-1"; 4], "backend-2 is ejected for 1 s");
        assert_eq!(calls(&start(&mut c, 1_600))[0].0, "backend-2", "then it is tried again");
    }

    #[test]
    fn an_unreachable_backend_s_request_is_retried_once_on_another_and_a_timed_out_one_is_not() {
        let mut c = client();
        start(&mut c, 0);
        let retried = result(&mut c, 5, 1, Err(CallError::Unreachable));
        assert_eq!(calls(&retried), [("backend-2".into(), 1)]);
        let gave_up = result(&mut c, 9, 1, Err(CallError::Unreachable));
        assert!(calls(&gave_up).is_empty(), "one retry only");
        start(&mut c, 20);
        assert!(calls(&result(&mut c, 520, 2, Err(CallError::Timeout))).is_empty());
    }

    #[test]
    fn without_a_deadline_a_call_waits_longer_than_any_run() {
        let mut c = PoolClient::new(PoolClientConfig { deadline_ms: None, ..client().config });
        let timeout = start(&mut c, 0).iter().find_map(|a| match a {
            Action::Call { timeout_ms, .. } => Some(*timeout_ms),
            _ => None,
        });
        assert_eq!(timeout, Some(NO_DEADLINE_MS));
    }
}

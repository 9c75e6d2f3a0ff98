//! An API gateway that enforces a global per-key rate limit together with its peers.
//!
//! How it enforces the limit is its [`Strategy`] — the scenario's variants choose one:
//! - `Local`: each of N gateways admits `L/N` per second with its own token bucket. Exact and
//!   cheap, but under skewed traffic the busy gateway rejects while idle ones waste budget.
//! - `LocalUndivided`: the bug — each gateway admits the full `L`, so N gateways admit up to `N·L`.
//! - `Central`: ask a limiter service for every request. Exact while it is reachable; when it is
//!   not, the gateway must fail open (admit: the limit leaks) or fail closed (reject: an outage).
//! - `Sync`: count locally with a sliding-window log and share counts with peers every
//!   `interval_ms`; admit while `own + Σ peers' last reports < L`. The error is bounded by what
//!   peers admitted since their last report reached us. A peer never heard from counts as its
//!   fair share `L/N`; a peer silent for longer than `stale_after_ms` counts as its last report
//!   ([`SilentPeer::LastReport`], betting that traffic is steady) or at least its fair share
//!   ([`SilentPeer::FairShare`], safe even if the silent peer's traffic grows, at the price of
//!   rejecting traffic while a peer is down).

use crate::records::ratelimit::{ADMITTED, DECISION, KEY};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use fundamentals::ratelimit::{SlidingWindowLog, TokenBucket};
use proto::ratelimit::{AcquireReply, AcquireRequest, ApiReply, ApiRequest, CountReport, Decision, KeyCount};
use proto::Ack;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct GatewayConfig {
    /// The global limit L, per API key.
    pub limit_per_second: u64,
    /// Token-bucket capacity for the local strategies.
    pub burst: u64,
    /// Number of gateways sharing the limit (N).
    pub gateway_count: u64,
    pub strategy: Strategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Strategy {
    Local,
    LocalUndivided,
    Central { limiter: String, timeout_ms: u64, on_unreachable: FailMode },
    Sync { peers: Vec<String>, interval_ms: u64, stale_after_ms: u64, silent_peer: SilentPeer },
}

/// What a sync gateway assumes about a peer whose reports stopped arriving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilentPeer {
    LastReport,
    FairShare,
}

/// The window over which the limit is counted; "per second" in the config means this.
const WINDOW_MS: u64 = 1_000;
const SYNC_TIMER: u64 = 0;
/// Call tags at or above this value are count reports to peers, below it limiter calls.
const REPORT_TAG_BASE: u64 = 1 << 62;

pub struct Gateway {
    config: GatewayConfig,
    buckets: BTreeMap<String, TokenBucket>,
    /// Sync strategy: this gateway's own admissions per key.
    own_admissions: BTreeMap<String, SlidingWindowLog>,
    /// Sync strategy: each peer's last report and when it arrived.
    peer_reports: BTreeMap<String, PeerReport>,
    /// Central strategy: limiter calls in flight, by call tag.
    awaiting_limiter: BTreeMap<u64, PendingRequest>,
    next_tag: u64,
}

struct PeerReport {
    received_at_ms: u64,
    counts: BTreeMap<String, u64>,
}

struct PendingRequest {
    id: RequestId,
    client: String,
    request: ApiRequest,
}

impl Gateway {
    pub fn new(config: GatewayConfig) -> Self {
        assert!(config.limit_per_second > 0 && config.gateway_count > 0 && config.burst > 0);
        Self {
            config,
            buckets: BTreeMap::new(),
            own_admissions: BTreeMap::new(),
            peer_reports: BTreeMap::new(),
            awaiting_limiter: BTreeMap::new(),
            next_tag: 0,
        }
    }

    fn handle_api_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: RequestId,
        client: String,
        request: ApiRequest,
        out: &mut Out,
    ) {
        let now_ms = ctx.now_ms;
        match &self.config.strategy {
            Strategy::Local | Strategy::LocalUndivided => {
                let admitted = self.local_bucket(&request.api_key, now_ms).try_acquire(now_ms);
                decide(out, id, &client, &request, admitted, "token bucket".into());
            }
            Strategy::Central { limiter, timeout_ms, .. } => {
                let tag = self.next_tag;
                self.next_tag += 1;
                let ask = Body::AcquireRequest(AcquireRequest { api_key: request.api_key.clone() });
                out.call(limiter, tag, ask, *timeout_ms);
                self.awaiting_limiter.insert(tag, PendingRequest { id, client, request });
            }
            Strategy::Sync { .. } => {
                let estimate = self.global_estimate(&request.api_key, now_ms);
                let admitted = estimate < self.config.limit_per_second;
                if admitted {
                    self.own_log(&request.api_key).record(now_ms);
                }
                decide(out, id, &client, &request, admitted, format!("global estimate {estimate}"));
            }
        }
    }

    fn local_bucket(&mut self, key: &str, now_ms: u64) -> &mut TokenBucket {
        let share = match self.config.strategy {
            Strategy::LocalUndivided => self.config.limit_per_second as f64,
            _ => self.config.limit_per_second as f64 / self.config.gateway_count as f64,
        };
        let burst = self.config.burst;
        self.buckets.entry(key.to_owned()).or_insert_with(|| TokenBucket::new(burst, share, now_ms))
    }

    fn own_log(&mut self, key: &str) -> &mut SlidingWindowLog {
        let limit = self.config.limit_per_second;
        self.own_admissions.entry(key.to_owned()).or_insert_with(|| SlidingWindowLog::new(limit, WINDOW_MS))
    }

    /// Own exact count plus what each peer last reported; a peer never heard from, or silent
    /// for too long, counts as using its fair share so a partition cannot double the budget.
    fn global_estimate(&mut self, key: &str, now_ms: u64) -> u64 {
        let Strategy::Sync { peers, stale_after_ms, silent_peer, .. } = &self.config.strategy else {
            unreachable!("only the sync strategy estimates globally")
        };
        let fair_share = self.config.limit_per_second.div_ceil(self.config.gateway_count);
        let peers_total: u64 = peers
            .iter()
            .map(|peer| match self.peer_reports.get(peer) {
                None => fair_share,
                Some(report) => {
                    let reported = report.counts.get(key).copied().unwrap_or(0);
                    let silent = now_ms.saturating_sub(report.received_at_ms) > *stale_after_ms;
                    match (silent, silent_peer) {
                        (true, SilentPeer::FairShare) => reported.max(fair_share),
                        _ => reported,
                    }
                }
            })
            .sum();
        let own = self.own_admissions.get_mut(key).map_or(0, |log| log.count(now_ms));
        own + peers_total
    }

    fn send_reports(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        let Strategy::Sync { peers, interval_ms, stale_after_ms, .. } = &self.config.strategy else { return };
        let counts: Vec<KeyCount> = self
            .own_admissions
            .iter_mut()
            .map(|(key, log)| KeyCount { api_key: key.clone(), admitted_in_window: log.count(ctx.now_ms) })
            .filter(|count| count.admitted_in_window > 0)
            .collect();
        for peer in peers {
            let body = Body::CountReport(CountReport { counts: counts.clone() });
            // A report may take longer than one interval to arrive (a slow link); giving up on
            // it after one interval would silence this gateway exactly when peers need it.
            out.call(peer, REPORT_TAG_BASE + self.next_tag, body, *stale_after_ms);
            self.next_tag += 1;
        }
        out.set_timer(SYNC_TIMER, *interval_ms);
    }

    fn handle_limiter_answer(&mut self, tag: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some(pending) = self.awaiting_limiter.remove(&tag) else { return };
        let Strategy::Central { on_unreachable, .. } = &self.config.strategy else { return };
        let (admitted, reason) = match result {
            Ok(Body::AcquireReply(AcquireReply { granted })) => {
                (granted, if granted { "limiter granted" } else { "limiter denied" }.to_string())
            }
            Ok(other) => (false, format!("limiter sent an unexpected message: {other:?}")),
            Err(error) => match on_unreachable {
                FailMode::Open => (true, format!("limiter {error}: fail open")),
                FailMode::Closed => (false, format!("limiter {error}: fail closed")),
            },
        };
        decide(out, pending.id, &pending.client, &pending.request, admitted, reason);
    }
}

fn decide(out: &mut Out, id: RequestId, client: &str, request: &ApiRequest, admitted: bool, reason: String) {
    let decision = if admitted { Decision::Admitted } else { Decision::Rejected };
    out.reply(id, Body::ApiReply(ApiReply { request_id: request.request_id, decision: decision as i32 }));
    out.record(
        Record::info(DECISION)
            .with("client", client)
            .with("request", request.request_id)
            .with(KEY, request.api_key.as_str())
            .with(ADMITTED, admitted)
            .with("reason", reason),
    );
}

impl Node for Gateway {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => {
                if let Strategy::Sync { interval_ms, .. } = self.config.strategy {
                    out.set_timer(SYNC_TIMER, interval_ms);
                }
            }
            Input::Request { id, from, body: Body::ApiRequest(request) } => {
                self.handle_api_request(ctx, id, from, request, out)
            }
            Input::Request { id, from, body: Body::CountReport(report) } => {
                let counts = report.counts.into_iter().map(|c| (c.api_key, c.admitted_in_window)).collect();
                self.peer_reports.insert(from, PeerReport { received_at_ms: ctx.now_ms, counts });
                out.reply(id, Body::Ack(Ack {}));
            }
            Input::Request { from, body, .. } => {
                out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")))
            }
            Input::Timer { tag: SYNC_TIMER } => self.send_reports(ctx, out),
            Input::Timer { .. } | Input::Synced { .. } | Input::Datagram { .. } => {}
            Input::CallResult { tag, .. } if tag >= REPORT_TAG_BASE => {}
            Input::CallResult { tag, result } => self.handle_limiter_answer(tag, result, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;

    fn gateway(strategy: Strategy) -> Gateway {
        Gateway::new(GatewayConfig { limit_per_second: 100, burst: 1, gateway_count: 3, strategy })
    }

    /// Sends `count` requests for key "k", one per `gap_ms`, and returns how many were admitted.
    fn admitted_of(gw: &mut Gateway, count: u64, gap_ms: u64) -> usize {
        let mut rng = stream_rng(1, "gw");
        let mut out = Out::default();
        let mut admitted = 0;
        for i in 0..count {
            let request = ApiRequest { request_id: i, api_key: "k".into() };
            let input = Input::Request { id: i, from: "c".into(), body: Body::ApiRequest(request) };
            gw.on_input(&mut Ctx { now_ms: i * gap_ms, rng: &mut rng }, input, &mut out);
            admitted += out
                .take()
                .iter()
                .filter(|a| matches!(a, Action::Reply { body: Body::ApiReply(r), .. } if r.decision == Decision::Admitted as i32))
                .count();
        }
        admitted
    }

    #[test]
    fn local_strategy_admits_only_its_share_of_the_global_limit() {
        // 1000 requests in one second at one gateway: it may admit ~L/N = 33 (+ burst).
        let admitted = admitted_of(&mut gateway(Strategy::Local), 1_000, 1);
        assert!((33..=35).contains(&admitted), "admitted {admitted}");
    }

    #[test]
    fn undivided_local_strategy_admits_the_whole_limit_at_one_gateway() {
        let admitted = admitted_of(&mut gateway(Strategy::LocalUndivided), 1_000, 1);
        assert!((99..=101).contains(&admitted), "admitted {admitted}");
    }

    #[test]
    fn sync_strategy_without_peer_reports_assumes_peers_use_their_fair_share() {
        let strategy = Strategy::Sync {
            peers: vec!["gw-2".into(), "gw-3".into()],
            interval_ms: 25,
            stale_after_ms: 100,
            silent_peer: SilentPeer::LastReport,
        };
        // Two silent peers are assumed to use 34 each, leaving 100 - 68 = 32 for this gateway.
        assert_eq!(admitted_of(&mut gateway(strategy), 1_000, 1), 32);
    }

    #[test]
    fn sync_strategy_counts_a_silent_peer_as_its_last_report_or_its_fair_share() {
        let report = |gw: &mut Gateway, at_ms: u64, count: u64| {
            let mut rng = stream_rng(1, "gw");
            let body = Body::CountReport(CountReport {
                counts: vec![KeyCount { api_key: "k".into(), admitted_in_window: count }],
            });
            gw.on_input(
                &mut Ctx { now_ms: at_ms, rng: &mut rng },
                Input::Request { id: 0, from: "gw-2".into(), body },
                &mut Out::default(),
            );
        };
        for (silent_peer, expected) in [(SilentPeer::LastReport, 10), (SilentPeer::FairShare, 50)] {
            let strategy =
                Strategy::Sync { peers: vec!["gw-2".into()], interval_ms: 25, stale_after_ms: 100, silent_peer };
            let mut gw = Gateway::new(GatewayConfig { limit_per_second: 100, burst: 1, gateway_count: 2, strategy });
            report(&mut gw, 0, 10);
            assert_eq!(gw.global_estimate("k", 50), 10, "a fresh report counts as reported");
            assert_eq!(gw.global_estimate("k", 500), expected, "{silent_peer:?} after the peer fell silent");
        }
    }

    #[test]
    fn central_strategy_fails_closed_or_open_when_the_limiter_is_unreachable() {
        for (mode, expected) in [(FailMode::Closed, Decision::Rejected), (FailMode::Open, Decision::Admitted)] {
            let mut gw = gateway(Strategy::Central { limiter: "limiter".into(), timeout_ms: 50, on_unreachable: mode });
            let mut rng = stream_rng(1, "gw");
            let mut out = Out::default();
            let request = ApiRequest { request_id: 9, api_key: "k".into() };
            let input = Input::Request { id: 4, from: "c".into(), body: Body::ApiRequest(request) };
            gw.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, input, &mut out);
            let Action::Call { tag, .. } = out.take()[0].clone() else { panic!("expected a limiter call") };
            let failed = Input::CallResult { tag, result: Err(CallError::Unreachable) };
            gw.on_input(&mut Ctx { now_ms: 50, rng: &mut rng }, failed, &mut out);
            let reply = out.take().into_iter().find_map(|a| match a {
                Action::Reply { id: 4, body: Body::ApiReply(r) } => Some(r.decision),
                _ => None,
            });
            assert_eq!(reply, Some(expected as i32), "{mode:?}");
        }
    }
}

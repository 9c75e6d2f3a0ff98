//! The central limiter service: one exact sliding-window log per API key, answering
//! "may I admit one more request?" for every gateway.
//!
//! It is exact because it sees every request — and for the same reason it sits on every
//! request's path: its latency is added to each call and its outage is everyone's outage.

use crate::records::ratelimit::GRANT;
use crate::{Body, Ctx, Input, Node, Out, Record};
use fundamentals::ratelimit::SlidingWindowLog;
use proto::ratelimit::AcquireReply;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct LimiterConfig {
    pub limit_per_second: u64,
}

pub struct Limiter {
    config: LimiterConfig,
    windows: BTreeMap<String, SlidingWindowLog>,
}

impl Limiter {
    pub fn new(config: LimiterConfig) -> Self {
        assert!(config.limit_per_second > 0);
        Self { config, windows: BTreeMap::new() }
    }
}

impl Node for Limiter {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let Input::Request { id, from, body } = input else { return };
        let Body::AcquireRequest(request) = body else {
            out.record(Record::warn("unexpected-message").with("from", from).with("body", format!("{body:?}")));
            return;
        };
        let limit = self.config.limit_per_second;
        let window = self.windows.entry(request.api_key.clone()).or_insert_with(|| SlidingWindowLog::new(limit, 1_000));
        let granted = window.try_acquire(ctx.now_ms);
        out.reply(id, Body::AcquireReply(AcquireReply { granted }));
        out.record(Record::debug(GRANT).with("gateway", from).with("key", request.api_key).with("granted", granted));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::ratelimit::AcquireRequest;

    #[test]
    fn grants_exactly_the_limit_within_one_window_then_denies() {
        let mut limiter = Limiter::new(LimiterConfig { limit_per_second: 5 });
        let mut rng = stream_rng(1, "limiter");
        let mut out = Out::default();
        let mut granted = Vec::new();
        for i in 0..8 {
            let body = Body::AcquireRequest(AcquireRequest { api_key: "k".into() });
            limiter.on_input(
                &mut Ctx { now_ms: i, rng: &mut rng },
                Input::Request { id: i, from: "gw-1".into(), body },
                &mut out,
            );
            for action in out.take() {
                if let Action::Reply { body: Body::AcquireReply(r), .. } = action {
                    granted.push(r.granted);
                }
            }
        }
        assert_eq!(granted, [true, true, true, true, true, false, false, false]);
    }
}

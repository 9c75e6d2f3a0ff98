//! A producer: publishes keyed messages to the broker one at a time, at a Poisson rate, and
//! retries a publish that got no answer — with the same message id, so a broker that
//! deduplicates (an idempotent publish) can tell a retry from a new message.
//!
//! Every key belongs to one producer ("producer-2/k3"), so a key's publish order is simply the
//! order this producer published in: what the per-key order check compares consumption with.
//! Some messages are poison (a seeded draw): every attempt to process them fails.
//!
//! Records: `publish` (the first attempt) and `publish-return` (outcome `ok`, or `unknown` once
//! the attempts run out — the broker may have appended it or not).

use crate::client::poisson_gap_ms;
use crate::records::pubsub::{ATTEMPTS, ID, KEY, OK, OUTCOME, POISON, PUBLISH, PUBLISH_RETURN, UNKNOWN};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::pubsub::{Message, Publish};
use rand::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct ProducerConfig {
    /// This node's name: it prefixes its message ids and its keys.
    pub name: String,
    pub broker: String,
    pub keys: u64,
    pub messages_per_second: f64,
    /// The chance that a message is poison, from 0 to 1.
    pub poison_probability: f64,
    pub timeout_ms: u64,
    /// Attempts per message, the first included; then its outcome is unknown.
    pub max_attempts: u32,
    /// The pause before a retry.
    pub retry_ms: u64,
    /// When the producer stops publishing (what is in flight still finishes).
    pub stop_at_ms: u64,
}

const NEXT_TIMER: u64 = 0;
const RETRY_TIMER: u64 = 1;
const PUBLISH_TAG: u64 = 0;

pub struct Producer {
    config: ProducerConfig,
    /// Prefix of this incarnation's message ids: a restarted producer must not reuse an id.
    id_prefix: String,
    published: u64,
    /// The message being published and how many attempts it has had.
    in_flight: Option<(Message, u32)>,
}

impl Producer {
    pub fn new(config: ProducerConfig) -> Self {
        assert!(config.messages_per_second > 0.0 && config.keys > 0 && config.max_attempts > 0);
        Self { id_prefix: config.name.clone(), config, published: 0, in_flight: None }
    }

    fn schedule_next(&self, ctx: &mut Ctx<'_>, out: &mut Out) {
        let gap = poisson_gap_ms(ctx, self.config.messages_per_second).max(1);
        if ctx.now_ms + gap < self.config.stop_at_ms {
            out.set_timer(NEXT_TIMER, gap);
        }
    }

    fn publish_next(&mut self, ctx: &mut Ctx<'_>, out: &mut Out) {
        self.published += 1;
        let key = ctx.rng.random_range(1..=self.config.keys);
        let message = Message {
            id: format!("{}:{}", self.id_prefix, self.published),
            key: format!("{}/k{key}", self.config.name),
            poison: ctx.rng.random_bool(self.config.poison_probability),
        };
        out.record(
            Record::info(PUBLISH)
                .with(ID, message.id.as_str())
                .with(KEY, message.key.as_str())
                .with(POISON, message.poison),
        );
        self.send(message, 1, out);
    }

    fn send(&mut self, message: Message, attempt: u32, out: &mut Out) {
        let body = Body::Publish(Publish { message: Some(message.clone()) });
        out.call(&self.config.broker, PUBLISH_TAG, body, self.config.timeout_ms);
        self.in_flight = Some((message, attempt));
    }

    fn on_result(&mut self, ctx: &mut Ctx<'_>, result: Result<Body, CallError>, out: &mut Out) {
        let Some((message, attempts)) = self.in_flight.take() else { return };
        let acked = matches!(result, Ok(Body::Published(_)));
        if !acked && attempts < self.config.max_attempts {
            // Keep it in flight until the retry timer sends it again.
            self.in_flight = Some((message, attempts));
            out.set_timer(RETRY_TIMER, self.config.retry_ms);
            return;
        }
        out.record(
            Record::info(PUBLISH_RETURN)
                .with(ID, message.id.as_str())
                .with(OUTCOME, if acked { OK } else { UNKNOWN })
                .with(ATTEMPTS, u64::from(attempts)),
        );
        self.schedule_next(ctx, out);
    }
}

impl Node for Producer {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { .. } => {
                if ctx.now_ms > 0 {
                    self.id_prefix = format!("{}@{}", self.config.name, ctx.now_ms);
                }
                self.schedule_next(ctx, out);
            }
            Input::Timer { tag: NEXT_TIMER } if self.in_flight.is_none() => self.publish_next(ctx, out),
            Input::Timer { tag: RETRY_TIMER } => {
                if let Some((message, attempts)) = self.in_flight.take() {
                    self.send(message, attempts + 1, out);
                }
            }
            Input::CallResult { tag: PUBLISH_TAG, result } => self.on_result(ctx, result, out),
            Input::Timer { .. }
            | Input::CallResult { .. }
            | Input::Request { .. }
            | Input::Synced { .. }
            | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::{stream_rng, SimRng};
    use proto::pubsub::Published;

    fn config() -> ProducerConfig {
        ProducerConfig {
            name: "producer-1".into(),
            broker: "broker".into(),
            keys: 2,
            messages_per_second: 10.0,
            poison_probability: 0.0,
            timeout_ms: 100,
            max_attempts: 2,
            retry_ms: 10,
            stop_at_ms: 10_000,
        }
    }

    fn step(node: &mut Producer, rng: &mut SimRng, now_ms: u64, input: Input) -> Vec<Action> {
        let mut out = Out::default();
        node.on_input(&mut Ctx { now_ms, rng }, input, &mut out);
        out.take()
    }

    fn published_ids(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Call { body: Body::Publish(Publish { message: Some(m) }), .. } => Some(m.id.clone()),
                _ => None,
            })
            .collect()
    }

    fn outcome(actions: &[Action]) -> Option<String> {
        actions.iter().find_map(|a| match a {
            Action::Record(r) if r.kind == PUBLISH_RETURN => r.field(OUTCOME).map(ToString::to_string),
            _ => None,
        })
    }

    #[test]
    fn a_publish_without_an_answer_is_retried_with_the_same_id_then_reported_unknown() {
        let (mut node, mut rng) = (Producer::new(config()), stream_rng(1, "p"));
        step(&mut node, &mut rng, 0, Input::fresh_start());
        let first = published_ids(&step(&mut node, &mut rng, 5, Input::Timer { tag: NEXT_TIMER }));
        let failed =
            step(&mut node, &mut rng, 105, Input::CallResult { tag: PUBLISH_TAG, result: Err(CallError::Timeout) });
        assert_eq!(outcome(&failed), None, "one attempt is left");
        let retry = published_ids(&step(&mut node, &mut rng, 115, Input::Timer { tag: RETRY_TIMER }));
        assert_eq!(retry, first, "a retry carries the same id");
        let gave_up =
            step(&mut node, &mut rng, 215, Input::CallResult { tag: PUBLISH_TAG, result: Err(CallError::Timeout) });
        assert_eq!(outcome(&gave_up).as_deref(), Some(UNKNOWN));
    }

    #[test]
    fn an_answered_publish_is_ok_and_the_next_message_gets_a_new_id() {
        let (mut node, mut rng) = (Producer::new(config()), stream_rng(1, "p"));
        step(&mut node, &mut rng, 0, Input::fresh_start());
        let first = published_ids(&step(&mut node, &mut rng, 5, Input::Timer { tag: NEXT_TIMER }));
        let reply = Ok(Body::Published(Published { partition: 0, offset: 0, duplicate: false }));
        let acked = step(&mut node, &mut rng, 9, Input::CallResult { tag: PUBLISH_TAG, result: reply });
        assert_eq!(outcome(&acked).as_deref(), Some(OK));
        let second = published_ids(&step(&mut node, &mut rng, 20, Input::Timer { tag: NEXT_TIMER }));
        assert_eq!((first, second), (vec!["producer-1:1".to_owned()], vec!["producer-1:2".to_owned()]));
    }

    #[test]
    fn a_restarted_producer_never_reuses_an_id() {
        let (mut node, mut rng) = (Producer::new(config()), stream_rng(1, "p"));
        step(&mut node, &mut rng, 3_000, Input::fresh_start());
        let ids = published_ids(&step(&mut node, &mut rng, 3_005, Input::Timer { tag: NEXT_TIMER }));
        assert_eq!(ids, vec!["producer-1@3000:1".to_owned()]);
    }
}

//! The pub-sub family: producers, a broker with a partitioned topic and one consumer group,
//! consumers, and the store their effects land in. Node logic: `nodes::pubsub`; messages:
//! `proto/proto/pubsub.proto`.
//!
//! File tables: `[nodes.producer]`, `[nodes.broker]`, `[nodes.consumer]`, `[nodes.store]`; the
//! variant setting `pubsub = { ack, dead_letters, partitioning, deduplicate, idempotent_publish }`;
//! the checks `delivery`, `effect-once`, `per-key-order`, `dead-letters` and `consumer-lag`.

mod checks;

use crate::checks::Outcome;
use crate::engine::RunResult;
use crate::family::{
    Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef, Phase,
    Setting,
};
use crate::scenario::format::{one, Number};
use crate::trace::Event;
use nodes::pubsub::broker::{Broker, BrokerConfig, Partitioning};
use nodes::pubsub::consumer::{AckMode, Consumer, ConsumerConfig};
use nodes::pubsub::producer::{Producer, ProducerConfig};
use nodes::pubsub::store::{Store, StoreConfig};
use nodes::records::pubsub as records;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const PRODUCER: &str = "producer";
pub const BROKER: &str = "broker";
pub const CONSUMER: &str = "consumer";
pub const STORE: &str = "store";

pub static FAMILY: Family = Family {
    name: "pub-sub",
    node_kinds: &[
        NodeKindDef::new::<RawProducers>(PRODUCER)
            .with_load(&["count", "messages_per_second"])
            .with_records(records::PRODUCER_RECORDS),
        NodeKindDef::new::<RawBrokers>(BROKER).with_records(records::BROKER_RECORDS),
        NodeKindDef::new::<RawConsumers>(CONSUMER).with_records(records::CONSUMER_RECORDS),
        NodeKindDef::new::<RawStores>(STORE).with_records(records::STORE_RECORDS),
    ],
    settings: &[PUBSUB.def()],
    checks: &[
        CheckDef::new::<RawDelivery>("delivery", Phase::Safety),
        CheckDef::new::<RawEffectOnce>("effect-once", Phase::Safety),
        CheckDef::new::<RawPerKeyOrder>("per-key-order", Phase::Safety),
        CheckDef::new::<RawDeadLetters>("dead-letters", Phase::Safety),
        CheckDef::new::<RawConsumerLag>("consumer-lag", Phase::Liveness),
    ],
};

const MAX_TIME_MS: u64 = 600_000;

/// How a variant delivers: when consumers commit, whether the broker has dead letters, how it
/// partitions, whether the store and the broker deduplicate.
const PUBSUB: Setting<RawPubSub> = Setting::new(
    "pubsub",
    "how messages are partitioned, acknowledged, dead-lettered and deduplicated",
    "pubsub = { ack = \"after-process\" | \"before-process\", dead_letters = true | false, partitioning = \"by-key\" | \"round-robin\", deduplicate = true | false, idempotent_publish = true | false }",
    &[BROKER, CONSUMER, STORE],
);

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawAck {
    AfterProcess,
    BeforeProcess,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawPartitioning {
    ByKey,
    RoundRobin,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPubSub {
    ack: RawAck,
    dead_letters: bool,
    partitioning: RawPartitioning,
    deduplicate: bool,
    idempotent_publish: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProducers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    broker: Spanned<String>,
    messages_per_second: Spanned<Number>,
    keys: Spanned<u64>,
    poison_pct: Spanned<Number>,
    timeout_ms: Spanned<u64>,
    max_attempts: Spanned<u64>,
    retry_ms: Spanned<u64>,
    stop_at_ms: Spanned<u64>,
}

impl NodeGroup for RawProducers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let poison_pct = self.poison_pct.get_ref().0;
        if !(0.0..=100.0).contains(&poison_pct) {
            return Err(c.error(
                self.poison_pct.span(),
                &cx.field("poison_pct"),
                format!("{poison_pct} is not a percentage"),
                "a percentage from 0 to 100",
            ));
        }
        let config = ProducerConfig {
            name: cx.name.to_owned(),
            broker: c.node_of_kind(&self.broker, &cx.field("broker"), BROKER)?,
            keys: c.at_most(&self.keys, &cx.field("keys"), 1_000, "keys")?,
            messages_per_second: c.rate(&self.messages_per_second, &cx.field("messages_per_second"))?,
            poison_probability: poison_pct / 100.0,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIME_MS, "ms")?,
            max_attempts: c.at_most(&self.max_attempts, &cx.field("max_attempts"), 100, "attempts")? as u32,
            retry_ms: c.at_most(&self.retry_ms, &cx.field("retry_ms"), MAX_TIME_MS, "ms")?,
            stop_at_ms: c.up_to(&self.stop_at_ms, &cx.field("stop_at_ms"), u64::MAX, "ms")?,
        };
        Ok(NodeBuilder::new(config, Producer::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrokers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    partitions: Spanned<u64>,
    dead_letter_after: Spanned<u64>,
    session_timeout_ms: Spanned<u64>,
    max_poll_messages: Spanned<u64>,
}

impl NodeGroup for RawBrokers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        cx.single(&self.count, "broker")?;
        let pubsub = &cx.setting(&PUBSUB)?.value;
        let dead_letter_after =
            c.at_most(&self.dead_letter_after, &cx.field("dead_letter_after"), 1_000, "failures")?;
        let config = BrokerConfig {
            partitions: c.at_most(&self.partitions, &cx.field("partitions"), 256, "partitions")? as u32,
            partitioning: match pubsub.partitioning {
                RawPartitioning::ByKey => Partitioning::ByKey,
                RawPartitioning::RoundRobin => Partitioning::RoundRobin,
            },
            idempotent_publish: pubsub.idempotent_publish,
            dead_letter_after: pubsub.dead_letters.then_some(dead_letter_after as u32),
            session_timeout_ms: c.at_most(
                &self.session_timeout_ms,
                &cx.field("session_timeout_ms"),
                MAX_TIME_MS,
                "ms",
            )?,
            max_poll_messages: c.at_most(&self.max_poll_messages, &cx.field("max_poll_messages"), 10_000, "messages")?
                as u32,
        };
        Ok(NodeBuilder::new(config, Broker::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    broker: Spanned<String>,
    store: Spanned<String>,
    process_ms: Spanned<u64>,
    poll_ms: Spanned<u64>,
    timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawConsumers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let pubsub = &cx.setting(&PUBSUB)?.value;
        let config = ConsumerConfig {
            broker: c.node_of_kind(&self.broker, &cx.field("broker"), BROKER)?,
            store: c.node_of_kind(&self.store, &cx.field("store"), STORE)?,
            ack: match pubsub.ack {
                RawAck::AfterProcess => AckMode::AfterProcess,
                RawAck::BeforeProcess => AckMode::BeforeProcess,
            },
            process_ms: c.up_to(&self.process_ms, &cx.field("process_ms"), MAX_TIME_MS, "ms")?,
            poll_ms: c.at_most(&self.poll_ms, &cx.field("poll_ms"), MAX_TIME_MS, "ms")?,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIME_MS, "ms")?,
        };
        Ok(NodeBuilder::new(config, Consumer::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStores {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
}

impl NodeGroup for RawStores {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        cx.single(&self.count, "store")?;
        let config = StoreConfig { deduplicate: cx.setting(&PUBSUB)?.value.deduplicate };
        Ok(NodeBuilder::new(config, Store::new))
    }
}

/// A check judged from the events once the last `settle_ms` of the run are set aside:
/// what happened there had no time to be delivered or applied.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettled {
    #[serde(default = "default_settle_ms")]
    settle_ms: Spanned<u64>,
}

fn default_settle_ms() -> Spanned<u64> {
    Spanned::new(0..0, 2_000)
}

struct Settled {
    judge: fn(&[Event], u64, u64) -> Outcome,
    settle_ms: u64,
}

impl std::fmt::Debug for Settled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Settled {{ settle_ms: {} }}", self.settle_ms)
    }
}

impl Check for Settled {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        (self.judge)(&run.events, run.simulated_ms * 1_000, self.settle_ms * 1_000)
    }
}

impl RawSettled {
    fn configure(&self, cx: &CheckCx<'_>, judge: fn(&[Event], u64, u64) -> Outcome) -> Checked<Arc<dyn Check>> {
        let settle_ms = cx.within_run(&self.settle_ms, "settle_ms")?;
        Ok(Arc::new(Settled { judge, settle_ms }))
    }
}

/// Safety: every acknowledged publish was delivered; lost or unexpected fails.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RawDelivery(RawSettled);

impl CheckSettings for RawDelivery {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        self.0.configure(cx, checks::delivery)
    }
}

/// Safety: every delivered healthy message's effect happened exactly once in the store.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RawEffectOnce(RawSettled);

impl CheckSettings for RawEffectOnce {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        self.0.configure(cx, checks::effect_once)
    }
}

/// Safety: per key, first deliveries follow publish order, with no skips.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RawPerKeyOrder(RawSettled);

impl CheckSettings for RawPerKeyOrder {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        self.0.configure(cx, checks::per_key_order)
    }
}

/// Every acknowledged poison message is dead-lettered within `within_ms`; no healthy one is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadLetters {
    within_ms: Spanned<u64>,
}

impl CheckSettings for RawDeadLetters {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let within_ms = cx.within_run(&self.within_ms, "within_ms")?;
        let within_ms = cx.checker.positive(&Spanned::new(self.within_ms.span(), within_ms), &cx.field("within_ms"))?;
        Ok(Arc::new(Settled { judge: checks::dead_letters, settle_ms: within_ms }))
    }
}

/// Liveness: from `from_ms`, lag falls to `max_lag` or below within `within_ms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumerLag {
    from_ms: Spanned<u64>,
    within_ms: Spanned<u64>,
    max_lag: Spanned<u64>,
}

#[derive(Debug)]
struct ConsumerLag {
    from_ms: u64,
    within_ms: u64,
    max_lag: u64,
}

impl CheckSettings for RawConsumerLag {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let from_ms = cx.within_run(&self.from_ms, "from_ms")?;
        let within_ms = cx.checker.up_to(&self.within_ms, &cx.field("within_ms"), cx.duration_ms - from_ms, "ms")?;
        let max_lag = cx.checker.up_to(&self.max_lag, &cx.field("max_lag"), 1_000_000, "messages")?;
        Ok(Arc::new(ConsumerLag { from_ms, within_ms, max_lag }))
    }
}

impl Check for ConsumerLag {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        let end_us = run.simulated_ms * 1_000;
        checks::consumer_lag(&run.events, end_us, self.from_ms * 1_000, self.within_ms * 1_000, self.max_lag)
    }
}

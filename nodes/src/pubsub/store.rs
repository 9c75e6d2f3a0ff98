//! The downstream store where consumers apply each message's effect (think: "send the email",
//! "credit the account"). An effect counts once its write is durable: the store records
//! `effect` then, and answers the consumer.
//!
//! With deduplication on, the store keeps the ids it has applied, durably and in the same write
//! as the effect (as a database would in one transaction), and a second `Apply` of an id does
//! nothing but answer: the idempotent consumer that turns at-least-once delivery into an effect
//! that happens exactly once. With it off, every delivery applies again.

use crate::durable::Durable;
use crate::records::pubsub::{EFFECT, EFFECT_DEDUPLICATED, ID, KEY};
use crate::{Body, Ctx, Input, Node, Out, Record, RequestId, Stored};
use proto::pubsub::{Applied, Apply};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    /// Remember applied ids and skip repeats.
    pub deduplicate: bool,
}

const SEEN_PREFIX: &str = "applied/";

/// An answer the store owes once its write is durable, with the effect to record then
/// (`None`: a deduplicated repeat of `duplicate_of`).
struct Held {
    id: RequestId,
    effect: Option<Apply>,
    duplicate_of: Option<String>,
}

pub struct Store {
    config: StoreConfig,
    /// Applied ids and the write generation that made (or will make) each durable.
    applied: BTreeMap<String, u64>,
    disk: Durable<Held>,
}

impl Store {
    pub fn new(config: StoreConfig) -> Self {
        Self { config, applied: BTreeMap::new(), disk: Durable::default() }
    }

    /// What a restarted store knows: every id whose effect reached its disk.
    fn recover(&mut self, disk: &Stored) {
        if self.config.deduplicate {
            for key in disk.keys() {
                if let Some(id) = key.strip_prefix(SEEN_PREFIX) {
                    self.applied.insert(id.to_owned(), 0);
                }
            }
        }
    }

    fn on_apply(&mut self, id: RequestId, apply: Apply, out: &mut Out) {
        if self.config.deduplicate {
            if let Some(&generation) = self.applied.get(&apply.id) {
                let held = Held { id, effect: None, duplicate_of: Some(apply.id) };
                if self.disk.is_durable(generation) {
                    Self::answer(held, out);
                } else {
                    self.disk.hold(generation, held);
                }
                return;
            }
        }
        let generation = self.disk.write(format!("{SEEN_PREFIX}{}", apply.id), apply.key.clone().into_bytes(), out);
        self.applied.insert(apply.id.clone(), generation);
        self.disk.hold(generation, Held { id, effect: Some(apply), duplicate_of: None });
    }

    /// Records an effect (or a skipped repeat) and answers the consumer: its write is durable.
    fn answer(held: Held, out: &mut Out) {
        if let Some(effect) = &held.effect {
            out.record(Record::info(EFFECT).with(ID, effect.id.as_str()).with(KEY, effect.key.as_str()));
        }
        if let Some(id) = &held.duplicate_of {
            out.record(Record::debug(EFFECT_DEDUPLICATED).with(ID, id.as_str()));
        }
        out.reply(held.id, Body::Applied(Applied { duplicate: held.effect.is_none() }));
    }
}

impl Node for Store {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { disk } => self.recover(&disk),
            Input::Request { id, body: Body::Apply(apply), .. } => self.on_apply(id, apply, out),
            Input::Synced { tag } => {
                for held in self.disk.on_synced(tag, out) {
                    Self::answer(held, out);
                }
            }
            Input::Request { .. } | Input::CallResult { .. } | Input::Timer { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;

    fn step(store: &mut Store, input: Input) -> Vec<Action> {
        let mut rng = stream_rng(1, "store");
        let mut out = Out::default();
        store.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, input, &mut out);
        out.take()
    }

    fn apply(store: &mut Store, request: RequestId, message: &str) -> Vec<Action> {
        let body = Body::Apply(Apply { id: message.into(), key: "k".into() });
        let mut actions = step(store, Input::Request { id: request, from: "consumer-1".into(), body });
        let synced: Vec<u64> =
            actions.iter().filter_map(|a| if let Action::Fsync { tag } = a { Some(*tag) } else { None }).collect();
        for tag in synced {
            actions.extend(step(store, Input::Synced { tag }));
        }
        actions
    }

    fn effects(actions: &[Action]) -> usize {
        actions.iter().filter(|a| matches!(a, Action::Record(r) if r.kind == EFFECT)).count()
    }

    #[test]
    fn a_deduplicating_store_applies_a_redelivered_message_once() {
        let mut store = Store::new(StoreConfig { deduplicate: true });
        step(&mut store, Input::fresh_start());
        assert_eq!(effects(&apply(&mut store, 1, "p:1")), 1);
        let again = apply(&mut store, 2, "p:1");
        assert_eq!(effects(&again), 0);
        assert!(again.contains(&Action::Reply { id: 2, body: Body::Applied(Applied { duplicate: true }) }));
    }

    #[test]
    fn without_deduplication_every_delivery_applies_again() {
        let mut store = Store::new(StoreConfig { deduplicate: false });
        step(&mut store, Input::fresh_start());
        assert_eq!(effects(&apply(&mut store, 1, "p:1")) + effects(&apply(&mut store, 2, "p:1")), 2);
    }

    #[test]
    fn the_answer_waits_for_the_disk() {
        let mut store = Store::new(StoreConfig { deduplicate: true });
        step(&mut store, Input::fresh_start());
        let body = Body::Apply(Apply { id: "p:1".into(), key: "k".into() });
        let actions = step(&mut store, Input::Request { id: 1, from: "c".into(), body });
        assert!(!actions.iter().any(|a| matches!(a, Action::Reply { .. })), "not durable yet");
    }

    #[test]
    fn a_restarted_store_still_knows_what_it_applied() {
        let mut disk = Stored::new();
        disk.insert(format!("{SEEN_PREFIX}p:1"), b"k".to_vec());
        let mut store = Store::new(StoreConfig { deduplicate: true });
        step(&mut store, Input::Start { disk });
        assert_eq!(effects(&apply(&mut store, 1, "p:1")), 0);
    }
}

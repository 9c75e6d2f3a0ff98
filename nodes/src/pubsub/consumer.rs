//! A consumer in the group: it joins, polls the partitions assigned to it every `poll_ms` (at
//! once while the broker says there is more), and processes what each poll brings one message
//! at a time, in order — processing takes `process_ms`, then the effect is applied to the store.
//! A poison message's processing always fails.
//!
//! When it acknowledges is the lesson:
//! - **after processing** (correct): commit a message's offset once the store has applied its
//!   effect; nack a message whose processing failed. A crash in between means the message is
//!   delivered again — at-least-once, which the store's deduplication makes an effect-once.
//! - **before processing** (a bug, "auto-commit"): commit the whole batch as it arrives, then
//!   process. A crash mid-batch loses what was committed but never processed, and a failure
//!   is dropped on the floor: nothing ever nacks it.
//!
//! A nack answered "redeliver" rewinds the partition to that message, and the rest of the batch
//! from that partition is dropped: processing past it would break the partition's order.
//!
//! Records: `received` when it takes a message from a poll's answer to process it (what the
//! application saw: the rest of a batch dropped by a rewind was never its), then `processed`
//! or `process-failed`.

use crate::records::pubsub::{ID, KEY, MESSAGES, OFFSET, PARTITION, POLLED, PROCESSED, PROCESS_FAILED, RECEIVED};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use proto::pubsub::{Applied, Apply, Commit, Delivery, Join, Joined, Nack, Nacked, Poll, Polled};
use std::collections::{BTreeMap, VecDeque};

/// When the consumer commits a message's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckMode {
    AfterProcess,
    BeforeProcess,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerConfig {
    pub broker: String,
    pub store: String,
    pub ack: AckMode,
    /// How long processing one message takes.
    pub process_ms: u64,
    /// The pause before the next poll, once a poll's messages are dealt with (or it brought
    /// none, or failed).
    pub poll_ms: u64,
    pub timeout_ms: u64,
}

const POLL_TIMER: u64 = 0;
const PROCESS_TIMER: u64 = 1;
const JOIN_TIMER: u64 = 2;
const APPLY_TIMER: u64 = 3;
const JOIN_TAG: u64 = 0;
const POLL_TAG: u64 = 1;
const APPLY_TAG: u64 = 2;
const NACK_TAG: u64 = 3;
const COMMIT_TAG: u64 = 4;

/// What the consumer is doing; a timer or answer that does not fit it is stale and ignored.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Joining,
    WaitingToJoin,
    Polling,
    WaitingToPoll,
    Processing(Delivery),
    Applying(Delivery),
    WaitingToApply(Delivery),
    Nacking(Delivery),
}

pub struct Consumer {
    config: ConsumerConfig,
    step: Step,
    generation: u64,
    /// The next offset to ask for, per assigned partition.
    positions: BTreeMap<u32, u64>,
    batch: VecDeque<Delivery>,
    /// The last poll left messages behind: poll again as soon as the batch is done.
    more: bool,
}

impl Consumer {
    pub fn new(config: ConsumerConfig) -> Self {
        Self {
            config,
            step: Step::WaitingToJoin,
            generation: 0,
            positions: BTreeMap::new(),
            batch: VecDeque::new(),
            more: false,
        }
    }

    fn join(&mut self, out: &mut Out) {
        self.step = Step::Joining;
        out.call(&self.config.broker, JOIN_TAG, Body::Join(Join {}), self.config.timeout_ms);
    }

    fn poll(&mut self, out: &mut Out) {
        self.step = Step::Polling;
        let positions = self
            .positions
            .iter()
            .map(|(&partition, &offset)| proto::pubsub::PartitionOffset { partition, offset })
            .collect();
        let poll = Poll { generation: self.generation, positions };
        out.call(&self.config.broker, POLL_TAG, Body::Poll(poll), self.config.timeout_ms);
    }

    fn wait(&mut self, step: Step, timer: u64, out: &mut Out) {
        self.step = step;
        out.set_timer(timer, self.config.poll_ms);
    }

    fn adopt(&mut self, assignment: Joined) {
        self.generation = assignment.generation;
        self.positions = assignment.partitions.into_iter().map(|p| (p.partition, p.offset)).collect();
        self.batch.clear();
    }

    fn commit(&self, partition: u32, offset: u64, out: &mut Out) {
        let commit = Commit { generation: self.generation, partition, offset };
        out.call(&self.config.broker, COMMIT_TAG, Body::Commit(commit), self.config.timeout_ms);
    }

    fn on_polled(&mut self, polled: Polled, out: &mut Out) {
        match polled.status.as_str() {
            "ok" if polled.deliveries.is_empty() => self.wait(Step::WaitingToPoll, POLL_TIMER, out),
            "ok" => {
                out.record(Record::debug(POLLED).with(MESSAGES, polled.deliveries.len() as u64));
                self.more = polled.more;
                let mut last_offsets = BTreeMap::new();
                for delivery in polled.deliveries.into_iter().filter(|d| d.message.is_some()) {
                    self.positions.insert(delivery.partition, delivery.offset + 1);
                    last_offsets.insert(delivery.partition, delivery.offset);
                    self.batch.push_back(delivery);
                }
                if self.config.ack == AckMode::BeforeProcess {
                    for (partition, offset) in last_offsets {
                        self.commit(partition, offset + 1, out);
                    }
                }
                self.process_next(out);
            }
            "rebalance" => {
                if let Some(assignment) = polled.assignment {
                    self.adopt(assignment);
                }
                self.poll(out);
            }
            _ => self.join(out),
        }
    }

    fn process_next(&mut self, out: &mut Out) {
        match self.batch.pop_front() {
            Some(delivery) => {
                let message = delivery.message.as_ref().expect("polls keep only deliveries with a message");
                out.record(
                    Record::debug(RECEIVED)
                        .with(ID, message.id.as_str())
                        .with(KEY, message.key.as_str())
                        .with(PARTITION, u64::from(delivery.partition))
                        .with(OFFSET, delivery.offset),
                );
                self.step = Step::Processing(delivery);
                out.set_timer(PROCESS_TIMER, self.config.process_ms);
            }
            None if self.more => self.poll(out),
            None => self.wait(Step::WaitingToPoll, POLL_TIMER, out),
        }
    }

    fn apply(&mut self, delivery: Delivery, out: &mut Out) {
        let message = delivery.message.clone().unwrap_or_default();
        out.call(
            &self.config.store,
            APPLY_TAG,
            Body::Apply(Apply { id: message.id, key: message.key }),
            self.config.timeout_ms,
        );
        self.step = Step::Applying(delivery);
    }

    fn on_processed(&mut self, delivery: Delivery, out: &mut Out) {
        let message = delivery.message.clone().unwrap_or_default();
        if !message.poison {
            self.apply(delivery, out);
            return;
        }
        out.record(Record::info(PROCESS_FAILED).with(ID, message.id.as_str()));
        match self.config.ack {
            AckMode::AfterProcess => {
                let nack = Nack { generation: self.generation, partition: delivery.partition, offset: delivery.offset };
                out.call(&self.config.broker, NACK_TAG, Body::Nack(nack), self.config.timeout_ms);
                self.step = Step::Nacking(delivery);
            }
            // Committed already: the failure goes nowhere.
            AckMode::BeforeProcess => self.process_next(out),
        }
    }

    fn on_applied(&mut self, delivery: Delivery, result: Result<Body, CallError>, out: &mut Out) {
        if !matches!(result, Ok(Body::Applied(Applied { .. }))) {
            // The store may or may not have applied it; asking again is safe only because a
            // deduplicating store makes it so.
            self.wait(Step::WaitingToApply(delivery), APPLY_TIMER, out);
            return;
        }
        let id = delivery.message.as_ref().map(|m| m.id.as_str()).unwrap_or_default();
        out.record(Record::info(PROCESSED).with(ID, id));
        if self.config.ack == AckMode::AfterProcess {
            self.commit(delivery.partition, delivery.offset + 1, out);
        }
        self.process_next(out);
    }

    fn on_nacked(&mut self, delivery: Delivery, result: Result<Body, CallError>, out: &mut Out) {
        match result {
            Ok(Body::Nacked(Nacked { status })) if status == "dead-lettered" || status == "skip" => {
                self.process_next(out)
            }
            Ok(Body::Nacked(Nacked { status })) if status == "stale" => {
                self.batch.clear();
                self.poll(out);
            }
            // Redeliver (or no answer): rewind to it, and drop the rest of its partition's batch.
            _ => {
                self.positions.insert(delivery.partition, delivery.offset);
                self.batch.retain(|d| d.partition != delivery.partition);
                self.process_next(out);
            }
        }
    }
}

impl Node for Consumer {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let step = self.step.clone();
        match (input, step) {
            (Input::Start { .. }, _) => self.join(out),
            (Input::Timer { tag: JOIN_TIMER }, Step::WaitingToJoin) => self.join(out),
            (Input::Timer { tag: POLL_TIMER }, Step::WaitingToPoll) => self.poll(out),
            (Input::Timer { tag: PROCESS_TIMER }, Step::Processing(delivery)) => self.on_processed(delivery, out),
            (Input::Timer { tag: APPLY_TIMER }, Step::WaitingToApply(delivery)) => self.apply(delivery, out),
            (Input::CallResult { tag: JOIN_TAG, result }, Step::Joining) => match result {
                Ok(Body::Joined(joined)) => {
                    self.adopt(joined);
                    self.poll(out);
                }
                _ => self.wait(Step::WaitingToJoin, JOIN_TIMER, out),
            },
            (Input::CallResult { tag: POLL_TAG, result }, Step::Polling) => match result {
                Ok(Body::Polled(polled)) => self.on_polled(polled, out),
                _ => self.wait(Step::WaitingToPoll, POLL_TIMER, out),
            },
            (Input::CallResult { tag: APPLY_TAG, result }, Step::Applying(delivery)) => {
                self.on_applied(delivery, result, out)
            }
            (Input::CallResult { tag: NACK_TAG, result }, Step::Nacking(delivery)) => {
                self.on_nacked(delivery, result, out)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::pubsub::{Message, PartitionOffset};

    fn consumer(ack: AckMode) -> Consumer {
        let config = ConsumerConfig {
            broker: "broker".into(),
            store: "store".into(),
            ack,
            process_ms: 10,
            poll_ms: 50,
            timeout_ms: 100,
        };
        let mut c = Consumer::new(config);
        step(&mut c, Input::fresh_start());
        let joined = Joined { generation: 1, partitions: vec![PartitionOffset { partition: 0, offset: 0 }] };
        step(&mut c, Input::CallResult { tag: JOIN_TAG, result: Ok(Body::Joined(joined)) });
        c
    }

    fn step(c: &mut Consumer, input: Input) -> Vec<Action> {
        let mut rng = stream_rng(1, "consumer");
        let mut out = Out::default();
        c.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, input, &mut out);
        out.take()
    }

    fn delivery(offset: u64, poison: bool) -> Delivery {
        let message = Message { id: format!("m{offset}"), key: "k".into(), poison };
        Delivery { partition: 0, offset, message: Some(message) }
    }

    fn polled(deliveries: Vec<Delivery>) -> Input {
        let polled = Polled { status: "ok".into(), deliveries, assignment: None, more: false };
        Input::CallResult { tag: POLL_TAG, result: Ok(Body::Polled(polled)) }
    }

    fn commits(actions: &[Action]) -> Vec<u64> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Call { body: Body::Commit(c), .. } => Some(c.offset),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn after_process_commits_only_once_the_store_applied_the_effect() {
        let mut c = consumer(AckMode::AfterProcess);
        assert!(commits(&step(&mut c, polled(vec![delivery(0, false)]))).is_empty());
        let applying = step(&mut c, Input::Timer { tag: PROCESS_TIMER });
        assert!(applying.iter().any(|a| matches!(a, Action::Call { body: Body::Apply(_), .. })));
        let done =
            step(&mut c, Input::CallResult { tag: APPLY_TAG, result: Ok(Body::Applied(Applied { duplicate: false })) });
        assert_eq!(commits(&done), vec![1]);
    }

    #[test]
    fn before_process_commits_the_whole_batch_on_arrival() {
        let mut c = consumer(AckMode::BeforeProcess);
        let actions = step(&mut c, polled(vec![delivery(0, false), delivery(1, false)]));
        assert_eq!(commits(&actions), vec![2]);
    }

    #[test]
    fn a_failed_message_is_nacked_and_a_redelivery_drops_the_rest_of_its_partition() {
        let mut c = consumer(AckMode::AfterProcess);
        step(&mut c, polled(vec![delivery(0, true), delivery(1, false)]));
        let failed = step(&mut c, Input::Timer { tag: PROCESS_TIMER });
        assert!(failed.iter().any(|a| matches!(a, Action::Call { body: Body::Nack(n), .. } if n.offset == 0)));
        let answer = Ok(Body::Nacked(Nacked { status: "redeliver".into() }));
        step(&mut c, Input::CallResult { tag: NACK_TAG, result: answer });
        assert!(c.batch.is_empty(), "m1 must wait until m0 is dealt with");
        let polls = step(&mut c, Input::Timer { tag: POLL_TIMER });
        let rewound =
            polls.iter().any(|a| matches!(a, Action::Call { body: Body::Poll(p), .. } if p.positions[0].offset == 0));
        assert!(rewound, "the next poll asks for m0 again: {polls:?}");
    }
}

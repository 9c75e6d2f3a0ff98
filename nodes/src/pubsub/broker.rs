//! The broker: one topic of P partitions, each an append-only log on disk; one consumer group
//! with membership, partition assignment and committed offsets; a dead-letter queue.
//!
//! - **Publish.** A message's partition is a hash of its key (or the next one round robin, the
//!   bug a variant shows). The broker appends it, fsyncs, and only then answers the producer
//!   and lets consumers see it. With idempotent publishing it remembers every id in its log and
//!   answers a retry without appending it twice.
//! - **The group.** A consumer joins; every join, and every member whose polls stop for longer
//!   than the session timeout, starts a new *generation* with the partitions dealt out again
//!   (partition p to the (p mod n)-th member). A poll or commit from an older generation is
//!   refused: a consumer that was cut off must not commit for a partition that is someone
//!   else's now.
//! - **Offsets.** A consumer commits "everything before offset o in partition p"; committed
//!   offsets are fsynced. A new owner starts at the committed offset, so whatever was
//!   delivered but not committed is delivered again: at-least-once.
//! - **Dead letters.** A consumer nacks a message it could not process; it is delivered again
//!   until it has failed `dead_letter_after` times, then moved to the dead letters and
//!   committed past. Without a dead-letter queue (a bug) it is delivered forever, and nothing
//!   behind it in its partition ever is.

use crate::durable::Durable;
use crate::records::pubsub::{
    APPENDED, ASSIGNMENT, DEAD_LETTERED, FAILURES, GENERATION, ID, OFFSET, PARTITION, REASON, REBALANCE,
};
use crate::{Body, Ctx, Input, Node, Out, Record, RequestId, Stored};
use prost::Message as _;
use proto::pubsub::{
    Commit, Committed, Delivery, Joined, Message, Nack, Nacked, PartitionOffset, Poll, Polled, Publish, Published,
};
use std::collections::BTreeMap;

/// How the broker picks a message's partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitioning {
    /// A hash of the key: one key, one partition, one order.
    ByKey,
    /// The next partition in turn, whatever the key (a bug: a key's messages race each other).
    RoundRobin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrokerConfig {
    pub partitions: u32,
    pub partitioning: Partitioning,
    /// Remember published ids and answer a retry without appending it again.
    pub idempotent_publish: bool,
    /// Failed deliveries after which a message goes to the dead letters; `None` never (a bug).
    pub dead_letter_after: Option<u32>,
    /// A member whose polls stop for this long leaves the group.
    pub session_timeout_ms: u64,
    /// At most this many messages per partition in one poll's answer.
    pub max_poll_messages: u32,
}

const SESSION_TIMER: u64 = 0;

fn log_key(partition: u32, offset: u64) -> String {
    // Zero-padded so that the disk's key order is the log's order.
    format!("log/{partition:04}/{offset:012}")
}

fn committed_key(partition: u32) -> String {
    format!("committed/{partition:04}")
}

/// FNV-1a: a fixed hash, so a key lands in the same partition on every run and platform.
pub fn partition_of(key: &str, partitions: u32) -> u32 {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % u64::from(partitions)) as u32
}

#[derive(Debug, Default)]
struct Partition {
    /// The log, each message with the write generation that makes it durable.
    log: Vec<(Message, u64)>,
    /// How many entries are durable (and so visible to consumers).
    durable_len: u64,
    committed: u64,
    /// Failed deliveries by offset.
    failures: BTreeMap<u64, u32>,
}

pub struct Broker {
    config: BrokerConfig,
    partitions: Vec<Partition>,
    /// Every id in the log and where it is (what an idempotent publish checks).
    ids: BTreeMap<String, (u32, u64)>,
    next_round_robin: u32,
    /// Members and when each last polled.
    members: BTreeMap<String, u64>,
    generation: u64,
    assignment: BTreeMap<String, Vec<u32>>,
    /// Replies owed once their writes are durable.
    disk: Durable<(RequestId, Body)>,
}

impl Broker {
    pub fn new(config: BrokerConfig) -> Self {
        assert!(config.partitions > 0 && config.max_poll_messages > 0);
        Self {
            partitions: (0..config.partitions).map(|_| Partition::default()).collect(),
            config,
            ids: BTreeMap::new(),
            next_round_robin: 0,
            members: BTreeMap::new(),
            generation: 0,
            assignment: BTreeMap::new(),
            disk: Durable::default(),
        }
    }

    /// What a restarted broker finds on its disk: the logs and committed offsets (all durable).
    /// Group membership lived in memory: every consumer must join again.
    fn recover(&mut self, disk: &Stored) {
        for (index, partition) in self.partitions.iter_mut().enumerate() {
            let p = index as u32;
            let prefix = format!("log/{p:04}/");
            for (_, bytes) in disk.range(prefix.clone()..).take_while(|(key, _)| key.starts_with(&prefix)) {
                // The disk only holds states the log passed through; anything undecodable ends it.
                let Ok(message) = Message::decode(bytes.as_slice()) else { break };
                self.ids.insert(message.id.clone(), (p, partition.log.len() as u64));
                partition.log.push((message, 0));
            }
            partition.durable_len = partition.log.len() as u64;
            partition.committed = disk
                .get(&committed_key(p))
                .and_then(|bytes| Some(u64::from_be_bytes(bytes.as_slice().try_into().ok()?)))
                .unwrap_or(0);
        }
    }

    fn reply_when_durable(&mut self, generation: u64, id: RequestId, body: Body, out: &mut Out) {
        if self.disk.is_durable(generation) {
            out.reply(id, body);
        } else {
            self.disk.hold(generation, (id, body));
        }
    }

    fn on_synced(&mut self, tag: u64, out: &mut Out) {
        for (id, body) in self.disk.on_synced(tag, out) {
            out.reply(id, body);
        }
        for partition in &mut self.partitions {
            while let Some((_, generation)) = partition.log.get(partition.durable_len as usize) {
                if !self.disk.is_durable(*generation) {
                    break;
                }
                partition.durable_len += 1;
            }
        }
    }

    fn on_publish(&mut self, id: RequestId, message: Message, out: &mut Out) {
        if self.config.idempotent_publish {
            if let Some(&(partition, offset)) = self.ids.get(&message.id) {
                let generation = self.partitions[partition as usize].log[offset as usize].1;
                self.reply_when_durable(
                    generation,
                    id,
                    Body::Published(Published { partition, offset, duplicate: true }),
                    out,
                );
                return;
            }
        }
        let partition = match self.config.partitioning {
            Partitioning::ByKey => partition_of(&message.key, self.config.partitions),
            Partitioning::RoundRobin => {
                self.next_round_robin = (self.next_round_robin + 1) % self.config.partitions;
                self.next_round_robin
            }
        };
        let offset = self.partitions[partition as usize].log.len() as u64;
        out.record(
            Record::debug(APPENDED)
                .with(ID, message.id.as_str())
                .with(PARTITION, u64::from(partition))
                .with(OFFSET, offset),
        );
        let generation = self.disk.write(log_key(partition, offset), message.encode_to_vec(), out);
        self.ids.insert(message.id.clone(), (partition, offset));
        self.partitions[partition as usize].log.push((message, generation));
        self.reply_when_durable(
            generation,
            id,
            Body::Published(Published { partition, offset, duplicate: false }),
            out,
        );
    }

    /// Deals the partitions out to the members in name order and starts a new generation.
    fn rebalance(&mut self, reason: String, out: &mut Out) {
        self.generation += 1;
        let members: Vec<&String> = self.members.keys().collect();
        self.assignment = members.iter().map(|m| ((*m).clone(), Vec::new())).collect();
        for p in 0..self.config.partitions {
            if let Some(member) = members.get(p as usize % members.len().max(1)) {
                self.assignment.get_mut(*member).expect("every member has an entry").push(p);
            }
        }
        let assignment: Vec<String> = self
            .assignment
            .iter()
            .map(|(m, ps)| format!("{m}={}", ps.iter().map(u32::to_string).collect::<Vec<_>>().join(",")))
            .collect();
        out.record(
            Record::info(REBALANCE)
                .with(GENERATION, self.generation)
                .with(REASON, reason)
                .with(ASSIGNMENT, assignment.join(" ")),
        );
    }

    fn assignment_of(&self, member: &str) -> Joined {
        let partitions = self.assignment.get(member).map(Vec::as_slice).unwrap_or(&[]);
        Joined {
            generation: self.generation,
            partitions: partitions
                .iter()
                .map(|&p| PartitionOffset { partition: p, offset: self.partitions[p as usize].committed })
                .collect(),
        }
    }

    fn on_join(&mut self, ctx: &Ctx<'_>, id: RequestId, from: String, out: &mut Out) {
        self.members.insert(from.clone(), ctx.now_ms);
        self.rebalance(format!("{from} joined"), out);
        out.reply(id, Body::Joined(self.assignment_of(&from)));
    }

    fn owns(&self, member: &str, generation: u64, partition: u32) -> bool {
        self.members.contains_key(member)
            && generation == self.generation
            && self.assignment.get(member).is_some_and(|ps| ps.contains(&partition))
    }

    fn on_poll(&mut self, ctx: &Ctx<'_>, id: RequestId, from: String, poll: Poll, out: &mut Out) {
        let status = |s: &str| Polled { status: s.to_owned(), deliveries: Vec::new(), assignment: None, more: false };
        let Some(last_seen) = self.members.get_mut(&from) else {
            out.reply(id, Body::Polled(status("not-member")));
            return;
        };
        *last_seen = ctx.now_ms;
        if poll.generation != self.generation {
            let assignment = Some(self.assignment_of(&from));
            out.reply(id, Body::Polled(Polled { assignment, ..status("rebalance") }));
            return;
        }
        let (mut deliveries, mut more) = (Vec::new(), false);
        for position in &poll.positions {
            if !self.owns(&from, poll.generation, position.partition) {
                continue;
            }
            let partition = &self.partitions[position.partition as usize];
            let start = position.offset.max(partition.committed);
            let end = partition.durable_len.min(start + u64::from(self.config.max_poll_messages));
            more |= end < partition.durable_len;
            deliveries.extend((start..end).map(|offset| Delivery {
                partition: position.partition,
                offset,
                message: Some(partition.log[offset as usize].0.clone()),
            }));
        }
        out.reply(id, Body::Polled(Polled { deliveries, more, ..status("ok") }));
    }

    fn on_commit(&mut self, id: RequestId, from: String, commit: Commit, out: &mut Out) {
        if !self.owns(&from, commit.generation, commit.partition) {
            out.reply(id, Body::Committed(Committed { status: "stale".into() }));
            return;
        }
        let generation = self.commit(commit.partition, commit.offset, out);
        self.reply_when_durable(generation, id, Body::Committed(Committed { status: "ok".into() }), out);
    }

    /// Moves partition `p`'s committed offset up to `offset` (never back), durably; returns
    /// the write generation the caller's answer must wait for.
    fn commit(&mut self, p: u32, offset: u64, out: &mut Out) -> u64 {
        let partition = &mut self.partitions[p as usize];
        let offset = offset.min(partition.durable_len);
        if offset <= partition.committed {
            return 0;
        }
        partition.committed = offset;
        partition.failures.retain(|o, _| *o >= offset);
        self.disk.write(committed_key(p), offset.to_be_bytes().to_vec(), out)
    }

    fn on_nack(&mut self, id: RequestId, from: String, nack: Nack, out: &mut Out) {
        let answer = |s: &str| Body::Nacked(Nacked { status: s.to_owned() });
        if !self.owns(&from, nack.generation, nack.partition) {
            out.reply(id, answer("stale"));
            return;
        }
        let partition = &mut self.partitions[nack.partition as usize];
        if nack.offset < partition.committed || nack.offset >= partition.durable_len {
            out.reply(id, answer("skip"));
            return;
        }
        let failures = partition.failures.entry(nack.offset).or_default();
        *failures += 1;
        let failures = *failures;
        if self.config.dead_letter_after.is_none_or(|limit| failures < limit) {
            out.reply(id, answer("redeliver"));
            return;
        }
        let message_id = partition.log[nack.offset as usize].0.id.clone();
        out.record(
            Record::warn(DEAD_LETTERED)
                .with(ID, message_id.as_str())
                .with(PARTITION, u64::from(nack.partition))
                .with(OFFSET, nack.offset)
                .with(FAILURES, u64::from(failures)),
        );
        self.disk.write(format!("dead/{message_id}"), Vec::new(), out);
        // Committing past it also commits what came before: the consumer processes a
        // partition in order, so it is done with those.
        let generation = self.commit(nack.partition, nack.offset + 1, out);
        self.reply_when_durable(generation, id, answer("dead-lettered"), out);
    }

    fn expire_sessions(&mut self, ctx: &Ctx<'_>, out: &mut Out) {
        let timeout = self.config.session_timeout_ms;
        let expired: Vec<String> =
            self.members.iter().filter(|(_, seen)| ctx.now_ms > **seen + timeout).map(|(m, _)| m.clone()).collect();
        if expired.is_empty() {
            return;
        }
        for member in &expired {
            self.members.remove(member);
        }
        self.rebalance(format!("session of {} expired", expired.join(", ")), out);
    }
}

impl Node for Broker {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { disk } => {
                self.recover(&disk);
                out.set_timer(SESSION_TIMER, (self.config.session_timeout_ms / 4).max(1));
            }
            Input::Timer { tag: SESSION_TIMER } => {
                self.expire_sessions(ctx, out);
                out.set_timer(SESSION_TIMER, (self.config.session_timeout_ms / 4).max(1));
            }
            Input::Synced { tag } => self.on_synced(tag, out),
            Input::Request { id, from, body } => match body {
                Body::Publish(Publish { message: Some(message) }) => self.on_publish(id, message, out),
                Body::Join(_) => self.on_join(ctx, id, from, out),
                Body::Poll(poll) => self.on_poll(ctx, id, from, poll, out),
                Body::Commit(commit) => self.on_commit(id, from, commit, out),
                Body::Nack(nack) => self.on_nack(id, from, nack, out),
                _ => {}
            },
            Input::Timer { .. } | Input::CallResult { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::pubsub::Join;

    struct Harness {
        broker: Broker,
        now_ms: u64,
        disk: Stored,
    }

    impl Harness {
        fn new(dead_letter_after: Option<u32>, partitioning: Partitioning) -> Self {
            let config = BrokerConfig {
                partitions: 4,
                partitioning,
                idempotent_publish: true,
                dead_letter_after,
                session_timeout_ms: 1_000,
                max_poll_messages: 100,
            };
            let mut h = Harness { broker: Broker::new(config), now_ms: 0, disk: Stored::new() };
            h.input(Input::fresh_start());
            h
        }

        /// Feeds an input and finishes every fsync it asks for (keeping what they made durable).
        fn input(&mut self, input: Input) -> Vec<Action> {
            let mut rng = stream_rng(1, "broker");
            let mut out = Out::default();
            self.broker.on_input(&mut Ctx { now_ms: self.now_ms, rng: &mut rng }, input, &mut out);
            let mut actions = out.take();
            let mut i = 0;
            while i < actions.len() {
                match actions[i].clone() {
                    Action::Write { key, value: Some(value) } => {
                        self.disk.insert(key, value);
                    }
                    Action::Fsync { tag } => {
                        self.broker.on_input(
                            &mut Ctx { now_ms: self.now_ms, rng: &mut rng },
                            Input::Synced { tag },
                            &mut out,
                        );
                        actions.extend(out.take());
                    }
                    _ => {}
                }
                i += 1;
            }
            actions
        }

        fn request(&mut self, from: &str, body: Body) -> Body {
            let actions = self.input(Input::Request { id: 7, from: from.into(), body });
            actions
                .into_iter()
                .find_map(|a| if let Action::Reply { id: 7, body } = a { Some(body) } else { None })
                .expect("the broker answers")
        }

        fn publish(&mut self, id: &str, key: &str) -> Published {
            let message = Message { id: id.into(), key: key.into(), poison: false };
            match self.request("producer", Body::Publish(Publish { message: Some(message) })) {
                Body::Published(p) => p,
                other => panic!("unexpected {other:?}"),
            }
        }

        fn join(&mut self, consumer: &str) -> Joined {
            match self.request(consumer, Body::Join(Join {})) {
                Body::Joined(j) => j,
                other => panic!("unexpected {other:?}"),
            }
        }

        fn poll(&mut self, consumer: &str, joined: &Joined) -> Polled {
            let poll = Poll { generation: joined.generation, positions: joined.partitions.clone() };
            match self.request(consumer, Body::Poll(poll)) {
                Body::Polled(p) => p,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn one_key_always_lands_in_one_partition_unless_spread_round_robin() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        let partitions: Vec<u32> = (0..4).map(|i| h.publish(&format!("m{i}"), "k").partition).collect();
        assert!(partitions.iter().all(|p| *p == partitions[0]));
        let mut h = Harness::new(Some(3), Partitioning::RoundRobin);
        let partitions: Vec<u32> = (0..4).map(|i| h.publish(&format!("m{i}"), "k").partition).collect();
        assert_eq!(partitions, vec![1, 2, 3, 0]);
    }

    #[test]
    fn an_idempotent_publish_retry_is_not_appended_twice() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        let first = h.publish("m1", "k");
        let retry = h.publish("m1", "k");
        assert!(retry.duplicate && (retry.partition, retry.offset) == (first.partition, first.offset));
    }

    #[test]
    fn a_new_member_starts_a_generation_and_the_old_one_is_refused() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        let first = h.join("c1");
        assert_eq!(first.partitions.len(), 4, "the only member gets every partition");
        let second = h.join("c2");
        assert_eq!(second.generation, first.generation + 1);
        assert_eq!(h.poll("c1", &first).status, "rebalance");
        let commit = Commit { generation: first.generation, partition: 0, offset: 1 };
        assert_eq!(h.request("c1", Body::Commit(commit)), Body::Committed(Committed { status: "stale".into() }));
    }

    #[test]
    fn a_silent_member_loses_its_partitions_after_the_session_timeout() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        h.join("c1");
        let c2 = h.join("c2");
        h.now_ms = 900;
        h.poll("c2", &c2);
        h.now_ms = 1_500;
        h.input(Input::Timer { tag: SESSION_TIMER });
        let c2_now = h.assignment_of_for_test("c2");
        assert_eq!(c2_now.partitions.len(), 4, "c1 expired; c2 owns everything");
    }

    #[test]
    fn uncommitted_messages_are_delivered_again_to_the_next_owner() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        let p = h.publish("m1", "k").partition;
        h.publish("m2", "k");
        let c1 = h.join("c1");
        assert_eq!(h.poll("c1", &c1).deliveries.len(), 2);
        let commit = Commit { generation: c1.generation, partition: p, offset: 1 };
        h.request("c1", Body::Commit(commit));
        let c2 = h.join("c2");
        let owner = if c2.partitions.iter().any(|po| po.partition == p) { "c2" } else { "c1" };
        let joined = h.assignment_of_for_test(owner);
        let redelivered: Vec<String> =
            h.poll(owner, &joined).deliveries.into_iter().map(|d| d.message.unwrap().id).collect();
        assert_eq!(redelivered, vec!["m2".to_owned()]);
    }

    #[test]
    fn a_message_that_keeps_failing_goes_to_the_dead_letters_and_without_them_blocks_forever() {
        for dead_letter_after in [Some(3), None] {
            let mut h = Harness::new(dead_letter_after, Partitioning::ByKey);
            let p = h.publish("poison", "k").partition;
            let c1 = h.join("c1");
            let nack = Nack { generation: c1.generation, partition: p, offset: 0 };
            let answers: Vec<Body> = (0..5).map(|_| h.request("c1", Body::Nack(nack))).collect();
            let dead =
                answers.iter().filter(|b| **b == Body::Nacked(Nacked { status: "dead-lettered".into() })).count();
            assert_eq!(dead, usize::from(dead_letter_after.is_some()), "{dead_letter_after:?}");
        }
    }

    #[test]
    fn a_restarted_broker_keeps_its_durable_log_and_offsets_but_forgets_the_group() {
        let mut h = Harness::new(Some(3), Partitioning::ByKey);
        let p = h.publish("m1", "k").partition;
        let c1 = h.join("c1");
        h.request("c1", Body::Commit(Commit { generation: c1.generation, partition: p, offset: 1 }));
        let disk = h.disk.clone();
        let mut restarted = Harness::new(Some(3), Partitioning::ByKey);
        restarted.input(Input::Start { disk });
        assert_eq!(restarted.poll("c1", &c1).status, "not-member");
        assert!(restarted.publish("m1", "k").duplicate, "the id survived in the log");
        let joined = restarted.join("c1");
        assert!(joined.partitions.contains(&PartitionOffset { partition: p, offset: 1 }));
    }

    impl Harness {
        fn assignment_of_for_test(&self, member: &str) -> Joined {
            self.broker.assignment_of(member)
        }
    }
}

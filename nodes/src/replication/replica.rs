//! A replica of a replicated key-value store: the primary orders every client operation in
//! its log and replicates it; followers copy the log; an operation is answered once it is
//! committed — by a majority, by every replica, or by the primary alone, as the mode says.
//!
//! The protocol is primary-backup with epochs (the controller's terms): an `Append` carries the
//! primary's epoch and the entry before the new ones, so a follower can refuse a deposed primary
//! (fencing) and detect a log that diverged (it answers where to look for a match, and the
//! primary walks back one epoch at a time). A new primary first copies the most up-to-date log
//! among the replicas that answered the controller, then appends a no-op in its own epoch:
//! entries of older epochs count as committed only once an entry of the new epoch is — the same
//! rule as Raft's, for the same reason (an old entry on a majority can still be overwritten by
//! a primary that never saw it).
//!
//! Reads go through the log too: a read answered by a primary that was deposed a moment ago
//! would be stale, and a committed log position proves it was not.

use super::log::Log;
use crate::records::replication::{BECAME, EPOCH, FAIL, NOT_PRIMARY, OK, OP, PRIMARY, ROLE, UNKNOWN, WRITE_ACKED};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use proto::replication::{
    Append, AppendReply, AuditReply, Entry, Fetch, Fetched, HealthReply, KvOp, KvReply, Position, Promoted,
};
use std::collections::BTreeMap;

/// When the primary answers a client: how many replicas must hold the entry first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitRule {
    /// A majority, the primary included (quorum replication).
    Majority,
    /// Every replica (synchronous replication).
    All,
    /// The primary alone; followers catch up in the background (asynchronous replication).
    PrimaryOnly,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaConfig {
    /// The other replicas.
    pub peers: Vec<String>,
    pub commit: CommitRule,
    /// Count an entry as held only once fsynced. `false` is a bug a variant shows: the page
    /// cache counts, and the disk is synced once a second in the background.
    pub fsync_before_ack: bool,
    /// Refuse appends from an older epoch. `false` is a bug a variant shows: a deposed primary
    /// keeps replicating, and followers keep taking its entries.
    pub fencing: bool,
    /// Followers answer reads from their own copy. `true` is a bug a variant shows: stale reads.
    pub follower_reads: bool,
    /// How often the primary sends its followers what they lack (or an empty append carrying
    /// the commit index).
    pub heartbeat_ms: u64,
    pub rpc_timeout_ms: u64,
}

const HEARTBEAT_TIMER: u64 = 0;
const BACKGROUND_FSYNC_TIMER: u64 = 1;
/// How often a replica that does not fsync before acknowledging syncs its disk anyway (like
/// `appendfsync everysec`).
const BACKGROUND_FSYNC_MS: u64 = 1_000;
/// Call tags: appends to peer `i` are `APPEND_TAG + i`.
const FETCH_TAG: u64 = 0;
const APPEND_TAG: u64 = 1;
/// Entries per append: a follower that is far behind catches up in several round trips.
const MAX_BATCH: usize = 64;

/// A reply the replica owes once the disk has made generation `generation` durable.
struct HeldReply {
    generation: u64,
    id: RequestId,
    body: Body,
}

struct Follower {
    /// The next entry to send it, and the last one known to match.
    next: u64,
    matched: u64,
    in_flight: bool,
}

struct PrimaryState {
    followers: Vec<Follower>,
    /// Client requests waiting for their entry to commit, by log index.
    waiting: BTreeMap<u64, RequestId>,
    /// The index of this epoch's no-op: until it commits, the committed prefix is not known.
    epoch_start: u64,
}

enum Role {
    Follower,
    /// Copying the source's log before taking over (the controller's promote request waits).
    Promoting {
        promote: RequestId,
        after: u64,
    },
    Primary(PrimaryState),
}

pub struct Replica {
    config: ReplicaConfig,
    log: Log,
    role: Role,
    commit: u64,
    applied: u64,
    kv: BTreeMap<String, String>,
    held: Vec<HeldReply>,
}

impl Replica {
    pub fn new(config: ReplicaConfig) -> Self {
        Self {
            config,
            log: Log::default(),
            role: Role::Follower,
            commit: 0,
            applied: 0,
            kv: BTreeMap::new(),
            held: Vec::new(),
        }
    }

    fn majority(&self) -> usize {
        let replicas = self.config.peers.len() + 1;
        replicas / 2 + 1
    }

    /// Replies once what the replica has written so far is durable — at once if it already is,
    /// or if this replica acknowledges from the page cache.
    fn reply_when_durable(&mut self, id: RequestId, body: Body, out: &mut Out) {
        let generation = self.log.written();
        if self.log.is_durable(generation) {
            out.reply(id, body);
        } else {
            self.held.push(HeldReply { generation, id, body });
            self.log.sync(out);
        }
    }

    fn on_synced(&mut self, generation: u64, out: &mut Out) {
        self.log.synced(generation);
        let (ready, waiting) =
            std::mem::take(&mut self.held).into_iter().partition(|h| self.log.is_durable(h.generation));
        self.held = waiting;
        for HeldReply { id, body, .. } in ready {
            out.reply(id, body);
        }
        if self.config.fsync_before_ack {
            // Group commit: what was written while that fsync ran goes in the next one.
            self.log.sync(out);
        }
        self.advance_commit(out);
    }

    /// A write the disk should make durable now, or in the background.
    fn persist(&mut self, out: &mut Out) {
        if self.config.fsync_before_ack {
            self.log.sync(out);
        }
    }

    fn adopt_epoch(&mut self, epoch: u64, out: &mut Out) {
        self.log.set_epoch(epoch, out);
        self.step_down(out);
    }

    fn step_down(&mut self, out: &mut Out) {
        match std::mem::replace(&mut self.role, Role::Follower) {
            Role::Follower => return,
            Role::Promoting { promote, .. } => out.reply(promote, Body::Promoted(Promoted { ok: false })),
            Role::Primary(primary) => {
                // Their entries are in the log and may still commit under the next primary.
                for id in primary.waiting.into_values() {
                    out.reply(id, kv_reply(UNKNOWN, None));
                }
            }
        }
        out.record(Record::info(ROLE).with(BECAME, "follower").with(EPOCH, self.log.epoch()));
    }

    fn on_kv(&mut self, id: RequestId, op: KvOp, out: &mut Out) {
        let Role::Primary(primary) = &mut self.role else {
            if self.config.follower_reads && op.kind == "read" {
                let value = self.kv.get(&op.key).cloned();
                out.reply(id, kv_reply(OK, value));
            } else {
                out.reply(id, kv_reply(NOT_PRIMARY, None));
            }
            return;
        };
        let index = self.log.last_index() + 1;
        primary.waiting.insert(index, id);
        self.log.append(Entry { index, epoch: self.log.epoch(), op: Some(op) }, out);
        self.persist(out);
        if self.config.commit == CommitRule::PrimaryOnly {
            // Followers get it with the next heartbeat; the client does not wait for them.
            self.advance_commit(out);
        } else {
            self.replicate_to_all(out);
        }
    }

    fn on_append(&mut self, id: RequestId, append: Append, out: &mut Out) {
        let epoch = self.log.epoch();
        let primary = matches!(self.role, Role::Primary(_));
        let refuse = match self.config.fencing {
            // A deposed primary is refused; a newer one deposes this replica if it is primary.
            true => append.epoch < epoch || (primary && append.epoch == epoch),
            // Without fencing, epochs mean nothing here: a primary stays one until the
            // controller's new epoch reaches it, and a follower takes any primary's entries.
            false => primary,
        };
        if refuse {
            out.reply(id, append_reply(epoch, false, 0, self.log.last_index()));
            return;
        }
        if append.epoch > epoch {
            self.adopt_epoch(append.epoch, out);
        }
        if append.prev_index > self.log.last_index() {
            out.reply(id, append_reply(self.log.epoch(), false, 0, self.log.last_index()));
            return;
        }
        if self.log.epoch_at(append.prev_index) != append.prev_epoch {
            let look_from = self.log.start_of_epoch_run(append.prev_index) - 1;
            out.reply(id, append_reply(self.log.epoch(), false, 0, look_from));
            return;
        }
        let matched = append.prev_index + append.entries.len() as u64;
        self.take_entries(append.entries, out);
        if append.commit > self.commit {
            self.commit = append.commit.min(matched);
            self.apply_committed(out);
        }
        let body = append_reply(self.log.epoch(), true, matched, self.log.last_index());
        if self.config.fsync_before_ack {
            self.reply_when_durable(id, body, out);
        } else {
            out.reply(id, body);
        }
    }

    /// Appends `entries` (which follow a matching entry), dropping any conflicting suffix.
    fn take_entries(&mut self, entries: Vec<Entry>, out: &mut Out) {
        for entry in entries {
            match self.log.entry(entry.index) {
                Some(have) if have.epoch == entry.epoch => continue,
                Some(_) => self.log.truncate_after(entry.index - 1, out),
                None => {}
            }
            self.log.append(entry, out);
        }
        self.persist(out);
    }

    fn on_new_epoch(&mut self, id: RequestId, epoch: u64, out: &mut Out) {
        if epoch <= self.log.epoch() {
            out.reply(id, Body::Position(Position { accepted: false, epoch: self.log.epoch(), ..Position::default() }));
            return;
        }
        self.adopt_epoch(epoch, out);
        let position =
            Position { accepted: true, epoch, last_index: self.log.last_index(), last_epoch: self.log.last_epoch() };
        // The promise not to follow an older primary must survive a crash: an epoch is always
        // fsynced before it is acknowledged, whatever the replica does with entries.
        self.held.push(HeldReply { generation: self.log.written(), id, body: Body::Position(position) });
        self.log.sync(out);
    }

    fn on_promote(&mut self, id: RequestId, epoch: u64, source: String, out: &mut Out) {
        if epoch != self.log.epoch() || !matches!(self.role, Role::Follower) {
            out.reply(id, Body::Promoted(Promoted { ok: false }));
            return;
        }
        if source.is_empty() {
            self.become_primary(out);
            out.reply(id, Body::Promoted(Promoted { ok: true }));
            return;
        }
        // Everything up to the commit index is in every later primary's log already; the rest
        // comes from the source, whose log holds every committed entry.
        let after = self.commit;
        self.role = Role::Promoting { promote: id, after };
        out.call(&source, FETCH_TAG, Body::Fetch(Fetch { epoch, after }), self.config.rpc_timeout_ms);
    }

    fn on_fetched(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let Role::Promoting { promote, after } = self.role else { return };
        match result {
            Ok(Body::Fetched(Fetched { ok: true, entries })) => {
                self.log.truncate_after(after, out);
                for entry in entries {
                    if entry.index != self.log.last_index() + 1 {
                        break;
                    }
                    self.log.append(entry, out);
                }
                self.persist(out);
                self.become_primary(out);
                out.reply(promote, Body::Promoted(Promoted { ok: true }));
            }
            _ => {
                self.role = Role::Follower;
                out.reply(promote, Body::Promoted(Promoted { ok: false }));
            }
        }
    }

    fn on_fetch(&mut self, id: RequestId, fetch: Fetch, out: &mut Out) {
        let ok = fetch.epoch == self.log.epoch();
        let entries = if ok { self.log.entries_after(fetch.after, usize::MAX) } else { Vec::new() };
        out.reply(id, Body::Fetched(Fetched { ok, entries }));
    }

    fn become_primary(&mut self, out: &mut Out) {
        let next = self.log.last_index() + 1;
        let followers = self.config.peers.iter().map(|_| Follower { next, matched: 0, in_flight: false }).collect();
        self.role = Role::Primary(PrimaryState { followers, waiting: BTreeMap::new(), epoch_start: next });
        out.record(Record::info(ROLE).with(BECAME, PRIMARY).with(EPOCH, self.log.epoch()));
        self.log.append(Entry { index: next, epoch: self.log.epoch(), op: None }, out);
        self.persist(out);
        self.replicate_to_all(out);
    }

    fn replicate_to_all(&mut self, out: &mut Out) {
        for peer in 0..self.config.peers.len() {
            self.replicate_to(peer, out);
        }
    }

    fn replicate_to(&mut self, peer: usize, out: &mut Out) {
        let Role::Primary(primary) = &mut self.role else { return };
        let follower = &mut primary.followers[peer];
        if follower.in_flight {
            return;
        }
        follower.in_flight = true;
        let prev_index = follower.next - 1;
        let append = Append {
            epoch: self.log.epoch(),
            prev_index,
            prev_epoch: self.log.epoch_at(prev_index),
            entries: self.log.entries_after(prev_index, MAX_BATCH),
            commit: self.commit,
        };
        out.call(&self.config.peers[peer], APPEND_TAG + peer as u64, Body::Append(append), self.config.rpc_timeout_ms);
    }

    fn on_append_result(&mut self, peer: usize, result: Result<Body, CallError>, out: &mut Out) {
        let fencing = self.config.fencing;
        let last_index = self.log.last_index();
        let Role::Primary(primary) = &mut self.role else { return };
        let Some(follower) = primary.followers.get_mut(peer) else { return };
        follower.in_flight = false;
        let Ok(Body::AppendReply(reply)) = result else { return };
        if reply.epoch > self.log.epoch() && fencing {
            // Deposed: a follower has promised a newer primary.
            self.adopt_epoch(reply.epoch, out);
            return;
        }
        if reply.ok {
            follower.matched = follower.matched.max(reply.match_index);
            follower.next = follower.matched + 1;
        } else {
            follower.next = (reply.last_index + 1).min(follower.next.saturating_sub(1)).max(1);
        }
        let behind = follower.next <= last_index;
        self.advance_commit(out);
        if behind && self.config.commit != CommitRule::PrimaryOnly {
            self.replicate_to(peer, out);
        }
    }

    /// Moves the commit index to the highest entry of this epoch that enough replicas hold.
    fn advance_commit(&mut self, out: &mut Out) {
        let own = if self.config.fsync_before_ack { self.log.durable_index() } else { self.log.last_index() };
        let needed = match self.config.commit {
            CommitRule::Majority => self.majority(),
            CommitRule::All => self.config.peers.len() + 1,
            CommitRule::PrimaryOnly => 1,
        };
        let Role::Primary(primary) = &self.role else { return };
        let mut held: Vec<u64> = primary.followers.iter().map(|f| f.matched).chain([own]).collect();
        held.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = held[needed - 1];
        if candidate > self.commit && self.log.epoch_at(candidate) == self.log.epoch() {
            self.commit = candidate;
            self.apply_committed(out);
        }
    }

    /// Applies committed entries to the key-value state, answering the clients that wait.
    fn apply_committed(&mut self, out: &mut Out) {
        while self.applied < self.commit {
            self.applied += 1;
            let Some(entry) = self.log.entry(self.applied).cloned() else { break };
            let Some(op) = entry.op else { continue };
            let (outcome, value) = apply(&mut self.kv, &op);
            let Role::Primary(primary) = &mut self.role else { continue };
            let Some(id) = primary.waiting.remove(&entry.index) else { continue };
            if outcome == OK && op.kind != "read" {
                out.record(
                    Record::debug(WRITE_ACKED)
                        .with(OP, op.op_id.as_str())
                        .with(EPOCH, entry.epoch)
                        .with("index", entry.index),
                );
            }
            out.reply(id, kv_reply(outcome, value));
        }
    }

    fn on_audit(&mut self, id: RequestId, out: &mut Out) {
        let ready = matches!(&self.role, Role::Primary(p) if self.commit >= p.epoch_start);
        let op_ids = if ready {
            (1..=self.commit)
                .filter_map(|i| self.log.entry(i)?.op.as_ref())
                .filter(|op| op.kind != "read")
                .map(|op| op.op_id.clone())
                .collect()
        } else {
            Vec::new()
        };
        out.reply(id, Body::AuditReply(AuditReply { ok: ready, op_ids }));
    }

    fn on_start(&mut self, disk: &crate::Stored, out: &mut Out) {
        self.log = Log::recover(disk);
        // A restarted replica never resumes as primary on its own: it may have lost entries
        // it had acknowledged in its page cache, and another may have been promoted meanwhile.
        out.record(Record::info(ROLE).with(BECAME, "follower").with(EPOCH, self.log.epoch()));
        out.set_timer(HEARTBEAT_TIMER, self.config.heartbeat_ms);
        if !self.config.fsync_before_ack {
            out.set_timer(BACKGROUND_FSYNC_TIMER, BACKGROUND_FSYNC_MS);
        }
    }
}

/// Applies one operation to the key-value state: its outcome and, for a read, the value.
fn apply(kv: &mut BTreeMap<String, String>, op: &KvOp) -> (&'static str, Option<String>) {
    match op.kind.as_str() {
        "read" => (OK, kv.get(&op.key).cloned()),
        "write" => {
            kv.insert(op.key.clone(), op.value.clone());
            (OK, None)
        }
        "cas" if kv.get(&op.key) == op.expect.as_ref() => {
            kv.insert(op.key.clone(), op.value.clone());
            (OK, None)
        }
        _ => (FAIL, None),
    }
}

fn kv_reply(outcome: &str, value: Option<String>) -> Body {
    Body::KvReply(KvReply { outcome: outcome.to_owned(), value })
}

fn append_reply(epoch: u64, ok: bool, match_index: u64, last_index: u64) -> Body {
    Body::AppendReply(AppendReply { epoch, ok, match_index, last_index })
}

impl Node for Replica {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { disk } => self.on_start(&disk, out),
            Input::Request { id, body, .. } => match body {
                Body::KvRequest(request) => match request.op {
                    Some(op) => self.on_kv(id, op, out),
                    None => out.reply(id, kv_reply(FAIL, None)),
                },
                Body::Append(append) => self.on_append(id, append, out),
                Body::Health(_) => {
                    let primary = matches!(self.role, Role::Primary(_));
                    out.reply(id, Body::HealthReply(HealthReply { primary, epoch: self.log.epoch() }));
                }
                Body::NewEpoch(new_epoch) => self.on_new_epoch(id, new_epoch.epoch, out),
                Body::Promote(promote) => self.on_promote(id, promote.epoch, promote.source, out),
                Body::Fetch(fetch) => self.on_fetch(id, fetch, out),
                Body::Audit(_) => self.on_audit(id, out),
                other => out.record(Record::warn("unexpected-message").with("body", other.name())),
            },
            Input::CallResult { tag: FETCH_TAG, result } => self.on_fetched(result, out),
            Input::CallResult { tag, result } => self.on_append_result((tag - APPEND_TAG) as usize, result, out),
            Input::Timer { tag: HEARTBEAT_TIMER } => {
                self.replicate_to_all(out);
                out.set_timer(HEARTBEAT_TIMER, self.config.heartbeat_ms);
            }
            Input::Timer { tag: BACKGROUND_FSYNC_TIMER } => {
                self.log.sync(out);
                out.set_timer(BACKGROUND_FSYNC_TIMER, BACKGROUND_FSYNC_MS);
            }
            Input::Timer { .. } | Input::Datagram { .. } => {}
            Input::Synced { tag } => self.on_synced(tag, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Stored};
    use fundamentals::sim::{stream_rng, SimRng};
    use proto::replication::{KvRequest, NewEpoch, Promote};

    struct Harness {
        replica: Replica,
        rng: SimRng,
        out: Out,
    }

    impl Harness {
        fn new(fencing: bool) -> Self {
            let config = ReplicaConfig {
                peers: vec!["b".into(), "c".into()],
                commit: CommitRule::Majority,
                fsync_before_ack: true,
                fencing,
                follower_reads: false,
                heartbeat_ms: 50,
                rpc_timeout_ms: 200,
            };
            let mut h = Harness { replica: Replica::new(config), rng: stream_rng(1, "replica"), out: Out::default() };
            h.input(Input::Start { disk: Stored::new() });
            h
        }

        fn input(&mut self, input: Input) -> Vec<Action> {
            self.replica.on_input(&mut Ctx { now_ms: 0, rng: &mut self.rng }, input, &mut self.out);
            self.out.take()
        }

        fn request(&mut self, id: RequestId, body: Body) -> Vec<Action> {
            self.input(Input::Request { id, from: "x".into(), body })
        }

        /// Finishes every fsync the actions asked for, and every one that asks for in turn.
        fn sync(&mut self, actions: &[Action]) -> Vec<Action> {
            let mut done = Vec::new();
            let mut pending: Vec<u64> =
                actions.iter().filter_map(|a| if let Action::Fsync { tag } = a { Some(*tag) } else { None }).collect();
            while let Some(tag) = pending.pop() {
                let actions = self.input(Input::Synced { tag });
                pending.extend(actions.iter().filter_map(|a| {
                    if let Action::Fsync { tag } = a {
                        Some(*tag)
                    } else {
                        None
                    }
                }));
                done.extend(actions);
            }
            done
        }

        /// Makes the replica primary of epoch 1.
        fn promote(&mut self) {
            let actions = self.request(1, Body::NewEpoch(NewEpoch { epoch: 1 }));
            self.sync(&actions);
            let actions = self.request(2, Body::Promote(Promote { epoch: 1, source: String::new() }));
            self.sync(&actions);
        }
    }

    fn replies(actions: &[Action]) -> Vec<(RequestId, &Body)> {
        actions
            .iter()
            .filter_map(|a| if let Action::Reply { id, body } = a { Some((*id, body)) } else { None })
            .collect()
    }

    fn write(key: &str) -> Body {
        let op = KvOp { op_id: "c:1".into(), kind: "write".into(), key: key.into(), value: "c:1".into(), expect: None };
        Body::KvRequest(KvRequest { op: Some(op) })
    }

    fn append(epoch: u64, prev_index: u64, entries: Vec<Entry>) -> Body {
        Body::Append(Append {
            epoch,
            prev_index,
            prev_epoch: if prev_index == 0 { 0 } else { epoch },
            entries,
            commit: 0,
        })
    }

    #[test]
    fn a_write_is_answered_once_a_majority_has_fsynced_it() {
        let mut h = Harness::new(true);
        h.promote();
        let sent = h.request(10, write("k"));
        assert!(replies(&sent).is_empty(), "nothing is committed yet");
        let synced = h.sync(&sent);
        assert!(replies(&synced).is_empty(), "the primary alone is not a majority");
        let acked = Body::AppendReply(AppendReply { epoch: 1, ok: true, match_index: 2, last_index: 2 });
        let answered = h.input(Input::CallResult { tag: APPEND_TAG, result: Ok(acked) });
        assert_eq!(replies(&answered), vec![(10, &kv_reply(OK, None))]);
    }

    #[test]
    fn a_follower_holds_its_append_ack_until_the_entries_are_durable() {
        let mut h = Harness::new(true);
        let entry = Entry { index: 1, epoch: 1, op: None };
        let actions = h.request(5, append(1, 0, vec![entry]));
        assert!(replies(&actions).is_empty());
        let synced = h.sync(&actions);
        assert!(matches!(replies(&synced)[..], [(5, Body::AppendReply(AppendReply { ok: true, match_index: 1, .. }))]));
    }

    #[test]
    fn fencing_refuses_a_deposed_primary_and_no_fencing_does_not() {
        for fencing in [true, false] {
            let mut h = Harness::new(fencing);
            let actions = h.request(1, Body::NewEpoch(NewEpoch { epoch: 2 }));
            h.sync(&actions);
            let actions = h.request(2, append(1, 0, vec![Entry { index: 1, epoch: 1, op: None }]));
            let actions = [actions.clone(), h.sync(&actions)].concat();
            let accepted = matches!(replies(&actions)[..], [(2, Body::AppendReply(AppendReply { ok: true, .. }))]);
            assert_eq!(accepted, !fencing, "fencing = {fencing}");
        }
    }

    #[test]
    fn a_primary_that_steps_down_tells_waiting_clients_the_outcome_is_unknown() {
        let mut h = Harness::new(true);
        h.promote();
        h.request(10, write("k"));
        let actions = h.request(11, Body::NewEpoch(NewEpoch { epoch: 2 }));
        assert!(replies(&actions).contains(&(10, &kv_reply(UNKNOWN, None))));
    }

    #[test]
    fn a_restarted_replica_comes_back_as_a_follower_with_its_durable_log() {
        let mut h = Harness::new(true);
        let actions = h.request(5, append(1, 0, vec![Entry { index: 1, epoch: 1, op: None }]));
        let mut disk = Stored::new();
        for action in actions {
            if let Action::Write { key, value: Some(value) } = action {
                disk.insert(key, value);
            }
        }
        let mut restarted = Harness::new(true);
        restarted.input(Input::Start { disk });
        assert_eq!((restarted.replica.log.last_index(), restarted.replica.log.last_epoch()), (1, 1));
        let actions = restarted.request(6, write("k"));
        assert_eq!(replies(&actions), vec![(6, &kv_reply(NOT_PRIMARY, None))]);
    }
}

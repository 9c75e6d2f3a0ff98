//! # Two-phase locking (2PL) and deadlock detection
//!
//! ## Why interviewers ask this
//! Before MVCC, every database was a lock manager, and most still are for writes: InnoDB's row
//! locks, SQL Server's default mode, `SELECT … FOR UPDATE` everywhere. "Why is two-phase locking
//! serializable?", "what is a deadlock and how does the database get out of one?", "what is the
//! difference between 2PL and strict 2PL?" test whether a candidate can reason about lock
//! protocols instead of sprinkling mutexes.
//!
//! ## How it works
//! **Locks.** A transaction takes a **shared** (S) lock to read a key and an **exclusive** (X)
//! lock to write it. S is compatible with S; X is compatible with nothing. A holder of the
//! only S lock may upgrade it to X.
//!
//! **Two phases.** A transaction first only acquires locks (the *growing* phase); from its
//! first release on it may only release (the *shrinking* phase). Any history obeying that is
//! conflict-serializable: order the transactions by their *lock point* (the moment they held
//! every lock they would ever take); every conflicting pair of operations follows that order.
//! **Strict 2PL** holds every lock until commit or abort, so nobody reads uncommitted data and
//! an abort never cascades — what real databases do.
//!
//! **Deadlock.** T1 holds a and waits for b while T2 holds b and waits for a. The lock manager
//! keeps a **wait-for graph** (an edge T → U when T waits for a lock U holds) and looks for a
//! cycle every time a transaction blocks (InnoDB does this on each wait; Postgres after
//! `deadlock_timeout`). A cycle means nobody in it can ever proceed: abort a **victim** (here
//! the youngest, the highest id, as it has likely done the least work), undo its writes,
//! release its locks, and let the client retry it.
//!
//! The [`Scheduler`] runs transaction scripts ([`Op`]) in an order the caller gives
//! ([`Scheduler::run`]) or a seeded random one ([`Scheduler::run_seeded`]) and records every
//! grant, wait, deadlock, commit and abort as an [`Event`], so each test reads as a story. The
//! property test runs random scripts in random interleavings and checks, from the recorded
//! history alone, that the committed transactions are conflict-serializable (their precedence
//! graph has no cycle) and that every transaction ends.
//!
//! ## Common pitfalls
//! - Releasing read locks early (right after the read, as read committed does) and calling it
//!   2PL: it is no longer two-phase, and lost updates come back.
//! - Lock upgrades: two readers of the same row both asking for X is the most common deadlock
//!   in practice (`upgrade_deadlock_...` below). `SELECT … FOR UPDATE` takes X up front.
//! - Locking rows only: a range query is not protected against inserts (phantoms) unless the
//!   *range* is locked too (predicate, next-key or gap locks).
//! - Treating a deadlock error as fatal: it is a normal outcome under 2PL; retry the
//!   transaction. Acquiring locks in a global order (by primary key) avoids most of them.
//!
//! ## Key takeaways
//! - 2PL = no lock acquired after any lock released; strict 2PL = release at commit.
//! - Serializable because every conflict is ordered by the transactions' lock points.
//! - Deadlocks are inherent; detect them with a wait-for graph and abort a victim.
//! - The price versus MVCC: readers block writers and writers block readers.
//!
//! ## Break it
//! `fundamentals/breaks/storage_two_phase_locking.patch` turns deadlock detection off (the
//! cycle search never finds one). `scripts/break-it.sh storage_two_phase_locking` shows
//! `crossed_writes_deadlock_and_the_youngest_is_aborted` failing: the scheduler stalls with
//! both transactions waiting forever, which it reports as [`RunError::Stalled`]. The upgrade
//! deadlock test and the property test fail the same way.
//!
//! ## Interview questions
//! - *Why does 2PL guarantee serializability?* Take each transaction's lock point. If T1's
//!   operation conflicts with a later one of T2, T2 could lock that item only after T1
//!   released it, so T1's lock point comes first. All edges of the precedence graph go forward
//!   in lock-point order, so it has no cycle.
//! - *What is the difference between 2PL and strict 2PL?* 2PL may release before commit, so
//!   another transaction can read a value that is later rolled back (cascading aborts). Strict
//!   2PL keeps the (write) locks until the end, which also makes recovery simple.
//! - *How does a database detect a deadlock, and whom does it abort?* It builds the wait-for
//!   graph and searches for a cycle, on each wait or after a timeout; it aborts one member —
//!   the youngest, or the one with the least undo work — and returns a deadlock error.
//! - *How do you avoid deadlocks in application code?* Touch rows in one order (sort the ids),
//!   take the strongest lock first (`FOR UPDATE` rather than read then upgrade), keep
//!   transactions short, and retry on deadlock errors.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::sim::stream_rng;
use rand::Rng;

/// Transactions are numbered from 1 in script order; a higher id is younger.
pub type TxnId = usize;

/// Lock modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Shared,
    Exclusive,
}

/// One step of a transaction script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Take S on the key and read it.
    Read(String),
    /// Take X on the key and write the value.
    Write(String, i64),
    /// Take X and write one more than this transaction last read of the key (read-modify-write).
    Increment(String),
    /// Release one lock early: from here on the transaction is shrinking.
    Unlock(String),
    /// Release everything (strict 2PL) and make the writes permanent.
    Commit,
}

/// What happened at one step of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The operation got its lock and ran; reads carry the value seen.
    Ran {
        txn: TxnId,
        op: Op,
        read: Option<i64>,
    },
    /// The operation must wait for these lock holders.
    Waits {
        txn: TxnId,
        for_txns: Vec<TxnId>,
    },
    /// A cycle in the wait-for graph, and the transaction aborted to break it.
    Deadlock {
        cycle: Vec<TxnId>,
        victim: TxnId,
    },
    /// A lock requested after a release: the transaction broke the two-phase rule.
    PhaseViolation {
        txn: TxnId,
        key: String,
    },
    Committed(TxnId),
    Aborted(TxnId),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Ran { txn, op, read: Some(v) } => write!(f, "T{txn} {op:?} = {v}"),
            Event::Ran { txn, op, read: None } => write!(f, "T{txn} {op:?}"),
            Event::Waits { txn, for_txns } => write!(f, "T{txn} waits for {for_txns:?}"),
            Event::Deadlock { cycle, victim } => write!(f, "deadlock {cycle:?}: abort T{victim}"),
            Event::PhaseViolation { txn, key } => write!(f, "T{txn} locks {key} after releasing: not 2PL"),
            Event::Committed(txn) => write!(f, "T{txn} commits"),
            Event::Aborted(txn) => write!(f, "T{txn} aborts"),
        }
    }
}

/// Why a run could not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// Transactions wait, nobody can run, and no deadlock was found: a lock-manager bug.
    Stalled { waiting: Vec<TxnId> },
    /// The step budget ran out (a bound, so a bug cannot hang a test).
    OutOfSteps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Growing,
    Shrinking,
    Committed,
    Aborted,
}

#[derive(Debug)]
struct TxnState {
    script: Vec<Op>,
    next: usize,
    status: Status,
    locks: BTreeMap<String, Mode>,
    last_read: BTreeMap<String, i64>,
    /// `(key, value before this transaction's first write)`, to undo an abort.
    undo: Vec<(String, Option<i64>)>,
}

/// Runs transaction scripts under strict two-phase locking with deadlock detection.
#[derive(Debug)]
pub struct Scheduler {
    txns: Vec<TxnState>,
    /// `holders[key][txn]`: the lock mode each transaction holds on the key.
    holders: BTreeMap<String, BTreeMap<TxnId, Mode>>,
    data: BTreeMap<String, i64>,
    /// Transactions whose last attempt had to wait: the nodes of the wait-for graph with edges.
    waiting: BTreeSet<TxnId>,
    events: Vec<Event>,
}

/// A bound on the steps of any run.
pub const MAX_STEPS: usize = 100_000;

impl Scheduler {
    /// Transaction `i + 1` runs `scripts[i]`, over the initial `data`.
    pub fn new(data: &[(&str, i64)], scripts: Vec<Vec<Op>>) -> Self {
        let txns = scripts
            .into_iter()
            .map(|script| TxnState {
                script,
                next: 0,
                status: Status::Growing,
                locks: BTreeMap::new(),
                last_read: BTreeMap::new(),
                undo: Vec::new(),
            })
            .collect();
        let data = data.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
        Self { txns, holders: BTreeMap::new(), data, waiting: BTreeSet::new(), events: Vec::new() }
    }

    /// Steps the transactions in `order` (ids; finished ones are skipped), then round-robin
    /// until all finish.
    pub fn run(&mut self, order: &[TxnId]) -> Result<(), RunError> {
        for &txn in order {
            if !self.finished(txn) {
                self.step(txn)?;
            }
        }
        self.finish_round_robin()
    }

    /// Steps a seeded random choice among the transactions that can run, until all finish.
    pub fn run_seeded(&mut self, seed: u64) -> Result<(), RunError> {
        let mut rng = stream_rng(seed, "two-phase-locking");
        for _ in 0..MAX_STEPS {
            let unfinished: Vec<TxnId> = (1..=self.txns.len()).filter(|&t| !self.finished(t)).collect();
            if unfinished.is_empty() {
                return Ok(());
            }
            let runnable: Vec<TxnId> = unfinished.iter().copied().filter(|&t| self.blockers(t).is_empty()).collect();
            // Nobody can run: step one that has not noticed yet, so its wait is recorded and
            // the deadlock it closes is found.
            let not_yet_waiting = unfinished.iter().copied().find(|t| !self.waiting.contains(t));
            let txn = match runnable.len() {
                0 => not_yet_waiting.unwrap_or(unfinished[0]),
                n => runnable[rng.random_range(0..n)],
            };
            self.step(txn)?;
        }
        Err(RunError::OutOfSteps)
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn value(&self, key: &str) -> Option<i64> {
        self.data.get(key).copied()
    }

    pub fn committed(&self, txn: TxnId) -> bool {
        self.txns[txn - 1].status == Status::Committed
    }

    fn finish_round_robin(&mut self) -> Result<(), RunError> {
        for _ in 0..MAX_STEPS {
            let unfinished: Vec<TxnId> = (1..=self.txns.len()).filter(|&t| !self.finished(t)).collect();
            if unfinished.is_empty() {
                return Ok(());
            }
            for txn in unfinished {
                if !self.finished(txn) {
                    self.step(txn)?;
                }
            }
        }
        Err(RunError::OutOfSteps)
    }

    /// Tries `txn`'s next operation: runs it, or records that it waits (and looks for a
    /// deadlock). Fails only when every unfinished transaction waits and no cycle explains it.
    fn step(&mut self, txn: TxnId) -> Result<(), RunError> {
        let blockers = self.blockers(txn);
        if blockers.is_empty() {
            self.waiting.remove(&txn);
            self.execute(txn);
            return Ok(());
        }
        self.waiting.insert(txn);
        self.events.push(Event::Waits { txn, for_txns: blockers });
        if let Some(cycle) = self.find_cycle(txn) {
            let victim = *cycle.iter().max().expect("a cycle has members");
            self.events.push(Event::Deadlock { cycle, victim });
            self.abort(victim);
            return Ok(());
        }
        let unfinished: Vec<TxnId> = (1..=self.txns.len()).filter(|&t| !self.finished(t)).collect();
        if unfinished.iter().all(|&t| self.waiting.contains(&t) && !self.blockers(t).is_empty()) {
            return Err(RunError::Stalled { waiting: unfinished });
        }
        Ok(())
    }

    /// The transactions whose locks stop `txn`'s next operation right now.
    fn blockers(&self, txn: TxnId) -> Vec<TxnId> {
        let state = &self.txns[txn - 1];
        let Some((key, wanted)) = state.script.get(state.next).and_then(lock_needed) else { return Vec::new() };
        if state.status == Status::Shrinking && state.locks.get(key).is_none_or(|&held| held < wanted) {
            return Vec::new(); // Refused, not blocked: `execute` reports the violation.
        }
        self.holders
            .get(key)
            .into_iter()
            .flatten()
            .filter(|&(&holder, &held)| holder != txn && (wanted == Mode::Exclusive || held == Mode::Exclusive))
            .map(|(&holder, _)| holder)
            .collect()
    }

    /// A cycle of the wait-for graph through `start`, in wait order, if there is one.
    fn find_cycle(&self, start: TxnId) -> Option<Vec<TxnId>> {
        // Depth-first search along "waits for" edges, computed from the lock table now.
        let mut path = vec![start];
        let mut visited = BTreeSet::from([start]);
        self.extend_to(start, &mut path, &mut visited)
    }

    fn extend_to(&self, start: TxnId, path: &mut Vec<TxnId>, visited: &mut BTreeSet<TxnId>) -> Option<Vec<TxnId>> {
        let last = *path.last().expect("path starts non-empty");
        for next in self.wait_edges(last) {
            if next == start {
                return Some(path.clone());
            }
            if visited.insert(next) {
                path.push(next);
                if let Some(cycle) = self.extend_to(start, path, visited) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        None
    }

    /// Edges of the wait-for graph out of `txn`: only a transaction that is waiting has any.
    fn wait_edges(&self, txn: TxnId) -> Vec<TxnId> {
        if self.waiting.contains(&txn) {
            self.blockers(txn)
        } else {
            Vec::new()
        }
    }

    fn execute(&mut self, txn: TxnId) {
        let op = self.txns[txn - 1].script.get(self.txns[txn - 1].next).cloned().unwrap_or(Op::Commit);
        if let Some((key, mode)) = lock_needed(&op) {
            if !self.acquire(txn, key, mode) {
                self.events.push(Event::PhaseViolation { txn, key: key.to_owned() });
                self.abort(txn);
                return;
            }
        }
        self.txns[txn - 1].next += 1;
        let read = match &op {
            Op::Read(key) => {
                let value = self.data.get(key).copied().unwrap_or(0);
                self.txns[txn - 1].last_read.insert(key.clone(), value);
                Some(value)
            }
            Op::Write(key, value) => {
                self.write(txn, key, *value);
                None
            }
            Op::Increment(key) => {
                let base = self.txns[txn - 1].last_read.get(key).copied().unwrap_or(0);
                self.write(txn, key, base + 1);
                None
            }
            Op::Unlock(key) => {
                self.release(txn, key);
                self.txns[txn - 1].status = Status::Shrinking;
                None
            }
            Op::Commit => {
                self.release_all(txn);
                self.txns[txn - 1].status = Status::Committed;
                self.events.push(Event::Committed(txn));
                return;
            }
        };
        self.events.push(Event::Ran { txn, op, read });
    }

    /// Grants `mode` on `key` to `txn` (the caller checked there are no blockers). Refuses a
    /// new or stronger lock in the shrinking phase.
    fn acquire(&mut self, txn: TxnId, key: &str, mode: Mode) -> bool {
        let state = &mut self.txns[txn - 1];
        let held = state.locks.get(key).copied();
        if held.is_some_and(|held| held >= mode) {
            return true;
        }
        if state.status == Status::Shrinking {
            return false;
        }
        state.locks.insert(key.to_owned(), mode);
        self.holders.entry(key.to_owned()).or_default().insert(txn, mode);
        true
    }

    fn write(&mut self, txn: TxnId, key: &str, value: i64) {
        let before = self.data.insert(key.to_owned(), value);
        let undo = &mut self.txns[txn - 1].undo;
        if !undo.iter().any(|(k, _)| k == key) {
            undo.push((key.to_owned(), before));
        }
    }

    fn abort(&mut self, txn: TxnId) {
        let undo = std::mem::take(&mut self.txns[txn - 1].undo);
        for (key, before) in undo.into_iter().rev() {
            match before {
                Some(value) => self.data.insert(key, value),
                None => self.data.remove(&key),
            };
        }
        self.release_all(txn);
        self.waiting.remove(&txn);
        self.txns[txn - 1].status = Status::Aborted;
        self.events.push(Event::Aborted(txn));
    }

    fn release(&mut self, txn: TxnId, key: &str) {
        self.txns[txn - 1].locks.remove(key);
        if let Some(holders) = self.holders.get_mut(key) {
            holders.remove(&txn);
        }
    }

    fn release_all(&mut self, txn: TxnId) {
        let keys: Vec<String> = self.txns[txn - 1].locks.keys().cloned().collect();
        for key in keys {
            self.release(txn, &key);
        }
    }

    fn finished(&self, txn: TxnId) -> bool {
        matches!(self.txns[txn - 1].status, Status::Committed | Status::Aborted)
    }
}

/// The lock an operation needs, if any.
fn lock_needed(op: &Op) -> Option<(&str, Mode)> {
    match op {
        Op::Read(key) => Some((key, Mode::Shared)),
        Op::Write(key, _) | Op::Increment(key) => Some((key, Mode::Exclusive)),
        Op::Unlock(_) | Op::Commit => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(key: &str) -> Op {
        Op::Read(key.to_owned())
    }
    fn write(key: &str, value: i64) -> Op {
        Op::Write(key.to_owned(), value)
    }
    fn increment(key: &str) -> Op {
        Op::Increment(key.to_owned())
    }

    fn story(scheduler: &Scheduler) -> Vec<String> {
        scheduler.events().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn shared_locks_let_readers_run_side_by_side() {
        let mut s = Scheduler::new(&[("x", 7)], vec![vec![read("x"), Op::Commit], vec![read("x"), Op::Commit]]);
        s.run(&[1, 2, 1, 2]).unwrap();
        assert_eq!(story(&s), ["T1 Read(\"x\") = 7", "T2 Read(\"x\") = 7", "T1 commits", "T2 commits"]);
    }

    #[test]
    fn a_writer_waits_for_a_reader_and_runs_after_its_commit() {
        let mut s = Scheduler::new(&[("x", 7)], vec![vec![read("x"), Op::Commit], vec![write("x", 8), Op::Commit]]);
        s.run(&[1, 2, 1, 2, 2]).unwrap();
        assert_eq!(
            story(&s),
            ["T1 Read(\"x\") = 7", "T2 waits for [1]", "T1 commits", "T2 Write(\"x\", 8)", "T2 commits"]
        );
        assert_eq!(s.value("x"), Some(8));
    }

    #[test]
    fn crossed_writes_deadlock_and_the_youngest_is_aborted() {
        let mut s = Scheduler::new(
            &[("a", 0), ("b", 0)],
            vec![vec![write("a", 1), write("b", 1), Op::Commit], vec![write("b", 2), write("a", 2), Op::Commit]],
        );
        s.run(&[1, 2, 1, 2]).unwrap();
        assert_eq!(
            story(&s)[..6],
            [
                "T1 Write(\"a\", 1)",
                "T2 Write(\"b\", 2)",
                "T1 waits for [2]",
                "T2 waits for [1]",
                "deadlock [2, 1]: abort T2",
                "T2 aborts",
            ]
        );
        assert!(s.committed(1));
        assert_eq!((s.value("a"), s.value("b")), (Some(1), Some(1)), "T2's write to b was undone");
    }

    #[test]
    fn two_readers_upgrading_to_writers_deadlock_so_no_update_is_lost() {
        // The lost-update interleaving: both read the counter, both write read + 1.
        let script = vec![read("counter"), increment("counter"), Op::Commit];
        let mut s = Scheduler::new(&[("counter", 0)], vec![script.clone(), script]);
        s.run(&[1, 2, 1, 2]).unwrap();
        assert!(s.events().contains(&Event::Deadlock { cycle: vec![2, 1], victim: 2 }));
        assert!(s.committed(1));
        assert_eq!(s.value("counter"), Some(1), "one committed increment, one aborted: nothing lost");
    }

    #[test]
    fn write_skew_under_2pl_ends_in_a_deadlock_not_an_empty_rota() {
        // The doctors of the anomalies lesson: each reads both rows, then takes a *different*
        // doctor off call. Snapshot isolation commits both; under 2PL the shared locks each
        // took while reading block the other's write, and one of them is aborted.
        let doctor = |leaving: &str| vec![read("alice"), read("bob"), write(leaving, 0), Op::Commit];
        let mut s = Scheduler::new(&[("alice", 1), ("bob", 1)], vec![doctor("alice"), doctor("bob")]);
        s.run(&[1, 2, 1, 2, 1, 2]).unwrap();
        assert!(s.events().contains(&Event::Deadlock { cycle: vec![2, 1], victim: 2 }));
        assert_eq!((s.value("alice"), s.value("bob")), (Some(0), Some(1)), "bob is still on call");
    }

    #[test]
    fn locking_after_a_release_is_refused() {
        let mut s = Scheduler::new(&[], vec![vec![write("a", 1), Op::Unlock("a".into()), write("b", 1), Op::Commit]]);
        s.run(&[1, 1, 1]).unwrap();
        assert!(s.events().contains(&Event::PhaseViolation { txn: 1, key: "b".into() }));
        assert_eq!(s.value("a"), None, "the aborted transaction's write was undone");
    }

    /// Random scripts over three keys: a few reads, writes and increments, then commit.
    fn scripts() -> impl Strategy<Value = Vec<Vec<Op>>> {
        let key = prop_oneof![Just("a"), Just("b"), Just("c")];
        let op = (key, 0..3u8, 0..100i64).prop_map(|(key, kind, value)| match kind {
            0 => read(key),
            1 => write(key, value),
            _ => increment(key),
        });
        let script = proptest::collection::vec(op, 1..5).prop_map(|mut ops| {
            ops.push(Op::Commit);
            ops
        });
        proptest::collection::vec(script, 2..5)
    }

    /// Precedence graph of the committed transactions, from the recorded history: an edge
    /// T → U when an operation of T conflicts with a later one of U. True if it has a cycle.
    fn precedence_cycle(s: &Scheduler) -> bool {
        let accesses: Vec<(TxnId, &str, bool)> = s
            .events()
            .iter()
            .filter_map(|event| match event {
                Event::Ran { txn, op, .. } if s.committed(*txn) => match op {
                    Op::Read(key) => Some((*txn, key.as_str(), false)),
                    Op::Write(key, _) | Op::Increment(key) => Some((*txn, key.as_str(), true)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let mut edges: BTreeSet<(TxnId, TxnId)> = BTreeSet::new();
        for (i, &(t, key, w)) in accesses.iter().enumerate() {
            for &(u, key2, w2) in &accesses[i + 1..] {
                if t != u && key == key2 && (w || w2) {
                    edges.insert((t, u));
                }
            }
        }
        // A cycle exists iff repeatedly removing nodes without incoming edges leaves some.
        let mut nodes: BTreeSet<TxnId> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
        loop {
            let source = nodes.iter().copied().find(|&n| !edges.iter().any(|&(a, b)| b == n && nodes.contains(&a)));
            match source {
                Some(n) => {
                    nodes.remove(&n);
                }
                None => return !nodes.is_empty(),
            }
        }
    }

    proptest! {
        #![proptest_config(super::super::deterministic_proptest(256))]

        /// Any scripts, any seeded interleaving: every transaction ends (commit or abort, never
        /// a stall) and the committed ones form a conflict-serializable history.
        #[test]
        fn every_run_ends_and_its_committed_history_is_serializable(scripts in scripts(), seed in any::<u64>()) {
            let mut s = Scheduler::new(&[("a", 0), ("b", 0), ("c", 0)], scripts);
            prop_assert_eq!(s.run_seeded(seed), Ok(()));
            prop_assert!(!precedence_cycle(&s), "history: {:?}", story(&s));
        }
    }
}

//! # MVCC: multi-version concurrency control and snapshot isolation
//!
//! ## Why interviewers ask this
//! Postgres, MySQL/InnoDB, Oracle, SQL Server (with RCSI), CockroachDB, and every modern
//! embedded store keep several versions of a row so that readers never block writers. "How
//! does Postgres give you a consistent read while others write?", "what is a snapshot?", "why
//! does the table bloat, what does VACUUM do?", "what happens when two transactions update the
//! same row?" all have one answer: versions stamped with transaction ids, and a visibility rule.
//!
//! ## How it works
//! Every write creates a new **version** of the key, never overwriting the old one. A version
//! carries the id of the transaction that created it (`begin`, Postgres' `xmin`) and, once a
//! later committed transaction replaces or deletes it, that transaction's id (`end`, `xmax`).
//! A delete is a version with no value (a tombstone).
//!
//! A **snapshot** is taken when a transaction starts: the next id to be handed out (`xmax`)
//! and the set of transactions running at that moment. A transaction id is *visible* to a
//! snapshot when it committed before the snapshot was taken: below `xmax`, not in the running
//! set, and committed. Then:
//!
//! > a version is visible iff its `begin` is visible and its `end` is not,
//!
//! and a transaction's own writes are visible to itself. So a reader sees the database as of
//! its start, whatever commits meanwhile, without taking a single lock.
//!
//! **Isolation levels** in this model ([`Isolation`]) differ in which snapshot a read uses and
//! what commit checks:
//!
//! | level | a read sees | commit fails when |
//! | --- | --- | --- |
//! | read uncommitted | the newest version not aborted, committed or not | never |
//! | read committed | a fresh snapshot per read | never (the last writer wins) |
//! | snapshot | the transaction's start snapshot | a key it writes was committed by a concurrent transaction (**first committer wins**) |
//! | serializable | the start snapshot | as snapshot, or a key or range it *read* was committed by a concurrent transaction |
//!
//! **First committer wins**: two concurrent transactions write the same key; the first to
//! commit succeeds, the second gets [`CommitError::WriteConflict`] and must retry from the
//! start. That prevents lost updates. Postgres implements the same outcome as "first updater
//! wins": the second updater blocks on the row lock and fails with `could not serialize access
//! due to concurrent update` once the first commits.
//!
//! The serializable level here validates reads at commit (backward optimistic concurrency
//! control): if nothing the transaction read — keys and scanned ranges — was changed by a
//! transaction that committed after its snapshot, then its reads are what it would have read
//! at its commit point, so the history equals running every transaction at its commit instant,
//! one at a time. Postgres' SSI is finer (it aborts only on a *dangerous structure* of two
//! read-write dependencies), so it aborts less; the idea is the same. See
//! [`super::anomalies`] for what each level lets through.
//!
//! ## Common pitfalls
//! - Thinking snapshot isolation is serializable. It prevents dirty reads, non-repeatable
//!   reads, phantoms and lost updates, but not **write skew** ([`super::anomalies`]). Oracle's
//!   "SERIALIZABLE" was snapshot isolation for decades; Postgres' `REPEATABLE READ` is too.
//! - Long-running transactions: a snapshot pins every version it might see, so old versions
//!   cannot be garbage-collected (Postgres bloat, "VACUUM cannot remove dead tuples").
//! - Treating a serialization failure as a bug instead of retrying the whole transaction: under
//!   snapshot and serializable isolation the application must retry.
//! - Taking the snapshot per statement and calling it "repeatable": that is read committed.
//!
//! ## Key takeaways
//! - Readers do not block writers and writers do not block readers; write-write conflicts are
//!   still resolved, by aborting one side.
//! - Visibility = begin visible and end not visible to my snapshot, plus my own writes.
//! - Old versions are garbage once no running snapshot can see them; a vacuum reclaims them.
//!
//! ## Break it
//! `fundamentals/breaks/storage_mvcc.patch` drops the first-committer-wins check from commit.
//! `scripts/break-it.sh storage_mvcc` shows `first_committer_wins_the_second_writer_aborts`
//! failing (both writers commit, the later overwrites the earlier), and
//! `concurrent_increments_under_snapshot_isolation_lose_nothing` losing increments as read
//! committed does.
//!
//! ## Interview questions
//! - *How does a Postgres reader avoid blocking on a writer?* Each row version has xmin/xmax;
//!   the reader's snapshot says which transactions had committed when it started, and it picks
//!   the version whose xmin is visible and whose xmax is not. The writer's new version is simply
//!   invisible to it.
//! - *Two transactions increment the same counter under snapshot isolation. What happens?*
//!   Both read the same value; the first to commit wins; the second aborts with a
//!   serialization failure and must retry, reading the new value. No update is lost.
//! - *What does snapshot isolation not prevent?* Write skew: two transactions read an
//!   overlapping set, write *disjoint* keys, and together break an invariant neither broke
//!   alone. Fix: serializable (SSI), or materialise the conflict (`SELECT … FOR UPDATE` on the
//!   rows read, or a row both must update).
//! - *Why do MVCC databases need vacuum / purge?* Updates leave dead versions behind; they can
//!   be reclaimed only when older than every running snapshot. A forgotten open transaction
//!   stops that reclamation and the table grows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound;

/// Transaction ids grow monotonically; a larger id started later.
pub type TxnId = u64;

/// How much of other transactions' work a transaction may observe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isolation {
    ReadUncommitted,
    ReadCommitted,
    Snapshot,
    Serializable,
}

/// One version of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// `None` is a tombstone: the key was deleted by `begin`.
    pub value: Option<i64>,
    /// The transaction that wrote this version.
    pub begin: TxnId,
    /// The committed transaction that replaced or deleted it, if any.
    pub end: Option<TxnId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxnState {
    Active,
    Committed,
    Aborted,
}

/// Which transactions had committed when a snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    /// Every id at or above this started after the snapshot.
    xmax: TxnId,
    /// Transactions running when the snapshot was taken: their work is invisible.
    running: BTreeSet<TxnId>,
}

/// A transaction's handle; the [`Db`] methods take it to read and write on its behalf.
#[derive(Debug)]
pub struct Txn {
    id: TxnId,
    isolation: Isolation,
    snapshot: Snapshot,
    read_keys: BTreeSet<String>,
    read_ranges: Vec<(String, String)>,
    written_keys: BTreeSet<String>,
}

impl Txn {
    pub fn id(&self) -> TxnId {
        self.id
    }
}

/// Why a commit was refused. The transaction is aborted; the application retries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    /// A key this transaction wrote was committed by a concurrent transaction first.
    WriteConflict { key: String },
    /// A key this transaction read was changed by a concurrent transaction that committed first.
    ReadConflict { key: String },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::WriteConflict { key } => write!(f, "could not serialize: concurrent update of {key}"),
            CommitError::ReadConflict { key } => write!(f, "could not serialize: {key} changed after it was read"),
        }
    }
}

impl std::error::Error for CommitError {}

/// A multi-version key-value store of `i64` values.
#[derive(Debug, Default)]
pub struct Db {
    /// Every version of every key, oldest first.
    versions: BTreeMap<String, Vec<Version>>,
    /// `states[id]` for every transaction ever started; ids start at 1.
    states: Vec<TxnState>,
}

impl Db {
    /// Starts a transaction. Its snapshot (used from the start under snapshot and serializable)
    /// is taken now.
    pub fn begin(&mut self, isolation: Isolation) -> Txn {
        let snapshot = self.take_snapshot();
        self.states.push(TxnState::Active);
        let id = self.states.len() as TxnId;
        Txn {
            id,
            isolation,
            snapshot,
            read_keys: BTreeSet::new(),
            read_ranges: Vec::new(),
            written_keys: BTreeSet::new(),
        }
    }

    /// Reads `key` as `txn` may see it.
    pub fn get(&self, txn: &mut Txn, key: &str) -> Option<i64> {
        txn.read_keys.insert(key.to_owned());
        let snapshot = self.read_snapshot(txn);
        self.versions.get(key).and_then(|versions| self.visible_value(txn, snapshot.as_ref(), versions))
    }

    /// Every live key in `[from, to)` with its value, as `txn` may see them.
    pub fn scan(&self, txn: &mut Txn, from: &str, to: &str) -> Vec<(String, i64)> {
        txn.read_ranges.push((from.to_owned(), to.to_owned()));
        let snapshot = self.read_snapshot(txn);
        self.range(from, to)
            .filter_map(|(key, versions)| {
                self.visible_value(txn, snapshot.as_ref(), versions).map(|value| (key.clone(), value))
            })
            .collect()
    }

    pub fn put(&mut self, txn: &mut Txn, key: &str, value: i64) {
        self.write(txn, key, Some(value));
    }

    pub fn delete(&mut self, txn: &mut Txn, key: &str) {
        self.write(txn, key, None);
    }

    /// Commits `txn`, or aborts it and says why.
    pub fn commit(&mut self, txn: Txn) -> Result<(), CommitError> {
        assert_eq!(self.state(txn.id), TxnState::Active, "commit of a finished transaction");
        if let Err(error) = self.validate(&txn) {
            self.abort(txn);
            return Err(error);
        }
        for key in &txn.written_keys {
            // The version that was current until now ends here. At most one committed version
            // has no end: the one this commit replaces.
            let versions = self.versions.get_mut(key).expect("a written key has versions");
            let states = &self.states;
            let replaced = versions.iter_mut().find(|v| {
                v.begin != txn.id && v.end.is_none() && states[(v.begin - 1) as usize] == TxnState::Committed
            });
            if let Some(replaced) = replaced {
                replaced.end = Some(txn.id);
            }
        }
        self.states[(txn.id - 1) as usize] = TxnState::Committed;
        Ok(())
    }

    /// Aborts `txn`: its versions stay in place but are invisible forever (garbage for vacuum).
    pub fn abort(&mut self, txn: Txn) {
        self.states[(txn.id - 1) as usize] = TxnState::Aborted;
    }

    /// Every version of `key`, oldest first: what a lesson prints to show begin and end ids.
    pub fn versions(&self, key: &str) -> &[Version] {
        self.versions.get(key).map_or(&[], Vec::as_slice)
    }

    fn write(&mut self, txn: &mut Txn, key: &str, value: Option<i64>) {
        assert_eq!(self.state(txn.id), TxnState::Active, "write by a finished transaction");
        txn.written_keys.insert(key.to_owned());
        let versions = self.versions.entry(key.to_owned()).or_default();
        match versions.iter_mut().find(|v| v.begin == txn.id) {
            // A second write by the same transaction replaces its own uncommitted version.
            Some(own) => own.value = value,
            None => versions.push(Version { value, begin: txn.id, end: None }),
        }
    }

    /// The commit-time checks of `txn`'s isolation level.
    fn validate(&self, txn: &Txn) -> Result<(), CommitError> {
        if txn.isolation >= Isolation::Snapshot {
            // First committer wins: a concurrent transaction committed this key before us.
            if let Some(key) = txn.written_keys.iter().find(|key| self.changed_since(&txn.snapshot, txn.id, key)) {
                return Err(CommitError::WriteConflict { key: key.clone() });
            }
        }
        if txn.isolation == Isolation::Serializable {
            let ranged = txn.read_ranges.iter().flat_map(|(from, to)| self.range(from, to).map(|(key, _)| key));
            if let Some(key) =
                txn.read_keys.iter().chain(ranged).find(|key| self.changed_since(&txn.snapshot, txn.id, key))
            {
                return Err(CommitError::ReadConflict { key: key.clone() });
            }
        }
        Ok(())
    }

    /// Did a transaction that `snapshot` cannot see commit a version of `key`?
    fn changed_since(&self, snapshot: &Snapshot, own: TxnId, key: &str) -> bool {
        self.versions(key)
            .iter()
            .any(|v| v.begin != own && self.state(v.begin) == TxnState::Committed && !self.visible(snapshot, v.begin))
    }

    /// The snapshot a read uses: none for read uncommitted, a fresh one for read committed.
    fn read_snapshot(&self, txn: &Txn) -> Option<Snapshot> {
        match txn.isolation {
            Isolation::ReadUncommitted => None,
            Isolation::ReadCommitted => Some(self.take_snapshot()),
            Isolation::Snapshot | Isolation::Serializable => Some(txn.snapshot.clone()),
        }
    }

    fn visible_value(&self, txn: &Txn, snapshot: Option<&Snapshot>, versions: &[Version]) -> Option<i64> {
        if let Some(own) = versions.iter().find(|v| v.begin == txn.id) {
            return own.value;
        }
        let version = match snapshot {
            // Read uncommitted: the newest version still standing that was not rolled back.
            None => versions.iter().rev().find(|v| v.end.is_none() && self.state(v.begin) != TxnState::Aborted),
            Some(snapshot) => versions
                .iter()
                .find(|v| self.visible(snapshot, v.begin) && !v.end.is_some_and(|end| self.visible(snapshot, end))),
        };
        version.and_then(|v| v.value)
    }

    fn visible(&self, snapshot: &Snapshot, id: TxnId) -> bool {
        id < snapshot.xmax && !snapshot.running.contains(&id) && self.state(id) == TxnState::Committed
    }

    fn take_snapshot(&self) -> Snapshot {
        let running = (1..=self.states.len() as TxnId).filter(|&id| self.state(id) == TxnState::Active).collect();
        Snapshot { xmax: self.states.len() as TxnId + 1, running }
    }

    fn state(&self, id: TxnId) -> TxnState {
        self.states[(id - 1) as usize]
    }

    fn range<'a>(&'a self, from: &str, to: &str) -> impl Iterator<Item = (&'a String, &'a Vec<Version>)> {
        self.versions.range::<str, _>((Bound::Included(from), Bound::Excluded(to)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;
    use rand::Rng;

    /// A database where `key` holds `value`, committed by transaction 1.
    fn db_with(key: &str, value: i64) -> Db {
        let mut db = Db::default();
        let mut setup = db.begin(Isolation::Snapshot);
        db.put(&mut setup, key, value);
        db.commit(setup).unwrap();
        db
    }

    #[test]
    fn a_snapshot_reader_keeps_its_view_while_a_writer_commits() {
        let mut db = db_with("x", 1);
        let mut reader = db.begin(Isolation::Snapshot);
        assert_eq!(db.get(&mut reader, "x"), Some(1));
        let mut writer = db.begin(Isolation::Snapshot);
        db.put(&mut writer, "x", 2);
        db.commit(writer).unwrap();
        assert_eq!(db.get(&mut reader, "x"), Some(1), "the reader's snapshot predates the write");
        let mut later = db.begin(Isolation::Snapshot);
        assert_eq!(db.get(&mut later, "x"), Some(2));
    }

    #[test]
    fn versions_carry_begin_and_end_transaction_ids() {
        let mut db = db_with("x", 1);
        let mut update = db.begin(Isolation::Snapshot);
        db.put(&mut update, "x", 2);
        db.commit(update).unwrap();
        let mut delete = db.begin(Isolation::Snapshot);
        db.delete(&mut delete, "x");
        db.commit(delete).unwrap();
        assert_eq!(
            db.versions("x"),
            [
                Version { value: Some(1), begin: 1, end: Some(2) },
                Version { value: Some(2), begin: 2, end: Some(3) },
                Version { value: None, begin: 3, end: None },
            ]
        );
    }

    #[test]
    fn a_transaction_sees_its_own_writes_and_nobody_else_does_until_commit() {
        let mut db = db_with("x", 1);
        let mut writer = db.begin(Isolation::Snapshot);
        db.put(&mut writer, "x", 2);
        assert_eq!(db.get(&mut writer, "x"), Some(2));
        let mut other = db.begin(Isolation::ReadCommitted);
        assert_eq!(db.get(&mut other, "x"), Some(1));
    }

    #[test]
    fn an_aborted_write_is_never_visible() {
        let mut db = db_with("x", 1);
        let mut writer = db.begin(Isolation::Snapshot);
        db.put(&mut writer, "x", 99);
        db.abort(writer);
        let mut reader = db.begin(Isolation::ReadUncommitted);
        assert_eq!(db.get(&mut reader, "x"), Some(1));
    }

    #[test]
    fn first_committer_wins_the_second_writer_aborts() {
        let mut db = db_with("x", 1);
        let mut first = db.begin(Isolation::Snapshot);
        let mut second = db.begin(Isolation::Snapshot);
        db.put(&mut first, "x", 10);
        db.put(&mut second, "x", 20);
        assert_eq!(db.commit(first), Ok(()));
        assert_eq!(db.commit(second), Err(CommitError::WriteConflict { key: "x".into() }));
        let mut reader = db.begin(Isolation::Snapshot);
        assert_eq!(db.get(&mut reader, "x"), Some(10));
    }

    #[test]
    fn writers_that_do_not_overlap_in_time_do_not_conflict() {
        let mut db = db_with("x", 1);
        let mut first = db.begin(Isolation::Snapshot);
        db.put(&mut first, "x", 10);
        db.commit(first).unwrap();
        let mut second = db.begin(Isolation::Snapshot);
        db.put(&mut second, "x", 20);
        assert_eq!(db.commit(second), Ok(()), "second started after first committed: it saw 10");
    }

    /// Runs `workers` read-increment-write transactions in a seeded random interleaving, each
    /// retried until it commits. Returns (final counter, increments committed).
    fn interleaved_increments(isolation: Isolation, seed: u64, workers: usize) -> (i64, i64) {
        let mut db = db_with("counter", 0);
        let mut rng = stream_rng(seed, "mvcc-increments");
        // Each worker: None = needs to begin; Some((txn, read value)) = read done, write pending.
        let mut pending: Vec<Option<(Txn, i64)>> = (0..workers).map(|_| None).collect();
        let mut remaining = vec![true; workers];
        let mut committed = 0;
        for _ in 0..10_000 {
            let live: Vec<usize> = (0..workers).filter(|&w| remaining[w]).collect();
            let Some(&w) = live.get(rng.random_range(0..live.len().max(1))) else { break };
            match pending[w].take() {
                None => {
                    let mut txn = db.begin(isolation);
                    let seen = db.get(&mut txn, "counter").unwrap();
                    pending[w] = Some((txn, seen));
                }
                Some((mut txn, seen)) => {
                    db.put(&mut txn, "counter", seen + 1);
                    if db.commit(txn).is_ok() {
                        committed += 1;
                        remaining[w] = false;
                    }
                }
            }
        }
        assert!(remaining.iter().all(|r| !r), "every worker finished within the step bound");
        let mut reader = db.begin(Isolation::Snapshot);
        (db.get(&mut reader, "counter").unwrap(), committed)
    }

    #[test]
    fn concurrent_increments_under_snapshot_isolation_lose_nothing() {
        for seed in 0..50 {
            let (counter, committed) = interleaved_increments(Isolation::Snapshot, seed, 5);
            assert_eq!(committed, 5);
            assert_eq!(counter, 5, "seed {seed}: an increment was lost");
        }
    }

    #[test]
    fn concurrent_increments_under_read_committed_lose_updates() {
        let lost: Vec<u64> =
            (0..50).filter(|&seed| interleaved_increments(Isolation::ReadCommitted, seed, 5).0 < 5).collect();
        assert!(lost.len() > 10, "read committed lost updates in only {} of 50 seeds", lost.len());
    }
}

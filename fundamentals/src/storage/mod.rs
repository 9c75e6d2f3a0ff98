//! # Storage internals: the log, versions, locks and indexes under every database
//!
//! ## Why interviewers ask this
//! Backend work is mostly moving rows in and out of a database, and the hard questions are
//! about what the database promises while you do: is an acknowledged write safe from a power
//! cut, what does a concurrent transaction see, why did this transaction fail with a
//! serialization error, why is this query slow. Each module here builds one mechanism small
//! enough to read in a sitting, with tests that show its promise and its limits.
//!
//! ## How it works
//! | module | mechanism | the promise it buys |
//! | --- | --- | --- |
//! | [`wal`] | write-ahead log, CRC-32 per record, fsync, crash recovery on a disk that loses and tears unsynced writes | durability: acknowledged means it survives a crash |
//! | [`mvcc`] | versions stamped with begin/end transaction ids, snapshots, first committer wins | readers never block writers; snapshot isolation |
//! | [`anomalies`] | dirty read, non-repeatable read, phantom, lost update, write skew, each shown and prevented | knowing what each isolation level lets through |
//! | [`two_phase_locking`] | shared/exclusive locks, growing/shrinking phases, wait-for-graph deadlock detection | serializability by locking |
//! | [`indexes`] | hash, bitmap and inverted indexes against a full scan, benchmarked | fast reads, paid for on writes |
//!
//! The B-tree and LSM tree, the two on-disk index structures, are [`crate::ds::btree`] and
//! [`crate::ds::lsm_tree`]; a real database (SQLite) is [`crate::database`].
//!
//! Everything is deterministic: crashes, interleavings and data come from fixed inputs, seeded
//! streams ([`crate::sim::stream_rng`]) or proptest with a fixed seed.
//!
//! ## Common pitfalls
//! - Treating `write()` as durable, snapshot isolation as serializable, or an index as free.
//! - Ignoring the failure outcomes the mechanisms produce on purpose — a torn tail, a
//!   serialization failure, a deadlock victim — instead of handling them (truncate, retry).
//!
//! ## Key takeaways
//! - Durability comes from the log and fsync; isolation from versions or locks; speed from
//!   indexes. Each costs something measurable: fsyncs, aborts and retries, write amplification.
//!
//! ## Break it
//! One patch per module: `storage_wal`, `storage_mvcc`, `storage_anomalies`,
//! `storage_two_phase_locking`, `storage_indexes`. Run `scripts/break-it.sh <topic>`; each
//! module's docs say which test catches it and why.
//!
//! ## Interview questions
//! - *Walk me through what happens when you COMMIT.* The commit record is appended to the WAL
//!   and fsynced (possibly grouped with others); then the commit is acknowledged; data pages
//!   are written back later, and a checkpoint bounds how much log recovery must replay.
//! - *MVCC or locking?* MVCC for read-heavy mixes (readers never wait); writes still conflict
//!   and are resolved by row locks or first-committer-wins. Most engines combine both.

pub mod anomalies;
pub mod indexes;
pub mod mvcc;
pub mod two_phase_locking;
pub mod wal;

/// Property tests of the storage lessons run from a fixed seed and write no regression files,
/// so `cargo test` sees the same cases on every run.
#[cfg(test)]
fn deterministic_proptest(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5704_a6e5),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

//! # Transactions in SQLite: atomicity, one writer, snapshot reads
//!
//! ## Why interviewers ask this
//! "What does this transaction guarantee?" has a different answer for every database, and the
//! honest answer needs the engine's own rules. SQLite's are unusually crisp, which makes it the
//! best place to learn them: transactions are **serializable** because there is only ever one
//! writer; readers see a **snapshot** in WAL mode; and the price is `SQLITE_BUSY`, an error your
//! code must expect.
//!
//! ## How it works
//! - **Atomicity:** between `BEGIN` and `COMMIT` changes are provisional; an error and a
//!   `ROLLBACK` (or dropping a `rusqlite::Transaction` without committing) undo them all
//!   ([`transfer`]).
//! - **One writer at a time:** a write transaction takes the database's single write lock.
//!   A second connection asking for it gets `SQLITE_BUSY` (after waiting `busy_timeout`, which
//!   rusqlite sets to 5 s by default; the tests set 0 so that waiting is not part of them).
//!   `BEGIN IMMEDIATE` takes the lock at `BEGIN`, so the conflict surfaces before any work.
//! - **Rollback-journal mode** (SQLite's default): a reader holds a shared lock for the length
//!   of its read transaction, and a writer cannot *commit* while any reader holds one: readers
//!   block writers' commits.
//! - **WAL mode** (`PRAGMA journal_mode = WAL`): commits are appended to the write-ahead log; a
//!   reader keeps reading the snapshot it started with, from the database file plus the log
//!   up to its start. Readers and the writer no longer block each other.
//! - **Stale snapshots cannot write:** a transaction that read from an old snapshot and then
//!   tries to write after another connection committed gets `SQLITE_BUSY_SNAPSHOT` — it must
//!   restart. That is why write skew is impossible in SQLite: of two transactions that read
//!   the same rows and then write, the second to write always fails.
//!
//! ## Common pitfalls
//! - A deferred `BEGIN` that reads and then writes: under contention the upgrade to a writer
//!   fails with `SQLITE_BUSY(_SNAPSHOT)` and `busy_timeout` does not help (waiting cannot make
//!   an old snapshot new). Use `BEGIN IMMEDIATE` for read-then-write transactions.
//! - Treating `SQLITE_BUSY` as a crash: it is a retryable outcome; bound the retries.
//! - Long read transactions in WAL mode: the log cannot be checkpointed past the oldest
//!   reader's snapshot and grows without bound.
//! - Many writer threads: SQLite serializes them anyway; funnel writes through one connection
//!   or a small pool and keep write transactions short.
//!
//! ## Key takeaways
//! - SQLite: serializable, one writer, readers on snapshots (WAL). Every write conflict is an
//!   immediate `SQLITE_BUSY`, never a silent anomaly.
//! - Use `BEGIN IMMEDIATE` for transactions that will write; use WAL for concurrent readers.
//! - Set `busy_timeout` deliberately and retry `SQLITE_BUSY` with a bound.
//!
//! ## Break it
//! `fundamentals/breaks/database_transactions.patch` makes [`transfer`] run its two updates
//! on the connection directly instead of inside a transaction. `scripts/break-it.sh
//! database_transactions` shows `a_failed_transfer_changes_nothing` failing: the debit stays
//! although the credit failed, and money disappears.
//!
//! ## Interview questions
//! - *What isolation level does SQLite provide?* Serializable: writers are serialized by one
//!   lock, and a reader's snapshot that has gone stale cannot become a writer.
//! - *What is `SQLITE_BUSY` and how do you handle it?* Another connection holds the lock you
//!   need. Set a `busy_timeout` so short waits are absorbed, start write transactions with
//!   `BEGIN IMMEDIATE`, and retry the whole transaction a bounded number of times.
//! - *Why does WAL mode improve concurrency?* Writers append to the log instead of changing the
//!   database file in place, so readers keep a consistent view of the file plus the log prefix
//!   that existed when they started, without locks that block the writer.
//! - *Compare with Postgres.* Postgres allows many concurrent writers (row locks, MVCC) at read
//!   committed by default, so write skew and lost updates are possible there unless you lock
//!   or ask for serializable; SQLite trades writer concurrency for simplicity and safety.

use rusqlite::{params, Connection, ErrorCode};

/// A bank-style ledger: balances that must never be created or destroyed by a failed transfer.
pub const LEDGER_SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS accounts (
        name    TEXT PRIMARY KEY,
        balance INTEGER NOT NULL CHECK (balance >= 0)
    );
";

/// Why a transfer failed; nothing was changed in either case.
#[derive(Debug)]
pub enum TransferError {
    UnknownAccount(String),
    Database(rusqlite::Error),
}

impl From<rusqlite::Error> for TransferError {
    fn from(error: rusqlite::Error) -> Self {
        TransferError::Database(error)
    }
}

/// Moves `amount` from one account to another, atomically: both updates happen or neither.
pub fn transfer(conn: &mut Connection, from: &str, to: &str, amount: i64) -> Result<(), TransferError> {
    // Dropping `tx` on any early return rolls it back: the debit cannot outlive a failed credit.
    let tx = conn.transaction()?;
    let debited = tx.execute("UPDATE accounts SET balance = balance - ?1 WHERE name = ?2", params![amount, from])?;
    if debited == 0 {
        return Err(TransferError::UnknownAccount(from.to_owned()));
    }
    let credited = tx.execute("UPDATE accounts SET balance = balance + ?1 WHERE name = ?2", params![amount, to])?;
    if credited == 0 {
        return Err(TransferError::UnknownAccount(to.to_owned()));
    }
    tx.commit()?;
    Ok(())
}

/// The error code of a failed SQLite call: `(primary code, extended code)`.
pub fn sqlite_codes(error: &rusqlite::Error) -> Option<(ErrorCode, i32)> {
    error.sqlite_error().map(|e| (e.code, e.extended_code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    /// A connection to the database file at `path` that never waits for a lock: a conflict is
    /// reported at once as `SQLITE_BUSY`, so no test depends on timing.
    fn connect(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(Duration::ZERO).unwrap();
        conn
    }

    /// Two connections to one fresh ledger file with alice 100 and bob 100.
    fn two_connections(dir: &tempfile::TempDir, journal_mode: &str) -> (Connection, Connection) {
        let path = dir.path().join("ledger.db");
        let first = connect(&path);
        let mode: String = first.query_row(&format!("PRAGMA journal_mode = {journal_mode}"), [], |r| r.get(0)).unwrap();
        assert_eq!(mode, journal_mode.to_lowercase());
        first.execute_batch(LEDGER_SCHEMA).unwrap();
        first.execute_batch("INSERT INTO accounts VALUES ('alice', 100), ('bob', 100);").unwrap();
        (first, connect(&path))
    }

    fn balance(conn: &Connection, name: &str) -> i64 {
        conn.query_row("SELECT balance FROM accounts WHERE name = ?1", [name], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_transfer_moves_money_between_accounts() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(LEDGER_SCHEMA).unwrap();
        conn.execute_batch("INSERT INTO accounts VALUES ('alice', 100), ('bob', 100);").unwrap();
        transfer(&mut conn, "alice", "bob", 30).unwrap();
        assert_eq!((balance(&conn, "alice"), balance(&conn, "bob")), (70, 130));
    }

    #[test]
    fn a_failed_transfer_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(LEDGER_SCHEMA).unwrap();
        conn.execute_batch("INSERT INTO accounts VALUES ('alice', 100), ('bob', 100);").unwrap();
        // The debit succeeds, then the credit finds no account: the debit must be undone.
        let result = transfer(&mut conn, "alice", "nobody", 30);
        assert!(matches!(result, Err(TransferError::UnknownAccount(ref name)) if name == "nobody"));
        assert_eq!(balance(&conn, "alice"), 100, "the debit was rolled back");
        // An overdraft violates the CHECK constraint on the debit: also nothing changes.
        assert!(transfer(&mut conn, "alice", "bob", 500).is_err());
        assert_eq!((balance(&conn, "alice"), balance(&conn, "bob")), (100, 100));
    }

    #[test]
    fn a_second_writer_gets_busy_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = two_connections(&dir, "WAL");
        first.execute_batch("BEGIN IMMEDIATE").unwrap();
        let refused = second.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(sqlite_codes(&refused), Some((ErrorCode::DatabaseBusy, rusqlite::ffi::SQLITE_BUSY)));
        first.execute_batch("COMMIT").unwrap();
        second.execute_batch("BEGIN IMMEDIATE; COMMIT;").unwrap();
    }

    #[test]
    fn in_wal_mode_a_reader_keeps_its_snapshot_while_a_writer_commits() {
        let dir = tempfile::tempdir().unwrap();
        let (reader, writer) = two_connections(&dir, "WAL");
        reader.execute_batch("BEGIN").unwrap();
        assert_eq!(balance(&reader, "alice"), 100); // the snapshot starts at the first read
        writer.execute("UPDATE accounts SET balance = 50 WHERE name = 'alice'", []).unwrap();
        assert_eq!(balance(&reader, "alice"), 100, "the reader still sees its snapshot");
        reader.execute_batch("COMMIT").unwrap();
        assert_eq!(balance(&reader, "alice"), 50, "a new transaction sees the commit");
    }

    #[test]
    fn in_rollback_journal_mode_a_reader_blocks_a_writers_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (reader, writer) = two_connections(&dir, "DELETE");
        reader.execute_batch("BEGIN").unwrap();
        assert_eq!(balance(&reader, "alice"), 100); // holds a shared lock until COMMIT
        let refused = writer.execute("UPDATE accounts SET balance = 50 WHERE name = 'alice'", []).unwrap_err();
        assert_eq!(sqlite_codes(&refused).map(|c| c.0), Some(ErrorCode::DatabaseBusy));
        reader.execute_batch("COMMIT").unwrap();
        writer.execute("UPDATE accounts SET balance = 50 WHERE name = 'alice'", []).unwrap();
    }

    #[test]
    fn a_stale_snapshot_cannot_write_so_write_skew_is_impossible() {
        // Invariant: at least 100 in total stays with alice or bob. Each transaction checks the
        // total, then withdraws everything from a *different* account.
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = two_connections(&dir, "WAL");
        let total =
            |c: &Connection| -> i64 { c.query_row("SELECT SUM(balance) FROM accounts", [], |r| r.get(0)).unwrap() };
        first.execute_batch("BEGIN").unwrap();
        second.execute_batch("BEGIN").unwrap();
        assert_eq!(total(&first), 200);
        assert_eq!(total(&second), 200);
        first.execute("UPDATE accounts SET balance = 0 WHERE name = 'alice'", []).unwrap();
        first.execute_batch("COMMIT").unwrap();
        let refused = second.execute("UPDATE accounts SET balance = 0 WHERE name = 'bob'", []).unwrap_err();
        assert_eq!(sqlite_codes(&refused), Some((ErrorCode::DatabaseBusy, rusqlite::ffi::SQLITE_BUSY_SNAPSHOT)));
        second.execute_batch("ROLLBACK").unwrap();
        assert_eq!(total(&second), 100, "the invariant held: bob kept his 100");
    }
}

//! # A real database: SQLite from Rust, the way a backend uses one
//!
//! ## Why interviewers ask this
//! Nearly every backend service is a thin layer over a relational database, and the practical
//! questions are always the same: how is the data-access code structured and tested, is this
//! query injectable, why is page 5,000 slow, what does this transaction actually guarantee,
//! what happens when the connection pool runs dry. The modules here answer each one against a
//! real SQL engine — SQLite, compiled into the test binary by `rusqlite`'s `bundled` feature,
//! so there is nothing to install and every test runs in milliseconds.
//!
//! ## How it works
//! One schema ([`SCHEMA`]: users and their orders) and five lessons on it:
//!
//! | module | question | answer the tests prove |
//! | --- | --- | --- |
//! | [`repository`] | how do I structure and test data access? | a repository trait over SQL, a service with the rules over the trait, one contract test run on SQLite and on an in-memory fake |
//! | [`injection`] | why parameterized queries? | the string-built query returns every user for `' OR '1'='1`; the parameterized one returns none |
//! | [`pagination`] | offset or cursor? | offset pages cost O(depth) and repeat rows when new ones arrive; keyset pages cost O(page) and do not |
//! | [`transactions`] | what does SQLite's isolation guarantee? | atomic rollback, one writer at a time (`SQLITE_BUSY`), snapshot reads in WAL mode, stale snapshots cannot write |
//! | [`pool`] | what does a connection pool do when it runs dry? | r2d2 hands out at most `max_size` connections; the next caller gets `None` or a timeout error |
//!
//! The in-memory mechanisms behind these behaviours (a log, versions, locks, indexes) are built
//! by hand in [`crate::storage`].
//!
//! Unlike the rest of the crate, these lessons do real I/O: SQLite files in a fresh temporary
//! directory per test, and r2d2 opens connections on a helper thread. Their outcomes are still
//! fixed — every lock conflict is provoked in a set order, and busy waits are turned off
//! (`busy_timeout` 0) — but they are for `cargo test` only, never for the lab's simulated nodes.
//!
//! ## Common pitfalls
//! - Per-connection settings (`PRAGMA foreign_keys`, `synchronous`, `busy_timeout`) that were
//!   set on one connection and silently missing on the others. Defaults differ between builds
//!   too: stock SQLite starts with foreign keys *off*; rusqlite's bundled build compiles them
//!   on (`SQLITE_DEFAULT_FOREIGN_KEYS=1`). Set what you rely on, on every connection.
//! - Testing the service only against a mock that does not behave like the database (a fake
//!   that ignores unique constraints passes tests the real schema fails).
//!
//! ## Key takeaways
//! - Keep SQL in the repository, rules in the service, and run the same contract tests against
//!   the real database and the fake.
//! - Bind every value as a parameter; page with a cursor; hold transactions briefly; size and
//!   bound the pool.
//!
//! ## Break it
//! One patch per module: `database_repository`, `database_injection`, `database_pagination`,
//! `database_transactions`, `database_pool`. Run `scripts/break-it.sh <topic>`.
//!
//! ## Interview questions
//! - *Where does business logic go, the service or the SQL?* Rules that need several rows or
//!   outside input go in the service; invariants that must hold whatever code writes go in the
//!   schema as constraints (NOT NULL, UNIQUE, CHECK, foreign keys), since the database is the
//!   only place that sees every writer.
//! - *Why SQLite in tests rather than a mock?* It is a real SQL engine with real constraints and
//!   transactions, in-process and instant; it catches wrong SQL that a mock never will. For a
//!   Postgres service, run the same tests against Postgres too (containers) for its dialect.

pub mod injection;
pub mod pagination;
pub mod pool;
pub mod repository;
pub mod transactions;

use rusqlite::Connection;

/// The schema every lesson uses. Money is integer cents (never floating point); the CHECK and
/// REFERENCES clauses make the database refuse bad rows whatever code writes them.
pub const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS users (
        id           INTEGER PRIMARY KEY,
        name         TEXT    NOT NULL,
        email        TEXT    NOT NULL UNIQUE,
        credit_limit_cents INTEGER NOT NULL CHECK (credit_limit_cents >= 0)
    );
    CREATE TABLE IF NOT EXISTS orders (
        id           INTEGER PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES users(id),
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0)
    );
    CREATE INDEX IF NOT EXISTS orders_by_user ON orders(user_id, id);
";

/// Settings every connection needs, run on each one as it opens. SQLite keeps them per
/// connection, so setting them once on "the database" is not enough. (This build of SQLite
/// already defaults foreign keys on; a system SQLite does not, so the code says what it needs.)
pub const CONNECTION_PRAGMAS: &str = "PRAGMA foreign_keys = ON;";

/// A private in-memory database with the schema: each call is a fresh, empty database.
pub fn open_in_memory() -> rusqlite::Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(CONNECTION_PRAGMAS)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

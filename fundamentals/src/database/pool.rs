//! # Connection pooling (r2d2 + r2d2_sqlite)
//!
//! ## Why interviewers ask this
//! Opening a database connection costs a TCP and TLS handshake, authentication and a server
//! process or thread (for Postgres, a forked backend of several MB): milliseconds, and memory on
//! the database. So services keep a **pool** of open connections and lend them out per request.
//! The interview questions are about its edges: how big, what happens when it is empty, what
//! state leaks between borrowers, and why "increase the pool size" often makes things worse.
//!
//! ## How it works
//! [`open_pool`] builds an `r2d2::Pool` of SQLite connections: at most `max_size` exist, each
//! opened by the manager and passed through an *init* hook that applies the per-connection
//! settings ([`super::CONNECTION_PRAGMAS`], WAL mode) — every connection, not just the first.
//!
//! - `pool.get()` lends an idle connection, opens a new one if the pool is below `max_size`,
//!   or **waits** up to `connection_timeout` for one to be returned, then fails with an error.
//! - `pool.try_get()` never waits: `None` when no idle connection is ready.
//! - The borrowed `PooledConnection` derefs to `rusqlite::Connection`; dropping it returns the
//!   connection to the pool (RAII), including on an early return or a panic.
//!
//! Exhaustion is the behaviour to design for: when every connection is lent out, new requests
//! queue for `connection_timeout` and then fail. The tests show both sides: `try_get` returning
//! `None` at once with pool size 1, and `get` failing after a 5 ms connection timeout (the one
//! real wait in these lessons: bounded, and its outcome does not depend on timing).
//!
//! ## Common pitfalls
//! - Holding a connection across slow work (an HTTP call, a big computation): the pool drains
//!   and unrelated requests time out. Borrow late, return early.
//! - Nested borrowing: a handler that holds one connection and asks for a second deadlocks
//!   when the pool is exhausted by such handlers — each holds one and waits for another.
//! - Pool size × instances > the database's `max_connections`: the 21st replica cannot start.
//!   A good starting size is small: about (cores × 2) + effective spindles (HikariCP's rule).
//! - Session state leaking between borrowers: an open transaction, a `SET` variable, a
//!   temporary table. Reset on return, or never set session state.
//! - No timeout on `get`: under overload requests queue forever instead of failing fast.
//!
//! ## Key takeaways
//! - A pool bounds concurrency against the database; size it for the database, not for the
//!   number of threads.
//! - Exhaustion must fail fast and visibly (a timeout, a metric), not hang.
//! - Apply per-connection settings in the pool's init hook.
//!
//! ## Break it
//! `fundamentals/breaks/database_pool.patch` drops the init hook. `scripts/break-it.sh
//! database_pool` shows `every_pooled_connection_gets_the_per_connection_settings` failing:
//! the connections come up with `synchronous = FULL` (2), SQLite's default, instead of the
//! `NORMAL` (1) the pool asked for. With a system SQLite, foreign keys would be off as well and
//! an order for a missing user accepted — the classic form of this bug.
//!
//! ## Interview questions
//! - *How big should a connection pool be?* Small: the database does at most (cores ×
//!   a small factor) useful work at once; more connections only add contention and memory.
//!   Measure with the database's own saturation metrics, and remember the total across every
//!   instance of the service.
//! - *What happens when the pool is exhausted?* Callers wait up to the checkout timeout, then
//!   get an error; the service should shed load (503) rather than queue without bound. Alert
//!   on checkout wait time, not only on errors.
//! - *Why not open a connection per request?* Handshake and authentication latency on every
//!   request, and a connection storm on the database under load.
//! - *What is PgBouncer for?* A pool *outside* the services: many client connections share a
//!   few server connections (transaction pooling), so hundreds of instances do not need
//!   thousands of Postgres backends; session state cannot be relied on in that mode.

use std::path::Path;
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;

/// How a pool is sized and how long a borrower may wait.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    pub max_size: u32,
    /// How long `get()` waits for a connection before failing.
    pub connection_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_size: 4, connection_timeout: Duration::from_secs(1) }
    }
}

/// A pool of connections to the SQLite file at `path`, each prepared with the lessons'
/// per-connection settings, and the schema created.
pub fn open_pool(path: &Path, config: PoolConfig) -> Result<Pool<SqliteConnectionManager>, r2d2::Error> {
    let manager = SqliteConnectionManager::file(path).with_init(|conn| {
        // Runs on every new connection: SQLite keeps these settings per connection.
        conn.execute_batch(super::CONNECTION_PRAGMAS)?;
        // WAL (a property of the file, but setting it again is harmless) lets readers work
        // while one connection writes; in WAL mode `synchronous = NORMAL` syncs at checkpoints
        // instead of at every commit and still cannot corrupt the database on power loss: a
        // crash may lose the last commits, never consistency.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")
    });
    let pool =
        Pool::builder().max_size(config.max_size).connection_timeout(config.connection_timeout).build(manager)?;
    let conn = pool.get()?;
    conn.execute_batch(super::SCHEMA).expect("the lessons' schema is valid SQL");
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::repository::{RepoError, Repository, SqliteRepository};

    fn pool_of(size: u32, dir: &tempfile::TempDir) -> Pool<SqliteConnectionManager> {
        let config = PoolConfig { max_size: size, ..PoolConfig::default() };
        open_pool(&dir.path().join("app.db"), config).unwrap()
    }

    #[test]
    fn an_exhausted_pool_lends_nothing_until_a_connection_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_of(1, &dir);
        let borrowed = pool.get().unwrap();
        assert!(pool.try_get().is_none(), "the only connection is lent out");
        assert_eq!(pool.state().idle_connections, 0);
        drop(borrowed); // returned to the pool, not closed
        assert!(pool.try_get().is_some());
        assert_eq!(pool.state().connections, 1, "still one connection: it was reused");
    }

    #[test]
    fn get_on_an_exhausted_pool_fails_after_the_connection_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_of(1, &dir);
        let _held = pool.get().unwrap();
        // `get_timeout` is `get` with a per-call `connection_timeout`: 5 ms, so the test waits
        // 5 ms and not the configured second. The outcome does not depend on timing: nobody
        // returns the connection, so the wait always ends in the error.
        let error = pool.get_timeout(Duration::from_millis(5)).map(|_| ()).unwrap_err();
        assert_eq!(error.to_string(), "timed out waiting for connection");
    }

    #[test]
    fn the_pool_never_opens_more_than_max_size_connections() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_of(3, &dir);
        let held: Vec<_> = (0..3).map(|_| pool.get().unwrap()).collect();
        assert!(pool.try_get().is_none());
        assert_eq!(pool.state().connections, 3);
        drop(held);
        assert_eq!(pool.state().idle_connections, 3);
    }

    #[test]
    fn every_pooled_connection_gets_the_per_connection_settings() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_of(2, &dir);
        let (first, second) = (pool.get().unwrap(), pool.get().unwrap());
        for conn in [&first, &second] {
            let pragma = |name: &str| -> i64 { conn.pragma_query_value(None, name, |row| row.get(0)).unwrap() };
            assert_eq!(pragma("synchronous"), 1, "NORMAL on every connection, not only the first");
            assert_eq!(pragma("foreign_keys"), 1);
            let repo = SqliteRepository::new(conn);
            assert!(matches!(repo.insert_order(424_242, 100), Err(RepoError::MissingReference)));
        }
    }

    #[test]
    fn pooled_connections_share_one_database() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_of(2, &dir);
        let (writer, reader) = (pool.get().unwrap(), pool.get().unwrap());
        let alice = SqliteRepository::new(&writer).insert_user("alice", "a@example.com", 100).unwrap();
        assert_eq!(SqliteRepository::new(&reader).user(alice.id).unwrap(), Some(alice));
    }
}

//! # Pagination: offset vs cursor (keyset)
//!
//! ## Why interviewers ask this
//! Every list endpoint pages, and the two classic ways behave very differently at scale: `LIMIT
//! 20 OFFSET 100000` gets slower the deeper a client goes and shows duplicates or gaps when rows
//! arrive while someone pages; a cursor ("the 20 after the last one I saw") costs the same on
//! every page and is stable under inserts. "Design the API for an activity feed" almost always
//! leads here.
//!
//! ## How it works
//! Orders are listed newest first (`ORDER BY id DESC`), 20 to a page.
//!
//! - **Offset** ([`page_by_offset`]): page *n* is `LIMIT 20 OFFSET 20·n`. The database must
//!   produce and throw away the first `20·n` rows to find the page: cost O(offset + page).
//!   Positions are counted at each request, so a row inserted at the top between two requests
//!   shifts every later row down by one: the next page starts with the row the previous page
//!   ended with (a **repeat**). A delete shifts them up: a row is **skipped**.
//! - **Cursor / keyset** ([`page_after`]): the client hands back the sort key of the last row it
//!   saw; the next page is `WHERE id < :last ORDER BY id DESC LIMIT 20`. The primary-key index
//!   seeks straight to `:last`: cost O(log n + page) at any depth. The position is a *value*,
//!   not a count, so inserts and deletes elsewhere cannot shift it.
//!
//! Measured with `cargo bench -p fundamentals --bench database -- --warm-up-time 1
//! --measurement-time 2` on 100,000 orders (in-memory SQLite, a page of 20, criterion's median on
//! this shared 2-core VM):
//!
//! | depth (rows before the page) | offset | cursor |
//! | --- | --- | --- |
//! | 0 | 19.6 µs | 21.0 µs |
//! | 10,000 | 225 µs | 19.3 µs |
//! | 90,000 | 1.35 ms | 18.2 µs |
//!
//! Offset cost grows linearly with depth (≈ 15–20 ns per skipped row, in memory; on disk each
//! skipped row can be a page read); the cursor costs the same at every depth — at 90,000 rows
//! deep it is 74× cheaper.
//!
//! ## Common pitfalls
//! - A cursor on a non-unique sort key (`created_at`): rows with the same timestamp straddling
//!   a page boundary are skipped or repeated. Add a unique tie-breaker and compare tuples:
//!   `WHERE (created_at, id) < (:ts, :id) ORDER BY created_at DESC, id DESC`.
//! - `>=` instead of `>` (here `<=` instead of `<`) in the cursor condition: the last row of
//!   each page is repeated as the first of the next.
//! - No index matching the `ORDER BY`: the cursor query then sorts the whole table per page.
//! - Exposing raw ids or offsets as the cursor: make it opaque (encode it) so clients cannot
//!   build their own and you can change it later.
//! - Offering "jump to page 4,172": only offsets can; most APIs should not.
//!
//! ## Key takeaways
//! - Offset: simple, random access to pages, O(depth) cost, unstable under concurrent writes.
//! - Cursor: O(page) at any depth, stable, but only "next" (and "previous" with the reverse
//!   query); needs a unique, indexed sort key.
//!
//! ## Break it
//! `fundamentals/breaks/database_pagination.patch` writes the cursor condition with `<=`.
//! `scripts/break-it.sh database_pagination` shows
//! `cursor_pages_neither_repeat_nor_skip_when_a_row_arrives` and
//! `walking_every_cursor_page_visits_each_row_once` failing: every page repeats the previous
//! page's last row.
//!
//! ## Interview questions
//! - *Why does OFFSET get slow?* The database cannot jump to the n-th row of a result; it
//!   produces and discards n rows first (even with an index, it walks n index entries).
//! - *How does a cursor stay stable when rows are inserted?* It names a position by value (the
//!   last key seen); new rows sort before or after that value and never shift it.
//! - *How would you page by `created_at`?* Cursor = `(created_at, id)` of the last row, tuple
//!   comparison in the WHERE clause, and a composite index on `(created_at, id)`.
//! - *What does the API response look like?* `{ "items": [...], "next_cursor": "opaque" }`,
//!   `next_cursor` absent on the last page; the client passes it back verbatim.

use rusqlite::{params, Connection};

use super::repository::Order;

/// Orders on one page.
pub const PAGE_SIZE: usize = 20;

fn order_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order { id: row.get(0)?, user_id: row.get(1)?, amount_cents: row.get(2)? })
}

/// The page that starts `offset` rows into the newest-first list.
pub fn page_by_offset(conn: &Connection, offset: usize, page_size: usize) -> rusqlite::Result<Vec<Order>> {
    let mut statement =
        conn.prepare_cached("SELECT id, user_id, amount_cents FROM orders ORDER BY id DESC LIMIT ?1 OFFSET ?2")?;
    let rows = statement.query_map(params![page_size as i64, offset as i64], order_from_row)?;
    rows.collect()
}

/// The page of orders older than `after` (the id of the last order already seen), or the
/// first page when `after` is `None`.
pub fn page_after(conn: &Connection, after: Option<i64>, page_size: usize) -> rusqlite::Result<Vec<Order>> {
    let mut statement =
        conn.prepare_cached("SELECT id, user_id, amount_cents FROM orders WHERE id < ?1 ORDER BY id DESC LIMIT ?2")?;
    // No cursor yet: every id is below i64::MAX.
    let rows = statement.query_map(params![after.unwrap_or(i64::MAX), page_size as i64], order_from_row)?;
    rows.collect()
}

/// The cursor a client sends back for the next page: the last id it saw, or `None` when the
/// page was not full (there is nothing after it).
pub fn next_cursor(page: &[Order], page_size: usize) -> Option<i64> {
    (page.len() == page_size).then(|| page.last().map(|o| o.id)).flatten()
}

/// Fills the database with one user and `count` orders (ids 1..=count), in one transaction:
/// 100,000 single-statement transactions would each pay a journal sync.
pub fn seed_orders(conn: &mut Connection, count: usize) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute("INSERT INTO users (name, email, credit_limit_cents) VALUES ('seed', 'seed@example.com', 0)", [])?;
    let user_id = tx.last_insert_rowid();
    {
        let mut insert = tx.prepare("INSERT INTO orders (user_id, amount_cents) VALUES (?1, ?2)")?;
        for i in 0..count {
            insert.execute(params![user_id, 100 + (i % 50) as i64])?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::open_in_memory;

    fn db_with_orders(count: usize) -> Connection {
        let mut conn = open_in_memory().unwrap();
        seed_orders(&mut conn, count).unwrap();
        conn
    }

    fn ids(page: &[Order]) -> Vec<i64> {
        page.iter().map(|o| o.id).collect()
    }

    fn insert_new_order(conn: &Connection) -> i64 {
        conn.execute("INSERT INTO orders (user_id, amount_cents) VALUES (1, 999)", []).unwrap();
        conn.last_insert_rowid()
    }

    #[test]
    fn offset_pages_repeat_a_row_when_one_arrives_between_fetches() {
        let conn = db_with_orders(10);
        let first = page_by_offset(&conn, 0, 4).unwrap();
        assert_eq!(ids(&first), [10, 9, 8, 7]);
        insert_new_order(&conn); // id 11, newest: everything shifts down one place
        let second = page_by_offset(&conn, 4, 4).unwrap();
        assert_eq!(ids(&second), [7, 6, 5, 4], "order 7 is shown twice");
    }

    #[test]
    fn offset_pages_skip_a_row_when_one_is_deleted_between_fetches() {
        let conn = db_with_orders(10);
        let first = page_by_offset(&conn, 0, 4).unwrap();
        conn.execute("DELETE FROM orders WHERE id = ?1", [first[0].id]).unwrap();
        let second = page_by_offset(&conn, 4, 4).unwrap();
        assert_eq!(ids(&second), [5, 4, 3, 2], "order 6 is never shown");
    }

    #[test]
    fn cursor_pages_neither_repeat_nor_skip_when_a_row_arrives() {
        let conn = db_with_orders(10);
        let first = page_after(&conn, None, 4).unwrap();
        assert_eq!(ids(&first), [10, 9, 8, 7]);
        insert_new_order(&conn);
        let second = page_after(&conn, next_cursor(&first, 4), 4).unwrap();
        assert_eq!(ids(&second), [6, 5, 4, 3]);
    }

    #[test]
    fn walking_every_cursor_page_visits_each_row_once() {
        let conn = db_with_orders(95);
        let mut seen = Vec::new();
        let mut cursor = None;
        for _ in 0..100 {
            let page = page_after(&conn, cursor, PAGE_SIZE).unwrap();
            seen.extend(ids(&page));
            cursor = next_cursor(&page, PAGE_SIZE);
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen, (1..=95).rev().collect::<Vec<i64>>());
    }

    #[test]
    fn the_cursor_query_seeks_with_the_primary_key_while_offset_steps_through_rows() {
        // SQLite's own plan: the cursor query is a range search on the rowid.
        let conn = db_with_orders(10);
        let plan: String = conn
            .query_row("EXPLAIN QUERY PLAN SELECT id FROM orders WHERE id < 5 ORDER BY id DESC LIMIT 20", [], |row| {
                row.get(3)
            })
            .unwrap();
        assert!(plan.contains("rowid<?"), "{plan}");
    }
}

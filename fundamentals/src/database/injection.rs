//! # SQL injection: parameterized queries vs string-built SQL
//!
//! ## Why interviewers ask this
//! Injection has been on the OWASP Top 10 since the list began, and it still ships, usually
//! through one helper that "just formats a filter in". Interviewers ask it to see whether you
//! know *why* parameters fix it (the value never becomes SQL text), not only *that* they do —
//! and whether you know the places parameters cannot go (identifiers, `ORDER BY` columns).
//!
//! ## How it works
//! A string-built query pastes user input into the SQL text:
//!
//! ```text
//! SELECT … FROM users WHERE name = '<input>'
//! ```
//!
//! With the input `' OR '1'='1`, the text becomes `WHERE name = '' OR '1'='1'` — a different
//! statement whose condition is always true, and it returns every user. The database parses
//! the *whole string* as SQL, so the input decides the statement's shape.
//!
//! A parameterized query sends the SQL with a placeholder (`WHERE name = ?1`) to be compiled
//! first, and the input separately as a *value* bound to the placeholder. The statement's shape
//! is fixed before the input is seen; the input can only be compared to names. With the same
//! input it returns nobody (no user is called `' OR '1'='1`).
//!
//! [`find_users_by_name_string_built`] is the vulnerable version, kept only to be attacked by
//! the tests; the real query is [`super::repository::SqliteRepository`]'s `find_users_by_name`.
//!
//! ## Common pitfalls
//! - Escaping by hand (doubling quotes): it works until an encoding, a backslash rule or a
//!   numeric context (`WHERE id = <input>`, no quotes to escape) defeats it.
//! - Identifiers cannot be parameters: a sort column or table name chosen by the user must be
//!   matched against an allow-list ([`order_by_clause`]), never pasted.
//! - `LIKE` patterns: a bound `%` is still a wildcard; escape `%` and `_` in the value if the
//!   user means them literally.
//! - ORMs and query builders are safe until someone uses their raw-SQL escape hatch with
//!   `format!`.
//!
//! ## Key takeaways
//! - Bind every value as a parameter; the SQL text is a constant of the program.
//! - Choose identifiers from an allow-list.
//! - Parameterized statements are also faster when reused: compiled once, cached
//!   (`prepare_cached`).
//!
//! ## Break it
//! `fundamentals/breaks/database_injection.patch` makes the repository build its query with
//! `format!`. `scripts/break-it.sh database_injection` shows
//! `the_repository_treats_an_injection_as_a_name` failing: the repository now leaks every user.
//!
//! ## Interview questions
//! - *Why do prepared statements prevent injection?* The statement is parsed and planned before
//!   any input is known; inputs arrive as typed values bound to placeholders, so no input can
//!   add SQL. Escaping tries to make input harmless *inside* SQL text; parameters keep it out.
//! - *The user picks the sort column. How do you do that safely?* Map the user's choice to a
//!   fixed set of column names in code (an enum or a match) and refuse anything else.
//! - *Is a stored procedure safe from injection?* Only if it does not build dynamic SQL by
//!   concatenation inside; the same rule applies there.

use rusqlite::Connection;

use super::repository::User;

/// **Vulnerable on purpose.** Pastes `name` into the SQL text. Never write this.
pub fn find_users_by_name_string_built(conn: &Connection, name: &str) -> rusqlite::Result<Vec<User>> {
    let sql = format!("SELECT id, name, email, credit_limit_cents FROM users WHERE name = '{name}' ORDER BY id");
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map([], |row| {
        Ok(User { id: row.get(0)?, name: row.get(1)?, email: row.get(2)?, credit_limit_cents: row.get(3)? })
    })?;
    rows.collect()
}

/// The columns a caller may sort users by; anything else is refused before SQL is built.
pub fn order_by_clause(column: &str) -> Option<&'static str> {
    match column {
        "name" => Some("ORDER BY name, id"),
        "email" => Some("ORDER BY email, id"),
        "newest" => Some("ORDER BY id DESC"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::open_in_memory;
    use crate::database::repository::{Repository, SqliteRepository};

    const INJECTION: &str = "' OR '1'='1";

    fn three_users(conn: &Connection) {
        let repo = SqliteRepository::new(conn);
        for (name, email) in [("alice", "a@example.com"), ("bob", "b@example.com"), ("carol", "c@example.com")] {
            repo.insert_user(name, email, 1_000).unwrap();
        }
    }

    #[test]
    fn both_queries_agree_on_honest_input() {
        let conn = open_in_memory().unwrap();
        three_users(&conn);
        let repo = SqliteRepository::new(&conn);
        assert_eq!(find_users_by_name_string_built(&conn, "bob").unwrap(), repo.find_users_by_name("bob").unwrap());
        assert_eq!(repo.find_users_by_name("bob").unwrap().len(), 1);
    }

    #[test]
    fn the_string_built_query_leaks_every_row_under_injection() {
        let conn = open_in_memory().unwrap();
        three_users(&conn);
        let leaked = find_users_by_name_string_built(&conn, INJECTION).unwrap();
        assert_eq!(leaked.len(), 3, "the input rewrote the WHERE clause into 'always true'");
    }

    #[test]
    fn the_repository_treats_an_injection_as_a_name() {
        let conn = open_in_memory().unwrap();
        three_users(&conn);
        let repo = SqliteRepository::new(&conn);
        assert_eq!(repo.find_users_by_name(INJECTION).unwrap(), vec![], "nobody is called {INJECTION:?}");
    }

    #[test]
    fn a_name_full_of_quotes_is_stored_and_found_as_data() {
        let conn = open_in_memory().unwrap();
        let repo = SqliteRepository::new(&conn);
        let tricky = "O'Brien'); DROP TABLE users; --";
        repo.insert_user(tricky, "ob@example.com", 1).unwrap();
        assert_eq!(repo.find_users_by_name(tricky).unwrap()[0].name, tricky);
        let tables: i64 =
            conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'users'", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 1, "the users table is still there");
    }

    #[test]
    fn sort_columns_come_from_an_allow_list() {
        assert_eq!(order_by_clause("email"), Some("ORDER BY email, id"));
        assert_eq!(order_by_clause("name; DROP TABLE users"), None);
    }
}

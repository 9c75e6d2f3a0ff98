//! # Repository and service layers
//!
//! ## Why interviewers ask this
//! "How would you structure the code of this service?" and "how do you test code that talks to
//! a database?" come up in every backend loop. The expected shape is layered: handlers parse
//! and respond, a **service** holds the business rules, a **repository** holds the SQL. The
//! follow-ups are where it gets interesting: what goes behind the trait, what a fake must get
//! right, and which rules belong in the schema instead.
//!
//! ## How it works
//! - [`Repository`] is the data-access trait: plain operations on users and orders, in domain
//!   types, with database errors mapped to a small [`RepoError`] the service understands (a
//!   UNIQUE violation becomes [`RepoError::Duplicate`], not a string to parse).
//! - [`SqliteRepository`] implements it with parameterized SQL over a `rusqlite::Connection`
//!   (a plain one, or a pooled one: both deref to `Connection`).
//! - [`InMemoryRepository`] implements it with `BTreeMap`s — a *fake*, not a mock: it keeps
//!   state and enforces the same constraints (unique email, existing user), so service tests
//!   run without SQL and still mean something.
//! - [`OrderService`] is generic over the trait and holds the rules: an order must be positive,
//!   for an existing user, and keep the user's outstanding total within their credit limit.
//!
//! The **contract tests** at the bottom run one suite against both implementations: the fake
//! earns its place only while it behaves like the real thing, and the suite is what proves it.
//!
//! ## Common pitfalls
//! - Leaking the database into the service (`rusqlite::Error` in service signatures, SQL
//!   strings built in handlers): the service can no longer be tested or moved.
//! - Mocks that return canned answers per call: they assert *how* the service talks to the
//!   repository, not *what* it achieves, and they accept SQL that the database would reject.
//! - Check-then-act across two queries: `outstanding + amount <= limit` checked, then the
//!   insert. Two concurrent orders can both pass the check. In production wrap the check and
//!   the insert in one transaction that takes the write lock first (`BEGIN IMMEDIATE` in SQLite,
//!   `SELECT … FOR UPDATE` on the user row in Postgres) — see [`super::transactions`].
//! - A repository per table with no way to share a transaction between them.
//!
//! ## Key takeaways
//! - SQL in the repository, rules in the service, wiring at the edge.
//! - The service depends on a trait; tests use a fake that enforces the same constraints, and
//!   a contract test suite keeps fake and database honest.
//! - Constraints that must always hold live in the schema too: the database is the last line.
//!
//! ## Break it
//! `fundamentals/breaks/database_repository.patch` makes the service compare the credit limit
//! with `amount` alone, forgetting the orders already outstanding. `scripts/break-it.sh
//! database_repository` shows `the_credit_limit_counts_outstanding_orders` failing in both
//! `on_sqlite` and `on_fake`: a user with a 100.00 limit places two 60.00 orders.
//!
//! ## Interview questions
//! - *Why put a repository interface between the service and the database?* To test the rules
//!   without a database, to keep SQL in one place, and to change storage without touching
//!   rules. Do not abstract more than that: one trait per aggregate, in domain types.
//! - *Mock or fake?* A fake (a working in-memory implementation) tests behaviour and survives
//!   refactoring; a mock tests interactions and breaks when they change. Run the same contract
//!   tests against the fake and the real repository.
//! - *Where do you enforce "email is unique"?* In the schema (a UNIQUE index); the service may
//!   check first for a friendly error, but only the constraint is race-free.
//! - *How do you share a transaction across repositories?* Pass the transaction (or a unit of
//!   work holding it) into the repository methods, or give the repository a connection that is
//!   already inside the transaction.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

/// A user row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub credit_limit_cents: i64,
}

/// An order row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub user_id: i64,
    pub amount_cents: i64,
}

/// What the repository can go wrong with, in terms the service can act on.
#[derive(Debug)]
pub enum RepoError {
    /// A uniqueness rule was violated (the email is taken).
    Duplicate,
    /// A row refers to one that does not exist.
    MissingReference,
    /// Anything else the database reported: a bug or an outage, not a business outcome.
    Database(rusqlite::Error),
}

impl fmt::Display for RepoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepoError::Duplicate => write!(f, "already exists"),
            RepoError::MissingReference => write!(f, "refers to a row that does not exist"),
            RepoError::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for RepoError {}

impl From<rusqlite::Error> for RepoError {
    fn from(error: rusqlite::Error) -> Self {
        // Map constraint failures by their extended codes, never by parsing the message.
        match error.sqlite_error() {
            Some(e) if e.code == ErrorCode::ConstraintViolation => match e.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    RepoError::Duplicate
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => RepoError::MissingReference,
                _ => RepoError::Database(error),
            },
            _ => RepoError::Database(error),
        }
    }
}

/// Data access for users and orders.
pub trait Repository {
    fn insert_user(&self, name: &str, email: &str, credit_limit_cents: i64) -> Result<User, RepoError>;
    fn user(&self, id: i64) -> Result<Option<User>, RepoError>;
    fn find_users_by_name(&self, name: &str) -> Result<Vec<User>, RepoError>;
    fn insert_order(&self, user_id: i64, amount_cents: i64) -> Result<Order, RepoError>;
    fn outstanding_cents(&self, user_id: i64) -> Result<i64, RepoError>;
}

/// The repository over SQLite.
pub struct SqliteRepository<'c> {
    conn: &'c Connection,
}

impl<'c> SqliteRepository<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }
}

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User { id: row.get(0)?, name: row.get(1)?, email: row.get(2)?, credit_limit_cents: row.get(3)? })
}

impl Repository for SqliteRepository<'_> {
    fn insert_user(&self, name: &str, email: &str, credit_limit_cents: i64) -> Result<User, RepoError> {
        self.conn.execute(
            "INSERT INTO users (name, email, credit_limit_cents) VALUES (?1, ?2, ?3)",
            params![name, email, credit_limit_cents],
        )?;
        let id = self.conn.last_insert_rowid();
        Ok(User { id, name: name.to_owned(), email: email.to_owned(), credit_limit_cents })
    }

    fn user(&self, id: i64) -> Result<Option<User>, RepoError> {
        let sql = "SELECT id, name, email, credit_limit_cents FROM users WHERE id = ?1";
        Ok(self.conn.query_row(sql, [id], user_from_row).optional()?)
    }

    fn find_users_by_name(&self, name: &str) -> Result<Vec<User>, RepoError> {
        // The name is bound as a parameter: SQLite receives it as a value, never as SQL text,
        // so no input can change the statement's shape (see the injection lesson).
        let mut statement = self
            .conn
            .prepare_cached("SELECT id, name, email, credit_limit_cents FROM users WHERE name = ?1 ORDER BY id")?;
        let users = statement.query_map([name], user_from_row)?.collect::<rusqlite::Result<Vec<User>>>()?;
        Ok(users)
    }

    fn insert_order(&self, user_id: i64, amount_cents: i64) -> Result<Order, RepoError> {
        self.conn
            .execute("INSERT INTO orders (user_id, amount_cents) VALUES (?1, ?2)", params![user_id, amount_cents])?;
        Ok(Order { id: self.conn.last_insert_rowid(), user_id, amount_cents })
    }

    fn outstanding_cents(&self, user_id: i64) -> Result<i64, RepoError> {
        let sql = "SELECT COALESCE(SUM(amount_cents), 0) FROM orders WHERE user_id = ?1";
        Ok(self.conn.query_row(sql, [user_id], |row| row.get(0))?)
    }
}

/// A working in-memory repository for service tests. It enforces the schema's rules that the
/// service may rely on: unique emails and orders only for existing users.
#[derive(Debug, Default)]
pub struct InMemoryRepository {
    users: RefCell<BTreeMap<i64, User>>,
    orders: RefCell<Vec<Order>>,
}

impl Repository for InMemoryRepository {
    fn insert_user(&self, name: &str, email: &str, credit_limit_cents: i64) -> Result<User, RepoError> {
        let mut users = self.users.borrow_mut();
        if users.values().any(|u| u.email == email) {
            return Err(RepoError::Duplicate);
        }
        let id = users.keys().next_back().map_or(1, |last| last + 1);
        let user = User { id, name: name.to_owned(), email: email.to_owned(), credit_limit_cents };
        users.insert(id, user.clone());
        Ok(user)
    }

    fn user(&self, id: i64) -> Result<Option<User>, RepoError> {
        Ok(self.users.borrow().get(&id).cloned())
    }

    fn find_users_by_name(&self, name: &str) -> Result<Vec<User>, RepoError> {
        Ok(self.users.borrow().values().filter(|u| u.name == name).cloned().collect())
    }

    fn insert_order(&self, user_id: i64, amount_cents: i64) -> Result<Order, RepoError> {
        if !self.users.borrow().contains_key(&user_id) {
            return Err(RepoError::MissingReference);
        }
        let mut orders = self.orders.borrow_mut();
        let order = Order { id: orders.len() as i64 + 1, user_id, amount_cents };
        orders.push(order.clone());
        Ok(order)
    }

    fn outstanding_cents(&self, user_id: i64) -> Result<i64, RepoError> {
        Ok(self.orders.borrow().iter().filter(|o| o.user_id == user_id).map(|o| o.amount_cents).sum())
    }
}

/// Why the service refused an order.
#[derive(Debug)]
pub enum OrderError {
    NotPositive,
    UnknownUser(i64),
    OverCreditLimit { limit_cents: i64, outstanding_cents: i64, requested_cents: i64 },
    Repository(RepoError),
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::NotPositive => write!(f, "an order amount must be positive"),
            OrderError::UnknownUser(id) => write!(f, "no user {id}"),
            OrderError::OverCreditLimit { limit_cents, outstanding_cents, requested_cents } => write!(
                f,
                "order of {requested_cents} cents over the limit: {outstanding_cents} of {limit_cents} already used"
            ),
            OrderError::Repository(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OrderError {}

impl From<RepoError> for OrderError {
    fn from(error: RepoError) -> Self {
        OrderError::Repository(error)
    }
}

/// The business rules for placing orders, over any repository.
pub struct OrderService<R> {
    repo: R,
}

impl<R: Repository> OrderService<R> {
    pub fn new(repo: R) -> Self {
        Self { repo }
    }

    pub fn repo(&self) -> &R {
        &self.repo
    }

    /// Places an order if it is positive, for an existing user, and keeps the user's
    /// outstanding total within their credit limit.
    pub fn place_order(&self, user_id: i64, amount_cents: i64) -> Result<Order, OrderError> {
        if amount_cents <= 0 {
            return Err(OrderError::NotPositive);
        }
        let user = self.repo.user(user_id)?.ok_or(OrderError::UnknownUser(user_id))?;
        let outstanding_cents = self.repo.outstanding_cents(user_id)?;
        if outstanding_cents + amount_cents > user.credit_limit_cents {
            return Err(OrderError::OverCreditLimit {
                limit_cents: user.credit_limit_cents,
                outstanding_cents,
                requested_cents: amount_cents,
            });
        }
        Ok(self.repo.insert_order(user_id, amount_cents)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::open_in_memory;

    /// The contract suite: every test runs against SQLite and against the fake.
    macro_rules! contract_tests {
        ($($name:ident => $body:expr;)*) => {
            mod on_sqlite {
                use super::*;
                $(#[test] fn $name() {
                    let conn = open_in_memory().unwrap();
                    ($body)(OrderService::new(SqliteRepository::new(&conn)));
                })*
            }
            mod on_fake {
                use super::*;
                $(#[test] fn $name() {
                    ($body)(OrderService::new(InMemoryRepository::default()));
                })*
            }
        };
    }

    fn alice<R: Repository>(service: &OrderService<R>) -> User {
        service.repo().insert_user("alice", "alice@example.com", 10_000).unwrap()
    }

    fn an_order_within_the_limit_is_placed<R: Repository>(service: OrderService<R>) {
        let alice = alice(&service);
        let order = service.place_order(alice.id, 2_500).unwrap();
        assert_eq!((order.user_id, order.amount_cents), (alice.id, 2_500));
        assert_eq!(service.repo().outstanding_cents(alice.id).unwrap(), 2_500);
    }

    fn the_credit_limit_counts_outstanding_orders<R: Repository>(service: OrderService<R>) {
        let alice = alice(&service);
        service.place_order(alice.id, 6_000).unwrap();
        let refused = service.place_order(alice.id, 6_000);
        assert!(
            matches!(
                refused,
                Err(OrderError::OverCreditLimit {
                    limit_cents: 10_000,
                    outstanding_cents: 6_000,
                    requested_cents: 6_000
                })
            ),
            "{refused:?}"
        );
        assert_eq!(service.repo().outstanding_cents(alice.id).unwrap(), 6_000);
    }

    fn orders_for_unknown_users_and_non_positive_amounts_are_refused<R: Repository>(service: OrderService<R>) {
        let alice = alice(&service);
        assert!(matches!(service.place_order(999, 100), Err(OrderError::UnknownUser(999))));
        assert!(matches!(service.place_order(alice.id, 0), Err(OrderError::NotPositive)));
    }

    fn a_taken_email_is_a_duplicate_not_a_crash<R: Repository>(service: OrderService<R>) {
        alice(&service);
        let again = service.repo().insert_user("alice 2", "alice@example.com", 1);
        assert!(matches!(again, Err(RepoError::Duplicate)), "{again:?}");
    }

    fn an_order_for_a_missing_user_is_refused_by_the_store_itself<R: Repository>(service: OrderService<R>) {
        // Bypassing the service: the repository (the schema's foreign key) still refuses.
        assert!(matches!(service.repo().insert_order(42, 100), Err(RepoError::MissingReference)));
    }

    // `super::` because each generated test has the same name as the check it runs.
    contract_tests! {
        an_order_within_the_limit_is_placed => super::an_order_within_the_limit_is_placed;
        the_credit_limit_counts_outstanding_orders => super::the_credit_limit_counts_outstanding_orders;
        refuses_unknown_users_and_non_positive_amounts =>
            super::orders_for_unknown_users_and_non_positive_amounts_are_refused;
        a_taken_email_is_a_duplicate_not_a_crash => super::a_taken_email_is_a_duplicate_not_a_crash;
        a_missing_user_is_refused_by_the_store => super::an_order_for_a_missing_user_is_refused_by_the_store_itself;
    }

    #[test]
    fn the_schema_refuses_a_negative_amount_even_without_the_service() {
        let conn = open_in_memory().unwrap();
        let repo = SqliteRepository::new(&conn);
        let alice = repo.insert_user("alice", "alice@example.com", 10_000).unwrap();
        assert!(matches!(repo.insert_order(alice.id, -5), Err(RepoError::Database(_))));
    }
}

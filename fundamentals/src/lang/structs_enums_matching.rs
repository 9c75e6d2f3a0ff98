//! # Structs, enums and pattern matching
//!
//! ## Why interviewers ask this
//! "Model an order that can be pending, paid or shipped" separates engineers who reach for a
//! struct full of optional fields and a status string from those who make invalid states
//! unrepresentable. In Rust the answer is an enum whose variants carry exactly the data their
//! state has, and a `match` the compiler proves exhaustive. Go has structs and interfaces but
//! no sum types, so Go habits (a `Status string` plus fields that are "only set when…") are
//! exactly what the interviewer wants to see you drop.
//!
//! ## How it works
//! - A **struct** groups fields that always exist together; a **tuple struct** (`Cents(u64)`)
//!   gives a plain number a type of its own, so cents and milliseconds cannot be mixed up.
//! - An **enum** is a sum type: a value is exactly one variant, and each variant carries its
//!   own data. [`Order`] cannot be "shipped without a tracking number" — there is no such value.
//! - **`match` is exhaustive**: add a variant and every `match` without a wildcard stops
//!   compiling until it handles it. Patterns destructure (`Order::Paid { amount, .. }`), bind
//!   (`n @ 1..=9`), test with guards (`if amount.0 > limit`) and match on tuples of values to
//!   express a state machine as a table ([`Order::apply`]).
//! - `if let` / `let … else` handle the one-variant case without a full `match`.
//!
//! ## Common pitfalls
//! - A `_ =>` arm on an enum you own: it silently swallows the variant someone adds next
//!   year. Prefer listing variants; reserve `_` for foreign, open-ended enums.
//! - Status strings or booleans instead of variants (`is_paid`, `is_shipped` can both be true).
//! - Guards are not counted for exhaustiveness: `x if x > 0` and `x if x <= 0` still need a
//!   fallback arm — the compiler cannot see that the guards cover everything.
//! - Matching on a reference and moving out of it: use `ref`/`&` patterns, or match on `&value`
//!   (default binding modes bind by reference then).
//!
//! ## Key takeaways
//! - Make invalid states unrepresentable: variants carry only the data their state has.
//! - Let exhaustive `match` be your checklist when the model changes.
//! - Newtypes cost nothing at run time and stop unit mix-ups at compile time.
//! - A state machine is a `match` on `(state, event)`: every transition is one arm, and
//!   anything not listed is rejected explicitly.
//!
//! ## Break it
//! `fundamentals/breaks/lang_matching.patch` adds a `Refunded` variant to [`Order`] without
//! handling it: `rustc` rejects the non-exhaustive `match` with E0004 — the compiler finding the
//! forgotten case that a `switch status` in Go would fall through at run time. (Adding a
//! `_ =>` arm instead would compile — and is the pitfall above.)
//!
//! ## Interview questions
//! - **Q: How do you model a value that is one of several shapes?** A: An enum with data in its
//!   variants; `match` on it exhaustively. In Go you would use an interface plus a type switch,
//!   which the compiler does not check for completeness.
//! - **Q: Why prefer `enum State { A, B { x: u32 } }` over a struct with `Option` fields?**
//!   A: The enum rules out impossible combinations (B without x, A with x), so the code never
//!   has to check for them, and a new state forces every `match` to handle it.
//! - **Q: What is a newtype and why use one?** A: A one-field tuple struct (`struct UserId(u64)`):
//!   zero-cost, but a distinct type, so you cannot pass an order id where a user id is expected.
//! - **Q: Do match guards count for exhaustiveness?** A: No; the compiler treats a guarded arm as
//!   possibly failing, so you still need an arm that covers the rest.

use std::fmt;

/// Money in cents: a newtype, so it cannot be confused with any other `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub u64);

/// An order in exactly one state, each carrying only the data that state has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    Pending { amount: Cents },
    Paid { amount: Cents, payment_id: String },
    Shipped { amount: Cents, payment_id: String, tracking: String },
    Cancelled { reason: String },
}

/// What can happen to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Pay { payment_id: String },
    Ship { tracking: String },
    Cancel { reason: String },
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: &'static str,
    pub event: &'static str,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} an order that is {}", self.event, self.from)
    }
}

impl std::error::Error for IllegalTransition {}

impl Order {
    pub fn state_name(&self) -> &'static str {
        match self {
            Order::Pending { .. } => "pending",
            Order::Paid { .. } => "paid",
            Order::Shipped { .. } => "shipped",
            Order::Cancelled { .. } => "cancelled",
        }
    }

    /// The state machine as a table: one arm per allowed (state, event) pair; everything
    /// else is an explicit error. Consumes the order, so a stale state cannot be reused.
    pub fn apply(self, event: Event) -> Result<Order, IllegalTransition> {
        match (self, event) {
            (Order::Pending { amount }, Event::Pay { payment_id }) => Ok(Order::Paid { amount, payment_id }),
            (Order::Paid { amount, payment_id }, Event::Ship { tracking }) => {
                Ok(Order::Shipped { amount, payment_id, tracking })
            }
            (Order::Pending { .. } | Order::Paid { .. }, Event::Cancel { reason }) => Ok(Order::Cancelled { reason }),
            (order, event) => Err(IllegalTransition { from: order.state_name(), event: event_name(&event) }),
        }
    }

    /// How much the customer has been charged. Exhaustive on purpose: a new state must
    /// decide what it means here.
    pub fn charged(&self) -> Cents {
        match self {
            Order::Pending { .. } | Order::Cancelled { .. } => Cents(0),
            Order::Paid { amount, .. } | Order::Shipped { amount, .. } => *amount,
        }
    }
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Pay { .. } => "pay",
        Event::Ship { .. } => "ship",
        Event::Cancel { .. } => "cancel",
    }
}

/// Patterns beyond destructuring: ranges with bindings, guards and tuples.
pub fn describe_http_status(code: u16) -> &'static str {
    match code {
        200 | 204 => "success",
        n @ 300..=399 if n != 304 => "redirect",
        304 => "not modified",
        429 | 503 => "retry later",
        400..=499 => "client error",
        500..=599 => "server error",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Order {
        Order::Pending { amount: Cents(1_250) }
    }

    #[test]
    fn the_happy_path_moves_through_every_state_carrying_its_data() {
        let paid = pending().apply(Event::Pay { payment_id: "p-1".into() }).unwrap();
        assert_eq!(paid.charged(), Cents(1_250));
        let shipped = paid.apply(Event::Ship { tracking: "T9".into() }).unwrap();
        assert_eq!(shipped, Order::Shipped { amount: Cents(1_250), payment_id: "p-1".into(), tracking: "T9".into() });
    }

    #[test]
    fn transitions_not_in_the_table_are_rejected_with_their_names() {
        let error = pending().apply(Event::Ship { tracking: "T9".into() }).unwrap_err();
        assert_eq!(error.to_string(), "cannot ship an order that is pending");
        let shipped = Order::Shipped { amount: Cents(1), payment_id: "p".into(), tracking: "t".into() };
        assert_eq!(shipped.apply(Event::Cancel { reason: "late".into() }).unwrap_err().from, "shipped");
    }

    #[test]
    fn a_cancelled_order_charges_nothing_and_accepts_no_event() {
        let cancelled = pending().apply(Event::Cancel { reason: "changed mind".into() }).unwrap();
        assert_eq!(cancelled.charged(), Cents(0));
        for event in [
            Event::Pay { payment_id: "p".into() },
            Event::Ship { tracking: "t".into() },
            Event::Cancel { reason: "again".into() },
        ] {
            assert!(cancelled.clone().apply(event).is_err());
        }
    }

    #[test]
    fn patterns_with_ranges_bindings_and_guards_classify_status_codes() {
        let cases = [
            (200, "success"),
            (301, "redirect"),
            (304, "not modified"),
            (429, "retry later"),
            (404, "client error"),
            (503, "retry later"),
            (500, "server error"),
            (99, "unknown"),
        ];
        for (code, expected) in cases {
            assert_eq!(describe_http_status(code), expected, "{code}");
        }
    }

    #[test]
    fn newtypes_cost_nothing_at_run_time() {
        assert_eq!(std::mem::size_of::<Cents>(), std::mem::size_of::<u64>());
    }
}

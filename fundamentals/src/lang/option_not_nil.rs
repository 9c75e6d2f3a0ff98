//! # `Option` instead of nil
//!
//! ## Why interviewers ask this
//! Nil pointer dereferences are the most common Go production panic, and Go's typed-nil
//! interface (`var p *T = nil; var i I = p; i != nil`) is a classic trick question. The
//! Rust answer — absence is a type, `Option<T>`, and the compiler makes you handle it — is
//! short, but interviewers check that you can use it fluently and know it costs nothing.
//!
//! ## How it works
//! - References (`&T`, `Box<T>`) are never null. "Maybe a value" is `Option<T>`: `Some(v)` or
//!   `None`. You cannot reach the `T` without saying what happens on `None`.
//! - **Niche optimisation**: `Option<&T>`, `Option<Box<T>>`, `Option<NonZeroU32>` are the same
//!   size as the inner type — `None` is stored in the bit pattern the inner type can never
//!   have (null, zero). Absence is free.
//! - Combinators keep code flat: `map`, `and_then`, `filter`, `unwrap_or`, `ok_or` (turn
//!   absence into an error), and `?` inside a function returning `Option`
//!   ([`manager_email`]).
//! - `Option<&T>` vs `&Option<T>`: return the former (`opt.as_ref()`) — it hides how the value
//!   is stored.
//!
//! ## Common pitfalls
//! - `.unwrap()` everywhere: it is a nil dereference with a nicer message. Use `?`,
//!   `let ... else`, or `expect("why this cannot be None")` for true invariants.
//! - Sentinels (`-1`, `""`, `0`) to mean "absent" — the Go habit the type system now catches.
//! - `Option<Option<T>>` from a map of optionals: flatten or model the states with an enum.
//!
//! ## Key takeaways
//! - No null: absence is `Option`, checked at compile time, zero-cost for pointers.
//! - Use `?` and combinators; reserve `expect` for invariants and say why.
//!
//! ## Break it
//! `breaks/lang_option.patch` reads `.email` straight off the result of a lookup that may find
//! nothing — Go's `users[id].Manager.Email` that panics at run time on a nil manager.
//! `scripts/break-it.sh lang_option` shows **E0609**: no field `email` on type
//! `Option<&User>`; the compiler insists the missing case is handled.
//!
//! ## Interview questions
//! - *Why does `Option<Box<T>>` not need an extra byte?* — `Box` is never null, so the null
//!   bit pattern encodes `None` (niche optimisation); same for `&T`, `NonZero*`, `char`.
//! - *Explain Go's typed nil interface bug; can it happen in Rust?* — A Go interface is
//!   (type, pointer); a nil `*T` stored in it makes the interface non-nil. Rust has no null
//!   pointers and `Option<Box<dyn Trait>>` has exactly one "absent" state.
//! - *`unwrap` vs `expect` vs `?`* — `?` propagates absence to the caller; `expect` panics with
//!   your reason, for states that are bugs; `unwrap` is `expect` without the reason.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: u32,
    pub email: String,
    pub manager: Option<u32>,
}

#[derive(Debug, Default)]
pub struct Directory {
    users: BTreeMap<u32, User>,
}

impl Directory {
    pub fn add(&mut self, user: User) {
        self.users.insert(user.id, user);
    }

    /// `Option<&User>`: the caller cannot forget the "no such user" case.
    pub fn find(&self, id: u32) -> Option<&User> {
        self.users.get(&id)
    }
}

/// The manager's email of user `id`, if the user exists, has a manager, and that manager
/// exists. Each `?` returns `None` early — Go's `if x == nil { return nil }` ladder.
pub fn manager_email(directory: &Directory, id: u32) -> Option<&str> {
    let user = directory.find(id)?;
    let manager = directory.find(user.manager?)?;
    Some(manager.email.as_str())
}

/// The same lookup with combinators; reads as a pipeline.
pub fn manager_email_chained(directory: &Directory, id: u32) -> Option<&str> {
    directory
        .find(id)
        .and_then(|user| user.manager)
        .and_then(|manager_id| directory.find(manager_id))
        .map(|manager| manager.email.as_str())
}

/// Email of user `id` or a reason why not: absence turned into an error with `ok_or_else`.
pub fn email_or_error(directory: &Directory, id: u32) -> Result<&str, String> {
    directory.find(id).map(|user| user.email.as_str()).ok_or_else(|| format!("no user {id}"))
}

/// A port that can never be zero: the type states the invariant, and `Option` of it is free.
pub fn parse_port(text: &str) -> Option<NonZeroU32> {
    text.parse::<u32>().ok().and_then(NonZeroU32::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    fn directory() -> Directory {
        let mut directory = Directory::default();
        directory.add(User { id: 1, email: "boss@x.io".into(), manager: None });
        directory.add(User { id: 2, email: "dev@x.io".into(), manager: Some(1) });
        directory.add(User { id: 3, email: "lost@x.io".into(), manager: Some(99) });
        directory
    }

    #[test]
    fn question_mark_follows_the_chain_or_stops_at_the_first_absence() {
        let directory = directory();
        assert_eq!(manager_email(&directory, 2), Some("boss@x.io"));
        assert_eq!(manager_email(&directory, 1), None, "no manager");
        assert_eq!(manager_email(&directory, 3), None, "manager id points nowhere");
        assert_eq!(manager_email(&directory, 42), None, "no such user");
    }

    #[test]
    fn combinators_and_question_mark_agree_on_every_user() {
        let directory = directory();
        for id in 0..5 {
            assert_eq!(manager_email(&directory, id), manager_email_chained(&directory, id));
        }
    }

    #[test]
    fn absence_becomes_an_error_with_ok_or_else() {
        let directory = directory();
        assert_eq!(email_or_error(&directory, 2), Ok("dev@x.io"));
        assert_eq!(email_or_error(&directory, 7), Err("no user 7".to_owned()));
    }

    #[test]
    fn option_of_a_non_null_type_costs_no_space() {
        assert_eq!(size_of::<Option<&User>>(), size_of::<&User>());
        assert_eq!(size_of::<Option<Box<User>>>(), size_of::<Box<User>>());
        assert_eq!(size_of::<Option<NonZeroU32>>(), 4);
        assert_eq!(size_of::<Option<u32>>(), 8, "u32 has no spare bit pattern: a tag is added");
    }

    #[test]
    fn zero_is_not_a_port() {
        assert_eq!(parse_port("8080").map(NonZeroU32::get), Some(8080));
        assert_eq!(parse_port("0"), None);
        assert_eq!(parse_port("http"), None);
    }
}

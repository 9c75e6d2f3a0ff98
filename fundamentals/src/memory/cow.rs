//! # `Cow`: borrow when you can, allocate when you must
//!
//! ## Why interviewers ask this
//! Hot paths that sanitise or normalise input (header values, log lines, paths) usually find
//! nothing to change. Returning a fresh `String` every time allocates for nothing. `Cow`
//! ("clone on write") is the standard answer, and a good signal that a candidate thinks about
//! allocations without reaching for `unsafe`.
//!
//! ## How it works
//! - `Cow<'a, str>` is either `Borrowed(&'a str)` or `Owned(String)`. It derefs to `&str`,
//!   so callers read it the same way whichever it is.
//! - [`normalize_whitespace`] scans first; if the input is already clean it returns
//!   `Cow::Borrowed(input)` — no allocation. Only when a change is needed does it build a
//!   `String`.
//! - `cow.to_mut()` turns a borrowed value into an owned one on first write (the "on write");
//!   `into_owned()` gives a `String` either way.
//! - Same idea elsewhere: `String::from_utf8_lossy` returns `Cow<str>`; `Cow<[T]>` for slices.
//!
//! ## Common pitfalls
//! - Calling `.into_owned()` or `.to_string()` immediately: the allocation comes back.
//! - Using `Cow` where the result is always modified: plain `String` is simpler.
//! - Lifetimes: a `Cow<'a, str>` borrows the input, so it cannot outlive it; store
//!   `Cow<'static, str>` or owned data in long-lived structs.
//!
//! ## Key takeaways
//! - Return `Cow` from transformations that are usually no-ops.
//! - Check first, allocate only on the path that changes something.
//!
//! ## Break it
//! `breaks/memory_cow.patch` makes [`normalize_whitespace`] always return `Cow::Owned`.
//! `scripts/break-it.sh memory_cow`: `clean_input_is_borrowed_not_copied` fails — the output
//! is still correct, only the free fast path is gone, which is why the test checks the
//! variant and not just the text.
//!
//! ## Interview questions
//! - *What is `Cow` and when do you use it?* — An enum of borrowed or owned data behind one
//!   read interface; for functions that only sometimes need to allocate.
//! - *What does `to_mut` do on a borrowed `Cow`?* — Clones the borrowed data into an owned
//!   value, replaces itself with it, and returns `&mut` to it.
//! - *How would you avoid allocating in a header-sanitising middleware?* — Validate in place
//!   and return `Cow::Borrowed` when the header is clean; allocate only to rewrite it.

use std::borrow::Cow;

/// Collapses runs of whitespace into one space and trims the ends. Clean input is returned
/// borrowed: no allocation on the common path.
pub fn normalize_whitespace(input: &str) -> Cow<'_, str> {
    if is_normalized(input) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(input.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn is_normalized(input: &str) -> bool {
    let mut previous_was_space = true; // so a leading space counts as a violation
    for c in input.chars() {
        let is_space = c.is_whitespace();
        if is_space && (previous_was_space || c != ' ') {
            return false;
        }
        previous_was_space = is_space;
    }
    !previous_was_space || input.is_empty()
}

/// Escapes `<`, `>` and `&` for HTML; returns the input borrowed when there is nothing to do.
pub fn escape_html(input: &str) -> Cow<'_, str> {
    if !input.contains(['<', '>', '&']) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 16);
    for c in input.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clean_input_is_borrowed_not_copied() {
        let input = "already clean text";
        let output = normalize_whitespace(input);
        assert!(matches!(output, Cow::Borrowed(_)));
        assert_eq!(output.as_ptr(), input.as_ptr(), "the very same bytes");
    }

    #[test]
    fn dirty_input_is_rewritten_into_an_owned_string() {
        let output = normalize_whitespace("  too   many\tspaces ");
        assert!(matches!(output, Cow::Owned(_)));
        assert_eq!(output, "too many spaces");
    }

    #[test]
    fn escaping_allocates_only_when_something_needs_escaping() {
        assert!(matches!(escape_html("plain"), Cow::Borrowed("plain")));
        assert_eq!(escape_html("a<b & c>"), "a&lt;b &amp; c&gt;");
    }

    #[test]
    fn to_mut_clones_a_borrowed_value_on_first_write() {
        let original = String::from("config");
        let mut cow = Cow::Borrowed(original.as_str());
        cow.to_mut().push_str("-v2");
        assert!(matches!(cow, Cow::Owned(_)));
        assert_eq!(cow, "config-v2");
        assert_eq!(original, "config", "the borrowed source was never touched");
    }

    proptest! {
        #[test]
        fn normalizing_matches_the_allocating_model_and_borrows_iff_unchanged(input in "[ a-c\\t\\n]{0,16}") {
            let model = input.split_whitespace().collect::<Vec<_>>().join(" ");
            let output = normalize_whitespace(&input);
            prop_assert_eq!(&*output, model.as_str());
            prop_assert_eq!(matches!(output, Cow::Borrowed(_)), model == input);
        }
    }
}

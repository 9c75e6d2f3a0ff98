//! # Ownership, moves, `Copy`/`Clone` and borrowing
//!
//! ## Why interviewers ask this
//! It is the one idea every other Rust answer rests on. A Go engineer is used to a garbage
//! collector deciding when memory dies and to slices that silently alias; an interviewer wants
//! to hear that in Rust every value has exactly one owner, that the owner going out of scope
//! frees it, and that the borrow checker's "one writer XOR many readers" rule is what removes
//! both use-after-free and data races at compile time.
//!
//! ## How it works
//! - **Ownership.** Each value has one owner (a variable, a field, a collection slot). When
//!   the owner goes out of scope the value is dropped, exactly once, at a known point.
//! - **Move.** `let b = a;` or passing `a` to a function by value transfers ownership; `a` is
//!   statically dead afterwards (no copy of the heap data is made — only the 24-byte `Vec`
//!   header moves). [`consume`] takes its argument by value and frees it.
//! - **`Copy`** types (integers, `bool`, `char`, `&T`, tuples/arrays of `Copy`) are duplicated
//!   bit-for-bit instead of moved; they cannot own resources, so a copy is always safe.
//!   **`Clone`** is the explicit, possibly expensive deep copy (`.clone()`).
//! - **Borrowing.** `&T` is a shared borrow (many at once, read-only); `&mut T` is an exclusive
//!   borrow (exactly one, no readers alongside). A borrow can't outlive the owner.
//! - Moving *out of* a `&mut` is not allowed — it would leave a hole. [`std::mem::take`] and
//!   [`std::mem::replace`] move out by leaving a valid value behind ([`Inbox::drain`]).
//! - Two disjoint `&mut` into one slice are fine if the compiler can see they are disjoint:
//!   [`slice::split_at_mut`] ([`swap_halves_maxima`]).
//!
//! ## Common pitfalls
//! - Keeping a reference into a `Vec` and then pushing: the push may reallocate and leave the
//!   reference dangling. Go lets this happen silently (the old backing array stays alive and
//!   diverges from the new one); Rust refuses it (E0502). [`push_then_read_first`] shows the
//!   order that compiles.
//! - Cloning to "make the borrow checker happy": it compiles, but each clone is an allocation
//!   and two copies that now drift apart. Restructure the borrows first.
//! - `&mut` exclusivity is per *path*: `&mut self.a` and `&mut self.b` coexist, but two calls
//!   to `self.get_a_mut()` and `self.get_b_mut()` do not (methods borrow all of `self`).
//!
//! ## Key takeaways
//! - One owner; drop at end of scope; a move is a cheap transfer, not a copy.
//! - Shared XOR mutable: many `&T` or one `&mut T`, never both.
//! - `Copy` is for plain data; `Clone` is a visible cost.
//!
//! ## Break it
//! `breaks/lang_ownership.patch` reads the first element through a reference held across
//! `push` — the Go "append may reallocate under your slice" bug. `scripts/break-it.sh
//! lang_ownership` shows **E0502** (cannot borrow `*values` as mutable because it is also
//! borrowed as immutable): the bug never reaches run time.
//!
//! ## Interview questions
//! - *What happens on `let b = a;` for a `Vec` vs an `i32`?* — The `Vec` header (pointer,
//!   capacity, length) is moved and `a` becomes unusable; no heap copy. An `i32` is `Copy`,
//!   so both stay usable.
//! - *Why can't a type be both `Copy` and `Drop`?* — A bitwise copy would duplicate ownership
//!   of whatever `Drop` releases, so it would be released twice.
//! - *What does the borrow checker prevent?* — Use-after-free, dangling references,
//!   iterator invalidation and data races: all are "a write while someone else can read".
//! - *How do you get two mutable references into one array?* — `split_at_mut`,
//!   `chunks_mut`, or indices; the API proves disjointness to the compiler.

/// Takes ownership of `values`; they are freed when this function returns.
pub fn consume(values: Vec<String>) -> usize {
    values.iter().map(String::len).sum()
}

/// Borrows immutably: the caller keeps ownership and can use `values` afterwards.
pub fn total_len(values: &[String]) -> usize {
    values.iter().map(String::len).sum()
}

/// Pushes `extra`, then returns the first element. The read happens *after* the push, so no
/// reference is alive while the vector may reallocate.
pub fn push_then_read_first(values: &mut Vec<u32>, extra: u32) -> u32 {
    values.push(extra);
    let first = &values[0];
    *first
}

/// Returns the largest element of each half, mutating both halves through two `&mut` borrows
/// that the compiler knows are disjoint (it zeroes each maximum after reading it).
pub fn swap_halves_maxima(values: &mut [i32]) -> (i32, i32) {
    let mid = values.len() / 2;
    let (left, right) = values.split_at_mut(mid);
    let take_max = |half: &mut [i32]| {
        let slot = half.iter_mut().max_by_key(|v| **v).expect("non-empty half");
        std::mem::replace(slot, 0)
    };
    (take_max(left), take_max(right))
}

/// Messages waiting for a consumer.
#[derive(Debug, Default)]
pub struct Inbox {
    messages: Vec<String>,
}

impl Inbox {
    pub fn push(&mut self, message: impl Into<String>) {
        self.messages.push(message.into());
    }

    /// Moves every message out through `&mut self`, leaving an empty `Vec` behind; no clone.
    pub fn drain(&mut self) -> Vec<String> {
        std::mem::take(&mut self.messages)
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn moving_a_vec_transfers_the_same_heap_buffer_without_copying() {
        let values = vec![String::from("a"), String::from("bc")];
        let buffer_before = values.as_ptr();
        let moved = values; // `values` is dead from here on; using it would be E0382.
        assert_eq!(moved.as_ptr(), buffer_before, "a move copies the header only");
        assert_eq!(consume(moved), 3);
    }

    #[test]
    fn borrowing_leaves_ownership_with_the_caller() {
        let values = vec![String::from("abc")];
        assert_eq!(total_len(&values), 3);
        assert_eq!(values.len(), 1, "still usable after the borrow ended");
    }

    #[test]
    fn copy_types_duplicate_and_clone_makes_an_independent_deep_copy() {
        let a = 7_u64;
        let b = a; // Copy: both alive.
        assert_eq!(a + b, 14);

        let original = vec![1, 2, 3];
        let mut copy = original.clone();
        copy.push(4);
        assert_eq!(original, [1, 2, 3], "the clone owns its own buffer");
        assert_ne!(original.as_ptr(), copy.as_ptr());
    }

    #[test]
    fn pushing_after_the_last_read_is_accepted_and_correct() {
        let mut values = Vec::with_capacity(1);
        values.push(10);
        assert_eq!(push_then_read_first(&mut values, 20), 10);
        assert_eq!(values, [10, 20]);
    }

    #[test]
    fn split_at_mut_gives_two_disjoint_mutable_borrows() {
        let mut values = [3, 9, 1, 4, 8, 2];
        assert_eq!(swap_halves_maxima(&mut values), (9, 8));
        assert_eq!(values, [3, 0, 1, 4, 0, 2]);
    }

    #[test]
    fn mem_take_moves_out_through_a_mutable_borrow() {
        let mut inbox = Inbox::default();
        inbox.push("hello");
        inbox.push("world");
        let drained = inbox.drain();
        assert_eq!(drained, ["hello", "world"]);
        assert!(inbox.is_empty(), "take leaves Default::default() behind");
    }

    #[test]
    fn a_value_is_dropped_exactly_once_when_its_last_owner_goes_away() {
        // Rc's strong count makes ownership visible: moving a handle does not add an owner.
        let shared = Rc::new(());
        let owner = Rc::clone(&shared);
        assert_eq!(Rc::strong_count(&shared), 2);
        let new_owner = owner; // move, not a new owner
        assert_eq!(Rc::strong_count(&shared), 2);
        drop(new_owner);
        assert_eq!(Rc::strong_count(&shared), 1);
    }
}

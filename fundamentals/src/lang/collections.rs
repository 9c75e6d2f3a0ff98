//! # Arrays, `Vec`, slices, strings and maps
//!
//! ## Why interviewers ask this
//! Everyday data handling is where performance and correctness bugs hide: reallocating in a
//! hot loop, slicing a UTF-8 string through the middle of a character, relying on `HashMap`
//! order. A Go engineer maps `[N]T`/`[]T`/`string`/`map` onto Rust and must know where the
//! mapping differs.
//!
//! ## How it works
//! - **`[T; N]`** is a fixed-size value (on the stack if it is a local; `Copy` if `T` is).
//!   **`Vec<T>`** owns a growable heap buffer: pointer, capacity, length (3 words).
//!   **`&[T]`** is a borrowed view: pointer + length (a 2-word "fat pointer"). Functions should
//!   take `&[T]` so they accept arrays, vectors and sub-slices alike.
//! - **Growth.** When `len == capacity`, `push` allocates a bigger buffer (std at least doubles
//!   it), copies the elements and frees the old one: amortised O(1), but each growth is a
//!   `memcpy` and invalidates every pointer into the buffer. [`count_reallocations`] measures
//!   it; `Vec::with_capacity(n)` makes `n` pushes allocate once.
//!   Measured (`benches/lang.rs`, release, two runs on a shared 2-core machine): 1 000
//!   vectors of 100 `u64`s — **≈ 336 µs** growing from empty vs **≈ 90 µs** with
//!   `with_capacity(100)` (≈ 3.7×: six reallocations per small vector dominate). One vector
//!   of 100k pushes: **62–67 µs** vs **68–90 µs** — at that size `realloc` often grows in
//!   place and the push loop dominates, so preallocation matters most for many small
//!   collections and when pointers into the buffer must stay valid.
//! - **`String`** is a `Vec<u8>` that is always valid UTF-8; **`&str`** is a borrowed slice of
//!   one. `len()` is **bytes**; `chars()` yields Unicode scalar values (1–4 bytes each).
//!   Slicing `&s[a..b]` must fall on char boundaries or it panics; `s.get(a..b)` returns
//!   `None` instead. [`truncate_utf8`] cuts at the last boundary that fits.
//! - **Maps.** `HashMap` is O(1) average with a randomly seeded hasher (SipHash, resistant to
//!   hash flooding): iteration order is arbitrary and differs between runs. `BTreeMap` is
//!   O(log n), always sorted, and supports range queries. The **entry API** does
//!   find-or-insert with one lookup ([`word_counts`]). Maps never shrink on their own:
//!   `shrink_to_fit` after a big delete.
//! - **String building.** `push_str` into one `String` (ideally `with_capacity`) beats
//!   repeated `a + &b` or `format!` in a loop. Measured (1 000 short pieces, release):
//!   `push_str` with capacity **≈ 4.0 µs**, `format!` per piece **≈ 136 µs** (≈ 34×). The `format!` loop re-copies everything built so far on each step
//!   (quadratic, like Go's `s += piece`) — see [`join_with_push_str`] and [`join_with_format`].
//!
//! ## Common pitfalls
//! - `s.len()` as a character count, `&s[..n]` on user input (panics on "é" at the edge).
//! - `bytes()` on text meant for humans; `chars()` on bytes meant for a protocol.
//! - Printing or hashing a `HashMap` in iteration order: output changes from run to run.
//! - Collecting into a `Vec` just to call `.len()` or iterate once more.
//!
//! ## Key takeaways
//! - Take `&[T]` and `&str` in parameters; own with `Vec`/`String` in structs.
//! - Preallocate when the size is known; growth costs a copy each time capacity runs out.
//! - Strings are UTF-8 bytes: index by byte, iterate by char, check boundaries.
//! - `BTreeMap` when order or ranges matter (or output must be deterministic); `HashMap`
//!   otherwise; the entry API for upserts.
//!
//! ## Break it
//! `breaks/lang_collections.patch` truncates with `&text[..max_bytes]`, the way Go's
//! `s[:n]` does. `scripts/break-it.sh lang_collections`: the test
//! `truncation_never_splits_a_multibyte_character` fails — Rust panics ("byte index 1 is not a
//! char boundary") where Go would silently produce invalid UTF-8.
//!
//! ## Interview questions
//! - *What is the difference between `String`, `&str` and `&String`?* — `String` owns a
//!   growable UTF-8 buffer; `&str` borrows any UTF-8 bytes (a literal, part of a `String`);
//!   `&String` is a reference to the owner and is strictly less useful than `&str` as a
//!   parameter.
//! - *Why is `s[3]` not allowed on a `String`?* — Bytes are not characters; indexing would
//!   either be O(n) or return half a character. Use `s.as_bytes()[3]` or `s.chars().nth(3)`.
//! - *How does `Vec` grow and what does it cost?* — Amortised doubling: O(1) per push on
//!   average, O(n) for the push that reallocates, and every reallocation moves the data.
//!   Preallocate with `with_capacity` or `reserve`.
//! - *`HashMap` or `BTreeMap`?* — Hash for point lookups at scale; B-tree for sorted
//!   iteration, ranges, small maps (cache-friendly) and deterministic output.

use std::collections::{BTreeMap, HashMap};

/// Pushes `count` elements into a fresh `Vec` (with `initial_capacity`) and returns how many
/// times its buffer moved to a bigger allocation.
pub fn count_reallocations(initial_capacity: usize, count: usize) -> usize {
    let mut values = Vec::with_capacity(initial_capacity);
    let mut reallocations = 0;
    let mut capacity = values.capacity();
    for i in 0..count {
        values.push(i as u64);
        if values.capacity() != capacity {
            // Growth never merely adds one slot: that would make pushes O(n) each.
            assert!(capacity == 0 || values.capacity() >= 2 * capacity);
            capacity = values.capacity();
            reallocations += 1;
        }
    }
    reallocations
}

/// The longest prefix of `text` that is at most `max_bytes` long and ends on a char boundary.
pub fn truncate_utf8(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let cut =
        (0..=max_bytes).rev().find(|&index| text.is_char_boundary(index)).expect("index 0 is always a char boundary");
    &text[..cut]
}

/// How many times each word occurs, in sorted word order (BTreeMap: deterministic output).
pub fn word_counts(text: &str) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for word in text.split_whitespace() {
        // One lookup: find the slot or create it with 0, then increment in place.
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}

/// Groups words by first character with a `HashMap`, then returns the groups sorted, because
/// the `HashMap`'s own iteration order is arbitrary and must not leak into the output.
pub fn group_by_initial(words: &[&str]) -> Vec<(char, Vec<String>)> {
    let mut groups: HashMap<char, Vec<String>> = HashMap::new();
    for word in words {
        if let Some(initial) = word.chars().next() {
            groups.entry(initial).or_default().push((*word).to_owned());
        }
    }
    let mut sorted: Vec<_> = groups.into_iter().collect();
    sorted.sort_unstable_by_key(|(initial, _)| *initial);
    sorted
}

/// Joins pieces with one preallocated `String` and `push_str`: one allocation in total.
pub fn join_with_push_str(pieces: &[&str], separator: &str) -> String {
    let total: usize = pieces.iter().map(|p| p.len() + separator.len()).sum();
    let mut out = String::with_capacity(total);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(piece);
    }
    out
}

/// The same join written the slow way: a fresh `String` from `format!` per piece.
pub fn join_with_format(pieces: &[&str], separator: &str) -> String {
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        out = if i == 0 { piece.to_string() } else { format!("{out}{separator}{piece}") };
    }
    out
}

/// Sum over any contiguous run of `u32`: an array, a `Vec` or a sub-slice.
pub fn sum(values: &[u32]) -> u64 {
    values.iter().map(|&v| u64::from(v)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::mem::size_of;

    #[test]
    fn preallocating_avoids_every_reallocation() {
        assert_eq!(count_reallocations(10_000, 10_000), 0);
        let grown = count_reallocations(0, 10_000);
        // Doubling from 4 to 16384 is 13 growths; the exact factor is std's business, but it
        // must be geometric, so the count is logarithmic.
        assert!((10..=20).contains(&grown), "{grown} reallocations");
    }

    #[test]
    fn slices_are_fat_pointers_and_vec_is_three_words() {
        let word = size_of::<usize>();
        assert_eq!(size_of::<&[u8]>(), 2 * word);
        assert_eq!(size_of::<&str>(), 2 * word);
        assert_eq!(size_of::<Vec<u8>>(), 3 * word);
        assert_eq!(size_of::<String>(), 3 * word);
        assert_eq!(size_of::<[u32; 8]>(), 32, "an array is its elements, inline");
    }

    #[test]
    fn one_function_taking_a_slice_serves_arrays_vecs_and_subslices() {
        let array = [1, 2, 3];
        let vector = vec![4, 5, 6];
        assert_eq!(sum(&array), 6);
        assert_eq!(sum(&vector), 15);
        assert_eq!(sum(&vector[1..]), 11);
    }

    #[test]
    fn len_counts_bytes_and_chars_counts_unicode_scalars() {
        let word = "naïve café";
        assert_eq!(word.len(), 12);
        assert_eq!(word.chars().count(), 10);
        assert_eq!(word.as_bytes()[2], 0xC3, "first byte of 'ï'");
        assert_eq!(word.chars().nth(2), Some('ï'));
    }

    #[test]
    fn slicing_inside_a_character_is_refused() {
        let word = "é";
        assert_eq!(word.get(..1), None);
        let result = std::panic::catch_unwind(|| word[..1].len());
        assert!(result.is_err(), "indexing through a char panics");
    }

    #[test]
    fn truncation_never_splits_a_multibyte_character() {
        assert_eq!(truncate_utf8("héllo", 2), "h");
        assert_eq!(truncate_utf8("héllo", 3), "hé");
        assert_eq!(truncate_utf8("🦀🦀", 5), "🦀");
        assert_eq!(truncate_utf8("abc", 10), "abc");
    }

    #[test]
    fn entry_api_counts_in_one_lookup_and_btreemap_iterates_sorted() {
        let counts = word_counts("b a b c b a");
        let listed: Vec<_> = counts.into_iter().collect();
        assert_eq!(listed, [("a", 2), ("b", 3), ("c", 1)]);
    }

    #[test]
    fn btreemap_answers_range_queries() {
        let prices: BTreeMap<u32, &str> = [(5, "five"), (10, "ten"), (20, "twenty")].into();
        let in_range: Vec<_> = prices.range(6..=20).map(|(_, name)| *name).collect();
        assert_eq!(in_range, ["ten", "twenty"]);
    }

    #[test]
    fn hashmap_groups_are_returned_in_a_deterministic_order() {
        let groups = group_by_initial(&["cat", "apple", "car", "bee", "ant"]);
        let initials: Vec<char> = groups.iter().map(|(c, _)| *c).collect();
        assert_eq!(initials, ['a', 'b', 'c']);
        assert_eq!(groups[2].1, ["cat", "car"], "insertion order within a group");
    }

    #[test]
    fn maps_keep_their_capacity_until_asked_to_shrink() {
        let mut map: HashMap<u32, u32> = (0..10_000).map(|i| (i, i)).collect();
        map.retain(|&k, _| k < 10);
        assert!(map.capacity() >= 10_000, "removal does not shrink");
        map.shrink_to_fit();
        assert!(map.capacity() < 100);
    }

    #[test]
    fn both_joins_agree() {
        let pieces = ["alpha", "beta", "", "gamma"];
        assert_eq!(join_with_push_str(&pieces, ", "), "alpha, beta, , gamma");
        assert_eq!(join_with_format(&pieces, ", "), join_with_push_str(&pieces, ", "));
    }

    proptest! {
        #[test]
        fn truncation_is_the_longest_valid_prefix(text in "\\PC{0,12}", max in 0_usize..40) {
            let cut = truncate_utf8(&text, max);
            prop_assert!(cut.len() <= max);
            prop_assert!(text.starts_with(cut));
            // Longest: the next char would not have fitted.
            if let Some(next) = text[cut.len()..].chars().next() {
                prop_assert!(cut.len() + next.len_utf8() > max);
            }
        }
    }
}

//! # Dynamic-programming problems
//!
//! Climbing stairs, unique paths, word break, decode ways: count or decide by combining the
//! answers for shorter prefixes (see `algorithms::dynamic_programming` for the method).
//!
//! ## Break it
//! `breaks/dp_problems.patch` starts [`word_break`]'s table with `can_split[0] = false` — "the
//! empty prefix cannot be split". Nothing can then be built on it:
//! `word_break_builds_on_splittable_prefixes` fails for every splittable input.

use std::collections::HashSet;

/// **Climbing stairs.** Taking 1 or 2 steps at a time, in how many ways can you climb `n`
/// steps? (`n = 0`: one way, do nothing.)
///
/// **Insight:** the last move was 1 step (from `n - 1`) or 2 steps (from `n - 2`):
/// `ways(n) = ways(n - 1) + ways(n - 2)` — Fibonacci. Two variables suffice.
///
/// **Complexity:** `O(n)` time, `O(1)` space. Returns `None` once the count overflows `u64`
/// (from `n = 93`).
pub fn climb_stairs(n: u32) -> Option<u64> {
    // (ways to reach step i - 1, ways to reach step i), starting at i = 0 with no step -1.
    // Computing only up to step n keeps n = 92 in range: ways(92) fits, ways(93) does not.
    let (mut before, mut here) = (0u64, 1u64);
    for _ in 0..n {
        (before, here) = (here, before.checked_add(here)?);
    }
    Some(here)
}

/// **Unique paths.** A robot at the top-left of a `rows × cols` grid moves only right or down.
/// How many paths reach the bottom-right corner? (0 for an empty grid.)
///
/// **Insight:** `paths(r, c) = paths(r - 1, c) + paths(r, c - 1)`, with 1 along the top row and
/// left column; one row of the table is enough. (Closed form: `C(rows + cols - 2, rows - 1)`.)
///
/// **Complexity:** `O(rows × cols)` time, `O(cols)` space.
pub fn unique_paths(rows: usize, cols: usize) -> u64 {
    if rows == 0 || cols == 0 {
        return 0;
    }
    let mut paths = vec![1u64; cols];
    for _ in 1..rows {
        for c in 1..cols {
            paths[c] += paths[c - 1];
        }
    }
    paths[cols - 1]
}

/// **Word break.** Can `text` be split into a sequence of dictionary words (each usable any
/// number of times)?
///
/// **Insight:** `can_split[i]`: the prefix of length `i` can be split. It holds if for some
/// `j < i` the prefix `j` can be split and `text[j..i]` is a word. `can_split[0]` is true — the
/// empty prefix needs no words. Only word lengths that occur in the dictionary need trying.
///
/// **Complexity:** `O(n × L × w)` time for `L` distinct word lengths and slices of length up
/// to `w` hashed per lookup, `O(n + dictionary)` space. Plain recursion without the table is
/// exponential (`"aaaa…ab"` with words `a`, `aa`, `aaa`…).
pub fn word_break(text: &str, dictionary: &[&str]) -> bool {
    let words: HashSet<&str> = dictionary.iter().copied().collect();
    let mut lengths: Vec<usize> = dictionary.iter().map(|w| w.len()).filter(|&len| len > 0).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let mut can_split = vec![false; text.len() + 1];
    can_split[0] = true;
    for end in 1..=text.len() {
        can_split[end] = lengths.iter().take_while(|&&len| len <= end).any(|&len| {
            let start = end - len;
            // Byte offsets: `get` returns None for a slice that would cut a character in two.
            can_split[start] && text.get(start..end).is_some_and(|piece| words.contains(piece))
        });
    }
    can_split[text.len()]
}

/// **Decode ways.** Letters are encoded `A = 1 … Z = 26`; in how many ways can a digit string
/// be decoded? (`"226"` → 3: `BZ`, `VF`, `BBF`.) Empty input has one (empty) decoding.
///
/// **Insight:** like climbing stairs with conditions: the last letter used one digit (valid if
/// not `0`) or two digits (valid if `10..=26`). `0` on its own cannot be decoded.
///
/// **Complexity:** `O(n)` time, `O(1)` space.
pub fn decode_ways(digits: &str) -> u64 {
    let bytes = digits.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    // (ways for the prefix of length i - 1, ways for the prefix of length i)
    let (mut before, mut here) = (0u64, 1u64);
    for i in 0..bytes.len() {
        let one_digit = if bytes[i] != b'0' { here } else { 0 };
        let two_digits = match i.checked_sub(1).map(|p| (bytes[p] - b'0') * 10 + (bytes[i] - b'0')) {
            Some(10..=26) => before,
            _ => 0,
        };
        (before, here) = (here, one_digit + two_digits);
    }
    here
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn climbing_stairs_is_fibonacci() {
        let cases = [
            (0, Some(1)),
            (1, Some(1)),
            (2, Some(2)),
            (3, Some(3)),
            (5, Some(8)),
            (10, Some(89)),
            (91, Some(7_540_113_804_746_346_429)),
            (92, Some(12_200_160_415_121_876_738)),
            (93, None),
        ];
        for (n, expected) in cases {
            assert_eq!(climb_stairs(n), expected, "n = {n}");
        }
    }

    #[test]
    fn unique_paths_add_up_from_above_and_from_the_left() {
        let cases = [((3, 7), 28), ((3, 2), 3), ((1, 1), 1), ((1, 5), 1), ((0, 4), 0), ((10, 10), 48_620)];
        for ((rows, cols), expected) in cases {
            assert_eq!(unique_paths(rows, cols), expected, "{rows} x {cols}");
        }
    }

    #[test]
    fn word_break_builds_on_splittable_prefixes() {
        let cases: [((&str, &[&str]), bool); 8] = [
            (("leetcode", &["leet", "code"]), true),
            (("applepenapple", &["apple", "pen"]), true),
            (("catsandog", &["cats", "dog", "sand", "and", "cat"]), false),
            (("", &["a"]), true),
            (("a", &[]), false),
            (("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", &["a", "aa", "aaa", "aaaa"]), false),
            (("café", &["caf", "é"]), true),
            (("ab", &["", "a"]), false), // an empty word helps nothing
        ];
        for ((text, dictionary), expected) in cases {
            assert_eq!(word_break(text, dictionary), expected, "{text:?} with {dictionary:?}");
        }
    }

    #[test]
    fn decode_ways_count_one_and_two_digit_letters() {
        let cases = [
            ("12", 2),
            ("226", 3),
            ("06", 0),
            ("10", 1),
            ("27", 1),
            ("", 1),
            ("0", 0),
            ("1111", 5),
            ("100", 0),
            ("1a", 0),
        ];
        for (digits, expected) in cases {
            assert_eq!(decode_ways(digits), expected, "{digits:?}");
        }
    }
}

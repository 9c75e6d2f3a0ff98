//! # String problems
//!
//! Longest substring without repeating characters and longest palindromic substring: a
//! sliding window with a last-seen map, and expansion around every centre.
//!
//! Both work on `char`s, not bytes, so a multi-byte character counts as one (indexing a Rust
//! `&str` by byte position in the middle of a character would panic).
//!
//! ## Break it
//! `breaks/strings.patch` lets the window of [`longest_unique_substring`] jump *backwards* when
//! a character was last seen before the window started. `longest_unique_substring_slides_past_repeats`
//! fails: for `"abba"` the window returns to the first `a` and reports 3 instead of 2.

use std::collections::HashMap;

/// **Longest substring without repeating characters.** Length of the longest substring in
/// which no character appears twice (`"abcabcbb"` → 3).
///
/// **Insight:** sliding window `[start, end]`. Remember each character's last index; when the
/// entering character was last seen *inside* the window, move `start` just past that index.
/// `start` must never move backwards (`max`), or `"abba"` breaks.
///
/// **Complexity:** `O(n)` time, `O(σ)` space for σ distinct characters.
pub fn longest_unique_substring(text: &str) -> usize {
    let mut last_seen: HashMap<char, usize> = HashMap::new();
    let (mut start, mut best) = (0, 0);
    for (end, c) in text.chars().enumerate() {
        if let Some(&previous) = last_seen.get(&c) {
            start = start.max(previous + 1);
        }
        last_seen.insert(c, end);
        best = best.max(end + 1 - start);
    }
    best
}

/// **Longest palindromic substring.** The longest contiguous substring that reads the same
/// both ways (the leftmost one on ties; empty for empty input).
///
/// **Insight:** every palindrome has a centre — a character (odd length) or a gap between two
/// (even length). Expand from each of the `2n - 1` centres while the ends match.
///
/// **Complexity:** `O(n²)` time, `O(n)` space for the characters (`O(1)` on bytes). Manacher's
/// algorithm does it in `O(n)`, rarely expected in an interview.
pub fn longest_palindrome(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut best = 0..0;
    for centre in 0..chars.len() {
        for (lo, hi) in [(centre, centre), (centre, centre + 1)] {
            let found = expand(&chars, lo, hi);
            if found.len() > best.len() {
                best = found;
            }
        }
    }
    chars[best].iter().collect()
}

/// The widest palindrome `chars[start..end]` grown outwards from `chars[lo..=hi]`
/// (empty if `chars[lo] != chars[hi]` or `hi` is past the end).
fn expand(chars: &[char], mut lo: usize, mut hi: usize) -> std::ops::Range<usize> {
    if hi >= chars.len() || chars[lo] != chars[hi] {
        return lo..lo;
    }
    while lo > 0 && hi + 1 < chars.len() && chars[lo - 1] == chars[hi + 1] {
        lo -= 1;
        hi += 1;
    }
    lo..hi + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_unique_substring_slides_past_repeats() {
        let cases =
            [("abcabcbb", 3), ("bbbbb", 1), ("pwwkew", 3), ("", 0), ("a", 1), ("abba", 2), ("dvdf", 3), ("héhé!", 3)];
        for (text, expected) in cases {
            assert_eq!(longest_unique_substring(text), expected, "{text:?}");
        }
    }

    #[test]
    fn longest_palindrome_tries_odd_and_even_centres() {
        let cases = [
            ("babad", "bab"),
            ("cbbd", "bb"),
            ("a", "a"),
            ("", ""),
            ("ac", "a"),
            ("forgeeksskeegfor", "geeksskeeg"),
            ("aaaa", "aaaa"),
            ("xéx", "xéx"),
        ];
        for (text, expected) in cases {
            assert_eq!(longest_palindrome(text), expected, "{text:?}");
        }
    }
}

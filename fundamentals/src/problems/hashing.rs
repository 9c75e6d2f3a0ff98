//! # Hashing problems
//!
//! Two sum, valid anagram, group anagrams, top-K frequent elements, longest consecutive
//! sequence: trading `O(n)` memory for `O(1)` lookups turns nested loops into one pass.
//!
//! The pattern: ask "what would I need to have seen already to answer at this element?" and
//! keep exactly that in a map or set. Determinism note: the solutions *look up* in std hash
//! maps but never iterate over them, so outputs do not depend on the hasher's random seed —
//! where order matters it comes from the input (first appearance).
//!
//! ## Break it
//! `breaks/hashing.patch` makes [`two_sum`] record the current element *before* looking for its
//! complement. `two_sum_finds_the_first_pair_in_one_pass` fails: with `[3, 2, 4]` and target 6
//! the element 3 is paired with itself.

use std::collections::{HashMap, HashSet};

/// **Two sum.** Given integers and a target, return indices `(i, j)`, `i < j`, of two elements
/// that add up to the target (the pair whose second index is smallest), or `None`.
///
/// **Insight:** at index `j` the partner must be `target - nums[j]`; a map from value to index
/// of everything seen so far answers "did it occur earlier?" in `O(1)`. Look up *before*
/// inserting, so an element never pairs with itself.
///
/// **Complexity:** `O(n)` time, `O(n)` space (sorting + two pointers would be `O(n log n)` and
/// lose the original indices).
pub fn two_sum(nums: &[i32], target: i64) -> Option<(usize, usize)> {
    let mut index_of: HashMap<i64, usize> = HashMap::with_capacity(nums.len());
    for (j, &value) in nums.iter().enumerate() {
        let value = i64::from(value); // i64: target - value cannot overflow
        if let Some(&i) = index_of.get(&(target - value)) {
            return Some((i, j));
        }
        // Keep the first index of a repeated value: it gives the earliest partner.
        index_of.entry(value).or_insert(j);
    }
    None
}

/// **Valid anagram.** Do `a` and `b` contain the same characters with the same counts?
///
/// **Insight:** count characters up for `a` and down for `b`; anagrams leave every count at
/// zero. Check lengths first for a cheap early exit.
///
/// **Complexity:** `O(n)` time, `O(σ)` space for an alphabet of σ characters (a `[i32; 26]`
/// for lowercase ASCII; a map for any `char`).
pub fn is_anagram(a: &str, b: &str) -> bool {
    if a.chars().count() != b.chars().count() {
        return false;
    }
    let mut balance: HashMap<char, i64> = HashMap::new();
    for c in a.chars() {
        *balance.entry(c).or_default() += 1;
    }
    // Equal lengths: if no count ever goes negative, none can be left positive either.
    b.chars().all(|c| {
        let count = balance.entry(c).or_default();
        *count -= 1;
        *count >= 0
    })
}

/// **Group anagrams.** Group words that are anagrams of each other. Groups appear in order of
/// their first word, words within a group in input order.
///
/// **Insight:** anagrams share a canonical key — the sorted letters (or a 26-count signature).
/// Map key → group index.
///
/// **Complexity:** `O(n · k log k)` for `n` words of length up to `k` (`O(n · k)` with a count
/// signature), `O(n · k)` space.
pub fn group_anagrams(words: &[&str]) -> Vec<Vec<String>> {
    let mut group_of: HashMap<Vec<char>, usize> = HashMap::new();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for &word in words {
        let mut key: Vec<char> = word.chars().collect();
        key.sort_unstable();
        let next_index = groups.len();
        let index = *group_of.entry(key).or_insert(next_index);
        if index == next_index {
            groups.push(Vec::new());
        }
        groups[index].push(word.to_string());
    }
    groups
}

/// **Top K frequent elements.** The `k` most frequent values, most frequent first; ties go to
/// the value that appears first in the input. Fewer than `k` if there are fewer distinct values.
///
/// **Insight:** a count can be at most `n`, so instead of sorting by count put each distinct
/// value into bucket `count` and read buckets from the top (bucket sort).
///
/// **Complexity:** `O(n)` time and space (a heap of size `k` would be `O(n log k)`).
pub fn top_k_frequent(nums: &[i32], k: usize) -> Vec<i32> {
    let mut count: HashMap<i32, usize> = HashMap::new();
    for &x in nums {
        *count.entry(x).or_default() += 1;
    }
    // buckets[c]: values seen exactly c times, in order of first appearance (we walk the input,
    // not the map, so the result does not depend on hash order).
    let mut buckets: Vec<Vec<i32>> = vec![Vec::new(); nums.len() + 1];
    let mut placed: HashSet<i32> = HashSet::new();
    for &x in nums {
        if placed.insert(x) {
            buckets[count[&x]].push(x);
        }
    }
    buckets.into_iter().rev().flatten().take(k).collect()
}

/// **Longest consecutive sequence.** Length of the longest run of consecutive integers
/// (`[100, 4, 200, 1, 3, 2]` → 4 for 1, 2, 3, 4), in any order in the input.
///
/// **Insight:** put everything in a set; only a value whose predecessor is absent starts a run,
/// and only starts walk upwards — so each value is walked over once.
///
/// **Complexity:** `O(n)` time and space (sorting would be `O(n log n)`).
pub fn longest_consecutive(nums: &[i32]) -> usize {
    let mut remaining: HashSet<i64> = nums.iter().map(|&x| i64::from(x)).collect();
    let mut longest = 0;
    for &x in nums {
        let start = i64::from(x);
        // `remove` makes a duplicated start walk its run only once.
        if remaining.contains(&(start - 1)) || !remaining.remove(&start) {
            continue;
        }
        let mut length = 1;
        while remaining.contains(&(start + length)) {
            length += 1;
        }
        longest = longest.max(length as usize);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sum_finds_the_first_pair_in_one_pass() {
        let cases: [((&[i32], i64), Option<(usize, usize)>); 8] = [
            ((&[2, 7, 11, 15], 9), Some((0, 1))),
            ((&[3, 2, 4], 6), Some((1, 2))),
            ((&[3, 3], 6), Some((0, 1))),
            ((&[-3, 4, 3, 90], 0), Some((0, 2))),
            ((&[5], 10), None),
            ((&[], 0), None),
            ((&[1, 2, 3], 7), None),
            ((&[i32::MAX, i32::MAX], 2 * i64::from(i32::MAX)), Some((0, 1))),
        ];
        for ((nums, target), expected) in cases {
            assert_eq!(two_sum(nums, target), expected, "{nums:?} / {target}");
        }
    }

    #[test]
    fn anagrams_have_the_same_character_counts() {
        let cases = [
            (("anagram", "nagaram"), true),
            (("rat", "car"), false),
            (("", ""), true),
            (("a", "a"), true),
            (("aab", "abb"), false),
            (("ab", "abc"), false),
            (("héllo", "lléoh"), true),
        ];
        for ((a, b), expected) in cases {
            assert_eq!(is_anagram(a, b), expected, "{a} / {b}");
        }
    }

    #[test]
    fn group_anagrams_keeps_first_appearance_order() {
        let cases: [(&[&str], Vec<Vec<&str>>); 4] = [
            (
                &["eat", "tea", "tan", "ate", "nat", "bat"],
                vec![vec!["eat", "tea", "ate"], vec!["tan", "nat"], vec!["bat"]],
            ),
            (&[""], vec![vec![""]]),
            (&[], vec![]),
            (&["ab", "ba", "ab"], vec![vec!["ab", "ba", "ab"]]),
        ];
        for (words, expected) in cases {
            assert_eq!(group_anagrams(words), expected, "{words:?}");
        }
    }

    #[test]
    fn top_k_frequent_reads_count_buckets_from_the_top() {
        let cases: [((&[i32], usize), Vec<i32>); 6] = [
            ((&[1, 1, 1, 2, 2, 3], 2), vec![1, 2]),
            ((&[1], 1), vec![1]),
            ((&[4, 5, 4, 5, 6], 2), vec![4, 5]), // tie: first appearance wins
            ((&[-1, -1, 7], 5), vec![-1, 7]),    // fewer distinct values than k
            ((&[], 3), vec![]),
            ((&[3, 3, 2], 0), vec![]),
        ];
        for ((nums, k), expected) in cases {
            assert_eq!(top_k_frequent(nums, k), expected, "{nums:?}, k={k}");
        }
    }

    #[test]
    fn longest_consecutive_walks_only_from_run_starts() {
        let cases: [(&[i32], usize); 7] = [
            (&[100, 4, 200, 1, 3, 2], 4),
            (&[0, 3, 7, 2, 5, 8, 4, 6, 0, 1], 9),
            (&[], 0),
            (&[5], 1),
            (&[1, 1, 1], 1),
            (&[-2, -1, 0, 1], 4),
            (&[i32::MAX, i32::MIN, i32::MAX - 1], 2),
        ];
        for (nums, expected) in cases {
            assert_eq!(longest_consecutive(nums), expected, "{nums:?}");
        }
    }
}

//! # Sliding window
//!
//! The array technique: a contiguous window `[left, right)` that grows on the right and
//! shrinks on the left, updating its summary in `O(1)` per step instead of recomputing it.
//! (Rate limiting's "sliding window" counter is a different thing; see `ratelimit`.)
//!
//! ## Why interviewers ask this
//! "Longest/shortest/maximum subarray or substring such that…" is one of the most common
//! question shapes. The brute force looks at `O(n²)` windows; the sliding window looks at each
//! element at most twice (once entering, once leaving), so it is `O(n)`. Interviewers check
//! whether you know *when* it applies: the window's validity must be monotone.
//!
//! ## How it works
//! - **Fixed size `k`** ([`max_window_sum`]): add the element entering, subtract the one
//!   leaving. `O(n)` time, `O(1)` space.
//! - **Variable size** ([`shortest_subarray_with_sum_at_least`],
//!   [`longest_with_at_most_k_distinct`]): extend `right`; while the window breaks (or, for
//!   "shortest", while it still satisfies) the condition, advance `left`. Correct only if
//!   shrinking a valid window keeps it valid and growing an invalid one keeps it invalid —
//!   true for sums of *non-negative* numbers and for "at most k distinct". `left` and `right`
//!   each move at most `n` times: `O(n)` time, plus `O(alphabet)` space for counts.
//! - **Window maximum** ([`window_maxima`]): a deque of indices whose values decrease from
//!   front to back. A new element evicts the smaller ones behind it (they can never be a
//!   maximum again while it is in the window); the front leaves when it falls out of the
//!   window. Each index is pushed and popped once: `O(n)` time, `O(k)` space — versus
//!   `O(n k)` for rescanning or `O(n log k)` with a heap.
//!
//! ## Common pitfalls
//! - Applying the variable window to sums with **negative numbers**: shrinking can raise the
//!   sum, so the monotonicity argument fails (use prefix sums + a monotone deque, or a map).
//! - Off-by-one window length: with half-open `[left, right)` the length is `right - left`.
//! - Forgetting to remove from the summary what leaves the window (counts, the deque front).
//! - For window maxima, storing values instead of indices: you cannot tell when a value left.
//! - `k == 0` or `k > n`: decide and document the answer (here: no windows).
//!
//! ## Key takeaways
//! - Two monotone pointers, each moving at most `n` times, is what makes it linear.
//! - Ask "if a window is valid, is every sub-window valid?" before using it.
//! - The monotonic deque is the sliding window's answer to "max/min of each window".
//!
//! ## Break it
//! `breaks/sliding_window.patch` deletes the line of [`window_maxima`] that drops the front
//! index once it has slid out of the window. `window_maxima_forget_elements_that_left_the_window`
//! fails: a large value keeps being reported after it left (`[9, 1, 1, 1]`, `k = 2` gives
//! `[9, 9, 9]`), or the deque outgrows the window and its `debug_assert!` fires. The
//! brute-force property test shrinks to a tiny counterexample.
//!
//! ## Interview questions
//! - *Longest substring without repeating characters.* — Window with a "last seen index" per
//!   character; on a repeat inside the window, jump `left` past the previous occurrence. `O(n)`.
//! - *Minimum size subarray sum (positive numbers).* — Grow `right`, and while the sum is
//!   `>= target` record the length and shrink from the left. `O(n)`. With negatives: prefix
//!   sums and a monotone deque of candidate starts.
//! - *Sliding window maximum.* — Monotone decreasing deque of indices; `O(n)` because every
//!   index enters and leaves the deque once.
//! - *Why is the variable window `O(n)` when it has a nested `while`?* — The inner loop only
//!   advances `left`, which never moves back; across the whole run it moves at most `n` times.

use std::collections::VecDeque;

/// The largest sum of `k` consecutive elements, or `None` if `k == 0` or `k > nums.len()`.
/// `O(n)` time, `O(1)` space.
pub fn max_window_sum(nums: &[i64], k: usize) -> Option<i64> {
    if k == 0 || k > nums.len() {
        return None;
    }
    let mut sum: i64 = nums[..k].iter().sum();
    let mut best = sum;
    for right in k..nums.len() {
        sum += nums[right] - nums[right - k];
        best = best.max(sum);
    }
    Some(best)
}

/// Length of the shortest contiguous subarray whose sum is at least `target`, for
/// **non-negative** numbers; `None` if no subarray reaches it. `O(n)` time, `O(1)` space.
pub fn shortest_subarray_with_sum_at_least(nums: &[u64], target: u64) -> Option<usize> {
    let mut best: Option<usize> = None;
    let (mut left, mut sum) = (0, 0);
    for right in 0..nums.len() {
        sum += nums[right];
        // The window is [left, right]. Shrinking only lowers a sum of non-negative numbers,
        // so once it drops below target no shorter window ending here can qualify.
        while left <= right && sum >= target {
            let len = right - left + 1;
            best = Some(best.map_or(len, |b| b.min(len)));
            sum -= nums[left];
            left += 1;
        }
    }
    // A target of 0 is met by the empty window; report that rather than a spurious length.
    if target == 0 {
        Some(0)
    } else {
        best
    }
}

/// Length of the longest substring with at most `k` distinct bytes. `O(n)` time, `O(256)`
/// space for the byte counts.
pub fn longest_with_at_most_k_distinct(text: &[u8], k: usize) -> usize {
    let mut counts = [0usize; 256];
    let (mut distinct, mut left, mut best) = (0, 0, 0);
    for right in 0..text.len() {
        let entering = usize::from(text[right]);
        if counts[entering] == 0 {
            distinct += 1;
        }
        counts[entering] += 1;
        while distinct > k {
            let leaving = usize::from(text[left]);
            counts[leaving] -= 1;
            if counts[leaving] == 0 {
                distinct -= 1;
            }
            left += 1;
        }
        best = best.max(right + 1 - left);
    }
    best
}

/// The maximum of every window of `k` consecutive elements (`nums.len() - k + 1` values);
/// empty if `k == 0` or `k > nums.len()`. `O(n)` time, `O(k)` space.
pub fn window_maxima(nums: &[i64], k: usize) -> Vec<i64> {
    if k == 0 || k > nums.len() {
        return Vec::new();
    }
    // Indices into nums whose values strictly decrease from front to back; the front is the
    // maximum of the current window.
    let mut candidates: VecDeque<usize> = VecDeque::with_capacity(k);
    let mut maxima = Vec::with_capacity(nums.len() - k + 1);
    for right in 0..nums.len() {
        if candidates.front().is_some_and(|&front| front + k <= right) {
            candidates.pop_front();
        }
        // Smaller-or-equal values behind the newcomer can never be a window maximum again.
        while candidates.back().is_some_and(|&back| nums[back] <= nums[right]) {
            candidates.pop_back();
        }
        candidates.push_back(right);
        debug_assert!(candidates.len() <= k, "the deque only holds indices inside the window");
        if right + 1 >= k {
            maxima.push(nums[candidates[0]]);
        }
    }
    maxima
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn max_window_sum_slides_a_fixed_window() {
        let cases: [(&[i64], usize, Option<i64>); 6] = [
            (&[2, 1, 5, 1, 3, 2], 3, Some(9)),
            (&[-3, -1, -2], 2, Some(-3)),
            (&[4], 1, Some(4)),
            (&[1, 2], 3, None),
            (&[1, 2], 0, None),
            (&[], 1, None),
        ];
        for (nums, k, expected) in cases {
            assert_eq!(max_window_sum(nums, k), expected, "{nums:?}, k={k}");
        }
    }

    #[test]
    fn shortest_subarray_shrinks_while_the_sum_still_qualifies() {
        let cases: [(&[u64], u64, Option<usize>); 7] = [
            (&[2, 3, 1, 2, 4, 3], 7, Some(2)),
            (&[1, 4, 4], 4, Some(1)),
            (&[1, 1, 1, 1, 1], 11, None),
            (&[], 3, None),
            (&[5], 5, Some(1)),
            (&[0, 0, 7, 0], 7, Some(1)),
            (&[3, 3], 0, Some(0)),
        ];
        for (nums, target, expected) in cases {
            assert_eq!(shortest_subarray_with_sum_at_least(nums, target), expected, "{nums:?} >= {target}");
        }
    }

    #[test]
    fn longest_with_k_distinct_drops_characters_from_the_left() {
        let cases: [(&str, usize, usize); 6] =
            [("eceba", 2, 3), ("aa", 1, 2), ("", 2, 0), ("abc", 0, 0), ("abaccc", 2, 4), ("abc", 5, 3)];
        for (text, k, expected) in cases {
            assert_eq!(longest_with_at_most_k_distinct(text.as_bytes(), k), expected, "{text:?}, k={k}");
        }
    }

    #[test]
    fn window_maxima_forget_elements_that_left_the_window() {
        let cases: [(&[i64], usize, &[i64]); 6] = [
            (&[1, 3, -1, -3, 5, 3, 6, 7], 3, &[3, 3, 5, 5, 6, 7]),
            (&[9, 1, 1, 1], 2, &[9, 1, 1]),
            (&[4, 4, 4], 2, &[4, 4]),
            (&[7], 1, &[7]),
            (&[1, 2], 3, &[]),
            (&[-1, -5, -2], 3, &[-1]),
        ];
        for (nums, k, expected) in cases {
            assert_eq!(window_maxima(nums, k), expected, "{nums:?}, k={k}");
        }
    }

    proptest! {
        #[test]
        fn max_window_sum_matches_summing_every_window(nums in prop::collection::vec(-50i64..50, 0..30), k in 0usize..8) {
            let brute_force = if k == 0 { None } else { nums.windows(k).map(|w| w.iter().sum()).max() };
            prop_assert_eq!(max_window_sum(&nums, k), brute_force);
        }

        #[test]
        fn shortest_subarray_matches_checking_every_subarray(nums in prop::collection::vec(0u64..10, 0..25), target in 0u64..40) {
            let brute_force = (0..=nums.len())
                .find(|&len| (0..=nums.len() - len).any(|start| nums[start..start + len].iter().sum::<u64>() >= target));
            prop_assert_eq!(shortest_subarray_with_sum_at_least(&nums, target), brute_force);
        }

        #[test]
        fn longest_with_k_distinct_matches_checking_every_substring(text in "[abcd]{0,20}", k in 0usize..5) {
            let bytes = text.as_bytes();
            let distinct = |s: &[u8]| s.iter().collect::<std::collections::BTreeSet<_>>().len();
            let brute_force = (0..=bytes.len())
                .flat_map(|i| (i..=bytes.len()).map(move |j| (i, j)))
                .filter(|&(i, j)| distinct(&bytes[i..j]) <= k)
                .map(|(i, j)| j - i)
                .max()
                .unwrap_or(0);
            prop_assert_eq!(longest_with_at_most_k_distinct(bytes, k), brute_force);
        }

        #[test]
        fn window_maxima_match_rescanning_every_window(nums in prop::collection::vec(-20i64..20, 0..30), k in 0usize..8) {
            let brute_force: Vec<i64> = if k == 0 { Vec::new() } else { nums.windows(k).map(|w| *w.iter().max().unwrap()).collect() };
            prop_assert_eq!(window_maxima(&nums, k), brute_force);
        }
    }
}

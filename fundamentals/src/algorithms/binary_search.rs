//! # Binary search
//!
//! The classic search, first/last occurrence, a rotated array, and binary search on the answer.
//!
//! ## Why interviewers ask this
//! Everyone "knows" binary search and most people get it wrong under pressure: the loop
//! condition, the update of `hi`, the midpoint and the final check all have to agree with one
//! invariant. It is also the gateway to a bigger idea — *search on the answer* — which turns
//! "find the minimum capacity / speed / time such that…" into `O(log range)` feasibility checks.
//!
//! ## How it works
//! Keep a window that is guaranteed to contain the answer and halve it every step. This module
//! always uses the **half-open window `[lo, hi)`**: `lo < hi` means "not empty", `hi = mid`
//! drops `mid` and everything right of it, `lo = mid + 1` drops `mid` and everything left of it.
//! Each step removes at least one element, so the loop ends; each step halves the window, so it
//! ends after `⌈log2(n + 1)⌉` turns.
//!
//! - **Classic** ([`binary_search`]): compare `items[mid]` with the target, go left or right.
//!   `O(log n)` time, `O(1)` space.
//! - **Partition point** ([`partition_point`]): the general form. If a predicate is true for a
//!   prefix and false for the rest, find where it flips. Every other variant is a one-liner on
//!   top: [`lower_bound`] (first `x >= target`), [`upper_bound`] (first `x > target`),
//!   [`first_occurrence`], [`last_occurrence`], [`count_occurrences`] — all `O(log n)`, even
//!   when the target is repeated a million times (a linear walk from a hit would be `O(n)`).
//! - **Rotated sorted array** ([`search_rotated`], [`rotation_point`]): one of the two halves
//!   around `mid` is always sorted; check whether the target lies in that sorted half's range,
//!   otherwise it is in the other half. Still `O(log n)` for distinct values.
//! - **Search on the answer** ([`smallest_satisfying`]): binary search over a range of
//!   candidate *answers*, not over an array, given a monotone feasibility test (false … false
//!   true … true). [`isqrt`] and [`min_ship_capacity`] are examples: `O(log range × cost of
//!   one check)`.
//!
//! ## Common pitfalls
//! - **Mixing conventions.** `while lo <= hi` belongs to the closed window `[lo, hi]` with
//!   `hi = mid - 1`; `while lo < hi` belongs to `[lo, hi)` with `hi = mid`. Mixing them gives an
//!   infinite loop (`hi = mid` with `lo <= hi`) or skips an element, and `mid - 1` underflows a
//!   `usize` at `mid == 0`.
//! - **Midpoint overflow.** `(lo + hi) / 2` overflows when both are large (the bug that sat in
//!   Java's `Arrays.binarySearch` for nine years). Use `lo + (hi - lo) / 2`. Rust panics on the
//!   overflow in debug builds and silently wraps in release.
//! - **Stopping at the first hit** when the question asks for the first or last occurrence.
//! - **Rotated arrays with duplicates** (`[1, 1, 1, 0, 1]`): `items[lo] == items[mid]` tells you
//!   nothing, the worst case becomes `O(n)`. Say so; this module requires distinct values.
//! - **Non-monotone predicates** in answer search: the result is then meaningless, not an error.
//!
//! ## Key takeaways
//! - Pick one window convention and derive every line from its invariant.
//! - Most "binary search problems" are [`partition_point`] with the right predicate.
//! - If you can check a candidate answer quickly and feasibility is monotone, binary search the
//!   answer.
//!
//! ## Break it
//! `breaks/binary_search.patch` computes the midpoint of [`smallest_satisfying`] as
//! `(lo + hi) / 2`. Every small test still passes; `answer_search_works_across_the_whole_u64_range`
//! panics with "attempt to add with overflow" as soon as `lo + hi` exceeds `u64::MAX`. In a
//! release build the sum would wrap and the search would quietly probe the wrong half. Also try by hand: change `hi = mid` to
//! `hi = mid - 1` in [`partition_point`] and watch the property tests shrink to a two-element
//! counterexample.
//!
//! ## Interview questions
//! - *Find the first and last position of a target in a sorted array.* — Two searches for the
//!   partition points "first `>= target`" and "first `> target`"; if they are equal the target
//!   is absent. `O(log n)`, never a linear walk over the duplicates.
//! - *Search a rotated sorted array.* — At each `mid`, one half is sorted (compare `items[lo]`
//!   with `items[mid]`); if the target is within that half's bounds go there, else go to the
//!   other half. With duplicates the worst case is `O(n)`.
//! - *Ship packages within D days / Koko eating bananas.* — The answer lies in
//!   `[max(weight), sum(weights)]`; "can we do it with capacity c" is a greedy `O(n)` check that
//!   is monotone in `c`; binary search the smallest feasible `c`: `O(n log sum)`.
//! - *Why `lo + (hi - lo) / 2`?* — `lo + hi` can overflow; `hi - lo` cannot because `hi >= lo`.

use std::cmp::Ordering;

/// Index of `target` in the ascending slice `sorted`, or `None` if it is absent. When the
/// target occurs several times any one of its indices may come back (as with
/// `slice::binary_search`). `O(log n)`.
pub fn binary_search<T: Ord>(sorted: &[T], target: &T) -> Option<usize> {
    // The half-open window [lo, hi) always contains the target if it is present at all.
    let (mut lo, mut hi) = (0, sorted.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match sorted[mid].cmp(target) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// The index where `is_before` flips from true to false, for a slice in which every element
/// satisfying `is_before` comes before every element that does not. Returns `items.len()` if
/// it never flips. `O(log n)` calls of the predicate.
pub fn partition_point<T>(items: &[T], mut is_before: impl FnMut(&T) -> bool) -> usize {
    // Invariant: everything left of `lo` is "before", everything from `hi` on is not.
    let (mut lo, mut hi) = (0, items.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_before(&items[mid]) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Index of the first element `>= target` (where `target` would be inserted to stay sorted,
/// before any equal elements).
pub fn lower_bound<T: Ord>(sorted: &[T], target: &T) -> usize {
    partition_point(sorted, |item| item < target)
}

/// Index of the first element `> target` (the insertion point after any equal elements).
pub fn upper_bound<T: Ord>(sorted: &[T], target: &T) -> usize {
    partition_point(sorted, |item| item <= target)
}

/// Index of the first occurrence of `target` in `sorted`. `O(log n)` however many copies.
pub fn first_occurrence<T: Ord>(sorted: &[T], target: &T) -> Option<usize> {
    let index = lower_bound(sorted, target);
    (index < sorted.len() && sorted[index] == *target).then_some(index)
}

/// Index of the last occurrence of `target` in `sorted`. `O(log n)` however many copies.
pub fn last_occurrence<T: Ord>(sorted: &[T], target: &T) -> Option<usize> {
    let end = upper_bound(sorted, target);
    (end > 0 && sorted[end - 1] == *target).then(|| end - 1)
}

/// How many times `target` occurs in `sorted`, in `O(log n)`.
pub fn count_occurrences<T: Ord>(sorted: &[T], target: &T) -> usize {
    upper_bound(sorted, target) - lower_bound(sorted, target)
}

/// Index of the smallest element of an ascending array of **distinct** values that has been
/// rotated (`[4, 5, 6, 1, 2, 3]` → 3); 0 if it was not rotated, `None` if empty. `O(log n)`.
pub fn rotation_point(rotated: &[i32]) -> Option<usize> {
    let &last = rotated.last()?;
    // Elements of the rotated-away prefix are all greater than the last element; elements of
    // the tail (which starts with the minimum) are all at most the last element.
    Some(partition_point(rotated, |&value| value > last))
}

/// Index of `target` in an ascending array of **distinct** values rotated by an unknown
/// amount, or `None`. `O(log n)`.
pub fn search_rotated(rotated: &[i32], target: i32) -> Option<usize> {
    let (mut lo, mut hi) = (0, rotated.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if rotated[mid] == target {
            return Some(mid);
        }
        // Any window of a rotated array has at most one "drop". If items[lo] <= items[mid],
        // the drop is not in [lo, mid], so that half is sorted; otherwise [mid, hi) is.
        if rotated[lo] <= rotated[mid] {
            if rotated[lo] <= target && target < rotated[mid] {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        } else if rotated[mid] < target && target <= rotated[hi - 1] {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    None
}

/// Search on the answer: the smallest `x` in `lo..=hi` for which `feasible(x)` holds, given
/// that `feasible` is monotone (false for a prefix of the range, true for the rest). `None` if
/// even `hi` is infeasible or the range is empty. `O(log(hi - lo))` calls of `feasible`.
pub fn smallest_satisfying(lo: u64, hi: u64, mut feasible: impl FnMut(u64) -> bool) -> Option<u64> {
    if lo > hi || !feasible(hi) {
        return None;
    }
    // Closed window [lo, hi] that always contains the answer: feasible(hi) holds throughout.
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if feasible(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

/// Integer square root: the largest `r` with `r * r <= n`, found by searching the answer.
/// `O(log n)`; `checked_mul` keeps `r * r` from overflowing near `u64::MAX`.
pub fn isqrt(n: u64) -> u64 {
    let too_big = |r: u64| r.checked_mul(r).is_none_or(|square| square > n);
    // `n + 1` would overflow at u64::MAX; `too_big(n)` holds for every n >= 2, so search up to
    // n and treat 0 and 1 (their own roots) separately.
    if n < 2 {
        return n;
    }
    let first_too_big = smallest_satisfying(0, n, too_big).expect("too_big(n) holds for n >= 2");
    first_too_big - 1
}

/// Ship packages in the given order within `days` days: the least truck capacity that works.
/// A package cannot be split; each day the truck takes the next packages that fit.
/// `None` if `days == 0` and there is something to ship. `O(n log(sum of weights))`.
pub fn min_ship_capacity(weights: &[u64], days: u64) -> Option<u64> {
    let heaviest = weights.iter().copied().max().unwrap_or(0);
    let total: u64 = weights.iter().sum();
    smallest_satisfying(heaviest, total, |capacity| days_needed(weights, capacity) <= days)
}

/// Days a greedy loader needs with the given capacity (every weight must fit the capacity).
fn days_needed(weights: &[u64], capacity: u64) -> u64 {
    let (mut days, mut load) = (0, 0);
    for &weight in weights {
        debug_assert!(weight <= capacity, "a package heavier than the truck can never ship");
        if days == 0 || load + weight > capacity {
            days += 1;
            load = 0;
        }
        load += weight;
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn classic_search_finds_present_elements_and_rejects_absent_ones() {
        let sorted = [-7, -3, 0, 2, 9, 14];
        let cases: [(i32, Option<usize>); 8] =
            [(-7, Some(0)), (14, Some(5)), (2, Some(3)), (0, Some(2)), (-8, None), (1, None), (15, None), (10, None)];
        for (target, expected) in cases {
            assert_eq!(binary_search(&sorted, &target), expected, "target {target}");
        }
        assert_eq!(binary_search::<i32>(&[], &1), None);
        assert_eq!(binary_search(&[5], &5), Some(0));
    }

    #[test]
    fn first_and_last_occurrence_bracket_a_run_of_duplicates() {
        let sorted = [1, 2, 2, 2, 2, 3, 5, 5];
        let cases: [(i32, Option<usize>, Option<usize>, usize); 5] = [
            (2, Some(1), Some(4), 4),
            (5, Some(6), Some(7), 2),
            (1, Some(0), Some(0), 1),
            (4, None, None, 0),
            (0, None, None, 0),
        ];
        for (target, first, last, count) in cases {
            assert_eq!(first_occurrence(&sorted, &target), first, "first {target}");
            assert_eq!(last_occurrence(&sorted, &target), last, "last {target}");
            assert_eq!(count_occurrences(&sorted, &target), count, "count {target}");
        }
    }

    #[test]
    fn rotated_search_handles_every_rotation_of_a_small_array() {
        let cases: [(&[i32], i32, Option<usize>); 8] = [
            (&[4, 5, 6, 7, 0, 1, 2], 0, Some(4)),
            (&[4, 5, 6, 7, 0, 1, 2], 3, None),
            (&[4, 5, 6, 7, 0, 1, 2], 4, Some(0)),
            (&[4, 5, 6, 7, 0, 1, 2], 2, Some(6)),
            (&[1], 1, Some(0)),
            (&[1], 0, None),
            (&[], 5, None),
            (&[3, 1], 1, Some(1)),
        ];
        for (rotated, target, expected) in cases {
            assert_eq!(search_rotated(rotated, target), expected, "{rotated:?} / {target}");
        }
        assert_eq!(rotation_point(&[4, 5, 6, 1, 2, 3]), Some(3));
        assert_eq!(rotation_point(&[1, 2, 3]), Some(0));
        assert_eq!(rotation_point(&[]), None);
    }

    #[test]
    fn answer_search_works_across_the_whole_u64_range() {
        let threshold = u64::MAX - 5;
        assert_eq!(smallest_satisfying(0, u64::MAX, |x| x >= threshold), Some(threshold));
        assert_eq!(smallest_satisfying(u64::MAX - 1, u64::MAX, |_| true), Some(u64::MAX - 1));
        assert_eq!(smallest_satisfying(0, u64::MAX, |_| false), None);
        assert_eq!(smallest_satisfying(5, 4, |_| true), None, "an empty range has no answer");
    }

    #[test]
    fn isqrt_is_exact_at_the_edges() {
        let cases = [
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 2),
            (15, 3),
            (16, 4),
            (u64::from(u32::MAX) * u64::from(u32::MAX), u64::from(u32::MAX)),
            (u64::MAX, u64::from(u32::MAX)),
        ];
        for (n, root) in cases {
            assert_eq!(isqrt(n), root, "isqrt({n})");
        }
    }

    #[test]
    fn ship_capacity_is_the_least_that_meets_the_deadline() {
        let cases: [(&[u64], u64, Option<u64>); 6] = [
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, Some(15)),
            (&[3, 2, 2, 4, 1, 4], 3, Some(6)),
            (&[1, 2, 3, 1, 1], 4, Some(3)),
            (&[7], 1, Some(7)),
            (&[], 1, Some(0)),
            (&[4, 4], 0, None),
        ];
        for (weights, days, expected) in cases {
            assert_eq!(min_ship_capacity(weights, days), expected, "{weights:?} in {days} days");
        }
    }

    fn sorted_vec() -> impl Strategy<Value = Vec<i32>> {
        prop::collection::vec(-20i32..20, 0..40).prop_map(|mut v| {
            v.sort();
            v
        })
    }

    proptest! {
        #[test]
        fn binary_search_agrees_with_a_linear_scan(sorted in sorted_vec(), target in -25i32..25) {
            match binary_search(&sorted, &target) {
                Some(index) => prop_assert_eq!(sorted[index], target),
                None => prop_assert!(!sorted.contains(&target)),
            }
        }

        #[test]
        fn first_and_last_occurrence_match_position_and_rposition(sorted in sorted_vec(), target in -25i32..25) {
            prop_assert_eq!(first_occurrence(&sorted, &target), sorted.iter().position(|&x| x == target));
            prop_assert_eq!(last_occurrence(&sorted, &target), sorted.iter().rposition(|&x| x == target));
            prop_assert_eq!(lower_bound(&sorted, &target), sorted.partition_point(|&x| x < target));
        }

        #[test]
        fn rotated_search_agrees_with_a_linear_scan(
            distinct in prop::collection::btree_set(-100i32..100, 0..30),
            shift in any::<prop::sample::Index>(),
            target in -110i32..110,
        ) {
            let mut rotated: Vec<i32> = distinct.into_iter().collect();
            if !rotated.is_empty() {
                let k = shift.index(rotated.len());
                rotated.rotate_left(k);
                prop_assert_eq!(rotation_point(&rotated), Some((rotated.len() - k) % rotated.len()));
            }
            prop_assert_eq!(search_rotated(&rotated, target), rotated.iter().position(|&x| x == target));
        }

        #[test]
        fn isqrt_brackets_n_between_consecutive_squares(n in any::<u64>()) {
            let r = isqrt(n);
            prop_assert!(r * r <= n);
            prop_assert!((r + 1).checked_mul(r + 1).is_none_or(|next| next > n));
        }

        #[test]
        fn ship_capacity_matches_trying_every_capacity(
            weights in prop::collection::vec(1u64..10, 0..12),
            days in 0u64..6,
        ) {
            let heaviest = weights.iter().copied().max().unwrap_or(0);
            let total: u64 = weights.iter().sum();
            let brute_force = (heaviest..=total).find(|&c| days_needed(&weights, c) <= days);
            prop_assert_eq!(min_ship_capacity(&weights, days), brute_force);
        }
    }
}

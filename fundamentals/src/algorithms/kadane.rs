//! # Kadane's algorithm
//!
//! Maximum subarray sum in one pass, plus the circular and maximum-product variants.
//!
//! ## Why interviewers ask this
//! It is the smallest example of dynamic programming that fits in five lines, and the brute
//! force (`O(n²)` or `O(n³)`) is obvious, so the interviewer can watch you find the state that
//! makes it linear. The follow-ups (return the indices, wrap around, products) test whether you
//! understood the state or memorised the loop.
//!
//! ## How it works
//! Let `best_ending_here` be the largest sum of a subarray that *ends* at index `i`. Either
//! that subarray is just `nums[i]`, or it extends the best one ending at `i - 1`:
//! `best_ending_here = max(nums[i], best_ending_here + nums[i])` — i.e. restart whenever the
//! running sum has gone negative, because a negative prefix only drags the total down. The
//! answer is the largest `best_ending_here` seen. `O(n)` time, `O(1)` space ([`max_subarray`]
//! also tracks where the winning run starts and ends).
//!
//! - **Circular** ([`max_circular_subarray_sum`]): a wrapping subarray is the whole array minus
//!   a non-wrapping middle, so its best sum is `total - (minimum subarray sum)`. Take the larger
//!   of that and the plain answer — except when every number is negative, where "total minus
//!   everything" would describe the empty subarray. Two passes, `O(n)`, `O(1)`.
//! - **Maximum product** ([`max_product_subarray`]): a negative factor turns the smallest
//!   product into the largest, so track both the max and the min product ending here. `O(n)`.
//!
//! ## Common pitfalls
//! - **Starting `best` at 0**: then an all-negative array reports 0, the sum of an *empty*
//!   subarray the question did not allow. Start from the first element.
//! - Resetting the running sum to 0 *before* adding the current element loses the case where
//!   the current element alone is the best.
//! - Circular variant: forgetting the all-negative special case.
//! - Product variant: tracking only the maximum (`[-2, 3, -4]` has answer 24).
//! - Overflow on long inputs of large values; state your integer width.
//!
//! ## Key takeaways
//! - Define the state as "best answer that ends exactly here"; the global answer is the max
//!   over all ends. That pattern is half of one-dimensional DP.
//! - Kadane is greedy-looking DP: drop a prefix as soon as it is negative.
//!
//! ## Break it
//! `breaks/kadane.patch` initialises the best answer to `0` over the empty range instead of
//! the first element — the "empty subarray allowed" variant. `all_negative_input_returns_the_largest_single_element`
//! fails (it gets 0 for `[-3, -1, -2]`). So do the table tests for `[0, 0]` (the range comes
//! back empty) and `[5, -3, 5]` (the first element alone is never compared with the best),
//! and the brute-force property test shrinks to a one-element array.
//!
//! ## Interview questions
//! - *Maximum subarray; then return its indices.* — Kadane with a `start` that moves to `i`
//!   whenever the run restarts; record `(start, i)` when the run beats the best. `O(n)`, `O(1)`.
//! - *What if all numbers are negative?* — The answer is the largest single element; make sure
//!   the initialisation does not allow an empty subarray.
//! - *Maximum sum circular subarray.* — `max(kadane, total - min_subarray)`, unless all are
//!   negative. `O(n)`.
//! - *Why is it correct?* — Any optimal subarray ending at `i` either is `[nums[i]]` or contains
//!   an optimal subarray ending at `i - 1` (cut-and-paste argument); so one number of state
//!   per position suffices.

use std::ops::Range;

/// The largest sum of a non-empty contiguous subarray and the range where it lies (the
/// earliest such run on ties); `None` for empty input. `O(n)` time, `O(1)` space.
pub fn max_subarray(nums: &[i64]) -> Option<(i64, Range<usize>)> {
    let &first = nums.first()?;
    let mut best = (first, 0..1);
    let (mut ending_here, mut run_start) = (first, 0);
    for (i, &value) in nums.iter().enumerate().skip(1) {
        // A negative running sum only lowers whatever follows: restart the run at i.
        if ending_here < 0 {
            ending_here = value;
            run_start = i;
        } else {
            ending_here += value;
        }
        if ending_here > best.0 {
            best = (ending_here, run_start..i + 1);
        }
    }
    debug_assert_eq!(nums[best.1.clone()].iter().sum::<i64>(), best.0);
    Some(best)
}

/// The largest sum of a non-empty contiguous subarray, `None` for empty input. `O(n)`.
pub fn max_subarray_sum(nums: &[i64]) -> Option<i64> {
    max_subarray(nums).map(|(sum, _)| sum)
}

/// The smallest sum of a non-empty contiguous subarray (Kadane with the comparison flipped).
fn min_subarray_sum(nums: &[i64]) -> Option<i64> {
    let &first = nums.first()?;
    let (mut ending_here, mut best) = (first, first);
    for &value in &nums[1..] {
        ending_here = value.min(ending_here + value);
        best = best.min(ending_here);
    }
    Some(best)
}

/// The largest sum of a non-empty subarray when the array wraps around (the end is followed by
/// the start again); `None` for empty input. `O(n)` time, `O(1)` space.
pub fn max_circular_subarray_sum(nums: &[i64]) -> Option<i64> {
    let straight = max_subarray_sum(nums)?;
    if straight < 0 {
        // Every element is negative: the best is one element, and "total minus the minimum
        // subarray" would be the sum of the empty subarray, which is not allowed.
        return Some(straight);
    }
    let total: i64 = nums.iter().sum();
    let smallest_middle = min_subarray_sum(nums)?;
    Some(straight.max(total - smallest_middle))
}

/// The largest product of a non-empty contiguous subarray; `None` for empty input. `O(n)`.
pub fn max_product_subarray(nums: &[i64]) -> Option<i64> {
    let (&first, rest) = nums.split_first()?;
    // Largest and smallest product of a subarray ending at the current index: multiplying by
    // a negative number swaps their roles, so both are needed.
    let (mut largest, mut smallest, mut best) = (first, first, first);
    for &value in rest {
        let candidates = [value, largest * value, smallest * value];
        largest = candidates.into_iter().max().expect("three candidates");
        smallest = candidates.into_iter().min().expect("three candidates");
        best = best.max(largest);
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn max_subarray_finds_the_best_run_and_where_it_is() {
        type Case = (&'static [i64], Option<(i64, Range<usize>)>);
        let cases: [Case; 6] = [
            (&[-2, 1, -3, 4, -1, 2, 1, -5, 4], Some((6, 3..7))),
            (&[5, 4, -1, 7, 8], Some((23, 0..5))),
            (&[1], Some((1, 0..1))),
            (&[0, 0], Some((0, 0..1))),
            (&[-1, 3, -10, 3], Some((3, 1..2))),
            (&[], None),
        ];
        for (nums, expected) in cases {
            assert_eq!(max_subarray(nums), expected, "{nums:?}");
        }
    }

    #[test]
    fn all_negative_input_returns_the_largest_single_element() {
        let cases: [(&[i64], i64); 3] = [(&[-3, -1, -2], -1), (&[-7], -7), (&[-5, -5], -5)];
        for (nums, expected) in cases {
            assert_eq!(max_subarray_sum(nums), Some(expected), "{nums:?}");
            assert_eq!(max_circular_subarray_sum(nums), Some(expected), "circular {nums:?}");
        }
    }

    #[test]
    fn circular_sum_may_wrap_around_the_end() {
        let cases: [(&[i64], Option<i64>); 5] = [
            (&[5, -3, 5], Some(10)),
            (&[1, -2, 3, -2], Some(3)),
            (&[3, -1, 2, -1], Some(4)),
            (&[8], Some(8)),
            (&[], None),
        ];
        for (nums, expected) in cases {
            assert_eq!(max_circular_subarray_sum(nums), expected, "{nums:?}");
        }
    }

    #[test]
    fn max_product_tracks_the_most_negative_product_too() {
        let cases: [(&[i64], Option<i64>); 6] = [
            (&[2, 3, -2, 4], Some(6)),
            (&[-2, 0, -1], Some(0)),
            (&[-2, 3, -4], Some(24)),
            (&[-3], Some(-3)),
            (&[0, 2], Some(2)),
            (&[], None),
        ];
        for (nums, expected) in cases {
            assert_eq!(max_product_subarray(nums), expected, "{nums:?}");
        }
    }

    /// The indices of every non-empty subarray of an array of length n (wrapping past the
    /// end if `circular`).
    fn every_subarray(n: usize, circular: bool) -> Vec<Vec<usize>> {
        (0..n)
            .flat_map(|start| {
                let max_len = if circular { n } else { n - start };
                (1..=max_len).map(move |len| (start..start + len).map(|i| i % n).collect())
            })
            .collect()
    }

    proptest! {
        #[test]
        fn max_subarray_matches_summing_every_subarray(nums in prop::collection::vec(-20i64..20, 0..20)) {
            let brute_force = every_subarray(nums.len(), false).iter().map(|ix| ix.iter().map(|&i| nums[i]).sum::<i64>()).max();
            prop_assert_eq!(max_subarray_sum(&nums), brute_force);
        }

        #[test]
        fn circular_sum_matches_summing_every_wrapping_subarray(nums in prop::collection::vec(-20i64..20, 0..15)) {
            let brute_force = every_subarray(nums.len(), true).iter().map(|ix| ix.iter().map(|&i| nums[i]).sum::<i64>()).max();
            prop_assert_eq!(max_circular_subarray_sum(&nums), brute_force);
        }

        #[test]
        fn max_product_matches_multiplying_every_subarray(nums in prop::collection::vec(-4i64..5, 0..12)) {
            let brute_force = every_subarray(nums.len(), false).iter().map(|ix| ix.iter().map(|&i| nums[i]).product::<i64>()).max();
            prop_assert_eq!(max_product_subarray(&nums), brute_force);
        }
    }
}

//! # Array problems
//!
//! Best time to buy and sell stock, maximum subarray, product of array except self, rotate
//! array, container with most water, 3sum: single passes that carry the right summary
//! (running minimum, running sum, prefix products) or two pointers that discard candidates.
//!
//! ## Break it
//! `breaks/arrays.patch` makes [`three_sum`] stop skipping equal values for the first element
//! of a triplet. `three_sum_reports_each_triplet_once` fails: `[-1, 0, 1, 2, -1, -4]` reports
//! `[-1, 0, 1]` twice.

/// **Best time to buy and sell stock.** Given daily prices, the largest profit from one buy
/// followed later by one sell (0 if no profitable trade exists).
///
/// **Insight:** the best sale on day `i` buys at the minimum price *before* `i`; carry the
/// running minimum.
///
/// **Complexity:** `O(n)` time, `O(1)` space.
pub fn max_profit(prices: &[u32]) -> u32 {
    let mut cheapest = u32::MAX;
    let mut best = 0;
    for &price in prices {
        cheapest = cheapest.min(price);
        best = best.max(price - cheapest);
    }
    best
}

/// **Maximum subarray.** The largest sum of a non-empty contiguous subarray (`None` if empty).
///
/// **Insight:** Kadane — the best subarray ending here either extends the best one ending at
/// the previous index or starts fresh, whichever is larger (see `algorithms::kadane`).
///
/// **Complexity:** `O(n)` time, `O(1)` space.
pub fn max_subarray(nums: &[i32]) -> Option<i64> {
    let (&first, rest) = nums.split_first()?;
    let (mut ending_here, mut best) = (i64::from(first), i64::from(first));
    for &x in rest {
        ending_here = i64::from(x).max(ending_here + i64::from(x));
        best = best.max(ending_here);
    }
    Some(best)
}

/// **Product of array except self.** `out[i]` is the product of every element but `nums[i]`,
/// without using division.
///
/// **Insight:** `out[i] = (product of everything left of i) × (product of everything right of
/// i)`. Fill the left products in a forward pass, multiply in the right products in a backward
/// pass. Division would fail on zeros.
///
/// **Complexity:** `O(n)` time, `O(1)` extra space besides the output.
pub fn product_except_self(nums: &[i64]) -> Vec<i64> {
    let mut out = vec![1; nums.len()];
    let mut left = 1;
    for i in 0..nums.len() {
        out[i] = left;
        left *= nums[i];
    }
    let mut right = 1;
    for i in (0..nums.len()).rev() {
        out[i] *= right;
        right *= nums[i];
    }
    out
}

/// **Rotate array.** Rotate `nums` right by `k` steps in place (`[1,2,3,4,5]`, 2 →
/// `[4,5,1,2,3]`).
///
/// **Insight:** reverse the whole array, then reverse the first `k` and the rest separately.
/// Reduce `k` modulo `n` first (and handle `n = 0`).
///
/// **Complexity:** `O(n)` time, `O(1)` space (a copy would be `O(n)` space).
pub fn rotate_right(nums: &mut [i32], k: usize) {
    if nums.is_empty() {
        return;
    }
    let k = k % nums.len();
    nums.reverse();
    nums[..k].reverse();
    nums[k..].reverse();
}

/// **Container with most water.** Vertical lines of the given heights at positions `0..n`;
/// the most water two lines can hold with the x-axis: `(j - i) × min(h[i], h[j])`.
///
/// **Insight:** start with the widest pair. The shorter line limits the area, and any
/// narrower container using it is no taller, so it can be discarded: move the shorter side in.
///
/// **Complexity:** `O(n)` time, `O(1)` space.
pub fn max_area(heights: &[u32]) -> u64 {
    let (mut lo, mut hi) = (0, heights.len().saturating_sub(1));
    let mut best = 0;
    while lo < hi {
        let area = (hi - lo) as u64 * u64::from(heights[lo].min(heights[hi]));
        best = best.max(area);
        if heights[lo] < heights[hi] {
            lo += 1;
        } else {
            hi -= 1;
        }
    }
    best
}

/// **3sum.** All distinct triplets `[a, b, c]` (sorted, listed in ascending order) of elements
/// at different indices with `a + b + c = 0`.
///
/// **Insight:** sort; fix the smallest element, then find pairs summing to its negation with
/// two pointers on the rest. Skip equal values at each of the three positions to avoid
/// duplicate triplets.
///
/// **Complexity:** `O(n²)` time, `O(1)` extra space besides the sort and the output.
pub fn three_sum(nums: &[i32]) -> Vec<[i32; 3]> {
    let mut sorted = nums.to_vec();
    sorted.sort_unstable();
    let mut triplets = Vec::new();
    for first in 0..sorted.len() {
        if first > 0 && sorted[first] == sorted[first - 1] {
            continue; // Same smallest value as the previous round: same triplets.
        }
        let (mut lo, mut hi) = (first + 1, sorted.len() - 1);
        while lo < hi {
            let sum = i64::from(sorted[first]) + i64::from(sorted[lo]) + i64::from(sorted[hi]);
            if sum < 0 {
                lo += 1;
            } else if sum > 0 {
                hi -= 1;
            } else {
                triplets.push([sorted[first], sorted[lo], sorted[hi]]);
                lo += 1;
                while lo < hi && sorted[lo] == sorted[lo - 1] {
                    lo += 1;
                }
                hi -= 1;
            }
        }
    }
    triplets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_profit_buys_at_the_running_minimum() {
        let cases: [(&[u32], u32); 6] =
            [(&[7, 1, 5, 3, 6, 4], 5), (&[7, 6, 4, 3, 1], 0), (&[], 0), (&[5], 0), (&[2, 4, 1, 7], 6), (&[3, 3, 3], 0)];
        for (prices, expected) in cases {
            assert_eq!(max_profit(prices), expected, "{prices:?}");
        }
    }

    #[test]
    fn max_subarray_handles_all_negative_input() {
        let cases: [(&[i32], Option<i64>); 6] = [
            (&[-2, 1, -3, 4, -1, 2, 1, -5, 4], Some(6)),
            (&[1], Some(1)),
            (&[5, 4, -1, 7, 8], Some(23)),
            (&[-3, -2, -5], Some(-2)),
            (&[], None),
            (&[i32::MAX, i32::MAX], Some(2 * i64::from(i32::MAX))),
        ];
        for (nums, expected) in cases {
            assert_eq!(max_subarray(nums), expected, "{nums:?}");
        }
    }

    #[test]
    fn product_except_self_copes_with_zeros_without_division() {
        let cases: [(&[i64], Vec<i64>); 6] = [
            (&[1, 2, 3, 4], vec![24, 12, 8, 6]),
            (&[-1, 1, 0, -3, 3], vec![0, 0, 9, 0, 0]),
            (&[0, 0], vec![0, 0]),
            (&[5], vec![1]),
            (&[], vec![]),
            (&[-2, -3], vec![-3, -2]),
        ];
        for (nums, expected) in cases {
            assert_eq!(product_except_self(nums), expected, "{nums:?}");
        }
    }

    #[test]
    fn rotate_right_reduces_k_modulo_the_length() {
        let cases: [((Vec<i32>, usize), Vec<i32>); 6] = [
            ((vec![1, 2, 3, 4, 5, 6, 7], 3), vec![5, 6, 7, 1, 2, 3, 4]),
            ((vec![-1, -100, 3, 99], 2), vec![3, 99, -1, -100]),
            ((vec![1, 2], 5), vec![2, 1]),
            ((vec![1, 2, 3], 0), vec![1, 2, 3]),
            ((vec![9], 4), vec![9]),
            ((vec![], 3), vec![]),
        ];
        for ((mut nums, k), expected) in cases {
            rotate_right(&mut nums, k);
            assert_eq!(nums, expected, "k={k}");
        }
    }

    #[test]
    fn container_moves_the_shorter_line_inwards() {
        let cases: [(&[u32], u64); 6] = [
            (&[1, 8, 6, 2, 5, 4, 8, 3, 7], 49),
            (&[1, 1], 1),
            (&[4, 3, 2, 1, 4], 16),
            (&[1, 2, 1], 2),
            (&[5], 0),
            (&[], 0),
        ];
        for (heights, expected) in cases {
            assert_eq!(max_area(heights), expected, "{heights:?}");
        }
    }

    #[test]
    fn three_sum_reports_each_triplet_once() {
        let cases: [(&[i32], Vec<[i32; 3]>); 6] = [
            (&[-1, 0, 1, 2, -1, -4], vec![[-1, -1, 2], [-1, 0, 1]]),
            (&[0, 1, 1], vec![]),
            (&[0, 0, 0, 0], vec![[0, 0, 0]]),
            (&[-2, 0, 1, 1, 2], vec![[-2, 0, 2], [-2, 1, 1]]),
            (&[], vec![]),
            (&[1, -1], vec![]),
        ];
        for (nums, expected) in cases {
            assert_eq!(three_sum(nums), expected, "{nums:?}");
        }
    }
}

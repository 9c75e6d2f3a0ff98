//! # Searching problems
//!
//! Search in a rotated sorted array, minimum of a rotated sorted array, k-th largest element:
//! binary search on a partially sorted array, and a bounded heap.
//!
//! The binary searches here use the **closed** window `[lo, hi]` with `while lo <= hi`, the
//! convention many interviewers learned; `algorithms::binary_search` uses the half-open one.
//! Both are right when every line follows the same invariant.
//!
//! ## Break it
//! `breaks/searching.patch` drops the `Reverse` from [`kth_largest`]'s heap. A max-heap of size
//! `k` evicts the *largest* values, so it ends up holding the `k` smallest:
//! `kth_largest_keeps_the_k_largest_in_a_min_heap` fails.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// **Search in rotated sorted array.** An ascending array of distinct values was rotated at
/// an unknown pivot (`[4,5,6,7,0,1,2]`); return the index of `target`, or `None`.
///
/// **Insight:** at any `mid`, at least one of `[lo, mid]` and `[mid, hi]` is sorted (compare
/// the ends). If the target lies within the sorted half's range, search there; otherwise the
/// other half.
///
/// **Complexity:** `O(log n)` time, `O(1)` space.
pub fn search_rotated(nums: &[i32], target: i32) -> Option<usize> {
    if nums.is_empty() {
        return None;
    }
    // Closed window [lo, hi]; `hi` is signed so that `mid - 1` may step below 0.
    let (mut lo, mut hi) = (0isize, nums.len() as isize - 1);
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        let (low, middle, high) = (nums[lo as usize], nums[mid as usize], nums[hi as usize]);
        if middle == target {
            return Some(mid as usize);
        }
        if low <= middle {
            // [lo, mid] is sorted.
            if low <= target && target < middle {
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        } else if middle < target && target <= high {
            // [mid, hi] is sorted and holds the target's range.
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    None
}

/// **Find minimum in rotated sorted array.** The smallest value of a rotated ascending array
/// of distinct values (`None` if empty).
///
/// **Insight:** compare `mid` with the *last* element of the window: if larger, the drop (and
/// the minimum) is to the right of `mid`; otherwise `mid` itself may be the minimum, so keep it.
///
/// **Complexity:** `O(log n)` time, `O(1)` space.
pub fn find_min_rotated(nums: &[i32]) -> Option<i32> {
    let (mut lo, mut hi) = (0, nums.len().checked_sub(1)?);
    // Invariant: the minimum is in [lo, hi].
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if nums[mid] > nums[hi] {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Some(nums[lo])
}

/// **K-th largest element.** The `k`-th largest value (1 = the maximum), counting duplicates;
/// `None` if `k == 0` or `k > n`.
///
/// **Insight:** keep the `k` largest values seen so far in a *min*-heap; its top is the
/// smallest of them — the k-th largest. A larger newcomer replaces the top.
///
/// **Complexity:** `O(n log k)` time, `O(k)` space. Quickselect is `O(n)` on average
/// (`O(n²)` worst) in place; sorting is `O(n log n)`.
pub fn kth_largest(nums: &[i32], k: usize) -> Option<i32> {
    if k == 0 || k > nums.len() {
        return None;
    }
    let mut largest: BinaryHeap<Reverse<i32>> = BinaryHeap::with_capacity(k + 1);
    for &x in nums {
        largest.push(Reverse(x));
        if largest.len() > k {
            largest.pop(); // Drop the smallest of the k + 1.
        }
    }
    largest.peek().map(|&Reverse(x)| x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_rotated_picks_the_sorted_half() {
        let cases: [((&[i32], i32), Option<usize>); 8] = [
            ((&[4, 5, 6, 7, 0, 1, 2], 0), Some(4)),
            ((&[4, 5, 6, 7, 0, 1, 2], 3), None),
            ((&[1], 0), None),
            ((&[1], 1), Some(0)),
            ((&[], 5), None),
            ((&[3, 1], 1), Some(1)),
            ((&[5, 1, 3], 5), Some(0)),
            ((&[-4, -2, 0, 3], -2), Some(1)), // not rotated at all
        ];
        for ((nums, target), expected) in cases {
            assert_eq!(search_rotated(nums, target), expected, "{nums:?} / {target}");
        }
    }

    #[test]
    fn find_min_rotated_follows_the_drop() {
        let cases: [(&[i32], Option<i32>); 6] = [
            (&[3, 4, 5, 1, 2], Some(1)),
            (&[4, 5, 6, 7, 0, 1, 2], Some(0)),
            (&[11, 13, 15, 17], Some(11)),
            (&[2, 1], Some(1)),
            (&[-7], Some(-7)),
            (&[], None),
        ];
        for (nums, expected) in cases {
            assert_eq!(find_min_rotated(nums), expected, "{nums:?}");
        }
    }

    #[test]
    fn kth_largest_keeps_the_k_largest_in_a_min_heap() {
        let cases: [((&[i32], usize), Option<i32>); 7] = [
            ((&[3, 2, 1, 5, 6, 4], 2), Some(5)),
            ((&[3, 2, 3, 1, 2, 4, 5, 5, 6], 4), Some(4)),
            ((&[1], 1), Some(1)),
            ((&[7, 7, 7], 2), Some(7)),
            ((&[-1, -5, -3], 3), Some(-5)),
            ((&[1, 2], 3), None),
            ((&[1, 2], 0), None),
        ];
        for ((nums, k), expected) in cases {
            assert_eq!(kth_largest(nums, k), expected, "{nums:?}, k={k}");
        }
    }
}

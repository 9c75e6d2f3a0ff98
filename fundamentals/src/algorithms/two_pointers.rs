//! # Two pointers
//!
//! Two indices walking a sorted array from both ends, or a reader and a writer walking it in
//! the same direction: `O(n)` answers to questions whose brute force is `O(n²)`.
//!
//! ## Why interviewers ask this
//! It is the first optimisation they hope to see after the nested-loop brute force, and it
//! tests whether you can *argue* correctness: moving a pointer throws candidates away, and you
//! must say why none of them could have been the answer. Pair sum, 3sum, container with most
//! water, dedup in place, palindromes and merging all use it.
//!
//! ## How it works
//! - **Opposite ends** ([`pair_with_sum`], [`is_palindrome`]): `lo` at the start, `hi` at the
//!   end of a sorted array. If `a[lo] + a[hi]` is too small, `a[lo]` is too small even with the
//!   largest remaining partner, so no pair uses it: `lo += 1`. Symmetrically for too big. Each
//!   step discards one element for good, so `O(n)` time, `O(1)` space (plus `O(n log n)` if you
//!   have to sort first — which also loses the original indices).
//! - **Reader/writer** ([`dedup_sorted`]): the reader visits every element once, the writer
//!   marks the end of the kept prefix. In place, `O(n)` time, `O(1)` extra space.
//! - **Two sequences** ([`merge_sorted`]): one pointer per input, always take the smaller head;
//!   `O(n + m)`. Taking from the left input on ties keeps the merge stable (see `sorting`).
//!
//! ## Common pitfalls
//! - `while lo <= hi` pairs an element with itself (`[3]` "sums" to 6).
//! - Forgetting the input must be sorted, or sorting it and then returning indices into the
//!   sorted copy when the question wanted the original indices (use a hash map then: two sum).
//! - Overflow of `a[lo] + a[hi]`: widen first (this module adds `i32`s as `i64`).
//! - `hi = len - 1` on an empty slice underflows a `usize`; handle empty input first.
//! - In palindrome checks, skipping non-alphanumerics on one side but not re-checking bounds.
//!
//! ## Key takeaways
//! - Every pointer move needs a one-sentence proof that it discards no answer.
//! - Opposite-end pointers need order (sorted input or a monotone quantity); same-direction
//!   pointers need only a rule for what the writer keeps.
//!
//! ## Break it
//! `breaks/two_pointers.patch` loosens the loop of [`pair_with_sum`] to `while lo <= hi`.
//! `an_element_is_never_paired_with_itself` fails: for `[3]` and target 6 the element is paired
//! with itself, and on other inputs `hi -= 1` underflows at zero. The property test against
//! the brute force shrinks to a one-element counterexample.
//!
//! ## Interview questions
//! - *Why is moving `lo` safe when the sum is too small?* — `a[hi]` is the largest value still
//!   in play; if even it cannot lift `a[lo]` to the target, no remaining partner can, so `a[lo]`
//!   is in no solution.
//! - *Two sum on an unsorted array: sort + two pointers or a hash map?* — Hash map: `O(n)` time,
//!   `O(n)` space, keeps original indices. Sorting is `O(n log n)` and `O(1)` extra space if you
//!   may reorder, and it generalises to 3sum (fix one, two-pointer the rest: `O(n²)`).
//! - *Remove duplicates from a sorted array in place.* — Writer `w` starts at 1; for each
//!   reader position, if the value differs from `a[w - 1]`, copy it to `a[w]` and advance.
//!   Return `w`. `O(n)`, `O(1)`.

/// Indices `(i, j)` with `i < j` and `sorted[i] + sorted[j] == target`, in an ascending slice.
/// Some pair is returned if any exists. `O(n)` time, `O(1)` space.
pub fn pair_with_sum(sorted: &[i32], target: i64) -> Option<(usize, usize)> {
    debug_assert!(sorted.is_sorted(), "pair_with_sum needs ascending input");
    let (mut lo, mut hi) = (0, sorted.len().checked_sub(1)?);
    while lo < hi {
        // Widen before adding: two large i32s overflow an i32 sum.
        let sum = i64::from(sorted[lo]) + i64::from(sorted[hi]);
        match sum.cmp(&target) {
            std::cmp::Ordering::Equal => return Some((lo, hi)),
            // Even the largest partner left is too small for sorted[lo]: it is in no pair.
            std::cmp::Ordering::Less => lo += 1,
            // Even the smallest partner left is too big for sorted[hi]: it is in no pair.
            std::cmp::Ordering::Greater => hi -= 1,
        }
    }
    None
}

/// Removes consecutive duplicates in place, keeping the first of each run (for sorted input
/// that leaves the distinct values). `O(n)` time, `O(1)` extra space.
pub fn dedup_sorted<T: PartialEq>(items: &mut Vec<T>) {
    if items.is_empty() {
        return;
    }
    // items[..write] is the kept prefix; items[write..read] are leftovers we may overwrite.
    let mut write = 1;
    for read in 1..items.len() {
        if items[read] != items[write - 1] {
            items.swap(write, read);
            write += 1;
        }
    }
    items.truncate(write);
}

/// Whether `text` reads the same both ways, considering only ASCII letters and digits and
/// ignoring case ("A man, a plan, a canal: Panama" is one). `O(n)` time, `O(1)` space.
pub fn is_palindrome(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (mut lo, mut hi) = (0, bytes.len());
    // Half-open [lo, hi): the part not yet compared.
    loop {
        while lo < hi && !bytes[lo].is_ascii_alphanumeric() {
            lo += 1;
        }
        while lo < hi && !bytes[hi - 1].is_ascii_alphanumeric() {
            hi -= 1;
        }
        if hi - lo < 2 {
            return true;
        }
        if !bytes[lo].eq_ignore_ascii_case(&bytes[hi - 1]) {
            return false;
        }
        lo += 1;
        hi -= 1;
    }
}

/// Merges two ascending slices into one ascending vector. On ties the element of `left` comes
/// first, so the merge is stable. `O(n + m)` time and output space.
pub fn merge_sorted<T: Ord + Clone>(left: &[T], right: &[T]) -> Vec<T> {
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if right[j] < left[i] {
            merged.push(right[j].clone());
            j += 1;
        } else {
            merged.push(left[i].clone());
            i += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pair_with_sum_finds_pairs_from_both_ends() {
        type Case = (&'static [i32], i64, Option<(usize, usize)>);
        let cases: [Case; 7] = [
            (&[1, 2, 4, 7, 11, 15], 15, Some((2, 4))),
            (&[1, 2, 4, 7, 11, 15], 3, Some((0, 1))),
            (&[1, 2, 4, 7, 11, 15], 26, Some((4, 5))),
            (&[1, 2, 4, 7, 11, 15], 100, None),
            (&[-5, -1, 0, 3], -6, Some((0, 1))),
            (&[2, 2], 4, Some((0, 1))),
            (&[], 0, None),
        ];
        for (sorted, target, expected) in cases {
            assert_eq!(pair_with_sum(sorted, target), expected, "{sorted:?} / {target}");
        }
    }

    #[test]
    fn an_element_is_never_paired_with_itself() {
        let cases: [(&[i32], i64); 4] = [(&[3], 6), (&[1, 3, 10], 6), (&[5], 3), (&[-4, 0, 9], -8)];
        for (sorted, target) in cases {
            assert_eq!(pair_with_sum(sorted, target), None, "{sorted:?} / {target}");
        }
    }

    #[test]
    fn pair_sum_does_not_overflow_on_extreme_values() {
        assert_eq!(pair_with_sum(&[1, i32::MAX, i32::MAX], 2 * i64::from(i32::MAX)), Some((1, 2)));
        assert_eq!(pair_with_sum(&[i32::MIN, i32::MIN], 2 * i64::from(i32::MIN)), Some((0, 1)));
    }

    #[test]
    fn dedup_keeps_one_of_each_value_in_order() {
        let cases: [(Vec<i32>, Vec<i32>); 5] = [
            (vec![1, 1, 2, 3, 3, 3, 4], vec![1, 2, 3, 4]),
            (vec![], vec![]),
            (vec![7], vec![7]),
            (vec![5, 5, 5], vec![5]),
            (vec![-2, -1, 0], vec![-2, -1, 0]),
        ];
        for (mut input, expected) in cases {
            dedup_sorted(&mut input);
            assert_eq!(input, expected);
        }
    }

    #[test]
    fn palindrome_check_ignores_case_and_punctuation() {
        let cases = [
            ("A man, a plan, a canal: Panama", true),
            ("race a car", false),
            ("", true),
            (" .,", true),
            ("x", true),
            ("ab", false),
            ("0P", false),
            ("No 'x' in Nixon", true),
        ];
        for (text, expected) in cases {
            assert_eq!(is_palindrome(text), expected, "{text:?}");
        }
    }

    fn sorted_vec(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<i32>> {
        prop::collection::vec(-30i32..30, len).prop_map(|mut v| {
            v.sort();
            v
        })
    }

    proptest! {
        #[test]
        fn pair_with_sum_finds_a_pair_exactly_when_brute_force_does(sorted in sorted_vec(0..25), target in -70i64..70) {
            let brute_force_exists = (0..sorted.len())
                .any(|i| (i + 1..sorted.len()).any(|j| i64::from(sorted[i] + sorted[j]) == target));
            match pair_with_sum(&sorted, target) {
                Some((i, j)) => {
                    prop_assert!(i < j);
                    prop_assert_eq!(i64::from(sorted[i] + sorted[j]), target);
                }
                None => prop_assert!(!brute_force_exists),
            }
        }

        #[test]
        fn dedup_matches_vec_dedup(mut sorted in sorted_vec(0..40)) {
            let mut expected = sorted.clone();
            expected.dedup();
            dedup_sorted(&mut sorted);
            prop_assert_eq!(sorted, expected);
        }

        #[test]
        fn palindrome_check_matches_filter_and_reverse(text in "[ab ,A.B1]{0,12}") {
            let kept: Vec<u8> = text.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase()).collect();
            let reversed: Vec<u8> = kept.iter().rev().copied().collect();
            prop_assert_eq!(is_palindrome(&text), kept == reversed);
        }

        #[test]
        fn merge_matches_concatenate_and_sort(left in sorted_vec(0..20), right in sorted_vec(0..20)) {
            let mut expected = [left.clone(), right.clone()].concat();
            expected.sort();
            prop_assert_eq!(merge_sorted(&left, &right), expected);
        }
    }
}

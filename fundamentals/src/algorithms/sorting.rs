//! # Sorting
//!
//! Insertion, merge, quick, heap and counting sort (with LSD radix sort on top), their costs,
//! and stability shown on records with equal keys.
//!
//! ## Why interviewers ask this
//! Few people write a sort at work, but sorting is where complexity analysis, recursion,
//! in-place tricks and stability meet. Questions like "sort a billion 32-bit ints", "why is
//! std's `sort` stable but `sort_unstable` faster", or "merge k sorted lists" all assume you
//! know these five algorithms and what each one costs.
//!
//! ## How it works
//! | algorithm | time (best / avg / worst) | extra space | stable | idea |
//! | --- | --- | --- | --- | --- |
//! | [`insertion_sort`] | `n` / `n²` / `n²` | `O(1)` | yes | grow a sorted prefix; `O(n + inversions)`, great for tiny or nearly sorted input |
//! | [`merge_sort`] | `n log n` (here `n` if already sorted) | `O(n)` | yes | sort halves, merge taking the left on ties |
//! | [`quick_sort`] | `n log n` / `n log n` / `n²` | `O(log n)` stack | no | partition around a pivot, recurse |
//! | [`heap_sort`] | `n log n` always | `O(1)` | no | build a max-heap, repeatedly swap the max to the end |
//! | [`counting_sort_by_key`] | `n + k` | `O(n + k)` | yes | count keys in `0..k`, prefix sums give each key's output slot |
//! | [`radix_sort_u32`] | `4 (n + 256)` | `O(n)` | yes | four stable counting passes, least significant byte first |
//!
//! Why the bounds: merge sort has `log n` levels of halving and each level merges `n`
//! elements. Quick sort is the same when pivots split evenly; a pivot that is always the
//! smallest element leaves `n - 1` elements for the next level, giving `n²`. Heap sort does `n`
//! sift-downs of height `log n`. Any *comparison* sort needs `log2(n!) ≈ n log n` comparisons in
//! the worst case (a decision tree must have `n!` leaves); counting and radix sort escape that
//! bound by not comparing — they index by the key, so they need small integer keys.
//!
//! The quick sort here uses a median-of-three pivot, a partition that stops on keys equal to
//! the pivot from both sides (so many duplicates still split evenly), insertion sort below 16
//! elements, and recursion into the *smaller* side only (loop on the larger), which bounds the
//! stack at `O(log n)` even when the pivots are bad.
//!
//! **Stability** means equal keys keep their input order. It matters when you sort by one key
//! after another (sort by name, then stably by department: each department stays name-sorted),
//! and radix sort is only correct because every pass is stable.
//!
//! **Benchmark** (`benches/sorting.rs`: 100 000 seeded random `u32`s, release build, median
//! of criterion's samples on a shared 2-core machine, so read the ratios, not the digits):
//!
//! | sort | time | vs `sort_unstable` | why the gap |
//! | --- | --- | --- | --- |
//! | `slice::sort_unstable` | 1.75 ms | 1.0× | ipnsort: branchless partitioning, pattern detection |
//! | [`radix_sort_u32`] | 2.12 ms | 1.2× | no comparisons at all; four linear passes, each allocating |
//! | `slice::sort` | 2.48 ms | 1.4× | driftsort: stable, merges natural runs, half-size buffer |
//! | [`quick_sort`] | 8.79 ms | 5.0× | branchy scans mispredict on random data; ipnsort partitions branch-free |
//! | [`merge_sort`] | 12.5 ms | 7.1× | copies the whole run to the scratch buffer at every level |
//! | [`heap_sort`] | 13.7 ms | 7.8× | sift-downs jump across the array: a cache miss per level |
//!
//! Insertion sort on 2 000 elements: 0.42 ms against 0.02 ms for `slice::sort` (21×), the
//! `n²` showing already; std uses insertion sort only below about 20 elements.
//!
//! ## Common pitfalls
//! - Merge with `<` instead of `<=` (take from the right on ties): still sorted, no longer
//!   stable — invisible until someone sorts records.
//! - Quick sort with the first or last element as pivot: `n²` on already sorted input, and a
//!   Lomuto partition degrades to `n²` on all-equal keys. Production sorts (pdqsort, introsort)
//!   detect bad pivots and fall back to heap sort to guarantee `n log n`.
//! - Median-of-three that only *picks* the median and leaves the maximum at the front: after
//!   one partition of reversed input the maximum heads the right half, the next median is
//!   near the top again, and the sort goes quadratic (2.1 million comparisons for 4 096
//!   elements in this module's first draft; 37 000 once the samples are sorted in place).
//! - Recursing into both sides of a quick sort: `O(n)` stack depth in the worst case, a stack
//!   overflow at a million elements.
//! - Heap sort children at `2i + 1` and `2i + 2` — off by one if you think 1-based.
//! - Counting sort with a huge key range (`k = 2³²`): the count array, not `n`, dominates.
//!
//! ## Key takeaways
//! - Need stability or worst-case `n log n` with spare memory: merge sort (std's `sort` is a
//!   merge-based driftsort). In place and fast on average: quick sort (std's `sort_unstable`
//!   is pdqsort-derived ipnsort). Guaranteed `n log n` in `O(1)` space: heap sort.
//! - Small integer keys: counting or radix sort beats every comparison sort.
//! - Claims about stability need a test with equal keys, not a test with distinct values.
//!
//! ## Break it
//! `breaks/sorting.patch` makes [`merge_sort`]'s merge take from the left only when the left
//! head is strictly smaller (`<` instead of `<=`). Every "is it sorted" test still passes;
//! `merge_sort_is_stable_on_records_with_equal_keys` fails, and so does the property test that
//! compares merge sort with std's stable sort on records.
//!
//! ## Interview questions
//! - *Sort 1 GB of 32-bit integers with 100 MB of memory.* — External merge sort: sort
//!   memory-sized chunks, write them as runs, k-way merge the runs with a min-heap. Or, since
//!   keys are 32-bit, counting by bucket in passes.
//! - *Why is quick sort usually faster than merge sort if both are `n log n`?* — It sorts in
//!   place with sequential, cache-friendly scans and no copying; merge sort moves every element
//!   through a buffer at each level. Its `n²` worst case is made unlikely by pivot choice and
//!   impossible by an introsort fallback.
//! - *What makes a sort stable, and when do you need one?* — Equal keys keep their input
//!   order. Needed for multi-key sorts done one key at a time and for LSD radix sort.
//! - *Can you beat `n log n`?* — Not with comparisons (`log2(n!)` lower bound). With small
//!   integer keys, counting sort is `O(n + k)` and radix sort `O(d (n + base))`.

use std::cmp::Ordering;

/// Below this length quick sort hands over to insertion sort, which is faster on tiny slices.
const INSERTION_SORT_THRESHOLD: usize = 16;

/// Insertion sort. Stable; `O(n + inversions)` time (so `O(n)` on sorted input, `O(n²)` in the
/// worst case), `O(1)` space.
pub fn insertion_sort<T: Ord>(items: &mut [T]) {
    insertion_sort_by(items, &mut T::cmp);
}

/// [`insertion_sort`] with a comparison function.
pub fn insertion_sort_by<T>(items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    for sorted_len in 1..items.len() {
        // Sink the new element into the sorted prefix. Stopping at an equal element (only
        // moving past strictly greater ones) is what keeps equal keys in input order.
        let mut i = sorted_len;
        while i > 0 && compare(&items[i - 1], &items[i]) == Ordering::Greater {
            items.swap(i - 1, i);
            i -= 1;
        }
    }
}

/// Top-down merge sort. Stable; `O(n log n)` time (`O(n)` on sorted input thanks to a
/// check before each merge), `O(n)` extra space for one scratch buffer.
pub fn merge_sort<T: Ord + Clone>(items: &mut [T]) {
    merge_sort_by(items, &mut T::cmp);
}

/// [`merge_sort`] with a comparison function.
pub fn merge_sort_by<T: Clone>(items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    // One buffer for the whole sort instead of one allocation per merge.
    let mut scratch = items.to_vec();
    merge_sort_into(items, &mut scratch, compare);
}

fn merge_sort_into<T: Clone>(items: &mut [T], scratch: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    let len = items.len();
    if len < 2 {
        return;
    }
    let mid = len / 2;
    merge_sort_into(&mut items[..mid], &mut scratch[..mid], compare);
    merge_sort_into(&mut items[mid..], &mut scratch[mid..], compare);
    if compare(&items[mid - 1], &items[mid]) != Ordering::Greater {
        return; // The halves are already in order: nothing to merge.
    }
    scratch.clone_from_slice(items);
    let (left, right) = scratch.split_at(mid);
    merge(left, right, items, compare);
}

/// Merges two sorted runs into `out` (which has exactly their combined length).
fn merge<T: Clone>(left: &[T], right: &[T], out: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    debug_assert_eq!(left.len() + right.len(), out.len());
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        // On ties take the left run's element: it came first in the input, so equal keys
        // keep their order. This `<=` is the whole of merge sort's stability.
        let take_left = j == right.len() || (i < left.len() && compare(&left[i], &right[j]) != Ordering::Greater);
        if take_left {
            slot.clone_from(&left[i]);
            i += 1;
        } else {
            slot.clone_from(&right[j]);
            j += 1;
        }
    }
}

/// Quick sort: median-of-three pivot, partition that stops on equal keys, insertion sort for
/// short slices, recursion only into the smaller side. Not stable; `O(n log n)` expected,
/// `O(n²)` worst case, `O(log n)` stack.
pub fn quick_sort<T: Ord>(items: &mut [T]) {
    quick_sort_by(items, &mut T::cmp);
}

/// [`quick_sort`] with a comparison function.
pub fn quick_sort_by<T>(mut items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    loop {
        if items.len() <= INSERTION_SORT_THRESHOLD {
            insertion_sort_by(items, compare);
            return;
        }
        let pivot = median_of_three(items, compare);
        items.swap(0, pivot);
        let pivot = partition(items, compare);
        let (smaller_or_equal, rest) = items.split_at_mut(pivot);
        let greater_or_equal = &mut rest[1..];
        // Recurse into the smaller side and loop on the larger: every recursive call handles
        // at most half of its caller's slice, so the stack depth is at most log2(n).
        if smaller_or_equal.len() < greater_or_equal.len() {
            quick_sort_by(smaller_or_equal, compare);
            items = greater_or_equal;
        } else {
            quick_sort_by(greater_or_equal, compare);
            items = smaller_or_equal;
        }
    }
}

/// Sorts the first, middle and last elements among themselves and returns the middle index,
/// which now holds their median. Moving the three (not only picking the median) matters: on
/// reversed input it puts the smallest sample at the front and the largest at the back, where
/// they belong; leaving the maximum in place would seed a quadratic pattern in the next level.
fn median_of_three<T>(items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) -> usize {
    let (first, middle, last) = (0, items.len() / 2, items.len() - 1);
    for (a, b) in [(first, middle), (middle, last), (first, middle)] {
        if compare(&items[b], &items[a]) == Ordering::Less {
            items.swap(a, b);
        }
    }
    middle
}

/// Partitions around the pivot at `items[0]` and returns the pivot's final index `p`:
/// `items[..p] <= pivot <= items[p + 1..]`.
fn partition<T>(items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) -> usize {
    // Invariant: items[1..lo] <= pivot and items[hi + 1..] >= pivot.
    let (mut lo, mut hi) = (1, items.len() - 1);
    loop {
        // Both scans stop on keys *equal* to the pivot and swap them. That looks wasteful but
        // spreads equal keys over both sides, so an all-equal slice splits in the middle
        // instead of degenerating to n².
        while lo <= hi && compare(&items[lo], &items[0]) == Ordering::Less {
            lo += 1;
        }
        while lo <= hi && compare(&items[hi], &items[0]) == Ordering::Greater {
            hi -= 1;
        }
        if lo >= hi {
            break;
        }
        items.swap(lo, hi);
        lo += 1;
        hi -= 1;
    }
    items.swap(0, hi);
    hi
}

/// Heap sort. Not stable; `O(n log n)` time in every case, `O(1)` extra space.
pub fn heap_sort<T: Ord>(items: &mut [T]) {
    heap_sort_by(items, &mut T::cmp);
}

/// [`heap_sort`] with a comparison function.
pub fn heap_sort_by<T>(items: &mut [T], compare: &mut impl FnMut(&T, &T) -> Ordering) {
    let len = items.len();
    // Heapify bottom-up: leaves are already heaps; sifting each parent down costs O(height),
    // and most nodes are near the bottom, so building the heap is O(n) in total.
    for root in (0..len / 2).rev() {
        sift_down(items, root, len, compare);
    }
    // Move the maximum behind the shrinking heap, then repair the heap.
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, compare);
    }
}

/// Restores the max-heap property of `items[..heap_len]` below `root`.
fn sift_down<T>(items: &mut [T], mut root: usize, heap_len: usize, compare: &mut impl FnMut(&T, &T) -> Ordering) {
    loop {
        let mut child = 2 * root + 1;
        if child >= heap_len {
            return;
        }
        if child + 1 < heap_len && compare(&items[child], &items[child + 1]) == Ordering::Less {
            child += 1;
        }
        if compare(&items[root], &items[child]) != Ordering::Less {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

/// Counting sort of records by an integer key in `0..key_bound`. Stable; `O(n + key_bound)`
/// time and space. Panics if a key is out of bounds (a caller bug, not a data condition).
pub fn counting_sort_by_key<T: Clone>(items: &[T], key_bound: usize, key: impl Fn(&T) -> usize) -> Vec<T> {
    let mut counts = vec![0usize; key_bound];
    for item in items {
        let k = key(item);
        assert!(k < key_bound, "key {k} is outside 0..{key_bound}");
        counts[k] += 1;
    }
    // Turn counts into starting positions: key k's records go to next_slot[k]...
    let mut next_slot = counts;
    let mut position = 0;
    for slot in next_slot.iter_mut() {
        let count = *slot;
        *slot = position;
        position += count;
    }
    // ...filled in input order, which is what makes the sort stable.
    let mut sorted: Vec<Option<T>> = vec![None; items.len()];
    for item in items {
        let k = key(item);
        sorted[next_slot[k]] = Some(item.clone());
        next_slot[k] += 1;
    }
    sorted.into_iter().map(|item| item.expect("every slot is filled exactly once")).collect()
}

/// LSD radix sort of `u32`s: four stable counting-sort passes on one byte each, least
/// significant first. `O(4 (n + 256))` time, `O(n)` space. Correct only because each pass is
/// stable: the order established by the lower bytes survives the passes on higher bytes.
pub fn radix_sort_u32(values: &[u32]) -> Vec<u32> {
    let mut sorted = values.to_vec();
    for shift in [0, 8, 16, 24] {
        sorted = counting_sort_by_key(&sorted, 256, |&v| ((v >> shift) & 0xff) as usize);
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A record sorted by `key`; `seq` is its position in the input, so a stable sort must keep
    /// `seq` ascending among equal keys.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Record {
        key: u8,
        seq: usize,
    }

    fn records(keys: &[u8]) -> Vec<Record> {
        keys.iter().enumerate().map(|(seq, &key)| Record { key, seq }).collect()
    }

    fn by_key(a: &Record, b: &Record) -> Ordering {
        a.key.cmp(&b.key)
    }

    fn keeps_input_order_of_equal_keys(sorted: &[Record]) -> bool {
        sorted.windows(2).all(|w| w[0].key < w[1].key || (w[0].key == w[1].key && w[0].seq < w[1].seq))
    }

    /// Keys with many repeats, long enough that quick sort partitions instead of handing the
    /// whole slice to insertion sort.
    const KEYS_WITH_TIES: [u8; 24] = [3, 1, 2, 3, 1, 2, 3, 1, 2, 0, 0, 3, 2, 1, 3, 0, 2, 1, 1, 3, 2, 0, 3, 1];

    #[test]
    fn merge_sort_is_stable_on_records_with_equal_keys() {
        let mut sorted = records(&KEYS_WITH_TIES);
        merge_sort_by(&mut sorted, &mut by_key);
        assert!(keeps_input_order_of_equal_keys(&sorted), "{sorted:?}");
    }

    #[test]
    fn insertion_and_counting_sort_are_stable_on_records_with_equal_keys() {
        let mut by_insertion = records(&KEYS_WITH_TIES);
        insertion_sort_by(&mut by_insertion, &mut by_key);
        assert!(keeps_input_order_of_equal_keys(&by_insertion), "{by_insertion:?}");
        let by_counting = counting_sort_by_key(&records(&KEYS_WITH_TIES), 4, |r| usize::from(r.key));
        assert!(keeps_input_order_of_equal_keys(&by_counting), "{by_counting:?}");
    }

    #[test]
    fn quick_sort_and_heap_sort_sort_by_key_but_reorder_equal_keys() {
        let mut by_quick = records(&KEYS_WITH_TIES);
        quick_sort_by(&mut by_quick, &mut by_key);
        assert!(by_quick.is_sorted_by_key(|r| r.key));
        assert!(!keeps_input_order_of_equal_keys(&by_quick), "this input shows quick sort is unstable");

        // Two equal keys are enough for heap sort: the first is the heap's root and is swapped
        // to the back.
        let mut by_heap = records(&[7, 7]);
        heap_sort_by(&mut by_heap, &mut by_key);
        assert_eq!(by_heap, [Record { key: 7, seq: 1 }, Record { key: 7, seq: 0 }]);
    }

    #[test]
    fn every_sort_handles_edge_cases() {
        let cases: [Vec<i32>; 7] = [
            vec![],
            vec![1],
            vec![2, 1],
            vec![5, 5, 5, 5],
            vec![-3, 7, 0, -3, 12, 7],
            (0..100).collect(),
            (0..100).rev().collect(),
        ];
        for input in cases {
            let mut expected = input.clone();
            expected.sort();
            for (name, sort) in comparison_sorts() {
                let mut actual = input.clone();
                sort(&mut actual);
                assert_eq!(actual, expected, "{name} on {input:?}");
            }
        }
    }

    #[test]
    fn insertion_sort_is_linear_on_sorted_input() {
        let mut comparisons = 0;
        let mut sorted: Vec<u32> = (0..1_000).collect();
        insertion_sort_by(&mut sorted, &mut |a, b| {
            comparisons += 1;
            a.cmp(b)
        });
        assert_eq!(comparisons, 999, "one comparison per element after the first");
    }

    #[test]
    fn quick_sort_stays_n_log_n_on_sorted_reversed_and_all_equal_input() {
        let n = 4_096u32;
        let inputs: [Vec<u32>; 4] = [
            (0..n).collect(),
            (0..n).rev().collect(),
            vec![42; n as usize],
            (0..n).map(|i| i.min(n - i)).collect(), // organ pipe
        ];
        // n log2 n = 49 152. Sorted and reversed input take about 37 000 comparisons, organ
        // pipe about 126 000; a quadratic sort would need millions (n² / 2 ≈ 8.4 million).
        let budget = 4 * 4_096 * 12;
        for input in inputs {
            let mut comparisons = 0;
            let mut items = input.clone();
            quick_sort_by(&mut items, &mut |a, b| {
                comparisons += 1;
                a.cmp(b)
            });
            assert!(items.is_sorted());
            assert!(comparisons < budget, "{comparisons} comparisons on {:?}…", &input[..4]);
        }
    }

    #[test]
    fn radix_sort_orders_by_every_byte() {
        let cases: [(Vec<u32>, Vec<u32>); 4] = [
            (vec![], vec![]),
            (vec![0x0100, 0x00ff, 0x0001_0000, 0, u32::MAX], vec![0, 0x00ff, 0x0100, 0x0001_0000, u32::MAX]),
            (vec![9, 9, 1], vec![1, 9, 9]),
            (vec![0xff00_0000, 0x00ff_ffff], vec![0x00ff_ffff, 0xff00_0000]),
        ];
        for (input, expected) in cases {
            assert_eq!(radix_sort_u32(&input), expected);
        }
    }

    type NamedSort = (&'static str, fn(&mut [i32]));

    fn comparison_sorts() -> [NamedSort; 4] {
        [("insertion", insertion_sort), ("merge", merge_sort), ("quick", quick_sort), ("heap", heap_sort)]
    }

    proptest! {
        #[test]
        fn every_sort_matches_slice_sort(input in prop::collection::vec(-50i32..50, 0..200)) {
            let mut expected = input.clone();
            expected.sort();
            for (name, sort) in comparison_sorts() {
                let mut actual = input.clone();
                sort(&mut actual);
                prop_assert_eq!(&actual, &expected, "{}", name);
            }
        }

        #[test]
        fn stable_sorts_match_std_stable_sort_on_records(keys in prop::collection::vec(0u8..6, 0..120)) {
            let mut expected = records(&keys);
            expected.sort_by_key(|r| r.key);
            let mut by_merge = records(&keys);
            merge_sort_by(&mut by_merge, &mut by_key);
            prop_assert_eq!(&by_merge, &expected);
            let mut by_insertion = records(&keys);
            insertion_sort_by(&mut by_insertion, &mut by_key);
            prop_assert_eq!(&by_insertion, &expected);
            prop_assert_eq!(&counting_sort_by_key(&records(&keys), 6, |r| usize::from(r.key)), &expected);
        }

        #[test]
        fn radix_sort_matches_slice_sort(input in prop::collection::vec(any::<u32>(), 0..100)) {
            let mut expected = input.clone();
            expected.sort_unstable();
            prop_assert_eq!(radix_sort_u32(&input), expected);
        }
    }
}

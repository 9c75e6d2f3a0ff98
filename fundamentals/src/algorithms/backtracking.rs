//! # Backtracking
//!
//! Enumerating subsets and permutations (with and without duplicate inputs) and placing N
//! queens: choose, explore, un-choose — and prune early.
//!
//! ## Why interviewers ask this
//! Subsets, permutations, combination sum, N-queens, sudoku, word search: any "generate all" or
//! "find any arrangement satisfying constraints" question is backtracking. Interviewers watch
//! for the undo step, the handling of duplicate inputs, and whether you can state the size of
//! the output (which bounds the running time from below).
//!
//! ## How it works
//! Build a candidate one decision at a time. At each step: **choose** an option (push it,
//! mark it used), **explore** recursively, then **un-choose** (pop, unmark) so the next option
//! starts from the same state. The recursion tree has one leaf per complete candidate;
//! **pruning** cuts a branch as soon as it cannot lead to a valid one.
//!
//! - [`subsets`]: at depth `d`, add each later element in turn; every node of the tree is a
//!   subset. `2ⁿ` subsets of average length `n/2`: `O(n 2ⁿ)` time and output.
//! - [`subsets_without_duplicates`]: sort first, then skip an element equal to the previous
//!   sibling choice at the same depth — the same subset would be generated twice otherwise.
//! - [`permutations`]: at each depth pick any unused element. `n!` leaves, each copied in
//!   `O(n)`: `O(n · n!)`.
//! - [`unique_permutations`]: sort, and use a duplicate only if its equal predecessor is already
//!   used — equal values are then always taken in index order, so each distinct arrangement is
//!   built once.
//! - [`n_queens_count`]: one queen per row; a column is allowed if no earlier queen shares its
//!   column or either diagonal (`row + col` and `row - col` are constant along diagonals), three
//!   boolean arrays make the check `O(1)`. Worst case `O(n!)`, far less with pruning; `O(n)` space.
//!
//! ## Common pitfalls
//! - **Forgetting to undo** (the pop, the unmark): later branches see stale choices.
//! - Pushing `current` itself instead of a copy into the results (in languages with shared
//!   references, every result ends up the same list).
//! - Duplicates: skipping `items[i] == items[i - 1]` without the "at the same depth" /
//!   "predecessor unused" condition drops valid answers.
//! - Pruning too late: checking validity only at the leaves turns N-queens into `nⁿ`.
//!
//! ## Key takeaways
//! - Choose → explore → un-choose; the state after a call equals the state before it.
//! - The output size (`2ⁿ`, `n!`, `C(n, k)`) is the complexity floor; say it first.
//! - Sort to make duplicates adjacent, then skip equal siblings.
//!
//! ## Break it
//! `breaks/backtracking.patch` deletes the two lines that clear a queen's diagonal marks when
//! the search backs out of a square. `n_queens_counts_match_the_known_sequence` fails: stale
//! diagonals block squares for later branches and valid boards are never found (8 queens gives
//! far fewer than 92). The property test against a brute force over column permutations fails
//! too.
//!
//! ## Interview questions
//! - *How many subsets / permutations, and what is the time complexity?* — `2ⁿ` and `n!`;
//!   multiply by `n` for copying each result out.
//! - *Permutations of `[1, 1, 2]` without duplicates.* — Sort; skip `i` if
//!   `items[i] == items[i - 1]` and `i - 1` is not in use. Output: 3 permutations.
//! - *N-queens: how do you check a diagonal in `O(1)`?* — Cells on one diagonal share
//!   `row - col`, on the other `row + col`; keep a boolean per diagonal index.
//! - *Backtracking vs dynamic programming?* — Backtracking enumerates (or searches) candidates;
//!   DP applies when you only need an optimum or a count and subproblems repeat — e.g. counting
//!   subsets with a given sum is DP, listing them is backtracking.

/// Every subset of `items` (`2ⁿ` of them, elements in input order), in depth-first order:
/// `[], [a], [a, b], [a, b, c], [a, c], [b], [b, c], [c]`. `O(n 2ⁿ)` time and output.
pub fn subsets<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn extend<T: Clone>(items: &[T], start: usize, current: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        out.push(current.clone());
        for next in start..items.len() {
            current.push(items[next].clone()); // choose
            extend(items, next + 1, current, out); // explore
            current.pop(); // un-choose
        }
    }
    let mut out = Vec::with_capacity(1 << items.len().min(20));
    extend(items, 0, &mut Vec::new(), &mut out);
    out
}

/// Every *distinct* subset of `items` as sorted vectors: `[1, 2, 2]` gives 6, not 8.
/// `O(n 2ⁿ)` time in the worst case (all distinct).
pub fn subsets_without_duplicates<T: Ord + Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn extend<T: Ord + Clone>(sorted: &[T], start: usize, current: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        out.push(current.clone());
        for next in start..sorted.len() {
            // Among sibling choices at this depth, an equal value would repeat the subtree of
            // the first one.
            if next > start && sorted[next] == sorted[next - 1] {
                continue;
            }
            current.push(sorted[next].clone());
            extend(sorted, next + 1, current, out);
            current.pop();
        }
    }
    let mut sorted = items.to_vec();
    sorted.sort();
    let mut out = Vec::new();
    extend(&sorted, 0, &mut Vec::new(), &mut out);
    out
}

/// Every ordering of `items` (`n!` of them; lexicographic if `items` is sorted and distinct).
/// `O(n · n!)` time and output, `O(n)` extra space.
pub fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn extend<T: Clone>(items: &[T], used: &mut [bool], current: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        if current.len() == items.len() {
            out.push(current.clone());
            return;
        }
        for i in 0..items.len() {
            if used[i] {
                continue;
            }
            used[i] = true;
            current.push(items[i].clone());
            extend(items, used, current, out);
            current.pop();
            used[i] = false;
        }
    }
    let mut out = Vec::new();
    extend(items, &mut vec![false; items.len()], &mut Vec::with_capacity(items.len()), &mut out);
    out
}

/// Every *distinct* ordering of `items`, in lexicographic order: `[1, 1, 2]` gives 3.
pub fn unique_permutations<T: Ord + Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn extend<T: Ord + Clone>(sorted: &[T], used: &mut [bool], current: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        if current.len() == sorted.len() {
            out.push(current.clone());
            return;
        }
        for i in 0..sorted.len() {
            // Equal values are used strictly in index order: a copy may be placed only after
            // its equal predecessor, so swapping two equal values never makes a "new" result.
            if used[i] || (i > 0 && sorted[i] == sorted[i - 1] && !used[i - 1]) {
                continue;
            }
            used[i] = true;
            current.push(sorted[i].clone());
            extend(sorted, used, current, out);
            current.pop();
            used[i] = false;
        }
    }
    let mut sorted = items.to_vec();
    sorted.sort();
    let mut out = Vec::new();
    extend(&sorted, &mut vec![false; sorted.len()], &mut Vec::new(), &mut out);
    out
}

/// Every placement of `n` non-attacking queens on an `n × n` board, as the queen's column in
/// each row. Worst case `O(n!)`, much less with pruning; `O(n)` space besides the output.
pub fn n_queens_solutions(n: usize) -> Vec<Vec<usize>> {
    let mut board = Board::new(n);
    let mut solutions = Vec::new();
    board.place_from(0, &mut solutions);
    solutions
}

/// The number of ways to place `n` non-attacking queens (1, 1, 0, 0, 2, 10, 4, 40, 92, …).
pub fn n_queens_count(n: usize) -> usize {
    n_queens_solutions(n).len()
}

/// Queens placed so far, and which columns and diagonals they attack.
struct Board {
    n: usize,
    columns: Vec<usize>,
    column_taken: Vec<bool>,
    /// Indexed by `row + col`: constant along each "/" diagonal.
    rising_taken: Vec<bool>,
    /// Indexed by `row + n - 1 - col`: constant along each "\" diagonal.
    falling_taken: Vec<bool>,
}

impl Board {
    fn new(n: usize) -> Self {
        let diagonals = (2 * n).saturating_sub(1);
        Self {
            n,
            columns: Vec::with_capacity(n),
            column_taken: vec![false; n],
            rising_taken: vec![false; diagonals],
            falling_taken: vec![false; diagonals],
        }
    }

    fn place_from(&mut self, row: usize, solutions: &mut Vec<Vec<usize>>) {
        if row == self.n {
            solutions.push(self.columns.clone());
            return;
        }
        for col in 0..self.n {
            let (rising, falling) = (row + col, row + self.n - 1 - col);
            // Prune: a square attacked by an earlier queen can lead to no solution.
            if self.column_taken[col] || self.rising_taken[rising] || self.falling_taken[falling] {
                continue;
            }
            // Choose.
            self.column_taken[col] = true;
            self.rising_taken[rising] = true;
            self.falling_taken[falling] = true;
            self.columns.push(col);
            // Explore.
            self.place_from(row + 1, solutions);
            // Un-choose: the next column of this row must see the board as it was before.
            self.columns.pop();
            self.column_taken[col] = false;
            self.rising_taken[rising] = false;
            self.falling_taken[falling] = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The model for subsets: bit `i` of a mask says whether item `i` is in.
    fn subsets_by_bitmask(items: &[i32]) -> Vec<Vec<i32>> {
        (0u32..1 << items.len())
            .map(|mask| items.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, &x)| x).collect())
            .collect()
    }

    /// The model for permutations: every tuple of n indices, kept if it uses each index once.
    fn permutations_by_filtering(items: &[i32]) -> Vec<Vec<i32>> {
        let n = items.len();
        let tuples = (0..n).fold(vec![Vec::new()], |partial: Vec<Vec<usize>>, _| {
            partial.iter().flat_map(|prefix| (0..n).map(move |i| [prefix.clone(), vec![i]].concat())).collect()
        });
        tuples
            .into_iter()
            .filter(|indices| indices.iter().collect::<BTreeSet<_>>().len() == n)
            .map(|indices| indices.iter().map(|&i| items[i]).collect())
            .collect()
    }

    fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
        v.sort();
        v
    }

    #[test]
    fn subsets_come_out_in_depth_first_order() {
        let cases: [(&[char], Vec<Vec<char>>); 3] = [
            (
                &['a', 'b', 'c'],
                vec![
                    vec![],
                    vec!['a'],
                    vec!['a', 'b'],
                    vec!['a', 'b', 'c'],
                    vec!['a', 'c'],
                    vec!['b'],
                    vec!['b', 'c'],
                    vec!['c'],
                ],
            ),
            (&['x'], vec![vec![], vec!['x']]),
            (&[], vec![vec![]]),
        ];
        for (items, expected) in cases {
            assert_eq!(subsets(items), expected);
        }
    }

    #[test]
    fn duplicate_inputs_give_each_subset_and_permutation_once() {
        assert_eq!(
            subsets_without_duplicates(&[2, 1, 2]),
            [vec![], vec![1], vec![1, 2], vec![1, 2, 2], vec![2], vec![2, 2]]
        );
        assert_eq!(unique_permutations(&[1, 2, 1]), [vec![1, 1, 2], vec![1, 2, 1], vec![2, 1, 1]]);
        assert_eq!(unique_permutations(&[7, 7, 7]), [vec![7, 7, 7]]);
        assert_eq!(permutations(&[1, 1]).len(), 2, "plain permutations do not deduplicate");
    }

    #[test]
    fn permutations_of_sorted_distinct_items_are_lexicographic() {
        let cases: [(&[u8], Vec<Vec<u8>>); 3] = [
            (
                &[1, 2, 3],
                vec![vec![1, 2, 3], vec![1, 3, 2], vec![2, 1, 3], vec![2, 3, 1], vec![3, 1, 2], vec![3, 2, 1]],
            ),
            (&[9], vec![vec![9]]),
            (&[], vec![vec![]]),
        ];
        for (items, expected) in cases {
            assert_eq!(permutations(items), expected);
        }
    }

    #[test]
    fn n_queens_counts_match_the_known_sequence() {
        // OEIS A000170, from n = 0.
        let known = [1, 1, 0, 0, 2, 10, 4, 40, 92, 352];
        for (n, &count) in known.iter().enumerate() {
            assert_eq!(n_queens_count(n), count, "n = {n}");
        }
        assert_eq!(n_queens_solutions(4), [vec![1, 3, 0, 2], vec![2, 0, 3, 1]]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn subsets_match_bitmask_enumeration(items in prop::collection::vec(-3i32..3, 0..8)) {
            let ours = subsets(&items);
            prop_assert_eq!(ours.len(), 1 << items.len());
            prop_assert_eq!(sorted(ours), sorted(subsets_by_bitmask(&items)));
        }

        #[test]
        fn distinct_subsets_match_deduplicated_bitmask_enumeration(items in prop::collection::vec(0i32..3, 0..8)) {
            let ours = subsets_without_duplicates(&items);
            let expected: BTreeSet<Vec<i32>> = subsets_by_bitmask(&items).into_iter().map(sorted).collect();
            prop_assert_eq!(ours.len(), expected.len(), "no subset twice");
            prop_assert_eq!(ours.into_iter().collect::<BTreeSet<_>>(), expected);
        }

        #[test]
        fn permutations_match_filtering_all_index_tuples(items in prop::collection::vec(0i32..3, 0..6)) {
            let model = permutations_by_filtering(&items);
            prop_assert_eq!(sorted(permutations(&items)), sorted(model.clone()));
            let distinct: Vec<Vec<i32>> = model.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
            prop_assert_eq!(unique_permutations(&items), distinct);
        }

        #[test]
        fn n_queens_solutions_match_brute_force_over_column_permutations(n in 0usize..8) {
            // Brute force: one queen per row and column is a permutation of columns; keep those
            // where no two queens share a diagonal.
            let columns: Vec<i32> = (0..n as i32).collect();
            let valid = |cols: &Vec<i32>| (0..n).all(|a| (a + 1..n).all(|b| (cols[a] - cols[b]).unsigned_abs() as usize != b - a));
            let expected: Vec<Vec<usize>> = permutations(&columns)
                .into_iter()
                .filter(valid)
                .map(|cols| cols.into_iter().map(|c| c as usize).collect())
                .collect();
            prop_assert_eq!(n_queens_solutions(n), expected);
        }
    }
}

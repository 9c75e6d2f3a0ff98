//! # Dynamic programming
//!
//! Coin change (fewest coins and number of ways), longest increasing subsequence, edit
//! distance, 0/1 knapsack and house robber — each a table of subproblem answers filled in an
//! order where every entry's dependencies are already known.
//!
//! ## Why interviewers ask this
//! DP questions test whether you can turn a recursive definition of the answer into a table,
//! pick the fill order, and shrink the table when only the last row is needed. The five here
//! cover the common shapes: 1-D over an amount, 1-D over a sequence, 2-D over two strings,
//! 2-D-compressed-to-1-D over items × capacity, and the "take it or skip it" recurrence.
//!
//! ## How it works
//! Write the answer as a recurrence over smaller subproblems (the *state*), check that
//! subproblems repeat (otherwise plain recursion is as good), then either memoise the
//! recursion (top-down) or fill a table from the base cases up (bottom-up). Time = number of
//! states × work per state; space = states kept alive.
//!
//! | problem | state | recurrence | time | space |
//! | --- | --- | --- | --- | --- |
//! | [`coin_change_min_coins`] | `best[a]`: fewest coins for amount `a` | `min over coins c ≤ a of best[a - c] + 1` | `O(amount × coins)` | `O(amount)` |
//! | [`coin_change_ways`] | `ways[a]` using the coins seen so far | coin loop outside: `ways[a] += ways[a - c]` | `O(amount × coins)` | `O(amount)` |
//! | [`lis_length`] | `tails[k]`: smallest tail of an increasing run of length `k + 1` | binary-search the slot of each new value | `O(n log n)` | `O(n)` |
//! | [`longest_increasing_subsequence`] | `len[i]`: longest run ending at `i` | `1 + max len[j]` over `j < i`, `x[j] < x[i]` | `O(n²)` | `O(n)` |
//! | [`edit_distance`] | `d[i][j]`: cost of turning `a[..i]` into `b[..j]` | `min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + [a_i ≠ b_j])` | `O(n m)` | `O(m)` (two rows) |
//! | [`knapsack_01`] | `best[w]`: max value within weight `w` using items so far | `max(best[w], best[w - wᵢ] + vᵢ)`, `w` **descending** | `O(n × W)` | `O(W)` |
//! | [`house_robber`] | best total of the first `i` houses | `max(skip: f(i-1), rob: f(i-2) + vᵢ)` | `O(n)` | `O(1)` |
//!
//! Knapsack's `O(n × W)` is *pseudo-polynomial*: polynomial in the capacity's value, exponential
//! in its number of bits — the problem is NP-hard, and the DP is fast only for small `W`.
//!
//! ## Common pitfalls
//! - **0/1 knapsack with the capacity loop ascending**: `best[w - wᵢ]` already includes item
//!   `i`, so it can be taken again — that is the *unbounded* knapsack.
//! - **Coin ways with the loops swapped** (amount outside, coins inside): counts orderings
//!   (`1+2` and `2+1` separately), i.e. permutations, not combinations.
//! - Greedy coin change: with coins `[1, 3, 4]` and amount 6, greedy takes `4+1+1` (3 coins);
//!   the optimum is `3+3`.
//! - "Impossible" encoded as `u32::MAX` and then `+ 1` overflows; use `Option` or a sentinel
//!   larger than any answer but safe to add to.
//! - LIS with `tails`: `tails` is *not* an increasing subsequence of the input, only its length
//!   is the answer; use `lower_bound` for strictly increasing, `upper_bound` for non-decreasing.
//!
//! ## Key takeaways
//! - State, recurrence, base case, fill order, answer location — say all five out loud.
//! - If row `i` only reads row `i - 1`, keep one or two rows; the iteration direction then
//!   decides which row you read (knapsack).
//! - Check a DP against a brute force on small inputs: exactly what the property tests here do.
//!
//! ## Break it
//! `breaks/dynamic_programming.patch` makes [`knapsack_01`] walk capacities upwards.
//! `each_knapsack_item_is_taken_at_most_once` fails (one item of weight 1 and value 10 in a
//! knapsack of capacity 3 is "worth" 30), and the brute-force property test shrinks to a
//! single item.
//!
//! ## Interview questions
//! - *Coin change: fewest coins, then number of ways.* — Fewest: `best[a] = min(best[a - c]) + 1`.
//!   Ways: for each coin, for `a` from `c` up, `ways[a] += ways[a - c]`. Both `O(amount × coins)`.
//! - *LIS in `O(n log n)`.* — Keep `tails`; for each `x`, replace the first tail `>= x` or
//!   append. The length of `tails` is the answer (patience sorting).
//! - *Edit distance, and how to save memory.* — The 2-D table above; each row needs only the
//!   previous one, so `O(min(n, m))` space. Reconstructing the edits needs the full table (or
//!   Hirschberg's divide and conquer).
//! - *House robber when houses form a circle.* — The first and last cannot both be robbed:
//!   answer `max(rob(houses[1..]), rob(houses[..n-1]))`.
//! - *Top-down or bottom-up?* — Top-down computes only the states it reaches and is easier to
//!   write; bottom-up avoids recursion depth limits and allows row compression.

/// The fewest coins (unlimited supply of each denomination) that sum to `amount`, or `None` if
/// impossible. `O(amount × coins)` time, `O(amount)` space.
pub fn coin_change_min_coins(coins: &[u32], amount: u32) -> Option<u32> {
    let amount = amount as usize;
    // best[a]: fewest coins summing to a, None if a cannot be formed.
    let mut best: Vec<Option<u32>> = vec![None; amount + 1];
    best[0] = Some(0);
    for a in 1..=amount {
        best[a] = coins
            .iter()
            .filter(|&&coin| coin != 0 && coin as usize <= a)
            .filter_map(|&coin| best[a - coin as usize])
            .min()
            .map(|fewest| fewest + 1);
    }
    best[amount]
}

/// The number of multisets of coins (order does not matter) that sum to `amount`.
/// `O(amount × coins)` time, `O(amount)` space. Zero-valued coins are ignored.
pub fn coin_change_ways(coins: &[u32], amount: u32) -> u64 {
    let amount = amount as usize;
    let mut ways = vec![0u64; amount + 1];
    ways[0] = 1;
    // Coins in the outer loop: every combination is built in one fixed coin order, so it is
    // counted once. (Amounts outside would count every ordering separately.)
    for &coin in coins.iter().filter(|&&coin| coin != 0) {
        for a in coin as usize..=amount {
            ways[a] += ways[a - coin as usize];
        }
    }
    ways[amount]
}

/// Length of the longest strictly increasing subsequence. `O(n log n)` time, `O(n)` space.
pub fn lis_length(nums: &[i32]) -> usize {
    // tails[k]: the smallest value that ends an increasing subsequence of length k + 1 seen
    // so far. It is strictly increasing, so the slot for x is found by binary search.
    let mut tails: Vec<i32> = Vec::new();
    for &x in nums {
        let slot = tails.partition_point(|&tail| tail < x);
        if slot == tails.len() {
            tails.push(x);
        } else {
            tails[slot] = x;
        }
        debug_assert!(tails.is_sorted_by(|a, b| a < b));
    }
    tails.len()
}

/// A longest strictly increasing subsequence itself (the one ending earliest, on ties).
/// `O(n²)` time, `O(n)` space.
pub fn longest_increasing_subsequence(nums: &[i32]) -> Vec<i32> {
    // run_length[i]: the longest increasing subsequence ending at i; previous[i]: the element
    // before i in it.
    let mut run_length = vec![1usize; nums.len()];
    let mut previous: Vec<Option<usize>> = vec![None; nums.len()];
    for i in 0..nums.len() {
        for j in 0..i {
            if nums[j] < nums[i] && run_length[j] + 1 > run_length[i] {
                run_length[i] = run_length[j] + 1;
                previous[i] = Some(j);
            }
        }
    }
    let Some(mut end) = (0..nums.len()).rev().max_by_key(|&i| run_length[i]) else {
        return Vec::new();
    };
    let mut subsequence = vec![nums[end]];
    while let Some(before) = previous[end] {
        subsequence.push(nums[before]);
        end = before;
    }
    subsequence.reverse();
    subsequence
}

/// Levenshtein distance: the fewest single-character insertions, deletions and substitutions
/// turning `a` into `b`. `O(n m)` time, `O(m)` space (two rows).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // previous[j]: distance from a[..i-1] to b[..j]; current[j]: from a[..i] to b[..j].
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitute = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let delete = previous[j] + 1;
            let insert = current[j - 1] + 1;
            current[j] = substitute.min(delete).min(insert);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// An item for the knapsack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub weight: u32,
    pub value: u64,
}

/// 0/1 knapsack: the largest total value of items (each used at most once) whose weights fit
/// in `capacity`. `O(n × capacity)` time, `O(capacity)` space.
pub fn knapsack_01(items: &[Item], capacity: u32) -> u64 {
    // best[w]: the best value within weight w using the items processed so far.
    let mut best = vec![0u64; capacity as usize + 1];
    for item in items {
        let weight = item.weight as usize;
        // Descending: best[w - weight] still describes the items *before* this one, so the
        // item is counted at most once.
        for w in (weight..=capacity as usize).rev() {
            best[w] = best[w].max(best[w - weight] + item.value);
        }
    }
    best[capacity as usize]
}

/// House robber: the largest sum of values with no two adjacent houses chosen. `O(n)` time,
/// `O(1)` space.
pub fn house_robber(values: &[u64]) -> u64 {
    // Best totals for the houses up to the previous one and the one before that.
    let (mut up_to_previous, mut up_to_before) = (0u64, 0u64);
    for &value in values {
        let here = up_to_previous.max(up_to_before + value);
        up_to_before = up_to_previous;
        up_to_previous = here;
    }
    up_to_previous
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every way of choosing how many of each coin to use (counts up to amount / coin).
    fn coin_count_tuples(coins: &[u32], amount: u32) -> Vec<Vec<u32>> {
        coins.iter().fold(vec![Vec::new()], |partial, &coin| {
            let max_count = amount.checked_div(coin).unwrap_or(0);
            partial.iter().flat_map(|prefix| (0..=max_count).map(move |k| [prefix.clone(), vec![k]].concat())).collect()
        })
    }

    fn every_subset<T: Copy>(items: &[T]) -> Vec<Vec<(usize, T)>> {
        (0u32..1 << items.len())
            .map(|mask| items.iter().copied().enumerate().filter(|(i, _)| mask >> i & 1 == 1).collect())
            .collect()
    }

    fn naive_edit_distance(a: &[char], b: &[char]) -> usize {
        match (a.split_first(), b.split_first()) {
            (None, _) => b.len(),
            (_, None) => a.len(),
            (Some((x, a_rest)), Some((y, b_rest))) => {
                let substitute = naive_edit_distance(a_rest, b_rest) + usize::from(x != y);
                let delete = naive_edit_distance(a_rest, b) + 1;
                let insert = naive_edit_distance(a, b_rest) + 1;
                substitute.min(delete).min(insert)
            }
        }
    }

    #[test]
    fn coin_change_beats_greedy_and_reports_impossible_amounts() {
        let cases: [(&[u32], u32, Option<u32>, u64); 7] = [
            (&[1, 3, 4], 6, Some(2), 4), // greedy would pay 4 + 1 + 1
            (&[1, 2, 5], 11, Some(3), 11),
            (&[2], 3, None, 0),
            (&[7], 0, Some(0), 1),
            (&[], 5, None, 0),
            (&[], 0, Some(0), 1),
            (&[5, 0], 10, Some(2), 1), // a zero coin is ignored
        ];
        for (coins, amount, fewest, ways) in cases {
            assert_eq!(coin_change_min_coins(coins, amount), fewest, "fewest {coins:?} -> {amount}");
            assert_eq!(coin_change_ways(coins, amount), ways, "ways {coins:?} -> {amount}");
        }
    }

    #[test]
    fn lis_is_strictly_increasing_and_as_long_as_possible() {
        let cases: [(&[i32], &[i32]); 6] = [
            (&[10, 9, 2, 5, 3, 7, 101, 18], &[2, 5, 7, 101]),
            (&[0, 1, 0, 3, 2, 3], &[0, 1, 2, 3]),
            (&[7, 7, 7], &[7]),
            (&[5, 4, 3], &[5]),
            (&[-1], &[-1]),
            (&[], &[]),
        ];
        for (nums, expected) in cases {
            assert_eq!(longest_increasing_subsequence(nums), expected, "{nums:?}");
            assert_eq!(lis_length(nums), expected.len(), "{nums:?}");
        }
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        let cases = [
            ("horse", "ros", 3),
            ("intention", "execution", 5),
            ("", "abc", 3),
            ("abc", "", 3),
            ("same", "same", 0),
            ("café", "cafe", 1),
        ];
        for (a, b, expected) in cases {
            assert_eq!(edit_distance(a, b), expected, "{a} -> {b}");
            assert_eq!(edit_distance(b, a), expected, "symmetric: {b} -> {a}");
        }
    }

    #[test]
    fn each_knapsack_item_is_taken_at_most_once() {
        let item = |weight, value| Item { weight, value };
        let cases: [(Vec<Item>, u32, u64); 6] = [
            (vec![item(1, 10)], 3, 10),
            (vec![item(1, 1), item(3, 4), item(4, 5), item(5, 7)], 7, 9),
            (vec![item(2, 3), item(2, 3), item(3, 5)], 4, 6),
            (vec![item(5, 100)], 4, 0),
            (vec![], 10, 0),
            (vec![item(0, 2), item(1, 1)], 0, 2), // weightless items always fit
        ];
        for (items, capacity, expected) in cases {
            assert_eq!(knapsack_01(&items, capacity), expected, "{items:?} in {capacity}");
        }
    }

    #[test]
    fn house_robber_never_takes_neighbours() {
        let cases: [(&[u64], u64); 6] =
            [(&[1, 2, 3, 1], 4), (&[2, 7, 9, 3, 1], 12), (&[2, 1, 1, 2], 4), (&[5], 5), (&[], 0), (&[0, 0, 0], 0)];
        for (values, expected) in cases {
            assert_eq!(house_robber(values), expected, "{values:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn coin_change_matches_trying_every_count_of_every_coin(coins in prop::collection::vec(1u32..8, 0..4), amount in 0u32..25) {
            let sums: Vec<(u32, u32)> = coin_count_tuples(&coins, amount)
                .into_iter()
                .map(|counts| (counts.iter().zip(&coins).map(|(k, c)| k * c).sum(), counts.iter().sum()))
                .collect();
            let fewest = sums.iter().filter(|(sum, _)| *sum == amount).map(|&(_, n)| n).min();
            prop_assert_eq!(coin_change_min_coins(&coins, amount), fewest);
            // Equal denominations are distinct coins here, so each tuple is a distinct way.
            let ways = sums.iter().filter(|(sum, _)| *sum == amount).count() as u64;
            prop_assert_eq!(coin_change_ways(&coins, amount), ways);
        }

        #[test]
        fn lis_matches_checking_every_subsequence(nums in prop::collection::vec(-5i32..5, 0..12)) {
            let brute_force = every_subset(&nums)
                .into_iter()
                .filter(|chosen| chosen.windows(2).all(|w| w[0].1 < w[1].1))
                .map(|chosen| chosen.len())
                .max()
                .unwrap_or(0);
            prop_assert_eq!(lis_length(&nums), brute_force);
            let subsequence = longest_increasing_subsequence(&nums);
            prop_assert_eq!(subsequence.len(), brute_force);
            prop_assert!(subsequence.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn edit_distance_matches_naive_recursion(a in "[abc]{0,5}", b in "[abc]{0,5}") {
            let (a_chars, b_chars): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            prop_assert_eq!(edit_distance(&a, &b), naive_edit_distance(&a_chars, &b_chars));
        }

        #[test]
        fn knapsack_matches_trying_every_subset(
            items in prop::collection::vec((0u32..6, 0u64..20).prop_map(|(weight, value)| Item { weight, value }), 0..10),
            capacity in 0u32..15,
        ) {
            let brute_force = every_subset(&items)
                .into_iter()
                .filter(|chosen| chosen.iter().map(|(_, item)| item.weight).sum::<u32>() <= capacity)
                .map(|chosen| chosen.iter().map(|(_, item)| item.value).sum::<u64>())
                .max()
                .unwrap_or(0);
            prop_assert_eq!(knapsack_01(&items, capacity), brute_force);
        }

        #[test]
        fn house_robber_matches_trying_every_non_adjacent_choice(values in prop::collection::vec(0u64..30, 0..12)) {
            let brute_force = every_subset(&values)
                .into_iter()
                .filter(|chosen| chosen.windows(2).all(|w| w[1].0 > w[0].0 + 1))
                .map(|chosen| chosen.iter().map(|&(_, v)| v).sum::<u64>())
                .max()
                .unwrap_or(0);
            prop_assert_eq!(house_robber(&values), brute_force);
        }
    }
}

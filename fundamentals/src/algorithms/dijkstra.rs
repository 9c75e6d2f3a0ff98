//! # Dijkstra's shortest paths
//!
//! Single-source shortest paths with non-negative weights: a min-priority queue, lazy
//! deletion of stale entries, and the invariant that a settled node's distance is final.
//!
//! ## Why interviewers ask this
//! Routing, network latency, cheapest flights, "minimum effort path", network delay time:
//! weighted shortest path is everywhere, and Dijkstra is the algorithm everyone is expected to
//! write from memory with a binary heap. Follow-ups probe the edges of its correctness
//! argument: negative weights, why a min-heap, what "stale" heap entries are.
//!
//! ## How it works
//! Keep a tentative distance per node (source 0, others ∞) and a min-heap of
//! `(distance, node)`. Pop the closest node not yet settled and settle it: with non-negative
//! weights no path through any *unsettled* node can be shorter, because every unsettled node is
//! already at least as far. Then relax its out-edges: if `dist[u] + w < dist[v]`, lower
//! `dist[v]`, remember `u` as `v`'s predecessor and push `(dist[v], v)`.
//!
//! Rust's `BinaryHeap` cannot lower a key, so instead of *decrease-key* we push a new entry and
//! skip outdated ones when popped (lazy deletion). The heap holds up to `E` entries: `O(E log E)
//! = O(E log V)` time, `O(V + E)` space. (A Fibonacci heap gives `O(E + V log V)` on paper; a
//! binary heap wins in practice.) This implementation asserts the invariant in debug builds:
//! an edge into a settled node never offers a shorter distance.
//!
//! ## Common pitfalls
//! - **A max-heap** (`BinaryHeap` is one by default — wrap entries in `Reverse`): nodes are
//!   settled before their distance is final. Here the debug assertion catches it.
//! - Not skipping stale entries: relaxing from an outdated distance does extra work and, with a
//!   "settled" flag set at push time, gives wrong answers.
//! - **Negative weights**: the "settled is final" argument fails. Use Bellman–Ford (`O(VE)`,
//!   also detects negative cycles); a DAG needs only relaxation in topological order.
//! - Overflow when adding weights to "infinity" (`u64::MAX`): use `Option` or checked adds.
//! - Stopping as soon as the target is *pushed* instead of when it is *popped*.
//!
//! ## Key takeaways
//! - Min-heap + lazy deletion + "settled is final" = Dijkstra in `O(E log V)`.
//! - Non-negative weights are a precondition, not a detail.
//! - Unit weights: BFS. 0/1 weights: deque-based BFS. Negative: Bellman–Ford. All pairs on a
//!   small dense graph: Floyd–Warshall `O(V³)`.
//!
//! ## Break it
//! `breaks/dijkstra.patch` drops the `Reverse` wrapper, so the heap pops the *farthest*
//! entry first. Nodes are settled with distances that are not final; the next edge into one of
//! them offers a shorter distance and the invariant assertion fires
//! ("a settled node's distance is final"), failing `distances_match_brute_force_over_all_simple_paths`
//! and the table tests. In a release build (no debug assertions) the answers would silently be
//! wrong.
//!
//! ## Interview questions
//! - *Why does Dijkstra fail with negative edges?* — Settling assumes any detour through an
//!   unsettled node is at least as long; a negative edge later on can make a detour shorter
//!   after the node was settled.
//! - *Network delay time (time for a signal to reach all nodes).* — Dijkstra from the source;
//!   the answer is the largest distance, or −1 if a node is unreachable.
//! - *Cheapest flight with at most k stops.* — Plain Dijkstra is wrong (a cheaper path may use
//!   too many stops); run Bellman–Ford for `k + 1` rounds, or Dijkstra over `(node, stops)`.
//! - *How do you handle decrease-key with `std::collections::BinaryHeap`?* — Push a duplicate
//!   with the new key and skip entries whose node is already settled when they are popped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Shortest distances from `source` over edges with non-negative weights (`None` if
/// unreachable). `O(E log V)` time, `O(V + E)` space.
pub fn dijkstra(adjacency: &[Vec<(usize, u64)>], source: usize) -> Vec<Option<u64>> {
    shortest_path_tree(adjacency, source).0
}

/// The cost and node sequence of a cheapest path from `source` to `target`, or `None` if
/// `target` is unreachable. `O(E log V)`.
pub fn shortest_path(adjacency: &[Vec<(usize, u64)>], source: usize, target: usize) -> Option<(u64, Vec<usize>)> {
    let (distance, predecessor) = shortest_path_tree(adjacency, source);
    let cost = distance[target]?;
    let mut path = vec![target];
    while let Some(previous) = predecessor[*path.last().expect("the path starts non-empty")] {
        path.push(previous);
    }
    path.reverse();
    Some((cost, path))
}

/// Distances from `source` and each reached node's predecessor on a shortest path.
fn shortest_path_tree(adjacency: &[Vec<(usize, u64)>], source: usize) -> (Vec<Option<u64>>, Vec<Option<usize>>) {
    let node_count = adjacency.len();
    let mut distance: Vec<Option<u64>> = vec![None; node_count];
    let mut predecessor: Vec<Option<usize>> = vec![None; node_count];
    let mut settled = vec![false; node_count];
    distance[source] = Some(0);
    // `BinaryHeap` is a max-heap; `Reverse` makes it pop the smallest distance first.
    let mut frontier = BinaryHeap::from([Reverse((0u64, source))]);
    while let Some(Reverse((node_distance, node))) = frontier.pop() {
        if settled[node] {
            continue; // A stale entry: the node was settled through a shorter path already.
        }
        settled[node] = true;
        for &(next, weight) in &adjacency[node] {
            let candidate = node_distance.checked_add(weight).expect("path length overflowed u64");
            if settled[next] {
                let final_distance = distance[next].expect("settled nodes have a distance");
                debug_assert!(candidate >= final_distance, "a settled node's distance is final");
                continue;
            }
            if distance[next].is_none_or(|current| candidate < current) {
                distance[next] = Some(candidate);
                predecessor[next] = Some(node);
                frontier.push(Reverse((candidate, next)));
            }
        }
    }
    (distance, predecessor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::graph::{self, testing};
    use proptest::prelude::*;

    /// The brute-force model: try every simple path from `source` (exponential; small graphs
    /// only) and keep the cheapest cost to each node.
    fn cheapest_over_all_simple_paths(adjacency: &[Vec<(usize, u64)>], source: usize) -> Vec<Option<u64>> {
        fn extend(
            adjacency: &[Vec<(usize, u64)>],
            node: usize,
            cost: u64,
            on_path: &mut [bool],
            best: &mut [Option<u64>],
        ) {
            if best[node].is_none_or(|b| cost < b) {
                best[node] = Some(cost);
            }
            on_path[node] = true;
            for &(next, weight) in &adjacency[node] {
                if !on_path[next] {
                    extend(adjacency, next, cost + weight, on_path, best);
                }
            }
            on_path[node] = false;
        }
        let mut best = vec![None; adjacency.len()];
        extend(adjacency, source, 0, &mut vec![false; adjacency.len()], &mut best);
        best
    }

    #[test]
    fn a_detour_of_cheap_edges_beats_a_direct_expensive_edge() {
        // 0 -> 3 costs 10 directly, 1 + 2 + 3 = 6 via 1 and 2; 4 hangs off 3.
        let adjacency = graph::weighted_directed(5, &[(0, 3, 10), (0, 1, 1), (1, 2, 2), (2, 3, 3), (3, 4, 1)]);
        assert_eq!(dijkstra(&adjacency, 0), [Some(0), Some(1), Some(3), Some(6), Some(7)]);
        assert_eq!(shortest_path(&adjacency, 0, 4), Some((7, vec![0, 1, 2, 3, 4])));
    }

    #[test]
    fn edge_cases_zero_weights_cycles_and_unreachable_nodes() {
        type Case = (usize, Vec<(usize, usize, u64)>, Vec<Option<u64>>);
        let cases: [Case; 4] = [
            (3, vec![(0, 1, 0), (1, 2, 0)], vec![Some(0), Some(0), Some(0)]),
            (3, vec![(0, 1, 4), (1, 0, 1), (1, 1, 2)], vec![Some(0), Some(4), None]),
            (1, vec![], vec![Some(0)]),
            (4, vec![(0, 1, 5), (0, 1, 2), (2, 3, 1)], vec![Some(0), Some(2), None, None]),
        ];
        for (n, edges, expected) in cases {
            assert_eq!(dijkstra(&graph::weighted_directed(n, &edges), 0), expected, "{edges:?}");
        }
        assert_eq!(shortest_path(&graph::weighted_directed(2, &[]), 0, 1), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn distances_match_brute_force_over_all_simple_paths((n, edges) in testing::node_count_and_weighted_edges(6, 14, 20)) {
            let adjacency = graph::weighted_directed(n, &edges);
            prop_assert_eq!(dijkstra(&adjacency, 0), cheapest_over_all_simple_paths(&adjacency, 0));
        }

        #[test]
        fn each_returned_path_follows_edges_and_costs_what_it_claims((n, edges) in testing::node_count_and_weighted_edges(7, 16, 20), target in 0usize..7) {
            let target = target % n;
            let adjacency = graph::weighted_directed(n, &edges);
            if let Some((cost, path)) = shortest_path(&adjacency, 0, target) {
                prop_assert_eq!(path.first(), Some(&0));
                prop_assert_eq!(path.last(), Some(&target));
                // Parallel edges: the path may use the cheapest of them.
                let path_cost: u64 = path.windows(2)
                    .map(|step| adjacency[step[0]].iter().filter(|&&(to, _)| to == step[1]).map(|&(_, w)| w).min().expect("an edge"))
                    .sum();
                prop_assert_eq!(path_cost, cost);
            }
        }
    }
}

//! # Topological sort
//!
//! Ordering a dependency graph so every edge points forward — Kahn's algorithm and DFS with
//! three colours — and detecting (and reporting) the cycle when no such order exists.
//!
//! ## Why interviewers ask this
//! Build systems, package managers, schema migrations, job schedulers and spreadsheet
//! recalculation all order tasks by their dependencies, and "course schedule" is one of the
//! most asked graph problems. Interviewers want the `O(V + E)` algorithm *and* a correct cycle
//! check; the classic mistake is a single `visited` flag, which mistakes a diamond for a cycle.
//!
//! ## How it works
//! An edge `u -> v` means "u before v". A topological order exists iff the graph has no
//! directed cycle (a DAG).
//!
//! - **Kahn** ([`topo_sort_kahn`]): count each node's incoming edges. Nodes with none can go
//!   first; emit one, remove its out-edges (decrement its neighbours' counts) and enqueue any
//!   neighbour that drops to zero. If fewer than `V` nodes come out, the rest sit on or behind
//!   a cycle. `O(V + E)` time, `O(V)` space.
//! - **DFS, three colours** ([`topo_sort_dfs`]): white = unseen, grey = on the current DFS
//!   path, black = finished. A node is finished after all its descendants, so the reverse of
//!   the finishing order is a topological order. Meeting a *grey* node means an edge back into
//!   the current path: a cycle, which is exactly the path slice from that node. Meeting a
//!   *black* node is harmless (a diamond: two routes to a finished node). `O(V + E)`; the
//!   recursion is as deep as the longest path.
//!
//! ## Common pitfalls
//! - **Two colours instead of three**: treating every visited node as "cycle!" reports the
//!   diamond `a -> b -> d, a -> c -> d` as cyclic; treating every visited node as "fine" never
//!   finds a cycle.
//! - Forgetting to reverse the DFS finishing order (post-order lists dependencies last).
//! - Edge direction: "course 1 requires course 0" is the edge `0 -> 1`.
//! - Starting DFS only from node 0, or Kahn's queue only with the first zero-in-degree node:
//!   disconnected parts are lost.
//! - Self-loops and parallel edges: a self-loop is a cycle; a parallel edge counts twice in an
//!   in-degree and is also removed twice — consistent, so Kahn still works.
//!
//! ## Key takeaways
//! - Topological order ⇔ no cycle; both algorithms decide that in `O(V + E)`.
//! - Kahn is iterative and gives a natural "layers" order (and the lexicographically smallest
//!   order with a min-heap instead of a queue); DFS gives you the cycle itself.
//! - Cycle detection in a *directed* graph needs the grey state; in an undirected graph "visited
//!   and not my parent" suffices.
//!
//! ## Break it
//! `breaks/topological_sort.patch` makes the DFS treat a black (finished) node like a grey
//! one. `a_diamond_is_ordered_not_reported_as_a_cycle` fails — the cycle extractor panics
//! because the "cycle" start is not on the current path — and the property test comparing
//! DFS with Kahn and with a reachability model fails on any DAG with two routes to a node.
//!
//! ## Interview questions
//! - *Course schedule: can all courses be finished? In what order?* — Edge prerequisite ->
//!   course; Kahn's algorithm; possible iff all `n` courses come out. `O(V + E)`.
//! - *Why is the reversed post-order topological?* — For an edge `u -> v` in a DAG, `v` is
//!   finished before `u`: either DFS reaches `v` from `u` (so `v` finishes first), or `v` was
//!   already finished (it cannot be grey — that would be a cycle).
//! - *Find the order of letters in an alien dictionary.* — Compare adjacent words; the first
//!   differing letter gives an edge; topologically sort the letters; a cycle (or a word followed
//!   by its own prefix) means invalid input.
//! - *Parallel build time.* — Longest path in the DAG (process in topological order,
//!   `finish[v] = max(finish[u]) + cost[v]`).

use std::collections::VecDeque;

/// A directed cycle, as the nodes along it: each has an edge to the next, and the last has an
/// edge back to the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<usize>);

/// Kahn's algorithm: a topological order (nodes with no pending dependency, smallest-numbered
/// discovered first), or `None` if the graph has a cycle. `O(V + E)` time, `O(V)` space.
pub fn topo_sort_kahn(adjacency: &[Vec<usize>]) -> Option<Vec<usize>> {
    let mut in_degree = vec![0usize; adjacency.len()];
    for heads in adjacency {
        for &head in heads {
            in_degree[head] += 1;
        }
    }
    let mut ready: VecDeque<usize> = (0..adjacency.len()).filter(|&node| in_degree[node] == 0).collect();
    let mut order = Vec::with_capacity(adjacency.len());
    while let Some(node) = ready.pop_front() {
        order.push(node);
        for &head in &adjacency[node] {
            in_degree[head] -= 1;
            if in_degree[head] == 0 {
                ready.push_back(head);
            }
        }
    }
    // Nodes on a cycle never reach in-degree 0, and neither does anything downstream of one.
    (order.len() == adjacency.len()).then_some(order)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Colour {
    /// Not seen yet.
    White,
    /// On the current DFS path: an edge to a grey node closes a cycle.
    Grey,
    /// Finished: it and everything reachable from it are already placed.
    Black,
}

/// DFS with three colours: a topological order, or the first cycle found. `O(V + E)` time,
/// recursion depth up to the longest path.
pub fn topo_sort_dfs(adjacency: &[Vec<usize>]) -> Result<Vec<usize>, Cycle> {
    let mut search =
        Search { adjacency, colour: vec![Colour::White; adjacency.len()], path: Vec::new(), finished: Vec::new() };
    for root in 0..adjacency.len() {
        if search.colour[root] == Colour::White {
            search.visit(root)?;
        }
    }
    let mut order = search.finished;
    order.reverse();
    Ok(order)
}

struct Search<'a> {
    adjacency: &'a [Vec<usize>],
    colour: Vec<Colour>,
    /// The grey nodes, in the order the DFS entered them.
    path: Vec<usize>,
    /// Nodes in the order they turned black (post-order).
    finished: Vec<usize>,
}

impl Search<'_> {
    fn visit(&mut self, node: usize) -> Result<(), Cycle> {
        self.colour[node] = Colour::Grey;
        self.path.push(node);
        for &next in &self.adjacency[node] {
            match self.colour[next] {
                Colour::White => self.visit(next)?,
                Colour::Grey => return Err(self.cycle_back_to(next)),
                // Finished via another route (a diamond): already placed, not a cycle.
                Colour::Black => {}
            }
        }
        self.path.pop();
        self.colour[node] = Colour::Black;
        self.finished.push(node);
        Ok(())
    }

    /// The part of the current path from `start` on; the edge being explored closes it.
    fn cycle_back_to(&self, start: usize) -> Cycle {
        let from = self.path.iter().position(|&node| node == start).expect("a grey node is on the current path");
        Cycle(self.path[from..].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::graph;
    use crate::algorithms::graph::testing::{self, Edges};
    use proptest::prelude::*;

    fn respects_every_edge(adjacency: &[Vec<usize>], order: &[usize]) -> bool {
        let mut position = vec![usize::MAX; adjacency.len()];
        for (index, &node) in order.iter().enumerate() {
            position[node] = index;
        }
        order.len() == adjacency.len()
            && adjacency.iter().enumerate().all(|(u, heads)| heads.iter().all(|&v| position[u] < position[v]))
    }

    fn is_cycle_of(adjacency: &[Vec<usize>], cycle: &Cycle) -> bool {
        let nodes = &cycle.0;
        !nodes.is_empty() && (0..nodes.len()).all(|i| adjacency[nodes[i]].contains(&nodes[(i + 1) % nodes.len()]))
    }

    #[test]
    fn a_diamond_is_ordered_not_reported_as_a_cycle() {
        // 0 -> 1 -> 3 and 0 -> 2 -> 3: node 3 is reached twice, but there is no cycle.
        let diamond = graph::directed(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
        assert_eq!(topo_sort_dfs(&diamond), Ok(vec![0, 2, 1, 3]));
        assert_eq!(topo_sort_kahn(&diamond), Some(vec![0, 1, 2, 3]));
    }

    #[test]
    fn cycles_are_reported_with_the_nodes_on_the_cycle() {
        let cases: [(usize, Edges, Vec<usize>); 3] = [
            (4, vec![(0, 1), (1, 2), (2, 3), (3, 1)], vec![1, 2, 3]),
            (2, vec![(1, 1)], vec![1]),
            (5, vec![(0, 1), (2, 3), (3, 4), (4, 2)], vec![2, 3, 4]),
        ];
        for (n, edges, cycle) in cases {
            let adjacency = graph::directed(n, &edges);
            assert_eq!(topo_sort_dfs(&adjacency), Err(Cycle(cycle)), "{edges:?}");
            assert_eq!(topo_sort_kahn(&adjacency), None, "{edges:?}");
        }
    }

    #[test]
    fn graphs_without_edges_or_nodes_are_trivially_ordered() {
        assert_eq!(topo_sort_kahn(&graph::directed(0, &[])), Some(vec![]));
        assert_eq!(topo_sort_dfs(&graph::directed(0, &[])), Ok(vec![]));
        assert_eq!(topo_sort_kahn(&graph::directed(3, &[])), Some(vec![0, 1, 2]));
        assert_eq!(topo_sort_dfs(&graph::directed(3, &[])), Ok(vec![2, 1, 0]));
        // A parallel edge counts twice in the in-degree and is removed twice.
        assert_eq!(topo_sort_kahn(&graph::directed(2, &[(1, 0), (1, 0)])), Some(vec![1, 0]));
    }

    /// A DAG: edges only go from lower to higher rank, and ranks are a shuffled labelling.
    fn dag() -> impl Strategy<Value = graph::Adjacency> {
        (1usize..=9).prop_flat_map(|n| {
            let labels = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            (labels, prop::collection::vec((0..n, 0..n), 0..20)).prop_map(move |(labels, pairs)| {
                let edges: Vec<(usize, usize)> =
                    pairs.into_iter().filter(|(a, b)| a < b).map(|(a, b)| (labels[a], labels[b])).collect();
                graph::directed(n, &edges)
            })
        })
    }

    proptest! {
        #[test]
        fn every_dag_gets_an_order_that_respects_every_edge(adjacency in dag()) {
            let kahn = topo_sort_kahn(&adjacency);
            prop_assert!(kahn.as_deref().is_some_and(|order| respects_every_edge(&adjacency, order)), "{:?}", kahn);
            let dfs = topo_sort_dfs(&adjacency);
            prop_assert!(dfs.as_deref().is_ok_and(|order| respects_every_edge(&adjacency, order)), "{:?}", dfs);
        }

        #[test]
        fn both_algorithms_agree_with_a_reachability_model_on_cycles((n, edges) in testing::node_count_and_edges(8, 12)) {
            let adjacency = graph::directed(n, &edges);
            let cyclic = testing::has_directed_cycle(&adjacency);
            prop_assert_eq!(topo_sort_kahn(&adjacency).is_none(), cyclic);
            match topo_sort_dfs(&adjacency) {
                Ok(order) => prop_assert!(!cyclic && respects_every_edge(&adjacency, &order)),
                Err(cycle) => prop_assert!(cyclic && is_cycle_of(&adjacency, &cycle), "{:?}", cycle),
            }
        }
    }
}

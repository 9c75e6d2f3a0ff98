//! # Depth-first search
//!
//! Recursive and iterative DFS with the same visit order, connected components, and
//! two-colouring (bipartite check).
//!
//! ## Why interviewers ask this
//! DFS is the default way to explore anything: islands in a grid, connected components,
//! cycle detection, topological order, backtracking. Interviewers often ask for the recursive
//! version and then say "the graph has a million nodes in a line" — now you need the iterative
//! one, and most hand-written iterative DFSs are subtly *not* depth-first.
//!
//! ## How it works
//! Visit a node, then recursively visit each unvisited neighbour in order, finishing one
//! branch completely before starting the next. A `visited` array makes every node visited
//! once and every edge examined once: `O(V + E)` time, `O(V)` space (the recursion stack is
//! as deep as the longest path explored — up to `V`).
//!
//! The **iterative** version ([`dfs_preorder_iterative`]) replaces the call stack with an
//! explicit one. To visit in exactly the recursive order, a node is marked visited when it is
//! *popped*, not when it is pushed, and neighbours are pushed in reverse so the first
//! neighbour is popped first. A node can then sit on the stack several times (once per edge
//! into it); later copies are skipped when popped. The stack holds up to `O(E)` entries, but it
//! lives on the heap, so a path of a million nodes is fine.
//!
//! Applications here: [`connected_components`] (start a DFS from every unvisited node; each
//! start is a new component), [`is_bipartite`] (colour each node the opposite of its DFS
//! parent; an edge between equal colours is an odd cycle). Both `O(V + E)`.
//!
//! ## Common pitfalls
//! - **Marking visited on push** in the iterative version: every node is still reached, but
//!   not in depth-first order — a node is claimed by the first neighbour that *sees* it, not
//!   the first that *explores* it. Fine for reachability, wrong for anything that relies on the
//!   DFS tree (low-links, cycle detection by colour, recursive-order outputs).
//! - Recursion depth: a `V`-node path overflows the thread's stack (Rust's main thread has
//!   8 MiB, spawned threads 2 MiB). Use the iterative version on untrusted sizes.
//! - Forgetting disconnected parts: one DFS from node 0 only sees node 0's component.
//! - Undirected graphs: the edge back to the parent is not a cycle.
//!
//! ## Key takeaways
//! - DFS = stack (implicit or explicit) + visited set, `O(V + E)`.
//! - For the recursive order iteratively: mark on pop, push neighbours reversed.
//! - BFS for shortest hops; DFS for structure (components, cycles, orderings, backtracking).
//!
//! ## Break it
//! `breaks/dfs.patch` marks nodes visited when they are pushed onto the explicit stack.
//! Reachability tests still pass; `iterative_dfs_visits_in_the_same_order_as_recursive_dfs`
//! fails (for `0 -> [1, 2]`, `1 -> [2, 3]` it visits 0, 1, 3, 2 instead of 0, 1, 2, 3), and so
//! does the property test comparing the two orders on random graphs.
//!
//! ## Interview questions
//! - *Number of islands.* — For every land cell not yet seen, count one island and DFS (or BFS)
//!   over adjacent land, marking it. `O(rows × cols)`. Iterative if the grid can be large.
//! - *Is a graph bipartite?* — Two-colour it by DFS/BFS; it is bipartite iff no edge joins two
//!   nodes of the same colour, i.e. it has no odd cycle.
//! - *Convert recursive DFS to iterative.* — Explicit stack, mark on pop, push neighbours in
//!   reverse; for post-order push `(node, next_neighbour_index)` frames instead.
//! - *Clone a graph.* — DFS with a map from original node to its copy; create the copy on first
//!   visit, then connect edges. The map doubles as the visited set.

/// Nodes reachable from `start` in depth-first preorder, neighbours taken in list order.
/// Recursive: `O(V + E)` time, recursion depth up to `V`.
pub fn dfs_preorder_recursive(adjacency: &[Vec<usize>], start: usize) -> Vec<usize> {
    fn visit(adjacency: &[Vec<usize>], node: usize, visited: &mut [bool], order: &mut Vec<usize>) {
        visited[node] = true;
        order.push(node);
        for &next in &adjacency[node] {
            if !visited[next] {
                visit(adjacency, next, visited, order);
            }
        }
    }
    let mut visited = vec![false; adjacency.len()];
    let mut order = Vec::new();
    visit(adjacency, start, &mut visited, &mut order);
    order
}

/// The same order as [`dfs_preorder_recursive`] with an explicit stack, so depth is limited
/// by heap memory, not the thread's stack. `O(V + E)` time, `O(V + E)` space.
pub fn dfs_preorder_iterative(adjacency: &[Vec<usize>], start: usize) -> Vec<usize> {
    let mut visited = vec![false; adjacency.len()];
    let mut order = Vec::new();
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        // A node may have been pushed by several neighbours; only its first pop explores it.
        if visited[node] {
            continue;
        }
        visited[node] = true;
        order.push(node);
        // Reversed, so that the first neighbour ends on top and is explored first.
        for &next in adjacency[node].iter().rev() {
            if !visited[next] {
                stack.push(next);
            }
        }
    }
    order
}

/// For an undirected graph, a component number for every node (numbered from 0 in order of
/// each component's smallest node) and the number of components. `O(V + E)`.
pub fn connected_components(adjacency: &[Vec<usize>]) -> (Vec<usize>, usize) {
    const UNASSIGNED: usize = usize::MAX;
    let mut component = vec![UNASSIGNED; adjacency.len()];
    let mut count = 0;
    for root in 0..adjacency.len() {
        if component[root] != UNASSIGNED {
            continue;
        }
        // Iterative DFS from each unassigned node; its component number doubles as "visited".
        let mut stack = vec![root];
        component[root] = count;
        while let Some(node) = stack.pop() {
            for &next in &adjacency[node] {
                if component[next] == UNASSIGNED {
                    component[next] = count;
                    stack.push(next);
                }
            }
        }
        count += 1;
    }
    (component, count)
}

/// Whether an undirected graph's nodes can be split into two sides with every edge crossing
/// between them (no odd cycle; a self-loop makes it impossible). `O(V + E)`.
pub fn is_bipartite(adjacency: &[Vec<usize>]) -> bool {
    let mut side: Vec<Option<bool>> = vec![None; adjacency.len()];
    for root in 0..adjacency.len() {
        if side[root].is_some() {
            continue;
        }
        side[root] = Some(false);
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            let here = side[node].expect("stacked nodes are coloured");
            for &next in &adjacency[node] {
                match side[next] {
                    None => {
                        side[next] = Some(!here);
                        stack.push(next);
                    }
                    Some(there) if there == here => return false,
                    Some(_) => {}
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::graph;
    use crate::algorithms::graph::testing::{self, Edges};
    use proptest::prelude::*;

    #[test]
    fn iterative_dfs_visits_in_the_same_order_as_recursive_dfs() {
        let cases: [(usize, Edges, Vec<usize>); 4] = [
            (4, vec![(0, 1), (0, 2), (1, 2), (1, 3)], vec![0, 1, 2, 3]),
            (5, vec![(0, 3), (0, 1), (3, 4), (1, 2), (4, 1)], vec![0, 3, 4, 1, 2]),
            (3, vec![(0, 0), (0, 1), (1, 0)], vec![0, 1]),
            (1, vec![], vec![0]),
        ];
        for (n, edges, expected) in cases {
            let adjacency = graph::directed(n, &edges);
            assert_eq!(dfs_preorder_recursive(&adjacency, 0), expected, "recursive {edges:?}");
            assert_eq!(dfs_preorder_iterative(&adjacency, 0), expected, "iterative {edges:?}");
        }
    }

    #[test]
    fn iterative_dfs_walks_a_path_too_deep_for_comfortable_recursion() {
        let n = 200_000;
        let edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let order = dfs_preorder_iterative(&graph::directed(n, &edges), 0);
        assert_eq!(order.len(), n);
        assert!(order.iter().enumerate().all(|(i, &node)| i == node));
    }

    #[test]
    fn components_are_numbered_in_order_of_their_smallest_node() {
        let cases: [(usize, Edges, Vec<usize>, usize); 4] = [
            (5, vec![(0, 2), (3, 4)], vec![0, 1, 0, 2, 2], 3),
            (3, vec![], vec![0, 1, 2], 3),
            (0, vec![], vec![], 0),
            (4, vec![(3, 2), (2, 1), (1, 0)], vec![0, 0, 0, 0], 1),
        ];
        for (n, edges, expected, count) in cases {
            assert_eq!(connected_components(&graph::undirected(n, &edges)), (expected, count), "{edges:?}");
        }
    }

    #[test]
    fn bipartite_means_no_odd_cycle() {
        let cases: [(usize, Edges, bool); 6] = [
            (4, vec![(0, 1), (1, 2), (2, 3), (3, 0)], true),  // square
            (3, vec![(0, 1), (1, 2), (2, 0)], false),         // triangle
            (5, vec![(0, 1), (2, 3), (3, 4), (4, 2)], false), // odd cycle in a second component
            (1, vec![(0, 0)], false),                         // self-loop
            (0, vec![], true),
            (6, vec![(0, 1), (0, 2), (0, 3), (4, 5)], true), // star plus an edge
        ];
        for (n, edges, expected) in cases {
            assert_eq!(is_bipartite(&graph::undirected(n, &edges)), expected, "{edges:?}");
        }
    }

    proptest! {
        #[test]
        fn iterative_and_recursive_orders_agree_and_cover_exactly_the_reachable_nodes(
            (n, edges) in testing::node_count_and_edges(9, 20),
        ) {
            let adjacency = graph::directed(n, &edges);
            let recursive = dfs_preorder_recursive(&adjacency, 0);
            prop_assert_eq!(&dfs_preorder_iterative(&adjacency, 0), &recursive);
            let reachable: Vec<usize> = (0..n).filter(|&v| testing::all_pairs_hops(&adjacency)[0][v].is_some()).collect();
            let mut visited = recursive.clone();
            visited.sort();
            prop_assert_eq!(visited, reachable);
        }

        #[test]
        fn same_component_exactly_when_mutually_reachable((n, edges) in testing::node_count_and_edges(9, 12)) {
            let adjacency = graph::undirected(n, &edges);
            let hops = testing::all_pairs_hops(&adjacency);
            let (component, count) = connected_components(&adjacency);
            for a in 0..n {
                for b in 0..n {
                    prop_assert_eq!(component[a] == component[b], hops[a][b].is_some());
                }
            }
            prop_assert_eq!(count, component.iter().max().map_or(0, |&c| c + 1));
        }

        #[test]
        fn bipartite_matches_trying_every_two_colouring((n, edges) in testing::node_count_and_edges(8, 10)) {
            let brute_force = (0u32..1 << n).any(|colouring| edges.iter().all(|&(a, b)| (colouring >> a & 1) != (colouring >> b & 1)));
            prop_assert_eq!(is_bipartite(&graph::undirected(n, &edges)), brute_force);
        }
    }
}

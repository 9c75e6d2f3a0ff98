//! Graph representation shared by the graph lessons ([`super::bfs`], [`super::dfs`],
//! [`super::topological_sort`], [`super::dijkstra`]); not a lesson itself.
//!
//! Nodes are `0..n`; a graph is an adjacency list, `adjacency[u]` listing the nodes `u` has an
//! edge to (with a weight for Dijkstra). Adjacency lists cost `O(V + E)` memory and let a
//! traversal touch each edge once, which is where the `O(V + E)` of BFS and DFS comes from; an
//! adjacency matrix costs `O(V²)` memory and makes every traversal `O(V²)`.
//! Neighbour order is the order edges were given, so traversal orders are deterministic.

/// Adjacency list of an unweighted graph: `adjacency[u]` are the heads of `u`'s out-edges.
pub type Adjacency = Vec<Vec<usize>>;

/// Adjacency list of a weighted graph: `(head, weight)` pairs.
pub type WeightedAdjacency = Vec<Vec<(usize, u64)>>;

/// A directed graph on nodes `0..node_count`. Panics on an edge to a node outside the range.
pub fn directed(node_count: usize, edges: &[(usize, usize)]) -> Adjacency {
    let mut adjacency = vec![Vec::new(); node_count];
    for &(from, to) in edges {
        assert!(from < node_count && to < node_count, "edge {from}->{to} outside 0..{node_count}");
        adjacency[from].push(to);
    }
    adjacency
}

/// An undirected graph: every edge is stored in both directions.
pub fn undirected(node_count: usize, edges: &[(usize, usize)]) -> Adjacency {
    let reversed: Vec<(usize, usize)> = edges.iter().map(|&(a, b)| (b, a)).collect();
    let mut adjacency = directed(node_count, edges);
    for (node, extra) in directed(node_count, &reversed).into_iter().enumerate() {
        adjacency[node].extend(extra);
    }
    adjacency
}

/// A directed graph with weighted edges `(from, to, weight)`.
pub fn weighted_directed(node_count: usize, edges: &[(usize, usize, u64)]) -> WeightedAdjacency {
    let mut adjacency = vec![Vec::new(); node_count];
    for &(from, to, weight) in edges {
        assert!(from < node_count && to < node_count, "edge {from}->{to} outside 0..{node_count}");
        adjacency[from].push((to, weight));
    }
    adjacency
}

/// Strategies and brute-force models used by the graph lessons' property tests.
#[cfg(test)]
pub(crate) mod testing {
    use proptest::prelude::*;

    /// Edges `(from, to)`, as written in test tables.
    pub type Edges = Vec<(usize, usize)>;

    /// A node count in `1..=max_nodes` and up to `max_edges` directed edges among those nodes
    /// (self-loops and parallel edges included: algorithms must cope with both).
    pub fn node_count_and_edges(
        max_nodes: usize,
        max_edges: usize,
    ) -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (1..=max_nodes).prop_flat_map(move |n| (Just(n), prop::collection::vec((0..n, 0..n), 0..=max_edges)))
    }

    /// Like [`node_count_and_edges`], with a weight in `0..max_weight` on each edge.
    pub fn node_count_and_weighted_edges(
        max_nodes: usize,
        max_edges: usize,
        max_weight: u64,
    ) -> impl Strategy<Value = (usize, Vec<(usize, usize, u64)>)> {
        (1..=max_nodes)
            .prop_flat_map(move |n| (Just(n), prop::collection::vec((0..n, 0..n, 0..max_weight), 0..=max_edges)))
    }

    /// `hops[a][b]`: the fewest edges on a path from `a` to `b` (`Some(0)` for `a == b`), by
    /// Floyd–Warshall with unit weights — `O(V³)`, obviously correct, fine for small graphs.
    pub fn all_pairs_hops(adjacency: &[Vec<usize>]) -> Vec<Vec<Option<usize>>> {
        let n = adjacency.len();
        let mut hops = vec![vec![None; n]; n];
        for (from, heads) in adjacency.iter().enumerate() {
            hops[from][from] = Some(0);
            for &to in heads {
                if from != to {
                    hops[from][to] = Some(1);
                }
            }
        }
        for via in 0..n {
            for a in 0..n {
                for b in 0..n {
                    if let (Some(x), Some(y)) = (hops[a][via], hops[via][b]) {
                        if hops[a][b].is_none_or(|current| x + y < current) {
                            hops[a][b] = Some(x + y);
                        }
                    }
                }
            }
        }
        hops
    }

    /// Whether some node can reach itself through at least one edge.
    pub fn has_directed_cycle(adjacency: &[Vec<usize>]) -> bool {
        let hops = all_pairs_hops(adjacency);
        // A self-loop is a cycle; otherwise a cycle through u is an edge u->v plus a path v->u.
        adjacency.iter().enumerate().any(|(u, heads)| heads.iter().any(|&v| hops[v][u].is_some()))
    }
}

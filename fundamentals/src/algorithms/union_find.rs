//! # Union-find (disjoint set union)
//!
//! Merging sets and asking "same set?" in nearly constant time, with union by size and path
//! halving; Kruskal's minimum spanning tree and redundant-edge detection on top.
//!
//! ## Why interviewers ask this
//! Dynamic connectivity shows up as "number of provinces", "accounts merge", "redundant
//! connection", "earliest moment everyone is friends", and Kruskal's MST. It is short enough to
//! write in an interview, and the two optimisations — and *why* each matters — separate people
//! who memorised it from people who understand it.
//!
//! ## How it works
//! Each set is a tree stored in a `parent` array; a root is its own parent and names the set.
//! - `find(x)`: follow parents to the root. **Path halving** points every other node on the
//!   way at its grandparent, so later finds on that path are shorter.
//! - `union(a, b)`: find both roots; if they differ, hang the **smaller** tree under the larger
//!   (union by size), which keeps every tree's height at most `log2(n)` — a node's depth grows
//!   only when its tree at least doubles in size.
//!
//! With both, `m` operations on `n` elements take `O(m α(n))` time, where `α` (inverse
//! Ackermann) is at most 4 for any `n` that fits in memory; `O(n)` space. Either optimisation
//! alone gives `O(log n)` amortised per operation; with neither, a chain of unions can build a
//! path of length `n` and each find costs `O(n)`.
//!
//! [`kruskal_mst`]: sort edges by weight and add each edge whose ends are in different sets —
//! union-find answers "would this edge close a cycle?" `O(E log E)` for the sort.
//! [`redundant_connection`]: the first edge whose ends are already connected.
//!
//! ## Common pitfalls
//! - **Not checking whether the roots are equal** before merging: the component count drops
//!   for an edge inside one component, sizes double-count, and Kruskal keeps cycle edges.
//! - Linking `a` under `b` instead of `root(a)` under `root(b)`: the tree falls apart.
//! - Believing path compression alone changes correctness: it only changes speed. Correctness
//!   bugs live in `union`.
//! - Recursive `find` with full path compression overflows the stack on a long chain before
//!   the first compression; halving is iterative.
//!
//! ## Key takeaways
//! - Two arrays (`parent`, `size`), two operations, near-constant time.
//! - Union by size (or rank) bounds height by `log2(n)`; path halving/compression flattens
//!   further; together `O(α(n))`.
//! - Union-find answers connectivity under *additions* only; deletions need other structures.
//!
//! ## Break it
//! `breaks/union_find.patch` removes the "already in the same set" check from `union`.
//! `union_of_connected_elements_changes_nothing` fails (the count drops below the number of
//! real components and `union` claims to have merged), and so do Kruskal (it keeps a cycle
//! edge) and the property test against a relabelling model. For a break that changes *speed*
//! only, make `union` always hang `a`'s root under `b`'s: `union_by_size_keeps_trees_logarithmically_shallow`
//! catches the `n - 1`-deep chain.
//!
//! ## Interview questions
//! - *Why union by size?* — A node moves one level deeper only when its tree is merged into one
//!   at least as large, so its tree doubles each time; after `log2(n)` doublings it holds all
//!   `n` nodes. Height ≤ `log2(n)`.
//! - *Number of connected components with edges arriving over time.* — Start with `n`, subtract
//!   one for each `union` that merges two different sets.
//! - *Redundant connection in a tree plus one edge.* — Process edges in order; the first edge
//!   whose ends are already connected closes the cycle.
//! - *Union-find or DFS for components?* — DFS for a static graph (`O(V + E)` once); union-find
//!   when edges arrive online or you need connectivity queries in between.

/// Disjoint sets over `0..len` with union by size and path halving.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<usize>,
    /// Number of elements in the tree rooted here (meaningful for roots only).
    size: Vec<usize>,
    set_count: usize,
}

impl UnionFind {
    /// `len` singleton sets `{0}`, `{1}`, … `O(n)`.
    pub fn new(len: usize) -> Self {
        Self { parent: (0..len).collect(), size: vec![1; len], set_count: len }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Number of disjoint sets.
    pub fn set_count(&self) -> usize {
        self.set_count
    }

    /// The representative (root) of `x`'s set. Halves the path on the way. Amortised `O(α(n))`.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            // Point x at its grandparent and jump there: every other node on the path halves
            // its distance to the root.
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Merges the sets of `a` and `b`. Returns `true` if they were different sets. `O(α(n))`.
    pub fn union(&mut self, a: usize, b: usize) -> bool {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a == root_b {
            return false;
        }
        // Hang the smaller tree under the larger one, so no tree is deeper than log2(size).
        let (small, large) = if self.size[root_a] < self.size[root_b] { (root_a, root_b) } else { (root_b, root_a) };
        self.parent[small] = large;
        self.size[large] += self.size[small];
        self.set_count -= 1;
        debug_assert!(self.size[large] <= self.len(), "a set cannot outgrow the universe");
        true
    }

    /// Whether `a` and `b` are in the same set. `O(α(n))`.
    pub fn connected(&mut self, a: usize, b: usize) -> bool {
        self.find(a) == self.find(b)
    }

    /// Number of elements in `x`'s set. `O(α(n))`.
    pub fn set_size(&mut self, x: usize) -> usize {
        let root = self.find(x);
        self.size[root]
    }

    /// The depth of the deepest element (edges to its root), measured without compressing.
    /// `O(n log n)`; for tests and teaching.
    pub fn max_depth(&self) -> usize {
        let depth = |mut x: usize| {
            let mut steps = 0;
            while self.parent[x] != x {
                x = self.parent[x];
                steps += 1;
            }
            steps
        };
        (0..self.len()).map(depth).max().unwrap_or(0)
    }
}

/// Kruskal's algorithm: the total weight and the edges `(a, b, weight)` of a minimum spanning
/// forest of an undirected graph on `0..node_count` (a tree per connected component).
/// `O(E log E)` time, `O(V + E)` space.
pub fn kruskal_mst(node_count: usize, edges: &[(usize, usize, u64)]) -> (u64, Vec<(usize, usize, u64)>) {
    let mut by_weight = edges.to_vec();
    // Stable sort: among equal weights the input order decides, so the result is deterministic.
    by_weight.sort_by_key(|&(_, _, weight)| weight);
    let mut sets = UnionFind::new(node_count);
    let chosen: Vec<(usize, usize, u64)> = by_weight.into_iter().filter(|&(a, b, _)| sets.union(a, b)).collect();
    (chosen.iter().map(|&(_, _, weight)| weight).sum(), chosen)
}

/// The first edge (in input order) that joins two nodes already connected by earlier edges,
/// i.e. that closes a cycle; `None` if the edges form a forest. `O(E α(V))`.
pub fn redundant_connection(node_count: usize, edges: &[(usize, usize)]) -> Option<(usize, usize)> {
    let mut sets = UnionFind::new(node_count);
    edges.iter().copied().find(|&(a, b)| !sets.union(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The model: an explicit label per element; a union relabels one whole set. `O(n)` per
    /// union, obviously correct.
    struct Labels(Vec<usize>);

    impl Labels {
        fn union(&mut self, a: usize, b: usize) -> bool {
            let (from, to) = (self.0[a], self.0[b]);
            for label in self.0.iter_mut().filter(|label| **label == from) {
                *label = to;
            }
            from != to
        }
        fn set_count(&self) -> usize {
            self.0.iter().collect::<std::collections::BTreeSet<_>>().len()
        }
    }

    #[test]
    fn unions_merge_sets_and_track_their_sizes() {
        let mut sets = UnionFind::new(6);
        assert!(sets.union(0, 1));
        assert!(sets.union(2, 3));
        assert!(sets.union(1, 3));
        assert!(sets.connected(0, 2));
        assert!(!sets.connected(0, 4));
        assert_eq!((sets.set_count(), sets.set_size(3), sets.set_size(5)), (3, 4, 1));
    }

    #[test]
    fn union_of_connected_elements_changes_nothing() {
        let mut sets = UnionFind::new(4);
        sets.union(0, 1);
        sets.union(1, 2);
        assert!(!sets.union(0, 2), "0 and 2 are already connected through 1");
        assert!(!sets.union(3, 3));
        assert_eq!(sets.set_count(), 2);
        assert_eq!(sets.set_size(0), 3);
    }

    #[test]
    fn union_by_size_keeps_trees_logarithmically_shallow() {
        // union(i, i + 1) with "hang a's root under b's" would build the chain
        // 0 -> 1 -> … -> n - 1, and no find ever walks it to compress it.
        let n = 1 << 10;
        let mut sets = UnionFind::new(n);
        for i in 0..n - 1 {
            sets.union(i, i + 1);
        }
        assert_eq!(sets.set_count(), 1);
        assert!(sets.max_depth() <= 10, "depth {} exceeds log2(n)", sets.max_depth());
    }

    #[test]
    fn kruskal_picks_the_cheapest_edges_that_close_no_cycle() {
        type Case = (usize, Vec<(usize, usize, u64)>, u64, usize);
        let cases: [Case; 4] = [
            // Square 0-1-2-3 with a diagonal: the heaviest square edge is left out.
            (4, vec![(0, 1, 1), (1, 2, 2), (2, 3, 3), (3, 0, 4), (0, 2, 5)], 6, 3),
            (3, vec![(0, 1, 7), (0, 1, 2), (1, 2, 2)], 4, 2), // parallel edges: the cheaper one
            (4, vec![(0, 1, 3), (2, 3, 1)], 4, 2),            // a forest of two trees
            (1, vec![(0, 0, 9)], 0, 0),                       // a self-loop is never taken
        ];
        for (n, edges, weight, edge_count) in cases {
            let (total, chosen) = kruskal_mst(n, &edges);
            assert_eq!((total, chosen.len()), (weight, edge_count), "{edges:?}");
        }
    }

    #[test]
    fn redundant_connection_is_the_edge_that_closes_the_first_cycle() {
        type Case = (usize, &'static [(usize, usize)], Option<(usize, usize)>);
        let cases: [Case; 4] = [
            (3, &[(0, 1), (0, 2), (1, 2)], Some((1, 2))),
            (5, &[(0, 1), (1, 2), (2, 3), (1, 3), (0, 4)], Some((1, 3))),
            (3, &[(0, 1), (1, 2)], None),
            (1, &[(0, 0)], Some((0, 0))),
        ];
        for (n, edges, expected) in cases {
            assert_eq!(redundant_connection(n, edges), expected, "{edges:?}");
        }
    }

    fn unions() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (1usize..12).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n), 0..30)))
    }

    proptest! {
        #[test]
        fn union_find_agrees_with_a_relabelling_model((n, pairs) in unions()) {
            let mut sets = UnionFind::new(n);
            let mut model = Labels((0..n).collect());
            for (a, b) in pairs {
                prop_assert_eq!(sets.union(a, b), model.union(a, b));
                prop_assert_eq!(sets.set_count(), model.set_count());
            }
            for a in 0..n {
                prop_assert_eq!(sets.set_size(a), model.0.iter().filter(|&&l| l == model.0[a]).count());
                for b in 0..n {
                    prop_assert_eq!(sets.connected(a, b), model.0[a] == model.0[b]);
                }
            }
            prop_assert!(sets.max_depth() <= n.ilog2() as usize);
        }

        #[test]
        fn kruskal_weight_matches_the_cheapest_spanning_subset(
            (n, edges) in (1usize..6).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n, 0u64..10), 0..8))),
        ) {
            // Brute force: among all edge subsets that connect exactly what the full graph
            // connects and have no cycle (a spanning forest), the minimum total weight.
            let components = |subset: &[(usize, usize, u64)]| {
                let mut model = Labels((0..n).collect());
                // No short-circuit: every edge must be applied to count the components.
                let merges: Vec<bool> = subset.iter().map(|&(a, b, _)| model.union(a, b)).collect();
                let acyclic = merges.iter().all(|&merged| merged);
                (acyclic, model.set_count())
            };
            let full_count = components(&edges).1;
            let brute_force = (0u32..1 << edges.len())
                .map(|mask| edges.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, &e)| e).collect::<Vec<_>>())
                .filter(|subset| components(subset) == (true, full_count))
                .map(|subset| subset.iter().map(|&(_, _, w)| w).sum::<u64>())
                .min();
            prop_assert_eq!(Some(kruskal_mst(n, &edges).0), brute_force);
        }
    }
}

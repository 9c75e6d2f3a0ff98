//! # Breadth-first search
//!
//! Fewest-hop distances and shortest paths in unweighted graphs and grids, with a FIFO queue.
//!
//! ## Why interviewers ask this
//! "Shortest path" in an unweighted graph, a maze, a word ladder or "minimum number of moves"
//! is BFS, and candidates who reach for DFS get an answer that is a path but not the shortest.
//! Interviewers look for the queue, marking nodes when they are *enqueued*, and the `O(V + E)`
//! argument. Grids (islands, rotting oranges, shortest path in a binary matrix) are the most
//! common disguise.
//!
//! ## How it works
//! Start with the source at distance 0 in a FIFO queue. Pop a node, and give every neighbour
//! that has no distance yet the popped node's distance plus one, and enqueue it. Because the
//! queue is FIFO, nodes leave it in non-decreasing distance order (all of distance `d` before
//! any of `d + 1`), so the first time a node is reached is along a fewest-edge path.
//!
//! Each node is enqueued at most once and each edge is looked at once when its tail is popped:
//! `O(V + E)` time, `O(V)` space for distances and the queue. Recording each node's *parent*
//! when it is discovered gives the path itself by walking parents back from the target
//! ([`shortest_path`]). On a grid the neighbours are the four adjacent free cells
//! ([`grid_shortest_path`]): `O(rows × cols)`.
//!
//! ## Common pitfalls
//! - **A stack instead of a queue** (or `pop_back` on a deque): you get DFS, which finds *a*
//!   path, not the shortest.
//! - Marking nodes visited when they are *popped* instead of when pushed: still correct, but a
//!   node can be queued once per incoming edge — `O(E)` queue entries and duplicated work.
//! - Using BFS on weighted edges: it counts edges, not weight (use Dijkstra; 0/1 weights: a
//!   deque, pushing 0-edges at the front).
//! - Grids: swapping row and column, or forgetting bounds before indexing.
//!
//! ## Key takeaways
//! - Unweighted shortest path = BFS; the FIFO order is the proof.
//! - Mark on enqueue, store parents if you need the path, `O(V + E)`.
//! - Multi-source BFS (start with every source in the queue) gives distance to the nearest one.
//!
//! ## Break it
//! `breaks/bfs.patch` takes the next node from the back of the deque (`pop_back`), turning the
//! traversal into a depth-first one. Every node is still reached, but
//! `bfs_finds_fewest_hops_not_the_first_path_found` fails (node 5 gets distance 3 instead of
//! 2) and the property test against Floyd–Warshall shrinks to a four-node graph.
//!
//! ## Interview questions
//! - *Why does BFS give shortest paths but DFS does not?* — BFS dequeues nodes in order of
//!   distance, so the first discovery of a node uses the fewest edges; DFS follows one branch
//!   as deep as it goes and may reach a node through a long detour first.
//! - *Shortest path in a binary matrix / a maze.* — BFS over cells, neighbours are adjacent
//!   free cells, distance = level. `O(rows × cols)`.
//! - *Word ladder.* — Nodes are words, edges join words one letter apart; BFS from the start
//!   word. Build neighbours by trying each position with each letter, or by wildcard buckets
//!   (`h*t` → hot, hit).
//! - *Rotting oranges / walls and gates.* — Multi-source BFS: enqueue all sources at distance 0.

use std::collections::VecDeque;

/// Fewest edges from `source` to every node (`None` if unreachable). `O(V + E)` time, `O(V)`
/// space.
pub fn bfs_distances(adjacency: &[Vec<usize>], source: usize) -> Vec<Option<usize>> {
    bfs_tree(adjacency, source).0
}

/// A fewest-edge path from `source` to `target`, both ends included; `None` if unreachable.
/// `O(V + E)`.
pub fn shortest_path(adjacency: &[Vec<usize>], source: usize, target: usize) -> Option<Vec<usize>> {
    let (distance, parent) = bfs_tree(adjacency, source);
    distance[target]?;
    let mut path = vec![target];
    let mut node = target;
    while let Some(previous) = parent[node] {
        path.push(previous);
        node = previous;
    }
    path.reverse();
    debug_assert_eq!(Some(path.len() - 1), distance[target]);
    Some(path)
}

/// Distances from `source` and each reached node's parent on a shortest path.
fn bfs_tree(adjacency: &[Vec<usize>], source: usize) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let mut distance = vec![None; adjacency.len()];
    let mut parent = vec![None; adjacency.len()];
    distance[source] = Some(0);
    let mut queue = VecDeque::from([source]);
    while let Some(node) = queue.pop_front() {
        let next_distance = distance[node].expect("queued nodes have a distance") + 1;
        for &neighbour in &adjacency[node] {
            // Mark on enqueue: each node enters the queue at most once.
            if distance[neighbour].is_none() {
                distance[neighbour] = Some(next_distance);
                parent[neighbour] = Some(node);
                queue.push_back(neighbour);
            }
        }
    }
    (distance, parent)
}

/// Fewest moves from `start` to `goal` on a grid of text rows, moving up, down, left or right
/// through cells that are not `#`; positions are `(row, column)`. `None` if the goal cannot be
/// reached or either end is a wall or off the grid. `O(rows × cols)` time and space.
pub fn grid_shortest_path(grid: &[&str], start: (usize, usize), goal: (usize, usize)) -> Option<usize> {
    let cells: Vec<&[u8]> = grid.iter().map(|row| row.as_bytes()).collect();
    let is_free = |(row, col): (usize, usize)| cells.get(row).and_then(|r| r.get(col)).is_some_and(|&c| c != b'#');
    if !is_free(start) || !is_free(goal) {
        return None;
    }
    let mut distance = vec![vec![None; cells.iter().map(|r| r.len()).max().unwrap_or(0)]; cells.len()];
    distance[start.0][start.1] = Some(0);
    let mut queue = VecDeque::from([start]);
    while let Some((row, col)) = queue.pop_front() {
        let steps = distance[row][col].expect("queued cells have a distance");
        if (row, col) == goal {
            return Some(steps);
        }
        // wrapping_sub turns "one left of column 0" into usize::MAX, which is_free rejects.
        let neighbours = [(row.wrapping_sub(1), col), (row + 1, col), (row, col.wrapping_sub(1)), (row, col + 1)];
        for next in neighbours {
            if is_free(next) && distance[next.0][next.1].is_none() {
                distance[next.0][next.1] = Some(steps + 1);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::graph;
    use crate::algorithms::graph::testing::{self, Edges};
    use proptest::prelude::*;

    #[test]
    fn bfs_finds_fewest_hops_not_the_first_path_found() {
        // 0 -> 1 -> 5 is two hops; 0 -> 2 -> 3 -> 5 is three. A traversal that goes deep
        // along the last-discovered branch first reaches 5 the long way.
        let adjacency = graph::directed(6, &[(0, 1), (0, 2), (1, 5), (2, 3), (3, 5), (3, 4)]);
        assert_eq!(bfs_distances(&adjacency, 0), [Some(0), Some(1), Some(1), Some(2), Some(3), Some(2)]);
        assert_eq!(shortest_path(&adjacency, 0, 5), Some(vec![0, 1, 5]));
    }

    #[test]
    fn unreachable_nodes_have_no_distance_and_no_path() {
        type Case = (usize, Edges, usize, usize, Option<Vec<usize>>);
        let cases: [Case; 4] = [
            (3, vec![(0, 1)], 0, 2, None),
            (2, vec![(1, 0)], 0, 1, None),
            (1, vec![], 0, 0, Some(vec![0])),
            (3, vec![(0, 0), (0, 2), (2, 1)], 0, 1, Some(vec![0, 2, 1])),
        ];
        for (n, edges, source, target, expected) in cases {
            assert_eq!(shortest_path(&graph::directed(n, &edges), source, target), expected, "{edges:?}");
        }
    }

    #[test]
    fn grid_path_goes_around_walls() {
        let maze = ["..#.", ".##.", "....", "#.#."];
        let cases = [
            ((0, 0), (0, 3), Some(7)),
            ((0, 0), (2, 3), Some(5)),
            ((0, 0), (0, 0), Some(0)),
            ((0, 0), (0, 2), None), // the goal is a wall
            ((0, 0), (9, 9), None), // off the grid
            ((3, 1), (3, 3), Some(4)),
        ];
        for (start, goal, expected) in cases {
            assert_eq!(grid_shortest_path(&maze, start, goal), expected, "{start:?} -> {goal:?}");
        }
        assert_eq!(grid_shortest_path(&[".#."], (0, 0), (0, 2)), None, "walled off");
    }

    proptest! {
        #[test]
        fn bfs_distances_match_floyd_warshall((n, edges) in testing::node_count_and_edges(8, 16), source in 0usize..8) {
            let source = source % n;
            let adjacency = graph::directed(n, &edges);
            let expected = testing::all_pairs_hops(&adjacency)[source].clone();
            prop_assert_eq!(bfs_distances(&adjacency, source), expected);
        }

        #[test]
        fn shortest_paths_follow_edges_and_have_the_bfs_length((n, edges) in testing::node_count_and_edges(8, 16), target in 0usize..8) {
            let target = target % n;
            let adjacency = graph::directed(n, &edges);
            if let Some(path) = shortest_path(&adjacency, 0, target) {
                prop_assert_eq!(path.first(), Some(&0));
                prop_assert_eq!(path.last(), Some(&target));
                prop_assert!(path.windows(2).all(|step| adjacency[step[0]].contains(&step[1])));
                prop_assert_eq!(Some(path.len() - 1), bfs_distances(&adjacency, 0)[target]);
            }
        }
    }
}

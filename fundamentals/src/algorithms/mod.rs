//! Algorithms: the techniques behind most coding-interview questions, one lesson per module.
//!
//! Each module opens with the lesson (why interviewers ask, how it works, pitfalls, takeaways,
//! a break-it exercise backed by `fundamentals/breaks/<module>.patch`, interview questions),
//! states the time and space complexity of every function and why, and proves its claims with
//! table-driven tests plus property tests against a brute-force model on small inputs.
//! [`graph`] is not a lesson: it holds the adjacency-list types the graph lessons share.
//!
//! | module | technique |
//! | --- | --- |
//! | [`binary_search`] | classic search, first/last occurrence, rotated arrays, search on the answer |
//! | [`two_pointers`] | opposite-end and reader/writer pointers: pair sum, dedup, palindrome, merge |
//! | [`sliding_window`] | fixed and variable windows, monotonic deque for window maxima |
//! | [`kadane`] | maximum subarray (with its indices), circular and maximum-product variants |
//! | [`sorting`] | insertion, merge, quick, heap, counting and radix sort; stability; benchmark vs std |
//! | [`bfs`] | fewest-hop distances and paths, grid shortest path |
//! | [`dfs`] | recursive and iterative DFS in the same order, components, bipartite check |
//! | [`topological_sort`] | Kahn and three-colour DFS, with the offending cycle reported |
//! | [`dijkstra`] | shortest paths with non-negative weights, lazy deletion, the settled invariant |
//! | [`union_find`] | disjoint sets with union by size and path halving; Kruskal, redundant edge |
//! | [`backtracking`] | subsets and permutations (with duplicate inputs), N-queens |
//! | [`dynamic_programming`] | coin change, LIS, edit distance, 0/1 knapsack, house robber |

pub mod backtracking;
pub mod bfs;
pub mod binary_search;
pub mod dfs;
pub mod dijkstra;
pub mod dynamic_programming;
pub mod graph;
pub mod kadane;
pub mod sliding_window;
pub mod sorting;
pub mod topological_sort;
pub mod two_pointers;
pub mod union_find;

//! Data structures: one lesson per module, each with unit tests and property tests against a
//! std model (`Vec`, `VecDeque`, `BTreeMap`, `BTreeSet`, `BinaryHeap`).
//!
//! Every module opens with the lesson (why interviewers ask, how it works, pitfalls,
//! takeaways, a break-it exercise, interview questions with model answers). Structures assert
//! their invariants (heap order, BST order, B-tree fill, skip-list level order, …) and expose a
//! `check_invariants` that the property tests call after every operation.
//!
//! Suggested path, simplest first:
//!
//! | module | what it teaches |
//! | --- | --- |
//! | [`stack`], [`queue`] | LIFO/FIFO, min-stack, a queue from two stacks (amortised O(1)) |
//! | [`ring_buffer`], [`deque`] | fixed and growable circular buffers, wrap-around arithmetic |
//! | [`linked_list`] | `Option<Box<Node>>`, `take()`, reversal, iterative `Drop` |
//! | [`doubly_linked_list`] | why Rust makes it hard; an arena with generational ids |
//! | [`hash_map_chaining`], [`hash_map_open_addressing`] | collisions, load factor, resizing, deletion |
//! | [`binary_tree`], [`bst`] | traversals recursive and iterative; search-tree delete |
//! | [`binary_heap`] | priority queue in an array, heapify in O(n), top-k |
//! | [`lru_cache`], [`concurrent_lru`] | hash map + linked list in O(1); sharded locking |
//! | [`ttl_cache`] | expiry on a virtual clock, lazy and active |
//! | [`skip_list`], [`btree`] | ordered maps by randomisation and by fan-out |
//! | [`trie`] | prefix queries, autocomplete |
//! | [`bloom_filter`] | one-sided error, the false-positive formula measured |
//! | [`lsm_tree`] | memtable, sorted runs, compaction, tombstones |
//! | [`consistent_hash`] | a ring with virtual nodes; keys moved on join/leave measured |
//!
//! [`hashing`] is shared support, not a lesson: fixed FNV-1a hashing, because
//! `DefaultHasher`'s output may change between Rust releases and asserted layouts must not.
//!
//! Break-it exercises live in `fundamentals/breaks/<module>.patch`; `scripts/break-it.sh
//! <module>` applies one to a scratch copy and shows which test (or which compiler error)
//! catches it. Benchmarks against std and the `lru` crate: `fundamentals/benches/ds.rs`.

pub mod binary_heap;
pub mod binary_tree;
pub mod bloom_filter;
pub mod bst;
pub mod btree;
pub mod concurrent_lru;
pub mod consistent_hash;
pub mod deque;
pub mod doubly_linked_list;
pub mod hash_map_chaining;
pub mod hash_map_open_addressing;
pub mod hashing;
pub mod linked_list;
pub mod lru_cache;
pub mod lsm_tree;
#[cfg(test)]
mod ordered_map_ops;
pub mod queue;
pub mod ring_buffer;
pub mod skip_list;
pub mod stack;
pub mod trie;
pub mod ttl_cache;

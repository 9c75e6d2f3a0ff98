//! Data structures, each module a lesson (placeholder overview; completed below as modules land).

pub mod binary_heap;
pub mod binary_tree;
pub mod consistent_hash;
pub mod bloom_filter;
pub mod bst;
pub mod btree;
pub mod concurrent_lru;
pub mod deque;
pub mod doubly_linked_list;
pub mod hash_map_chaining;
pub mod hash_map_open_addressing;
pub mod hashing;
pub mod linked_list;
pub mod lsm_tree;
pub mod lru_cache;
pub mod queue;
pub mod ring_buffer;
pub mod skip_list;
pub mod stack;
pub mod trie;
pub mod ttl_cache;

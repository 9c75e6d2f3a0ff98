//! Data structures, each module a lesson (placeholder overview; completed below as modules land).

pub mod deque;
pub mod hashing;
pub mod linked_list;
pub mod queue;
pub mod ring_buffer;
pub mod stack;

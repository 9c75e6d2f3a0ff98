//! Test support shared by the ordered-map lessons (BST, B-tree, skip list): the random
//! operation sequences their property tests replay against `std::collections::BTreeMap`.
//! Small keys (`u8`) make inserts, removals and lookups of the same key collide often, which
//! is where the structures' rebalancing and unlinking bugs live.

use proptest::prelude::*;

#[derive(Debug, Clone)]
pub enum Op {
    Insert(u8, u16),
    Remove(u8),
    Get(u8),
}

/// Inserts, removals and lookups in a 3:2:1 mix.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<u8>(), any::<u16>()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => any::<u8>().prop_map(Op::Remove),
        1 => any::<u8>().prop_map(Op::Get),
    ]
}

//! Memory without a garbage collector: layout, ownership of heap data, and the tools Rust
//! offers where one owner is not enough.
//!
//! | module | what it teaches |
//! | --- | --- |
//! | [`layout`] | `size_of`/`align_of`, padding, field reordering vs `repr(C)`, niches |
//! | [`smart_pointers`] | stack vs heap, `Box`, `Rc`/`Arc`, a reference-cycle leak fixed with `Weak` |
//! | [`cow`] | `Cow`: borrow on the common path, allocate only when changing |
//! | [`unsafe_zero_copy`] | a zero-copy parser, safe and with `unsafe` + `// SAFETY:`, proven equal |
//! | [`object_pool`] | a bounded pool whose guards return objects on `Drop` |
//! | [`arena`] | typed arenas, ids instead of pointers, hash-consing |
//!
//! Sizes asserted in [`layout`] are those of today's compiler on 64-bit targets (the tests
//! only run there). Costs quoted in the lessons come from `fundamentals/benches/lang.rs`.

pub mod arena;
pub mod cow;
pub mod layout;
pub mod object_pool;
pub mod smart_pointers;
pub mod unsafe_zero_copy;

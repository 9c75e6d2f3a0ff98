//! # Memory layout: `size_of`, `align_of`, field reordering vs `repr(C)`
//!
//! ## Why interviewers ask this
//! "How big is this struct?" checks whether you know alignment and padding — the reason a
//! cache-hungry service can halve its memory by reordering fields. In Go you reorder fields
//! by hand (and linters like `fieldalignment` nag you); Rust's default representation lets the
//! compiler do it, and `#[repr(C)]` turns that off for FFI and wire formats.
//!
//! ## How it works
//! - Every type has a **size** and an **alignment** (a power of two); its address must be a
//!   multiple of the alignment, and its size is a multiple of it too, so arrays stay aligned.
//! - A struct's fields are placed at aligned offsets; gaps are **padding**.
//! - **`repr(Rust)`** (the default) has no guaranteed layout; today's compiler sorts fields by
//!   alignment to minimise padding. [`Reordered`] (`u8, u64, u8`) is 16 bytes.
//! - **`repr(C)`** keeps declaration order with C's rules: [`CLayout`], the same fields, is
//!   24 bytes (1 + 7 padding + 8 + 1 + 7 padding). Put big-alignment fields first by hand
//!   ([`CLayoutSorted`], 16 bytes) when you need `repr(C)` and compactness.
//! - **Enums** store a tag plus the largest variant, unless a *niche* (an impossible bit
//!   pattern) can hold the tag: `Option<Box<T>>` is one pointer.
//! - **Zero-sized types** (`()`, marker structs, `PhantomData`) take no space; a `Vec<()>`
//!   never allocates.
//! - Stack vs heap: locals, including arrays and structs, live in the stack frame; `Box`,
//!   `Vec`, `String` put their payload on the heap and keep a small header on the stack.
//!
//! ## Common pitfalls
//! - Assuming `repr(Rust)` field order (transmuting, hashing raw bytes, FFI): only
//!   `repr(C)`/`repr(transparent)` give guarantees. The sizes asserted below describe today's
//!   compiler on 64-bit targets, not a language promise.
//! - Sending a `repr(C)` struct over the wire as raw bytes: padding bytes are uninitialised
//!   and endianness is the host's. Serialise field by field.
//! - `#[repr(packed)]` to save space: unaligned fields, references to them are refused.
//!
//! ## Key takeaways
//! - Size = fields + padding, rounded up to the alignment.
//! - Rust reorders fields for you; `repr(C)` is declaration order, for FFI and layouts you
//!   must control.
//! - Niches make `Option` of pointers and `NonZero` integers free.
//!
//! ## Break it
//! `breaks/memory_layout.patch` adds `#[repr(C)]` to [`Reordered`]. `scripts/break-it.sh
//! memory_layout`: `rust_reorders_fields_to_remove_padding` fails (24 bytes instead of 16) —
//! the padding a Go struct with the same field order would carry.
//!
//! ## Interview questions
//! - *What is the size of `struct { a: u8, b: u64, c: u8 }`?* — 16 with Rust's layout (8 +
//!   1 + 1 + 6 padding); 24 with `repr(C)` or in Go, where order is kept.
//! - *Why does alignment exist?* — CPUs load aligned words in one access; misaligned access
//!   is slower or faults, and atomics require alignment.
//! - *How big is `Option<&T>`? `Option<u64>`?* — 8 (null is the niche) and 16 (no niche: tag
//!   + padding + value).
//! - *When do you use `repr(C)`?* — FFI, memory-mapped or shared-memory structures, anything
//!   whose layout another program reads.

use std::num::NonZeroU64;

/// Fields declared small, big, small; the default representation reorders them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Reordered {
    pub a: u8,
    pub b: u64,
    pub c: u8,
}

/// The same fields with C layout: declaration order, padding after each `u8`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct CLayout {
    pub a: u8,
    pub b: u64,
    pub c: u8,
}

/// C layout with the fields sorted by alignment by hand: as compact as `Reordered`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct CLayoutSorted {
    pub b: u64,
    pub a: u8,
    pub c: u8,
}

/// An enum whose largest variant carries 16 bytes of payload.
#[derive(Debug, Clone, Copy)]
pub enum Message {
    Ping,
    Ack(u32),
    Data { offset: u64, len: u64 },
}

/// Bytes of padding in a type whose fields sum to `payload` bytes.
pub const fn padding(size: usize, payload: usize) -> usize {
    size - payload
}

/// A sequence id that can't be zero, so `Option<SequenceId>` costs nothing extra.
pub type SequenceId = NonZeroU64;

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::*;
    use std::marker::PhantomData;
    use std::mem::{align_of, offset_of, size_of};

    const FIELDS: usize = 1 + 8 + 1;

    #[test]
    fn rust_reorders_fields_to_remove_padding() {
        assert_eq!(size_of::<Reordered>(), 16);
        assert_eq!(padding(size_of::<Reordered>(), FIELDS), 6);
        // The u64 is placed first: the two u8s share the tail.
        assert_eq!(offset_of!(Reordered, b), 0);
    }

    #[test]
    fn repr_c_keeps_declaration_order_and_pays_for_padding() {
        assert_eq!(size_of::<CLayout>(), 24);
        assert_eq!(padding(size_of::<CLayout>(), FIELDS), 14);
        assert_eq!(offset_of!(CLayout, a), 0);
        assert_eq!(offset_of!(CLayout, b), 8);
        assert_eq!(offset_of!(CLayout, c), 16);
    }

    #[test]
    fn sorting_repr_c_fields_by_alignment_recovers_the_space() {
        assert_eq!(size_of::<CLayoutSorted>(), 16);
        assert_eq!(offset_of!(CLayoutSorted, a), 8);
        assert_eq!(offset_of!(CLayoutSorted, c), 9);
    }

    #[test]
    fn alignment_is_the_largest_field_alignment_and_size_is_a_multiple_of_it() {
        assert_eq!(align_of::<Reordered>(), 8);
        assert_eq!(align_of::<(u8, u16)>(), 2);
        assert_eq!(size_of::<(u8, u16)>(), 4);
        assert_eq!(size_of::<[Reordered; 3]>(), 3 * size_of::<Reordered>(), "arrays have no gaps between elements");
    }

    #[test]
    fn enums_are_tag_plus_largest_variant() {
        assert_eq!(size_of::<Message>(), 24, "8-byte tag slot + 16 bytes of Data");
        let _ = (Message::Ping, Message::Ack(1), Message::Data { offset: 0, len: 0 });
    }

    #[test]
    fn niches_make_option_free_for_pointers_and_nonzero_integers() {
        assert_eq!(size_of::<Option<Box<u64>>>(), 8);
        assert_eq!(size_of::<Option<&Reordered>>(), 8);
        assert_eq!(size_of::<Option<SequenceId>>(), 8);
        assert_eq!(size_of::<Option<u64>>(), 16, "every u64 bit pattern is a valid value");
        assert_eq!(size_of::<Option<bool>>(), 1, "bool uses 2 of 256 byte values");
    }

    #[test]
    fn zero_sized_types_take_no_space_and_never_allocate() {
        assert_eq!(size_of::<()>(), 0);
        assert_eq!(size_of::<PhantomData<String>>(), 0);
        let units = vec![(); 1_000_000];
        assert_eq!(units.len(), 1_000_000);
        assert_eq!(units.capacity(), usize::MAX, "a Vec of ZSTs has unbounded capacity, no heap");
    }

    #[test]
    fn box_keeps_a_pointer_on_the_stack_and_the_payload_on_the_heap() {
        assert_eq!(size_of::<Box<[u8; 4096]>>(), 8);
        assert_eq!(size_of::<[u8; 4096]>(), 4096);
        assert_eq!(size_of::<Box<[u8]>>(), 16, "a boxed slice also stores its length");
    }
}

//! # `unsafe` with `// SAFETY:` — a zero-copy parser, safe and unsafe
//!
//! ## Why interviewers ask this
//! Backend Rust is almost all safe code, but interviewers want to know that you understand
//! what `unsafe` permits (five extra powers, not "turning off the borrow checker"), how to
//! justify each block, and how to test it. Zero-copy parsing — returning slices that point
//! into the input buffer instead of copying — is where it tempts people most.
//!
//! ## How it works
//! The wire format is a sequence of records: `u16` little-endian key length, the key (UTF-8),
//! `u32` little-endian value length, the value bytes. A [`Record`] borrows its key and value
//! from the input (`&'a str`, `&'a [u8]`): nothing is copied, and the lifetime `'a` makes the
//! compiler reject any use of a record after the buffer is gone.
//! - [`parse_safe`] uses checked slicing (`split_at_checked`, `try_into`): every access is
//!   bounds-checked, failures become [`ParseError`]s.
//! - [`parse_unchecked`] checks each bound **once** with overflow-safe arithmetic, then reads
//!   through raw pointers (`read_unaligned`, `slice::from_raw_parts`). Each `unsafe` block
//!   carries a `// SAFETY:` comment naming the check that makes it sound.
//! - The two must agree on *every* input, valid or not: a property test feeds both random
//!   well-formed and random garbage inputs and compares the results. Where Miri is installed,
//!   `cargo +nightly miri test -p fundamentals --lib memory::unsafe_zero_copy` also checks the
//!   unsafe version for out-of-bounds or misaligned reads (it is not installed in this lab's
//!   toolchain, so the property test is the gate here).
//! - The honest conclusion: the optimiser removes most redundant bounds checks from the safe
//!   version already. Reach for `unsafe` only with a benchmark that shows the gain.
//!
//! ## Common pitfalls
//! - `offset + len <= input.len()` overflowing on a hostile `len` (use `checked_add`).
//! - Casting `*const u8` to `*const u32` and dereferencing: misaligned read, undefined
//!   behaviour. Use `read_unaligned` or `from_le_bytes`.
//! - `str::from_utf8_unchecked` on bytes from the network: invalid UTF-8 in a `&str` is UB.
//! - A `// SAFETY:` comment that restates the code instead of naming the invariant.
//!
//! ## Key takeaways
//! - `unsafe` lets you dereference raw pointers, call `unsafe fn`s, access `static mut`,
//!   implement `unsafe` traits and read union fields; the borrow checker still runs.
//! - Keep `unsafe` blocks tiny, justify each with `// SAFETY:`, wrap them in a safe API, and
//!   test the unsafe version against a safe model.
//! - Zero-copy is a lifetime story first: borrow from the input, and the compiler enforces it.
//!
//! ## Break it
//! `breaks/memory_unsafe_zero_copy.patch` turns the unchecked parser's bound test `end <= len`
//! into `end < len` (still sound, just wrong). `scripts/break-it.sh memory_unsafe_zero_copy`:
//! `unchecked_parser_agrees_with_safe_parser_on_every_input` fails with a shrunk input whose
//! last record ends exactly at the end of the buffer. A property test against a safe model
//! is how you catch off-by-ones in hand-optimised code — before Miri or production does.
//!
//! ## Interview questions
//! - *What does `unsafe` actually allow?* — Dereferencing raw pointers, calling unsafe
//!   functions (incl. FFI), mutable statics, unsafe trait impls, union field reads. Nothing
//!   else changes; you promise to uphold the invariants the compiler can't check.
//! - *What is a `// SAFETY:` comment?* — The proof obligation: which preconditions the block
//!   relies on and why they hold here. Reviewers check the argument, not the code.
//! - *How do you test unsafe code?* — Against a safe reference implementation with property
//!   tests, under Miri (UB detector) and sanitizers, and fuzzing for parsers.
//! - *What is zero-copy parsing?* — Returning views (slices, `&str`) into the input buffer
//!   instead of owned copies; lifetimes tie the views to the buffer.

use std::fmt;

/// One record, borrowed from the input buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub key: &'a str,
    pub value: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The buffer ended inside the record starting at `offset`.
    Truncated { offset: usize },
    /// The key of the record at `offset` is not UTF-8.
    InvalidKey { offset: usize },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Truncated { offset } => write!(f, "record at byte {offset} is truncated"),
            ParseError::InvalidKey { offset } => {
                write!(f, "record at byte {offset} has a non-UTF-8 key")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Encodes records in the wire format (the inverse of the parsers).
pub fn encode(records: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let key_len = u16::try_from(key.len()).expect("key longer than u16::MAX");
        let value_len = u32::try_from(value.len()).expect("value longer than u32::MAX");
        out.extend_from_slice(&key_len.to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&value_len.to_le_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// Safe, bounds-checked parser.
pub fn parse_safe(input: &[u8]) -> Result<Vec<Record<'_>>, ParseError> {
    let mut records = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let offset = input.len() - rest.len();
        let truncated = ParseError::Truncated { offset };
        let (key_len, after) = rest.split_at_checked(2).ok_or(truncated)?;
        let key_len = u16::from_le_bytes(key_len.try_into().expect("two bytes")) as usize;
        let (key, after) = after.split_at_checked(key_len).ok_or(truncated)?;
        let (value_len, after) = after.split_at_checked(4).ok_or(truncated)?;
        let value_len = u32::from_le_bytes(value_len.try_into().expect("four bytes")) as usize;
        let (value, after) = after.split_at_checked(value_len).ok_or(truncated)?;
        let key = std::str::from_utf8(key).map_err(|_| ParseError::InvalidKey { offset })?;
        records.push(Record { key, value });
        rest = after;
    }
    Ok(records)
}

/// Parser that checks each bound once and then reads through raw pointers.
pub fn parse_unchecked(input: &[u8]) -> Result<Vec<Record<'_>>, ParseError> {
    let len = input.len();
    let base = input.as_ptr();
    // `Some(end)` if `start + n` neither overflows nor runs past the buffer.
    let fits = |start: usize, n: usize| start.checked_add(n).filter(|&end| end <= len);
    let mut records = Vec::new();
    let mut pos = 0;
    while pos < len {
        let offset = pos;
        let truncated = ParseError::Truncated { offset };
        let key_start = fits(pos, 2).ok_or(truncated)?;
        // SAFETY: `fits` proved `pos + 2 <= len`, so both bytes are inside `input`;
        // `read_unaligned` has no alignment requirement.
        let key_len = u16::from_le_bytes(unsafe { base.add(pos).cast::<[u8; 2]>().read_unaligned() }) as usize;
        let key_end = fits(key_start, key_len).ok_or(truncated)?;
        let value_start = fits(key_end, 4).ok_or(truncated)?;
        // SAFETY: `fits` proved `key_end + 4 <= len`.
        let value_len = u32::from_le_bytes(unsafe { base.add(key_end).cast::<[u8; 4]>().read_unaligned() }) as usize;
        let value_end = fits(value_start, value_len).ok_or(truncated)?;
        // SAFETY: `key_start <= key_end <= len` and `value_start <= value_end <= len` were
        // checked above; the slices borrow `input`, so they share its lifetime and no one can
        // mutate or free the bytes while they exist.
        let (key, value) = unsafe {
            (
                std::slice::from_raw_parts(base.add(key_start), key_len),
                std::slice::from_raw_parts(base.add(value_start), value_len),
            )
        };
        // UTF-8 is validated, never assumed: bytes from the network are untrusted.
        let key = std::str::from_utf8(key).map_err(|_| ParseError::InvalidKey { offset })?;
        records.push(Record { key, value });
        pos = value_end;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<(String, Vec<u8>)> {
        vec![("user".into(), b"alice".to_vec()), ("".into(), vec![]), ("ключ".into(), vec![0, 255])]
    }

    #[test]
    fn both_parsers_decode_what_encode_wrote() {
        let bytes = encode(&sample());
        for parse in [parse_safe, parse_unchecked] {
            let records = parse(&bytes).expect("well-formed");
            let owned: Vec<_> = records.iter().map(|r| (r.key.to_owned(), r.value.to_vec())).collect();
            assert_eq!(owned, sample());
        }
    }

    #[test]
    fn records_point_into_the_input_buffer() {
        let bytes = encode(&[("k".into(), b"value".to_vec())]);
        let record = parse_unchecked(&bytes).expect("well-formed")[0];
        let range = bytes.as_ptr_range();
        assert!(range.contains(&record.value.as_ptr()), "zero-copy: no new allocation");
        assert!(range.contains(&record.key.as_ptr()));
    }

    #[test]
    fn truncation_and_bad_utf8_are_errors_not_crashes() {
        let bytes = encode(&sample());
        let second_record = 2 + 4 + 4 + 5;
        assert_eq!(parse_unchecked(&bytes[..second_record + 1]), Err(ParseError::Truncated { offset: second_record }));
        assert_eq!(parse_safe(&[1, 0, 0xFF, 0, 0, 0, 0]), Err(ParseError::InvalidKey { offset: 0 }));
        assert_eq!(parse_unchecked(&[1, 0, 0xFF, 0, 0, 0, 0]), Err(ParseError::InvalidKey { offset: 0 }));
    }

    #[test]
    fn a_hostile_length_cannot_overflow_the_bounds_check() {
        let mut bytes = vec![0, 0];
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse_unchecked(&bytes), Err(ParseError::Truncated { offset: 0 }));
        assert_eq!(parse_safe(&bytes), Err(ParseError::Truncated { offset: 0 }));
    }

    fn records() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
        prop::collection::vec(("\\PC{0,6}", prop::collection::vec(any::<u8>(), 0..8)), 0..5)
    }

    proptest! {
        #[test]
        fn unchecked_parser_agrees_with_safe_parser_on_every_input(
            records in records(),
            cut in any::<prop::sample::Index>(),
            garbage in prop::collection::vec(any::<u8>(), 0..24),
        ) {
            let bytes = encode(&records);
            // Well-formed, truncated anywhere, and arbitrary bytes.
            let truncated = &bytes[..cut.index(bytes.len() + 1)];
            for input in [&bytes[..], truncated, &garbage[..]] {
                prop_assert_eq!(parse_unchecked(input), parse_safe(input));
            }
        }
    }
}

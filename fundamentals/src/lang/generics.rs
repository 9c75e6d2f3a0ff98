//! # Generics, associated types, monomorphization, const generics
//!
//! ## Why interviewers ask this
//! Go got generics late and implements them partly with runtime dictionaries; Rust compiles a
//! separate copy per type. Interviewers ask what that costs (binary size, compile time) and
//! buys (inlining, zero-cost abstraction), and whether you know when a trait should have an
//! associated type rather than a type parameter.
//!
//! ## How it works
//! - **Bounds** say what a type must do: `fn largest<T: PartialOrd + Copy>(xs: &[T])`.
//! - **Monomorphization**: each instantiation (`largest::<i32>`, `largest::<f64>`) is compiled
//!   as its own function, specialised and inlinable. [`instantiation_name`] shows that each
//!   copy knows its concrete type.
//! - **Associated types** fix one output type per implementing type: `Iterator::Item`,
//!   [`Decoder::Output`]. A type parameter (`trait From<T>`) allows many impls per type; an
//!   associated type allows exactly one, so callers never have to annotate it.
//! - **Const generics** put numbers into types: [`Matrix<R, C>`] multiplication only compiles
//!   when the inner dimensions agree — a shape bug caught by the type checker.
//! - **`impl Trait`** in argument position is sugar for a generic; in return position it hides
//!   one concrete type (closures, iterator chains) without boxing ([`evens`]).
//!
//! ## Common pitfalls
//! - Over-bounding (`T: Clone + Debug + Send + Sync + 'static` everywhere): bound what the
//!   function uses.
//! - Generic code bloat: a large generic function used with ten types is compiled ten times;
//!   move the type-independent body into a non-generic helper.
//! - A type parameter where an associated type belongs: `Decoder<Output>` would let one type
//!   decode to many outputs and force turbofish annotations at every call.
//!
//! ## Key takeaways
//! - Generics are compile-time templates with checked bounds: zero runtime cost, paid for in
//!   compile time and binary size.
//! - Associated type = "one per implementor"; type parameter = "many per implementor".
//! - Const generics make sizes part of the type and move shape errors to compile time.
//!
//! ## Break it
//! `breaks/lang_generics.patch` multiplies a 2×3 matrix by another 2×3 matrix.
//! `scripts/break-it.sh lang_generics` shows **E0308** (mismatched types: expected
//! `Matrix<3, _>`, found `Matrix<2, 3>`) — NumPy or Go would report the shape error at run
//! time, if at all.
//!
//! ## Interview questions
//! - *What is monomorphization and its trade-off?* — One compiled copy per concrete type:
//!   static calls and inlining, at the price of compile time and code size. `dyn` is the
//!   opposite trade.
//! - *Associated type vs generic parameter?* — `Iterator` has `type Item` because an iterator
//!   yields one item type; `From<T>` is generic because a type converts from many.
//! - *What does `impl Trait` in return position give you?* — An unnameable concrete type
//!   (e.g. a closure) returned without `Box`, with static dispatch.
//! - *How are Rust generics different from Go's?* — Go (GC shape stenciling) shares code
//!   between types of the same shape and passes a dictionary; Rust specialises fully.

use std::ops::{Add, Mul};

/// The largest element; compiled separately for each `T` it is used with.
pub fn largest<T: PartialOrd + Copy>(values: &[T]) -> Option<T> {
    let mut iter = values.iter().copied();
    let first = iter.next()?;
    Some(iter.fold(first, |best, v| if v > best { v } else { best }))
}

/// The concrete type this instantiation was compiled for.
pub fn instantiation_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// Turns bytes into one specific kind of value. `Output` is an associated type: each decoder
/// has exactly one, so `decoder.decode(bytes)` needs no annotation.
pub trait Decoder {
    type Output;
    fn decode(&self, bytes: &[u8]) -> Option<Self::Output>;
}

/// Big-endian `u32`.
pub struct U32Decoder;

/// UTF-8 text.
pub struct TextDecoder;

impl Decoder for U32Decoder {
    type Output = u32;
    fn decode(&self, bytes: &[u8]) -> Option<u32> {
        Some(u32::from_be_bytes(bytes.try_into().ok()?))
    }
}

impl Decoder for TextDecoder {
    type Output = String;
    fn decode(&self, bytes: &[u8]) -> Option<String> {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

/// Decodes every frame with any decoder; the output type follows from the decoder.
pub fn decode_all<D: Decoder>(decoder: &D, frames: &[&[u8]]) -> Option<Vec<D::Output>> {
    frames.iter().map(|frame| decoder.decode(frame)).collect()
}

/// `impl Iterator` in return position: a concrete, unnamed iterator type, no allocation.
pub fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

/// An `R × C` matrix whose dimensions are part of its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix<const R: usize, const C: usize> {
    pub cells: [[i64; C]; R],
}

impl<const R: usize, const C: usize> Matrix<R, C> {
    pub fn new(cells: [[i64; C]; R]) -> Self {
        Self { cells }
    }

    /// `(R × C) · (C × K) = (R × K)`; any other shape does not type-check.
    pub fn multiply<const K: usize>(&self, other: &Matrix<C, K>) -> Matrix<R, K> {
        let mut cells = [[0; K]; R];
        for (r, row) in cells.iter_mut().enumerate() {
            for (k, cell) in row.iter_mut().enumerate() {
                *cell = (0..C).map(|c| self.cells[r][c] * other.cells[c][k]).sum();
            }
        }
        Matrix { cells }
    }
}

/// Generic over any type that can be added and multiplied: one source, many compiled copies.
pub fn dot<T: Copy + Default + Add<Output = T> + Mul<Output = T>>(a: &[T], b: &[T]) -> T {
    assert_eq!(a.len(), b.len(), "dot product of unequal lengths");
    a.iter().zip(b).fold(T::default(), |acc, (&x, &y)| acc + x * y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_generic_function_serves_every_ordered_copy_type() {
        assert_eq!(largest(&[3, 9, 2]), Some(9));
        assert_eq!(largest(&[1.5, -2.0]), Some(1.5));
        assert_eq!(largest(&['a', 'z', 'q']), Some('z'));
        assert_eq!(largest::<u8>(&[]), None);
    }

    #[test]
    fn each_instantiation_is_compiled_for_its_own_type() {
        assert_eq!(instantiation_name::<i32>(), "i32");
        assert_eq!(instantiation_name::<Vec<u8>>(), "alloc::vec::Vec<u8>");
    }

    #[test]
    fn associated_type_decides_the_output_without_annotations() {
        let numbers = decode_all(&U32Decoder, &[&[0, 0, 1, 0], &[0, 0, 0, 7]]);
        assert_eq!(numbers, Some(vec![256, 7]));
        let words = decode_all(&TextDecoder, &[b"hi", b"there"]);
        assert_eq!(words, Some(vec!["hi".to_owned(), "there".to_owned()]));
        assert_eq!(decode_all(&U32Decoder, &[&[1, 2]]), None, "wrong frame length");
    }

    #[test]
    fn impl_trait_returns_an_unboxed_iterator() {
        assert_eq!(evens(9).collect::<Vec<_>>(), [0, 2, 4, 6, 8]);
    }

    #[test]
    fn matrix_shapes_are_checked_by_the_type_system() {
        let a = Matrix::new([[1, 2, 3], [4, 5, 6]]); // 2 × 3
        let b = Matrix::new([[7, 8], [9, 10], [11, 12]]); // 3 × 2
        let product: Matrix<2, 2> = a.multiply(&b);
        assert_eq!(product.cells, [[58, 64], [139, 154]]);
    }

    #[test]
    fn dot_works_for_integers_and_floats() {
        assert_eq!(dot(&[1, 2, 3], &[4, 5, 6]), 32);
        assert_eq!(dot(&[0.5, 2.0], &[2.0, 0.25]), 1.5);
    }
}

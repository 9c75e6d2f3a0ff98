//! # Traits: generics vs `dyn`, enum dispatch, `Any`
//!
//! ## Why interviewers ask this
//! Go has one polymorphism mechanism — interfaces, always dynamically dispatched. Rust has
//! three with different costs, and choosing among them is a design question: "when would you
//! use `Box<dyn Trait>` over a generic?" is asked in almost every Rust interview.
//!
//! ## How it works
//! - **Generics (`fn f<S: Shape>(s: &[S])`)**: static dispatch. The compiler stamps out one copy
//!   per concrete type (monomorphization), calls are direct and inlinable. One type per call:
//!   a `&[S]` holds only circles or only squares.
//! - **Trait objects (`&dyn Shape`, `Box<dyn Shape>`)**: dynamic dispatch through a vtable. A
//!   `Box<dyn Shape>` is two words (data pointer + vtable pointer); collections can mix types;
//!   calls are indirect and not inlined. Only *dyn-compatible* ("object-safe") traits qualify:
//!   no generic methods, no `Self` by value in signatures (without `where Self: Sized`).
//! - **Enum dispatch**: a closed set of variants and a `match`. No allocation, no vtable,
//!   exhaustiveness checked by the compiler — and adding a variant forces every `match` to
//!   handle it. Best when you own all the cases.
//! - **`Any`**: runtime type identity for `'static` types, `downcast_ref::<T>()`. The escape
//!   hatch for heterogeneous maps (extensions, plugin state); Go's type switch.
//!
//! Measured (`benches/lang.rs`, area sum of 10 000 circles, release): generic **≈ 6.4 µs**,
//! enum **≈ 6.2 µs**, `Box<dyn Shape>` **≈ 45.6 µs** (≈ 7×). The boxed version chases a
//! pointer per element to scattered heap allocations and can't inline or vectorise the call;
//! the generic and enum versions walk one contiguous array.
//!
//! ## Common pitfalls
//! - Reaching for `Box<dyn Trait>` by Go habit: an allocation per value and no inlining.
//! - Adding a generic method to a trait that is used as `dyn`: it stops being dyn-compatible
//!   (E0038). Put such methods behind `where Self: Sized` or in an extension trait.
//! - Huge generic functions instantiated for many types: binary size and compile time grow
//!   (keep the generic shell thin and delegate to a non-generic inner function).
//! - Using `Any` where an enum would do: you lose exhaustiveness checking.
//!
//! ## Key takeaways
//! - Generics by default; `dyn` for heterogeneous collections, plugin boundaries and smaller
//!   binaries; enums for closed sets.
//! - `Box<dyn Trait>` = heap allocation + vtable call; an enum = a tag check.
//! - `Any` is a typed escape hatch, not a design.
//!
//! ## Break it
//! `breaks/lang_traits.patch` adds a generic method `scaled<T: Into<f64>>` to [`Shape`].
//! `scripts/break-it.sh lang_traits` shows **E0038**: `Shape` is no longer dyn compatible,
//! because a vtable cannot hold one entry per possible `T`.
//!
//! ## Interview questions
//! - *Generics or trait objects?* — Generics: zero-cost, inlinable, one type per
//!   instantiation, bigger binaries. Trait objects: mixed types at run time, one copy of the
//!   code, an indirect call and usually a `Box`.
//! - *What is a vtable?* — A static table per (trait, type) pair holding the method pointers,
//!   size, alignment and drop function; a `dyn` pointer carries a pointer to it.
//! - *What makes a trait not object-safe?* — Methods generic over types, returning `Self`, or
//!   taking `self` by value without `where Self: Sized`; associated consts.
//! - *How do you do a Go type switch in Rust?* — Prefer an enum and `match`; with trait
//!   objects, `Any::downcast_ref` (requires `'static`).

use std::any::Any;

/// Something with an area. Dyn compatible: it can be used as `dyn Shape`.
pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> &'static str;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub radius: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Square {
    pub side: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.radius * self.radius
    }
    fn name(&self) -> &'static str {
        "circle"
    }
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.side * self.side
    }
    fn name(&self) -> &'static str {
        "square"
    }
}

/// Static dispatch: one compiled copy per `S`; every element has the same type.
pub fn total_area_generic<S: Shape>(shapes: &[S]) -> f64 {
    shapes.iter().map(Shape::area).sum()
}

/// Dynamic dispatch: elements may differ in type; each call goes through a vtable.
pub fn total_area_dyn(shapes: &[Box<dyn Shape>]) -> f64 {
    shapes.iter().map(|shape| shape.area()).sum()
}

/// A closed set of shapes: dispatch is a `match` on the tag, values are stored inline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnyShape {
    Circle(Circle),
    Square(Square),
}

impl Shape for AnyShape {
    fn area(&self) -> f64 {
        match self {
            AnyShape::Circle(c) => c.area(),
            AnyShape::Square(s) => s.area(),
        }
    }
    fn name(&self) -> &'static str {
        match self {
            AnyShape::Circle(c) => c.name(),
            AnyShape::Square(s) => s.name(),
        }
    }
}

pub fn total_area_enum(shapes: &[AnyShape]) -> f64 {
    shapes.iter().map(Shape::area).sum()
}

/// A Go-style type switch over values of unknown type.
pub fn describe(value: &dyn Any) -> String {
    if let Some(n) = value.downcast_ref::<i64>() {
        format!("integer {n}")
    } else if let Some(s) = value.downcast_ref::<String>() {
        format!("string {s:?}")
    } else if let Some(circle) = value.downcast_ref::<Circle>() {
        format!("circle of radius {}", circle.radius)
    } else {
        "unknown".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn all_three_dispatch_styles_compute_the_same_total() {
        let circles = [Circle { radius: 1.0 }, Circle { radius: 2.0 }];
        let generic = total_area_generic(&circles);
        let boxed: Vec<Box<dyn Shape>> = circles.iter().map(|c| Box::new(*c) as Box<dyn Shape>).collect();
        let enums: Vec<AnyShape> = circles.iter().map(|c| AnyShape::Circle(*c)).collect();
        assert!(close(generic, 5.0 * std::f64::consts::PI));
        assert!(close(total_area_dyn(&boxed), generic));
        assert!(close(total_area_enum(&enums), generic));
    }

    #[test]
    fn trait_objects_mix_types_in_one_collection() {
        let shapes: Vec<Box<dyn Shape>> = vec![Box::new(Circle { radius: 1.0 }), Box::new(Square { side: 2.0 })];
        let names: Vec<_> = shapes.iter().map(|s| s.name()).collect();
        assert_eq!(names, ["circle", "square"]);
        assert!(close(total_area_dyn(&shapes), std::f64::consts::PI + 4.0));
    }

    #[test]
    fn a_dyn_pointer_is_two_words_and_an_enum_is_stored_inline() {
        let word = size_of::<usize>();
        assert_eq!(size_of::<&Circle>(), word);
        assert_eq!(size_of::<&dyn Shape>(), 2 * word, "data pointer + vtable pointer");
        assert_eq!(size_of::<Box<dyn Shape>>(), 2 * word);
        // Tag + the largest variant (one f64), no pointer, no heap.
        assert_eq!(size_of::<AnyShape>(), 16);
    }

    #[test]
    fn any_downcasts_to_the_concrete_type_or_nothing() {
        assert_eq!(describe(&42_i64), "integer 42");
        assert_eq!(describe(&String::from("hi")), "string \"hi\"");
        assert_eq!(describe(&Circle { radius: 3.0 }), "circle of radius 3");
        assert_eq!(describe(&42_i32), "unknown", "i32 is not i64: no implicit conversion");
    }
}

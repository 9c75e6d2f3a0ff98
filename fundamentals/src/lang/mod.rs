//! Rust the language, taught against the Go habits an interviewer expects you to unlearn.
//!
//! Every module opens with the lesson (why interviewers ask, how it works, pitfalls,
//! takeaways, a break-it exercise, interview questions with model answers) and its tests
//! prove what the lesson claims. Several break-it exercises are **compile errors**: the bug
//! Go finds at run time (a nil dereference, an append that reallocates under a slice) is
//! rejected by `rustc`, and the exercise shows the error code.
//!
//! | module | what it teaches | Go counterpart |
//! | --- | --- | --- |
//! | [`ownership_and_borrowing`] | moves, `Copy`/`Clone`, shared XOR mutable | GC + aliasing slices |
//! | [`collections`] | arrays/`Vec`/slices, growth, UTF-8 strings, `HashMap` vs `BTreeMap` | `[]T`, `string`, `map` |
//! | [`traits`] | generics vs `dyn`, enum dispatch, `Any` | interfaces, type switches |
//! | [`structs_enums_matching`] | structs, newtypes, enums with data, exhaustive `match`, state machines | structs, `Status string`, `switch` |
//! | [`option_not_nil`] | `Option`, niche optimisation, `?` on absence | `nil` |
//! | [`errors`] | error enums, `?`, `source()` chains, context | `error`, `%w`, `errors.As` |
//! | [`raii_and_drop`] | `Drop`, guards, drop order, panics, `catch_unwind` | `defer`, `recover` |
//! | [`generics`] | bounds, associated types, monomorphization, const generics | type parameters |
//! | [`benchmarking`] | `black_box`, criterion, robust statistics, profiling | `testing.B`, `b.N` |
//! | [`builder_and_typestate`] | builders, `Default`, typestate | functional options |
//!
//! Benchmarks of the costs these lessons quote: `fundamentals/benches/lang.rs`.

pub mod benchmarking;
pub mod builder_and_typestate;
pub mod collections;
pub mod errors;
pub mod generics;
pub mod option_not_nil;
pub mod ownership_and_borrowing;
pub mod raii_and_drop;
pub mod structs_enums_matching;
pub mod traits;

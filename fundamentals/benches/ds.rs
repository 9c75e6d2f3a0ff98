//! Benchmarks for the data-structure lessons against their std / crates.io references.
fn main() {}

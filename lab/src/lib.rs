//! # lab — the Backend Lab harness
//!
//! Loads a scenario file, runs it on a deterministic simulated network (turmoil), injects the
//! scenario's faults, records one event stream, writes it as a JSON Lines trace and a human
//! log, and judges it with checkers. The `lab` binary (`src/main.rs`) is a thin CLI over this
//! library; tests drive the same functions.
//!
//! Map: [`family`] and [`families`] (each scenario family's kinds, settings and checks, in one
//! place) → [`scenario`] (file format and checks on it) → [`engine`] (simulation, driver, faults)
//! → [`trace`] (events) → [`checks`] (verdicts) → [`runner`] (one run, written out) and
//! [`sweep`] (many seeds in parallel).

pub mod agree;
pub mod bench;
pub mod checks;
pub mod diff;
pub mod engine;
pub mod families;
pub mod family;
pub mod lessons;
pub mod linearizability;
pub mod log;
pub mod runner;
pub mod scenario;
pub mod shrink;
pub mod summary;
pub mod sweep;
pub mod trace;
pub mod view;

// Determinism depends on tokio's `select!` RNG being seeded by turmoil, which tokio allows
// only under `--cfg tokio_unstable` (`.cargo/config.toml`). Setting RUSTFLAGS replaces that
// file's flags; without this guard the lab would build and silently lose determinism.
#[cfg(not(tokio_unstable))]
compile_error!(
    "the lab must be built with `--cfg tokio_unstable` (set in .cargo/config.toml): without it the same seed \
     can replay differently (docs/determinism.md). If you set RUSTFLAGS, add `--cfg tokio_unstable` to it."
);

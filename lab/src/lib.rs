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

pub mod bench;
pub mod checks;
pub mod engine;
pub mod families;
pub mod family;
pub mod lessons;
pub mod log;
pub mod runner;
pub mod scenario;
pub mod sweep;
pub mod trace;

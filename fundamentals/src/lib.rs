//! # Backend Lab fundamentals
//!
//! Single-node backend topics, each module a lesson: it opens with why interviewers ask,
//! how it works, common pitfalls, key takeaways, a break-it exercise and interview questions,
//! and its tests prove what the lesson claims. Modules that need time or chance take them as
//! inputs ([`sim::VirtualClock`], [`sim::stream_rng`]), so every test is deterministic and
//! never sleeps; the lab's simulated nodes reuse the same modules with simulated time.
//!
//! Two modules are not lessons but serve them: [`theory`] holds the theory chapters to the
//! code, and [`quiz`] asks every lesson's, scenario's and chapter's interview questions with
//! spaced repetition (`just quiz`, the binary `src/bin/quiz.rs`).

pub mod algorithms;
pub mod async_runtime;
pub mod concurrency;
#[cfg(feature = "database")]
pub mod database;
pub mod ds;
pub mod lang;
pub mod memory;
#[cfg(feature = "observability")]
pub mod observability;
pub mod ordering;
pub mod os;
pub mod patterns;
pub mod problems;
pub mod quiz;
pub mod ratelimit;
pub mod resilience;
#[cfg(feature = "security")]
pub mod security;
pub mod sim;
pub mod storage;
pub mod theory;
pub mod time;

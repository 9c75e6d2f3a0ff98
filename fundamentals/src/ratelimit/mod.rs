//! # Rate limiting
//!
//! ## Why interviewers ask this
//! "Design a rate limiter" is one of the most common system-design questions because it is
//! small enough to finish and deep enough to separate candidates: which algorithm, what it
//! actually guarantees at window edges, what it costs per key, and what happens when twenty
//! gateways share one limit over an unreliable network.
//!
//! ## How it works
//! Four algorithms, all here with time passed in as `now_ms` (the lab's gateways feed them
//! simulated time):
//!
//! | algorithm | bursts | memory per key | accuracy at window edges | distributed |
//! | --- | --- | --- | --- | --- |
//! | [`TokenBucket`] | up to `capacity` at once, then the refill rate | 2 integers + timestamp | no windows: exact `capacity + rate·T` bound over any `T` | Redis Lua refill-and-take; or split the rate per node |
//! | [`LeakyBucket`] (meter) | same as the token bucket (it is its mirror) | same | same | same |
//! | [`FixedWindowCounter`] | `2 × limit` across an edge | 1 counter + window start | poor: guarantees only aligned windows | easiest: `INCR` + `EXPIRE` |
//! | [`SlidingWindowLog`] | none beyond `limit` per window | up to `limit` timestamps | exact | sorted set per key; heavy |
//! | [`SlidingWindowCounter`] | up to `2 × limit` in the worst case, tiny on real traffic | 2 counters + window start | approximate (assumes even spread) | two `INCR`ed keys |
//!
//! Every limiter here treats a `now_ms` earlier than the last one it saw as that last time:
//! simulated (and real) clocks are skewed between nodes, and a limiter must never mint
//! tokens or reopen a window because a clock went back.
//!
//! ## Common pitfalls
//! - Quoting a limit without its window semantics: "100/s" under a fixed window admits 200
//!   in the 2 ms around an edge.
//! - Check-then-set across the network (`GET`, compare, `SET`): two gateways both see 99 and
//!   both admit. The read-modify-write must be atomic (Lua script, `INCR`, CAS).
//! - Per-node limits of `global / N` with uneven load-balancing: hot nodes reject while the
//!   global limit has room. And when a node partitions away, a "global" limit enforced by
//!   gossip over-admits — the lab's gateway scenarios measure exactly that.
//! - Floating-point state and wall-clock reads: both make decisions unreproducible.
//!
//! ## Key takeaways
//! - Token bucket for APIs (bursty clients, O(1)); sliding counter when you think in
//!   "N per window" and need O(1); sliding log only for small, strict limits.
//! - State the guarantee as "at most X in any interval of length T" and test exactly that.
//! - Distributed limiting trades accuracy for availability: decide what to do when the
//!   shared store is unreachable (fail open or closed) before it happens.
//!
//! ## Break it
//! Two patches in `fundamentals/breaks/`: `token_bucket.patch` removes the refill cap (the
//! burst property fails) and `sliding_window.patch` moves the window boundary by one
//! millisecond (the brute-force model comparison fails). Apply one with `git apply`, run
//! `cargo test -p fundamentals ratelimit`, read the failing test, then `git apply -R`.
//!
//! ## Interview questions
//! - *Design a rate limiter for an API, 100 req/s per key, 20 gateways.* Token bucket per key
//!   in Redis, refill-and-take in one Lua script keyed by API key; local in-memory fallback
//!   with `100/20` per gateway if Redis is down; 429 with `Retry-After` on rejection.
//! - *Why not fixed windows?* Up to `2 × limit` in any window that straddles an edge, and
//!   synchronised resets cause spikes. Sliding counter fixes both with the same memory.
//! - *How do you limit without a central store?* Each node tracks its own admissions and
//!   gossips counts; it admits while `local + others' last reported` is below the limit.
//!   Over-admission is bounded by traffic during one gossip interval — unbounded under
//!   partition unless nodes fall back to `limit / N`.

mod fixed_point;

pub mod fixed_window;
pub mod leaky_bucket;
pub mod sliding_window;
pub mod token_bucket;

pub use fixed_window::FixedWindowCounter;
pub use leaky_bucket::LeakyBucket;
pub use sliding_window::{SlidingWindowCounter, SlidingWindowLog};
pub use token_bucket::TokenBucket;

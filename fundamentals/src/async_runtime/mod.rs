//! How async Rust works underneath, and what it does instead of a garbage collector.
//!
//! | module | what it teaches |
//! | --- | --- |
//! | [`future_poll_waker`] | the `Future` contract, wakers, a hand-written oneshot and join |
//! | [`tiny_executor`] | a single-threaded executor with a run queue and timers on a virtual clock |
//! | [`blocking_in_async`] | why one blocking call stalls a runtime; `spawn_blocking` |
//! | [`work_stealing`] | local queues, stealing half, a deterministic scheduling simulation |
//! | [`no_gc`] | ownership and deterministic destruction instead of tracing GC |
//!
//! Nothing here reads the wall clock: the executor has its own virtual clock, tokio tests run
//! with `start_paused = true`, and the scheduling simulation is seeded.

pub mod blocking_in_async;
pub mod future_poll_waker;
pub mod no_gc;
pub mod tiny_executor;
pub mod work_stealing;

//! # Backend patterns: middleware, dependency injection, pub/sub, caching, pagination
//!
//! ## Why interviewers ask this
//! Past the algorithms round, backend interviews turn into "how would you structure this
//! service?": where cross-cutting concerns live (middleware), how code is made testable
//! (dependency injection), how events fan out in a process (pub/sub), how reads are made
//! cheap without serving wrong data (caching), and how a list API stays correct while the
//! data changes under it (pagination). Each has a default answer and a failure mode that
//! interviewers probe.
//!
//! ## How it works
//! | module | pattern | the failure mode it shows |
//! | --- | --- | --- |
//! | [`middleware`] | tower `Service`/`Layer`: logging, timeout, retry, rate limit | the order of layers changes the semantics |
//! | [`dependency_injection`] | traits + generics (or `dyn`) for dependencies, fakes in tests | code that reads the clock or the network directly cannot be tested |
//! | [`pubsub_broadcast`] | `tokio::sync::broadcast` fan-out | a slow subscriber lags and must resync |
//! | [`caching`] | cache-aside, write-through, write-back, single-flight, TTL jitter | stampedes, stale data, lost write-backs |
//! | [`api_pagination`] | cursor (keyset) pagination | offsets skip and repeat rows under concurrent writes |
//!
//! Time comes from a [`crate::sim::VirtualClock`] or tokio's paused clock, randomness from
//! seeded streams: every test is deterministic and none sleeps.
//!
//! ## Common pitfalls
//! - Patterns applied by habit, without the failure they prevent in mind.
//! - Hidden dependencies on the environment (clock, randomness, network) that make the
//!   pattern's behaviour impossible to test.
//!
//! ## Key takeaways
//! - Compose behaviour in layers, pass dependencies in, bound every buffer, version every
//!   change, and page by a stable key.
//!
//! ## Break it
//! Each module has a patch: `patterns_middleware`, `patterns_dependency_injection`,
//! `patterns_pubsub_broadcast`, `patterns_caching`, `patterns_api_pagination`. Run
//! `scripts/break-it.sh <topic>`.
//!
//! ## Interview questions
//! - **Q: Where do cross-cutting concerns (auth, logging, limits) go?** A: In middleware
//!   around the handlers, ordered deliberately, so each handler holds only business logic.
//! - **Q: How do you unit-test code that calls a payment provider and reads the clock?**
//!   A: Inject both as traits; production passes the real ones, tests pass a fake provider
//!   and a virtual clock.

pub mod api_pagination;
pub mod caching;
pub mod dependency_injection;
pub mod middleware;
pub mod pubsub_broadcast;

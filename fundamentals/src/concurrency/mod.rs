//! Concurrency: threads, shared state, message passing and async tasks — with tests that
//! pass on every run.
//!
//! Determinism rules for this area: a test asserts only outcomes that hold for **every**
//! interleaving (totals, conservation, "no deadlock in any schedule"), never an order that a
//! scheduler happens to produce. Interleaving-dependent bugs are shown by exploring all
//! schedules ([`deadlock::explore`], loom in [`atomics_and_ordering`]) or by a hook that forces
//! the bad schedule. Async tests run on tokio's paused clock (`start_paused = true`): a
//! 30-second timeout takes microseconds and fires at exactly the same virtual instant on
//! every run.
//! The `tokio::time::Instant::now()` calls in these modules read that paused, virtual clock
//! (it only moves when every task is idle, jumping to the next timer); nothing here reads
//! `std::time::Instant` or `SystemTime`.
//!
//! | module | what it teaches | Go counterpart |
//! | --- | --- | --- |
//! | [`threads_and_scope`] | `spawn` vs `scope`, disjoint `&mut`, panics at `join` | goroutines, `WaitGroup` |
//! | [`send_sync`] | why data races do not compile | the race detector |
//! | [`mutex_rwlock_poisoning`] | critical sections as transactions, `RwLock`, poisoning | `sync.Mutex`, `RWMutex` |
//! | [`deadlock`] | lock ordering, wait-for graph, exhaustive interleavings | `fatal error: all goroutines are asleep` |
//! | [`atomics_and_ordering`] | `Relaxed`/`Acquire`/`Release`/`SeqCst`, loom | `sync/atomic` |
//! | [`channels`] | std, crossbeam, tokio channels; closing; pipelines; backpressure; `select!` | `chan`, `select` |
//! | [`worker_pool`] | `Semaphore`, `JoinSet`, bounded concurrency | worker pools, `errgroup` |
//! | [`cancellation`] | `CancellationToken`, timeouts, deadlines, leak detection | `context.Context` |
//! | [`graceful_shutdown`] | stop accepting, drain in-flight work, bounded grace period | `http.Server.Shutdown` |
//!
//! The loom model tests live in modules named `loom_tests`, compiled only under `cfg(loom)`.
//! They run with the command below: a target directory of its own, because the cfg rebuilds
//! every crate; `--cfg tokio_unstable` again, because `RUSTFLAGS` replaces the workspace's
//! `build.rustflags`; dependencies unoptimised, because the workspace's `opt-level = 3` for
//! them serves the simulator and triples this cold build, while the models run in well under
//! a second either way; and the `loom_tests` filter, because the rest of the suite is compiled
//! too. Use the same variables and `--config` for `cargo clippy --all-targets`.
//!
//! ```sh
//! CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom --cfg tokio_unstable" \
//!     cargo test -p fundamentals --lib --config 'profile.dev.package."*".opt-level=0' loom_tests
//! ```

pub mod atomics_and_ordering;
pub mod cancellation;
pub mod channels;
pub mod deadlock;
pub mod graceful_shutdown;
pub mod mutex_rwlock_poisoning;
pub mod send_sync;
pub mod threads_and_scope;
pub mod worker_pool;

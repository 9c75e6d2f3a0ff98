//! # Blocking in async code, and `spawn_blocking`
//!
//! ## Why interviewers ask this
//! The most common production bug in async Rust: a synchronous call (file I/O, a blocking
//! database driver, `std::thread::sleep`, a CPU-heavy hash or compression) inside an
//! `async fn`. In Go the runtime notices a blocked goroutine and starts another OS thread; in
//! Rust nothing preempts a task, so every other task on that worker thread stops. Latency
//! spikes, timeouts fire late, health checks fail.
//!
//! ## How it works
//! - A task runs only between `.await`s, and while it runs, its worker thread runs nothing
//!   else. Cooperative scheduling: an async task that doesn't return `Pending` is never
//!   interrupted.
//! - On a current-thread runtime one blocking call stops *everything*
//!   ([`heartbeats_during_inline_work`]: a heartbeat task makes no progress during the work).
//!   On the multi-thread runtime it stops one worker — and every task queued behind it on that
//!   worker (and its LIFO slot) until another worker steals them; N blocking calls stop N
//!   workers.
//! - `tokio::task::spawn_blocking(f)` runs `f` on a separate pool of threads meant for
//!   blocking (up to 512 by default) and gives back an awaitable handle; the async workers
//!   stay free ([`heartbeats_during_spawn_blocking`]: the blocking job can *watch* the
//!   heartbeat advance while it waits).
//! - Options, in order of preference: an async API (tokio::fs, async drivers); for CPU work,
//!   `spawn_blocking` or a dedicated pool (rayon) fed through a channel; for many tiny CPU
//!   steps, `tokio::task::yield_now().await` inside the loop; `block_in_place` as a last
//!   resort on the multi-thread runtime.
//!
//! ## Common pitfalls
//! - `std::thread::sleep` in async code (use `tokio::time::sleep`).
//! - `std::sync::Mutex` held across a slow operation inside a task (fine for short critical
//!   sections, a stall for long ones).
//! - Unbounded use of `spawn_blocking` for thousands of jobs: the blocking pool grows to its
//!   cap and queues the rest; bound it with a semaphore.
//! - "It only takes 5 ms": at 1 000 req/s on 4 workers, that is the whole budget.
//! - `futures::executor::block_on` inside a tokio task: blocks the worker, can deadlock.
//!
//! ## Key takeaways
//! - Async is cooperative: code between two `.await`s must be short.
//! - Blocking or CPU-heavy work goes to `spawn_blocking` or a dedicated pool.
//! - A rule of thumb: more than ~10–100 µs without an `.await` deserves a second look.
//!
//! ## Break it
//! `breaks/async_blocking_in_async.patch` calls the blocking job inline instead of through
//! `spawn_blocking`. `scripts/break-it.sh async_blocking_in_async`:
//! `spawn_blocking_keeps_the_runtime_responsive` fails — the job waits for heartbeats that
//! cannot happen, because it occupies the only runtime thread (it gives up after a bounded
//! number of checks instead of hanging).
//!
//! ## Interview questions
//! - *Why is blocking in async code bad?* — Tasks are cooperatively scheduled on a few
//!   threads; a blocked thread runs no other task, so unrelated requests stall.
//! - *`spawn_blocking` vs `block_in_place`?* — `spawn_blocking` moves the closure to the
//!   blocking pool and returns a future. `block_in_place` turns the current worker into a
//!   blocking thread (multi-thread runtime only), handing its other tasks to a new worker.
//! - *How would you find a blocking call in production?* — tokio-console's "busy" durations
//!   and warnings, runtime metrics (long poll times), flame graphs of worker threads.
//! - *How does Go avoid this?* — Goroutines blocked in syscalls hand their P to another OS
//!   thread (sysmon), and goroutines are preempted asynchronously since Go 1.14.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// A task that counts heartbeats, yielding between them, until told to stop.
fn spawn_heartbeat(beats: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            beats.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
    })
}

/// CPU-bound work that never awaits: a stand-in for hashing, parsing or a sync driver call.
pub fn busy_work(iterations: u64) -> u64 {
    (0..iterations).fold(0_u64, |acc, i| acc.wrapping_mul(31).wrapping_add(std::hint::black_box(i)))
}

/// Runs `busy_work` inline in async code; returns heartbeats seen during the work.
pub async fn heartbeats_during_inline_work() -> u64 {
    let (beats, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let heartbeat = spawn_heartbeat(beats.clone(), stop.clone());
    tokio::task::yield_now().await; // let the heartbeat start
    let before = beats.load(Ordering::SeqCst);
    std::hint::black_box(busy_work(2_000_000));
    let during = beats.load(Ordering::SeqCst) - before;
    stop.store(true, Ordering::SeqCst);
    heartbeat.await.expect("heartbeat does not panic");
    during
}

/// A blocking job that waits (spinning, at most `max_checks` times) until it has seen
/// `wanted` heartbeats; returns whether it did.
fn wait_for_heartbeats(beats: &AtomicU64, wanted: u64, max_checks: u64) -> bool {
    let start = beats.load(Ordering::SeqCst);
    for _ in 0..max_checks {
        if beats.load(Ordering::SeqCst) - start >= wanted {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

/// Runs the waiting job through `spawn_blocking`; returns whether it saw the heartbeats.
pub async fn heartbeats_during_spawn_blocking(max_checks: u64) -> bool {
    let (beats, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let heartbeat = spawn_heartbeat(beats.clone(), stop.clone());
    let job_beats = beats.clone();
    let saw_them = tokio::task::spawn_blocking(move || wait_for_heartbeats(&job_beats, 3, max_checks))
        .await
        .expect("the blocking job does not panic");
    stop.store(true, Ordering::SeqCst);
    heartbeat.await.expect("heartbeat does not panic");
    saw_them
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn inline_blocking_work_stalls_every_other_task() {
        assert_eq!(heartbeats_during_inline_work().await, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn spawn_blocking_keeps_the_runtime_responsive() {
        // The bound only matters if the runtime is stalled; normally a few checks suffice.
        assert!(heartbeats_during_spawn_blocking(5_000_000).await);
    }

    #[tokio::test(start_paused = true)]
    async fn the_same_job_on_the_runtime_thread_never_sees_a_heartbeat() {
        let (beats, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
        let heartbeat = spawn_heartbeat(beats.clone(), stop.clone());
        tokio::task::yield_now().await;
        // The heartbeat task is ready to run, but this task holds the only runtime thread.
        assert!(!wait_for_heartbeats(&beats, 1, 10_000));
        stop.store(true, Ordering::SeqCst);
        heartbeat.await.unwrap();
    }
}

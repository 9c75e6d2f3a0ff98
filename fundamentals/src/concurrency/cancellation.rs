//! # Cancellation, timeouts, deadlines passed down, and task-leak detection
//!
//! ## Why interviewers ask this
//! Go threads a `context.Context` through every call: cancel it and every goroutine watching
//! `ctx.Done()` stops; give it a deadline and every layer sees the remaining budget.
//! Interviewers ask for the Rust equivalent, and for the bug that follows when you get it
//! wrong — background tasks that outlive their request (a goroutine leak) and timeouts that
//! add up to more than the caller's budget.
//!
//! ## How it works
//! - **Dropping a future cancels it.** An async fn makes progress only while polled; drop it
//!   and it stops at its current `.await`, running destructors. `timeout(d, fut)` and
//!   `select!` cancel the losers this way.
//! - **Spawned tasks are not dropped with their caller**: they run until they finish or are
//!   aborted. To stop them cooperatively, pass a [`CancellationToken`] (tokio-util) and
//!   `select!` on `token.cancelled()` in the task's loop ([`spawn_poller`]). `child_token()`
//!   builds a tree: cancelling a parent cancels its children, not vice versa — Go's
//!   `context.WithCancel(parent)`.
//! - **Deadlines, not timeouts, are passed down** ([`handle_request`]): the edge computes one
//!   absolute `Deadline`; each layer uses `timeout_at(deadline, …)`, so the total can never
//!   exceed the budget. Per-call timeouts of the full budget ([`handle_request_per_call_timeouts`])
//!   let a request run `n ×` over.
//! - **Leak detection** ([`LiveTasks`]): each tracked task holds a guard that increments a
//!   counter when created and decrements it in `Drop` (which also runs when the task is
//!   aborted). A test ends the request and asserts the count is back to zero — a leaked
//!   task fails the test instead of a production dashboard. (Go's equivalent is `goleak`.)
//! - All tests use tokio's paused clock: timeouts fire at exact virtual instants.
//!
//! ## Common pitfalls
//! - `tokio::spawn` inside a handler with no token and no `JoinHandle` kept: it outlives the
//!   request, the client disconnect, and sometimes the process's shutdown.
//! - Cancellation-unsafe `select!` branches: a future that has read half a frame loses it
//!   when dropped. Keep such state outside the branch future or use cancel-safe methods.
//! - `timeout(budget, step)` at every layer: the budget is spent once per layer.
//! - Checking the token only between long CPU loops: cancellation is only as prompt as the
//!   next check or `.await`.
//!
//! ## Key takeaways
//! - Futures cancel by being dropped; tasks cancel by being told (token) or aborted.
//! - Compute one deadline at the edge; every layer waits until that instant, not for a
//!   fresh duration.
//! - Count live tasks in tests; a leak is a failing assertion, not a slow memory climb.
//!
//! ## Break it
//! `breaks/concurrency_cancellation.patch` removes the `token.cancelled()` branch from the
//! poller's `select!`. `scripts/break-it.sh concurrency_cancellation`:
//! `cancelled_pollers_exit_and_leave_no_live_tasks` fails — the live-task count stays at 3
//! after cancellation: the goroutine leak, caught by a counter.
//!
//! ## Interview questions
//! - *What is Rust's `context.Context`?* — No single type: dropping futures handles most
//!   cancellation; `CancellationToken` (with child tokens) for spawned tasks; deadlines
//!   passed as values (`Instant`) and applied with `timeout_at`.
//! - *Does dropping a `JoinHandle` cancel the task?* — No, it detaches it. `abort()` or a
//!   `JoinSet`/`AbortHandle` cancels; a token asks it to stop cleanly.
//! - *What is cancellation safety?* — Whether dropping a future mid-way can lose data. E.g.
//!   `mpsc::Receiver::recv` is cancel-safe (no message lost); `read_exact` is not.
//! - *How do you detect leaked tasks?* — Count them (guards with `Drop`), or use
//!   tokio-console / runtime metrics for alive tasks; assert zero at test end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;

/// Counts tasks that are still alive (running or not yet dropped).
#[derive(Debug, Default, Clone)]
pub struct LiveTasks {
    count: Arc<AtomicUsize>,
}

/// Held by a tracked task; its `Drop` marks the task as gone, even when aborted.
#[derive(Debug)]
pub struct LiveGuard {
    count: Arc<AtomicUsize>,
}

impl LiveTasks {
    pub fn guard(&self) -> LiveGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        LiveGuard { count: self.count.clone() }
    }

    pub fn live(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A background task that polls every `period_ms` until its token is cancelled; returns
/// how many polls it made.
pub fn spawn_poller(token: CancellationToken, live: &LiveTasks, period_ms: u64) -> tokio::task::JoinHandle<u32> {
    let guard = live.guard();
    tokio::spawn(async move {
        let _guard = guard;
        let mut polls = 0;
        loop {
            tokio::select! {
                biased;
                _ = token.cancelled() => break polls,
                _ = tokio::time::sleep(Duration::from_millis(period_ms)) => polls += 1,
            }
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    DeadlineExceeded { stage: &'static str },
}

/// A backend call that takes `latency_ms` of virtual time.
async fn backend(latency_ms: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    latency_ms
}

/// Two sequential backend calls under one absolute deadline shared by both layers.
pub async fn handle_request(deadline: Instant, first_ms: u64, second_ms: u64) -> Result<u64, RequestError> {
    let a = tokio::time::timeout_at(deadline, backend(first_ms))
        .await
        .map_err(|_| RequestError::DeadlineExceeded { stage: "first" })?;
    let b = tokio::time::timeout_at(deadline, backend(second_ms))
        .await
        .map_err(|_| RequestError::DeadlineExceeded { stage: "second" })?;
    Ok(a + b)
}

/// The anti-pattern: each call gets the whole budget again.
pub async fn handle_request_per_call_timeouts(
    budget_ms: u64,
    first_ms: u64,
    second_ms: u64,
) -> Result<u64, RequestError> {
    let budget = Duration::from_millis(budget_ms);
    let a = tokio::time::timeout(budget, backend(first_ms))
        .await
        .map_err(|_| RequestError::DeadlineExceeded { stage: "first" })?;
    let b = tokio::time::timeout(budget, backend(second_ms))
        .await
        .map_err(|_| RequestError::DeadlineExceeded { stage: "second" })?;
    Ok(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elapsed_ms(start: Instant) -> u64 {
        start.elapsed().as_millis() as u64
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_pollers_exit_and_leave_no_live_tasks() {
        let live = LiveTasks::default();
        let token = CancellationToken::new();
        let pollers: Vec<_> = (0..3).map(|_| spawn_poller(token.child_token(), &live, 100)).collect();
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(live.live(), 3);
        token.cancel();
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(live.live(), 0, "a poller outlived its cancellation: leaked task");
        for poller in pollers {
            assert!(poller.is_finished());
            assert_eq!(poller.await.unwrap(), 3, "polled at 100, 200, 300 ms");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_without_cancellation_is_detected_as_a_leak() {
        let live = LiveTasks::default();
        let guard = live.guard();
        let leaked = tokio::spawn(async move {
            let _guard = guard;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        tokio::time::sleep(Duration::from_secs(60)).await; // "the request ended long ago"
        assert_eq!(live.live(), 1, "the leak is visible to the test");
        leaked.abort();
        let _ = leaked.await;
        assert_eq!(live.live(), 0, "abort drops the task's future, and with it the guard");
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_a_child_leaves_the_parent_running() {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        child.cancel();
        assert!(!parent.is_cancelled());
        let other_child = parent.child_token();
        parent.cancel();
        assert!(other_child.is_cancelled(), "cancellation flows down the tree");
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_future_cancels_it_at_its_await() {
        let live = LiveTasks::default();
        let guard = live.guard();
        let slow = async move {
            let _guard = guard;
            backend(10_000).await
        };
        let outcome = tokio::time::timeout(Duration::from_millis(50), slow).await;
        assert!(outcome.is_err());
        assert_eq!(live.live(), 0, "timeout dropped the inner future");
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_deadline_bounds_the_whole_request() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(100);
        let outcome = handle_request(deadline, 60, 60).await;
        assert_eq!(outcome, Err(RequestError::DeadlineExceeded { stage: "second" }));
        assert_eq!(elapsed_ms(start), 100, "gave up exactly at the deadline");
    }

    #[tokio::test(start_paused = true)]
    async fn per_call_timeouts_overrun_the_callers_budget() {
        let start = Instant::now();
        let outcome = handle_request_per_call_timeouts(100, 60, 60).await;
        assert_eq!(outcome, Ok(120), "each call fit its own 100 ms...");
        assert_eq!(elapsed_ms(start), 120, "...and the request overran its 100 ms budget");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_within_its_deadline_succeeds() {
        let deadline = Instant::now() + Duration::from_millis(100);
        assert_eq!(handle_request(deadline, 30, 40).await, Ok(70));
    }
}

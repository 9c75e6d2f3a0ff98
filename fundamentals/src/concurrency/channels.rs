//! # Channels: std, crossbeam, tokio — closing, pipelines, fan-out/fan-in, backpressure, `select!`
//!
//! ## Why interviewers ask this
//! "Don't communicate by sharing memory; share memory by communicating" is Go's motto, and
//! interview questions follow it: build a pipeline, fan work out to N workers and back in,
//! stop a producer that outruns its consumer, shut a loop down with `select`. Rust has the
//! same tools in three flavours, and the sharp edge is the same as in Go — who closes the
//! channel — with a different answer: nobody calls `close`; the channel closes when the
//! last sender is dropped.
//!
//! ## How it works
//! - **Which channel**:
//!   | | producers | consumers | bounded | blocking or async |
//!   | --- | --- | --- | --- | --- |
//!   | `std::sync::mpsc` | many | **one** | `sync_channel(n)` | blocking threads |
//!   | `crossbeam_channel` | many | **many** (clone the `Receiver`) | `bounded(n)` | blocking threads, `select!` |
//!   | `tokio::sync::mpsc` | many | one | `channel(n)` (always bounded) or `unbounded_channel` | `.await` |
//! - **Closing**: `recv` returns `Err`/`None` once every `Sender` is gone and the buffer is
//!   drained. So each stage owns its senders and drops them when done; in a fan-in the
//!   coordinator must `drop(tx)` its own copy after cloning one per producer, or the consumer
//!   waits forever ([`fan_in`]). Receivers see *all* buffered messages before the end.
//! - **Pipelines** ([`std_pipeline`]): one thread per stage, a channel between stages;
//!   dropping the source's sender ends stage after stage, like closing Go channels in turn.
//! - **Fan-out/fan-in** ([`crossbeam_fan_out_fan_in`]): workers share one MPMC receiver, send
//!   results to one output channel. Completion order is arbitrary, so the result is sorted
//!   (or carries its job index) before anyone relies on it.
//! - **Backpressure**: a bounded channel makes `send` wait when the buffer is full, so a fast
//!   producer runs at the consumer's speed and memory stays at `capacity` messages
//!   ([`bounded_producer_timeline`]). `try_send` returns `Full` instead: shed load or
//!   report "busy". Unbounded channels turn overload into unbounded memory.
//! - **`tokio::select!`** waits on several futures and runs the branch of the first ready;
//!   `biased;` checks branches in order (deterministic, and lets shutdown win over work)
//!   ([`serve_until_shutdown`]).
//!
//! ## Common pitfalls
//! - Keeping a spare `Sender` alive (in the coordinator, in a struct, in a `select!` loop
//!   that can also send): the consumer never sees the end.
//! - Unbounded channels between stages of different speed: memory grows until OOM.
//! - `std::sync::mpsc` with several consumers behind a `Mutex<Receiver>`: works, but
//!   crossbeam (or a tokio `async_channel`-style MPMC) is the tool.
//! - A blocking `recv()` inside async code: it stalls the runtime thread (see
//!   `async_runtime::blocking_in_async`).
//! - Unbiased `select!` in tests: branch choice is random when several are ready.
//!
//! ## Key takeaways
//! - A channel closes when its last sender drops; design ownership of senders on purpose.
//! - Bound every channel; a full buffer is the signal that slows the producer.
//! - Fan-in results arrive in completion order; reorder before asserting or returning.
//!
//! ## Break it
//! `breaks/concurrency_channels.patch` deletes the coordinator's `drop(tx)` in [`fan_in`].
//! `scripts/break-it.sh concurrency_channels`: `fan_in_ends_when_every_producer_is_done`
//! fails with "the channel never closed" — on tokio's paused clock the test's 60-second
//! guard fires instantly instead of the test hanging, the same deadlock Go reports as
//! "all goroutines are asleep" when a `range ch` never ends.
//!
//! ## Interview questions
//! - *How do you close a channel in Rust?* — Drop every sender. The receiver then drains the
//!   buffer and gets `None`/`Err(RecvError)`. Receivers can also `close()` to refuse new
//!   messages (tokio) — senders then get an error.
//! - *How do you implement backpressure?* — Bounded queues end to end: `send().await` waits
//!   for space; at the edge, `try_send` → `Full` → reject with 429/503.
//! - *Fan-out/fan-in in Rust?* — Spawn N workers on a shared MPMC receiver (crossbeam) or a
//!   `JoinSet`/`buffer_unordered` in async code; collect into one channel; drop the extra
//!   sender.
//! - *What does `select!` do when several branches are ready?* — tokio picks one at random
//!   (fairness) unless `biased;` is given, which polls in written order.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Three stages on three threads: generate → square → sum. Each stage ends when its input
/// channel closes, and closes its output by dropping its sender on return.
pub fn std_pipeline(inputs: Vec<u64>) -> u64 {
    let (numbers_tx, numbers_rx) = mpsc::channel();
    let (squares_tx, squares_rx) = mpsc::channel();
    thread::scope(|scope| {
        scope.spawn(move || {
            for n in inputs {
                numbers_tx.send(n).expect("the squarer outlives the generator");
            }
            // `numbers_tx` drops here: the squarer's loop ends after the last number.
        });
        scope.spawn(move || {
            for n in numbers_rx {
                squares_tx.send(n * n).expect("the summer outlives the squarer");
            }
        });
        squares_rx.iter().sum()
    })
}

/// `workers` threads share one crossbeam receiver of jobs and send `work(job)` to one output
/// channel. Returns the results sorted: completion order is whatever the scheduler did.
pub fn crossbeam_fan_out_fan_in(jobs: Vec<u64>, workers: usize, work: fn(u64) -> u64) -> Vec<u64> {
    let (jobs_tx, jobs_rx) = crossbeam_channel::bounded::<u64>(workers);
    let (results_tx, results_rx) = crossbeam_channel::unbounded();
    thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs_rx, results_tx) = (jobs_rx.clone(), results_tx.clone());
            scope.spawn(move || {
                for job in jobs_rx {
                    results_tx.send(work(job)).expect("the collector outlives the workers");
                }
            });
        }
        // Only the workers may keep result senders alive, or collecting never ends.
        drop(results_tx);
        scope.spawn(move || {
            for job in jobs {
                jobs_tx.send(job).expect("workers outlive the feeder");
            }
        });
        let mut results: Vec<u64> = results_rx.iter().collect();
        results.sort_unstable();
        results
    })
}

/// `producers` tasks each send `per_producer` values into one tokio channel; the caller's
/// loop collects until the channel closes. Sorted, since arrival order is interleaved.
pub async fn fan_in(producers: u64, per_producer: u64) -> Vec<u64> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    for producer in 0..producers {
        let tx = tx.clone();
        tokio::spawn(async move {
            for i in 0..per_producer {
                tx.send(producer * 1_000 + i).await.expect("the collector outlives producers");
            }
        });
    }
    // The coordinator's own sender must go, or `recv` never returns `None`.
    drop(tx);
    let mut received = Vec::new();
    while let Some(value) = rx.recv().await {
        received.push(value);
    }
    received.sort_unstable();
    received
}

/// Sends `items` values into a channel of `capacity` whose consumer takes `consume_ms` per
/// item, and returns, for each send, the virtual millisecond at which it completed.
pub async fn bounded_producer_timeline(capacity: usize, items: u64, consume_ms: u64) -> Vec<u64> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(capacity);
    let start = tokio::time::Instant::now();
    let consumer = tokio::spawn(async move {
        let mut consumed = Vec::new();
        while let Some(item) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(consume_ms)).await;
            consumed.push(item);
        }
        consumed
    });
    let mut completed_at_ms = Vec::new();
    for item in 0..items {
        tx.send(item).await.expect("the consumer runs until the channel closes");
        completed_at_ms.push(start.elapsed().as_millis() as u64);
    }
    drop(tx);
    let consumed = consumer.await.expect("consumer does not panic");
    assert_eq!(consumed, (0..items).collect::<Vec<_>>(), "a channel preserves order per sender");
    completed_at_ms
}

/// Handles requests until a shutdown signal arrives; shutdown wins over queued work because
/// the `select!` is biased towards it.
pub async fn serve_until_shutdown(
    mut requests: tokio::sync::mpsc::Receiver<u32>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<u32> {
    let mut handled = Vec::new();
    loop {
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|&stop| stop) => break,
            request = requests.recv() => match request {
                Some(request) => handled.push(request),
                None => break,
            },
        }
    }
    handled
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::error::TrySendError;

    #[test]
    fn pipeline_stages_close_one_after_another_and_lose_nothing() {
        assert_eq!(std_pipeline((1..=100).collect()), 338_350);
        assert_eq!(std_pipeline(vec![]), 0, "an empty source closes the whole pipeline");
    }

    #[test]
    fn fan_out_fan_in_processes_every_job_exactly_once() {
        let results = crossbeam_fan_out_fan_in((0..1_000).collect(), 4, |n| n * 2);
        assert_eq!(results, (0..1_000).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_full_sync_channel_refuses_try_send_until_the_consumer_takes_one() {
        let (tx, rx) = mpsc::sync_channel(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert_eq!(tx.try_send(3), Err(mpsc::TrySendError::Full(3)));
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(tx.try_send(3), Ok(()));
    }

    #[test]
    fn receivers_drain_the_buffer_before_seeing_the_close() {
        let (tx, rx) = crossbeam_channel::unbounded();
        tx.send("last words").unwrap();
        drop(tx);
        assert_eq!(rx.recv(), Ok("last words"));
        assert!(rx.recv().is_err(), "closed and empty");
    }

    #[tokio::test(start_paused = true)]
    async fn fan_in_ends_when_every_producer_is_done() {
        let collected = tokio::time::timeout(Duration::from_secs(60), fan_in(3, 50))
            .await
            .expect("the channel never closed: a sender is still alive");
        let expected: Vec<u64> = (0..3).flat_map(|p| (0..50).map(move |i| p * 1_000 + i)).collect();
        assert_eq!(collected, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn bounded_channel_paces_the_producer_to_the_consumer() {
        let capacity = 2;
        let timeline = bounded_producer_timeline(capacity, 10, 10).await;
        // The producer may run at most `capacity` items (plus the one being consumed) ahead.
        for (i, &at_ms) in timeline.iter().enumerate() {
            let must_wait_ms = (i.saturating_sub(capacity + 1) as u64) * 10;
            assert!(at_ms >= must_wait_ms, "send {i} completed at {at_ms} ms, before {must_wait_ms} ms");
        }
        assert_eq!(timeline[..=capacity], [0, 0, 0], "free buffer slots accept at once");
        assert_eq!(*timeline.last().unwrap(), 70, "ends at the consumer's pace");
    }

    #[tokio::test(start_paused = true)]
    async fn try_send_reports_full_instead_of_waiting() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        tx.try_send(1).unwrap();
        assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))), "shed load at the edge");
        assert_eq!(rx.recv().await, Some(1));
        drop(rx);
        assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    }

    #[tokio::test(start_paused = true)]
    async fn biased_select_lets_shutdown_win_over_queued_requests() {
        let (tx, rx) = tokio::sync::mpsc::channel(10);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(serve_until_shutdown(rx, stop_rx));
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        tokio::task::yield_now().await; // the server handles what is queued
        stop_tx.send(true).unwrap();
        tx.send(3).await.unwrap(); // queued after the stop: never handled
        let handled = server.await.unwrap();
        assert_eq!(handled, [1, 2]);
    }
}

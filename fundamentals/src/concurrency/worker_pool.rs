//! # Worker pools, `Semaphore`, `JoinSet`
//!
//! ## Why interviewers ask this
//! "Process 10 000 URLs with at most 50 requests in flight" is a staple. In Go it is a
//! buffered channel as a semaphore plus a `WaitGroup`, or `errgroup.SetLimit`. In async Rust
//! it is a `Semaphore` (bounded concurrency), a `JoinSet` (owning and joining the tasks) or a
//! fixed set of worker tasks pulling from a channel. Interviewers look for bounded
//! concurrency, result collection, error propagation and what happens to tasks on failure.
//!
//! ## How it works
//! - **Semaphore** ([`run_with_limit`]): every job is spawned at once, but each first
//!   acquires a permit; with `limit` permits at most `limit` bodies run concurrently. The
//!   permit is an RAII guard: it is released when the variable holding it drops — which is
//!   why `let _permit = …` works and `let _ = …` silently doesn't.
//! - **`JoinSet`** owns spawned tasks: `join_next().await` yields results in completion
//!   order; dropping the set **aborts** every task still running (no leaks, no detached
//!   work). Tag results with their index and sort if order matters.
//! - **Fail fast** ([`try_all`]): on the first error, stop waiting and drop the `JoinSet`,
//!   which cancels the rest — `errgroup.WithContext` semantics.
//! - **Fixed workers** ([`WorkerPool`]): `n` long-lived tasks share one job queue
//!   (`Arc<Mutex<Receiver>>`); each job carries a `oneshot` sender for its reply. Closing
//!   the queue (dropping the pool's sender) ends the workers after they drain it.
//! - Tests run on tokio's paused clock: "9 jobs of 100 ms, 3 at a time" takes exactly 300
//!   virtual ms and no real time.
//!
//! ## Common pitfalls
//! - `let _ = semaphore.acquire().await` — drops the permit immediately; the limit does
//!   nothing. (This module's break-it exercise.)
//! - `tokio::spawn` in a loop with no limit: 10 000 concurrent requests and a downstream
//!   outage.
//! - Detached tasks (`JoinHandle` dropped): errors and panics vanish, work outlives the
//!   request. Dropping a `JoinHandle` does **not** cancel the task; dropping a `JoinSet` does.
//! - Acquiring the permit *inside* the task after doing expensive setup outside it.
//!
//! ## Key takeaways
//! - Bound concurrency with a semaphore whose permit lives exactly as long as the work.
//! - Let a `JoinSet` own tasks so that failure or cancellation cleans them up.
//! - Completion order is not submission order.
//!
//! ## Break it
//! `breaks/concurrency_worker_pool.patch` writes `let _ = semaphore.acquire()…` instead of
//! `let _permit = …`. `scripts/break-it.sh concurrency_worker_pool`:
//! `never_runs_more_than_the_limit_at_once` fails — all nine jobs run together and finish at
//! 100 ms instead of 300 ms. It compiles: `let _` is legal, which makes it a classic.
//!
//! ## Interview questions
//! - *How do you limit concurrency of async tasks?* — `Arc<Semaphore>` with
//!   `acquire_owned()` moved into the task, or `futures::stream::iter(..).buffer_unordered(n)`,
//!   or N worker tasks on a channel.
//! - *What happens to spawned tasks when their `JoinSet` is dropped?* — They are aborted at
//!   their next `.await`; their destructors run.
//! - *How do you stop everything on the first error?* — Return early from the
//!   `join_next` loop; dropping the `JoinSet` aborts the rest (or cancel a shared token).
//! - *Semaphore vs worker pool?* — Semaphore: a task per job, simple, good for I/O-bound
//!   jobs. Fixed workers: bounded task count and reusable per-worker state (a connection,
//!   a buffer).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Mutex, Semaphore};
use tokio::task::JoinSet;

/// What [`run_with_limit`] observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitedRun {
    /// `job_ms[i] * 2` for each job, in submission order.
    pub results: Vec<u64>,
    /// The most job bodies that were running at the same moment.
    pub max_in_flight: usize,
    /// Virtual milliseconds until the last job finished.
    pub elapsed_ms: u64,
}

/// Runs one task per job (each "works" for `job_ms[i]` virtual ms), at most `limit` at once.
pub async fn run_with_limit(job_ms: Vec<u64>, limit: usize) -> LimitedRun {
    let start = tokio::time::Instant::now();
    let semaphore = Arc::new(Semaphore::new(limit));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for (index, ms) in job_ms.into_iter().enumerate() {
        let (semaphore, in_flight, max_in_flight) = (semaphore.clone(), in_flight.clone(), max_in_flight.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire().await.expect("the semaphore is never closed");
            let now_running = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max_in_flight.fetch_max(now_running, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            (index, ms * 2)
        });
    }
    let mut indexed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        indexed.push(joined.expect("jobs do not panic"));
    }
    indexed.sort_unstable();
    LimitedRun {
        results: indexed.into_iter().map(|(_, result)| result).collect(),
        max_in_flight: max_in_flight.load(Ordering::SeqCst),
        elapsed_ms: start.elapsed().as_millis() as u64,
    }
}

/// Runs jobs concurrently; the first error returns at once and aborts the others.
/// `Ok(v)` jobs take `v` ms and succeed; `Err(ms)` jobs fail after `ms`.
pub async fn try_all(jobs: Vec<Result<u64, u64>>, finished: Arc<AtomicUsize>) -> Result<Vec<u64>, String> {
    let mut tasks = JoinSet::new();
    for (index, job) in jobs.into_iter().enumerate() {
        let finished = finished.clone();
        tasks.spawn(async move {
            let ms = match job {
                Ok(ms) | Err(ms) => ms,
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            job.map(|ms| (index, ms)).map_err(|_| format!("job {index} failed"))
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        // `?` returns early; dropping `tasks` on the way out aborts the unfinished jobs.
        results.push(joined.expect("jobs do not panic")?);
    }
    results.sort_unstable();
    Ok(results.into_iter().map(|(_, ms)| ms).collect())
}

type Job = (u64, oneshot::Sender<u64>);

/// `workers` long-lived tasks squaring numbers from one shared queue.
pub struct WorkerPool {
    queue: mpsc::Sender<Job>,
    workers: JoinSet<usize>,
}

impl WorkerPool {
    pub fn new(workers: usize, queue_capacity: usize) -> Self {
        let (queue, receiver) = mpsc::channel::<Job>(queue_capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        let mut set = JoinSet::new();
        for _ in 0..workers {
            let receiver = receiver.clone();
            set.spawn(async move {
                let mut handled = 0;
                loop {
                    // Hold the queue lock only while taking a job, not while doing it.
                    let job = receiver.lock().await.recv().await;
                    let Some((n, reply)) = job else { break handled };
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    let _ = reply.send(n * n); // the submitter may have given up
                    handled += 1;
                }
            });
        }
        Self { queue, workers: set }
    }

    /// Queues a job (waiting if the queue is full) and returns where its answer will arrive.
    pub async fn submit(&self, n: u64) -> oneshot::Receiver<u64> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((n, reply)).await.expect("workers run until shutdown");
        answer
    }

    /// Closes the queue, lets the workers drain it, and returns how many jobs each handled.
    pub async fn shutdown(self) -> Vec<usize> {
        drop(self.queue);
        let mut per_worker = self.workers.join_all().await;
        per_worker.sort_unstable();
        per_worker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_runs_more_than_the_limit_at_once() {
        let run = run_with_limit(vec![100; 9], 3).await;
        assert_eq!(run.max_in_flight, 3);
        assert_eq!(run.elapsed_ms, 300, "three waves of three");
        assert_eq!(run.results, vec![200; 9]);
    }

    #[tokio::test(start_paused = true)]
    async fn results_come_back_in_submission_order_after_sorting_by_index() {
        let run = run_with_limit(vec![50, 10, 30], 3).await;
        assert_eq!(run.results, [100, 20, 60]);
        assert_eq!(run.elapsed_ms, 50, "the slowest job bounds the total");
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_error_aborts_the_jobs_still_running() {
        let finished = Arc::new(AtomicUsize::new(0));
        let jobs = vec![Ok(10), Err(20), Ok(1_000), Ok(2_000)];
        let outcome = try_all(jobs, finished.clone()).await;
        assert_eq!(outcome, Err("job 1 failed".to_owned()));
        tokio::time::sleep(Duration::from_secs(10)).await; // long after the slow jobs' end
        assert_eq!(finished.load(Ordering::SeqCst), 2, "the 1 s and 2 s jobs were aborted");
    }

    #[tokio::test(start_paused = true)]
    async fn all_successes_are_collected() {
        let finished = Arc::new(AtomicUsize::new(0));
        assert_eq!(try_all(vec![Ok(3), Ok(1), Ok(2)], finished).await, Ok(vec![3, 1, 2]));
    }

    #[tokio::test(start_paused = true)]
    async fn fixed_workers_answer_every_job_and_drain_on_shutdown() {
        let pool = WorkerPool::new(3, 4);
        let mut answers = Vec::new();
        for n in 0..12 {
            answers.push(pool.submit(n).await);
        }
        let per_worker = pool.shutdown().await;
        assert_eq!(per_worker.iter().sum::<usize>(), 12, "queued jobs are drained, not dropped");
        let mut squares = Vec::new();
        for answer in answers {
            squares.push(answer.await.expect("every job was answered"));
        }
        assert_eq!(squares, (0..12).map(|n| n * n).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_joinset_aborts_its_tasks() {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let finished = finished.clone();
            set.spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                finished.fetch_add(1, Ordering::SeqCst);
            });
        }
        tokio::task::yield_now().await;
        drop(set);
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 0);
    }
}

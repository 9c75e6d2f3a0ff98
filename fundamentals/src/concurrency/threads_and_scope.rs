//! # Threads and `thread::scope`
//!
//! ## Why interviewers ask this
//! Goroutines are cheap and share memory freely; the Go race detector finds the mistakes at
//! run time, if a test happens to hit them. Rust's OS threads are expensive but the compiler
//! proves, before the program runs, that threads never share mutable data without
//! synchronisation. Interviewers ask why `thread::spawn` needs `'static + Send`, what
//! `thread::scope` changes, and what happens when a thread panics.
//!
//! ## How it works
//! - `std::thread::spawn(f)` requires `F: Send + 'static`: the thread may outlive the caller,
//!   so it can't borrow the caller's locals. Move owned data in, or share through `Arc`.
//! - `std::thread::scope(|s| { s.spawn(...) })` guarantees every thread spawned in the scope
//!   is joined before `scope` returns — so they *may* borrow locals ([`parallel_sum`]).
//! - Each spawned closure gets its own `&mut` piece via `chunks_mut` ([`parallel_square`]):
//!   disjoint mutable borrows, no lock needed, checked by the compiler.
//! - `JoinHandle::join()` returns the thread's result, or `Err(payload)` if it panicked: a
//!   panic kills only its own thread and surfaces at the join ([`run_isolated`]).
//! - Results are deterministic as long as each thread's output depends only on its own
//!   input and is combined in a fixed order (join handles in spawn order), never in
//!   completion order.
//!
//! ## Common pitfalls
//! - One OS thread per request: thousands of 8 MiB stacks and context switches — use a pool
//!   or async tasks.
//! - Sharing a counter by `&mut` across threads (Go's `total++` from goroutines): Rust rejects
//!   it (E0499); use per-thread partial results, an atomic, or a `Mutex`.
//! - Collecting results in completion order and then asserting on the order.
//! - Dropping a `JoinHandle` detaches the thread; its panic goes unnoticed.
//!
//! ## Key takeaways
//! - `spawn` = `'static` (move or `Arc`); `scope` = borrow freely, joined automatically.
//! - Split data into disjoint pieces rather than locking a shared whole.
//! - A thread's panic is returned by `join`; decide at the join what it means.
//!
//! ## Break it
//! `breaks/concurrency_threads.patch` makes every scoped thread add into one shared
//! `&mut total` — the Go program `go func() { total += x }()` whose data race the race
//! detector reports at run time, on the runs where it happens. `scripts/break-it.sh
//! concurrency_threads` shows **E0499**: cannot borrow `total` as mutable more than once at a
//! time. The race never compiles.
//!
//! ## Interview questions
//! - *Why does `thread::spawn` require `'static`?* — The new thread may run after the
//!   spawning function returns; any borrow of its locals could dangle.
//! - *What does `thread::scope` guarantee?* — All threads spawned in the scope are joined
//!   before it returns (even on panic), so borrowing from the enclosing stack is sound.
//! - *Goroutines vs threads?* — Goroutines are user-space tasks (2 KiB growable stacks) on a
//!   work-stealing scheduler; Rust threads are OS threads. Rust's equivalent of goroutines
//!   is async tasks on a runtime such as tokio.
//! - *What happens when a thread panics?* — It unwinds its own stack; `join` returns
//!   `Err` with the payload; a `Mutex` it held becomes poisoned.

use std::thread;

/// Sums `values` on `threads` scoped threads, each borrowing its own chunk.
pub fn parallel_sum(values: &[u64], threads: usize) -> u64 {
    assert!(threads > 0, "need at least one thread");
    let chunk_len = values.len().div_ceil(threads).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> =
            values.chunks(chunk_len).map(|chunk| scope.spawn(move || chunk.iter().sum::<u64>())).collect();
        // Joined in spawn order: the combination does not depend on scheduling.
        handles.into_iter().map(|h| h.join().expect("summing cannot panic")).sum()
    })
}

/// Squares every element in place, each thread owning a disjoint `&mut` chunk.
pub fn parallel_square(values: &mut [u64], threads: usize) {
    assert!(threads > 0, "need at least one thread");
    let chunk_len = values.len().div_ceil(threads).max(1);
    thread::scope(|scope| {
        for chunk in values.chunks_mut(chunk_len) {
            scope.spawn(move || chunk.iter_mut().for_each(|v| *v *= *v));
        }
    });
}

/// Counts the values above `threshold` on `threads` threads by summing per-thread counts.
pub fn parallel_count_above(values: &[u64], threshold: u64, threads: usize) -> usize {
    let chunk_len = values.len().div_ceil(threads.max(1)).max(1);
    let mut total = 0;
    thread::scope(|scope| {
        let handles: Vec<_> = values
            .chunks(chunk_len)
            .map(|chunk| scope.spawn(move || chunk.iter().filter(|&&v| v > threshold).count()))
            .collect();
        for handle in handles {
            total += handle.join().expect("counting cannot panic");
        }
    });
    total
}

/// Runs `job` on its own `'static` thread; a panic becomes `Err(message)` at the join.
pub fn run_isolated<F>(job: F) -> Result<u64, String>
where
    F: FnOnce() -> u64 + Send + 'static,
{
    thread::spawn(job).join().map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn scoped_threads_borrow_the_callers_data() {
        let values: Vec<u64> = (1..=1_000).collect();
        for threads in [1, 3, 8, 2_000] {
            assert_eq!(parallel_sum(&values, threads), 500_500, "{threads} threads");
        }
        assert_eq!(values.len(), 1_000, "still owned here after the threads ended");
    }

    #[test]
    fn disjoint_mutable_chunks_need_no_lock() {
        let mut values: Vec<u64> = (0..10).collect();
        parallel_square(&mut values, 4);
        assert_eq!(values, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    }

    #[test]
    fn per_thread_partial_counts_add_up_exactly() {
        let values: Vec<u64> = (0..10_000).collect();
        assert_eq!(parallel_count_above(&values, 4_999, 4), 5_000);
    }

    #[test]
    fn spawn_needs_owned_or_arc_shared_data() {
        let data = Arc::new(vec![1_u64, 2, 3]);
        let shared = Arc::clone(&data);
        assert_eq!(run_isolated(move || shared.iter().sum()), Ok(6));
        assert_eq!(Arc::strong_count(&data), 1, "the thread's handle was dropped with it");
    }

    #[test]
    fn a_panicking_thread_reports_at_join_and_the_caller_survives() {
        assert_eq!(run_isolated(|| panic!("worker failed")), Err("worker failed".to_owned()));
        assert_eq!(run_isolated(|| 41 + 1), Ok(42), "the next job runs normally");
    }
}

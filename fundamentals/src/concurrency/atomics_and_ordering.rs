//! # Atomics and memory ordering (with a loom model test)
//!
//! ## Why interviewers ask this
//! Lock-free counters, flags and reference counts are everywhere in infrastructure code, and
//! memory ordering is the question that separates "has used atomics" from "understands
//! them". Go hides most of this (`sync/atomic` is sequentially consistent); Rust makes you
//! pick an `Ordering` on every operation.
//!
//! ## How it works
//! - An atomic operation is indivisible: `fetch_add` never loses an increment
//!   ([`Counter`]). A separate `load` then `store` is two operations, and two threads can
//!   interleave between them — a lost update, even with `SeqCst` ([`RacyCounter`]).
//! - **Ordering** says what *other* memory the operation synchronises:
//!   - `Relaxed`: atomicity only. Enough for counters and statistics read after a join.
//!   - `Release` (on a store) / `Acquire` (on a load that reads that store): everything the
//!     writer did before the release is visible to the reader after the acquire. This is how
//!     [`Mailbox`] publishes a value behind a flag, and how a lock hands over its data
//!     ([`SpinLock`]: acquire on lock, release on unlock).
//!   - `AcqRel` for read-modify-writes that do both; `SeqCst` adds one global order of all
//!     `SeqCst` operations — needed only for algorithms like Dekker's/Peterson's where two
//!     threads each store then load *different* variables.
//! - x86 gives acquire/release almost for free, so a wrong `Relaxed` often "works" there and
//!   breaks on ARM. That is why the model test matters: **loom** runs a test under every
//!   thread interleaving (up to a preemption bound) and every value a weak-memory load may
//!   legally return. The command is in the [concurrency overview](super). In the test build
//!   under `cfg(loom)` this module swaps `std`'s atomics for loom's through one `use` line;
//!   every other build, even with the cfg set, keeps `std`'s (loom is a dev-dependency).
//! - The loom tests prove both directions: the correct types pass every execution, and loom
//!   *finds* the lost update in [`RacyCounter`] and the stale read in a `Relaxed` mailbox.
//!
//! ## Common pitfalls
//! - `Relaxed` on a flag that publishes other data: the reader can see the flag and old data.
//! - `load` + `store` (or check-then-`store`) instead of `fetch_add`/`compare_exchange`.
//! - `SeqCst` everywhere "to be safe": correct but slower on ARM, and it hides which
//!   synchronisation the algorithm actually needs.
//! - Spinning without backoff or `spin_loop` hints; spinlocks in user space generally (a
//!   descheduled holder makes everyone spin). Prefer `Mutex`.
//! - Testing lock-free code only on x86 laptops.
//!
//! ## Key takeaways
//! - Atomicity ≠ ordering: `fetch_add(Relaxed)` is a perfect counter and a useless flag.
//! - Publish with `Release`, consume with `Acquire`; locks are exactly that pair.
//! - Model-check lock-free code with loom; stress tests on x86 prove little.
//!
//! ## Break it
//! `breaks/concurrency_atomics.patch` replaces the counter's `AtomicU64` with a `Cell<u64>` —
//! a plain shared integer, Go's `hits++` from many goroutines. `scripts/break-it.sh
//! concurrency_atomics` shows **E0277**: `Cell<u64>` cannot be shared between threads safely.
//! This is the data race Go's race detector finds at run time; Rust rejects it at compile
//! time. (The ordering bugs — a `Relaxed` flag, a load-then-store — do compile; the loom
//! tests are what catch those, and they show it by finding them in the racy variants.)
//!
//! ## Interview questions
//! - *What does `Ordering::Relaxed` guarantee?* — The operation is atomic and all threads
//!   agree on the order of writes to *that* variable; nothing about other memory.
//! - *Explain acquire/release.* — A release store and an acquire load that reads it create a
//!   happens-before edge: writes before the store are visible after the load. Mutex unlock
//!   is a release, lock is an acquire.
//! - *When do you need `SeqCst`?* — When correctness depends on a single total order across
//!   several variables (store A then load B on one thread, store B then load A on another).
//! - *Why did my code work on x86 but fail on ARM?* — x86 is TSO: plain loads and stores are
//!   already acquire/release, so missing orderings only show on weaker hardware (or after
//!   compiler reordering).
//! - *What is loom?* — A model checker that runs a concurrent test under all interleavings
//!   (with bounded preemption) and the C11 weak-memory model, reproducing orderings bugs
//!   deterministically.

#[cfg(all(test, loom))]
use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(not(all(test, loom)))]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A statistics counter: atomic increments, no ordering needed.
#[derive(Debug, Default)]
pub struct Counter {
    hits: AtomicU64,
}

impl Counter {
    pub fn increment(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

/// The classic bug: read, add, write back — two atomic operations, not one.
#[derive(Debug, Default)]
pub struct RacyCounter {
    hits: AtomicU64,
}

impl RacyCounter {
    pub fn increment(&self) {
        let seen = self.hits.load(Ordering::SeqCst);
        self.hits.store(seen + 1, Ordering::SeqCst);
    }

    pub fn get(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Publishes one value from a writer to a reader behind a ready flag.
#[derive(Debug)]
pub struct Mailbox {
    value: AtomicU64,
    ready: AtomicBool,
    flag_store: Ordering,
    flag_load: Ordering,
}

impl Mailbox {
    /// The correct pairing: release on publish, acquire on receive.
    pub fn new() -> Self {
        Self::with_orderings(Ordering::Release, Ordering::Acquire)
    }

    /// Lets the loom test build the broken `Relaxed` variant.
    pub fn with_orderings(flag_store: Ordering, flag_load: Ordering) -> Self {
        Self { value: AtomicU64::new(0), ready: AtomicBool::new(false), flag_store, flag_load }
    }

    pub fn publish(&self, value: u64) {
        // The value itself can be Relaxed: the release store of the flag orders it.
        self.value.store(value, Ordering::Relaxed);
        self.ready.store(true, self.flag_store);
    }

    /// `Some(value)` once published.
    pub fn try_receive(&self) -> Option<u64> {
        if self.ready.load(self.flag_load) {
            Some(self.value.load(Ordering::Relaxed))
        } else {
            None
        }
    }
}

impl Default for Mailbox {
    fn default() -> Self {
        Self::new()
    }
}

/// A test-and-set spinlock around a value updated with plain (Relaxed) loads and stores; the
/// lock's acquire/release orderings are what make those updates safe.
#[derive(Debug, Default)]
pub struct SpinLock {
    locked: AtomicBool,
    value: AtomicU64,
}

impl SpinLock {
    /// Adds one to the protected value inside the critical section.
    pub fn increment(&self) {
        while self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            spin_wait();
        }
        let seen = self.value.load(Ordering::Relaxed);
        self.value.store(seen + 1, Ordering::Relaxed);
        self.locked.store(false, Ordering::Release);
    }

    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Acquire)
    }
}

fn spin_wait() {
    // Under loom a spin must yield so the model can schedule the lock holder.
    #[cfg(all(test, loom))]
    loom::thread::yield_now();
    #[cfg(not(all(test, loom)))]
    std::thread::yield_now();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn fetch_add_never_loses_an_increment() {
        let counter = Counter::default();
        thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| (0..10_000).for_each(|_| counter.increment()));
            }
        });
        assert_eq!(counter.get(), 40_000);
    }

    #[test]
    fn a_spinlock_serialises_plain_read_modify_writes() {
        let lock = SpinLock::default();
        thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| (0..2_000).for_each(|_| lock.increment()));
            }
        });
        assert_eq!(lock.get(), 8_000);
    }

    #[test]
    fn a_reader_that_sees_the_flag_sees_the_value() {
        let mailbox = Mailbox::new();
        let received = thread::scope(|scope| {
            let reader = scope.spawn(|| loop {
                if let Some(value) = mailbox.try_receive() {
                    break value;
                }
                thread::yield_now();
            });
            mailbox.publish(42);
            reader.join().expect("reader does not panic")
        });
        assert_eq!(received, 42);
    }

    #[test]
    fn a_single_threaded_racy_counter_looks_correct() {
        // The lost update needs two threads between the load and the store; sequential code
        // never shows it, which is why the loom test below is the real check.
        let counter = RacyCounter::default();
        (0..100).for_each(|_| counter.increment());
        assert_eq!(counter.get(), 100);
    }
}

/// Model tests: every interleaving and every legal weak-memory outcome.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::thread;

    /// Preemptions loom explores per execution unless `LOOM_MAX_PREEMPTIONS` says otherwise.
    /// Each bug below needs at most one (the stale read needs none: it is a weak-memory
    /// outcome, not an interleaving), and loom's docs find 2–3 enough in practice; the bound
    /// keeps the run time from growing exponentially as a model gains threads or steps.
    const MAX_PREEMPTIONS: usize = 3;

    /// `loom::model` with the preemption bound above.
    fn model(body: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = builder.preemption_bound.or(Some(MAX_PREEMPTIONS));
        builder.check(body);
    }

    /// Runs `body` under loom and reports whether some execution panicked.
    fn loom_finds_a_failure(body: impl Fn() + Sync + Send + 'static) -> bool {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model(body))).is_err()
    }

    #[test]
    fn counter_is_exact_in_every_interleaving() {
        model(|| {
            let counter = Arc::new(Counter::default());
            let other = Arc::clone(&counter);
            let handle = thread::spawn(move || other.increment());
            counter.increment();
            handle.join().unwrap();
            assert_eq!(counter.get(), 2);
        });
    }

    #[test]
    fn loom_finds_the_lost_update_of_load_then_store() {
        let found = loom_finds_a_failure(|| {
            let counter = Arc::new(RacyCounter::default());
            let other = Arc::clone(&counter);
            let handle = thread::spawn(move || other.increment());
            counter.increment();
            handle.join().unwrap();
            assert_eq!(counter.get(), 2, "lost update");
        });
        assert!(found, "loom must find the interleaving that loses an increment");
    }

    #[test]
    fn release_acquire_mailbox_never_shows_the_flag_without_the_value() {
        model(|| {
            let mailbox = Arc::new(Mailbox::new());
            let writer = Arc::clone(&mailbox);
            let handle = thread::spawn(move || writer.publish(42));
            if let Some(value) = mailbox.try_receive() {
                assert_eq!(value, 42);
            }
            handle.join().unwrap();
        });
    }

    #[test]
    fn loom_finds_the_stale_read_of_a_relaxed_mailbox() {
        let found = loom_finds_a_failure(|| {
            let mailbox = Arc::new(Mailbox::with_orderings(Ordering::Relaxed, Ordering::Relaxed));
            let writer = Arc::clone(&mailbox);
            let handle = thread::spawn(move || writer.publish(42));
            if let Some(value) = mailbox.try_receive() {
                assert_eq!(value, 42, "flag seen, value stale");
            }
            handle.join().unwrap();
        });
        assert!(found, "loom must find the execution where the flag overtakes the value");
    }

    #[test]
    fn spinlock_is_exact_in_every_interleaving() {
        model(|| {
            let lock = Arc::new(SpinLock::default());
            let other = Arc::clone(&lock);
            let handle = thread::spawn(move || other.increment());
            lock.increment();
            handle.join().unwrap();
            assert_eq!(lock.get(), 2);
        });
    }
}

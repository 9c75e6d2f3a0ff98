//! # `Send` and `Sync`: why data races do not compile
//!
//! ## Why interviewers ask this
//! "Rust prevents data races at compile time" is the language's headline claim; the
//! follow-up is *how*. The answer is two marker traits the compiler derives automatically,
//! and interviewers expect you to name which common types lack them and why.
//!
//! ## How it works
//! - **`Send`**: a value of this type may be *moved* to another thread. **`Sync`**: a `&T`
//!   may be *shared* with another thread (formally: `T: Sync` ⇔ `&T: Send`).
//! - They are auto traits: a struct is `Send`/`Sync` if all its fields are. Thread APIs
//!   demand them: `thread::spawn` needs `F: Send`, sharing `&T` across scoped threads needs
//!   `T: Sync`, `Arc<T>` is `Send` only if `T: Send + Sync`.
//! - The exceptions are the types that would race:
//!   | type | `Send` | `Sync` | why |
//!   | --- | --- | --- | --- |
//!   | `Rc<T>` | no | no | non-atomic refcount: two threads cloning corrupt it |
//!   | `Cell<T>`, `RefCell<T>` | yes | no | unsynchronised interior mutation |
//!   | `MutexGuard<T>` | no | yes | must be unlocked by the thread that locked it (pthreads) |
//!   | raw pointers | no | no | the compiler can't know what they point at |
//!   | `Arc<T>`, `Mutex<T>`, atomics | yes | yes | synchronised |
//! - So "share a counter between threads" type-checks only as `Arc<Mutex<u64>>`,
//!   `Arc<AtomicU64>`, or per-thread values combined at the end ([`count_with_mutex`],
//!   [`count_with_atomic`]).
//! - `unsafe impl Send for T {}` is a promise you make by hand (for types wrapping raw
//!   pointers); getting it wrong reintroduces data races.
//!
//! ## Common pitfalls
//! - Holding a `std::sync::MutexGuard` across `.await` in a task spawned on a multi-thread
//!   runtime: the future becomes `!Send` and `tokio::spawn` rejects it — scope the guard or
//!   use `tokio::sync::Mutex`.
//! - `Rc` in a struct that later needs to move into a thread: the whole struct loses `Send`.
//! - `unsafe impl Sync` to silence an error instead of adding synchronisation.
//!
//! ## Key takeaways
//! - `Send` = can move to another thread; `Sync` = can be referenced from several.
//! - The compiler derives both from the fields; thread APIs require them; `Rc`, `Cell`,
//!   `RefCell` opt out because they would race.
//! - Go's race detector finds a race on runs that hit it; Rust's type check rejects every
//!   program that could have one (in safe code).
//!
//! ## Break it
//! `breaks/concurrency_send_sync.patch` shares the counter as `Rc<RefCell<u64>>` — the
//! single-threaded version of `Arc<Mutex<u64>>`, i.e. Go's unsynchronised shared `int`.
//! `scripts/break-it.sh concurrency_send_sync` shows **E0277**: `Rc<RefCell<u64>>` cannot be
//! sent between threads safely. This is the data race Go's race detector finds at run
//! time; Rust refuses to compile it.
//!
//! ## Interview questions
//! - *What are `Send` and `Sync`?* — Marker traits: `Send` types can be transferred to another
//!   thread, `Sync` types can be shared by reference. Auto-implemented from the fields.
//! - *Why is `Rc` not `Send`?* — Its reference count is a plain integer; clones on two
//!   threads would race and free the value early or never. `Arc` uses atomic operations.
//! - *Is `RefCell` `Send`? `Sync`?* — `Send` yes (moving it is fine), `Sync` no (two threads
//!   calling `borrow_mut` through `&RefCell` would race on the borrow flag).
//! - *Does Rust prevent all concurrency bugs?* — No: data races, yes (in safe code);
//!   deadlocks, livelocks, logical races (check-then-act across two lock acquisitions), no.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// Increments a shared counter `per_thread` times on each of `threads` threads, under a lock.
pub fn count_with_mutex(threads: usize, per_thread: u64) -> u64 {
    let counter = Arc::new(Mutex::new(0_u64));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..per_thread {
                    *counter.lock().expect("no thread panics while counting") += 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("counting thread panicked");
    }
    let total = *counter.lock().expect("not poisoned");
    total
}

/// The same with an atomic: no lock, one `fetch_add` per increment.
pub fn count_with_atomic(threads: usize, per_thread: u64) -> u64 {
    let counter = AtomicU64::new(0);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    // Relaxed: only the final total matters, and the scope's join publishes it.
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    counter.into_inner()
}

/// Compile-time checks, usable in tests: they only compile for types with the trait.
pub fn assert_send<T: Send>() {}
pub fn assert_sync<T: Sync>() {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::sync::{MutexGuard, RwLock};

    #[test]
    fn a_mutex_protected_counter_loses_no_increments() {
        assert_eq!(count_with_mutex(4, 10_000), 40_000);
    }

    #[test]
    fn an_atomic_counter_loses_no_increments() {
        assert_eq!(count_with_atomic(4, 10_000), 40_000);
    }

    #[test]
    fn synchronised_types_are_send_and_sync() {
        assert_send::<Arc<Mutex<u64>>>();
        assert_sync::<Arc<Mutex<u64>>>();
        assert_sync::<RwLock<Vec<u8>>>();
        assert_sync::<AtomicU64>();
        assert_send::<RefCell<u64>>(); // moving a RefCell to one other thread is fine
        assert_send::<Cell<u64>>();
        assert_sync::<MutexGuard<'static, u64>>();
    }

    /// Answers "does this type implement the trait?" as a `bool` instead of a compile error:
    /// the inherent `IMPLS` exists only when the bound holds, and otherwise path resolution
    /// falls back to the blanket trait's `false` (the trick behind the `impls` crate).
    macro_rules! implements {
        ($ty:ty: $tr:path) => {{
            #[allow(dead_code)]
            trait DoesNotImpl {
                const IMPLS: bool = false;
            }
            impl<T: ?Sized> DoesNotImpl for T {}
            struct Wrapper<T: ?Sized>(std::marker::PhantomData<T>);
            #[allow(dead_code)]
            impl<T: ?Sized + $tr> Wrapper<T> {
                const IMPLS: bool = true;
            }
            <Wrapper<$ty>>::IMPLS
        }};
    }

    #[test]
    fn the_types_that_would_race_lack_the_traits() {
        assert!(!implements!(Rc<u64>: Send), "non-atomic refcount");
        assert!(!implements!(Rc<u64>: Sync));
        assert!(!implements!(RefCell<u64>: Sync), "unsynchronised borrow flag");
        assert!(!implements!(Cell<u64>: Sync));
        assert!(!implements!(MutexGuard<'static, u64>: Send), "unlock on the locking thread");
        assert!(!implements!(*const u8: Send));
        assert!(implements!(Arc<Mutex<u64>>: Send), "the macro does report true");
    }
}

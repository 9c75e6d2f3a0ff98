//! # RAII and `Drop` (Go's `defer`), panics, `catch_unwind`, panic in `Drop`
//!
//! ## Why interviewers ask this
//! Go releases resources with `defer` and the programmer must remember to write it. Rust ties
//! release to scope: a value's `Drop` runs when its owner goes away, on every path — normal
//! return, `?`, early `return`, panic. Interviewers probe the edges: drop order, what
//! `mem::forget` does, what happens when a destructor panics, and whether panics cross
//! threads or FFI.
//!
//! ## How it works
//! - **Drop order**: locals drop in reverse declaration order; struct fields in declaration
//!   order; a temporary at the end of its statement. `drop(x)` ends ownership early.
//! - **Guards**: [`Defer`] runs a closure on drop — `defer` you cannot forget to write, because
//!   creating the guard *is* writing it. `MutexGuard`, `File`, `JoinHandle` are all guards.
//! - **Transactions**: [`Transaction`] rolls back in `Drop` unless `commit()` consumed it — the
//!   common "commit or roll back on any exit" pattern without a single `defer tx.Rollback()`.
//! - **Panics** unwind the stack, running every `Drop` on the way (with the default
//!   `panic = "unwind"`). `std::panic::catch_unwind` stops the unwinding at a boundary and
//!   returns `Err(payload)` — like `recover()`, but meant for boundaries (thread pools, FFI,
//!   request handlers), not for control flow.
//! - **Panic in `Drop`** while already unwinding from another panic aborts the process: there
//!   is no sane way to carry two panics. Destructors that can fail check
//!   `std::thread::panicking()` and stay quiet ([`StrictGuard`]); fallible cleanup gets an
//!   explicit `close() -> Result` method, with `Drop` as the best-effort fallback.
//! - `std::mem::forget` skips `Drop` entirely. It is safe (leaking is not undefined
//!   behaviour), so `unsafe` code may never rely on a destructor running.
//!
//! ## Common pitfalls
//! - `let _ = guard();` drops the guard immediately; `let _guard = guard();` keeps it to the
//!   end of the scope. (The worker-pool lesson's break-it exercise is exactly this bug.)
//! - Holding a lock guard longer than needed because its scope is the whole function: wrap
//!   the critical section in a block or call `drop(guard)`.
//! - Reporting errors from `Drop`: it returns `()`; log, or offer an explicit `close()`.
//! - `panic = "abort"` in `Cargo.toml`: no unwinding, no `catch_unwind`, no destructors on
//!   panic.
//!
//! ## Key takeaways
//! - Resources are released by scope, on every exit path; `Drop` is `defer` built in.
//! - Commit-or-rollback: consume `self` on success, roll back in `Drop` otherwise.
//! - A destructor must not panic during unwinding; leaking is safe, so never rely on `Drop`
//!   for memory safety.
//!
//! ## Break it
//! `breaks/lang_raii.patch` makes `commit` forget to mark the transaction committed. Drop then
//! rolls back committed work; `scripts/break-it.sh lang_raii`: the test
//! `committed_transaction_is_not_rolled_back` fails.
//!
//! ## Interview questions
//! - *What is RAII?* — Resource acquisition is initialisation: a value owns a resource and
//!   its destructor releases it, so release follows scope instead of programmer memory.
//! - *In which order are values dropped?* — Locals in reverse order of declaration, fields in
//!   declaration order, elements of a `Vec` front to back.
//! - *Is `catch_unwind` Go's `recover`?* — Mechanically similar; culturally not: use it at
//!   isolation boundaries (a worker that must survive a panicking job), and only for
//!   `UnwindSafe` data, because the panicking code may have left state half-updated.
//! - *What happens if `Drop` panics?* — If the thread is not already panicking, the panic
//!   unwinds normally (and can be caught); if it is, the process aborts.
//! - *Can `Drop` be skipped?* — Yes: `mem::forget`, `Rc` cycles, `process::exit`, abort. Safe
//!   code may leak; it may not use freed memory.

use std::cell::RefCell;

/// Runs `action` when dropped, on every exit path: a `defer` that cannot be forgotten.
pub struct Defer<F: FnOnce()> {
    action: Option<F>,
}

impl<F: FnOnce()> Defer<F> {
    pub fn new(action: F) -> Self {
        Self { action: Some(action) }
    }

    /// Cancels the deferred action.
    pub fn disarm(mut self) {
        self.action = None;
    }
}

impl<F: FnOnce()> Drop for Defer<F> {
    fn drop(&mut self) {
        if let Some(action) = self.action.take() {
            action();
        }
    }
}

/// A toy store whose changes are staged in a transaction and either committed or rolled back.
#[derive(Debug, Default)]
pub struct Store {
    committed: RefCell<Vec<String>>,
    rollbacks: RefCell<u32>,
}

impl Store {
    pub fn begin(&self) -> Transaction<'_> {
        Transaction { store: self, staged: Vec::new(), committed: false }
    }

    pub fn committed(&self) -> Vec<String> {
        self.committed.borrow().clone()
    }

    pub fn rollbacks(&self) -> u32 {
        *self.rollbacks.borrow()
    }
}

/// Staged writes; rolled back on drop unless [`Transaction::commit`] ran.
pub struct Transaction<'a> {
    store: &'a Store,
    staged: Vec<String>,
    committed: bool,
}

impl Transaction<'_> {
    pub fn write(&mut self, value: impl Into<String>) {
        self.staged.push(value.into());
    }

    /// Applies the staged writes. Takes `self` by value: a committed transaction cannot be
    /// written to or committed twice.
    pub fn commit(mut self) {
        self.store.committed.borrow_mut().append(&mut self.staged);
        self.committed = true;
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.staged.clear();
            *self.store.rollbacks.borrow_mut() += 1;
        }
    }
}

/// Applies `values` in one transaction, failing (and so rolling back) on the first empty one.
pub fn apply_all(store: &Store, values: &[&str]) -> Result<(), String> {
    let mut tx = store.begin();
    for value in values {
        if value.is_empty() {
            return Err("empty value".to_owned()); // `tx` drops here: rollback.
        }
        tx.write(*value);
    }
    tx.commit();
    Ok(())
}

/// A guard that panics on drop if it was not explicitly finished — unless the thread is
/// already unwinding, where a second panic would abort the process.
pub struct StrictGuard {
    finished: bool,
}

impl StrictGuard {
    pub fn new() -> Self {
        Self { finished: false }
    }

    pub fn finish(mut self) {
        self.finished = true;
    }
}

impl Default for StrictGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for StrictGuard {
    fn drop(&mut self) {
        if !self.finished && !std::thread::panicking() {
            panic!("StrictGuard dropped without finish()");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// Records its name into a shared log when dropped.
    struct Noisy<'a>(&'static str, &'a RefCell<Vec<&'static str>>);

    impl Drop for Noisy<'_> {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }

    #[test]
    fn locals_drop_in_reverse_declaration_order_and_fields_in_order() {
        let log = RefCell::new(Vec::new());
        {
            let _first = Noisy("first", &log);
            let _second = Noisy("second", &log);
            let _pair = (Noisy("field-a", &log), Noisy("field-b", &log));
        }
        assert_eq!(*log.borrow(), ["field-a", "field-b", "second", "first"]);
    }

    #[test]
    fn defer_runs_on_early_return_and_disarm_cancels_it() {
        let log = RefCell::new(Vec::new());
        let work = |fail: bool| -> Result<(), ()> {
            let _cleanup = Defer::new(|| log.borrow_mut().push("cleanup"));
            if fail {
                return Err(());
            }
            log.borrow_mut().push("work");
            Ok(())
        };
        assert!(work(true).is_err());
        assert!(work(false).is_ok());
        Defer::new(|| log.borrow_mut().push("never")).disarm();
        assert_eq!(*log.borrow(), ["cleanup", "work", "cleanup"]);
    }

    #[test]
    fn let_underscore_drops_the_guard_immediately() {
        let log = RefCell::new(Vec::new());
        {
            let _ = Noisy("dropped at once", &log);
            log.borrow_mut().push("body");
            let _kept = Noisy("dropped at end", &log);
            log.borrow_mut().push("more body");
        }
        assert_eq!(*log.borrow(), ["dropped at once", "body", "more body", "dropped at end"]);
    }

    #[test]
    fn committed_transaction_is_not_rolled_back() {
        let store = Store::default();
        assert_eq!(apply_all(&store, &["a", "b"]), Ok(()));
        assert_eq!(store.committed(), ["a", "b"]);
        assert_eq!(store.rollbacks(), 0);
    }

    #[test]
    fn early_return_rolls_back_without_an_explicit_call() {
        let store = Store::default();
        assert!(apply_all(&store, &["a", "", "c"]).is_err());
        assert!(store.committed().is_empty());
        assert_eq!(store.rollbacks(), 1);
    }

    #[test]
    fn a_panic_unwinds_through_drop_and_catch_unwind_stops_it() {
        let store = Store::default();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut tx = store.begin();
            tx.write("half done");
            panic!("handler bug");
        }));
        let payload = outcome.expect_err("the panic is caught at the boundary");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"handler bug"));
        assert_eq!(store.rollbacks(), 1, "Drop ran during unwinding");
        assert!(store.committed().is_empty());
    }

    #[test]
    fn a_destructor_panic_outside_unwinding_is_an_ordinary_panic() {
        let outcome = catch_unwind(|| drop(StrictGuard::new()));
        assert!(outcome.is_err());
        assert!(catch_unwind(|| StrictGuard::new().finish()).is_ok());
    }

    #[test]
    fn a_destructor_stays_quiet_while_the_thread_is_already_panicking() {
        // Were StrictGuard to panic here too, the process would abort instead of returning Err.
        let outcome = catch_unwind(|| {
            let _guard = StrictGuard::new();
            panic!("first panic");
        });
        let payload = outcome.expect_err("one panic, caught");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"first panic"));
    }

    #[test]
    fn mem_forget_skips_drop() {
        let store = Store::default();
        std::mem::forget(store.begin());
        assert_eq!(store.rollbacks(), 0, "leaked, never dropped");
    }
}

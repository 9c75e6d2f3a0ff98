//! # No garbage collector: what Rust does instead
//!
//! ## Why interviewers ask this
//! Go engineers know the GC: allocation is cheap, memory is reclaimed "later", and p99
//! latency pays for it (GC assist, stop-the-world phases, `GOGC`/`GOMEMLIMIT` tuning). The
//! interview question is what replaces it in Rust, what that costs, and where the familiar
//! problems reappear in another form (leaks, big drops, fragmentation).
//!
//! ## How it works
//! - **Ownership decides lifetime at compile time.** Each value has one owner; when the owner
//!   goes out of scope the compiler inserts the `drop` call. No tracing, no write barriers,
//!   no pauses — and deterministic: [`Resource`]s in the tests are released at an exact,
//!   predictable line, which is what makes RAII work for files, sockets and locks too (a GC
//!   finalizer runs "eventually", maybe never).
//! - **Borrowing** replaces the GC's "keep it alive while anyone points at it": references
//!   are checked to end before the owner does, so there is nothing to trace.
//! - **Reference counting** (`Rc`/`Arc`) where ownership is genuinely shared: freed at the
//!   last release, deterministic, but cycles leak (see `memory::smart_pointers`) and `Arc`
//!   costs an atomic operation per clone/drop.
//! - **Arenas and pools** (see `memory::arena`, `memory::object_pool`) for many short-lived
//!   objects — the pattern a generational GC is good at.
//! - Costs move rather than vanish: freeing happens on the dropping thread, and dropping a
//!   huge structure (a million-entry map) is a pause of its own. When it matters, hand the
//!   value to another thread to drop ([`drop_in_background`]). Allocation is a `malloc`
//!   call (jemalloc/mimalloc for fragmentation-heavy workloads); reusing buffers
//!   (`clear()` keeps capacity) avoids it in hot loops ([`reuse_buffer`]).
//!
//! ## Common pitfalls
//! - Expecting a leak to be impossible: `Rc` cycles, `mem::forget`, growing caches and
//!   never-drained channels all leak without any `unsafe`.
//! - Cloning to escape the borrow checker: the "GC tax" paid in copies instead.
//! - Dropping a giant structure on a latency-critical path (end of a request handler).
//! - Measuring memory with RSS only: freed memory often stays in the allocator.
//!
//! ## Key takeaways
//! - Lifetimes are decided by scopes and moves at compile time; destruction is immediate and
//!   deterministic.
//! - Shared ownership is opt-in (`Rc`/`Arc`) and visible; cycles need `Weak`.
//! - Predictable latency, but you own the cost of each free, wherever it happens.
//!
//! ## Break it
//! No patch of its own: the failures this lesson is about are exercised elsewhere.
//! `breaks/memory_smart_pointers.patch` creates the reference cycle that reference counting
//! cannot free (a drop counter catches the leak) and `breaks/lang_ownership.patch` keeps a
//! reference across a reallocation (the compiler rejects the use-after-free, E0502).
//!
//! ## Interview questions
//! - *How does Rust manage memory without a GC?* — Ownership: a single owner per value,
//!   destruction at end of scope, moves transfer ownership, borrows are checked not to
//!   outlive owners; `Rc`/`Arc` for shared ownership.
//! - *Is reference counting a GC?* — A simple form of one (no tracing, no cycle collection);
//!   Rust uses it only where you ask for it.
//! - *What are the advantages over Go's GC?* — No pauses or GC CPU, deterministic release of
//!   non-memory resources, lower memory overhead (no headroom for the collector). Costs:
//!   a stricter programming model, and freeing work done on the application's threads.
//! - *Can Rust have memory leaks?* — Yes, safely: cycles, `forget`, `Box::leak`, unbounded
//!   collections. Leaks aren't undefined behaviour, so the compiler doesn't prevent them.

use std::cell::RefCell;
use std::rc::Rc;

/// A resource that writes into a shared log when it is released.
pub struct Resource {
    name: &'static str,
    log: Rc<RefCell<Vec<&'static str>>>,
}

impl Resource {
    pub fn open(name: &'static str, log: &Rc<RefCell<Vec<&'static str>>>) -> Self {
        log.borrow_mut().push(name);
        Self { name, log: log.clone() }
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        self.log.borrow_mut().push("closed");
        self.log.borrow_mut().push(self.name);
    }
}

/// Moves `value` to a helper thread that drops it there, so the caller doesn't pay for the
/// deallocation. Returns the thread's handle (join it to know the memory is freed).
pub fn drop_in_background<T: Send + 'static>(value: T) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || drop(value))
}

/// Renders `lines` through one reused buffer: one allocation however many lines.
pub fn reuse_buffer(lines: &[&str]) -> (usize, usize) {
    let mut buffer = String::with_capacity(64);
    let mut total = 0;
    let mut reallocations = 0;
    for line in lines {
        let capacity = buffer.capacity();
        buffer.clear(); // keeps the capacity
        buffer.push_str("> ");
        buffer.push_str(line);
        if buffer.capacity() != capacity {
            reallocations += 1;
        }
        total += buffer.len();
    }
    (total, reallocations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_freed_exactly_when_their_owner_goes_away() {
        let log = Rc::default();
        {
            let _first = Resource::open("first", &log);
            {
                let _second = Resource::open("second", &log);
            } // `second` is released here, not "at the next collection"
            log.borrow_mut().push("between");
        }
        let expected = ["first", "second", "closed", "second", "between", "closed", "first"];
        assert_eq!(*log.borrow(), expected);
    }

    #[test]
    fn moving_a_value_moves_the_moment_it_is_freed() {
        let log = Rc::default();
        let consume = |resource: Resource| drop(resource);
        let resource = Resource::open("conn", &log);
        log.borrow_mut().push("before call");
        consume(resource);
        log.borrow_mut().push("after call");
        assert_eq!(*log.borrow(), ["conn", "before call", "closed", "conn", "after call"]);
    }

    #[test]
    fn temporaries_are_freed_at_the_end_of_their_statement() {
        let log = Rc::default();
        let name_len = Resource::open("temp", &log).name.len();
        log.borrow_mut().push("next statement");
        assert_eq!(name_len, 4);
        assert_eq!(*log.borrow(), ["temp", "closed", "temp", "next statement"]);
    }

    #[test]
    fn a_large_value_can_be_dropped_off_the_hot_path() {
        let big: Vec<Vec<u8>> = (0..10_000).map(|i| vec![0; i % 64]).collect();
        let marker = std::sync::Arc::new(());
        let tracked = (big, marker.clone());
        let dropper = drop_in_background(tracked);
        dropper.join().expect("dropping does not panic");
        assert_eq!(std::sync::Arc::strong_count(&marker), 1, "freed on the helper thread");
    }

    #[test]
    fn a_reused_buffer_allocates_once_for_many_lines() {
        let lines = vec!["short line"; 1_000];
        let (total, reallocations) = reuse_buffer(&lines);
        assert_eq!(total, 12 * 1_000);
        assert_eq!(reallocations, 0);
    }
}

//! # A tiny single-threaded executor with timers on a virtual clock
//!
//! ## Why interviewers ask this
//! "How would you write an executor?" checks whether you understand the other half of the
//! `Future` contract: something must hold the tasks, poll the woken ones, and sleep when
//! nothing is ready. Writing one in ~150 lines removes the mystery from tokio, and the same
//! design — a run queue fed by wakers, a timer heap, "advance time to the next timer when
//! idle" — is exactly how tokio's paused test clock and simulators like madsim work.
//!
//! ## How it works
//! - **Tasks**: each spawned future is boxed and pinned in a map keyed by [`TaskId`].
//! - **Run queue**: a waker is an `Arc<TaskWaker>` holding the task's id and the shared queue;
//!   `wake()` pushes the id. The executor pops ids and polls those tasks only — never the
//!   others (no busy polling; [`RunReport::polls`] proves it).
//! - **Timers**: [`Handle::sleep`] returns a future that, on first poll, registers
//!   `(deadline, sequence) → waker` in a `BTreeMap` and returns `Pending`. When the run queue
//!   is empty, the executor **jumps the virtual clock** to the earliest deadline and wakes
//!   every timer due — so a program that "sleeps" for an hour finishes instantly and in
//!   the same order on every run (ties broken by registration order).
//! - **Stall detection**: if nothing is runnable and no timer is pending but tasks remain,
//!   nothing can ever wake them: [`Executor::run`] returns [`Stalled`] instead of hanging —
//!   a deadlock reported, not suffered.
//! - [`JoinHandle`] is itself a future: the task writes its output into a shared slot and
//!   wakes whoever awaits the handle.
//! - Deliberately single-threaded: futures need not be `Send`, the timer state is an
//!   `Rc<RefCell<…>>`. (Wakers must still be `Send + Sync` by `std`'s contract, hence the
//!   `Arc<Mutex<VecDeque>>` queue.)
//!
//! ## Common pitfalls
//! - Polling every task in a loop instead of only woken ones: correct, and 100% CPU.
//! - Losing wake-ups that arrive *while* a task is being polled: the waker must queue the
//!   id even then, so the task is polled again.
//! - Firing timers in insertion order instead of deadline order, or skipping equal deadlines.
//! - Advancing the clock while runnable tasks remain: time would pass "during" computation.
//!
//! ## Key takeaways
//! - Executor = task storage + run queue fed by wakers + a reactor (here: timers).
//! - Idle + pending timers ⇒ advance virtual time; idle + no timers ⇒ stalled.
//! - A virtual clock makes async tests instant and deterministic.
//!
//! ## Break it
//! `breaks/async_tiny_executor.patch` fires the *latest* timer first (`pop_last` instead of
//! `pop_first`). `scripts/break-it.sh async_tiny_executor`:
//! `sleeping_tasks_wake_in_deadline_order_and_time_jumps` fails — the clock jumps straight
//! to the 30 ms timer, and the tasks that asked for 10 ms and 20 ms wake 20 and 10 ms late.
//!
//! ## Interview questions
//! - *What does an executor do?* — Stores tasks, polls those whose wakers fired, parks when
//!   none did, and integrates a reactor (I/O readiness via epoll/kqueue, timers).
//! - *How does a waker find its task?* — It carries the task's identity (an id or a pointer
//!   to the task header) and a handle to the run queue; waking enqueues it.
//! - *How does tokio's paused clock work?* — When every task is idle, time auto-advances to
//!   the next timer — the same rule as here.
//! - *Why might a single-threaded executor be preferable?* — No `Send` bounds, no
//!   synchronisation, deterministic order: good for simulations, embedded, and per-core
//!   designs (thread-per-core runtimes like glommio, monoio).

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

pub type TaskId = u64;
type BoxedTask = Pin<Box<dyn Future<Output = ()>>>;

struct TaskWaker {
    id: TaskId,
    queue: Arc<Mutex<VecDeque<TaskId>>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.queue.lock().expect("queue lock is never poisoned").push_back(self.id);
    }
}

#[derive(Default)]
struct Timers {
    now_ms: u64,
    next_sequence: u64,
    pending: BTreeMap<(u64, u64), Waker>,
}

#[derive(Default)]
struct Shared {
    timers: RefCell<Timers>,
    spawned: RefCell<Vec<(TaskId, BoxedTask)>>,
    next_id: std::cell::Cell<TaskId>,
}

/// Cloneable access to the executor from inside tasks: spawn, sleep, read the clock.
#[derive(Clone)]
pub struct Handle {
    shared: Rc<Shared>,
}

impl Handle {
    pub fn now_ms(&self) -> u64 {
        self.shared.timers.borrow().now_ms
    }

    /// A future that completes when the virtual clock reaches now + `duration_ms`.
    pub fn sleep(&self, duration_ms: u64) -> Sleep {
        Sleep { deadline_ms: self.now_ms() + duration_ms, shared: self.shared.clone(), registered: false }
    }

    pub fn spawn<T: 'static>(&self, future: impl Future<Output = T> + 'static) -> JoinHandle<T> {
        let slot = Rc::new(RefCell::new(JoinSlot { output: None, waiter: None }));
        let writer = slot.clone();
        let task = async move {
            let output = future.await;
            let waiter = {
                let mut slot = writer.borrow_mut();
                slot.output = Some(output);
                slot.waiter.take()
            };
            if let Some(waiter) = waiter {
                waiter.wake();
            }
        };
        let id = self.shared.next_id.get();
        self.shared.next_id.set(id + 1);
        self.shared.spawned.borrow_mut().push((id, Box::pin(task)));
        JoinHandle { slot }
    }
}

/// Returned by [`Handle::sleep`].
pub struct Sleep {
    deadline_ms: u64,
    shared: Rc<Shared>,
    registered: bool,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut timers = self.shared.timers.borrow_mut();
        if timers.now_ms >= self.deadline_ms {
            return Poll::Ready(());
        }
        if !self.registered {
            let sequence = timers.next_sequence;
            timers.next_sequence += 1;
            timers.pending.insert((self.deadline_ms, sequence), cx.waker().clone());
            drop(timers);
            self.registered = true;
        }
        Poll::Pending
    }
}

struct JoinSlot<T> {
    output: Option<T>,
    waiter: Option<Waker>,
}

/// Resolves to the spawned task's output.
pub struct JoinHandle<T> {
    slot: Rc<RefCell<JoinSlot<T>>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.slot.borrow_mut();
        match slot.output.take() {
            Some(output) => Poll::Ready(output),
            None => {
                slot.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// What a completed run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    pub final_time_ms: u64,
    pub polls: u64,
}

/// Tasks remain but nothing can ever wake them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stalled {
    pub pending_tasks: usize,
    pub at_ms: u64,
}

/// A single-threaded executor driven by wakers and a virtual clock.
pub struct Executor {
    shared: Rc<Shared>,
    tasks: BTreeMap<TaskId, BoxedTask>,
    queue: Arc<Mutex<VecDeque<TaskId>>>,
    max_polls: u64,
}

impl Default for Executor {
    fn default() -> Self {
        Self { shared: Rc::default(), tasks: BTreeMap::new(), queue: Arc::default(), max_polls: 1_000_000 }
    }
}

impl Executor {
    pub fn handle(&self) -> Handle {
        Handle { shared: self.shared.clone() }
    }

    /// Runs until every task finished (`Ok`) or the remaining ones can never wake (`Err`).
    pub fn run(&mut self) -> Result<RunReport, Stalled> {
        let mut polls = 0;
        loop {
            self.admit_spawned();
            let next = self.queue.lock().expect("queue lock is never poisoned").pop_front();
            if let Some(id) = next {
                // A task can be queued twice (woken twice) or after it finished; skip those.
                let Some(task) = self.tasks.get_mut(&id) else {
                    continue;
                };
                let waker = Waker::from(Arc::new(TaskWaker { id, queue: self.queue.clone() }));
                polls += 1;
                assert!(polls <= self.max_polls, "poll budget exhausted: a task keeps waking itself");
                if task.as_mut().poll(&mut Context::from_waker(&waker)).is_ready() {
                    self.tasks.remove(&id);
                }
                continue;
            }
            if self.tasks.is_empty() {
                return Ok(RunReport { final_time_ms: self.handle().now_ms(), polls });
            }
            if !self.fire_next_timers() {
                return Err(Stalled { pending_tasks: self.tasks.len(), at_ms: self.handle().now_ms() });
            }
        }
    }

    /// Spawns `future`, runs everything, and returns the future's output.
    pub fn block_on<T: 'static>(&mut self, future: impl Future<Output = T> + 'static) -> Result<T, Stalled> {
        let mut handle = self.handle().spawn(future);
        self.run()?;
        let (_, waker) = super::future_poll_waker::CountingWaker::new();
        match Pin::new(&mut handle).poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(output) => Ok(output),
            Poll::Pending => unreachable!("run() returned Ok, so every task finished"),
        }
    }

    fn admit_spawned(&mut self) {
        let spawned = std::mem::take(&mut *self.shared.spawned.borrow_mut());
        let mut queue = self.queue.lock().expect("queue lock is never poisoned");
        for (id, task) in spawned {
            self.tasks.insert(id, task);
            queue.push_back(id);
        }
    }

    /// Jumps the clock to the earliest deadline and wakes every timer due then.
    fn fire_next_timers(&mut self) -> bool {
        let mut timers = self.shared.timers.borrow_mut();
        let Some(((deadline_ms, _), waker)) = timers.pending.pop_first() else {
            return false;
        };
        debug_assert!(deadline_ms >= timers.now_ms, "virtual time never goes backwards");
        timers.now_ms = deadline_ms;
        let mut due = vec![waker];
        while timers.pending.first_key_value().is_some_and(|(&(at, _), _)| at <= deadline_ms) {
            due.push(timers.pending.pop_first().expect("checked non-empty").1);
        }
        drop(timers);
        due.into_iter().for_each(Waker::wake);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::future_poll_waker::oneshot;
    use super::*;

    type Log = Rc<RefCell<Vec<(u64, &'static str)>>>;

    #[test]
    fn sleeping_tasks_wake_in_deadline_order_and_time_jumps() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let log: Log = Rc::default();
        for (name, ms) in [("slow", 30), ("fast", 10), ("medium", 20)] {
            let (handle_in, log) = (handle.clone(), log.clone());
            handle.spawn(async move {
                handle_in.sleep(ms).await;
                log.borrow_mut().push((handle_in.now_ms(), name));
            });
        }
        let report = executor.run().expect("all tasks finish");
        assert_eq!(*log.borrow(), [(10, "fast"), (20, "medium"), (30, "slow")]);
        assert_eq!(report.final_time_ms, 30, "an hour of sleeps would also take no real time");
    }

    #[test]
    fn tasks_interleave_at_their_awaits_deterministically() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let log: Log = Rc::default();
        for (name, period) in [("a", 10), ("b", 15)] {
            let (handle_in, log) = (handle.clone(), log.clone());
            handle.spawn(async move {
                for _ in 0..3 {
                    handle_in.sleep(period).await;
                    log.borrow_mut().push((handle_in.now_ms(), name));
                }
            });
        }
        executor.run().expect("all tasks finish");
        // At 30 ms both are due; b registered its timer first (at 15 ms), so b runs first.
        let expected = [(10, "a"), (15, "b"), (20, "a"), (30, "b"), (30, "a"), (45, "b")];
        assert_eq!(*log.borrow(), expected);
    }

    #[test]
    fn a_sleeping_task_is_polled_only_when_its_timer_fires() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let inner = handle.clone();
        handle.spawn(async move { inner.sleep(1_000_000).await });
        let report = executor.run().expect("finishes");
        assert_eq!(report.polls, 2, "once to register the timer, once when it fired");
        assert_eq!(report.final_time_ms, 1_000_000);
    }

    #[test]
    fn join_handles_return_outputs_and_tasks_can_spawn_tasks() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let total = executor.block_on(async move {
            let children: Vec<_> = (1..=3_u64)
                .map(|n| {
                    let inner = handle.clone();
                    handle.spawn(async move {
                        inner.sleep(n * 5).await;
                        n * 100
                    })
                })
                .collect();
            let mut total = 0;
            for child in children {
                total += child.await;
            }
            total
        });
        assert_eq!(total, Ok(600));
    }

    #[test]
    fn tasks_talk_through_a_hand_written_oneshot() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let (sender, receiver) = oneshot();
        let inner = handle.clone();
        handle.spawn(async move {
            inner.sleep(25).await;
            sender.send(inner.now_ms());
        });
        assert_eq!(executor.block_on(receiver), Ok(Ok(25)));
    }

    #[test]
    fn a_task_nobody_can_wake_is_reported_as_stalled_not_hung() {
        let mut executor = Executor::default();
        let handle = executor.handle();
        let (sender, receiver) = oneshot::<u8>();
        let inner = handle.clone();
        handle.spawn(async move {
            inner.sleep(5).await;
            let _ = receiver.await; // the sender is alive but never sends
        });
        assert_eq!(executor.run(), Err(Stalled { pending_tasks: 1, at_ms: 5 }));
        drop(sender);
    }
}

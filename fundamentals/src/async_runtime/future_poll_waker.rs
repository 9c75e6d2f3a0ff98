//! # `Future`, `poll`, `Waker`: how async works underneath
//!
//! ## Why interviewers ask this
//! Go hides its scheduler: a goroutine blocks and the runtime parks it. Rust's async is a
//! library-level protocol you can see and implement, and interviewers ask about it to check
//! that `async` is not magic to you: what `poll` returns, who calls it again and when, why
//! futures are lazy, and why an async fn's future can be large.
//!
//! ## How it works
//! - A `Future` has one method: `poll(self: Pin<&mut Self>, cx: &mut Context) ->
//!   Poll<Output>`. `Ready(v)` means done; `Pending` means "not yet — and I have arranged for
//!   `cx.waker()` to be woken when it is worth polling me again".
//! - The **waker** is the executor's callback: waking it puts the task back on the run queue.
//!   A future that returns `Pending` without storing the waker (or waking it) is never polled
//!   again: a hang with no error. [`Oneshot`] stores the latest waker; [`Sender::send`] wakes
//!   it. [`YieldNow`] wakes itself immediately — "reschedule me".
//! - **Futures are lazy**: nothing runs until the first poll. `async fn f()` returns a state
//!   machine; each `.await` is a state; locals alive across an `.await` are stored in it
//!   (which is why holding a big buffer across `.await` makes the future big, and why a
//!   `MutexGuard` held across one makes it `!Send`).
//! - `Pin` exists because those state machines may hold references into themselves; once
//!   polled they must not move.
//! - Combinators are just futures polling futures: [`Join2`] polls both children and is ready
//!   when both are.
//!
//! ## Common pitfalls
//! - Returning `Pending` without registering the waker: the task sleeps forever.
//! - Keeping only the *first* waker: a task moved between executor threads gets a new waker;
//!   store the latest (`will_wake` avoids needless clones).
//! - Busy-polling (waking on every poll) instead of waking on the event: 100% CPU.
//! - Expensive work in `poll`: it runs on the executor's thread and blocks every other task.
//!
//! ## Key takeaways
//! - `poll` → `Ready` or `Pending` + a promise to wake; the executor re-polls only woken tasks.
//! - `async fn` = a compiler-generated state machine; awaits are its states.
//! - Futures do nothing until polled, and stop when dropped.
//!
//! ## Break it
//! `breaks/async_future_poll_waker.patch` makes `Sender::send` store the value without
//! waking the receiver. `scripts/break-it.sh async_future_poll_waker`:
//! `sending_wakes_the_waiting_receiver` fails (zero wakes) — in a real executor the receiving
//! task would never be polled again and would hang silently.
//!
//! ## Interview questions
//! - *What does `poll` return, and what must a future do before returning `Pending`?* —
//!   `Poll::Ready(output)` or `Poll::Pending`; before `Pending` it must ensure the waker from
//!   the current `Context` will be woken when progress is possible.
//! - *Why are Rust futures lazy while JS promises are eager?* — A future is a value; polling
//!   drives it. This allows zero-allocation composition and cancellation by dropping.
//! - *What is `Pin` for?* — Guaranteeing a self-referential future is not moved after it
//!   started, so internal references stay valid.
//! - *How is this different from goroutines?* — Goroutines are stackful and preempted by the
//!   runtime; Rust tasks are stackless state machines that yield only at `.await`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts how often it was woken; lets tests drive futures by hand.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    pub fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// Returns `Pending` `times` times, waking itself each time: "let others run first".
#[derive(Debug)]
pub struct YieldNow {
    remaining: u32,
}

impl YieldNow {
    pub fn times(remaining: u32) -> Self {
        Self { remaining }
    }
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.remaining == 0 {
            return Poll::Ready(());
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref(); // ready to continue at once: just go to the back of the queue
        Poll::Pending
    }
}

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
    sender_gone: bool,
}

/// The sending half of a one-value channel.
pub struct Sender<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The receiving half: a future that resolves to the sent value.
pub struct Oneshot<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

pub fn oneshot<T>() -> (Sender<T>, Oneshot<T>) {
    let slot = Arc::new(Mutex::new(Slot { value: None, waker: None, sender_gone: false }));
    (Sender { slot: slot.clone() }, Oneshot { slot })
}

impl<T> Sender<T> {
    pub fn send(self, value: T) {
        let waker = {
            let mut slot = self.slot.lock().expect("slot lock is never poisoned");
            slot.value = Some(value);
            slot.waker.take()
        };
        // Wake outside the lock: the woken task may be polled on another thread right away.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.slot.lock().expect("slot lock is never poisoned");
            slot.sender_gone = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake(); // so the receiver can observe `Canceled` instead of waiting forever
        }
    }
}

impl<T> Future for Oneshot<T> {
    type Output = Result<T, Canceled>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().expect("slot lock is never poisoned");
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Ok(value));
        }
        if slot.sender_gone {
            return Poll::Ready(Err(Canceled));
        }
        // Keep the most recent waker: the task may have moved since the last poll.
        match &slot.waker {
            Some(existing) if existing.will_wake(cx.waker()) => {}
            _ => slot.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// Polls two futures until both are done; the output pairs their results.
pub struct Join2<A: Future, B: Future> {
    a: Pin<Box<A>>,
    b: Pin<Box<B>>,
    a_out: Option<A::Output>,
    b_out: Option<B::Output>,
}

pub fn join2<A: Future, B: Future>(a: A, b: B) -> Join2<A, B> {
    Join2 { a: Box::pin(a), b: Box::pin(b), a_out: None, b_out: None }
}

impl<A: Future, B: Future> Future for Join2<A, B>
where
    A::Output: Unpin,
    B::Output: Unpin,
{
    type Output = (A::Output, B::Output);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if this.a_out.is_none() {
            if let Poll::Ready(out) = this.a.as_mut().poll(cx) {
                this.a_out = Some(out);
            }
        }
        if this.b_out.is_none() {
            if let Poll::Ready(out) = this.b.as_mut().poll(cx) {
                this.b_out = Some(out);
            }
        }
        if this.a_out.is_some() && this.b_out.is_some() {
            Poll::Ready((this.a_out.take().expect("checked"), this.b_out.take().expect("checked")))
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn yield_now_is_pending_then_ready_and_wakes_itself_each_time() {
        let (counter, waker) = CountingWaker::new();
        let mut future = YieldNow::times(2);
        assert_eq!(poll_once(&mut future, &waker), Poll::Pending);
        assert_eq!(poll_once(&mut future, &waker), Poll::Pending);
        assert_eq!(poll_once(&mut future, &waker), Poll::Ready(()));
        assert_eq!(counter.wakes(), 2);
    }

    #[test]
    fn sending_wakes_the_waiting_receiver() {
        let (counter, waker) = CountingWaker::new();
        let (sender, mut receiver) = oneshot();
        assert_eq!(poll_once(&mut receiver, &waker), Poll::Pending);
        assert_eq!(counter.wakes(), 0, "nothing to do yet: no busy polling");
        sender.send("hello");
        assert_eq!(counter.wakes(), 1, "the stored waker was woken");
        assert_eq!(poll_once(&mut receiver, &waker), Poll::Ready(Ok("hello")));
    }

    #[test]
    fn the_latest_waker_is_the_one_woken() {
        let (first, first_waker) = CountingWaker::new();
        let (second, second_waker) = CountingWaker::new();
        let (sender, mut receiver) = oneshot::<u8>();
        assert!(poll_once(&mut receiver, &first_waker).is_pending());
        assert!(poll_once(&mut receiver, &second_waker).is_pending()); // task moved
        sender.send(1);
        assert_eq!((first.wakes(), second.wakes()), (0, 1));
    }

    #[test]
    fn a_dropped_sender_resolves_the_receiver_with_canceled() {
        let (counter, waker) = CountingWaker::new();
        let (sender, mut receiver) = oneshot::<u8>();
        assert!(poll_once(&mut receiver, &waker).is_pending());
        drop(sender);
        assert_eq!(counter.wakes(), 1);
        assert_eq!(poll_once(&mut receiver, &waker), Poll::Ready(Err(Canceled)));
    }

    #[test]
    fn futures_are_lazy_until_polled() {
        let ran = Cell::new(false);
        let future = async { ran.set(true) };
        assert!(!ran.get(), "creating the future ran nothing");
        let (_, waker) = CountingWaker::new();
        let mut future = Box::pin(future);
        assert!(future.as_mut().poll(&mut Context::from_waker(&waker)).is_ready());
        assert!(ran.get());
    }

    #[test]
    fn join_is_ready_only_when_both_children_are() {
        let (_, waker) = CountingWaker::new();
        let (sender, receiver) = oneshot::<u32>();
        let mut joined = Box::pin(join2(async { 1 }, receiver));
        assert!(joined.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        sender.send(2);
        assert_eq!(joined.as_mut().poll(&mut Context::from_waker(&waker)), Poll::Ready((1, Ok(2))));
    }

    #[test]
    fn locals_held_across_an_await_live_inside_the_future() {
        async fn held_across_await() -> u8 {
            let buffer = [7_u8; 4096];
            YieldNow::times(1).await;
            buffer[0]
        }
        async fn dropped_before_await() -> u8 {
            let first = [7_u8; 4096][0];
            YieldNow::times(1).await;
            first
        }
        assert!(std::mem::size_of_val(&held_across_await()) >= 4096);
        assert!(std::mem::size_of_val(&dropped_before_await()) < 64);
    }
}

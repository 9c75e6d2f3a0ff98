//! A madsim sleep that registers its timer once.
//!
//! madsim's `Sleep` adds a new entry to the simulator's timer heap every time it is polled
//! while pending, and the heap cannot cancel entries: a sleep raced against a busy future (a
//! call's timeout against the call, a host's next timer against its inbox) is polled at every
//! wake of the other side and leaves an entry behind each time. Measured on the rate limiter,
//! that heap work was the largest single cost of a madsim run (`naive_timer::Timer::expire`).
//! This wrapper polls madsim's `Sleep` once, with a waker that forwards to whichever task
//! polled last, so each sleep costs one timer entry however often it is polled.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

pub struct OnceSleep {
    inner: madsim::time::Sleep,
    /// Set once the timer is registered: the waker its firing will wake.
    forward: Option<Arc<Forward>>,
}

/// The waker madsim's timer holds; it wakes the task that polled the sleep last.
struct Forward(Mutex<Option<Waker>>);

impl Forward {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Waker>> {
        // Nothing panics while the slot is locked.
        self.0.lock().expect("the waker slot is never poisoned")
    }
}

impl Wake for Forward {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(waker) = self.slot().take() {
            waker.wake();
        }
    }
}

/// Waits `duration` of simulated time (at least 1 ms, as madsim's and tokio's sleeps do).
pub fn sleep(duration: Duration) -> OnceSleep {
    OnceSleep { inner: madsim::time::sleep(duration), forward: None }
}

impl Future for OnceSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.inner.is_elapsed() {
            return Poll::Ready(());
        }
        match &this.forward {
            Some(forward) => {
                let mut slot = forward.slot();
                if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *slot = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            None => {
                let forward = Arc::new(Forward(Mutex::new(Some(cx.waker().clone()))));
                let waker = Waker::from(Arc::clone(&forward));
                let polled = Pin::new(&mut this.inner).poll(&mut Context::from_waker(&waker));
                this.forward = Some(forward);
                polled
            }
        }
    }
}

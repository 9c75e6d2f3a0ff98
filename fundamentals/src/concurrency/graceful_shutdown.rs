//! # Graceful shutdown: stop accepting, drain in-flight work, bound the grace period
//!
//! ## Why interviewers ask this
//! Every deploy restarts every instance. A server that exits on SIGTERM drops the requests it
//! was serving — failed payments, half-written uploads, retries stampeding the other
//! instances. Go has `http.Server.Shutdown(ctx)`; interviewers ask what it does and how you'd
//! build it: stop accepting, finish in-flight work, give up after a deadline.
//!
//! ## How it works
//! [`Server::run`] owns an accept loop and a `JoinSet` of request handlers:
//! 1. **Serve**: a biased `select!` waits for the shutdown token, a new request, or a
//!    finished handler (reaped so the set doesn't grow without bound).
//! 2. **Stop accepting**: on shutdown, `requests.close()` makes further sends fail (the
//!    listener socket is closed); requests already queued but not started get an explicit
//!    `ShuttingDown` reply (HTTP 503 + `Connection: close`), not silence.
//! 3. **Drain**: wait for in-flight handlers to finish — but at most `grace` (virtual) ms,
//!    measured from the shutdown signal.
//! 4. **Give up**: handlers still running at the deadline are aborted (dropping their reply
//!    channel, so their clients see a failure) and counted in the [`ShutdownReport`].
//!
//! In production the shutdown token is cancelled from a SIGTERM handler, the load balancer
//! first stops routing to the instance (readiness probe fails), and `grace` is a bit less
//! than the orchestrator's kill timeout (Kubernetes: `terminationGracePeriodSeconds`, 30 s).
//!
//! ## Common pitfalls
//! - Exiting `main` while spawned tasks still run: the runtime drops them mid-request.
//! - Draining without a deadline: one stuck request blocks the deploy until SIGKILL,
//!   which then loses everything at once.
//! - Closing the listener *after* waiting: new requests keep arriving during the drain.
//! - Forgetting background tasks (metrics flushers, consumers): they need the same token.
//!
//! ## Key takeaways
//! - Order: stop accepting → reply "shutting down" to queued work → drain with a deadline →
//!   abort stragglers → exit.
//! - Every task belongs to a set the shutdown path waits on; nothing is detached.
//! - The grace period is a budget, enforced with a timeout on the virtual clock in tests.
//!
//! ## Break it
//! `breaks/concurrency_graceful_shutdown.patch` skips the drain: the server aborts every
//! in-flight handler as soon as shutdown starts. `scripts/break-it.sh
//! concurrency_graceful_shutdown`: `in_flight_requests_finish_after_shutdown_starts` fails —
//! the two requests that were being served get no response, which is what a deploy without
//! graceful shutdown does to real users.
//!
//! ## Interview questions
//! - *What does graceful shutdown involve?* — Fail readiness so traffic stops, stop
//!   accepting, finish or hand back in-flight work within a deadline, flush buffers and
//!   close connections, then exit.
//! - *How do you implement it with tokio?* — A `CancellationToken` (or `watch` channel)
//!   signalled from `tokio::signal`, a `select!` in the accept loop, a `JoinSet` or
//!   `TaskTracker` for handlers, `timeout(grace, drain)`, then `abort_all`.
//! - *What about long-lived connections (WebSockets, gRPC streams)?* — Tell clients to
//!   reconnect (close frame, HTTP/2 GOAWAY), then drain with the same deadline.
//! - *How does it interact with retries?* — Requests refused during shutdown must be
//!   retryable (503) and idempotent, so the client can safely resend them elsewhere.

use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    Done { id: u32 },
    ShuttingDown { id: u32 },
}

/// A request that takes `work_ms` of virtual time to serve.
#[derive(Debug)]
pub struct Request {
    pub id: u32,
    pub work_ms: u64,
    pub reply: oneshot::Sender<Response>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Handlers that finished and replied (before or during the drain).
    pub completed: u32,
    /// Queued requests answered with `ShuttingDown` instead of being served.
    pub refused: u32,
    /// Handlers still running when the grace period ran out.
    pub aborted: u32,
}

pub struct Server {
    pub grace: Duration,
}

impl Server {
    /// Serves until `shutdown` is cancelled, then drains for at most `self.grace`.
    pub async fn run(&self, mut requests: mpsc::Receiver<Request>, shutdown: CancellationToken) -> ShutdownReport {
        let mut report = ShutdownReport::default();
        let mut handlers = JoinSet::new();
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(finished) = handlers.join_next(), if !handlers.is_empty() => {
                    finished.expect("handlers do not panic");
                    report.completed += 1;
                }
                request = requests.recv() => match request {
                    Some(request) => { handlers.spawn(serve(request)); }
                    None => break, // every client hung up
                },
            }
        }
        report.refused = refuse_queued(&mut requests);
        let mut drained = 0;
        let finished_in_time = tokio::time::timeout(self.grace, async {
            while let Some(finished) = handlers.join_next().await {
                finished.expect("handlers do not panic");
                drained += 1;
            }
        })
        .await
        .is_ok();
        report.completed += drained;
        if !finished_in_time {
            // What is left in the set is exactly the handlers that did not finish in time.
            report.aborted = handlers.len() as u32;
            handlers.abort_all();
        }
        report
    }
}

async fn serve(request: Request) {
    tokio::time::sleep(Duration::from_millis(request.work_ms)).await;
    let _ = request.reply.send(Response::Done { id: request.id }); // the client may be gone
}

/// Closes the queue to new senders and answers everything already in it.
fn refuse_queued(requests: &mut mpsc::Receiver<Request>) -> u32 {
    requests.close();
    let mut refused = 0;
    while let Ok(request) = requests.try_recv() {
        let _ = request.reply.send(Response::ShuttingDown { id: request.id });
        refused += 1;
    }
    refused
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    async fn send(queue: &mpsc::Sender<Request>, id: u32, work_ms: u64) -> oneshot::Receiver<Response> {
        let (reply, response) = oneshot::channel();
        queue.send(Request { id, work_ms, reply }).await.expect("server is accepting");
        response
    }

    fn start_server(
        grace_ms: u64,
    ) -> (mpsc::Sender<Request>, CancellationToken, tokio::task::JoinHandle<ShutdownReport>) {
        let (queue, requests) = mpsc::channel(16);
        let token = CancellationToken::new();
        let server = Server { grace: Duration::from_millis(grace_ms) };
        let handle = tokio::spawn({
            let token = token.clone();
            async move { server.run(requests, token).await }
        });
        (queue, token, handle)
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_finish_after_shutdown_starts() {
        let start = Instant::now();
        let (queue, token, server) = start_server(1_000);
        let first = send(&queue, 1, 300).await;
        let second = send(&queue, 2, 500).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        token.cancel();
        let report = server.await.unwrap();
        assert_eq!(first.await, Ok(Response::Done { id: 1 }));
        assert_eq!(second.await, Ok(Response::Done { id: 2 }));
        assert_eq!(report, ShutdownReport { completed: 2, refused: 0, aborted: 0 });
        assert_eq!(start.elapsed(), Duration::from_millis(500), "exits as soon as the drain ends");
    }

    #[tokio::test(start_paused = true)]
    async fn no_new_requests_are_accepted_once_shutdown_starts() {
        let (queue, token, server) = start_server(1_000);
        token.cancel();
        let report = server.await.unwrap();
        let (reply, _response) = oneshot::channel();
        let refused = queue.send(Request { id: 9, work_ms: 1, reply }).await;
        assert!(refused.is_err(), "the queue is closed");
        assert_eq!(report, ShutdownReport::default());
    }

    #[tokio::test(start_paused = true)]
    async fn queued_requests_get_an_explicit_shutting_down_reply() {
        let (queue, token, server) = start_server(1_000);
        token.cancel(); // cancelled before the server task has even started
        let waiting = send(&queue, 7, 10).await;
        let report = server.await.unwrap();
        assert_eq!(waiting.await, Ok(Response::ShuttingDown { id: 7 }));
        assert_eq!(report.refused, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_outliving_the_grace_period_is_aborted_at_the_deadline() {
        let start = Instant::now();
        let (queue, token, server) = start_server(200);
        let quick = send(&queue, 1, 50).await;
        let stuck = send(&queue, 2, 60_000).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        token.cancel();
        let report = server.await.unwrap();
        assert_eq!(quick.await, Ok(Response::Done { id: 1 }));
        assert!(stuck.await.is_err(), "the client sees the connection drop");
        assert_eq!(report, ShutdownReport { completed: 1, refused: 0, aborted: 1 });
        assert_eq!(start.elapsed(), Duration::from_millis(210), "shutdown at 10 ms + 200 ms grace");
    }

    #[tokio::test(start_paused = true)]
    async fn finished_handlers_are_reaped_while_serving() {
        let (queue, token, server) = start_server(1_000);
        for id in 0..5 {
            send(&queue, id, 10).await.await.expect("served");
        }
        token.cancel();
        let report = server.await.unwrap();
        assert_eq!(report.completed, 5);
    }
}

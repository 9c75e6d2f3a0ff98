//! # Middleware chains: tower `Service` and `Layer`, and why their order matters
//!
//! ## Why interviewers ask this
//! Every backend framework is a stack of middleware — logging, auth, timeouts, retries, rate
//! limits — wrapped around a handler (axum and tonic are built on tower; Express, Django and
//! gRPC interceptors are the same idea). The interesting questions are about composition:
//! is the timeout per attempt or for the whole call? Does the rate limiter count retries? Does
//! the log show one request or three attempts? Interviewers ask you to design or debug a
//! chain to see whether you can reason about the order.
//!
//! ## How it works
//! A tower [`Service`] is an async function with back-pressure: `poll_ready` (may I send?)
//! then `call(request) -> Future<Output = Result<Response, Error>>`. A [`Layer`] wraps a
//! service in another service. [`ServiceBuilder`] stacks layers **outermost first**, so
//!
//! ```text
//! ServiceBuilder::new().layer(log).layer(rate_limit).layer(retry).layer(timeout).service(backend)
//! request → log → rate_limit → retry ─┬→ timeout → backend     (attempt 1)
//!                                     └→ timeout → backend     (attempt 2, after backoff)
//! ```
//!
//! The four layers here are written by hand on `tower::{Service, Layer}` (no tower features),
//! each in a screenful, and run on tokio's **paused clock** in the tests: `sleep` and
//! `timeout` advance virtual time instantly, so a test of a 2-second timeout takes
//! microseconds and never flakes.
//! - [`LogLayer`]: records each request and its outcome with the virtual time it took.
//! - [`TimeoutLayer`]: fails with [`Error::Timeout`] if the inner call takes too long.
//! - [`RetryLayer`]: retries [retryable](Error::is_retryable) failures with doubling backoff.
//! - [`RateLimitLayer`]: a [`TokenBucket`] in front of the service; no token → immediate
//!   [`Error::RateLimited`] (load shedding), which is *not* retryable.
//!
//! What the order changes (each is a test):
//! - timeout **inside** retry bounds each attempt, so a slow first attempt is abandoned and
//!   retried; timeout **outside** retry bounds the whole call (a deadline);
//! - log **outside** retry logs one request; **inside**, one line per attempt;
//! - rate limit **outside** retry spends one token per request; **inside**, one per attempt,
//!   so retries are charged against the limit (what protects a struggling backend).
//!
//! ## Common pitfalls
//! - A total timeout placed inside the retry loop (or a per-attempt one outside it): the
//!   request either never gives up or never retries.
//! - Retrying errors that will not go away (rate limited, bad request) or non-idempotent calls.
//! - Calling a tower service without `poll_ready` first: layers that reserve capacity there
//!   (concurrency limits, buffers) are bypassed, or panic.
//! - Logging inside the retry layer and reading three failures as three user requests.
//!
//! ## Key takeaways
//! - Middleware is function composition; the order is the semantics.
//! - Outermost: observe (log, metrics, trace). Then admission (auth, rate limit). Then the
//!   deadline, the retry loop, the per-attempt timeout, and the call.
//! - Test time-based middleware on a paused clock, never with real sleeps.
//!
//! ## Break it
//! `fundamentals/breaks/patterns_middleware.patch` makes [`Error::is_retryable`] return
//! `false` for timeouts. A slow first attempt is now fatal instead of retried:
//! `a_per_attempt_timeout_inside_retry_recovers_from_a_slow_attempt` fails.
//!
//! ## Interview questions
//! - **Q: In what order would you put logging, auth, rate limiting, retries and timeouts?**
//!   A: Logging/metrics outermost (see every request and its final outcome), then auth and
//!   rate limiting (reject cheaply, before any work), then the overall deadline, the retry
//!   loop, and a per-attempt timeout innermost around the call.
//! - **Q: What is `poll_ready` for?** A: Back-pressure: a service says it cannot accept work
//!   (a full pool, an exhausted limit) before the caller builds and sends the request, so load
//!   is pushed back to the caller instead of queueing unboundedly.
//! - **Q: Why does the retry layer need `Clone` on the service and the request?** A: Each
//!   attempt needs a request to send and a ready service to send it to; the future outlives
//!   the `&mut self` borrow, so the layer clones the inner service into the future.
//! - **Q: How do you test a timeout middleware without waiting?** A: Run on a virtual clock:
//!   tokio's `start_paused` auto-advances time when every task is idle on a timer.

use crate::ratelimit::TokenBucket;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;
pub use tower::{Layer, Service, ServiceBuilder};

/// The errors every layer in this lesson speaks. One concrete type keeps the generics small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    Timeout,
    RateLimited,
    /// The backend failed; `transient` failures (503) are worth retrying, others (400) not.
    Backend {
        transient: bool,
    },
}

impl Error {
    /// Whether another attempt may succeed. Rate limiting is deliberate: retrying it defeats it.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout => true,
            Error::Backend { transient } => *transient,
            Error::RateLimited => false,
        }
    }
}

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Calls a service the way tower requires: wait until it is ready, then call it.
pub async fn ready_call<S, R>(service: &mut S, request: R) -> Result<S::Response, S::Error>
where
    S: Service<R>,
{
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

// ---------------------------------------------------------------- logging

/// Appends `"<request> -> <outcome> after <ms> ms"` lines to a shared log.
#[derive(Clone)]
pub struct LogLayer {
    pub lines: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone)]
pub struct Log<S> {
    inner: S,
    lines: Arc<Mutex<Vec<String>>>,
}

impl<S> Layer<S> for LogLayer {
    type Service = Log<S>;
    fn layer(&self, inner: S) -> Log<S> {
        Log { inner, lines: self.lines.clone() }
    }
}

impl<S, R> Service<R> for Log<S>
where
    S: Service<R, Error = Error>,
    S::Future: Send + 'static,
    S::Response: std::fmt::Debug,
    R: std::fmt::Debug,
{
    type Response = S::Response;
    type Error = Error;
    type Future = BoxFuture<Result<S::Response, Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let started = Instant::now();
        let label = format!("{request:?}");
        let lines = self.lines.clone();
        let response = self.inner.call(request);
        Box::pin(async move {
            let outcome = response.await;
            let took_ms = started.elapsed().as_millis();
            lines.lock().expect("log lock").push(format!("{label} -> {outcome:?} after {took_ms} ms"));
            outcome
        })
    }
}

// ---------------------------------------------------------------- timeout

#[derive(Clone, Copy)]
pub struct TimeoutLayer {
    pub after: Duration,
}

#[derive(Clone)]
pub struct Timeout<S> {
    inner: S,
    after: Duration,
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;
    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout { inner, after: self.after }
    }
}

impl<S, R> Service<R> for Timeout<S>
where
    S: Service<R, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = Error;
    type Future = BoxFuture<Result<S::Response, Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let response = self.inner.call(request);
        let after = self.after;
        // Dropping the inner future on timeout cancels the attempt (see concurrency::cancellation).
        Box::pin(async move { tokio::time::timeout(after, response).await.unwrap_or(Err(Error::Timeout)) })
    }
}

// ---------------------------------------------------------------- retry

#[derive(Clone, Copy)]
pub struct RetryLayer {
    pub max_attempts: u32,
    pub first_backoff: Duration,
}

#[derive(Clone)]
pub struct Retry<S> {
    inner: S,
    policy: RetryLayer,
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Retry<S> {
        Retry { inner, policy: *self }
    }
}

impl<S, R> Service<R> for Retry<S>
where
    S: Service<R, Error = Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    R: Clone + Send + 'static,
{
    type Response = S::Response;
    type Error = Error;
    type Future = BoxFuture<Result<S::Response, Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // `self.inner` was made ready by `poll_ready`; take it and leave a fresh clone behind,
        // the standard tower idiom for moving a ready service into a future.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let policy = self.policy;
        Box::pin(async move {
            let mut backoff = policy.first_backoff;
            let mut attempt = 1;
            loop {
                match ready_call(&mut inner, request.clone()).await {
                    Err(error) if error.is_retryable() && attempt < policy.max_attempts => {
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                        attempt += 1;
                    }
                    outcome => return outcome,
                }
            }
        })
    }
}

// ---------------------------------------------------------------- rate limit

/// A token bucket shared by every clone of the service (one limit per layer instance).
#[derive(Clone)]
pub struct RateLimitLayer {
    bucket: Arc<Mutex<TokenBucket>>,
    started: Instant,
}

impl RateLimitLayer {
    /// `capacity` requests at once, refilled at `per_second`; time is tokio's clock.
    pub fn new(capacity: u64, per_second: f64) -> Self {
        Self { bucket: Arc::new(Mutex::new(TokenBucket::new(capacity, per_second, 0))), started: Instant::now() }
    }
}

#[derive(Clone)]
pub struct RateLimit<S> {
    inner: S,
    limit: RateLimitLayer,
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit { inner, limit: self.clone() }
    }
}

impl<S, R> Service<R> for RateLimit<S>
where
    S: Service<R, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = Error;
    type Future = BoxFuture<Result<S::Response, Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let now_ms = self.limit.started.elapsed().as_millis() as u64;
        if !self.limit.bucket.lock().expect("bucket lock").try_acquire(now_ms) {
            // Shed load at once rather than queue: the caller learns immediately.
            return Box::pin(async { Err(Error::RateLimited) });
        }
        Box::pin(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// One scripted call: its latency in ms and its result.
    type Step = (u64, Result<&'static str, Error>);

    /// A scripted backend: each call takes the next step from the script and counts itself.
    /// Clones share the script and the counter.
    #[derive(Clone, Default)]
    struct Backend {
        script: Arc<Mutex<VecDeque<Step>>>,
        calls: Arc<Mutex<u32>>,
    }

    impl Backend {
        fn scripted(steps: &[Step]) -> Self {
            Backend { script: Arc::new(Mutex::new(steps.iter().copied().collect())), ..Backend::default() }
        }
        fn calls(&self) -> u32 {
            *self.calls.lock().unwrap()
        }
    }

    impl Service<&'static str> for Backend {
        type Response = &'static str;
        type Error = Error;
        type Future = BoxFuture<Result<&'static str, Error>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _request: &'static str) -> Self::Future {
            *self.calls.lock().unwrap() += 1;
            let (latency_ms, result) = self.script.lock().unwrap().pop_front().unwrap_or((1, Ok("ok")));
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(latency_ms)).await;
                result
            })
        }
    }

    const RETRY: RetryLayer = RetryLayer { max_attempts: 3, first_backoff: Duration::from_millis(50) };
    const TIMEOUT_100MS: TimeoutLayer = TimeoutLayer { after: Duration::from_millis(100) };

    #[tokio::test(start_paused = true)]
    async fn a_per_attempt_timeout_inside_retry_recovers_from_a_slow_attempt() {
        // The first attempt hangs for 10 s; the second answers in 10 ms.
        let backend = Backend::scripted(&[(10_000, Ok("late")), (10, Ok("fast"))]);
        let mut service = ServiceBuilder::new().layer(RETRY).layer(TIMEOUT_100MS).service(backend.clone());
        let started = Instant::now();
        assert_eq!(ready_call(&mut service, "GET /").await, Ok("fast"));
        // 100 ms timeout + 50 ms backoff + 10 ms: virtual time, no real waiting.
        assert_eq!(started.elapsed(), Duration::from_millis(160));
        assert_eq!(backend.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_outside_retry_is_a_deadline_for_all_attempts() {
        let backend = Backend::scripted(&[(10_000, Ok("late")), (10, Ok("fast"))]);
        let mut service = ServiceBuilder::new().layer(TIMEOUT_100MS).layer(RETRY).service(backend.clone());
        let started = Instant::now();
        assert_eq!(ready_call(&mut service, "GET /").await, Err(Error::Timeout));
        assert_eq!(started.elapsed(), Duration::from_millis(100));
        assert_eq!(backend.calls(), 1, "the deadline expired during the first attempt");
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_at_max_attempts_and_never_retry_a_permanent_error() {
        let unavailable = Err(Error::Backend { transient: true });
        let backend = Backend::scripted(&[(1, unavailable); 3]);
        let mut service = ServiceBuilder::new().layer(RETRY).service(backend.clone());
        assert_eq!(ready_call(&mut service, "GET /").await, unavailable);
        assert_eq!(backend.calls(), 3);

        let bad_request = Err(Error::Backend { transient: false });
        let backend = Backend::scripted(&[(1, bad_request)]);
        let mut service = ServiceBuilder::new().layer(RETRY).service(backend.clone());
        assert_eq!(ready_call(&mut service, "GET /").await, bad_request);
        assert_eq!(backend.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_log_outside_retry_sees_one_request_and_inside_sees_every_attempt() {
        let script = [(1, Err(Error::Backend { transient: true })), (1, Ok("ok"))];
        let outer = LogLayer { lines: Arc::default() };
        let mut service = ServiceBuilder::new().layer(outer.clone()).layer(RETRY).service(Backend::scripted(&script));
        ready_call(&mut service, "GET /").await.unwrap();
        assert_eq!(*outer.lines.lock().unwrap(), ["\"GET /\" -> Ok(\"ok\") after 52 ms"]);

        let inner = LogLayer { lines: Arc::default() };
        let mut service = ServiceBuilder::new().layer(RETRY).layer(inner.clone()).service(Backend::scripted(&script));
        ready_call(&mut service, "GET /").await.unwrap();
        assert_eq!(
            *inner.lines.lock().unwrap(),
            ["\"GET /\" -> Err(Backend { transient: true }) after 1 ms", "\"GET /\" -> Ok(\"ok\") after 1 ms"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limit_sheds_load_beyond_the_burst_and_refills_with_time() {
        let limit = RateLimitLayer::new(2, 10.0); // burst of 2, then 10 per second
        let mut service = ServiceBuilder::new().layer(limit).service(Backend::default());
        assert_eq!(ready_call(&mut service, "a").await, Ok("ok"));
        assert_eq!(ready_call(&mut service, "b").await, Ok("ok"));
        assert_eq!(ready_call(&mut service, "c").await, Err(Error::RateLimited));
        tokio::time::sleep(Duration::from_millis(100)).await; // one token refills
        assert_eq!(ready_call(&mut service, "d").await, Ok("ok"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limit_inside_retry_charges_every_attempt() {
        let failing = || Backend::scripted(&[(1, Err(Error::Backend { transient: true })); 3]);
        // Outside: one token per request, however many attempts it makes.
        let outside = RateLimitLayer::new(3, 0.001);
        let mut service = ServiceBuilder::new().layer(outside.clone()).layer(RETRY).service(failing());
        let _ = ready_call(&mut service, "GET /").await;
        assert_eq!(outside.bucket.lock().unwrap().available(outside.started.elapsed().as_millis() as u64), 2);
        // Inside: the same request spends a token per attempt.
        let inside = RateLimitLayer::new(3, 0.001);
        let mut service = ServiceBuilder::new().layer(RETRY).layer(inside.clone()).service(failing());
        let _ = ready_call(&mut service, "GET /").await;
        assert_eq!(inside.bucket.lock().unwrap().available(inside.started.elapsed().as_millis() as u64), 0);
    }
}

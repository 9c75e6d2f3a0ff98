//! # Builders and typestate (instead of Go's functional options)
//!
//! ## Why interviewers ask this
//! Go configures objects with `NewServer(WithTimeout(5*time.Second), WithTLS(cfg))`. Rust has
//! no variadics or default arguments; the idioms are the **builder** and `..Default::default()`.
//! The follow-up is **typestate**: encoding "you must set the URL before sending" or "a closed
//! connection cannot send" in types, so misuse is a compile error instead of a runtime check.
//!
//! ## How it works
//! - [`ClientConfig`] derives `Default`; a caller overrides only what it needs with struct
//!   update syntax: `ClientConfig { retries: 5, ..Default::default() }`.
//! - [`RequestBuilder`] is a consuming builder: every setter takes `self` and returns `Self`,
//!   so calls chain and `build()` validates once.
//! - Its type parameter is the typestate: `RequestBuilder<NoUrl>` has no `build`;
//!   `.url(...)` returns a `RequestBuilder<HasUrl>`, which does. The marker types are
//!   zero-sized — the state costs nothing at run time.
//! - [`Connection<Closed>`]/[`Connection<Open>`]: `open` consumes the closed connection and
//!   returns an open one; `send` exists only on `Connection<Open>`; `close` consumes it. The
//!   old value is moved away, so it can't be used in the wrong state.
//!
//! ## Common pitfalls
//! - Typestate for everything: each state multiplies the impl blocks; use it for protocol
//!   steps that are truly sequential, and plain runtime checks for the rest.
//! - A `&mut self` builder returning `&mut Self` cannot be moved into `build(self)` at the end
//!   of a chain; pick consuming (`self`) for one-shot builders.
//! - Setters that silently accept invalid values: validate in `build()` and return `Result`.
//!
//! ## Key takeaways
//! - Options: `Default` + struct update for plain data, a builder for validation and
//!   required fields.
//! - Typestate turns "call X before Y" into a compile error at zero runtime cost.
//!
//! ## Break it
//! `breaks/lang_typestate.patch` calls `build()` before setting the URL.
//! `scripts/break-it.sh lang_typestate` shows **E0599**: no method `build` for
//! `RequestBuilder<NoUrl>`. In Go this is an `if req.URL == "" { return errMissingURL }` that
//! someone forgets to write, or a nil dereference at run time.
//!
//! ## Interview questions
//! - *How would you port Go's functional options?* — `Default` + `..Default::default()` for
//!   simple config; a builder (possibly with closures `impl FnOnce(&mut Config)`) when options
//!   need validation or ordering.
//! - *What is typestate?* — Encoding an object's state in its type parameter, with methods
//!   available only in the right state and transitions consuming `self`.
//! - *What does it cost at run time?* — Nothing: marker types are zero-sized and
//!   `PhantomData` takes no space; the checks happen during compilation.

use std::marker::PhantomData;

/// Plain configuration: every field has a default, callers override a few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub timeout_ms: u64,
    pub retries: u32,
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self { timeout_ms: 5_000, retries: 3, user_agent: "backend-lab".to_owned() }
    }
}

/// Typestate marker: no URL yet.
#[derive(Debug)]
pub struct NoUrl;
/// Typestate marker: URL set, `build` is available.
#[derive(Debug)]
pub struct HasUrl(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: u64,
}

/// Consuming builder whose type says whether the required URL is present.
#[derive(Debug)]
pub struct RequestBuilder<State> {
    state: State,
    method: &'static str,
    headers: Vec<(String, String)>,
    timeout_ms: u64,
}

impl RequestBuilder<NoUrl> {
    pub fn new() -> Self {
        Self { state: NoUrl, method: "GET", headers: Vec::new(), timeout_ms: 5_000 }
    }
}

impl Default for RequestBuilder<NoUrl> {
    fn default() -> Self {
        Self::new()
    }
}

impl<State> RequestBuilder<State> {
    /// Sets the URL, moving the builder into the `HasUrl` state.
    pub fn url(self, url: impl Into<String>) -> RequestBuilder<HasUrl> {
        RequestBuilder {
            state: HasUrl(url.into()),
            method: self.method,
            headers: self.headers,
            timeout_ms: self.timeout_ms,
        }
    }

    pub fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }
}

impl RequestBuilder<HasUrl> {
    /// Only exists once a URL is set. Validation that types can't express returns an error.
    pub fn build(self) -> Result<Request, String> {
        if self.timeout_ms == 0 {
            return Err("timeout must be positive".to_owned());
        }
        Ok(Request { url: self.state.0, method: self.method, headers: self.headers, timeout_ms: self.timeout_ms })
    }
}

/// Connection state markers (zero-sized).
#[derive(Debug)]
pub struct Closed;
#[derive(Debug)]
pub struct Open;

/// A connection whose state is a type parameter; the wrong-state methods do not exist.
#[derive(Debug)]
pub struct Connection<State> {
    peer: String,
    sent: Vec<String>,
    _state: PhantomData<State>,
}

impl Connection<Closed> {
    pub fn new(peer: impl Into<String>) -> Self {
        Self { peer: peer.into(), sent: Vec::new(), _state: PhantomData }
    }

    pub fn open(self) -> Connection<Open> {
        Connection { peer: self.peer, sent: self.sent, _state: PhantomData }
    }
}

impl Connection<Open> {
    pub fn send(&mut self, message: impl Into<String>) {
        self.sent.push(message.into());
    }

    /// Closes and returns what was sent; the open handle is consumed.
    pub fn close(self) -> (Connection<Closed>, Vec<String>) {
        (Connection { peer: self.peer, sent: Vec::new(), _state: PhantomData }, self.sent)
    }
}

impl<State> Connection<State> {
    pub fn peer(&self) -> &str {
        &self.peer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn struct_update_overrides_only_what_the_caller_names() {
        let config = ClientConfig { retries: 5, ..Default::default() };
        assert_eq!(config.retries, 5);
        assert_eq!(config.timeout_ms, 5_000);
        assert_eq!(config.user_agent, "backend-lab");
    }

    #[test]
    fn builder_chains_setters_in_any_order_once_the_url_is_set() {
        let request = RequestBuilder::new()
            .method("POST")
            .url("https://api.example/v1/orders")
            .header("Idempotency-Key", "k-1")
            .timeout_ms(250)
            .build()
            .expect("valid request");
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://api.example/v1/orders");
        assert_eq!(request.headers, [("Idempotency-Key".to_owned(), "k-1".to_owned())]);
        assert_eq!(request.timeout_ms, 250);
    }

    #[test]
    fn build_still_validates_what_types_cannot_express() {
        let result = RequestBuilder::new().url("https://x").timeout_ms(0).build();
        assert_eq!(result, Err("timeout must be positive".to_owned()));
    }

    #[test]
    fn connection_moves_through_its_states_and_keeps_the_log() {
        let mut connection = Connection::new("db-1").open();
        connection.send("BEGIN");
        connection.send("COMMIT");
        let (closed, sent) = connection.close();
        assert_eq!(sent, ["BEGIN", "COMMIT"]);
        assert_eq!(closed.peer(), "db-1");
    }

    #[test]
    fn typestate_markers_take_no_space() {
        assert_eq!(size_of::<NoUrl>(), 0);
        assert_eq!(size_of::<PhantomData<Open>>(), 0);
        assert_eq!(size_of::<Connection<Open>>(), size_of::<Connection<Closed>>());
    }
}

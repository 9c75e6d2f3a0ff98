//! The names of the records nodes write and the lab's checks read, each defined once.
//!
//! A check that reads `decision` records with an `admitted` field and the gateway that writes
//! them use the same constants, so a renamed field is a compile error on both sides rather
//! than a check that silently finds nothing to judge.

/// Rate limiting: clients, gateways, the central limiter.
pub mod ratelimit {
    /// A client sent a request (`key`).
    pub const REQUEST: &str = "request";
    /// A gateway decided a request (`key`, `admitted`, `reason`).
    pub const DECISION: &str = "decision";
    pub const KEY: &str = "key";
    pub const ADMITTED: &str = "admitted";
}

/// Payments: payers, the payment service, the ledger.
pub mod payments {
    /// A payer began a payment (`payment`, `deadline_ms`).
    pub const PAYMENT_START: &str = "payment-start";
    /// A payer sent one attempt of a payment.
    pub const ATTEMPT: &str = "attempt";
    /// A payer finished a payment (`payment`, `outcome`).
    pub const PAYMENT_END: &str = "payment-end";
    /// The ledger applied a charge (`payment`).
    pub const CHARGE_APPLIED: &str = "charge-applied";
    pub const PAYMENT: &str = "payment";
    pub const DEADLINE_MS: &str = "deadline_ms";
    pub const OUTCOME: &str = "outcome";
    /// The `outcome` of a payment the payer was told is charged.
    pub const CHARGED: &str = "charged";
}

/// Circuit breaking: callers, the front service, the dependency.
pub mod breaker {
    /// A caller's call ended (`endpoint`, `ok`, `latency_ms`).
    pub const CALL_RESULT: &str = "call-result";
    pub const ENDPOINT: &str = "endpoint";
    pub const OK: &str = "ok";
    pub const LATENCY_MS: &str = "latency_ms";
    /// The front service's breaker changed state (`from`, `to`).
    pub const TRANSITION: &str = "breaker";
    pub const FROM: &str = "from";
    pub const TO: &str = "to";
    /// The front service called the dependency.
    pub const DEPENDENCY_CALL: &str = "dependency-call";
    pub const CLOSED: &str = "closed";
    pub const OPEN: &str = "open";
    pub const HALF_OPEN: &str = "half-open";
}

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
    /// A client got its answer (`key`, `admitted`).
    pub const RESPONSE: &str = "response";
    /// The central limiter answered a gateway (`gateway`, `key`, `granted`).
    pub const GRANT: &str = "grant";
    /// What each node kind records (besides its start and its messages).
    pub const CLIENT_RECORDS: &[&str] = &[REQUEST, RESPONSE];
    pub const GATEWAY_RECORDS: &[&str] = &[DECISION];
    pub const LIMITER_RECORDS: &[&str] = &[GRANT];
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
    /// The ledger answered a retry of a charge it had applied, without applying it again.
    pub const CHARGE_REPLAYED: &str = "charge-replayed";
    /// The payment service got a payment from a payer.
    pub const PAY_RECEIVED: &str = "pay-received";
    /// What each node kind records (besides its start and its messages).
    pub const PAYER_RECORDS: &[&str] = &[PAYMENT_START, ATTEMPT, PAYMENT_END];
    pub const PAYMENT_SERVICE_RECORDS: &[&str] = &[PAY_RECEIVED];
    pub const LEDGER_RECORDS: &[&str] = &[CHARGE_APPLIED, CHARGE_REPLAYED];
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
    /// A caller made a call (`id`, `endpoint`).
    pub const CALL: &str = "call";
    /// The front service answered at once because the breaker is open.
    pub const FAST_FAIL: &str = "fast-fail";
    /// The front service turned a request away because its pool was full.
    pub const SHED: &str = "shed";
    /// What each node kind records (besides its start and its messages).
    pub const CALLER_RECORDS: &[&str] = &[CALL, CALL_RESULT];
    pub const FRONT_RECORDS: &[&str] = &[DEPENDENCY_CALL, FAST_FAIL, SHED, TRANSITION];
    pub const CLOSED: &str = "closed";
    pub const OPEN: &str = "open";
    pub const HALF_OPEN: &str = "half-open";
}

/// Replication: KV clients, replicas, the failover controller.
pub mod replication {
    /// A client sent an operation (`op`, `f`, `key`, `value` for writes, `expect` for cas when set).
    pub const KV_CALL: &str = "kv-call";
    /// A client's operation ended (`op`, `outcome`: ok, fail or unknown; `value` for a read of a set key).
    pub const KV_RETURN: &str = "kv-return";
    /// A client asked the primary which ops its log has committed (`sent_ms`, `ops`: the write
    /// and cas op ids, comma-separated, in log order).
    pub const AUDIT: &str = "audit";
    /// A primary told a client its write or cas took effect (`op`, `epoch`, `index`).
    pub const WRITE_ACKED: &str = "write-acked";
    /// A replica became primary or follower (`became`, `epoch`).
    pub const ROLE: &str = "role";
    /// The controller gave up on the primary (`primary`, `epoch`: the new epoch).
    pub const FAILOVER: &str = "failover";
    /// The controller made a replica primary (`primary`, `epoch`, `source`).
    pub const PROMOTED: &str = "promoted";
    pub const KV_CLIENT_RECORDS: &[&str] = &[KV_CALL, KV_RETURN, AUDIT];
    pub const REPLICA_RECORDS: &[&str] = &[WRITE_ACKED, ROLE];
    pub const CONTROLLER_RECORDS: &[&str] = &[FAILOVER, PROMOTED];
    pub const OP: &str = "op";
    /// What an op does (`read`, `write`, `cas`): Jepsen's `:f`.
    pub const F: &str = "f";
    pub const KEY: &str = "key";
    pub const VALUE: &str = "value";
    pub const EXPECT: &str = "expect";
    pub const OUTCOME: &str = "outcome";
    pub const EPOCH: &str = "epoch";
    pub const BECAME: &str = "became";
    pub const PRIMARY: &str = "primary";
    pub const OPS: &str = "ops";
    pub const SENT_MS: &str = "sent_ms";
    /// `outcome` values of `kv-return`.
    pub const OK: &str = "ok";
    pub const FAIL: &str = "fail";
    pub const UNKNOWN: &str = "unknown";
    /// Why an op failed or its outcome is unknown (`kv-return`'s `reason`).
    pub const REASON: &str = "reason";
    /// A cas whose expected value did not match: a definite answer, and it did nothing.
    pub const CAS_MISMATCH: &str = "cas-mismatch";
    /// The replica asked was not the primary: it did nothing.
    pub const NOT_PRIMARY: &str = "not-primary";
}

/// Pub-sub: producers, the broker, consumers in one group, the store their effects go to.
pub mod pubsub {
    /// A producer published a message for the first time (`id`, `key`, `poison`).
    pub const PUBLISH: &str = "publish";
    /// A producer's publish ended (`id`, `outcome`: ok or unknown, `attempts`).
    pub const PUBLISH_RETURN: &str = "publish-return";
    /// The broker appended a message to a partition's log (`id`, `partition`, `offset`).
    pub const APPENDED: &str = "appended";
    /// The broker moved a message to the dead-letter queue (`id`, `partition`, `offset`, `failures`).
    pub const DEAD_LETTERED: &str = "dead-lettered";
    /// The broker started a new group generation (`generation`, `reason`, `assignment`).
    pub const REBALANCE: &str = "rebalance";
    /// A consumer's poll brought messages (`messages`: how many).
    pub const POLLED: &str = "polled";
    /// A consumer took a message from a poll's answer to process it (`id`, `key`, `partition`, `offset`).
    pub const RECEIVED: &str = "received";
    /// A consumer finished processing a message: the store applied its effect (`id`).
    pub const PROCESSED: &str = "processed";
    /// A consumer's processing of a message failed (`id`).
    pub const PROCESS_FAILED: &str = "process-failed";
    /// The store applied a message's effect (`id`, `key`).
    pub const EFFECT: &str = "effect";
    /// The store was asked to apply an effect it had applied already, and did nothing (`id`).
    pub const EFFECT_DEDUPLICATED: &str = "effect-deduplicated";
    pub const PRODUCER_RECORDS: &[&str] = &[PUBLISH, PUBLISH_RETURN];
    pub const BROKER_RECORDS: &[&str] = &[APPENDED, DEAD_LETTERED, REBALANCE];
    pub const CONSUMER_RECORDS: &[&str] = &[POLLED, RECEIVED, PROCESSED, PROCESS_FAILED];
    pub const STORE_RECORDS: &[&str] = &[EFFECT, EFFECT_DEDUPLICATED];
    pub const ID: &str = "id";
    pub const KEY: &str = "key";
    pub const POISON: &str = "poison";
    pub const OUTCOME: &str = "outcome";
    pub const ATTEMPTS: &str = "attempts";
    pub const PARTITION: &str = "partition";
    pub const OFFSET: &str = "offset";
    pub const FAILURES: &str = "failures";
    pub const GENERATION: &str = "generation";
    pub const REASON: &str = "reason";
    pub const ASSIGNMENT: &str = "assignment";
    pub const MESSAGES: &str = "messages";
    /// `outcome` values of `publish-return`.
    pub const OK: &str = "ok";
    pub const UNKNOWN: &str = "unknown";
}

/// Distributed lock: the lock server, its workers, and the storage they update.
pub mod lock {
    /// The lock server granted the lock (`client`, `token`, `ttl_ms`); recorded once the token
    /// it handed out is on its disk.
    pub const GRANTED: &str = "granted";
    /// The lock server extended a lease (`client`, `token`).
    pub const RENEWED: &str = "renewed";
    /// The holder gave the lock back (`client`, `token`).
    pub const RELEASED: &str = "released";
    /// The lock server found a lease over by its own clock and dropped it (`client`, `token`).
    pub const EXPIRED: &str = "expired";
    /// A worker learned it holds the lock (`token`, `lease_ms`: how long it believes it has).
    pub const ACQUIRED: &str = "acquired";
    /// A worker checked its lease just before writing and found time left (`token`, `left_ms`).
    pub const LEASE_CHECKED: &str = "lease-checked";
    /// A worker stopped using its lease (`token`, `reason`: refused or expired).
    pub const LEASE_LOST: &str = "lease-lost";
    /// A worker's write came back (`token`, `value`, `outcome`: ok, rejected or unknown).
    pub const WROTE: &str = "wrote";
    /// The storage handled a read (`client`, `token`, `value`, `accepted`).
    pub const STORAGE_READ: &str = "storage-read";
    /// The storage handled a write (`client`, `token`, `value`, `accepted`).
    pub const STORAGE_WRITE: &str = "storage-write";
    pub const LOCK_SERVER_RECORDS: &[&str] = &[GRANTED, RENEWED, RELEASED, EXPIRED];
    pub const WORKER_RECORDS: &[&str] = &[ACQUIRED, LEASE_CHECKED, LEASE_LOST, WROTE];
    pub const STORAGE_RECORDS: &[&str] = &[STORAGE_READ, STORAGE_WRITE];
    pub const CLIENT: &str = "client";
    pub const TOKEN: &str = "token";
    pub const TTL_MS: &str = "ttl_ms";
    pub const LEASE_MS: &str = "lease_ms";
    pub const LEFT_MS: &str = "left_ms";
    pub const REASON: &str = "reason";
    pub const VALUE: &str = "value";
    pub const OUTCOME: &str = "outcome";
    pub const ACCEPTED: &str = "accepted";
    /// `reason` values of `lease-lost`.
    pub const REFUSED: &str = "refused";
    pub const EXPIRED_LOCALLY: &str = "expired";
    /// `outcome` values of `wrote`.
    pub const OK: &str = "ok";
    pub const REJECTED: &str = "rejected";
    pub const UNKNOWN: &str = "unknown";
}

/// DNS: the lab's DNS server and the resolvers that ask it.
pub mod dns {
    /// The DNS server answered a query (`client`, `name`, `answer`: the node the name pointed
    /// at, `nxdomain`, or `servfail: why` when it could not answer).
    pub const DNS_ANSWER: &str = "dns-answer";
    /// A client's resolver asked the DNS server (`name`).
    pub const DNS_QUERY: &str = "dns-query";
    /// A client's resolver got its answer, or gave up (`name`, `resolved`: the node, `stale:`
    /// and the node when serve-stale stood in, `nxdomain`, or `failed`).
    pub const DNS_RESOLVED: &str = "dns-resolved";
    /// A client called the service (`id`, `backend`).
    pub const SERVICE_CALL: &str = "service-call";
    /// A client's request ended (`id`, `outcome`: ok, timeout, unreachable, error, nxdomain or
    /// dns-failed; `backend` when it got as far as one).
    pub const SERVICE_RESULT: &str = "service-result";
    /// A backend answered a call.
    pub const SERVED: &str = "served";
    pub const DNS_SERVER_RECORDS: &[&str] = &[DNS_ANSWER];
    pub const DNS_CLIENT_RECORDS: &[&str] = &[DNS_QUERY, DNS_RESOLVED, SERVICE_CALL, SERVICE_RESULT];
    pub const BACKEND_RECORDS: &[&str] = &[SERVED];
    pub const RESOLVED: &str = "resolved";
    pub const ID: &str = "id";
    pub const BACKEND: &str = "backend";
    pub const OUTCOME: &str = "outcome";
    /// `resolved` and `outcome` values.
    pub const FAILED: &str = "failed";
    pub const DNS_FAILED: &str = "dns-failed";
    pub const OK: &str = "ok";
    pub const CLIENT: &str = "client";
    pub const NAME: &str = "name";
    pub const ANSWER: &str = "answer";
    /// `answer` values besides a node's name.
    pub const NXDOMAIN: &str = "nxdomain";
    pub const SERVFAIL: &str = "servfail";
}

/// Pooled connections: a client spreading requests over backends (`nodes::pool`). Its calls
/// and results are recorded as the DNS clients' are (`service-call`, `service-result`).
pub mod pool {
    /// The client ejected a backend after a failed call (`backend`, `reason`: the call's
    /// outcome, `for_ms`).
    pub const BACKEND_DOWN: &str = "backend-down";
    pub const POOL_CLIENT_RECORDS: &[&str] = &[super::dns::SERVICE_CALL, super::dns::SERVICE_RESULT, BACKEND_DOWN];
    pub const ATTEMPT: &str = "attempt";
    pub const REASON: &str = "reason";
    pub const FOR_MS: &str = "for_ms";
}

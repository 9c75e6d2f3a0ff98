//! # Fencing tokens
//!
//! ## Why interviewers ask this
//! "Take a distributed lock" is a common step in a design answer — one worker per job, one
//! writer per file — and the follow-up is always the same: what if the holder stalls past its
//! lease? The [lease lesson](super::lease) shows that no timeout arithmetic answers it. This one
//! gives the answer that does: the resource rejects writes from stale holders, by a number the
//! lock service hands out. It also sets up the classic debate, "is Redlock safe?".
//!
//! ## How it works
//! - The lock service numbers its grants: every grant's token is larger than any before it
//!   ([`LockServer::try_acquire`](super::lease::LockServer::try_acquire)).
//! - The holder sends its token with every write to the resource.
//! - The resource remembers the highest token it has accepted and rejects any write carrying a
//!   lower one ([`Storage`]). An equal token passes: the current holder may write many times.
//!
//! ```text
//! client 1   acquire → token 1, lease ok ─ ▓▓▓▓▓ GC pause ▓▓▓▓▓▓▓ ─ write 10 (token 1) → rejected: 1 < 2
//! lock svc   lease 1 ·········· expires │ grant → token 2
//! client 2                              acquire → token 2 ─ write 20 (token 2) → accepted
//! ```
//!
//! Without the check the storage takes both writes in the order they arrive, and client 1's
//! stale write silently replaces client 2's: a lost update. With it, the check happens where
//! the damage would be done, at the moment of the write, against a number that only grows — no
//! clock, no pause bound. A stale holder can still *try*; it cannot *succeed*.
//!
//! The token must come from something that never repeats or goes back, which in practice means
//! a consensus-backed lock service: ZooKeeper's zxid (or the lock znode's version), etcd's
//! revision of the lock key, Chubby's sequencers. The idea recurs under other names: Raft
//! followers reject a deposed leader's appends by its term, Kafka fences zombie producers by
//! their epoch, and a conditional write (`UPDATE … WHERE version = v`, an HTTP `If-Match`) is
//! fencing by version.
//!
//! ## Common pitfalls
//! - A random lock value as the token: it identifies a holder but cannot be ordered, so the
//!   storage cannot tell the stale holder from the current one.
//! - Checking the token anywhere but in the resource, atomically with the write: the client is
//!   the party that is stale, and a proxy that checks and then writes has its own pause window.
//! - Checking the token without recording it (see Break it), or accepting only strictly larger
//!   tokens, which rejects the current holder's second write.
//! - Forgetting a resource that cannot check (a third-party API, an email): it cannot be fenced;
//!   make the operation idempotent or accept that it may happen twice.
//!
//! ## Key takeaways
//! - Locks with expiry give you liveness; fencing tokens give you safety.
//! - The resource enforces it: reject any token lower than the highest seen, atomically with the
//!   write.
//! - If the resource cannot check a token, the lock is an optimisation, not a guarantee.
//!
//! ## Break it
//! `fundamentals/breaks/time_fencing.patch` makes [`Storage::write`] compare the token with the
//! highest it has seen but never record it, so the highest stays unset and everything passes.
//! `fencing_rejects_exactly_the_stale_write` catches the stale write being accepted, and the
//! property `fenced_storage_never_accepts_a_token_lower_than_one_it_has_seen` shrinks it to two
//! grants and two writes.
//!
//! ## Interview questions
//! - *What is a fencing token, and who checks it?* A number the lock service increases with
//!   every grant. The holder attaches it to each write; the resource rejects writes carrying a
//!   lower token than the highest it has accepted. The resource checks it, atomically with the
//!   write: the client cannot, since it is the one that may be stale.
//! - *Is Redlock safe?* Redlock takes a lock on a majority of independent Redis masters with
//!   expiring keys and a random value, and treats the lock as held if the majority answered
//!   within the ttl, for the ttl minus the time spent and a drift allowance.
//!
//!   Kleppmann's critique: you need a lock either for efficiency (avoid doing work twice, where
//!   an occasional double holder is tolerable and one Redis node is enough) or for correctness.
//!   For correctness Redlock falls short twice. It issues no token that grows with each grant,
//!   so nothing can stop a holder that stalled past its expiry. And its safety rests on timing
//!   assumptions — bounded network delay, bounded pauses, clocks that neither drift far nor
//!   jump — so one Redis node whose clock jumps forward expires the key early, and a second
//!   client can win a majority while the first still believes it holds the lock.
//!
//!   antirez's reply: the assumption is about clock *rates*, not synchronised clocks, and
//!   operators can keep clocks from jumping; the client checks how long acquiring took, so
//!   delays before that point are caught; a stall after the check hurts every lock that expires,
//!   ZooKeeper's included, so it is no argument against Redlock in particular; and a resource
//!   able to check a token could just as well do a check-and-set on the lock's unique random
//!   value.
//!
//!   The practical answer: when correctness matters, take the lock from a consensus-backed
//!   service (ZooKeeper, etcd), use its zxid or revision as a fencing token, and make the
//!   storage check it. If the storage cannot, treat the lock as an efficiency measure and make
//!   the work safe to do twice.
//! - *Your lock has a 30 s lease and the holder's GC paused for 40 s. What happens with and
//!   without fencing?* Without: the lock was granted to someone else after 30 s, both write, and
//!   whichever arrives last wins — possibly the stale one. With: the new holder's write carries
//!   a larger token, and the old holder's late write is rejected.
//! - *Where else does this pattern appear?* Raft terms (a deposed leader's appends are
//!   rejected), Kafka producer and leader epochs, STONITH in HA clusters (the blunt version:
//!   power off the old primary), optimistic concurrency with version columns.

use super::lease::{ClientId, LockServer};
use super::physical_vs_logical::PhysicalClock;
use std::collections::BTreeMap;

/// The number of a lock grant; every grant's token is larger than all before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FencingToken(pub u64);

/// A write refused because a later holder has already written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleToken {
    pub token: FencingToken,
    pub highest: FencingToken,
}

/// One write the storage received, in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub client: ClientId,
    pub token: FencingToken,
    pub value: u64,
    pub accepted: bool,
}

/// A register that takes writes with a fencing token; fenced, it rejects stale tokens.
#[derive(Debug, Clone)]
pub struct Storage {
    checks_tokens: bool,
    highest: Option<FencingToken>,
    attempts: Vec<Attempt>,
}

impl Storage {
    /// Storage that rejects a token lower than the highest it has accepted.
    pub fn fenced() -> Self {
        Self { checks_tokens: true, highest: None, attempts: Vec::new() }
    }

    /// Storage that ignores tokens: the last write to arrive wins.
    pub fn unfenced() -> Self {
        Self { checks_tokens: false, ..Self::fenced() }
    }

    pub fn write(&mut self, client: ClientId, token: FencingToken, value: u64) -> Result<(), StaleToken> {
        let stale = self.highest.filter(|&highest| self.checks_tokens && token < highest);
        self.attempts.push(Attempt { client, token, value, accepted: stale.is_none() });
        if let Some(highest) = stale {
            return Err(StaleToken { token, highest });
        }
        if self.checks_tokens {
            self.highest = Some(token);
        }
        Ok(())
    }

    /// The value of the last accepted write.
    pub fn value(&self) -> Option<u64> {
        self.attempts.iter().rev().find(|a| a.accepted).map(|a| a.value)
    }

    /// Every write received, accepted or not, in arrival order.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }
}

/// The lease of the lock in [`run`].
pub const LOCK_TTL_MS: u64 = 10_000;

/// One step of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `client` asks the lock service for the lock (granted only if it is free).
    Acquire { client: ClientId },
    /// `client` writes `value` with the latest token it was granted, if it ever got one.
    Write { client: ClientId, value: u64 },
    /// True time moves on: every client that does not act during it is, in effect, paused.
    Advance { ms: u64 },
}

/// Runs `steps` against a lock service with a [`LOCK_TTL_MS`] lease and `storage`. Clients
/// always believe they hold the lock: each checked its lease before the write and then
/// stalled for as long as the schedule says — the worst case a lease cannot rule out.
pub fn run(steps: &[Step], mut storage: Storage) -> Storage {
    let mut server = LockServer::new(PhysicalClock::default(), LOCK_TTL_MS);
    let mut latest_token: BTreeMap<ClientId, FencingToken> = BTreeMap::new();
    let mut true_ms = 0;
    for step in steps {
        match *step {
            Step::Acquire { client } => {
                if let Some(token) = server.try_acquire(client, true_ms) {
                    latest_token.insert(client, token);
                }
            }
            Step::Write { client, value } => {
                if let Some(&token) = latest_token.get(&client) {
                    // A rejection is the storage doing its job; the attempt is in its log.
                    let _ = storage.write(client, token, value);
                }
            }
            Step::Advance { ms } => true_ms += ms,
        }
    }
    storage
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Client 1 takes the lock and stalls for 15 s; its lease expires, client 2 takes the lock
    /// and writes 20; client 1 wakes and writes 10.
    const STALLED_HOLDER: [Step; 5] = [
        Step::Acquire { client: 1 },
        Step::Advance { ms: 15_000 },
        Step::Acquire { client: 2 },
        Step::Write { client: 2, value: 20 },
        Step::Write { client: 1, value: 10 },
    ];

    #[test]
    fn without_fencing_a_stalled_holder_overwrites_the_new_holders_write() {
        let storage = run(&STALLED_HOLDER, Storage::unfenced());
        assert!(storage.attempts().iter().all(|a| a.accepted));
        assert_eq!(storage.value(), Some(10), "client 2's write is lost, and nobody was told");
    }

    #[test]
    fn fencing_rejects_exactly_the_stale_write() {
        let storage = run(&STALLED_HOLDER, Storage::fenced());
        let rejected: Vec<&Attempt> = storage.attempts().iter().filter(|a| !a.accepted).collect();
        assert_eq!(rejected, [&Attempt { client: 1, token: FencingToken(1), value: 10, accepted: false }]);
        assert_eq!(storage.value(), Some(20), "the new holder's write stands");
    }

    #[test]
    fn the_current_holder_may_write_again_with_the_same_token() {
        let mut storage = Storage::fenced();
        assert_eq!(storage.write(2, FencingToken(2), 1), Ok(()));
        assert_eq!(storage.write(2, FencingToken(2), 2), Ok(()));
        assert_eq!(
            storage.write(1, FencingToken(1), 3),
            Err(StaleToken { token: FencingToken(1), highest: FencingToken(2) })
        );
        assert_eq!(storage.value(), Some(2));
    }

    fn schedule() -> impl Strategy<Value = Vec<Step>> {
        let step = prop_oneof![
            (1..=3_u32).prop_map(|client| Step::Acquire { client }),
            (1..=3_u32, 0..100_u64).prop_map(|(client, value)| Step::Write { client, value }),
            (0..15_000_u64).prop_map(|ms| Step::Advance { ms }),
        ];
        prop::collection::vec(step, 0..60)
    }

    proptest! {
        /// Checked against a model: a write is accepted exactly when its token is at least the
        /// highest token accepted before it.
        #[test]
        fn fenced_storage_never_accepts_a_token_lower_than_one_it_has_seen(steps in schedule()) {
            let storage = run(&steps, Storage::fenced());
            let mut highest = None;
            for attempt in storage.attempts() {
                let fresh = highest.is_none_or(|highest| attempt.token >= highest);
                prop_assert_eq!(attempt.accepted, fresh, "{:?} after {:?}", attempt, highest);
                if attempt.accepted {
                    highest = Some(attempt.token);
                }
            }
        }
    }
}

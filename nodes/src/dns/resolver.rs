//! A caching stub resolver, with the three options real resolvers differ on:
//! - **TTLs**: honoured, or ignored and an answer kept forever (a JVM with
//!   `networkaddress.cache.ttl=-1`): a cutover in DNS never reaches that client;
//! - **negative caching** (RFC 2308): an NXDOMAIN remembered for a while, or not at all — then a
//!   client that keeps asking for a missing name sends the DNS server every one of its asks;
//! - **serve-stale** (RFC 8767): when the DNS server fails or does not answer, an expired
//!   answer is used for up to `max_stale_ms` instead of failing the call; after such a
//!   failure the stale answer is used without asking for `stale_refresh_ms` (RFC 8767's
//!   failure recheck timer), so a dead DNS server is not asked on every request. And while a
//!   refresh is out ([`Resolver::refreshing`]), requests use the expired answer rather than
//!   send a query of their own: a server that does not answer at all (a partition, a lost
//!   datagram) takes a whole query timeout to fail, and without this every request in that
//!   time would ask again.
//!
//! Time is the caller's (`now_ms`); nothing here reads a clock.

use super::wire::Answer;
use super::zone::normalize;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlPolicy {
    Respect,
    /// The bug: the first answer is kept for good.
    Forever,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverConfig {
    pub ttl: TtlPolicy,
    /// How long an NXDOMAIN is remembered; 0: not at all.
    pub negative_cache_ms: u64,
    /// How long past its TTL an answer may still be used when the server fails; 0: never.
    pub max_stale_ms: u64,
    /// After the server failed and a stale answer stood in, how long that answer is used
    /// without asking again.
    pub stale_refresh_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cached {
    /// An address, good until `expires_ms` (`None`: forever); after a failed refresh, served
    /// stale without asking until `recheck_ms`.
    Address { address: Ipv4Addr, expires_ms: Option<u64>, recheck_ms: u64 },
    /// The name does not exist, as far as we know until `until_ms`.
    Missing { until_ms: u64 },
}

/// What the cache can say about a name now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Address(Ipv4Addr),
    /// Expired, but the server failed a moment ago: the stale answer stands in, unasked.
    Stale(Ipv4Addr),
    Missing,
    /// Nothing usable: ask the DNS server.
    Ask,
}

/// What a lookup that had to ask ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Address(Ipv4Addr),
    /// The server failed; an expired answer stands in (serve-stale).
    Stale(Ipv4Addr),
    Missing,
    Failed,
}

#[derive(Debug, Clone)]
pub struct Resolver {
    config: ResolverConfig,
    cache: BTreeMap<String, Cached>,
}

impl Resolver {
    pub fn new(config: ResolverConfig) -> Self {
        Self { config, cache: BTreeMap::new() }
    }

    pub fn lookup(&self, name: &str, now_ms: u64) -> Lookup {
        match self.cache.get(&normalize(name)) {
            Some(&Cached::Address { address, expires_ms, .. }) if expires_ms.is_none_or(|e| now_ms < e) => {
                Lookup::Address(address)
            }
            Some(&Cached::Address { address, expires_ms: Some(expired_ms), recheck_ms })
                if now_ms < recheck_ms && now_ms < expired_ms + self.config.max_stale_ms =>
            {
                Lookup::Stale(address)
            }
            Some(&Cached::Missing { until_ms }) if now_ms < until_ms => Lookup::Missing,
            _ => Lookup::Ask,
        }
    }

    /// A query for `name` went out now and will have failed by `until_ms`: if an expired
    /// answer may still be served, lookups until then use it instead of asking again.
    pub fn refreshing(&mut self, name: &str, now_ms: u64, until_ms: u64) {
        let max_stale_ms = self.config.max_stale_ms;
        if let Some(Cached::Address { expires_ms: Some(expired_ms), recheck_ms, .. }) =
            self.cache.get_mut(&normalize(name))
        {
            if now_ms < *expired_ms + max_stale_ms {
                *recheck_ms = until_ms;
            }
        }
    }

    /// The server answered.
    pub fn on_answer(&mut self, name: &str, answer: &Answer, now_ms: u64) -> Resolved {
        let key = normalize(name);
        match answer {
            Answer::Addresses(addresses) if !addresses.is_empty() => {
                let (address, ttl_s) = addresses[0];
                let ttl_s = addresses.iter().map(|&(_, t)| t).min().unwrap_or(ttl_s);
                let expires_ms = match self.config.ttl {
                    TtlPolicy::Respect => Some(now_ms + u64::from(ttl_s) * 1_000),
                    TtlPolicy::Forever => None,
                };
                self.cache.insert(key, Cached::Address { address, expires_ms, recheck_ms: 0 });
                Resolved::Address(address)
            }
            Answer::Addresses(_) | Answer::NxDomain => {
                if self.config.negative_cache_ms > 0 {
                    self.cache.insert(key, Cached::Missing { until_ms: now_ms + self.config.negative_cache_ms });
                } else {
                    self.cache.remove(&key);
                }
                Resolved::Missing
            }
            Answer::ServFail => self.on_failure(name, now_ms),
        }
    }

    /// The server failed (SERVFAIL) or did not answer in time.
    pub fn on_failure(&mut self, name: &str, now_ms: u64) -> Resolved {
        let refresh_ms = self.config.stale_refresh_ms;
        match self.cache.get_mut(&normalize(name)) {
            Some(Cached::Address { address, expires_ms: Some(expired_ms), recheck_ms })
                if now_ms < *expired_ms + self.config.max_stale_ms =>
            {
                *recheck_ms = now_ms + refresh_ms;
                Resolved::Stale(*address)
            }
            _ => Resolved::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUE: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const GREEN: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    fn resolver(ttl: TtlPolicy, negative_cache_ms: u64, max_stale_ms: u64) -> Resolver {
        Resolver::new(ResolverConfig { ttl, negative_cache_ms, max_stale_ms, stale_refresh_ms: 1_000 })
    }

    #[test]
    fn an_answer_is_used_for_its_ttl_then_asked_again_and_a_cutover_is_seen() {
        let mut r = resolver(TtlPolicy::Respect, 0, 0);
        assert_eq!(r.lookup("api.lab", 0), Lookup::Ask);
        r.on_answer("api.lab.", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(r.lookup("api.lab", 4_999), Lookup::Address(BLUE));
        assert_eq!(r.lookup("api.lab", 5_000), Lookup::Ask);
        r.on_answer("api.lab", &Answer::Addresses(vec![(GREEN, 5)]), 5_000);
        assert_eq!(r.lookup("api.lab", 5_001), Lookup::Address(GREEN));
    }

    #[test]
    fn a_resolver_that_ignores_ttls_never_sees_the_cutover() {
        let mut r = resolver(TtlPolicy::Forever, 0, 0);
        r.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(r.lookup("api.lab", 3_600_000), Lookup::Address(BLUE), "an hour later, still blue");
    }

    #[test]
    fn negative_caching_remembers_nxdomain_and_without_it_every_lookup_asks() {
        let mut cached = resolver(TtlPolicy::Respect, 2_000, 0);
        assert_eq!(cached.on_answer("gone.lab", &Answer::NxDomain, 0), Resolved::Missing);
        assert_eq!(cached.lookup("gone.lab", 1_999), Lookup::Missing);
        assert_eq!(cached.lookup("gone.lab", 2_000), Lookup::Ask);
        let mut uncached = resolver(TtlPolicy::Respect, 0, 0);
        uncached.on_answer("gone.lab", &Answer::NxDomain, 0);
        assert_eq!(uncached.lookup("gone.lab", 1), Lookup::Ask, "the next lookup goes to the server again");
    }

    #[test]
    fn serve_stale_uses_an_expired_answer_when_the_server_fails_and_only_for_so_long() {
        let mut stale = resolver(TtlPolicy::Respect, 0, 30_000);
        stale.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(stale.on_answer("api.lab", &Answer::ServFail, 10_000), Resolved::Stale(BLUE));
        assert_eq!(stale.on_failure("api.lab", 34_999), Resolved::Stale(BLUE));
        assert_eq!(stale.on_failure("api.lab", 35_000), Resolved::Failed, "stale for at most 30 s");
        let mut strict = resolver(TtlPolicy::Respect, 0, 0);
        strict.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(strict.on_failure("api.lab", 10_000), Resolved::Failed);
    }

    #[test]
    fn after_a_failed_refresh_the_stale_answer_is_used_unasked_until_the_recheck() {
        let mut r = resolver(TtlPolicy::Respect, 0, 30_000);
        r.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(r.lookup("api.lab", 10_000), Lookup::Ask, "expired: ask first");
        assert_eq!(r.on_failure("api.lab", 10_000), Resolved::Stale(BLUE));
        assert_eq!(r.lookup("api.lab", 10_999), Lookup::Stale(BLUE), "within the recheck timer");
        assert_eq!(r.lookup("api.lab", 11_000), Lookup::Ask, "the timer ran out: try the server again");
        r.on_failure("api.lab", 34_500);
        assert_eq!(r.lookup("api.lab", 35_000), Lookup::Ask, "past max_stale_ms nothing stale is served");
        r.on_answer("api.lab", &Answer::Addresses(vec![(GREEN, 5)]), 36_000);
        assert_eq!(r.lookup("api.lab", 36_001), Lookup::Address(GREEN));
    }

    #[test]
    fn while_a_refresh_is_out_the_expired_answer_stands_in_and_nobody_asks_again() {
        let mut r = resolver(TtlPolicy::Respect, 0, 30_000);
        r.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        assert_eq!(r.lookup("api.lab", 10_000), Lookup::Ask);
        r.refreshing("api.lab", 10_000, 10_200);
        assert_eq!(r.lookup("api.lab", 10_199), Lookup::Stale(BLUE), "the query is still out");
        assert_eq!(r.lookup("api.lab", 10_200), Lookup::Ask, "it has failed by now: ask again");
        r.on_answer("api.lab", &Answer::Addresses(vec![(GREEN, 5)]), 10_100);
        assert_eq!(r.lookup("api.lab", 10_101), Lookup::Address(GREEN), "the answer replaces the stand-in");

        let mut strict = resolver(TtlPolicy::Respect, 0, 0);
        strict.on_answer("api.lab", &Answer::Addresses(vec![(BLUE, 5)]), 0);
        strict.refreshing("api.lab", 10_000, 10_200);
        assert_eq!(strict.lookup("api.lab", 10_100), Lookup::Ask, "without serve-stale every request asks");
    }
}

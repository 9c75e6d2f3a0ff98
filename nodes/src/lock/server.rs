//! The lock server: one lock, granted as a lease of `ttl_ms` with a fencing token that is
//! higher than every token before it.
//!
//! A lease ends when its holder releases it or when the server's own clock passes its expiry;
//! the server only notices when someone asks (an acquire or a renew), which is all a lease
//! needs. Its clock is the only clock it has: if that clock runs fast, every lease it grants
//! ends early in real time, and nothing in the server can tell.
//!
//! Tokens survive a restart: the next token is written and fsynced before a grant is answered.
//! A restarted server has forgotten who held the lock, so it grants nothing for one TTL — any
//! lease it handed out before the crash has ended by then (by its clock).

use crate::durable::Durable;
use crate::records::lock::{CLIENT, EXPIRED, GRANTED, RELEASED, RENEWED, TOKEN, TTL_MS};
use crate::{Body, Ctx, Input, Node, Out, Record, RequestId, Stored};
use proto::lock::{Grant, Released, Renewed};

#[derive(Debug, Clone, PartialEq)]
pub struct LockServerConfig {
    pub ttl_ms: u64,
    /// false: a grant lasts until it is released — a plain lock, not a lease (the bug a
    /// crashed holder shows).
    pub leases_expire: bool,
}

const NEXT_TOKEN_KEY: &str = "next-token";

struct Lease {
    client: String,
    token: u64,
    /// By the server's clock.
    expires_at_ms: u64,
}

pub struct LockServer {
    config: LockServerConfig,
    holder: Option<Lease>,
    next_token: u64,
    /// Grants nothing before this (its clock): a restarted server waits out leases it forgot.
    quiet_until_ms: u64,
    disk: Durable<(RequestId, Grant, String)>,
}

impl LockServer {
    pub fn new(config: LockServerConfig) -> Self {
        Self { config, holder: None, next_token: 1, quiet_until_ms: 0, disk: Durable::default() }
    }

    fn recover(&mut self, now_ms: u64, disk: &Stored) {
        if let Some(bytes) = disk.get(NEXT_TOKEN_KEY) {
            let token = std::str::from_utf8(bytes).ok().and_then(|s| s.parse().ok());
            self.next_token = token.unwrap_or(1);
            self.quiet_until_ms = now_ms + self.config.ttl_ms;
        }
    }

    /// Drops the lease if it has ended by this server's clock.
    fn expire(&mut self, now_ms: u64, out: &mut Out) {
        let ended = self.holder.as_ref().is_some_and(|l| self.config.leases_expire && now_ms >= l.expires_at_ms);
        if ended {
            let lease = self.holder.take().expect("checked above");
            out.record(Record::info(EXPIRED).with(CLIENT, lease.client).with(TOKEN, lease.token));
        }
    }

    fn on_acquire(&mut self, now_ms: u64, id: RequestId, from: String, out: &mut Out) {
        self.expire(now_ms, out);
        if self.holder.is_some() || now_ms < self.quiet_until_ms {
            out.reply(id, Body::Grant(Grant::default()));
            return;
        }
        let token = self.next_token;
        self.next_token += 1;
        let expires_at_ms = now_ms + self.config.ttl_ms;
        self.holder = Some(Lease { client: from.clone(), token, expires_at_ms });
        let grant = Grant { granted: true, token, ttl_ms: self.config.ttl_ms, expires_at_ms };
        let generation = self.disk.write(NEXT_TOKEN_KEY, self.next_token.to_string().into_bytes(), out);
        self.disk.hold(generation, (id, grant, from));
    }

    fn on_renew(&mut self, now_ms: u64, id: RequestId, from: &str, token: u64, out: &mut Out) {
        self.expire(now_ms, out);
        let ttl_ms = self.config.ttl_ms;
        let reply = match &mut self.holder {
            Some(lease) if lease.token == token => {
                lease.expires_at_ms = now_ms + ttl_ms;
                out.record(Record::debug(RENEWED).with(CLIENT, from).with(TOKEN, token));
                Renewed { ok: true, ttl_ms, expires_at_ms: lease.expires_at_ms }
            }
            _ => Renewed::default(),
        };
        out.reply(id, Body::Renewed(reply));
    }

    fn on_release(&mut self, id: RequestId, from: &str, token: u64, out: &mut Out) {
        if self.holder.as_ref().is_some_and(|l| l.token == token) {
            self.holder = None;
            out.record(Record::info(RELEASED).with(CLIENT, from).with(TOKEN, token));
        }
        out.reply(id, Body::Released(Released {}));
    }
}

impl Node for LockServer {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let now_ms = ctx.now_ms;
        match input {
            Input::Start { disk } => self.recover(now_ms, &disk),
            Input::Request { id, from, body: Body::Acquire(_) } => self.on_acquire(now_ms, id, from, out),
            Input::Request { id, from, body: Body::Renew(renew) } => self.on_renew(now_ms, id, &from, renew.token, out),
            Input::Request { id, from, body: Body::Release(release) } => self.on_release(id, &from, release.token, out),
            Input::Synced { tag } => {
                for (id, grant, client) in self.disk.on_synced(tag, out) {
                    out.record(
                        Record::info(GRANTED).with(CLIENT, client).with(TOKEN, grant.token).with(TTL_MS, grant.ttl_ms),
                    );
                    out.reply(id, Body::Grant(grant));
                }
            }
            Input::Request { .. } | Input::CallResult { .. } | Input::Timer { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::lock::{Acquire, Release, Renew};

    fn server(leases_expire: bool) -> LockServer {
        let mut server = LockServer::new(LockServerConfig { ttl_ms: 1_000, leases_expire });
        step(&mut server, 0, Input::fresh_start());
        server
    }

    /// Feeds one input (and the fsyncs it asks for) and returns every action.
    fn step(server: &mut LockServer, now_ms: u64, input: Input) -> Vec<Action> {
        let mut rng = stream_rng(1, "lock-server");
        let mut out = Out::default();
        server.on_input(&mut Ctx { now_ms, rng: &mut rng }, input, &mut out);
        let mut actions = out.take();
        let synced: Vec<u64> =
            actions.iter().filter_map(|a| if let Action::Fsync { tag } = a { Some(*tag) } else { None }).collect();
        for tag in synced {
            actions.extend(step(server, now_ms, Input::Synced { tag }));
        }
        actions
    }

    fn request(server: &mut LockServer, now_ms: u64, from: &str, body: Body) -> Body {
        let actions = step(server, now_ms, Input::Request { id: 9, from: from.into(), body });
        actions
            .into_iter()
            .find_map(|a| if let Action::Reply { body, .. } = a { Some(body) } else { None })
            .expect("the server answers")
    }

    fn acquire(server: &mut LockServer, now_ms: u64, from: &str) -> Grant {
        match request(server, now_ms, from, Body::Acquire(Acquire {})) {
            Body::Grant(grant) => grant,
            other => panic!("not a grant: {other:?}"),
        }
    }

    #[test]
    fn one_holder_at_a_time_and_every_grant_gets_a_higher_token() {
        let mut server = server(true);
        let first = acquire(&mut server, 0, "worker-1");
        assert!(first.granted);
        assert!(!acquire(&mut server, 500, "worker-2").granted, "worker-1's lease runs until 1 s");
        let second = acquire(&mut server, 1_000, "worker-2");
        assert!(second.granted, "the lease ended by the server's clock");
        assert!(second.token > first.token);
        let renew = request(&mut server, 1_100, "worker-1", Body::Renew(Renew { token: first.token }));
        assert_eq!(renew, Body::Renewed(Renewed::default()), "the old holder cannot renew");
    }

    #[test]
    fn renewing_extends_the_lease_and_releasing_frees_the_lock() {
        let mut server = server(true);
        let grant = acquire(&mut server, 0, "worker-1");
        let renewed = request(&mut server, 800, "worker-1", Body::Renew(Renew { token: grant.token }));
        assert_eq!(renewed, Body::Renewed(Renewed { ok: true, ttl_ms: 1_000, expires_at_ms: 1_800 }));
        assert!(!acquire(&mut server, 1_500, "worker-2").granted);
        request(&mut server, 1_600, "worker-1", Body::Release(Release { token: grant.token }));
        assert!(acquire(&mut server, 1_600, "worker-2").granted);
    }

    #[test]
    fn a_lock_without_leases_stays_with_a_holder_that_never_comes_back() {
        let mut server = server(false);
        acquire(&mut server, 0, "worker-1");
        assert!(!acquire(&mut server, 60_000, "worker-2").granted);
    }

    #[test]
    fn a_restarted_server_never_reuses_a_token_and_waits_out_the_leases_it_forgot() {
        let mut server = server(true);
        let before = acquire(&mut server, 0, "worker-1");
        let mut disk = Stored::new();
        disk.insert(NEXT_TOKEN_KEY.into(), (before.token + 1).to_string().into_bytes());
        let mut restarted = LockServer::new(LockServerConfig { ttl_ms: 1_000, leases_expire: true });
        step(&mut restarted, 200, Input::Start { disk });
        assert!(!acquire(&mut restarted, 700, "worker-2").granted, "worker-1 may still hold it");
        let after = acquire(&mut restarted, 1_200, "worker-2");
        assert!(after.granted && after.token > before.token);
    }
}

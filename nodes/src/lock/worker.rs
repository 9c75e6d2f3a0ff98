//! A worker: takes the lock, reads the stored value, works on it for `work_ms` while renewing
//! its lease, checks that the lease still has time left, writes the new value (`+1`) and
//! releases the lock; then, after `retry_ms`, goes again.
//!
//! The lease it believes in is its own estimate. With [`LeaseDeadline::Elapsed`] it counts
//! the TTL on its own clock from the moment it *sent* the request (the grant cannot be older
//! than that), less margins for both clocks' drift and for a stall (the safe lease of
//! `fundamentals::time::lease`): a duration, so a clock that is merely set wrong does not
//! matter. With [`LeaseDeadline::ServerTimestamp`] it
//! compares the server's expiry timestamp with its own clock — trusting two machines' clocks
//! to agree.
//!
//! Either way, the check before the write is check-then-act: a pause between the check and the
//! write (a GC pause, a stopped VM) sends the write after the lease is gone, and only a
//! storage that checks fencing tokens can refuse it.
//!
//! It renews only while the lease would not cover the rest of the work: a holder whose lease
//! looks long enough does not ask again, and a server whose clock runs fast ends that lease
//! early without the holder ever hearing of it.

use crate::records::lock::{
    ACQUIRED, EXPIRED_LOCALLY, LEASE_CHECKED, LEASE_LOST, LEASE_MS, LEFT_MS, OK, OUTCOME, REASON, REFUSED, REJECTED,
    TOKEN, UNKNOWN, VALUE, WROTE,
};
use crate::{Body, CallError, Ctx, Input, Node, Out, Record};
use fundamentals::time::lease::safe_lease_ms;
use proto::lock::{Acquire, Grant, Release, Renew, StorageRead, StorageWrite};
use rand::Rng;

/// How a worker decides whether its lease still has time left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseDeadline {
    /// The TTL counted on its own clock from when it asked, less the margin.
    Elapsed,
    /// The server's expiry timestamp, less the margin, compared with its own clock (the bug).
    ServerTimestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    pub lock_server: String,
    pub storage: String,
    /// How long the work between the read and the write takes.
    pub work_ms: u64,
    /// How long preparing the write takes once the lease was checked.
    pub commit_ms: u64,
    /// How often the worker considers renewing while it works.
    pub renew_ms: u64,
    /// The pause between a refused acquire and the next, and after a job.
    pub retry_ms: u64,
    pub timeout_ms: u64,
    /// The most each clock (the worker's, the server's) may drift, in millionths.
    pub drift_bound_ppm: u64,
    /// The longest stall the worker allows for between a check of its lease and what it does.
    pub max_pause_ms: u64,
    pub deadline: LeaseDeadline,
}

// Timers and calls carry the job they belong to (tag = job × KINDS + kind), so that what
// arrives for a job that is over is recognised and dropped.
const KINDS: u64 = 16;
const ACQUIRE_TIMER: u64 = 0;
const RENEW_TIMER: u64 = 1;
const WORK_DONE_TIMER: u64 = 2;
const COMMIT_TIMER: u64 = 3;
const ACQUIRE_CALL: u64 = 4;
const RENEW_CALL: u64 = 5;
const READ_CALL: u64 = 6;
const WRITE_CALL: u64 = 7;
const RELEASE_CALL: u64 = 8;

/// The lock as this worker holds it.
struct Held {
    token: u64,
    /// When the lease ends, by this worker's estimate and clock.
    lease_until_ms: u64,
    /// The value read, once the read is back.
    value: Option<u64>,
    work_end_ms: u64,
    /// When the renew in flight was sent.
    renew_sent_ms: Option<u64>,
}

pub struct Worker {
    config: WorkerConfig,
    job: u64,
    acquire_sent_ms: u64,
    held: Option<Held>,
}

impl Worker {
    pub fn new(config: WorkerConfig) -> Self {
        Self { config, job: 0, acquire_sent_ms: 0, held: None }
    }

    fn tag(&self, kind: u64) -> u64 {
        self.job * KINDS + kind
    }

    fn set_timer(&self, kind: u64, after_ms: u64, out: &mut Out) {
        out.set_timer(self.tag(kind), after_ms);
    }

    fn call(&self, to_storage: bool, kind: u64, body: Body, out: &mut Out) {
        let to = if to_storage { &self.config.storage } else { &self.config.lock_server };
        out.call(to, self.tag(kind), body, self.config.timeout_ms);
    }

    /// When a lease of `ttl_ms` asked for at `sent_ms` ends, by this worker's reckoning: the
    /// safe part of it (`fundamentals::time::lease`), counted on its own clock or read off the
    /// server's timestamp.
    fn lease_until(&self, sent_ms: u64, ttl_ms: u64, expires_at_ms: u64) -> u64 {
        let safe_ms = safe_lease_ms(ttl_ms, self.config.drift_bound_ppm, self.config.max_pause_ms).unwrap_or(0);
        match self.config.deadline {
            LeaseDeadline::Elapsed => sent_ms + safe_ms,
            LeaseDeadline::ServerTimestamp => expires_at_ms.saturating_sub(ttl_ms - safe_ms),
        }
    }

    /// Ends the current job (dropping whatever still arrives for it) and goes again later.
    fn next_job(&mut self, out: &mut Out) {
        if let Some(held) = self.held.take() {
            self.call(false, RELEASE_CALL, Body::Release(Release { token: held.token }), out);
        }
        self.job += 1;
        self.set_timer(ACQUIRE_TIMER, self.config.retry_ms, out);
    }

    fn lose_lease(&mut self, reason: &str, out: &mut Out) {
        if let Some(held) = &self.held {
            out.record(Record::info(LEASE_LOST).with(TOKEN, held.token).with(REASON, reason));
        }
        self.next_job(out);
    }

    fn on_granted(&mut self, now_ms: u64, grant: Grant, out: &mut Out) {
        let lease_until_ms = self.lease_until(self.acquire_sent_ms, grant.ttl_ms, grant.expires_at_ms);
        out.record(
            Record::info(ACQUIRED).with(TOKEN, grant.token).with(LEASE_MS, lease_until_ms.saturating_sub(now_ms)),
        );
        self.held = Some(Held { token: grant.token, lease_until_ms, value: None, work_end_ms: 0, renew_sent_ms: None });
        self.call(true, READ_CALL, Body::StorageRead(StorageRead { token: grant.token }), out);
    }

    fn on_read(&mut self, now_ms: u64, result: Result<Body, CallError>, out: &mut Out) {
        let Some(held) = &mut self.held else { return };
        match result {
            Ok(Body::StorageReply(reply)) if reply.accepted => {
                held.value = Some(reply.value);
                held.work_end_ms = now_ms + self.config.work_ms;
                self.set_timer(WORK_DONE_TIMER, self.config.work_ms, out);
                self.set_timer(RENEW_TIMER, self.config.renew_ms, out);
            }
            // Refused (a newer holder has been there) or no answer: give the lock back.
            _ => self.next_job(out),
        }
    }

    /// Renews while the lease would end before the work and the write are done.
    fn on_renew_timer(&mut self, now_ms: u64, out: &mut Out) {
        let Some(held) = &mut self.held else { return };
        let work_end_ms = held.work_end_ms;
        let renew = held.lease_until_ms < work_end_ms + self.config.commit_ms && held.renew_sent_ms.is_none();
        if renew {
            held.renew_sent_ms = Some(now_ms);
        }
        let token = held.token;
        if renew {
            self.call(false, RENEW_CALL, Body::Renew(Renew { token }), out);
        }
        if now_ms + self.config.renew_ms < work_end_ms {
            self.set_timer(RENEW_TIMER, self.config.renew_ms, out);
        }
    }

    fn on_renewed(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let Some(sent_ms) = self.held.as_mut().and_then(|h| h.renew_sent_ms.take()) else { return };
        match result {
            Ok(Body::Renewed(renewed)) if renewed.ok => {
                let until = self.lease_until(sent_ms, renewed.ttl_ms, renewed.expires_at_ms);
                if let Some(held) = &mut self.held {
                    held.lease_until_ms = held.lease_until_ms.max(until);
                }
            }
            Ok(_) => self.lose_lease(REFUSED, out),
            // No answer: the lease may or may not have been extended; the next tick tries again.
            Err(_) => {}
        }
    }

    /// The work is done: write if the lease has time left (check, then act).
    fn on_work_done(&mut self, now_ms: u64, out: &mut Out) {
        let Some(held) = &self.held else { return };
        if now_ms >= held.lease_until_ms {
            return self.lose_lease(EXPIRED_LOCALLY, out);
        }
        out.record(Record::info(LEASE_CHECKED).with(TOKEN, held.token).with(LEFT_MS, held.lease_until_ms - now_ms));
        self.set_timer(COMMIT_TIMER, self.config.commit_ms, out);
    }

    fn on_commit(&mut self, out: &mut Out) {
        let Some(held) = &self.held else { return };
        let write = StorageWrite { token: held.token, value: held.value.unwrap_or_default() + 1 };
        self.call(true, WRITE_CALL, Body::StorageWrite(write), out);
    }

    fn on_wrote(&mut self, result: Result<Body, CallError>, out: &mut Out) {
        let Some(held) = &self.held else { return };
        let value = held.value.unwrap_or_default() + 1;
        let outcome = match result {
            Ok(Body::StorageReply(reply)) if reply.accepted => OK,
            Ok(_) => REJECTED,
            Err(_) => UNKNOWN,
        };
        out.record(Record::info(WROTE).with(TOKEN, held.token).with(VALUE, value).with(OUTCOME, outcome));
        self.next_job(out);
    }
}

impl Node for Worker {
    fn on_input(&mut self, ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        let now_ms = ctx.now_ms;
        let (job, kind) = match &input {
            Input::Timer { tag } | Input::CallResult { tag, .. } => (tag / KINDS, tag % KINDS),
            _ => (self.job, u64::MAX),
        };
        if job != self.job {
            return; // Something of a job that is over.
        }
        match input {
            Input::Start { .. } => {
                let jitter = ctx.rng.random_range(1..=self.config.retry_ms.max(1));
                self.set_timer(ACQUIRE_TIMER, jitter, out);
            }
            Input::Timer { .. } if kind == ACQUIRE_TIMER => {
                self.acquire_sent_ms = now_ms;
                self.call(false, ACQUIRE_CALL, Body::Acquire(Acquire {}), out);
            }
            Input::CallResult { result, .. } if kind == ACQUIRE_CALL => match result {
                Ok(Body::Grant(grant)) if grant.granted => self.on_granted(now_ms, grant, out),
                _ => self.set_timer(ACQUIRE_TIMER, self.config.retry_ms, out),
            },
            Input::CallResult { result, .. } if kind == READ_CALL => self.on_read(now_ms, result, out),
            Input::Timer { .. } if kind == RENEW_TIMER => self.on_renew_timer(now_ms, out),
            Input::CallResult { result, .. } if kind == RENEW_CALL => self.on_renewed(result, out),
            Input::Timer { .. } if kind == WORK_DONE_TIMER => self.on_work_done(now_ms, out),
            Input::Timer { .. } if kind == COMMIT_TIMER => self.on_commit(out),
            Input::CallResult { result, .. } if kind == WRITE_CALL => self.on_wrote(result, out),
            Input::Timer { .. }
            | Input::CallResult { .. }
            | Input::Request { .. }
            | Input::Synced { .. }
            | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::{stream_rng, SimRng};
    use proto::lock::{Renewed, StorageReply};

    fn config(deadline: LeaseDeadline) -> WorkerConfig {
        WorkerConfig {
            lock_server: "lock-server".into(),
            storage: "storage".into(),
            work_ms: 1_200,
            commit_ms: 20,
            renew_ms: 300,
            retry_ms: 50,
            timeout_ms: 200,
            drift_bound_ppm: 10_000,
            max_pause_ms: 30,
            deadline,
        }
    }

    /// A worker and what it did on its last input.
    struct Run {
        worker: Worker,
        rng: SimRng,
        actions: Vec<Action>,
    }

    impl Run {
        fn new(deadline: LeaseDeadline) -> Self {
            let mut run = Self { worker: Worker::new(config(deadline)), rng: stream_rng(1, "worker"), actions: vec![] };
            run.step(0, Input::fresh_start());
            run
        }

        fn step(&mut self, now_ms: u64, input: Input) -> &[Action] {
            let mut out = Out::default();
            self.worker.on_input(&mut Ctx { now_ms, rng: &mut self.rng }, input, &mut out);
            self.actions = out.take();
            &self.actions
        }

        fn tag_of(&self, wanted: fn(&Action) -> bool) -> u64 {
            match self.actions.iter().find(|a| wanted(a)) {
                Some(Action::Call { tag, .. } | Action::SetTimer { tag, .. }) => *tag,
                _ => panic!("no such action in {:?}", self.actions),
            }
        }

        /// Answers the call the worker made last.
        fn result(&mut self, now_ms: u64, result: Result<Body, CallError>) -> &[Action] {
            let tag = self.tag_of(|a| matches!(a, Action::Call { .. }));
            self.step(now_ms, Input::CallResult { tag, result })
        }

        fn timer(&mut self, now_ms: u64, kind: u64) -> &[Action] {
            let tag = self.worker.tag(kind);
            self.step(now_ms, Input::Timer { tag })
        }

        fn records(&self, kind: &str) -> Vec<&Record> {
            self.actions
                .iter()
                .filter_map(|a| if let Action::Record(r) = a { Some(r) } else { None })
                .filter(|r| r.kind == kind)
                .collect()
        }

        /// Acquires at `now_ms` with a grant the server stamps `expires_at_ms`, and reads 0.
        fn hold(&mut self, now_ms: u64, expires_at_ms: u64) {
            self.timer(now_ms, ACQUIRE_TIMER);
            let grant = Grant { granted: true, token: 7, ttl_ms: 1_000, expires_at_ms };
            self.result(now_ms + 2, Ok(Body::Grant(grant)));
            let reply = StorageReply { accepted: true, value: 0, highest_token: 7 };
            self.result(now_ms + 4, Ok(Body::StorageReply(reply)));
        }
    }

    #[test]
    fn a_worker_whose_renewals_get_no_answer_gives_up_before_writing() {
        let mut run = Run::new(LeaseDeadline::Elapsed);
        run.hold(100, 1_100);
        assert!(run.timer(404, RENEW_TIMER).iter().any(|a| matches!(a, Action::Call { body: Body::Renew(_), .. })));
        run.result(604, Err(CallError::Timeout));
        run.timer(1_304, WORK_DONE_TIMER);
        assert_eq!(run.records(LEASE_LOST).len(), 1, "its lease ran out at 1.05 s by its own count");
        assert!(run.records(LEASE_CHECKED).is_empty());
    }

    #[test]
    fn a_worker_that_trusts_the_servers_timestamp_writes_on_a_lease_its_slow_clock_thinks_is_alive() {
        let mut run = Run::new(LeaseDeadline::ServerTimestamp);
        // The worker's clock is 3 s behind the server's: the server says the lease ends at
        // 4_100 by its clock, which the worker reads as 3 s more than it has.
        run.hold(100, 4_100);
        let tick = run.timer(404, RENEW_TIMER);
        assert!(!tick.iter().any(|a| matches!(a, Action::Call { .. })), "it sees no need to renew");
        run.timer(1_304, WORK_DONE_TIMER);
        assert_eq!(run.records(LEASE_CHECKED).len(), 1, "it believes it has time left");
    }

    #[test]
    fn a_refused_renewal_ends_the_job_and_what_arrives_for_it_later_is_dropped() {
        let mut run = Run::new(LeaseDeadline::Elapsed);
        run.hold(100, 1_100);
        run.timer(404, RENEW_TIMER);
        run.result(410, Ok(Body::Renewed(Renewed::default())));
        assert_eq!(run.records(LEASE_LOST).len(), 1);
        let stale = Input::Timer { tag: WORK_DONE_TIMER };
        assert!(run.step(1_304, stale).is_empty(), "the old job's timer does nothing");
    }

    #[test]
    fn a_renewed_lease_that_covers_the_work_is_not_renewed_again() {
        let mut run = Run::new(LeaseDeadline::Elapsed);
        run.hold(100, 1_100);
        run.timer(404, RENEW_TIMER);
        let renewed = Renewed { ok: true, ttl_ms: 1_000, expires_at_ms: 1_404 };
        run.result(406, Ok(Body::Renewed(renewed)));
        let next = run.timer(704, RENEW_TIMER);
        assert!(!next.iter().any(|a| matches!(a, Action::Call { .. })), "1.354 s covers the write at 1.324 s");
        run.timer(1_304, WORK_DONE_TIMER);
        assert_eq!(run.records(LEASE_CHECKED).len(), 1);
        run.timer(1_324, COMMIT_TIMER);
        let write = run.actions.iter().find_map(|a| match a {
            Action::Call { body: Body::StorageWrite(w), .. } => Some(*w),
            _ => None,
        });
        assert_eq!(write, Some(StorageWrite { token: 7, value: 1 }));
    }
}

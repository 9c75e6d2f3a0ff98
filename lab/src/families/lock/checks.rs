//! Distributed-lock checks. Two read what the storage did — the only place where a lock's
//! failure does damage — and never what workers believed; the third reads the lock server's
//! grants against the harness's crashes.

use crate::checks::{seconds, Outcome, Witnesses};
use crate::trace::{Event, LAB_NODE};
use nodes::records::lock::{ACCEPTED, CLIENT, EXPIRED, GRANTED, RELEASED, STORAGE_READ, STORAGE_WRITE, TOKEN, VALUE};
use std::collections::BTreeMap;

/// One request the storage accepted.
struct Access<'a> {
    event: &'a Event,
    token: u64,
    write: bool,
}

impl Access<'_> {
    fn client(&self) -> &str {
        self.event.str_field(CLIENT).unwrap_or("?")
    }

    fn holder(&self) -> (u64, &str) {
        (self.token, self.client())
    }

    fn describe(&self) -> String {
        let what = if self.write { "wrote" } else { "read" };
        format!("token {} ({}) {what} at {}", self.token, self.client(), seconds(self.event.t_us))
    }
}

/// The storage's requests in the order it handled them, and how many it refused.
fn accesses(events: &[Event]) -> (Vec<Access<'_>>, usize) {
    let mut accepted = Vec::new();
    let mut refused = 0;
    for event in events {
        let write = match event.kind() {
            STORAGE_READ => false,
            STORAGE_WRITE => true,
            _ => continue,
        };
        let Some(token) = event.u64_field(TOKEN) else { continue };
        match event.bool_field(ACCEPTED) {
            Some(true) => accepted.push(Access { event, token, write }),
            _ => refused += 1,
        }
    }
    (accepted, refused)
}

fn writes_and_final_value(accepted: &[Access<'_>]) -> String {
    let writes: Vec<&Access> = accepted.iter().filter(|a| a.write).collect();
    let last = writes.last().and_then(|a| a.event.u64_field(VALUE)).unwrap_or(0);
    format!("{} writes accepted, the value ended at {last}", writes.len())
}

/// Safety: the holders' read-modify-writes never interleave at the storage: between a holder's
/// (a token's, used by one worker) first and last accepted request, no other holder's request
/// was accepted. The figure names
/// the first overlap with both tokens.
pub fn mutual_exclusion(events: &[Event]) -> Outcome {
    let (accepted, _) = accesses(events);
    // Per holder — a token and the worker that used it, so that a token granted twice still
    // names two holders — the positions of its first and last accepted request.
    let mut spans: BTreeMap<(u64, &str), (usize, usize)> = BTreeMap::new();
    for (i, access) in accepted.iter().enumerate() {
        spans.entry(access.holder()).and_modify(|span| span.1 = i).or_insert((i, i));
    }
    if spans.len() < 2 {
        return Outcome::Inconclusive(format!("{} holder(s) reached the storage: no two to keep apart", spans.len()));
    }
    // An intrusion: an access of another token inside a token's span.
    let mut overlapping = 0;
    let mut first: Option<(usize, usize, usize)> = None;
    for &(start, end) in spans.values() {
        let holder = accepted[start].holder();
        let Some(intruder) = (start + 1..end).find(|&i| accepted[i].holder() != holder) else { continue };
        overlapping += 1;
        if first.is_none_or(|(_, earliest, _)| intruder < earliest) {
            first = Some((start, intruder, end));
        }
    }
    let mut figure = format!(
        "{} holders reached the storage, {overlapping} of them interleaved with another; {}",
        spans.len(),
        writes_and_final_value(&accepted)
    );
    if let Some((start, intruder, end)) = first {
        let (a, b, c) = (&accepted[start], &accepted[intruder], &accepted[end]);
        figure += &format!(
            "; first overlap: {} and {} at {}; in between, {}",
            a.describe(),
            if c.write { "wrote" } else { "read" },
            seconds(c.event.t_us),
            b.describe()
        );
    }
    Outcome::judged(first.is_none(), figure, || {
        first
            .map(|(a, b, c)| vec![accepted[a].event.seq, accepted[b].event.seq, accepted[c].event.seq])
            .unwrap_or_default()
    })
}

/// Safety: the storage never accepted a write whose token is lower than a token it had
/// already accepted a request from — a holder whose lease had ended, writing anyway.
pub fn fenced_writes(events: &[Event]) -> Outcome {
    let (accepted, refused) = accesses(events);
    if !accepted.iter().any(|a| a.write) {
        return Outcome::Inconclusive("the storage accepted no write: no token to judge".into());
    }
    let mut newest: Option<&Access> = None;
    let mut stale: Vec<(&Access, &Access)> = Vec::new();
    for access in &accepted {
        match newest {
            Some(newer) if access.token < newer.token => {
                if access.write {
                    stale.push((access, newer));
                }
            }
            _ => newest = Some(access),
        }
    }
    let writes = accepted.iter().filter(|a| a.write).count();
    let mut figure = format!(
        "{writes} writes accepted, {} of them with a stale token; {refused} requests refused for a stale token",
        stale.len()
    );
    if let Some((write, newer)) = stale.first() {
        figure += &format!("; first: {}, after {}", write.describe(), newer.describe());
    }
    Outcome::judged(stale.is_empty(), figure, || {
        stale.iter().take(6).flat_map(|(write, newer)| [newer.event.seq, write.event.seq]).collect::<Witnesses>()
    })
}

/// A holder the harness crashed while it held the lock, and the grant that followed.
struct Orphaned<'a> {
    crash: &'a Event,
    client: String,
    token: u64,
    next_grant: Option<&'a Event>,
}

/// Liveness: whenever a worker crashed holding the lock, the lock server granted it again
/// within `within_us`. Crashes too close to the run's end to tell are not judged.
pub fn lock_liveness(events: &[Event], end_us: u64, within_us: u64) -> Outcome {
    let mut holder: Option<(String, u64)> = None;
    let mut orphaned: Vec<Orphaned> = Vec::new();
    for event in events {
        match event.kind() {
            GRANTED => {
                for waiting in orphaned.iter_mut().filter(|o| o.next_grant.is_none()) {
                    waiting.next_grant = Some(event);
                }
                let client = event.str_field(CLIENT).unwrap_or_default().to_owned();
                holder = event.u64_field(TOKEN).map(|token| (client, token));
            }
            RELEASED | EXPIRED if holder.as_ref().is_some_and(|(_, t)| Some(*t) == event.u64_field(TOKEN)) => {
                holder = None;
            }
            "fault" if &*event.node == LAB_NODE && event.str_field("fault") == Some("crash") => {
                let crashed = event.str_field("nodes").unwrap_or_default();
                if let Some((client, token)) = holder.as_ref().filter(|(c, _)| crashed.split(',').any(|n| n == c)) {
                    orphaned.push(Orphaned { crash: event, client: client.clone(), token: *token, next_grant: None });
                    holder = None;
                }
            }
            _ => {}
        }
    }
    let judged: Vec<&Orphaned> = orphaned.iter().filter(|o| o.crash.t_us + within_us <= end_us).collect();
    if judged.is_empty() {
        return Outcome::Inconclusive(format!(
            "no worker crashed holding the lock more than {} before the end: no recovery to judge",
            seconds(within_us)
        ));
    }
    let waited = |o: &Orphaned| o.next_grant.map(|g| g.t_us - o.crash.t_us);
    let late: Vec<&&Orphaned> = judged.iter().filter(|o| waited(o).is_none_or(|w| w > within_us)).collect();
    let slowest = judged.iter().filter_map(|o| waited(o)).max().unwrap_or(0);
    let mut figure = format!(
        "holders that crashed holding the lock: {}; of them, {} waited longer than {} for a new grant",
        judged.len(),
        late.len(),
        seconds(within_us)
    );
    match late.first() {
        Some(o) => {
            let after = match waited(o) {
                Some(w) => format!("granted again only {} later", seconds(w)),
                None => format!("never granted again ({} to the end)", seconds(end_us - o.crash.t_us)),
            };
            figure += &format!(
                "; first: {} crashed holding token {} at {}, {after}",
                o.client,
                o.token,
                seconds(o.crash.t_us)
            );
        }
        None => figure += &format!("; the slowest new grant came {} after its crash", seconds(slowest)),
    }
    Outcome::judged(late.is_empty(), figure, || {
        late.iter().take(6).flat_map(|o| std::iter::once(o.crash.seq).chain(o.next_grant.map(|g| g.seq))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_events;
    use nodes::Record;

    fn storage(
        t_ms: u64,
        kind: &'static str,
        client: &str,
        token: u64,
        value: u64,
        accepted: bool,
    ) -> (u64, &'static str, Record) {
        let record =
            Record::info(kind).with(CLIENT, client).with(TOKEN, token).with(VALUE, value).with(ACCEPTED, accepted);
        (t_ms, "storage", record)
    }

    fn read(t_ms: u64, client: &str, token: u64, accepted: bool) -> (u64, &'static str, Record) {
        storage(t_ms, STORAGE_READ, client, token, 0, accepted)
    }

    fn write(t_ms: u64, client: &str, token: u64, value: u64, accepted: bool) -> (u64, &'static str, Record) {
        storage(t_ms, STORAGE_WRITE, client, token, value, accepted)
    }

    fn failed(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Fail(..))
    }

    #[test]
    fn holders_one_after_the_other_pass_both_safety_checks() {
        let history = test_events(vec![
            read(0, "w1", 1, true),
            write(10, "w1", 1, 1, true),
            read(20, "w2", 2, true),
            write(30, "w2", 2, 2, true),
        ]);
        assert!(matches!(mutual_exclusion(&history), Outcome::Pass(_)));
        assert!(matches!(fenced_writes(&history), Outcome::Pass(_)));
    }

    #[test]
    fn a_paused_holder_writing_after_the_next_one_read_fails_both_and_names_both_tokens() {
        let history = test_events(vec![
            read(0, "w1", 1, true),
            read(1_500, "w2", 2, true),
            write(1_600, "w2", 2, 1, true),
            write(3_000, "w1", 1, 1, true),
        ]);
        let exclusion = mutual_exclusion(&history);
        assert!(failed(&exclusion));
        assert!(exclusion.figure().contains("token 1 (w1) read at 0.000 s"), "{}", exclusion.figure());
        assert!(exclusion.figure().contains("token 2 (w2) read at 1.500 s"), "{}", exclusion.figure());
        assert!(exclusion.figure().contains("the value ended at 1"), "a lost update shows: {}", exclusion.figure());
        assert!(failed(&fenced_writes(&history)));
    }

    #[test]
    fn a_refused_stale_write_is_neither_an_overlap_nor_a_stale_write() {
        let history =
            test_events(vec![read(0, "w1", 1, true), read(1_500, "w2", 2, true), write(3_000, "w1", 1, 1, false)]);
        let history = [history, test_events(vec![write(3_100, "w2", 2, 1, true)])].concat();
        assert!(matches!(mutual_exclusion(&history), Outcome::Pass(_)));
        let fenced = fenced_writes(&history);
        assert!(matches!(fenced, Outcome::Pass(_)));
        assert!(fenced.figure().contains("1 requests refused"), "{}", fenced.figure());
    }

    #[test]
    fn an_old_holder_acting_wholly_after_a_newer_one_is_a_stale_write_but_no_overlap() {
        let history = test_events(vec![
            read(0, "w2", 2, true),
            write(10, "w2", 2, 1, true),
            read(20, "w1", 1, true),
            write(30, "w1", 1, 2, true),
        ]);
        assert!(matches!(mutual_exclusion(&history), Outcome::Pass(_)));
        assert!(failed(&fenced_writes(&history)));
    }

    #[test]
    fn one_token_used_by_two_workers_is_two_holders() {
        let history = test_events(vec![
            read(0, "w1", 1, true),
            read(10, "w2", 1, true),
            write(20, "w2", 1, 1, true),
            write(30, "w1", 1, 1, true),
        ]);
        assert!(failed(&mutual_exclusion(&history)));
        assert!(matches!(fenced_writes(&history), Outcome::Pass(_)), "no token is older than another");
    }

    #[test]
    fn one_holder_or_no_write_is_nothing_to_judge() {
        let one = test_events(vec![read(0, "w1", 1, true), write(10, "w1", 1, 1, true)]);
        assert!(matches!(mutual_exclusion(&one), Outcome::Inconclusive(_)));
        let reads_only = test_events(vec![read(0, "w1", 1, true)]);
        assert!(matches!(fenced_writes(&reads_only), Outcome::Inconclusive(_)));
    }

    fn granted(t_ms: u64, client: &str, token: u64) -> (u64, &'static str, Record) {
        (t_ms, "lock-server", Record::info(GRANTED).with(CLIENT, client).with(TOKEN, token))
    }

    fn crash(t_ms: u64, nodes: &str) -> (u64, &'static str, Record) {
        (t_ms, LAB_NODE, Record::warn("fault").with("fault", "crash").with("nodes", nodes))
    }

    #[test]
    fn a_lock_granted_again_after_its_holder_crashed_is_live() {
        let history = test_events(vec![granted(0, "w1", 1), crash(100, "w1"), granted(1_050, "w2", 2)]);
        let outcome = lock_liveness(&history, 10_000_000, 2_000_000);
        assert!(matches!(outcome, Outcome::Pass(_)), "{outcome:?}");
    }

    #[test]
    fn a_lock_never_granted_again_after_its_holder_crashed_fails() {
        let history = test_events(vec![granted(0, "w1", 1), crash(100, "w1,w3")]);
        let outcome = lock_liveness(&history, 10_000_000, 2_000_000);
        assert!(failed(&outcome));
        assert!(outcome.figure().contains("w1 crashed holding token 1 at 0.100 s, never granted again"), "{outcome:?}");
    }

    #[test]
    fn a_crash_of_a_worker_that_held_nothing_or_too_near_the_end_is_not_judged() {
        let released = (50, "lock-server", Record::info(RELEASED).with(CLIENT, "w1").with(TOKEN, 1u64));
        let history = test_events(vec![granted(0, "w1", 1), released, crash(100, "w1")]);
        assert!(matches!(lock_liveness(&history, 10_000_000, 2_000_000), Outcome::Inconclusive(_)));
        let late = test_events(vec![granted(0, "w1", 1), crash(9_000, "w1")]);
        assert!(matches!(lock_liveness(&late, 10_000_000, 2_000_000), Outcome::Inconclusive(_)));
    }
}

//! Pub-sub checks, in the vocabulary Jepsen uses for queues and logs. Each reads what the
//! producers were told, what the consumers got and what the store applied — never the
//! broker's claims about itself (its `dead-lettered` record is the one exception: the dead
//! letters are the broker's to keep).
//!
//! Messages acknowledged (or first received) in the last `settle` of the run are not judged
//! by the checks that need time to pass: nothing could have happened to them yet.

use crate::checks::{seconds, Outcome, Witnesses};
use crate::trace::Event;
use nodes::records::pubsub::{DEAD_LETTERED, EFFECT, ID, KEY, OK, OUTCOME, POISON, PUBLISH, PUBLISH_RETURN, RECEIVED};
use std::collections::BTreeMap;

/// At most this many witnesses per failure: enough to follow, few enough to read.
const MAX_WITNESSES: usize = 12;

/// One published message and what became of it.
#[derive(Default)]
struct Fate<'a> {
    publish: Option<&'a Event>,
    /// The producer's `publish-return`.
    returned: Option<&'a Event>,
    received: Vec<&'a Event>,
    effects: Vec<&'a Event>,
    dead_lettered: Vec<&'a Event>,
}

impl Fate<'_> {
    fn acked(&self) -> bool {
        self.returned.is_some_and(|r| r.str_field(OUTCOME) == Some(OK))
    }

    fn acked_at_us(&self) -> Option<u64> {
        self.returned.filter(|_| self.acked()).map(|r| r.t_us)
    }

    fn poison(&self) -> bool {
        self.publish.and_then(|p| p.bool_field(POISON)).unwrap_or(false)
    }

    fn first_received_us(&self) -> Option<u64> {
        self.received.first().map(|e| e.t_us)
    }
}

/// Every message id in the run and its fate, in first-seen order of ids.
struct History<'a> {
    fates: BTreeMap<&'a str, Fate<'a>>,
    /// Per key, its message ids in publish order.
    keys: BTreeMap<&'a str, Vec<&'a str>>,
    /// The time after which nothing is judged.
    settled_us: u64,
}

impl<'a> History<'a> {
    fn of(events: &'a [Event], end_us: u64, settle_us: u64) -> Self {
        let mut fates: BTreeMap<&str, Fate> = BTreeMap::new();
        let mut keys: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for event in events {
            let Some(id) = event.str_field(ID) else { continue };
            match event.kind() {
                PUBLISH => {
                    fates.entry(id).or_default().publish = Some(event);
                    if let Some(key) = event.str_field(KEY) {
                        keys.entry(key).or_default().push(id);
                    }
                }
                PUBLISH_RETURN => fates.entry(id).or_default().returned = Some(event),
                RECEIVED => fates.entry(id).or_default().received.push(event),
                EFFECT => fates.entry(id).or_default().effects.push(event),
                DEAD_LETTERED => fates.entry(id).or_default().dead_lettered.push(event),
                _ => {}
            }
        }
        Self { fates, keys, settled_us: end_us.saturating_sub(settle_us) }
    }

    fn judged_acked(&self) -> impl Iterator<Item = (&&'a str, &Fate<'a>)> {
        self.fates.iter().filter(|(_, f)| f.acked_at_us().is_some_and(|t| t <= self.settled_us))
    }
}

fn seqs<'a>(events: impl IntoIterator<Item = &'a Event>) -> Witnesses {
    events.into_iter().take(MAX_WITNESSES).map(|e| e.seq).collect()
}

/// Safety: every acknowledged publish was delivered to some consumer. Lost (acknowledged,
/// never delivered) or unexpected (delivered, never published) fails; duplicated deliveries
/// are counted, as at-least-once allows them; recovered are unknown-outcome publishes that
/// were delivered after all.
pub fn delivery(events: &[Event], end_us: u64, settle_us: u64) -> Outcome {
    let history = History::of(events, end_us, settle_us);
    let judged: Vec<_> = history.judged_acked().collect();
    if judged.is_empty() {
        return Outcome::Inconclusive(format!(
            "no publish was acknowledged before {}: no delivery to judge",
            seconds(history.settled_us)
        ));
    }
    let lost: Vec<_> = judged.iter().filter(|(_, f)| f.received.is_empty()).collect();
    let unexpected: Vec<&Event> =
        history.fates.values().filter(|f| f.publish.is_none()).flat_map(|f| f.received.iter().copied()).collect();
    let duplicated = history.fates.values().filter(|f| f.received.len() > 1).count();
    let recovered =
        history.fates.values().filter(|f| !f.acked() && f.publish.is_some() && !f.received.is_empty()).count();
    let mut figure = format!(
        "{} acknowledged publishes: {} lost, {} unexpected; {duplicated} delivered more than once \
         (at-least-once allows it), {recovered} recovered (unknown outcome, then delivered)",
        judged.len(),
        lost.len(),
        unexpected.len(),
    );
    if let Some((id, fate)) = lost.first() {
        let acked_us = fate.acked_at_us().unwrap_or_default();
        figure += &format!("; first lost: {id}, acknowledged at {}, never delivered", seconds(acked_us));
    }
    Outcome::judged(lost.is_empty() && unexpected.is_empty(), figure, || {
        let lost_events = lost.iter().filter_map(|(_, f)| f.returned);
        seqs(lost_events.chain(unexpected.iter().copied()))
    })
}

/// Safety: every message delivered to a consumer (poison aside) had its effect applied in the
/// store exactly once — not twice (a redelivery applied again), not never (delivered, then
/// dropped).
pub fn effect_once(events: &[Event], end_us: u64, settle_us: u64) -> Outcome {
    let history = History::of(events, end_us, settle_us);
    let judged: Vec<_> = history
        .fates
        .iter()
        .filter(|(_, f)| f.publish.is_some() && !f.poison())
        .filter(|(_, f)| f.first_received_us().is_some_and(|t| t <= history.settled_us))
        .collect();
    if judged.is_empty() {
        return Outcome::Inconclusive("no healthy message was delivered: no effect to judge".into());
    }
    let twice: Vec<_> = judged.iter().filter(|(_, f)| f.effects.len() > 1).collect();
    let never: Vec<_> = judged.iter().filter(|(_, f)| f.effects.is_empty()).collect();
    let stray: Vec<&Event> = history
        .fates
        .values()
        .filter(|f| f.publish.is_none() || f.poison())
        .flat_map(|f| f.effects.iter().copied())
        .collect();
    let mut figure = format!(
        "{} messages delivered: {} applied once, {} more than once, {} never{}",
        judged.len(),
        judged.len() - twice.len() - never.len(),
        twice.len(),
        never.len(),
        if stray.is_empty() {
            String::new()
        } else {
            format!(", {} effects of poison or unknown messages", stray.len())
        },
    );
    if let Some((id, fate)) = twice.first() {
        let times: Vec<String> = fate.effects.iter().map(|e| seconds(e.t_us)).collect();
        figure += &format!("; first applied twice: {id}, at {}", times.join(" and "));
    } else if let Some((id, fate)) = never.first() {
        let received_us = fate.first_received_us().unwrap_or_default();
        figure += &format!("; first never applied: {id}, delivered at {}", seconds(received_us));
    }
    Outcome::judged(twice.is_empty() && never.is_empty() && stray.is_empty(), figure, || {
        let doubled = twice.iter().flat_map(|(_, f)| f.effects.iter().copied());
        let dropped = never.iter().filter_map(|(_, f)| f.received.first().copied());
        seqs(doubled.chain(dropped).chain(stray.iter().copied()))
    })
}

/// Safety: per key, messages are first delivered in the order they were published, and no
/// acknowledged message is skipped (never delivered while a later one of its key was).
/// Redeliveries are not order violations: a rewind to the committed offset is at-least-once.
pub fn per_key_order(events: &[Event], end_us: u64, settle_us: u64) -> Outcome {
    let history = History::of(events, end_us, settle_us);
    let index: BTreeMap<&str, usize> =
        history.keys.values().flat_map(|ids| ids.iter().enumerate().map(|(i, id)| (*id, i))).collect();
    // First deliveries in trace order, and per key the highest publish index delivered so far.
    let mut first_seen: BTreeMap<&str, &Event> = BTreeMap::new();
    let mut highest: BTreeMap<&str, (usize, &Event)> = BTreeMap::new();
    let mut inversions: Vec<(&Event, &Event)> = Vec::new();
    for event in events.iter().filter(|e| e.kind() == RECEIVED) {
        let (Some(id), Some(key)) = (event.str_field(ID), event.str_field(KEY)) else { continue };
        let Some(&i) = index.get(id) else { continue };
        if first_seen.insert(id, event).is_some() {
            continue;
        }
        match highest.get(key) {
            Some(&(top, top_event)) if top > i => inversions.push((top_event, event)),
            _ => {
                highest.insert(key, (i, event));
            }
        }
    }
    let keys_judged =
        history.keys.values().filter(|ids| ids.iter().filter(|id| first_seen.contains_key(*id)).count() > 1);
    let keys_judged = keys_judged.count();
    if keys_judged == 0 {
        return Outcome::Inconclusive("no key had two messages delivered: no order to judge".into());
    }
    // A skip: an acknowledged message never delivered, though a later one of its key was.
    let mut skips: Vec<&Event> = Vec::new();
    for ids in history.keys.values() {
        let last_delivered = ids.iter().rposition(|id| first_seen.contains_key(id));
        for id in &ids[..last_delivered.unwrap_or(0)] {
            let fate = &history.fates[id];
            if !first_seen.contains_key(id) && fate.acked_at_us().is_some_and(|t| t <= history.settled_us) {
                skips.extend(fate.returned);
            }
        }
    }
    let mut figure = format!(
        "{keys_judged} keys, {} first deliveries: {} out of publish order, {} skipped",
        first_seen.len(),
        inversions.len(),
        skips.len()
    );
    if let Some((later, earlier)) = inversions.first() {
        figure += &format!(
            "; first: {} was delivered at {} after {}, which was published after it",
            earlier.str_field(ID).unwrap_or_default(),
            seconds(earlier.t_us),
            later.str_field(ID).unwrap_or_default(),
        );
    } else if let Some(skip) = skips.first() {
        figure += &format!("; first skipped: {}", skip.str_field(ID).unwrap_or_default());
    }
    Outcome::judged(inversions.is_empty() && skips.is_empty(), figure, || {
        let pairs = inversions.iter().flat_map(|(a, b)| [*a, *b]);
        seqs(pairs.chain(skips.iter().copied()))
    })
}

/// Dead letters: every acknowledged poison message reaches the dead letters within `within` of
/// its first delivery (of its acknowledgement, if it was never delivered: a backlog ahead of it
/// is consumer lag, not a dead-letter problem); no healthy message ever does.
pub fn dead_letters(events: &[Event], end_us: u64, within_us: u64) -> Outcome {
    let history = History::of(events, end_us, within_us);
    let clock_starts = |f: &Fate| f.first_received_us().or(f.acked_at_us());
    let poison: Vec<_> = history
        .fates
        .iter()
        .filter(|(_, f)| f.acked() && f.poison())
        .filter(|(_, f)| clock_starts(f).is_some_and(|t| t <= history.settled_us))
        .collect();
    let healthy: Vec<&Event> = history
        .fates
        .values()
        .filter(|f| f.publish.is_some_and(|_| !f.poison()))
        .flat_map(|f| f.dead_lettered.iter().copied())
        .collect();
    if poison.is_empty() && healthy.is_empty() {
        return Outcome::Inconclusive(format!(
            "no poison message was acknowledged and delivered before {}: no dead letter to expect",
            seconds(history.settled_us)
        ));
    }
    let delay_us =
        |f: &Fate| f.dead_lettered.first().map(|d| d.t_us.saturating_sub(clock_starts(f).unwrap_or_default()));
    let late: Vec<_> = poison.iter().filter(|(_, f)| delay_us(f).is_none_or(|d| d > within_us)).collect();
    let slowest = poison.iter().filter_map(|(_, f)| delay_us(f)).filter(|d| *d <= within_us).max();
    let mut figure = format!(
        "{} poison messages: {} dead-lettered within {} of their first delivery{}; {} healthy messages dead-lettered",
        poison.len(),
        poison.len() - late.len(),
        seconds(within_us),
        slowest.map(|d| format!(" (slowest {})", seconds(d))).unwrap_or_default(),
        healthy.len(),
    );
    if let Some((id, fate)) = late.first() {
        let when = match delay_us(fate) {
            Some(d) => format!("dead-lettered {} after its first delivery", seconds(d)),
            None => "never dead-lettered".to_owned(),
        };
        figure += &format!("; first late: {id}, {when}");
    }
    Outcome::judged(late.is_empty() && healthy.is_empty(), figure, || {
        let late_events = late.iter().flat_map(|(_, f)| {
            f.received.first().or(f.returned.as_ref()).into_iter().chain(f.dead_lettered.first()).copied()
        });
        seqs(late_events.chain(healthy.iter().copied()))
    })
}

/// Liveness: consumer lag — acknowledged messages not yet delivered to a consumer (nor
/// dead-lettered) — falls to `max_lag` or below within `within` of `from`. A run that ends
/// before the window closes without the lag having fallen is inconclusive (a shortened real run).
pub fn consumer_lag(events: &[Event], end_us: u64, from_us: u64, within_us: u64, max_lag: u64) -> Outcome {
    if end_us < from_us {
        return Outcome::Inconclusive(format!(
            "the run ended at {}, before the window opens at {}",
            seconds(end_us),
            seconds(from_us)
        ));
    }
    let history = History::of(events, u64::MAX, 0);
    // Each acknowledged message lags from its ack until it is delivered or dead-lettered.
    let mut waits: Vec<(u64, u64, &Event)> = Vec::new();
    for fate in history.fates.values() {
        let (Some(acked_us), Some(returned)) = (fate.acked_at_us(), fate.returned) else { continue };
        let done_us = fate.received.iter().chain(&fate.dead_lettered).map(|e| e.t_us).min().unwrap_or(u64::MAX);
        if done_us > acked_us {
            waits.push((acked_us, done_us, returned));
        }
    }
    if !history.fates.values().any(|f| f.acked_at_us().is_some_and(|t| t < from_us + within_us)) {
        return Outcome::Inconclusive(format!(
            "no publish was acknowledged before {}: no lag to measure",
            seconds(from_us + within_us)
        ));
    }
    let lag_at = |t: u64| waits.iter().filter(|(start, end, _)| *start <= t && t < *end).count() as u64;
    let deadline_us = (from_us + within_us).min(end_us);
    // Lag only changes where a wait starts or ends: look there, and at the window's start.
    let mut moments: Vec<u64> = waits
        .iter()
        .flat_map(|(start, end, _)| [*start, *end])
        .filter(|t| (from_us..=deadline_us).contains(t))
        .collect();
    moments.push(from_us);
    moments.sort_unstable();
    let fell = moments.iter().map(|&t| (t, lag_at(t))).find(|(_, lag)| *lag <= max_lag);
    let bound = format!("bound {max_lag} within {} of {}", seconds(within_us), seconds(from_us));
    match fell {
        Some((t, lag)) => Outcome::Pass(format!("lag fell to {lag} at {} ({bound})", seconds(t))),
        None if end_us < from_us + within_us => Outcome::Inconclusive(format!(
            "the run ended at {}, before the window closed ({bound}), and lag had not fallen to the bound",
            seconds(end_us)
        )),
        None => {
            let lowest = moments.iter().map(|&t| lag_at(t)).min().unwrap_or_default();
            let mut waiting: Vec<_> = waits.iter().filter(|(s, e, _)| *s <= deadline_us && deadline_us < *e).collect();
            waiting.sort_by_key(|(start, _, _)| *start);
            let oldest = waiting
                .first()
                .map(|(s, _, e)| {
                    format!(
                        "; oldest waiting: {}, acknowledged at {}",
                        e.str_field(ID).unwrap_or_default(),
                        seconds(*s)
                    )
                })
                .unwrap_or_default();
            let figure = format!("lag never fell to the bound: lowest {lowest} ({bound}){oldest}");
            Outcome::fail(figure, seqs(waiting.iter().map(|(_, _, e)| *e)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_events;
    use nodes::Record;

    fn publish(t: u64, id: &str, key: &str, poison: bool) -> (u64, &'static str, Record) {
        (t, "producer-1", Record::info(PUBLISH).with(ID, id.to_owned()).with(KEY, key.to_owned()).with(POISON, poison))
    }

    fn acked(t: u64, id: &str) -> (u64, &'static str, Record) {
        (t, "producer-1", Record::info(PUBLISH_RETURN).with(ID, id.to_owned()).with(OUTCOME, OK))
    }

    fn received(t: u64, id: &str, key: &str) -> (u64, &'static str, Record) {
        (t, "consumer-1", Record::info(RECEIVED).with(ID, id.to_owned()).with(KEY, key.to_owned()))
    }

    fn effect(t: u64, id: &str) -> (u64, &'static str, Record) {
        (t, "store", Record::info(EFFECT).with(ID, id.to_owned()))
    }

    fn dead(t: u64, id: &str) -> (u64, &'static str, Record) {
        (t, "broker", Record::info(DEAD_LETTERED).with(ID, id.to_owned()))
    }

    fn failed(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Fail(..))
    }

    const END: u64 = 100_000_000;

    #[test]
    fn an_acknowledged_message_never_delivered_is_lost_and_a_duplicate_is_only_counted() {
        let ok =
            test_events(vec![publish(1, "a", "k", false), acked(2, "a"), received(3, "a", "k"), received(4, "a", "k")]);
        let outcome = delivery(&ok, END, 0);
        assert!(matches!(&outcome, Outcome::Pass(f) if f.contains("1 delivered more than once")), "{outcome:?}");
        let lost = test_events(vec![publish(1, "a", "k", false), acked(2, "a")]);
        let outcome = delivery(&lost, END, 0);
        assert!(matches!(&outcome, Outcome::Fail(f, w) if f.contains("1 lost") && w == &vec![1]), "{outcome:?}");
    }

    #[test]
    fn a_delivery_of_something_never_published_is_unexpected() {
        let history =
            test_events(vec![publish(1, "a", "k", false), acked(2, "a"), received(3, "a", "k"), received(4, "x", "k")]);
        assert!(failed(&delivery(&history, END, 0)));
    }

    #[test]
    fn nothing_acknowledged_is_inconclusive_not_a_pass() {
        let history = test_events(vec![publish(1, "a", "k", false)]);
        assert!(matches!(delivery(&history, END, 0), Outcome::Inconclusive(_)));
        assert!(matches!(consumer_lag(&history, END, 0, 1_000, 0), Outcome::Inconclusive(_)));
    }

    #[test]
    fn an_effect_applied_twice_or_never_fails_effect_once() {
        let base = vec![publish(1, "a", "k", false), acked(2, "a"), received(3, "a", "k")];
        let once = test_events([base.clone(), vec![effect(4, "a")]].concat());
        assert!(matches!(effect_once(&once, END, 0), Outcome::Pass(_)));
        let twice = test_events([base.clone(), vec![effect(4, "a"), effect(9, "a")]].concat());
        assert!(matches!(&effect_once(&twice, END, 0), Outcome::Fail(f, _) if f.contains("1 more than once")));
        let never = test_events(base);
        assert!(matches!(&effect_once(&never, END, 0), Outcome::Fail(f, _) if f.contains("1 never")));
    }

    #[test]
    fn a_later_message_delivered_first_breaks_per_key_order_but_a_redelivery_does_not() {
        let published = vec![publish(1, "a", "k", false), acked(2, "a"), publish(3, "b", "k", false), acked(4, "b")];
        let rewound = test_events(
            [
                published.clone(),
                vec![received(5, "a", "k"), received(6, "b", "k"), received(7, "a", "k"), received(8, "b", "k")],
            ]
            .concat(),
        );
        assert!(matches!(per_key_order(&rewound, END, 0), Outcome::Pass(_)));
        let swapped = test_events([published, vec![received(5, "b", "k"), received(6, "a", "k")]].concat());
        let outcome = per_key_order(&swapped, END, 0);
        assert!(
            matches!(&outcome, Outcome::Fail(f, w) if f.contains("1 out of publish order") && w == &vec![4, 5]),
            "{outcome:?}"
        );
    }

    #[test]
    fn an_acknowledged_message_passed_over_is_a_skip() {
        let history = test_events(vec![
            publish(1, "a", "k", false),
            acked(2, "a"),
            publish(3, "b", "k", false),
            acked(4, "b"),
            received(5, "b", "k"),
            publish(6, "c", "k", false),
            acked(7, "c"),
            received(8, "c", "k"),
        ]);
        assert!(matches!(&per_key_order(&history, END, 0), Outcome::Fail(f, _) if f.contains("1 skipped")));
    }

    #[test]
    fn poison_must_reach_the_dead_letters_in_time_and_nothing_healthy_may() {
        let poison = vec![publish(1, "p", "k", true), acked(2, "p")];
        let in_time = test_events([poison.clone(), vec![dead(500, "p")]].concat());
        assert!(matches!(dead_letters(&in_time, END, 1_000_000), Outcome::Pass(_)));
        let late = test_events([poison.clone(), vec![dead(5_000, "p")]].concat());
        assert!(failed(&dead_letters(&late, END, 1_000_000)));
        // A backlog ahead of it is not the dead letters' fault: the clock starts at delivery.
        let queued = test_events([poison.clone(), vec![received(4_500, "p", "k"), dead(5_000, "p")]].concat());
        assert!(matches!(dead_letters(&queued, END, 1_000_000), Outcome::Pass(_)));
        let never = test_events(poison);
        assert!(failed(&dead_letters(&never, END, 1_000_000)));
        let healthy = test_events(vec![publish(1, "h", "k", false), acked(2, "h"), dead(3, "h")]);
        assert!(failed(&dead_letters(&healthy, END, 1_000_000)));
    }

    #[test]
    fn lag_must_fall_under_the_bound_within_the_window() {
        // Ten messages acknowledged at 1..=10 ms; five delivered at 20 ms, the rest at 5 s.
        let mut lines = Vec::new();
        for i in 1..=10u64 {
            let id = format!("m{i}");
            lines.push(publish(i, &id, "k", false));
            lines.push(acked(i, &id));
        }
        for i in 1..=10u64 {
            lines.push(received(if i <= 5 { 20 } else { 5_000 }, &format!("m{i}"), "k"));
        }
        let history = test_events(lines);
        assert!(matches!(consumer_lag(&history, END, 10_000, 1_000_000, 5), Outcome::Pass(_)));
        let outcome = consumer_lag(&history, END, 10_000, 1_000_000, 4);
        assert!(matches!(&outcome, Outcome::Fail(f, w) if f.contains("lowest 5") && w.len() == 5), "{outcome:?}");
        assert!(matches!(consumer_lag(&history, END, 10_000, 5_000_000, 4), Outcome::Pass(_)));
        // A run that ends before the window closes cannot say the lag never fell.
        assert!(matches!(consumer_lag(&history, 900_000, 10_000, 1_000_000, 4), Outcome::Inconclusive(_)));
    }
}

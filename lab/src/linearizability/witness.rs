//! The proof of a violation: from a key whose history no order explains, the few operations
//! that already cannot be ordered on their own, and a drawing of them on a time axis.
//!
//! Not every way of making a history smaller is honest. Removing a write can *create* a
//! violation — a read of its value is then unexplained — so a "minimal" set found by removing
//! anything could accuse operations that were fine. Every step here weakens the history in a
//! way that cannot turn a linearizable history into a non-linearizable one, so when the result
//! has no order, neither has the whole: the witness is a proof. Two kinds of step:
//!
//! 1. **Cut the history at the earliest instant it is already doomed.** The history as it stood
//!    at instant `t` — operations called by then, and those that had not returned by then
//!    given an unknown outcome — is linearizable if the whole is (take the whole's
//!    linearization points: those up to `t` form a valid order of it, and every operation whose
//!    point comes later had not returned by `t`, so it may be left out). The search that found
//!    the violation also found that instant (`search::search` says how).
//! 2. **Remove operations** while the rest stays non-linearizable (chunks first, halving, then
//!    one at a time together with the operations that observe its value: delta debugging), and
//!    cut again at each smaller history's own doomed instant; but remove only
//!    - reads: they change no state, so an order of the whole is, without them, an order of
//!      the rest;
//!    - writes and cas whose new value no remaining operation reads or expects: in any order,
//!      the operation after one does not look at the state (the argument of
//!      `history::drop_unobserved_unknown_writes`), so it can be taken out of the order;
//!    - and on a key with appends, whose reads see many operations' values at once, only reads.
//!
//! The witness names the remaining operations. As they really happened (outcomes known rather
//! than cut to unknown) they are even more constrained, so they have no order either.

use super::history::{drop_unobserved_unknown_writes, KeyOp, Op, OpKind};
use super::model::{Effect, Value, Values};
use super::search::{search, Meter, Outcome};
use std::collections::{BTreeMap, BTreeSet};

/// The smallest subset of `ops` (a non-linearizable key, doomed from instant `doomed_at` as
/// the search found) found that is still non-linearizable, by honest steps only; bounded by
/// `meter`.
pub(crate) fn shrink(
    ops: &[KeyOp],
    doomed_at: u64,
    values: &mut Values,
    appends: bool,
    meter: &mut Meter,
) -> Vec<KeyOp> {
    remove_what_cannot_matter(as_of(ops, doomed_at, appends), values, appends, meter)
}

/// The history as it stood at instant `t`, on the verdict's terms: operations called by then,
/// with an unknown outcome if they had not returned by then (and the unknown reads and unread
/// unknown writes that cannot matter dropped again).
pub(crate) fn as_of(ops: &[KeyOp], t: u64, appends: bool) -> Vec<KeyOp> {
    let mut cut: Vec<KeyOp> = ops
        .iter()
        .filter(|op| op.call <= t)
        .map(|op| KeyOp { ret: op.ret.filter(|&ret| ret <= t), ..*op })
        .filter(|op| op.ret.is_some() || !matches!(op.effect, Effect::Read(_)))
        .collect();
    if !appends {
        drop_unobserved_unknown_writes(&mut cut);
    }
    cut
}

/// Delta debugging over the removals that cannot create a violation; each smaller history
/// found is cut again at the instant it became doomed.
///
/// Chunks first (halving), then one operation at a time — together with everything that then
/// depends on it: the reads and cas that observe its value, and what observes theirs. Without
/// that, two cas that each expect the other's value could never go, though both are beside
/// the point.
fn remove_what_cannot_matter(
    mut current: Vec<KeyOp>,
    values: &mut Values,
    appends: bool,
    meter: &mut Meter,
) -> Vec<KeyOp> {
    let mut chunk = current.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        let mut removed = false;
        while start < current.len() {
            let out: Vec<bool> = if chunk == 1 {
                dependents(&current, start, appends)
            } else {
                let end = (start + chunk).min(current.len());
                let out: Vec<bool> = (0..current.len()).map(|i| (start..end).contains(&i)).collect();
                if removable(&current, &out, appends) {
                    out
                } else {
                    vec![false; current.len()]
                }
            };
            let kept: Vec<KeyOp> = current.iter().zip(&out).filter(|(_, &out)| !out).map(|(op, _)| *op).collect();
            let outcome = (kept.len() < current.len()).then(|| search(&kept, values, meter));
            match outcome {
                Some(Outcome::NotLinearizable { doomed_at }) => {
                    current = as_of(&kept, doomed_at, appends);
                    removed = true;
                }
                // The budget is spent: what was found so far is still a valid witness.
                Some(Outcome::OutOfBudget(_)) => return current,
                Some(Outcome::Linearizable) | None => start += chunk,
            }
        }
        if chunk == 1 && !removed {
            return current;
        }
        if !removed {
            chunk = chunk.div_ceil(2);
        }
    }
}

/// Operation `start` and, transitively, every operation that observes a value one of them
/// sets: a set that [`removable`] always allows. With appends, only a read (alone) may go.
fn dependents(ops: &[KeyOp], start: usize, appends: bool) -> Vec<bool> {
    let mut out = vec![false; ops.len()];
    if appends && !matches!(ops[start].effect, Effect::Read(_)) {
        return out;
    }
    let mut observers: BTreeMap<Value, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if let Some(v) = op.effect.observes() {
            observers.entry(v).or_default().push(i);
        }
    }
    out[start] = true;
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        let Some(v) = ops[i].effect.sets() else { continue };
        for &j in observers.get(&v).map_or(&[][..], Vec::as_slice) {
            if !std::mem::replace(&mut out[j], true) {
                todo.push(j);
            }
        }
    }
    out
}

/// Whether taking the operations marked `out` from `ops` leaves a history no more linearizable
/// than before (see the module comment): every write or cas taken out sets a value no
/// remaining operation observes; with appends, only reads go.
fn removable(ops: &[KeyOp], out: &[bool], appends: bool) -> bool {
    let taken = || ops.iter().zip(out).filter(|(_, &out)| out).map(|(op, _)| op);
    if appends {
        return taken().all(|op| matches!(op.effect, Effect::Read(_)));
    }
    let observed: BTreeSet<Value> =
        ops.iter().zip(out).filter(|(_, &out)| !out).filter_map(|(op, _)| op.effect.observes()).collect();
    taken().filter_map(|op| op.effect.sets()).all(|v| !observed.contains(&v))
}

/// Longest value shown in a drawing, in characters.
const VALUE_WIDTH: usize = 24;
/// Columns between two consecutive instants on the axis: 3, or fewer when there are many
/// instants, so a long witness still fits a wide terminal.
fn step(instants: usize) -> usize {
    match instants {
        0..=30 => 3,
        31..=60 => 2,
        _ => 1,
    }
}

/// One line per operation, earliest call first: a label (process, operation, values), a bar
/// from call to return on an axis where only the order of instants matters (each distinct
/// instant gets its own column), `…` for an outcome never learned, then the times themselves;
/// and the axis.
pub(crate) fn draw(all: &[Op], indices: &[usize]) -> String {
    let mut ops: Vec<&Op> = indices.iter().map(|&i| &all[i]).collect();
    ops.sort_by_key(|op| (op.call, op.ret.is_none(), op.ret));
    let mut instants: Vec<u64> = ops.iter().flat_map(|op| [Some(op.call), op.ret]).flatten().collect();
    instants.sort_unstable();
    instants.dedup();
    let step = step(instants.len());
    let column = |t: u64| instants.binary_search(&t).expect("every instant is on the axis") * step;
    let width = instants.len() * step;
    let labels: Vec<String> = ops.iter().map(|op| label(op)).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (op, label) in ops.iter().zip(&labels) {
        let start = column(op.call);
        let mut bar = " ".repeat(start);
        bar.push('├');
        match op.ret {
            Some(ret) => {
                let end = column(ret).max(start + 1);
                bar.push_str(&"─".repeat(end - start - 1));
                bar.push('┤');
            }
            None => {
                bar.push_str(&"─".repeat(width.saturating_sub(start + 1)));
                bar.push('…');
            }
        }
        let pad = (width + 1).saturating_sub(bar.chars().count());
        let times = match op.ret {
            Some(ret) => format!("[{}, {ret}]", op.call),
            None => format!("[{}, …]", op.call),
        };
        out.push_str(&format!("  {label:<label_width$}  {bar}{}  {times}\n", " ".repeat(pad)));
    }
    let axis = format!("{}►", "─".repeat(width));
    out.push_str(&format!("  {:<label_width$}  {axis}  [call, return]\n", "time"));
    out
}

fn label(op: &Op) -> String {
    let what = match &op.kind {
        OpKind::Read { value } => format!("read {}", shown(value.as_deref())),
        OpKind::Write { value } => format!("write {}", shown(Some(value))),
        OpKind::Cas { expect, new } => format!("cas {} -> {}", shown(expect.as_deref()), shown(Some(new))),
        OpKind::Append { value } => format!("append {}", shown(Some(value))),
    };
    format!("p{} {what}", op.process)
}

/// A value as a quoted, escaped string (control characters never reach the terminal), cut to
/// [`VALUE_WIDTH`] characters; nil as `nil`.
pub(crate) fn shown(value: Option<&str>) -> String {
    let Some(text) = value else { return "nil".into() };
    let quoted = format!("{text:?}");
    if quoted.chars().count() <= VALUE_WIDTH {
        return quoted;
    }
    let mut cut: String = quoted.chars().take(VALUE_WIDTH - 2).collect();
    cut.push_str("…\"");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(process: u64, call: u64, ret: Option<u64>, kind: OpKind) -> Op {
        Op { process, key: "x".into(), call, ret, kind }
    }

    #[test]
    fn a_drawing_has_a_bar_per_operation_on_a_shared_axis() {
        let ops = [
            op(0, 10, Some(20), OpKind::Write { value: "1".into() }),
            op(1, 30, Some(40), OpKind::Write { value: "2".into() }),
            op(2, 50, Some(60), OpKind::Read { value: Some("1".into()) }),
            op(3, 15, None, OpKind::Cas { expect: None, new: "3".into() }),
        ];
        let drawing = draw(&ops, &[0, 1, 2, 3]);
        let expected = [
            "  p0 write \"1\"       ├─────┤                 [10, 20]",
            "  p3 cas nil -> \"3\"     ├─────────────────…  [15, …]",
            "  p1 write \"2\"                ├──┤           [30, 40]",
            "  p2 read \"1\"                       ├──┤     [50, 60]",
            "  time               ─────────────────────►  [call, return]",
        ];
        assert_eq!(drawing.lines().collect::<Vec<_>>(), expected, "\n{drawing}");
    }

    #[test]
    fn values_are_escaped_and_cut() {
        assert_eq!(shown(Some("a\u{1b}[2Jb")), "\"a\\u{1b}[2Jb\"");
        assert_eq!(shown(Some(&"y".repeat(100))), format!("\"{}…\"", "y".repeat(21)));
        assert_eq!(shown(None), "nil");
    }

    #[test]
    fn a_violation_early_in_a_long_history_is_cut_out_of_it() {
        // write 1, write 2, a stale read of 1; then a hundred operations that are fine, writing
        // and reading the same values (so no removal rule alone could get rid of them).
        let at = |index, call, effect| KeyOp { index, call, ret: Some(call + 5), effect };
        let mut ops = vec![at(0, 0, Effect::Write(1)), at(1, 10, Effect::Write(2)), at(2, 20, Effect::Read(1))];
        for i in 0..100u64 {
            let v = 1 + (i as u32 / 2) % 2;
            let effect = if i % 2 == 0 { Effect::Write(v) } else { Effect::Read(v) };
            ops.push(at(3 + i as usize, 30 + 10 * i, effect));
        }
        let mut values = Values::new(crate::linearizability::Model::Register);
        let mut meter = Meter::new(1_000_000, None);
        let Outcome::NotLinearizable { doomed_at } = search(&ops, &mut values, &mut meter) else {
            panic!("a stale read")
        };
        assert_eq!(doomed_at, 25, "when the stale read returned");
        let witness = shrink(&ops, doomed_at, &mut values, false, &mut meter);
        assert_eq!(witness.iter().map(|op| op.index).collect::<Vec<_>>(), [0, 1, 2]);
    }

    /// The instant the search reports is the earliest one whose history has no order: cut
    /// there, no order; cut just before, one. Checked on histories of a store with stale reads.
    #[test]
    fn the_search_finds_the_instant_the_history_became_doomed() {
        use crate::linearizability::generate::{history, simulate, Simulation, Workload};
        use crate::linearizability::history::KeyHistory;
        use crate::linearizability::Model;
        let mut checked = 0;
        for seed in 1..=40 {
            let sim = Simulation {
                seed,
                clients: 4,
                ops: 60,
                workload: Workload::CasRegister { values: 3 },
                timeout_pct: 20,
                stale_read_pct: 15,
            };
            let all = history(&simulate(&sim));
            let indices: Vec<usize> = (0..all.len()).collect();
            let mut key = KeyHistory::prepare(&all, &indices, Model::CasRegister);
            let mut meter = Meter::new(10_000_000, None);
            let Outcome::NotLinearizable { doomed_at } = search(&key.ops, &mut key.values, &mut meter) else {
                continue;
            };
            let mut outcome_at = |t| search(&as_of(&key.ops, t, false), &mut key.values, &mut meter);
            assert!(matches!(outcome_at(doomed_at), Outcome::NotLinearizable { .. }), "seed {seed}");
            assert_eq!(outcome_at(doomed_at - 1), Outcome::Linearizable, "seed {seed}");
            checked += 1;
        }
        assert!(checked >= 20, "{checked} of 40 runs had stale reads that showed");
    }

    #[test]
    fn only_reads_and_unobserved_writes_may_be_removed() {
        let at = |index, effect| KeyOp { index, call: 0, ret: Some(1), effect };
        let ops = [at(0, Effect::Write(1)), at(1, Effect::Read(1)), at(2, Effect::Write(2))];
        assert!(removable(&ops, &[false, true, false], false), "a read always");
        assert!(!removable(&ops, &[true, false, false], false), "a write somebody read: never");
        assert!(removable(&ops, &[true, true, false], false), "with its reader: yes");
        assert!(!removable(&ops, &[false, false, true], true), "with appends, only reads");
    }

    #[test]
    fn an_operation_goes_with_everything_that_depends_on_its_value() {
        let at = |index, effect| KeyOp { index, call: 0, ret: Some(1), effect };
        // cas 3 -> 0 and cas 0 -> 3 each expect the other's value; the write of 1 and its
        // reader are beside the point.
        let ops = [
            at(0, Effect::Cas { expect: 3, new: 0 }),
            at(1, Effect::Cas { expect: 0, new: 3 }),
            at(2, Effect::Write(1)),
            at(3, Effect::Read(1)),
        ];
        assert_eq!(dependents(&ops, 0, false), [true, true, false, false]);
        assert_eq!(dependents(&ops, 2, false), [false, false, true, true]);
        assert_eq!(dependents(&ops, 3, false), [false, false, false, true]);
        assert!(removable(&ops, &dependents(&ops, 0, false), false));
    }
}

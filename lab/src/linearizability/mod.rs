//! # Linearizability checking
//!
//! Is there one order of a history's operations that respects real time and that a single
//! copy of the data would have produced? [`check`] answers it for a recorded history — the lab's
//! clients', a Jepsen log, a Porcupine test file (`lab history check`) — with a witness when the
//! answer is no, and an honest "unknown" when the search ran out of budget.
//!
//! ## Why interviewers ask this
//!
//! "Linearizable" is the strongest single-object consistency a replicated store can promise,
//! and the one most often claimed loosely. A candidate who can say exactly what it means —
//! every operation takes effect at one instant between its call and its return — can reason
//! about stale reads from followers, lost writes after failover, and why a timeout is not a
//! failure. And "how would you *test* that your store is linearizable?" separates those who
//! have read about Jepsen from those who know what its checker does.
//!
//! ## How it works
//!
//! An operation is an interval: called at one time, returned at a later one. The history is
//! linearizable if each operation can be given a *linearization point* inside its interval such
//! that, replayed in that order, a sequential model (a register, a key-value map) returns what
//! every client was told. Operations whose intervals do not overlap keep their real-time order;
//! overlapping ones may go either way.
//!
//! - **Wing–Gong–Lowe search** (`search.rs`; Lowe, "Testing for linearizability", 2017, as in
//!   Porcupine): keep the history as a linked list of call and return entries in time order.
//!   Walk from the front; at a call, try to linearize that operation now — the model must accept
//!   it in the current state — then remove it from the list and restart from the front. Meeting
//!   a return means an operation ended before anything linearized it: backtrack (a stack of
//!   choices) and try the next call instead. Everything linearized: yes. Nothing left to try: no.
//! - **Memoization**: a search configuration is (the set of operations linearized, the model
//!   state). Different orders reach the same configuration all the time — two reads in either
//!   order — and its future is the same, so each is explored once. This turns an exponential
//!   search over orders into one over configurations, usually small.
//! - **P-compositionality** (Horn & Kroening, "Faster linearizability checking via
//!   P-compositionality", 2015): a history over many keys is linearizable if and only if each
//!   key's sub-history is, because operations on different keys never constrain each other's
//!   results. So each key is checked on its own: ten keys of 170 operations each are ten small
//!   searches, not one astronomically large one.
//! - **The models** (`model.rs`): `register` (read, write), `cas-register` (adds compare-and-set)
//!   and `kv` (per key: read, write, cas, and append, which concatenates as in Porcupine's KV
//!   model). Every key starts as nil. A model is just `(state, operation) -> next state or
//!   impossible`; values are interned to integers so states compare cheaply.
//! - **The witness** (`witness.rs`): a failing key is cut at the earliest instant from which it
//!   has no order (what had not returned by then counts as unknown), then shrunk by delta
//!   debugging, removing only operations whose removal cannot create a violation (reads; writes
//!   nobody left reads). Each step can only make a history *more* linearizable, so the few
//!   operations left are a proof against the whole history, not a new problem made by shrinking.
//!
//! ## Common pitfalls
//!
//! - **Unknown outcomes are not failures.** A request that timed out may have been applied — now,
//!   later (it was still queued), or never. Give it a return time of +infinity: it may take
//!   effect anywhere after its call, or not at all. Treating a timeout as "failed" accuses
//!   correct systems; treating it as "succeeded at the deadline" does too.
//! - **Failed operations did not happen.** A `:fail` (a cas that found another value, a write
//!   refused) is left out of the history: the store promised it had no effect. (If it lied,
//!   other operations show it.) An unknown *read* is left out as well: it changed nothing and
//!   told no one anything.
//! - **Cost.** Checking linearizability is NP-complete in general. The memo and per-key splitting
//!   make real histories fast, but many concurrent operations with unknown outcomes on one key
//!   can still explode — so the search has a [`Budget`], and running out of it is
//!   [`Verdict::Unknown`], never a pass. Two cheap cuts help a lot here: an unknown write whose
//!   value nobody ever read can be dropped (`history.rs` says why that is sound), and identical
//!   unknown operations are interchangeable, so only their number matters, not which ones
//!   (`search.rs`).
//! - **Clocks.** Real time means one observer's time: the checker needs call and return times
//!   from a single clock (the test harness's), never from the servers' skewed clocks. When a
//!   return and a call carry the same timestamp, this checker calls them concurrent: a clock
//!   that cannot tell them apart cannot prove their order.
//! - **Determinism.** The memo is a hash table with a fixed hasher, and no table is ever
//!   iterated: the same history gives the same verdict and the same witness in every run.
//!
//! ## Key takeaways
//!
//! - Linearizable = a single order, consistent with real time, that a sequential model accepts.
//! - WGL search + memo of (linearized set, state) + per-key splitting is the practical checker.
//! - Timeouts are unknown outcomes (+infinity); failures are absent; out of budget is not a pass.
//! - A minimal witness must be shrunk honestly, or it accuses innocent operations.
//!
//! ## Break it
//!
//! - In `search.rs`, sort returns before calls at equal times (swap the values of `CALL` and
//!   `RETURN`). `an_operation_returning_when_another_is_called_is_concurrent_with_it`
//!   fails, and the property test against a brute-force checker (`lab/tests/linearizability.rs`)
//!   finds a history that is now wrongly rejected.
//! - In `witness.rs`, let `removable` return `true` for anything.
//!   `a_stale_read_is_caught_and_shrunk_to_the_three_operations_that_prove_it` fails: the
//!   witness shrinks to the lone stale read, accused of returning a value "nobody wrote" —
//!   because the shrinking removed the write that did.
//!
//! ## Interview questions
//!
//! - What is the difference between linearizability and serializability? (One object and real
//!   time, versus many objects in transactions and any order.)
//! - A client's write timed out. Was it applied? How must a checker treat it, and why?
//! - Why may two operations on different keys be checked separately? When would that be wrong?
//! - Why is checking linearizability expensive, and what does the memo save?
//! - Your follower serves reads. Draw a history that shows it is not linearizable.

mod history;
pub mod jepsen;
mod model;
mod search;
mod witness;

mod edn;
pub mod generate;

pub use history::{validate, InvalidOp, Op, OpKind};
pub use model::Model;

use history::KeyHistory;
use search::{search, Meter, Outcome};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

/// How much work a check may do before its verdict is [`Verdict::Unknown`].
///
/// `max_states` bounds the configurations explored over all keys of one check. Shrinking a
/// witness has its own allowance: [`SHRINK_FACTOR`] times what the verdict took, at least
/// [`SHRINK_FLOOR`] states, never more than `max_states` — so a witness costs a few verdicts at
/// most, and small ones are always shrunk well. The lab's simulated runs use only states: a
/// wall-clock deadline would make a verdict depend on the machine's speed. The command line
/// uses both; the deadline bounds the verdict and the shrinking together (a witness cut short
/// is less small, never wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max_states: u64,
    pub deadline: Option<Instant>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_states: 1_000_000, deadline: None }
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every key has an order that explains all its operations.
    Linearizable { figures: Figures },
    /// A key has none; the witness proves it.
    NotLinearizable(Witness),
    /// The budget ran out on `key` before an answer: this is not a pass.
    Unknown { key: String, why: String, figures: Figures },
}

/// The size of what was checked and of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// Keys searched (when the verdict came early: up to and including the deciding one).
    pub keys: usize,
    /// Operations given.
    pub ops: usize,
    /// Of those, with an unknown outcome.
    pub unknown: usize,
    /// Left out before the search because they cannot change the verdict (unknown reads,
    /// unknown writes whose value nobody read).
    pub dropped: usize,
    /// Search configurations explored, over all keys searched.
    pub states: u64,
}

/// The proof of a violation: operations of one key that no order explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub key: String,
    /// Indices into the caller's history, ascending.
    pub ops: Vec<usize>,
    /// One line per operation — a bar from call to return on a shared time axis — and the axis.
    pub drawing: String,
    /// How many operations the key had before shrinking (after dropping).
    pub key_ops: usize,
    pub figures: Figures,
    /// Configurations explored while shrinking.
    pub shrink_states: u64,
}

impl fmt::Display for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A history of one register (a Jepsen log) has one key, the empty one.
        let key = if self.key.is_empty() {
            "the register".to_owned()
        } else {
            format!("key {}", witness::shown(Some(&self.key)))
        };
        writeln!(
            f,
            "{key}: these {} operations cannot be put in any order that respects real time (shrunk from {}):",
            self.ops.len(),
            self.key_ops
        )?;
        f.write_str(&self.drawing)
    }
}

/// Checks a history against a model, key by key (see the module documentation).
///
/// Failed operations are not part of the history: leave them out. Deterministic: the same
/// operations in the same order give the same verdict and the same witness.
///
/// # Panics
///
/// If the history breaks [`validate`]'s rules (a return before its call, an operation the
/// model does not have): that is the caller's bug. Check user input with [`validate`] first.
pub fn check(ops: &[Op], model: Model, budget: &Budget) -> Verdict {
    if let Err(invalid) = validate(ops, model) {
        panic!("linearizability::check: {invalid} (validate user input first)");
    }
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_key.entry(op.key.as_str()).or_default().push(i);
    }
    // Small keys first: a violation on a small key is found, and shrunk, cheaply.
    let mut keys: Vec<(&str, Vec<usize>)> = by_key.into_iter().collect();
    keys.sort_by_key(|(key, indices)| (indices.len(), *key));

    let mut figures =
        Figures { ops: ops.len(), unknown: ops.iter().filter(|op| op.ret.is_none()).count(), ..Figures::default() };
    let mut meter = Meter::new(budget.max_states, budget.deadline);
    for (key, indices) in keys {
        let mut history = KeyHistory::prepare(ops, &indices, model);
        figures.keys += 1;
        figures.dropped += history.dropped;
        let outcome = search(&history.ops, &mut history.values, &mut meter);
        figures.states = meter.states;
        match outcome {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable { doomed_at } => {
                return Verdict::NotLinearizable(witness_of(ops, key, history, doomed_at, figures, budget))
            }
            Outcome::OutOfBudget(why) => return Verdict::Unknown { key: key.to_owned(), why, figures },
        }
    }
    Verdict::Linearizable { figures }
}

/// Shrinking a witness may explore this many times the states the verdict took…
pub const SHRINK_FACTOR: u64 = 10;
/// …and at least this many (within `Budget::max_states`).
pub const SHRINK_FLOOR: u64 = 1_000_000;

fn witness_of(
    ops: &[Op],
    key: &str,
    mut history: KeyHistory,
    doomed_at: u64,
    figures: Figures,
    budget: &Budget,
) -> Witness {
    let allowance = figures.states.saturating_mul(SHRINK_FACTOR).max(SHRINK_FLOOR).min(budget.max_states);
    let mut meter = Meter::new(allowance, budget.deadline);
    let shrunk = witness::shrink(&history.ops, doomed_at, &mut history.values, history.appends, &mut meter);
    let mut indices: Vec<usize> = shrunk.iter().map(|op| op.index).collect();
    indices.sort_unstable();
    Witness {
        key: key.to_owned(),
        drawing: witness::draw(ops, &indices),
        ops: indices,
        key_ops: history.ops.len(),
        figures,
        shrink_states: meter.states,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(process: u64, key: &str, call: u64, ret: Option<u64>, kind: OpKind) -> Op {
        Op { process, key: key.into(), call, ret, kind }
    }
    fn w(v: &str) -> OpKind {
        OpKind::Write { value: v.into() }
    }
    fn r(v: Option<&str>) -> OpKind {
        OpKind::Read { value: v.map(str::to_owned) }
    }

    #[test]
    fn a_stale_read_is_caught_and_shrunk_to_the_three_operations_that_prove_it() {
        // Noise on another key and harmless reads around; the stale read of 1 after 2 was
        // written and read is the violation.
        let ops = vec![
            op(0, "x", 0, Some(10), w("1")),
            op(3, "y", 0, Some(50), w("9")),
            op(1, "x", 20, Some(30), w("2")),
            op(2, "x", 22, Some(28), r(Some("1"))),
            op(0, "x", 40, Some(45), r(Some("2"))),
            op(2, "x", 60, Some(70), r(Some("1"))),
            op(3, "y", 60, Some(70), r(Some("9"))),
        ];
        let Verdict::NotLinearizable(witness) = check(&ops, Model::Register, &Budget::default()) else {
            panic!("a stale read must be caught")
        };
        assert_eq!(witness.key, "x");
        assert_eq!(witness.ops, [0, 2, 5], "write 1, write 2, the stale read of 1:\n{witness}");
        assert_eq!(witness.key_ops, 5);
        assert_eq!(witness.drawing.lines().count(), 4, "three operations and the axis");
    }

    #[test]
    fn the_same_history_gives_the_same_verdict_every_time() {
        let ops: Vec<Op> = (0..30)
            .map(|i| {
                op(
                    i % 4,
                    ["a", "b"][i as usize % 2],
                    i * 3,
                    Some(i * 3 + 7),
                    if i % 3 == 0 { w("1") } else { r(Some("1")) },
                )
            })
            .collect();
        let first = check(&ops, Model::Register, &Budget::default());
        assert_eq!(first, check(&ops, Model::Register, &Budget::default()));
    }

    #[test]
    fn running_out_of_budget_is_unknown_and_names_the_key() {
        let mut ops: Vec<Op> = (0..30).map(|i| op(i, "k", 0, Some(100), w(&(i % 3).to_string()))).collect();
        ops.push(op(99, "k", 200, Some(201), r(Some("never written"))));
        let verdict = check(&ops, Model::Register, &Budget { max_states: 50, deadline: None });
        let Verdict::Unknown { key, why, figures } = verdict else { panic!("expected unknown, got {verdict:?}") };
        assert_eq!(key, "k");
        assert_eq!(why, "the search budget ran out after 50 states");
        assert!(figures.states > 50);
    }

    #[test]
    fn an_empty_history_is_linearizable() {
        assert!(matches!(check(&[], Model::Kv, &Budget::default()), Verdict::Linearizable { .. }));
    }

    #[test]
    fn an_invalid_history_is_the_callers_bug() {
        let ops = [op(0, "k", 5, Some(1), w("1"))];
        let caught = std::panic::catch_unwind(|| check(&ops, Model::Register, &Budget::default()));
        assert!(caught.is_err(), "check asserts its preconditions");
    }
}

//! The Wing–Gong–Lowe search for one key: is there an order of the operations that respects
//! real time and that the sequential model accepts?
//!
//! The history becomes a doubly linked list of call and return entries sorted by time. The
//! search walks it from the front: at a call entry it tries to *linearize* that operation now
//! (the model accepts it in the current state) and, if that leads somewhere new, lifts the call
//! and its return out of the list and starts again from the front. Reaching a return entry
//! means an operation returned before anything linearized it — this prefix is a dead end — so
//! the search pops its last choice off a stack, puts that operation back, and tries the next
//! call after it. All operations with a known outcome linearized: an order exists. The stack
//! empty at a return: no order exists.
//!
//! What makes it fast is the memo: a configuration is the set of operations linearized so far
//! (a bitset) and the model state. Two different prefixes that reach the same configuration
//! have the same futures, so each configuration is explored once. The bitset's hash is kept
//! up to date with one xor per step (a random 64-bit key per operation), so looking up a
//! configuration does not rehash the bitset.

use super::history::KeyOp;
use super::model::{mix, Effect, FixedMap, Value, Values, NIL};
use std::time::Instant;

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Linearizable,
    /// No order exists; and already none for the history as it stood at `doomed_at` (calls up
    /// to that instant; what had not returned by then with an unknown outcome), while every
    /// earlier instant's history has one. See [`search`] for how this comes for free.
    NotLinearizable {
        doomed_at: u64,
    },
    OutOfBudget(String),
}

/// Counts the configurations explored against the caller's limits; shared by every key of one
/// check, so the budget bounds the whole check.
pub(crate) struct Meter {
    max_states: u64,
    deadline: Option<Instant>,
    pub states: u64,
}

/// The memo table may not grow past this, whatever the state budget says: a key with very
/// many operations has a large bitset per configuration.
pub(crate) const MAX_MEMO_BYTES: usize = 512 << 20;

/// How many loop turns pass between two looks at the clock (a look costs ~20 ns).
const CLOCK_EVERY: u64 = 1 << 14;

impl Meter {
    pub(crate) fn new(max_states: u64, deadline: Option<Instant>) -> Self {
        Meter { max_states, deadline, states: 0 }
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

const NONE: u32 = u32::MAX;
const HEAD: u32 = 0;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The operation (index into the key's ops); `NONE` for the head.
    op: u32,
    is_call: bool,
    prev: u32,
    next: u32,
    /// A call's return entry.
    partner: u32,
}

/// The call and return entries in time order, with removal and exact re-insertion ("dancing
/// links": a removed node keeps its neighbours, so undoing removals in reverse order restores
/// the list).
struct List {
    nodes: Vec<Node>,
}

/// Entry kinds, in the order entries at the same instant are sorted: calls first, so an
/// operation returning at the instant another is called counts as concurrent with it.
const CALL: u8 = 0;
const RETURN: u8 = 1;

impl List {
    fn new(ops: &[KeyOp]) -> List {
        // Sort key: (0 = a known time, 1 = infinity; time; CALL or RETURN; operation). An
        // unknown outcome returns at infinity: after every known return, in operation order.
        let mut events: Vec<(u8, u64, u8, u32)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 operations per key");
            events.push((0, op.call, CALL, i));
            events.push(match op.ret {
                Some(ret) => (0, ret, RETURN, i),
                None => (1, 0, RETURN, i),
            });
        }
        events.sort_unstable();
        let head = Node {
            op: NONE,
            is_call: false,
            prev: NONE,
            next: if events.is_empty() { NONE } else { 1 },
            partner: NONE,
        };
        let mut nodes = vec![head];
        let mut call_node = vec![NONE; ops.len()];
        for (k, &(_, _, kind, op)) in events.iter().enumerate() {
            let here = k as u32 + 1;
            let next = if k + 1 < events.len() { here + 1 } else { NONE };
            nodes.push(Node { op, is_call: kind == CALL, prev: here - 1, next, partner: NONE });
            if kind == CALL {
                call_node[op as usize] = here;
            } else {
                let call = call_node[op as usize];
                nodes[call as usize].partner = here;
            }
        }
        List { nodes }
    }

    fn node(&self, at: u32) -> Node {
        self.nodes[at as usize]
    }

    fn first(&self) -> u32 {
        self.nodes[HEAD as usize].next
    }

    /// Takes a call and its return out of the list.
    fn lift(&mut self, call: u32) {
        let ret = self.node(call).partner;
        self.unlink(call);
        self.unlink(ret);
    }

    /// Undoes the matching [`List::lift`]; lifts are undone last first.
    fn unlift(&mut self, call: u32) {
        let ret = self.node(call).partner;
        self.relink(ret);
        self.relink(call);
    }

    fn unlink(&mut self, at: u32) {
        let Node { prev, next, .. } = self.node(at);
        self.nodes[prev as usize].next = next;
        if next != NONE {
            self.nodes[next as usize].prev = prev;
        }
    }

    fn relink(&mut self, at: u32) {
        let Node { prev, next, .. } = self.node(at);
        self.nodes[prev as usize].next = at;
        if next != NONE {
            self.nodes[next as usize].prev = at;
        }
    }
}

/// The configurations seen: (linearized set, state), stored flat in one arena and found by
/// their 64-bit hash, with a chain for the rare hashes two configurations share.
struct Memo {
    words: usize,
    arena: Vec<u64>,
    heads: FixedMap<u64, u32>,
    chain: Vec<u32>,
}

impl Memo {
    fn new(words: usize) -> Memo {
        Memo { words, arena: Vec::new(), heads: FixedMap::default(), chain: Vec::new() }
    }

    /// Adds the configuration; false if it was there already.
    fn insert(&mut self, hash: u64, bits: &[u64], state: Value) -> bool {
        let stride = self.words + 1;
        let head = self.heads.get(&hash).copied().unwrap_or(NONE);
        let mut at = head;
        while at != NONE {
            let stored = &self.arena[at as usize * stride..][..stride];
            if stored[self.words] == u64::from(state) && &stored[..self.words] == bits {
                return false;
            }
            at = self.chain[at as usize];
        }
        let slot = u32::try_from(self.chain.len()).expect("fewer than 2^32 configurations");
        self.arena.extend_from_slice(bits);
        self.arena.push(u64::from(state));
        self.chain.push(head);
        self.heads.insert(hash, slot);
        true
    }

    fn bytes(&self) -> usize {
        // Arena words, chain links, and the hash map's key, value and control byte at its
        // usual load factor.
        self.arena.len() * 8 + self.chain.len() * 4 + self.heads.capacity() * 13
    }
}

/// The random-looking 64-bit key of operation `i` (fixed: the same in every run).
fn op_key(i: usize) -> u64 {
    mix(i as u64 ^ 0x9e37_79b9_7f4a_7c15)
}

fn state_key(state: Value) -> u64 {
    mix(u64::from(state) ^ 0x6a09_e667_f3bc_c908).rotate_left(17)
}

/// For each operation with an unknown outcome, the closest earlier-called one with the same
/// effect, if any.
///
/// Such twins are interchangeable, and the search only linearizes one after its earlier twin.
/// Why that loses nothing: both may take effect at any point after their calls, for ever, and
/// the earlier-called one may go wherever the later one may. So in any order that uses the
/// later twin without (or before) the earlier one, swapping their places gives an order the
/// model accepts just the same. Without this, `k` identical timed-out writes multiply the
/// configurations by up to 2^k (every subset of them), with it by k+1 (how many took effect).
fn earlier_twins(ops: &[KeyOp]) -> Vec<Option<u32>> {
    let mut by_call: Vec<usize> = (0..ops.len()).collect();
    by_call.sort_by_key(|&i| (ops[i].call, i));
    let mut last: FixedMap<Effect, u32> = FixedMap::default();
    let mut twins = vec![None; ops.len()];
    for i in by_call.into_iter().filter(|&i| ops[i].ret.is_none()) {
        twins[i] = last.insert(ops[i].effect, i as u32);
    }
    twins
}

/// Searches for an order of `ops` (one key's) that the model accepts.
///
/// When there is none, the search has visited every configuration (linearized set `S`, state)
/// reachable from the start, and the same walk tells when the history became doomed. The
/// history as of instant `t` has an order exactly when some reachable `S` was called by `t`
/// (its latest call ≤ `t`) and holds everything that had returned by `t` (its first return
/// entry, the earliest return of an operation outside `S`, is after `t`). Each configuration's
/// walk ends at that first return entry; so the latest such return over the configurations
/// whose latest call precedes it is the first instant no configuration covers.
pub(crate) fn search(ops: &[KeyOp], values: &mut Values, meter: &mut Meter) -> Outcome {
    // A look at the clock per search as well: the shrinking runs many short ones.
    if meter.past_deadline() {
        return Outcome::OutOfBudget(format!("the deadline passed after {} states", meter.states));
    }
    let mut known_left = ops.iter().filter(|op| op.ret.is_some()).count();
    if known_left == 0 {
        // Nothing has to have happened: the empty order explains it.
        return Outcome::Linearizable;
    }
    let mut list = List::new(ops);
    let twins = earlier_twins(ops);
    let keys: Vec<u64> = (0..ops.len()).map(op_key).collect();
    let mut bits = vec![0u64; ops.len().div_ceil(64)];
    let is_set = |bits: &[u64], i: usize| bits[i / 64] & (1 << (i % 64)) != 0;
    let mut bits_hash = 0u64;
    let mut memo = Memo::new(bits.len());
    // The choices made so far: each linearized call entry, the state before it, and the latest
    // call among the operations linearized up to it.
    let mut stack: Vec<(u32, Value, u64)> = Vec::new();
    let mut doomed_at = 0;
    let mut state = NIL;
    let mut entry = list.first();
    let mut turns = 0u64;
    loop {
        turns += 1;
        if turns.is_multiple_of(CLOCK_EVERY) && meter.past_deadline() {
            return Outcome::OutOfBudget(format!("the deadline passed after {} states", meter.states));
        }
        // The list ends with a return entry, and a known operation's return comes before every
        // unknown one's: the walk meets a return before it could run off the end.
        assert_ne!(entry, NONE, "the walk stops at a return entry");
        let node = list.node(entry);
        if !node.is_call {
            // This operation returned and nothing linearized it yet: dead end. Undo the last
            // choice and try the call after it instead.
            let ret = ops[node.op as usize].ret.expect("only known returns come before the walk ends");
            if stack.last().is_none_or(|&(_, _, latest_call)| latest_call < ret) {
                doomed_at = doomed_at.max(ret);
            }
            let Some((call, previous, _)) = stack.pop() else { return Outcome::NotLinearizable { doomed_at } };
            let op = list.node(call).op as usize;
            list.unlift(call);
            bits[op / 64] &= !(1 << (op % 64));
            bits_hash ^= keys[op];
            state = previous;
            known_left += usize::from(ops[op].ret.is_some());
            entry = list.node(call).next;
            continue;
        }
        let op = node.op as usize;
        let twin_first = twins[op].is_none_or(|twin| is_set(&bits, twin as usize));
        if let Some(next_state) = twin_first.then(|| values.step(state, ops[op].effect)).flatten() {
            bits[op / 64] |= 1 << (op % 64);
            let hash = bits_hash ^ keys[op];
            if memo.insert(hash ^ state_key(next_state), &bits, next_state) {
                meter.states += 1;
                if let Some(why) = over_budget(meter, &memo, values) {
                    return Outcome::OutOfBudget(why);
                }
                bits_hash = hash;
                let latest_call = stack.last().map_or(0, |&(_, _, latest)| latest).max(ops[op].call);
                stack.push((entry, state, latest_call));
                state = next_state;
                list.lift(entry);
                if ops[op].ret.is_some() {
                    known_left -= 1;
                    if known_left == 0 {
                        return Outcome::Linearizable;
                    }
                }
                entry = list.first();
                continue;
            }
            bits[op / 64] &= !(1 << (op % 64));
        }
        entry = node.next;
    }
}

fn over_budget(meter: &Meter, memo: &Memo, values: &Values) -> Option<String> {
    if meter.states > meter.max_states {
        return Some(format!("the search budget ran out after {} states", meter.max_states));
    }
    let bytes = memo.bytes() + values.bytes();
    (bytes > MAX_MEMO_BYTES)
        .then(|| format!("the memo table reached {} MiB after {} states", MAX_MEMO_BYTES >> 20, meter.states))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizability::model::Model;

    /// Ops on one register from `(call, ret, effect)`; values are "1", "2", … interned in order.
    fn ops(spec: &[(u64, Option<u64>, Effect)]) -> Vec<KeyOp> {
        spec.iter().enumerate().map(|(index, &(call, ret, effect))| KeyOp { index, call, ret, effect }).collect()
    }

    fn verdict(spec: &[(u64, Option<u64>, Effect)]) -> (Outcome, u64) {
        let mut values = Values::new(Model::CasRegister);
        for v in 1..=4 {
            values.intern(Some(&v.to_string()));
        }
        let mut meter = Meter::new(1_000_000, None);
        (search(&ops(spec), &mut values, &mut meter), meter.states)
    }

    use Effect::{Read, Write};

    #[test]
    fn a_read_that_overlaps_a_write_may_see_either_value() {
        // write 1 [0, 10], read → 1 [5, 6], read → nil [7, 8]: the first read comes after the
        // write's linearization point, the second… cannot come before it: it started after the
        // first read returned. Not linearizable. Swap the reads' results and it is.
        let (bad, _) = verdict(&[(0, Some(10), Write(1)), (5, Some(6), Read(1)), (7, Some(8), Read(NIL))]);
        assert!(matches!(bad, Outcome::NotLinearizable { .. }));
        let (good, _) = verdict(&[(0, Some(10), Write(1)), (5, Some(6), Read(NIL)), (7, Some(8), Read(1))]);
        assert_eq!(good, Outcome::Linearizable);
    }

    #[test]
    fn an_operation_returning_when_another_is_called_is_concurrent_with_it() {
        // The write returns at 5, the read of nil is called at 5: the read may go first.
        let (verdict, _) = verdict(&[(0, Some(5), Write(1)), (5, Some(9), Read(NIL))]);
        assert_eq!(verdict, Outcome::Linearizable);
    }

    #[test]
    fn an_unknown_write_may_take_effect_late_or_never() {
        // The write of 1 never returned. A read of nil after its call, then a read of 1, then
        // nil again would need it to happen and un-happen: not linearizable. 1 then 1 is fine.
        let late = [(0, None, Write(1)), (5, Some(6), Read(NIL)), (7, Some(8), Read(1)), (9, Some(10), Read(1))];
        assert_eq!(verdict(&late).0, Outcome::Linearizable);
        let flicker = [(0, None, Write(1)), (5, Some(6), Read(1)), (7, Some(8), Read(NIL))];
        assert!(matches!(verdict(&flicker).0, Outcome::NotLinearizable { .. }));
        assert_eq!(verdict(&[(0, None, Write(1))]).0, Outcome::Linearizable, "nothing known: nothing to explain");
    }

    #[test]
    fn twin_unknown_writes_cost_one_configuration_each_not_every_subset() {
        // Twelve identical timed-out writes, then reads that alternate between nil and 2 — which
        // no order explains, so the search must exhaust every configuration. With twins taken in
        // call order that is about (k+1) states per prefix, not 2^k.
        let mut spec: Vec<(u64, Option<u64>, Effect)> = (0..12).map(|i| (i, None, Write(1))).collect();
        spec.extend([(100, Some(101), Read(2)), (102, Some(103), Read(NIL))]);
        let (outcome, states) = verdict(&spec);
        assert!(matches!(outcome, Outcome::NotLinearizable { .. }));
        assert!(states < 100, "{states} states");
    }

    #[test]
    fn the_budget_turns_a_long_search_into_out_of_budget_never_a_pass() {
        let spec: Vec<(u64, Option<u64>, Effect)> =
            (0..40).map(|i| (0, Some(100), if i % 2 == 0 { Write(1) } else { Write(2) })).collect();
        let mut values = Values::new(Model::Register);
        let mut meter = Meter::new(3, None);
        let mut spec = ops(&spec);
        spec.push(KeyOp { index: 40, call: 200, ret: Some(201), effect: Read(3) });
        match search(&spec, &mut values, &mut meter) {
            Outcome::OutOfBudget(why) => assert_eq!(why, "the search budget ran out after 3 states"),
            other => panic!("expected out of budget, got {other:?}"),
        }
    }

    #[test]
    fn a_list_restores_itself_when_lifts_are_undone_in_reverse() {
        let spec = ops(&[(0, Some(3), Write(1)), (1, Some(2), Read(1)), (4, None, Write(2))]);
        let mut list = List::new(&spec);
        let walk = |list: &List| {
            let mut at = list.first();
            let mut seen = Vec::new();
            while at != NONE {
                seen.push((list.node(at).op, list.node(at).is_call));
                at = list.node(at).next;
            }
            seen
        };
        let before = walk(&list);
        assert_eq!(before, [(0, true), (1, true), (1, false), (0, false), (2, true), (2, false)]);
        let (first, second) = (list.first(), list.node(list.first()).next);
        list.lift(second);
        list.lift(first);
        assert_eq!(walk(&list), [(2, true), (2, false)]);
        list.unlift(first);
        list.unlift(second);
        assert_eq!(walk(&list), before);
    }
}

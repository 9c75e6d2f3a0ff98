//! The checker's input — operations with the time each was called and the time it returned, or
//! no return time when the caller never learned the outcome — and what the search makes of one
//! key's share of it: values interned, and the operations that cannot change the verdict
//! dropped before the search starts (each rule below says why that is sound).

use super::model::{Effect, Model, Value, Values};
use std::collections::BTreeMap;
use std::fmt;

/// One operation as a client saw it. Times are in any unit (µs in the lab) and only their order
/// matters; `call <= ret`. Two operations where one returned at the very instant the other was
/// called count as concurrent: a clock that cannot tell them apart cannot prove an order.
///
/// `ret: None` is an unknown outcome — a timeout, a crash, an `:info` — the operation may have
/// taken effect at any moment after its call, or never. An operation known to have failed (a
/// `:fail`, a cas that found another value) did not happen: leave it out of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub process: u64,
    pub key: String,
    pub call: u64,
    pub ret: Option<u64>,
    pub kind: OpKind,
}

/// What an operation did and, for a read, what it returned. `None` is nil: the key's value
/// before anything was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpKind {
    Read {
        value: Option<String>,
    },
    Write {
        value: String,
    },
    /// A compare-and-set that reported success: the value was `expect` and became `new`.
    Cas {
        expect: Option<String>,
        new: String,
    },
    /// Concatenation to the key's string value (the `kv` model only).
    Append {
        value: String,
    },
}

impl OpKind {
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::Read { .. } => "read",
            OpKind::Write { .. } => "write",
            OpKind::Cas { .. } => "cas",
            OpKind::Append { .. } => "append",
        }
    }
}

/// An operation the checker cannot take, and why: `index` is its place in the caller's slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOp {
    pub index: usize,
    pub why: String,
}

impl fmt::Display for InvalidOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "operation #{}: {}", self.index, self.why)
    }
}

impl std::error::Error for InvalidOp {}

/// The preconditions of [`super::check`]: every return at or after its call, and every
/// operation one the model has. Callers that build histories from user input check this first
/// and report the error; `check` asserts it.
pub fn validate(ops: &[Op], model: Model) -> Result<(), InvalidOp> {
    for (index, op) in ops.iter().enumerate() {
        if let Some(ret) = op.ret.filter(|&ret| ret < op.call) {
            let why = format!("returned at {ret}, before its call at {}", op.call);
            return Err(InvalidOp { index, why });
        }
        if !model.allows(&op.kind) {
            let why = format!(
                "a {} operation, but the {} model has only {}",
                op.kind.name(),
                model.name(),
                model.operations()
            );
            return Err(InvalidOp { index, why });
        }
    }
    Ok(())
}

/// One operation of one key as the search sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyOp {
    /// Its index in the caller's history.
    pub index: usize,
    pub call: u64,
    pub ret: Option<u64>,
    pub effect: Effect,
}

/// One key's operations, ready to search.
pub(crate) struct KeyHistory {
    pub ops: Vec<KeyOp>,
    pub values: Values,
    /// Operations left out because they cannot change the verdict.
    pub dropped: usize,
    /// Whether any operation appends: the state is then built from many operations' values,
    /// and the rules that reason about "who wrote this value" do not apply.
    pub appends: bool,
}

impl KeyHistory {
    /// `indices`: the key's operations in `all`.
    pub(crate) fn prepare(all: &[Op], indices: &[usize], model: Model) -> KeyHistory {
        let mut values = Values::new(model);
        let mut ops = Vec::with_capacity(indices.len());
        let mut dropped = 0;
        for &index in indices {
            let op = &all[index];
            let effect = match &op.kind {
                // A read whose result never came back says nothing about the state and changes
                // nothing: whatever it saw, some order explains it.
                OpKind::Read { .. } if op.ret.is_none() => {
                    dropped += 1;
                    continue;
                }
                OpKind::Read { value } => Effect::Read(values.intern(value.as_deref())),
                OpKind::Write { value } => Effect::Write(values.intern(Some(value))),
                OpKind::Cas { expect, new } => {
                    Effect::Cas { expect: values.intern(expect.as_deref()), new: values.intern(Some(new)) }
                }
                OpKind::Append { value } => Effect::Append(values.intern(Some(value))),
            };
            ops.push(KeyOp { index, call: op.call, ret: op.ret, effect });
        }
        let appends = ops.iter().any(|op| matches!(op.effect, Effect::Append(_)));
        if !appends {
            dropped += drop_unobserved_unknown_writes(&mut ops);
        }
        KeyHistory { ops, values, dropped, appends }
    }
}

/// Drops every write or cas with an unknown outcome whose new value no read returns and no cas
/// expects (and repeats, as a dropped cas no longer expects anything); returns how many. Only
/// for keys without appends.
///
/// Why this is sound: take any order that explains the history with such a write `w` in it.
/// The operation right after `w` on this key cannot be a read (no read returns `w`'s value)
/// nor a cas (none expects it) nor an append (there are none): it is a write, which does not
/// look at the state, or there is none. So removing `w` from the order changes no result
/// anyone saw, and the order still respects real time. Conversely an order without `w` is
/// allowed: an operation with an unknown outcome may never have happened. Either way the
/// verdict is the same, and each such write would double the orders to search.
pub(crate) fn drop_unobserved_unknown_writes(ops: &mut Vec<KeyOp>) -> usize {
    // How many operations observe each value, and which unknown operations set it. A value no
    // one observes takes its unknown setters with it; a dropped cas observes nothing any more,
    // which may free the value it expected in turn (a worklist, so a chain of n cas costs
    // n log n, not n²).
    let mut observers: BTreeMap<Value, usize> = BTreeMap::new();
    let mut setters: BTreeMap<Value, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if let Some(v) = op.effect.observes() {
            *observers.entry(v).or_default() += 1;
        }
        if let (None, Some(v)) = (op.ret, op.effect.sets()) {
            setters.entry(v).or_default().push(i);
        }
    }
    let mut todo: Vec<Value> = setters.keys().copied().filter(|v| !observers.contains_key(v)).collect();
    let mut dropped = vec![false; ops.len()];
    while let Some(v) = todo.pop() {
        for &i in setters.get(&v).map_or(&[][..], Vec::as_slice) {
            if std::mem::replace(&mut dropped[i], true) {
                continue;
            }
            let Some(w) = ops[i].effect.observes() else { continue };
            let count = observers.get_mut(&w).expect("counted above");
            *count -= 1;
            if *count == 0 {
                todo.push(w);
            }
        }
    }
    let mut i = 0;
    ops.retain(|_| {
        i += 1;
        !dropped[i - 1]
    });
    dropped.iter().filter(|&&d| d).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(process: u64, call: u64, ret: Option<u64>, kind: OpKind) -> Op {
        Op { process, key: "k".into(), call, ret, kind }
    }

    fn write(v: &str) -> OpKind {
        OpKind::Write { value: v.into() }
    }

    fn read(v: Option<&str>) -> OpKind {
        OpKind::Read { value: v.map(str::to_owned) }
    }

    #[test]
    fn validation_names_the_operation_and_what_is_wrong_with_it() {
        let ops = [op(0, 5, Some(9), write("1")), op(1, 5, Some(4), write("2"))];
        let error = validate(&ops, Model::Register).unwrap_err();
        assert_eq!(error.index, 1);
        assert_eq!(error.why, "returned at 4, before its call at 5");
        let cas = [op(0, 1, Some(2), OpKind::Cas { expect: None, new: "1".into() })];
        let error = validate(&cas, Model::Register).unwrap_err();
        assert_eq!(error.why, "a cas operation, but the register model has only read and write");
        assert!(validate(&cas, Model::CasRegister).is_ok());
    }

    #[test]
    fn unknown_reads_are_dropped_and_known_ones_kept() {
        let ops = [op(0, 0, None, read(Some("1"))), op(1, 0, Some(1), read(None))];
        let history = KeyHistory::prepare(&ops, &[0, 1], Model::Register);
        assert_eq!(history.dropped, 1);
        assert_eq!(history.ops.iter().map(|o| o.index).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn an_unknown_write_nobody_reads_is_dropped_but_one_somebody_read_is_kept() {
        let ops = [op(0, 0, None, write("lost")), op(1, 0, None, write("seen")), op(2, 5, Some(6), read(Some("seen")))];
        let history = KeyHistory::prepare(&ops, &[0, 1, 2], Model::Register);
        assert_eq!(history.ops.iter().map(|o| o.index).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(history.dropped, 1);
    }

    #[test]
    fn a_chain_of_unknown_cas_nobody_reads_goes_in_one_pass() {
        // cas 0 -> 1 -> 2 -> … -> 50_000, all unknown: each expects what the previous sets, and
        // nobody reads the last value. Dropped in n log n (the fixpoint by passes took n²).
        let ops: Vec<KeyOp> = (0..50_000u32)
            .map(|v| KeyOp { index: v as usize, call: 0, ret: None, effect: Effect::Cas { expect: v, new: v + 1 } })
            .collect();
        let mut kept = ops.clone();
        assert_eq!(drop_unobserved_unknown_writes(&mut kept), 50_000);
        assert!(kept.is_empty());
        let mut read_first = ops;
        read_first.push(KeyOp { index: 50_000, call: 1, ret: Some(2), effect: Effect::Read(50_000) });
        assert_eq!(drop_unobserved_unknown_writes(&mut read_first), 0, "the read observes the end of the chain");
    }

    #[test]
    fn with_appends_no_unknown_write_is_dropped() {
        // The read sees "ab": the unknown put of "a" is part of it, though no read returns "a".
        let ops = [
            op(0, 0, None, write("a")),
            op(1, 1, Some(2), OpKind::Append { value: "b".into() }),
            op(2, 3, Some(4), read(Some("ab"))),
        ];
        let history = KeyHistory::prepare(&ops, &[0, 1, 2], Model::Kv);
        assert_eq!(history.ops.len(), 3);
    }
}

//! The linearizability check: the clients' history, read from the trace, handed to the lab's
//! checker (`crate::linearizability`) key by key against a register with compare-and-set.

use super::checks::{client_ops, ClientOp};
use crate::checks::Outcome;
use crate::linearizability::{check, Budget, Model, Op, OpKind, Verdict};
use crate::trace::Event;
use nodes::records::replication::{EXPECT, FAIL, KEY, OK, VALUE};
use std::collections::BTreeMap;

/// Every client operation that may have taken effect, as the checker wants it, with the
/// client op it came from. Failed ops certainly did nothing and are left out; an op without a
/// definite answer (unknown, or still out when the run ended) may take effect any time after
/// its call.
fn history<'a>(ops: &'a [ClientOp<'a>]) -> (Vec<Op>, Vec<&'a ClientOp<'a>>) {
    let mut processes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut history = Vec::new();
    let mut sources = Vec::new();
    for op in ops.iter().filter(|op| op.outcome() != Some(FAIL)) {
        let next = processes.len() as u64;
        let process = *processes.entry(&op.call.node).or_insert(next);
        let ok = op.outcome() == Some(OK);
        let value = |event: &Event| event.str_field(VALUE).map(str::to_owned);
        let kind = match op.kind() {
            "read" => OpKind::Read { value: op.ret.and_then(value) },
            "write" => OpKind::Write { value: value(op.call).unwrap_or_default() },
            _ => OpKind::Cas {
                expect: op.call.str_field(EXPECT).map(str::to_owned),
                new: value(op.call).unwrap_or_default(),
            },
        };
        let ret = op.ret.filter(|_| ok).map(|r| r.t_us);
        history.push(Op {
            process,
            key: op.call.str_field(KEY).unwrap_or_default().to_owned(),
            call: op.call.t_us,
            ret,
            kind,
        });
        sources.push(op);
    }
    (history, sources)
}

/// Witnesses: the calls and returns of the smallest set of operations found that no order
/// explains; the figure names their key, and the drawing shows them on a time line.
pub fn linearizable(events: &[Event], max_states: u64) -> Outcome {
    let ops = client_ops(events);
    let (history, sources) = history(&ops);
    if history.is_empty() {
        return Outcome::Inconclusive("no client operation that could have taken effect: nothing to order".into());
    }
    match check(&history, Model::CasRegister, &Budget { max_states, deadline: None }) {
        Verdict::Linearizable { figures } => Outcome::Pass(format!(
            "{} ops on {} keys ({} with unknown outcome) have a linearization ({} states searched)",
            figures.ops, figures.keys, figures.unknown, figures.states
        )),
        Verdict::Unknown { key, why, figures } => Outcome::Inconclusive(format!(
            "undecided: the search ran out of budget on key {key} after {} states ({why}); raise max_states",
            figures.states
        )),
        Verdict::NotLinearizable(witness) => {
            let clients: Vec<String> = witness
                .ops
                .iter()
                .map(|&i| format!("{} = {}", history[i].process, sources[i].call.node))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let figure = format!(
                "key {}: {} operations that no order explains (of {} on the key; processes: {})",
                witness.key,
                witness.ops.len(),
                witness.key_ops,
                clients.join(", ")
            );
            let witnesses = witness
                .ops
                .iter()
                .flat_map(|&i| [Some(sources[i].call.seq), sources[i].ret.map(|r| r.seq)])
                .flatten()
                .collect();
            Outcome::FailDrawn(figure, witnesses, witness.to_string())
        }
    }
}

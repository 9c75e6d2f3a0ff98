//! Seeded histories of a simulated store, for benchmarks, the fuzzer and tests: clients call a
//! single-copy store that applies each operation at one instant inside its call — so every
//! history it records is linearizable, by construction — or, in the buggy variant, sometimes
//! answers a read from a replica that lags behind, which is how real stores stop being
//! linearizable.
//!
//! The shapes follow Porcupine's benchmarks: a key-value store with `get`/`put`/`append` and
//! many clients (its `c50` tests), and one CAS register with few values, where a quarter of
//! the operations time out (its etcd Jepsen logs). As in Jepsen, a client whose operation timed
//! out continues as a new process, so a process never has two operations in flight.

use super::history::{Op, OpKind};
use super::jepsen::{Outcome, Recorded};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// What the clients do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Half gets, the rest puts and appends of unique strings (`"x 3 17 y"`) over `keys` keys.
    Kv { keys: u32 },
    /// Reads, writes and compare-and-sets of one register holding `0..values`; with few
    /// values many operations look alike, which is what makes such histories hard.
    CasRegister { values: u32 },
}

/// A simulated run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Simulation {
    pub seed: u64,
    /// Clients working at once (at most 1,000).
    pub clients: u32,
    /// Operations in all.
    pub ops: u32,
    pub workload: Workload,
    /// Percentage of operations that time out: their outcome is unknown, and half of them
    /// take effect anyway (the request was only slow).
    pub timeout_pct: u32,
    /// Percentage of reads answered from a replica that lags by up to a few operations: the
    /// bug. 0 for a correct store.
    pub stale_read_pct: u32,
}

/// Times are microseconds × clients + client: no two events share an instant, so the order
/// of a rendered file's lines is the order of times.
const LATENCY_US: std::ops::RangeInclusive<u64> = 10..=200;
const THINK_US: std::ops::RangeInclusive<u64> = 0..=50;
const TIMEOUT_US: u64 = 250;
/// How far behind a lagging replica is.
const LAG_US: std::ops::RangeInclusive<u64> = 200..=2_000;

/// One operation before the store has applied anything.
struct Planned {
    client: u32,
    process: u64,
    key: String,
    call: u64,
    /// The instant the store applies it, if it does.
    applies_at: Option<u64>,
    /// The `:ok` or `:fail` time; `None` if the client timed out.
    ret: Option<u64>,
    /// When the client stopped waiting, if it timed out and says so in the file.
    gave_up: Option<u64>,
    kind: OpKind,
}

/// Runs the simulation; every operation as the file would record it, in call order.
pub fn simulate(sim: &Simulation) -> Vec<Recorded> {
    assert!((1..=1_000).contains(&sim.clients), "1 to 1,000 clients");
    let mut rng = ChaCha8Rng::seed_from_u64(sim.seed);
    let planned = plan(sim, &mut rng);
    apply(sim, planned, &mut rng)
}

/// The history [`super::check`] takes: failed operations left out.
pub fn history(recorded: &[Recorded]) -> Vec<Op> {
    recorded.iter().filter(|r| r.outcome != Outcome::Failed).map(|r| r.op.clone()).collect()
}

fn plan(sim: &Simulation, rng: &mut ChaCha8Rng) -> Vec<Planned> {
    let clients = u64::from(sim.clients);
    let at = |us: u64, client: u32| us * clients + u64::from(client);
    let mut free: BinaryHeap<Reverse<(u64, u32)>> =
        (0..sim.clients).map(|c| Reverse((rng.random_range(0..=100), c))).collect();
    let mut process: Vec<u64> = (0..clients).collect();
    let mut written = vec![0u32; sim.clients as usize];
    let mut planned = Vec::with_capacity(sim.ops as usize);
    while planned.len() < sim.ops as usize {
        let Reverse((start_us, client)) = free.pop().expect("every client is free again after its operation");
        let c = client as usize;
        let latency = rng.random_range(LATENCY_US);
        let timed_out = rng.random_range(0..100) < sim.timeout_pct;
        let (key, kind) = operation(sim.workload, client, &mut written[c], rng);
        // The store applies the operation strictly inside its interval; a slow request that
        // timed out may be applied after the client gave up, or never.
        let applies = !timed_out || rng.random_bool(0.5);
        // A request that timed out may still be in a queue: it can be applied long after.
        let hidden = if timed_out { rng.random_range(*LATENCY_US.start()..=4 * TIMEOUT_US) } else { latency };
        let applies_at = applies.then(|| at(start_us, client) + rng.random_range(1..hidden * clients));
        let (ret, gave_up, end_us) = if timed_out {
            // A client that gave up usually says so (`:info`); sometimes the log just ends.
            let says = rng.random_bool(0.7);
            (None, says.then(|| at(start_us + TIMEOUT_US, client)), start_us + TIMEOUT_US)
        } else {
            (Some(at(start_us + latency, client)), None, start_us + latency)
        };
        planned.push(Planned {
            client,
            process: process[c],
            key,
            call: at(start_us, client),
            applies_at,
            ret,
            gave_up,
            kind,
        });
        if timed_out {
            process[c] += clients;
        }
        free.push(Reverse((end_us + rng.random_range(THINK_US), client)));
    }
    planned
}

fn operation(workload: Workload, client: u32, written: &mut u32, rng: &mut ChaCha8Rng) -> (String, OpKind) {
    match workload {
        Workload::Kv { keys } => {
            let key = rng.random_range(0..keys.max(1)).to_string();
            let roll = rng.random_range(0..100);
            if roll < 50 {
                return (key, OpKind::Read { value: None });
            }
            let value = format!("x {client} {written} y");
            *written += 1;
            (key, if roll < 65 { OpKind::Write { value } } else { OpKind::Append { value } })
        }
        Workload::CasRegister { values } => {
            let mut value = || rng.random_range(0..values.max(1)).to_string();
            let (a, b) = (value(), value());
            let kind = match rng.random_range(0..10) {
                0..4 => OpKind::Read { value: None },
                4..7 => OpKind::Write { value: a },
                _ => OpKind::Cas { expect: Some(a), new: b },
            };
            (String::new(), kind)
        }
    }
}

/// The store: applies the operations in the order of their instants, fills in what reads
/// returned and whether each cas succeeded.
fn apply(sim: &Simulation, mut planned: Vec<Planned>, rng: &mut ChaCha8Rng) -> Vec<Recorded> {
    let mut order: Vec<usize> = (0..planned.len()).filter(|&i| planned[i].applies_at.is_some()).collect();
    order.sort_by_key(|&i| (planned[i].applies_at, planned[i].client));
    // Every key's past values, with when each began: what a lagging replica serves.
    let mut versions: BTreeMap<String, Vec<(u64, Option<String>)>> = BTreeMap::new();
    let mut failed = vec![false; planned.len()];
    for i in order {
        let now = planned[i].applies_at.expect("only applied operations are ordered");
        let past = versions.entry(planned[i].key.clone()).or_insert_with(|| vec![(0, None)]);
        let current = past.last().map(|(_, v)| v.clone()).unwrap_or_default();
        let p = &mut planned[i];
        let next = match &mut p.kind {
            OpKind::Read { value } => {
                *value = current;
                let stale = p.ret.is_some() && rng.random_range(0..100) < sim.stale_read_pct;
                if stale {
                    let then = now.saturating_sub(rng.random_range(LAG_US) * u64::from(sim.clients));
                    let at = past.partition_point(|(t, _)| *t <= then).max(1);
                    *value = past[at - 1].1.clone();
                }
                None
            }
            OpKind::Write { value } => Some(Some(value.clone())),
            OpKind::Append { value } => Some(Some(current.unwrap_or_default() + value)),
            OpKind::Cas { expect, new } if *expect == current => Some(Some(new.clone())),
            OpKind::Cas { .. } => {
                failed[i] = true;
                None
            }
        };
        if let Some(value) = next {
            past.push((now, value));
        }
    }
    planned
        .into_iter()
        .zip(failed)
        .map(|(p, failed)| {
            let outcome = match (p.ret, failed) {
                (None, _) => Outcome::Unknown,
                (Some(_), true) => Outcome::Failed,
                (Some(_), false) => Outcome::Ok,
            };
            let ret = p.ret.filter(|_| outcome == Outcome::Ok);
            let op = Op { process: p.process, key: p.key, call: p.call, ret, kind: p.kind };
            Recorded { op, outcome, end: p.ret.or(p.gave_up) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizability::{check, Budget, Model, Verdict};

    fn kv(seed: u64, stale_read_pct: u32) -> Simulation {
        Simulation { seed, clients: 8, ops: 300, workload: Workload::Kv { keys: 3 }, timeout_pct: 10, stale_read_pct }
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        assert_eq!(simulate(&kv(3, 5)), simulate(&kv(3, 5)));
        assert_ne!(simulate(&kv(3, 5)), simulate(&kv(4, 5)));
    }

    #[test]
    fn a_correct_store_records_linearizable_histories() {
        for seed in 1..=20 {
            let recorded = simulate(&kv(seed, 0));
            let verdict = check(&history(&recorded), Model::Kv, &Budget::default());
            assert!(matches!(verdict, Verdict::Linearizable { .. }), "seed {seed}: {verdict:?}");
        }
        for seed in 1..=20 {
            let register = Simulation {
                seed,
                clients: 5,
                ops: 80,
                workload: Workload::CasRegister { values: 5 },
                timeout_pct: 25,
                stale_read_pct: 0,
            };
            let verdict = check(&history(&simulate(&register)), Model::CasRegister, &Budget::default());
            assert!(matches!(verdict, Verdict::Linearizable { .. }), "seed {seed}: {verdict:?}");
        }
    }

    #[test]
    fn a_store_with_stale_reads_is_caught() {
        let caught = (1..=10)
            .filter(|&seed| {
                let verdict = check(&history(&simulate(&kv(seed, 10))), Model::Kv, &Budget::default());
                matches!(verdict, Verdict::NotLinearizable(_))
            })
            .count();
        assert!(caught >= 9, "{caught} of 10 buggy runs caught");
    }

    #[test]
    fn no_process_has_two_operations_in_flight() {
        let recorded = simulate(&Simulation {
            seed: 9,
            clients: 5,
            ops: 200,
            workload: Workload::CasRegister { values: 3 },
            timeout_pct: 30,
            stale_read_pct: 0,
        });
        let text = crate::linearizability::jepsen::to_jepsen_log(&recorded);
        let parsed = crate::linearizability::jepsen::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.ops.len() + parsed.failed, recorded.len());
    }
}

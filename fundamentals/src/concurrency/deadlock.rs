//! # Lock ordering and deadlock detection with a wait-for graph
//!
//! ## Why interviewers ask this
//! "Two threads transfer money between the same two accounts in opposite directions" is the
//! canonical deadlock question. Interviewers want the four Coffman conditions, the standard
//! prevention (a global lock order), and how systems *detect* deadlocks when they can't
//! prevent them (databases build a wait-for graph and abort a victim). Rust prevents data
//! races, not deadlocks: this bug compiles.
//!
//! ## How it works
//! - Deadlock needs all four: mutual exclusion, hold-and-wait, no preemption, circular wait.
//!   Lock ordering removes circular wait: if every thread takes locks in increasing id order,
//!   a cycle would need some thread to wait for a *smaller* id while holding a larger one.
//! - [`WaitForGraph`]: an edge `t → u` means thread `t` waits for a lock `u` holds. A
//!   deadlock is exactly a cycle. [`LockManager`] checks for one on every blocked
//!   acquisition and reports the cycle instead of blocking — a database's deadlock detector.
//! - [`explore`] is a tiny model checker: it runs lock/unlock scripts of several threads under
//!   **every** interleaving (depth-first, memoising visited states) and collects the
//!   schedules that end with every remaining thread blocked. Tests therefore never hang and
//!   never depend on luck: the opposite-order transfer deadlocks in *some* schedules (and
//!   completes in others — why such bugs survive testing), the ordered one in none.
//! - [`transfer_ordered`] applies the same rule to real `std::sync::Mutex`es.
//!
//! ## Common pitfalls
//! - Ordering by something that isn't globally consistent (argument position, "from then
//!   to"). Order by a stable id (account number, address of the lock).
//! - Calling out to unknown code (callbacks, logging that locks) while holding a lock.
//! - Timeouts as "deadlock handling": they turn a hang into latency spikes and retries that
//!   deadlock again. Detect or prevent.
//! - Async: holding a `tokio::sync::Mutex` guard across an `.await` that waits for a task
//!   needing the same mutex.
//!
//! ## Key takeaways
//! - A deadlock is a cycle in the wait-for graph; a global lock order makes cycles impossible.
//! - Deadlocks are schedule-dependent: test them by exploring interleavings, not by hoping.
//! - Detection (cycle check, abort a victim) is what databases do when ordering is
//!   impossible because transactions choose their locks dynamically.
//!
//! ## Break it
//! `breaks/concurrency_deadlock.patch` makes [`LockPolicy::Ordered`] take locks in argument
//! order. `scripts/break-it.sh concurrency_deadlock`:
//! `ordered_acquisition_never_deadlocks_in_any_interleaving` fails, listing the schedule that
//! deadlocks and the cycle `0 → 1 → 0`.
//!
//! ## Interview questions
//! - *What are the conditions for deadlock?* — Mutual exclusion, hold and wait, no
//!   preemption, circular wait (Coffman). Break any one to prevent it.
//! - *How do you avoid it in the transfer problem?* — Lock both accounts in a global order
//!   (by id); or one lock for both; or `try_lock` and back off (risking livelock).
//! - *How does a database handle deadlocks?* — It maintains a wait-for graph, detects a
//!   cycle (on each wait or periodically), aborts one transaction (the victim) and lets the
//!   client retry.
//! - *Does Rust prevent deadlocks?* — No. Ownership prevents data races; deadlocks are a
//!   liveness bug. Lock ordering, lock hierarchies and tools (`parking_lot`'s deadlock
//!   detector, loom) help.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

pub type ThreadId = usize;
pub type LockId = u32;

/// `waiter → holder` edges; a cycle is a deadlock.
#[derive(Debug, Default, Clone)]
pub struct WaitForGraph {
    edges: BTreeMap<ThreadId, BTreeSet<ThreadId>>,
}

impl WaitForGraph {
    pub fn add_wait(&mut self, waiter: ThreadId, holder: ThreadId) {
        self.edges.entry(waiter).or_default().insert(holder);
    }

    pub fn remove_waits_of(&mut self, waiter: ThreadId) {
        self.edges.remove(&waiter);
    }

    /// A cycle `[t0, t1, …]` (each waits for the next, the last for `t0`), smallest first.
    pub fn find_cycle(&self) -> Option<Vec<ThreadId>> {
        let mut finished = BTreeSet::new();
        for &start in self.edges.keys() {
            let mut path = Vec::new();
            if let Some(cycle) = self.visit(start, &mut path, &mut finished) {
                return Some(cycle);
            }
        }
        None
    }

    fn visit(
        &self,
        node: ThreadId,
        path: &mut Vec<ThreadId>,
        finished: &mut BTreeSet<ThreadId>,
    ) -> Option<Vec<ThreadId>> {
        if let Some(position) = path.iter().position(|&n| n == node) {
            return Some(path[position..].to_vec());
        }
        if finished.contains(&node) {
            return None;
        }
        path.push(node);
        for &next in self.edges.get(&node).into_iter().flatten() {
            if let Some(cycle) = self.visit(next, path, finished) {
                return Some(cycle);
            }
        }
        path.pop();
        finished.insert(node);
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acquire {
    Granted,
    /// Blocked behind `holder`; no cycle yet.
    Waiting {
        holder: ThreadId,
    },
    /// Waiting would close this cycle; the request is refused (this thread is the victim).
    Deadlock {
        cycle: Vec<ThreadId>,
    },
}

/// Grants locks and refuses any wait that would close a cycle.
#[derive(Debug, Default)]
pub struct LockManager {
    owners: BTreeMap<LockId, ThreadId>,
    graph: WaitForGraph,
}

impl LockManager {
    pub fn acquire(&mut self, thread: ThreadId, lock: LockId) -> Acquire {
        match self.owners.get(&lock) {
            None => {
                self.owners.insert(lock, thread);
                self.graph.remove_waits_of(thread);
                Acquire::Granted
            }
            Some(&holder) => {
                self.graph.add_wait(thread, holder);
                if let Some(cycle) = self.graph.find_cycle() {
                    self.graph.remove_waits_of(thread);
                    return Acquire::Deadlock { cycle };
                }
                Acquire::Waiting { holder }
            }
        }
    }

    pub fn release(&mut self, thread: ThreadId, lock: LockId) {
        let owner = self.owners.remove(&lock);
        assert_eq!(owner, Some(thread), "released a lock it does not hold");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Lock(LockId),
    Unlock(LockId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockPolicy {
    /// Lock in the order the arguments came: `from`, then `to`.
    ArgumentOrder,
    /// Lock the smaller id first.
    Ordered,
}

/// The order in which a transfer between `from` and `to` takes the two account locks.
pub fn acquisition_order(from: LockId, to: LockId, policy: LockPolicy) -> [LockId; 2] {
    match policy {
        LockPolicy::ArgumentOrder => [from, to],
        LockPolicy::Ordered => [from.min(to), from.max(to)],
    }
}

/// The lock script of one transfer: take both locks, then release both.
pub fn transfer_script(from: LockId, to: LockId, policy: LockPolicy) -> Vec<Step> {
    let [first, second] = acquisition_order(from, to, policy);
    vec![Step::Lock(first), Step::Lock(second), Step::Unlock(second), Step::Unlock(first)]
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// Which thread ran at each step, up to the point where every remaining thread blocked.
    pub schedule: Vec<ThreadId>,
    pub cycle: Vec<ThreadId>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Exploration {
    /// Distinct end states in which every thread finished.
    pub completed: usize,
    /// One entry per distinct deadlocked state, with a schedule that reaches it.
    pub deadlocks: Vec<Deadlock>,
    pub states_visited: usize,
}

/// Runs `threads` (lock scripts) under every interleaving.
pub fn explore(threads: &[Vec<Step>]) -> Exploration {
    const MAX_STATES: usize = 100_000;
    let mut exploration = Exploration::default();
    let mut seen = BTreeSet::new();
    let mut state = State { pcs: vec![0; threads.len()], owners: BTreeMap::new() };
    let mut schedule = Vec::new();
    dfs(threads, &mut state, &mut schedule, &mut seen, &mut exploration);
    assert!(exploration.states_visited <= MAX_STATES, "state space too large for a lesson");
    exploration
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct State {
    pcs: Vec<usize>,
    owners: BTreeMap<LockId, ThreadId>,
}

fn dfs(
    threads: &[Vec<Step>],
    state: &mut State,
    schedule: &mut Vec<ThreadId>,
    seen: &mut BTreeSet<State>,
    out: &mut Exploration,
) {
    if !seen.insert(state.clone()) {
        return;
    }
    out.states_visited += 1;
    let runnable: Vec<ThreadId> = (0..threads.len()).filter(|&t| can_step(threads, state, t)).collect();
    if runnable.is_empty() {
        if state.pcs.iter().zip(threads).all(|(&pc, script)| pc == script.len()) {
            out.completed += 1;
        } else {
            out.deadlocks.push(Deadlock { schedule: schedule.clone(), cycle: blocked_cycle(threads, state) });
        }
        return;
    }
    for thread in runnable {
        let saved = state.clone();
        match threads[thread][state.pcs[thread]] {
            Step::Lock(lock) => state.owners.insert(lock, thread),
            Step::Unlock(lock) => state.owners.remove(&lock),
        };
        state.pcs[thread] += 1;
        schedule.push(thread);
        dfs(threads, state, schedule, seen, out);
        schedule.pop();
        *state = saved;
    }
}

fn can_step(threads: &[Vec<Step>], state: &State, thread: ThreadId) -> bool {
    match threads[thread].get(state.pcs[thread]) {
        None => false,
        Some(Step::Unlock(_)) => true,
        Some(Step::Lock(lock)) => !state.owners.contains_key(lock),
    }
}

fn blocked_cycle(threads: &[Vec<Step>], state: &State) -> Vec<ThreadId> {
    let mut graph = WaitForGraph::default();
    for (thread, script) in threads.iter().enumerate() {
        if let Some(Step::Lock(lock)) = script.get(state.pcs[thread]) {
            graph.add_wait(thread, state.owners[lock]);
        }
    }
    graph.find_cycle().expect("every thread is blocked on a held lock, so a cycle exists")
}

/// Moves `amount` between two real accounts, locking them in index order.
pub fn transfer_ordered(accounts: &[Mutex<u64>], from: usize, to: usize, amount: u64) -> bool {
    assert_ne!(from, to, "a transfer needs two accounts");
    let (low, high) = (from.min(to), from.max(to));
    let mut low_guard = accounts[low].lock().expect("no panics while holding account locks");
    let mut high_guard = accounts[high].lock().expect("no panics while holding account locks");
    let (source, destination) =
        if from == low { (&mut *low_guard, &mut *high_guard) } else { (&mut *high_guard, &mut *low_guard) };
    if *source < amount {
        return false;
    }
    *source -= amount;
    *destination += amount;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_order_transfers_deadlock_in_some_interleavings_only() {
        let threads =
            [transfer_script(1, 2, LockPolicy::ArgumentOrder), transfer_script(2, 1, LockPolicy::ArgumentOrder)];
        let exploration = explore(&threads);
        assert!(exploration.completed > 0, "most schedules finish: the bug hides in testing");
        assert_eq!(exploration.deadlocks.len(), 1);
        let deadlock = &exploration.deadlocks[0];
        assert_eq!(deadlock.cycle, [0, 1]);
        assert_eq!(deadlock.schedule, [0, 1], "each takes its first lock, then both wait");
    }

    #[test]
    fn ordered_acquisition_never_deadlocks_in_any_interleaving() {
        let threads = [transfer_script(1, 2, LockPolicy::Ordered), transfer_script(2, 1, LockPolicy::Ordered)];
        let exploration = explore(&threads);
        assert_eq!(exploration.deadlocks, [], "no schedule may deadlock");
        assert!(exploration.completed > 0);
    }

    #[test]
    fn a_three_way_ring_deadlocks_unless_ordered() {
        let ring =
            |policy| [transfer_script(1, 2, policy), transfer_script(2, 3, policy), transfer_script(3, 1, policy)];
        let unordered = explore(&ring(LockPolicy::ArgumentOrder));
        assert!(unordered.deadlocks.iter().any(|d| d.cycle == [0, 1, 2]));
        assert!(explore(&ring(LockPolicy::Ordered)).deadlocks.is_empty());
    }

    #[test]
    fn lock_manager_refuses_the_wait_that_would_close_a_cycle() {
        let mut manager = LockManager::default();
        assert_eq!(manager.acquire(0, 1), Acquire::Granted);
        assert_eq!(manager.acquire(1, 2), Acquire::Granted);
        assert_eq!(manager.acquire(0, 2), Acquire::Waiting { holder: 1 });
        assert_eq!(manager.acquire(1, 1), Acquire::Deadlock { cycle: vec![0, 1] });
        // The victim gives up its lock; the survivor can proceed.
        manager.release(1, 2);
        assert_eq!(manager.acquire(0, 2), Acquire::Granted);
    }

    #[test]
    fn wait_for_graph_without_a_cycle_reports_none() {
        let mut graph = WaitForGraph::default();
        graph.add_wait(0, 1);
        graph.add_wait(1, 2);
        graph.add_wait(3, 2);
        assert_eq!(graph.find_cycle(), None);
        graph.add_wait(2, 0);
        assert_eq!(graph.find_cycle(), Some(vec![0, 1, 2]));
    }

    #[test]
    fn real_threads_transferring_both_ways_with_ordered_locks_finish_and_conserve_money() {
        let accounts = [Mutex::new(1_000), Mutex::new(1_000)];
        std::thread::scope(|scope| {
            let accounts = &accounts;
            for (from, to) in [(0, 1), (1, 0)] {
                scope.spawn(move || {
                    for _ in 0..5_000 {
                        transfer_ordered(accounts, from, to, 3);
                    }
                });
            }
        });
        let total: u64 = accounts.iter().map(|a| *a.lock().unwrap()).sum();
        assert_eq!(total, 2_000);
    }
}

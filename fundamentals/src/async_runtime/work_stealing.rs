//! # Work stealing, explained with a deterministic simulation
//!
//! ## Why interviewers ask this
//! Go's scheduler and tokio's multi-thread runtime both use work stealing, and "how does the
//! runtime spread tasks across cores?" is a standard runtime-internals question. The answer
//! has a few moving parts — per-worker queues, a global injection queue, stealing half, the
//! LIFO slot — and a property worth stating: an idle worker never stays idle while another
//! has queued work.
//!
//! ## How it works
//! - **Per-worker local queues**: a task spawned from a worker goes to *that* worker's queue
//!   (no shared lock, good cache locality). Tasks from outside the runtime go to a global
//!   **injection queue** that workers check periodically.
//! - **Stealing**: a worker whose local queue is empty picks a victim (tokio starts at a
//!   random worker and scans) and takes **half** of its queue in one go — half amortises the
//!   cost of stealing and leaves the victim with work.
//! - **LIFO slot** (tokio): the most recently spawned task runs next on the same worker (a
//!   message just sent is hot in cache); it is not stealable for a while.
//! - **Throttling**: only a bounded number of workers search at once, so idle workers don't
//!   hammer each other's queues.
//! - The simulation here ([`simulate`]) keeps the parts that decide *where work runs*: each
//!   tick every worker either continues its task, takes the front of its own queue, or — if
//!   stealing is on — steals half of a victim's queue (victim scan from a seeded random
//!   start), then does one unit of work. All tasks start on worker 0 (as if spawned by one
//!   accept loop). Same seed ⇒ same schedule.
//! - What the tests prove: without stealing, one worker does everything (makespan = total
//!   work); with stealing, workers stay busy until the queues are empty, which gives the
//!   greedy-scheduling bound `makespan ≤ ⌈total / workers⌉ + longest task`, and each task
//!   runs exactly once.
//!
//! ## Common pitfalls
//! - Assuming tasks stay on the thread that spawned them: on the multi-thread runtime they
//!   move (hence `Send` futures). Thread-locals are per worker, not per task.
//! - A long-running task that never yields can't be stolen *from*: stealing moves queued
//!   tasks, not the running one. CPU hogs still stall their queue until stolen from.
//! - Too many runtime threads (more than cores): stealing churn and context switches.
//!
//! ## Key takeaways
//! - Local queues for locality, stealing for balance, a global queue for outside spawns.
//! - Steal half; keep idle workers from staying idle while work is queued anywhere.
//! - Scheduling is decided at `.await` points: balance requires tasks that yield.
//!
//! ## Break it
//! `breaks/async_work_stealing.patch` makes a thief take one task from the victim's queue
//! instead of half. Balance survives (an idle worker still never idles while work is
//! queued), but `stealing_half_needs_few_steal_operations` fails: hundreds of steals instead
//! of a few dozen — in a real runtime each one is a cross-core cache-line transfer and a
//! contended atomic on the victim's queue.
//!
//! ## Interview questions
//! - *How does tokio schedule tasks on multiple threads?* — N workers, each with a local
//!   run queue (bounded ring buffer, 256 slots) and a LIFO slot, a shared injection queue,
//!   and stealing of half a victim's queue when idle.
//! - *Why steal half rather than one?* — Fewer steal operations (each touches another
//!   core's cache line), and the thief gets a batch to work on.
//! - *What is Go's equivalent?* — The GMP model: each P has a local run queue of goroutines,
//!   there's a global queue, and idle Ps steal half of another P's queue.
//! - *Why do tokio tasks need to be `Send`?* — Because they may be stolen by, and resumed
//!   on, a different worker thread.

use crate::sim::stream_rng;
use rand::Rng;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    pub workers: usize,
    pub stealing: bool,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResult {
    /// Ticks until the last task finished.
    pub makespan: u64,
    /// Which worker ran each task (index = task).
    pub ran_on: Vec<usize>,
    pub steals: u64,
    /// Units of work done by each worker.
    pub busy_per_worker: Vec<u64>,
}

struct Worker {
    queue: VecDeque<usize>,
    current: Option<(usize, u64)>,
}

/// Simulates running tasks of the given costs (in ticks), all initially queued on worker 0.
pub fn simulate(costs: &[u64], config: SimConfig) -> SimResult {
    assert!(config.workers > 0, "need a worker");
    assert!(costs.iter().all(|&c| c > 0), "every task takes at least one tick");
    let mut rng = stream_rng(config.seed, "work-stealing");
    let mut workers: Vec<Worker> =
        (0..config.workers).map(|_| Worker { queue: VecDeque::new(), current: None }).collect();
    workers[0].queue.extend(0..costs.len());
    let mut ran_on = vec![usize::MAX; costs.len()];
    let mut busy = vec![0; config.workers];
    let (mut steals, mut remaining, mut tick) = (0, costs.len(), 0_u64);
    let max_ticks = costs.iter().sum::<u64>() + 1;
    while remaining > 0 {
        tick += 1;
        assert!(tick <= max_ticks, "no progress: the simulation is broken");
        for w in 0..config.workers {
            if workers[w].current.is_none() {
                if workers[w].queue.is_empty()
                    && config.stealing
                    && steal(&mut workers, w, rng.random_range(0..config.workers))
                {
                    steals += 1;
                }
                if let Some(task) = workers[w].queue.pop_front() {
                    debug_assert_eq!(ran_on[task], usize::MAX, "task {task} ran twice");
                    ran_on[task] = w;
                    workers[w].current = Some((task, costs[task]));
                }
            }
            if let Some((task, left)) = workers[w].current {
                busy[w] += 1;
                workers[w].current = if left == 1 {
                    remaining -= 1;
                    None
                } else {
                    Some((task, left - 1))
                };
            }
        }
    }
    SimResult { makespan: tick, ran_on, steals, busy_per_worker: busy }
}

/// Thief `w` scans victims starting at `start` and takes half (rounded up) of the first
/// non-empty queue, from its back. Returns whether anything was stolen.
fn steal(workers: &mut [Worker], thief: usize, start: usize) -> bool {
    let n = workers.len();
    for offset in 0..n {
        let victim = (start + offset) % n;
        if victim == thief || workers[victim].queue.is_empty() {
            continue;
        }
        let take = workers[victim].queue.len().div_ceil(2);
        let split_at = workers[victim].queue.len() - take;
        let stolen = workers[victim].queue.split_off(split_at);
        workers[thief].queue.extend(stolen);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn greedy_bound(costs: &[u64], workers: usize) -> u64 {
        costs.iter().sum::<u64>().div_ceil(workers as u64) + costs.iter().max().copied().unwrap_or(0)
    }

    #[test]
    fn without_stealing_one_worker_does_everything() {
        let costs = vec![10; 64];
        let result = simulate(&costs, SimConfig { workers: 4, stealing: false, seed: 1 });
        assert_eq!(result.makespan, 640);
        assert_eq!(result.busy_per_worker, [640, 0, 0, 0]);
    }

    #[test]
    fn stealing_spreads_equal_tasks_almost_perfectly() {
        let costs = vec![10; 64];
        let result = simulate(&costs, SimConfig { workers: 4, stealing: true, seed: 1 });
        assert!(result.makespan <= 170, "makespan {}", result.makespan);
        assert!(result.busy_per_worker.iter().all(|&b| b >= 120), "{:?}", result.busy_per_worker);
        assert!(result.steals < 64, "half-steals move tasks in batches: {} steals", result.steals);
    }

    fn many_small_tasks() -> Vec<u64> {
        (0..400).map(|i| 1 + i % 3).collect()
    }

    #[test]
    fn stealing_keeps_the_makespan_within_the_greedy_bound() {
        let costs = many_small_tasks();
        let result = simulate(&costs, SimConfig { workers: 4, stealing: true, seed: 7 });
        assert!(result.makespan <= greedy_bound(&costs, 4), "makespan {}", result.makespan);
    }

    #[test]
    fn stealing_half_needs_few_steal_operations() {
        let result = simulate(&many_small_tasks(), SimConfig { workers: 4, stealing: true, seed: 7 });
        assert!(result.steals <= 20, "{} steals for 400 tasks", result.steals);
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let costs: Vec<u64> = (0..50).map(|i| 1 + (i * 7) % 11).collect();
        let config = SimConfig { workers: 3, stealing: true, seed: 42 };
        assert_eq!(simulate(&costs, config), simulate(&costs, config));
    }

    proptest! {
        #[test]
        fn every_task_runs_exactly_once_and_the_bound_holds(
            costs in prop::collection::vec(1_u64..20, 1..80),
            workers in 1_usize..6,
            seed in any::<u64>(),
        ) {
            let result = simulate(&costs, SimConfig { workers, stealing: true, seed });
            prop_assert!(result.ran_on.iter().all(|&w| w < workers), "a task never ran");
            prop_assert_eq!(result.busy_per_worker.iter().sum::<u64>(), costs.iter().sum::<u64>());
            let lower = costs.iter().sum::<u64>().div_ceil(workers as u64).max(*costs.iter().max().unwrap());
            prop_assert!(result.makespan >= lower);
            prop_assert!(result.makespan <= greedy_bound(&costs, workers));
        }
    }
}

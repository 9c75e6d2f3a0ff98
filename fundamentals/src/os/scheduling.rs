//! # CPU scheduling: FCFS, SJF, SRTF and round robin
//!
//! ## Why interviewers ask this
//! "Here are four processes with arrival times and bursts: draw the Gantt chart under round
//! robin with a quantum of 4 and give the average waiting time" is a staple of OS rounds, and
//! the follow-ups are what matter: which policy minimises waiting, which one gives good response
//! time, which one starves, and how a real scheduler (Linux CFS/EEVDF, a thread pool, an async
//! executor) approximates the ideal without knowing how long a job will run.
//!
//! ## How it works
//! A [`Job`] arrives at `arrival_ms` and needs `burst_ms` of CPU. [`schedule`] runs one CPU and
//! returns the [`Slice`]s it ran (job, start, end) and each job's [`JobTimes`]:
//! - *turnaround* = completion − arrival (how long the job was in the system);
//! - *waiting* = turnaround − burst (how long it sat ready but not running).
//!
//! The policies:
//! - **FCFS** — run jobs to completion in arrival order. Simple, and terrible when a long job
//!   arrives first: everyone queues behind it (the *convoy effect*).
//! - **SJF** (non-preemptive) — when the CPU frees up, run the ready job with the shortest
//!   burst to completion. Optimal average waiting time when all jobs are present at once.
//! - **SRTF** (shortest remaining time first, preemptive SJF) — at every arrival, run the job
//!   with the least work left, preempting the current one if needed. Optimal average waiting
//!   time for *any* arrival pattern: the property test checks it against the others.
//! - **Round robin** — a FIFO ready queue; each job runs at most one quantum, then goes to the
//!   *back* of the queue. Jobs that arrived during the slice queue before the preempted job
//!   (the textbook convention). No job waits more than `(n − 1) × quantum` for its next turn.
//!
//! Ties break by arrival, then by position in the input, so every schedule is deterministic.
//! [`gantt`] draws the slices as text, idle gaps included:
//!
//! ```text
//! | P1 | P2 | P3 |         P1         |
//! 0    4    7    10                   30
//! ```
//!
//! ## Common pitfalls
//! - Waiting time measured from time 0 instead of from arrival, or forgetting that a preempted
//!   job waits again each time it is put back in the queue.
//! - Round robin: putting the preempted job ahead of jobs that arrived during its slice — or at
//!   the *front* of the queue (see Break it), which silently turns round robin into FCFS.
//! - Claiming SJF is "optimal" without saying for what: average waiting time, not response time,
//!   not fairness; and it needs burst lengths, which a real OS can only predict (exponential
//!   averaging: `τₙ₊₁ = α·tₙ + (1 − α)·τₙ`).
//! - Ignoring context-switch cost: a quantum of 1 ms on a 0.1 ms switch wastes 10% of the CPU.
//!
//! ## Key takeaways
//! - Shortest-first minimises average waiting (exchange argument); preemption extends it to
//!   arbitrary arrivals (SRTF). The price is starvation of long jobs.
//! - Round robin bounds response time, not waiting time; a quantum larger than every burst is FCFS.
//! - Real schedulers (MLFQ, CFS) approximate "shortest first" from observed behaviour: jobs that
//!   use their whole quantum look CPU-bound and drop in priority; interactive ones stay high.
//!
//! ## Break it
//! `fundamentals/breaks/scheduling.patch` makes round robin put a preempted job back at the
//! *front* of the ready queue. The job that started first keeps the CPU until it finishes, so
//! round robin degenerates into FCFS: `round_robin_with_quantum_4_on_the_convoy_example` fails
//! (P1 waits 0 instead of 6, P2 waits 24 instead of 4).
//!
//! ## Interview questions
//! - *Compute FCFS and SJF for bursts 24, 3, 3, all arriving at 0.* FCFS: waits 0, 24, 27,
//!   average 17. SJF: 3, 3, 24 runs as P2, P3, P1, waits 6, 0, 3, average 3. The convoy effect
//!   in one example.
//! - *How do you pick a round-robin quantum?* Large enough that most interactive bursts finish
//!   within one (a rule of thumb: 80% of bursts shorter than the quantum) and much larger than a
//!   context switch; small enough that response time stays acceptable. Linux CFS instead targets
//!   a scheduling latency and divides it among runnable tasks.
//! - *What is MLFQ?* Several round-robin queues of decreasing priority and increasing quantum.
//!   New jobs start at the top; a job that uses its whole quantum moves down; a periodic boost
//!   moves everyone back up so long jobs do not starve and a job that turns interactive recovers.
//! - *Where does this matter in a backend?* A thread pool with one FIFO queue is FCFS: one slow
//!   request type convoys the rest. Separate pools (bulkheads), shortest-queue dispatch and
//!   cooperative yielding in async executors (tokio's task budget) are the same ideas.

use std::collections::VecDeque;

/// A job (process, request) that arrives at `arrival_ms` and needs `burst_ms` of CPU time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub arrival_ms: u64,
    pub burst_ms: u64,
}

/// Which job the CPU runs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// First come, first served; non-preemptive.
    Fcfs,
    /// Shortest job first; non-preemptive.
    Sjf,
    /// Shortest remaining time first; preemptive.
    Srtf,
    /// Round robin with a time quantum.
    RoundRobin { quantum_ms: u64 },
}

/// The CPU ran `job` (an index into the input) from `start_ms` to `end_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub job: usize,
    pub start_ms: u64,
    pub end_ms: u64,
}

/// What one job experienced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobTimes {
    pub completion_ms: u64,
    /// Completion − arrival.
    pub turnaround_ms: u64,
    /// Turnaround − burst: time spent ready but not running.
    pub waiting_ms: u64,
}

/// The slices the CPU ran, in time order, and each job's times (indexed like the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub slices: Vec<Slice>,
    pub times: Vec<JobTimes>,
}

impl Schedule {
    pub fn total_waiting_ms(&self) -> u64 {
        self.times.iter().map(|t| t.waiting_ms).sum()
    }

    pub fn average_waiting_ms(&self) -> f64 {
        self.total_waiting_ms() as f64 / self.times.len().max(1) as f64
    }

    pub fn average_turnaround_ms(&self) -> f64 {
        let total: u64 = self.times.iter().map(|t| t.turnaround_ms).sum();
        total as f64 / self.times.len().max(1) as f64
    }
}

/// Runs `jobs` on one CPU under `policy`. Every job must need some CPU time.
pub fn schedule(jobs: &[Job], policy: Policy) -> Schedule {
    assert!(jobs.iter().all(|job| job.burst_ms > 0), "every job needs some CPU time");
    let slices = match policy {
        Policy::Fcfs => run_each_to_completion(jobs, |job| (job.arrival_ms, 0)),
        Policy::Sjf => run_each_to_completion(jobs, |job| (job.burst_ms, job.arrival_ms)),
        Policy::Srtf => shortest_remaining_time_first(jobs),
        Policy::RoundRobin { quantum_ms } => round_robin(jobs, quantum_ms),
    };
    let times = job_times(jobs, &slices);
    Schedule { slices, times }
}

/// Non-preemptive scheduling: whenever the CPU frees up, run the ready job with the smallest
/// `priority` (ties: input order) until it finishes.
fn run_each_to_completion(jobs: &[Job], priority: impl Fn(&Job) -> (u64, u64)) -> Vec<Slice> {
    let mut done = vec![false; jobs.len()];
    let mut slices = Vec::with_capacity(jobs.len());
    let mut now_ms = 0;
    while let Some(earliest) = earliest_arrival(jobs, |i| !done[i]) {
        // An idle CPU jumps to the next arrival.
        now_ms = now_ms.max(earliest);
        let job = best_ready_job(jobs, now_ms, |i| !done[i], |i| priority(&jobs[i])).expect("a job has arrived");
        let end_ms = now_ms + jobs[job].burst_ms;
        push_slice(&mut slices, job, now_ms, end_ms);
        done[job] = true;
        now_ms = end_ms;
    }
    slices
}

/// Preemptive SJF: run the ready job with the least remaining work until it finishes or the
/// next job arrives, then decide again.
fn shortest_remaining_time_first(jobs: &[Job]) -> Vec<Slice> {
    let mut remaining_ms: Vec<u64> = jobs.iter().map(|job| job.burst_ms).collect();
    let mut slices = Vec::new();
    let mut now_ms = 0;
    while let Some(earliest) = earliest_arrival(jobs, |i| remaining_ms[i] > 0) {
        now_ms = now_ms.max(earliest);
        let job = best_ready_job(jobs, now_ms, |i| remaining_ms[i] > 0, |i| (remaining_ms[i], jobs[i].arrival_ms))
            .expect("a job has arrived");
        let finish_ms = now_ms + remaining_ms[job];
        // A later arrival is the only event that can change the decision.
        let end_ms = next_arrival_after(jobs, now_ms).map_or(finish_ms, |arrival| arrival.min(finish_ms));
        push_slice(&mut slices, job, now_ms, end_ms);
        remaining_ms[job] -= end_ms - now_ms;
        now_ms = end_ms;
    }
    slices
}

/// Round robin: a FIFO ready queue; each turn runs at most one quantum, and a preempted job
/// rejoins at the back, behind the jobs that arrived during its slice.
fn round_robin(jobs: &[Job], quantum_ms: u64) -> Vec<Slice> {
    assert!(quantum_ms > 0, "a round-robin quantum must be positive");
    let mut by_arrival: Vec<usize> = (0..jobs.len()).collect();
    by_arrival.sort_by_key(|&i| (jobs[i].arrival_ms, i));
    let mut arrivals = by_arrival.into_iter().peekable();
    let mut remaining_ms: Vec<u64> = jobs.iter().map(|job| job.burst_ms).collect();
    let mut ready: VecDeque<usize> = VecDeque::new();
    let mut slices = Vec::new();
    let mut now_ms = 0;
    loop {
        while let Some(job) = arrivals.next_if(|&i| jobs[i].arrival_ms <= now_ms) {
            ready.push_back(job);
        }
        let Some(job) = ready.pop_front() else {
            match arrivals.peek() {
                Some(&next) => now_ms = jobs[next].arrival_ms,
                None => break,
            }
            continue;
        };
        let run_ms = quantum_ms.min(remaining_ms[job]);
        push_slice(&mut slices, job, now_ms, now_ms + run_ms);
        now_ms += run_ms;
        remaining_ms[job] -= run_ms;
        // Jobs that arrived during the slice go first: the convention textbooks compute with.
        while let Some(arrived) = arrivals.next_if(|&i| jobs[i].arrival_ms <= now_ms) {
            ready.push_back(arrived);
        }
        if remaining_ms[job] > 0 {
            ready.push_back(job);
        }
    }
    slices
}

/// The earliest arrival among the jobs still `pending`, or `None` when all are done.
fn earliest_arrival(jobs: &[Job], pending: impl Fn(usize) -> bool) -> Option<u64> {
    (0..jobs.len()).filter(|&i| pending(i)).map(|i| jobs[i].arrival_ms).min()
}

/// The first arrival strictly after `now_ms`.
fn next_arrival_after(jobs: &[Job], now_ms: u64) -> Option<u64> {
    jobs.iter().map(|job| job.arrival_ms).filter(|&arrival| arrival > now_ms).min()
}

/// Among the pending jobs that have arrived by `now_ms`, the one with the smallest `priority`;
/// ties go to the earlier position in the input.
fn best_ready_job(
    jobs: &[Job],
    now_ms: u64,
    pending: impl Fn(usize) -> bool,
    priority: impl Fn(usize) -> (u64, u64),
) -> Option<usize> {
    (0..jobs.len()).filter(|&i| pending(i) && jobs[i].arrival_ms <= now_ms).min_by_key(|&i| (priority(i), i))
}

/// Appends a slice, merging it into the previous one when the same job simply keeps running.
fn push_slice(slices: &mut Vec<Slice>, job: usize, start_ms: u64, end_ms: u64) {
    debug_assert!(start_ms < end_ms, "a slice must take time");
    match slices.last_mut() {
        Some(last) if last.job == job && last.end_ms == start_ms => last.end_ms = end_ms,
        _ => slices.push(Slice { job, start_ms, end_ms }),
    }
}

/// Completion, turnaround and waiting time of every job, read off the slices.
fn job_times(jobs: &[Job], slices: &[Slice]) -> Vec<JobTimes> {
    let mut completion_ms = vec![0; jobs.len()];
    for slice in slices {
        completion_ms[slice.job] = completion_ms[slice.job].max(slice.end_ms);
    }
    jobs.iter()
        .zip(completion_ms)
        .map(|(job, completion_ms)| {
            let turnaround_ms = completion_ms - job.arrival_ms;
            JobTimes { completion_ms, turnaround_ms, waiting_ms: turnaround_ms - job.burst_ms }
        })
        .collect()
}

/// The widest a Gantt cell gets, so a long burst does not draw a line across the screen.
const GANTT_CELL_WIDTH_MAX: usize = 40;

/// A two-line text Gantt chart: one cell per slice (job `i` is labelled `P{i+1}`, as textbooks
/// count from 1; an idle CPU is `idle`), cell widths roughly proportional to duration, and the
/// times at the cell boundaries underneath.
pub fn gantt(slices: &[Slice]) -> String {
    if slices.is_empty() {
        return String::new();
    }
    let mut bar = String::from("|");
    let mut axis = String::from("0");
    let mut previous_end_ms = 0;
    for slice in slices {
        if slice.start_ms > previous_end_ms {
            draw_cell(&mut bar, &mut axis, "idle", slice.start_ms - previous_end_ms, slice.start_ms);
        }
        let label = format!("P{}", slice.job + 1);
        draw_cell(&mut bar, &mut axis, &label, slice.end_ms - slice.start_ms, slice.end_ms);
        previous_end_ms = slice.end_ms;
    }
    format!("{}\n{}", bar, axis.trim_end())
}

/// Draws one cell of `duration_ms` on `bar` and writes `end_ms` under its right edge on `axis`.
fn draw_cell(bar: &mut String, axis: &mut String, label: &str, duration_ms: u64, end_ms: u64) {
    let width = (label.len() + 2).max((duration_ms as usize).min(GANTT_CELL_WIDTH_MAX));
    bar.push_str(&format!("{label:^width$}|"));
    let edge = bar.len() - 1;
    // Keep one space between numbers when a narrow cell cannot fit the previous one.
    let column = edge.max(axis.len() + 1);
    axis.push_str(&" ".repeat(column - axis.len()));
    axis.push_str(&end_ms.to_string());
}

#[cfg(test)]
mod tests {
    //! Textbook examples (Silberschatz, *Operating System Concepts*, ch. 5) computed by hand,
    //! then invariants that hold for every input.
    use super::*;
    use proptest::prelude::*;

    fn jobs(arrival_and_burst_ms: &[(u64, u64)]) -> Vec<Job> {
        arrival_and_burst_ms.iter().map(|&(arrival_ms, burst_ms)| Job { arrival_ms, burst_ms }).collect()
    }

    fn waiting_ms(schedule: &Schedule) -> Vec<u64> {
        schedule.times.iter().map(|t| t.waiting_ms).collect()
    }

    /// Bursts 24, 3, 3 all arriving at 0: the convoy example.
    fn convoy() -> Vec<Job> {
        jobs(&[(0, 24), (0, 3), (0, 3)])
    }

    #[test]
    fn fcfs_makes_short_jobs_wait_behind_a_long_one() {
        let schedule = schedule(&convoy(), Policy::Fcfs);
        assert_eq!(waiting_ms(&schedule), [0, 24, 27]);
        assert_eq!(schedule.average_waiting_ms(), 17.0);
    }

    #[test]
    fn sjf_runs_the_shortest_burst_first() {
        // P1..P4 with bursts 6, 8, 7, 3 at time 0 run as P4, P1, P3, P2.
        let schedule = schedule(&jobs(&[(0, 6), (0, 8), (0, 7), (0, 3)]), Policy::Sjf);
        let order: Vec<usize> = schedule.slices.iter().map(|s| s.job).collect();
        assert_eq!(order, [3, 0, 2, 1]);
        assert_eq!(waiting_ms(&schedule), [3, 16, 9, 0]);
        assert_eq!(schedule.average_waiting_ms(), 7.0);
    }

    #[test]
    fn sjf_does_not_preempt_but_srtf_does() {
        // P1 (0, 8), P2 (1, 4), P3 (2, 9), P4 (3, 5): P2's arrival preempts P1 only under SRTF.
        let input = jobs(&[(0, 8), (1, 4), (2, 9), (3, 5)]);
        let sjf = schedule(&input, Policy::Sjf);
        assert_eq!(sjf.slices[0], Slice { job: 0, start_ms: 0, end_ms: 8 });
        assert_eq!(waiting_ms(&sjf), [0, 7, 15, 9]);
        let srtf = schedule(&input, Policy::Srtf);
        let expected = [(0, 0, 1), (1, 1, 5), (3, 5, 10), (0, 10, 17), (2, 17, 26)];
        let expected: Vec<Slice> =
            expected.iter().map(|&(job, start_ms, end_ms)| Slice { job, start_ms, end_ms }).collect();
        assert_eq!(srtf.slices, expected);
        assert_eq!(waiting_ms(&srtf), [9, 0, 15, 2]);
        assert_eq!(srtf.average_waiting_ms(), 6.5);
    }

    #[test]
    fn round_robin_with_quantum_4_on_the_convoy_example() {
        let schedule = schedule(&convoy(), Policy::RoundRobin { quantum_ms: 4 });
        assert_eq!(waiting_ms(&schedule), [6, 4, 7]);
        let turnaround: Vec<u64> = schedule.times.iter().map(|t| t.turnaround_ms).collect();
        assert_eq!(turnaround, [30, 7, 10]);
        assert_eq!(
            gantt(&schedule.slices),
            "| P1 | P2 | P3 |         P1         |\n0    4    7    10                   30"
        );
    }

    #[test]
    fn round_robin_queues_new_arrivals_before_the_preempted_job() {
        // P1 (0, 5) runs 0–2; P2 arrived at 1, so it goes before P1's second turn.
        let schedule = schedule(&jobs(&[(0, 5), (1, 3)]), Policy::RoundRobin { quantum_ms: 2 });
        let order: Vec<(usize, u64)> = schedule.slices.iter().map(|s| (s.job, s.start_ms)).collect();
        assert_eq!(order, [(0, 0), (1, 2), (0, 4), (1, 6), (0, 7)]);
    }

    #[test]
    fn a_quantum_longer_than_every_burst_is_fcfs() {
        let input = jobs(&[(0, 5), (1, 3), (2, 8), (3, 6)]);
        let fcfs = schedule(&input, Policy::Fcfs);
        assert_eq!(schedule(&input, Policy::RoundRobin { quantum_ms: 100 }), fcfs);
    }

    #[test]
    fn the_gantt_chart_shows_an_idle_cpu() {
        let schedule = schedule(&jobs(&[(2, 3), (9, 4)]), Policy::Fcfs);
        assert_eq!(gantt(&schedule.slices), "| idle | P1 | idle | P2 |\n0      2    5      9    13");
    }

    /// Up to 7 jobs arriving in the first 20 ms with bursts of 1 to 12 ms.
    fn job_lists() -> impl Strategy<Value = Vec<Job>> {
        prop::collection::vec((0u64..20, 1u64..12), 1..8)
            .prop_map(|v| v.into_iter().map(|(arrival_ms, burst_ms)| Job { arrival_ms, burst_ms }).collect())
    }

    fn every_policy(quantum_ms: u64) -> [Policy; 4] {
        [Policy::Fcfs, Policy::Sjf, Policy::Srtf, Policy::RoundRobin { quantum_ms }]
    }

    /// Every job runs exactly its burst, never before it arrives, and slices never overlap.
    fn assert_schedule_is_physical(jobs: &[Job], schedule: &Schedule) -> Result<(), TestCaseError> {
        let mut ran_ms = vec![0; jobs.len()];
        for slice in &schedule.slices {
            prop_assert!(slice.start_ms < slice.end_ms);
            prop_assert!(slice.start_ms >= jobs[slice.job].arrival_ms, "{:?} ran before it arrived", slice);
            ran_ms[slice.job] += slice.end_ms - slice.start_ms;
        }
        for pair in schedule.slices.windows(2) {
            prop_assert!(pair[0].end_ms <= pair[1].start_ms, "{:?} overlaps {:?}", pair[0], pair[1]);
        }
        let bursts: Vec<u64> = jobs.iter().map(|job| job.burst_ms).collect();
        prop_assert_eq!(ran_ms, bursts);
        Ok(())
    }

    proptest! {
        #![proptest_config(super::super::deterministic_proptest(256))]

        #[test]
        fn every_policy_runs_each_job_for_exactly_its_burst(jobs in job_lists(), quantum_ms in 1u64..6) {
            for policy in every_policy(quantum_ms) {
                assert_schedule_is_physical(&jobs, &schedule(&jobs, policy))?;
            }
        }

        #[test]
        fn srtf_has_the_lowest_average_waiting_time(jobs in job_lists(), quantum_ms in 1u64..6) {
            let srtf = schedule(&jobs, Policy::Srtf).total_waiting_ms();
            for policy in every_policy(quantum_ms) {
                let other = schedule(&jobs, policy).total_waiting_ms();
                prop_assert!(srtf <= other, "SRTF waits {} in total, {:?} only {}", srtf, policy, other);
            }
        }
    }
}

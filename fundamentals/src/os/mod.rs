//! # Operating systems: CPU scheduling, page replacement, the banker's algorithm
//!
//! ## Why interviewers ask this
//! A backend is a set of processes competing for CPU, memory and locks, and the kernel's classic
//! answers reappear one level up in every server you build: a thread pool's run queue is a
//! scheduler, a cache is a page table with an eviction policy, a connection pool handing out
//! scarce resources can deadlock. Interviewers use the textbook versions because they are small
//! enough to compute on a whiteboard and sharp enough to show whether you reason from invariants
//! ("SRTF minimises average waiting time — why?") or recite names.
//!
//! ## How it works
//! Three simulators, each a pure function of its input, so every figure in a lesson is a test:
//!
//! | module | question it answers | the policy that wins, and its catch |
//! | --- | --- | --- |
//! | [`scheduling`] | in which order should the CPU run ready jobs? | SRTF minimises average waiting time, but needs burst lengths nobody knows and starves long jobs |
//! | [`page_replacement`] | which page leaves memory on a fault? | OPT (Bélády's) is optimal, but needs the future; LRU is the practical approximation, Clock the cheap one |
//! | [`bankers`] | may this process have the resources it asks for? | grant only if the state stays *safe*: some order lets every process finish |
//!
//! Nothing reads a clock or a random source: time is a number in the jobs, and the property
//! tests run with a fixed proptest seed.
//!
//! ## Common pitfalls
//! - Treating "optimal" as "best in practice": SJF, SRTF and OPT all need knowledge of the
//!   future (burst lengths, the reference string). Real kernels estimate (exponential averaging
//!   of past bursts, reference bits) and settle for approximations.
//! - Forgetting starvation: SJF/SRTF can postpone a long job forever while short ones keep
//!   arriving; real schedulers age priorities (MLFQ boosts everybody periodically).
//! - Believing more memory never hurts: under FIFO, adding a frame can *increase* faults
//!   (Bélády's anomaly). Stack algorithms (LRU, OPT) cannot show it.
//! - Confusing *unsafe* with *deadlocked*: an unsafe state may still complete if processes ask
//!   for less than their declared maximum; the banker refuses it because it cannot prove they will.
//!
//! ## Key takeaways
//! - Waiting time = turnaround − burst; turnaround = completion − arrival. Every comparison of
//!   schedulers is a comparison of these two numbers.
//! - Round robin trades average waiting time for response time; the quantum sets the trade-off
//!   (too large: FCFS; too small: all context switches).
//! - Eviction policies are judged against OPT, and a policy is a *stack algorithm* when the pages
//!   it keeps with `n` frames are always a subset of those it keeps with `n + 1`.
//! - Deadlock *avoidance* (the banker) needs every process's maximum claim up front; that is why
//!   real systems prefer prevention (lock ordering) or detection and recovery (timeouts, victims).
//!
//! ## Break it
//! One patch per lesson: `scheduling` (round robin puts the preempted job back at the head of
//! the queue), `page_replacement` (LRU evicts the *most* recently used page), `bankers` (the
//! safety check forgets that a finished process returns what it holds). Run
//! `scripts/break-it.sh <topic>` and read which test catches it.
//!
//! ## Interview questions
//! - *Why does SJF minimise average waiting time?* An exchange argument: if a longer job runs
//!   just before a shorter one, swapping them lowers the shorter's wait by the longer's burst
//!   and raises the longer's by the shorter's burst, a net gain. With arrivals and preemption the
//!   same argument gives SRTF.
//! - *What is thrashing, and what do you do about it?* The working sets of the running processes
//!   exceed memory, so the system spends its time paging. Reduce the multiprogramming level
//!   (suspend processes), or give each process its working set (page-fault-frequency control).
//! - *Name the four Coffman conditions.* Mutual exclusion, hold and wait, no preemption,
//!   circular wait. Break any one and deadlock cannot happen; lock ordering breaks circular wait.
//! - *Where do you meet these ideas in a backend?* Run queues of thread pools and async
//!   executors (FIFO vs LIFO slots, work stealing), cache eviction (Redis' sampled LRU/LFU,
//!   CLOCK-Pro in databases' buffer pools), admission control that refuses work it cannot finish.

pub mod bankers;
pub mod page_replacement;
pub mod scheduling;

/// Property tests of the OS lessons run from a fixed seed and write no regression files, so
/// `cargo test` sees the same cases on every run.
#[cfg(test)]
fn deterministic_proptest(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0005_1e55),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

//! # Page replacement: FIFO, LRU, Clock and OPT, and Bélády's anomaly
//!
//! ## Why interviewers ask this
//! Every cache in a backend — a database buffer pool, the OS page cache, Redis under
//! `maxmemory`, a CDN edge — must choose what to evict, and the page-replacement algorithms are
//! where the vocabulary comes from. The classic question: "count the faults of FIFO, LRU and OPT
//! on this reference string with three frames", then "why does FIFO get *worse* with four?"
//! (Bélády's anomaly) and "why does nobody implement exact LRU in a kernel?".
//!
//! ## How it works
//! Memory holds `frames` pages. A reference to a resident page is a hit; otherwise it is a
//! *fault*: the page is loaded, and if memory is full a victim is evicted first.
//! - **FIFO** evicts the page loaded longest ago, however often it is used.
//! - **LRU** evicts the page used longest ago. Exact LRU needs a timestamp or a list move on
//!   *every* access, which hardware does not provide for memory.
//! - **Clock** (second chance) approximates LRU with one reference bit per frame, set on access.
//!   A hand sweeps the frames: a set bit is cleared (a second chance) and the hand moves on; the
//!   first frame with a clear bit is the victim. If every bit is set it degenerates to FIFO.
//! - **OPT** (Bélády's MIN) evicts the page whose next use is farthest in the future, or never
//!   comes. No policy faults less, but it needs the future, so it is the yardstick, not an option.
//!
//! **Bélády's anomaly:** on `1 2 3 4 1 2 5 1 2 3 4 5`, FIFO faults 9 times with 3 frames and
//! 10 times with 4. LRU and OPT cannot do this: they are *stack algorithms* — the set of pages
//! held with `n` frames is always a subset of the set held with `n + 1` (the `n` most recently
//! used pages are among the `n + 1` most recently used), so a hit with `n` frames is a hit with
//! `n + 1`. FIFO's set depends on load order, which a larger memory changes.
//!
//! ## Common pitfalls
//! - Counting the compulsory (cold) faults differently: the first reference to each page always
//!   faults, and textbook figures include those.
//! - Updating LRU order only on faults: that is FIFO. A hit must make the page most recent.
//! - Assuming more memory always helps: true for stack algorithms, false for FIFO.
//! - Implementing LRU for a huge cache with a global linked list under one lock: every *read*
//!   becomes a write. Real systems sample (Redis picks the oldest of a few random keys), use
//!   Clock variants (PostgreSQL's buffer pool), or segment the list (Linux's active/inactive
//!   lists, the 2Q/ARC families) so a one-off scan cannot flush the hot set.
//!
//! ## Key takeaways
//! - OPT ≤ every other policy; use it to tell how far from ideal a policy is.
//! - LRU works because of temporal locality; a sequential scan larger than memory defeats it
//!   (every access faults), which is why scan-resistant policies exist.
//! - Clock gives most of LRU's benefit with one bit per frame and no work on a hit.
//!
//! ## Break it
//! `fundamentals/breaks/page_replacement.patch` makes LRU evict the *most* recently used page.
//! `lru_faults_twelve_times_on_the_textbook_string` fails (16 faults instead of 12), and so do
//! the Bélády-string and scan tests: "most recent" is exactly the page a loop needs back last.
//!
//! ## Interview questions
//! - *FIFO, LRU and OPT on `7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1` with 3 frames?* 15, 12
//!   and 9 faults (Silberschatz's example; the tests below compute it).
//! - *Why does LRU never show Bélády's anomaly?* It is a stack algorithm: with `n + 1` frames it
//!   holds the `n + 1` most recently used pages, a superset of the `n` it would hold with `n`.
//! - *How would you build an LRU cache with O(1) get and put?* A hash map from key to a node of
//!   a doubly linked list ordered by recency; a hit unlinks the node and pushes it to the front;
//!   eviction pops the back (see `ds::lru_cache`).
//! - *What is the working set, and what is thrashing?* The pages a process used in the last Δ
//!   references. When the working sets of the running processes exceed memory, every process
//!   faults constantly and throughput collapses: thrashing.

use std::collections::VecDeque;

/// A virtual page number.
pub type Page = u32;

/// Which resident page a fault evicts when memory is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Fifo,
    Lru,
    Clock,
    Opt,
}

impl Policy {
    pub const ALL: [Policy; 4] = [Policy::Fifo, Policy::Lru, Policy::Clock, Policy::Opt];
}

/// The number of page faults `policy` takes on `references` with `frames` page frames.
pub fn faults(references: &[Page], frames: usize, policy: Policy) -> usize {
    assert!(frames > 0, "memory needs at least one frame");
    match policy {
        Policy::Fifo => fifo_faults(references, frames),
        Policy::Lru => lru_faults(references, frames),
        Policy::Clock => clock_faults(references, frames),
        Policy::Opt => opt_faults(references, frames),
    }
}

fn fifo_faults(references: &[Page], frames: usize) -> usize {
    // Front: the page loaded longest ago.
    let mut loaded: VecDeque<Page> = VecDeque::with_capacity(frames);
    let mut faults = 0;
    for &page in references {
        if loaded.contains(&page) {
            continue;
        }
        faults += 1;
        if loaded.len() == frames {
            loaded.pop_front();
        }
        loaded.push_back(page);
    }
    faults
}

fn lru_faults(references: &[Page], frames: usize) -> usize {
    // Ordered by last use: index 0 is the least recently used page, the last the most recent.
    let mut by_recency: Vec<Page> = Vec::with_capacity(frames);
    let mut faults = 0;
    for &page in references {
        if let Some(position) = by_recency.iter().position(|&p| p == page) {
            by_recency.remove(position);
        } else {
            faults += 1;
            if by_recency.len() == frames {
                by_recency.remove(0);
            }
        }
        by_recency.push(page);
    }
    faults
}

/// One frame of the clock: the page it holds and its reference bit.
struct ClockFrame {
    page: Page,
    referenced: bool,
}

fn clock_faults(references: &[Page], frames: usize) -> usize {
    let mut clock: Vec<ClockFrame> = Vec::with_capacity(frames);
    let mut hand = 0;
    let mut faults = 0;
    for &page in references {
        if let Some(frame) = clock.iter_mut().find(|f| f.page == page) {
            frame.referenced = true;
            continue;
        }
        faults += 1;
        let loaded = ClockFrame { page, referenced: true };
        if clock.len() < frames {
            clock.push(loaded);
            continue;
        }
        // At most one full sweep clears every bit, so the second lap always finds a victim.
        while clock[hand].referenced {
            clock[hand].referenced = false;
            hand = (hand + 1) % frames;
        }
        clock[hand] = loaded;
        hand = (hand + 1) % frames;
    }
    faults
}

fn opt_faults(references: &[Page], frames: usize) -> usize {
    let mut resident: Vec<Page> = Vec::with_capacity(frames);
    let mut faults = 0;
    for (now, &page) in references.iter().enumerate() {
        if resident.contains(&page) {
            continue;
        }
        faults += 1;
        if resident.len() == frames {
            let victim = farthest_next_use(&resident, &references[now + 1..]);
            resident.swap_remove(victim);
        }
        resident.push(page);
    }
    faults
}

/// The index in `resident` of the page used last (or never) in `future`; ties go to the first.
fn farthest_next_use(resident: &[Page], future: &[Page]) -> usize {
    let next_use = |page: Page| future.iter().position(|&p| p == page).unwrap_or(usize::MAX);
    let mut victim = 0;
    for (index, &page) in resident.iter().enumerate() {
        if next_use(page) > next_use(resident[victim]) {
            victim = index;
        }
    }
    victim
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Silberschatz, *Operating System Concepts*, §10.4.
    const TEXTBOOK: [Page; 20] = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];
    /// Bélády, Nelson and Shedler (1969): FIFO faults more with more frames.
    const BELADY: [Page; 12] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

    #[test]
    fn fifo_faults_fifteen_times_on_the_textbook_string() {
        assert_eq!(faults(&TEXTBOOK, 3, Policy::Fifo), 15);
    }

    #[test]
    fn lru_faults_twelve_times_on_the_textbook_string() {
        assert_eq!(faults(&TEXTBOOK, 3, Policy::Lru), 12);
    }

    #[test]
    fn opt_faults_nine_times_on_the_textbook_string() {
        assert_eq!(faults(&TEXTBOOK, 3, Policy::Opt), 9);
    }

    #[test]
    fn fifo_shows_beladys_anomaly_on_the_classic_string() {
        assert_eq!(faults(&BELADY, 3, Policy::Fifo), 9);
        assert_eq!(faults(&BELADY, 4, Policy::Fifo), 10, "one more frame, one more fault");
        // The stack algorithms improve with the extra frame.
        assert_eq!((faults(&BELADY, 3, Policy::Lru), faults(&BELADY, 4, Policy::Lru)), (10, 8));
        assert_eq!((faults(&BELADY, 3, Policy::Opt), faults(&BELADY, 4, Policy::Opt)), (7, 6));
    }

    #[test]
    fn clock_gives_a_recently_used_page_a_second_chance() {
        // 1 2 3 fill memory; 4 finds every bit set, sweeps once and evicts 1 (FIFO-like).
        // Then 2 is used again, so when 5 faults the hand skips 2 and evicts 3; FIFO evicts 2
        // and faults on the final 2.
        let references = [1, 2, 3, 4, 2, 5, 2];
        assert_eq!(faults(&references, 3, Policy::Clock), 5);
        assert_eq!(faults(&references, 3, Policy::Fifo), 6);
    }

    #[test]
    fn a_scan_larger_than_memory_makes_lru_fault_on_every_reference() {
        let scan: Vec<Page> = (0..4).cycle().take(40).collect();
        assert_eq!(faults(&scan, 3, Policy::Lru), 40);
        assert!(faults(&scan, 3, Policy::Opt) < 20, "OPT keeps most of the loop resident");
    }

    /// Reference strings of up to 40 references to 8 distinct pages.
    fn reference_strings() -> impl Strategy<Value = Vec<Page>> {
        prop::collection::vec(0 as Page..8, 0..40)
    }

    proptest! {
        #![proptest_config(super::super::deterministic_proptest(512))]

        #[test]
        fn opt_never_faults_more_than_any_policy(references in reference_strings(), frames in 1usize..6) {
            let opt = faults(&references, frames, Policy::Opt);
            for policy in Policy::ALL {
                prop_assert!(opt <= faults(&references, frames, policy), "{:?} beat OPT", policy);
            }
        }

        #[test]
        fn lru_and_opt_never_fault_more_with_more_frames(references in reference_strings(), frames in 1usize..6) {
            for policy in [Policy::Lru, Policy::Opt] {
                let fewer = faults(&references, frames, policy);
                let more = faults(&references, frames + 1, policy);
                prop_assert!(more <= fewer, "{:?}: {} faults with {} frames, {} with {}", policy, fewer, frames, more, frames + 1);
            }
        }

        #[test]
        fn every_policy_faults_once_per_page_when_all_pages_fit(references in reference_strings()) {
            let mut distinct = references.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for policy in Policy::ALL {
                prop_assert_eq!(faults(&references, 8, policy), distinct.len());
                prop_assert!(faults(&references, 2, policy) >= distinct.len());
            }
        }
    }
}

//! # LSM tree (log-structured merge tree)
//!
//! ## Why interviewers ask this
//! LevelDB, RocksDB, Cassandra, ScyllaDB, HBase, InfluxDB and the storage engines behind many
//! cloud databases are LSM trees. "B-tree or LSM-tree for a write-heavy workload?", "what is
//! compaction and why does it hurt tail latency?", "how is a delete stored?" are common design
//! questions; the tombstone subtleties separate people who have read the paper from those who
//! have run one.
//!
//! ## How it works
//! Writes never update data in place:
//! 1. **Memtable:** puts and deletes go to an in-memory sorted map (here a `BTreeMap`; RocksDB
//!    uses a skip list). A real engine also appends each write to a WAL first for durability.
//! 2. **Flush:** when the memtable reaches `memtable_max_entries`, it is written out as an
//!    immutable **sorted run** (an SSTable on disk) and a fresh memtable starts.
//! 3. **Reads** check the memtable, then runs from newest to oldest; the first version found
//!    wins. Each run has a [`BloomFilter`] so runs that cannot hold the key are skipped
//!    without a search (on disk: without an I/O).
//! 4. **Deletes** write a **tombstone** (a key with no value): older runs may still hold the
//!    key, and only a newer "deleted" marker can shadow them.
//! 5. **Compaction** merges runs (a linear merge of sorted inputs, newest version wins) to bound
//!    the number of runs a read must check. Policy here (size-tiered, like a binary counter):
//!    after a flush, while the newest run is at least half the size of the one before it,
//!    merge the two. Run sizes then at least double from newest to oldest, so there are
//!    O(log n) runs and each entry is rewritten O(log n) times.
//!
//! **Tombstones may only be dropped when the merge output becomes the oldest run.** A
//! tombstone dropped from a merge of newer runs un-shadows the older value below it, and the
//! deleted key comes back (see Break it). Writes cost sequential appends; the price is **write
//! amplification** (bytes rewritten by compaction per byte written) and **read amplification**
//! (runs probed per read), both reported by [`LsmStats`].
//!
//! Measured by the tests: 10k puts through a 4-entry memtable (2,500 flushes) leave 5 runs
//! and a write amplification of **11.3** (≈ log₂ 2,500: each entry is rewritten once per tier
//! it passes). 5,000 lookups of absent keys over 3 runs did 158 binary searches and skipped
//! 14,842 runs on their bloom filters (1.05% false positives).
//!
//! ## Common pitfalls
//! - Dropping tombstones in a merge that does not include the oldest data: resurrected deletes.
//! - Deleting a key by removing it from the memtable only: the old runs still have it.
//! - Reading runs oldest-first, or letting a merge keep the older version of a key.
//! - No bloom filters: every miss reads every run.
//! - Unbounded run count (compaction falls behind): reads slow down without limit, so real
//!   engines stall writes when too many runs pile up ("write stalls" in RocksDB).
//!
//! ## Key takeaways
//! - Sequential writes (memtable → immutable sorted runs) in exchange for read and write
//!   amplification managed by compaction.
//! - A delete is a write; tombstones live until they reach the bottom.
//! - Bloom filters turn most negative lookups into zero run searches.
//!
//! ## Break it
//! `breaks/lsm_tree.patch` makes every compaction drop tombstones, not just the one producing
//! the oldest run. `scripts/break-it.sh lsm_tree` shows
//! `deleted_key_stays_deleted_after_partial_compaction` and the `BTreeMap` property failing:
//! a merge of two newer runs discards the tombstone, and the value in the older run is visible
//! again — the "zombie data" bug real systems have shipped.
//!
//! ## Interview questions
//! - *B-tree vs LSM for a write-heavy workload?* — LSM: writes are buffered and written
//!   sequentially, no read-modify-write of pages. B-trees win on read latency and
//!   predictability (no compaction debt).
//! - *Leveled vs size-tiered compaction?* — Leveled (LevelDB/RocksDB default): each level is one
//!   sorted range 10× the previous; low read and space amplification, high write
//!   amplification. Size-tiered (Cassandra default): merge similar-sized runs; cheaper writes,
//!   more runs to read and up to 2× space during merges.
//! - *How does a range scan work?* — A k-way merge over the memtable and all runs (a heap of
//!   iterators), newest version of each key wins, tombstones suppress keys.
//! - *Why can tombstones hurt (Cassandra's `gc_grace_seconds`)?* — They must survive until
//!   every replica has seen them, or repair resurrects the data; scans over many tombstones
//!   are slow.

use super::bloom_filter::BloomFilter;
use std::collections::BTreeMap;
use std::hash::Hash;

/// Tuning knobs; `Default` gives small numbers that exercise flushes and compactions often.
#[derive(Debug, Clone, Copy)]
pub struct LsmConfig {
    /// Flush the memtable into a sorted run when it holds this many entries.
    pub memtable_max_entries: usize,
    /// False-positive rate each run's bloom filter is sized for.
    pub bloom_false_positive_rate: f64,
}

impl Default for LsmConfig {
    fn default() -> Self {
        Self { memtable_max_entries: 64, bloom_false_positive_rate: 0.01 }
    }
}

/// Counters that make the amplification trade-offs visible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LsmStats {
    /// Puts and deletes accepted from users.
    pub user_writes: u64,
    /// Entries written into runs, by flushes and compactions.
    pub entries_written: u64,
    pub flushes: u64,
    pub compactions: u64,
    /// Binary searches performed on runs by `get`.
    pub runs_searched: u64,
    /// Runs a `get` skipped because their bloom filter said "definitely not here".
    pub runs_skipped_by_bloom: u64,
}

impl LsmStats {
    /// Entries written to runs per user write.
    pub fn write_amplification(&self) -> f64 {
        self.entries_written as f64 / self.user_writes.max(1) as f64
    }
}

/// An immutable sorted run: what an SSTable is on disk. `None` values are tombstones.
#[derive(Debug, Clone)]
struct SortedRun<K, V> {
    entries: Vec<(K, Option<V>)>,
    bloom: BloomFilter,
}

impl<K: Hash, V> SortedRun<K, V> {
    fn new(entries: Vec<(K, Option<V>)>, false_positive_rate: f64) -> Self {
        let mut bloom = BloomFilter::with_rate(entries.len().max(1) as u64, false_positive_rate);
        for (key, _) in &entries {
            bloom.insert(key);
        }
        Self { entries, bloom }
    }
}

/// A key-value store organised as a memtable plus immutable sorted runs.
#[derive(Debug, Clone)]
pub struct LsmTree<K, V> {
    config: LsmConfig,
    /// Latest writes; `None` is a tombstone.
    memtable: BTreeMap<K, Option<V>>,
    /// Oldest first: `runs[0]` is the bottom, `runs.last()` the most recent flush.
    runs: Vec<SortedRun<K, V>>,
    stats: LsmStats,
}

impl<K: Ord + Clone + Hash, V: Clone> Default for LsmTree<K, V> {
    fn default() -> Self {
        Self::new(LsmConfig::default())
    }
}

impl<K: Ord + Clone + Hash, V: Clone> LsmTree<K, V> {
    pub fn new(config: LsmConfig) -> Self {
        assert!(config.memtable_max_entries > 0);
        Self { config, memtable: BTreeMap::new(), runs: Vec::new(), stats: LsmStats::default() }
    }

    pub fn put(&mut self, key: K, value: V) {
        self.write(key, Some(value));
    }

    /// Deletes by writing a tombstone: older runs may hold the key and must be shadowed.
    pub fn delete(&mut self, key: K) {
        self.write(key, None);
    }

    pub fn get(&mut self, key: &K) -> Option<V> {
        if let Some(version) = self.memtable.get(key) {
            return version.clone();
        }
        for run in self.runs.iter().rev() {
            if !run.bloom.contains(key) {
                self.stats.runs_skipped_by_bloom += 1;
                continue;
            }
            self.stats.runs_searched += 1;
            if let Ok(i) = run.entries.binary_search_by(|(k, _)| k.cmp(key)) {
                return run.entries[i].1.clone();
            }
        }
        None
    }

    /// Every live entry in key order: the newest version of each key, tombstones applied.
    pub fn scan(&self) -> Vec<(K, V)> {
        // Oldest to newest into one map, so newer versions overwrite older ones. A real engine
        // streams a k-way merge over the sources with a heap instead of materialising this.
        let mut merged: BTreeMap<&K, &Option<V>> = BTreeMap::new();
        for run in &self.runs {
            merged.extend(run.entries.iter().map(|(k, v)| (k, v)));
        }
        merged.extend(self.memtable.iter());
        merged.into_iter().filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect()
    }

    /// Writes the memtable out as a run now (normally triggered by its size).
    pub fn flush(&mut self) {
        if self.memtable.is_empty() {
            return;
        }
        let memtable = std::mem::take(&mut self.memtable);
        // With no run below, a tombstone shadows nothing and can go right away.
        let drop_tombstones = self.runs.is_empty();
        let entries: Vec<(K, Option<V>)> =
            memtable.into_iter().filter(|(_, v)| v.is_some() || !drop_tombstones).collect();
        self.stats.flushes += 1;
        self.stats.entries_written += entries.len() as u64;
        if !entries.is_empty() {
            self.runs.push(SortedRun::new(entries, self.config.bloom_false_positive_rate));
        }
        self.compact_tiers();
    }

    /// Merges every run into one (a "major compaction"): all tombstones can go.
    pub fn compact_all(&mut self) {
        while self.runs.len() > 1 {
            self.merge_newest_two();
        }
    }

    /// Number of sorted runs a read may have to check.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    pub fn stats(&self) -> LsmStats {
        self.stats
    }

    /// Runs are strictly sorted, sizes at least double from newest to oldest, and the oldest
    /// run holds no tombstones (they are dropped whenever a run becomes the bottom).
    pub fn check_invariants(&self) {
        for run in &self.runs {
            assert!(run.entries.windows(2).all(|pair| pair[0].0 < pair[1].0), "a run is not strictly sorted");
            assert!(!run.entries.is_empty(), "an empty run was kept");
        }
        for pair in self.runs.windows(2) {
            assert!(pair[1].entries.len() * 2 < pair[0].entries.len(), "tier sizes must at least double going down");
        }
        if let Some(bottom) = self.runs.first() {
            assert!(bottom.entries.iter().all(|(_, v)| v.is_some()), "the bottom run kept a tombstone");
        }
        assert!(self.memtable.len() < self.config.memtable_max_entries, "the memtable was not flushed");
    }

    fn write(&mut self, key: K, version: Option<V>) {
        self.stats.user_writes += 1;
        self.memtable.insert(key, version);
        if self.memtable.len() >= self.config.memtable_max_entries {
            self.flush();
        }
    }

    /// Size-tiered policy: merge the two newest runs while the newer is at least half the
    /// size of the older, so sizes double going down and there are O(log n) runs.
    fn compact_tiers(&mut self) {
        while let [.., older, newer] = self.runs.as_slice() {
            if newer.entries.len() * 2 < older.entries.len() {
                break;
            }
            self.merge_newest_two();
        }
    }

    /// Replaces the two newest runs with their merge. Tombstones are dropped only if the merged
    /// run becomes the oldest: otherwise they still shadow versions in the runs below.
    fn merge_newest_two(&mut self) {
        let newer = self.runs.pop().expect("two runs to merge");
        let older = self.runs.pop().expect("two runs to merge");
        let becomes_bottom = self.runs.is_empty();
        let merged = merge_runs(older.entries, newer.entries, becomes_bottom);
        self.stats.compactions += 1;
        self.stats.entries_written += merged.len() as u64;
        if !merged.is_empty() {
            self.runs.push(SortedRun::new(merged, self.config.bloom_false_positive_rate));
        }
    }
}

/// Linear merge of two sorted runs; on equal keys the newer version wins.
fn merge_runs<K: Ord, V>(
    older: Vec<(K, Option<V>)>,
    newer: Vec<(K, Option<V>)>,
    drop_tombstones: bool,
) -> Vec<(K, Option<V>)> {
    let mut merged = Vec::with_capacity(older.len() + newer.len());
    let mut older = older.into_iter().peekable();
    let mut newer = newer.into_iter().peekable();
    loop {
        let next = match (older.peek(), newer.peek()) {
            (None, None) => break,
            (Some(_), None) => older.next(),
            (None, Some(_)) => newer.next(),
            (Some((a, _)), Some((b, _))) => {
                if a < b {
                    older.next()
                } else {
                    if a == b {
                        older.next(); // shadowed by the newer version
                    }
                    newer.next()
                }
            }
        };
        let entry = next.expect("peeked an entry");
        if entry.1.is_some() || !drop_tombstones {
            merged.push(entry);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn small_tree() -> LsmTree<u32, u32> {
        LsmTree::new(LsmConfig { memtable_max_entries: 4, ..LsmConfig::default() })
    }

    #[test]
    fn reads_see_the_newest_version_across_memtable_and_runs() {
        let mut tree = small_tree();
        for key in 0..4 {
            tree.put(key, 1); // flushed as a run
        }
        tree.put(2, 2); // newer, still in the memtable
        assert_eq!(tree.run_count(), 1);
        assert_eq!(tree.get(&2), Some(2));
        assert_eq!(tree.get(&3), Some(1));
        assert_eq!(tree.get(&9), None);
    }

    #[test]
    fn deleted_key_stays_deleted_after_partial_compaction() {
        let mut tree = small_tree();
        // A big bottom run holding key 0 (and 31 others).
        for key in 0..32 {
            tree.put(key, 100 + key);
        }
        tree.compact_all();
        assert_eq!(tree.run_count(), 1);
        // Two small flushes on top of it; the first carries the tombstone for key 0.
        tree.delete(0);
        for key in 100..103 {
            tree.put(key, key);
        }
        assert_eq!(tree.run_count(), 2);
        for key in 200..204 {
            tree.put(key, key);
        }
        // The two small runs were merged (4 ≥ 4/2) above the bottom run: a partial compaction.
        assert_eq!(tree.run_count(), 2);
        assert!(tree.stats().compactions >= 2);
        assert_eq!(tree.get(&0), None, "the tombstone must survive until it reaches the bottom");
        tree.compact_all();
        assert_eq!(tree.get(&0), None);
        tree.check_invariants();
    }

    #[test]
    fn bloom_filters_skip_runs_that_cannot_hold_the_key() {
        let mut tree: LsmTree<u32, u32> = LsmTree::default();
        for key in 0..5_000 {
            tree.put(key * 2, key); // even keys only
        }
        let before = tree.stats();
        for key in 0..5_000 {
            assert_eq!(tree.get(&(key * 2 + 1)), None);
        }
        let after = tree.stats();
        let searched = after.runs_searched - before.runs_searched;
        let skipped = after.runs_skipped_by_bloom - before.runs_skipped_by_bloom;
        // ~1% false positives: almost every run is skipped without a binary search.
        assert!(searched * 20 < skipped, "searched {searched} runs, skipped {skipped}");
    }

    #[test]
    fn run_count_stays_logarithmic_and_write_amplification_is_bounded() {
        let mut tree = small_tree();
        for key in 0..10_000_u32 {
            tree.put(key.wrapping_mul(2_654_435_761) % 100_000, key);
        }
        tree.check_invariants();
        // 2 500 flushes of 4 entries: sizes double going down, so at most ~log2(2500) + 1 runs.
        assert!(tree.run_count() <= 13, "{} runs", tree.run_count());
        let amplification = tree.stats().write_amplification();
        assert!((2.0..16.0).contains(&amplification), "write amplification {amplification:.1}");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, u16),
        Delete(u8),
        Get(u8),
        Flush,
        CompactAll,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0_u8..40, any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
            3 => (0_u8..40).prop_map(Op::Delete),
            3 => (0_u8..40).prop_map(Op::Get),
            1 => Just(Op::Flush),
            1 => Just(Op::CompactAll),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_btreemap(ops in prop::collection::vec(op(), 0..300)) {
            let mut tree = small_tree();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Put(k, v) => { tree.put(u32::from(k), u32::from(v)); model.insert(u32::from(k), u32::from(v)); }
                    Op::Delete(k) => { tree.delete(u32::from(k)); model.remove(&u32::from(k)); }
                    Op::Get(k) => prop_assert_eq!(tree.get(&u32::from(k)), model.get(&u32::from(k)).copied()),
                    Op::Flush => tree.flush(),
                    Op::CompactAll => tree.compact_all(),
                }
                tree.check_invariants();
                prop_assert_eq!(tree.scan(), model.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>());
            }
        }
    }
}

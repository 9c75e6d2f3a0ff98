//! # Indexes: hash, bitmap and inverted, against a full scan
//!
//! ## Why interviewers ask this
//! "This query is slow, what do you do?" is the most common database question in backend
//! interviews, and "add an index" is only the start of a good answer: *which* index, for which
//! query shape, at what cost on writes, and when does the database ignore it anyway? Knowing the
//! index families — B-tree, hash, bitmap, inverted — and the query each one serves is how you
//! answer with numbers instead of hope.
//!
//! ## How it works
//! A table of [`Row`]s (users: email, country, plan, active flag, a free-text bio) and three
//! secondary indexes, each answering one query shape without reading every row:
//!
//! | index | structure | serves | cannot serve |
//! | --- | --- | --- | --- |
//! | [`HashIndex`] | value → row ids, in a hash map | `email = ?` in O(1) | ranges, prefixes, ordering |
//! | [`BitmapIndex`] | per distinct value, one bit per row | `country = ? AND plan = ? AND active` on low-cardinality columns: AND/OR of 64 rows per instruction | high-cardinality columns (one bitmap per value) |
//! | [`InvertedIndex`] | term → sorted posting list of row ids | "bio contains all of these words": intersect the shortest lists | exact phrases (without positions), substrings |
//!
//! The B-tree — the default index of every relational database, serving equality, ranges,
//! prefixes and `ORDER BY` — is the lesson [`crate::ds::btree`].
//!
//! Every query has a full-scan twin, and the tests prove each index returns exactly what the
//! scan returns. `cargo bench -p fundamentals --bench storage -- --warm-up-time 1
//! --measurement-time 2` measured them on 100,000 seeded rows (criterion's median on this
//! shared 2-core VM, with other builds running; ratios matter more than the absolute times):
//!
//! | query | full scan | index | speed-up |
//! | --- | --- | --- | --- |
//! | `email = ?` (hash) | 1.00 ms | 45 ns | ~22,000× |
//! | count `country = ? AND plan = ? AND active` (bitmap) | 397 µs | 4.2 µs | ~95× |
//! | bio contains "postgres" and "chess" (inverted) | 91 ms | 249 µs | ~370× |
//!
//! The hash index wins most because it touches one entry whatever the table size. The bitmap
//! still touches every row, as one bit: it wins by doing 64 rows per AND and a popcount instead
//! of three comparisons and a branch per row (3 × 1,563 words here). The inverted index's gain
//! depends on how common the words are: these two are in roughly 20% and 11% of bios, so it
//! walks two posting lists of ~20k and ~11k ids, while the scan tokenizes all 100,000 bios.
//! Rarer words make it proportionally faster.
//!
//! ## Common pitfalls
//! - Indexing a column the query does not filter on *by itself*: an index on `(country, plan)`
//!   does not help `WHERE plan = ?` (leftmost-prefix rule of composite B-tree indexes).
//! - Wrapping the column in a function (`WHERE lower(email) = ?`): the index on `email` is
//!   useless; index the expression instead.
//! - Low selectivity: if a predicate matches 30% of rows, fetching them through an index (one
//!   random read each) is slower than a sequential scan, and the planner rightly ignores it.
//! - Forgetting the write cost: every index is updated on every insert and on updates of its
//!   column; bitmaps in particular are costly to update, which is why they live in analytics
//!   stores (and are built on the fly in Postgres' "bitmap heap scan").
//! - A hash index for a range query (`created_at > ?`): it cannot; use a B-tree.
//!
//! ## Key takeaways
//! - Match the index to the query: equality → hash or B-tree; range/order → B-tree; boolean
//!   combinations of low-cardinality columns → bitmap; words in text → inverted index.
//! - An index trades write cost and space for read cost; measure both.
//! - Intersect posting lists shortest first; combine bitmaps with word-wide AND/OR.
//!
//! ## Break it
//! `fundamentals/breaks/storage_indexes.patch` makes the posting-list intersection advance both
//! lists when their heads differ, instead of only the smaller one. `scripts/break-it.sh
//! storage_indexes` shows `inverted_index_answers_exactly_what_a_scan_finds` failing: rows that
//! contain both words go missing.
//!
//! ## Interview questions
//! - *When does the database not use your index?* Low selectivity (a scan is cheaper), a
//!   function or cast on the column, a type mismatch, a composite index whose leading column
//!   is not constrained, stale statistics, or a tiny table.
//! - *Hash index or B-tree?* B-tree unless you only ever do equality and need the last bit of
//!   speed: a B-tree also serves ranges, prefixes, sorting and min/max, at O(log n) with a
//!   high fan-out (3–4 levels for millions of rows).
//! - *What is a bitmap index good for?* Low-cardinality columns combined with AND/OR/NOT in
//!   analytics (data warehouses, Druid, Pinot, Elasticsearch's filter caches); compressed
//!   bitmaps (Roaring) keep them small. Bad for OLTP writes.
//! - *How does full-text search find documents with all of these words?* An inverted index:
//!   term → sorted list of document ids; intersect the lists starting with the rarest term,
//!   skipping ahead (galloping or skip pointers) in the longer ones; rank with BM25 after.
//! - *What is a covering index?* One that contains every column the query needs, so the
//!   table itself is never read (an index-only scan).

use std::collections::{BTreeMap, HashMap};

use crate::sim::stream_rng;
use rand::Rng;

/// Row ids are positions in the table.
pub type RowId = u32;

/// A user row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: RowId,
    pub email: String,
    /// One of [`COUNTRIES`] values: low cardinality.
    pub country: u8,
    /// 0 free, 1 pro, 2 enterprise: very low cardinality.
    pub plan: u8,
    pub active: bool,
    /// Free text for the inverted index.
    pub bio: String,
}

/// Distinct values of [`Row::country`].
pub const COUNTRIES: u8 = 20;
/// Distinct values of [`Row::plan`].
pub const PLANS: u8 = 3;

const WORDS: [&str; 40] = [
    "rust",
    "go",
    "java",
    "python",
    "kafka",
    "postgres",
    "redis",
    "kubernetes",
    "backend",
    "frontend",
    "data",
    "platform",
    "payments",
    "search",
    "mobile",
    "cloud",
    "security",
    "latency",
    "scale",
    "teams",
    "coffee",
    "hiking",
    "music",
    "books",
    "chess",
    "running",
    "cooking",
    "travel",
    "photography",
    "gardening",
    "distributed",
    "systems",
    "storage",
    "networks",
    "compilers",
    "databases",
    "queues",
    "caching",
    "testing",
    "observability",
];

/// `count` users from a seeded stream. Bio words are skewed (a few are common, most are rare),
/// as words in real text are, so posting lists have very different lengths.
pub fn generate_rows(seed: u64, count: u32) -> Vec<Row> {
    let mut rng = stream_rng(seed, "index-rows");
    (0..count)
        .map(|id| {
            let words = rng.random_range(4..10);
            let bio: Vec<&str> = (0..words)
                .map(|_| {
                    // Squaring a uniform draw skews it towards the front of the vocabulary.
                    let u: f64 = rng.random();
                    WORDS[((u * u) * WORDS.len() as f64) as usize]
                })
                .collect();
            Row {
                id,
                email: format!("user{id}@example.com"),
                country: rng.random_range(0..COUNTRIES),
                plan: rng.random_range(0..PLANS),
                active: rng.random_bool(0.7),
                bio: bio.join(" "),
            }
        })
        .collect()
}

/// Splits text into lower-case words: the same function for indexing and for the scan, or the
/// two would disagree about what a word is.
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

// ---------------------------------------------------------------------------------------------
// Full scans: the baseline every index must agree with.

pub fn scan_email(rows: &[Row], email: &str) -> Vec<RowId> {
    rows.iter().filter(|r| r.email == email).map(|r| r.id).collect()
}

pub fn scan_count(rows: &[Row], country: u8, plan: u8) -> usize {
    rows.iter().filter(|r| r.country == country && r.plan == plan && r.active).count()
}

pub fn scan_all_terms(rows: &[Row], terms: &[&str]) -> Vec<RowId> {
    rows.iter()
        .filter(|r| {
            let words: Vec<String> = tokenize(&r.bio).collect();
            terms.iter().all(|t| words.iter().any(|w| w == t))
        })
        .map(|r| r.id)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hash index.

/// Equality lookups on `email`. The map is only ever probed, never iterated, so its randomly
/// seeded hasher cannot make any result depend on the run.
#[derive(Debug, Default)]
pub struct HashIndex {
    map: HashMap<String, Vec<RowId>>,
}

impl HashIndex {
    pub fn build(rows: &[Row]) -> Self {
        let mut map: HashMap<String, Vec<RowId>> = HashMap::with_capacity(rows.len());
        for row in rows {
            map.entry(row.email.clone()).or_default().push(row.id);
        }
        Self { map }
    }

    pub fn lookup(&self, email: &str) -> &[RowId] {
        self.map.get(email).map_or(&[], Vec::as_slice)
    }
}

// ---------------------------------------------------------------------------------------------
// Bitmap index.

/// A set of row ids as one bit per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
}

impl Bitmap {
    pub fn empty(rows: usize) -> Self {
        Self { words: vec![0; rows.div_ceil(64)] }
    }

    pub fn insert(&mut self, id: RowId) {
        self.words[id as usize / 64] |= 1 << (id % 64);
    }

    pub fn contains(&self, id: RowId) -> bool {
        self.words.get(id as usize / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Rows in both: 64 rows per instruction.
    pub fn and(&self, other: &Bitmap) -> Bitmap {
        Bitmap { words: self.words.iter().zip(&other.words).map(|(a, b)| a & b).collect() }
    }

    pub fn or(&self, other: &Bitmap) -> Bitmap {
        Bitmap { words: self.words.iter().zip(&other.words).map(|(a, b)| a | b).collect() }
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn ids(&self) -> Vec<RowId> {
        let mut ids = Vec::new();
        for (i, &word) in self.words.iter().enumerate() {
            let mut rest = word;
            while rest != 0 {
                ids.push(i as RowId * 64 + rest.trailing_zeros());
                rest &= rest - 1; // clear the lowest set bit
            }
        }
        ids
    }
}

/// One bitmap per distinct value of `country` and of `plan`, and one for `active`.
#[derive(Debug)]
pub struct BitmapIndex {
    country: Vec<Bitmap>,
    plan: Vec<Bitmap>,
    active: Bitmap,
}

impl BitmapIndex {
    pub fn build(rows: &[Row]) -> Self {
        let mut index = Self {
            country: vec![Bitmap::empty(rows.len()); COUNTRIES as usize],
            plan: vec![Bitmap::empty(rows.len()); PLANS as usize],
            active: Bitmap::empty(rows.len()),
        };
        for row in rows {
            index.country[row.country as usize].insert(row.id);
            index.plan[row.plan as usize].insert(row.id);
            if row.active {
                index.active.insert(row.id);
            }
        }
        index
    }

    /// Rows with this country and plan that are active.
    pub fn matching(&self, country: u8, plan: u8) -> Bitmap {
        self.country[country as usize].and(&self.plan[plan as usize]).and(&self.active)
    }

    pub fn count(&self, country: u8, plan: u8) -> usize {
        self.matching(country, plan).count()
    }

    /// Rows in either country (an OR of two bitmaps), active or not.
    pub fn in_either_country(&self, a: u8, b: u8) -> Bitmap {
        self.country[a as usize].or(&self.country[b as usize])
    }
}

// ---------------------------------------------------------------------------------------------
// Inverted index.

/// Term → ascending row ids of the bios containing it.
#[derive(Debug, Default)]
pub struct InvertedIndex {
    postings: BTreeMap<String, Vec<RowId>>,
}

impl InvertedIndex {
    pub fn build(rows: &[Row]) -> Self {
        let mut postings: BTreeMap<String, Vec<RowId>> = BTreeMap::new();
        for row in rows {
            for word in tokenize(&row.bio) {
                let list = postings.entry(word).or_default();
                // Rows arrive in id order, so lists stay sorted; a repeated word adds nothing.
                if list.last() != Some(&row.id) {
                    list.push(row.id);
                }
            }
        }
        Self { postings }
    }

    pub fn postings(&self, term: &str) -> &[RowId] {
        self.postings.get(term).map_or(&[], Vec::as_slice)
    }

    /// Rows whose bio contains every term: intersect the posting lists, shortest first, so the
    /// running result only shrinks and each step costs at most the smaller list's walk.
    pub fn all_terms(&self, terms: &[&str]) -> Vec<RowId> {
        let mut lists: Vec<&[RowId]> = terms.iter().map(|t| self.postings(t)).collect();
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else { return Vec::new() };
        rest.iter().fold(first.to_vec(), |acc, list| intersect(&acc, list))
    }
}

/// Ascending ids in both ascending lists: walk both, always advancing the smaller head.
pub fn intersect(a: &[RowId], b: &[RowId]) -> Vec<RowId> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn rows() -> Vec<Row> {
        generate_rows(7, 5_000)
    }

    #[test]
    fn hash_index_answers_exactly_what_a_scan_finds() {
        let rows = rows();
        let index = HashIndex::build(&rows);
        for email in ["user0@example.com", "user4999@example.com", "user123@example.com", "nobody@example.com"] {
            assert_eq!(index.lookup(email), scan_email(&rows, email), "{email}");
        }
    }

    #[test]
    fn bitmap_index_answers_exactly_what_a_scan_finds() {
        let rows = rows();
        let index = BitmapIndex::build(&rows);
        for country in 0..COUNTRIES {
            for plan in 0..PLANS {
                assert_eq!(index.count(country, plan), scan_count(&rows, country, plan), "{country}/{plan}");
            }
        }
        let either: Vec<RowId> = rows.iter().filter(|r| r.country == 3 || r.country == 11).map(|r| r.id).collect();
        assert_eq!(index.in_either_country(3, 11).ids(), either);
    }

    #[test]
    fn inverted_index_answers_exactly_what_a_scan_finds() {
        let rows = rows();
        let index = InvertedIndex::build(&rows);
        for terms in [
            &["rust"][..],
            &["rust", "postgres"],
            &["kafka", "chess", "go"],
            &["observability", "rust"],
            &["nonexistent"],
            &[],
        ] {
            let found = index.all_terms(terms);
            assert_eq!(found, if terms.is_empty() { vec![] } else { scan_all_terms(&rows, terms) }, "{terms:?}");
        }
        assert!(!index.all_terms(&["rust", "postgres"]).is_empty(), "the test query matches something");
    }

    #[test]
    fn posting_lists_have_skewed_lengths_so_the_shortest_goes_first() {
        let index = InvertedIndex::build(&rows());
        let common = index.postings("rust").len();
        let rare = index.postings("observability").len();
        assert!(common > 5 * rare, "rust {common} vs observability {rare}");
    }

    proptest! {
        #![proptest_config(super::super::deterministic_proptest(256))]

        /// Bitmap set operations agree with `BTreeSet`.
        #[test]
        fn bitmap_and_or_match_sets(a in proptest::collection::btree_set(0..300u32, 0..80),
                                    b in proptest::collection::btree_set(0..300u32, 0..80)) {
            let bitmap = |set: &BTreeSet<u32>| {
                let mut bm = Bitmap::empty(300);
                set.iter().for_each(|&id| bm.insert(id));
                bm
            };
            let (ba, bb) = (bitmap(&a), bitmap(&b));
            prop_assert_eq!(ba.and(&bb).ids(), a.intersection(&b).copied().collect::<Vec<_>>());
            prop_assert_eq!(ba.or(&bb).ids(), a.union(&b).copied().collect::<Vec<_>>());
            prop_assert_eq!(ba.count(), a.len());
            prop_assert!(a.iter().all(|&id| ba.contains(id)));
        }

        /// Intersection of sorted lists agrees with `BTreeSet`.
        #[test]
        fn intersect_matches_sets(a in proptest::collection::btree_set(0..200u32, 0..60),
                                  b in proptest::collection::btree_set(0..200u32, 0..60)) {
            let (va, vb): (Vec<u32>, Vec<u32>) = (a.iter().copied().collect(), b.iter().copied().collect());
            prop_assert_eq!(intersect(&va, &vb), a.intersection(&b).copied().collect::<Vec<_>>());
        }
    }
}

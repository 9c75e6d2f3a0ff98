//! # LRU cache design
//!
//! The interview design question "implement an LRU cache with `O(1)` get and put": a short
//! design discussion, then a compact implementation. (The data-structures part of the handbook
//! has the full lesson and a benchmark; this is the version you write on a whiteboard.)
//!
//! ## Design
//! - **Requirements.** Fixed capacity; `get(key)` returns the value and marks it most recently
//!   used; `put(key, value)` inserts or updates and marks it most recent; inserting into a full
//!   cache evicts the *least* recently used entry. Both `O(1)`.
//! - **Why two structures.** A hash map gives `O(1)` lookup but no order; a list gives order
//!   but `O(n)` lookup. Together: the map finds the node, and a *doubly* linked list (so a node
//!   can unlink itself in `O(1)`) keeps recency order — most recent at one end, eviction at the
//!   other. A `VecDeque` of keys would make "move to front" `O(n)`.
//! - **In Rust.** A pointer-based doubly linked list needs `Rc<RefCell<…>>`/`Weak` or `unsafe`.
//!   Here nodes live in a `Vec` (an arena) and link to each other by index; the map stores
//!   indices. Eviction reuses the evicted node's slot, so the arena never grows past capacity.
//! - **Production notes.** Thread safety: one `Mutex` around the cache serialises every `get`
//!   (a read that writes recency); shard by key hash to cut contention. Strict LRU is often
//!   approximated: CLOCK (a reference bit per entry, a sweeping hand), Redis samples a few keys
//!   and evicts the oldest of the sample. Scan resistance: LRU-K, 2Q, ARC, W-TinyLFU (Caffeine,
//!   moka) keep a one-off scan from flushing the hot set.
//!
//! **Complexity:** `get` and `put` `O(1)` expected (hashing); `O(capacity)` space.
//!
//! ## Break it
//! `breaks/lru_design.patch` makes [`LruCache::get`] return the value without marking the
//! entry as recently used — an LRU that is really FIFO. `get_refreshes_recency_so_the_other_key_is_evicted`
//! fails, and the property test against a recency-ordered `Vec` model shrinks to three
//! operations on a cache of two: put, put, get of the first key — whose recency must change.

use std::collections::HashMap;
use std::hash::Hash;

/// A node of the recency list, stored in the arena.
#[derive(Debug)]
struct Slot<K, V> {
    key: K,
    value: V,
    /// The neighbour used more recently (towards `most_recent`).
    newer: Option<usize>,
    /// The neighbour used less recently (towards `least_recent`).
    older: Option<usize>,
}

/// A least-recently-used cache with a fixed capacity.
#[derive(Debug)]
pub struct LruCache<K, V> {
    capacity: usize,
    slot_of: HashMap<K, usize>,
    slots: Vec<Slot<K, V>>,
    most_recent: Option<usize>,
    least_recent: Option<usize>,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    /// An empty cache holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            slot_of: HashMap::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
            most_recent: None,
            least_recent: None,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value for `key`, marking it most recently used. `O(1)`.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let slot = *self.slot_of.get(key)?;
        self.touch(slot);
        Some(&self.slots[slot].value)
    }

    /// Inserts or updates `key`, marking it most recently used. Returns the entry evicted to
    /// make room, if any. With capacity 0 nothing is stored and the new entry itself comes
    /// back. `O(1)`.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if let Some(&slot) = self.slot_of.get(&key) {
            self.slots[slot].value = value;
            self.touch(slot);
            return None;
        }
        if self.capacity == 0 {
            return Some((key, value));
        }
        if self.slots.len() < self.capacity {
            self.slots.push(Slot { key: key.clone(), value, newer: None, older: None });
            let slot = self.slots.len() - 1;
            self.slot_of.insert(key, slot);
            self.push_most_recent(slot);
            return None;
        }
        // Full: reuse the least recently used entry's slot for the new entry.
        let slot = self.least_recent.expect("a full cache with capacity > 0 has entries");
        self.unlink(slot);
        let old_key = std::mem::replace(&mut self.slots[slot].key, key.clone());
        let old_value = std::mem::replace(&mut self.slots[slot].value, value);
        self.slot_of.remove(&old_key);
        self.slot_of.insert(key, slot);
        self.push_most_recent(slot);
        Some((old_key, old_value))
    }

    /// Moves `slot` to the most-recent end.
    fn touch(&mut self, slot: usize) {
        if self.most_recent != Some(slot) {
            self.unlink(slot);
            self.push_most_recent(slot);
        }
    }

    fn unlink(&mut self, slot: usize) {
        let (newer, older) = (self.slots[slot].newer, self.slots[slot].older);
        match newer {
            Some(n) => self.slots[n].older = older,
            None => self.most_recent = older,
        }
        match older {
            Some(o) => self.slots[o].newer = newer,
            None => self.least_recent = newer,
        }
        self.slots[slot].newer = None;
        self.slots[slot].older = None;
    }

    fn push_most_recent(&mut self, slot: usize) {
        self.slots[slot].older = self.most_recent;
        self.slots[slot].newer = None;
        match self.most_recent {
            Some(previous) => self.slots[previous].newer = Some(slot),
            None => self.least_recent = Some(slot),
        }
        self.most_recent = Some(slot);
        debug_assert!(self.slots.len() <= self.capacity);
    }

    /// Keys from most to least recently used. `O(n)`; for tests and debugging.
    pub fn keys_by_recency(&self) -> Vec<K> {
        std::iter::successors(self.most_recent, |&slot| self.slots[slot].older)
            .map(|slot| self.slots[slot].key.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, u32),
        Get(u8),
    }

    /// What an operation returned: `get`'s value, or `put`'s evicted entry.
    #[derive(Debug, PartialEq, Eq)]
    enum Outcome {
        Got(Option<u32>),
        Evicted(Option<(u8, u32)>),
    }

    fn apply(cache: &mut LruCache<u8, u32>, op: &Op) -> Outcome {
        match *op {
            Op::Put(key, value) => Outcome::Evicted(cache.put(key, value)),
            Op::Get(key) => Outcome::Got(cache.get(&key).copied()),
        }
    }

    /// The model: entries in a `Vec`, most recently used last. `O(n)` per operation.
    fn apply_to_model(capacity: usize, model: &mut Vec<(u8, u32)>, op: &Op) -> Outcome {
        match *op {
            Op::Get(key) => {
                let found = model.iter().position(|&(k, _)| k == key).map(|i| model.remove(i));
                if let Some(entry) = found {
                    model.push(entry);
                }
                Outcome::Got(found.map(|(_, v)| v))
            }
            Op::Put(key, value) => {
                if let Some(i) = model.iter().position(|&(k, _)| k == key) {
                    model.remove(i);
                    model.push((key, value));
                    return Outcome::Evicted(None);
                }
                if capacity == 0 {
                    return Outcome::Evicted(Some((key, value)));
                }
                let evicted = (model.len() == capacity).then(|| model.remove(0));
                model.push((key, value));
                Outcome::Evicted(evicted)
            }
        }
    }

    #[test]
    fn get_refreshes_recency_so_the_other_key_is_evicted() {
        use Op::*;
        use Outcome::*;
        // (capacity, script of (operation, expected outcome)), the classic example first.
        let cases: [(usize, Vec<(Op, Outcome)>); 4] = [
            (
                2,
                vec![
                    (Put(1, 1), Evicted(None)),
                    (Put(2, 2), Evicted(None)),
                    (Get(1), Got(Some(1))),
                    (Put(3, 3), Evicted(Some((2, 2)))),
                    (Get(2), Got(None)),
                    (Put(4, 4), Evicted(Some((1, 1)))),
                    (Get(1), Got(None)),
                    (Get(3), Got(Some(3))),
                    (Get(4), Got(Some(4))),
                ],
            ),
            (
                2,
                vec![
                    (Put(1, 1), Evicted(None)),
                    (Put(2, 2), Evicted(None)),
                    (Put(1, 10), Evicted(None)),
                    (Put(3, 3), Evicted(Some((2, 2)))),
                    (Get(1), Got(Some(10))),
                ],
            ),
            (
                1,
                vec![
                    (Get(7), Got(None)),
                    (Put(7, 1), Evicted(None)),
                    (Put(8, 2), Evicted(Some((7, 1)))),
                    (Get(8), Got(Some(2))),
                ],
            ),
            (0, vec![(Put(1, 1), Evicted(Some((1, 1)))), (Get(1), Got(None))]),
        ];
        for (capacity, script) in cases {
            let mut cache = LruCache::new(capacity);
            for (step, (op, expected)) in script.iter().enumerate() {
                assert_eq!(apply(&mut cache, op), *expected, "capacity {capacity}, step {step}: {op:?}");
            }
        }
    }

    #[test]
    fn recency_order_tracks_gets_and_puts() {
        let mut cache = LruCache::new(3);
        for key in [1, 2, 3] {
            cache.put(key, ());
        }
        cache.get(&1);
        assert_eq!(cache.keys_by_recency(), [1, 3, 2]);
        cache.put(2, ());
        assert_eq!(cache.keys_by_recency(), [2, 1, 3]);
        assert_eq!(cache.len(), 3);
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![(0u8..6, any::<u32>()).prop_map(|(k, v)| Op::Put(k, v)), (0u8..6).prop_map(Op::Get)];
        prop::collection::vec(op, 0..60)
    }

    proptest! {
        #[test]
        fn lru_agrees_with_a_recency_ordered_vec(capacity in 0usize..5, ops in ops()) {
            let mut cache = LruCache::new(capacity);
            let mut model = Vec::new();
            for op in &ops {
                prop_assert_eq!(apply(&mut cache, op), apply_to_model(capacity, &mut model, op), "{:?}", op);
                let model_keys: Vec<u8> = model.iter().rev().map(|&(k, _)| k).collect();
                prop_assert_eq!(cache.keys_by_recency(), model_keys);
            }
        }
    }
}

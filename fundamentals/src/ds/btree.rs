//! # B-tree
//!
//! ## Why interviewers ask this
//! Every relational database index (InnoDB, PostgreSQL, SQLite), most filesystems and Rust's
//! own `BTreeMap` are B-trees. "Why do databases use B-trees?", "what happens on a page
//! split?", "B-tree vs LSM-tree?" are staple backend questions; implementing one shows you can
//! keep a strong invariant through splits and merges.
//!
//! ## How it works
//! A B-tree of **minimum degree t** stores many sorted keys per node. Every node except the
//! root holds between `t − 1` and `2t − 1` keys (the **fill invariant**); an internal node with
//! `k` keys has `k + 1` children, and child `i` holds the keys between `keys[i−1]` and
//! `keys[i]`. All leaves are at the same depth, so height is O(log_t n) — with t in the
//! hundreds (a disk page), three or four levels index billions of keys.
//!
//! This implementation follows CLRS's single-pass algorithms: fix the path *on the way down*
//! so no operation has to walk back up.
//! - **Insert:** never descend into a full node. Before stepping into a child with `2t − 1`
//!   keys, **split** it: its median key moves up into the parent (which has room, because it
//!   was not full when we entered it) and the two halves of `t − 1` keys become siblings. A
//!   full root is split first, which is the only way the tree grows taller.
//! - **Remove:** never descend into a node with only `t − 1` keys. Before stepping into such
//!   a child, **refill** it: borrow a key through the parent from a sibling with ≥ t keys
//!   (a rotation), or **merge** it with a sibling and the separating parent key into one node
//!   of `2t − 1` keys. A key found in an internal node is replaced by its predecessor (or
//!   successor) from a child that can spare one, or the two children around it are merged. A
//!   root left with no keys hands over to its only child: the tree shrinks from the top.
//!
//! `BTree<K, V, T>` takes `t` as a const generic (default 6, std's value): tests use `t = 2`
//! (a 2-3-4 tree) and `t = 3` so splits and merges happen constantly.
//!
//! Measured on a 2-core machine (`benches/ds.rs`, 100k random `u64` keys, t = 6): inserts
//! **1.4×** the time of std `BTreeMap` (16.0 ms vs 11.3 ms); lookups **0.9×** (11.6 ms vs
//! 12.8 ms: binary search within a node beats std's linear scan for 11 `u64` keys). std's
//! nodes are single allocations with inline fixed-size arrays (keys, values and child
//! pointers in one block) and shift elements with `unsafe` copies; here each node owns three
//! `Vec`s (three allocations, an extra indirection per level on the insert path).
//!
//! ## Common pitfalls
//! - Splitting after inserting (bottom-up) without a parent pointer: you need to walk back up.
//!   Splitting full nodes pre-emptively on the way down avoids it.
//! - Descending into a minimal node during delete (see Break it): the leaf underflows.
//! - Off-by-one in the split: with `2t − 1` keys, the median is index `t − 1`; the left keeps
//!   `t − 1` keys, the right gets `t − 1` keys and `t` children.
//! - Forgetting to move children along with keys when rotating between internal siblings.
//!
//! ## Key takeaways
//! - Fan-out is the point: log_t n levels, each one a page read on disk or a cache miss in
//!   memory.
//! - The fill invariant (`t − 1 ≤ keys ≤ 2t − 1`) plus equal leaf depth gives the bound.
//! - Single-pass insert/delete: split full nodes, refill minimal ones, before descending.
//!
//! ## Break it
//! `breaks/btree.patch` makes `remove` descend into a child without refilling it first.
//! `scripts/break-it.sh btree` shows `deletes_keep_every_node_at_least_half_full` and the
//! `BTreeMap` property failing on the fill invariant: a leaf drops to `t − 2` keys (even 0),
//! and with it the guarantee that the height stays logarithmic.
//!
//! ## Interview questions
//! - *Why B-trees for databases rather than binary trees?* — A node is a page (4–16 KB) with
//!   hundreds of keys, so a lookup reads log₂₀₀ n pages instead of log₂ n.
//! - *B-tree vs B+-tree?* — A B+-tree keeps values only in leaves and links leaves together:
//!   internal nodes hold more keys (higher fan-out) and range scans walk the leaf chain. Most
//!   database indexes are B+-trees.
//! - *B-tree vs LSM-tree?* — B-trees update in place: fast reads, random writes, write
//!   amplification from rewriting whole pages. LSM trees turn writes into sequential appends
//!   and pay on reads and compaction. See `lsm_tree`.
//! - *What happens on a page split in a database?* — The page's upper half moves to a new
//!   page, the separator is inserted into the parent (which may split too), all under a latch
//!   and logged in the WAL so a crash cannot leave half a split.

use std::cmp::Ordering;

#[derive(Debug, Clone)]
struct Node<K, V> {
    keys: Vec<K>,
    values: Vec<V>,
    /// Empty for a leaf; otherwise exactly `keys.len() + 1` children.
    children: Vec<Node<K, V>>,
}

impl<K, V> Node<K, V> {
    fn leaf() -> Self {
        Self { keys: Vec::new(), values: Vec::new(), children: Vec::new() }
    }

    fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// An ordered map on a B-tree of minimum degree `T` (every non-root node holds between
/// `T − 1` and `2T − 1` keys).
#[derive(Debug, Clone)]
pub struct BTree<K, V, const T: usize = 6> {
    root: Node<K, V>,
    len: usize,
}

impl<K, V, const T: usize> Default for BTree<K, V, T> {
    fn default() -> Self {
        const { assert!(T >= 2, "a B-tree needs a minimum degree of at least 2") };
        Self { root: Node::leaf(), len: 0 }
    }
}

impl<K: Ord, V, const T: usize> BTree<K, V, T> {
    const MAX_KEYS: usize = 2 * T - 1;
    const MIN_KEYS: usize = T - 1;

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let mut node = &self.root;
        loop {
            match node.keys.binary_search(key) {
                Ok(i) => return Some(&node.values[i]),
                Err(_) if node.is_leaf() => return None,
                Err(i) => node = &node.children[i],
            }
        }
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.root.keys.len() == Self::MAX_KEYS {
            // The only way the tree grows taller: the old root becomes the new root's child.
            let old_root = std::mem::replace(&mut self.root, Node::leaf());
            self.root.children.push(old_root);
            Self::split_child(&mut self.root, 0);
        }
        let mut node = &mut self.root;
        loop {
            let mut i = match node.keys.binary_search(&key) {
                Ok(i) => return Some(std::mem::replace(&mut node.values[i], value)),
                Err(i) => i,
            };
            if node.is_leaf() {
                node.keys.insert(i, key);
                node.values.insert(i, value);
                self.len += 1;
                return None;
            }
            if node.children[i].keys.len() == Self::MAX_KEYS {
                Self::split_child(node, i);
                // The median that moved up may be the key itself, or send us right.
                match key.cmp(&node.keys[i]) {
                    Ordering::Equal => return Some(std::mem::replace(&mut node.values[i], value)),
                    Ordering::Greater => i += 1,
                    Ordering::Less => {}
                }
            }
            node = &mut node.children[i];
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let removed = Self::remove_from(&mut self.root, key);
        if self.root.keys.is_empty() && !self.root.is_leaf() {
            // The root lost its last key to a merge: its only child becomes the root.
            let child = self.root.children.pop().expect("an internal root has a child");
            self.root = child;
        }
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }

    /// Entries in key order: an iterative inorder walk. Each stack frame is a node and the
    /// index of its next key to yield; after yielding key `i` of an internal node, the walk
    /// descends to the leftmost leaf of child `i + 1`.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        fn push_leftmost_path<'a, K, V>(stack: &mut Vec<(&'a Node<K, V>, usize)>, mut node: &'a Node<K, V>) {
            loop {
                stack.push((node, 0));
                match node.children.first() {
                    Some(first) => node = first,
                    None => return,
                }
            }
        }
        let mut stack = Vec::new();
        push_leftmost_path(&mut stack, &self.root);
        std::iter::from_fn(move || loop {
            let (node, next_key) = stack.last_mut()?;
            let (node, i) = (*node, *next_key);
            if i == node.keys.len() {
                stack.pop();
                continue;
            }
            *next_key += 1;
            if let Some(right) = node.children.get(i + 1) {
                push_leftmost_path(&mut stack, right);
            }
            return Some((&node.keys[i], &node.values[i]));
        })
    }

    /// Number of levels (1 for a tree that is a single leaf).
    pub fn height(&self) -> usize {
        let mut height = 1;
        let mut node = &self.root;
        while let Some(first) = node.children.first() {
            height += 1;
            node = first;
        }
        height
    }

    /// Fill invariant, child counts, key order across the whole tree, equal leaf depth, len.
    pub fn check_invariants(&self) {
        let mut count = 0;
        let mut leaf_depth = None;
        // Frames of (node, depth, exclusive lower bound, exclusive upper bound).
        let mut stack = vec![(&self.root, 1, None, None)];
        while let Some((node, depth, low, high)) = stack.pop() {
            let is_root = std::ptr::eq(node, &self.root);
            assert!(node.keys.len() <= Self::MAX_KEYS, "a node holds more than 2t − 1 keys");
            assert!(is_root || node.keys.len() >= Self::MIN_KEYS, "fill invariant: a node holds fewer than t − 1 keys");
            assert_eq!(node.keys.len(), node.values.len());
            assert!(node.keys.windows(2).all(|pair| pair[0] < pair[1]), "keys out of order in a node");
            assert!(low.is_none_or(|low| node.keys.first().is_none_or(|first| low < first)), "key below its separator");
            assert!(high.is_none_or(|high| node.keys.last().is_none_or(|last| last < high)), "key above its separator");
            count += node.keys.len();
            if node.is_leaf() {
                assert_eq!(*leaf_depth.get_or_insert(depth), depth, "leaves at different depths");
                continue;
            }
            assert_eq!(node.children.len(), node.keys.len() + 1, "an internal node needs keys + 1 children");
            for (i, child) in node.children.iter().enumerate() {
                let child_low = if i == 0 { low } else { Some(&node.keys[i - 1]) };
                let child_high = node.keys.get(i).or(high);
                stack.push((child, depth + 1, child_low, child_high));
            }
        }
        assert_eq!(count, self.len, "len disagrees with the number of keys");
    }

    /// Splits the full child `i` of `parent`: its median moves up into `parent` at `i`, its
    /// upper half becomes child `i + 1`.
    fn split_child(parent: &mut Node<K, V>, i: usize) {
        let child = &mut parent.children[i];
        debug_assert_eq!(child.keys.len(), Self::MAX_KEYS, "only full nodes are split");
        let right = Node {
            keys: child.keys.split_off(T),
            values: child.values.split_off(T),
            children: if child.is_leaf() { Vec::new() } else { child.children.split_off(T) },
        };
        let median_key = child.keys.pop().expect("a full node has a median");
        let median_value = child.values.pop().expect("a full node has a median");
        debug_assert!(child.keys.len() == Self::MIN_KEYS && right.keys.len() == Self::MIN_KEYS);
        parent.keys.insert(i, median_key);
        parent.values.insert(i, median_value);
        parent.children.insert(i + 1, right);
    }

    /// Removes `key` from the subtree under `node`, which can spare a key (≥ t keys, or is the
    /// root). Walks down once, refilling each child before stepping into it.
    fn remove_from(mut node: &mut Node<K, V>, key: &K) -> Option<V> {
        loop {
            match node.keys.binary_search(key) {
                Ok(i) if node.is_leaf() => {
                    node.keys.remove(i);
                    return Some(node.values.remove(i));
                }
                Ok(i) => {
                    if node.children[i].keys.len() > Self::MIN_KEYS {
                        let (k, v) = Self::pop_max(&mut node.children[i]);
                        node.keys[i] = k;
                        return Some(std::mem::replace(&mut node.values[i], v));
                    }
                    if node.children[i + 1].keys.len() > Self::MIN_KEYS {
                        let (k, v) = Self::pop_min(&mut node.children[i + 1]);
                        node.keys[i] = k;
                        return Some(std::mem::replace(&mut node.values[i], v));
                    }
                    // Both neighbours are minimal: merge them around the key and go on down.
                    Self::merge_children(node, i);
                    node = &mut node.children[i];
                }
                Err(_) if node.is_leaf() => return None,
                Err(i) => {
                    let i = Self::refill_child(node, i);
                    node = &mut node.children[i];
                }
            }
        }
    }

    /// Removes and returns the greatest entry under `node` (which can spare a key).
    fn pop_max(mut node: &mut Node<K, V>) -> (K, V) {
        while !node.is_leaf() {
            let last = Self::refill_child(node, node.children.len() - 1);
            node = &mut node.children[last];
        }
        let key = node.keys.pop().expect("a refilled leaf has keys");
        (key, node.values.pop().expect("values match keys"))
    }

    /// Removes and returns the smallest entry under `node` (which can spare a key).
    fn pop_min(mut node: &mut Node<K, V>) -> (K, V) {
        while !node.is_leaf() {
            let first = Self::refill_child(node, 0);
            node = &mut node.children[first];
        }
        (node.keys.remove(0), node.values.remove(0))
    }

    /// Makes sure child `i` has at least `t` keys before we descend into it, by borrowing from
    /// a sibling or merging with one. Returns the index the child ends up at (a merge with the
    /// left sibling moves it to `i − 1`).
    fn refill_child(parent: &mut Node<K, V>, i: usize) -> usize {
        if parent.children[i].keys.len() > Self::MIN_KEYS {
            return i;
        }
        if i > 0 && parent.children[i - 1].keys.len() > Self::MIN_KEYS {
            Self::rotate_from_left(parent, i);
            return i;
        }
        if i + 1 < parent.children.len() && parent.children[i + 1].keys.len() > Self::MIN_KEYS {
            Self::rotate_from_right(parent, i);
            return i;
        }
        let merged_at = if i + 1 < parent.children.len() { i } else { i - 1 };
        Self::merge_children(parent, merged_at);
        merged_at
    }

    /// Moves the left sibling's last key up into the parent and the parent's separator down
    /// into child `i` (with the sibling's last child, if internal).
    fn rotate_from_left(parent: &mut Node<K, V>, i: usize) {
        let (left_part, right_part) = parent.children.split_at_mut(i);
        let left = &mut left_part[i - 1];
        let child = &mut right_part[0];
        let key = std::mem::replace(&mut parent.keys[i - 1], left.keys.pop().expect("sibling can spare"));
        let value = std::mem::replace(&mut parent.values[i - 1], left.values.pop().expect("sibling can spare"));
        child.keys.insert(0, key);
        child.values.insert(0, value);
        if let Some(grandchild) = left.children.pop() {
            child.children.insert(0, grandchild);
        }
    }

    /// Mirror image of `rotate_from_left`, borrowing from the right sibling.
    fn rotate_from_right(parent: &mut Node<K, V>, i: usize) {
        let (left_part, right_part) = parent.children.split_at_mut(i + 1);
        let child = &mut left_part[i];
        let right = &mut right_part[0];
        let key = std::mem::replace(&mut parent.keys[i], right.keys.remove(0));
        let value = std::mem::replace(&mut parent.values[i], right.values.remove(0));
        child.keys.push(key);
        child.values.push(value);
        if !right.is_leaf() {
            child.children.push(right.children.remove(0));
        }
    }

    /// Merges child `i + 1` and the separator `keys[i]` into child `i` (2t − 1 keys in all).
    fn merge_children(parent: &mut Node<K, V>, i: usize) {
        let right = parent.children.remove(i + 1);
        let separator_key = parent.keys.remove(i);
        let separator_value = parent.values.remove(i);
        let left = &mut parent.children[i];
        left.keys.push(separator_key);
        left.values.push(separator_value);
        left.keys.extend(right.keys);
        left.values.extend(right.values);
        left.children.extend(right.children);
        debug_assert!(left.keys.len() <= Self::MAX_KEYS, "merged two nodes that were not minimal");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn splits_keep_the_tree_balanced_and_sorted() {
        let mut tree: BTree<u32, u32, 2> = BTree::default();
        for key in (0..1_000).map(|i| (i * 7_919) % 1_000) {
            tree.insert(key, key + 1);
        }
        tree.check_invariants();
        assert!(tree.iter().map(|(k, _)| *k).eq(0..1_000));
        assert_eq!(tree.get(&123), Some(&124));
        // A 2-3-4 tree of 1000 keys: between log4(1000) ≈ 5 and log2(1000) ≈ 10 levels.
        assert!((5..=10).contains(&tree.height()), "height {}", tree.height());
    }

    #[test]
    fn sorted_inserts_do_not_degenerate() {
        let mut tree: BTree<u32, (), 3> = BTree::default();
        for key in 0..10_000 {
            tree.insert(key, ());
        }
        tree.check_invariants();
        assert!(tree.height() <= 9, "height {} for 10k sorted keys", tree.height());
    }

    #[test]
    fn deletes_keep_every_node_at_least_half_full() {
        let mut tree: BTree<u32, u32, 2> = BTree::default();
        for key in 0..500 {
            tree.insert(key, key);
        }
        // Delete in an order that hits leaves, internal keys, rotations and merges.
        for key in (0..500).filter(|k| k % 3 != 1) {
            assert_eq!(tree.remove(&key), Some(key));
            tree.check_invariants();
        }
        assert!(tree.iter().map(|(k, _)| *k).eq((0..500).filter(|k| k % 3 == 1)));
        for key in (0..500).filter(|k| k % 3 == 1).rev() {
            assert_eq!(tree.remove(&key), Some(key));
        }
        tree.check_invariants();
        assert!(tree.is_empty());
        assert_eq!(tree.height(), 1, "the tree shrank back to a single leaf");
    }

    #[test]
    fn replacing_a_value_keeps_the_count() {
        let mut tree: BTree<&str, u8> = BTree::default();
        assert_eq!(tree.insert("k", 1), None);
        assert_eq!(tree.insert("k", 2), Some(1));
        assert_eq!(tree.len(), 1);
        assert_eq!(tree.remove(&"missing"), None);
    }

    use crate::ds::ordered_map_ops::{op, Op};

    fn run_against_model<const T: usize>(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut tree: BTree<u8, u16, T> = BTree::default();
        let mut model = BTreeMap::new();
        for op in ops {
            match op {
                Op::Insert(k, v) => prop_assert_eq!(tree.insert(k, v), model.insert(k, v)),
                Op::Remove(k) => prop_assert_eq!(tree.remove(&k), model.remove(&k)),
                Op::Get(k) => prop_assert_eq!(tree.get(&k), model.get(&k)),
            }
            tree.check_invariants();
            prop_assert!(tree.iter().eq(model.iter()));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn behaves_like_btreemap_as_a_2_3_4_tree(ops in prop::collection::vec(op(), 0..400)) {
            run_against_model::<2>(ops)?;
        }

        #[test]
        fn behaves_like_btreemap_with_degree_3(ops in prop::collection::vec(op(), 0..400)) {
            run_against_model::<3>(ops)?;
        }
    }
}

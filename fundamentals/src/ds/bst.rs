//! # Binary search tree (unbalanced)
//!
//! ## Why interviewers ask this
//! "Validate a BST", "k-th smallest", "lowest common ancestor in a BST", "delete a node": the
//! BST is where ordered data structures begin, and its delete — three cases, one of them
//! subtle — is a favourite for spotting people who lose subtrees. Knowing why an unbalanced
//! BST degenerates also motivates every balanced tree, B-trees and skip lists included.
//!
//! ## How it works
//! **BST order:** every key in a node's left subtree is smaller than the node's key, every key
//! in its right subtree larger. Search walks down one path: O(height).
//! - **Insert:** search for the key; overwrite the value if found, else hang a new leaf on the
//!   empty link where the search ended.
//! - **Delete** a node with: *no child* → remove it; *one child* → the child takes its place;
//!   *two children* → its inorder **successor** (the leftmost node of its right subtree) takes
//!   its place. The successor has no left child, so detaching it is the one-child case: its
//!   right subtree moves up into the link it leaves.
//! - **Inorder traversal** yields keys in sorted order.
//!
//! Height is O(log n) on random inserts but **n** on sorted ones (a linked list with extra
//! steps). Balanced variants fix this by restructuring: AVL and red-black trees rotate,
//! treaps use random priorities, B-trees (see `btree`) keep many keys per node.
//!
//! All code here is iterative, so even a degenerate tree cannot overflow the call stack. The
//! cursor walk (`link_of`) shows a borrow-checker wrinkle: "loop while the `&mut` link holds a
//! node whose key differs, then return the link" is rejected by today's checker when written as
//! `while let Some(node) = link` (a known limitation fixed by Polonius); deciding the direction
//! with a shared borrow first, then re-borrowing mutably, is accepted.
//!
//! ## Common pitfalls
//! - Deleting a two-child node and dropping the successor's right subtree (see Break it).
//! - Validating a BST by comparing each node only with its direct children: `5 → left 3 →
//!   right 7` passes that check but 7 > 5 sits in 5's left subtree. Pass down (low, high)
//!   bounds instead.
//! - Recursive code on a degenerate tree: stack overflow.
//! - Duplicates: decide (replace, count, or a side) — here a second insert replaces the value.
//!
//! ## Key takeaways
//! - All operations are O(height); height is log n only if something keeps the tree balanced.
//! - Delete with two children = replace with the successor (or predecessor), then delete that.
//! - Validate with bounds, not with parent/child comparisons.
//!
//! ## Break it
//! `breaks/bst.patch` detaches the successor without moving its right subtree up.
//! `scripts/break-it.sh bst` shows `deleting_a_node_with_two_children_keeps_every_other_key`
//! and the `BTreeMap` property failing: the successor's right subtree is silently dropped with
//! it — keys disappear that nobody deleted, and `len` no longer matches the tree.
//!
//! ## Interview questions
//! - *Validate a BST.* — DFS carrying the open interval (low, high) each node must lie in;
//!   or check that the inorder traversal is strictly increasing.
//! - *k-th smallest element?* — Iterative inorder, stop at the k-th visit: O(h + k). With
//!   subtree sizes stored in nodes, O(h).
//! - *Lowest common ancestor in a BST?* — Walk from the root: if both keys are smaller go left,
//!   both larger go right, otherwise this node splits them and is the LCA.
//! - *Why do databases use B-trees rather than BSTs?* — A BST node holds one key, so a lookup
//!   touches log₂ n nodes (disk pages); a B-tree node holds hundreds, so log₂₀₀ n pages.

use std::cmp::Ordering;

type Link<K, V> = Option<Box<Node<K, V>>>;

#[derive(Debug)]
struct Node<K, V> {
    key: K,
    value: V,
    left: Link<K, V>,
    right: Link<K, V>,
}

/// An ordered map on an unbalanced binary search tree.
#[derive(Debug)]
pub struct Bst<K, V> {
    root: Link<K, V>,
    len: usize,
}

impl<K, V> Default for Bst<K, V> {
    fn default() -> Self {
        Self { root: None, len: 0 }
    }
}

impl<K: Ord, V> Bst<K, V> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let link = link_of(&mut self.root, &key);
        if let Some(node) = link {
            return Some(std::mem::replace(&mut node.value, value));
        }
        *link = Some(Box::new(Node { key, value, left: None, right: None }));
        self.len += 1;
        None
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let mut current = self.root.as_deref();
        while let Some(node) = current {
            current = match key.cmp(&node.key) {
                Ordering::Less => node.left.as_deref(),
                Ordering::Greater => node.right.as_deref(),
                Ordering::Equal => return Some(&node.value),
            };
        }
        None
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let link = link_of(&mut self.root, key);
        let mut node = link.take()?;
        *link = match (node.left.take(), node.right.take()) {
            (None, None) => None,
            (Some(child), None) | (None, Some(child)) => Some(child),
            (Some(left), Some(right)) => {
                let (mut successor, rest_of_right) = detach_min(right);
                debug_assert!(successor.left.is_none(), "the minimum has no left child");
                successor.left = Some(left);
                successor.right = rest_of_right;
                Some(successor)
            }
        };
        self.len -= 1;
        Some(node.value)
    }

    pub fn min(&self) -> Option<(&K, &V)> {
        let mut node = self.root.as_deref()?;
        while let Some(left) = node.left.as_deref() {
            node = left;
        }
        Some((&node.key, &node.value))
    }

    pub fn max(&self) -> Option<(&K, &V)> {
        let mut node = self.root.as_deref()?;
        while let Some(right) = node.right.as_deref() {
            node = right;
        }
        Some((&node.key, &node.value))
    }

    /// In key order (an iterative inorder traversal).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let mut stack: Vec<&Node<K, V>> = Vec::new();
        let mut current = self.root.as_deref();
        std::iter::from_fn(move || {
            while let Some(node) = current {
                stack.push(node);
                current = node.left.as_deref();
            }
            let node = stack.pop()?;
            current = node.right.as_deref();
            Some((&node.key, &node.value))
        })
    }

    /// Number of levels (0 for an empty tree); iterative.
    pub fn height(&self) -> usize {
        let mut height = 0;
        let mut level: Vec<&Node<K, V>> = self.root.as_deref().into_iter().collect();
        while !level.is_empty() {
            height += 1;
            level =
                level.iter().flat_map(|node| node.left.as_deref().into_iter().chain(node.right.as_deref())).collect();
        }
        height
    }

    /// BST order checked with (low, high) bounds — not just parent/child — and the node count.
    pub fn check_invariants(&self) {
        let mut count = 0;
        // Frames of (node, exclusive lower bound, exclusive upper bound).
        let no_bound: Option<&K> = None;
        let mut stack: Vec<_> = self.root.as_deref().map(|root| (root, no_bound, no_bound)).into_iter().collect();
        while let Some((node, low, high)) = stack.pop() {
            count += 1;
            assert!(low.is_none_or(|low| *low < node.key), "a key is not above its lower bound");
            assert!(high.is_none_or(|high| node.key < *high), "a key is not below its upper bound");
            stack.extend(node.left.as_deref().map(|left| (left, low, Some(&node.key))));
            stack.extend(node.right.as_deref().map(|right| (right, Some(&node.key), high)));
        }
        assert_eq!(count, self.len, "len disagrees with the number of nodes");
    }
}

/// The link holding `key`'s node, or the empty link where it would be inserted.
fn link_of<'a, K: Ord, V>(mut link: &'a mut Link<K, V>, key: &K) -> &'a mut Link<K, V> {
    loop {
        // Decide with a shared borrow, then re-borrow mutably: see the lesson on why the more
        // obvious `while let Some(node) = link` version does not compile.
        let go_left = match link.as_deref() {
            Some(node) if *key != node.key => *key < node.key,
            _ => return link,
        };
        let node = link.as_mut().expect("checked just above");
        link = if go_left { &mut node.left } else { &mut node.right };
    }
}

/// Splits the minimum node off a subtree: returns it (with `right` emptied) and what remains.
fn detach_min<K, V>(mut root: Box<Node<K, V>>) -> (Box<Node<K, V>>, Link<K, V>) {
    if root.left.is_none() {
        let rest = root.right.take();
        return (root, rest);
    }
    // Walk to the parent of the leftmost node.
    let mut parent = &mut root;
    while parent.left.as_ref().is_some_and(|left| left.left.is_some()) {
        parent = parent.left.as_mut().expect("checked by the loop condition");
    }
    let mut min = parent.left.take().expect("root had a left child");
    // The minimum may have a right subtree: it moves up into the link the minimum leaves.
    parent.left = min.right.take();
    (min, Some(root))
}

impl<K, V> Drop for Bst<K, V> {
    /// Iterative, so a degenerate (list-shaped) tree cannot overflow the stack when freed.
    fn drop(&mut self) {
        let mut stack: Vec<Box<Node<K, V>>> = self.root.take().into_iter().collect();
        while let Some(mut node) = stack.pop() {
            stack.extend(node.left.take());
            stack.extend(node.right.take());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn tree_of(keys: &[i32]) -> Bst<i32, i32> {
        let mut tree = Bst::default();
        for &key in keys {
            tree.insert(key, key * 10);
        }
        tree
    }

    fn keys(tree: &Bst<i32, i32>) -> Vec<i32> {
        tree.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn iterates_in_sorted_order_and_replaces_duplicates() {
        let mut tree = tree_of(&[50, 30, 70, 20, 40, 60, 80]);
        assert_eq!(tree.insert(40, 0), Some(400));
        assert_eq!(keys(&tree), [20, 30, 40, 50, 60, 70, 80]);
        assert_eq!(tree.get(&40), Some(&0));
        assert_eq!((tree.min(), tree.max()), (Some((&20, &200)), Some((&80, &800))));
        assert_eq!(tree.height(), 3);
    }

    #[test]
    fn deleting_leaves_and_single_child_nodes() {
        let mut tree = tree_of(&[50, 30, 70, 20, 80]);
        assert_eq!(tree.remove(&20), Some(200)); // leaf
        assert_eq!(tree.remove(&70), Some(700)); // one child: 80 moves up
        assert_eq!(tree.remove(&99), None);
        assert_eq!(keys(&tree), [30, 50, 80]);
        tree.check_invariants();
    }

    #[test]
    fn deleting_a_node_with_two_children_keeps_every_other_key() {
        //        50
        //      /    \
        //    30      70
        //           /  \
        //         60    80
        //           \
        //            65      ← the successor of 50 is 60, and 60 has a right child
        let mut tree = tree_of(&[50, 30, 70, 60, 80, 65]);
        assert_eq!(tree.remove(&50), Some(500));
        assert_eq!(keys(&tree), [30, 60, 65, 70, 80]);
        assert_eq!(tree.get(&65), Some(&650));
        tree.check_invariants();
    }

    #[test]
    fn sorted_inserts_degenerate_into_a_list() {
        let tree = tree_of(&(0..1_000).collect::<Vec<_>>());
        assert_eq!(tree.height(), 1_000, "every node has only a right child");
        let shuffled: Vec<i32> = (0..1_000).map(|i| (i * 617) % 1_000).collect();
        assert!(tree_of(&shuffled).height() < 40, "a scrambled order stays shallow");
    }

    #[test]
    fn a_degenerate_tree_of_100k_nodes_is_walked_and_freed_without_recursion() {
        // Built directly: 100k sorted inserts would take O(n²) steps to produce the same shape.
        let mut root = None;
        for key in (0..100_000).rev() {
            root = Some(Box::new(Node { key, value: key * 10, left: None, right: root }));
        }
        let tree = Bst { root, len: 100_000 };
        assert_eq!(tree.iter().count(), 100_000);
        assert_eq!(tree.get(&99_999), Some(&999_990));
        drop(tree);
    }

    use crate::ds::ordered_map_ops::{op, Op};

    proptest! {
        #[test]
        fn behaves_like_btreemap(ops in prop::collection::vec(op(), 0..300)) {
            let mut tree = Bst::default();
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
        }
    }
}

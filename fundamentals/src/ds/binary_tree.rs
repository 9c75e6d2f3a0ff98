//! # Binary tree traversals, recursive and iterative
//!
//! ## Why interviewers ask this
//! Tree questions are a large share of coding interviews (max depth, invert, level order,
//! validate a BST, lowest common ancestor, serialize/deserialize), and nearly all of them are a
//! traversal with a twist. The classic follow-up — "now without recursion" — checks that you
//! understand the call stack well enough to replace it with your own, which matters in
//! production: a recursive walk over a degenerate 100k-deep tree overflows the thread's stack.
//!
//! ## How it works
//! Depth-first orders differ only in *when* the node itself is visited:
//! - **Preorder** (node, left, right): copying or serialising a tree.
//! - **Inorder** (left, node, right): sorted order for a BST.
//! - **Postorder** (left, right, node): deleting, or computing sizes/heights bottom-up.
//!
//! Recursive versions are three lines each. Iterative versions make the stack explicit:
//! - Preorder: pop a node, visit it, push its **right then left** child (so left pops first).
//! - Inorder: walk left pushing every node; pop one, visit it, then do the same from its right
//!   child.
//! - Postorder: push each node twice-in-spirit: as `(node, children_done = false)`; when popped
//!   with `false`, push it back with `true` and then its children (right, then left); when
//!   popped with `true`, visit it.
//!
//! **Level order** (breadth-first) uses a queue instead of a stack; processing the queue one
//! level at a time (take its current length) gives the nodes grouped by depth.
//!
//! `Drop` is iterative too: the derived drop of `Box` children recurses once per level and
//! overflows on a deep tree, just as the recursive traversals do.
//!
//! ## Common pitfalls
//! - Pushing left before right in iterative preorder: the stack reverses them (see Break it).
//! - Recursion depth = tree height, which is n for a degenerate tree: stack overflow on
//!   untrusted input. Balanced trees keep it at O(log n).
//! - Forgetting the empty tree (`None` root) and single-child nodes.
//! - Level order with a stack instead of a queue — that's a DFS.
//!
//! ## Key takeaways
//! - Every traversal is O(n) time; recursion or an explicit stack costs O(height) memory.
//! - Iterative = make the call stack a `Vec`; it moves the memory to the heap and survives any
//!   depth.
//! - BFS = queue; group by level by draining the queue's current length each round.
//!
//! ## Break it
//! `breaks/binary_tree.patch` makes iterative preorder push the left child before the right.
//! `scripts/break-it.sh binary_tree` shows `iterative_traversals_match_the_recursive_ones` and
//! the property failing: a stack is LIFO, so the right subtree is now visited first.
//!
//! ## Interview questions
//! - *Iterative inorder traversal?* — `while cur or stack: while cur: push cur; cur = left;
//!   cur = pop; visit; cur = cur.right`. O(n) time, O(h) memory.
//! - *Traverse in O(1) extra memory?* — Morris traversal: temporarily thread each node's
//!   inorder predecessor's right pointer back to it, then undo the thread on the way back.
//! - *Maximum depth?* — 1 + max(depth(left), depth(right)), or count BFS levels.
//! - *Invert a binary tree?* — Swap every node's children (any traversal order works); the
//!   inorder sequence comes out reversed.
//! - *Serialize and deserialize a tree?* — Preorder with explicit null markers is enough to
//!   rebuild it uniquely; inorder alone is not.

use std::collections::VecDeque;

/// A node owning its two subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode<T> {
    pub value: T,
    pub left: Option<Box<TreeNode<T>>>,
    pub right: Option<Box<TreeNode<T>>>,
}

/// A binary tree with no ordering rule (see `bst` for the search tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryTree<T> {
    pub root: Option<Box<TreeNode<T>>>,
}

impl<T> Default for BinaryTree<T> {
    fn default() -> Self {
        Self { root: None }
    }
}

impl<T: Clone> BinaryTree<T> {
    /// Builds a tree from the array layout of a heap: the children of index `i` are at `2i + 1`
    /// and `2i + 2`; `None` marks a missing node, and everything below it is ignored.
    pub fn from_level_order(slots: &[Option<T>]) -> Self {
        Self { root: build(slots, 0) }
    }

    pub fn preorder_recursive(&self) -> Vec<T> {
        fn walk<T: Clone>(node: &Option<Box<TreeNode<T>>>, out: &mut Vec<T>) {
            if let Some(node) = node {
                out.push(node.value.clone());
                walk(&node.left, out);
                walk(&node.right, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    pub fn inorder_recursive(&self) -> Vec<T> {
        fn walk<T: Clone>(node: &Option<Box<TreeNode<T>>>, out: &mut Vec<T>) {
            if let Some(node) = node {
                walk(&node.left, out);
                out.push(node.value.clone());
                walk(&node.right, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    pub fn postorder_recursive(&self) -> Vec<T> {
        fn walk<T: Clone>(node: &Option<Box<TreeNode<T>>>, out: &mut Vec<T>) {
            if let Some(node) = node {
                walk(&node.left, out);
                walk(&node.right, out);
                out.push(node.value.clone());
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    pub fn preorder_iterative(&self) -> Vec<T> {
        let mut out = Vec::new();
        let mut stack: Vec<&TreeNode<T>> = self.root.as_deref().into_iter().collect();
        while let Some(node) = stack.pop() {
            out.push(node.value.clone());
            // Right first: the stack is LIFO, so the left subtree is popped (visited) first.
            stack.extend(node.right.as_deref());
            stack.extend(node.left.as_deref());
        }
        out
    }

    pub fn inorder_iterative(&self) -> Vec<T> {
        let mut out = Vec::new();
        let mut stack: Vec<&TreeNode<T>> = Vec::new();
        let mut current = self.root.as_deref();
        loop {
            // Descend as far left as possible, remembering the path.
            while let Some(node) = current {
                stack.push(node);
                current = node.left.as_deref();
            }
            let Some(node) = stack.pop() else { break };
            out.push(node.value.clone());
            current = node.right.as_deref();
        }
        out
    }

    pub fn postorder_iterative(&self) -> Vec<T> {
        let mut out = Vec::new();
        // `children_done` records whether the node's subtrees have already been scheduled.
        let mut stack: Vec<(&TreeNode<T>, bool)> = self.root.as_deref().map(|n| (n, false)).into_iter().collect();
        while let Some((node, children_done)) = stack.pop() {
            if children_done {
                out.push(node.value.clone());
            } else {
                stack.push((node, true));
                stack.extend(node.right.as_deref().map(|n| (n, false)));
                stack.extend(node.left.as_deref().map(|n| (n, false)));
            }
        }
        out
    }

    /// Breadth-first, one `Vec` per depth.
    pub fn level_order(&self) -> Vec<Vec<T>> {
        let mut levels = Vec::new();
        let mut queue: VecDeque<&TreeNode<T>> = self.root.as_deref().into_iter().collect();
        while !queue.is_empty() {
            // Everything in the queue right now is on the same level.
            let level: Vec<&TreeNode<T>> = queue.drain(..).collect();
            for node in &level {
                queue.extend(node.left.as_deref());
                queue.extend(node.right.as_deref());
            }
            levels.push(level.into_iter().map(|node| node.value.clone()).collect());
        }
        levels
    }
}

impl<T> BinaryTree<T> {
    /// Number of levels, computed iteratively (safe for any depth).
    pub fn height(&self) -> usize {
        let mut height = 0;
        let mut level: Vec<&TreeNode<T>> = self.root.as_deref().into_iter().collect();
        while !level.is_empty() {
            height += 1;
            level =
                level.iter().flat_map(|node| node.left.as_deref().into_iter().chain(node.right.as_deref())).collect();
        }
        height
    }

    /// Mirrors the tree: every node's children swapped. Iterative, so any depth is fine.
    pub fn invert(&mut self) {
        let mut stack: Vec<&mut TreeNode<T>> = self.root.as_deref_mut().into_iter().collect();
        while let Some(node) = stack.pop() {
            std::mem::swap(&mut node.left, &mut node.right);
            stack.extend(node.left.as_deref_mut());
            stack.extend(node.right.as_deref_mut());
        }
    }
}

impl<T> Drop for BinaryTree<T> {
    /// Frees nodes with an explicit stack; the derived drop would recurse once per level.
    fn drop(&mut self) {
        let mut stack: Vec<Box<TreeNode<T>>> = self.root.take().into_iter().collect();
        while let Some(mut node) = stack.pop() {
            stack.extend(node.left.take());
            stack.extend(node.right.take());
        }
    }
}

fn build<T: Clone>(slots: &[Option<T>], index: usize) -> Option<Box<TreeNode<T>>> {
    let value = slots.get(index)?.clone()?;
    Some(Box::new(TreeNode { value, left: build(slots, 2 * index + 1), right: build(slots, 2 * index + 2) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    ///        1
    ///      /   \
    ///     2     3
    ///    / \     \
    ///   4   5     6
    fn sample() -> BinaryTree<u8> {
        BinaryTree::from_level_order(&[Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(6)])
    }

    /// A left-leaning chain `depth` nodes deep: the worst case for recursion.
    fn vine(depth: u32) -> BinaryTree<u32> {
        let mut root = None;
        for value in (0..depth).rev() {
            root = Some(Box::new(TreeNode { value, left: root, right: None }));
        }
        BinaryTree { root }
    }

    #[test]
    fn each_order_visits_the_node_at_its_own_moment() {
        let tree = sample();
        assert_eq!(tree.preorder_recursive(), [1, 2, 4, 5, 3, 6]);
        assert_eq!(tree.inorder_recursive(), [4, 2, 5, 1, 3, 6]);
        assert_eq!(tree.postorder_recursive(), [4, 5, 2, 6, 3, 1]);
        assert_eq!(tree.level_order(), vec![vec![1], vec![2, 3], vec![4, 5, 6]]);
        assert_eq!(tree.height(), 3);
    }

    #[test]
    fn iterative_traversals_match_the_recursive_ones() {
        let tree = sample();
        assert_eq!(tree.preorder_iterative(), tree.preorder_recursive());
        assert_eq!(tree.inorder_iterative(), tree.inorder_recursive());
        assert_eq!(tree.postorder_iterative(), tree.postorder_recursive());
    }

    #[test]
    fn the_empty_tree_has_no_levels() {
        let tree = BinaryTree::<u8>::from_level_order(&[None, Some(1)]);
        assert_eq!(tree.height(), 0);
        assert!(tree.preorder_iterative().is_empty() && tree.level_order().is_empty());
    }

    #[test]
    fn inverting_mirrors_the_inorder_sequence() {
        let mut tree = sample();
        tree.invert();
        assert_eq!(tree.inorder_iterative(), [6, 3, 1, 5, 2, 4]);
        assert_eq!(tree.level_order(), vec![vec![1], vec![3, 2], vec![6, 5, 4]]);
    }

    #[test]
    fn iterative_code_survives_a_tree_deeper_than_any_call_stack() {
        // 200k levels: the recursive traversals (and a derived Drop) would overflow the stack.
        let mut tree = vine(200_000);
        assert_eq!(tree.height(), 200_000);
        let inorder = tree.inorder_iterative();
        assert_eq!(inorder.first(), Some(&199_999));
        assert_eq!(inorder.len(), 200_000);
        tree.invert();
        assert_eq!(tree.preorder_iterative().last(), Some(&199_999));
    }

    fn arbitrary_tree() -> impl Strategy<Value = BinaryTree<u8>> {
        prop::collection::vec(prop::option::weighted(0.8, any::<u8>()), 0..64)
            .prop_map(|slots| BinaryTree::from_level_order(&slots))
    }

    proptest! {
        #[test]
        fn iterative_and_recursive_traversals_agree_on_any_tree(tree in arbitrary_tree()) {
            prop_assert_eq!(tree.preorder_iterative(), tree.preorder_recursive());
            prop_assert_eq!(tree.inorder_iterative(), tree.inorder_recursive());
            prop_assert_eq!(tree.postorder_iterative(), tree.postorder_recursive());
            let levels = tree.level_order();
            prop_assert_eq!(levels.len(), tree.height());
            let mut by_level: Vec<u8> = levels.concat();
            let mut preorder = tree.preorder_recursive();
            by_level.sort_unstable();
            preorder.sort_unstable();
            prop_assert_eq!(by_level, preorder, "BFS and DFS visit the same nodes");
        }

        #[test]
        fn inverting_reverses_inorder_and_twice_is_identity(tree in arbitrary_tree()) {
            let original = tree.clone();
            let mut mirrored = tree;
            mirrored.invert();
            let mut reversed = original.inorder_recursive();
            reversed.reverse();
            prop_assert_eq!(mirrored.inorder_recursive(), reversed);
            mirrored.invert();
            prop_assert_eq!(mirrored, original);
        }
    }
}

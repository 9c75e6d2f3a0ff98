//! # Singly linked list
//!
//! ## Why interviewers ask this
//! Reversing a list, finding its middle, detecting a cycle, merging two sorted lists: linked
//! lists are the canonical pointer-manipulation exercises, and they show whether you can keep
//! several references straight at once. In Rust they also show whether you understand
//! ownership: a list node *owns* the next node, and moving a `Box` out of a field you only
//! borrow is the first wall everyone hits.
//!
//! ## How it works
//! `head: Option<Box<Node<T>>>`; each node owns its `next`. Because ownership is a tree, a
//! `Box` list cannot contain a cycle — the interview's cycle detection (Floyd's tortoise and
//! hare) is only needed with shared or raw pointers.
//! - `push_front`: the new node takes the old head as its `next` — O(1).
//! - `pop_front`: `self.head.take()` moves the head out, leaving `None`, then the head becomes
//!   the popped node's `next`. `Option::take` (or `mem::replace`) is how you move out of a
//!   field behind `&mut self`.
//! - `reverse`: walk once, re-pointing each node at the previous one — O(n), O(1) memory.
//! - `middle`: two iterators, one moving twice as fast; when the fast one ends, the slow one
//!   is in the middle.
//! - `Drop` is written by hand as a loop. The derived drop is recursive (dropping a node drops
//!   its `next`, which drops its `next`…) and overflows the stack on a long list.
//!
//! ## Common pitfalls
//! - Moving out of `self.head` without `take()`: Rust refuses (E0507) — see Break it.
//! - Losing the rest of the list during reversal by overwriting `next` before saving it.
//! - Recursive destruction (or recursive algorithms) on lists of a million nodes.
//! - Reaching for a linked list for performance: every node is a separate allocation and every
//!   step a cache miss; a `Vec` beats it for almost everything except O(1) splicing.
//!
//! ## Key takeaways
//! - `Option<Box<Node>>` + `take()` is the idiom; each node has exactly one owner.
//! - Iterative `Drop` for long chains.
//! - Slow/fast pointers find the middle (and, with shared pointers, cycles) in one pass.
//!
//! ## Break it
//! `breaks/linked_list.patch` rewrites `pop_front` as `self.head.map(...)` — forgetting
//! `take()`. `scripts/break-it.sh linked_list` shows **E0507**: "cannot move out of
//! `self.head` which is behind a mutable reference". In C the equivalent code compiles and
//! leaves two owners of the same node: a double free later.
//!
//! ## Interview questions
//! - *Reverse a singly linked list.* — Keep `prev = None`; for each node save `next`, point
//!   the node at `prev`, advance `prev` to the node. O(n) time, O(1) space.
//! - *Detect a cycle without extra memory.* — Floyd: slow moves 1, fast moves 2; they meet iff
//!   there is a cycle. Reset one to the head and move both by 1 to find the cycle's start.
//! - *Find the k-th node from the end in one pass.* — Advance a lead pointer k nodes, then move
//!   both until the lead hits the end.
//! - *Why is a doubly linked list hard in safe Rust?* — Each node would need two owners (its
//!   predecessor and successor). See `doubly_linked_list`: use indices into an arena or
//!   `Rc`/`Weak`.

/// A singly linked list owning its nodes through `Box`.
#[derive(Debug)]
pub struct LinkedList<T> {
    head: Option<Box<Node<T>>>,
    len: usize,
}

#[derive(Debug)]
struct Node<T> {
    value: T,
    next: Option<Box<Node<T>>>,
}

impl<T> Default for LinkedList<T> {
    fn default() -> Self {
        Self { head: None, len: 0 }
    }
}

impl<T> LinkedList<T> {
    pub fn push_front(&mut self, value: T) {
        let old_head = self.head.take();
        self.head = Some(Box::new(Node { value, next: old_head }));
        self.len += 1;
    }

    pub fn pop_front(&mut self) -> Option<T> {
        self.head.take().map(|node| {
            self.head = node.next;
            self.len -= 1;
            node.value
        })
    }

    pub fn front(&self) -> Option<&T> {
        self.head.as_deref().map(|node| &node.value)
    }

    pub fn front_mut(&mut self) -> Option<&mut T> {
        self.head.as_deref_mut().map(|node| &mut node.value)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Reverses the list in place: O(n) time, O(1) extra memory, no allocation.
    pub fn reverse(&mut self) {
        let mut reversed: Option<Box<Node<T>>> = None;
        let mut rest = self.head.take();
        while let Some(mut node) = rest {
            rest = node.next.take(); // save the remainder before re-pointing the node
            node.next = reversed;
            reversed = Some(node);
        }
        self.head = reversed;
    }

    /// The middle element (the first of the two middles for even lengths), in one pass.
    pub fn middle(&self) -> Option<&T> {
        let mut slow = self.iter();
        let mut fast = self.iter();
        let mut middle = None;
        loop {
            // Each round the fast iterator takes two steps and the slow one takes one.
            if fast.next().is_none() {
                return middle;
            }
            middle = slow.next();
            if fast.next().is_none() {
                return middle;
            }
        }
    }

    pub fn iter(&self) -> Iter<'_, T> {
        Iter { next: self.head.as_deref() }
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut { next: self.head.as_deref_mut() }
    }
}

impl<T> Drop for LinkedList<T> {
    /// Drops nodes one at a time; the derived drop would recurse once per node.
    fn drop(&mut self) {
        let mut rest = self.head.take();
        while let Some(mut node) = rest {
            rest = node.next.take();
        }
    }
}

impl<T> FromIterator<T> for LinkedList<T> {
    /// Builds the list in iteration order (pushes front, then reverses once).
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = Self::default();
        for item in items {
            list.push_front(item);
        }
        list.reverse();
        list
    }
}

/// Borrowing iterator, front to back.
pub struct Iter<'a, T> {
    next: Option<&'a Node<T>>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.next.map(|node| {
            self.next = node.next.as_deref();
            &node.value
        })
    }
}

/// Mutably borrowing iterator. `take()` hands out each `&mut` exactly once, which is what lets
/// the borrow checker accept it without `unsafe`.
pub struct IterMut<'a, T> {
    next: Option<&'a mut Node<T>>,
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = &'a mut T;

    fn next(&mut self) -> Option<&'a mut T> {
        self.next.take().map(|node| {
            self.next = node.next.as_deref_mut();
            &mut node.value
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_vec<T: Clone>(list: &LinkedList<T>) -> Vec<T> {
        list.iter().cloned().collect()
    }

    #[test]
    fn push_and_pop_work_at_the_front() {
        let mut list = LinkedList::default();
        list.push_front(2);
        list.push_front(1);
        assert_eq!(list.front(), Some(&1));
        assert_eq!(list.len(), 2);
        assert_eq!([list.pop_front(), list.pop_front(), list.pop_front()], [Some(1), Some(2), None]);
        assert!(list.is_empty());
    }

    #[test]
    fn reverse_turns_the_list_around_in_place() {
        let mut list: LinkedList<_> = (1..=5).collect();
        list.reverse();
        assert_eq!(to_vec(&list), [5, 4, 3, 2, 1]);
        let mut empty = LinkedList::<u8>::default();
        empty.reverse();
        assert!(empty.is_empty());
    }

    #[test]
    fn middle_is_found_with_slow_and_fast_iterators() {
        let middle_of = |n: u32| (1..=n).collect::<LinkedList<_>>().middle().copied();
        assert_eq!(middle_of(0), None);
        assert_eq!(middle_of(1), Some(1));
        assert_eq!(middle_of(4), Some(2));
        assert_eq!(middle_of(5), Some(3));
    }

    #[test]
    fn iter_mut_edits_every_element() {
        let mut list: LinkedList<_> = (1..=3).collect();
        list.iter_mut().for_each(|x| *x *= 10);
        *list.front_mut().unwrap() += 1;
        assert_eq!(to_vec(&list), [11, 20, 30]);
    }

    #[test]
    fn dropping_a_long_list_does_not_overflow_the_stack() {
        // With the derived (recursive) drop this test thread's stack would overflow.
        let list: LinkedList<u32> = (0..200_000).collect();
        assert_eq!(list.len(), 200_000);
        drop(list);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u8),
        Pop,
        Reverse,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![any::<u8>().prop_map(Op::Push), Just(Op::Pop), Just(Op::Reverse)]
    }

    proptest! {
        #[test]
        fn behaves_like_a_vec_used_front_first(ops in prop::collection::vec(op(), 0..200)) {
            let mut list = LinkedList::default();
            // The model keeps the list's front at the end of the Vec.
            let mut model: Vec<u8> = Vec::new();
            for op in ops {
                match op {
                    Op::Push(x) => { list.push_front(x); model.push(x); }
                    Op::Pop => prop_assert_eq!(list.pop_front(), model.pop()),
                    Op::Reverse => { list.reverse(); model.reverse(); }
                }
                prop_assert_eq!(list.len(), model.len());
                prop_assert_eq!(to_vec(&list), model.iter().rev().copied().collect::<Vec<_>>());
                let expected_middle = if model.is_empty() { None } else { Some(&model[model.len() - 1 - (model.len() - 1) / 2]) };
                prop_assert_eq!(list.middle(), expected_middle);
            }
        }
    }
}

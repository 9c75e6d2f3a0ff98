//! # Linked-list problems
//!
//! Reverse a linked list, merge two sorted lists, remove the n-th node from the end — on the
//! `Option<Box<ListNode>>` lists interview sites use for Rust.
//!
//! In Rust these are exercises in ownership: `Option::take` moves a `next` pointer out so a
//! node can be re-linked, and a cursor `&mut Option<Box<ListNode>>` walks to the place to
//! write. One more trap: the compiler-generated drop of a `Box` list is recursive, so a list
//! of a few hundred thousand nodes overflows the stack when dropped — [`ListNode`] drops
//! iteratively.
//!
//! ## Break it
//! `breaks/linked_lists.patch` deletes [`reverse_list`]'s line that advances `head` to the rest
//! of the list. In C or Java that bug loses the tail or loops forever; here it does not
//! compile: the loop's `while let Some(mut node) = head` moved `head` into `node`, and without
//! the reassignment the next iteration would read a moved value — error E0382. Likewise
//! `head = node.next;` without `take()` is rejected (E0509: cannot move out of a type that
//! implements `Drop`).

/// A node of a singly linked list of `i32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListNode {
    pub value: i32,
    pub next: Option<Box<ListNode>>,
}

/// A list is its (possibly absent) head node.
pub type List = Option<Box<ListNode>>;

impl Drop for ListNode {
    /// Unlinks the tail node by node. The derived drop would recurse once per node and
    /// overflow the stack on long lists.
    fn drop(&mut self) {
        let mut next = self.next.take();
        while let Some(mut node) = next {
            next = node.next.take();
        }
    }
}

/// Builds a list holding `values` in order. `O(n)`.
pub fn list_from(values: &[i32]) -> List {
    values.iter().rev().fold(None, |next, &value| Some(Box::new(ListNode { value, next })))
}

/// The values of a list in order. `O(n)`.
pub fn list_values(list: &List) -> Vec<i32> {
    std::iter::successors(list.as_deref(), |node| node.next.as_deref()).map(|node| node.value).collect()
}

/// **Reverse linked list.** Reverse the list and return the new head.
///
/// **Insight:** walk the list once, pointing each node back at the previously visited one;
/// `take` the old `next` first so the rest of the list is not lost.
///
/// **Complexity:** `O(n)` time, `O(1)` extra space (the recursive version uses `O(n)` stack).
pub fn reverse_list(mut head: List) -> List {
    let mut reversed: List = None;
    while let Some(mut node) = head {
        head = node.next.take();
        node.next = reversed;
        reversed = Some(node);
    }
    reversed
}

/// **Merge two sorted lists.** Splice the nodes of two ascending lists into one ascending
/// list (nodes of `a` first on ties).
///
/// **Insight:** keep a cursor on the `next` slot to fill; move the smaller head into it and
/// advance. When one list runs out, attach the other whole.
///
/// **Complexity:** `O(n + m)` time, `O(1)` extra space — nodes are moved, not copied.
pub fn merge_two_lists(mut a: List, mut b: List) -> List {
    let mut merged: List = None;
    let mut tail = &mut merged;
    loop {
        let take_from_a = match (&a, &b) {
            (Some(x), Some(y)) => x.value <= y.value,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let source = if take_from_a { &mut a } else { &mut b };
        let mut node = source.take().expect("the chosen list is not empty");
        *source = node.next.take();
        tail = &mut tail.insert(node).next;
    }
    merged
}

/// **Remove n-th node from end.** Remove the `n`-th node counting from the end (1 = last);
/// the list is unchanged if it has fewer than `n` nodes or `n == 0`.
///
/// **Insight:** the n-th from the end is the `(len - n)`-th from the start. With raw pointers
/// one pass with a gap of `n` between two pointers is the classic trick; with `Box` ownership
/// counting first and then walking `len - n` steps is the clear way (still `O(n)`).
///
/// **Complexity:** `O(n)` time, `O(1)` space.
pub fn remove_nth_from_end(mut head: List, n: usize) -> List {
    let len = std::iter::successors(head.as_deref(), |node| node.next.as_deref()).count();
    if n == 0 || n > len {
        return head;
    }
    let mut cursor = &mut head;
    for _ in 0..len - n {
        cursor = &mut cursor.as_mut().expect("fewer than len nodes walked").next;
    }
    let mut removed = cursor.take().expect("the node to remove exists");
    *cursor = removed.next.take();
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_list_relinks_every_node() {
        let cases: [(&[i32], &[i32]); 5] = [
            (&[1, 2, 3, 4, 5], &[5, 4, 3, 2, 1]),
            (&[1, 2], &[2, 1]),
            (&[7], &[7]),
            (&[], &[]),
            (&[3, 3, -1], &[-1, 3, 3]),
        ];
        for (values, expected) in cases {
            assert_eq!(list_values(&reverse_list(list_from(values))), expected, "{values:?}");
        }
    }

    #[test]
    fn merge_two_lists_splices_nodes_in_order() {
        let cases: [((&[i32], &[i32]), &[i32]); 6] = [
            ((&[1, 2, 4], &[1, 3, 4]), &[1, 1, 2, 3, 4, 4]),
            ((&[], &[]), &[]),
            ((&[], &[0]), &[0]),
            ((&[5], &[]), &[5]),
            ((&[-3, 10], &[-5, -4, 11]), &[-5, -4, -3, 10, 11]),
            ((&[2, 2], &[2]), &[2, 2, 2]),
        ];
        for ((a, b), expected) in cases {
            assert_eq!(list_values(&merge_two_lists(list_from(a), list_from(b))), expected, "{a:?} + {b:?}");
        }
    }

    #[test]
    fn remove_nth_from_end_counts_from_the_tail() {
        let cases: [((&[i32], usize), &[i32]); 6] = [
            ((&[1, 2, 3, 4, 5], 2), &[1, 2, 3, 5]),
            ((&[1], 1), &[]),
            ((&[1, 2], 1), &[1]),
            ((&[1, 2], 2), &[2]),
            ((&[1, 2], 3), &[1, 2]),
            ((&[], 1), &[]),
        ];
        for ((values, n), expected) in cases {
            assert_eq!(list_values(&remove_nth_from_end(list_from(values), n)), expected, "{values:?}, n={n}");
        }
    }

    #[test]
    fn a_long_list_drops_without_overflowing_the_stack() {
        let values: Vec<i32> = (0..500_000).collect();
        let list = reverse_list(list_from(&values));
        assert_eq!(list.as_ref().map(|node| node.value), Some(499_999));
        drop(list); // Recursive drop would need 500 000 nested frames here.
    }
}

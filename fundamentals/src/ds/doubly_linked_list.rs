//! # Doubly linked list, safely: an arena with generational indices
//!
//! ## Why interviewers ask this
//! The doubly linked list is the structure behind O(1) "remove this element" and "move it to
//! the front": LRU caches, the Linux kernel's `list_head`, free lists, timer wheels. The
//! interview asks you to implement it without losing a pointer. In Rust the question changes:
//! *how do you build it at all?* — and the answer shows whether you understand ownership.
//!
//! ## How it works
//! **Why Rust makes this hard.** Every interior node is pointed at by two neighbours. With
//! `Box` a value has exactly one owner, so `prev` and `next` cannot both own the node; with
//! `&mut` there can be only one mutable path to it at a time. The options:
//! 1. `Rc<RefCell<Node>>` forward and `Weak` backward: safe, but every step bumps a refcount
//!    and borrows at runtime (a mistake is a panic, not a compile error), and it is verbose.
//! 2. Raw pointers and `unsafe` — what `std::collections::LinkedList` does. Fast; every
//!    invariant is yours to uphold.
//! 3. **An arena** (used here): nodes live in one `Vec`, and `prev`/`next` are indices into
//!    it. The `Vec` owns every node; links are plain numbers the borrow checker doesn't care
//!    about. A removed node's slot goes on a free list for reuse.
//!
//! Indices bring back one pointer bug in a tamer form: a caller can keep the index of a
//! removed node, and after the slot is reused the index names a *different* element (the ABA
//! problem). So each slot has a **generation** bumped on removal, and a [`NodeId`] carries the
//! generation it was issued with: a stale id is detected and rejected, never dangling.
//!
//! Operations: push/pop at both ends, `remove(id)` and `move_to_front(id)` in O(1). Each
//! mutation goes through two helpers, `link_front`/`link_back` and `unlink`, that fix the
//! neighbours' links and the `head`/`tail` ends.
//!
//! ## Common pitfalls
//! - Forgetting to update `head`/`tail` when unlinking the first or last node.
//! - Updating only one direction (`prev.next` but not `next.prev`): forward iteration looks
//!   fine, backward iteration or the next unlink corrupts the list.
//! - Holding `&mut` to one node while mutating its neighbour: the arena is one value, so that
//!   is two mutable borrows of it. Copy the indices out first (see Break it).
//! - Reusing slots without generations: stale handles silently alias new elements.
//!
//! ## Key takeaways
//! - Shared mutable graphs in Rust: arena + indices is the pragmatic default (also used by
//!   rustc, petgraph, slotmap, ECS game engines).
//! - Generational ids turn use-after-free into a checked `None`.
//! - O(1) removal needs a handle to the node; that is why LRU pairs a hash map *of handles*
//!   with the list (see `lru_cache`).
//!
//! ## Break it
//! `breaks/doubly_linked_list.patch` rewrites `unlink` to keep `let node =
//! self.entry_mut(index)` alive while it fixes the neighbours through `self.entry_mut(p)`.
//! `scripts/break-it.sh doubly_linked_list` shows **E0499** ("cannot borrow `*self` as mutable
//! more than once at a time"): both borrows go through the whole arena, and the compiler does
//! not know `p != index`. (If they were equal, the C version of this code would corrupt the
//! node it is reading.) Copying the two indices out of the node first — what the real code
//! does — ends the first borrow before the second begins.
//!
//! ## Interview questions
//! - *Why does an LRU need a doubly (not singly) linked list?* — Removing a node from the
//!   middle needs its predecessor; with only `next` you would have to search for it, O(n).
//! - *How would you write this with `Rc`?* — `next: Option<Rc<RefCell<Node>>>`,
//!   `prev: Option<Weak<RefCell<Node>>>`; `Weak` for one direction avoids reference cycles
//!   that would leak. Costs: refcount traffic and runtime borrow checks.
//! - *What is a sentinel node and why use one?* — A dummy node before head and after tail, so
//!   every real node has both neighbours and unlinking has no special cases.
//! - *What's the ABA problem with index handles?* — A slot is freed and reused; an old handle
//!   now points at the new occupant. Generation counters detect it.

/// A handle to a node, valid until that node is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeId {
    index: usize,
    generation: u64,
}

#[derive(Debug, Clone)]
struct Slot<T> {
    /// Bumped every time the slot's node is removed, so old `NodeId`s stop matching.
    generation: u64,
    entry: Option<Entry<T>>,
}

#[derive(Debug, Clone)]
struct Entry<T> {
    value: T,
    prev: Option<usize>,
    next: Option<usize>,
}

/// A doubly linked list whose nodes live in an arena (`Vec`) and link to each other by index.
#[derive(Debug, Clone)]
pub struct DoublyLinkedList<T> {
    slots: Vec<Slot<T>>,
    /// Indices of slots whose `entry` is `None`, ready for reuse.
    free: Vec<usize>,
    head: Option<usize>,
    tail: Option<usize>,
    len: usize,
}

impl<T> Default for DoublyLinkedList<T> {
    fn default() -> Self {
        Self { slots: Vec::new(), free: Vec::new(), head: None, tail: None, len: 0 }
    }
}

impl<T> DoublyLinkedList<T> {
    /// An empty list with room for `capacity` nodes before the arena reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { slots: Vec::with_capacity(capacity), ..Self::default() }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push_front(&mut self, value: T) -> NodeId {
        let id = self.allocate(value);
        self.link_front(id.index);
        id
    }

    pub fn push_back(&mut self, value: T) -> NodeId {
        let id = self.allocate(value);
        self.link_back(id.index);
        id
    }

    pub fn pop_front(&mut self) -> Option<T> {
        let index = self.head?;
        Some(self.release(index))
    }

    pub fn pop_back(&mut self) -> Option<T> {
        let index = self.tail?;
        Some(self.release(index))
    }

    /// Removes the node `id` names; `None` if it was already removed (a stale id).
    pub fn remove(&mut self, id: NodeId) -> Option<T> {
        self.is_live(id).then(|| self.release(id.index))
    }

    /// Moves the node to the front; returns `false` for a stale id.
    pub fn move_to_front(&mut self, id: NodeId) -> bool {
        if !self.is_live(id) {
            return false;
        }
        if self.head != Some(id.index) {
            self.unlink(id.index);
            self.link_front(id.index);
        }
        true
    }

    pub fn get(&self, id: NodeId) -> Option<&T> {
        self.is_live(id).then(|| &self.entry(id.index).value)
    }

    pub fn get_mut(&mut self, id: NodeId) -> Option<&mut T> {
        self.is_live(id).then(|| &mut self.entry_mut(id.index).value)
    }

    pub fn front(&self) -> Option<&T> {
        self.head.map(|index| &self.entry(index).value)
    }

    pub fn back(&self) -> Option<&T> {
        self.tail.map(|index| &self.entry(index).value)
    }

    /// The id of the last node, e.g. the least recently used entry of an LRU.
    pub fn back_id(&self) -> Option<NodeId> {
        self.tail.map(|index| NodeId { index, generation: self.slots[index].generation })
    }

    /// Front to back.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        std::iter::successors(self.head, move |&index| self.entry(index).next)
            .map(move |index| &self.entry(index).value)
    }

    /// Back to front, following `prev` links (so it checks the other half of every link).
    pub fn iter_rev(&self) -> impl Iterator<Item = &T> + '_ {
        std::iter::successors(self.tail, move |&index| self.entry(index).prev)
            .map(move |index| &self.entry(index).value)
    }

    /// Walks the whole list and panics if any link, end pointer or count is inconsistent.
    /// O(n): tests call it after every operation; the structure itself checks locally.
    pub fn check_invariants(&self) {
        let mut count = 0;
        let mut prev = None;
        let mut cursor = self.head;
        while let Some(index) = cursor {
            let entry = self.entry(index);
            assert_eq!(entry.prev, prev, "node {index}: prev link disagrees with the walk");
            count += 1;
            assert!(count <= self.len, "more nodes reachable than len: a cycle?");
            prev = Some(index);
            cursor = entry.next;
        }
        assert_eq!(self.tail, prev, "tail is not the last node reached from head");
        assert_eq!(count, self.len);
        assert_eq!(self.slots.len() - self.free.len(), self.len, "free list out of sync");
        assert!(self.free.iter().all(|&index| self.slots[index].entry.is_none()));
    }

    fn is_live(&self, id: NodeId) -> bool {
        self.slots.get(id.index).is_some_and(|slot| slot.generation == id.generation && slot.entry.is_some())
    }

    fn entry(&self, index: usize) -> &Entry<T> {
        self.slots[index].entry.as_ref().expect("linked index points at a free slot")
    }

    fn entry_mut(&mut self, index: usize) -> &mut Entry<T> {
        self.slots[index].entry.as_mut().expect("linked index points at a free slot")
    }

    /// Puts `value` in a free slot (or a new one), not yet linked into the list.
    fn allocate(&mut self, value: T) -> NodeId {
        let entry = Some(Entry { value, prev: None, next: None });
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index].entry = entry;
                index
            }
            None => {
                self.slots.push(Slot { generation: 0, entry });
                self.slots.len() - 1
            }
        };
        self.len += 1;
        NodeId { index, generation: self.slots[index].generation }
    }

    /// Unlinks the node, frees its slot (invalidating its ids) and returns the value.
    fn release(&mut self, index: usize) -> T {
        self.unlink(index);
        let slot = &mut self.slots[index];
        slot.generation += 1;
        let entry = slot.entry.take().expect("released a free slot");
        self.free.push(index);
        self.len -= 1;
        entry.value
    }

    fn link_front(&mut self, index: usize) {
        let old_head = self.head;
        {
            let entry = self.entry_mut(index);
            entry.prev = None;
            entry.next = old_head;
        }
        match old_head {
            Some(old) => self.entry_mut(old).prev = Some(index),
            None => self.tail = Some(index),
        }
        self.head = Some(index);
    }

    fn link_back(&mut self, index: usize) {
        let old_tail = self.tail;
        {
            let entry = self.entry_mut(index);
            entry.prev = old_tail;
            entry.next = None;
        }
        match old_tail {
            Some(old) => self.entry_mut(old).next = Some(index),
            None => self.head = Some(index),
        }
        self.tail = Some(index);
    }

    /// Detaches the node from its neighbours (and from `head`/`tail`), leaving it allocated.
    fn unlink(&mut self, index: usize) {
        // Copy the two indices out so the borrow of this node ends before we touch others.
        let (prev, next) = {
            let entry = self.entry(index);
            (entry.prev, entry.next)
        };
        match prev {
            Some(p) => self.entry_mut(p).next = next,
            None => self.head = next,
        }
        match next {
            Some(n) => self.entry_mut(n).prev = prev,
            None => self.tail = prev,
        }
        debug_assert!(self.head.is_some() == self.tail.is_some(), "one end lost without the other");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    fn contents<T: Clone>(list: &DoublyLinkedList<T>) -> Vec<T> {
        list.iter().cloned().collect()
    }

    #[test]
    fn removes_a_middle_node_in_constant_time_by_its_id() {
        let mut list = DoublyLinkedList::default();
        list.push_back('a');
        let b = list.push_back('b');
        list.push_back('c');
        assert_eq!(list.remove(b), Some('b'));
        assert_eq!(contents(&list), ['a', 'c']);
        assert_eq!(list.iter_rev().copied().collect::<Vec<_>>(), ['c', 'a']);
        list.check_invariants();
    }

    #[test]
    fn move_to_front_relinks_both_ends() {
        let mut list = DoublyLinkedList::default();
        let ids: Vec<_> = (1..=3).map(|x| list.push_back(x)).collect();
        assert!(list.move_to_front(ids[2])); // the tail moves: tail must become 2
        assert_eq!(contents(&list), [3, 1, 2]);
        assert_eq!(list.back(), Some(&2));
        list.check_invariants();
    }

    #[test]
    fn a_stale_id_is_rejected_even_after_its_slot_is_reused() {
        let mut list = DoublyLinkedList::default();
        let old = list.push_back("old");
        assert_eq!(list.remove(old), Some("old"));
        let new = list.push_back("new"); // reuses the freed slot
        assert_eq!(new.index, old.index);
        assert_eq!(list.get(old), None, "the generation must tell the two apart");
        assert_eq!(list.remove(old), None);
        assert!(!list.move_to_front(old));
        assert_eq!(list.get(new), Some(&"new"));
        list.check_invariants();
    }

    #[test]
    fn get_mut_edits_a_node_in_place() {
        let mut list = DoublyLinkedList::default();
        let id = list.push_front(1);
        *list.get_mut(id).unwrap() += 41;
        assert_eq!(list.front(), Some(&42));
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushFront(u8),
        PushBack(u8),
        PopFront,
        PopBack,
        /// Remove the node at this position (modulo len) via its id.
        RemoveAt(usize),
        MoveToFront(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            any::<u8>().prop_map(Op::PushFront),
            any::<u8>().prop_map(Op::PushBack),
            Just(Op::PopFront),
            Just(Op::PopBack),
            any::<usize>().prop_map(Op::RemoveAt),
            any::<usize>().prop_map(Op::MoveToFront),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_vecdeque(ops in prop::collection::vec(op(), 0..200)) {
            let mut list = DoublyLinkedList::default();
            // The model holds (id, value) so positional operations can find the node's id.
            let mut model: VecDeque<(NodeId, u8)> = VecDeque::new();
            for op in ops {
                match op {
                    Op::PushFront(x) => model.push_front((list.push_front(x), x)),
                    Op::PushBack(x) => model.push_back((list.push_back(x), x)),
                    Op::PopFront => prop_assert_eq!(list.pop_front(), model.pop_front().map(|(_, x)| x)),
                    Op::PopBack => prop_assert_eq!(list.pop_back(), model.pop_back().map(|(_, x)| x)),
                    Op::RemoveAt(i) if !model.is_empty() => {
                        let (id, x) = model.remove(i % model.len()).unwrap();
                        prop_assert_eq!(list.remove(id), Some(x));
                        prop_assert_eq!(list.remove(id), None);
                    }
                    Op::MoveToFront(i) if !model.is_empty() => {
                        let entry = model.remove(i % model.len()).unwrap();
                        prop_assert!(list.move_to_front(entry.0));
                        model.push_front(entry);
                    }
                    Op::RemoveAt(_) | Op::MoveToFront(_) => {}
                }
                list.check_invariants();
                let expected: Vec<u8> = model.iter().map(|&(_, x)| x).collect();
                prop_assert_eq!(contents(&list), expected.clone());
                let mut backwards: Vec<u8> = list.iter_rev().copied().collect();
                backwards.reverse();
                prop_assert_eq!(backwards, expected);
            }
        }
    }
}

//! # Deque (double-ended queue) on a growable ring buffer
//!
//! ## Why interviewers ask this
//! A deque gives O(1) push and pop at both ends and O(1) indexing; it is what
//! `std::collections::VecDeque` is, what BFS and 0-1 BFS use, and the heart of the
//! "sliding-window maximum" (monotonic deque) and work-stealing schedulers (owner pops one end,
//! thieves steal from the other). Interviewers probe whether you know how it grows.
//!
//! ## How it works
//! A ring buffer (see `ring_buffer`) whose capacity doubles when full. `head` is the physical
//! slot of logical index 0; logical index `i` lives in slot `(head + i) % capacity`.
//! - `push_back` writes at `(head + len) % cap`; `push_front` moves `head` back one slot
//!   (wrapping to `cap - 1`) and writes there.
//! - Growing allocates `2 × cap` slots and copies the elements **in logical order** to slots
//!   `0..len`, resetting `head` to 0. Copying the physical layout as-is would be wrong: the
//!   elements that had wrapped to the start of the old buffer are not at the start any more.
//!
//! The capacity is a power of two, so `% cap` is `& (cap - 1)`. Slots are `Option<T>` to stay
//! in safe Rust; `VecDeque` uses uninitialised memory instead and saves the tag.
//!
//! ## Common pitfalls
//! - Growing by copying the old buffer into the new one slot for slot (see Break it).
//! - `head - 1` on `usize` underflows at 0: wrap with `(head + cap - 1) & mask`.
//! - Assuming the elements are contiguous: they are two slices (`VecDeque::as_slices`); code
//!   that needs one slice calls `make_contiguous`.
//! - Growing by a constant (+16) instead of a factor: n pushes then cost O(n²) copies.
//!
//! ## Key takeaways
//! - Ring buffer + geometric growth = amortised O(1) at both ends with O(1) random access.
//! - On growth, re-lay the elements out in logical order.
//! - Power-of-two capacity turns modulo into a mask.
//!
//! ## Break it
//! `breaks/deque.patch` makes `grow` copy slot `i` of the old buffer to slot `i` of the new one
//! and keep `head`. `scripts/break-it.sh deque` shows `keeps_order_when_growing_while_wrapped`
//! and the `VecDeque` property failing: after a grow the wrapped elements appear out of order
//! (or the deque reads empty slots).
//!
//! ## Interview questions
//! - *Why is `VecDeque` better than `Vec` for a queue?* — `Vec::remove(0)` shifts all
//!   elements (O(n)); the deque just advances `head`.
//! - *Sliding window maximum in O(n)?* — Keep a deque of indices with decreasing values; pop
//!   the back while it is smaller than the new value, pop the front when it leaves the window;
//!   the front is the max. Each index enters and leaves once.
//! - *Linked-list deque vs ring-buffer deque?* — The list never copies but allocates per node
//!   and chases pointers; the ring is contiguous and cache-friendly, copying only on growth.
//! - *What does a work-stealing deque (Chase–Lev) add?* — The owner pushes/pops one end
//!   without locks; thieves take from the other end with a CAS on `top`.

/// A double-ended queue on a power-of-two ring buffer that doubles when full.
#[derive(Debug, Clone)]
pub struct Deque<T> {
    slots: Vec<Option<T>>,
    /// Physical slot of logical index 0.
    head: usize,
    len: usize,
}

const INITIAL_CAPACITY: usize = 4;
const _: () = assert!(INITIAL_CAPACITY.is_power_of_two());

impl<T> Default for Deque<T> {
    fn default() -> Self {
        Self { slots: empty_slots(INITIAL_CAPACITY), head: 0, len: 0 }
    }
}

fn empty_slots<T>(capacity: usize) -> Vec<Option<T>> {
    (0..capacity).map(|_| None).collect()
}

impl<T> Deque<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    pub fn push_back(&mut self, value: T) {
        self.grow_if_full();
        let slot = self.physical(self.len);
        debug_assert!(self.slots[slot].is_none());
        self.slots[slot] = Some(value);
        self.len += 1;
    }

    pub fn push_front(&mut self, value: T) {
        self.grow_if_full();
        // `head - 1` would underflow at 0; adding `capacity - 1` and masking wraps instead.
        self.head = (self.head + self.capacity() - 1) & self.mask();
        debug_assert!(self.slots[self.head].is_none());
        self.slots[self.head] = Some(value);
        self.len += 1;
    }

    pub fn pop_front(&mut self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let value = self.slots[self.head].take();
        debug_assert!(value.is_some());
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        value
    }

    pub fn pop_back(&mut self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let slot = self.physical(self.len - 1);
        self.len -= 1;
        let value = self.slots[slot].take();
        debug_assert!(value.is_some());
        value
    }

    pub fn front(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn back(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|last| self.get(last))
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        let value = self.slots[self.physical(index)].as_ref();
        debug_assert!(value.is_some(), "logical index {index} maps to an empty slot");
        value
    }

    /// Front to back.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        (0..self.len).filter_map(move |i| self.get(i))
    }

    fn mask(&self) -> usize {
        self.capacity() - 1
    }

    fn physical(&self, logical: usize) -> usize {
        (self.head + logical) & self.mask()
    }

    fn grow_if_full(&mut self) {
        if self.len == self.capacity() {
            self.grow();
        }
    }

    /// Doubles the capacity, re-laying the elements out in logical order from slot 0.
    fn grow(&mut self) {
        let new_capacity = self.capacity() * 2;
        let mut old = std::mem::replace(&mut self.slots, empty_slots(new_capacity));
        let old_mask = old.len() - 1;
        for logical in 0..self.len {
            self.slots[logical] = old[(self.head + logical) & old_mask].take();
        }
        self.head = 0;
        debug_assert!(self.slots.iter().take(self.len).all(Option::is_some));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    #[test]
    fn keeps_order_when_growing_while_wrapped() {
        let mut deque = Deque::default();
        // Fill the initial 4 slots with head in the middle: front pushes wrap to the end.
        deque.push_back(3);
        deque.push_back(4);
        deque.push_front(2);
        deque.push_front(1);
        assert_eq!(deque.capacity(), INITIAL_CAPACITY);
        deque.push_back(5); // grows to 8
        assert_eq!(deque.capacity(), 2 * INITIAL_CAPACITY);
        assert_eq!(deque.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn pops_from_both_ends() {
        let mut deque: Deque<char> = "abc".chars().fold(Deque::default(), |mut d, c| {
            d.push_back(c);
            d
        });
        assert_eq!((deque.front(), deque.back()), (Some(&'a'), Some(&'c')));
        assert_eq!(deque.pop_back(), Some('c'));
        assert_eq!(deque.pop_front(), Some('a'));
        assert_eq!(deque.pop_front(), Some('b'));
        assert_eq!((deque.pop_front(), deque.pop_back()), (None, None));
    }

    #[test]
    fn capacity_grows_geometrically() {
        let mut deque = Deque::default();
        let mut capacities = vec![deque.capacity()];
        for i in 0..100 {
            deque.push_front(i);
            if deque.capacity() != *capacities.last().unwrap() {
                capacities.push(deque.capacity());
            }
        }
        assert_eq!(capacities, [4, 8, 16, 32, 64, 128]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushBack(u8),
        PushFront(u8),
        PopBack,
        PopFront,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            any::<u8>().prop_map(Op::PushBack),
            any::<u8>().prop_map(Op::PushFront),
            Just(Op::PopBack),
            Just(Op::PopFront),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_vecdeque(ops in prop::collection::vec(op(), 0..300)) {
            let mut deque = Deque::default();
            let mut model = VecDeque::new();
            for op in ops {
                match op {
                    Op::PushBack(x) => { deque.push_back(x); model.push_back(x); }
                    Op::PushFront(x) => { deque.push_front(x); model.push_front(x); }
                    Op::PopBack => prop_assert_eq!(deque.pop_back(), model.pop_back()),
                    Op::PopFront => prop_assert_eq!(deque.pop_front(), model.pop_front()),
                }
                prop_assert_eq!(deque.len(), model.len());
                prop_assert_eq!(deque.iter().collect::<Vec<_>>(), model.iter().collect::<Vec<_>>());
            }
        }
    }
}

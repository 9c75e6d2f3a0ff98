//! # Ring buffer (fixed-capacity circular queue)
//!
//! ## Why interviewers ask this
//! Ring buffers are the workhorse of systems code: network card queues, the io_uring
//! submission ring, the Linux kernel log, the LMAX disruptor, audio buffers, "last N requests"
//! windows in a metrics pipeline. They allocate once, never move data, and give O(1) push/pop.
//! The interview tests index arithmetic — wrap-around and full-vs-empty are classic off-by-ones.
//!
//! ## How it works
//! A fixed array of `capacity` slots, the index `head` of the oldest element, and `len`.
//! The next free slot is `head + len` wrapped past the end: `wrap(i) = i - capacity if
//! i >= capacity`. Pushing writes there and increments `len`; popping takes `slots[head]` and
//! advances `head` with the same wrap. Storing `len` (rather than a `tail` index) makes "full"
//! (`len == capacity`) and "empty" (`len == 0`) unambiguous.
//!
//! When full, a producer has two honest options: refuse ([`RingBuffer::push_back`] returns the
//! value back as `Err`) or overwrite the oldest ([`RingBuffer::push_overwrite`], right for
//! "keep the last N log lines").
//!
//! ## Common pitfalls
//! - `head == tail` means both "empty" and "full" if you store two indices and no length; the
//!   fixes are a length field, a wasted slot, or free-running counters masked on access.
//! - Wrapping with `>` instead of `>=`: index `capacity` is one past the end.
//! - `%` by a non-power-of-two costs a division per access; production rings use power-of-two
//!   capacities and `& (capacity - 1)`, or the compare-and-subtract used here.
//! - Overwrite mode silently loses data: count the drops and expose the counter.
//!
//! ## Key takeaways
//! - One allocation, no shifting, O(1) everything — the right buffer for bounded streams.
//! - Keep a length (or free-running counters) so full and empty are distinguishable.
//! - Decide the full policy explicitly: reject (back-pressure) or overwrite (lossy, counted).
//!
//! ## Break it
//! `breaks/ring_buffer.patch` changes the wrap test from `>=` to `>`. The first push that lands
//! exactly at index `capacity` indexes past the end of the slots: `scripts/break-it.sh
//! ring_buffer` shows `wraps_around_after_the_end_of_the_buffer` (and the property test)
//! panicking with an index out of bounds — in C this would be a silent heap overwrite.
//!
//! ## Interview questions
//! - *How do you tell full from empty?* — Keep `len`; or leave one slot unused so full is
//!   `next(tail) == head`; or use free-running `u64` counters where `tail - head` is the length.
//! - *Make it lock-free for one producer and one consumer.* — The producer owns `tail`, the
//!   consumer owns `head`; each publishes its index with a release store and reads the other's
//!   with an acquire load. No CAS is needed with a single writer per index.
//! - *Why do high-performance rings use power-of-two sizes?* — The wrap becomes a bit-mask, and
//!   free-running counters can overflow harmlessly because the mask still works.
//! - *What happens when the consumer is slower than the producer?* — Either back-pressure
//!   (producer blocks or gets an error) or data loss (overwrite); a ring cannot grow.

/// A fixed-capacity FIFO that never reallocates.
#[derive(Debug, Clone)]
pub struct RingBuffer<T> {
    slots: Vec<Option<T>>,
    /// Index of the oldest element (meaningless when `len == 0`).
    head: usize,
    len: usize,
    /// Elements lost to `push_overwrite`.
    overwritten: u64,
}

impl<T> RingBuffer<T> {
    /// A ring with room for `capacity` elements; `capacity` must be at least 1.
    pub fn with_capacity(capacity: usize) -> Self {
        assert!(capacity > 0, "a ring buffer needs at least one slot");
        Self { slots: (0..capacity).map(|_| None).collect(), head: 0, len: 0, overwritten: 0 }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_full(&self) -> bool {
        self.len == self.capacity()
    }

    /// How many elements `push_overwrite` has dropped.
    pub fn overwritten(&self) -> u64 {
        self.overwritten
    }

    /// Appends `value`, or hands it back when the ring is full (back-pressure).
    pub fn push_back(&mut self, value: T) -> Result<(), T> {
        if self.is_full() {
            return Err(value);
        }
        let tail = self.wrap(self.head + self.len);
        debug_assert!(self.slots[tail].is_none(), "the slot after the last element must be free");
        self.slots[tail] = Some(value);
        self.len += 1;
        Ok(())
    }

    /// Appends `value`; when full, first drops the oldest element and returns it.
    pub fn push_overwrite(&mut self, value: T) -> Option<T> {
        let dropped = if self.is_full() {
            self.overwritten += 1;
            self.pop_front()
        } else {
            None
        };
        let pushed = self.push_back(value);
        debug_assert!(pushed.is_ok(), "there is room after dropping the oldest");
        dropped
    }

    pub fn pop_front(&mut self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let value = self.slots[self.head].take();
        debug_assert!(value.is_some(), "head must hold an element when len > 0");
        self.head = self.wrap(self.head + 1);
        self.len -= 1;
        value
    }

    pub fn front(&self) -> Option<&T> {
        self.get(0)
    }

    /// The `index`-th element counting from the oldest.
    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        self.slots[self.wrap(self.head + index)].as_ref()
    }

    /// Oldest to newest.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        (0..self.len).filter_map(move |i| self.get(i))
    }

    /// Maps a position that may have run past the end back into `0..capacity`. Callers only
    /// ever pass `head + k` with `head < capacity` and `k <= capacity`, so one subtraction is
    /// enough and no division is needed.
    fn wrap(&self, index: usize) -> usize {
        debug_assert!(index < 2 * self.capacity());
        if index >= self.capacity() {
            index - self.capacity()
        } else {
            index
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    #[test]
    fn wraps_around_after_the_end_of_the_buffer() {
        let mut ring = RingBuffer::with_capacity(3);
        for x in [1, 2, 3] {
            ring.push_back(x).unwrap();
        }
        assert_eq!(ring.pop_front(), Some(1));
        ring.push_back(4).unwrap(); // lands in slot 0: the wrap
        assert_eq!(ring.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!([ring.pop_front(), ring.pop_front(), ring.pop_front()], [Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn refuses_a_push_when_full_and_hands_the_value_back() {
        let mut ring = RingBuffer::with_capacity(2);
        assert_eq!(ring.push_back('a'), Ok(()));
        assert_eq!(ring.push_back('b'), Ok(()));
        assert!(ring.is_full());
        assert_eq!(ring.push_back('c'), Err('c'));
        assert_eq!(ring.front(), Some(&'a'));
    }

    #[test]
    fn overwrite_mode_keeps_the_newest_elements_and_counts_the_losses() {
        let mut ring = RingBuffer::with_capacity(3);
        let dropped: Vec<_> = (1..=5).filter_map(|x| ring.push_overwrite(x)).collect();
        assert_eq!(dropped, [1, 2]);
        assert_eq!(ring.overwritten(), 2);
        assert_eq!(ring.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
    }

    #[test]
    fn a_zero_capacity_ring_is_rejected_at_construction() {
        let result = std::panic::catch_unwind(|| RingBuffer::<u8>::with_capacity(0));
        assert!(result.is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u8),
        Overwrite(u8),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![any::<u8>().prop_map(Op::Push), any::<u8>().prop_map(Op::Overwrite), Just(Op::Pop)]
    }

    proptest! {
        #[test]
        fn behaves_like_a_bounded_vecdeque(capacity in 1_usize..8, ops in prop::collection::vec(op(), 0..200)) {
            let mut ring = RingBuffer::with_capacity(capacity);
            let mut model = VecDeque::new();
            for op in ops {
                match op {
                    Op::Push(x) => {
                        let expected = if model.len() == capacity { Err(x) } else { model.push_back(x); Ok(()) };
                        prop_assert_eq!(ring.push_back(x), expected);
                    }
                    Op::Overwrite(x) => {
                        let expected = if model.len() == capacity { model.pop_front() } else { None };
                        model.push_back(x);
                        prop_assert_eq!(ring.push_overwrite(x), expected);
                    }
                    Op::Pop => prop_assert_eq!(ring.pop_front(), model.pop_front()),
                }
                prop_assert_eq!(ring.iter().collect::<Vec<_>>(), model.iter().collect::<Vec<_>>());
            }
        }
    }
}

//! # Queue (FIFO) from two stacks
//!
//! ## Why interviewers ask this
//! Queues are everywhere in backends — request queues, job queues, BFS frontiers, message
//! brokers — and "build a queue from two stacks" is the standard test of amortised analysis:
//! one operation is occasionally O(n), yet the sequence is O(1) per operation.
//!
//! ## How it works
//! [`Queue`] keeps an `inbox` that `push` appends to and an `outbox` that `pop` takes from.
//! When `outbox` is empty, `pop` moves every element from `inbox` to `outbox` by popping and
//! pushing, which reverses them: the oldest element ends up on top of `outbox`. Each element is
//! moved at most once (inbox → outbox), so n operations cost O(n) in total even though a single
//! `pop` may move n elements.
//!
//! In production Rust you reach for `std::collections::VecDeque` (a ring buffer, see the
//! `ring_buffer` and `deque` lessons); this version exists because the interview asks for it
//! and because the amortised argument is the point.
//!
//! ## Common pitfalls
//! - Refilling the outbox while it still has elements: the new ones land on top and jump the
//!   line. Only transfer when `outbox` is empty.
//! - Moving elements back to `inbox` after every pop: each element bounces repeatedly and the
//!   amortised bound becomes O(n) per op.
//! - Forgetting that `peek` needs the same refill as `pop` (so it takes `&mut self`).
//! - An unbounded queue in a server is a memory leak waiting for a traffic spike: bound it and
//!   decide what happens when full (reject, block, drop oldest).
//!
//! ## Key takeaways
//! - Amortised O(1): charge each element for the constant number of moves it will ever make.
//! - FIFO order = reverse of a reverse.
//! - Real systems bound their queues; the bound is a design decision, not an afterthought.
//!
//! ## Break it
//! `breaks/queue.patch` makes `pop` refill the outbox whenever the inbox has elements, even if
//! the outbox is not empty. `scripts/break-it.sh queue` shows
//! `interleaved_pushes_and_pops_stay_in_fifo_order` and the `VecDeque` property failing: newer
//! elements are served before older ones.
//!
//! ## Interview questions
//! - *Worst case of one `pop`?* — O(n) when the outbox is empty and n elements wait in the
//!   inbox; amortised O(1) because each element moves once.
//! - *Stack from two queues?* — Possible (rotate on push), but push or pop becomes O(n) every
//!   time, not amortised: there is no reversal trick for queues.
//! - *Why not a `Vec` with `remove(0)`?* — `remove(0)` shifts every element: O(n) per pop.
//! - *Bounded job queue in a service: what when full?* — Reject with back-pressure (429/503),
//!   block the producer, or drop oldest; an unbounded queue just moves the outage to OOM.

/// A first-in, first-out queue built from two stacks.
#[derive(Debug, Clone, Default)]
pub struct Queue<T> {
    /// Newest element on top.
    inbox: Vec<T>,
    /// Oldest element on top.
    outbox: Vec<T>,
    /// How many elements were ever moved from inbox to outbox: the amortised-cost witness.
    moves: u64,
}

impl<T> Queue<T> {
    pub fn push(&mut self, value: T) {
        self.inbox.push(value);
    }

    pub fn pop(&mut self) -> Option<T> {
        self.refill_outbox_if_empty();
        self.outbox.pop()
    }

    /// The oldest element. Takes `&mut self` because it may have to reverse the inbox first.
    pub fn peek(&mut self) -> Option<&T> {
        self.refill_outbox_if_empty();
        self.outbox.last()
    }

    pub fn len(&self) -> usize {
        self.inbox.len() + self.outbox.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total inbox → outbox moves so far; never more than the number of pushes.
    pub fn moves(&self) -> u64 {
        self.moves
    }

    /// Moves the inbox over only when the outbox is drained; otherwise the elements already in
    /// the outbox are older than anything in the inbox and must leave first.
    fn refill_outbox_if_empty(&mut self) {
        if self.outbox.is_empty() {
            while let Some(value) = self.inbox.pop() {
                self.outbox.push(value);
                self.moves += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    #[test]
    fn interleaved_pushes_and_pops_stay_in_fifo_order() {
        let mut queue = Queue::default();
        queue.push(1);
        queue.push(2);
        assert_eq!(queue.pop(), Some(1)); // moves [2] to the outbox
        queue.push(3); // must wait behind 2
        assert_eq!(queue.peek(), Some(&2));
        assert_eq!([queue.pop(), queue.pop(), queue.pop()], [Some(2), Some(3), None]);
    }

    #[test]
    fn each_element_is_moved_between_stacks_at_most_once() {
        // Amortised O(1): whatever the interleaving, total moves never exceed total pushes.
        let mut queue = Queue::default();
        for i in 0..1_000 {
            queue.push(i);
            if i % 3 == 0 {
                queue.pop();
            }
        }
        assert_eq!(queue.len(), 1_000 - 334);
        let drained: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
        assert!(drained.windows(2).all(|w| w[0] < w[1]), "FIFO order means increasing here");
        assert!(queue.moves() <= 1_000, "{} moves for 1000 pushes", queue.moves());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u8),
        Pop,
        Peek,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![any::<u8>().prop_map(Op::Push), Just(Op::Pop), Just(Op::Peek)]
    }

    proptest! {
        #[test]
        fn behaves_like_vecdeque(ops in prop::collection::vec(op(), 0..200)) {
            let mut queue = Queue::default();
            let mut model = VecDeque::new();
            for op in ops {
                match op {
                    Op::Push(x) => { queue.push(x); model.push_back(x); }
                    Op::Pop => prop_assert_eq!(queue.pop(), model.pop_front()),
                    Op::Peek => prop_assert_eq!(queue.peek(), model.front()),
                }
                prop_assert_eq!(queue.len(), model.len());
            }
        }
    }
}

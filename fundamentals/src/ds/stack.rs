//! # Stack (LIFO) and the min-stack
//!
//! ## Why interviewers ask this
//! A stack is the shape behind half the "easy" questions: matching brackets, undo, evaluating
//! expressions, iterative DFS, the monotonic stack for "next greater element". The follow-up
//! "and now `min()` in O(1)" checks whether you can trade memory for time with an auxiliary
//! structure that stays in lock-step with the main one.
//!
//! ## How it works
//! A `Vec<T>` already is a stack: `push` writes at `len` and `pop` takes from `len - 1`, both
//! O(1) amortised (the buffer doubles when full, so n pushes copy at most 2n elements in total).
//! [`Stack`] wraps it to name the operations and to hand out `peek` as a borrow.
//!
//! [`MinStack`] keeps a second stack, `mins`, where `mins[i]` is the minimum of
//! `values[0..=i]`. Pushing `x` pushes `min(x, mins.top)`; popping pops both. The minimum of
//! whatever is on the stack is therefore always `mins.top`, in O(1), for O(n) extra memory.
//!
//! ## Common pitfalls
//! - Popping or peeking an empty stack: return `Option`, don't `unwrap` inside the structure.
//! - Min-stack that only pushes onto `mins` when `x < min`: duplicates of the minimum then break
//!   it (push 1, push 1, pop → min must still be 1). Either push on `<=` or push every time.
//! - Holding a reference from `peek()` while pushing: in C++ that pointer dangles after the
//!   vector reallocates. Rust refuses to compile it (see Break it).
//! - Recursion is a stack too: deep recursion on untrusted input overflows the thread stack;
//!   an explicit `Vec` stack moves that memory to the heap.
//!
//! ## Key takeaways
//! - Use `Vec` as the stack; O(1) amortised push/pop, cache-friendly.
//! - "O(1) min/max" = keep the running aggregate per level.
//! - The borrow checker turns "reference invalidated by reallocation" into a compile error.
//!
//! ## Break it
//! `breaks/stack.patch` adds a test that keeps the reference returned by `peek()` and then
//! pushes: `scripts/break-it.sh stack` shows **E0502** ("cannot borrow `stack` as mutable
//! because it is also borrowed as immutable"). The push may reallocate the buffer, so the old
//! reference could point at freed memory; the borrow rules make that bug unwritable.
//!
//! ## Interview questions
//! - *Implement a stack with O(1) `min`.* — Keep a parallel stack of running minima; push
//!   `min(x, current_min)` with every value, pop both together.
//! - *Can you do it in O(1) extra memory?* — Store `2x - min` when `x < min` and update `min`
//!   to `x`; on pop, a stored value below `min` signals that the old min was `2*min - stored`.
//!   Clever but overflow-prone; the auxiliary stack is the answer to ship.
//! - *Why is `Vec::push` O(1) if it sometimes copies everything?* — Geometric growth: copies
//!   total n + n/2 + n/4 + … < 2n over n pushes, so amortised O(1) per push.
//! - *Validate a string of brackets.* — Push openers; on a closer, pop and check it matches;
//!   valid iff every closer matched and the stack ends empty (see [`brackets_are_balanced`]).

/// A last-in, first-out stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stack<T> {
    items: Vec<T>,
}

impl<T> Stack<T> {
    pub fn push(&mut self, value: T) {
        self.items.push(value);
    }

    pub fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    /// The top element, borrowed: the stack cannot change while the borrow lives.
    pub fn peek(&self) -> Option<&T> {
        self.items.last()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A stack that also answers "what is the smallest element on me?" in O(1).
#[derive(Debug, Clone, Default)]
pub struct MinStack<T> {
    values: Vec<T>,
    /// `mins[i]` is the minimum of `values[..=i]`; always the same length as `values`.
    mins: Vec<T>,
}

impl<T: Ord + Clone> MinStack<T> {
    pub fn push(&mut self, value: T) {
        let min = match self.mins.last() {
            Some(current) if *current < value => current.clone(),
            _ => value.clone(),
        };
        self.values.push(value);
        self.mins.push(min);
        debug_assert_eq!(self.values.len(), self.mins.len());
    }

    pub fn pop(&mut self) -> Option<T> {
        self.mins.pop();
        let value = self.values.pop();
        debug_assert_eq!(self.values.len(), self.mins.len());
        value
    }

    pub fn peek(&self) -> Option<&T> {
        self.values.last()
    }

    pub fn min(&self) -> Option<&T> {
        self.mins.last()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The classic stack exercise: every closer must match the most recent unmatched opener.
pub fn brackets_are_balanced(text: &str) -> bool {
    let mut open = Stack::default();
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let expected = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(expected) {
                    return false;
                }
            }
            _ => {}
        }
    }
    open.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_in_reverse_order_of_pushes() {
        let mut stack = Stack::default();
        for x in 1..=3 {
            stack.push(x);
        }
        assert_eq!(stack.peek(), Some(&3));
        assert_eq!([stack.pop(), stack.pop(), stack.pop(), stack.pop()], [Some(3), Some(2), Some(1), None]);
        assert!(stack.is_empty());
    }

    #[test]
    fn min_stack_keeps_the_minimum_when_it_is_pushed_twice() {
        let mut stack = MinStack::default();
        for x in [5, 1, 1, 3] {
            stack.push(x);
        }
        assert_eq!(stack.min(), Some(&1));
        stack.pop(); // 3
        stack.pop(); // the second 1: the first is still there
        assert_eq!(stack.min(), Some(&1));
        stack.pop();
        assert_eq!(stack.min(), Some(&5));
        stack.pop();
        assert_eq!(stack.min(), None);
    }

    #[test]
    fn brackets_match_only_when_properly_nested() {
        let cases = [
            ("", true),
            ("()[]{}", true),
            ("([{}])", true),
            ("(]", false),
            ("([)]", false),
            ("((", false),
            ("))", false),
        ];
        for (text, expected) in cases {
            assert_eq!(brackets_are_balanced(text), expected, "{text:?}");
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(i16),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![any::<i16>().prop_map(Op::Push), Just(Op::Pop)]
    }

    proptest! {
        #[test]
        fn stacks_behave_like_a_vec_with_a_linear_min(ops in prop::collection::vec(op(), 0..200)) {
            let mut stack = MinStack::default();
            let mut plain = Stack::default();
            let mut model: Vec<i16> = Vec::new();
            for op in ops {
                match op {
                    Op::Push(x) => { stack.push(x); plain.push(x); model.push(x); }
                    Op::Pop => {
                        let expected = model.pop();
                        prop_assert_eq!(stack.pop(), expected);
                        prop_assert_eq!(plain.pop(), expected);
                    }
                }
                prop_assert_eq!(stack.peek(), model.last());
                prop_assert_eq!(plain.peek(), model.last());
                prop_assert_eq!(stack.min(), model.iter().min());
                prop_assert_eq!(stack.len(), model.len());
            }
        }
    }
}

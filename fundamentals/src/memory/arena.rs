//! # Arenas: allocate many, free once, refer by index
//!
//! ## Why interviewers ask this
//! Trees and graphs with back-edges fight the borrow checker when built from `Box` and
//! `Rc<RefCell<…>>`. The idiomatic Rust answer — used by rustc, rust-analyzer and most
//! compilers, ECS game engines and query planners — is an arena: all nodes in one `Vec`,
//! edges as small integer ids. Interviewers ask it as "how would you build a graph in Rust?"
//!
//! ## How it works
//! - [`Arena<T>`] is a `Vec<T>`; `alloc` pushes and returns an [`Id<T>`] (a `u32` index typed
//!   with `PhantomData<T>`, so an `Id<Expr>` can't index an arena of something else).
//! - Ids are `Copy`: any number of nodes can point at the same node, cycles are just
//!   numbers, and there is no reference counting and no `RefCell`.
//! - Everything is freed at once when the arena drops: one deallocation instead of one per
//!   node, and nodes sit contiguously in memory (cache-friendly traversal).
//! - [`ExprArena`] stores an expression DAG and **interns** nodes: building the same
//!   sub-expression twice returns the same id (hash-consing), so `x * x` stores `x` once and
//!   structural equality becomes id equality.
//! - The price: no individual deletion (or use generational ids — see
//!   `ds::doubly_linked_list`), and an id outliving its arena is a logic bug the compiler
//!   doesn't catch (it is still memory-safe: indexing is bounds-checked).
//!
//! ## Common pitfalls
//! - Mixing ids from two arenas: give each arena a distinct id type, or brand it.
//! - Deleting by swapping elements: every id of the moved element silently changes meaning.
//! - Long-lived arenas that only grow: fine for a request or a compilation, a leak for a
//!   server-lifetime cache.
//!
//! ## Key takeaways
//! - Graphs in Rust: one owner (the arena), edges as indices.
//! - Arenas trade per-object freeing for speed, locality and simple lifetimes.
//!
//! ## Break it
//! `breaks/memory_arena.patch` skips the intern lookup, so every `add`/`mul`/`num` allocates
//! a new node. `scripts/break-it.sh memory_arena`:
//! `identical_subexpressions_are_stored_once` fails — results stay right, memory doubles, and
//! id equality no longer means structural equality.
//!
//! ## Interview questions
//! - *How do you build a doubly linked list or a graph in Rust?* — Nodes in a `Vec` (an
//!   arena), links as indices; or `Rc` + `Weak` for true shared ownership; `unsafe` raw
//!   pointers only inside a well-tested container.
//! - *Why are arenas fast?* — Bump-style allocation into a contiguous buffer, no per-node
//!   free, better cache locality, and 4-byte ids instead of 8-byte pointers.
//! - *What is hash-consing?* — Interning structurally equal nodes so each distinct node
//!   exists once; equality checks become integer compares.

use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A typed index into an [`Arena<T>`].
#[derive(Debug)]
pub struct Id<T> {
    index: u32,
    _type: PhantomData<fn() -> T>,
}

// Manual impls: derives would wrongly require `T: Copy`/`T: Ord`.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}

/// Append-only storage; everything is freed together when the arena drops.
#[derive(Debug)]
pub struct Arena<T> {
    items: Vec<T>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T> Arena<T> {
    pub fn alloc(&mut self, value: T) -> Id<T> {
        let index = u32::try_from(self.items.len()).expect("arena holds at most u32::MAX items");
        self.items.push(value);
        Id { index, _type: PhantomData }
    }

    pub fn get(&self, id: Id<T>) -> &T {
        &self.items[id.index as usize]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// An expression node; children are ids into the same arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expr {
    Num(i64),
    Add(Id<Expr>, Id<Expr>),
    Mul(Id<Expr>, Id<Expr>),
}

/// An arena of interned expressions: structurally equal nodes share one id.
#[derive(Debug, Default)]
pub struct ExprArena {
    nodes: Arena<Expr>,
    interned: BTreeMap<Expr, Id<Expr>>,
}

impl ExprArena {
    pub fn num(&mut self, value: i64) -> Id<Expr> {
        self.intern(Expr::Num(value))
    }

    pub fn add(&mut self, left: Id<Expr>, right: Id<Expr>) -> Id<Expr> {
        self.intern(Expr::Add(left, right))
    }

    pub fn mul(&mut self, left: Id<Expr>, right: Id<Expr>) -> Id<Expr> {
        self.intern(Expr::Mul(left, right))
    }

    fn intern(&mut self, expr: Expr) -> Id<Expr> {
        if let Some(&id) = self.interned.get(&expr) {
            return id;
        }
        let id = self.nodes.alloc(expr);
        self.interned.insert(expr, id);
        id
    }

    /// Evaluates with memoisation over ids: a shared sub-expression is computed once.
    pub fn eval(&self, root: Id<Expr>) -> i64 {
        // Children are always allocated before their parents, so one pass in id order
        // evaluates every node after its inputs.
        let mut values = Vec::with_capacity(root.index as usize + 1);
        for expr in &self.nodes.items[..=root.index as usize] {
            let value = match *expr {
                Expr::Num(n) => n,
                Expr::Add(l, r) => values[l.index as usize] + values[r.index as usize],
                Expr::Mul(l, r) => values[l.index as usize] * values[r.index as usize],
            };
            values.push(value);
        }
        values[root.index as usize]
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// The same expressions as a `Box` tree, for comparison: every use is a separate copy.
#[derive(Debug, Clone)]
pub enum BoxExpr {
    Num(i64),
    Add(Box<BoxExpr>, Box<BoxExpr>),
    Mul(Box<BoxExpr>, Box<BoxExpr>),
}

impl BoxExpr {
    pub fn eval(&self) -> i64 {
        match self {
            BoxExpr::Num(n) => *n,
            BoxExpr::Add(l, r) => l.eval() + r.eval(),
            BoxExpr::Mul(l, r) => l.eval() * r.eval(),
        }
    }

    pub fn node_count(&self) -> usize {
        match self {
            BoxExpr::Num(_) => 1,
            BoxExpr::Add(l, r) | BoxExpr::Mul(l, r) => 1 + l.node_count() + r.node_count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `((1 + 2) * (1 + 2)) + ((1 + 2) * (1 + 2))`, built in both representations.
    fn square_twice() -> (ExprArena, Id<Expr>, BoxExpr) {
        let mut arena = ExprArena::default();
        let one = arena.num(1);
        let two = arena.num(2);
        let sum = arena.add(one, two);
        let square_a = arena.mul(sum, sum);
        let (one_again, two_again) = (arena.num(1), arena.num(2));
        let sum_again = arena.add(one_again, two_again);
        let square_b = arena.mul(sum_again, sum_again);
        let root = arena.add(square_a, square_b);

        let boxed_sum = || BoxExpr::Add(Box::new(BoxExpr::Num(1)), Box::new(BoxExpr::Num(2)));
        let boxed_square = || BoxExpr::Mul(Box::new(boxed_sum()), Box::new(boxed_sum()));
        let boxed = BoxExpr::Add(Box::new(boxed_square()), Box::new(boxed_square()));
        (arena, root, boxed)
    }

    #[test]
    fn arena_and_box_tree_compute_the_same_value() {
        let (arena, root, boxed) = square_twice();
        assert_eq!(arena.eval(root), 18);
        assert_eq!(boxed.eval(), 18);
    }

    #[test]
    fn identical_subexpressions_are_stored_once() {
        let (arena, _, boxed) = square_twice();
        assert_eq!(boxed.node_count(), 15);
        assert_eq!(arena.node_count(), 5, "1, 2, 1+2, (1+2)*(1+2), and the root");
    }

    #[test]
    fn structural_equality_becomes_id_equality() {
        let mut arena = ExprArena::default();
        let a = arena.num(7);
        let b = arena.num(7);
        let c = arena.num(8);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ids_are_four_bytes_and_copy() {
        assert_eq!(std::mem::size_of::<Id<Expr>>(), 4);
        assert_eq!(std::mem::size_of::<Box<BoxExpr>>(), 8);
    }

    proptest! {
        #[test]
        fn arena_evaluation_matches_the_box_tree(ops in prop::collection::vec((0_u8..3, -5_i64..5), 1..20)) {
            // A random left-deep chain: acc = acc (+|*) n, or a fresh number.
            let mut arena = ExprArena::default();
            let mut id = arena.num(1);
            let mut tree = BoxExpr::Num(1);
            for (op, n) in ops {
                let rhs = arena.num(n);
                let boxed_rhs = Box::new(BoxExpr::Num(n));
                (id, tree) = match op {
                    0 => (arena.add(id, rhs), BoxExpr::Add(Box::new(tree), boxed_rhs)),
                    1 => (arena.mul(id, rhs), BoxExpr::Mul(Box::new(tree), boxed_rhs)),
                    _ => (rhs, BoxExpr::Num(n)),
                };
            }
            prop_assert_eq!(arena.eval(id), tree.eval());
        }
    }
}

//! # Stack and heap, `Box`, `Rc`/`Arc`, `Weak` and reference cycles
//!
//! ## Why interviewers ask this
//! Without a garbage collector, shared ownership is explicit, and so is its classic failure:
//! a reference cycle that keeps itself alive forever. Interviewers ask when you need `Box`
//! vs `Rc` vs `Arc`, what `Weak` is for, and how a Rust program can still leak memory.
//!
//! ## How it works
//! - **`Box<T>`**: one owner, payload on the heap. Needed for recursive types ([`List`] — its
//!   size would otherwise be infinite), trait objects, and moving large values cheaply.
//! - **`Rc<T>`**: shared ownership within one thread. `Rc::clone` bumps a (non-atomic) strong
//!   count; the value drops when the count reaches zero. **`Arc<T>`** is the same with an
//!   atomic count, so it is `Send + Sync` and costs an atomic op per clone/drop.
//! - Shared ownership gives shared (`&`) access only; mutate through `Cell`/`RefCell`
//!   (single thread) or `Mutex`/atomics (threads).
//! - **`Weak<T>`** is a non-owning handle: it does not keep the value alive, and
//!   `upgrade()` returns `None` once it is gone. A cycle of `Rc`s never reaches count zero —
//!   a leak ([`make_rc_cycle`]). Break it by making back-edges (child → parent, observer →
//!   subject, cache → owner) `Weak` ([`Tree`]).
//!
//! ## Common pitfalls
//! - `Rc<RefCell<…>>` graphs everywhere: Go-style shared mutable object graphs with runtime
//!   borrow panics. Prefer one owner plus indices (see the `arena` lesson).
//! - Doubly linked structures with `Rc` in both directions: a leak on every node.
//! - `Arc` where `Rc` would do (single-threaded code paying for atomics), or `Arc<Mutex<T>>`
//!   where passing ownership through a channel would do.
//!
//! ## Key takeaways
//! - `Box` = one owner on the heap; `Rc`/`Arc` = counted shared owners; `Weak` = observer.
//! - Counting cannot collect cycles; design ownership as a tree (or DAG) with `Weak`
//!   back-edges.
//! - Leaks are memory-safe in Rust, so the compiler does not stop them — tests must.
//!
//! ## Break it
//! `breaks/memory_smart_pointers.patch` makes the child → parent link a strong `Rc`.
//! `scripts/break-it.sh memory_smart_pointers`: `weak_parent_link_lets_the_whole_tree_drop`
//! fails — no node is ever dropped, because each parent and child keep each other alive.
//!
//! ## Interview questions
//! - *`Rc` vs `Arc`?* — Same API; `Arc` uses atomic counts and is thread-safe; `Rc` is cheaper
//!   and `!Send`, so the compiler stops you from sharing it across threads.
//! - *How can safe Rust leak memory?* — `Rc` cycles, `mem::forget`, `Box::leak`, a channel
//!   nobody drains. Leaking is not undefined behaviour.
//! - *What is `Weak` for?* — Back-references and caches: point at something without keeping
//!   it alive; `upgrade()` tells you if it still exists.
//! - *Why does a recursive enum need `Box`?* — A type must have a known size; `Box` makes the
//!   recursive field pointer-sized.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// A cons list: the `Box` makes the recursive type finite.
#[derive(Debug, PartialEq)]
pub enum List {
    Cons(i64, Box<List>),
    Nil,
}

impl List {
    pub fn from_slice(values: &[i64]) -> List {
        values.iter().rev().fold(List::Nil, |tail, &v| List::Cons(v, Box::new(tail)))
    }

    pub fn sum(&self) -> i64 {
        let mut total = 0;
        let mut node = self;
        while let List::Cons(value, next) = node {
            total += value;
            node = next;
        }
        total
    }
}

/// Counts how many tracked values have been dropped.
#[derive(Debug, Default, Clone)]
pub struct DropCounter(Rc<Cell<usize>>);

impl DropCounter {
    pub fn dropped(&self) -> usize {
        self.0.get()
    }
}

/// A tree node: children are owned (`Rc`), the parent is only observed (`Weak`).
#[derive(Debug)]
pub struct Node {
    pub name: String,
    parent: RefCell<Weak<Node>>,
    children: RefCell<Vec<Rc<Node>>>,
    counter: DropCounter,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.counter.0.set(self.counter.0.get() + 1);
    }
}

/// Builds and navigates a tree of [`Node`]s.
pub struct Tree;

impl Tree {
    pub fn node(name: &str, counter: &DropCounter) -> Rc<Node> {
        Rc::new(Node {
            name: name.to_owned(),
            parent: RefCell::new(Weak::new()),
            children: RefCell::new(Vec::new()),
            counter: counter.clone(),
        })
    }

    pub fn adopt(parent: &Rc<Node>, child: &Rc<Node>) {
        *child.parent.borrow_mut() = Rc::downgrade(parent);
        parent.children.borrow_mut().push(Rc::clone(child));
    }

    pub fn parent_name(node: &Node) -> Option<String> {
        node.parent.borrow().upgrade().map(|parent| parent.name.clone())
    }
}

/// A node in a graph with strong edges only, for showing the cycle leak.
pub struct Peer {
    pub other: RefCell<Option<Rc<Peer>>>,
    counter: DropCounter,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.counter.0.set(self.counter.0.get() + 1);
    }
}

/// Two peers pointing at each other with `Rc`: when the caller drops both handles, each is
/// still owned by the other, so neither is ever dropped.
pub fn make_rc_cycle(counter: &DropCounter) -> (Rc<Peer>, Rc<Peer>) {
    let a = Rc::new(Peer { other: RefCell::new(None), counter: counter.clone() });
    let b = Rc::new(Peer { other: RefCell::new(Some(Rc::clone(&a))), counter: counter.clone() });
    *a.other.borrow_mut() = Some(Rc::clone(&b));
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn box_makes_a_recursive_type_possible() {
        let list = List::from_slice(&[1, 2, 3]);
        assert_eq!(list.sum(), 6);
        assert_eq!(list, List::Cons(1, Box::new(List::Cons(2, Box::new(List::Cons(3, Box::new(List::Nil)))))));
    }

    #[test]
    fn rc_counts_owners_and_drops_with_the_last_one() {
        let counter = DropCounter::default();
        let root = Tree::node("root", &counter);
        let second = Rc::clone(&root);
        assert_eq!(Rc::strong_count(&root), 2);
        drop(root);
        assert_eq!(counter.dropped(), 0, "one owner left");
        drop(second);
        assert_eq!(counter.dropped(), 1);
    }

    #[test]
    fn strong_cycle_leaks_both_nodes() {
        let counter = DropCounter::default();
        let (a, b) = make_rc_cycle(&counter);
        assert_eq!(Rc::strong_count(&a), 2);
        drop(a);
        drop(b);
        assert_eq!(counter.dropped(), 0, "the cycle keeps itself alive: a leak");
    }

    #[test]
    fn breaking_the_cycle_by_hand_frees_it() {
        let counter = DropCounter::default();
        let (a, b) = make_rc_cycle(&counter);
        a.other.borrow_mut().take();
        drop(a);
        drop(b);
        assert_eq!(counter.dropped(), 2);
    }

    #[test]
    fn weak_parent_link_lets_the_whole_tree_drop() {
        let counter = DropCounter::default();
        let root = Tree::node("root", &counter);
        for name in ["left", "right"] {
            let child = Tree::node(name, &counter);
            Tree::adopt(&root, &child);
            assert_eq!(Tree::parent_name(&child).as_deref(), Some("root"));
        }
        drop(root);
        assert_eq!(counter.dropped(), 3, "root and both children");
    }

    #[test]
    fn weak_upgrade_fails_once_the_value_is_gone() {
        let counter = DropCounter::default();
        let root = Tree::node("root", &counter);
        let child = Tree::node("child", &counter);
        Tree::adopt(&root, &child);
        assert_eq!(Rc::weak_count(&root), 1, "the child observes its parent");
        assert_eq!(Rc::strong_count(&child), 2, "owned by the caller and by the parent");
        drop(root);
        assert_eq!(Tree::parent_name(&child), None);
    }

    #[test]
    fn arc_shares_read_only_data_across_threads() {
        let config = Arc::new(vec![1_u64, 2, 3]);
        let sums: Vec<u64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let config = Arc::clone(&config);
                    scope.spawn(move || config.iter().sum::<u64>())
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("no panic")).collect()
        });
        assert_eq!(sums, [6, 6, 6]);
        assert_eq!(Arc::strong_count(&config), 1, "every thread's clone was dropped");
    }
}

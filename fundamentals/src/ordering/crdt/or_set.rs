//! # OR-set: an observed-remove set where adds win
//!
//! ## Why interviewers ask this
//! A replicated set is where naive merges visibly fail: union brings deleted items back (the
//! Dynamo shopping cart), a set of removed elements forbids re-adding them forever (the 2P-set),
//! and timestamps lose adds. The OR-set is the standard answer — Riak's sets and maps and Redis
//! Enterprise's sets use it — and explaining *why* a remove only deletes what it has observed
//! is the heart of the question.
//!
//! ## How it works
//! Every add gets a unique tag, a [`Dot`] `(replica, counter)`, and the set maps each element to
//! the dots of the adds that put it there. An element is present while it has at least one dot.
//! - **add(e)** on replica `r`: a fresh dot from `r`'s own counter; `e`'s dots become just that
//!   one (the add has observed the older ones, so they can go).
//! - **remove(e)**: delete `e`'s dots *that this replica holds* — the adds it has observed. An
//!   add made concurrently elsewhere has a dot this replica has never seen, so it survives.
//! - Every replica also keeps `seen`, a [version vector](crate::ordering::vector_clock) of every
//!   dot it has ever known (added here or merged in), whether or not the dot is still present.
//!
//! **Merge** decides each dot with one rule: a dot survives if both sides hold it, or one side
//! holds it and the other has *never seen* it. A dot that one side has seen but no longer holds
//! was removed there, so it goes. That single check is what makes a remove stick while a
//! concurrent add wins — with no tombstones: the version vector summarises every removed dot in
//! one counter per replica (this is the "optimized OR-set" of Bieniusa et al., 2012).
//!
//! `seen` works as a summary because each replica's dots are numbered 1, 2, 3… and whole states
//! are merged, so a replica that has seen dot `(r, 5)` has seen `(r, 1)` to `(r, 4)` too.
//!
//! ## Common pitfalls
//! - Merging by union (see Break it): converges, satisfies every law — and a remove is undone by
//!   any replica that still holds the element. Check the value, not only agreement.
//! - A set of removed *elements* (2P-set): remove wins forever, the element can never come back.
//! - Tombstones per removed dot (the original OR-set): correct, but they grow without bound;
//!   the version vector replaces them.
//! - Reusing dots — a replica that restarts without its counter hands out `(r, 1)` again, and a
//!   new add looks already seen (and removed) to everyone else.
//! - Expecting remove-wins: here a remove concurrent with an add loses. If the product needs
//!   "remove wins" (revoking access), that is a different CRDT.
//!
//! ## Key takeaways
//! - Tag every add uniquely; a remove deletes the tags it has observed, nothing more.
//! - Merge keeps a tag unless the other side has seen it and dropped it.
//! - Add-wins by construction; the causal context avoids tombstones.
//!
//! ## Break it
//! `fundamentals/breaks/or_set.patch` makes merge keep every dot either side holds (plain union),
//! ignoring what the other side has seen. `a_remove_sticks_when_merged_with_a_replica_that_still_has_the_element`
//! fails: the removed element comes back. The law property still passes — union is a fine
//! semilattice — and replicas still agree; the convergence property fails only because it also
//! checks the agreed set against a model of what the adds and removes should leave.
//!
//! ## Interview questions
//! - *Why does a concurrent add survive a remove?* The remove deletes only the dots it has seen;
//!   the concurrent add's dot was created elsewhere, unseen, so the merge keeps it.
//! - *How does the set know a missing dot was removed rather than not yet received?* The version
//!   vector: if the other side's vector covers the dot, it received it and dropped it.
//! - *What does it cost?* One dot per present element (the latest add on each replica) plus one
//!   counter per replica. Removed elements cost nothing once merged.
//! - *How would you build a replicated map?* An OR-set of keys whose values are themselves CRDTs
//!   (counters, registers, nested maps), as Riak's maps do; removing a key removes only the
//!   updates it observed.

use super::Crdt;
use crate::ordering::vector_clock::{Dot, VectorClock};
use crate::ordering::NodeId;
use std::collections::{BTreeMap, BTreeSet};

/// A replicated set: a concurrent add and remove of the same element resolve to "present".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrSet<E: Ord> {
    /// Each present element, with the dots of the adds that keep it here. Never an empty set.
    entries: BTreeMap<E, BTreeSet<Dot>>,
    /// Every dot this replica knows of, present or removed.
    seen: VectorClock,
}

impl<E: Ord> Default for OrSet<E> {
    fn default() -> Self {
        Self { entries: BTreeMap::new(), seen: VectorClock::default() }
    }
}

impl<E: Ord + Clone> OrSet<E> {
    /// Replica `replica` adds `element`; returns the add's dot. Only `replica` itself may add
    /// under its own id (its counter lives in `seen`).
    pub fn add(&mut self, replica: NodeId, element: E) -> Dot {
        let dot = self.seen.increment(replica);
        self.entries.insert(element, BTreeSet::from([dot]));
        dot
    }

    /// Removes `element` as far as this replica has observed it: adds it has not seen survive.
    pub fn remove(&mut self, element: &E) {
        self.entries.remove(element);
    }

    pub fn contains(&self, element: &E) -> bool {
        self.entries.contains_key(element)
    }

    /// The elements, in order.
    pub fn iter(&self) -> impl Iterator<Item = &E> + '_ {
        self.entries.keys()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The dots of one element that survive a merge: those both sides hold, and those one side holds
/// that the other has never seen. A dot the other side has seen but does not hold was removed.
fn surviving_dots(
    mine: &BTreeSet<Dot>,
    my_seen: &VectorClock,
    theirs: &BTreeSet<Dot>,
    their_seen: &VectorClock,
) -> BTreeSet<Dot> {
    let in_both = mine.intersection(theirs);
    let only_mine = mine.difference(theirs).filter(|dot| !their_seen.has_seen(**dot));
    let only_theirs = theirs.difference(mine).filter(|dot| !my_seen.has_seen(**dot));
    in_both.chain(only_mine).chain(only_theirs).copied().collect()
}

impl<E: Ord + Clone> Crdt for OrSet<E> {
    fn merge(&mut self, other: &Self) {
        let none = BTreeSet::new();
        let elements: BTreeSet<E> = self.entries.keys().chain(other.entries.keys()).cloned().collect();
        for element in elements {
            let mine = self.entries.remove(&element).unwrap_or_default();
            let theirs = other.entries.get(&element).unwrap_or(&none);
            let kept = surviving_dots(&mine, &self.seen, theirs, &other.seen);
            if !kept.is_empty() {
                self.entries.insert(element, kept);
            }
        }
        self.seen.merge(&other.seen);
    }
}

#[cfg(test)]
mod tests {
    use super::super::laws;
    use super::*;
    use proptest::prelude::*;

    fn elements(set: &OrSet<&'static str>) -> Vec<&'static str> {
        set.iter().copied().collect()
    }

    /// Each side takes in the other's state as it was before the exchange.
    fn exchange<E: Ord + Clone>(a: &mut OrSet<E>, b: &mut OrSet<E>) {
        let a_before = a.clone();
        a.merge(b);
        b.merge(&a_before);
    }

    #[test]
    fn adds_and_removes_on_one_replica_behave_like_a_set() {
        let mut set = OrSet::default();
        set.add(0, "milk");
        set.add(0, "eggs");
        set.remove(&"milk");
        assert_eq!(elements(&set), ["eggs"]);
        set.add(0, "milk");
        assert!(set.contains(&"milk"), "unlike a 2P-set, a removed element can come back");
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn an_add_concurrent_with_a_remove_wins() {
        let mut a = OrSet::default();
        a.add(0, "milk");
        let mut b = a.clone();
        b.remove(&"milk"); // B removes the milk it has seen…
        a.add(0, "milk"); // …while A adds milk again, concurrently
        exchange(&mut a, &mut b);
        assert_eq!(elements(&a), ["milk"]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_remove_sticks_when_merged_with_a_replica_that_still_has_the_element() {
        let mut a = OrSet::default();
        a.add(0, "milk");
        let mut b = a.clone();
        b.remove(&"milk"); // A still holds the milk B has seen and removed
        exchange(&mut a, &mut b);
        assert!(a.is_empty(), "A merged B's remove: {:?}", elements(&a));
        assert!(b.is_empty(), "B merged A's stale milk back in: {:?}", elements(&b));
    }

    #[test]
    fn a_remove_only_deletes_adds_it_has_observed() {
        let mut a = OrSet::default();
        let mut b = OrSet::default();
        b.remove(&"milk"); // B has never seen milk: nothing to remove
        a.add(0, "milk");
        exchange(&mut a, &mut b);
        assert_eq!(elements(&b), ["milk"]);
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Add(u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![(0..4_u8).prop_map(Op::Add), (0..4_u8).prop_map(Op::Remove)]
    }

    /// What the operations should leave behind, whatever the merges do: every add's dot, and the
    /// dots each replica had observed — and so deleted — when it removed or re-added an element.
    #[derive(Default)]
    struct Model {
        added: Vec<(u8, Dot)>,
        deleted: BTreeSet<Dot>,
    }

    impl Model {
        /// Add-wins: an element is present iff some add of it was never observed by a remove
        /// (or by a later add, which replaces it).
        fn expected(&self) -> BTreeSet<u8> {
            self.added.iter().filter(|(_, dot)| !self.deleted.contains(dot)).map(|&(element, _)| element).collect()
        }
    }

    fn play(steps: &[laws::Step<Op>]) -> (laws::Run<OrSet<u8>>, Model) {
        let mut model = Model::default();
        let run = laws::run(steps, |set: &mut OrSet<u8>, replica, op: &Op| {
            let (Op::Add(element) | Op::Remove(element)) = *op;
            model.deleted.extend(set.entries.get(&element).into_iter().flatten().copied());
            match *op {
                Op::Add(element) => model.added.push((element, set.add(replica, element))),
                Op::Remove(element) => set.remove(&element),
            }
        });
        (run, model)
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_and_idempotent(steps in laws::steps(op())) {
            laws::assert_semilattice(&play(&steps).0.states())?;
        }

        /// Replicas agree under any delivery order, on exactly the adds no remove observed.
        #[test]
        fn replicas_converge_on_the_add_wins_set_under_any_delivery_order(
            steps in laws::steps(op()),
            finale in laws::finale(),
        ) {
            let (run, model) = play(&steps);
            let converged = run.converge(&finale)?;
            let actual: BTreeSet<u8> = converged.iter().copied().collect();
            prop_assert_eq!(actual, model.expected());
        }
    }
}

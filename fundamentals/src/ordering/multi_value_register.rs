//! # Version vectors and siblings: a multi-value register
//!
//! ## Why interviewers ask this
//! In Dynamo, Riak and Voldemort, a read of a key that two clients updated at once on different
//! replicas returns *both values* — siblings — with a context the client sends back when it
//! writes the merged result. Interviewers ask "what does the next read return?" to check that
//! you can tell detecting a conflict from resolving it, and that you know where version vectors
//! go wrong (stale contexts, client ids, blind writes).
//!
//! ## How it works
//! The register holds one or more siblings; each is a value, the [`Dot`] `(replica, counter)`
//! naming the write, and the *context* of that write: the [version
//! vector](super::vector_clock) of everything the writer had read.
//! - **read** returns every sibling's value and the register's context: the merge of all
//!   siblings' contexts and dots — "everything this read has seen".
//! - **write(value, context)** at replica `r`: the write gets a fresh dot from `r`'s counter and
//!   replaces exactly the siblings whose dots its context has seen. Siblings it has not seen were
//!   written concurrently, and stay.
//! - **merge** (replicas syncing): take the union of siblings, then drop every sibling whose dot
//!   another sibling's context has seen — a later write already replaced it.
//!
//! The cycle that resolves a conflict: read `[cart A, cart B]` with context `C`, merge the carts
//! in the application, write the result with `C`. `C` covers both dots, so one value remains.
//!
//! Why a dot *and* a context, rather than one version vector per sibling? The naive version is
//! "the client's context with the coordinating replica's entry bumped". Two clients that read
//! the same (stale) context and write through the same replica then get *identical* vectors, and
//! one write silently replaces the other; bumping past the replica's own counter instead makes
//! the second look newer than a write it never saw. Keeping the dot apart from the context tells
//! every write apart and records exactly what each saw: Riak 2.0's dotted version vectors.
//!
//! ## Common pitfalls
//! - Replacing every sibling on write, whatever the context (see Break it): last-writer-wins in
//!   disguise, concurrent writes are lost.
//! - Blind writes (no read first, empty context) in a loop: each one adds a sibling, and the
//!   register grows without bound ("sibling explosion"). Read before you write.
//! - Version vectors keyed by client id: one entry per client, forever.
//! - Deriving a write's version from the client's context plus a bump of the coordinator's
//!   entry: writes through one replica from stale reads collide (tested below).
//! - Resolving siblings by union for data with deletes: removed items come back. Model the value
//!   as an OR-set, or resolve with a domain rule.
//!
//! ## Key takeaways
//! - Read returns values + context; a write sends back the context it was based on.
//! - A write replaces what its context has seen and nothing else; the rest are siblings.
//! - Detecting conflicts is the store's job, resolving them is the application's; dots make the
//!   detection exact.
//!
//! ## Break it
//! `fundamentals/breaks/multi_value_register.patch` makes a write discard every sibling, not
//! only those its context has seen. `a_write_keeps_the_siblings_its_context_has_not_seen` fails,
//! and the convergence property finds a write that vanished although no write had seen it.
//!
//! ## Interview questions
//! - *A read returns two siblings. What should the client do?* Merge them with a domain rule
//!   (union of carts, max of a high score, ask the user) and write the result with the read's
//!   context, so the write covers both siblings and replaces them.
//! - *Why not last-writer-wins?* It is simpler and never returns siblings, but one of two
//!   concurrent writes disappears without anyone knowing. Siblings trade that for work on the
//!   client.
//! - *What are dotted version vectors?* A version vector (the causal context) plus one dot
//!   naming the write itself. They stop siblings being lost or conflated when a server
//!   coordinates writes for clients with stale contexts, with server ids only, so the vector
//!   stays as small as the number of replicas.
//! - *How is a multi-value register a CRDT?* Its merge — union, then drop what some sibling's
//!   context has seen — is commutative, associative and idempotent, so replicas converge on the
//!   same siblings in any delivery order; the tests check exactly that.

use super::crdt::Crdt;
use super::vector_clock::{Dot, VectorClock};
use super::NodeId;
use std::collections::BTreeMap;

/// A register that keeps concurrent writes as siblings until a write that has seen them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiValueRegister<V> {
    /// Sibling writes, by dot. No sibling's context has seen another sibling's dot.
    siblings: BTreeMap<Dot, Sibling<V>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Sibling<V> {
    value: V,
    /// What the writer had read when it wrote: the writes this one replaced.
    context: VectorClock,
}

impl<V> Default for MultiValueRegister<V> {
    fn default() -> Self {
        Self { siblings: BTreeMap::new() }
    }
}

impl<V: Clone + PartialEq> MultiValueRegister<V> {
    /// Every sibling's value (in dot order); more than one means concurrent writes.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.siblings.values().map(|sibling| &sibling.value)
    }

    /// The context to send back with a write based on this read: every write it has seen.
    pub fn context(&self) -> VectorClock {
        let mut context = VectorClock::default();
        for (&dot, sibling) in &self.siblings {
            context.merge(&sibling.context);
            context.observe(dot);
        }
        context
    }

    /// Writes `value` at replica `replica` (the replica this register lives on), based on a read
    /// that returned `context`. Replaces the siblings `context` has seen; returns the write's dot.
    pub fn write(&mut self, replica: NodeId, value: V, context: &VectorClock) -> Dot {
        // Past every dot of this replica that the register or the client knows of, so the dot
        // is new even when the client's context is stale or came from another replica.
        let counter = self.context().get(replica).max(context.get(replica)) + 1;
        let dot = Dot { node: replica, counter };
        self.siblings.retain(|sibling, _| !context.has_seen(*sibling));
        self.siblings.insert(dot, Sibling { value, context: context.clone() });
        dot
    }

    /// Drops every sibling whose dot some sibling's context has seen.
    fn drop_replaced(&mut self) {
        let contexts: Vec<VectorClock> = self.siblings.values().map(|sibling| sibling.context.clone()).collect();
        self.siblings.retain(|dot, _| !contexts.iter().any(|context| context.has_seen(*dot)));
    }
}

impl<V: Clone + PartialEq> Crdt for MultiValueRegister<V> {
    fn merge(&mut self, other: &Self) {
        for (&dot, sibling) in &other.siblings {
            let mine = self.siblings.entry(dot).or_insert_with(|| sibling.clone());
            debug_assert!(mine == sibling, "two different writes share the dot {dot:?}");
        }
        self.drop_replaced();
    }
}

#[cfg(test)]
mod tests {
    use super::super::crdt::laws;
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const A: NodeId = 0;
    const B: NodeId = 1;

    fn values(register: &MultiValueRegister<&'static str>) -> Vec<&'static str> {
        register.values().copied().collect()
    }

    #[test]
    fn a_write_is_read_back_with_a_context_that_covers_it() {
        let mut register = MultiValueRegister::default();
        let dot = register.write(A, "v1", &VectorClock::default());
        assert_eq!(values(&register), ["v1"]);
        assert!(register.context().has_seen(dot));
    }

    #[test]
    fn concurrent_writes_on_two_replicas_become_siblings() {
        let mut a = MultiValueRegister::default();
        let mut b = MultiValueRegister::default();
        a.write(A, "cart with milk", &VectorClock::default());
        b.write(B, "cart with eggs", &VectorClock::default());
        a.merge(&b);
        assert_eq!(values(&a), ["cart with milk", "cart with eggs"]);
    }

    #[test]
    fn a_write_that_has_seen_every_sibling_replaces_them_all() {
        let mut a = MultiValueRegister::default();
        let mut b = MultiValueRegister::default();
        a.write(A, "milk", &VectorClock::default());
        b.write(B, "eggs", &VectorClock::default());
        a.merge(&b);
        // The client reads both, merges the carts, and writes back with the read's context.
        let context = a.context();
        a.write(A, "milk and eggs", &context);
        assert_eq!(values(&a), ["milk and eggs"]);
        b.merge(&a);
        assert_eq!(values(&b), ["milk and eggs"], "B's old sibling was seen by the new write");
    }

    #[test]
    fn a_write_keeps_the_siblings_its_context_has_not_seen() {
        let mut a = MultiValueRegister::default();
        let mut b = MultiValueRegister::default();
        a.write(A, "v1", &VectorClock::default());
        let client_read = a.context(); // a client reads v1…
        b.write(B, "b1", &VectorClock::default());
        a.merge(&b); // …then B's concurrent write reaches A…
        a.write(A, "v2", &client_read); // …and the client writes, based on v1 only
        assert_eq!(values(&a), ["v2", "b1"], "v2 replaced v1, which it saw, but not b1");
    }

    #[test]
    fn two_clients_writing_through_one_replica_from_stale_reads_become_siblings() {
        let mut a = MultiValueRegister::default();
        let stale = a.context(); // both clients read the empty register
        a.write(A, "from client 1", &stale);
        a.write(A, "from client 2", &stale);
        assert_eq!(values(&a), ["from client 1", "from client 2"]);

        // The naive version vector — the client's context with A's entry bumped — cannot tell
        // the two writes apart.
        let (mut naive_1, mut naive_2) = (stale.clone(), stale);
        naive_1.increment(A);
        naive_2.increment(A);
        assert_eq!(naive_1, naive_2);
    }

    #[test]
    fn a_stale_replica_does_not_bring_back_a_replaced_value() {
        let mut a = MultiValueRegister::default();
        a.write(A, "v1", &VectorClock::default());
        let b = a.clone(); // B still holds v1
        let context = a.context();
        a.write(A, "v2", &context);
        a.merge(&b);
        assert_eq!(values(&a), ["v2"]);
    }

    /// A client writes either after reading the replica it writes to, or blind (no read).
    #[derive(Debug, Clone, Copy)]
    struct Write {
        blind: bool,
    }

    /// Each write: its dot, value and the context it was based on.
    type Writes = Vec<(Dot, usize, VectorClock)>;

    fn play(steps: &[laws::Step<Write>]) -> (laws::Run<MultiValueRegister<usize>>, Writes) {
        let mut writes: Writes = Vec::new();
        let run = laws::run(steps, |register: &mut MultiValueRegister<usize>, replica, write: &Write| {
            let context = if write.blind { VectorClock::default() } else { register.context() };
            let value = writes.len();
            let dot = register.write(replica, value, &context);
            writes.push((dot, value, context));
        });
        (run, writes)
    }

    fn write() -> impl Strategy<Value = Write> {
        any::<bool>().prop_map(|blind| Write { blind })
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_and_idempotent(steps in laws::steps(write())) {
            laws::assert_semilattice(&play(&steps).0.states())?;
        }

        /// Replicas agree under any delivery order, and the siblings they agree on are exactly
        /// the writes that no other write had seen: nothing lost, nothing stale.
        #[test]
        fn replicas_converge_on_the_writes_no_write_has_seen(
            steps in laws::steps(write()),
            finale in laws::finale(),
        ) {
            let (run, writes) = play(&steps);
            let converged = run.converge(&finale)?;
            let actual: BTreeSet<(Dot, usize)> =
                converged.siblings.iter().map(|(&dot, sibling)| (dot, sibling.value)).collect();
            let expected: BTreeSet<(Dot, usize)> = writes
                .iter()
                .filter(|(dot, _, _)| !writes.iter().any(|(_, _, context)| context.has_seen(*dot)))
                .map(|&(dot, value, _)| (dot, value))
                .collect();
            prop_assert_eq!(actual, expected);
        }
    }
}

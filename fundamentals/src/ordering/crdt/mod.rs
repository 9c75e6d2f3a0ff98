//! # CRDTs: replicated data that merges without coordination
//!
//! ## Why interviewers ask this
//! Any design that accepts writes on several replicas at once — multi-leader, leaderless,
//! offline-first — has to merge divergent states, and conflict-free replicated data types are
//! the principled way to do it. "Count likes across five regions, each writing locally, and
//! never lose one"; "keep the shopping cart writable during a partition": Redis Enterprise
//! Active-Active, Riak data types, Azure Cosmos DB, Automerge and Yjs are built on CRDTs.
//! Interviewers probe whether you know *why* a merge converges, what each type costs, and which
//! semantics you just chose (does a concurrent add beat a remove? is a write ever lost?).
//!
//! ## How it works
//! A **state-based** CRDT: every replica applies updates to its own state immediately, without
//! asking anyone, and now and then sends its whole state to others, which [`Crdt::merge`] it in.
//! Replicas converge — any two that have received the same updates, by whatever route, are in
//! the same state — when:
//! - merge is **commutative** (`a ⊔ b = b ⊔ a`: the order states meet in does not matter),
//!   **associative** (`(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`: gossip through intermediaries is fine), and
//!   **idempotent** (`a ⊔ a = a`: a duplicate or a stale state changes nothing);
//! - every update only moves the state *up* in the order merge defines (it inflates).
//!
//! The states form a join-semilattice and merge is its join. The network then needs no
//! ordering, no deduplication and no exactly-once delivery: only that states keep flowing.
//!
//! | type | state | merge | semantics |
//! | --- | --- | --- | --- |
//! | [`GCounter`] | a count per replica | entrywise max | value = sum; only grows |
//! | [`PnCounter`] | two G-counters | each half | value = increments − decrements |
//! | [`LwwRegister`] | value + `(time, node)` stamp | larger stamp | last writer wins; a concurrent write is lost |
//! | [`OrSet`] | element → dots, plus the dots seen | a dot survives unless the other side saw and dropped it | add wins over a concurrent remove |
//! | [`MultiValueRegister`](super::multi_value_register::MultiValueRegister) | siblings with contexts | drop siblings another has seen | concurrent writes all kept |
//!
//! **Op-based** CRDTs send operations instead of states: smaller messages, but delivery must be
//! exactly-once and in causal order, which moves the hard part into the messaging layer.
//! **Delta CRDTs** send the small state an update produced: state-based laws, op-sized messages.
//!
//! Every type here is tested the same way (`crdt/laws.rs`): three replicas apply random updates
//! and exchange snapshots that arrive late, out of order, twice or never; the laws are checked
//! on the states they reach; then each replica receives every final state, twice, in a shuffled
//! order, and all must be identical — *and* hold the value a simple model predicts.
//!
//! ## Common pitfalls
//! - A merge that is not idempotent — adding counters instead of taking the max: every
//!   redelivery counts again ([`g_counter`]'s Break it).
//! - Trusting the laws alone: a set whose merge is plain union is commutative, associative and
//!   idempotent, converges perfectly — and resurrects removed elements ([`or_set`]'s Break it).
//!   Check the merged value against what the operations should have produced.
//! - Last-writer-wins on wall-clock time: a writer whose clock lags loses, silently, even when
//!   its write came later ([`lww_register`]).
//! - Metadata that never shrinks: tombstones, entries of decommissioned replicas. Collecting it
//!   needs every replica to agree it is safe, which is coordination again.
//! - Invariants across replicas — a balance that must stay ≥ 0, a unique username — cannot be
//!   kept by merging: two replicas each allow the last withdrawal. They need coordination
//!   (consensus, or escrow: pre-split the allowance between replicas).
//! - Duplicate or recycled replica ids: two replicas with one id overwrite each other's entries.
//!
//! ## Key takeaways
//! - Commutative + associative + idempotent merge, inflationary updates ⇒ any delivery order
//!   converges.
//! - Convergence is not correctness: choose the semantics (add-wins, LWW, multi-value) on
//!   purpose and test the value, not only the agreement.
//! - CRDTs give availability and convergence; they cannot enforce global invariants.
//!
//! ## Break it
//! One patch per type: `g_counter` (merge sums), `pn_counter` (merge forgets the decrements),
//! `lww_register` (ties not broken by node id), `or_set` (merge ignores what the other side has
//! seen). Run `scripts/break-it.sh <topic>`.
//!
//! ## Interview questions
//! - *State-based vs op-based CRDTs?* State-based ship whole states and need only eventual
//!   delivery (any order, duplicates fine) because merge is a join; op-based ship operations,
//!   smaller, but need exactly-once causal delivery. Delta CRDTs ship small states: both worlds.
//! - *Design a like counter for a global social network.* A G-counter per post (a PN-counter if
//!   unlikes count) with one entry per region; each region increments its entry and gossips
//!   states; the value is the sum. No cross-region round trip on the write path, and a lost or
//!   repeated gossip message cannot skew the count.
//! - *Dynamo's shopping cart merged siblings by union. What went wrong?* Deleted items came back:
//!   a remove concurrent with an older version is undone by the union. An OR-set fixes it: a
//!   remove deletes the adds it has observed, and only a concurrent add survives it.
//! - *Can you build a bank account that never goes negative from CRDTs?* Not alone: two replicas
//!   can each approve the last withdrawal. Use consensus for withdrawals, or escrow (bounded
//!   counters): split the balance into per-replica allowances and transfer allowance on demand.
//! - *How do collaborative editors use CRDTs?* Sequence CRDTs (RGA, Yjs, Automerge) give every
//!   character a unique id — a dot — and order concurrent inserts at the same place by id;
//!   deleted characters become tombstones. Operational transformation (Google Docs) instead
//!   rewrites concurrent operations through a central server.

pub mod g_counter;
pub mod lww_register;
pub mod or_set;
pub mod pn_counter;

#[cfg(test)]
pub(crate) mod laws;

pub use g_counter::GCounter;
pub use lww_register::LwwRegister;
pub use or_set::OrSet;
pub use pn_counter::PnCounter;

/// A state-based CRDT. `merge` must be commutative, associative and idempotent, and every local
/// update must only move the state up in the order it defines; then replicas that have received
/// the same updates, in any order, any number of times, hold equal states.
pub trait Crdt {
    /// Takes everything `other` knows into `self`.
    fn merge(&mut self, other: &Self);
}

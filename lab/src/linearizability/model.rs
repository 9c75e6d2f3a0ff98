//! The sequential models: what one key does when operations reach it one at a time. A model is
//! a function `(state, operation) -> Some(next state)` when the operation, with the result it
//! reported, is possible in that state, and `None` when it is not. The search asks nothing else
//! of a model, which is why one search serves a register, a CAS register and a key-value store.
//!
//! Values are interned to small integers per key ([`Values`]), so a model state is a `u32` and
//! comparing a read's value with the state is comparing two integers. Appends are the one
//! operation that makes new values; their results are interned as they appear, and each
//! `(state, appended value)` pair is computed once.

use super::history::OpKind;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Which sequential specification the history is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Model {
    /// A key-value store, checked key by key: `Read`, `Write`, `Cas` and `Append` (which
    /// concatenates to the key's string, as Porcupine's KV model does). A missing key reads as
    /// nil or as the empty string: the two are one value here, as in Porcupine's KV, whose
    /// `get` of a missing key returns `""`.
    Kv,
    /// A read/write register per key: `Read` and `Write`. Nil (never written) and `""` differ.
    Register,
    /// A register with compare-and-set: `Read`, `Write` and `Cas`.
    CasRegister,
}

impl Model {
    pub const ALL: [Model; 3] = [Model::Kv, Model::Register, Model::CasRegister];

    /// The name on the command line (`--model`).
    pub fn name(self) -> &'static str {
        match self {
            Model::Kv => "kv",
            Model::Register => "register",
            Model::CasRegister => "cas-register",
        }
    }

    /// Whether an operation of this kind exists in the model.
    pub fn allows(self, kind: &OpKind) -> bool {
        match (self, kind) {
            (Model::Kv, _) => true,
            (Model::Register, OpKind::Read { .. } | OpKind::Write { .. }) => true,
            (Model::CasRegister, OpKind::Read { .. } | OpKind::Write { .. } | OpKind::Cas { .. }) => true,
            (Model::Register | Model::CasRegister, _) => false,
        }
    }

    /// The operations the model has, for messages.
    pub fn operations(self) -> &'static str {
        match self {
            Model::Kv => "read, write, cas and append",
            Model::Register => "read and write",
            Model::CasRegister => "read, write and cas",
        }
    }

    /// Whether nil and `""` are the same value.
    fn empty_is_nil(self) -> bool {
        self == Model::Kv
    }
}

/// An interned value of one key. [`NIL`] is the key's value before anything was written.
pub(crate) type Value = u32;
pub(crate) const NIL: Value = 0;

/// What an operation does to, or asks of, its key's state (values interned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Effect {
    Read(Value),
    Write(Value),
    Cas { expect: Value, new: Value },
    Append(Value),
}

impl Effect {
    /// The value a read or a cas requires the state to hold.
    pub(crate) fn observes(self) -> Option<Value> {
        match self {
            Effect::Read(v) | Effect::Cas { expect: v, .. } => Some(v),
            Effect::Write(_) | Effect::Append(_) => None,
        }
    }

    /// The value a write or a cas leaves behind (an append's depends on the state).
    pub(crate) fn sets(self) -> Option<Value> {
        match self {
            Effect::Write(v) | Effect::Cas { new: v, .. } => Some(v),
            Effect::Read(_) | Effect::Append(_) => None,
        }
    }
}

/// The interned values of one key, and the model's step function over them.
pub(crate) struct Values {
    /// `texts[v]` is value `v`; `texts[NIL]` is `None`.
    texts: Vec<Option<String>>,
    ids: FixedMap<String, Value>,
    empty_is_nil: bool,
    /// `(state, appended value) -> result`, so each concatenation is built once.
    appended: FixedMap<(Value, Value), Value>,
    bytes: usize,
}

impl Values {
    pub(crate) fn new(model: Model) -> Self {
        Values {
            texts: vec![None],
            ids: FixedMap::default(),
            empty_is_nil: model.empty_is_nil(),
            appended: FixedMap::default(),
            bytes: 0,
        }
    }

    pub(crate) fn intern(&mut self, text: Option<&str>) -> Value {
        let Some(text) = text else { return NIL };
        if text.is_empty() && self.empty_is_nil {
            return NIL;
        }
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = Value::try_from(self.texts.len()).expect("fewer than 2^32 distinct values per key");
        self.bytes += 2 * text.len() + 64;
        self.texts.push(Some(text.to_owned()));
        self.ids.insert(text.to_owned(), id);
        id
    }

    pub(crate) fn text(&self, value: Value) -> Option<&str> {
        self.texts[value as usize].as_deref()
    }

    /// The model's step: the state after `effect`, or `None` if `effect` (with the result it
    /// reported) is impossible in `state`. A `Cas` here is one that reported success: a failed
    /// cas did not happen and never reaches the checker.
    pub(crate) fn step(&mut self, state: Value, effect: Effect) -> Option<Value> {
        match effect {
            Effect::Read(v) => (state == v).then_some(state),
            Effect::Write(v) => Some(v),
            Effect::Cas { expect, new } => (state == expect).then_some(new),
            Effect::Append(v) => Some(self.append(state, v)),
        }
    }

    fn append(&mut self, state: Value, suffix: Value) -> Value {
        if let Some(&done) = self.appended.get(&(state, suffix)) {
            return done;
        }
        let mut text = self.text(state).unwrap_or("").to_owned();
        text.push_str(self.text(suffix).unwrap_or(""));
        let result = self.intern(Some(&text));
        self.appended.insert((state, suffix), result);
        self.bytes += 32;
        result
    }

    /// Roughly the memory the table holds, for the search's memory bound.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// A hasher with no random seed, so a checker built on hash tables behaves the same in every
/// process (std's default hasher is seeded per process). The tables are only ever looked up,
/// never iterated, so even the hash function cannot change a verdict — only its speed.
///
/// The scheme is the well-known "Fx" one (rotate, xor, multiply per word), with a final mix so
/// that the top bits hash tables use are spread too.
#[derive(Default, Clone, Copy)]
pub(crate) struct FixedHasher(u64);

impl FixedHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// SplitMix64's finaliser: every input bit affects every output bit.
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub(crate) type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<FixedHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_must_see_the_state_and_a_cas_must_find_its_expected_value() {
        let mut values = Values::new(Model::CasRegister);
        let one = values.intern(Some("1"));
        let two = values.intern(Some("2"));
        assert_eq!(values.step(NIL, Effect::Read(NIL)), Some(NIL), "an unwritten register reads nil");
        assert_eq!(values.step(NIL, Effect::Read(one)), None);
        assert_eq!(values.step(NIL, Effect::Write(one)), Some(one));
        assert_eq!(values.step(one, Effect::Cas { expect: one, new: two }), Some(two));
        assert_eq!(
            values.step(two, Effect::Cas { expect: one, new: two }),
            None,
            "a cas that succeeded needs its value"
        );
    }

    #[test]
    fn appends_concatenate_and_their_results_are_values_like_any_other() {
        let mut values = Values::new(Model::Kv);
        let x = values.intern(Some("x "));
        let y = values.intern(Some("y"));
        let after_x = values.step(NIL, Effect::Append(x)).unwrap();
        let after_xy = values.step(after_x, Effect::Append(y)).unwrap();
        assert_eq!(values.text(after_xy), Some("x y"));
        assert_eq!(values.intern(Some("x y")), after_xy, "a read of \"x y\" compares equal to the state");
        assert_eq!(values.step(after_x, Effect::Append(y)), Some(after_xy), "computed once, remembered");
    }

    #[test]
    fn in_the_kv_model_a_missing_key_reads_as_nil_or_empty_but_registers_tell_them_apart() {
        let mut kv = Values::new(Model::Kv);
        assert_eq!(kv.intern(Some("")), NIL);
        let mut register = Values::new(Model::Register);
        assert_ne!(register.intern(Some("")), NIL);
    }

    #[test]
    fn each_model_has_its_own_operations() {
        let cas = OpKind::Cas { expect: None, new: "1".into() };
        let append = OpKind::Append { value: "x".into() };
        assert!(Model::Kv.allows(&cas) && Model::Kv.allows(&append));
        assert!(Model::CasRegister.allows(&cas));
        assert!(!Model::CasRegister.allows(&append));
        assert!(!Model::Register.allows(&cas));
    }

    #[test]
    fn the_fixed_hasher_gives_the_same_hash_in_every_process() {
        let hash = |bytes: &[u8], n: u32| {
            let mut h = FixedHasher::default();
            h.write(bytes);
            h.write_u32(n);
            h.finish()
        };
        // Pinned: std's default hasher would give another value in every process. (A change of
        // the hash function changes no verdict — tables are never iterated — only speed.)
        assert_eq!(hash(b"linearizable", 7), 14_968_745_920_418_652_845);
        assert_ne!(hash(b"linearizable", 7), hash(b"linearizablE", 7));
    }
}

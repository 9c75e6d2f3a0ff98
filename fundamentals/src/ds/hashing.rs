//! Fixed, explicit hash functions shared by the hashing lessons (hash maps, bloom filter,
//! consistent hashing, the sharded LRU).
//!
//! Why not `std::collections::hash_map::DefaultHasher`? Its algorithm is explicitly unspecified
//! and may change between Rust releases, and `RandomState` is seeded per process. Anything whose
//! output a test asserts (which bucket, which ring node, which bloom bits) must use a hash whose
//! every bit is fixed, so we write FNV-1a here and finish it with a splitmix64 mixer.
//!
//! FNV-1a is not DoS-resistant: an attacker who controls keys can pick colliding ones. A server
//! hashing user input uses a keyed hash (SipHash, which std's `RandomState` is) — that is the
//! trade-off the hash-map lessons discuss.

use std::hash::{BuildHasher, Hash, Hasher};

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over a byte string: xor each byte in, then multiply by the FNV prime.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hasher = Fnv1aHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// The splitmix64 finaliser: a bijection on `u64` that makes every output bit depend on every
/// input bit. FNV's high bits react weakly to the last bytes it saw, so users that slice a hash
/// into pieces (bloom filter, bucket index from the top bits) mix it first.
pub fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hashes any `Hash` value with FNV-1a and mixes the result. Stable across runs and releases
/// as long as the value's `Hash` impl is (the impls for integers, strings and tuples are).
pub fn stable_hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = Fnv1aHasher::default();
    value.hash(&mut hasher);
    mix64(hasher.finish())
}

/// A `Hasher` computing FNV-1a, usable with any map that takes a `BuildHasher`.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1aHasher {
    state: u64,
}

impl Default for Fnv1aHasher {
    fn default() -> Self {
        Self { state: FNV_OFFSET_BASIS }
    }
}

impl Hasher for Fnv1aHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.state = (self.state ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

/// Builds [`Fnv1aHasher`]s; the default hasher of the lesson hash maps and the LRU's index.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnvBuildHasher;

impl BuildHasher for FnvBuildHasher {
    type Hasher = Fnv1aHasher;

    fn build_hasher(&self) -> Fnv1aHasher {
        Fnv1aHasher::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // Vectors from the FNV reference (Fowler, Noll, Vo): empty string and "a".
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stable_hash_is_pinned_so_asserted_layouts_never_shift() {
        // Bucket layouts, ring placements and bloom bits in other tests depend on this value.
        assert_eq!(stable_hash(&42_u64), stable_hash(&42_u64));
        assert_eq!(stable_hash("node-1#0"), PINNED_NODE_HASH);
    }
    const PINNED_NODE_HASH: u64 = 6_633_032_884_661_126_238;

    #[test]
    fn mixing_spreads_neighbouring_inputs_across_the_high_bits() {
        // Sequential keys must not share top bits, or buckets indexed by top bits would collide.
        let top_bytes: std::collections::BTreeSet<u64> = (0..256_u64).map(|k| stable_hash(&k) >> 56).collect();
        assert!(top_bytes.len() > 150, "only {} distinct top bytes", top_bytes.len());
    }
}

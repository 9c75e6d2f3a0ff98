//! # Constant-time comparison: why `==` on secrets leaks them
//!
//! ## Why interviewers ask this
//! "Your API checks an HMAC signature / API key / reset token with `==`. What is wrong?" A
//! comparison that stops at the first differing byte takes longer the more leading bytes are
//! right, so an attacker who can time many requests learns the secret one byte at a time:
//! 16 × 256 guesses instead of 256¹⁶. It is a classic (Xbox 360 boot signatures, OAuth and
//! Rails/Django token checks, Java's old `MessageDigest.isEqual`), and the fix is one line —
//! if you know it.
//!
//! ## How it works
//! - [`early_exit_eq`] is what `==` on byte slices does in spirit: compare, and return at the
//!   first mismatch. Its running time is proportional to the length of the matching prefix.
//!   (std's `[u8] == [u8]` calls `memcmp`, which also stops early, in wider steps.)
//! - [`xor_fold_eq`] is constant time *by construction*: it visits every byte whatever the
//!   data, ORs together the XOR of each pair, and looks at the accumulator once at the end.
//!   There is no data-dependent branch or early return, so the sequence of instructions is
//!   the same for every input of a given length.
//! - [`constant_time_eq`] uses the `subtle` crate, which does the same but also defends
//!   against the optimiser: a compiler may notice that `acc != 0` can't become `0` again and
//!   re-introduce an early exit. `subtle` hides values behind an optimisation barrier
//!   (`black_box`/volatile reads) and returns a `Choice` instead of a `bool` so that the result
//!   is not branched on inside the comparison. Use a vetted crate, not your own loop.
//! - Length is not secret: both return `false` at once for different lengths. Compare
//!   fixed-length values (MACs, hashes of tokens), never variable-length secrets directly.
//!
//! The tests show the leak two ways:
//! - **deterministically**: both comparisons report how many bytes they examined (`*_traced`),
//!   and an attacker who sees only that number — a perfect timer — recovers a 16-byte MAC in
//!   at most 16 × 256 queries against the early-exit compare, and learns nothing from the
//!   xor-fold one;
//! - **statistically, with a real clock** (the one place in this crate that reads the wall
//!   clock): 400 interleaved timings per case of 4 KiB comparisons that differ at the first
//!   byte versus at the last byte. Single timings on a shared machine are noise; medians of
//!   interleaved samples plus a rank statistic are robust. Measured here (debug build, 2
//!   shared cores at load average ≈ 4.5): 8 calls take a median **≈ 0.8 µs** when the first
//!   byte differs and **≈ 0.55 ms** when the last does, and the slow case is the slower one in
//!   ≥ 99.8 % of all sample pairs; the test passed 20 runs in a row. It asserts that the
//!   early-exit compare leaks. It does *not* assert "no difference" for the constant-time
//!   one: an absence cannot be proven with a noisy timer, which is why constant time is
//!   argued by construction (and checked with tools such as `dudect` on real hardware).
//!
//! ## Common pitfalls
//! - `==`, `memcmp`, `String::eq`, `starts_with` on secrets: all return early.
//! - Writing a constant-time loop and letting the optimiser turn it back into an early exit.
//! - Branching on secret data elsewhere: looking up a token in a `HashMap`/database index by
//!   the secret itself. Look up by a non-secret id, then compare the secret in constant time
//!   (or store and compare a hash of the token).
//! - Believing network jitter hides the difference: the attacker averages many requests;
//!   remote timing attacks over the internet have been demonstrated at microsecond level.
//!
//! ## Key takeaways
//! - Compare MACs, tokens, API keys and password hashes with a constant-time function
//!   (`subtle::ConstantTimeEq`, `hmac::Mac::verify_slice`, `ring::constant_time`).
//! - Constant time means "no secret-dependent branches or memory accesses", by construction.
//! - Measure timing with distributions, never single runs.
//!
//! ## Break it
//! `fundamentals/breaks/security_constant_time.patch` "optimises" [`xor_fold_eq_traced`] to
//! return as soon as the accumulator is non-zero. The results stay correct, but the timing
//! oracle now recovers the MAC: `the_xor_fold_compare_gives_the_attacker_nothing` fails.
//!
//! ## Interview questions
//! - **Q: Why is `if provided_mac == expected_mac` a vulnerability?** A: Byte comparison stops
//!   at the first mismatch, so response time reveals how many leading bytes were right; the
//!   attacker forges a valid MAC byte by byte with ~256 tries per byte, averaging out noise.
//! - **Q: How does a constant-time comparison work?** A: Visit every byte, accumulate
//!   `acc |= a[i] ^ b[i]`, decide once at the end; no branches or indexing on secret data; in
//!   practice use `subtle`/`ring`, which also stop the compiler from adding an early exit.
//! - **Q: Can an attacker really measure nanoseconds over a network?** A: With enough samples,
//!   yes: noise averages out (it is independent of the guess), the signal does not. Crosby et
//!   al. measured differences of tens of microseconds over the internet and ~100 ns on a LAN.
//! - **Q: How would you test that code is not leaking timing?** A: Statistically: interleave
//!   many measurements of two input classes and compare the distributions (medians, a rank or
//!   Welch's t-test, as `dudect` does). You can show a leak exists; you cannot prove absence
//!   by measurement, so also review the code for secret-dependent branches.

use subtle::ConstantTimeEq;

/// Byte-by-byte comparison that stops at the first difference, like `==`.
pub fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    early_exit_eq_traced(a, b).0
}

/// [`early_exit_eq`], also returning how many byte pairs it examined: the attacker's view
/// through a perfect timer.
pub fn early_exit_eq_traced(a: &[u8], b: &[u8]) -> (bool, usize) {
    if a.len() != b.len() {
        return (false, 0);
    }
    for (examined, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            return (false, examined + 1);
        }
    }
    (true, a.len())
}

/// Constant-time comparison by construction: every byte is visited, no data-dependent branch.
pub fn xor_fold_eq(a: &[u8], b: &[u8]) -> bool {
    xor_fold_eq_traced(a, b).0
}

/// [`xor_fold_eq`], also returning how many byte pairs it examined (always all of them).
pub fn xor_fold_eq_traced(a: &[u8], b: &[u8]) -> (bool, usize) {
    if a.len() != b.len() {
        return (false, 0); // the length is public
    }
    let mut acc = 0u8;
    let mut examined = 0;
    for (x, y) in a.iter().zip(b) {
        // OR-ing differences never branches on them; `acc` is inspected once, after the loop.
        acc |= x ^ y;
        examined += 1;
    }
    (acc == 0, examined)
}

/// The production choice: `subtle`'s constant-time equality, with an optimisation barrier.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // `ct_eq` on slices returns `Choice(0)` at once for different lengths (length is public),
    // otherwise folds every byte; `bool::from` is the single, final branch.
    a.ct_eq(b).into()
}

/// A comparison as an attacker sees it: the verdict and the work it did.
pub type TracedEq = fn(&[u8], &[u8]) -> (bool, usize);

/// A timing attack on a MAC check: the attacker submits guesses for a `len`-byte tag and
/// observes only the verdict and the work done (`compare`'s second value). It fixes one byte
/// at a time, choosing the candidate that made the comparison do the most work. Returns the
/// recovered tag (if the check finally accepted one) and the number of queries made.
pub fn timing_attack(secret: &[u8], compare: TracedEq) -> (Option<Vec<u8>>, u32) {
    let mut guess = vec![0u8; secret.len()];
    let mut queries = 0u32;
    for position in 0..secret.len() {
        let mut best = (0usize, 0u8);
        for candidate in 0..=255u8 {
            guess[position] = candidate;
            queries += 1;
            let (equal, work) = compare(secret, &guess);
            if equal {
                return (Some(guess), queries);
            }
            if work > best.0 {
                best = (work, candidate);
            }
        }
        // With a constant-time compare every candidate did the same work; `best` stays the
        // first candidate and the attacker learns nothing.
        guess[position] = best.1;
    }
    (None, queries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;
    use rand::{Rng, RngCore};
    use std::hint::black_box;
    use std::time::Instant;

    fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; len];
        stream_rng(seed, "secret").fill_bytes(&mut bytes);
        bytes
    }

    #[test]
    fn all_three_comparisons_agree_on_equality() {
        let secret = random_bytes(1, 32);
        let mut other = secret.clone();
        other[31] ^= 1;
        for eq in [early_exit_eq, xor_fold_eq, constant_time_eq] {
            assert!(eq(&secret, &secret));
            assert!(!eq(&secret, &other));
            assert!(!eq(&secret, &secret[..31]), "different lengths are unequal");
            assert!(eq(b"", b""));
        }
    }

    #[test]
    fn the_early_exit_compare_does_work_proportional_to_the_matching_prefix() {
        let secret = random_bytes(2, 64);
        for prefix in [0, 1, 10, 63] {
            let mut guess = secret.clone();
            guess[prefix] ^= 0xff;
            assert_eq!(early_exit_eq_traced(&secret, &guess), (false, prefix + 1));
            assert_eq!(xor_fold_eq_traced(&secret, &guess), (false, 64), "always every byte");
        }
    }

    #[test]
    fn a_timing_oracle_recovers_a_16_byte_mac_from_the_early_exit_compare() {
        let secret = random_bytes(3, 16);
        let (recovered, queries) = timing_attack(&secret, early_exit_eq_traced);
        assert_eq!(recovered.as_deref(), Some(&secret[..]));
        // At most 256 tries per byte instead of 256^16 for the whole tag.
        assert!(queries <= 16 * 256, "{queries} queries");
    }

    #[test]
    fn the_xor_fold_compare_gives_the_attacker_nothing() {
        let secret = random_bytes(4, 16);
        let (recovered, queries) = timing_attack(&secret, xor_fold_eq_traced);
        assert_eq!(recovered, None);
        assert_eq!(queries, 16 * 256, "every query did the same work, so no byte was learned");
    }

    /// Nanoseconds for `reps` calls of `eq(secret, guess)`.
    fn time_calls(eq: fn(&[u8], &[u8]) -> bool, secret: &[u8], guess: &[u8], reps: u32) -> u64 {
        let started = Instant::now();
        for _ in 0..reps {
            black_box(eq(black_box(secret), black_box(guess)));
        }
        started.elapsed().as_nanos() as u64
    }

    fn median(samples: &mut [u64]) -> u64 {
        samples.sort_unstable();
        samples[samples.len() / 2]
    }

    /// The wall-clock test: the one place in this crate where real time is measured, because
    /// real time is the point. It is made robust on a loaded, shared machine by
    /// - a large signal: 4 KiB secrets, differing at byte 0 vs byte 4095, so the early-exit
    ///   loop does ~4 000× more work in the slow case (microseconds vs nanoseconds);
    /// - many interleaved samples, in seeded random order, so that load spikes, frequency
    ///   changes and preemption hit both classes alike;
    /// - robust statistics only: medians, and the fraction of (slow, fast) sample pairs in
    ///   which the slow one is slower (a Mann–Whitney-style rank statistic, ½ when there is no
    ///   difference). No single timing decides anything;
    /// - thresholds far below what is observed (a 2× median ratio and 75 % of pairs, where
    ///   quiet runs show well over 100× and ~100 %).
    ///
    /// Bounded: 400 samples per class of 8 calls each, a few tens of milliseconds in all.
    #[test]
    fn the_early_exit_compare_leaks_the_mismatch_position_through_timing() {
        const LEN: usize = 4 * 1024;
        const SAMPLES: usize = 400;
        const REPS: u32 = 8;
        let secret = random_bytes(5, LEN);
        let mut differs_first = secret.clone();
        differs_first[0] ^= 0xff;
        let mut differs_last = secret.clone();
        differs_last[LEN - 1] ^= 0xff;

        let mut order = stream_rng(6, "sample-order");
        let mut fast = Vec::with_capacity(SAMPLES);
        let mut slow = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            // Interleave, in random order, so drift in machine speed affects both classes.
            if order.random_bool(0.5) {
                fast.push(time_calls(early_exit_eq, &secret, &differs_first, REPS));
                slow.push(time_calls(early_exit_eq, &secret, &differs_last, REPS));
            } else {
                slow.push(time_calls(early_exit_eq, &secret, &differs_last, REPS));
                fast.push(time_calls(early_exit_eq, &secret, &differs_first, REPS));
            }
        }

        // Rank statistic: in how many of the SAMPLES² (slow, fast) pairs is slow slower?
        fast.sort_unstable();
        let slower_pairs: usize = slow.iter().map(|s| fast.partition_point(|f| f < s)).sum();
        let slower_fraction = slower_pairs as f64 / (SAMPLES * SAMPLES) as f64;
        let (median_fast, median_slow) = (median(&mut fast), median(&mut slow));
        // Printed for the curious (`--nocapture`): the figures the lesson quotes.
        eprintln!("{REPS} calls: median {median_fast} ns (first byte differs) vs {median_slow} ns (last byte); slower in {slower_fraction:.3} of pairs");

        assert!(
            median_slow > 2 * median_fast.max(1),
            "median of {REPS} calls: mismatch at the last byte {median_slow} ns, at the first {median_fast} ns"
        );
        assert!(slower_fraction > 0.75, "only {slower_fraction:.3} of pairs ordered as the leak predicts");
    }
}

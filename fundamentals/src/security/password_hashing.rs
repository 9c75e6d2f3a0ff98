//! # Password hashing: salts, Argon2id cost parameters, PHC strings, rehash on login
//!
//! ## Why interviewers ask this
//! "How do you store passwords?" is the most common security question in backend interviews,
//! because the wrong answers are so common: plaintext, encryption (reversible), SHA-256
//! (fast), a global salt (one rainbow table for everyone). Interviewers want to hear *why* a
//! password hash must be slow and memory-hungry, what the salt is for, where the parameters
//! are stored, and how you raise the cost for users who already have hashes.
//!
//! ## How it works
//! The database will leak one day; the goal is to make each stolen hash expensive to crack.
//! - **Salt**: 16 random bytes per user, stored next to the hash. Two users with the same
//!   password get different hashes, so a precomputed (rainbow) table is useless and every
//!   account must be attacked on its own. The salt is not secret.
//! - **Slow, memory-hard function**: Argon2id (winner of the Password Hashing Competition,
//!   OWASP's first choice) takes a *memory* cost (KiB), an *iteration* count and a
//!   *parallelism*. Memory is what hurts GPUs and ASICs: each guess needs its own 19 MiB, so
//!   a card runs hundreds of guesses at once instead of hundreds of thousands.
//! - **PHC string**: the hash is stored as
//!   `$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>` — algorithm, version, cost and
//!   salt travel with the hash. Verification reads them from the string, so old hashes keep
//!   verifying after the policy changes.
//! - **Rehash on login**: the only moment you hold the plaintext is a successful login. If the
//!   stored parameters are weaker than the current policy, hash again and store the new PHC
//!   string ([`login`]). Users who never log in keep old hashes; force a reset for those after
//!   a deadline if the old parameters are unacceptable.
//!
//! Here the salt comes from a caller's random generator ([`PasswordPolicy::hash`]): in tests a
//! seeded [`crate::sim::stream_rng`], in production the OS's CSPRNG (`OsRng`). Argon2 itself is
//! deterministic: the same password, salt and cost always give the same string.
//!
//! ### What a fast hash costs you, measured
//! `benches/security.rs` (release build, one core of this shared 2-core machine, `cargo bench
//! -p fundamentals --bench security`): a salted SHA-256 of a 16-byte password **≈ 128 ns**;
//! Argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1) **≈ 32 ms** — about 250 000 times
//! slower; at m = 38 MiB **≈ 106 ms** (twice the memory, 3.3× the time: it no longer fits
//! in cache). From those figures ([`guesses_per_second`], [`seconds_to_exhaust`], checked by
//! the tests):
//!
//! | one attacker core | guesses/s | all 8-char lowercase+digit passwords (36⁸ ≈ 2.8 × 10¹²) |
//! | --- | --- | --- |
//! | SHA-256 | ≈ 7 800 000 | ≈ 4 days (a 64-core box: ≈ 1.6 hours) |
//! | Argon2id 19 MiB, t=2 | ≈ 31 | ≈ 2 900 years |
//!
//! A GPU makes SHA-256 another ~1 000× faster (billions per second); Argon2id's 19 MiB per
//! guess caps how many run in parallel on one card, which is the point of memory hardness.
//! Your login pays ≈ 32 ms once per login; the attacker pays it per guess per account.
//!
//! ## Common pitfalls
//! - A fast hash (MD5, SHA-1, SHA-256, even salted): built to be fast, which is exactly what
//!   the attacker wants. "Iterating SHA-256 a few times" is still cheap on GPUs.
//! - No salt, or one global salt ("pepper" misused as salt): identical passwords get identical
//!   hashes; one table cracks everybody.
//! - Hard-coding the cost instead of reading it from the stored hash: raising the policy then
//!   locks out every existing user. Verify with the stored parameters, rehash on login.
//! - Comparing hashes with `==` on strings (see [`super::constant_time`]); the `password-hash`
//!   crate compares outputs in constant time.
//! - Returning early for unknown users: "no such user" answers in microseconds, a wrong
//!   password in 30 ms, so timing enumerates accounts. [`login`] hashes against a dummy.
//! - Costs so high that login becomes a denial-of-service lever: rate-limit logins
//!   ([`super::login_rate_limiting`]) and size the cost for your peak login rate.
//!
//! ## Key takeaways
//! - Argon2id (or scrypt/bcrypt) with a per-user random salt; never a general-purpose hash.
//! - Store the PHC string: it carries algorithm, version, cost and salt.
//! - Tune cost to the slowest your login budget allows; raise it over time by rehashing on login.
//!
//! ## Break it
//! `fundamentals/breaks/security_password_hashing.patch` makes [`PasswordPolicy::hash`] ignore
//! the random generator and use a fixed salt ("a global salt"). Two users with the same
//! password now share a hash, so one cracked hash cracks both:
//! `the_same_password_gets_different_hashes_for_different_users` fails.
//!
//! ## Interview questions
//! - **Q: How do you store user passwords?** A: Argon2id (or bcrypt/scrypt) with a random
//!   16-byte salt per user and a tuned cost, stored as a PHC string; verify by recomputing with
//!   the stored parameters and comparing in constant time. Never plaintext, never encryption,
//!   never a plain cryptographic hash.
//! - **Q: Why not SHA-256 with a salt?** A: The salt stops precomputation, not brute force.
//!   SHA-256 runs millions of times per second per core and billions on a GPU; an 8-character
//!   password falls in days. Argon2id at 19 MiB costs ~32 ms and 19 MiB per guess.
//! - **Q: What is the salt for, and is it secret?** A: It makes identical passwords hash
//!   differently so each account is attacked separately and rainbow tables are useless. It is
//!   stored in the clear next to the hash. (A *pepper* is a separate secret kept outside the
//!   database, e.g. an HMAC key in a KMS.)
//! - **Q: You want to raise the cost. What about the millions of existing hashes?** A: Each
//!   hash records its own parameters, so old ones keep verifying. On each successful login,
//!   compare the stored parameters with the policy and rehash with the plaintext you now hold.
//! - **Q: Why memory-hard?** A: Attackers parallelise on GPUs/ASICs with thousands of cores
//!   but limited memory per core; requiring megabytes per guess caps the parallelism.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::collections::BTreeMap;

/// Bytes of salt per hash: 16 (128 bits) is the usual recommendation; collisions between
/// users are then astronomically unlikely.
pub const SALT_LEN: usize = 16;

/// Argon2id's three knobs. Memory is in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Cost {
    /// OWASP's minimum recommendation for Argon2id (m = 19 MiB, t = 2, p = 1): ≈ 32 ms here.
    pub const OWASP_MINIMUM: Cost = Cost { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };

    /// Whether every knob of `self` is at least that of `policy` (a hash at least this strong
    /// needs no rehash).
    pub fn at_least(&self, policy: &Cost) -> bool {
        self.memory_kib >= policy.memory_kib
            && self.iterations >= policy.iterations
            && self.parallelism >= policy.parallelism
    }
}

/// Why a password did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    WrongPassword,
    /// The stored string is not a PHC string we understand: a data problem, not a bad login.
    Malformed(String),
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The stored hash used weaker parameters than the current policy.
    pub needs_rehash: bool,
}

/// The current hashing policy: Argon2id v1.3 at a [`Cost`].
pub struct PasswordPolicy {
    cost: Cost,
    argon2: Argon2<'static>,
    /// Verified against when the user does not exist, so that "no such user" takes as long
    /// as "wrong password" and response time does not reveal which accounts exist.
    dummy_phc: String,
}

impl PasswordPolicy {
    pub fn new(cost: Cost) -> Self {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .expect("the cost is within Argon2's limits");
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut policy = Self { cost, argon2, dummy_phc: String::new() };
        policy.dummy_phc = policy.hash_with_salt("not a real password", &[0x5a; SALT_LEN]);
        policy
    }

    pub fn cost(&self) -> Cost {
        self.cost
    }

    /// Hashes `password` under a fresh salt drawn from `rng` and returns the PHC string.
    pub fn hash(&self, password: &str, rng: &mut impl RngCore) -> String {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        self.hash_with_salt(password, &salt)
    }

    /// Hashes with a given salt. Deterministic: same inputs, same string.
    pub fn hash_with_salt(&self, password: &str, salt: &[u8; SALT_LEN]) -> String {
        let salt = SaltString::encode_b64(salt).expect("16 bytes is a valid salt length");
        self.argon2.hash_password(password.as_bytes(), &salt).expect("hashing with valid parameters").to_string()
    }

    /// Verifies `password` against a stored PHC string, using the algorithm, version, cost
    /// and salt *recorded in the string* — not the current policy — and says whether the
    /// stored parameters are weaker than the policy.
    pub fn verify(&self, password: &str, phc: &str) -> Result<Verified, VerifyError> {
        let parsed = PasswordHash::new(phc).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let stored = stored_cost(&parsed)?;
        // `verify_password` recomputes with the parameters from `parsed` and compares the
        // outputs in constant time.
        match self.argon2.verify_password(password.as_bytes(), &parsed) {
            Ok(()) => {
                Ok(Verified { needs_rehash: !stored.at_least(&self.cost) || parsed.algorithm.as_str() != "argon2id" })
            }
            Err(argon2::password_hash::Error::Password) => Err(VerifyError::WrongPassword),
            Err(other) => Err(VerifyError::Malformed(other.to_string())),
        }
    }
}

/// The cost recorded in a parsed PHC string.
fn stored_cost(parsed: &PasswordHash<'_>) -> Result<Cost, VerifyError> {
    let params = Params::try_from(parsed).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    Ok(Cost { memory_kib: params.m_cost(), iterations: params.t_cost(), parallelism: params.p_cost() })
}

/// The cost recorded in a PHC string (for reports and tests).
pub fn cost_of(phc: &str) -> Result<Cost, VerifyError> {
    stored_cost(&PasswordHash::new(phc).map_err(|e| VerifyError::Malformed(e.to_string()))?)
}

/// What a login attempt did to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted,
    /// Accepted, and the stored hash was replaced by one under the current policy.
    AcceptedAndRehashed,
    /// Wrong password or unknown user: deliberately one answer for both.
    Rejected,
}

/// A login against `users` (name → PHC string). On success with an outdated hash, rehashes
/// under the current policy with a fresh salt from `rng`. Unknown users cost a full hash.
pub fn login(
    users: &mut BTreeMap<String, String>,
    policy: &PasswordPolicy,
    user: &str,
    password: &str,
    rng: &mut impl RngCore,
) -> LoginOutcome {
    let Some(stored) = users.get(user) else {
        // Burn the same time as a real verification; the result is ignored.
        let _ = policy.verify(password, &policy.dummy_phc);
        return LoginOutcome::Rejected;
    };
    match policy.verify(password, stored) {
        Ok(Verified { needs_rehash: false }) => LoginOutcome::Accepted,
        Ok(Verified { needs_rehash: true }) => {
            // The only moment we hold the plaintext: upgrade the hash now.
            users.insert(user.to_owned(), policy.hash(password, rng));
            LoginOutcome::AcceptedAndRehashed
        }
        Err(_) => LoginOutcome::Rejected,
    }
}

/// Guesses per second that `cores` attacker cores make when one guess costs `ns_per_guess`.
pub fn guesses_per_second(ns_per_guess: f64, cores: u32) -> f64 {
    assert!(ns_per_guess > 0.0);
    f64::from(cores) * 1e9 / ns_per_guess
}

/// Seconds to try every password of `length` symbols from an alphabet of `alphabet` symbols.
pub fn seconds_to_exhaust(alphabet: u32, length: u32, guesses_per_second: f64) -> f64 {
    f64::from(alphabet).powi(length as i32) / guesses_per_second
}

/// The figures measured by `benches/security.rs` (release, one core), quoted in the lesson.
pub mod measured {
    /// Salted SHA-256 of a 16-byte password.
    pub const SHA256_NS: f64 = 128.0;
    /// Argon2id at [`super::Cost::OWASP_MINIMUM`].
    pub const ARGON2ID_OWASP_NS: f64 = 32_500_000.0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;

    /// Tiny cost so tests run fast; the lesson's claims do not depend on the cost's size.
    const TEST_COST: Cost = Cost { memory_kib: 64, iterations: 1, parallelism: 1 };
    const RAISED_COST: Cost = Cost { memory_kib: 128, iterations: 2, parallelism: 1 };

    #[test]
    fn the_same_password_gets_different_hashes_for_different_users() {
        let policy = PasswordPolicy::new(TEST_COST);
        let mut rng = stream_rng(1, "salts");
        let alice = policy.hash("hunter2", &mut rng);
        let bob = policy.hash("hunter2", &mut rng);
        assert_ne!(alice, bob, "a shared hash lets one cracked password crack both accounts");
        // Both still verify: the salt is read back from each string.
        assert!(policy.verify("hunter2", &alice).is_ok());
        assert!(policy.verify("hunter2", &bob).is_ok());
    }

    #[test]
    fn hashing_is_deterministic_given_the_salt_so_the_salt_is_the_only_randomness() {
        let policy = PasswordPolicy::new(TEST_COST);
        let first = policy.hash("hunter2", &mut stream_rng(7, "salts"));
        let again = policy.hash("hunter2", &mut stream_rng(7, "salts"));
        assert_eq!(first, again);
    }

    #[test]
    fn verify_accepts_the_right_password_and_rejects_a_wrong_one() {
        let policy = PasswordPolicy::new(TEST_COST);
        let phc = policy.hash("correct horse battery staple", &mut stream_rng(2, "salts"));
        assert_eq!(policy.verify("correct horse battery staple", &phc), Ok(Verified { needs_rehash: false }));
        assert_eq!(policy.verify("correct horse battery stapler", &phc), Err(VerifyError::WrongPassword));
        assert!(matches!(policy.verify("x", "not a phc string"), Err(VerifyError::Malformed(_))));
    }

    #[test]
    fn the_phc_string_carries_algorithm_version_cost_and_salt() {
        let policy = PasswordPolicy::new(TEST_COST);
        let phc = policy.hash_with_salt("hunter2", &[7; SALT_LEN]);
        // `$argon2id$v=19$m=64,t=1,p=1$<22 chars of salt>$<43 chars of hash>`
        let fields: Vec<&str> = phc.split('$').collect();
        assert_eq!(fields[..4], ["", "argon2id", "v=19", "m=64,t=1,p=1"]);
        assert_eq!(fields[4], "BwcHBwcHBwcHBwcHBwcHBw", "the salt is stored in the clear (base64, no padding)");
        assert_eq!(fields[5].len(), 43, "32 bytes of output");
        assert_eq!(cost_of(&phc), Ok(TEST_COST));
    }

    #[test]
    fn old_hashes_keep_verifying_after_the_policy_is_raised() {
        let old_policy = PasswordPolicy::new(TEST_COST);
        let phc = old_policy.hash("hunter2", &mut stream_rng(3, "salts"));
        let new_policy = PasswordPolicy::new(RAISED_COST);
        // The new policy verifies with the cost stored in the string, and flags it as weak.
        assert_eq!(new_policy.verify("hunter2", &phc), Ok(Verified { needs_rehash: true }));
        assert_eq!(new_policy.verify("wrong", &phc), Err(VerifyError::WrongPassword));
    }

    #[test]
    fn a_successful_login_rehashes_an_outdated_hash_and_a_failed_one_does_not() {
        let mut rng = stream_rng(4, "salts");
        let mut users = BTreeMap::new();
        users.insert("alice".to_owned(), PasswordPolicy::new(TEST_COST).hash("hunter2", &mut rng));
        let before = users["alice"].clone();
        let policy = PasswordPolicy::new(RAISED_COST);

        assert_eq!(login(&mut users, &policy, "alice", "wrong", &mut rng), LoginOutcome::Rejected);
        assert_eq!(users["alice"], before, "no plaintext, no rehash");

        assert_eq!(login(&mut users, &policy, "alice", "hunter2", &mut rng), LoginOutcome::AcceptedAndRehashed);
        assert_eq!(cost_of(&users["alice"]), Ok(RAISED_COST));
        // The next login finds the hash up to date.
        assert_eq!(login(&mut users, &policy, "alice", "hunter2", &mut rng), LoginOutcome::Accepted);
    }

    #[test]
    fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
        let mut rng = stream_rng(5, "salts");
        let policy = PasswordPolicy::new(TEST_COST);
        let mut users = BTreeMap::from([("alice".to_owned(), policy.hash("hunter2", &mut rng))]);
        assert_eq!(login(&mut users, &policy, "mallory", "hunter2", &mut rng), LoginOutcome::Rejected);
        assert_eq!(login(&mut users, &policy, "alice", "nope", &mut rng), LoginOutcome::Rejected);
    }

    #[test]
    fn a_fast_hash_lets_one_core_exhaust_8_char_passwords_in_days_argon2id_in_millennia() {
        // The lesson's table, recomputed from the measured figures.
        let sha = guesses_per_second(measured::SHA256_NS, 1);
        let argon = guesses_per_second(measured::ARGON2ID_OWASP_NS, 1);
        assert!((7.0e6..8.5e6).contains(&sha), "{sha} SHA-256 guesses/s");
        assert!((25.0..35.0).contains(&argon), "{argon} Argon2id guesses/s");
        assert!(sha / argon > 200_000.0);

        const DAY_S: f64 = 86_400.0;
        let sha_days = seconds_to_exhaust(36, 8, sha) / DAY_S;
        let argon_years = seconds_to_exhaust(36, 8, argon) / DAY_S / 365.0;
        assert!((3.5..5.0).contains(&sha_days), "{sha_days} days with SHA-256");
        assert!(seconds_to_exhaust(36, 8, guesses_per_second(measured::SHA256_NS, 64)) < 2.0 * 3_600.0);
        assert!(argon_years > 2_500.0, "{argon_years} years with Argon2id");
    }
}

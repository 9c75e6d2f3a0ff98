//! # Security building blocks: password hashing, constant-time comparison, signed tokens, login limits, SQL parameters
//!
//! ## Why interviewers ask this
//! Backend interviews rarely ask for cryptography, but they always probe the few places where
//! a backend engineer handles secrets: storing passwords, checking a token or signature,
//! and defending the login endpoint. Each has a well-known wrong answer that looks fine in a
//! code review (`sha256(password)`, `if sig == expected`, `jwt.decode(token)`, "lock the
//! account after 5 tries"), and interviewers want to hear why each is wrong.
//!
//! ## How it works
//! | module | answers | the wrong answer it refutes |
//! | --- | --- | --- |
//! | [`password_hashing`] | how to store passwords: Argon2id, salts, cost, PHC strings, rehash on login | a fast hash (SHA-256), a global salt |
//! | [`constant_time`] | how to compare secrets: `subtle`, by construction | `==` on a MAC or token |
//! | [`tokens`] | how to verify a signed token: pinned algorithm, constant-time MAC check, required `exp` | `alg: none`, key confusion, no expiry |
//! | [`login_rate_limiting`] | how to slow guessing: per-account backoff and per-IP windows | hard lockout, per-account limits only |
//! | [`parameterized_queries`] | how input reaches SQL: placeholders bound after parsing | string-built SQL, hand-escaping |
//!
//! They compose on one request: the login limiter decides whether the password may be checked;
//! the password check recomputes Argon2id and compares in constant time; a success issues a
//! short-lived signed token; every later request verifies it under server-chosen rules.
//! Randomness (salts) comes from a seeded stream in tests and time from a virtual clock, so
//! every test is deterministic — except the one test whose subject *is* the wall clock
//! (`constant_time`'s timing-leak test), which measures distributions, never single timings.
//!
//! ## Common pitfalls
//! - Rolling your own crypto instead of composing vetted crates (`argon2`, `hmac`, `subtle`).
//! - Trusting attacker-controlled input (a token header, a client's claimed identity) before
//!   verifying it.
//! - Making secrets observable through side channels: timing, distinct error messages.
//!
//! ## Key takeaways
//! - Slow hashes for passwords, fast MACs for tokens, constant-time comparison for both.
//! - The server decides how input is verified; the input never does.
//! - Every defence has a limit (a botnet defeats per-IP limits); know where yours ends.
//!
//! ## Break it
//! Each module has a patch: `security_password_hashing` (a global salt),
//! `security_constant_time` (an "optimised" early exit), `security_tokens` (no expiry check),
//! `security_login_rate_limiting` (IP failures not counted), `security_parameterized_queries`
//! (binding by interpolation). Run `scripts/break-it.sh <topic>`.
//!
//! ## Interview questions
//! - **Q: Walk through a secure login.** A: Rate-limit check (account and IP) before anything;
//!   look up the user; verify Argon2id with the stored parameters (dummy hash for unknown
//!   users, same error for both); rehash if the policy was raised; issue a short-lived token
//!   and a server-side refresh token; MFA for anything sensitive.
//! - **Q: Where do timing side channels appear in a typical backend?** A: Comparing secrets
//!   with `==`, returning early for unknown users, looking up tokens by their value in an
//!   index. Compare in constant time, do equal work on every path, look up by a public id.

pub mod constant_time;
pub mod login_rate_limiting;
pub mod parameterized_queries;
pub mod password_hashing;
pub mod tokens;

//! Benchmarks for the security lessons whose point is a cost: one SHA-256 of a password vs one
//! Argon2id hash at OWASP's minimum cost (`security::password_hashing`), and HMAC token
//! signing and verification (`security::tokens`). The figures are quoted in those lessons.
//!
//! Run: `cargo bench -p fundamentals --bench security -- --warm-up-time 1 --measurement-time 3`.

use criterion::{criterion_group, criterion_main, Criterion};
use fundamentals::security::password_hashing::{Cost, PasswordPolicy, SALT_LEN};
use fundamentals::security::tokens::{sign_hs256, Claims, VerificationKey, Verifier};
use sha2::{Digest, Sha256};
use std::hint::black_box;

const PASSWORD: &str = "correct horse 42"; // 16 bytes
const SALT: [u8; SALT_LEN] = [7; SALT_LEN];

/// What an attacker pays per guess: the fast hash vs the password hash.
fn password_hash_cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("hash_one_password");
    group.bench_function("sha256_salted", |b| {
        b.iter(|| {
            let mut hasher = Sha256::new();
            hasher.update(black_box(SALT));
            hasher.update(black_box(PASSWORD.as_bytes()));
            hasher.finalize()
        })
    });
    // Argon2id runs in tens of milliseconds: few samples are plenty.
    group.sample_size(10);
    let owasp = PasswordPolicy::new(Cost::OWASP_MINIMUM);
    group.bench_function("argon2id_m19MiB_t2_p1", |b| b.iter(|| owasp.hash_with_salt(black_box(PASSWORD), &SALT)));
    let doubled = PasswordPolicy::new(Cost { memory_kib: 38 * 1024, ..Cost::OWASP_MINIMUM });
    group.bench_function("argon2id_m38MiB_t2_p1", |b| b.iter(|| doubled.hash_with_salt(black_box(PASSWORD), &SALT)));
    group.finish();
}

/// Tokens are checked on every request, so their cost is per request, unlike a login's.
fn token_cost(c: &mut Criterion) {
    let secret = [42u8; 32];
    let claims = Claims { sub: "alice".into(), admin: false, exp_s: 4_000_000_000 };
    let token = sign_hs256(&claims, &secret);
    let verifier = Verifier { key: VerificationKey::HmacSecret(secret.to_vec()), leeway_s: 30 };
    let mut group = c.benchmark_group("hs256_token");
    group.bench_function("sign", |b| b.iter(|| sign_hs256(black_box(&claims), &secret)));
    group.bench_function("verify", |b| b.iter(|| verifier.verify(black_box(&token), 1_700_000_000_000)));
    group.finish();
}

criterion_group!(benches, password_hash_cost, token_cost);
criterion_main!(benches);

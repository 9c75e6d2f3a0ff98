//! # Signed tokens (JWT, HS256) and the classic verification pitfalls
//!
//! ## Why interviewers ask this
//! Stateless auth tokens are everywhere (JWT access tokens, signed cookies, presigned URLs),
//! and their famous vulnerabilities are all *verification* bugs, not cryptography bugs:
//! accepting `alg: none`, letting the token pick its own algorithm (RS256 → HS256 key
//! confusion), forgetting to check expiry. Interviewers ask "how would you validate a JWT?"
//! and "how do you revoke one?" to find out whether you know that the token is
//! attacker-controlled input until its signature is checked *under rules the server chose*.
//!
//! ## How it works
//! A JWT is `base64url(header) . base64url(claims) . base64url(signature)`. For HS256 the
//! signature is `HMAC-SHA256(secret, "<header>.<claims>")` over the exact bytes received.
//! [`sign_hs256`] builds one; [`Verifier::verify`] checks one, in this order:
//! 1. Three parts, each valid base64url; the header is JSON.
//! 2. **The algorithm is pinned by the server**: the verifier's key decides what is
//!    acceptable (an HMAC secret → `HS256` only; an RSA public key → `RS256` only). The
//!    header's `alg` must match exactly; `none` never does. Nothing is computed before this.
//! 3. The signature is checked with `hmac`'s `verify_slice`, which compares in constant time
//!    (see [`super::constant_time`]).
//! 4. Only now are the claims parsed and trusted: `exp` is **required** and checked against
//!    the clock (`now_ms` from a [`crate::sim::VirtualClock`] in tests), with a small leeway
//!    for clock skew between issuer and verifier.
//!
//! [`verify_trusting_header`] is the broken verifier the pitfalls exploit: it lets the header
//! choose the algorithm and never looks at `exp`. The tests forge tokens that it accepts and
//! the pinned verifier rejects. (RS256 signature *maths* is out of scope — this lesson needs
//! no RSA library — so the pinned verifier answers [`TokenError::Unsupported`] after pinning
//! for an RSA key; what matters here is that it refuses HS256 before any computation.)
//!
//! Key confusion, step by step: the server signs with an RSA private key and verifies with the
//! RSA *public* key, which is public (a JWKS endpoint). The attacker writes
//! `{"alg":"HS256"}`, signs with HMAC using the public key's bytes as the secret, and sends
//! it. A verifier that does `verify(token, key)` with "the key" and the token's `alg` computes
//! HMAC(public key, …) — and it matches.
//!
//! Measured (`benches/security.rs`, release): signing ≈ 3.9 µs, verifying ≈ 3.3 µs (base64,
//! JSON and HMAC-SHA256 together) — about 10 000× cheaper than one Argon2id password check,
//! which is why a login is exchanged for a token and the token, not the password, is
//! checked on every request.
//!
//! ## Common pitfalls
//! - Reading the algorithm from the token. Pin it in configuration; reject `none` always.
//! - Decoding without verifying ("just read the user id from the payload").
//! - Not checking `exp` (or accepting tokens without `exp`); no leeway, or an hour of it.
//! - Weak HS256 secrets: the token is an offline brute-force target. Use 256 random bits.
//! - Long-lived tokens with no revocation story: a JWT is valid until it expires. Keep access
//!   tokens short (minutes), use refresh tokens stored server-side, and a deny-list of token
//!   ids (`jti`) for emergencies.
//! - Secrets in the payload: it is only base64, anyone can read it.
//!
//! ## Key takeaways
//! - A token is untrusted input until verified under server-chosen rules: fixed algorithm,
//!   fixed key, required `exp`, checked audience/issuer.
//! - HMAC tokens need one shared secret (fine inside one service); asymmetric (RS256/EdDSA)
//!   lets many services verify without being able to mint.
//! - Stateless means revocation is hard: short expiry + refresh tokens.
//!
//! ## Break it
//! `fundamentals/breaks/security_tokens.patch` deletes the expiry check from
//! [`Verifier::verify`]. A stolen token now works forever:
//! `a_token_verifies_until_it_expires_on_the_virtual_clock` and
//! `an_expired_token_is_accepted_only_when_expiry_is_unchecked` fail.
//!
//! ## Interview questions
//! - **Q: How do you validate a JWT?** A: Split and decode; check `alg` equals the one
//!   configured for this key (never `none`); verify the signature in constant time; then check
//!   `exp` (required), `nbf`, `iss`, `aud`, with a small clock-skew leeway; only then use claims.
//! - **Q: What is the `alg: none` attack?** A: The token declares itself unsigned; a library
//!   that honours the header skips verification and accepts any claims. Pin the algorithm.
//! - **Q: Explain RS256/HS256 key confusion.** A: The verifier holds the RSA public key. The
//!   attacker sends an HS256 token MACed with that public key as the secret; a verifier that
//!   picks the algorithm from the header computes the same HMAC and accepts. Pinning the
//!   algorithm per key (an RSA key only verifies RS256) prevents it.
//! - **Q: How do you revoke a JWT?** A: You can't un-sign it: keep access tokens short-lived,
//!   revoke refresh tokens server-side, and for emergencies check a deny-list of `jti`s (which
//!   reintroduces a lookup) or rotate the signing key (logs everyone out).
//! - **Q: Sessions or JWTs?** A: Server sessions: instant revocation, one lookup per request.
//!   JWTs: no lookup, verifiable by many services, but revocation is slow. Many systems use
//!   short JWTs for service-to-service and sessions for browsers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The claims this lesson cares about. `exp` is in seconds since the epoch, as in JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub admin: bool,
    pub exp_s: u64,
}

/// The key a verifier holds; its kind decides which algorithm it accepts.
#[derive(Debug, Clone)]
pub enum VerificationKey {
    /// A shared secret: accepts `HS256` only.
    HmacSecret(Vec<u8>),
    /// An RSA public key (PEM bytes): accepts `RS256` only. Public by design.
    RsaPublicKey(Vec<u8>),
}

impl VerificationKey {
    fn algorithm(&self) -> &'static str {
        match self {
            VerificationKey::HmacSecret(_) => "HS256",
            VerificationKey::RsaPublicKey(_) => "RS256",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Malformed(&'static str),
    /// The header's `alg` is not the one pinned for this key (including `none`).
    AlgorithmNotAllowed(String),
    BadSignature,
    Expired {
        exp_s: u64,
        now_s: u64,
    },
    /// RS256 signature verification is not implemented in this lesson.
    Unsupported,
}

/// Signs `claims` with HS256 under `secret`.
pub fn sign_hs256(claims: &Claims, secret: &[u8]) -> String {
    let signing_input = signing_input(&json!({"alg": "HS256", "typ": "JWT"}), claims);
    let signature = hmac_sha256(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Builds a token from any header and signature: what an attacker can do.
pub fn assemble(header: &Value, claims: &Claims, signature: &[u8]) -> String {
    format!("{}.{}", signing_input(header, claims), URL_SAFE_NO_PAD.encode(signature))
}

/// `base64url(header) . base64url(claims)`: the bytes the signature covers.
pub fn signing_input(header: &Value, claims: &Claims) -> String {
    let payload = json!({"sub": claims.sub, "admin": claims.admin, "exp": claims.exp_s});
    format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(payload.to_string()))
}

pub fn hmac_sha256(secret: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The parts of a token, decoded but not yet trusted.
struct Parts<'a> {
    signing_input: &'a str,
    alg: String,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    let mut pieces = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(TokenError::Malformed("a JWT has exactly three parts"));
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed("not base64url"));
    let header: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed("header is not JSON"))?;
    let alg = header["alg"].as_str().ok_or(TokenError::Malformed("header has no alg"))?.to_owned();
    Ok(Parts {
        // The signature covers the bytes as received; never re-encode before checking.
        signing_input: &token[..token.rfind('.').expect("three parts")],
        alg,
        payload: decode(payload)?,
        signature: decode(signature)?,
    })
}

fn parse_claims(payload: &[u8]) -> Result<Claims, TokenError> {
    let claims: Value = serde_json::from_slice(payload).map_err(|_| TokenError::Malformed("claims are not JSON"))?;
    Ok(Claims {
        sub: claims["sub"].as_str().ok_or(TokenError::Malformed("no sub"))?.to_owned(),
        admin: claims["admin"].as_bool().unwrap_or(false),
        // Required: a token without an expiry would be valid forever.
        exp_s: claims["exp"].as_u64().ok_or(TokenError::Malformed("no exp"))?,
    })
}

/// The correct verifier: algorithm pinned by the key, constant-time signature check,
/// required expiry with bounded leeway.
pub struct Verifier {
    pub key: VerificationKey,
    /// Tolerated clock skew between the issuer and this verifier.
    pub leeway_s: u64,
}

impl Verifier {
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        let parts = split(token)?;
        // Pin first: the token does not get to choose how it is checked.
        if parts.alg != self.key.algorithm() {
            return Err(TokenError::AlgorithmNotAllowed(parts.alg));
        }
        let VerificationKey::HmacSecret(secret) = &self.key else {
            return Err(TokenError::Unsupported);
        };
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(parts.signing_input.as_bytes());
        mac.verify_slice(&parts.signature).map_err(|_| TokenError::BadSignature)?;

        let claims = parse_claims(&parts.payload)?;
        let now_s = now_ms / 1_000;
        if now_s >= claims.exp_s.saturating_add(self.leeway_s) {
            return Err(TokenError::Expired { exp_s: claims.exp_s, now_s });
        }
        Ok(claims)
    }
}

/// THE PITFALL, kept for the tests: lets the token's header pick the algorithm and uses
/// whatever key it was given for it, and never checks `exp`. Do not write this.
pub fn verify_trusting_header(token: &str, key: &[u8], _now_ms: u64) -> Result<Claims, TokenError> {
    let parts = split(token)?;
    match parts.alg.as_str() {
        "none" => {} // "unsigned token": nothing to check
        "HS256" => {
            // `key` may be an RSA public key: HMAC happily takes any bytes as a secret.
            let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
            mac.update(parts.signing_input.as_bytes());
            mac.verify_slice(&parts.signature).map_err(|_| TokenError::BadSignature)?;
        }
        "RS256" => return Err(TokenError::Unsupported),
        other => return Err(TokenError::AlgorithmNotAllowed(other.to_owned())),
    }
    parse_claims(&parts.payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef"; // 256 bits; random in real life
    /// The server's RSA public key as its JWKS endpoint serves it (contents irrelevant here).
    const RSA_PUBLIC_PEM: &[u8] =
        b"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    const T0_MS: u64 = 1_700_000_000_000;

    fn claims(sub: &str, admin: bool, exp_s: u64) -> Claims {
        Claims { sub: sub.to_owned(), admin, exp_s }
    }

    fn hs256_verifier() -> Verifier {
        Verifier { key: VerificationKey::HmacSecret(SECRET.to_vec()), leeway_s: 30 }
    }

    #[test]
    fn a_token_verifies_until_it_expires_on_the_virtual_clock() {
        let mut clock = VirtualClock::starting_at(T0_MS);
        let issued = claims("alice", false, T0_MS / 1_000 + 900); // a 15-minute access token
        let token = sign_hs256(&issued, SECRET);
        let verifier = hs256_verifier();
        assert_eq!(verifier.verify(&token, clock.now_ms()), Ok(issued.clone()));
        clock.advance_ms(900_000); // at `exp`, still inside the 30 s leeway
        assert_eq!(verifier.verify(&token, clock.now_ms()), Ok(issued.clone()));
        clock.advance_ms(30_000);
        assert_eq!(
            verifier.verify(&token, clock.now_ms()),
            Err(TokenError::Expired { exp_s: issued.exp_s, now_s: issued.exp_s + 30 })
        );
    }

    #[test]
    fn a_tampered_payload_or_another_key_is_rejected() {
        let token = sign_hs256(&claims("alice", false, u64::MAX / 2_000), SECRET);
        // Swap the payload for one that says admin, keep the header and the old signature.
        let parts: Vec<&str> = token.split('.').collect();
        let admin_payload = json!({"sub": "alice", "admin": true, "exp": u64::MAX / 2_000}).to_string();
        let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(admin_payload), parts[2]);
        assert_eq!(hs256_verifier().verify(&tampered, T0_MS), Err(TokenError::BadSignature));

        let other_key = sign_hs256(&claims("alice", true, u64::MAX / 2_000), b"someone else's secret");
        assert_eq!(hs256_verifier().verify(&other_key, T0_MS), Err(TokenError::BadSignature));
        assert_eq!(hs256_verifier().verify("a.b", T0_MS), Err(TokenError::Malformed("a JWT has exactly three parts")));
    }

    #[test]
    fn alg_none_is_accepted_by_the_header_trusting_verifier_and_rejected_by_the_pinned_one() {
        let forged = assemble(&json!({"alg": "none", "typ": "JWT"}), &claims("mallory", true, u64::MAX / 2_000), b"");
        let fooled = verify_trusting_header(&forged, SECRET, T0_MS).expect("the broken verifier accepts it");
        assert!(fooled.admin, "an unsigned token just made mallory an admin");
        assert_eq!(hs256_verifier().verify(&forged, T0_MS), Err(TokenError::AlgorithmNotAllowed("none".into())));
    }

    #[test]
    fn an_expired_token_is_accepted_only_when_expiry_is_unchecked() {
        let token = sign_hs256(&claims("alice", false, T0_MS / 1_000 + 60), SECRET);
        let a_day_later_ms = T0_MS + 86_400_000;
        assert!(verify_trusting_header(&token, SECRET, a_day_later_ms).is_ok(), "a stolen token works forever");
        assert!(matches!(hs256_verifier().verify(&token, a_day_later_ms), Err(TokenError::Expired { .. })));
    }

    #[test]
    fn a_token_without_exp_is_rejected() {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(json!({"sub": "alice"}).to_string());
        let input = format!("{header}.{payload}");
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(hmac_sha256(SECRET, input.as_bytes())));
        assert_eq!(hs256_verifier().verify(&token, T0_MS), Err(TokenError::Malformed("no exp")));
    }

    #[test]
    fn key_confusion_an_hs256_token_macd_with_the_rsa_public_key_fools_only_the_header_trusting_verifier() {
        // The attacker downloads the public key and uses its bytes as an HMAC secret.
        let forged_claims = claims("mallory", true, u64::MAX / 2_000);
        let input = signing_input(&json!({"alg": "HS256", "typ": "JWT"}), &forged_claims);
        let forged = assemble(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &forged_claims,
            &hmac_sha256(RSA_PUBLIC_PEM, input.as_bytes()),
        );

        // A service that verifies its RS256 tokens with `verify(token, public_key)`:
        assert_eq!(verify_trusting_header(&forged, RSA_PUBLIC_PEM, T0_MS), Ok(forged_claims));
        // The pinned verifier knows an RSA key verifies RS256 only, and computes nothing.
        let pinned = Verifier { key: VerificationKey::RsaPublicKey(RSA_PUBLIC_PEM.to_vec()), leeway_s: 30 };
        assert_eq!(pinned.verify(&forged, T0_MS), Err(TokenError::AlgorithmNotAllowed("HS256".into())));
    }
}

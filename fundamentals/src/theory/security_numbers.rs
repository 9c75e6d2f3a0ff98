//! The numbers the security chapter (`fundamentals/theory/security.md`) quotes, each computed
//! from the assumptions the chapter states: how long an offline attacker needs to try every
//! password of a given shape against a fast hash and against a slow one, what attempt limits do
//! to a six-digit code, and how far a credential-stuffing run gets past per-address limits.

use super::capacity::{DAYS_PER_YEAR, SECONDS_PER_DAY};

/// Passwords of exactly `length` characters drawn from an alphabet of `alphabet` symbols.
pub fn keyspace(alphabet: u64, length: u32) -> u128 {
    u128::from(alphabet).pow(length)
}

/// Seconds to try every candidate of `keyspace` at `guesses_per_second` (rounded up).
pub fn seconds_to_exhaust(keyspace: u128, guesses_per_second: u64) -> u128 {
    assert!(guesses_per_second > 0, "an attacker who never guesses never finishes");
    keyspace.div_ceil(u128::from(guesses_per_second))
}

/// `seconds` in whole days, rounded up.
pub fn days(seconds: u128) -> u128 {
    seconds.div_ceil(u128::from(SECONDS_PER_DAY))
}

/// `seconds` in whole years, rounded up.
pub fn years(seconds: u128) -> u128 {
    seconds.div_ceil(u128::from(SECONDS_PER_DAY * DAYS_PER_YEAR))
}

/// Odds against guessing a one-time code of `digits` digits in `attempts` tries: "1 in N".
pub fn code_odds_one_in(digits: u32, attempts: u64) -> u64 {
    assert!(attempts > 0, "no attempt, no chance");
    10u64.pow(digits) / attempts
}

/// Minutes to try every code of `digits` digits with no limit, at `guesses_per_second`.
pub fn unlimited_code_minutes(digits: u32, guesses_per_second: u64) -> u64 {
    assert!(guesses_per_second > 0, "an attacker who never guesses never finishes");
    10u64.pow(digits).div_ceil(guesses_per_second).div_ceil(60)
}

/// Minutes a credential-stuffing run of `pairs` leaked logins takes when each of `addresses`
/// source addresses stays under a per-address limit of `per_address_per_minute`.
pub fn stuffing_minutes(pairs: u64, addresses: u64, per_address_per_minute: u64) -> u64 {
    pairs.div_ceil(addresses * per_address_per_minute)
}

/// Accounts taken over when `reuse_per_mille` of the leaked pairs still work here.
pub fn accounts_taken_over(pairs: u64, reuse_per_mille: u64) -> u64 {
    pairs * reuse_per_mille / 1_000
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    /// Lower-case letters and digits.
    pub const SHORT_ALPHABET: u64 = 36;
    pub const SHORT_LENGTH: u32 = 8;
    /// Upper- and lower-case letters and digits.
    pub const LONG_ALPHABET: u64 = 62;
    pub const LONG_LENGTH: u32 = 12;
    /// A GPU rig against an unsalted fast hash (MD5, SHA-1, SHA-256): ten billion a second.
    pub const FAST_HASH_GUESSES_PER_SECOND: u64 = 10_000_000_000;
    /// The same rig against bcrypt at a work factor that costs a server tens of milliseconds.
    pub const SLOW_HASH_GUESSES_PER_SECOND: u64 = 10_000;
    pub const CODE_DIGITS: u32 = 6;
    pub const CODE_ATTEMPTS: u64 = 5;
    pub const UNLIMITED_GUESSES_PER_SECOND: u64 = 100;
    pub const LEAKED_PAIRS: u64 = 1_000_000;
    pub const ATTACK_ADDRESSES: u64 = 1_000;
    pub const PER_ADDRESS_PER_MINUTE: u64 = 10;
    /// Half a percent of leaked pairs work on another site.
    pub const REUSE_PER_MILLE: u64 = 5;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn a_short_password_falls_in_minutes_to_a_fast_hash_and_in_years_to_bcrypt() {
        let space = keyspace(SHORT_ALPHABET, SHORT_LENGTH);
        assert_eq!(space, 2_821_109_907_456);
        assert_eq!(seconds_to_exhaust(space, FAST_HASH_GUESSES_PER_SECOND), 283); // 282.1 s
        let slow = seconds_to_exhaust(space, SLOW_HASH_GUESSES_PER_SECOND);
        assert_eq!(slow, 282_110_991);
        assert_eq!(days(slow), 3_266);
    }

    #[test]
    fn length_beats_everything_even_against_a_fast_hash() {
        let space = keyspace(LONG_ALPHABET, LONG_LENGTH);
        assert_eq!(space, 3_226_266_762_397_899_821_056);
        // 3.2 × 10¹¹ s at ten billion a second.
        assert_eq!(years(seconds_to_exhaust(space, FAST_HASH_GUESSES_PER_SECOND)), 10_231);
    }

    #[test]
    fn attempt_limits_make_a_six_digit_code_safe() {
        assert_eq!(code_odds_one_in(CODE_DIGITS, CODE_ATTEMPTS), 200_000);
        assert_eq!(unlimited_code_minutes(CODE_DIGITS, UNLIMITED_GUESSES_PER_SECOND), 167);
        // 10,000 s
    }

    #[test]
    fn per_address_limits_only_slow_a_distributed_attack() {
        assert_eq!(stuffing_minutes(LEAKED_PAIRS, ATTACK_ADDRESSES, PER_ADDRESS_PER_MINUTE), 100);
        assert_eq!(accounts_taken_over(LEAKED_PAIRS, REUSE_PER_MILLE), 5_000);
    }
}

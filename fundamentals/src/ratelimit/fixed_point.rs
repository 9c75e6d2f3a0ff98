//! Fixed-point token arithmetic shared by the token bucket and the leaky bucket.
//!
//! Both buckets hold a fractional amount (tokens, or water) that changes at a rate given in
//! units per second. Floats would drift: adding `0.1` ten thousand times is not `1000.0`, and
//! two replicas of the same bucket could disagree on a decision. Instead one token is
//! [`UNITS_PER_TOKEN`] integer units, and the rate is converted once, up front, into a whole
//! number of units per millisecond. After that every update is exact integer arithmetic:
//! `elapsed_ms * units_per_ms`, with nothing lost between calls however often they come.

/// Nano-tokens: a rate is kept to the nearest 10⁻⁶ token per second.
pub(crate) const UNITS_PER_TOKEN: u64 = 1_000_000_000;

/// Units gained (or drained) per millisecond for a rate of `per_second` tokens per second.
///
/// Panics unless the rate is finite, positive, and at least 10⁻⁶ per second (smaller rates
/// would round to zero and the bucket would silently never refill).
pub(crate) fn units_per_ms(per_second: f64) -> u64 {
    assert!(per_second.is_finite(), "rate must be finite, got {per_second}");
    assert!(per_second > 0.0, "rate must be positive, got {per_second}");
    // One token per second is UNITS_PER_TOKEN / 1000 units per millisecond.
    let units = (per_second * (UNITS_PER_TOKEN / 1_000) as f64).round();
    assert!(units >= 1.0, "rate {per_second}/s is below the 1e-6/s resolution");
    assert!(units < u64::MAX as f64, "rate {per_second}/s overflows the fixed-point range");
    units as u64
}

/// The rate actually enforced, in tokens per second, after rounding to the unit grid.
pub(crate) fn per_second(units_per_ms: u64) -> f64 {
    units_per_ms as f64 / (UNITS_PER_TOKEN / 1_000) as f64
}

/// `tokens` whole tokens in units; panics if the amount cannot be represented.
pub(crate) fn tokens_to_units(tokens: u64) -> u64 {
    tokens.checked_mul(UNITS_PER_TOKEN).unwrap_or_else(|| panic!("{tokens} tokens overflow the fixed-point range"))
}

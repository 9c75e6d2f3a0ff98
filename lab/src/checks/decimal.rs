//! Exact decimals for bounds: a percentage or a ratio from a scenario file, compared with
//! counts in integer arithmetic so that a count equal to the printed bound is never failed by
//! rounding (100 × 1.15 is 114.999… in floating point; here it is 115).

use std::fmt;

/// A non-negative decimal as written in the file: `units / 10^scale` (15 → 15/1, 12.5 → 125/10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    units: u64,
    scale: u32,
}

/// More decimal places than any bound needs; a number with more is rejected by the loader.
const MAX_SCALE: u32 = 6;

impl Decimal {
    /// The decimal a TOML number stands for, read from its shortest decimal form; `None` for a
    /// negative, non-finite or absurdly large number, or one with more than six decimal places.
    pub fn from_f64(value: f64) -> Option<Self> {
        if !(0.0..=1e12).contains(&value) {
            return None;
        }
        let text = format!("{value}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let scale = u32::try_from(fraction.len()).ok().filter(|s| *s <= MAX_SCALE)?;
        let units = format!("{whole}{fraction}").parse().ok()?;
        Some(Self { units, scale })
    }

    pub const fn whole(units: u64) -> Self {
        Self { units, scale: 0 }
    }

    fn denominator(self) -> u128 {
        10u128.pow(self.scale)
    }

    /// `self <= numerator / denominator`, exactly.
    pub fn is_at_most_ratio(self, numerator: u64, denominator: u64) -> bool {
        u128::from(numerator) * self.denominator() >= u128::from(self.units) * u128::from(denominator)
    }

    /// `self >= numerator / denominator`, exactly.
    pub fn is_at_least_ratio(self, numerator: u64, denominator: u64) -> bool {
        u128::from(numerator) * self.denominator() <= u128::from(self.units) * u128::from(denominator)
    }

    /// `floor(factor × self / 100)`: the whole count a percentage of `factor` allows.
    pub fn percent_of_floor(self, factor: u64) -> u64 {
        let value = u128::from(factor) * u128::from(self.units) / (100 * self.denominator());
        u64::try_from(value).unwrap_or(u64::MAX)
    }

    /// `self + other`, exactly.
    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| d.units * 10u64.pow(scale - d.scale);
        Decimal { units: widen(self) + widen(other), scale }
    }

    /// The larger of the two.
    pub fn max(self, other: Decimal) -> Decimal {
        let widen = |d: Decimal| u128::from(d.units) * 10u128.pow(MAX_SCALE - d.scale);
        if widen(other) > widen(self) {
            other
        } else {
            self
        }
    }

    pub fn is_zero(self) -> bool {
        self.units == 0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let denominator = 10u64.pow(self.scale);
        let (whole, fraction) = (self.units / denominator, self.units % denominator);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:0width$}", width = self.scale as usize);
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_percent_of_one_hundred_is_exactly_one_hundred_and_fifteen() {
        let bound = Decimal::whole(100).plus(Decimal::from_f64(15.0).unwrap()).percent_of_floor(100);
        assert_eq!(bound, 115);
        let (limit, factor) = (std::hint::black_box(100.0f64), std::hint::black_box(1.15f64));
        assert!(limit * factor < 115.0, "the floating-point product this type exists to avoid");
    }

    #[test]
    fn fractions_are_kept_as_written_and_compared_exactly() {
        let d = Decimal::from_f64(12.5).unwrap();
        assert_eq!(d.to_string(), "12.5");
        assert!(d.is_at_most_ratio(25, 2));
        assert!(!d.is_at_most_ratio(249, 20));
        assert!(d.is_at_least_ratio(25, 2));
        assert!(!d.is_at_least_ratio(251, 20));
        assert_eq!(Decimal::from_f64(1.5).unwrap().to_string(), "1.5");
        assert_eq!(Decimal::from_f64(95.0).unwrap().to_string(), "95");
    }

    #[test]
    fn unusable_numbers_are_refused() {
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e13, 0.1234567] {
            assert_eq!(Decimal::from_f64(bad), None, "{bad}");
        }
    }
}

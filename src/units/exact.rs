//! Exact figures: arbitrary-precision rational numbers.
//!
//! Inputs are decimals of at most 28 significant digits, but their products, sums and
//! quotients are kept exactly, whatever their size: a line of
//! `13387220671609.38 kg × 67.76770033299787411647109880 kgCO2e/kg` is
//! `907221158765339.00499999999995…` and must round half-up to `…339.00`, which a 28-digit
//! intermediate result would have turned into `…339.01`. Figures lose digits only when they
//! are rounded for display ([`crate::units::rounding`]), once.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Mul, Neg, Sub};

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

use crate::units::rounding::RoundingMode;

/// An exact figure: a rational number of any size.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Exact(BigRational);

impl fmt::Debug for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn ten_pow(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

impl Exact {
    /// Zero.
    pub fn zero() -> Exact {
        Exact(BigRational::zero())
    }

    /// A whole number.
    pub fn int(n: i64) -> Exact {
        Exact(BigRational::from_integer(BigInt::from(n)))
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// The absolute value.
    pub fn abs(&self) -> Exact {
        Exact(self.0.abs())
    }

    /// `self / other`, or `None` when `other` is zero.
    pub fn checked_div(&self, other: &Exact) -> Option<Exact> {
        (!other.is_zero()).then(|| Exact(&self.0 / &other.0))
    }

    /// `self / other`, or zero when `other` is zero (a share of nothing).
    pub fn fraction_of(&self, other: &Exact) -> Exact {
        self.checked_div(other).unwrap_or_default()
    }

    /// The value rounded to `places` decimals, exactly once, as its digits and scale:
    /// `(n, places)` stands for `n / 10^places`.
    fn rounded_units(&self, places: u32, mode: RoundingMode) -> BigInt {
        let scaled = self.0.numer() * ten_pow(places);
        let den = self.0.denom(); // always positive
        let (q, r) = scaled.abs().div_rem(den);
        let twice = &r * 2u8;
        let up = match twice.cmp(den) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => match mode {
                RoundingMode::HalfUp => true,
                RoundingMode::HalfEven => q.is_odd(),
            },
        };
        let q = if up { q + 1u8 } else { q };
        if scaled.sign() == Sign::Minus { -q } else { q }
    }

    /// The value rounded to `places` decimals, exactly once.
    pub fn round(&self, places: u32, mode: RoundingMode) -> Exact {
        let n = self.rounded_units(places, mode);
        Exact(BigRational::new(n, ten_pow(places)))
    }

    /// The value rounded to `places` decimals and written with exactly that many
    /// (`42900.00`); never `-0.00`.
    pub fn format(&self, places: u32, mode: RoundingMode) -> String {
        let n = self.rounded_units(places, mode);
        let negative = n.is_negative();
        let digits = n.abs().to_string();
        let places = places as usize;
        let digits = if digits.len() <= places {
            format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
        } else {
            digits
        };
        let (int, frac) = digits.split_at(digits.len() - places);
        let sign = if negative { "-" } else { "" };
        if places == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    /// The exact decimal expansion when it has at most `max_places` decimals; otherwise
    /// rounded half-even to `max_places` (for spreadsheet caches, which hold binary floats
    /// anyway). Trailing zeros are dropped.
    pub fn to_plain(&self, max_places: u32) -> String {
        let s = self.format(max_places, RoundingMode::HalfEven);
        match s.split_once('.') {
            Some((int, frac)) => {
                let frac = frac.trim_end_matches('0');
                if frac.is_empty() {
                    int.to_owned()
                } else {
                    format!("{int}.{frac}")
                }
            }
            None => s,
        }
    }

    /// A binary float's exact value (0 for a NaN or an infinity): the way back from a
    /// statistical estimate to exact figures.
    pub fn from_f64(f: f64) -> Exact {
        Exact(BigRational::from_float(f).unwrap_or_default())
    }

    /// The nearest binary float, for spreadsheet cells that hold one.
    pub fn to_f64(&self) -> f64 {
        self.0.to_f64().unwrap_or(0.0)
    }
}

impl From<Decimal> for Exact {
    fn from(d: Decimal) -> Exact {
        let n = BigInt::from(d.mantissa());
        Exact(BigRational::new(n, ten_pow(d.scale())))
    }
}

impl From<&Decimal> for Exact {
    fn from(d: &Decimal) -> Exact {
        Exact::from(*d)
    }
}

impl From<&Exact> for Exact {
    fn from(x: &Exact) -> Exact {
        x.clone()
    }
}

impl From<u32> for Exact {
    fn from(n: u32) -> Exact {
        Exact(BigRational::from_integer(BigInt::from(n)))
    }
}

macro_rules! binary {
    ($trait:ident, $method:ident) => {
        impl $trait<&Exact> for &Exact {
            type Output = Exact;
            fn $method(self, other: &Exact) -> Exact {
                Exact((&self.0).$method(&other.0))
            }
        }
        impl $trait<Exact> for Exact {
            type Output = Exact;
            fn $method(self, other: Exact) -> Exact {
                Exact(self.0.$method(other.0))
            }
        }
        impl $trait<&Exact> for Exact {
            type Output = Exact;
            fn $method(self, other: &Exact) -> Exact {
                Exact(self.0.$method(&other.0))
            }
        }
    };
}

binary!(Add, add);
binary!(Sub, sub);
binary!(Mul, mul);

impl Neg for Exact {
    type Output = Exact;
    fn neg(self) -> Exact {
        Exact(-self.0)
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::zero(), |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a Exact> for Exact {
    fn sum<I: Iterator<Item = &'a Exact>>(iter: I) -> Exact {
        iter.fold(Exact::zero(), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn x(d: Decimal) -> Exact {
        Exact::from(d)
    }

    #[test]
    fn products_are_rounded_once() {
        // The line: a 28-digit intermediate result rounds this to ...339.01.
        let kg = x(dec!(13387220671609.38)) * x(dec!(67.76770033299787411647109880));
        assert_eq!(kg.format(2, RoundingMode::HalfUp), "907221158765339.00");
        let rounded_twice = dec!(13387220671609.38) * dec!(67.76770033299787411647109880);
        assert_eq!(
            rounded_twice
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            dec!(907221158765339.01)
        );
    }

    #[test]
    fn halves_negatives_and_zero() {
        assert_eq!(x(dec!(4703.985)).format(2, RoundingMode::HalfUp), "4703.99");
        assert_eq!(
            x(dec!(4703.985)).format(2, RoundingMode::HalfEven),
            "4703.98"
        );
        assert_eq!(x(dec!(-0.125)).format(2, RoundingMode::HalfUp), "-0.13");
        assert_eq!(x(dec!(-0.125)).format(2, RoundingMode::HalfEven), "-0.12");
        assert_eq!(x(dec!(-0.001)).format(2, RoundingMode::HalfUp), "0.00");
        assert_eq!(x(dec!(0.5)).format(0, RoundingMode::HalfEven), "0");
        assert_eq!(x(dec!(2.5)).format(0, RoundingMode::HalfUp), "3");
        assert_eq!(x(dec!(0.05)).format(1, RoundingMode::HalfUp), "0.1");
        assert_eq!(
            Exact::int(1)
                .fraction_of(&Exact::int(3))
                .format(10, RoundingMode::HalfUp),
            "0.3333333333"
        );
        assert_eq!(
            Exact::int(2)
                .fraction_of(&Exact::int(3))
                .format(3, RoundingMode::HalfUp),
            "0.667"
        );
        // Far beyond the 96-bit decimal range, still exact.
        let big = x(dec!(9999999999999999999999999999)) * x(dec!(2.1));
        assert_eq!(
            big.format(1, RoundingMode::HalfUp),
            "20999999999999999999999999997.9"
        );
        assert_eq!(x(dec!(1.50)).to_plain(28), "1.5");
        assert_eq!(
            Exact::int(1).fraction_of(&Exact::int(3)).to_plain(4),
            "0.3333"
        );
    }
}

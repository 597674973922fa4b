//! Rounding for display and output: the one place where a figure loses digits.

use crate::units::exact::Exact;

/// How results are rounded for display (`engagement.rounding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounding {
    /// Half-up (the default) or half-even.
    pub mode: RoundingMode,
    /// Decimal places kept, 2 unless the file says otherwise.
    pub places: u32,
}

/// Half-up (四舍五入, away from zero at exact halves) or half-even (banker's rounding): the
/// file's own `engagement.rounding.mode`, used as it was read.
pub use crate::input::model::RoundingMode;

impl Default for Rounding {
    fn default() -> Self {
        Rounding {
            mode: RoundingMode::HalfUp,
            places: 2,
        }
    }
}

impl RoundingMode {
    /// The name used in files: `half-up` or `half-even`.
    pub fn key(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "half-up",
            RoundingMode::HalfEven => "half-even",
        }
    }
}

impl Rounding {
    /// `value` rounded to the configured places, exactly once (`42900.00`).
    pub fn round(&self, value: impl Into<Exact>) -> Exact {
        value.into().round(self.places, self.mode)
    }

    /// `value` rounded and written out with the configured places, e.g. `"67318.57"`;
    /// never `-0.00`, which reads as a sign error in a report.
    pub fn format(&self, value: impl Into<Exact>) -> String {
        value.into().format(self.places, self.mode)
    }
}

/// The integer part of a formatted figure in groups of three digits, separated by a thin
/// space (U+2009), from four digits on: `-1550204.46` → `-1 550 204.46`.
pub fn group_thousands(figure: &str) -> String {
    let start = figure.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let end = figure[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(figure.len(), |i| start + i);
    let digits = &figure[start..end];
    if digits.len() < 4 {
        return figure.to_string();
    }
    let mut out = figure[..start].to_string();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(d);
    }
    out + &figure[end..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn exact_halves_follow_the_mode() {
        let up = Rounding::default();
        let even = Rounding {
            mode: RoundingMode::HalfEven,
            places: 2,
        };
        // 65 t x 561 km x 0.129 kgCO2e/tkm, a line of the seed's transport table.
        assert_eq!(up.format(dec!(4703.985)), "4703.99");
        assert_eq!(even.format(dec!(4703.985)), "4703.98");
        assert_eq!(up.format(dec!(0.125)), "0.13");
        assert_eq!(even.format(dec!(0.125)), "0.12");
        assert_eq!(even.format(dec!(0.135)), "0.14");
        assert_eq!(up.format(dec!(-0.125)), "-0.13");
        assert_eq!(even.format(dec!(-0.125)), "-0.12");
        assert_eq!(up.format(dec!(-0.001)), "0.00");
        assert_eq!(up.format(dec!(42900)), "42900.00");
        let none = Rounding {
            mode: RoundingMode::HalfUp,
            places: 0,
        };
        assert_eq!(none.format(dec!(2.5)), "3");
    }

    #[test]
    fn thousands_are_grouped_in_the_integer_part_only() {
        assert_eq!(group_thousands("1550204.46"), "1\u{2009}550\u{2009}204.46");
        assert_eq!(group_thousands("-116767.89"), "-116\u{2009}767.89");
        assert_eq!(group_thousands("4703.99"), "4\u{2009}703.99");
        assert_eq!(group_thousands("999.12345"), "999.12345");
        assert_eq!(group_thousands("0.00012345"), "0.00012345");
        assert_eq!(group_thousands("—"), "—");
        assert_eq!(group_thousands("±17.12"), "±17.12");
    }
}

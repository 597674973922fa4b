//! Exact numbers, units and quantities: `"65 t"`, `"0.129 kgCO2e/tkm"`, `"5%"`.
//!
//! Every conversion is a multiplication by an exact decimal; energy is based on the
//! megajoule so that kWh (3.6 MJ) and MWh (3600 MJ) both convert exactly.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::diag::{did_you_mean, one_of};

/// A greenhouse gas other than CO2, turned into CO2e with a GWP set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gas {
    /// Methane.
    CH4,
    /// Nitrous oxide.
    N2O,
    /// Sulphur hexafluoride.
    SF6,
    /// Nitrogen trifluoride.
    NF3,
    /// Tetrafluoromethane (PFC-14).
    CF4,
}

/// What a unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// Mass: `g`, `kg`, `t`; base kg.
    Mass,
    /// Length: `m`, `km`; base m.
    Length,
    /// Energy: `kWh`, `MWh`, `MJ`, `GJ`; base MJ.
    Energy,
    /// Volume: `L`, `m3`; base L.
    Volume,
    /// Freight, mass x distance: `tkm`.
    Freight,
    /// Emissions as CO2e (or CO2, counted alike): `gCO2e` … `tCO2`; base kgCO2e.
    Emissions,
    /// A mass of one gas, turned into CO2e by its GWP: `kgCH4`, `gSF6`, …; base kg of the gas.
    GasMass(Gas),
    /// A count of pieces: `pc`.
    Piece,
}

impl Dimension {
    /// The dimension in words, for messages.
    pub fn describe(self) -> String {
        match self {
            Dimension::Mass => "a mass".into(),
            Dimension::Length => "a length".into(),
            Dimension::Energy => "an energy".into(),
            Dimension::Volume => "a volume".into(),
            Dimension::Freight => "a freight volume (tonne-kilometres)".into(),
            Dimension::Emissions => "emissions".into(),
            Dimension::GasMass(g) => format!("a mass of {g:?}"),
            Dimension::Piece => "pieces".into(),
        }
    }

    /// The units of this dimension, for messages.
    pub fn units(self) -> Vec<&'static str> {
        UNITS
            .iter()
            .filter(|u| u.dimension == self)
            .map(|u| u.symbol)
            .collect()
    }
}

/// A unit: its symbol and its size in the dimension's base unit
/// (kg, m, MJ, L, tkm, kgCO2e, kg of gas, piece).
#[derive(Debug, PartialEq, Eq)]
pub struct Unit {
    /// The symbol as written in the file, case-sensitive: `kWh`, `tkm`.
    pub symbol: &'static str,
    /// What the unit measures.
    pub dimension: Dimension,
    /// Its size in the dimension's base unit, exact: 3.6 for `kWh` (MJ), 1000 for `t` (kg).
    pub scale: Decimal,
}

macro_rules! units {
    ($($symbol:literal => $dim:expr, $scale:expr;)*) => {
        /// Every unit the format knows, case-sensitive.
        pub static UNITS: &[Unit] = &[$(Unit { symbol: $symbol, dimension: $dim, scale: $scale }),*];
    };
}

use Dimension::*;
units! {
    "g" => Mass, dec!(0.001);
    "kg" => Mass, dec!(1);
    "t" => Mass, dec!(1000);
    "m" => Length, dec!(1);
    "km" => Length, dec!(1000);
    "kWh" => Energy, dec!(3.6);
    "MWh" => Energy, dec!(3600);
    "MJ" => Energy, dec!(1);
    "GJ" => Energy, dec!(1000);
    "L" => Volume, dec!(1);
    "m3" => Volume, dec!(1000);
    "tkm" => Freight, dec!(1);
    "gCO2e" => Emissions, dec!(0.001);
    "kgCO2e" => Emissions, dec!(1);
    "tCO2e" => Emissions, dec!(1000);
    "gCO2" => Emissions, dec!(0.001);
    "kgCO2" => Emissions, dec!(1);
    "tCO2" => Emissions, dec!(1000);
    "gCH4" => GasMass(Gas::CH4), dec!(0.001);
    "kgCH4" => GasMass(Gas::CH4), dec!(1);
    "tCH4" => GasMass(Gas::CH4), dec!(1000);
    "gN2O" => GasMass(Gas::N2O), dec!(0.001);
    "kgN2O" => GasMass(Gas::N2O), dec!(1);
    "tN2O" => GasMass(Gas::N2O), dec!(1000);
    "gSF6" => GasMass(Gas::SF6), dec!(0.001);
    "kgSF6" => GasMass(Gas::SF6), dec!(1);
    "tSF6" => GasMass(Gas::SF6), dec!(1000);
    "gNF3" => GasMass(Gas::NF3), dec!(0.001);
    "kgNF3" => GasMass(Gas::NF3), dec!(1);
    "tNF3" => GasMass(Gas::NF3), dec!(1000);
    "gCF4" => GasMass(Gas::CF4), dec!(0.001);
    "kgCF4" => GasMass(Gas::CF4), dec!(1);
    "tCF4" => GasMass(Gas::CF4), dec!(1000);
    "pc" => Piece, dec!(1);
}

impl Unit {
    /// The unit with this symbol.
    pub fn get(symbol: &str) -> Option<&'static Unit> {
        UNITS.iter().find(|u| u.symbol == symbol)
    }

    /// True for units a factor may have above its slash: emissions or a gas mass.
    pub fn is_emissions(&self) -> bool {
        matches!(self.dimension, Emissions | GasMass(_))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol)
    }
}

/// A problem reading a number, quantity or percentage; says what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// What is wrong, quoting the text as written.
    pub message: String,
    /// What to write instead, when there is a likely fix.
    pub hint: Option<String>,
}

impl ReadError {
    /// A problem with its message and an optional hint.
    pub fn new(message: impl Into<String>, hint: Option<String>) -> ReadError {
        ReadError {
            message: message.into(),
            hint,
        }
    }
}

/// Reads an exact decimal such as `11483.98`, `-3` or `1.5e3`, never through a float.
pub fn parse_decimal(text: &str) -> Result<Decimal, ReadError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ReadError::new("expected a number, found nothing", None));
    }
    let lower = t.to_ascii_lowercase();
    let bare = lower.trim_start_matches(['+', '-']).trim_start_matches('.');
    if matches!(bare, "nan" | "inf" | "infinity") {
        return Err(ReadError::new(
            format!("`{t}` is not a number: NaN and infinity are not quantities"),
            None,
        ));
    }
    if t.contains(',') || t.contains('，') {
        let plain: String = t.chars().filter(|c| *c != ',' && *c != '，').collect();
        return Err(ReadError::new(
            format!("`{t}` has a thousands separator"),
            Some(format!("write `{plain}`: no separators, `.` for decimals")),
        ));
    }
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (lower.as_str(), None),
    };
    let digits = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let well_formed = {
        let mut parts = digits.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if !well_formed {
        return Err(ReadError::new(
            format!("`{t}` is not a number"),
            Some("write digits with an optional `.` and decimals, e.g. `11483.98`".into()),
        ));
    }
    let too_big = || {
        ReadError::new(
            format!(
                "`{t}` is beyond the exact range: at most 28 significant digits, none past the 28th decimal place, below 10^28"
            ),
            Some("give the figure in a larger unit or with fewer decimals".into()),
        )
    };
    let value = Decimal::from_str_exact(mantissa).map_err(|_| too_big())?;
    let value = match exponent {
        None => value,
        Some(exponent) => {
            let e: i32 = exponent
                .parse()
                .map_err(|_| ReadError::new(format!("`{t}` has an unreadable exponent"), None))?;
            scale_by_power_of_ten(value, e).ok_or_else(too_big)?
        }
    };
    // The decimal type holds some 29-digit numbers; the rule is 28, for every number.
    let limit = Decimal::from_i128_with_scale(10_i128.pow(28), 0);
    if value.abs() >= limit || value.normalize().mantissa().unsigned_abs() >= 10_u128.pow(28) {
        return Err(too_big());
    }
    Ok(value)
}

/// `value × 10^e`, exactly, or `None` beyond the decimal range.
fn scale_by_power_of_ten(value: Decimal, e: i32) -> Option<Decimal> {
    let mut v = value;
    for _ in 0..e.unsigned_abs().min(64) {
        v = if e > 0 {
            v.checked_mul(Decimal::TEN)?
        } else {
            let d = v.checked_div(Decimal::TEN)?;
            // A division that lost digits is not exact.
            if d.checked_mul(Decimal::TEN)? != v {
                return None;
            }
            d
        };
    }
    (e.unsigned_abs() <= 64).then_some(v)
}

/// An exact amount of a unit, with the number as written (so `13.50` keeps its zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    /// The number as written, exact (`13.50` keeps its zero).
    pub value: Decimal,
    /// The unit it was written with (not converted).
    pub unit: &'static Unit,
}

impl Quantity {
    /// The amount in the dimension's base unit, exactly.
    pub fn base(&self) -> crate::units::exact::Exact {
        crate::units::exact::Exact::from(self.value)
            * crate::units::exact::Exact::from(self.unit.scale)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.symbol)
    }
}

/// Reads `"65 t"`: a number, one space, a unit.
pub fn parse_quantity(text: &str) -> Result<Quantity, ReadError> {
    parse_quantity_of(text, &[])
}

/// Reads a quantity expected in one of `dimensions` (any when empty): an unknown unit is
/// then explained with the units of those dimensions.
pub fn parse_quantity_of(text: &str, dimensions: &[Dimension]) -> Result<Quantity, ReadError> {
    let (number, symbol) = split_number_unit(text)?;
    let value = parse_decimal(number)?;
    let unit = read_unit(symbol, dimensions)?;
    Ok(Quantity { value, unit })
}

/// A factor's unit: emissions (or a gas mass) per unit of activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactorUnit {
    /// Above the slash: emissions or a gas mass (`kgCO2e`, `tCO2`, `kgCH4`).
    pub numerator: &'static Unit,
    /// Below the slash: the unit of activity the factor applies to (`tkm`, `kWh`, `t`).
    pub denominator: &'static Unit,
}

impl fmt::Display for FactorUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// Reads a factor value such as `"0.129 kgCO2e/tkm"`.
pub fn parse_factor(text: &str) -> Result<(Decimal, FactorUnit), ReadError> {
    let (number, unit) = split_number_unit(text).map_err(|e| ReadError {
        hint: Some(
            "write a number, one space and emissions per unit, e.g. `0.129 kgCO2e/tkm`".into(),
        ),
        ..e
    })?;
    let value = parse_decimal(number)?;
    let Some((num, den)) = unit.split_once('/') else {
        return Err(ReadError::new(
            format!("`{unit}` is not a factor unit"),
            Some("write emissions per unit of activity, e.g. `0.129 kgCO2e/tkm`".into()),
        ));
    };
    let numerator = read_unit(num, &[])?;
    if !numerator.is_emissions() {
        return Err(ReadError::new(
            format!("`{num}` above the slash is not emissions"),
            Some("use gCO2e, kgCO2e, tCO2e (or CO2), or a gas mass such as kgCH4".into()),
        ));
    }
    let denominator = read_unit(den, &[])?;
    Ok((
        value,
        FactorUnit {
            numerator,
            denominator,
        },
    ))
}

/// Reads a percentage such as `"5%"` as a fraction (0.05), from 0 % to 100 %.
pub fn parse_percent(text: &str) -> Result<Decimal, ReadError> {
    let t = text.trim();
    let Some(number) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) else {
        return Err(ReadError::new(
            format!("`{t}` is not a percentage"),
            Some("write a percentage with a percent sign, e.g. `\"5%\"` (a fraction such as 0.05 is not read as 5%)".into()),
        ));
    };
    let value = parse_decimal(number.trim_end())?;
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(ReadError::new(
            format!("`{t}` is not between 0% and 100%"),
            None,
        ));
    }
    Ok(value / Decimal::ONE_HUNDRED)
}

/// Splits `"65 t"` into `"65"` and `"t"`, explaining the usual mistakes.
fn split_number_unit(text: &str) -> Result<(&str, &str), ReadError> {
    let t = text.trim();
    if let Some((number, unit)) = t.split_once(' ')
        && !unit.is_empty()
        && !unit.contains(' ')
        && !number.is_empty()
    {
        return Ok((number, unit));
    }
    // Where the number ends and the unit begins, to suggest the right form.
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let hint = if !number.is_empty() && !unit.trim().is_empty() && !unit.trim().contains(' ') {
        Some(format!(
            "write `{} {}`: a number, one space, a unit",
            number.trim().replace([',', ' '], ""),
            unit.trim()
        ))
    } else if unit.is_empty() && !number.is_empty() {
        Some(format!(
            "add the unit: `{number} t`, `{number} km`, `{number} kWh`, …"
        ))
    } else {
        Some("write a number, one space and a unit, e.g. `65 t`".into())
    };
    if number.contains(',') {
        return Err(ReadError::new(
            format!("`{t}` has a thousands separator"),
            hint,
        ));
    }
    Err(ReadError::new(
        format!("`{t}` is not a quantity: expected a number, one space and a unit"),
        hint,
    ))
}

fn read_unit(symbol: &str, dimensions: &[Dimension]) -> Result<&'static Unit, ReadError> {
    Unit::get(symbol).ok_or_else(|| {
        let all: Vec<&str> = UNITS
            .iter()
            .filter(|u| dimensions.is_empty() || dimensions.contains(&u.dimension))
            .map(|u| u.symbol)
            .collect();
        let hint = match did_you_mean(symbol, all.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (units are case-sensitive)"),
            None => format!("known units: {}", one_of(&all)),
        };
        ReadError::new(format!("unknown unit `{symbol}`"), Some(hint))
    })
}

/// 100-year global warming potentials of the IPCC assessment reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GwpSet {
    /// IPCC Fourth Assessment Report (2007).
    AR4,
    /// IPCC Fifth Assessment Report (2013).
    AR5,
    /// IPCC Sixth Assessment Report (2021).
    AR6,
}

impl GwpSet {
    /// The GWP of `gas` (AR4 WG1 2.10.2; AR5 WG1 Table 8.A.1; AR6 WG1 Table 7.15, fossil CH4).
    pub fn of(self, gas: Gas) -> Decimal {
        use GwpSet::*;
        match (gas, self) {
            (Gas::CH4, AR4) => dec!(25),
            (Gas::CH4, AR5) => dec!(28),
            (Gas::CH4, AR6) => dec!(29.8),
            (Gas::N2O, AR4) => dec!(298),
            (Gas::N2O, AR5) => dec!(265),
            (Gas::N2O, AR6) => dec!(273),
            (Gas::SF6, AR4) => dec!(22800),
            (Gas::SF6, AR5) => dec!(23500),
            (Gas::SF6, AR6) => dec!(25200),
            (Gas::NF3, AR4) => dec!(17200),
            (Gas::NF3, AR5) => dec!(16100),
            (Gas::NF3, AR6) => dec!(17400),
            (Gas::CF4, AR4) => dec!(7390),
            (Gas::CF4, AR5) => dec!(6630),
            (Gas::CF4, AR6) => dec!(7380),
        }
    }

    /// The GWP of `gas` from non-fossil (biogenic) sources. AR6 WG1 Table 7.15 gives CH4
    /// from non-fossil sources 27.0 (its fossil value adds the CO2 the CH4 oxidises to);
    /// AR4 and AR5 give one CH4 value for both, and every other gas has one value.
    pub fn of_biogenic(self, gas: Gas) -> Decimal {
        match (gas, self) {
            (Gas::CH4, GwpSet::AR6) => dec!(27.0),
            _ => self.of(gas),
        }
    }

    /// kgCO2e per base unit of an emissions or gas-mass unit.
    pub fn co2e(self, unit: &Unit) -> Decimal {
        match unit.dimension {
            GasMass(gas) => unit.scale * self.of(gas),
            _ => unit.scale,
        }
    }

    /// kgCO2e per base unit of a gas mass from biogenic sources (see [`GwpSet::of_biogenic`]).
    pub fn co2e_biogenic(self, unit: &Unit) -> Decimal {
        match unit.dimension {
            GasMass(gas) => unit.scale * self.of_biogenic(gas),
            _ => unit.scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("0.129").unwrap(), Decimal::new(129, 3));
        assert_eq!(parse_decimal("13.50").unwrap().to_string(), "13.50");
        assert_eq!(parse_decimal("1.5e3").unwrap(), dec!(1500));
        assert_eq!(parse_decimal("25E-3").unwrap(), dec!(0.025));
        assert_eq!(parse_decimal("-3").unwrap(), dec!(-3));
    }

    #[test]
    fn bad_numbers_say_why() {
        let e = parse_decimal("11,483.98").unwrap_err();
        assert!(e.message.contains("thousands separator"));
        assert_eq!(
            e.hint.as_deref(),
            Some("write `11483.98`: no separators, `.` for decimals")
        );
        for nan in ["NaN", ".nan", "-.inf", "inf", "Infinity"] {
            assert!(
                parse_decimal(nan).unwrap_err().message.contains("NaN"),
                "{nan}"
            );
        }
        assert!(
            parse_decimal("1e40")
                .unwrap_err()
                .message
                .contains("exact range")
        );
        // The rule is 28 significant digits, below 10^28; the decimal type holds some 29.
        assert!(parse_decimal("9999999999999999999999999999").is_ok());
        assert!(parse_decimal("0.0000000000000000000000000001").is_ok());
        for beyond in [
            "12345678901234567890123456789",
            "10000000000000000000000000000",
            "1e28",
            "0.00000000000000000000000000001",
        ] {
            assert!(
                parse_decimal(beyond)
                    .unwrap_err()
                    .message
                    .contains("at most 28 significant digits"),
                "{beyond}"
            );
        }
        assert!(
            parse_decimal("123456789012345678901234567890")
                .unwrap_err()
                .message
                .contains("exact range")
        );
        assert!(parse_decimal("0.00000000000000000000000000001").is_err());
        assert!(parse_decimal("1.2.3").is_err());
        assert!(parse_decimal("12a").is_err());
        assert!(parse_decimal(".5").is_err());
    }

    #[test]
    fn quantities_and_conversions() {
        let q = parse_quantity("65 t").unwrap();
        assert_eq!(q.base(), crate::units::exact::Exact::from(dec!(65000)));
        assert_eq!(
            parse_quantity("11483.98 kWh").unwrap().base(),
            crate::units::exact::Exact::from(dec!(41342.328))
        );
        assert_eq!(
            parse_quantity("2 MWh").unwrap().base(),
            crate::units::exact::Exact::from(dec!(7200))
        );
        assert_eq!(
            parse_quantity("35.3 km").unwrap().base(),
            crate::units::exact::Exact::from(dec!(35300))
        );
        assert_eq!(
            parse_quantity("3 m3").unwrap().base(),
            crate::units::exact::Exact::from(dec!(3000))
        );
        assert_eq!(
            parse_quantity("500 g").unwrap().base(),
            crate::units::exact::Exact::from(dec!(0.5))
        );
        let e = parse_quantity("65t").unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some("write `65 t`: a number, one space, a unit")
        );
        let e = parse_quantity("65 tons").unwrap_err();
        assert_eq!(e.message, "unknown unit `tons`");
        let e = parse_quantity("65 KG").unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some("did you mean `kg`? (units are case-sensitive)")
        );
        assert!(
            parse_quantity("65")
                .unwrap_err()
                .hint
                .unwrap()
                .contains("add the unit")
        );
    }

    #[test]
    fn factor_units() {
        let (v, u) = parse_factor("0.5703 tCO2/MWh").unwrap();
        assert_eq!(v, dec!(0.5703));
        assert_eq!(u.to_string(), "tCO2/MWh");
        assert_eq!(u.denominator.dimension, Energy);
        let (_, u) = parse_factor("0.02 kgCH4/GJ").unwrap();
        assert_eq!(GwpSet::AR5.co2e(u.numerator), dec!(28));
        // Non-fossil CH4 differs only in AR6 (Table 7.15); other gases have one value.
        assert_eq!(GwpSet::AR6.co2e_biogenic(u.numerator), dec!(27.0));
        assert_eq!(GwpSet::AR6.co2e(u.numerator), dec!(29.8));
        assert_eq!(GwpSet::AR5.co2e_biogenic(u.numerator), dec!(28));
        assert_eq!(GwpSet::AR4.co2e_biogenic(u.numerator), dec!(25));
        assert_eq!(GwpSet::AR6.of_biogenic(Gas::N2O), dec!(273));
        assert!(parse_factor("0.129 kgCO2e").is_err());
        assert!(
            parse_factor("0.129 kWh/t")
                .unwrap_err()
                .message
                .contains("not emissions")
        );
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("5%").unwrap(), dec!(0.05));
        assert_eq!(parse_percent("0.4%").unwrap(), dec!(0.004));
        assert!(parse_percent("5").unwrap_err().hint.unwrap().contains("5%"));
        assert!(parse_percent("120%").is_err());
    }
}

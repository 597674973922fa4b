//! `uncertainty`: the Monte Carlo settings under `engagement`, and each factor's, line's and
//! shared item's uncertainty, read into a [`Spread`] of multipliers of the value as written.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::diag::{Path, one_of};
use crate::engagement::*;
use crate::input::model;
use crate::units::exact::Exact;
use crate::units::quantity::{self, FactorUnit, Quantity};
use crate::units::rounding::RoundingMode;

use super::Cx;

/// Iterations when `engagement.uncertainty.iterations` is not given.
const DEFAULT_ITERATIONS: u32 = 10_000;
/// The fewest and most iterations a file may ask for.
const ITERATIONS: std::ops::RangeInclusive<u32> = 100..=1_000_000;

/// The most results a Monte Carlo analysis keeps (iterations x products): 64 million
/// figures, 512 MB.
const MAX_DRAWS: u64 = 64_000_000;

/// What a bound written as an amount (not a percentage) is compared with.
#[derive(Clone, Copy)]
pub(super) enum Reference<'a> {
    /// A factor's value, in its unit.
    Factor(Decimal, FactorUnit),
    /// An activity or a gas emitted.
    Quantity(&'a Quantity),
    /// Freight: mass x distance, whose bounds are percentages only.
    Freight,
}

impl Cx<'_> {
    /// `engagement.uncertainty`: iterations and confidence, defaults filled in.
    pub(super) fn monte_carlo(
        &mut self,
        s: &model::UncertaintySettings,
        path: &Path,
    ) -> Option<MonteCarlo> {
        let iterations = s.iterations.unwrap_or(DEFAULT_ITERATIONS);
        let mut ok = true;
        if !ITERATIONS.contains(&iterations) {
            self.error(
                &path.key("iterations"),
                format!(
                    "{iterations} iterations: from {} to {}",
                    ITERATIONS.start(),
                    ITERATIONS.end()
                ),
                Some("10000 gives intervals stable to about 1% of their width".into()),
            );
            ok = false;
        }
        let confidence = match &s.confidence {
            None => Decimal::new(95, 2),
            Some(text) => {
                let c = self.percent(text, &path.key("confidence"));
                if c.is_zero() || c >= Decimal::ONE {
                    self.error(
                        &path.key("confidence"),
                        format!(
                            "a confidence of `{}`: it lies strictly between 0% and 100%",
                            text.trim()
                        ),
                        Some("e.g. `\"95%\"`".into()),
                    );
                    ok = false;
                }
                c
            }
        };
        ok.then_some(MonteCarlo {
            iterations,
            confidence,
        })
    }

    /// Refuses an analysis whose results (one figure per iteration and product) would not
    /// fit in memory.
    pub(super) fn monte_carlo_size(&mut self, mc: MonteCarlo, products: usize, path: &Path) {
        let draws = u64::from(mc.iterations) * products as u64;
        if draws > MAX_DRAWS {
            let most = MAX_DRAWS / products as u64;
            self.error(
                &path.key("iterations"),
                format!(
                    "{} iterations for {products} products keep {draws} results, more than the {MAX_DRAWS} that fit in memory",
                    mc.iterations
                ),
                Some(format!("at most {most} iterations for {products} products")),
            );
        }
    }

    /// An input's uncertainty, read against its value; `None` after reporting a problem.
    pub(super) fn spread(
        &mut self,
        s: &model::Spread,
        path: &Path,
        reference: Reference<'_>,
    ) -> Option<Spread> {
        let example = "\"±5%\", {lognormal: 1.2}, {triangular: {min: \"-10%\", max: \"+30%\"}} or {uniform: {min: \"-5%\", max: \"+5%\"}}";
        match s {
            model::Spread::Text(text) => self.normal(text, path),
            model::Spread::Lognormal(text) => {
                let gp = path.key("lognormal");
                let gsd = match quantity::parse_decimal(text) {
                    Ok(g) => g,
                    Err(e) => {
                        self.read_error(&gp, e);
                        return None;
                    }
                };
                if gsd < Decimal::ONE {
                    self.error(
                        &gp,
                        format!("a geometric standard deviation of {}: it is 1 or more", text.trim()),
                        Some("1 means no uncertainty; 1.2 means the 95% interval runs from value / 1.43 to value x 1.43".into()),
                    );
                    return None;
                }
                Some(Spread::Lognormal { gsd })
            }
            model::Spread::Triangular(b) => {
                let (min, max) = self.bounds(b, &path.key("triangular"), reference)?;
                Some(Spread::Triangular { min, max })
            }
            model::Spread::Uniform(b) => {
                let (min, max) = self.bounds(b, &path.key("uniform"), reference)?;
                Some(Spread::Uniform { min, max })
            }
            model::Spread::Unknown(key) => {
                let suggestion =
                    crate::diag::did_you_mean(key, model::DISTRIBUTIONS.iter().copied());
                self.error(
                    path,
                    format!("unknown distribution `{key}`"),
                    Some(match suggestion {
                        Some(s) => format!(
                            "did you mean `{s}`? The distributions are {}",
                            one_of(&model::DISTRIBUTIONS)
                        ),
                        None => format!("write {example}"),
                    }),
                );
                None
            }
            model::Spread::Wrong(what) => {
                self.error(
                    path,
                    format!("expected an uncertainty, found {what}"),
                    Some(format!("write {example}")),
                );
                None
            }
        }
    }

    /// `"±N%"`: normal, N% the half-width of the 95% interval.
    fn normal(&mut self, text: &str, path: &Path) -> Option<Spread> {
        let t = text.trim();
        let Some(rest) = ["±", "+/-", "+-"].iter().find_map(|p| t.strip_prefix(p)) else {
            let hint = if t.ends_with('%') {
                format!(
                    "a normal uncertainty is written with ±, e.g. `\"±{}\"`",
                    t.trim_start_matches(['+', '-'])
                )
            } else {
                "e.g. `\"±5%\"`, `{lognormal: 1.2}` or `{triangular: {min: \"-10%\", max: \"+30%\"}}`".into()
            };
            self.error(path, format!("`{t}` is not an uncertainty"), Some(hint));
            return None;
        };
        let number = rest
            .trim()
            .strip_suffix('%')
            .or_else(|| rest.trim().strip_suffix('％'));
        let Some(number) = number else {
            self.error(
                path,
                format!("`{t}` is not an uncertainty: the half-width is a percentage"),
                Some(format!("e.g. `\"±{}%\"`", rest.trim())),
            );
            return None;
        };
        let half_width = match quantity::parse_decimal(number.trim_end()) {
            Ok(h) => h / Decimal::ONE_HUNDRED,
            Err(e) => {
                self.read_error(path, e);
                return None;
            }
        };
        if half_width.is_sign_negative() && !half_width.is_zero() {
            self.error(
                path,
                format!("`{t}`: the half-width is negative"),
                Some(format!(
                    "write `\"±{}%\"`",
                    number.trim().trim_start_matches('-')
                )),
            );
            return None;
        }
        if half_width >= Decimal::ONE {
            self.error(
                path,
                format!("`{t}` puts values below zero inside the 95% interval, and an amount cannot be negative"),
                Some("describe a large uncertainty as `{lognormal: GSD}` or `{triangular: {min, max}}`".into()),
            );
            return None;
        }
        Some(Spread::Normal { half_width })
    }

    /// The bounds of a triangular or uniform distribution, as multipliers of the value:
    /// `min <= 1 <= max`, `min >= 0`.
    fn bounds(
        &mut self,
        b: &model::Bounds,
        path: &Path,
        reference: Reference<'_>,
    ) -> Option<(Decimal, Decimal)> {
        let min = self.bound(&b.min, &path.key("min"), reference);
        let max = self.bound(&b.max, &path.key("max"), reference);
        let (min, max) = (min?, max?);
        // A bound written as an amount is also shown as a percentage of the value.
        let shown = |text: &str, m: Decimal| {
            let text = text.trim();
            if text.ends_with('%') || text.ends_with('％') {
                return text.to_owned();
            }
            let p = (m - Decimal::ONE) * Decimal::ONE_HUNDRED;
            let sign = if p >= Decimal::ZERO { "+" } else { "" };
            format!("{text}, {sign}{}% of the value", p.round_dp(4).normalize())
        };
        if min > max {
            self.error(
                path,
                format!("`min` ({}) is above `max` ({})", b.min.trim(), b.max.trim()),
                Some("swap the two bounds".into()),
            );
            return None;
        }
        if min.is_sign_negative() && !min.is_zero() {
            self.error(
                &path.key("min"),
                format!(
                    "`min` ({}) makes the amount negative, which it cannot be",
                    shown(&b.min, min)
                ),
                Some("the lowest possible `min` is \"-100%\", zero".into()),
            );
            return None;
        }
        if min > Decimal::ONE || max < Decimal::ONE {
            self.error(
                path,
                format!(
                    "the value as written lies outside the range `min` ({}) to `max` ({})",
                    shown(&b.min, min),
                    shown(&b.max, max)
                ),
                Some("the range holds the value: `min` at most \"0%\", `max` at least \"0%\" (e.g. min: \"-10%\", max: \"+30%\")".into()),
            );
            return None;
        }
        Some((min, max))
    }

    /// One bound as a multiplier of the value: `"-10%"` is 0.9; an amount in the value's
    /// unit is divided by the value.
    fn bound(&mut self, text: &str, path: &Path, reference: Reference<'_>) -> Option<Decimal> {
        let t = text.trim();
        if let Some(number) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
            return match quantity::parse_decimal(number.trim_end()) {
                Ok(p) => Some(Decimal::ONE + p / Decimal::ONE_HUNDRED),
                Err(e) => {
                    self.read_error(path, e);
                    None
                }
            };
        }
        let (amount, value) = match reference {
            Reference::Freight => {
                self.error(
                    path,
                    format!("`{t}`: the bounds of a freight line's uncertainty are percentages of mass x distance"),
                    Some("e.g. `min: \"-10%\"`".into()),
                );
                return None;
            }
            Reference::Factor(value, unit) => {
                let v = self.in_factor_unit(t, unit, path)?;
                (Exact::from(v), Exact::from(value))
            }
            Reference::Quantity(q) => {
                let b = match quantity::parse_quantity_of(t, &[q.unit.dimension]) {
                    Ok(b) => b,
                    Err(e) => {
                        self.read_error(path, e);
                        return None;
                    }
                };
                if b.unit.dimension != q.unit.dimension {
                    self.error(
                        path,
                        format!(
                            "`{t}` is {}, but the quantity ({q}) is {}",
                            b.unit.dimension.describe(),
                            q.unit.dimension.describe()
                        ),
                        Some(format!(
                            "write it in {}, or as a percentage of the quantity (\"-10%\")",
                            q.unit
                        )),
                    );
                    return None;
                }
                (b.base(), q.base())
            }
        };
        let Some(ratio) = amount.checked_div(&value) else {
            self.error(
                path,
                format!("`{t}`: the value is zero, so a bound cannot be compared with it"),
                Some("a zero amount needs no uncertainty".into()),
            );
            return None;
        };
        Decimal::from_str(&ratio.format(18, RoundingMode::HalfEven))
            .ok()
            .or_else(|| {
                self.error(path, format!("`{t}` is too far from the value"), None);
                None
            })
    }

    /// The line with its uncertainty, read against its activity.
    pub(super) fn with_spread(&mut self, s: &Option<model::Spread>, mut line: Line) -> Line {
        let Some(s) = s else { return line };
        let path = line.path.key("uncertainty");
        let reference = match &line.activity {
            Activity::Material { quantity }
            | Activity::Energy { quantity }
            | Activity::Process { quantity, .. } => Reference::Quantity(quantity),
            Activity::Transport { .. } => Reference::Freight,
        };
        line.uncertainty = self.spread(s, &path, reference);
        line
    }
}

//! The footprint arithmetic: exact decimals, no rounding, no I/O.

use rust_decimal::Decimal;

use crate::diag::Path;
use crate::engagement::{Activity, Engagement, Factor, Line, Product, Stage};
use crate::quantity::GwpSet;

/// The figures of every product, unrounded.
#[derive(Debug)]
pub struct Results {
    pub products: Vec<ProductResult>,
}

/// One product's figures, in kgCO2e unless said otherwise.
#[derive(Debug)]
pub struct ProductResult {
    /// Parallel to [`Product::lines`].
    pub lines: Vec<LineResult>,
    /// Per stage, in [`Stage::ALL`] order; 0 for a stage without lines.
    pub stages: [Decimal; 3],
    /// The whole period's output.
    pub total: Decimal,
    /// Per functional unit, per stage.
    pub per_unit: [Decimal; 3],
    pub per_unit_total: Decimal,
    /// Each stage's share of the total, as a fraction of 1 (0 when the total is 0).
    pub shares: [Decimal; 3],
    pub quality: Quality,
    pub reconciliation: Vec<Reconciliation>,
}

impl ProductResult {
    /// The total of one stage.
    pub fn stage(&self, stage: Stage) -> Decimal {
        self.stages[stage as usize]
    }
}

/// One inventory line's result.
#[derive(Debug)]
pub struct LineResult {
    pub kg: Decimal,
    /// What `activity x factor` (or `mass x distance x factor`) is multiplied by to give
    /// kgCO2e: unit conversions and, for a gas, its GWP. 1 for `kWh x tCO2/MWh`.
    pub conversion: Decimal,
    /// The line's share of the product total, as a fraction of 1.
    pub share: Decimal,
    /// The mean of the line's three data-quality scores.
    pub mean_score: Decimal,
}

/// The data-quality score (share-weighted mean of the lines' mean scores) and its grade.
#[derive(Debug)]
pub struct Quality {
    pub score: Decimal,
    /// 1 (best, score >= 5.0) to 5 (score below 2.0).
    pub grade: u8,
}

/// Which declared figure a reconciliation concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Total,
    PerUnit,
}

impl Figure {
    /// The key used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Figure::Total => "total",
            Figure::PerUnit => "per_unit",
        }
    }
}

/// A claimed figure against the verified one.
#[derive(Debug)]
pub struct Reconciliation {
    pub figure: Figure,
    pub claimed: Decimal,
    pub computed: Decimal,
    /// `(claimed - computed) / computed`, in percent; `None` when nothing was computed.
    pub difference_pct: Option<Decimal>,
    /// True when the difference's size exceeds the materiality threshold.
    pub material: bool,
    pub path: Path,
}

/// A figure beyond the exact decimal range (about 7.9e28), at the line that caused it.
#[derive(Debug)]
pub struct Overflow {
    pub path: Path,
}

/// Computes every product's figures.
pub fn calculate(e: &Engagement) -> Result<Results, Overflow> {
    let products = e
        .products
        .iter()
        .map(|p| product(p, &e.factors, e.scope.gwp, e.scope.materiality))
        .collect::<Result<_, _>>()?;
    Ok(Results { products })
}

fn product(
    p: &Product,
    factors: &[Factor],
    gwp: GwpSet,
    materiality: Decimal,
) -> Result<ProductResult, Overflow> {
    let overflow = |path: &Path| Overflow { path: path.clone() };
    let mut stages = [Decimal::ZERO; 3];
    let mut emissions = Vec::with_capacity(p.lines.len());
    for line in &p.lines {
        let (kg, conversion) =
            line_emissions(line, factors, gwp).ok_or_else(|| overflow(&line.path))?;
        let stage = &mut stages[line.stage() as usize];
        *stage = stage.checked_add(kg).ok_or_else(|| overflow(&line.path))?;
        emissions.push((kg, conversion));
    }
    let total = stages
        .iter()
        .try_fold(Decimal::ZERO, |a, s| a.checked_add(*s))
        .ok_or_else(|| overflow(&p.path))?;
    let fraction = |part: Decimal| {
        if total.is_zero() {
            Decimal::ZERO
        } else {
            part / total
        }
    };
    let per = |part: Decimal| part.checked_div(p.output).ok_or_else(|| overflow(&p.path));

    // Weighted by share: sum(kg x score sum) / (3 x total), one division at the end.
    let mut weighted = Decimal::ZERO;
    let lines = p
        .lines
        .iter()
        .zip(&emissions)
        .map(|(line, &(kg, conversion))| {
            let s = line.scores;
            let sum =
                Decimal::from(s.activity) + Decimal::from(s.factor) + Decimal::from(s.calibration);
            weighted = weighted.checked_add(kg.checked_mul(sum)?)?;
            Some(LineResult {
                kg,
                conversion,
                share: fraction(kg),
                mean_score: sum / Decimal::from(3),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| overflow(&p.path))?;
    let score = if total.is_zero() {
        Decimal::ZERO
    } else {
        weighted
            .checked_div(total * Decimal::from(3))
            .ok_or_else(|| overflow(&p.path))?
    };

    let per_unit_total = per(total)?;
    let mut reconciliation = Vec::new();
    for (figure, claim) in [
        (Figure::Total, &p.claimed_total),
        (Figure::PerUnit, &p.claimed_per_unit),
    ] {
        let Some(claim) = claim else { continue };
        let rec = reconcile(figure, claim.kg, total, p.output, materiality)
            .ok_or_else(|| overflow(&claim.path))?;
        reconciliation.push(Reconciliation {
            path: claim.path.clone(),
            ..rec
        });
    }

    Ok(ProductResult {
        lines,
        stages,
        total,
        per_unit: [per(stages[0])?, per(stages[1])?, per(stages[2])?],
        per_unit_total,
        shares: stages.map(fraction),
        quality: Quality {
            grade: grade(score),
            score,
        },
        reconciliation,
    })
}

/// A line's emissions in kgCO2e and the conversion applied; `None` beyond exact range.
///
/// Everything is multiplied before the one division by the factor's denominator scale,
/// so a result is exact whenever it can be written as a decimal.
pub fn line_emissions(line: &Line, factors: &[Factor], gwp: GwpSet) -> Option<(Decimal, Decimal)> {
    let factor = line.factor.map(|i| &factors[i]);
    match (&line.activity, factor) {
        (Activity::Material { quantity } | Activity::Energy { quantity }, Some(f)) => {
            let up = quantity
                .unit
                .scale
                .checked_mul(gwp.co2e(f.unit.numerator))?;
            let down = f.unit.denominator.scale;
            let kg = quantity
                .value
                .checked_mul(f.value)?
                .checked_mul(up)?
                .checked_div(down)?;
            Some((kg, up.checked_div(down)?))
        }
        (Activity::Transport { mass, distance, .. }, Some(f)) => {
            // mass in t x distance in km = tkm: the base units are kg and m.
            let up = mass
                .unit
                .scale
                .checked_mul(distance.unit.scale)?
                .checked_mul(gwp.co2e(f.unit.numerator))?;
            let down = f
                .unit
                .denominator
                .scale
                .checked_mul(Decimal::from(1_000_000))?;
            let kg = mass
                .value
                .checked_mul(distance.value)?
                .checked_mul(f.value)?
                .checked_mul(up)?
                .checked_div(down)?;
            Some((kg, up.checked_div(down)?))
        }
        (Activity::Process { quantity }, _) => {
            let conversion = gwp.co2e(quantity.unit);
            Some((quantity.value.checked_mul(conversion)?, conversion))
        }
        // Validation guarantees a factor on every other line.
        (_, None) => None,
    }
}

/// Compares a claimed figure with the verified one; `None` beyond exact range.
///
/// Materiality is decided without division: a per-unit claim is scaled up by the output
/// and compared with the total, so a claim exactly at the threshold is never pushed over it
/// by a rounded quotient.
fn reconcile(
    figure: Figure,
    claimed: Decimal,
    total: Decimal,
    output: Decimal,
    materiality: Decimal,
) -> Option<Reconciliation> {
    let (claimed_total, computed) = match figure {
        Figure::Total => (claimed, total),
        Figure::PerUnit => (claimed.checked_mul(output)?, total.checked_div(output)?),
    };
    let gap = claimed_total.checked_sub(total)?;
    let material = if total.is_zero() {
        !claimed.is_zero()
    } else {
        gap.abs() > materiality.checked_mul(total.abs())?
    };
    let difference_pct = if total.is_zero() {
        None
    } else {
        Some(gap.checked_div(total)?.checked_mul(Decimal::ONE_HUNDRED)?)
    };
    Some(Reconciliation {
        figure,
        claimed,
        computed,
        difference_pct,
        material,
        path: Path::root(),
    })
}

/// The data-quality grade of a score (the seed's 精准度级别).
pub fn grade(score: Decimal) -> u8 {
    match score {
        s if s >= Decimal::from(5) => 1,
        s if s >= Decimal::from(4) => 2,
        s if s >= Decimal::from(3) => 3,
        s if s >= Decimal::from(2) => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_claim_exactly_at_the_threshold_is_not_material() {
        // 1 kg over 3 units: 0.35 per unit is exactly 5% above 1/3.
        let r = reconcile(Figure::PerUnit, dec!(0.35), dec!(1), dec!(3), dec!(0.05)).unwrap();
        assert!(!r.material);
        let r = reconcile(Figure::PerUnit, dec!(0.3501), dec!(1), dec!(3), dec!(0.05)).unwrap();
        assert!(r.material);
        let r = reconcile(Figure::Total, dec!(95), dec!(100), dec!(1), dec!(0.05)).unwrap();
        assert!(!r.material);
        assert_eq!(r.difference_pct, Some(dec!(-5)));
        // Beyond the exact range is reported, not a panic.
        assert!(reconcile(Figure::Total, dec!(1e28), dec!(1e-27), dec!(1), dec!(0.05)).is_none());
    }

    #[test]
    fn grades_at_their_bounds() {
        assert_eq!(grade(dec!(5.0)), 1);
        assert_eq!(grade(dec!(4.999)), 2);
        assert_eq!(grade(dec!(4.30)), 2);
        assert_eq!(grade(dec!(3)), 3);
        assert_eq!(grade(dec!(2)), 4);
        assert_eq!(grade(dec!(1.99)), 5);
    }
}

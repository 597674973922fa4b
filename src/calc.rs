//! The footprint arithmetic: exact decimals, no rounding, no I/O.

use rust_decimal::Decimal;

use crate::diag::Path;
use crate::engagement::{
    Activity, AllocationBasis, Engagement, Factor, GasOrigin, Line, Product, Stage, StageMap,
    TransportMode, basis_weights,
};
use crate::units::exact::Exact;
use crate::units::quantity::GwpSet;

/// The figures of every product, exact (never rounded).
#[derive(Debug)]
pub struct Results {
    /// One per product, in file order (parallel to [`Engagement::products`]).
    pub products: Vec<ProductResult>,
}

/// One product's figures, in kgCO2e unless said otherwise.
#[derive(Debug)]
pub struct ProductResult {
    /// Parallel to [`Product::lines`].
    pub lines: Vec<LineResult>,
    /// Per stage of the boundary, in its order, net (emissions − removals); 0 for a stage
    /// without lines.
    pub stages: StageMap<Exact>,
    /// The whole period's output, net (emissions − removals).
    pub total: Exact,
    /// Per stage: emissions by origin, removals and aircraft emissions.
    pub by_origin: StageMap<Origin>,
    /// The whole period's emissions by origin, removals and aircraft emissions.
    pub origin: Origin,
    /// Per functional unit, per stage.
    pub per_unit: StageMap<Exact>,
    /// The footprint per functional unit, all stages together: the total divided by the output.
    pub per_unit_total: Exact,
    /// Each stage's share of the total, as a fraction of 1 (0 when the total is 0).
    pub shares: StageMap<Exact>,
    /// The product's data-quality score and grade.
    pub quality: Quality,
    /// The client's claimed figures against the computed ones: one per [`Figure`] claimed,
    /// none when nothing was claimed.
    pub reconciliation: Vec<Reconciliation>,
    /// The product's total with every shared item allocated by another basis instead, one
    /// per basis the data support (empty without shared items): ISO 14067's sensitivity
    /// check of the allocation procedure.
    pub alternatives: Vec<(AllocationBasis, Exact)>,
    /// The total with each input that contributes at least 1% at −10% and +10%, largest
    /// contribution first.
    pub sensitivity: Vec<crate::uncertainty::Sensitivity>,
    /// The Monte Carlo result, when the file asks for one (`engagement.uncertainty`).
    pub uncertainty: Option<crate::uncertainty::Uncertainty>,
}

impl ProductResult {
    /// The total of one stage; 0 for a stage outside the boundary.
    pub fn stage(&self, stage: Stage) -> Exact {
        self.stages.get(stage).cloned().unwrap_or_default()
    }
}

/// Emissions by origin, biogenic removals and aircraft emissions, kgCO2e, exact.
///
/// Aircraft emissions are part of the emissions (of whichever origin their factor says),
/// documented separately as ISO 14067 asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// From fossil sources, and from every factor whose origin is not separated.
    pub fossil: Exact,
    /// From biogenic sources.
    pub biogenic: Exact,
    /// From direct land-use change.
    pub dluc: Exact,
    /// Biogenic CO2 uptake, a positive figure.
    pub removals: Exact,
    /// From freight by air.
    pub aircraft: Exact,
}

impl Origin {
    /// All emissions: fossil + biogenic + dLUC.
    pub fn emissions(&self) -> Exact {
        &(&self.fossil + &self.biogenic) + &self.dluc
    }

    /// Emissions − removals.
    pub fn net(&self) -> Exact {
        &self.emissions() - &self.removals
    }

    /// Every figure times `k` (a `basis: unit` line's figures times the output).
    fn times(&self, k: &Exact) -> Origin {
        Origin {
            fossil: &self.fossil * k,
            biogenic: &self.biogenic * k,
            dluc: &self.dluc * k,
            removals: &self.removals * k,
            aircraft: &self.aircraft * k,
        }
    }

    /// Adds `o`'s figures to these.
    pub fn add(&mut self, o: &Origin) {
        self.fossil = &self.fossil + &o.fossil;
        self.biogenic = &self.biogenic + &o.biogenic;
        self.dluc = &self.dluc + &o.dluc;
        self.removals = &self.removals + &o.removals;
        self.aircraft = &self.aircraft + &o.aircraft;
    }
}

/// One inventory line's result, for the whole period (a `basis: unit` line's quantity
/// multiplied by the product's output).
#[derive(Debug)]
pub struct LineResult {
    /// The line's emissions, kgCO2e, exact (before removals).
    pub kg: Exact,
    /// The line's emissions by origin and its removals.
    pub origin: Origin,
    /// What `activity x factor` (or `mass x distance x factor`) is multiplied by to give
    /// kgCO2e: unit conversions and, for a gas, its GWP. 1 for `kWh x tCO2/MWh`.
    pub conversion: Exact,
    /// The freight of a transport line in tonne-kilometres, for the whole period (a
    /// `basis: unit` line's multiplied by the output).
    pub tkm: Option<Exact>,
    /// The line's share of the product's emissions (its total when nothing is removed), as
    /// a fraction of 1.
    pub share: Exact,
    /// The mean of the line's three data-quality scores.
    pub mean_score: Exact,
    /// `mean_score x share`: the line's part of the product's data-quality score.
    pub weighted_score: Exact,
}

/// The data-quality score (share-weighted mean of the lines' mean scores) and its grade.
#[derive(Debug)]
pub struct Quality {
    /// The share-weighted mean score, exact: 1 (worst) to 6 (best); 0 when the total is 0.
    pub score: Exact,
    /// 1 (best, score >= 5.0) to 5 (score below 2.0).
    pub grade: u8,
}

/// Which declared figure a reconciliation concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The period total (`claimed.total`).
    Total,
    /// The footprint per functional unit (`claimed.per_unit`).
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
    /// Which figure is compared.
    pub figure: Figure,
    /// The client's figure in kgCO2e (per functional unit for [`Figure::PerUnit`]), exact.
    pub claimed: Exact,
    /// The computed figure it is compared with, in the same unit, exact.
    pub computed: Exact,
    /// `(claimed - computed) / computed`, in percent; `None` when nothing was computed.
    pub difference_pct: Option<Exact>,
    /// True when the difference's size exceeds the materiality threshold.
    pub material: bool,
    /// Where the claimed figure is written: `products[i].claimed.total` or `.per_unit`.
    pub path: Path,
}

/// Computes every product's figures. Exact at any size: nothing can overflow.
pub fn calculate(e: &Engagement) -> Results {
    let products = e
        .products
        .iter()
        .map(|p| {
            product(
                p,
                &e.boundary.stages,
                &e.factors,
                e.scope.gwp,
                e.scope.materiality,
            )
        })
        .collect();
    let mut results = Results { products };
    alternatives(e, &mut results);
    crate::uncertainty::analyse(e, &mut results);
    results
}

/// Each product's total under every other allocation basis the file's data support: output
/// always, mass when every product has a mass; a basis every shared item already uses is
/// no alternative.
fn alternatives(e: &Engagement, results: &mut Results) {
    if e.shared.is_empty() {
        return;
    }
    let all_mass = e.products.iter().all(|p| p.mass.is_some());
    // Each item's whole net figure (emissions less removals), as the totals are net.
    let wholes: Vec<Exact> = e
        .shared
        .iter()
        .map(|item| {
            line_emissions(&item.line, &e.factors, e.scope.gwp)
                .origin
                .net()
        })
        .collect();
    for basis in [AllocationBasis::Output, AllocationBasis::Mass] {
        if e.shared.iter().all(|s| s.basis == basis)
            || (basis == AllocationBasis::Mass && !all_mass)
        {
            continue;
        }
        let mut totals: Vec<Exact> = results.products.iter().map(|r| r.total.clone()).collect();
        for (item, whole) in e.shared.iter().zip(&wholes) {
            let chosen: Vec<&Product> = item.shares.iter().map(|(p, _)| &e.products[*p]).collect();
            let Some(weights) = basis_weights(basis, &chosen) else {
                continue;
            };
            let sum: Exact = weights.iter().sum();
            for ((p, share), w) in item.shares.iter().zip(&weights) {
                let now = whole * share;
                let then = whole * &w.fraction_of(&sum);
                totals[*p] = &(&totals[*p] - &now) + &then;
            }
        }
        for (r, total) in results.products.iter_mut().zip(totals) {
            r.alternatives.push((basis, total));
        }
    }
}

fn product(
    p: &Product,
    boundary: &[Stage],
    factors: &[Factor],
    gwp: GwpSet,
    materiality: Decimal,
) -> ProductResult {
    let mut by_origin = StageMap::new(boundary, |_| Origin::default());
    let output = Exact::from(p.output);
    let emissions: Vec<LineEmissions> = p
        .lines
        .iter()
        .map(|line| {
            let em = line_emissions(line, factors, gwp);
            // A shared item's line: the item's figures times the product's share.
            let em = match &line.allocation {
                Some(a) => em.times(&a.share),
                None => em,
            };
            // `basis: unit`: the quantity is one functional unit's; the period made `output`.
            if line.per_unit { em.times(&output) } else { em }
        })
        .collect();
    for (line, em) in p.lines.iter().zip(&emissions) {
        // Validation keeps every line inside the boundary.
        if let Some(stage) = by_origin.get_mut(line.stage) {
            stage.add(&em.origin);
        }
    }
    let mut origin = Origin::default();
    for o in by_origin.values() {
        origin.add(o);
    }
    let stages = by_origin.clone().map(|o| o.net());
    let total: Exact = stages.values().sum();
    // Lines share in the emissions: a removal is no line's share.
    let gross = origin.emissions();
    let three = Exact::from(3u32);

    let lines: Vec<LineResult> = p
        .lines
        .iter()
        .zip(emissions)
        .map(|(line, em)| {
            let s = line.scores;
            let sum = u32::from(s.activity) + u32::from(s.factor) + u32::from(s.calibration);
            let mean_score = Exact::from(sum).fraction_of(&three);
            let share = em.kg.fraction_of(&gross);
            LineResult {
                weighted_score: &mean_score * &share,
                kg: em.kg,
                origin: em.origin,
                conversion: em.conversion,
                tkm: em.tkm,
                share,
                mean_score,
            }
        })
        .collect();
    // Weighted by share: the sum of each line's mean score times its share.
    let score: Exact = lines.iter().map(|l| &l.weighted_score).sum();

    let reconciliation = [
        (Figure::Total, &p.claimed_total),
        (Figure::PerUnit, &p.claimed_per_unit),
    ]
    .into_iter()
    .filter_map(|(figure, claim)| {
        let claim = claim.as_ref()?;
        Some(Reconciliation {
            path: claim.path.clone(),
            ..reconcile(figure, &claim.kg, &total, &output, materiality)
        })
    })
    .collect();

    ProductResult {
        per_unit: stages.clone().map(|s| s.fraction_of(&output)),
        per_unit_total: total.fraction_of(&output),
        shares: stages.clone().map(|s| s.fraction_of(&total)),
        lines,
        stages,
        total,
        by_origin,
        origin,
        quality: Quality {
            grade: grade(&score),
            score,
        },
        reconciliation,
        alternatives: Vec::new(),
        sensitivity: Vec::new(),
        uncertainty: None,
    }
}

/// A line's emissions, exactly.
#[derive(Debug)]
pub struct LineEmissions {
    /// kgCO2e, before removals.
    pub kg: Exact,
    /// The emissions by origin, the removal and the aircraft emissions.
    pub origin: Origin,
    /// The conversion applied to `activity x factor` (units, GWP).
    pub conversion: Exact,
    /// Tonne-kilometres of a transport line.
    pub tkm: Option<Exact>,
}

impl LineEmissions {
    /// The line's figures (emissions, origin, freight) times `k`; the conversion stays.
    fn times(self, k: &Exact) -> LineEmissions {
        LineEmissions {
            kg: &self.kg * k,
            origin: self.origin.times(k),
            tkm: self.tkm.map(|t| &t * k),
            conversion: self.conversion,
        }
    }
}

/// A line's emissions in kgCO2e, the conversion applied and, for transport, the freight.
pub fn line_emissions(line: &Line, factors: &[Factor], gwp: GwpSet) -> LineEmissions {
    let factor = line.factor.map(|i| &factors[i]);
    let x = Exact::from;
    match (&line.activity, factor) {
        (Activity::Material { quantity } | Activity::Energy { quantity }, Some(f)) => {
            let conversion = (x(quantity.unit.scale) * x(gwp.co2e(f.unit.numerator)))
                .fraction_of(&x(f.unit.denominator.scale));
            let activity = x(quantity.value) * &conversion;
            LineEmissions {
                origin: factor_origin(&activity, f, false),
                kg: &activity * &x(f.value),
                conversion,
                tkm: None,
            }
        }
        (
            Activity::Transport {
                mass,
                distance,
                mode,
                ..
            },
            Some(f),
        ) => {
            // mass in t x distance in km = tkm: the base units are kg and m.
            let million = Exact::int(1_000_000);
            let tkm =
                (x(mass.value) * x(mass.unit.scale) * x(distance.value) * x(distance.unit.scale))
                    .fraction_of(&million);
            let conversion =
                (x(mass.unit.scale) * x(distance.unit.scale) * x(gwp.co2e(f.unit.numerator)))
                    .fraction_of(&(x(f.unit.denominator.scale) * million));
            let activity = x(mass.value) * x(distance.value) * &conversion;
            LineEmissions {
                origin: factor_origin(&activity, f, *mode == TransportMode::Air),
                kg: &activity * &x(f.value),
                conversion,
                tkm: Some(tkm),
            }
        }
        (Activity::Process { quantity, origin }, _) => {
            let conversion = x(match origin {
                GasOrigin::Fossil => gwp.co2e(quantity.unit),
                GasOrigin::Biogenic => gwp.co2e_biogenic(quantity.unit),
            });
            let kg = x(quantity.value) * &conversion;
            let mut by_origin = Origin::default();
            match origin {
                GasOrigin::Fossil => by_origin.fossil = kg.clone(),
                GasOrigin::Biogenic => by_origin.biogenic = kg.clone(),
            }
            LineEmissions {
                kg,
                origin: by_origin,
                conversion,
                tkm: None,
            }
        }
        // Validation guarantees a factor on every other line.
        (_, None) => LineEmissions {
            kg: Exact::zero(),
            origin: Origin::default(),
            conversion: Exact::zero(),
            tkm: None,
        },
    }
}

/// A factor line's figures by origin: `activity` is the activity already multiplied by the
/// conversion, so that `activity x value` is kgCO2e. Without parts, all of it is fossil.
fn factor_origin(activity: &Exact, f: &Factor, by_air: bool) -> Origin {
    let times = |d| activity * &Exact::from(d);
    let kg = times(f.value);
    let (fossil, biogenic, dluc) = match f.parts {
        Some(p) => (times(p.fossil), times(p.biogenic), times(p.dluc)),
        None => (kg.clone(), Exact::zero(), Exact::zero()),
    };
    Origin {
        fossil,
        biogenic,
        dluc,
        removals: f.removal.map(times).unwrap_or_default(),
        aircraft: if by_air { kg } else { Exact::zero() },
    }
}

/// The quantity a line stands for, exactly, and its unit: the activity (or gas) times the
/// line's share, or for freight the tonne-kilometres.
pub fn allocated_quantity(line: &Line, lr: &LineResult) -> (Exact, &'static str) {
    match &line.activity {
        Activity::Transport { .. } => (lr.tkm.clone().unwrap_or_default(), "tkm"),
        Activity::Material { quantity }
        | Activity::Energy { quantity }
        | Activity::Process { quantity, .. } => (
            Exact::from(quantity.value) * line.share(),
            quantity.unit.symbol,
        ),
    }
}

/// Compares a claimed figure with the verified one, exactly.
fn reconcile(
    figure: Figure,
    claimed: &Exact,
    total: &Exact,
    output: &Exact,
    materiality: Decimal,
) -> Reconciliation {
    let (claimed_total, computed) = match figure {
        Figure::Total => (claimed.clone(), total.clone()),
        Figure::PerUnit => (claimed * output, total.fraction_of(output)),
    };
    let gap = &claimed_total - total;
    let material = if total.is_zero() {
        !claimed.is_zero()
    } else {
        gap.abs() > Exact::from(materiality) * total.abs()
    };
    let difference_pct = gap.checked_div(total).map(|d| d * Exact::from(100u32));
    Reconciliation {
        figure,
        claimed: claimed.clone(),
        computed,
        difference_pct,
        material,
        path: Path::root(),
    }
}

/// The data-quality grade of a score (the seed's 精准度级别).
pub fn grade(score: &Exact) -> u8 {
    match score {
        s if *s >= Exact::int(5) => 1,
        s if *s >= Exact::int(4) => 2,
        s if *s >= Exact::int(3) => 3,
        s if *s >= Exact::int(2) => 4,
        _ => 5,
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
    fn a_claim_exactly_at_the_threshold_is_not_material() {
        let rec = |f, c, t, o| reconcile(f, &x(c), &x(t), &x(o), dec!(0.05));
        // 1 kg over 3 units: 0.35 per unit is exactly 5% above 1/3.
        assert!(!rec(Figure::PerUnit, dec!(0.35), dec!(1), dec!(3)).material);
        assert!(rec(Figure::PerUnit, dec!(0.3501), dec!(1), dec!(3)).material);
        let r = rec(Figure::Total, dec!(95), dec!(100), dec!(1));
        assert!(!r.material);
        assert_eq!(r.difference_pct, Some(Exact::int(-5)));
        // Far apart in size: exact, no overflow.
        let r = rec(Figure::Total, dec!(1e28), dec!(1e-27), dec!(1));
        assert!(r.material);
        assert_eq!(
            r.difference_pct
                .unwrap()
                .format(0, crate::units::rounding::RoundingMode::HalfUp)
                .len(),
            57
        );
    }

    #[test]
    fn grades_at_their_bounds() {
        let g = |d| grade(&x(d));
        assert_eq!(g(dec!(5.0)), 1);
        assert_eq!(g(dec!(4.999)), 2);
        assert_eq!(g(dec!(4.30)), 2);
        assert_eq!(g(dec!(3)), 3);
        assert_eq!(g(dec!(2)), 4);
        assert_eq!(g(dec!(1.99)), 5);
    }
}

//! Verification findings: what the verifier must look at, as data (no sentences here:
//! `present` words them from the catalogue).
//!
//! Findings do not make a file invalid; `check` prints them and the report lists them.
//! Each has a stable code that tools and templates may rely on.

pub mod opinion;

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use crate::units::exact::Exact;

use crate::calc::{Figure, ProductResult, Results};
use crate::diag::Path;
use crate::engagement::*;
use crate::units::rounding::Rounding;

/// A factor older than this many years before the period start is flagged.
const OLD_FACTOR_YEARS: i32 = 10;

/// One finding: what it is (`code`), what it concerns and the exact figures behind it.
/// `present` words it from the catalogue (`finding.<code>` or `finding.<code>.<variant>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable, kebab-case: `material-misstatement`, `cutoff-process`, …
    pub code: &'static str,
    /// Which of the code's sentences, when it has several: `zero`, `one`, `many`, `start`,
    /// `missing-stages.one`.
    pub variant: Option<&'static str>,
    /// The value it concerns, when it concerns one.
    pub path: Option<Path>,
    /// The product, factor and stage it concerns.
    pub subject: Subject,
    /// Its figures and words, by placeholder name, in the order they are worded.
    pub figures: Vec<(&'static str, Fact)>,
}

/// What a finding concerns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// The product it concerns, when it concerns one.
    pub product: Option<Named>,
    /// The emission factor it concerns, when it concerns one.
    pub factor: Option<Named>,
    /// The life-cycle stage it concerns, when it concerns one.
    pub stage: Option<Stage>,
}

/// A product or factor: its id in the file and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The id as written in the file (a product's `id`, a factor's key under `factors`).
    pub id: String,
    /// Its name in both languages (the id itself for a factor without a `name`).
    pub name: Bi,
}

/// One figure or word of a finding, exact; `present` formats it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A result, rounded as configured when shown (`116767.89`, a difference in percent).
    Figure(Exact),
    /// A fraction given in the file (a threshold, a share), shown in percent as written: 0.05 -> `5`.
    Fraction(Decimal),
    /// A count, score or year.
    Int(i64),
    /// A date.
    Date(chrono::NaiveDate),
    /// Names (of materials, of an excluded process), shown as a list.
    Names(Vec<Bi>),
    /// Life-cycle stages, in canonical order: shown by their names, given by their keys.
    Stages(Vec<Stage>),
    /// A word of the catalogue (`key`), worded with the figures before it; `value` is its
    /// machine name (`total`, `national`).
    Term {
        /// The catalogue key of the word: `term.figure.total`, `term.unit.per-unit`, …
        key: &'static str,
        /// The machine name, as the results JSON gives it: `total`, `per_unit`.
        value: &'static str,
    },
}

/// Every code [`findings`] can give.
pub const CODES: &[&str] = &[
    "material-misstatement",
    "empty-stage",
    "transport-without-acquisition",
    "rounding-sum",
    "score-override",
    "unused-factor",
    "old-factor",
    "cutoff-process",
    "cutoff-total",
    "coverage",
    "site-visit-order",
    "document-review-order",
    "allocation-units",
    "uncertainty-methods",
    "claims-inconsistent",
    "uncertainty-exact-inputs",
];

/// All findings for a validated engagement and its results, in a fixed order.
pub fn findings(e: &Engagement, r: &Results) -> Vec<Finding> {
    let mut out = Vec::new();
    let fmt = e.scope.rounding;
    for (p, pr) in e.products.iter().zip(&r.products) {
        misstatements(e, p, pr, &mut out);
        inconsistent_claims(p, &mut out);
        empty_stages(p, &e.boundary.stages, &mut out);
        // Outside a boundary without raw materials, their acquisition is not missing.
        if e.boundary.stages.contains(&Stage::MATERIALS) {
            untraced_materials(p, &mut out);
        }
        rounding_sums(p, pr, fmt, &mut out);
        score_overrides(e, p, &mut out);
        uncertainty(e, p, pr, &mut out);
    }
    factors(e, &mut out);
    cutoff(e, &mut out);
    dates(e, &mut out);
    allocation_units(e, &mut out);
    out
}

/// A shared item allocated by output among products whose functional units differ: their
/// outputs are counted in different units, so the proportion is not like for like.
fn allocation_units(e: &Engagement, out: &mut Vec<Finding>) {
    for item in e
        .shared
        .iter()
        .filter(|s| s.basis == AllocationBasis::Output)
    {
        let mut units: Vec<Bi> = Vec::new();
        for (p, _) in &item.shares {
            let unit = &e.products[*p].functional_unit;
            if !units.contains(unit) {
                units.push(unit.clone());
            }
        }
        if units.len() > 1 {
            out.push(
                Finding::new(
                    "allocation-units",
                    Some(&item.line.path.key("allocation").key("by")),
                )
                .stage(item.line.stage)
                .with("item", Fact::Names(vec![item.line.name.clone()]))
                .with("units", Fact::Names(units)),
            );
        }
    }
}

/// The Monte Carlo analysis's cross-checks: Approach 1 giving another interval width, and
/// too much of the footprint treated as exact.
fn uncertainty(e: &Engagement, p: &Product, pr: &ProductResult, out: &mut Vec<Finding>) {
    let (Some(u), Some(mc)) = (&pr.uncertainty, e.scope.uncertainty) else {
        return;
    };
    let settings = Path::root().key("engagement").key("uncertainty");
    if let (Some((mc_width, a1_width)), Some(pct)) =
        (u.methods_disagree(&pr.total), &u.approach1_pct)
    {
        out.push(
            Finding::new("uncertainty-methods", Some(&settings))
                .product(p)
                .with("confidence", Fact::Fraction(mc.confidence))
                .with("low", Fact::Figure(u.total.low.clone()))
                .with("high", Fact::Figure(u.total.high.clone()))
                .with("mc_width", Fact::Figure(mc_width))
                .with("approach1", Fact::Figure(pct.clone()))
                .with("a1_width", Fact::Figure(a1_width))
                .with(
                    "tolerance",
                    Fact::Fraction(Decimal::new(crate::uncertainty::METHODS_TOLERANCE.0, 2)),
                ),
        );
    }
    if u.too_much_exact() {
        let names: Vec<Bi> = u
            .exact_lines
            .iter()
            .map(|&i| p.lines[i].name.clone())
            .collect();
        let first = &p.lines[u.exact_lines[0]].path;
        out.push(
            Finding::new("uncertainty-exact-inputs", Some(first))
                .variant(if names.len() == 1 { "one" } else { "many" })
                .product(p)
                .with("lines", Fact::Names(names))
                .with("share", Fact::Figure(&u.exact_share * &Exact::from(100u32)))
                .with(
                    "limit",
                    Fact::Fraction(Decimal::new(crate::uncertainty::EXACT_LIMIT.0, 2)),
                ),
        );
    }
}

impl Finding {
    fn new(code: &'static str, path: Option<&Path>) -> Finding {
        Finding {
            code,
            variant: None,
            path: path.cloned(),
            subject: Subject::default(),
            figures: Vec::new(),
        }
    }

    fn variant(mut self, variant: &'static str) -> Finding {
        self.variant = Some(variant);
        self
    }

    fn product(mut self, p: &Product) -> Finding {
        self.subject.product = Some(Named {
            id: p.id.clone(),
            name: p.name.clone(),
        });
        self
    }

    fn factor(mut self, f: &Factor) -> Finding {
        self.subject.factor = Some(Named {
            id: f.id.clone(),
            name: f.name.clone().unwrap_or_else(|| Bi {
                zh: f.id.clone(),
                en: f.id.clone(),
            }),
        });
        self
    }

    fn stage(mut self, s: Stage) -> Finding {
        self.subject.stage = Some(s);
        self
    }

    fn with(mut self, name: &'static str, fact: Fact) -> Finding {
        self.figures.push((name, fact));
        self
    }

    /// The figure `name`, if the finding has it.
    pub fn figure(&self, name: &str) -> Option<&Fact> {
        self.figures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| f)
    }
}

fn misstatements(e: &Engagement, p: &Product, pr: &ProductResult, out: &mut Vec<Finding>) {
    for rec in pr.reconciliation.iter().filter(|r| r.material) {
        let (figure, unit) = match rec.figure {
            Figure::Total => ("term.figure.total", "term.unit.total"),
            Figure::PerUnit => ("term.figure.per-unit", "term.unit.per-unit"),
        };
        let value = rec.figure.key();
        let mut f = Finding::new("material-misstatement", Some(&rec.path))
            .product(p)
            .with("figure", Fact::Term { key: figure, value })
            .with("unit", Fact::Term { key: unit, value })
            .with("claimed", Fact::Figure(rec.claimed.clone()))
            .with("computed", Fact::Figure(rec.computed.clone()));
        f = match &rec.difference_pct {
            Some(d) => f.with("difference", Fact::Figure(d.clone())),
            None => f.variant("zero"),
        };
        f = f.with("threshold", Fact::Fraction(e.scope.materiality));
        let parts = match rec.figure {
            Figure::Total => &pr.stages,
            Figure::PerUnit => &pr.per_unit,
        };
        if rec.difference_pct.is_some()
            && let Some(stages) =
                missing_stages(&rec.claimed, &rec.computed, parts, e.scope.rounding)
        {
            f = f
                .variant(if stages.len() == 1 {
                    "missing-stages.one"
                } else {
                    "missing-stages.many"
                })
                .with("missing_stages", Fact::Stages(stages));
        }
        out.push(f);
    }
}

/// The client's two claims for a product that cannot both be right: the claimed total over
/// the output is not the claimed figure per unit, as far as each is rounded (the seed's
/// 73867.89 kgCO2e for 10567 units is 6.99 per unit, not the 11.05 it claims). Each claim
/// stands for any figure within half a unit of its last written place of it (`9.1 tCO2e`:
/// 9050 to 9150 kg); they agree when the total's range over the output meets the figure per
/// unit's range.
fn inconsistent_claims(p: &Product, out: &mut Vec<Finding>) {
    let (Some(total), Some(per_unit)) = (&p.claimed_total, &p.claimed_per_unit) else {
        return;
    };
    let output = Exact::from(p.output);
    let low = (total.kg.clone() - total.half_ulp.clone()).fraction_of(&output);
    let high = (total.kg.clone() + total.half_ulp.clone()).fraction_of(&output);
    let claimed_low = per_unit.kg.clone() - per_unit.half_ulp.clone();
    let claimed_high = per_unit.kg.clone() + per_unit.half_ulp.clone();
    if low <= claimed_high && claimed_low <= high {
        return;
    }
    out.push(
        Finding::new("claims-inconsistent", Some(&per_unit.path))
            .product(p)
            .with("total", Fact::Figure(total.kg.clone()))
            .with("implied", Fact::Figure(total.kg.fraction_of(&output)))
            .with("claimed", Fact::Figure(per_unit.kg.clone())),
    );
}

/// Most decimal places a claim is taken to be written with.
const CLAIM_PLACES: u32 = 10;

/// The smallest set of whole stages whose figures, taken from `computed`, give `claimed`:
/// `computed - sum(stages)`, rounded (in the engagement's mode) to the decimal places
/// `claimed` is written with, equals `claimed` exactly. Stages with a zero figure are never
/// part of it; sets are tried by size, then in the stages' order (at most 2^6 of them).
/// `None` when no set of stages explains the claim.
pub fn missing_stages(
    claimed: &Exact,
    computed: &Exact,
    parts: &StageMap<Exact>,
    r: Rounding,
) -> Option<Vec<Stage>> {
    let places = (0..=CLAIM_PLACES).find(|&p| &claimed.round(p, r.mode) == claimed)?;
    let stages: Vec<(Stage, &Exact)> = parts.iter().filter(|(_, v)| !v.is_zero()).collect();
    let n = stages.len();
    if n > Stage::REGISTRY.len() {
        return None;
    }
    // Masks ordered by the number of stages, then by the stages' order.
    let mut masks: Vec<u32> = (1..(1u32 << n)).collect();
    masks.sort_by_key(|m| (m.count_ones(), std::cmp::Reverse(m.reverse_bits())));
    masks.into_iter().find_map(|m| {
        let chosen: Vec<(Stage, &Exact)> = (0..n)
            .filter(|i| m & (1 << i) != 0)
            .map(|i| stages[i])
            .collect();
        let left = computed.clone() - chosen.iter().map(|(_, v)| *v).sum::<Exact>();
        (&left.round(places, r.mode) == claimed).then(|| chosen.iter().map(|(s, _)| *s).collect())
    })
}

fn empty_stages(p: &Product, stages: &[Stage], out: &mut Vec<Finding>) {
    for &stage in stages {
        if p.lines_of(stage).next().is_none() {
            out.push(
                Finding::new("empty-stage", Some(&p.path.key(stage.inventory_key())))
                    .product(p)
                    .stage(stage)
                    .with("zero", Fact::Figure(Exact::zero())),
            );
        }
    }
}

fn untraced_materials(p: &Product, out: &mut Vec<Finding>) {
    // Names as sets (`Bi::matches` is: the same Chinese or the same English name), so that
    // an inventory of 100,000 lines is not compared line by line with itself.
    let mut acquired_zh = HashSet::new();
    let mut acquired_en = HashSet::new();
    for m in p.lines_of(Stage::MATERIALS) {
        acquired_zh.insert(m.name.zh.as_str());
        acquired_en.insert(m.name.en.as_str());
    }
    let (mut seen_zh, mut seen_en) = (HashSet::new(), HashSet::new());
    let mut untraced: Vec<(&Bi, &Path)> = Vec::new();
    for line in p.lines_of(Stage::TRANSPORT) {
        let (zh, en) = (line.name.zh.as_str(), line.name.en.as_str());
        let acquired = acquired_zh.contains(zh) || acquired_en.contains(en);
        if !acquired && !seen_zh.contains(zh) && !seen_en.contains(en) {
            seen_zh.insert(zh);
            seen_en.insert(en);
            untraced.push((&line.name, &line.path));
        }
    }
    let Some((_, first)) = untraced.first() else {
        return;
    };
    let names: Vec<Bi> = untraced.iter().map(|(n, _)| (*n).clone()).collect();
    out.push(
        Finding::new("transport-without-acquisition", Some(first))
            .variant(if names.len() == 1 { "one" } else { "many" })
            .product(p)
            .stage(Stage::TRANSPORT)
            .with("materials", Fact::Names(names)),
    );
}

fn rounding_sums(p: &Product, pr: &ProductResult, fmt: Rounding, out: &mut Vec<Finding>) {
    let hundred = Exact::from(100u32);
    let tables = [
        (
            "stages",
            "term.table.stages",
            pr.stages.clone(),
            pr.total.clone(),
        ),
        (
            "per_unit",
            "term.table.per-unit",
            pr.per_unit.clone(),
            pr.per_unit_total.clone(),
        ),
        (
            "shares",
            "term.table.shares",
            pr.shares.clone().map(|s| s * &hundred),
            if pr.total.is_zero() {
                Exact::zero()
            } else {
                hundred.clone()
            },
        ),
    ];
    // Whether the rounded figures add up is the question itself: it is asked with the
    // engagement's rounding, and the (already rounded) figures are kept exact for `present`.
    for (value, key, parts, total) in tables {
        let sum: Exact = parts.values().map(|v| fmt.round(v)).sum();
        let total = fmt.round(total);
        if fmt.format(sum.clone()) != fmt.format(total.clone()) {
            out.push(
                Finding::new("rounding-sum", Some(&p.path))
                    .product(p)
                    .with("table", Fact::Term { key, value })
                    .with("sum", Fact::Figure(sum))
                    .with("total", Fact::Figure(total)),
            );
        }
    }
}

/// Which of a line's three scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ScoreKind {
    Activity,
    Factor,
    Calibration,
}

/// Lines whose override is the same: (stage, factor, score kind, given, implied).
type OverrideGroup = (Stage, Option<usize>, ScoreKind, u8, u8);

fn score_overrides(e: &Engagement, p: &Product, out: &mut Vec<Finding>) {
    // One finding per group: how many lines, and the first one's path.
    let mut groups: BTreeMap<OverrideGroup, (usize, &Path)> = BTreeMap::new();
    for line in &p.lines {
        for (kind, given, implied) in [
            (
                ScoreKind::Activity,
                line.scores.activity,
                line.implied.activity,
            ),
            (ScoreKind::Factor, line.scores.factor, line.implied.factor),
            (
                ScoreKind::Calibration,
                line.scores.calibration,
                line.implied.calibration,
            ),
        ] {
            if given != implied {
                groups
                    .entry((line.stage, line.factor, kind, given, implied))
                    .or_insert((0, &line.path))
                    .0 += 1;
            }
        }
    }
    for ((stage, factor, kind, given, implied), (count, path)) in groups {
        let (score, key) = match kind {
            ScoreKind::Activity => ("term.score.activity", "activity"),
            ScoreKind::Factor => ("term.score.factor", "factor"),
            ScoreKind::Calibration => ("term.score.calibration", "calibration"),
        };
        let mut f = Finding::new("score-override", Some(&path.key("scores").key(key)))
            .variant(if count == 1 { "one" } else { "many" })
            .product(p)
            .stage(stage)
            .with("count", Fact::Int(count as i64))
            .with(
                "score",
                Fact::Term {
                    key: score,
                    value: key,
                },
            )
            .with("given", Fact::Int(i64::from(given)))
            .with("implied", Fact::Int(i64::from(implied)));
        let reason = match (kind, factor.map(|f| &e.factors[f])) {
            (ScoreKind::Factor, Some(factor)) => {
                f = f.factor(factor).with(
                    "category",
                    Fact::Term {
                        key: category_key(factor.category),
                        value: category_value(factor.category),
                    },
                );
                "factor-category"
            }
            (ScoreKind::Factor, None) => "process-gwp",
            _ => "data",
        };
        let key = match reason {
            "factor-category" => "reason.score.factor-category",
            "process-gwp" => "reason.score.process-gwp",
            _ => "reason.score.data",
        };
        out.push(f.with("reason", Fact::Term { key, value: reason }));
    }
}

/// The catalogue key of a factor category's name (排放因子类别).
pub fn category_key(c: Category) -> &'static str {
    match c {
        Category::Measured => "category.measured",
        Category::SameProcess => "category.same-process",
        Category::Manufacturer => "category.manufacturer",
        Category::Regional => "category.regional",
        Category::National => "category.national",
        Category::International => "category.international",
    }
}

/// A factor category as written in the file.
pub fn category_value(c: Category) -> &'static str {
    category_key(c)
        .strip_prefix("category.")
        .unwrap_or_default()
}

fn factors(e: &Engagement, out: &mut Vec<Finding>) {
    // One pass over the lines, not one per factor.
    let mut used = vec![false; e.factors.len()];
    for l in e.products.iter().flat_map(|p| &p.lines) {
        if let Some(i) = l.factor {
            used[i] = true;
        }
    }
    for (f, used) in e.factors.iter().zip(used) {
        if !used {
            out.push(Finding::new("unused-factor", Some(&f.path)).factor(f));
        }
    }
    let start = e
        .scope
        .period
        .from
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(0);
    for f in &e.factors {
        let Some(year) = f.year else { continue };
        let age = start - i32::from(year);
        if age > OLD_FACTOR_YEARS {
            out.push(
                Finding::new("old-factor", Some(&f.path.key("year")))
                    .factor(f)
                    .with("year", Fact::Int(i64::from(year)))
                    .with("age", Fact::Int(i64::from(age))),
            );
        }
    }
}

fn cutoff(e: &Engagement, out: &mut Vec<Finding>) {
    let s = &e.scope;
    let estimated: Vec<(&Excluded, Decimal)> = e
        .boundary
        .excluded
        .iter()
        .filter_map(|x| x.share.map(|share| (x, share)))
        .collect();
    for (x, share) in &estimated {
        if *share > s.cutoff_process {
            out.push(
                Finding::new("cutoff-process", Some(&x.path.key("share")))
                    .with("item", Fact::Names(vec![x.item.clone()]))
                    .with("share", Fact::Fraction(*share))
                    .with("threshold", Fact::Fraction(s.cutoff_process)),
            );
        }
    }
    let excluded: Decimal = estimated.iter().map(|(_, s)| *s).sum();
    let path = Path::root().key("boundary").key("excluded");
    if excluded > s.cutoff_total {
        out.push(
            Finding::new("cutoff-total", Some(&path))
                .with("share", Fact::Fraction(excluded))
                .with("threshold", Fact::Fraction(s.cutoff_total)),
        );
    }
    let covered = Decimal::ONE - excluded;
    if covered < s.coverage {
        out.push(
            Finding::new(
                "coverage",
                Some(&Path::root().key("engagement").key("coverage")),
            )
            .with("covered", Fact::Fraction(covered))
            .with("required", Fact::Fraction(s.coverage)),
        );
    }
}

fn dates(e: &Engagement, out: &mut Vec<Finding>) {
    let s = &e.scope;
    let issued = e.report.issued;
    let visit = Path::root().key("engagement").key("site_visit");
    if s.site_visit.from <= s.period.to {
        out.push(
            Finding::new("site-visit-order", Some(&visit.key("from")))
                .variant("start")
                .with("date", Fact::Date(s.site_visit.from))
                .with("period_end", Fact::Date(s.period.to)),
        );
    }
    if s.site_visit.to > issued {
        out.push(
            Finding::new("site-visit-order", Some(&visit.key("to")))
                .variant("end")
                .with("date", Fact::Date(s.site_visit.to))
                .with("issued", Fact::Date(issued)),
        );
    }
    if let Some(review) = s.document_review
        && review.to > issued
    {
        out.push(
            Finding::new(
                "document-review-order",
                Some(
                    &Path::root()
                        .key("engagement")
                        .key("document_review")
                        .key("to"),
                ),
            )
            .with("date", Fact::Date(review.to))
            .with("issued", Fact::Date(issued)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> Exact {
        Exact::from(s.parse::<Decimal>().unwrap())
    }

    #[test]
    fn missing_stages_are_the_smallest_set_that_explains_the_claim() {
        let parts = StageMap::new(&BoundaryKind::CradleToGate.stages(), |s| {
            exact(match s.key {
                "materials" => "1.004",
                "transport" => "2",
                _ => "3",
            })
        });
        let total = exact("6.004");
        let r = Rounding::default();
        let missing = |claim: &str| missing_stages(&exact(claim), &total, &parts, r);
        // 6.004 − 3 = 3.004: 3.00 with the claim's two places, exactly with three.
        assert_eq!(missing("3.00"), Some(vec![Stage::PRODUCTION]));
        assert_eq!(missing("3.004"), Some(vec![Stage::PRODUCTION]));
        assert_eq!(missing("3.005"), None);
        // 6.004 − 2 − 3 = 1.004.
        assert_eq!(
            missing("1"),
            Some(vec![Stage::TRANSPORT, Stage::PRODUCTION])
        );
        assert_eq!(missing("5"), Some(vec![Stage::MATERIALS]));
        assert_eq!(missing("4.5"), None);
    }

    #[test]
    fn stages_with_nothing_in_them_are_never_missing() {
        let parts = StageMap::new(&BoundaryKind::CradleToGate.stages(), |s| {
            exact(if s.key == "transport" { "0" } else { "2" })
        });
        let r = Rounding::default();
        assert_eq!(
            missing_stages(&exact("2"), &exact("4"), &parts, r),
            Some(vec![Stage::MATERIALS])
        );
    }
}

//! The machine-readable results (`calc --json`): decimal strings, rounded as configured.
//!
//! The document says what it is: `format` is the engagement format the figures come from
//! (the contract's key), `results_format` the version of this document's own layout, whose
//! JSON Schema is [`SCHEMA`] (`cfp-verify schema --results`); then the report's number and
//! revision, the units of the figures and the rounding rule they were rounded with.

use crate::engagement::Language;
use serde::Serialize;

use crate::calc::Results;
use crate::checks::Finding;
use crate::engagement::{Engagement, StageMap};
use crate::present::{self, wording::Catalogue};
use crate::units::exact::Exact;
use crate::units::rounding::Rounding;
use crate::validate::FORMAT;

/// The version of the results JSON's own layout.
pub const RESULTS_FORMAT: &str = "cfp-verify-results/1";

/// The JSON Schema (Draft 2020-12) of the results JSON, written by hand.
pub const SCHEMA: &str = include_str!("results.schema.json");

#[derive(Serialize)]
struct Document {
    format: &'static str,
    results_format: &'static str,
    report: ReportId,
    units: Units,
    rounding: RoundingRule,
    products: Vec<Product>,
    /// Only when the file has a `verification` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    opinion: Option<Opinion>,
    warnings: Vec<Warning>,
}

/// Which report the figures are of.
#[derive(Serialize)]
struct ReportId {
    number: String,
    revision: u32,
}

/// The units of the figures, by the keys that hold them.
#[derive(Serialize)]
struct Units {
    /// `stages`, `total`, `origin`, `allocation[].emissions`, `reconciliation` figures,
    /// `sensitivity` and `uncertainty.total`: the whole period.
    emissions: &'static str,
    /// `per_unit`, `allocation_alternatives.*.per_unit`, `uncertainty.per_unit`.
    per_unit: &'static str,
    /// `share_pct`, `difference_pct` and the other `_pct` keys.
    percent: &'static str,
    /// `output`.
    output: &'static str,
}

/// How the figures were rounded: once, from the exact values.
#[derive(Serialize)]
struct RoundingRule {
    mode: &'static str,
    places: u32,
}

#[derive(Serialize)]
struct Opinion {
    #[serde(rename = "type")]
    kind: &'static str,
    assurance: &'static str,
    open_findings: Vec<String>,
}

#[derive(Serialize)]
struct Product {
    id: String,
    output: String,
    stages: StageMap<String>,
    total: String,
    /// Only when the file separates the origin of emissions anywhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<Origin>,
    per_unit: PerUnit,
    share_pct: StageMap<String>,
    data_quality: DataQuality,
    reconciliation: Vec<Reconciliation>,
    /// Only when the file has `shared` items: the product's part of each.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<Vec<AllocationRow>>,
    /// Only when the file has `shared` items: the totals under the other bases.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation_alternatives: Option<std::collections::BTreeMap<&'static str, Alternative>>,
    /// Only when the file asks for a Monte Carlo analysis (`engagement.uncertainty`).
    #[serde(skip_serializing_if = "Option::is_none")]
    uncertainty: Option<Uncertainty>,
    /// Every input contributing at least 1% of the total, at −10% and +10%.
    sensitivity: Vec<SensitivityRow>,
}

#[derive(Serialize)]
struct Uncertainty {
    confidence: String,
    iterations: u32,
    total: Stats,
    per_unit: Stats,
    approach1_pct: Option<String>,
    /// The lines with no uncertainty (neither activity nor factor), by name.
    exact_inputs: Vec<String>,
    /// Their share of the product's emissions, in percent.
    exact_share_pct: String,
}

#[derive(Serialize)]
struct Stats {
    mean: String,
    median: String,
    sd: String,
    low: String,
    high: String,
}

#[derive(Serialize)]
struct SensitivityRow {
    /// The line's or factor's name (Chinese, as in `allocation`).
    input: String,
    /// `activity` (a line's activity data) or `factor` (a factor's value).
    kind: &'static str,
    /// The factor's id, for a factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<String>,
    stage: Option<&'static str>,
    contribution: String,
    minus_10: String,
    plus_10: String,
}

fn stats(s: &crate::uncertainty::Stats, r: Rounding) -> Stats {
    Stats {
        mean: r.format(&s.mean),
        median: r.format(&s.median),
        sd: r.format(&s.sd),
        low: r.format(&s.low),
        high: r.format(&s.high),
    }
}

fn sensitivity(
    e: &Engagement,
    p: &crate::engagement::Product,
    pr: &crate::calc::ProductResult,
    r: Rounding,
) -> Vec<SensitivityRow> {
    use crate::uncertainty::Input;
    pr.sensitivity
        .iter()
        .map(|s| {
            let (input, kind, factor) = match s.input {
                Input::Activity(i) => (p.lines[i].label(Language::Zh), "activity", None),
                Input::Factor(f) => {
                    let f = &e.factors[f];
                    let name = f
                        .name
                        .as_ref()
                        .map_or_else(|| f.id.clone(), |n| n.zh.clone());
                    (name, "factor", Some(f.id.clone()))
                }
            };
            SensitivityRow {
                input,
                kind,
                factor,
                stage: s.stage.map(|s| s.key),
                contribution: r.format(&s.contribution),
                minus_10: r.format(&s.minus_10),
                plus_10: r.format(&s.plus_10),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct AllocationRow {
    item: String,
    by: &'static str,
    share_pct: String,
    quantity: String,
    unit: &'static str,
    emissions: String,
}

#[derive(Serialize)]
struct Alternative {
    total: String,
    per_unit: String,
}

/// Per stage, keyed by stage key, then the total.
#[derive(Serialize)]
struct PerUnit {
    #[serde(flatten)]
    stages: StageMap<String>,
    total: String,
}

/// The whole period's emissions by origin, removals and aircraft emissions, kgCO2e.
#[derive(Serialize)]
struct Origin {
    fossil: String,
    biogenic: String,
    dluc: String,
    removals: String,
    aircraft: String,
}

#[derive(Serialize)]
struct DataQuality {
    score: String,
    grade: u8,
}

#[derive(Serialize)]
struct Reconciliation {
    figure: &'static str,
    claimed: String,
    computed: String,
    difference_pct: Option<String>,
    material: bool,
}

#[derive(Serialize)]
struct Warning {
    code: &'static str,
    /// English, as it always was; `messages` has both languages.
    message: String,
    messages: Messages,
    #[serde(skip_serializing_if = "Option::is_none")]
    product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'static str>,
    /// The finding's figures and words by name: results rounded as configured, thresholds
    /// and shares in percent, terms by their machine name.
    figures: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Messages {
    zh: String,
    en: String,
}

/// Each stage's figure, rounded as configured.
fn stages(values: &StageMap<Exact>, r: Rounding) -> StageMap<String> {
    values.clone().map(|v| r.format(v))
}

/// The product's part of each shared item, in the order of its lines.
fn allocation(
    e: &Engagement,
    p: &crate::engagement::Product,
    pr: &crate::calc::ProductResult,
    r: Rounding,
) -> Vec<AllocationRow> {
    let hundred = Exact::from(100u32);
    p.lines
        .iter()
        .zip(&pr.lines)
        .filter_map(|(l, lr)| {
            let a = l.allocation.as_ref()?;
            let (quantity, unit) = crate::calc::allocated_quantity(l, lr);
            Some(AllocationRow {
                item: l.name.zh.clone(),
                by: e.shared[a.item].basis.key(),
                share_pct: r.format(&(&a.share * &hundred)),
                quantity: r.format(&quantity),
                unit,
                emissions: r.format(&lr.kg),
            })
        })
        .collect()
}

/// The results as pretty-printed JSON, keys in a fixed order.
pub fn results_json(
    e: &Engagement,
    results: &Results,
    findings: &[Finding],
    c: &Catalogue,
) -> String {
    let r = e.scope.rounding;
    let hundred = Exact::from(100u32);
    let separated = e.origin_separated();
    let products = e
        .products
        .iter()
        .zip(&results.products)
        .map(|(p, pr)| Product {
            id: p.id.clone(),
            output: p.output.to_string(),
            stages: stages(&pr.stages, r),
            total: r.format(&pr.total),
            origin: separated.then(|| Origin {
                fossil: r.format(&pr.origin.fossil),
                biogenic: r.format(&pr.origin.biogenic),
                dluc: r.format(&pr.origin.dluc),
                removals: r.format(&pr.origin.removals),
                aircraft: r.format(&pr.origin.aircraft),
            }),
            per_unit: PerUnit {
                stages: stages(&pr.per_unit, r),
                total: r.format(&pr.per_unit_total),
            },
            share_pct: stages(&pr.shares.clone().map(|s| s * &hundred), r),
            data_quality: DataQuality {
                score: r.format(&pr.quality.score),
                grade: pr.quality.grade,
            },
            reconciliation: pr
                .reconciliation
                .iter()
                .map(|rec| Reconciliation {
                    figure: rec.figure.key(),
                    claimed: r.format(&rec.claimed),
                    computed: r.format(&rec.computed),
                    difference_pct: rec.difference_pct.as_ref().map(|d| r.format(d)),
                    material: rec.material,
                })
                .collect(),
            allocation: (!e.shared.is_empty()).then(|| allocation(e, p, pr, r)),
            allocation_alternatives: (!e.shared.is_empty()).then(|| {
                let output = Exact::from(p.output);
                pr.alternatives
                    .iter()
                    .map(|(basis, total)| {
                        let alt = Alternative {
                            total: r.format(total),
                            per_unit: r.format(total.fraction_of(&output)),
                        };
                        (basis.key(), alt)
                    })
                    .collect()
            }),
            uncertainty: pr
                .uncertainty
                .as_ref()
                .zip(e.scope.uncertainty)
                .map(|(u, mc)| Uncertainty {
                    confidence: format!(
                        "{}%",
                        (mc.confidence * rust_decimal::Decimal::ONE_HUNDRED).normalize()
                    ),
                    iterations: mc.iterations,
                    total: stats(&u.total, r),
                    per_unit: stats(&u.per_unit, r),
                    approach1_pct: u.approach1_pct.as_ref().map(|a| r.format(a)),
                    exact_inputs: u
                        .exact_lines
                        .iter()
                        .map(|&i| p.lines[i].name.zh.clone())
                        .collect(),
                    exact_share_pct: r.format(&(&u.exact_share * &hundred)),
                }),
            sensitivity: sensitivity(e, p, pr, r),
        })
        .collect();
    let warnings = findings
        .iter()
        .map(|f| {
            let text = present::finding(c, e, f);
            Warning {
                code: f.code,
                message: text.en.clone(),
                messages: Messages {
                    zh: text.zh,
                    en: text.en,
                },
                product: f.subject.product.as_ref().map(|p| p.id.clone()),
                factor: f.subject.factor.as_ref().map(|p| p.id.clone()),
                stage: f.subject.stage.map(|s| s.key),
                figures: f
                    .figures
                    .iter()
                    .map(|(name, fact)| ((*name).to_owned(), present::fact_json(r, fact)))
                    .collect(),
            }
        })
        .collect();
    let opinion = crate::checks::opinion::opinion(e, findings).map(|o| Opinion {
        kind: o.kind.key(),
        assurance: o.assurance.key(),
        open_findings: o.open,
    });
    let doc = Document {
        format: FORMAT,
        results_format: RESULTS_FORMAT,
        report: ReportId {
            number: e.report.number.clone(),
            revision: e.report.revision,
        },
        units: Units {
            emissions: "kgCO2e",
            per_unit: "kgCO2e per functional unit",
            percent: "%",
            output: "functional units",
        },
        rounding: RoundingRule {
            mode: r.mode.key(),
            places: r.places,
        },
        products,
        opinion,
        warnings,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("plain structs always serialize");
    out.push('\n');
    out
}

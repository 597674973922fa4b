//! The report view: everything a template prints, as ready-made strings in both languages.
//!
//! Templates do no arithmetic and no formatting: every figure here is rounded once (by
//! [`Rounding`]) and every date is written out in each language.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::Verified;
use crate::calc::Figure;
use crate::checks::category_key;
use crate::engagement::*;
use crate::present::wording::Catalogue;
use crate::units::exact::Exact;
use crate::units::rounding::Rounding;

/// A text in both languages; templates pick the report's languages.
#[derive(Clone, Debug, Default, Serialize)]
pub struct T {
    pub zh: String,
    pub en: String,
}

impl From<&T> for Bi {
    fn from(t: &T) -> Bi {
        Bi {
            zh: t.zh.clone(),
            en: t.en.clone(),
        }
    }
}

impl From<&Bi> for T {
    fn from(b: &Bi) -> T {
        T {
            zh: b.zh.clone(),
            en: b.en.clone(),
        }
    }
}

/// The catalogue's text for `key`, placeholders filled.
fn w(c: &Catalogue, key: &str, args: &[(&str, &Bi)]) -> T {
    T::from(&c.word(key, args))
}

fn t(zh: impl Into<String>, en: impl Into<String>) -> T {
    T {
        zh: zh.into(),
        en: en.into(),
    }
}

/// A placeholder's value that is the same in both languages (a number).
fn bi(s: String) -> Bi {
    Bi {
        zh: s.clone(),
        en: s,
    }
}

/// The same string in both languages (numbers, codes, names).
fn same(s: impl Into<String>) -> T {
    let s = s.into();
    T {
        zh: s.clone(),
        en: s,
    }
}

fn opt(b: &Option<Bi>) -> Option<T> {
    b.as_ref().map(T::from)
}

/// Paragraphs of a multi-paragraph text, split at blank lines.
fn paragraphs(b: &Option<Bi>) -> Vec<T> {
    let Some(b) = b else { return Vec::new() };
    let split = |s: &str| -> Vec<String> {
        s.split("\n\n")
            .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let (zh, en) = (split(&b.zh), split(&b.en));
    let n = zh.len().max(en.len());
    (0..n)
        .map(|i| {
            t(
                zh.get(i).cloned().unwrap_or_default(),
                en.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// `2024年2月11日` / `11 February 2024`.
pub fn date(d: NaiveDate) -> T {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    t(
        format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
    )
}

fn span(s: Span) -> T {
    let (a, b) = (date(s.from), date(s.to));
    t(format!("{}—{}", a.zh, b.zh), format!("{} – {}", a.en, b.en))
}

/// A fraction as a percentage, as written in the file: 0.05 -> `5%`.
fn pct(fraction: Decimal) -> String {
    format!("{}%", (fraction * Decimal::ONE_HUNDRED).normalize())
}

/// The most rows a merged cell may span. Typst keeps a merged cell and all its rows on one
/// page, so a longer span would run off the bottom of the page; past this the tables repeat
/// the label instead. Eight rows of three lines each take about half a page.
const SPAN_ROWS: usize = 8;

/// The most products whose footprint rows (four each) one period cell may span.
const SPAN_PRODUCTS: usize = 4;

/// A list of more names than this in one cell of the emission-sources table may continue
/// on the next page: such a cell can be taller than a page.
const LONG_LIST: usize = 40;

/// A reconciliation's difference in percent, or a dash when nothing was computed.
fn difference(rec: &crate::calc::Reconciliation, r: Rounding) -> String {
    rec.difference_pct
        .as_ref()
        .map_or("—".into(), |d| r.format(d))
}

/// Everything the report shows.
#[derive(Debug, Serialize)]
pub struct View {
    /// The languages to print, in order: `["zh", "en"]`, `["zh"]`, …
    pub langs: Vec<&'static str>,
    pub report: ReportV,
    pub scope: ScopeV,
    pub verifier: VerifierV,
    pub client: ClientV,
    pub boundary: BoundaryV,
    pub factors: Vec<FactorV>,
    pub products: Vec<ProductV>,
    /// The product names joined, for sentences: `智能配电装置、综合配电箱`.
    pub product_names: T,
    /// The functional unit all products share (`台`), for table headings; "unit" otherwise.
    pub functional_unit: T,
    /// Rows of the footprint table: per product, one per stage and the total.
    pub footprint_rows: usize,
    /// The footprint table has too many rows for one cell to span them all: the period is
    /// printed beside each product instead of once for the table.
    pub period_per_product: bool,
    /// A stage has too many lines for one cell to span them: the data-quality tables list
    /// every stage under a full-width heading row, repeated on each page the stage takes,
    /// rather than beside a merged cell. Decided for the whole report, so its tables agree.
    pub quality_bands: bool,
    pub evaluation: EvaluationsV,
    pub conclusion: ConclusionV,
    pub improvements: Vec<ImprovementV>,
    pub attachments: Vec<T>,
    pub findings: Vec<FindingV>,
    /// SHA-256 of the engagement file's bytes, hex.
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct ReportV {
    pub number: String,
    pub revision: u32,
    pub title: T,
    pub status: T,
    pub draft: bool,
    pub issued: T,
    pub supersedes: Option<String>,
    pub changes: Vec<ChangeV>,
    /// Figures that changed since the superseded revision (when it was available).
    pub figure_changes: Vec<FigureChangeV>,
}

#[derive(Debug, Serialize)]
pub struct FigureChangeV {
    pub product: T,
    pub figure: T,
    pub old: String,
    pub new: String,
    pub change: String,
}

#[derive(Debug, Serialize)]
pub struct ChangeV {
    pub revision: u32,
    pub date: T,
    pub note: T,
}

#[derive(Debug, Serialize)]
pub struct ScopeV {
    pub criteria: Vec<T>,
    /// The criteria in one sentence: `《…》、《…》` / `…; …`.
    pub criteria_list: T,
    pub assurance: T,
    pub materiality: String,
    pub cutoff_process: String,
    pub cutoff_total: String,
    pub coverage: String,
    pub period: T,
    /// The year of the period's start, for table headings (`2023年`).
    pub period_year: String,
    pub document_review: Option<T>,
    pub site_visit: T,
    pub gwp: String,
    pub rounding: T,
}

#[derive(Debug, Serialize)]
pub struct PersonV {
    pub name: T,
    pub role: T,
    pub field: T,
    pub on_site: T,
}

#[derive(Debug, Serialize)]
pub struct VerifierV {
    pub name: T,
    pub address: Option<T>,
    pub profile: Vec<T>,
    pub logo: Option<String>,
    pub team: Vec<PersonV>,
    pub team_names: T,
    pub reviewers: Vec<PersonV>,
    pub reviewer_names: T,
    pub approver: Option<T>,
    pub signature: Option<String>,
    pub seal: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EquipmentV {
    pub name: T,
    pub model: String,
    pub power: String,
    pub note: T,
}

#[derive(Debug, Serialize)]
pub struct ProcessV {
    pub name: T,
    pub steps: Vec<T>,
    pub flowchart: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ClientV {
    pub name: T,
    pub credit_code: Option<String>,
    pub industry: Option<T>,
    pub address: Option<T>,
    pub founded: Option<T>,
    pub legal_form: Option<T>,
    pub profile: Vec<T>,
    pub energy: Vec<T>,
    pub org_chart: Option<String>,
    pub equipment: Vec<EquipmentV>,
    pub processes: Vec<ProcessV>,
}

#[derive(Debug, Serialize)]
pub struct BoundaryV {
    pub name: T,
    pub stages: T,
    /// Included and excluded processes side by side, row by row.
    pub rows: Vec<BoundaryRowV>,
}

#[derive(Debug, Serialize)]
pub struct BoundaryRowV {
    pub included: Option<T>,
    pub excluded: Option<T>,
}

#[derive(Debug, Serialize)]
pub struct FactorV {
    pub id: String,
    pub name: T,
    pub value: String,
    pub unit: String,
    pub source: T,
    pub category: T,
    pub reference: Option<String>,
    pub year: Option<String>,
    pub note: Option<T>,
    pub evaluation: Option<T>,
    /// The stage it serves, from the lines that use it.
    pub stage: T,
}

/// One row of a stage table.
#[derive(Debug, Serialize)]
pub struct StageV {
    pub name: T,
    pub kg: String,
    pub per_unit: String,
    pub share: String,
    /// The bar's length in the chart, as a typst ratio (`36.74%`).
    pub bar: String,
}

/// One inventory line in an `A × B = C` table.
#[derive(Debug, Serialize)]
pub struct LineV {
    pub name: T,
    pub supplier: T,
    pub mode: T,
    pub count: String,
    /// Activity (materials, energy, process) or mass (transport), as written.
    pub a: String,
    pub a_unit: String,
    /// Distance (transport only).
    pub b: String,
    pub b_unit: String,
    pub factor: String,
    pub factor_unit: String,
    pub factor_id: String,
    /// The conversion to kgCO2e when it is not 1 (`1000`, GWP 23500).
    pub conversion: String,
    pub kg: String,
    pub share: String,
    pub scores: [u8; 3],
    pub mean: String,
    pub weighted: String,
}

#[derive(Debug, Serialize)]
pub struct StageLinesV {
    pub name: T,
    /// The shorter name of captions and subtotals.
    pub short: T,
    /// The heading of the column that names a line.
    pub item: T,
    /// True when the lines are freight (mass x distance x factor).
    pub freight: bool,
    pub key: &'static str,
    pub lines: Vec<LineV>,
    pub subtotal: String,
}

#[derive(Debug, Serialize)]
pub struct RecV {
    pub figure: T,
    pub claimed: String,
    pub computed: String,
    pub difference: String,
    pub material: bool,
}

#[derive(Debug, Serialize)]
pub struct ProductV {
    pub id: String,
    pub name: T,
    pub brand: T,
    pub model: String,
    pub specification: String,
    pub functional_unit: T,
    pub output: String,
    pub stages: Vec<StageV>,
    pub total: String,
    pub per_unit_total: String,
    /// Lines by stage: materials, transport, production.
    pub inventory: Vec<StageLinesV>,
    pub quality_score: String,
    pub quality_grade: u8,
    pub quality_grade_name: T,
    pub reconciliation: Vec<RecV>,
    /// True when the rounded parts do not add up to the rounded totals.
    pub rounding_note: bool,
    /// The stage with the largest emissions.
    pub hotspot: T,
    /// Emission sources by stage: what is in each (the seed's table 3.2-2).
    pub sources: Vec<SourceV>,
    /// Activity data and factors by stage; transport summed per factor in tkm.
    pub activities: Vec<ActivityV>,
}

#[derive(Debug, Serialize)]
pub struct SourceV {
    pub stage: T,
    pub items: T,
    pub description: T,
    /// The list of items is long enough to continue on the next page.
    pub breakable: bool,
}

#[derive(Debug, Serialize)]
pub struct ActivityV {
    pub stage: T,
    pub activity: T,
    pub factor: String,
}

#[derive(Debug, Serialize)]
pub struct EvaluationV {
    pub source: T,
    pub method: T,
    pub frequency: T,
    pub recording: T,
    pub missing: T,
    pub conclusion: T,
}

#[derive(Debug, Serialize)]
pub struct EvaluationsV {
    pub output: Option<EvaluationV>,
    pub materials: Option<EvaluationV>,
    pub transport: Option<EvaluationV>,
    pub production: Option<EvaluationV>,
}

#[derive(Debug, Serialize)]
pub struct MisstatementV {
    pub product: T,
    pub figure: T,
    pub unit: T,
    pub claimed: String,
    pub computed: String,
    pub difference: String,
}

#[derive(Debug, Serialize)]
pub struct ConclusionV {
    /// No reconciliation is material: "fairly stated".
    pub fair: bool,
    pub misstatements: Vec<MisstatementV>,
}

#[derive(Debug, Serialize)]
pub struct ImprovementV {
    pub title: T,
    pub text: Vec<T>,
}

#[derive(Debug, Serialize)]
pub struct FindingV {
    pub code: &'static str,
    /// A short title, printed instead of the code.
    pub title: T,
    pub message: T,
}

fn role(c: &Catalogue, r: Role) -> T {
    match r {
        Role::Lead => w(c, "role.lead", &[]),
        Role::Member => w(c, "role.member", &[]),
    }
}

fn yes_no(c: &Catalogue, b: bool) -> T {
    w(c, if b { "answer.yes" } else { "answer.no" }, &[])
}

fn join(names: impl Iterator<Item = T>) -> T {
    let (zh, en): (Vec<String>, Vec<String>) = names.map(|n| (n.zh, n.en)).unzip();
    t(zh.join("、"), en.join(", "))
}

fn mode(c: &Catalogue, m: TransportMode) -> T {
    let key = match m {
        TransportMode::Road => "mode.road",
        TransportMode::Rail => "mode.rail",
        TransportMode::Sea => "mode.sea",
        TransportMode::InlandWaterway => "mode.inland-waterway",
        TransportMode::Air => "mode.air",
    };
    w(c, key, &[])
}

fn grade_name(c: &Catalogue, g: u8) -> T {
    w(c, &format!("grade.{}", g.clamp(1, 5)), &[])
}

fn evaluation(e: &Option<Evaluation>) -> Option<EvaluationV> {
    let e = e.as_ref()?;
    let f = |b: &Option<Bi>| opt(b).unwrap_or_default();
    Some(EvaluationV {
        source: f(&e.source),
        method: f(&e.method),
        frequency: f(&e.frequency),
        recording: f(&e.recording),
        missing: f(&e.missing),
        conclusion: f(&e.conclusion),
    })
}

/// Builds the view of a verified engagement with the built-in wording; `source` is the
/// engagement file's bytes.
pub fn build(
    v: &Verified,
    langs: &[Language],
    source: &[u8],
    changes: Option<&crate::exports::diff::Diff>,
) -> View {
    build_with(v, langs, source, changes, Catalogue::builtin())
}

/// Builds the view of a verified engagement, its words from the catalogue `c`.
pub fn build_with(
    v: &Verified,
    langs: &[Language],
    source: &[u8],
    changes: Option<&crate::exports::diff::Diff>,
    c: &Catalogue,
) -> View {
    let e = &v.engagement;
    let r = e.scope.rounding;
    let s = &e.scope;
    let products: Vec<ProductV> = e
        .products
        .iter()
        .zip(&v.results.products)
        .map(|(p, pr)| product(c, e, p, pr, r))
        .collect();
    let person = |name: &Bi, role: T, field: &Option<Bi>, on_site: bool| PersonV {
        name: name.into(),
        role,
        field: opt(field).unwrap_or_else(|| same("/")),
        on_site: yes_no(c, on_site),
    };
    let misstatements = e
        .products
        .iter()
        .zip(&v.results.products)
        .flat_map(|(p, pr)| {
            pr.reconciliation
                .iter()
                .filter(|rec| rec.material)
                .map(move |rec| MisstatementV {
                    product: (&p.name).into(),
                    figure: match rec.figure {
                        Figure::Total => w(c, "term.figure.total", &[]),
                        Figure::PerUnit => w(c, "term.figure.per-unit", &[]),
                    },
                    unit: match rec.figure {
                        Figure::Total => w(c, "term.unit.total", &[]),
                        Figure::PerUnit => w(
                            c,
                            "term.unit.per-unit",
                            &[("functional_unit", &p.functional_unit)],
                        ),
                    },
                    claimed: r.format(&rec.claimed),
                    computed: r.format(&rec.computed),
                    difference: difference(rec, r),
                })
        })
        .collect::<Vec<_>>();
    View {
        langs: langs.iter().map(|l| l.key()).collect(),
        report: ReportV {
            number: e.report.number.clone(),
            revision: e.report.revision,
            title: (&e.report.title).into(),
            status: match e.report.status {
                Status::Draft => w(c, "status.draft", &[]),
                Status::Reviewed => w(c, "status.reviewed", &[]),
                Status::Approved => w(c, "status.approved", &[]),
            },
            draft: e.report.status != Status::Approved,
            issued: date(e.report.issued),
            supersedes: e.report.supersedes.clone(),
            figure_changes: changes
                .map(|d| {
                    d.figures
                        .iter()
                        .map(|f| FigureChangeV {
                            product: e
                                .products
                                .iter()
                                .find(|p| p.id == f.product)
                                .map_or_else(|| same(f.product.clone()), |p| T::from(&p.name)),
                            figure: match (f.figure, stage_named(e, f.figure)) {
                                (_, Some(stage)) => T::from(&c.stage(stage).name),
                                ("total", _) => w(c, "view.change.total", &[]),
                                ("per_unit", _) => w(c, "view.change.per-unit", &[]),
                                // A figure the diff names that this view does not know yet:
                                // shown by its key rather than mislabelled.
                                (other, _) => same(other),
                            },
                            old: f.old.clone().unwrap_or_else(|| "—".into()),
                            new: f.new.clone().unwrap_or_else(|| "—".into()),
                            change: f.change.clone().unwrap_or_else(|| "—".into()),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            changes: e
                .report
                .changes
                .iter()
                .map(|c| ChangeV {
                    revision: c.revision,
                    date: date(c.date),
                    note: (&c.note).into(),
                })
                .collect(),
        },
        scope: ScopeV {
            criteria: s.criteria.iter().map(T::from).collect(),
            criteria_list: {
                let (zh, en): (Vec<String>, Vec<String>) = s
                    .criteria
                    .iter()
                    .map(|c| (c.zh.clone(), c.en.clone()))
                    .unzip();
                t(zh.join("、"), en.join("; "))
            },
            assurance: match s.assurance {
                Assurance::Reasonable => w(c, "assurance.reasonable", &[]),
                Assurance::Limited => w(c, "assurance.limited", &[]),
            },
            materiality: pct(s.materiality),
            cutoff_process: pct(s.cutoff_process),
            cutoff_total: pct(s.cutoff_total),
            coverage: pct(s.coverage),
            period: span(s.period),
            period_year: s.period.from.year().to_string(),
            document_review: s.document_review.map(span),
            site_visit: span(s.site_visit),
            gwp: format!("{:?}", s.gwp),
            rounding: w(
                c,
                &format!("rounding.{}", r.mode.key()),
                &[("places", &bi(r.places.to_string()))],
            ),
        },
        verifier: VerifierV {
            name: (&e.verifier.name).into(),
            address: opt(&e.verifier.address),
            profile: paragraphs(&e.verifier.profile),
            logo: e.verifier.logo.clone(),
            team: e
                .verifier
                .team
                .iter()
                .map(|m| person(&m.name, role(c, m.role), &m.field, m.on_site))
                .collect(),
            team_names: join(e.verifier.team.iter().map(|m| T::from(&m.name))),
            reviewers: e
                .verifier
                .reviewers
                .iter()
                .map(|m| person(&m.name, w(c, "role.reviewer", &[]), &m.field, m.on_site))
                .collect(),
            reviewer_names: join(e.verifier.reviewers.iter().map(|m| T::from(&m.name))),
            approver: e.verifier.approver.as_ref().map(|a| T::from(&a.name)),
            signature: e
                .verifier
                .approver
                .as_ref()
                .and_then(|a| a.signature.clone()),
            seal: e.verifier.seal.clone(),
        },
        client: ClientV {
            name: (&e.client.name).into(),
            credit_code: e.client.credit_code.clone(),
            industry: e.client.industry.as_ref().map(|i| {
                t(
                    format!("{}（{}）", i.name.zh, i.code),
                    format!("{} ({})", i.name.en, i.code),
                )
            }),
            address: opt(&e.client.address),
            founded: e.client.founded.map(date),
            legal_form: opt(&e.client.legal_form),
            profile: paragraphs(&e.client.profile),
            energy: paragraphs(&e.client.energy),
            org_chart: e.client.org_chart.clone(),
            equipment: e
                .client
                .equipment
                .iter()
                .map(|q| EquipmentV {
                    name: (&q.name).into(),
                    model: q.model.clone().unwrap_or_else(|| "/".into()),
                    power: q.power.clone().unwrap_or_else(|| "/".into()),
                    note: match (&q.note, q.count) {
                        (Some(n), _) => n.into(),
                        (None, Some(n)) if n > 1 => {
                            w(c, "view.equipment-count", &[("count", &bi(n.to_string()))])
                        }
                        _ => same(""),
                    },
                })
                .collect(),
            processes: e
                .client
                .processes
                .iter()
                .map(|p| ProcessV {
                    name: (&p.name).into(),
                    steps: p.steps.iter().map(T::from).collect(),
                    flowchart: p.flowchart.clone(),
                })
                .collect(),
        },
        boundary: BoundaryV {
            name: (&c.boundary(e.boundary.kind)).into(),
            stages: {
                let names: Vec<Bi> = e.boundary.stages.iter().map(|&s| c.stage(s).name).collect();
                t(
                    names
                        .iter()
                        .map(|w| w.zh.as_str())
                        .collect::<Vec<_>>()
                        .join("—"),
                    names
                        .iter()
                        .map(|w| w.en.to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            },
            rows: (0..e.boundary.included.len().max(e.boundary.excluded.len()))
                .map(|i| BoundaryRowV {
                    included: e.boundary.included.get(i).map(T::from),
                    excluded: e.boundary.excluded.get(i).map(|x| T::from(&x.item)),
                })
                .collect(),
        },
        factors: e
            .factors
            .iter()
            .enumerate()
            .map(|(i, f)| factor(c, e, i, f))
            .collect(),
        product_names: join(e.products.iter().map(|p| T::from(&p.name))),
        footprint_rows: e.products.len() * (e.boundary.stages.len() + 1),
        period_per_product: e.products.len() > SPAN_PRODUCTS,
        quality_bands: products
            .iter()
            .flat_map(|p| &p.inventory)
            .any(|stage| stage.lines.len() > SPAN_ROWS),
        functional_unit: match e.products.split_first() {
            Some((first, rest))
                if rest
                    .iter()
                    .all(|p| p.functional_unit == first.functional_unit) =>
            {
                T::from(&first.functional_unit)
            }
            _ => w(c, "view.functional-unit", &[]),
        },
        products,
        evaluation: EvaluationsV {
            output: evaluation(&e.data_evaluation.output),
            materials: evaluation(&e.data_evaluation.materials),
            transport: evaluation(&e.data_evaluation.transport),
            production: evaluation(&e.data_evaluation.production),
        },
        conclusion: ConclusionV {
            fair: misstatements.is_empty(),
            misstatements,
        },
        improvements: e
            .improvements
            .iter()
            .map(|i| ImprovementV {
                title: (&i.title).into(),
                text: paragraphs(&Some(i.text.clone())),
            })
            .collect(),
        attachments: e.attachments.iter().map(|a| T::from(&a.title)).collect(),
        findings: v
            .findings
            .iter()
            .map(|f| FindingV {
                code: f.code,
                title: (&crate::present::finding_title(c, f)).into(),
                message: (&crate::present::finding(c, e, f)).into(),
            })
            .collect(),
        sha256: crate::report::archive::sha256_hex(source),
    }
}

/// The stage with this key: one of the boundary's, or else a registered one.
fn stage_named(e: &Engagement, key: &str) -> Option<Stage> {
    e.boundary
        .stages
        .iter()
        .copied()
        .find(|s| s.key == key)
        .or_else(|| Stage::by_key(key))
}

fn factor(c: &Catalogue, e: &Engagement, i: usize, f: &Factor) -> FactorV {
    let stage = e
        .products
        .iter()
        .flat_map(|p| &p.lines)
        .find(|l| l.factor == Some(i))
        .map(|l| T::from(&c.stage(l.stage).name))
        .unwrap_or_else(|| same("/"));
    FactorV {
        id: f.id.clone(),
        name: f
            .name
            .as_ref()
            .map(T::from)
            .unwrap_or_else(|| same(f.id.clone())),
        value: f.value.to_string(),
        unit: f.unit.to_string(),
        source: (&f.source).into(),
        category: w(c, category_key(f.category), &[]),
        reference: f.reference.clone(),
        year: f.year.map(|y| y.to_string()),
        note: opt(&f.note),
        evaluation: opt(&f.evaluation),
        stage,
    }
}

fn product(
    c: &Catalogue,
    e: &Engagement,
    p: &Product,
    pr: &crate::calc::ProductResult,
    r: Rounding,
) -> ProductV {
    let hundred = Exact::from(100u32);
    let stages = pr
        .stages
        .iter()
        .zip(pr.per_unit.values().zip(pr.shares.values()))
        .map(|((s, kg), (per_unit, share))| StageV {
            name: (&c.stage(s).name).into(),
            kg: r.format(kg),
            per_unit: r.format(per_unit),
            share: r.format(share * &hundred),
            bar: format!("{}%", (share * &hundred).to_plain(2)),
        })
        .collect();
    let inventory = pr
        .stages
        .iter()
        .map(|(s, subtotal)| {
            let lines: Vec<LineV> = p
                .lines
                .iter()
                .zip(&pr.lines)
                .filter(|(l, _)| l.stage == s)
                .map(|(l, lr)| line(c, e, l, lr, r))
                .collect();
            StageLinesV {
                name: (&c.stage(s).name).into(),
                short: (&c.stage(s).short).into(),
                item: (&c.stage(s).item).into(),
                freight: s.freight,
                key: s.key,
                lines,
                subtotal: r.format(subtotal),
            }
        })
        .collect();
    // The largest stage; of equal ones, the first.
    let hotspot = pr
        .stages
        .iter()
        .max_by(|(a, x), (b, y)| x.cmp(y).then(b.cmp(a)))
        .map_or(Stage::MATERIALS, |(s, _)| s);
    let rounding_sum = |parts: &StageMap<Exact>, total: &Exact| {
        parts.values().map(|v| r.round(v)).sum::<Exact>() != r.round(total)
    };
    ProductV {
        id: p.id.clone(),
        name: (&p.name).into(),
        brand: opt(&p.brand).unwrap_or_else(|| same("/")),
        model: p.model.clone().unwrap_or_else(|| "/".into()),
        specification: p.specification.clone().unwrap_or_else(|| "/".into()),
        functional_unit: (&p.functional_unit).into(),
        output: p.output.to_string(),
        stages,
        total: r.format(&pr.total),
        per_unit_total: r.format(&pr.per_unit_total),
        inventory,
        quality_score: r.format(&pr.quality.score),
        quality_grade: pr.quality.grade,
        quality_grade_name: grade_name(c, pr.quality.grade),
        reconciliation: pr
            .reconciliation
            .iter()
            .map(|rec| RecV {
                figure: match rec.figure {
                    Figure::Total => w(c, "view.reconciliation.total", &[]),
                    Figure::PerUnit => w(
                        c,
                        "view.reconciliation.per-unit",
                        &[("functional_unit", &p.functional_unit)],
                    ),
                },
                claimed: r.format(&rec.claimed),
                computed: r.format(&rec.computed),
                difference: difference(rec, r),
                material: rec.material,
            })
            .collect(),
        rounding_note: rounding_sum(&pr.stages, &pr.total)
            || rounding_sum(&pr.per_unit, &pr.per_unit_total),
        hotspot: (&c.stage(hotspot).name).into(),
        sources: sources(c, p, &e.boundary.stages),
        activities: activities(c, e, p, pr, r),
    }
}

fn sources(c: &Catalogue, p: &Product, stages: &[Stage]) -> Vec<SourceV> {
    stages
        .iter()
        .filter(|s| p.lines_of(**s).next().is_some())
        .map(|&s| {
            let mut names: Vec<T> = Vec::new();
            for l in p.lines_of(s) {
                let item = match &l.activity {
                    Activity::Transport { mode: m, .. } => mode(c, *m),
                    _ => T::from(&l.name),
                };
                if !names.iter().any(|n| n.zh == item.zh) {
                    names.push(item);
                }
            }
            SourceV {
                stage: (&c.stage(s).name).into(),
                breakable: names.len() > LONG_LIST,
                items: join(names.into_iter()),
                description: (&c.stage(s).description).into(),
            }
        })
        .collect()
}

fn activities(
    c: &Catalogue,
    e: &Engagement,
    p: &Product,
    pr: &crate::calc::ProductResult,
    r: Rounding,
) -> Vec<ActivityV> {
    let factor_text = |l: &Line| match l.factor {
        Some(f) => format!("{} {}", e.factors[f].value, e.factors[f].unit),
        None => format!("GWP {:?}", e.scope.gwp),
    };
    let mut rows: Vec<(Stage, ActivityV)> = Vec::new();
    let mut freight: Vec<(Stage, Option<usize>, TransportMode, Exact, usize)> = Vec::new();
    for (l, lr) in p.lines.iter().zip(&pr.lines) {
        match &l.activity {
            Activity::Transport { mode: m, .. } => {
                let tkm = lr.tkm.clone().unwrap_or_default();
                match freight
                    .iter_mut()
                    .find(|(s, f, md, _, _)| *s == l.stage && *f == l.factor && md == m)
                {
                    Some(entry) => {
                        entry.3 = &entry.3 + &tkm;
                        entry.4 += 1;
                    }
                    None => freight.push((l.stage, l.factor, *m, tkm, 1)),
                }
            }
            Activity::Material { quantity }
            | Activity::Energy { quantity }
            | Activity::Process { quantity } => rows.push((
                l.stage,
                ActivityV {
                    stage: (&c.stage(l.stage).name).into(),
                    activity: t(
                        format!("{}：{quantity}", l.name.zh),
                        format!("{}: {quantity}", l.name.en),
                    ),
                    factor: factor_text(l),
                },
            )),
        }
    }
    for (stage, factor, m, tkm, n) in freight {
        let md = Bi::from(&mode(c, m));
        let f = factor
            .map(|f| format!("{} {}", e.factors[f].value, e.factors[f].unit))
            .unwrap_or_default();
        rows.push((
            stage,
            ActivityV {
                stage: (&c.stage(stage).name).into(),
                activity: w(
                    c,
                    "view.freight",
                    &[
                        ("mode", &md),
                        ("tkm", &bi(r.format(&tkm))),
                        ("count", &bi(n.to_string())),
                    ],
                ),
                factor: f,
            },
        ));
    }
    // Stable: in file order within a stage.
    rows.sort_by_key(|(stage, _)| *stage);
    rows.into_iter().map(|(_, row)| row).collect()
}

fn line(
    c: &Catalogue,
    e: &Engagement,
    l: &Line,
    lr: &crate::calc::LineResult,
    r: Rounding,
) -> LineV {
    let f = l.factor.map(|i| &e.factors[i]);
    let (a, b, supplier, md, count) = match &l.activity {
        Activity::Transport {
            supplier,
            mode: m,
            mass,
            distance,
            count,
        } => (
            *mass,
            Some(*distance),
            opt(supplier).unwrap_or_else(|| same("/")),
            mode(c, *m),
            count.clone().unwrap_or_default(),
        ),
        Activity::Material { quantity }
        | Activity::Energy { quantity }
        | Activity::Process { quantity } => (*quantity, None, same(""), same(""), String::new()),
    };
    let (factor, factor_unit, factor_id) = match f {
        Some(f) => (f.value.to_string(), f.unit.to_string(), f.id.clone()),
        None => (
            lr.conversion.to_plain(28),
            format!("GWP {:?}", e.scope.gwp),
            String::new(),
        ),
    };
    let conversion = if f.is_none() || lr.conversion == Exact::int(1) {
        String::new()
    } else {
        lr.conversion.to_plain(10)
    };
    let s = l.scores;
    LineV {
        name: (&l.name).into(),
        supplier,
        mode: md,
        count,
        a: a.value.to_string(),
        a_unit: a.unit.symbol.to_owned(),
        b: b.map(|d| d.value.to_string()).unwrap_or_default(),
        b_unit: b.map(|d| d.unit.symbol.to_owned()).unwrap_or_default(),
        factor,
        factor_unit,
        factor_id,
        conversion,
        kg: r.format(&lr.kg),
        share: r.format(&lr.share * &Exact::from(100u32)),
        scores: [s.activity, s.factor, s.calibration],
        mean: r.format(&lr.mean_score),
        weighted: r.format(&lr.weighted_score),
    }
}

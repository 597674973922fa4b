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
use crate::uncertainty::{Input, Stats, Uncertainty};
use crate::units::exact::Exact;
use crate::units::rounding::{Rounding, RoundingMode, group_thousands};

/// A text in both languages; templates pick the report's languages.
#[derive(Clone, Debug, Default, Serialize)]
pub struct T {
    /// The Chinese text.
    pub zh: String,
    /// The English text.
    pub en: String,
}

impl T {
    /// Its length in characters, both languages together: what a table cell of it holds.
    fn chars(&self) -> usize {
        self.zh.chars().count() + self.en.chars().count()
    }
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

/// A count as written (`13000 只`), its Chinese counter word translated for the English
/// (`13000 pcs`, catalogue keys `view.counter.*`); anything else is the same in both.
fn count_text(c: &Catalogue, written: &str) -> T {
    let written = written.trim();
    let split = written
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == ','))
        .unwrap_or(written.len());
    let (number, counter) = (written[..split].trim(), written[split..].trim());
    let key = match counter {
        "只" | "个" | "件" | "枚" | "支" | "根" | "块" | "片" | "颗" | "粒" => "piece",
        "套" => "set",
        "台" => "unit",
        "米" => "metre",
        _ => return same(written),
    };
    let en = c.word(&format!("view.counter.{key}"), &[]).en;
    t(written, format!("{number} {en}"))
}

/// A power or rating as written, a space between the figure and its unit (`300W` →
/// `300 W`), as in every other quantity of the report.
fn spaced_unit(written: &str) -> String {
    let split = written
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
        .unwrap_or(written.len());
    let (number, unit) = written.split_at(split);
    if split > 0 && unit.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
        format!("{number} {unit}")
    } else {
        written.to_string()
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

/// `2024 年 2 月 11 日` / `11 February 2024`. The spaces are written: typst would add its
/// own between figures and Chinese, but not next to the box a table keeps `2024年` in, which
/// printed `2024 年2 月11 日`. Each figure stays with its 年, 月 or 日 (a no-break space, by
/// the markup).
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
        format!("{} 年 {} 月 {} 日", d.year(), d.month(), d.day()),
        format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
    )
}

fn span(s: Span) -> T {
    let (a, b) = (date(s.from), date(s.to));
    // `至` rather than a dash: a dash may begin a line (`—2023 年 12 月`); the English dash
    // stays with the date before it (a no-break space).
    t(
        format!("{}至{}", a.zh, b.zh),
        format!("{}\u{a0}– {}", a.en, b.en),
    )
}

/// A fraction as a percentage, as written in the file: 0.05 -> `5%`.
fn pct(fraction: Decimal) -> String {
    format!("{}%", (fraction * Decimal::ONE_HUNDRED).normalize())
}

/// The most products whose footprint rows (four each) one period cell may span.
const SPAN_PRODUCTS: usize = 4;

/// Characters (both languages) past which the list of names in a cell of the emission-sources
/// table, or a finding in the annex, may continue on the next page: about two thirds of a
/// page of that column. A row that cannot break and is taller than the page would lose its
/// end.
const LONG_LIST: usize = 1200;

/// Characters (both languages, all its texts) past which a register entry's row may
/// continue on the next page: about two thirds of a page of the findings table.
const LONG_ENTRY: usize = 3000;

/// Figures as the report prints them: rounded as configured, and grouped by thousands when
/// the file asks for it (`report.number_style: grouped`). Only the report groups: JSON, the
/// workbook and the check output keep plain figures.
#[derive(Clone, Copy)]
struct Figures {
    rounding: Rounding,
    grouped: bool,
}

impl Figures {
    /// `value` rounded once and written out (`1550204.46`, or `1 550 204.46` grouped), a
    /// negative one with the typographic minus (`−36.74`, not the hyphen of `-36.74`).
    fn format(&self, value: impl Into<Exact>) -> String {
        let written = self.rounding.format(value);
        let plain = match written.strip_prefix('-') {
            Some(magnitude) => format!("\u{2212}{magnitude}"),
            None => written,
        };
        if self.grouped {
            group_thousands(&plain)
        } else {
            plain
        }
    }
}

/// A reconciliation's difference in percent, or a dash when nothing was computed.
fn difference(rec: &crate::calc::Reconciliation, r: Figures) -> String {
    rec.difference_pct
        .as_ref()
        .map_or("—".into(), |d| r.format(d))
}

/// Everything the report shows.
#[derive(Debug, Serialize)]
pub struct View {
    /// The languages to print, in order: `["zh", "en"]`, `["zh"]`, …
    pub langs: Vec<&'static str>,
    /// The report's number, revision, status, dates and revision history.
    pub report: ReportV,
    /// What was verified against what, worded for printing.
    pub scope: ScopeV,
    /// The verification body, its team, reviewers and approver.
    pub verifier: VerifierV,
    /// The client, its equipment and processes.
    pub client: ClientV,
    /// The system boundary: its name, stages, and what is included and excluded.
    pub boundary: BoundaryV,
    /// Every emission factor, in file order.
    pub factors: Vec<FactorV>,
    /// Every product with its figures, in file order.
    pub products: Vec<ProductV>,
    /// The site-level items and their allocation to the products (none without `shared`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocation: Vec<AllocationV>,
    /// The basis every shared item uses, when they all use one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_basis: Option<T>,
    /// The other allocation bases the data support, for the sensitivity table's columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternative_bases: Vec<T>,
    /// The sensitivity table: each product's total as reported and under each other basis.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensitivity: Vec<SensitivityV>,
    /// The Monte Carlo analysis's settings, when the file asks for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarloV>,
    /// The product names joined, for sentences: `智能配电装置、综合配电箱`.
    pub product_names: T,
    /// The functional unit all products share (`台`), for table headings; "unit" otherwise.
    pub functional_unit: T,
    /// Rows of the footprint table: per product, one per stage and the total.
    pub footprint_rows: usize,
    /// The footprint table has too many rows for one cell to span them all: the period is
    /// printed beside each product instead of once for the table.
    pub period_per_product: bool,
    /// True when the engagement separates the origin of emissions (factor parts or removals,
    /// biogenic gas lines, freight by air): the summary tables then show emissions,
    /// removals and net emissions, and a table of the figures by origin follows.
    pub origin_separated: bool,
    /// The team's evaluation of each kind of activity data, as given.
    pub evaluation: EvaluationsV,
    /// The data-quality scoring rules: what each kind of data, factor category and
    /// calibration scores.
    pub scoring: ScoringV,
    /// The verification conclusion: fairly stated or not, and the material misstatements.
    pub conclusion: ConclusionV,
    /// The opinion, worded: the statement page and the conclusion print the same paragraphs.
    pub opinion: OpinionV,
    /// The note under the statement's table of footprints when its rounded stages do not add
    /// up to the rounded totals, naming the products concerned.
    pub statement_rounding_note: Option<T>,
    /// The improvement measures, in file order.
    pub improvements: Vec<ImprovementV>,
    /// The attachments' titles, in file order.
    pub attachments: Vec<T>,
    /// The automatic checks' findings, in the checks' fixed order, worded from the
    /// catalogue, each with how the findings register deals with it (the annex).
    pub findings: Vec<FindingV>,
    /// The team's findings register, in file order, numbered from 1 (section 7).
    pub register: Vec<RegisterV>,
    /// SHA-256 of the engagement file's bytes, hex.
    pub sha256: String,
}

/// The report as a document: number, revision, status, dates, revision history.
#[derive(Debug, Serialize)]
pub struct ReportV {
    /// The report number.
    pub number: String,
    /// The revision: 1 for the first issue.
    pub revision: u32,
    /// The report's title.
    pub title: T,
    /// Its status, worded (`草稿` / `Draft`, …).
    pub status: T,
    /// True unless the report is approved: the pages carry a DRAFT watermark.
    pub draft: bool,
    /// The date of issue, written out in each language.
    pub issued: T,
    /// The number of the report this one replaces, as written.
    pub supersedes: Option<String>,
    /// The revision history, in file order.
    pub changes: Vec<ChangeV>,
    /// Figures that changed since the superseded revision (when it was available).
    pub figure_changes: Vec<FigureChangeV>,
}

/// A product figure that changed since the superseded revision.
#[derive(Debug, Serialize)]
pub struct FigureChangeV {
    /// The product's name (its id when the current file no longer has it).
    pub product: T,
    /// Which figure: a stage's name, or the total or per-unit label.
    pub figure: T,
    /// The old figure, rounded as configured, or `—` when the old revision lacks it.
    pub old: String,
    /// The new figure, rounded as configured, or `—` when this revision lacks it.
    pub new: String,
    /// `new - old`, rounded as configured, or `—` when either is missing.
    pub change: String,
}

/// One entry of the revision history.
#[derive(Debug, Serialize)]
pub struct ChangeV {
    /// The revision it describes.
    pub revision: u32,
    /// Its date, written out in each language.
    pub date: T,
    /// What changed.
    pub note: T,
}

/// What was verified against what, worded for printing.
#[derive(Debug, Serialize)]
pub struct ScopeV {
    /// The criteria, one text each, in the order listed.
    pub criteria: Vec<T>,
    /// The criteria in one sentence: `《…》、《…》` / `…; …`.
    pub criteria_list: T,
    /// The level of assurance, worded (`合理保证` / `reasonable assurance`).
    pub assurance: T,
    /// The materiality threshold as written in percent: `5%`.
    pub materiality: String,
    /// The cut-off for one excluded process: `1%`.
    pub cutoff_process: String,
    /// The cut-off for all excluded processes together: `5%`.
    pub cutoff_total: String,
    /// The coverage the inventory must reach: `98%`.
    pub coverage: String,
    /// The reporting period, both dates written out: `2023年1月1日—2023年12月31日`.
    pub period: T,
    /// The year of the period's start, for table headings (`2023年`).
    pub period_year: String,
    /// When the documents were reviewed, like `period`, when given.
    pub document_review: Option<T>,
    /// When the site was visited, like `period`.
    pub site_visit: T,
    /// The GWP set: `AR4`, `AR5` or `AR6`.
    pub gwp: String,
    /// The rounding rule in a sentence: `四舍五入，保留 2 位小数`.
    pub rounding: T,
}

/// A person of the team or a reviewer, as a row of the team table.
#[derive(Debug, Serialize)]
pub struct PersonV {
    /// The person's name.
    pub name: T,
    /// Their role, worded: team leader, member or technical reviewer.
    pub role: T,
    /// Their field of expertise, `/` when not given.
    pub field: T,
    /// Whether they were on site, worded as yes or no.
    pub on_site: T,
}

/// The verification body, worded for printing.
#[derive(Debug, Serialize)]
pub struct VerifierV {
    /// The body's name.
    pub name: T,
    /// Its address, when given.
    pub address: Option<T>,
    /// Its profile, paragraph by paragraph.
    pub profile: Vec<T>,
    /// The logo's path in the file: its bytes are in [`Engagement::files`].
    pub logo: Option<String>,
    /// The verification team, lead and members in file order.
    pub team: Vec<PersonV>,
    /// The team's names joined for a sentence (`、` / `, `).
    pub team_names: T,
    /// The technical reviewers, in file order.
    pub reviewers: Vec<PersonV>,
    /// The reviewers' names joined for a sentence.
    pub reviewer_names: T,
    /// The approver's name, when there is one.
    pub approver: Option<T>,
    /// The team leader's name.
    pub lead: Option<T>,
    /// The approver's signature image path, when given.
    pub signature: Option<String>,
    /// The seal image's path, when given.
    pub seal: Option<String>,
}

/// A row of the table of main energy-using equipment.
#[derive(Debug, Serialize)]
pub struct EquipmentV {
    /// The equipment's name.
    pub name: T,
    /// Its model in each language, `/` when not given.
    pub model: T,
    /// Its power or rating as written, `/` when not given.
    pub power: String,
    /// The remark; else how many there are (`7 台`) when more than one; else empty.
    pub note: T,
}

/// A production process, with its steps.
#[derive(Debug, Serialize)]
pub struct ProcessV {
    /// The process's name.
    pub name: T,
    /// Its steps, in order.
    pub steps: Vec<T>,
    /// The flow chart image's path, when given.
    pub flowchart: Option<String>,
}

/// The client, worded for printing.
#[derive(Debug, Serialize)]
pub struct ClientV {
    /// The client's name.
    pub name: T,
    /// The unified social credit code, when given.
    pub credit_code: Option<String>,
    /// The industry with its code: `配电开关控制设备制造（3823）`, when given.
    pub industry: Option<T>,
    /// The client's address, when given.
    pub address: Option<T>,
    /// When it was founded, written out in each language, when given.
    pub founded: Option<T>,
    /// Its legal form, when given.
    pub legal_form: Option<T>,
    /// Its profile, paragraph by paragraph.
    pub profile: Vec<T>,
    /// How it manages and uses energy, paragraph by paragraph.
    pub energy: Vec<T>,
    /// The organisation chart image's path, when given.
    pub org_chart: Option<String>,
    /// The main energy-using equipment, in file order.
    pub equipment: Vec<EquipmentV>,
    /// The production processes, in file order.
    pub processes: Vec<ProcessV>,
}

/// The system boundary, worded for printing.
#[derive(Debug, Serialize)]
pub struct BoundaryV {
    /// The boundary type's name (`从摇篮到大门` / `Cradle to gate`).
    pub name: T,
    /// Its stages in one line: `原材料获取—…` / `raw material acquisition, …`.
    pub stages: T,
    /// Included and excluded processes side by side, row by row.
    pub rows: Vec<BoundaryRowV>,
    /// The cut-off test of the excluded processes and the coverage it leaves.
    pub cutoff: CutoffV,
}

/// The cut-off test: each excluded process's estimated share against the cut-off for one
/// process, their sum against the total cut-off, and the coverage that leaves.
#[derive(Debug, Serialize)]
pub struct CutoffV {
    /// One row per excluded process, in file order.
    pub rows: Vec<CutoffRowV>,
    /// The estimated shares added up, in percent as written: `0.4%`.
    pub total: String,
    /// The sum against the total cut-off, worded.
    pub total_result: T,
    /// The share of the emissions the inventory covers, estimated: `99.6%`.
    pub covered: String,
    /// True when `covered` reaches the required coverage.
    pub coverage_met: bool,
    /// True when some excluded process has no estimated share.
    pub unestimated: bool,
}

/// One excluded process in the cut-off test.
#[derive(Debug, Serialize)]
pub struct CutoffRowV {
    /// What is left out.
    pub item: T,
    /// Its estimated share of the footprint (`0.4%`), `—` when not estimated.
    pub share: String,
    /// The share against the cut-off for one process, worded.
    pub result: T,
}

/// The data-quality scoring rules, one table each.
#[derive(Debug, Serialize)]
pub struct ScoringV {
    /// How the activity data are obtained: continuous 6, periodic 3, estimated 1.
    pub activity: Vec<RuleV>,
    /// The factor categories: measured 6 … international 1.
    pub factor: Vec<RuleV>,
    /// The calibration of the meters: compliant 6, accepted 3, none 1.
    pub calibration: Vec<RuleV>,
}

/// One scoring rule: what is scored, and its score.
#[derive(Debug, Serialize)]
pub struct RuleV {
    /// The kind of data, factor category or calibration state, worded.
    pub name: T,
    /// Its score.
    pub score: u8,
}

/// One row of the boundary table.
#[derive(Debug, Serialize)]
pub struct BoundaryRowV {
    /// An included process, `None` once the included ones have run out.
    pub included: Option<T>,
    /// An excluded process, `None` once the excluded ones have run out.
    pub excluded: Option<T>,
}

/// An emission factor, as listed in the report's table of factors.
#[derive(Debug, Serialize)]
pub struct FactorV {
    /// The factor's id in the file.
    pub id: String,
    /// Its name; its value, unit and source when it has none (`term.factor.unnamed`).
    pub name: T,
    /// True when the file gives it a name: the table of factors prints `/` otherwise (its
    /// row already shows the value, unit and source that `name` is made of).
    pub named: bool,
    /// Its value as written, exact (`0.129`).
    pub value: String,
    /// Its unit: `kgCO2e/tkm`.
    pub unit: String,
    /// Where it comes from (the citation).
    pub source: T,
    /// Its category, worded (`国内排放因子` / `national`).
    pub category: T,
    /// The entry's id in its database, when given.
    pub reference: Option<String>,
    /// The year its data are for, when given.
    pub year: Option<String>,
    /// A remark, when given.
    pub note: Option<T>,
    /// The team's conclusion on the factor, when given.
    pub evaluation: Option<T>,
    /// The stage it serves, from the lines that use it.
    pub stage: T,
}

/// One row of a stage table.
#[derive(Debug, Serialize)]
pub struct StageV {
    /// The stage's name.
    pub name: T,
    /// The stage total, kgCO2e, rounded as configured.
    pub kg: String,
    /// The stage's footprint per functional unit, kgCO2e, rounded as configured.
    pub per_unit: String,
    /// The stage's share of the total in percent, rounded as configured, without `%`.
    pub share: String,
    /// The stage's emissions and removals, when the engagement separates the origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<StageOriginV>,
    /// The bar's length in the chart, as a typst ratio (`36.74%`).
    pub bar: String,
}

/// One inventory line in an `A × B = C` table.
#[derive(Debug, Serialize)]
pub struct LineV {
    /// The line's number in its stage, in file order, from 1: what the annex's table of a
    /// summarised stage lists it under.
    pub no: usize,
    /// The line's name: material, energy carrier or emission source.
    pub name: T,
    /// The name the tables give the line: with a freight line's supplier, so that lines of
    /// one material from several suppliers are told apart.
    pub label: T,
    /// The supplier of a transport line, `/` when not given; empty for other lines.
    pub supplier: T,
    /// The transport mode, worded; empty for other lines.
    pub mode: T,
    /// The count bought: in Chinese as written (`13000 只`), in English with the counter
    /// translated (`13000 pcs`); empty when not given.
    pub count: T,
    /// Activity (materials, energy, process) or mass (transport), as written.
    pub a: String,
    /// The unit of `a`, as written (`t`, `kWh`).
    pub a_unit: String,
    /// Distance (transport only).
    pub b: String,
    /// The unit of `b` (`km`); empty for lines other than transport.
    pub b_unit: String,
    /// The factor's value as written; for a process line, what turns its quantity into
    /// kgCO2e: its gas's GWP times the unit's size (23.5 for `gSF6` in AR5).
    pub factor: String,
    /// The factor's unit; for a process line, per unit of its gas with the GWP set
    /// (`kgCO2e/gSF6 (GWP AR5)`).
    pub factor_unit: String,
    /// The factor's id; empty for a process line.
    pub factor_id: String,
    /// The conversion to kgCO2e when it is not 1 (`1000`, GWP 23500).
    pub conversion: String,
    /// The line's emissions, kgCO2e, rounded as configured.
    pub kg: String,
    /// The line's share of the product total in percent, rounded as configured.
    pub share: String,
    /// Its data-quality scores: activity, factor, calibration (1 to 6 each).
    pub scores: [u8; 3],
    /// The mean of the three scores, rounded as configured.
    pub mean: String,
    /// The mean score times the line's share, rounded as configured.
    pub weighted: String,
    /// True when `a` is for one functional unit (`basis: unit`), multiplied by the output.
    /// Left out when false (templates test `is defined`), so that files without such lines
    /// give the view they always gave.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub per_unit: bool,
    /// In the annex's list of a summarised stage: true for the lines the body lists too.
    /// Left out when false, like `per_unit`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub listed: bool,
}

/// One stage's inventory table: its lines and subtotal.
#[derive(Debug, Serialize)]
pub struct StageLinesV {
    /// The stage's name.
    pub name: T,
    /// The shorter name of captions and subtotals.
    pub short: T,
    /// The heading of the column that names a line.
    pub item: T,
    /// True when the lines are freight (mass x distance x factor).
    pub freight: bool,
    /// The conversion to kgCO2e that every line of the stage shares (`1000` for tonnes
    /// times tCO2e/t), written into the header's formula (`C = A×B×1000`); empty when there
    /// is none or when the lines' conversions differ.
    pub conversion: String,
    /// True when the lines' conversions differ: each is shown in a column `k`, and the
    /// formula reads `C = A×B×k`.
    pub conversion_column: bool,
    /// The stage's key (`materials`, `transport`, `production`), for templates to tell
    /// stages apart.
    pub key: &'static str,
    /// The stage's lines the body lists: all of them in file order; of a stage of more
    /// than [`FULL_STAGE`] lines, the [`LARGEST`] largest, largest first.
    pub lines: Vec<LineV>,
    /// How many lines the stage has.
    pub count: usize,
    /// The lines the body sums in one row, when the stage is summarised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest: Option<RestV>,
    /// Every line of a summarised stage, in file order, for the annex; empty otherwise.
    pub annex: Vec<LineV>,
    /// The stage total, kgCO2e, rounded as configured.
    pub subtotal: String,
    /// True when a line's quantity is for one functional unit: the table then says how
    /// such lines are counted. Left out when false, like [`LineV::per_unit`].
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub per_unit: bool,
}

/// A stage of more lines than this is summarised in the report's body: its [`LARGEST`]
/// largest lines in full and the others summed in one row, each line numbered; the annex
/// lists every line under its number, and the attached workbook has them all with their
/// exact figures. Listing thousands of lines in every table would make a report of
/// hundreds of pages that nobody reads and typst lays out slowly.
pub const FULL_STAGE: usize = 30;

/// The lines of a summarised stage listed in full in the body.
pub const LARGEST: usize = 15;

/// The lines of a summarised stage that the body sums in one row.
#[derive(Debug, Serialize)]
pub struct RestV {
    /// How many lines.
    pub count: usize,
    /// Their emissions, kgCO2e, rounded as configured.
    pub kg: String,
    /// Their share of the emissions in percent (as the data-quality table's shares),
    /// rounded as configured.
    pub share: String,
    /// Their part of the data-quality score (the sum of their weighted scores), rounded as
    /// configured.
    pub weighted: String,
    /// The annex table listing every line of the stage: `A-1`.
    pub table: String,
}

/// Which of a product's lines the body lists: all, except in a stage of more than
/// [`FULL_STAGE`] lines, where only its [`LARGEST`] largest (by emissions, of equal ones
/// the first in the file).
fn shown_lines(p: &Product, pr: &crate::calc::ProductResult) -> Vec<bool> {
    let mut shown = vec![true; p.lines.len()];
    let mut stages: Vec<Stage> = p.lines.iter().map(|l| l.stage).collect();
    stages.sort();
    stages.dedup();
    for s in stages {
        let mut of_stage: Vec<usize> = (0..p.lines.len())
            .filter(|&i| p.lines[i].stage == s)
            .collect();
        if of_stage.len() <= FULL_STAGE {
            continue;
        }
        for &i in &of_stage {
            shown[i] = false;
        }
        of_stage.sort_by(|&a, &b| larger_first(pr, a, b));
        for &i in of_stage.iter().take(LARGEST) {
            shown[i] = true;
        }
    }
    shown
}

/// Lines `a` and `b` of a product, the larger emissions (or removals) first; of equal
/// ones, the first in the file.
fn larger_first(pr: &crate::calc::ProductResult, a: usize, b: usize) -> std::cmp::Ordering {
    pr.lines[b]
        .kg
        .abs()
        .cmp(&pr.lines[a].kg.abs())
        .then(a.cmp(&b))
}

/// How the body lists a product's lines.
struct Listing {
    /// Whether the body lists each line (see [`shown_lines`]).
    shown: Vec<bool>,
    /// The order the body lists them in (see [`display_order`]).
    order: Vec<usize>,
    /// The annex's table of each summarised stage: `A-1`.
    tables: Vec<(Stage, String)>,
}

impl Listing {
    /// The listing of product `p`; `annex` counts the annex's tables across the report's
    /// products.
    fn of(p: &Product, pr: &crate::calc::ProductResult, annex: &mut usize) -> Listing {
        let shown = shown_lines(p, pr);
        let order = display_order(p, pr, &shown);
        let mut tables = Vec::new();
        for (s, _) in pr.by_origin.iter() {
            if p.lines
                .iter()
                .zip(&shown)
                .any(|(l, &on)| l.stage == s && !on)
            {
                *annex += 1;
                tables.push((s, format!("A-{annex}")));
            }
        }
        Listing {
            shown,
            order,
            tables,
        }
    }

    /// The annex table listing stage `s`, empty when the body lists all its lines.
    fn table_of(&self, s: Stage) -> String {
        self.tables
            .iter()
            .find(|(t, _)| *t == s)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

/// The order the body lists a product's lines in: the file's, except that a summarised
/// stage's lines come largest first (as its calculation table lists them).
fn display_order(p: &Product, pr: &crate::calc::ProductResult, shown: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.lines.len()).collect();
    let mut stages: Vec<Stage> = p.lines.iter().map(|l| l.stage).collect();
    stages.sort();
    stages.dedup();
    for s in stages {
        let slots: Vec<usize> = (0..p.lines.len())
            .filter(|&i| p.lines[i].stage == s)
            .collect();
        if slots.iter().all(|&i| shown[i]) {
            continue;
        }
        let mut by_size = slots.clone();
        by_size.sort_by(|&a, &b| larger_first(pr, a, b));
        for (&slot, i) in slots.iter().zip(by_size) {
            order[slot] = i;
        }
    }
    order
}

/// A stage's emissions and removals.
#[derive(Debug, Serialize)]
pub struct StageOriginV {
    /// Emissions before removals, kgCO2e, rounded as configured.
    pub emissions: String,
    /// Biogenic removals, kgCO2e, rounded as configured.
    pub removals: String,
}

/// A product's emissions by origin and removals.
#[derive(Debug, Serialize)]
pub struct OriginV {
    /// The period's emissions before removals, kgCO2e, rounded as configured.
    pub emissions: String,
    /// The period's biogenic removals, kgCO2e, rounded as configured.
    pub removals: String,
    /// True when there are removals: shares of the emissions then differ from shares of the
    /// net total.
    pub any_removals: bool,
    /// The figures documented separately (fossil, biogenic, dLUC, removals, aircraft).
    pub rows: Vec<OriginRowV>,
    /// True when a factor this product uses has no split by origin (it counts as fossil).
    pub unseparated_factors: bool,
}

/// One figure documented separately by origin.
#[derive(Debug, Serialize)]
pub struct OriginRowV {
    /// What it is: fossil emissions, biogenic emissions, …
    pub name: T,
    /// For the period, kgCO2e, rounded as configured.
    pub kg: String,
    /// Per functional unit, kgCO2e, rounded as configured.
    pub per_unit: String,
}

/// One row of the reconciliation table: a claimed figure against the verified one.
#[derive(Debug, Serialize)]
pub struct RecV {
    /// Which figure, with its unit: `产品碳足迹总量 (kgCO2e)` / `Period total (kgCO2e)`.
    pub figure: T,
    /// The client's figure, rounded as configured.
    pub claimed: String,
    /// The verified figure, rounded as configured.
    pub computed: String,
    /// `(claimed - computed) / computed` in percent, rounded as configured; `—` when
    /// nothing was computed.
    pub difference: String,
    /// True when the difference exceeds the materiality threshold.
    pub material: bool,
}

/// A product with its figures, tables and data quality.
#[derive(Debug, Serialize)]
pub struct ProductV {
    /// The product's id in the file.
    pub id: String,
    /// The product's name.
    pub name: T,
    /// Its brand, `/` when not given.
    pub brand: T,
    /// Its model as written, `/` when not given.
    pub model: String,
    /// Its specification as written, `/` when not given.
    pub specification: String,
    /// The functional unit (`台` / `unit`).
    pub functional_unit: T,
    /// The output in the period, as written, exact.
    pub output: String,
    /// One row per stage of the boundary, in life-cycle order.
    pub stages: Vec<StageV>,
    /// The period total, kgCO2e, rounded as configured (e.g. `116767.89`).
    pub total: String,
    /// The footprint per functional unit, kgCO2e, rounded as configured.
    pub per_unit_total: String,
    /// The emissions by origin and the removals, when the engagement separates the origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginV>,
    /// Lines by stage: materials, transport, production.
    pub inventory: Vec<StageLinesV>,
    /// The data-quality score, rounded as configured.
    pub quality_score: String,
    /// The data-quality grade: 1 (best) to 5.
    pub quality_grade: u8,
    /// The grade, worded (`一级` / `grade 1`).
    pub quality_grade_name: T,
    /// The client's claimed figures against the verified ones; empty when nothing was claimed.
    pub reconciliation: Vec<RecV>,
    /// True when the rounded parts do not add up to the rounded totals.
    pub rounding_note: bool,
    /// True when the statement's table (per-unit figures and shares) does not add up once
    /// rounded.
    pub statement_rounding: bool,
    /// The stage with the largest emissions.
    pub hotspot: T,
    /// Emission sources by stage: what is in each (the seed's table 3.2-2).
    pub sources: Vec<SourceV>,
    /// Activity data and factors by stage; transport summed per factor in tkm.
    pub activities: Vec<ActivityV>,
    /// The Monte Carlo result, when the file asks for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyV>,
    /// The ±10% sensitivity: every input contributing at least 1% of the total, largest
    /// first.
    pub sensitivity: Vec<InputV>,
    /// The tornado chart of the largest inputs; `None` when no input is large enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tornado: Option<TornadoV>,
}

/// The Monte Carlo analysis's settings, worded for the method paragraph.
#[derive(Debug, Serialize)]
pub struct MonteCarloV {
    /// The number of iterations: `10000`.
    pub iterations: String,
    /// The confidence level as a percentage: `95%`.
    pub confidence: String,
}

/// A product's Monte Carlo result.
#[derive(Debug, Serialize)]
pub struct UncertaintyV {
    /// The period total's row, then the per-unit row.
    pub rows: Vec<UncertaintyRowV>,
    /// The lines treated as exact and their share, or that every line has an uncertainty.
    pub exact: T,
}

/// One row of the Monte Carlo table: the figures of the period total or per unit.
#[derive(Debug, Serialize)]
pub struct UncertaintyRowV {
    /// Which figure, with its unit: `产品碳足迹总量 (kgCO2e)` / `Period total (kgCO2e)`.
    pub figure: T,
    /// The figure as calculated, rounded as configured.
    pub exact: String,
    /// The iterations' mean, rounded as configured.
    pub mean: String,
    /// Their median, rounded as configured.
    pub median: String,
    /// Their standard deviation, rounded as configured.
    pub sd: String,
    /// The interval's lower end, rounded as configured.
    pub low: String,
    /// The interval's upper end, rounded as configured.
    pub high: String,
    /// IPCC Approach 1: the half-width of the 95% interval in percent (`±17.12%`), `—`
    /// when the total is zero.
    pub approach1: String,
}

/// One row of the sensitivity table.
#[derive(Debug, Serialize)]
pub struct InputV {
    /// The input, named: a line's name (with a freight line's supplier) or a factor's name,
    /// and which of the two it is: `铝件（活动数据）` / `Aluminium parts (activity data)`.
    pub name: T,
    /// Its stage's name; `/` for a factor serving several stages.
    pub stage: T,
    /// Its contribution to the total, kgCO2e, rounded as configured.
    pub contribution: String,
    /// The total with the input at −10%, kgCO2e, rounded as configured.
    pub minus: String,
    /// The total with the input at +10%, kgCO2e, rounded as configured.
    pub plus: String,
    /// The change of the total for a ±10% change of the input, in percent of the total,
    /// rounded as configured, with its sign: `±5.77`.
    pub change: String,
}

/// The tornado chart: one bar per input around the total, largest first.
#[derive(Debug, Serialize)]
pub struct TornadoV {
    /// The total the bars are centred on, kgCO2e, rounded as configured.
    pub baseline: String,
    /// The bars, at most [`TORNADO_BARS`].
    pub bars: Vec<BarV>,
    /// How many inputs the table lists (more than the bars when the chart is cut short).
    pub inputs: usize,
    /// True when the chart shows only the largest inputs.
    pub cut: bool,
}

/// One bar of the tornado chart.
#[derive(Debug, Serialize)]
pub struct BarV {
    /// The input, named as in the table.
    pub name: T,
    /// The total with the input at −10%, rounded as configured.
    pub minus: String,
    /// The total with the input at +10%, rounded as configured.
    pub plus: String,
    /// Each half's length as a share of the largest bar's (`36.74%`), for `|ratio`.
    pub length: String,
    /// True when the −10% half lies left of the total (a positive contribution); a
    /// removal's −10% raises the total and lies on the right.
    pub minus_left: bool,
}

/// The most bars a tornado chart draws; the table lists every input.
pub const TORNADO_BARS: usize = 12;

/// A site-level item and its allocation.
#[derive(Debug, Serialize)]
pub struct AllocationV {
    /// The item's name.
    pub item: T,
    /// The site's total quantity with its unit (`11840.44 kWh`).
    pub total: String,
    /// The basis, worded (`按产量` / `By output`).
    pub basis: T,
    /// One row per product the item goes to.
    pub rows: Vec<AllocationRowV>,
}

/// One product's part of a site-level item.
#[derive(Debug, Serialize)]
pub struct AllocationRowV {
    /// The product's name.
    pub product: T,
    /// Its share in percent, rounded as configured.
    pub share: String,
    /// The allocated quantity with its unit, rounded as configured.
    pub quantity: String,
    /// The allocated emissions, kgCO2e, rounded as configured.
    pub kg: String,
}

/// One product's row of the allocation sensitivity table.
#[derive(Debug, Serialize)]
pub struct SensitivityV {
    /// The product's name.
    pub product: T,
    /// The total as reported, kgCO2e.
    pub total: String,
    /// The total under each of [`View::alternative_bases`], kgCO2e.
    pub alternatives: Vec<String>,
}

fn basis_name(c: &Catalogue, b: AllocationBasis) -> T {
    w(c, &format!("term.allocation.{}", b.key()), &[])
}

/// The allocation tables: each shared item with each product's part.
fn allocation(c: &Catalogue, v: &Verified, r: Figures) -> Vec<AllocationV> {
    let e = &v.engagement;
    e.shared
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let whole = crate::calc::line_emissions(&item.line, &e.factors, e.scope.gwp);
            let lr = crate::calc::LineResult {
                kg: whole.kg,
                origin: whole.origin,
                conversion: whole.conversion,
                tkm: whole.tkm,
                share: Exact::int(1),
                mean_score: Exact::zero(),
                weighted_score: Exact::zero(),
            };
            let (total, unit) = crate::calc::allocated_quantity(&item.line, &lr);
            let rows = e
                .products
                .iter()
                .zip(&v.results.products)
                .flat_map(|(p, pr)| {
                    p.lines
                        .iter()
                        .zip(&pr.lines)
                        .filter(|(l, _)| l.allocation.as_ref().is_some_and(|a| a.item == k))
                        .map(move |(l, lr)| (p, l, lr))
                })
                .map(|(p, l, lr)| {
                    let (q, unit) = crate::calc::allocated_quantity(l, lr);
                    AllocationRowV {
                        product: (&p.name).into(),
                        share: r.format(&(l.share() * Exact::from(100u32))),
                        quantity: format!("{} {unit}", r.format(&q)),
                        kg: r.format(&lr.kg),
                    }
                })
                .collect();
            AllocationV {
                item: (&item.line.name).into(),
                // The site's figure as written; freight in tkm.
                total: match &item.line.activity {
                    Activity::Material { quantity }
                    | Activity::Energy { quantity }
                    | Activity::Process { quantity, .. } => quantity.to_string(),
                    Activity::Transport { .. } => format!("{} {unit}", r.format(&total)),
                },
                basis: basis_name(c, item.basis),
                rows,
            }
        })
        .collect()
}

/// One row of the emission-sources table.
#[derive(Debug, Serialize)]
pub struct SourceV {
    /// The stage's name.
    pub stage: T,
    /// What emits in the stage, joined into a list: the lines' names, transport by mode, each once.
    pub items: T,
    /// What the stage's emissions are, in words.
    pub description: T,
    /// The list of items is long enough to continue on the next page.
    pub breakable: bool,
}

/// One row of the table of activity data and factors.
#[derive(Debug, Serialize)]
pub struct ActivityV {
    /// The stage's key (`materials`, `transport`, …), for the evaluation tables.
    pub key: &'static str,
    /// The stage's name.
    pub stage: T,
    /// The activity: `铝件：3 t` / `Aluminium parts: 3 t`, or a mode's freight in tkm.
    pub activity: T,
    /// The factor with its unit (`0.129 kgCO2e/tkm`), or the GWP set for process lines.
    pub factor: String,
}

/// One evaluation table: how one kind of activity data was judged; empty texts when not given.
#[derive(Debug, Serialize)]
pub struct EvaluationV {
    /// Where the data come from and what they were cross-checked against.
    pub source: T,
    /// How the data are monitored.
    pub method: T,
    /// How often they are monitored.
    pub frequency: T,
    /// How often they are recorded.
    pub recording: T,
    /// How missing data are dealt with.
    pub missing: T,
    /// The team's conclusion.
    pub conclusion: T,
}

/// The evaluation tables, one per kind of activity data, each `None` when not given.
#[derive(Debug, Serialize)]
pub struct EvaluationsV {
    /// The output figures.
    pub output: Option<EvaluationV>,
    /// The raw material figures.
    pub materials: Option<EvaluationV>,
    /// The transport figures.
    pub transport: Option<EvaluationV>,
    /// The production (energy and process) figures.
    pub production: Option<EvaluationV>,
}

/// A material misstatement, for the conclusion.
#[derive(Debug, Serialize)]
pub struct MisstatementV {
    /// The product's name.
    pub product: T,
    /// Which figure, worded (`产品碳足迹总量` / `period total`).
    pub figure: T,
    /// Its unit, worded (`kgCO2e`, or `kgCO2e/台` / `kgCO2e per unit`).
    pub unit: T,
    /// The client's figure, rounded as configured.
    pub claimed: String,
    /// The verified figure, rounded as configured.
    pub computed: String,
    /// The difference in percent, rounded as configured; `—` when nothing was computed.
    pub difference: String,
}

/// The verification conclusion.
#[derive(Debug, Serialize)]
pub struct ConclusionV {
    /// No reconciliation is material: "fairly stated".
    pub fair: bool,
    /// Every material misstatement, product by product.
    pub misstatements: Vec<MisstatementV>,
}

/// The opinion (ISO 14064-3), worded for its type and the level of assurance.
#[derive(Debug, Serialize)]
pub struct OpinionV {
    /// The type: `unmodified`, `modified`, `adverse` or `disclaimer`.
    pub kind: &'static str,
    /// The level of assurance: `reasonable` or `limited`.
    pub assurance: &'static str,
    /// True when the file gives no opinion and it is derived from the findings.
    pub derived: bool,
    /// The heading line: `核查意见：保留意见` / `Opinion: modified (qualified)`.
    pub heading: T,
    /// The opinion in a paragraph: positive form for reasonable assurance, negative form for
    /// limited assurance.
    pub text: T,
    /// The heading of the basis for the opinion; `None` when unmodified.
    pub basis_heading: Option<T>,
    /// The basis as the file gives it (`verification.basis`), paragraph by paragraph.
    pub basis: Vec<T>,
    /// Who may rely on the statement (`verification.intended_users`), paragraph by paragraph.
    pub intended_users: Vec<T>,
}

/// An improvement measure.
#[derive(Debug, Serialize)]
pub struct ImprovementV {
    /// The measure, in short.
    pub title: T,
    /// What it involves, paragraph by paragraph.
    pub text: Vec<T>,
}

/// A finding of the automatic checks, as listed in the report's annex.
#[derive(Debug, Serialize)]
pub struct FindingV {
    /// The finding's stable code (`material-misstatement`), for templates to tell findings
    /// apart; never printed.
    pub code: &'static str,
    /// A short title, printed instead of the code.
    pub title: T,
    /// The finding in a sentence, worded from the catalogue.
    pub message: T,
    /// True when the sentence is long enough (a list of many materials) that its row may
    /// continue on the next page, rather than leave a page mostly blank or run off one.
    pub long: bool,
    /// The number (in [`View::register`]) of the register entry answering it, if any.
    pub entry: Option<usize>,
    /// How the register deals with it: `见核查发现第 1 项，未关闭` / `See finding 1, open`,
    /// or that the register does not.
    pub disposition: T,
}

/// An entry of the findings register, as section 7 prints it.
#[derive(Debug, Serialize)]
pub struct RegisterV {
    /// Its number in the table: 1, 2, 3… in file order (the file's id is never printed).
    pub number: usize,
    /// Its type, worded: `实质性偏差` / `Misstatement`, …
    pub kind: T,
    /// What it concerns: the check's title and the product's name, when it answers a check.
    pub about: Option<T>,
    /// What the team found or asked.
    pub raised: T,
    /// When it was raised, written out in each language, when given.
    pub date: Option<T>,
    /// The client's answer, when given.
    pub response: Option<T>,
    /// Its status, worded: `未关闭` / `Open` or `已关闭` / `Closed`.
    pub status: T,
    /// True while it is open.
    pub open: bool,
    /// The team's conclusion, when given.
    pub conclusion: Option<T>,
    /// Its texts are long enough that its row may continue on the next page (rows are
    /// otherwise kept on one page).
    pub long: bool,
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

/// The opinion of `v`: as the data side gives it (`checks::opinion`), or, for a file without
/// a `verification` section, derived by the same rule with an empty register: `modified` when
/// any finding affecting the opinion (a material misstatement, the coverage, a cut-off, a
/// transport without acquisition) is found, `unmodified` otherwise.
fn opinion_of(v: &Verified) -> (OpinionType, Assurance, bool) {
    use crate::checks::opinion;
    let e = &v.engagement;
    match opinion::opinion(e, &v.findings) {
        Some(o) => (o.kind, o.assurance, o.derived),
        None => {
            let unanswered = opinion::answered(e, &v.findings).len();
            (opinion::derive(&[], unanswered), e.scope.assurance, true)
        }
    }
}

fn opinion_view(c: &Catalogue, v: &Verified, product_names: &T) -> OpinionV {
    let e = &v.engagement;
    let (kind, assurance, derived) = opinion_of(v);
    let boundary = c.boundary(e.boundary.kind);
    let boundary = Bi {
        zh: boundary.zh,
        en: boundary.en.to_lowercase(),
    };
    let args: [(&str, &Bi); 4] = [
        ("client", &e.client.name),
        ("products", &product_names.into()),
        ("period", &(&span(e.scope.period)).into()),
        ("boundary", &boundary),
    ];
    let verification = e.verification.as_ref();
    OpinionV {
        kind: kind.key(),
        assurance: assurance.key(),
        derived,
        heading: w(
            c,
            "opinion.heading",
            &[(
                "kind",
                &c.word(&format!("opinion.kind.{}", kind.key()), &[]),
            )],
        ),
        text: w(
            c,
            &format!("opinion.{}.{}", assurance.key(), kind.key()),
            &args,
        ),
        basis_heading: (kind != OpinionType::Unmodified)
            .then(|| w(c, &format!("opinion.basis.{}", kind.key()), &[])),
        basis: if kind == OpinionType::Unmodified {
            Vec::new()
        } else {
            paragraphs(&verification.and_then(|x| x.basis.clone()))
        },
        intended_users: paragraphs(&verification.and_then(|x| x.intended_users.clone())),
    }
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
    let r = Figures {
        rounding: e.scope.rounding,
        grouped: e.report.number_style == NumberStyle::Grouped,
    };
    let s = &e.scope;
    let product_names = join(e.products.iter().map(|p| T::from(&p.name)));
    let products: Vec<ProductV> = e
        .products
        .iter()
        .zip(&v.results.products)
        .scan(0usize, |annex, (p, pr)| {
            Some(product(c, e, p, pr, r, annex))
        })
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
            changes: revision_history(c, e),
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
                &format!("rounding.{}", r.rounding.mode.key()),
                &[("places", &bi(r.rounding.places.to_string()))],
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
            lead: e
                .verifier
                .team
                .iter()
                .find(|m| m.role == Role::Lead)
                .map(|m| T::from(&m.name)),
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
                    model: q.model.as_ref().map_or_else(|| same("/"), T::from),
                    power: q.power.as_deref().map_or_else(|| "/".into(), spaced_unit),
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
            cutoff: cutoff(c, e),
        },
        factors: e
            .factors
            .iter()
            .enumerate()
            .map(|(i, f)| factor(c, e, i, f))
            .collect(),
        opinion: opinion_view(c, v, &product_names),
        statement_rounding_note: {
            let names: Vec<T> = e
                .products
                .iter()
                .zip(&products)
                .filter(|(_, pv)| pv.statement_rounding)
                .map(|(p, _)| T::from(&p.name))
                .collect();
            (!names.is_empty()).then(|| {
                w(
                    c,
                    "text.statement.rounding-note",
                    &[("products", &(&join(names.into_iter())).into())],
                )
            })
        },
        monte_carlo: e.scope.uncertainty.map(|mc| MonteCarloV {
            iterations: mc.iterations.to_string(),
            confidence: pct(mc.confidence),
        }),
        product_names,
        footprint_rows: e.products.len() * (e.boundary.stages.len() + 1),
        period_per_product: e.products.len() > SPAN_PRODUCTS,
        origin_separated: e.origin_separated(),
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
        allocation: allocation(c, v, r),
        reported_basis: match e.shared.split_first() {
            Some((first, rest)) if rest.iter().all(|s| s.basis == first.basis) => {
                Some(basis_name(c, first.basis))
            }
            _ => None,
        },
        alternative_bases: v
            .results
            .products
            .first()
            .map(|pr| {
                pr.alternatives
                    .iter()
                    .map(|(b, _)| basis_name(c, *b))
                    .collect()
            })
            .unwrap_or_default(),
        sensitivity: if e.shared.is_empty() {
            Vec::new()
        } else {
            e.products
                .iter()
                .zip(&v.results.products)
                .map(|(p, pr)| SensitivityV {
                    product: (&p.name).into(),
                    total: r.format(&pr.total),
                    alternatives: pr.alternatives.iter().map(|(_, t)| r.format(t)).collect(),
                })
                .collect()
        },
        scoring: scoring(c),
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
        findings: findings(c, e, &v.findings, r),
        register: register(c, e),
        sha256: crate::report::archive::sha256_hex(source),
    }
}

/// The register's entries, or none when the file has no `verification`.
fn entries(e: &Engagement) -> &[RegisterEntry] {
    e.verification
        .as_ref()
        .map_or(&[][..], |v| v.register.as_slice())
}

/// The automatic checks' findings, each with the register entry answering it; figures as the
/// report writes them.
fn findings(
    c: &Catalogue,
    e: &Engagement,
    all: &[crate::checks::Finding],
    figures: Figures,
) -> Vec<FindingV> {
    let register = entries(e);
    all.iter()
        .map(|f| {
            let entry = crate::checks::opinion::answering(register, f);
            let message: T =
                (&crate::present::finding_styled(c, e, f, &|x| figures.format(x))).into();
            FindingV {
                code: f.code,
                title: (&crate::present::finding_title(c, f)).into(),
                long: message.chars() > LONG_LIST,
                message,
                entry: entry.map(|(i, _)| i + 1),
                disposition: match entry {
                    Some((i, r)) => w(
                        c,
                        if r.is_open() {
                            "text.checks.disposition.open"
                        } else {
                            "text.checks.disposition.closed"
                        },
                        &[("number", &bi((i + 1).to_string()))],
                    ),
                    None => w(c, "text.checks.not-addressed", &[]),
                },
            }
        })
        .collect()
}

/// The findings register, worded: types, statuses and what each entry concerns in words.
fn register(c: &Catalogue, e: &Engagement) -> Vec<RegisterV> {
    entries(e)
        .iter()
        .enumerate()
        .map(|(i, r)| RegisterV {
            number: i + 1,
            kind: w(
                c,
                match r.kind {
                    EntryType::Misstatement => "register.type.misstatement",
                    EntryType::Nonconformity => "register.type.nonconformity",
                    EntryType::Clarification => "register.type.clarification",
                    EntryType::Observation => "register.type.observation",
                },
                &[],
            ),
            about: r.about.as_ref().map(|a| {
                let check = c.word(&format!("title.{}", a.check), &[]);
                match a
                    .product
                    .as_ref()
                    .and_then(|id| e.products.iter().find(|p| &p.id == id))
                {
                    Some(p) => w(
                        c,
                        "register.about",
                        &[("check", &check), ("product", &p.name)],
                    ),
                    None => T::from(&check),
                }
            }),
            raised: (&r.raised).into(),
            date: r.date.map(date),
            response: opt(&r.response),
            status: w(
                c,
                if r.is_open() {
                    "register.status.open"
                } else {
                    "register.status.closed"
                },
                &[],
            ),
            open: r.is_open(),
            conclusion: opt(&r.conclusion),
            long: [Some(&r.raised), r.response.as_ref(), r.conclusion.as_ref()]
                .into_iter()
                .flatten()
                .map(|b| b.zh.chars().count() + b.en.chars().count())
                .sum::<usize>()
                > LONG_ENTRY,
        })
        .collect()
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

/// The revision history: the first issue (its date unknown unless the file lists it), then
/// each change, in file order; empty for a first issue.
fn revision_history(c: &Catalogue, e: &Engagement) -> Vec<ChangeV> {
    let changes = &e.report.changes;
    let first = (!changes.is_empty() && changes.iter().all(|x| x.revision != 1)).then(|| ChangeV {
        revision: 1,
        date: same("—"),
        note: w(c, "view.change.first-issue", &[]),
    });
    first
        .into_iter()
        .chain(changes.iter().map(|x| ChangeV {
            revision: x.revision,
            date: date(x.date),
            note: (&x.note).into(),
        }))
        .collect()
}

/// The cut-off test of the excluded processes, as the checks make it (`checks::cutoff`): a
/// process without an estimate counts for nothing in the sum.
fn cutoff(c: &Catalogue, e: &Engagement) -> CutoffV {
    let s = &e.scope;
    let test = |share: Decimal, cutoff: Decimal| {
        let key = if share > cutoff {
            "view.cutoff.above"
        } else {
            "view.cutoff.within"
        };
        w(c, key, &[("cutoff", &bi(pct(cutoff)))])
    };
    let excluded = &e.boundary.excluded;
    let total: Decimal = excluded.iter().filter_map(|x| x.share).sum();
    let covered = Decimal::ONE - total;
    CutoffV {
        rows: excluded
            .iter()
            .map(|x| CutoffRowV {
                item: T::from(&x.item),
                share: x.share.map_or_else(|| "—".into(), pct),
                result: match x.share {
                    Some(share) => test(share, s.cutoff_process),
                    None => w(c, "view.cutoff.not-estimated", &[]),
                },
            })
            .collect(),
        total: pct(total),
        total_result: test(total, s.cutoff_total),
        covered: pct(covered),
        coverage_met: covered >= s.coverage,
        unestimated: excluded.iter().any(|x| x.share.is_none()),
    }
}

/// The scoring rules, from the scores the engagement's types imply.
fn scoring(c: &Catalogue) -> ScoringV {
    let rule = |key: &str, score: u8| RuleV {
        name: w(c, key, &[]),
        score,
    };
    ScoringV {
        activity: [
            ("scoring.activity.continuous", ActivityMethod::Continuous),
            ("scoring.activity.periodic", ActivityMethod::Periodic),
            ("scoring.activity.estimated", ActivityMethod::Estimated),
        ]
        .into_iter()
        .map(|(key, m)| rule(key, m.score()))
        .collect(),
        factor: [
            Category::Measured,
            Category::SameProcess,
            Category::Manufacturer,
            Category::Regional,
            Category::National,
            Category::International,
        ]
        .into_iter()
        .map(|x| rule(category_key(x), x.score()))
        .collect(),
        calibration: [
            ("scoring.calibration.compliant", Calibration::Compliant),
            ("scoring.calibration.accepted", Calibration::Accepted),
            ("scoring.calibration.none", Calibration::None),
        ]
        .into_iter()
        .map(|(key, x)| rule(key, x.score()))
        .collect(),
    }
}

fn factor(c: &Catalogue, e: &Engagement, i: usize, f: &Factor) -> FactorV {
    // Every stage the factor is used in (the grid's in production and in use), in life-cycle
    // order.
    let mut stages: Vec<Stage> = Vec::new();
    for l in e.products.iter().flat_map(|p| &p.lines) {
        if l.factor == Some(i) && !stages.contains(&l.stage) {
            stages.push(l.stage);
        }
    }
    stages.sort();
    let stage = if stages.is_empty() {
        same("/")
    } else {
        join(stages.iter().map(|&s| T::from(&c.stage(s).name)))
    };
    FactorV {
        id: f.id.clone(),
        name: (&crate::present::factor_name(c, f)).into(),
        named: f.name.is_some(),
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
    r: Figures,
    annex: &mut usize,
) -> ProductV {
    let hundred = Exact::from(100u32);
    let output = Exact::from(p.output);
    let separated = e.origin_separated();
    let stages = pr
        .stages
        .iter()
        .zip(pr.per_unit.values().zip(pr.shares.values()))
        .zip(pr.by_origin.values())
        .map(|(((s, kg), (per_unit, share)), o)| StageV {
            name: (&c.stage(s).name).into(),
            kg: r.format(kg),
            per_unit: r.format(per_unit),
            share: r.format(share * &hundred),
            origin: separated.then(|| StageOriginV {
                emissions: r.format(o.emissions()),
                removals: r.format(&o.removals),
            }),
            bar: format!("{}%", (share * &hundred).to_plain(2)),
        })
        .collect();
    let o = &pr.origin;
    let rows = [
        ("label.origin.fossil", &o.fossil),
        ("label.origin.biogenic", &o.biogenic),
        ("label.origin.dluc", &o.dluc),
        ("label.origin.removals", &o.removals),
        ("label.origin.aircraft", &o.aircraft),
    ]
    .into_iter()
    .map(|(key, kg)| OriginRowV {
        name: w(c, key, &[]),
        kg: r.format(kg),
        per_unit: r.format(kg.fraction_of(&output)),
    })
    .collect();
    let origin = separated.then(|| OriginV {
        emissions: r.format(o.emissions()),
        removals: r.format(&o.removals),
        any_removals: o.removals != Exact::int(0),
        rows,
        unseparated_factors: p
            .lines
            .iter()
            .filter_map(|l| l.factor)
            .any(|i| e.factors[i].parts.is_none()),
    });
    // The lines' column adds up to the emissions: the removals are shown in the summary.
    let listing = Listing::of(p, pr, annex);
    let (shown, table_of) = (&listing.shown, |s: Stage| listing.table_of(s));
    let inventory = pr
        .by_origin
        .iter()
        .map(|(s, stage)| {
            let subtotal = &stage.emissions();
            let of_stage: Vec<usize> = (0..p.lines.len())
                .filter(|&i| p.lines[i].stage == s)
                .collect();
            let all: Vec<LineV> = of_stage
                .iter()
                .enumerate()
                .map(|(n, &i)| line(c, e, n + 1, &p.lines[i], &pr.lines[i], r))
                .collect();
            let conversion_column = all.iter().any(|l| l.conversion != all[0].conversion);
            let conversion = match all.first() {
                Some(first) if !conversion_column => first.conversion.clone(),
                _ => String::new(),
            };
            let per_unit = all.iter().any(|l| l.per_unit);
            let count = all.len();
            let summarised = of_stage.iter().any(|&i| !shown[i]);
            let (lines, rest, annex) = if summarised {
                let mut listed: Vec<(usize, usize)> = of_stage
                    .iter()
                    .enumerate()
                    .filter(|&(_, &i)| shown[i])
                    .map(|(n, &i)| (n, i))
                    .collect();
                listed.sort_by(|&(_, a), &(_, b)| larger_first(pr, a, b));
                let lines = listed
                    .iter()
                    .map(|&(n, i)| line(c, e, n + 1, &p.lines[i], &pr.lines[i], r))
                    .collect();
                let others = || {
                    of_stage
                        .iter()
                        .filter(|&&i| !shown[i])
                        .map(|&i| &pr.lines[i])
                };
                let kg: Exact = others().map(|lr| lr.kg.clone()).sum();
                let share: Exact = others().map(|lr| lr.share.clone()).sum();
                let weighted: Exact = others().map(|lr| lr.weighted_score.clone()).sum();
                let rest = RestV {
                    count: others().count(),
                    kg: r.format(&kg),
                    share: r.format(&(&share * &hundred)),
                    weighted: r.format(&weighted),
                    table: table_of(s),
                };
                let mut all = all;
                for (line, &i) in all.iter_mut().zip(&of_stage) {
                    line.listed = shown[i];
                }
                (lines, Some(rest), all)
            } else {
                (all, None, Vec::new())
            };
            StageLinesV {
                name: (&c.stage(s).name).into(),
                short: (&c.stage(s).short).into(),
                item: (&c.stage(s).item).into(),
                freight: s.freight,
                conversion,
                conversion_column,
                key: s.key,
                per_unit,
                lines,
                count,
                rest,
                annex,
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
        parts.values().map(|v| r.rounding.round(v)).sum::<Exact>() != r.rounding.round(total)
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
        origin,
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
        statement_rounding: rounding_sum(&pr.per_unit, &pr.per_unit_total)
            || pr
                .shares
                .values()
                .map(|v| r.rounding.round(&(v * &hundred)))
                .sum::<Exact>()
                != r.rounding.round(&hundred),
        hotspot: (&c.stage(hotspot).name).into(),
        sources: sources(c, p, &e.boundary.stages, &listing),
        activities: activities(c, e, p, pr, r, &listing),
        uncertainty: pr.uncertainty.as_ref().map(|u| uncertainty(c, p, pr, u, r)),
        sensitivity: pr
            .sensitivity
            .iter()
            .map(|x| InputV {
                name: input_name(c, e, p, x.input),
                stage: x.stage.map_or_else(
                    || w(c, "view.sensitivity.stages", &[]),
                    |st| T::from(&c.stage(st).name),
                ),
                contribution: r.format(&x.contribution),
                minus: r.format(&x.minus_10),
                plus: r.format(&x.plus_10),
                change: if pr.total.is_zero() {
                    "—".into()
                } else {
                    let pct = (&x.plus_10 - &pr.total).abs().fraction_of(&pr.total.abs());
                    format!("±{}", r.format(&(&pct * &hundred)))
                },
            })
            .collect(),
        tornado: tornado(c, e, p, pr, r),
    }
}

/// A conversion to kgCO2e as a reader checks it: its decimal when short (`1000`, `0.001`),
/// else one over its reciprocal when that is short (`1/3.6` for MJ times tCO2/MWh), else
/// its decimal to ten places.
fn conversion_text(x: &Exact) -> String {
    let short = |x: &Exact| x.round(6, RoundingMode::HalfEven) == *x;
    match Exact::int(1).checked_div(x) {
        Some(r) if !short(x) && short(&r) => format!("1/{}", r.to_plain(6)),
        _ => x.to_plain(10),
    }
}

/// A line's name in the tables and the uncertainty section: with its supplier for freight.
fn line_name(c: &Catalogue, l: &Line) -> T {
    match &l.activity {
        Activity::Transport {
            supplier: Some(supplier),
            ..
        } => w(
            c,
            "view.line-with-supplier",
            &[("name", &l.name), ("supplier", supplier)],
        ),
        _ => T::from(&l.name),
    }
}

/// A sensitivity input, named: the line or the factor, and which of the two.
fn input_name(c: &Catalogue, e: &Engagement, p: &Product, input: Input) -> T {
    match input {
        Input::Activity(i) => w(
            c,
            "view.sensitivity.activity",
            &[("name", &(&line_name(c, &p.lines[i])).into())],
        ),
        Input::Factor(f) => w(
            c,
            "view.sensitivity.factor",
            &[("name", &crate::present::factor_name(c, &e.factors[f]))],
        ),
    }
}

/// A product's Monte Carlo table and the sentence on the lines treated as exact.
fn uncertainty(
    c: &Catalogue,
    p: &Product,
    pr: &crate::calc::ProductResult,
    u: &Uncertainty,
    r: Figures,
) -> UncertaintyV {
    let approach1 = u
        .approach1_pct
        .as_ref()
        .map_or("—".into(), |x| format!("±{}%", r.format(x)));
    let row = |figure: T, exact: &Exact, s: &Stats| UncertaintyRowV {
        figure,
        exact: r.format(exact),
        mean: r.format(&s.mean),
        median: r.format(&s.median),
        sd: r.format(&s.sd),
        low: r.format(&s.low),
        high: r.format(&s.high),
        approach1: approach1.clone(),
    };
    let exact = if u.exact_lines.is_empty() {
        w(c, "view.uncertainty.no-exact-lines", &[])
    } else {
        // Of a long inventory, the first lines and how many there are in all.
        let mut names = join(
            u.exact_lines
                .iter()
                .take(LARGEST)
                .map(|&i| line_name(c, &p.lines[i])),
        );
        if u.exact_lines.len() > LARGEST {
            let count = bi(u.exact_lines.len().to_string());
            let more = w(c, "view.more-lines", &[("count", &count)]);
            names = t(
                format!("{}{}", names.zh, more.zh),
                format!("{}{}", names.en, more.en),
            );
        }
        w(
            c,
            "view.uncertainty.exact-lines",
            &[
                ("lines", &(&names).into()),
                (
                    "share",
                    &bi(r.format(&(&u.exact_share * &Exact::from(100u32)))),
                ),
            ],
        )
    };
    UncertaintyV {
        rows: vec![
            row(w(c, "view.reconciliation.total", &[]), &pr.total, &u.total),
            row(
                w(
                    c,
                    "view.reconciliation.per-unit",
                    &[("functional_unit", &p.functional_unit)],
                ),
                &pr.per_unit_total,
                &u.per_unit,
            ),
        ],
        exact,
    }
}

/// The tornado chart of a product's largest inputs, `None` when it has none.
fn tornado(
    c: &Catalogue,
    e: &Engagement,
    p: &Product,
    pr: &crate::calc::ProductResult,
    r: Figures,
) -> Option<TornadoV> {
    let largest = pr.sensitivity.first()?.contribution.abs();
    let hundred = Exact::from(100u32);
    let bars = pr
        .sensitivity
        .iter()
        .take(TORNADO_BARS)
        .map(|x| BarV {
            name: input_name(c, e, p, x.input),
            minus: r.format(&x.minus_10),
            plus: r.format(&x.plus_10),
            length: format!(
                "{}%",
                (&x.contribution.abs().fraction_of(&largest) * &hundred).to_plain(2)
            ),
            minus_left: x.minus_10 <= x.plus_10,
        })
        .collect();
    Some(TornadoV {
        baseline: r.format(&pr.total),
        bars,
        inputs: pr.sensitivity.len(),
        cut: pr.sensitivity.len() > TORNADO_BARS,
    })
}

/// The emission sources of each stage; of a summarised stage, the listed lines' and how
/// many there are in all.
fn sources(c: &Catalogue, p: &Product, stages: &[Stage], listing: &Listing) -> Vec<SourceV> {
    let Listing { shown, order, .. } = listing;
    stages
        .iter()
        .filter(|s| p.lines_of(**s).next().is_some())
        .map(|&s| {
            // Freight is named by mode, of every line (a few modes); other lines by name, of
            // a summarised stage the listed ones, then how many different ones in all.
            let freight = p
                .lines_of(s)
                .any(|l| matches!(l.activity, Activity::Transport { .. }));
            let item = |l: &Line| match &l.activity {
                Activity::Transport { mode: m, .. } => mode(c, *m),
                _ => T::from(&l.name),
            };
            let distinct = |lines: &mut dyn Iterator<Item = &Line>| {
                let mut names: Vec<T> = Vec::new();
                for l in lines {
                    let name = item(l);
                    if !names.iter().any(|n| n.zh == name.zh) {
                        names.push(name);
                    }
                }
                names
            };
            let table = listing.table_of(s);
            let names = if freight || table.is_empty() {
                distinct(&mut order.iter().map(|&i| &p.lines[i]).filter(|l| l.stage == s))
            } else {
                distinct(
                    &mut order
                        .iter()
                        .filter(|&&i| shown[i])
                        .map(|&i| &p.lines[i])
                        .filter(|l| l.stage == s),
                )
            };
            let mut items = join(names.into_iter());
            if !freight && !table.is_empty() {
                let count = bi(distinct(&mut p.lines_of(s)).len().to_string());
                let more = w(
                    c,
                    "view.sources.more",
                    &[("count", &count), ("table", &bi(table))],
                );
                items = t(
                    format!("{}{}", items.zh, more.zh),
                    format!("{}{}", items.en, more.en),
                );
            }
            SourceV {
                stage: (&c.stage(s).name).into(),
                breakable: items.chars() > LONG_LIST,
                items,
                description: (&c.stage(s).description).into(),
            }
        })
        .collect()
}

/// The unit of a gas's GWP as a factor, with its set: `kgCO2e/kgCH4 (GWP AR6)`.
fn gwp_unit(e: &Engagement, symbol: &str) -> String {
    format!("kgCO2e/{symbol} (GWP {:?})", e.scope.gwp)
}

/// A process line's factor, its gas's GWP: `27 kgCO2e/kgCH4 (GWP AR6)`.
fn gwp_factor(e: &Engagement, lr: &crate::calc::LineResult, symbol: &str) -> String {
    format!("{} {}", lr.conversion.to_plain(28), gwp_unit(e, symbol))
}

fn activities(
    c: &Catalogue,
    e: &Engagement,
    p: &Product,
    pr: &crate::calc::ProductResult,
    r: Figures,
    listing: &Listing,
) -> Vec<ActivityV> {
    let Listing { shown, order, .. } = listing;
    let factor_text = |l: &Line, lr: &crate::calc::LineResult| match (l.factor, &l.activity) {
        (Some(f), _) => format!("{} {}", e.factors[f].value, e.factors[f].unit),
        (None, Activity::Process { quantity, .. }) => gwp_factor(e, lr, quantity.unit.symbol),
        (None, _) => format!("GWP {:?}", e.scope.gwp),
    };
    let mut rows: Vec<(Stage, ActivityV)> = Vec::new();
    let mut freight: Vec<(Stage, Option<usize>, TransportMode, Exact, usize)> = Vec::new();
    // A summarised stage's other lines, counted, in one row after its listed ones.
    let mut others: Vec<(Stage, usize)> = Vec::new();
    for &i in order {
        let (l, lr, on) = (&p.lines[i], &pr.lines[i], shown[i]);
        match &l.activity {
            Activity::Material { .. } | Activity::Energy { .. } | Activity::Process { .. }
                if !on =>
            {
                match others.iter_mut().find(|(s, _)| *s == l.stage) {
                    Some(entry) => entry.1 += 1,
                    None => others.push((l.stage, 1)),
                }
            }
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
            | Activity::Process { quantity, .. } => rows.push((
                l.stage,
                ActivityV {
                    key: l.stage.key,
                    stage: (&c.stage(l.stage).name).into(),
                    activity: if l.per_unit {
                        w(
                            c,
                            "view.activity.per-unit",
                            &[
                                ("name", &l.name),
                                ("quantity", &bi(quantity.to_string())),
                                ("functional_unit", &p.functional_unit),
                            ],
                        )
                    } else {
                        let quantity = match &l.allocation {
                            Some(_) => {
                                let (q, unit) = crate::calc::allocated_quantity(l, lr);
                                format!("{} {unit}", r.format(&q))
                            }
                            None => quantity.to_string(),
                        };
                        t(
                            format!("{}：{quantity}", l.name.zh),
                            format!("{}: {quantity}", l.name.en),
                        )
                    },
                    factor: factor_text(l, lr),
                },
            )),
        }
    }
    let summed = |stage: Stage, activity: T, factor: String| {
        let row = ActivityV {
            key: stage.key,
            stage: (&c.stage(stage).name).into(),
            activity,
            factor,
        };
        (stage, row)
    };
    for (stage, factor, m, tkm, n) in freight {
        let md = Bi::from(&mode(c, m));
        let f = factor
            .map(|f| format!("{} {}", e.factors[f].value, e.factors[f].unit))
            .unwrap_or_default();
        let activity = w(
            c,
            "view.freight",
            &[
                ("mode", &md),
                ("tkm", &bi(r.format(&tkm))),
                ("count", &bi(n.to_string())),
            ],
        );
        rows.push(summed(stage, activity, f));
    }
    for (stage, n) in others {
        let activity = w(
            c,
            "view.activity.others",
            &[
                ("count", &bi(n.to_string())),
                ("table", &bi(listing.table_of(stage))),
            ],
        );
        rows.push(summed(stage, activity, "/".into()));
    }
    // Stable: within a stage in the order of `order`.
    rows.sort_by_key(|(stage, _)| *stage);
    rows.into_iter().map(|(_, row)| row).collect()
}

fn line(
    c: &Catalogue,
    e: &Engagement,
    no: usize,
    l: &Line,
    lr: &crate::calc::LineResult,
    r: Figures,
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
            count
                .as_deref()
                .map_or_else(|| same(""), |n| count_text(c, n)),
        ),
        Activity::Material { quantity }
        | Activity::Energy { quantity }
        | Activity::Process { quantity, .. } => (*quantity, None, same(""), same(""), same("")),
    };
    let (factor, factor_unit, factor_id) = match f {
        Some(f) => (f.value.to_string(), f.unit.to_string(), f.id.clone()),
        None => (
            lr.conversion.to_plain(28),
            gwp_unit(e, a.unit.symbol),
            String::new(),
        ),
    };
    let conversion = if f.is_none() || lr.conversion == Exact::int(1) {
        String::new()
    } else {
        conversion_text(&lr.conversion)
    };
    let s = l.scores;
    LineV {
        no,
        name: (&l.name).into(),
        label: line_name(c, l),
        supplier,
        mode: md,
        count,
        // An allocated line's quantity is the item's times the share: rarely a short decimal.
        a: match &l.allocation {
            Some(al) => r.format(&(Exact::from(a.value) * &al.share)),
            None => a.value.to_string(),
        },
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
        per_unit: l.per_unit,
        listed: false,
    }
}

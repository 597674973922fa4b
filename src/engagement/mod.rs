//! The validated engagement: every value read, checked and typed.
//!
//! Everything here is known to be consistent: factor references resolve, units fit, dates
//! are in order, texts exist in the report's languages.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diag::Path;
pub use crate::input::model::{
    ActivityMethod, AllocationBasis, Assurance, Calibration, Category, EntryStatus, EntryType,
    GasOrigin, Language, NumberStyle, OpinionType, Role, Status, TransportMode,
};
use crate::units::quantity::{FactorUnit, GwpSet, Quantity};
use crate::units::rounding::Rounding;

pub mod stage;
pub use stage::{BoundaryKind, Stage, StageMap, Words};

/// A text in both languages (the same string twice when one was written for both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bi {
    /// The Chinese text, trimmed; the English one when only English was written.
    pub zh: String,
    /// The English text, trimmed; the Chinese one when only Chinese was written.
    pub en: String,
}

impl Bi {
    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Zh => &self.zh,
            Language::En => &self.en,
        }
    }

    /// True when either language's text equals the other's (names that match).
    pub fn matches(&self, other: &Bi) -> bool {
        self.zh == other.zh || self.en == other.en
    }
}

/// A date range with `from <= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first day, included.
    pub from: NaiveDate,
    /// The last day, included.
    pub to: NaiveDate,
}

/// A validated engagement: the whole file, read and checked, ready to calculate and print.
#[derive(Debug)]
pub struct Engagement {
    /// The report's number, revision, dates, status, languages and title.
    pub report: Report,
    /// What is verified against what (`engagement` in the file).
    pub scope: Scope,
    /// The verification body, its team, reviewers and approver.
    pub verifier: Verifier,
    /// The client whose products are verified.
    pub client: Client,
    /// The system boundary and the stages it covers.
    pub boundary: Boundary,
    /// The emission factors, in file order; lines refer to them by index.
    pub factors: Vec<Factor>,
    /// The products, in file order, each with its inventory (allocated shared items
    /// included, as lines after the product's own).
    pub products: Vec<Product>,
    /// The site-level items allocated to the products, in file order (none when not given).
    pub shared: Vec<Shared>,
    /// How each kind of activity data was judged; empty when the file says nothing.
    pub data_evaluation: DataEvaluation,
    /// Improvement measures, in file order (none when not given).
    pub improvements: Vec<Improvement>,
    /// The report's attachments, in file order (none when not given).
    pub attachments: Vec<Attachment>,
    /// The opinion and the findings register; `None` when the file has no `verification`.
    pub verification: Option<Verification>,
    /// The images the engagement names, read once when it was validated (or taken from a
    /// report's attachments), by their path in the file: every later step uses these
    /// bytes, never the file system again.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    /// The SHA-256 of the engagement file's bytes: the seed of the Monte Carlo stream, so
    /// that the same file gives the same figures (zero until the file's bytes are known).
    pub seed: [u8; 32],
}

/// The report itself, as issued.
#[derive(Debug)]
pub struct Report {
    /// The report number, trimmed and safe in a file name (letters, digits, `-`, `_`, `.`).
    pub number: String,
    /// The revision: 1 for the first issue, one more per reissue.
    pub revision: u32,
    /// The number of the report this one replaces, as written.
    pub supersedes: Option<String>,
    /// The date of issue.
    pub issued: NaiveDate,
    /// Draft, reviewed or approved (draft when not given): only approved prints without a
    /// watermark.
    pub status: Status,
    /// The report's languages in order: `[zh, en]`, `[en, zh]`, `[zh]` or `[en]`.
    pub languages: Vec<Language>,
    /// The report's title, the built-in one when the file gives none.
    pub title: Bi,
    /// What changed in each revision after the first, in file order.
    pub changes: Vec<Change>,
    /// How the PDF writes figures: plain (the default) or grouped by thousands.
    pub number_style: NumberStyle,
}

/// One entry of the revision history.
#[derive(Debug)]
pub struct Change {
    /// The revision it describes, 2 or more and at most the current one.
    pub revision: u32,
    /// When the change was made.
    pub date: NaiveDate,
    /// What changed.
    pub note: Bi,
}

/// What was verified against what: `engagement` in the file.
#[derive(Debug)]
pub struct Scope {
    /// The standards and rules the verification follows, in the order listed.
    pub criteria: Vec<Bi>,
    /// Reasonable or limited assurance.
    pub assurance: Assurance,
    /// Fractions: 5% is 0.05.
    pub materiality: Decimal,
    /// The cut-off for one excluded process, as a fraction (1% is 0.01).
    pub cutoff_process: Decimal,
    /// The cut-off for all excluded processes together, as a fraction.
    pub cutoff_total: Decimal,
    /// The share of emissions the inventory must cover, as a fraction (98% is 0.98).
    pub coverage: Decimal,
    /// The reporting period the figures cover.
    pub period: Span,
    /// When the documents were reviewed, when given.
    pub document_review: Option<Span>,
    /// When the site was visited.
    pub site_visit: Span,
    /// The IPCC report whose 100-year GWPs turn gases into CO2e.
    pub gwp: GwpSet,
    /// How figures are rounded for display (half-up to 2 places when not given).
    pub rounding: Rounding,
    /// The Monte Carlo analysis asked for, when `engagement.uncertainty` is written.
    pub uncertainty: Option<MonteCarlo>,
}

/// How the Monte Carlo uncertainty analysis is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonteCarlo {
    /// The number of iterations, 100 to 1,000,000 (10,000 when not given).
    pub iterations: u32,
    /// The confidence level of the interval, a fraction strictly between 0 and 1 (95% is 0.95).
    pub confidence: Decimal,
}

/// An input's uncertainty: the distribution of the factor by which its value, as written,
/// may be multiplied (1 is the value itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// `±N%`: normal, mean 1, N% (here a fraction, 0.05) the half-width of the 95% interval.
    Normal {
        /// The half-width of the 95% interval, a fraction of the value, 0 to under 1.
        half_width: Decimal,
    },
    /// Lognormal with median 1 (the value is the median).
    Lognormal {
        /// The geometric standard deviation, 1 or more (1: no uncertainty).
        gsd: Decimal,
    },
    /// Triangular with mode 1 (the value is the mode), between `min` and `max`.
    Triangular {
        /// The lowest multiplier, 0 to 1.
        min: Decimal,
        /// The highest multiplier, 1 or more.
        max: Decimal,
    },
    /// Uniform between `min` and `max`, which hold 1 between them.
    Uniform {
        /// The lowest multiplier, 0 to 1.
        min: Decimal,
        /// The highest multiplier, 1 or more.
        max: Decimal,
    },
}

/// The verification body.
#[derive(Debug)]
pub struct Verifier {
    /// The body's name.
    pub name: Bi,
    /// Its address, when given.
    pub address: Option<Bi>,
    /// Its profile, paragraphs separated by blank lines, when given.
    pub profile: Option<Bi>,
    /// Paths relative to the engagement file's folder, known to exist inside it.
    pub logo: Option<String>,
    /// The verification team, in file order, with exactly one lead.
    pub team: Vec<TeamMember>,
    /// The technical reviewers, at least one, none of them on the team.
    pub reviewers: Vec<Reviewer>,
    /// Who approved the report: always present when the status is approved.
    pub approver: Option<Approver>,
    /// The seal image's path, like `logo`.
    pub seal: Option<String>,
}

/// A member of the verification team.
#[derive(Debug)]
pub struct TeamMember {
    /// The member's name.
    pub name: Bi,
    /// Team leader or member.
    pub role: Role,
    /// The member's field of expertise, when given.
    pub field: Option<Bi>,
    /// True when the member took part in the site visit (false when not said).
    pub on_site: bool,
}

/// A technical reviewer.
#[derive(Debug)]
pub struct Reviewer {
    /// The reviewer's name.
    pub name: Bi,
    /// The reviewer's field of expertise, when given.
    pub field: Option<Bi>,
    /// True when the reviewer took part in the site visit (false when not said).
    pub on_site: bool,
}

/// Who approves the report.
#[derive(Debug)]
pub struct Approver {
    /// The approver's name.
    pub name: Bi,
    /// The signature image's path, like `logo`, when given.
    pub signature: Option<String>,
}

/// The client.
#[derive(Debug)]
pub struct Client {
    /// The client's name.
    pub name: Bi,
    /// The unified social credit code, trimmed, its check digit verified (GB 32100-2015).
    pub credit_code: Option<String>,
    /// The client's industry, when given.
    pub industry: Option<Industry>,
    /// The client's address, when given.
    pub address: Option<Bi>,
    /// When the client was founded, when given.
    pub founded: Option<NaiveDate>,
    /// The client's legal form, when given.
    pub legal_form: Option<Bi>,
    /// The client's profile, when given.
    pub profile: Option<Bi>,
    /// How the client manages and uses energy, when given.
    pub energy: Option<Bi>,
    /// The organisation chart image's path, like `Verifier::logo`, when given.
    pub org_chart: Option<String>,
    /// The main energy-using equipment, in file order.
    pub equipment: Vec<Equipment>,
    /// The production processes, in file order.
    pub processes: Vec<Process>,
}

/// The client's industry.
#[derive(Debug)]
pub struct Industry {
    /// The industry code as written, trimmed (`3823`).
    pub code: String,
    /// The industry's name.
    pub name: Bi,
}

/// A piece of energy-using equipment, as listed in the report.
#[derive(Debug)]
pub struct Equipment {
    /// The equipment's name.
    pub name: Bi,
    /// Its model, in each language (a model name with Chinese words has an English one).
    pub model: Option<Bi>,
    /// Its power or rating, as written (`300W`).
    pub power: Option<String>,
    /// How many there are, when given.
    pub count: Option<u32>,
    /// A remark, when given.
    pub note: Option<Bi>,
}

/// A production process.
#[derive(Debug)]
pub struct Process {
    /// The process's name.
    pub name: Bi,
    /// Its steps, in order.
    pub steps: Vec<Bi>,
    /// The flow chart image's path, like `Verifier::logo`, when given.
    pub flowchart: Option<String>,
}

/// The system boundary.
#[derive(Debug)]
pub struct Boundary {
    /// Which life cycle is verified: cradle to gate, …
    pub kind: BoundaryKind,
    /// The boundary's stages, in canonical order: every figure per stage is given for
    /// exactly these.
    pub stages: Vec<Stage>,
    /// The processes the boundary includes, as listed (none when not given).
    pub included: Vec<Bi>,
    /// The processes left out, in file order.
    pub excluded: Vec<Excluded>,
}

/// A process left out of the inventory.
#[derive(Debug)]
pub struct Excluded {
    /// What is left out.
    pub item: Bi,
    /// Estimated share of the footprint, as a fraction, when given.
    pub share: Option<Decimal>,
    /// Where the item is written (`boundary.excluded[i]`), for findings about it.
    pub path: Path,
}

/// An emission factor.
#[derive(Debug)]
pub struct Factor {
    /// The factor's id: its key under `factors`, as lines name it.
    pub id: String,
    /// The factor's name, when given.
    pub name: Option<Bi>,
    /// The factor's value as written, exact, zero or more.
    pub value: Decimal,
    /// Its unit: emissions per unit of activity (`kgCO2e/tkm`).
    pub unit: FactorUnit,
    /// Where the factor comes from (the citation printed in the report).
    pub source: Bi,
    /// The kind of source, which sets the factor's data-quality score.
    pub category: Category,
    /// The entry's id in its database, as written, when given.
    pub reference: Option<String>,
    /// The year its data are for, when given (old factors are flagged).
    pub year: Option<u16>,
    /// A remark, when given.
    pub note: Option<Bi>,
    /// The verification team's conclusion on the factor, when given.
    pub evaluation: Option<Bi>,
    /// Its value split by origin, in its unit, adding up exactly to `value`; `None` when
    /// not separated (all of it then counts as fossil).
    pub parts: Option<Parts>,
    /// Biogenic CO2 uptake per unit of activity, in its unit, zero or more; `None` when not given.
    pub removal: Option<Decimal>,
    /// The uncertainty of its value (not of its removal), when given.
    pub uncertainty: Option<Spread>,
    /// Where the factor is written (`factors.<id>`), for findings about it.
    pub path: Path,
}

/// A factor's value by origin, in the factor's unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// From fossil sources.
    pub fossil: Decimal,
    /// From biogenic sources.
    pub biogenic: Decimal,
    /// From direct land-use change.
    pub dluc: Decimal,
}

impl Engagement {
    /// True when the file separates the origin of emissions anywhere: a factor with `parts`
    /// or `removal`, a biogenic gas line, or freight by air.
    pub fn origin_separated(&self) -> bool {
        self.factors
            .iter()
            .any(|f| f.parts.is_some() || f.removal.is_some())
            || self.products.iter().flat_map(|p| &p.lines).any(|l| {
                matches!(
                    l.activity,
                    Activity::Process {
                        origin: GasOrigin::Biogenic,
                        ..
                    } | Activity::Transport {
                        mode: TransportMode::Air,
                        ..
                    }
                )
            })
    }
}

impl Category {
    /// The factor score this category implies (measured 6 … international 1).
    pub fn score(self) -> u8 {
        match self {
            Category::Measured => 6,
            Category::SameProcess => 5,
            Category::Manufacturer => 4,
            Category::Regional => 3,
            Category::National => 2,
            Category::International => 1,
        }
    }
}

impl ActivityMethod {
    /// The activity score this method implies.
    pub fn score(self) -> u8 {
        match self {
            ActivityMethod::Continuous => 6,
            ActivityMethod::Periodic => 3,
            ActivityMethod::Estimated => 1,
        }
    }
}

impl Calibration {
    /// The calibration score this state implies.
    pub fn score(self) -> u8 {
        match self {
            Calibration::Compliant => 6,
            Calibration::Accepted => 3,
            Calibration::None => 1,
        }
    }
}

/// A product and its inventory.
#[derive(Debug)]
pub struct Product {
    /// The product's id, trimmed, unique in the file: it names the product in JSON, the
    /// workbook and `diff`.
    pub id: String,
    /// The product's name.
    pub name: Bi,
    /// Its brand, when given.
    pub brand: Option<Bi>,
    /// Its model, as written, when given.
    pub model: Option<String>,
    /// Its specification, as written, when given.
    pub specification: Option<String>,
    /// The functional unit the per-unit figures refer to (`台` / `unit`).
    pub functional_unit: Bi,
    /// Mass of one functional unit, without packaging, when given.
    pub mass: Option<Quantity>,
    /// Fossil carbon in one functional unit (a mass of carbon), when given.
    pub fossil_carbon: Option<Quantity>,
    /// The output in the period, in functional units, exact and more than 0.
    pub output: Decimal,
    /// Every inventory line: materials, transport, energy, process, distribution, use, then
    /// end-of-life lines, each list in file order.
    pub lines: Vec<Line>,
    /// The period total the client claims, when given.
    pub claimed_total: Option<Claim>,
    /// The footprint per functional unit the client claims, when given.
    pub claimed_per_unit: Option<Claim>,
    /// Where the product is written (`products[i]`), for findings about it.
    pub path: Path,
}

impl Product {
    /// The inventory lines of one stage, in file order.
    pub fn lines_of(&self, stage: Stage) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(move |l| l.stage == stage)
    }
}

/// A figure the client declared, in kgCO2e.
#[derive(Debug)]
pub struct Claim {
    /// The figure converted to kgCO2e (per functional unit for `per_unit`), exact.
    pub kg: crate::units::exact::Exact,
    /// Half a unit in the last decimal place it is written with, in kgCO2e (`9.1 tCO2e`:
    /// 50 kg): the figure stands for any within this of it.
    pub half_ulp: crate::units::exact::Exact,
    /// Where it is written (`products[i].claimed.total` or `.per_unit`).
    pub path: Path,
}

/// A site-level inventory item (`shared[i]`), allocated to products.
#[derive(Debug)]
pub struct Shared {
    /// The whole site's line: its name, stage, quantity, factor and scores, its path
    /// `shared[i]`. Each product's line is this one with an [`Allocated`] share.
    pub line: Line,
    /// How it is allocated.
    pub basis: AllocationBasis,
    /// The products it is allocated to (indices into [`Engagement::products`]), in the
    /// order of the file's products, with each one's share: fractions adding up to 1.
    pub shares: Vec<(usize, crate::units::exact::Exact)>,
}

/// The part of a shared item a product's line stands for.
#[derive(Clone, Debug)]
pub struct Allocated {
    /// Index into [`Engagement::shared`].
    pub item: usize,
    /// The product's share of the item, a fraction of 1: the line's quantities and
    /// emissions are the item's times this.
    pub share: crate::units::exact::Exact,
}

/// The weights of `products` under an allocation basis that needs no figures of its own:
/// output, or output x mass (kg); `None` for value and share, or mass when a product has
/// no mass.
pub fn basis_weights(
    basis: AllocationBasis,
    products: &[&Product],
) -> Option<Vec<crate::units::exact::Exact>> {
    use crate::units::exact::Exact;
    products
        .iter()
        .map(|p| match basis {
            AllocationBasis::Output => Some(Exact::from(p.output)),
            AllocationBasis::Mass => p.mass.map(|m| Exact::from(p.output) * m.base()),
            AllocationBasis::Value | AllocationBasis::Share => None,
        })
        .collect()
}

/// One inventory line.
#[derive(Clone, Debug)]
pub struct Line {
    /// What the line is: the material, energy carrier or emission source (for transport,
    /// the material carried).
    pub name: Bi,
    /// The stage of the list it was read from.
    pub stage: Stage,
    /// What the line measures, with its quantities.
    pub activity: Activity,
    /// Index into [`Engagement::factors`]; `None` for direct process emissions.
    pub factor: Option<usize>,
    /// True when the quantity (or mass) is for one functional unit (`basis: unit`): the
    /// line's emissions are then multiplied by the product's output.
    pub per_unit: bool,
    /// The data-quality scores used: the verifier's own where given, else the implied ones.
    pub scores: Scores,
    /// The scores implied by `data` and the factor's category, before any override.
    pub implied: Scores,
    /// Where the line is written (`products[i].transport[j]`, `shared[k]` for an
    /// allocated line), for findings about it.
    pub path: Path,
    /// For a line allocated from a shared item, the item and the product's share; its
    /// `activity` is then the whole item's.
    pub allocation: Option<Allocated>,
    /// The uncertainty of its activity data (for freight, of mass x distance), when given;
    /// an allocated line's is its item's.
    pub uncertainty: Option<Spread>,
}

impl Line {
    /// The fraction of `activity` the line stands for: its allocated share, else 1.
    pub fn share(&self) -> crate::units::exact::Exact {
        self.allocation
            .as_ref()
            .map_or_else(|| crate::units::exact::Exact::int(1), |a| a.share.clone())
    }

    /// The line's name in `lang` as the machine outputs give it (results JSON, workbook,
    /// `diff`): a freight line's with its supplier in brackets, so that deliveries of one
    /// material are told apart (`真空开关管 (武汉飞特)`). The report words it from the
    /// catalogue instead (`view.line-with-supplier`).
    pub fn label(&self, lang: Language) -> String {
        let name = self.name.get(lang);
        match &self.activity {
            Activity::Transport {
                supplier: Some(s), ..
            } => format!("{name} ({})", s.get(lang)),
            _ => name.to_owned(),
        }
    }
}

/// What a line measures.
#[derive(Clone, Debug)]
pub enum Activity {
    /// A raw material consumed: quantity x factor.
    Material {
        /// The amount consumed, in the unit it was written in (a unit the factor is per).
        quantity: Quantity,
    },
    /// A delivery of raw material (or, in distribution, of the product): mass x distance x
    /// factor (per tkm).
    Transport {
        /// Who supplied the material, when given.
        supplier: Option<Bi>,
        /// How it travelled (road when not said).
        mode: TransportMode,
        /// The mass carried.
        mass: Quantity,
        /// The distance travelled.
        distance: Quantity,
        /// The number of items bought, as written (`13000 只`); printed, never calculated with.
        count: Option<String>,
    },
    /// Energy consumed, or another activity (of use, of end of life): quantity x factor.
    Energy {
        /// The amount consumed, in the unit it was written in (a unit the factor is per).
        quantity: Quantity,
    },
    /// Direct emissions of a gas (or of CO2e), multiplied by its GWP: a process line, or a
    /// use or end-of-life line without a factor.
    Process {
        /// The amount of the gas (or CO2e) emitted, as written (`0.2 kgSF6`).
        quantity: Quantity,
        /// Fossil unless the file says biogenic (AR6 then uses non-fossil CH4).
        origin: GasOrigin,
    },
}

/// Data-quality scores of a line, 1 to 6 each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scores {
    /// The activity-data score, 1 to 6 (implied: continuous 6, periodic 3, estimated 1).
    pub activity: u8,
    /// The emission-factor score, 1 to 6 (implied by the factor's category; 1 for a process
    /// line, whose GWP counts as an international factor).
    pub factor: u8,
    /// The calibration score, 1 to 6 (implied: compliant 6, accepted 3, none 1).
    pub calibration: u8,
}

/// How each kind of activity data was judged, printed as evaluation tables.
#[derive(Debug, Default)]
pub struct DataEvaluation {
    /// The evaluation of the output figures, when given.
    pub output: Option<Evaluation>,
    /// The evaluation of the raw material figures, when given.
    pub materials: Option<Evaluation>,
    /// The evaluation of the transport figures, when given.
    pub transport: Option<Evaluation>,
    /// The evaluation of the production (energy and process) figures, when given.
    pub production: Option<Evaluation>,
}

/// How one kind of activity data was judged; every part optional.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Where the data come from and what they were cross-checked against.
    pub source: Option<Bi>,
    /// How the data are monitored.
    pub method: Option<Bi>,
    /// How often they are monitored.
    pub frequency: Option<Bi>,
    /// How often they are recorded.
    pub recording: Option<Bi>,
    /// How missing data are dealt with.
    pub missing: Option<Bi>,
    /// The team's conclusion.
    pub conclusion: Option<Bi>,
}

/// An improvement measure the report recommends.
#[derive(Debug)]
pub struct Improvement {
    /// The measure, in short.
    pub title: Bi,
    /// What it involves.
    pub text: Bi,
}

/// An attachment listed in the report.
#[derive(Debug)]
pub struct Attachment {
    /// The attachment's title.
    pub title: Bi,
    /// Its file's path, relative to the engagement file's folder, when given.
    pub file: Option<String>,
}

/// The verification section: the opinion as given and the team's findings register.
#[derive(Debug, Default)]
pub struct Verification {
    /// The opinion as written; `None` when it is to be derived from the register.
    pub opinion: Option<OpinionType>,
    /// The basis for the opinion, when given (needed unless the opinion is unmodified).
    pub basis: Option<Bi>,
    /// Who may rely on the statement, when given.
    pub intended_users: Option<Bi>,
    /// The register's entries, in file order, their ids unique.
    pub register: Vec<RegisterEntry>,
}

/// One entry of the findings register.
#[derive(Debug)]
pub struct RegisterEntry {
    /// The entry's id, trimmed: letters, digits and `-` (`CAR-01`).
    pub id: String,
    /// Misstatement, nonconformity, clarification or observation.
    pub kind: EntryType,
    /// The check it answers, when it answers one.
    pub about: Option<About>,
    /// What the team found or asked.
    pub raised: Bi,
    /// When it was raised, when given.
    pub date: Option<NaiveDate>,
    /// The client's answer, when given.
    pub response: Option<Bi>,
    /// Open or closed.
    pub status: EntryStatus,
    /// The team's conclusion: always present when the entry is closed.
    pub conclusion: Option<Bi>,
    /// The team's own judgement of materiality, when written; see [`RegisterEntry::is_material`].
    pub material: Option<bool>,
    /// Where the entry is written (`verification.findings[i]`).
    pub path: Path,
}

/// The check a register entry answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// One of [`crate::checks::CODES`].
    pub check: &'static str,
    /// The id of a product of the file, when the check concerns one product.
    pub product: Option<String>,
}

impl RegisterEntry {
    /// True when the entry can modify the opinion: the team's `material` when written (only a
    /// misstatement or a nonconformity may say `true`); otherwise a misstatement or
    /// nonconformity that answers a check affecting the opinion
    /// ([`crate::checks::opinion::AFFECTING`]). Clarifications and observations never are.
    pub fn is_material(&self) -> bool {
        let can_be = matches!(
            self.kind,
            EntryType::Misstatement | EntryType::Nonconformity
        );
        can_be
            && self.material.unwrap_or_else(|| {
                self.about
                    .as_ref()
                    .is_some_and(|a| crate::checks::opinion::AFFECTING.contains(&a.check))
            })
    }

    /// True while the entry is open.
    pub fn is_open(&self) -> bool {
        self.status == EntryStatus::Open
    }
}

//! The validated engagement: every value read, checked and typed.
//!
//! Everything here is known to be consistent: factor references resolve, units fit, dates
//! are in order, texts exist in the report's languages.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diag::Path;
pub use crate::input::model::{
    ActivityMethod, Assurance, Calibration, Category, Language, Role, Status, TransportMode,
};
use crate::units::quantity::{FactorUnit, GwpSet, Quantity};
use crate::units::rounding::Rounding;

pub mod stage;
pub use stage::{BoundaryKind, Stage, StageMap, Words};

/// A text in both languages (the same string twice when one was written for both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bi {
    pub zh: String,
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
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug)]
pub struct Engagement {
    pub report: Report,
    pub scope: Scope,
    pub verifier: Verifier,
    pub client: Client,
    pub boundary: Boundary,
    pub factors: Vec<Factor>,
    pub products: Vec<Product>,
    pub data_evaluation: DataEvaluation,
    pub improvements: Vec<Improvement>,
    pub attachments: Vec<Attachment>,
    /// The images the engagement names, read once when it was validated (or taken from a
    /// report's attachments), by their path in the file: every later step uses these
    /// bytes, never the file system again.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
}

#[derive(Debug)]
pub struct Report {
    pub number: String,
    pub revision: u32,
    pub supersedes: Option<String>,
    pub issued: NaiveDate,
    pub status: Status,
    /// The report's languages in order: `[zh, en]`, `[en, zh]`, `[zh]` or `[en]`.
    pub languages: Vec<Language>,
    pub title: Bi,
    pub changes: Vec<Change>,
}

#[derive(Debug)]
pub struct Change {
    pub revision: u32,
    pub date: NaiveDate,
    pub note: Bi,
}

/// What was verified against what: `engagement` in the file.
#[derive(Debug)]
pub struct Scope {
    pub criteria: Vec<Bi>,
    pub assurance: Assurance,
    /// Fractions: 5% is 0.05.
    pub materiality: Decimal,
    pub cutoff_process: Decimal,
    pub cutoff_total: Decimal,
    pub coverage: Decimal,
    pub period: Span,
    pub document_review: Option<Span>,
    pub site_visit: Span,
    pub gwp: GwpSet,
    pub rounding: Rounding,
}

#[derive(Debug)]
pub struct Verifier {
    pub name: Bi,
    pub address: Option<Bi>,
    pub profile: Option<Bi>,
    /// Paths relative to the engagement file's folder, known to exist inside it.
    pub logo: Option<String>,
    pub team: Vec<TeamMember>,
    pub reviewers: Vec<Reviewer>,
    pub approver: Option<Approver>,
    pub seal: Option<String>,
}

#[derive(Debug)]
pub struct TeamMember {
    pub name: Bi,
    pub role: Role,
    pub field: Option<Bi>,
    pub on_site: bool,
}

#[derive(Debug)]
pub struct Reviewer {
    pub name: Bi,
    pub field: Option<Bi>,
    pub on_site: bool,
}

#[derive(Debug)]
pub struct Approver {
    pub name: Bi,
    pub signature: Option<String>,
}

#[derive(Debug)]
pub struct Client {
    pub name: Bi,
    pub credit_code: Option<String>,
    pub industry: Option<Industry>,
    pub address: Option<Bi>,
    pub founded: Option<NaiveDate>,
    pub legal_form: Option<Bi>,
    pub profile: Option<Bi>,
    pub energy: Option<Bi>,
    pub org_chart: Option<String>,
    pub equipment: Vec<Equipment>,
    pub processes: Vec<Process>,
}

#[derive(Debug)]
pub struct Industry {
    pub code: String,
    pub name: Bi,
}

#[derive(Debug)]
pub struct Equipment {
    pub name: Bi,
    pub model: Option<String>,
    pub power: Option<String>,
    pub count: Option<u32>,
    pub note: Option<Bi>,
}

#[derive(Debug)]
pub struct Process {
    pub name: Bi,
    pub steps: Vec<Bi>,
    pub flowchart: Option<String>,
}

#[derive(Debug)]
pub struct Boundary {
    /// Which life cycle is verified: cradle to gate, …
    pub kind: BoundaryKind,
    /// The boundary's stages, in canonical order: every figure per stage is given for
    /// exactly these.
    pub stages: Vec<Stage>,
    pub included: Vec<Bi>,
    pub excluded: Vec<Excluded>,
}

#[derive(Debug)]
pub struct Excluded {
    pub item: Bi,
    /// Estimated share of the footprint, as a fraction, when given.
    pub share: Option<Decimal>,
    pub path: Path,
}

#[derive(Debug)]
pub struct Factor {
    pub id: String,
    pub name: Option<Bi>,
    pub value: Decimal,
    pub unit: FactorUnit,
    pub source: Bi,
    pub category: Category,
    pub reference: Option<String>,
    pub year: Option<u16>,
    pub note: Option<Bi>,
    pub evaluation: Option<Bi>,
    pub path: Path,
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

#[derive(Debug)]
pub struct Product {
    pub id: String,
    pub name: Bi,
    pub brand: Option<Bi>,
    pub model: Option<String>,
    pub specification: Option<String>,
    pub functional_unit: Bi,
    /// Mass of one functional unit, without packaging, when given.
    pub mass: Option<Quantity>,
    pub output: Decimal,
    pub lines: Vec<Line>,
    pub claimed_total: Option<Claim>,
    pub claimed_per_unit: Option<Claim>,
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
    pub kg: crate::units::exact::Exact,
    pub path: Path,
}

/// One inventory line.
#[derive(Debug)]
pub struct Line {
    pub name: Bi,
    /// The stage of the list it was read from.
    pub stage: Stage,
    pub activity: Activity,
    /// Index into [`Engagement::factors`]; `None` for direct process emissions.
    pub factor: Option<usize>,
    pub scores: Scores,
    /// The scores implied by `data` and the factor's category, before any override.
    pub implied: Scores,
    pub path: Path,
}

/// What a line measures.
#[derive(Debug)]
pub enum Activity {
    Material {
        quantity: Quantity,
    },
    Transport {
        supplier: Option<Bi>,
        mode: TransportMode,
        mass: Quantity,
        distance: Quantity,
        count: Option<String>,
    },
    Energy {
        quantity: Quantity,
    },
    /// Direct emissions of a gas (or of CO2e), multiplied by its GWP.
    Process {
        quantity: Quantity,
    },
}

/// Data-quality scores of a line, 1 to 6 each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scores {
    pub activity: u8,
    pub factor: u8,
    pub calibration: u8,
}

#[derive(Debug, Default)]
pub struct DataEvaluation {
    pub output: Option<Evaluation>,
    pub materials: Option<Evaluation>,
    pub transport: Option<Evaluation>,
    pub production: Option<Evaluation>,
}

#[derive(Debug, Default)]
pub struct Evaluation {
    pub source: Option<Bi>,
    pub method: Option<Bi>,
    pub frequency: Option<Bi>,
    pub recording: Option<Bi>,
    pub missing: Option<Bi>,
    pub conclusion: Option<Bi>,
}

#[derive(Debug)]
pub struct Improvement {
    pub title: Bi,
    pub text: Bi,
}

#[derive(Debug)]
pub struct Attachment {
    pub title: Bi,
    pub file: Option<String>,
}

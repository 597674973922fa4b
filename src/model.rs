//! The engagement file as written (format `cfp-verify/1`): serde types, no logic.
//!
//! Numbers, quantities, percentages and dates are kept as their source text; `validate`
//! reads them exactly. `Option` marks an optional key; every other key is required.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::de::TEXT_STRUCT;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub format: String,
    pub report: Report,
    pub engagement: Engagement,
    pub verifier: Verifier,
    pub client: Client,
    pub boundary: Boundary,
    pub factors: Keyed<Factor>,
    pub products: Vec<Product>,
    pub data_evaluation: Option<DataEvaluation>,
    pub improvements: Option<Vec<Improvement>>,
    pub attachments: Option<Vec<Attachment>>,
}

/// Text in both languages: one string for both, or `{zh: …, en: …}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    pub zh: Option<String>,
    pub en: Option<String>,
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("text, or {zh: …, en: …}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text {
                    zh: Some(v.to_owned()),
                    en: Some(v.to_owned()),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut text = Text::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "zh" => text.zh = map.next_value()?,
                        "en" => text.en = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(text)
            }
        }
        deserializer.deserialize_struct(TEXT_STRUCT, &["zh", "en"], TextVisitor)
    }
}

/// A mapping from ids to values, in the order written.
#[derive(Debug, Default)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyedVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for KeyedVisitor<T> {
            type Value = Keyed<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping of ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    items.push(entry);
                }
                Ok(Keyed(items))
            }
        }
        deserializer.deserialize_map(KeyedVisitor(std::marker::PhantomData))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub number: String,
    pub revision: u32,
    pub supersedes: Option<String>,
    pub issued: String,
    pub status: Option<Status>,
    pub languages: Option<Vec<Language>>,
    pub title: Option<Text>,
    pub changes: Option<Vec<Change>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Reviewed,
    Approved,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub revision: u32,
    pub date: String,
    pub note: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Engagement {
    pub criteria: Vec<Text>,
    pub assurance: Assurance,
    pub materiality: String,
    pub cutoff: Cutoff,
    pub coverage: String,
    pub period: Span,
    pub document_review: Option<Span>,
    pub site_visit: Span,
    pub gwp: Gwp,
    pub rounding: Option<Rounding>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assurance {
    Reasonable,
    Limited,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cutoff {
    pub process: String,
    pub total: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Gwp {
    AR4,
    AR5,
    AR6,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    pub mode: Option<RoundingMode>,
    pub places: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    HalfUp,
    HalfEven,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verifier {
    pub name: Text,
    pub address: Option<Text>,
    pub profile: Option<Text>,
    pub logo: Option<String>,
    pub team: Vec<TeamMember>,
    pub reviewers: Vec<Reviewer>,
    pub approver: Option<Approver>,
    pub seal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    pub name: Text,
    pub role: Role,
    pub field: Option<Text>,
    pub on_site: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Lead,
    Member,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    pub name: Text,
    pub field: Option<Text>,
    pub on_site: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approver {
    pub name: Text,
    pub signature: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub name: Text,
    pub credit_code: Option<String>,
    pub industry: Option<Industry>,
    pub address: Option<Text>,
    pub founded: Option<String>,
    pub legal_form: Option<Text>,
    pub profile: Option<Text>,
    pub energy: Option<Text>,
    pub org_chart: Option<String>,
    pub equipment: Option<Vec<Equipment>>,
    pub processes: Option<Vec<Process>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equipment {
    pub name: Text,
    pub model: Option<String>,
    pub power: Option<String>,
    pub count: Option<u32>,
    pub note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub name: Text,
    pub steps: Vec<Text>,
    pub flowchart: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    #[serde(rename = "type")]
    pub kind: BoundaryKind,
    pub included: Option<Vec<Text>>,
    pub excluded: Option<Vec<Excluded>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundaryKind {
    CradleToGate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    pub item: Text,
    pub share: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub name: Option<Text>,
    pub value: String,
    pub source: Text,
    pub category: Category,
    pub reference: Option<String>,
    pub year: Option<u16>,
    pub note: Option<Text>,
    pub evaluation: Option<Text>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Measured,
    SameProcess,
    Manufacturer,
    Regional,
    National,
    International,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: Text,
    pub brand: Option<Text>,
    pub model: Option<String>,
    pub specification: Option<String>,
    pub functional_unit: Text,
    pub output: String,
    pub materials: Option<Vec<MaterialLine>>,
    pub transport: Option<Vec<TransportLine>>,
    pub energy: Option<Vec<EnergyLine>>,
    pub process: Option<Vec<ProcessLine>>,
    pub claimed: Option<Claimed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialLine {
    pub name: Text,
    pub quantity: String,
    pub factor: String,
    pub data: Option<Data>,
    pub scores: Option<Scores>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportLine {
    pub material: Text,
    pub supplier: Option<Text>,
    pub mode: Option<Mode>,
    pub distance: String,
    pub mass: String,
    pub count: Option<String>,
    pub factor: String,
    pub data: Option<Data>,
    pub scores: Option<Scores>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Road,
    Rail,
    Sea,
    InlandWaterway,
    Air,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyLine {
    pub name: Text,
    pub quantity: String,
    pub factor: String,
    pub data: Option<Data>,
    pub scores: Option<Scores>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessLine {
    pub name: Text,
    pub quantity: String,
    pub data: Option<Data>,
    pub scores: Option<Scores>,
}

/// How an activity figure was obtained; feeds the data-quality score.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    pub activity: ActivityMethod,
    pub calibration: Calibration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActivityMethod {
    Continuous,
    Periodic,
    Estimated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Calibration {
    Compliant,
    Accepted,
    None,
}

/// The verifier's own scores, overriding those implied by `data` and the factor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub activity: Option<u8>,
    pub factor: Option<u8>,
    pub calibration: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimed {
    pub total: Option<String>,
    pub per_unit: Option<String>,
}

/// How the team judged each kind of activity data (printed as evaluation tables).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataEvaluation {
    pub output: Option<Evaluation>,
    pub materials: Option<Evaluation>,
    pub transport: Option<Evaluation>,
    pub production: Option<Evaluation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub source: Option<Text>,
    pub method: Option<Text>,
    pub frequency: Option<Text>,
    pub recording: Option<Text>,
    pub missing: Option<Text>,
    pub conclusion: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Improvement {
    pub title: Text,
    pub text: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub title: Text,
    pub file: Option<String>,
}

//! The engagement file as written (format `cfp-verify/1`): serde types, no logic.
//!
//! Numbers, quantities, percentages and dates are kept as their source text; `validate`
//! reads them exactly. `Option` marks an optional key; every other key is required.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::input::de::TEXT_STRUCT;

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// 格式，固定为 `cfp-verify/1` / The format: exactly `cfp-verify/1`
    #[schemars(extend("const" = "cfp-verify/1"))]
    pub format: String,
    /// 报告信息 / The report: number, revision, dates, status, languages
    pub report: Report,
    /// 评价范围与准则 / What is verified against what
    pub engagement: Engagement,
    /// 评价方 / The verification body and its team
    pub verifier: Verifier,
    /// 受评价方 / The client
    pub client: Client,
    /// 系统边界 / The system boundary
    pub boundary: Boundary,
    /// 排放因子（编号 → 因子）/ Emission factors by id
    pub factors: Keyed<Factor>,
    /// 产品及其清单数据 / The products and their inventories
    pub products: Vec<Product>,
    /// 全厂（共用）清单数据，按分配方法分摊到各产品 / Site-level inventory, allocated to the products
    pub shared: Option<Vec<Shared>>,
    /// 活动水平数据的评价 / How each kind of activity data was judged
    pub data_evaluation: Option<DataEvaluation>,
    /// 改善措施 / Improvement measures
    pub improvements: Option<Vec<Improvement>>,
    /// 附件 / Attachments
    pub attachments: Option<Vec<Attachment>>,
    /// 评价结论与问题清单（ISO 14064-3）/ The verification: the opinion and the findings register
    pub verification: Option<Verification>,
}

/// Text in both languages: one string for both, or `{zh: …, en: …}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    /// 中文文本 / The Chinese text; a single string written for both sets this and `en`
    pub zh: Option<String>,
    /// 英文文本 / The English text; a single string written for both sets this and `zh`
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

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "文本：一个字符串（两种语言相同）或 {zh: …, en: …} / Text: one string for both languages, or {zh: …, en: …}",
            "anyOf": [
                {"type": ["string", "number"]},
                {"type": "object",
                 "properties": {"zh": {"type": ["string", "number"]}, "en": {"type": ["string", "number"]}},
                 // `{en: Chennuo Co., Ltd.}` unquoted: standard YAML reads `Ltd.` as a key
                 // without a value; `check` joins it back into the text (with a warning).
                 // Keys of the format are lower case, so any other key with no value is
                 // such a piece of text.
                 "patternProperties": {"[^a-z_]": {"type": "null"}},
                 "additionalProperties": false,
                 "anyOf": [{"required": ["zh"]}, {"required": ["en"]}]}
            ]
        })
    }
}

/// A value written as a number or as text (`output: 10567`, `model: "CT2000"`); read as text.
pub struct NumberOrString;

impl JsonSchema for NumberOrString {
    fn schema_name() -> Cow<'static, str> {
        "NumberOrString".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["number", "string"]})
    }
}

/// A mapping from ids to values, in the order written.
#[derive(Debug, Default)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T: JsonSchema> JsonSchema for Keyed<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Keyed_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "object", "additionalProperties": generator.subschema_for::<T>()})
    }
}

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

/// 报告信息 / The report itself: number, revision, dates, status, languages, title
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// 报告编号（字母、数字、- _ .）/ Report number (letters, digits, - _ .)
    #[schemars(with = "NumberOrString")]
    pub number: String,
    /// 版本，首次签发为 1 / Revision: 1 for the first issue, +1 per reissue
    pub revision: u32,
    /// 替代的报告 / The report this one supersedes
    #[schemars(with = "Option<NumberOrString>")]
    pub supersedes: Option<String>,
    /// 签发日期 YYYY-MM-DD / Date of issue
    pub issued: String,
    /// 状态，默认 draft / Status (default draft); not approved prints a watermark
    pub status: Option<Status>,
    /// 报告语言，默认 [zh, en] / Languages, default [zh, en]
    pub languages: Option<Vec<Language>>,
    /// 报告标题 / Report title
    pub title: Option<Text>,
    /// 修订内容（版本 > 1 时必填）/ What changed, required from revision 2
    pub changes: Option<Vec<Change>>,
    /// 报告中数字的写法，默认 plain / How the PDF writes figures, default plain; JSON, workbook and check output always plain
    pub number_style: Option<NumberStyle>,
}

/// 数字写法 / How the report writes its figures
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum NumberStyle {
    // 不分节，如 1550204.46 / Digits ungrouped, e.g. 1550204.46
    #[default]
    Plain,
    // 整数部分每三位以窄空格分节，如 1 550 204.46 / The integer part grouped by thousands with a thin space, e.g. 1 550 204.46
    Grouped,
}

/// 报告状态 / How far the report has gone through review and approval
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Status {
    // 草稿，打印“草稿”水印 / Draft: printed with a DRAFT watermark
    Draft,
    // 已评审，仍打印水印 / Reviewed by the technical reviewers: still printed with the watermark
    Reviewed,
    // 已批准，无水印，须有批准人 / Approved: no watermark; needs `verifier.approver`
    Approved,
}

/// 报告语言 / A language of the report
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Language {
    // 中文 / Chinese
    Zh,
    // 英文 / English
    En,
}

impl Language {
    /// The language's key in files and outputs: `zh` or `en`.
    pub fn key(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// The language with this key.
    pub fn from_key(key: &str) -> Option<Language> {
        [Language::Zh, Language::En]
            .into_iter()
            .find(|l| l.key() == key)
    }
}

/// 修订记录 / One entry of the revision history
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// 版本 / Revision
    pub revision: u32,
    /// 日期 / Date
    pub date: String,
    /// 修订内容 / What changed
    pub note: Text,
}

/// 评价范围与准则 / What is verified against what: criteria, assurance, thresholds, dates, GWP, rounding
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Engagement {
    /// 评价依据 / Criteria, in order
    pub criteria: Vec<Text>,
    /// 保证等级 / Level of assurance
    pub assurance: Assurance,
    /// 实质性门槛，如 "5%" / Materiality threshold, e.g. "5%"
    pub materiality: String,
    /// 取舍原则 / Cut-off rule
    pub cutoff: Cutoff,
    /// 清单覆盖率要求，如 "98%" / Required coverage, e.g. "98%"
    pub coverage: String,
    /// 核算期 / Reporting period
    pub period: Span,
    /// 文件评审时间 / Document review
    pub document_review: Option<Span>,
    /// 现场评价时间 / Site visit
    pub site_visit: Span,
    /// 全球变暖潜值来源 / GWP set (100 years)
    pub gwp: Gwp,
    /// 修约规则 / Rounding for display
    pub rounding: Option<Rounding>,
    /// 蒙特卡洛不确定性分析（可选）/ A Monte Carlo uncertainty analysis, optional
    pub uncertainty: Option<UncertaintySettings>,
}

/// 蒙特卡洛不确定性分析的设置 / How the Monte Carlo uncertainty analysis is run
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySettings {
    /// 迭代次数，默认 10000（100 至 1000000）/ Iterations, default 10000 (100 to 1,000,000)
    pub iterations: Option<u32>,
    /// 置信水平，默认 "95%" / Confidence level of the interval, default "95%"
    pub confidence: Option<String>,
}

/// 不确定性：`"±5%"`（正态，95% 区间半宽）、`{lognormal: 1.2}`、`{triangular: {min, max}}` 或 `{uniform: {min, max}}` / An input's uncertainty
#[derive(Debug)]
pub enum Spread {
    /// `"±N%"` as written (normal: N% is the half-width of the 95% interval).
    Text(String),
    /// `{lognormal: GSD}`: the geometric standard deviation as written.
    Lognormal(String),
    /// `{triangular: {min, max}}`: the value is the mode.
    Triangular(Bounds),
    /// `{uniform: {min, max}}`.
    Uniform(Bounds),
    /// A mapping whose key names no distribution (the key as written).
    Unknown(String),
    /// Something else: what was found (`a list`, `several distributions`).
    Wrong(&'static str),
}

/// 分布的下限与上限：相对于数值的百分比（"-10%"、"+30%"）或与数值同单位的量 / The bounds of a distribution
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// 下限，如 "-10%" / The lowest value, e.g. "-10%"
    #[schemars(with = "NumberOrString")]
    pub min: String,
    /// 上限，如 "+30%" / The highest value, e.g. "+30%"
    #[schemars(with = "NumberOrString")]
    pub max: String,
}

/// The distributions a `{…}` uncertainty may name.
pub const DISTRIBUTIONS: [&str; 3] = ["lognormal", "triangular", "uniform"];

impl<'de> Deserialize<'de> for Spread {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spread, D::Error> {
        struct SpreadVisitor;
        impl<'de> Visitor<'de> for SpreadVisitor {
            type Value = Spread;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "\"±N%\", {lognormal: GSD}, {triangular: {min, max}} or {uniform: {min, max}}",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Spread, E> {
                Ok(Spread::Text(v.to_owned()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Spread, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Spread::Wrong("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spread, A::Error> {
                let mut found: Option<Spread> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if found.is_some() {
                        map.next_value::<IgnoredAny>()?;
                        found = Some(Spread::Wrong("several distributions"));
                        continue;
                    }
                    found = Some(match key.as_str() {
                        "lognormal" => Spread::Lognormal(map.next_value()?),
                        "triangular" => Spread::Triangular(map.next_value()?),
                        "uniform" => Spread::Uniform(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            Spread::Unknown(key)
                        }
                    });
                }
                Ok(found.unwrap_or(Spread::Wrong("an empty mapping")))
            }
        }
        deserializer.deserialize_any(SpreadVisitor)
    }
}

impl JsonSchema for Spread {
    fn schema_name() -> Cow<'static, str> {
        "Spread".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let bounds = generator.subschema_for::<Bounds>();
        json_schema!({
            "description": "不确定性：\"±N%\"（正态分布，N% 为 95% 区间的半宽）、{lognormal: 几何标准差}、{triangular: {min, max}}（数值为众数）或 {uniform: {min, max}} / Uncertainty: \"±N%\" (normal, N% the half-width of the 95% interval), {lognormal: GSD} (the value is the median), {triangular: {min, max}} (the value is the mode) or {uniform: {min, max}}",
            "anyOf": [
                {"type": "string", "pattern": "^\\s*±"},
                {"type": "object", "properties": {"lognormal": {"type": ["number", "string"]}},
                 "required": ["lognormal"], "additionalProperties": false},
                {"type": "object", "properties": {"triangular": bounds},
                 "required": ["triangular"], "additionalProperties": false},
                {"type": "object", "properties": {"uniform": bounds},
                 "required": ["uniform"], "additionalProperties": false}
            ]
        })
    }
}

/// 保证等级 / The level of assurance the verification gives
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Assurance {
    // 合理保证 / Reasonable assurance
    Reasonable,
    // 有限保证 / Limited assurance
    Limited,
}

impl Assurance {
    /// The level as written in files and outputs: `reasonable` or `limited`.
    pub fn key(self) -> &'static str {
        match self {
            Assurance::Reasonable => "reasonable",
            Assurance::Limited => "limited",
        }
    }
}

/// 取舍原则：可不纳入清单的估计占比 / Cut-off: how much of the footprint excluded items may be estimated at
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cutoff {
    /// 单个过程，如 "1%" / One process, e.g. "1%"
    pub process: String,
    /// 合计，如 "5%" / All excluded together, e.g. "5%"
    pub total: String,
}

/// 日期区间（含首尾）/ A date range, both ends included
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// 开始日期 / From (YYYY-MM-DD)
    pub from: String,
    /// 结束日期 / To (YYYY-MM-DD)
    pub to: String,
}

/// 全球变暖潜值（100 年）/ The IPCC assessment report whose 100-year GWPs turn gases into CO2e
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Gwp {
    // IPCC 第四次评估报告 / IPCC Fourth Assessment Report (2007)
    AR4,
    // IPCC 第五次评估报告 / IPCC Fifth Assessment Report (2013)
    AR5,
    // IPCC 第六次评估报告 / IPCC Sixth Assessment Report (2021)
    AR6,
}

/// 修约规则，只用于显示，计算不修约 / How figures are rounded for display; calculations are exact
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// 四舍五入（half-up）或四舍六入五成双（half-even）/ half-up or half-even
    pub mode: Option<RoundingMode>,
    /// 小数位数，默认 2 / Decimal places, default 2
    pub places: Option<u32>,
}

/// 修约方式 / Rounding mode
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum RoundingMode {
    // 四舍五入 / Half-up: exact halves away from zero
    HalfUp,
    // 四舍六入五成双 / Half-even: exact halves to the even digit
    HalfEven,
}

/// 评价方 / The verification body: its name, team, reviewers and approver
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verifier {
    /// 评价方名称 / Name
    pub name: Text,
    /// 地址 / Address
    pub address: Option<Text>,
    /// 评价方简介（空行分段）/ Profile, paragraphs separated by blank lines
    pub profile: Option<Text>,
    /// 标志图片路径 / Logo image, relative to this file
    pub logo: Option<String>,
    /// 评价组，恰有一名组长 / The team, exactly one lead
    pub team: Vec<TeamMember>,
    /// 技术评审员，独立于评价组 / Technical reviewers, independent of the team
    pub reviewers: Vec<Reviewer>,
    /// 报告批准人（approved 时必填）/ Approver, required when approved
    pub approver: Option<Approver>,
    /// 公章图片路径 / Seal image
    pub seal: Option<String>,
}

/// 评价组成员 / A member of the verification team
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// 姓名 / Name
    pub name: Text,
    /// 职责 / Role
    pub role: Role,
    /// 专业领域 / Field
    pub field: Option<Text>,
    /// 是否现场 / On site
    pub on_site: Option<bool>,
}

/// 评价组职责 / A team member's role
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Role {
    // 组长 / Team leader: exactly one
    Lead,
    // 组员 / Team member
    Member,
}

/// 技术评审员 / A technical reviewer, independent of the team
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    /// 姓名 / Name
    pub name: Text,
    /// 专业领域 / Field
    pub field: Option<Text>,
    /// 是否现场 / On site
    pub on_site: Option<bool>,
}

/// 报告批准人 / Who approves the report
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approver {
    /// 姓名 / Name
    pub name: Text,
    /// 签名图片路径 / Signature image
    pub signature: Option<String>,
}

/// 受评价方 / The client whose products are verified
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// 企业名称 / Name
    pub name: Text,
    /// 统一社会信用代码（校验位按 GB 32100-2015 检查）/ Unified social credit code
    pub credit_code: Option<String>,
    /// 所属行业 / Industry
    pub industry: Option<Industry>,
    /// 地理位置 / Address
    pub address: Option<Text>,
    /// 成立时间 / Founded
    pub founded: Option<String>,
    /// 单位性质 / Legal form
    pub legal_form: Option<Text>,
    /// 受评价方简介 / Profile
    pub profile: Option<Text>,
    /// 能源管理现状 / Energy use
    pub energy: Option<Text>,
    /// 组织机构图路径 / Organisation chart image
    pub org_chart: Option<String>,
    /// 主要用能设备 / Main energy-using equipment
    pub equipment: Option<Vec<Equipment>>,
    /// 生产工艺 / Production processes
    pub processes: Option<Vec<Process>>,
}

/// 所属行业 / The client's industry
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    /// 行业代码 / Industry code
    #[schemars(with = "NumberOrString")]
    pub code: String,
    /// 行业名称 / Industry name
    pub name: Text,
}

/// 主要用能设备 / A piece of energy-using equipment
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Equipment {
    /// 设备名称 / Name
    pub name: Text,
    /// 设备型号，一个字符串或 {zh: …, en: …}（含中文时请给出英文）/ Model: one string, or {zh: …, en: …} when it has Chinese words
    pub model: Option<Text>,
    /// 功率/参数 / Power or rating
    #[schemars(with = "Option<NumberOrString>")]
    pub power: Option<String>,
    /// 台数 / Count
    pub count: Option<u32>,
    /// 备注 / Note
    pub note: Option<Text>,
}

/// 生产工艺 / A production process and its steps
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// 工艺名称 / Name
    pub name: Text,
    /// 工艺步骤 / Steps
    pub steps: Vec<Text>,
    /// 工艺流程图路径 / Flow chart image
    pub flowchart: Option<String>,
}

/// 系统边界 / The system boundary: its type and what it includes and excludes
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    #[serde(rename = "type")]
    /// 边界类型，默认 cradle-to-gate / Boundary type, default cradle-to-gate
    pub kind: Option<BoundaryKind>,
    /// 部分生命周期包含的阶段（仅 partial，按生命周期顺序）/ The stages of a `partial` boundary, in life-cycle order; only for `partial`
    #[serde(default)]
    #[schemars(schema_with = "stage_keys")]
    pub stages: Option<Vec<String>>,
    /// 包含的排放过程 / Included
    pub included: Option<Vec<Text>>,
    /// 未包含的排放过程 / Excluded
    pub excluded: Option<Vec<Excluded>>,
}

/// 边界类型 / Which life cycle is verified; it sets the stages
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum BoundaryKind {
    // 从摇篮到大门：原材料获取、运输、生产 / Cradle to gate: raw materials, their transport, production
    CradleToGate,
    // 从摇篮到坟墓：另加分销、使用、生命末期处置 / Cradle to grave: also distribution, use and end of life
    CradleToGrave,
    // 从大门到大门：仅生产 / Gate to gate: production only
    GateToGate,
    // 部分生命周期：`stages` 列出的阶段 / Partial: the stages listed under `stages`
    Partial,
}

/// 未包含的排放过程 / A process left out of the inventory
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    /// 排放过程 / What is excluded
    pub item: Text,
    /// 估计占比，用于取舍检查 / Estimated share, for the cut-off checks
    pub share: Option<String>,
}

/// 排放因子 / An emission factor, named by its id under `factors`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// 因子名称 / Name
    pub name: Option<Text>,
    /// 数值与单位，如 "0.129 kgCO2e/tkm" / Value and unit
    pub value: String,
    /// 数据来源 / Source (citation)
    pub source: Text,
    /// 因子类别，决定数据质量评分 / Category, sets the data-quality score
    pub category: Category,
    /// 数据库条目编号 / Entry id in its database
    #[schemars(with = "Option<NumberOrString>")]
    pub reference: Option<String>,
    /// 数据年份 / Data year
    pub year: Option<u16>,
    /// 说明 / Note
    pub note: Option<Text>,
    /// 评价结论 / The team's conclusion on the factor
    pub evaluation: Option<Text>,
    /// 排放来源拆分（化石、生物源、土地利用变化），单位同因子，须恰好合计为数值 / The split by origin (fossil, biogenic, land-use change), in the factor's unit; must add up exactly to the value
    pub parts: Option<Parts>,
    /// 生物源 CO2 清除量（每单位活动，正数，单位同因子），如 "1.6 kgCO2e/kg" / Biogenic CO2 uptake per unit of activity, a positive number in the factor's unit
    pub removal: Option<String>,
    /// 因子数值的不确定性，如 "±5%" / The uncertainty of the value, e.g. "±5%"
    pub uncertainty: Option<Spread>,
}

/// 因子的排放来源拆分；未写的部分为 0 / A factor's emissions by origin; a part not written is 0
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parts {
    /// 化石源排放，如 "0.30 kgCO2e/kg" / Fossil emissions
    pub fossil: Option<String>,
    /// 生物源排放 / Biogenic emissions
    pub biogenic: Option<String>,
    /// 直接土地利用变化排放 / Direct land-use change (dLUC) emissions
    pub dluc: Option<String>,
}

/// 因子类别，决定因子评分（6 至 1）/ Where a factor comes from; sets its data-quality score (6 to 1)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Category {
    // 量测/质量平衡所得，6 分 / Measured or mass balance: 6
    Measured,
    // 同制程/设备经验因子，5 分 / Same process or equipment: 5
    SameProcess,
    // 制造厂提供，4 分 / Provided by the manufacturer: 4
    Manufacturer,
    // 区域排放因子，3 分 / Regional: 3
    Regional,
    // 国内排放因子，2 分 / National: 2
    National,
    // 国际排放因子，1 分 / International: 1
    International,
}

/// 产品及其清单数据 / A product, its output and its inventory
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// 产品编号（唯一）/ Product id, unique
    #[schemars(with = "NumberOrString")]
    pub id: String,
    /// 产品名称 / Name
    pub name: Text,
    /// 品牌 / Brand
    pub brand: Option<Text>,
    /// 型号 / Model
    #[schemars(with = "Option<NumberOrString>")]
    pub model: Option<String>,
    /// 规格 / Specification
    #[schemars(with = "Option<NumberOrString>")]
    pub specification: Option<String>,
    /// 功能单位 / Functional unit
    pub functional_unit: Text,
    /// 单位产品质量（不含包装），如 "25 kg"，用于 PACT 导出 / Mass of one unit without packaging, for PACT exports
    pub mass: Option<String>,
    /// 单位产品的化石碳含量（碳的质量），如 "0.35 kg"，用于 PACT 导出 / Fossil carbon in one unit (mass of carbon), for PACT exports
    pub fossil_carbon: Option<String>,
    /// 核算期产量（> 0）/ Output in the period (> 0)
    #[schemars(with = "NumberOrString")]
    pub output: String,
    /// 原材料获取：数量 × 因子 / Materials: quantity x factor
    pub materials: Option<Vec<MaterialLine>>,
    /// 原材料运输：重量 × 距离 × 因子 / Transport: mass x distance x factor
    pub transport: Option<Vec<TransportLine>>,
    /// 生产能耗：数量 × 因子 / Energy: quantity x factor
    pub energy: Option<Vec<EnergyLine>>,
    /// 过程排放：气体量 × GWP / Process: gas x GWP
    pub process: Option<Vec<ProcessLine>>,
    /// 产品分销（从摇篮到坟墓）：重量 × 距离 × 因子 / Distribution (cradle to grave): mass x distance x factor
    pub distribution: Option<Vec<TransportLine>>,
    /// 产品使用（从摇篮到坟墓）：数量 × 因子，或气体量 × GWP / Use (cradle to grave): quantity x factor, or gas x GWP
    #[serde(rename = "use")]
    pub use_: Option<Vec<StageLine>>,
    /// 生命末期处置（从摇篮到坟墓）：数量 × 因子，或气体量 × GWP / End of life (cradle to grave): quantity x factor, or gas x GWP
    pub end_of_life: Option<Vec<StageLine>>,
    /// 受评价方声明值 / The client's claimed figures
    pub claimed: Option<Claimed>,
}

/// 原材料清单记录 / A raw material consumed: quantity x factor
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialLine {
    /// 原材料 / Material
    pub name: Text,
    /// 消耗量，如 "3 t" / Quantity, e.g. "3 t"
    pub quantity: String,
    /// 排放因子编号 / Factor id
    pub factor: String,
    /// 数量基准：period（核算期总量，默认）或 unit（单位产品，乘以产量）/ Basis: period (the whole output, default) or unit (one functional unit, multiplied by `output`)
    pub basis: Option<Basis>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分（覆盖默认）/ The verifier's own scores
    pub scores: Option<Scores>,
}

/// 运输清单记录 / A delivery of raw material: mass x distance x factor
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransportLine {
    /// 原材料（与 `name` 二选一）/ Material transported (or `name`)
    pub material: Option<Text>,
    /// 运输的物品（与 `material` 二选一，如分销的产品）/ What is carried (or `material`), e.g. the product distributed
    pub name: Option<Text>,
    /// 供应商 / Supplier
    pub supplier: Option<Text>,
    /// 运输方式，默认 road / Mode, default road
    pub mode: Option<TransportMode>,
    /// 运输距离，如 "561 km" / Distance
    pub distance: String,
    /// 运输量，如 "65 t" / Mass
    pub mass: String,
    /// 购入数量（仅供展示），如 "13000 只" / Count, informational
    pub count: Option<String>,
    /// 排放因子编号（每 tkm）/ Factor id, per tkm
    pub factor: String,
    /// 数量基准：period（核算期总量，默认）或 unit（单位产品，乘以产量）/ Basis: period (the whole output, default) or unit (one functional unit, multiplied by `output`)
    pub basis: Option<Basis>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分 / The verifier's own scores
    pub scores: Option<Scores>,
}

/// 运输方式 / How goods travel
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum TransportMode {
    // 汽运 / Road
    Road,
    // 铁运 / Rail
    Rail,
    // 海运 / Sea
    Sea,
    // 内河运输 / Inland waterway
    InlandWaterway,
    // 空运 / Air
    Air,
}

/// 能源消耗清单记录 / Energy consumed in production: quantity x factor
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnergyLine {
    /// 能源品种 / Energy carrier
    pub name: Text,
    /// 消耗量，如 "11483.98 kWh" / Quantity
    pub quantity: String,
    /// 排放因子编号 / Factor id
    pub factor: String,
    /// 数量基准：period（核算期总量，默认）或 unit（单位产品，乘以产量）/ Basis: period (the whole output, default) or unit (one functional unit, multiplied by `output`)
    pub basis: Option<Basis>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分 / The verifier's own scores
    pub scores: Option<Scores>,
}

/// 过程排放清单记录 / Direct emissions of a gas in production: quantity x GWP
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessLine {
    /// 排放源 / Source
    pub name: Text,
    /// 气体排放量，如 "0.2 kgSF6" / Gas emitted
    pub quantity: String,
    /// 来源，默认 fossil；biogenic 时 AR6 的 CH4 取非化石值 27.0 / Origin, default fossil; biogenic takes AR6's non-fossil CH4 value 27.0
    pub origin: Option<GasOrigin>,
    /// 数量基准：period（核算期总量，默认）或 unit（单位产品，乘以产量）/ Basis: period (the whole output, default) or unit (one functional unit, multiplied by `output`)
    pub basis: Option<Basis>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分 / The verifier's own scores
    pub scores: Option<Scores>,
}

/// 过程排放气体的来源 / Where a gas emitted in production comes from
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum GasOrigin {
    // 化石源 / Fossil
    Fossil,
    // 生物源 / Biogenic
    Biogenic,
}

/// 使用或生命末期清单记录：有 `factor` 时为数量 × 因子，否则为气体量 × GWP / A use or end-of-life line: quantity x factor, or, without `factor`, a gas emitted x GWP
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageLine {
    /// 名称 / Name
    pub name: Text,
    /// 数量，如 "12 kWh"，或气体量，如 "0.2 kgSF6" / Quantity, e.g. "12 kWh", or gas emitted, e.g. "0.2 kgSF6"
    pub quantity: String,
    /// 排放因子编号（气体排放不填）/ Factor id; none for a gas emitted
    pub factor: Option<String>,
    /// 气体来源，默认 fossil；biogenic 时 AR6 的 CH4 取非化石值 27.0（仅对气体排放）/ Origin of a gas emitted, default fossil; biogenic takes AR6's non-fossil CH4 value 27.0
    pub origin: Option<GasOrigin>,
    /// 数量基准：period（核算期总量，默认）或 unit（单位产品，乘以产量）/ Basis: period (the whole output, default) or unit (one functional unit, multiplied by `output`)
    pub basis: Option<Basis>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分 / The verifier's own scores
    pub scores: Option<Scores>,
}

/// 数量基准 / What a line's quantity is for
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Basis {
    // 核算期总量（默认）/ The whole period's output (default)
    #[default]
    Period,
    // 单位产品，乘以产量 / One functional unit, multiplied by `output`
    Unit,
}

/// 全厂清单记录：整个场地的数据，分配到各产品 / A site-level inventory item, allocated to products
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    /// 名称 / Name
    pub name: Text,
    /// 所属阶段，默认 production / Stage, default production
    pub stage: Option<String>,
    /// 全厂消耗量或气体排放量，如 "11840.44 kWh" / Site quantity (activity or gas)
    pub quantity: Option<String>,
    /// 运输量（货运记录），如 "65 t" / Mass carried (a freight item)
    pub mass: Option<String>,
    /// 运输距离（货运记录），如 "561 km" / Distance (a freight item)
    pub distance: Option<String>,
    /// 运输方式（货运记录），默认 road / Mode of a freight item, default road
    pub mode: Option<TransportMode>,
    /// 供应商（货运记录）/ Supplier of a freight item
    pub supplier: Option<Text>,
    /// 数量（货运记录，仅打印），如 "13000 只" / Items carried (a freight item; printed only)
    pub count: Option<String>,
    /// 气体来源（气体排放），默认 fossil / Origin of a gas item, default fossil
    pub origin: Option<GasOrigin>,
    /// 排放因子编号（气体排放不需要）/ Factor id (none for a gas)
    pub factor: Option<String>,
    /// 活动水平数据的不确定性，如 "±5%" / The uncertainty of the activity data, e.g. "±5%"
    pub uncertainty: Option<Spread>,
    /// 数据获取方式 / How the figure was obtained
    pub data: Option<Data>,
    /// 评价组评分 / The verifier's own scores
    pub scores: Option<Scores>,
    /// 分配方法 / How the item is allocated
    pub allocation: Allocation,
    /// 分摊到的产品编号，默认全部产品 / The products it is allocated to; default every product
    pub products: Option<Vec<String>>,
}

/// 分配方法 / How a site-level item is allocated to products
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// 分配依据 / The basis
    pub by: AllocationBasis,
    /// 各产品的经济价值（by: value），如 {smart-unit: 1200000} / Each product's value, for `by: value`
    #[schemars(with = "Option<std::collections::BTreeMap<String, NumberOrString>>")]
    pub values: Option<Keyed<String>>,
    /// 各产品的分配比例（by: share），合计 100% / Each product's share, for `by: share`; they add up to 100%
    pub shares: Option<Keyed<String>>,
}

/// 分配依据 / The allocation basis
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum AllocationBasis {
    // 按产量 / In proportion to output
    Output,
    // 按质量（产量 × 单位质量）/ In proportion to output x mass
    Mass,
    // 按经济价值 / In proportion to the values given
    Value,
    // 按给定比例 / The shares given
    Share,
}

impl AllocationBasis {
    /// The key used in files and JSON.
    pub fn key(self) -> &'static str {
        match self {
            AllocationBasis::Output => "output",
            AllocationBasis::Mass => "mass",
            AllocationBasis::Value => "value",
            AllocationBasis::Share => "share",
        }
    }
}

/// How an activity figure was obtained; feeds the data-quality score.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// 活动水平数据：continuous 6, periodic 3, estimated 1 / Activity data score
    pub activity: ActivityMethod,
    /// 仪表校正：compliant 6, accepted 3, none 1 / Calibration score
    pub calibration: Calibration,
}

/// 活动水平数据获取方式 / How an activity figure was obtained
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum ActivityMethod {
    // 连续监测，6 分 / Continuous monitoring: 6
    Continuous,
    // 定期记录，3 分 / Periodic records: 3
    Periodic,
    // 估算，1 分 / Estimated: 1
    Estimated,
}

/// 仪表校正情况 / The state of the meters' calibration
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum Calibration {
    // 按要求检定/校准，6 分 / Calibrated as required: 6
    Compliant,
    // 校准情况可接受，3 分 / Accepted: 3
    Accepted,
    // 未校准，1 分 / Not calibrated: 1
    None,
}

/// The verifier's own scores, overriding those implied by `data` and the factor.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// 活动水平数据评分 1-6 / Activity score
    pub activity: Option<u8>,
    /// 排放因子评分 1-6 / Factor score
    pub factor: Option<u8>,
    /// 仪表校正评分 1-6 / Calibration score
    pub calibration: Option<u8>,
}

/// 受评价方声明值，与核算值比对 / The client's claimed figures, reconciled with the computed ones
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claimed {
    /// 核算期总量，如 "73867.89 kgCO2e" / Period total
    pub total: Option<String>,
    /// 单位产品碳足迹，如 "11.05 kgCO2e" / Per functional unit
    pub per_unit: Option<String>,
}

/// How the team judged each kind of activity data (printed as evaluation tables).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataEvaluation {
    /// 产量 / Output
    pub output: Option<Evaluation>,
    /// 原材料 / Materials
    pub materials: Option<Evaluation>,
    /// 运输 / Transport
    pub transport: Option<Evaluation>,
    /// 生产 / Production
    pub production: Option<Evaluation>,
}

/// 一类活动水平数据的评价 / How one kind of activity data was judged
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// 数据来源及交叉核对 / Source and cross-check
    pub source: Option<Text>,
    /// 监测方法 / Monitoring method
    pub method: Option<Text>,
    /// 监测频次 / Monitoring frequency
    pub frequency: Option<Text>,
    /// 记录频次 / Recording frequency
    pub recording: Option<Text>,
    /// 数据缺失处理 / Missing data
    pub missing: Option<Text>,
    /// 评价结论 / Conclusion
    pub conclusion: Option<Text>,
}

/// 改善措施 / An improvement measure
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Improvement {
    /// 措施 / Measure
    pub title: Text,
    /// 说明 / Text
    pub text: Text,
}

/// 附件 / An attachment listed in the report
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// 附件名称 / Title
    pub title: Text,
    /// 文件路径 / File
    pub file: Option<String>,
}

/// 评价结论与问题清单（ISO 14064-3）/ The verification: the opinion the body signs and the team's findings register
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// 评价意见，缺省时按问题清单推定 / The opinion; when absent, derived from the register: unmodified unless an open misstatement or nonconformity is material
    pub opinion: Option<OpinionType>,
    /// 意见的依据（无保留意见以外必填）/ The basis for the opinion, required unless unmodified
    pub basis: Option<Text>,
    /// 预期使用者 / Who may rely on the statement
    pub intended_users: Option<Text>,
    /// 问题清单 / The team's findings register
    pub findings: Option<Vec<RegisterEntry>>,
}

/// 评价意见类型 / The kind of opinion
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum OpinionType {
    // 无保留意见 / Unmodified: fairly stated in all material respects
    Unmodified,
    // 保留意见 / Modified: fairly stated except for the matters in the basis
    Modified,
    // 否定意见 / Adverse: not fairly stated
    Adverse,
    // 无法表示意见 / Disclaimer: no opinion expressed
    Disclaimer,
}

impl OpinionType {
    /// The opinion as written in files and outputs: `unmodified`, `modified`, …
    pub fn key(self) -> &'static str {
        match self {
            OpinionType::Unmodified => "unmodified",
            OpinionType::Modified => "modified",
            OpinionType::Adverse => "adverse",
            OpinionType::Disclaimer => "disclaimer",
        }
    }
}

/// 问题清单条目 / One entry of the findings register: what the team raised, the client's answer, the team's conclusion
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterEntry {
    /// 编号（唯一；字母、数字、-），如 CAR-01 / Id, unique: letters, digits and `-`, e.g. CAR-01
    #[schemars(with = "NumberOrString")]
    pub id: String,
    /// 问题类型 / Type
    #[serde(rename = "type")]
    pub kind: EntryType,
    /// 对应的检查项（可选）/ The check it answers, optional
    pub about: Option<About>,
    /// 提出的问题 / What the team found or asked
    pub raised: Text,
    /// 提出日期 YYYY-MM-DD（可选）/ When it was raised, optional
    pub date: Option<String>,
    /// 受评价方的答复（可选）/ The client's answer, optional
    pub response: Option<Text>,
    /// 状态 / Status
    pub status: EntryStatus,
    /// 评价组结论（关闭时必填）/ The team's conclusion, required when closed
    pub conclusion: Option<Text>,
    /// 是否实质性（缺省：回应影响意见的检查项的错报或不符合为实质性）/ Material; by default a misstatement or nonconformity answering a check that affects the opinion is material, any other entry is not
    pub material: Option<bool>,
}

/// 问题类型 / What kind of finding a register entry records
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum EntryType {
    // 错报：数据或计算有误 / Misstatement: a figure or calculation is wrong
    Misstatement,
    // 不符合：未满足评价准则 / Nonconformity: a requirement of the criteria is not met
    Nonconformity,
    // 澄清：需要受评价方说明 / Clarification: the client was asked to explain
    Clarification,
    // 观察项：不影响意见的提示 / Observation: a remark that does not affect the opinion
    Observation,
}

/// 问题状态 / Whether a register entry is still open
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Values are described with `//`: a `///` on a value turns the JSON Schema's flat `enum`
// into a `oneOf`, which editors report less clearly.
#[allow(missing_docs)]
pub enum EntryStatus {
    // 未关闭 / Open
    Open,
    // 已关闭，须有结论 / Closed: needs a conclusion
    Closed,
}

/// 对应的检查项 / The check a register entry answers
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct About {
    /// 检查项代码，如 material-misstatement / The finding code, e.g. material-misstatement
    #[schemars(schema_with = "check_codes")]
    pub check: String,
    /// 产品编号（检查项涉及单个产品时）/ The product id, when the check concerns one product
    #[schemars(with = "Option<NumberOrString>")]
    pub product: Option<String>,
}

/// The finding codes a register entry may answer, as an enum for editors.
fn check_codes(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": crate::checks::CODES})
}

/// The stage keys a `partial` boundary may list, as an enum for editors.
fn stage_keys(_: &mut SchemaGenerator) -> Schema {
    let keys: Vec<&str> = crate::engagement::Stage::REGISTRY
        .iter()
        .map(|s| s.key)
        .collect();
    json_schema!({"type": "array", "items": {"type": "string", "enum": keys}})
}

/// Makes the generated JSON Schema accept what `check` reads, and refuse cheaply what it
/// refuses, as a standard YAML parser gives it: a whole number may be written quoted
/// (`revision: "2"`), a text as a number (`name: 2024`); scores run from 1 to 6, decimal
/// places from 0 to 10, revisions from 1; the lists `check` needs filled are not empty and
/// languages are listed once.
pub fn as_check_reads(schema: &mut serde_json::Value) {
    use serde_json::{Value, json};
    /// The JSON types a schema names.
    fn types(s: &serde_json::Map<String, Value>) -> Vec<String> {
        match s.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
    /// A whole number from `min` to `max`, written as a number or quoted.
    fn whole(min: u64, max: Option<u64>, nullable: bool, description: Option<Value>) -> Value {
        let pattern = match (min, max) {
            (1, Some(6)) => "^[1-6]$",
            (0, Some(10)) => "^([0-9]|10)$",
            (1, None) => "^0*[1-9][0-9]*$",
            _ => "^[0-9]+$",
        };
        let mut number = json!({"type": "integer", "minimum": min});
        if let Some(max) = max {
            number["maximum"] = json!(max);
        }
        let mut any = vec![number, json!({"type": "string", "pattern": pattern})];
        if nullable {
            any.push(json!({"type": "null"}));
        }
        let mut s = json!({ "anyOf": any });
        if let Some(d) = description {
            s["description"] = d;
        }
        s
    }
    fn walk(node: &mut Value, key: Option<&str>) {
        match node {
            Value::Array(items) => items.iter_mut().for_each(|n| walk(n, None)),
            Value::Object(s) => {
                let ts = types(s);
                let nullable = ts.iter().any(|t| t == "null");
                if ts.iter().any(|t| t == "integer") {
                    let (min, max) = match key {
                        Some("activity" | "factor" | "calibration") => (1, Some(6)),
                        Some("places") => (0, Some(10)),
                        Some("revision") => (1, None),
                        _ => (0, None),
                    };
                    *node = whole(min, max, nullable, s.get("description").cloned());
                    return;
                }
                if ts.iter().any(|t| t == "string")
                    && !s.contains_key("enum")
                    && !s.contains_key("const")
                    && !s.contains_key("pattern")
                {
                    let mut t = vec![json!("string"), json!("number")];
                    if nullable {
                        t.push(json!("null"));
                    }
                    s.insert("type".into(), Value::Array(t));
                }
                if ts.iter().any(|t| t == "array") {
                    if let Some("criteria" | "team" | "reviewers" | "languages" | "products") = key
                    {
                        s.insert("minItems".into(), json!(1));
                    }
                    if key == Some("languages") {
                        s.insert("uniqueItems".into(), json!(true));
                    }
                }
                for (k, v) in s.iter_mut() {
                    match k.as_str() {
                        // Property names: each value is the schema of that key.
                        "properties" | "$defs" | "patternProperties" => {
                            if let Value::Object(props) = v {
                                for (name, p) in props.iter_mut() {
                                    walk(p, Some(name));
                                }
                            }
                        }
                        _ => walk(v, None),
                    }
                }
            }
            _ => {}
        }
    }
    walk(schema, None);
}

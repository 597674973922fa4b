//! Verification findings: what the verifier must look at, in both languages.
//!
//! Findings do not make a file invalid; `check` prints them and the report lists them.
//! Each has a stable code that tools and templates may rely on.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use crate::units::exact::Exact;

use crate::calc::{Figure, ProductResult, Results};
use crate::diag::Path;
use crate::engagement::*;
use crate::units::rounding::Rounding;

/// A factor older than this many years before the period start is flagged.
const OLD_FACTOR_YEARS: i32 = 10;

/// One finding, with a message in each language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable, kebab-case: `material-misstatement`, `cutoff-process`, …
    pub code: &'static str,
    /// The value it concerns, when it concerns one.
    pub path: Option<Path>,
    pub message: Bi,
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
];

/// All findings for a validated engagement and its results, in a fixed order.
pub fn findings(e: &Engagement, r: &Results) -> Vec<Finding> {
    let mut out = Vec::new();
    let fmt = e.scope.rounding;
    for (p, pr) in e.products.iter().zip(&r.products) {
        misstatements(e, p, pr, &mut out);
        empty_stages(p, &e.boundary.stages, &mut out);
        untraced_materials(p, &mut out);
        rounding_sums(p, pr, fmt, &mut out);
        score_overrides(e, p, &mut out);
    }
    factors(e, &mut out);
    cutoff(e, &mut out);
    dates(e, &mut out);
    out
}

fn finding(code: &'static str, path: Option<&Path>, zh: String, en: String) -> Finding {
    Finding {
        code,
        path: path.cloned(),
        message: Bi { zh, en },
    }
}

/// A fraction as a percentage without trailing zeros: 0.05 -> "5".
fn pct(fraction: Decimal) -> String {
    (fraction * Decimal::ONE_HUNDRED).normalize().to_string()
}

fn misstatements(e: &Engagement, p: &Product, pr: &ProductResult, out: &mut Vec<Finding>) {
    let fmt = e.scope.rounding;
    for rec in pr.reconciliation.iter().filter(|r| r.material) {
        let (what_zh, what_en, unit_zh, unit_en) = match rec.figure {
            Figure::Total => (
                "产品碳足迹总量".to_owned(),
                "period total".to_owned(),
                "kgCO2e".to_owned(),
                "kgCO2e".to_owned(),
            ),
            Figure::PerUnit => (
                "单位产品碳足迹".to_owned(),
                "footprint per unit".to_owned(),
                format!("kgCO2e/{}", p.functional_unit.zh),
                format!("kgCO2e per {}", p.functional_unit.en),
            ),
        };
        let claimed = fmt.format(&rec.claimed);
        let computed = fmt.format(&rec.computed);
        let m = pct(e.scope.materiality);
        let (zh, en) = match &rec.difference_pct {
            Some(d) => {
                let d = fmt.format(d);
                (
                    format!(
                        "{}：声明的{what_zh} {claimed} {unit_zh} 与核查值 {computed} {unit_zh} 相差 {d}%，超过实质性门槛 {m}%，存在实质性偏差。",
                        p.name.zh
                    ),
                    format!(
                        "{}: the claimed {what_en} of {claimed} {unit_en} differs from the verified {computed} {unit_en} by {d}%, beyond the materiality threshold of {m}%: a material misstatement.",
                        p.name.en
                    ),
                )
            }
            None => (
                format!(
                    "{}：声明的{what_zh}为 {claimed} {unit_zh}，但核查值为零，存在实质性偏差。",
                    p.name.zh
                ),
                format!(
                    "{}: the claimed {what_en} is {claimed} {unit_en}, but the verified figure is zero: a material misstatement.",
                    p.name.en
                ),
            ),
        };
        out.push(finding("material-misstatement", Some(&rec.path), zh, en));
    }
}

fn empty_stages(p: &Product, stages: &[Stage], out: &mut Vec<Finding>) {
    for &stage in stages {
        if p.lines_of(stage).next().is_none() {
            let name = stage.name();
            out.push(finding(
                "empty-stage",
                Some(&p.path.key(stage.inventory_key())),
                format!("{}：{}阶段没有清单数据，按 0.00 计。", p.name.zh, name.zh),
                format!(
                    "{}: the stage “{}” has no inventory line and counts as 0.00.",
                    p.name.en, name.en
                ),
            ));
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
    let zh: Vec<&str> = untraced.iter().map(|(n, _)| n.zh.as_str()).collect();
    let en: Vec<&str> = untraced.iter().map(|(n, _)| n.en.as_str()).collect();
    out.push(finding(
        "transport-without-acquisition",
        Some(first),
        format!(
            "{}：运输的原材料{}在原材料获取阶段没有对应的清单数据，其获取阶段排放未予量化。",
            p.name.zh,
            zh.join("、")
        ),
        format!(
            "{}: {} {} transported but {} no line in the materials stage: {} acquisition emissions are not quantified.",
            p.name.en,
            en.join(", "),
            if en.len() == 1 { "is" } else { "are" },
            if en.len() == 1 { "has" } else { "have" },
            if en.len() == 1 { "its" } else { "their" },
        ),
    ));
}

fn rounding_sums(p: &Product, pr: &ProductResult, fmt: Rounding, out: &mut Vec<Finding>) {
    let hundred = Exact::from(100u32);
    let tables = [
        (
            "各阶段排放量",
            "stage totals",
            pr.stages.clone(),
            pr.total.clone(),
        ),
        (
            "各阶段单位产品碳足迹",
            "per-unit figures",
            pr.per_unit.clone(),
            pr.per_unit_total.clone(),
        ),
        (
            "各阶段占比",
            "shares (%)",
            pr.shares.clone().map(|s| s * &hundred),
            if pr.total.is_zero() {
                Exact::zero()
            } else {
                hundred.clone()
            },
        ),
    ];
    for (zh, en, parts, total) in tables {
        let sum: Exact = parts.values().map(|v| fmt.round(v)).sum();
        let total = fmt.round(total);
        let (sum, total) = (fmt.format(sum), fmt.format(total));
        if sum != total {
            out.push(finding(
                "rounding-sum",
                Some(&p.path),
                format!(
                    "{}：{zh}修约后之和为 {sum}，修约后的合计为 {total}；数值因修约可能不能完全相加。",
                    p.name.zh
                ),
                format!(
                    "{}: the rounded {en} add up to {sum}, the rounded total is {total}; figures may not add up because of rounding.",
                    p.name.en
                ),
            ));
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
        let (kind_zh, kind_en, key) = match kind {
            ScoreKind::Activity => ("活动水平数据", "activity data", "activity"),
            ScoreKind::Factor => ("排放因子", "emission factor", "factor"),
            ScoreKind::Calibration => ("仪表校正", "calibration", "calibration"),
        };
        let (why_zh, why_en) = match (kind, factor.map(|f| &e.factors[f])) {
            (ScoreKind::Factor, Some(f)) => (
                format!(
                    "排放因子 {} 的类别“{}”对应 {implied} 分",
                    f.id,
                    category_zh(f.category)
                ),
                format!(
                    "the category “{}” of factor `{}` implies {implied}",
                    category_en(f.category),
                    f.id
                ),
            ),
            (ScoreKind::Factor, None) => (
                format!("过程排放采用 IPCC 全球变暖潜值（国际因子），对应 {implied} 分"),
                format!(
                    "a process line uses the IPCC GWP, an international factor, which implies {implied}"
                ),
            ),
            _ => (
                format!("所填写的数据获取方式对应 {implied} 分"),
                format!("its `data` implies {implied}"),
            ),
        };
        let stage_name = stage.name();
        out.push(finding(
            "score-override",
            Some(&path.key("scores").key(key)),
            format!(
                "{}：{}阶段 {count} 条记录的{kind_zh}评分为 {given}，而{why_zh}。",
                p.name.zh, stage_name.zh
            ),
            format!(
                "{}: {count} {} of the stage “{}” {} the {kind_en} score {given}, but {why_en}.",
                p.name.en,
                if count == 1 { "line" } else { "lines" },
                stage_name.en,
                if count == 1 { "gives" } else { "give" },
            ),
        ));
    }
}

/// The seed's names of the factor categories (排放因子类别).
pub fn category_zh(c: Category) -> &'static str {
    match c {
        Category::Measured => "量测/质量平衡所得因子",
        Category::SameProcess => "同制程/设备经验因子",
        Category::Manufacturer => "制造厂提供因子",
        Category::Regional => "区域排放因子",
        Category::National => "国内排放因子",
        Category::International => "国际排放因子",
    }
}

/// The English names of the factor categories.
pub fn category_en(c: Category) -> &'static str {
    match c {
        Category::Measured => "measured or mass balance",
        Category::SameProcess => "same process or equipment",
        Category::Manufacturer => "manufacturer",
        Category::Regional => "regional",
        Category::National => "national",
        Category::International => "international",
    }
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
            out.push(finding(
                "unused-factor",
                Some(&f.path),
                format!("排放因子 {} 未被任何清单数据使用。", f.id),
                format!("Factor `{}` is not used by any inventory line.", f.id),
            ));
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
            out.push(finding(
                "old-factor",
                Some(&f.path.key("year")),
                format!(
                    "排放因子 {} 的数据年份为 {year} 年，早于核查期 {age} 年，宜采用更新的因子。",
                    f.id
                ),
                format!(
                    "Factor `{}` dates from {year}, {age} years before the period: a more recent factor is preferable.",
                    f.id
                ),
            ));
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
            out.push(finding(
                "cutoff-process",
                Some(&x.path.key("share")),
                format!(
                    "未包含的排放过程“{}”估计占 {}%，超过单个过程的取舍门槛 {}%。",
                    x.item.zh,
                    pct(*share),
                    pct(s.cutoff_process)
                ),
                format!(
                    "The excluded “{}” is estimated at {}% of the footprint, above the cut-off of {}% for one process.",
                    x.item.en,
                    pct(*share),
                    pct(s.cutoff_process)
                ),
            ));
        }
    }
    let excluded: Decimal = estimated.iter().map(|(_, s)| *s).sum();
    let path = Path::root().key("boundary").key("excluded");
    if excluded > s.cutoff_total {
        out.push(finding(
            "cutoff-total",
            Some(&path),
            format!(
                "未包含的排放过程合计估计占 {}%，超过总取舍门槛 {}%。",
                pct(excluded),
                pct(s.cutoff_total)
            ),
            format!(
                "The excluded items together are estimated at {}% of the footprint, above the total cut-off of {}%.",
                pct(excluded),
                pct(s.cutoff_total)
            ),
        ));
    }
    let covered = Decimal::ONE - excluded;
    if covered < s.coverage {
        out.push(finding(
            "coverage",
            Some(&Path::root().key("engagement").key("coverage")),
            format!(
                "量化清单覆盖的排放估计为 {}%，低于要求的 {}%。",
                pct(covered),
                pct(s.coverage)
            ),
            format!(
                "The quantified inventory is estimated to cover {}% of the emissions, below the required {}%.",
                pct(covered),
                pct(s.coverage)
            ),
        ));
    }
}

fn dates(e: &Engagement, out: &mut Vec<Finding>) {
    let s = &e.scope;
    let issued = e.report.issued;
    let visit = Path::root().key("engagement").key("site_visit");
    if s.site_visit.from <= s.period.to {
        out.push(finding(
            "site-visit-order",
            Some(&visit.key("from")),
            format!(
                "现场评价开始于 {}，早于核查期结束 {}。",
                s.site_visit.from, s.period.to
            ),
            format!(
                "The site visit starts on {}, before the period ends on {}.",
                s.site_visit.from, s.period.to
            ),
        ));
    }
    if s.site_visit.to > issued {
        out.push(finding(
            "site-visit-order",
            Some(&visit.key("to")),
            format!(
                "现场评价结束于 {}，晚于报告签发日期 {issued}。",
                s.site_visit.to
            ),
            format!(
                "The site visit ends on {}, after the report's issue date {issued}.",
                s.site_visit.to
            ),
        ));
    }
    if let Some(review) = s.document_review
        && review.to > issued
    {
        out.push(finding(
            "document-review-order",
            Some(
                &Path::root()
                    .key("engagement")
                    .key("document_review")
                    .key("to"),
            ),
            format!("文件评审结束于 {}，晚于报告签发日期 {issued}。", review.to),
            format!(
                "The document review ends on {}, after the report's issue date {issued}.",
                review.to
            ),
        ));
    }
}

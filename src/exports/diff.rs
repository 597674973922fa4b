//! `diff`: what changed between two revisions of an engagement, figure by figure.

use crate::engagement::Language;
use crate::units::exact::Exact;
use serde::Serialize;

use crate::Verified;
use crate::engagement::{Activity, Line, Stage};
use crate::units::rounding::Rounding;

/// A figure of a product in both revisions.
#[derive(Debug, Clone, Serialize)]
pub struct FigureChange {
    /// The product's id (products are matched across revisions by id).
    pub product: String,
    /// A stage key (`materials`, `transport`, …), `total` or `per_unit`.
    pub figure: &'static str,
    /// The figure in the old revision, kgCO2e (per functional unit for `per_unit`), rounded
    /// as the new revision says; `None` when the old revision lacks it.
    pub old: Option<String>,
    /// The figure in the new revision, kgCO2e (per functional unit for `per_unit`), rounded
    /// as configured; `None` when the new revision lacks it.
    pub new: Option<String>,
    /// `new - old`, when both exist.
    pub change: Option<String>,
}

/// An inventory line that was added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct LineChange {
    /// The product's id.
    pub product: String,
    /// The stage key (`materials`, `transport`, …).
    pub stage: &'static str,
    /// The line's Chinese name, with its supplier in brackets for a transport line: what
    /// lines are matched by.
    pub line: String,
    /// Activity, factor and emissions (kgCO2e) before and after.
    pub old: Option<String>,
    /// The same after; `None` when the line was removed.
    pub new: Option<String>,
}

/// A product's Monte Carlo result in one revision: its interval, mean and Approach 1
/// cross-check, figures rounded as the new revision says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// The interval's confidence level (`95%`).
    pub confidence: String,
    /// The number of iterations.
    pub iterations: u32,
    /// The interval's lower end, kgCO2e.
    pub low: String,
    /// Its upper end, kgCO2e.
    pub high: String,
    /// The mean of the iterations, kgCO2e.
    pub mean: String,
    /// IPCC Approach 1: the half-width of the 95% interval in percent of the total; `None`
    /// when the total is zero.
    pub approach1_pct: Option<String>,
}

/// How a product's Monte Carlo result changed between the revisions.
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyChange {
    /// The product's id.
    pub product: String,
    /// `changed` (both revisions have a result), `added` (only the new one) or `removed`
    /// (only the old one).
    pub status: &'static str,
    /// The old revision's result; `None` when it has none.
    pub old: Option<Interval>,
    /// The new revision's result; `None` when it has none.
    pub new: Option<Interval>,
    /// When both have one, the figures that changed: `low`, `high` (kgCO2e, at the
    /// confidence), `mean` (kgCO2e) and `approach1_pct` (percent).
    pub figures: Vec<FigureChange>,
}

/// Everything that differs between two engagements' results.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// The product figures that changed: stages, `total` and `per_unit`, product by product.
    pub figures: Vec<FigureChange>,
    /// The inventory lines that were added, removed or changed, product by product.
    pub lines: Vec<LineChange>,
    /// The products whose Monte Carlo result changed, was added or was removed.
    pub uncertainty: Vec<UncertaintyChange>,
}

impl Diff {
    /// True when no figure, no line and no Monte Carlo result changed.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty() && self.lines.is_empty() && self.uncertainty.is_empty()
    }
}

/// A product's Monte Carlo result in `v`, rounded with `r`, exact where needed for the
/// differences: the interval, and the low, high, mean and Approach 1 figures.
fn interval(
    v: &Verified,
    pr: &crate::calc::ProductResult,
    r: Rounding,
) -> Option<(Interval, [Option<Exact>; 4])> {
    let (u, mc) = pr
        .uncertainty
        .as_ref()
        .zip(v.engagement.scope.uncertainty)?;
    let round = [
        Some(&u.total.low),
        Some(&u.total.high),
        Some(&u.total.mean),
        u.approach1_pct.as_ref(),
    ]
    .map(|x| x.map(|x| r.round(x)));
    let text = |i: usize| round[i].as_ref().map(|d| r.format(d));
    let interval = Interval {
        confidence: format!(
            "{}%",
            (mc.confidence * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        ),
        iterations: mc.iterations,
        low: text(0).unwrap_or_default(),
        high: text(1).unwrap_or_default(),
        mean: text(2).unwrap_or_default(),
        approach1_pct: text(3),
    };
    Some((interval, round))
}

/// How a product's Monte Carlo result changed; `None` when it did not (or neither revision
/// has one).
fn uncertainty_change(
    id: &str,
    old: Option<(Interval, [Option<Exact>; 4])>,
    new: Option<(Interval, [Option<Exact>; 4])>,
    r: Rounding,
) -> Option<UncertaintyChange> {
    let mut figures = Vec::new();
    if let (Some((_, a)), Some((_, b))) = (&old, &new) {
        for (i, figure) in ["low", "high", "mean", "approach1_pct"]
            .into_iter()
            .enumerate()
        {
            if a[i] != b[i] {
                figures.push(FigureChange {
                    product: id.to_owned(),
                    figure,
                    old: a[i].as_ref().map(|d| r.format(d)),
                    new: b[i].as_ref().map(|d| r.format(d)),
                    change: a[i]
                        .as_ref()
                        .zip(b[i].as_ref())
                        .map(|(a, b)| r.format(b - a)),
                });
            }
        }
    }
    let (old, new) = (old.map(|(i, _)| i), new.map(|(i, _)| i));
    let status = match (&old, &new) {
        (None, None) => return None,
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        (Some(a), Some(b)) if a == b => return None,
        (Some(_), Some(_)) => "changed",
    };
    Some(UncertaintyChange {
        product: id.to_owned(),
        status,
        old,
        new,
        figures,
    })
}

/// A line's identity across revisions, and what it says.
fn describe(v: &Verified, line: &Line, kg: &Exact, r: Rounding) -> (String, String) {
    let e = &v.engagement;
    let factor = line
        .factor
        .map(|f| format!("{} {}", e.factors[f].value, e.factors[f].unit))
        .unwrap_or_else(|| format!("GWP {:?}", e.scope.gwp));
    let per = if line.per_unit { " per unit" } else { "" };
    match &line.activity {
        Activity::Transport { mass, distance, .. } => (
            line.label(Language::Zh),
            format!(
                "{mass}{per} x {distance} x {factor} = {} kgCO2e",
                r.format(kg)
            ),
        ),
        Activity::Material { quantity }
        | Activity::Energy { quantity }
        | Activity::Process { quantity, .. } => (
            line.name.zh.clone(),
            format!("{quantity}{per} x {factor} = {} kgCO2e", r.format(kg)),
        ),
    }
}

/// Compares two verified engagements; figures are rounded as the new one says.
pub fn diff(old: &Verified, new: &Verified) -> Diff {
    let r = new.engagement.scope.rounding;
    let mut out = Diff::default();
    let old_products: Vec<_> = old
        .engagement
        .products
        .iter()
        .zip(&old.results.products)
        .collect();
    let new_products: Vec<_> = new
        .engagement
        .products
        .iter()
        .zip(&new.results.products)
        .collect();
    let mut ids: Vec<&str> = new_products.iter().map(|(p, _)| p.id.as_str()).collect();
    for (p, _) in &old_products {
        if !ids.contains(&p.id.as_str()) {
            ids.push(&p.id);
        }
    }
    for id in ids {
        let o = old_products.iter().find(|(p, _)| p.id == id);
        let n = new_products.iter().find(|(p, _)| p.id == id);
        // Every stage either revision has, in canonical order, then the totals.
        let mut stages: Vec<Stage> = [o, n]
            .into_iter()
            .flatten()
            .flat_map(|(_, pr)| pr.stages.stages())
            .collect();
        stages.sort();
        stages.dedup();
        let figures = |x: Option<&(&crate::engagement::Product, &crate::calc::ProductResult)>| {
            x.map(|(_, pr)| {
                let mut f: Vec<Option<Exact>> =
                    stages.iter().map(|s| pr.stages.get(*s).cloned()).collect();
                f.push(Some(pr.total.clone()));
                f.push(Some(pr.per_unit_total.clone()));
                f
            })
        };
        let (fo, fnew) = (figures(o), figures(n));
        let names = stages.iter().map(|s| s.key).chain(["total", "per_unit"]);
        for (i, figure) in names.enumerate() {
            let a = fo.as_ref().and_then(|f| f[i].as_ref()).map(|x| r.round(x));
            let b = fnew
                .as_ref()
                .and_then(|f| f[i].as_ref())
                .map(|x| r.round(x));
            if a != b {
                out.figures.push(FigureChange {
                    product: id.to_owned(),
                    figure,
                    old: a.as_ref().map(|d| r.format(d)),
                    new: b.as_ref().map(|d| r.format(d)),
                    change: a.zip(b).map(|(a, b)| r.format(b - a)),
                });
            }
        }
        // The Monte Carlo result: its interval, mean and Approach 1.
        if let Some(u) = uncertainty_change(
            id,
            o.and_then(|(_, pr)| interval(old, pr, r)),
            n.and_then(|(_, pr)| interval(new, pr, r)),
            r,
        ) {
            out.uncertainty.push(u);
        }
        // Lines, matched by stage, name and supplier (in order where these repeat).
        let lines =
            |v: &Verified,
             x: Option<&(&crate::engagement::Product, &crate::calc::ProductResult)>| {
                x.map(|(p, pr)| {
                    p.lines
                        .iter()
                        .zip(&pr.lines)
                        .map(|(l, lr)| {
                            let (key, text) = describe(v, l, &lr.kg, r);
                            (l.stage, key, text)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
            };
        let mut old_lines = lines(old, o);
        for (stage, key, text) in lines(new, n) {
            match old_lines
                .iter()
                .position(|(s, k, _)| *s == stage && *k == key)
            {
                Some(i) => {
                    let (_, _, before) = old_lines.remove(i);
                    if before != text {
                        out.lines.push(LineChange {
                            product: id.to_owned(),
                            stage: stage.key,
                            line: key,
                            old: Some(before),
                            new: Some(text),
                        });
                    }
                }
                None => out.lines.push(LineChange {
                    product: id.to_owned(),
                    stage: stage.key,
                    line: key,
                    old: None,
                    new: Some(text),
                }),
            }
        }
        for (stage, key, text) in old_lines {
            out.lines.push(LineChange {
                product: id.to_owned(),
                stage: stage.key,
                line: key,
                old: Some(text),
                new: None,
            });
        }
    }
    out
}

/// The differences as a table for the terminal.
pub fn diff_text(d: &Diff) -> String {
    if d.is_empty() {
        return "no figure and no inventory line changed\n".into();
    }
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let row = |product: &str, figure: &str, f: &FigureChange| {
        format!(
            "  {:<20} {:<11} {:>14} -> {:>14}  ({})\n",
            product,
            figure,
            dash(&f.old),
            dash(&f.new),
            f.change
                .as_ref()
                .map_or("new/removed".into(), |c| if c.starts_with('-') {
                    c.clone()
                } else {
                    format!("+{c}")
                })
        )
    };
    let mut out = String::new();
    if !d.figures.is_empty() {
        out.push_str("figures (kgCO2e; per_unit per functional unit)\n");
        for f in &d.figures {
            out.push_str(&row(&f.product, f.figure, f));
        }
    }
    if !d.lines.is_empty() {
        out.push_str("inventory lines\n");
        for l in &d.lines {
            out.push_str(&format!(
                "  {} {} {}\n    old: {}\n    new: {}\n",
                l.product,
                l.stage,
                l.line,
                dash(&l.old),
                dash(&l.new)
            ));
        }
    }
    if !d.uncertainty.is_empty() {
        out.push_str("uncertainty (Monte Carlo, total kgCO2e; approach1 in % of the total)\n");
        if d.uncertainty.iter().any(|u| u.status == "changed") {
            // Each file seeds its own draws: a revision draws afresh.
            out.push_str("  (each revision's draws are seeded from its file: small changes may be sampling noise)\n");
        }
        let describe = |i: &Interval| {
            format!(
                "{} interval {} to {}, mean {}, Approach 1 {}, {} iterations",
                i.confidence,
                i.low,
                i.high,
                i.mean,
                i.approach1_pct
                    .as_ref()
                    .map_or("-".into(), |a| format!("±{a}%")),
                i.iterations
            )
        };
        for u in &d.uncertainty {
            match (&u.old, &u.new) {
                (Some(a), Some(b)) => {
                    if (&a.confidence, a.iterations) != (&b.confidence, b.iterations) {
                        out.push_str(&format!(
                            "  {:<20} confidence {} -> {}, iterations {} -> {}\n",
                            u.product, a.confidence, b.confidence, a.iterations, b.iterations
                        ));
                    }
                    for f in &u.figures {
                        let figure = match f.figure {
                            "low" | "high" if a.confidence == b.confidence => {
                                format!("{} {}", f.figure, b.confidence)
                            }
                            "approach1_pct" => "approach1 %".into(),
                            other => other.into(),
                        };
                        out.push_str(&row(&u.product, &figure, f));
                    }
                }
                (None, Some(b)) => out.push_str(&format!(
                    "  {:<20} analysis added: {}\n",
                    u.product,
                    describe(b)
                )),
                (Some(a), None) => out.push_str(&format!(
                    "  {:<20} analysis removed (was {})\n",
                    u.product,
                    describe(a)
                )),
                (None, None) => {}
            }
        }
    }
    out
}

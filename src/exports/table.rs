//! Plain-text tables for the terminal (`calc`, `check`), aware that CJK characters take
//! two columns.

use crate::present::wording::Catalogue;
use rust_decimal::Decimal;

use crate::units::exact::Exact;

use crate::Verified;
use crate::calc::Figure;
use crate::diag::{self, Diagnostic, Path, Style};
use crate::engagement::Activity;

/// Column alignment.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Display width in terminal columns: East Asian wide and full-width characters (in
/// every plane) and emoji take two, as terminals draw them.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Renders rows (the first is the header) with columns padded to their widest cell.
fn render(rows: &[Vec<String>], aligns: &[Align], indent: &str) -> String {
    let cols = aligns.len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| width(s)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (c, align) in aligns.iter().enumerate() {
            let cell = row.get(c).map_or("", String::as_str);
            let pad = " ".repeat(widths[c] - width(cell));
            match align {
                Align::Left => line.push_str(&format!("{cell}{pad}")),
                Align::Right => line.push_str(&format!("{pad}{cell}")),
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Every figure of every product, as the `calc` command prints it.
pub fn calc_table(v: &Verified) -> String {
    let e = &v.engagement;
    let lang = e.report.languages[0];
    let r = e.scope.rounding;
    let hundred = Exact::from(100u32);
    let mut out = format!(
        "{} r{}  {}  {} to {}  GWP {:?}  rounding {} to {} places\n",
        e.report.number,
        e.report.revision,
        e.client.name.get(lang),
        e.scope.period.from,
        e.scope.period.to,
        e.scope.gwp,
        r.mode.key(),
        r.places
    );
    for (p, pr) in e.products.iter().zip(&v.results.products) {
        let fu = p.functional_unit.get(lang);
        out.push_str(&format!(
            "\n{} ({}), output {} {}\n\n",
            p.name.get(lang),
            p.id,
            p.output,
            fu
        ));
        let mut rows = vec![vec![
            "stage".to_owned(),
            "kgCO2e".to_owned(),
            format!("kgCO2e/{fu}"),
            "share %".to_owned(),
        ]];
        for ((s, kg), (per_unit, share)) in pr
            .stages
            .iter()
            .zip(pr.per_unit.values().zip(pr.shares.values()))
        {
            rows.push(vec![
                s.key.to_owned(),
                r.format(kg),
                r.format(per_unit),
                r.format(share * &hundred),
            ]);
        }
        let total_share = if pr.total.is_zero() {
            Exact::zero()
        } else {
            hundred.clone()
        };
        rows.push(vec![
            "total".to_owned(),
            r.format(&pr.total),
            r.format(&pr.per_unit_total),
            r.format(total_share),
        ]);
        out.push_str(&render(
            &rows,
            &[Align::Left, Align::Right, Align::Right, Align::Right],
            "  ",
        ));
        out.push('\n');

        let mut rows = vec![
            [
                "line", "name", "activity", "factor", "x", "kgCO2e", "share %", "scores",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        for (line, lr) in p.lines.iter().zip(&pr.lines) {
            let factor = line.factor.map(|f| &e.factors[f]);
            let per = if line.per_unit { " per unit" } else { "" };
            let (name, activity) = match &line.activity {
                Activity::Transport {
                    supplier,
                    mass,
                    distance,
                    ..
                } => {
                    let supplier = supplier.as_ref().map(|s| format!(" ({})", s.get(lang)));
                    (
                        format!("{}{}", line.name.get(lang), supplier.unwrap_or_default()),
                        format!("{mass}{per} x {distance}"),
                    )
                }
                Activity::Material { quantity }
                | Activity::Energy { quantity }
                | Activity::Process { quantity, .. } => {
                    let quantity = match &line.allocation {
                        Some(_) => {
                            let (q, unit) = crate::calc::allocated_quantity(line, lr);
                            format!("{} {unit}", r.format(&q))
                        }
                        None => format!("{quantity}{per}"),
                    };
                    (line.name.get(lang).to_owned(), quantity)
                }
            };
            let factor = match factor {
                Some(f) => format!("{} {} ({})", f.value, f.unit, f.id),
                None => format!("GWP {:?}", e.scope.gwp),
            };
            let path = line.path.to_string();
            let short = path.split_once('.').map_or(path.as_str(), |(_, rest)| rest);
            let s = line.scores;
            rows.push(vec![
                short.to_owned(),
                name,
                activity,
                factor,
                lr.conversion.to_plain(10),
                r.format(&lr.kg),
                r.format(&lr.share * &hundred),
                format!("{}/{}/{}", s.activity, s.factor, s.calibration),
            ]);
        }
        out.push_str(&render(
            &rows,
            &[
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ],
            "  ",
        ));
        out.push_str(&format!(
            "\n  data quality {} (grade {})\n",
            r.format(&pr.quality.score),
            pr.quality.grade
        ));
        for rec in &pr.reconciliation {
            let what = match rec.figure {
                Figure::Total => "total".to_owned(),
                Figure::PerUnit => format!("per unit ({fu})"),
            };
            let difference = rec
                .difference_pct
                .as_ref()
                .map_or("n/a".to_owned(), |d| format!("{}%", r.format(d)));
            let verdict = if rec.material {
                "MATERIAL MISSTATEMENT"
            } else {
                "within materiality"
            };
            out.push_str(&format!(
                "  claimed {what} {} kgCO2e, verified {}: difference {difference}, {verdict} ({}%)\n",
                r.format(&rec.claimed),
                r.format(&rec.computed),
                (e.scope.materiality * Decimal::ONE_HUNDRED).normalize(),
            ));
        }
    }
    out
}

/// The findings as `check` prints them: one block per finding, each language on a line.
pub fn findings_text(v: &Verified, file: &str, c: &Catalogue, style: Style) -> String {
    let e = &v.engagement;
    if style != Style::Short {
        // As the engagement's problems are printed: the line, a caret under the value, the
        // path as its label; the report's other language as a note.
        let diagnostics: Vec<Diagnostic> = v
            .findings
            .iter()
            .map(|f| {
                let message = crate::present::finding(c, e, f);
                let messages = e
                    .report
                    .languages
                    .iter()
                    .map(|l| message.get(*l).to_owned())
                    .collect();
                let (mark, path) = match &f.path {
                    Some(path) => (Some(v.root.locate(path)), path.clone()),
                    None => (None, Path::root()),
                };
                Diagnostic::finding(mark, path, f.code, messages)
            })
            .collect();
        let source = std::str::from_utf8(&v.source).ok();
        return diag::render_all(file, source, &diagnostics, style);
    }
    let mut out = String::new();
    for f in &v.findings {
        let place = match &f.path {
            Some(path) => {
                let m = v.root.locate(path);
                format!(":{}:{}: {path}", m.line, m.col)
            }
            None => String::new(),
        };
        out.push_str(&format!("{file}{place}: warning[{}]:", f.code));
        let message = crate::present::finding(c, e, f);
        for lang in &e.report.languages {
            out.push_str(&format!("\n  {}", message.get(*lang)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("kgCO2e"), 6);
        assert_eq!(width("晨诺电气"), 8);
        // The hand-written ranges this replaced measured these two as one column each:
        // an emoji, and a CJK ideograph of Extension B (U+20000, outside the BMP).
        assert_eq!(width("😀"), 2);
        assert_eq!(width("\u{20000}"), 2);
        let table = render(
            &[
                vec!["a".to_owned(), "x".to_owned()],
                vec!["\u{20000}😀".to_owned(), "y".to_owned()],
            ],
            &[Align::Left, Align::Left],
            "",
        );
        assert_eq!(table, "a     x\n\u{20000}😀  y\n");
    }
}

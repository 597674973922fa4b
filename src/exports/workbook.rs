//! `calc --xlsx`: the calculation as an Excel workbook with live formulas, for auditors.
//!
//! Every inventory line multiplies its activity, factor and conversion in a formula, and the
//! totals sum those cells (less the removals column, where the engagement separates the
//! origin of emissions), so changing a cell moves the totals. Each formula also carries its
//! cached result, our exact figure, so a reader that does not recalculate shows the verified
//! values. Excel computes in binary floating point; the exact figures are in the JSON.

use rust_decimal::Decimal;

use crate::units::exact::Exact;
use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, XlsxError};

use crate::Verified;
use crate::engagement::{Activity, Engagement};
use crate::input::model::Language;
use crate::uncertainty::Input;

/// The summary sheet's name.
pub const SUMMARY: &str = "Summary";

/// The sensitivity sheet's name: every product's ±10% sensitivity, then its Monte Carlo
/// result when the file asks for one. It comes after the products' sheets.
pub const SENSITIVITY: &str = "Sensitivity";

/// Excel's longest sheet name, in UTF-16 code units.
const SHEET_NAME_UNITS: usize = 31;

/// A product's sheet name as Excel allows it, before making it unique: the id without the
/// characters Excel forbids (`[]:*?/\`, and `'` which would need quoting in formulas,
/// control characters), cut to 31 UTF-16 code units.
fn sheet_base(id: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in id.chars() {
        let c = if "[]:*?/\\'".contains(c) || c.is_control() {
            '-'
        } else {
            c
        };
        units += c.len_utf16();
        if units > SHEET_NAME_UNITS {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        "product".into()
    } else {
        out
    }
}

/// The sheet names of the products, in order: valid, deterministic, and unique as Excel
/// compares them (ignoring case), also against `Summary`, `Sensitivity` and Excel's reserved
/// `History`.
///
/// Ids are distinct, but `widget` and `Widget`, an id `summary`, or two ids that share
/// their first 31 characters would give one sheet name twice; the later ones get `~2`,
/// `~3`, … in place of their last characters.
pub fn sheet_names<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let key = |name: &str| name.to_lowercase();
    let mut taken: std::collections::HashSet<String> =
        [key(SUMMARY), key(SENSITIVITY), key("History")]
            .into_iter()
            .collect();
    let mut names = Vec::new();
    for id in ids {
        let base = sheet_base(id);
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&key(&name)) {
            n += 1;
            let suffix = format!("~{n}");
            let room = SHEET_NAME_UNITS - suffix.len();
            let mut units = 0;
            let stem: String = base
                .chars()
                .take_while(|c| {
                    units += c.len_utf16();
                    units <= room
                })
                .collect();
            name = format!("{stem}{suffix}");
        }
        taken.insert(key(&name));
        names.push(name);
    }
    names
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// An exact figure as a formula's cached result: exact where it has at most 20 decimals.
fn cached(x: impl Into<Exact>) -> String {
    x.into().to_plain(20)
}

/// The row (0-based) of the totals block on a product sheet with `lines` lines: one row
/// per stage, then the total, the output and the figure per unit.
pub fn totals_row(lines: usize) -> u32 {
    lines as u32 + 2
}

/// Builds the workbook: a summary sheet, then one sheet per product.
pub fn workbook(v: &Verified) -> Result<Vec<u8>, XlsxError> {
    let e = &v.engagement;
    let lang = e.report.languages[0];
    let mut wb = Workbook::new();
    // Created on the report's date of issue, not now: the same file gives the same bytes.
    let issued = e.report.issued;
    let created = ExcelDateTime::from_ymd(
        issued.year() as u16,
        issued.month() as u8,
        issued.day() as u8,
    )?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");

    let sheets = sheet_names(e.products.iter().map(|p| p.id.as_str()));
    let summary = wb.add_worksheet();
    summary.set_name(SUMMARY)?;
    let stages = &e.boundary.stages;
    let n = stages.len() as u32;
    let head = ["product", "name", "output"]
        .map(str::to_owned)
        .into_iter()
        .chain(stages.iter().map(|s| format!("{} kgCO2e", s.key)))
        .chain(["total kgCO2e", "per unit kgCO2e"].map(str::to_owned));
    for (c, h) in head.enumerate() {
        summary.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (i, (p, pr)) in e.products.iter().zip(&v.results.products).enumerate() {
        let row = i as u32 + 1;
        let sheet = &sheets[i];
        // Excel rows are 1-based: the stages, then total, output and per unit.
        let t = totals_row(p.lines.len()) + 1;
        let (total, output, per_unit) = (t + n, t + n + 1, t + n + 2);
        summary.write_string(row, 0, &p.id)?;
        summary.write_string(row, 1, p.name.get(lang))?;
        summary.write_formula(
            row,
            2,
            Formula::new(format!("='{sheet}'!B{output}")).set_result(cached(p.output)),
        )?;
        for (j, s) in stages.iter().enumerate() {
            let f = Formula::new(format!("='{sheet}'!B{}", t + j as u32))
                .set_result(cached(pr.stage(*s)));
            summary.write_formula_with_format(row, 3 + j as u16, f, &money)?;
        }
        let col = 3 + n as u16;
        summary.write_formula_with_format(
            row,
            col,
            Formula::new(format!("='{sheet}'!B{total}")).set_result(cached(&pr.total)),
            &money,
        )?;
        summary.write_formula_with_format(
            row,
            col + 1,
            Formula::new(format!("='{sheet}'!B{per_unit}")).set_result(cached(&pr.per_unit_total)),
            &money,
        )?;
    }
    summary.set_column_width(1, 30)?;

    for ((p, pr), sheet) in e.products.iter().zip(&v.results.products).zip(&sheets) {
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        let head = [
            "stage",
            "line",
            "activity",
            "unit",
            "distance",
            "unit",
            "factor",
            "factor unit",
            "conversion",
            "kgCO2e",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        // Removals get their own column, netted off in the stage totals, only where the
        // engagement separates the origin: other workbooks stay as they were.
        let separated = e.origin_separated();
        if separated {
            ws.write_string_with_format(0, 10, "removal kgCO2e", &bold)?;
        }
        let last = p.lines.len() as u32 + 1; // Excel row of the last line
        let t = totals_row(p.lines.len());
        // 0-based rows; formulas name them 1-based.
        let (total, output, per_unit) = (t + n, t + n + 1, t + n + 2);
        if p.lines.iter().any(|l| l.per_unit) {
            ws.write_string_with_format(0, 10, "basis", &bold)?;
        }
        for (i, (l, lr)) in p.lines.iter().zip(&pr.lines).enumerate() {
            let row = i as u32 + 1;
            let n = row + 1;
            ws.write_string(row, 0, l.stage.key)?;
            ws.write_string(row, 1, l.name.get(lang))?;
            let factor = l.factor.map(|f| &e.factors[f]);
            let (quantity, formula) = match &l.activity {
                Activity::Transport { mass, distance, .. } => {
                    ws.write_number(row, 4, num(distance.value))?;
                    ws.write_string(row, 5, distance.unit.symbol)?;
                    (mass, format!("=C{n}*E{n}*G{n}*I{n}"))
                }
                Activity::Material { quantity }
                | Activity::Energy { quantity }
                | Activity::Process { quantity, .. } => (quantity, format!("=C{n}*G{n}*I{n}")),
            };
            // An allocated line's quantity (or freight mass) is the item's times the share.
            let value = match &l.allocation {
                Some(a) => (Exact::from(quantity.value) * &a.share).to_f64(),
                None => num(quantity.value),
            };
            ws.write_number(row, 2, value)?;
            ws.write_string(row, 3, quantity.unit.symbol)?;
            match factor {
                Some(f) => {
                    ws.write_number(row, 6, num(f.value))?;
                    ws.write_string(row, 7, f.unit.to_string())?;
                    ws.write_number(row, 8, lr.conversion.to_f64())?;
                }
                // A gas: its GWP (per unit of the quantity) is the factor.
                None => {
                    ws.write_number(row, 6, lr.conversion.to_f64())?;
                    ws.write_string(
                        row,
                        7,
                        format!("kgCO2e/{} (GWP {:?})", quantity.unit.symbol, e.scope.gwp),
                    )?;
                    ws.write_number(row, 8, 1.0)?;
                }
            }
            // `basis: unit`: one functional unit's quantity, times the output.
            let formula = if l.per_unit {
                ws.write_string(row, 10, "unit")?;
                format!("{formula}*$B${}", output + 1)
            } else {
                formula
            };
            ws.write_formula_with_format(
                row,
                9,
                Formula::new(formula).set_result(cached(&lr.kg)),
                &money,
            )?;
            if separated {
                let removal = match (factor.and_then(|f| f.removal), &l.activity) {
                    (Some(r), Activity::Transport { .. }) => format!("=C{n}*E{n}*{r}*I{n}"),
                    (Some(r), _) => format!("=C{n}*{r}*I{n}"),
                    (None, _) => "=0".to_owned(),
                };
                let f = Formula::new(removal).set_result(cached(&lr.origin.removals));
                ws.write_formula_with_format(row, 10, f, &money)?;
            }
        }
        for (j, s) in stages.iter().enumerate() {
            let row = t + j as u32;
            ws.write_string_with_format(row, 0, s.key, &bold)?;
            let mut sum = format!("=SUMIF(A2:A{last},\"{}\",J2:J{last})", s.key);
            if separated {
                sum.push_str(&format!("-SUMIF(A2:A{last},\"{}\",K2:K{last})", s.key));
            }
            let f = Formula::new(sum).set_result(cached(pr.stage(*s)));
            ws.write_formula_with_format(row, 1, f, &money)?;
            // Per unit and share beside each stage.
            let r1 = row + 1;
            let per = Formula::new(format!("=B{r1}/B{}", output + 1))
                .set_result(cached(pr.per_unit.get(*s).cloned().unwrap_or_default()));
            ws.write_formula_with_format(row, 2, per, &money)?;
            let share = pr.shares.get(*s).cloned().unwrap_or_default();
            let share = Formula::new(format!("=IF(B{}=0,0,B{r1}/B{}*100)", total + 1, total + 1))
                .set_result(cached(&share * &Exact::from(100u32)));
            ws.write_formula_with_format(row, 3, share, &money)?;
        }
        ws.write_string_with_format(total, 0, "total", &bold)?;
        ws.write_formula_with_format(
            total,
            1,
            Formula::new(format!("=SUM(B{}:B{})", t + 1, t + n)).set_result(cached(&pr.total)),
            &money,
        )?;
        ws.write_string_with_format(output, 0, "output", &bold)?;
        ws.write_number(output, 1, num(p.output))?;
        ws.write_string_with_format(per_unit, 0, "per unit", &bold)?;
        ws.write_formula_with_format(
            per_unit,
            1,
            Formula::new(format!("=B{}/B{}", total + 1, output + 1))
                .set_result(cached(&pr.per_unit_total)),
            &money,
        )?;
        ws.write_string(t - 1, 1, "kgCO2e")?;
        ws.write_string(t - 1, 2, "per unit")?;
        ws.write_string(t - 1, 3, "share %")?;
        ws.set_column_width(1, 28)?;
        ws.set_column_width(7, 16)?;
    }
    sensitivity_sheet(&mut wb, v, &sheets, lang)?;
    wb.save_to_buffer()
}

/// A sensitivity row's input: the line's name, or the factor's (its id when unnamed).
fn input_name(
    e: &Engagement,
    p: &crate::engagement::Product,
    input: Input,
    lang: Language,
) -> (String, &'static str) {
    match input {
        Input::Activity(i) => (p.lines[i].label(lang), "activity data"),
        Input::Factor(f) => {
            let f = &e.factors[f];
            let name = f
                .name
                .as_ref()
                .map_or_else(|| f.id.clone(), |n| n.get(lang).to_owned());
            (name, "emission factor")
        }
    }
}

/// The sensitivity sheet: for each product, every input contributing at least 1% of its
/// total with the total at −10% and +10% of it (live: the product sheet's total less or
/// plus a tenth of the contribution), largest first; then, when the file asks for a Monte
/// Carlo analysis, each product's statistics, interval, Approach 1 cross-check and the
/// lines treated as exact.
fn sensitivity_sheet(
    wb: &mut Workbook,
    v: &Verified,
    sheets: &[String],
    lang: Language,
) -> Result<(), XlsxError> {
    let e = &v.engagement;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let n = e.boundary.stages.len() as u32;
    let ws = wb.add_worksheet();
    ws.set_name(SENSITIVITY)?;
    let head = [
        "product",
        "input",
        "kind",
        "stage",
        "contribution kgCO2e",
        "total at -10% kgCO2e",
        "total at +10% kgCO2e",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1;
    for ((p, pr), sheet) in e.products.iter().zip(&v.results.products).zip(sheets) {
        // The product sheet's total (1-based).
        let total = totals_row(p.lines.len()) + n + 1;
        for s in &pr.sensitivity {
            let (name, kind) = input_name(e, p, s.input, lang);
            let r1 = row + 1;
            ws.write_string(row, 0, &p.id)?;
            ws.write_string(row, 1, name)?;
            ws.write_string(row, 2, kind)?;
            if let Some(stage) = s.stage {
                ws.write_string(row, 3, stage.key)?;
            }
            ws.write_number_with_format(row, 4, s.contribution.to_f64(), &money)?;
            let minus = Formula::new(format!("='{sheet}'!B{total}-E{r1}/10"))
                .set_result(cached(&s.minus_10));
            ws.write_formula_with_format(row, 5, minus, &money)?;
            let plus = Formula::new(format!("='{sheet}'!B{total}+E{r1}/10"))
                .set_result(cached(&s.plus_10));
            ws.write_formula_with_format(row, 6, plus, &money)?;
            row += 1;
        }
    }
    if let Some(mc) = e.scope.uncertainty {
        // A blank row, then the Monte Carlo block, product by product.
        row += 1;
        ws.write_string_with_format(row, 0, "Monte Carlo", &bold)?;
        row += 1;
        let head = ["product", "figure", "mean", "median", "sd", "low", "high"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &bold)?;
        }
        row += 1;
        let hundred = Exact::from(100u32);
        for (p, pr) in e.products.iter().zip(&v.results.products) {
            let Some(u) = &pr.uncertainty else { continue };
            for (label, s) in [("total kgCO2e", &u.total), ("per unit kgCO2e", &u.per_unit)] {
                ws.write_string(row, 0, &p.id)?;
                ws.write_string(row, 1, label)?;
                for (c, x) in [&s.mean, &s.median, &s.sd, &s.low, &s.high]
                    .into_iter()
                    .enumerate()
                {
                    ws.write_number_with_format(row, 2 + c as u16, x.to_f64(), &money)?;
                }
                row += 1;
            }
            let confidence = Exact::from(mc.confidence * Decimal::ONE_HUNDRED);
            let figures: [(&str, Option<Exact>); 4] = [
                ("confidence %", Some(confidence)),
                ("iterations", Some(Exact::from(mc.iterations))),
                ("Approach 1 ±%", u.approach1_pct.clone()),
                (
                    "exact lines % of emissions",
                    Some(&u.exact_share * &hundred),
                ),
            ];
            for (label, x) in figures {
                ws.write_string(row, 0, &p.id)?;
                ws.write_string(row, 1, label)?;
                if let Some(x) = x {
                    ws.write_number_with_format(row, 2, x.to_f64(), &money)?;
                }
                row += 1;
            }
            for &i in &u.exact_lines {
                ws.write_string(row, 0, &p.id)?;
                ws.write_string(row, 1, "exact line")?;
                ws.write_string(row, 2, p.lines[i].label(lang))?;
                row += 1;
            }
        }
    }
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 16)?;
    for c in 4..7 {
        ws.set_column_width(c, 20)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique_ignoring_case() {
        let long = "a".repeat(40);
        let long2 = format!("{long}b");
        let ids = [
            "widget",
            "Widget",
            "WIDGET",
            "summary",
            "history",
            "a[b]:c*d?e/f\\g'h",
            long.as_str(),
            long2.as_str(),
            "零件零件零件零件零件零件零件零件零件零件零件零件零件零件零件零件",
        ];
        let names = sheet_names(ids);
        assert_eq!(names[0], "widget");
        assert_eq!(names[1], "Widget~2");
        assert_eq!(names[2], "WIDGET~3");
        assert_eq!(names[3], "summary~2");
        assert_eq!(names[4], "history~2");
        assert_eq!(names[5], "a-b--c-d-e-f-g-h");
        assert_eq!(names[6], "a".repeat(31));
        assert_eq!(names[7], format!("{}~2", "a".repeat(29)));
        let mut seen = std::collections::HashSet::new();
        for n in &names {
            rust_xlsxwriter::utility::check_sheet_name(n).unwrap();
            assert!(seen.insert(n.to_lowercase()), "{n} twice");
        }
        // Deterministic: the same ids give the same names.
        assert_eq!(sheet_names(ids), names);
    }
}

//! `calc --xlsx`: the calculation as an Excel workbook with live formulas, for auditors.
//!
//! Every inventory line multiplies its activity, factor and conversion in a formula, and the
//! totals sum those cells, so changing a cell moves the totals. Each formula also carries its
//! cached result, our exact figure, so a reader that does not recalculate shows the verified
//! values. Excel computes in binary floating point; the exact figures are in the JSON.

use rust_decimal::Decimal;

use crate::exact::Exact;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Formula, Workbook, XlsxError};

use crate::Verified;
use crate::engagement::{Activity, Stage};

/// A product's sheet name: its id, as Excel allows (31 characters, no `[]:*?/\`).
pub fn sheet_name(id: &str) -> String {
    id.chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '-' } else { c })
        .take(31)
        .collect()
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// An exact figure as a formula's cached result: exact where it has at most 20 decimals.
fn cached(x: impl Into<Exact>) -> String {
    x.into().to_plain(20)
}

/// The row (0-based) of the totals block on a product sheet with `lines` lines.
pub fn totals_row(lines: usize) -> u32 {
    lines as u32 + 2
}

/// Builds the workbook: a summary sheet, then one sheet per product.
pub fn workbook(v: &Verified) -> Result<Vec<u8>, XlsxError> {
    let e = &v.engagement;
    let lang = e.report.languages[0];
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");

    let summary = wb.add_worksheet();
    summary.set_name("Summary")?;
    let head = [
        "product",
        "name",
        "output",
        "materials kgCO2e",
        "transport kgCO2e",
        "production kgCO2e",
        "total kgCO2e",
        "per unit kgCO2e",
    ];
    for (c, h) in head.iter().enumerate() {
        summary.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (p, pr)) in e.products.iter().zip(&v.results.products).enumerate() {
        let row = i as u32 + 1;
        let sheet = sheet_name(&p.id);
        let t = totals_row(p.lines.len()) + 1; // Excel rows are 1-based
        summary.write_string(row, 0, &p.id)?;
        summary.write_string(row, 1, p.name.get(lang))?;
        summary.write_formula(
            row,
            2,
            Formula::new(format!("='{sheet}'!B{}", t + 4)).set_result(cached(p.output)),
        )?;
        for (j, s) in Stage::ALL.iter().enumerate() {
            let f = Formula::new(format!("='{sheet}'!B{}", t + j as u32))
                .set_result(cached(pr.stage(*s)));
            summary.write_formula_with_format(row, 3 + j as u16, f, &money)?;
        }
        summary.write_formula_with_format(
            row,
            6,
            Formula::new(format!("='{sheet}'!B{}", t + 3)).set_result(cached(&pr.total)),
            &money,
        )?;
        summary.write_formula_with_format(
            row,
            7,
            Formula::new(format!("='{sheet}'!B{}", t + 5)).set_result(cached(&pr.per_unit_total)),
            &money,
        )?;
    }
    summary.set_column_width(1, 30)?;

    for (p, pr) in e.products.iter().zip(&v.results.products) {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&p.id))?;
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
        let last = p.lines.len() as u32 + 1; // Excel row of the last line
        for (i, (l, lr)) in p.lines.iter().zip(&pr.lines).enumerate() {
            let row = i as u32 + 1;
            let n = row + 1;
            ws.write_string(row, 0, l.stage().key())?;
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
                | Activity::Process { quantity } => (quantity, format!("=C{n}*G{n}*I{n}")),
            };
            ws.write_number(row, 2, num(quantity.value))?;
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
            ws.write_formula_with_format(
                row,
                9,
                Formula::new(formula).set_result(cached(&lr.kg)),
                &money,
            )?;
        }
        let t = totals_row(p.lines.len());
        for (j, s) in Stage::ALL.iter().enumerate() {
            let row = t + j as u32;
            ws.write_string_with_format(row, 0, s.key(), &bold)?;
            let f = Formula::new(format!("=SUMIF(A2:A{last},\"{}\",J2:J{last})", s.key()))
                .set_result(cached(pr.stage(*s)));
            ws.write_formula_with_format(row, 1, f, &money)?;
            // Per unit and share beside each stage.
            let r1 = row + 1;
            let per =
                Formula::new(format!("=B{r1}/B{}", t + 5)).set_result(cached(&pr.per_unit[j]));
            ws.write_formula_with_format(row, 2, per, &money)?;
            let share = Formula::new(format!("=IF(B{}=0,0,B{r1}/B{}*100)", t + 4, t + 4))
                .set_result(cached(&(&pr.shares[j] * &Exact::from(100u32))));
            ws.write_formula_with_format(row, 3, share, &money)?;
        }
        let (total, output, per_unit) = (t + 3, t + 4, t + 5);
        ws.write_string_with_format(total, 0, "total", &bold)?;
        ws.write_formula_with_format(
            total,
            1,
            Formula::new(format!("=SUM(B{}:B{})", t + 1, t + 3)).set_result(cached(&pr.total)),
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
    wb.save_to_buffer()
}

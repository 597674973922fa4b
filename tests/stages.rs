//! Stages are data: a stage the registry does not have, defined here, flows through the
//! calculation, the results JSON, `diff` and the workbook with no other change.

mod common;

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use cfp_verify::Verified;
use cfp_verify::engagement::{Stage, Words};
use cfp_verify::units::exact::Exact;
use common::root;
use rust_decimal::Decimal;
use serde_json::Value;

/// A stage between transport and production, known only to this test.
const PACKAGING: Stage = Stage {
    key: "packaging",
    order: 25,
    names: Words {
        zh: "包装",
        en: "Packaging",
    },
    short: Words {
        zh: "包装",
        en: "Packaging",
    },
    description: Words {
        zh: "包装材料的排放",
        en: "Emissions of packaging",
    },
    item: Words {
        zh: "包装材料",
        en: "Packaging material",
    },
    freight: false,
    inventory_keys: &["packaging"],
};

fn exact(s: &str) -> Exact {
    Exact::from(Decimal::from_str(s).unwrap())
}

fn minimal() -> Verified {
    cfp_verify::load(&root().join("tests/fixtures/valid/minimal.yaml")).unwrap()
}

/// The minimal engagement with packaging in its boundary and its electricity line
/// (1 MWh x 0.5703 tCO2/MWh = 570.3 kgCO2e) moved from production into packaging.
fn with_packaging() -> Verified {
    let mut v = minimal();
    let e = &mut v.engagement;
    e.boundary.stages.push(PACKAGING);
    e.boundary.stages.sort();
    let line = e.products[0]
        .lines
        .iter_mut()
        .find(|l| l.name.en == "Electricity")
        .unwrap();
    line.stage = PACKAGING;
    v.results = cfp_verify::calc::calculate(&v.engagement);
    v.findings = cfp_verify::checks::findings(&v.engagement, &v.results);
    v
}

#[test]
fn a_new_stage_is_summed_and_counted_in_the_total() {
    let v = with_packaging();
    let pr = &v.results.products[0];
    let keys: Vec<&str> = pr.stages.stages().map(|s| s.key).collect();
    assert_eq!(keys, ["materials", "transport", "packaging", "production"]);
    assert_eq!(pr.stage(PACKAGING), exact("570.3"));
    assert_eq!(pr.stage(Stage::PRODUCTION), exact("7500"));
    // The total is unchanged, and includes the new stage.
    assert_eq!(pr.total, exact("9133.2"));
    assert_eq!(pr.total, pr.stages.values().sum::<Exact>());
    assert_eq!(pr.per_unit.get(PACKAGING), Some(&exact("0.5703")));
    assert_eq!(
        pr.shares.get(PACKAGING),
        Some(&exact("570.3").fraction_of(&exact("9133.2")))
    );
    // A stage with a line is not empty.
    assert!(
        !v.findings.iter().any(|f| f.code == "empty-stage"),
        "{:?}",
        v.findings
    );
}

#[test]
fn the_json_keys_a_new_stage_in_canonical_order() {
    let v = with_packaging();
    let json: Value = serde_json::from_str(&v.json()).unwrap();
    let p = &json["products"][0];
    let keys = |o: &Value| -> Vec<String> { o.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&p["stages"]),
        ["materials", "transport", "packaging", "production"]
    );
    assert_eq!(
        keys(&p["per_unit"]),
        ["materials", "transport", "packaging", "production", "total"]
    );
    assert_eq!(
        keys(&p["share_pct"]),
        ["materials", "transport", "packaging", "production"]
    );
    assert_eq!(p["stages"]["packaging"], "570.30");
    assert_eq!(p["stages"]["production"], "7500.00");
    assert_eq!(p["total"], "9133.20");
    assert_eq!(p["per_unit"]["packaging"], "0.57");
    // 570.3 / 9133.2 = 6.2443…%, 7500 / 9133.2 = 82.1180…%
    assert_eq!(p["share_pct"]["packaging"], "6.24");
    assert_eq!(p["share_pct"]["production"], "82.12");
    // The unchanged engagement gives the JSON it always gave.
    assert_eq!(
        minimal().json(),
        std::fs::read_to_string(root().join("tests/golden/minimal.json")).unwrap()
    );
}

#[test]
fn diff_names_a_new_stage_by_its_key() {
    let (old, new) = (minimal(), with_packaging());
    let d = cfp_verify::exports::diff::diff(&old, &new);
    let figures: Vec<(&str, Option<&str>, Option<&str>)> = d
        .figures
        .iter()
        .map(|f| (f.figure, f.old.as_deref(), f.new.as_deref()))
        .collect();
    assert_eq!(
        figures,
        [
            ("packaging", None, Some("570.30")),
            ("production", Some("8070.30"), Some("7500.00")),
        ]
    );
    // The line left production and joined packaging.
    let lines: Vec<(&str, &str, bool, bool)> = d
        .lines
        .iter()
        .map(|l| (l.stage, l.line.as_str(), l.old.is_some(), l.new.is_some()))
        .collect();
    assert_eq!(
        lines,
        [
            ("packaging", "电力", false, true),
            ("production", "电力", true, false)
        ]
    );
    let text = cfp_verify::exports::diff::diff_text(&d);
    assert!(text.contains("widget               packaging"), "{text}");
    assert!(text.contains("-570.30"), "{text}");
    // Nothing is labelled as a figure per unit: that did not change.
    assert!(!text.contains("widget               per_unit"), "{text}");

    // And back: the stage is removed, not mislabelled.
    let back = cfp_verify::exports::diff::diff(&new, &old);
    assert_eq!(back.figures[0].figure, "packaging");
    assert_eq!(back.figures[0].new, None);
}

#[test]
fn the_workbook_has_a_row_and_a_column_for_a_new_stage() {
    let v = with_packaging();
    let bytes = cfp_verify::exports::workbook::workbook(&v).unwrap();
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let number = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => Decimal::from_str(&f.to_string()).unwrap(),
        Some(Data::Int(i)) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    };
    let dec = |s: &str| Decimal::from_str(s).unwrap();

    // Summary: product, name, output, four stages, total, per unit.
    let summary = wb.worksheet_range("Summary").unwrap();
    let head: Vec<String> = (0..9)
        .map(|c| summary.get_value((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        head,
        [
            "product",
            "name",
            "output",
            "materials kgCO2e",
            "transport kgCO2e",
            "packaging kgCO2e",
            "production kgCO2e",
            "total kgCO2e",
            "per unit kgCO2e"
        ]
    );
    assert_eq!(number(summary.get_value((1, 5))), dec("570.3"));
    assert_eq!(number(summary.get_value((1, 6))), dec("7500"));
    assert_eq!(number(summary.get_value((1, 7))), dec("9133.2"));
    assert_eq!(number(summary.get_value((1, 8))), dec("9.1332"));
    assert_eq!(number(summary.get_value((1, 2))), dec("1000"));

    // The product sheet: 5 lines, then one row per stage, total, output, per unit.
    let sheet = wb.worksheet_range("widget").unwrap();
    let formulas = wb.worksheet_formula("widget").unwrap();
    let formula = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
    let summary_formulas = wb.worksheet_formula("Summary").unwrap();
    let t = cfp_verify::exports::workbook::totals_row(5);
    let text = |r: u32, c: u32| sheet.get_value((r, c)).unwrap().to_string();
    // The electricity line is written as a packaging line.
    assert_eq!(text(3, 0), "packaging");
    assert_eq!(text(3, 1), "电力");
    let stages = ["materials", "transport", "packaging", "production"];
    for (j, key) in stages.iter().enumerate() {
        assert_eq!(text(t + j as u32, 0), *key);
    }
    let p = t + 2;
    assert_eq!(formula(p, 1), "SUMIF(A2:A6,\"packaging\",J2:J6)");
    assert_eq!(number(sheet.get_value((p, 1))), dec("570.3"));
    assert_eq!(number(sheet.get_value((p, 2))), dec("0.5703"));
    // Per unit divides by the output row, share by the total row (1-based: t+6 and t+5).
    assert_eq!(formula(p, 2), format!("B{}/B{}", p + 1, t + 6));
    assert_eq!(
        formula(p, 3),
        format!("IF(B{}=0,0,B{}/B{}*100)", t + 5, p + 1, t + 5)
    );
    assert_eq!(text(t + 4, 0), "total");
    assert_eq!(formula(t + 4, 1), format!("SUM(B{}:B{})", t + 1, t + 4));
    assert_eq!(number(sheet.get_value((t + 4, 1))), dec("9133.2"));
    assert_eq!(text(t + 5, 0), "output");
    assert_eq!(text(t + 6, 0), "per unit");
    assert_eq!(
        summary_formulas
            .get_value((1, 5))
            .cloned()
            .unwrap_or_default(),
        format!("'widget'!B{}", p + 1)
    );
    assert_eq!(
        summary_formulas
            .get_value((1, 7))
            .cloned()
            .unwrap_or_default(),
        format!("'widget'!B{}", t + 5)
    );
}

#[test]
fn the_view_gives_a_new_stage_a_row_in_the_footprint_tables() {
    let v = with_packaging();
    let languages = v.engagement.report.languages.clone();
    let view = cfp_verify::report::view::build(&v, &languages, &v.source, None);
    assert_eq!(view.footprint_rows, 5);
    let names: Vec<&str> = view.products[0]
        .stages
        .iter()
        .map(|s| s.name.en.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Raw material acquisition",
            "Raw material transport",
            "Packaging",
            "Production"
        ]
    );
    assert_eq!(view.products[0].inventory[2].key, "packaging");
    assert_eq!(view.products[0].inventory[2].lines.len(), 1);
    assert_eq!(view.products[0].inventory[2].subtotal, "570.30");
}

//! Boundary types (cradle to grave, gate to gate, partial) and `basis: unit` lines: exact
//! figures, the JSON's stage keys, the workbook's live formulas, the report's tables.
//!
//! Expected figures are computed independently, with Python's `fractions.Fraction` (`F`);
//! JSON figures round half-up to 2 places.

mod common;

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use cfp_verify::Verified;
use cfp_verify::engagement::{BoundaryKind, Stage};
use cfp_verify::units::exact::Exact;
use common::{cfp, folder, root};
use rust_decimal::Decimal;
use serde_json::Value;

fn load(name: &str) -> Verified {
    cfp_verify::load(&root().join(format!("tests/fixtures/valid/{name}.yaml"))).unwrap()
}

fn exact(s: &str) -> Exact {
    Exact::from(Decimal::from_str(s).unwrap())
}

fn json(v: &Verified) -> Value {
    serde_json::from_str(&v.json()).unwrap()
}

fn keys(o: &Value) -> Vec<String> {
    o.as_object().unwrap().keys().cloned().collect()
}

fn strings(o: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| o[*k].as_str().unwrap_or_else(|| panic!("{k}")).to_owned())
        .collect()
}

const GRAVE: [&str; 6] = common::GRAVE_STAGES;

#[test]
fn cradle_to_grave_counts_all_six_stages_exactly() {
    let v = load("grave");
    assert_eq!(v.engagement.boundary.kind, BoundaryKind::CradleToGrave);
    let pr = &v.results.products[0];
    // output = 200
    // materials    F(50) * F('2.1')                          = 105
    // transport    F(50,1000) * 100 * F('0.129')             = 0.645
    // production   400 * F('0.5703')                         = 228.12
    // distribution F('1.5')/1000 * 500 * 200 * F('0.129')    = 19.35   (basis: unit)
    // use          12 * F('0.5703') * 200                    = 1368.72 (basis: unit)
    // end-of-life  F('0.5') * 28 (AR5 CH4)
    //              + F('1.5') * F('0.5') * 200               = 14 + 150 = 164
    // total                                                  = 1885.835
    let expected = [
        (Stage::MATERIALS, "105"),
        (Stage::TRANSPORT, "0.645"),
        (Stage::PRODUCTION, "228.12"),
        (Stage::DISTRIBUTION, "19.35"),
        (Stage::USE, "1368.72"),
        (Stage::END_OF_LIFE, "164"),
    ];
    for (stage, kg) in expected {
        assert_eq!(pr.stage(stage), exact(kg), "{}", stage.key);
    }
    assert_eq!(pr.total, exact("1885.835"));
    // 1885.835 / 200
    assert_eq!(pr.per_unit_total, exact("9.429175"));
    // The per-unit distribution line's freight is the period's: 0.0015 t x 500 km x 200.
    let dist = v.engagement.products[0]
        .lines
        .iter()
        .position(|l| l.stage == Stage::DISTRIBUTION)
        .unwrap();
    assert!(v.engagement.products[0].lines[dist].per_unit);
    assert_eq!(pr.lines[dist].tkm, Some(exact("150")));
}

#[test]
fn cradle_to_grave_json_has_the_six_stage_keys() {
    let v = load("grave");
    let j = json(&v);
    let p = &j["products"][0];
    assert_eq!(keys(&p["stages"]), GRAVE);
    assert_eq!(keys(&p["share_pct"]), GRAVE);
    let mut per_unit_keys = GRAVE.to_vec();
    per_unit_keys.push("total");
    assert_eq!(keys(&p["per_unit"]), per_unit_keys);
    assert_eq!(
        strings(&p["stages"], &GRAVE),
        ["105.00", "0.65", "228.12", "19.35", "1368.72", "164.00"]
    );
    // round(1885.835) half-up
    assert_eq!(p["total"], "1885.84");
    // each stage / 200: 0.525, 0.003225, 1.1406, 0.09675, 6.8436, 0.82; total 9.429175
    assert_eq!(
        strings(&p["per_unit"], &per_unit_keys),
        ["0.53", "0.00", "1.14", "0.10", "6.84", "0.82", "9.43"]
    );
    // each stage / F('1885.835') * 100
    assert_eq!(
        strings(&p["share_pct"], &GRAVE),
        ["5.57", "0.03", "12.10", "1.03", "72.58", "8.70"]
    );
}

#[test]
fn gate_to_gate_is_production_only() {
    let v = load("gate");
    let j = json(&v);
    let p = &j["products"][0];
    assert_eq!(keys(&p["stages"]), ["production"]);
    // 3600 MJ = 1 MWh x 0.5703 tCO2/MWh                   = 570.3
    // F('0.05') kWh x F('0.5703') kg/kWh x 1000 (per unit) = 28.515
    // F('0.2') kgSF6 x 23500 (AR5)                         = 4700
    // total F('5298.815'), / 1000 = 5.298815
    assert_eq!(v.results.products[0].total, exact("5298.815"));
    assert_eq!(p["stages"]["production"], "5298.82");
    assert_eq!(p["per_unit"]["total"], "5.30");
    assert_eq!(p["share_pct"]["production"], "100.00");
}

#[test]
fn a_partial_boundary_has_exactly_its_stages() {
    let v = load("partial");
    assert_eq!(
        v.engagement.boundary.stages,
        [Stage::MATERIALS, Stage::PRODUCTION, Stage::END_OF_LIFE]
    );
    let j = json(&v);
    let p = &j["products"][0];
    let stages = ["materials", "production", "end-of-life"];
    assert_eq!(keys(&p["stages"]), stages);
    // materials  F('0.4') kg x 2.1 kg/kg x 1000 (per unit) = 840
    // production 1 MWh x 0.5703 t/MWh                      = 570.3
    // end of life F(2,1000) kgCH4 x 28 x 1000 (per unit)   = 56
    // total 1466.3; shares 840/1466.3 = 57.287…%, 570.3/1466.3 = 38.893…%, 56/1466.3 = 3.819…%
    assert_eq!(
        strings(&p["stages"], &stages),
        ["840.00", "570.30", "56.00"]
    );
    assert_eq!(p["total"], "1466.30");
    assert_eq!(
        strings(&p["share_pct"], &stages),
        ["57.29", "38.89", "3.82"]
    );
    assert_eq!(
        strings(
            &p["per_unit"],
            &["materials", "production", "end-of-life", "total"]
        ),
        ["0.84", "0.57", "0.06", "1.47"]
    );
}

#[test]
fn a_boundary_stage_without_a_line_is_an_empty_stage() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid/grave.yaml")).unwrap();
    let start = text.find("    use:\n").unwrap();
    let end = text.find("    end_of_life:\n").unwrap();
    let dir = folder("boundary", "empty-use");
    let file = dir.join("grave.yaml");
    std::fs::write(&file, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let v = cfp_verify::load(&file).unwrap();
    let empty: Vec<_> = v
        .findings
        .iter()
        .filter(|f| f.code == "empty-stage")
        .collect();
    assert_eq!(empty.len(), 1, "{:?}", v.findings);
    assert_eq!(v.results.products[0].stage(Stage::USE), Exact::zero());
    assert_eq!(json(&v)["products"][0]["stages"]["use"], "0.00");
}

#[test]
fn a_cradle_to_gate_file_without_a_type_is_unchanged() {
    // `type` defaults to cradle-to-gate: the minimal fixture without it gives its golden JSON.
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let dir = folder("boundary", "default-type");
    let file = dir.join("minimal.yaml");
    let without = text.replace("boundary:\n  type: cradle-to-gate\n", "boundary: {}\n");
    assert_ne!(without, text);
    std::fs::write(&file, without).unwrap();
    let v = cfp_verify::load(&file).unwrap();
    assert_eq!(
        v.json(),
        std::fs::read_to_string(root().join("tests/golden/minimal.json")).unwrap()
    );
}

#[test]
fn the_workbook_recomputes_the_grave_fixture() {
    let v = load("grave");
    let j = json(&v);
    let p = &j["products"][0];
    let bytes = cfp_verify::exports::workbook::workbook(&v).unwrap();
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let number = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => Decimal::from_str(&f.to_string()).unwrap(),
        Some(Data::Int(i)) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    };
    let round = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let dec = |v: &Value| Decimal::from_str(v.as_str().unwrap()).unwrap();

    let summary = wb.worksheet_range("Summary").unwrap();
    for (j, key) in GRAVE.iter().enumerate() {
        let c = 3 + j as u32;
        assert_eq!(
            summary.get_value((0, c)).unwrap().to_string(),
            format!("{key} kgCO2e")
        );
        assert_eq!(
            round(number(summary.get_value((1, c)))),
            dec(&p["stages"][key])
        );
    }
    assert_eq!(round(number(summary.get_value((1, 9)))), dec(&p["total"]));

    let sheet = wb.worksheet_range("kettle").unwrap();
    let formulas = wb.worksheet_formula("kettle").unwrap();
    let lines = 7;
    let t = cfp_verify::exports::workbook::totals_row(lines);
    for (j, key) in GRAVE.iter().enumerate() {
        let r = t + j as u32;
        assert_eq!(sheet.get_value((r, 0)), Some(&Data::String((*key).into())));
        assert_eq!(
            round(number(sheet.get_value((r, 1)))),
            dec(&p["stages"][key])
        );
        assert_eq!(
            round(number(sheet.get_value((r, 2)))),
            dec(&p["per_unit"][key])
        );
        assert_eq!(
            round(number(sheet.get_value((r, 3)))),
            dec(&p["share_pct"][key])
        );
        assert!(
            formulas
                .get_value((r, 1))
                .unwrap()
                .starts_with(&format!("SUMIF(A2:A8,\"{key}\",J2:J8)")),
            "{key}"
        );
    }
    // The output's row (Excel, 1-based): per-unit lines multiply by it, live.
    let output_row = t + 6 + 1 + 1;
    assert_eq!(
        number(sheet.get_value((output_row - 1, 1))),
        Decimal::from(200)
    );
    let formula = |r: u32| formulas.get_value((r, 9)).cloned().unwrap_or_default();
    // Lines: materials, transport, energy, distribution, use, end of life x 2.
    assert_eq!(formula(1), "C2*G2*I2");
    assert_eq!(formula(4), format!("C5*E5*G5*I5*$B${output_row}"));
    assert_eq!(formula(5), format!("C6*G6*I6*$B${output_row}"));
    assert_eq!(formula(6), "C7*G7*I7");
    assert_eq!(formula(7), format!("C8*G8*I8*$B${output_row}"));
    assert_eq!(
        sheet.get_value((0, 10)),
        Some(&Data::String("basis".into()))
    );
    assert_eq!(sheet.get_value((5, 10)), Some(&Data::String("unit".into())));
    // Cached line values, unrounded: use 12 x 0.5703 x 200 = 1368.72; end of life 14 and 150.
    assert_eq!(
        number(sheet.get_value((5, 9))),
        Decimal::from_str("1368.72").unwrap()
    );
    assert_eq!(number(sheet.get_value((6, 9))), Decimal::from(14));
    assert_eq!(number(sheet.get_value((7, 9))), Decimal::from(150));
}

#[test]
fn diff_and_calc_name_the_new_stages_and_per_unit_lines() {
    let text = cfp(&["calc", "tests/fixtures/valid/grave.yaml"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    for want in [
        "distribution",
        "end-of-life",
        "12 kWh per unit",
        "1.5 kg per unit x 500 km",
    ] {
        assert!(text.stdout.contains(want), "{want}\n{}", text.stdout);
    }
    // Drop the use stage's line: diff reports the stage and the line by their keys.
    let old = load("grave");
    let src = std::fs::read_to_string(root().join("tests/fixtures/valid/grave.yaml")).unwrap();
    let dir = folder("boundary", "diff");
    let file = dir.join("grave.yaml");
    std::fs::write(&file, src.replace("quantity: 12 kWh", "quantity: 10 kWh")).unwrap();
    let new = cfp_verify::load(&file).unwrap();
    let d = cfp_verify::exports::diff::diff(&old, &new);
    let figures: Vec<(&str, Option<&str>, Option<&str>)> = d
        .figures
        .iter()
        .map(|f| (f.figure, f.old.as_deref(), f.new.as_deref()))
        .collect();
    // use: 10 x 0.5703 x 200 = 1140.6; total 1885.835 - 228.12 = 1657.715
    assert!(
        figures.contains(&("use", Some("1368.72"), Some("1140.60"))),
        "{figures:?}"
    );
    assert_eq!(d.lines.len(), 1);
    assert_eq!(d.lines[0].stage, "use");
    assert!(
        d.lines[0]
            .new
            .as_deref()
            .unwrap()
            .contains("10 kWh per unit"),
        "{:?}",
        d.lines[0].new
    );
}

#[test]
fn the_report_shows_six_stages_and_the_per_unit_lines() {
    let dir = folder("boundary", "render");
    let pdf = dir.join("grave.pdf");
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/grave.yaml",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = common::poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "从摇篮到坟墓",
        "Cradle to grave",
        "产品分销",
        "Distribution",
        "产品使用",
        "生命末期处置",
        "End of life",
        "12 kWh /台",
        "per unit",
        "Landfill methane",
        "1368.72",
        "1885.84",
    ] {
        assert!(flat.contains(want), "{want} not in the report");
    }
}

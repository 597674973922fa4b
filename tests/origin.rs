//! The origin of emissions: factor `parts` and `removal`, biogenic gas lines and freight by
//! air give the `origin` figures, and the stage figures and total are net of removals.

mod common;

use common::cfp;
use serde_json::{Value, json};

fn calc(file: &str) -> Value {
    let run = cfp(&["calc", "--json", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("calc --json prints JSON")
}

/// Computed apart from the program, in Python with `fractions.Fraction` (AR6):
///
/// ```text
/// steel   = 0.5 t x 2.1 tCO2e/t                = 1050
/// pallets = 200 kg x 0.35 = 70: fossil 200 x 0.30 = 60, biogenic 200 x 0.04 = 8,
///           dluc 200 x 0.01 = 2; removal 200 x 1.6 = 320
/// ctrl    = 50 kg x 20                          = 1000
/// road    = (0.5 t x 200 km + 0.2 t x 50 km) x 0.129 = 110 tkm x 0.129 = 14.19
/// air     = 0.05 t x 2000 km x 1.13             = 113      (aircraft)
/// grid    = 1 MWh x 0.5703 tCO2/MWh             = 570.3
/// CH4     = 2 kgCH4 x 27.0 (non-fossil)         = 54       (biogenic)
///         + 1 kgCH4 x 29.8 (fossil)             = 29.8
/// materials  = 1050 + 70 + 1000 - 320 = 1800; transport = 14.19 + 113 = 127.19
/// production = 570.3 + 54 + 29.8 = 654.1;    total = 2581.29
/// fossil = 1050 + 60 + 1000 + 127.19 + 570.3 + 29.8 = 2837.29; biogenic = 8 + 54 = 62
/// ```
#[test]
fn the_origin_is_separated_and_the_figures_are_net() {
    let v = calc("tests/fixtures/valid/origin.yaml");
    let p = &v["products"][0];
    assert_eq!(
        p["stages"],
        json!({"materials": "1800.00", "transport": "127.19", "production": "654.10"})
    );
    assert_eq!(p["total"], "2581.29");
    assert_eq!(
        p["origin"],
        json!({"fossil": "2837.29", "biogenic": "62.00", "dluc": "2.00",
               "removals": "320.00", "aircraft": "113.00"})
    );
    assert_eq!(p["per_unit"]["total"], "2.58");
}

#[test]
fn without_a_split_there_is_no_origin_key() {
    for file in [
        "samples/chennuo-2023.yaml",
        "tests/fixtures/valid/minimal.yaml",
    ] {
        let v = calc(file);
        for p in v["products"].as_array().unwrap() {
            assert!(p.get("origin").is_none(), "{file}");
        }
    }
}

#[test]
fn freight_by_air_alone_separates_the_origin() {
    // Only the mode changes: the same figures, now documented as aircraft emissions.
    let dir = common::folder("origin", "air");
    let file = dir.join("e.yaml");
    let minimal =
        std::fs::read_to_string(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(&file, minimal.replace("mode: road", "mode: air")).unwrap();
    let v = calc(file.to_str().unwrap());
    let p = &v["products"][0];
    // 0.5 t x 200 km x 0.129 kgCO2e/tkm = 12.9; everything is fossil (no parts).
    assert_eq!(p["origin"]["aircraft"], "12.90");
    assert_eq!(p["origin"]["fossil"], p["total"]);
    assert_eq!(p["origin"]["removals"], "0.00");
}

#[test]
fn a_biogenic_gas_line_under_ar5_keeps_the_one_ch4_value() {
    // AR5 has one CH4 value (28): 2 kgCH4 x 28 = 56, booked as biogenic.
    let dir = common::folder("origin", "ar5");
    let file = dir.join("e.yaml");
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/valid/origin.yaml"))
        .unwrap()
        .replace("gwp: AR6", "gwp: AR5");
    std::fs::write(&file, text).unwrap();
    let v = calc(file.to_str().unwrap());
    assert_eq!(v["products"][0]["origin"]["biogenic"], "64.00", "8 + 56");
}

/// The PDF's text laid out (a table row on one line), white space taken out.
fn pdf_text(file: &str, name: &str) -> String {
    let dir = common::folder("origin", name);
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", file, "-o", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    common::poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_report_shows_emissions_removals_and_net() {
    let text = pdf_text("tests/fixtures/valid/origin.yaml", "pdf");
    for needle in [
        "排放量",
        "EmissionsA",
        "清除量",
        "RemovalsB",
        "净排放量",
        "C=A−B",
        // Materials: 2120 emitted, 320 removed, 1800 net; the totals 2901.29 - 320 = 2581.29.
        "原材料获取2120.00320.001800.001.8069.73",
        "合计2901.29320.002581.292.58100.00",
        "包装箱排放来源与清除量",
        "化石源排放2837.292.84",
        "生物源排放62.000.06",
        "直接土地利用变化排放2.000.00",
        "生物源CO2清除量320.000.32",
        "航空运输排放（已计入上述排放）113.000.11",
        // Steel and the others have no parts.
        "未区分排放来源的排放因子，其排放按化石源排放计。",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    assert!(!text.contains("wasnotseparated:allemissions"));
}

#[test]
fn the_sample_says_the_origin_was_not_separated() {
    let text = pdf_text("samples/chennuo-2023.yaml", "sample");
    assert!(text.contains("排放因子未区分排放来源"));
    assert!(text.contains("Theoriginofemissions(fossil,biogenic,land-usechange)"));
    assert!(!text.contains("RemovalsB"));
}

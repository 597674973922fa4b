//! `calc --xlsx`: read back with calamine; every cached value equals the JSON figures, and
//! the figures are live formulas.

mod common;

use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{cfp, folder};
use rust_decimal::Decimal;
use serde_json::Value;

/// A cell as an exact decimal: the shortest text of its number, parsed as a decimal.
fn decimal(cell: Option<&Data>) -> Decimal {
    match cell {
        Some(Data::Float(f)) => Decimal::from_str(&f.to_string()).expect("a decimal"),
        Some(Data::Int(i)) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

/// Writes the workbook of `file` (`calc --xlsx`) as `name` in a fresh folder `group`.
fn xlsx_of(file: &str, group: &str, name: &str) -> std::path::PathBuf {
    let xlsx = folder("workbook", group).join(name);
    let run = cfp(&["calc", file, "--xlsx", xlsx.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    xlsx
}

fn json_decimal(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().expect("a decimal string")).unwrap()
}

#[test]
fn cached_values_are_the_json_figures_and_formulas_are_live() {
    let xlsx = xlsx_of("samples/chennuo-2023.yaml", "sample", "calc.xlsx");
    let json: Value =
        serde_json::from_str(&cfp(&["calc", "samples/chennuo-2023.yaml", "--json"]).stdout)
            .unwrap();
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "smart-unit", "distribution-box", "Sensitivity"]
    );

    let summary = wb.worksheet_range("Summary").unwrap();
    let rounding = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    for (i, p) in json["products"].as_array().unwrap().iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            summary.get_value((row, 0)),
            Some(&Data::String(p["id"].as_str().unwrap().into()))
        );
        for (col, key) in [(3, "materials"), (4, "transport"), (5, "production")] {
            assert_eq!(
                rounding(decimal(summary.get_value((row, col)))),
                json_decimal(&p["stages"][key]),
                "{key}"
            );
        }
        assert_eq!(
            rounding(decimal(summary.get_value((row, 6)))),
            json_decimal(&p["total"])
        );
        assert_eq!(
            rounding(decimal(summary.get_value((row, 7)))),
            json_decimal(&p["per_unit"]["total"])
        );
    }

    // The first product's sheet: lines, then stage totals, total, output and per unit.
    let sheet = wb.worksheet_range("smart-unit").unwrap();
    let formulas = wb.worksheet_formula("smart-unit").unwrap();
    let p = &json["products"][0];
    let lines = 18; // 1 material, 16 transport, 1 energy
    let t = cfp_verify::exports::workbook::totals_row(lines);
    for (j, key) in ["materials", "transport", "production"].iter().enumerate() {
        let r = t + j as u32;
        assert_eq!(
            rounding(decimal(sheet.get_value((r, 1)))),
            json_decimal(&p["stages"][key]),
            "{key}"
        );
        assert_eq!(
            rounding(decimal(sheet.get_value((r, 2)))),
            json_decimal(&p["per_unit"][key]),
            "{key} per unit"
        );
        assert_eq!(
            rounding(decimal(sheet.get_value((r, 3)))),
            json_decimal(&p["share_pct"][key]),
            "{key} share"
        );
    }
    assert_eq!(
        rounding(decimal(sheet.get_value((t + 3, 1)))),
        json_decimal(&p["total"])
    );
    assert_eq!(
        rounding(decimal(sheet.get_value((t + 5, 1)))),
        json_decimal(&p["per_unit"]["total"])
    );
    // The seed's first transport line: 65 t x 561 km x 0.129 = 4703.985 exactly, cached unrounded.
    assert_eq!(
        decimal(sheet.get_value((2, 9))),
        Decimal::from_str("4703.985").unwrap()
    );
    // Live formulas: a change to an activity moves the line, the stage and the total.
    let formula = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
    assert_eq!(formula(1, 9), "C2*G2*I2");
    assert_eq!(formula(2, 9), "C3*E3*G3*I3");
    assert!(
        formula(t, 1).starts_with("SUMIF(A2:A19,\"materials\",J2:J19)"),
        "{}",
        formula(t, 1)
    );
    assert_eq!(formula(t + 3, 1), format!("SUM(B{}:B{})", t + 1, t + 3));
}

#[test]
fn product_ids_that_collide_as_sheet_names_get_unique_valid_names() {
    // Excel compares sheet names ignoring case, keeps 31 characters and forbids `[]:*?/\`:
    // these ids are distinct, but would give one sheet name twice, or an invalid one.
    let long = "a-very-long-product-identifier-number";
    let ids = ["summary", "Widget", "widget", "x[1]:y*z?"];
    let text = std::fs::read_to_string(common::sample()).unwrap();
    let products = text.find("\nproducts:\n").unwrap();
    let (head, tail) = text.split_at(products);
    // A draft: the copies' findings need not be answered in the findings register.
    let head = head.replacen("status: approved", "status: draft", 1);
    let tail = tail
        .replacen(
            "  - id: smart-unit\n",
            &format!("  - id: \"{}\"\n", ids[0]),
            1,
        )
        .replacen(
            "  - id: distribution-box\n",
            &format!("  - id: \"{}\"\n", ids[1]),
            1,
        )
        // The findings register names the products too.
        .replace(
            "product: smart-unit}",
            &format!("product: \"{}\"}}", ids[0]),
        )
        .replace(
            "product: distribution-box}",
            &format!("product: \"{}\"}}", ids[1]),
        );
    // Two more products: copies of the first under the other ids, and two long ids.
    let first = &tail[tail.find("  - id:").unwrap()..tail.find("  - id: \"Widget\"").unwrap()];
    let mut extra = String::new();
    for id in [ids[2], ids[3], &format!("{long}-1"), &format!("{long}-2")] {
        extra.push_str(&first.replacen("  - id: \"summary\"", &format!("  - id: \"{id}\""), 1));
    }
    let tail = tail.replacen(
        "  - id: \"Widget\"",
        &format!("{extra}  - id: \"Widget\""),
        1,
    );
    let dir = folder("workbook", "collisions");
    let file = dir.join("e.yaml");
    std::fs::write(&file, format!("{head}{tail}")).unwrap();
    let xlsx = dir.join("calc.xlsx");
    let run = cfp(&[
        "calc",
        file.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value =
        serde_json::from_str(&cfp(&["calc", file.to_str().unwrap(), "--json"]).stdout).unwrap();
    let order: Vec<&str> = json["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "summary",
            "widget",
            "x[1]:y*z?",
            "a-very-long-product-identifier-number-1",
            "a-very-long-product-identifier-number-2",
            "Widget"
        ]
    );
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheets = [
        "summary~2",
        "widget",
        "x-1--y-z-",
        "a-very-long-product-identifier-",
        "a-very-long-product-identifie~2",
        "Widget~2",
    ];
    let mut expected = vec!["Summary"];
    expected.extend(sheets);
    expected.push("Sensitivity");
    assert_eq!(wb.sheet_names(), expected);
    let summary = wb.worksheet_range("Summary").unwrap();
    let rounding = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    for (i, (p, sheet)) in json["products"]
        .as_array()
        .unwrap()
        .iter()
        .zip(sheets)
        .enumerate()
    {
        let row = i as u32 + 1;
        // The summary row names the product and links to its own sheet.
        assert_eq!(
            summary.get_value((row, 0)),
            Some(&Data::String(p["id"].as_str().unwrap().into()))
        );
        assert_eq!(
            rounding(decimal(summary.get_value((row, 6)))),
            json_decimal(&p["total"]),
            "{sheet}"
        );
        // The product's sheet has its lines, then the totals block.
        let range = wb.worksheet_range(sheet).unwrap();
        let total = (0..range.height() as u32)
            .find(|&r| range.get_value((r, 0)) == Some(&Data::String("total".into())))
            .expect("a total row");
        assert_eq!(
            rounding(decimal(range.get_value((total, 1)))),
            json_decimal(&p["total"]),
            "{sheet}"
        );
        let t = total - 3;
        let formulas = wb.worksheet_formula("Summary").unwrap();
        assert_eq!(
            formulas.get_value((row, 6)).cloned().unwrap_or_default(),
            format!("'{sheet}'!B{}", t + 4),
            "{sheet}"
        );
    }
}

#[test]
fn removals_have_their_own_column_and_the_stages_are_net() {
    let xlsx = xlsx_of("tests/fixtures/valid/origin.yaml", "origin", "calc.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("crate").unwrap();
    let formulas = wb.worksheet_formula("crate").unwrap();
    let formula = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
    // The pallets (second line): 200 kg x 1.6 kgCO2e/kg taken up = 320.
    assert_eq!(formula(2, 10), "C3*1.6*I3");
    assert_eq!(decimal(sheet.get_value((2, 10))), Decimal::from(320));
    // Materials: 1050 + 70 + 1000 emitted, less 320 = 1800 (tests/origin.rs).
    let t = cfp_verify::exports::workbook::totals_row(9);
    assert_eq!(decimal(sheet.get_value((t, 1))), Decimal::from(1800));
    assert_eq!(
        formula(t, 1),
        "SUMIF(A2:A10,\"materials\",J2:J10)-SUMIF(A2:A10,\"materials\",K2:K10)"
    );
}

/// A cell as text (empty for an empty cell).
fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        None | Some(Data::Empty) => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

/// Reads `file`'s sensitivity sheet and checks every row against `calc --json`: the inputs
/// with their contributions and totals at ±10% (rounded as the JSON rounds, two places),
/// then the Monte Carlo block. Returns the sheet for more checks.
fn sensitivity_matches_json(file: &str, name: &str) -> (calamine::Range<Data>, Value) {
    let xlsx = xlsx_of(file, name, "calc.xlsx");
    let json: Value = serde_json::from_str(&cfp(&["calc", file, "--json"]).stdout).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(wb.sheet_names().last().unwrap(), "Sensitivity");
    let sheet = wb.worksheet_range("Sensitivity").unwrap();
    let rounding = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let figure = |r: u32, c: u32| rounding(decimal(sheet.get_value((r, c))));
    assert_eq!(text(sheet.get_value((0, 0))), "product");
    assert_eq!(text(sheet.get_value((0, 6))), "total at +10% kgCO2e");
    let mut row = 1;
    for p in json["products"].as_array().unwrap() {
        let rows = p["sensitivity"].as_array().unwrap();
        assert!(!rows.is_empty(), "{}", p["id"]);
        for s in rows {
            assert_eq!(text(sheet.get_value((row, 0))), p["id"].as_str().unwrap());
            // Both name a freight line with its supplier, the JSON in full-width brackets.
            let brackets = |t: &str| t.replace('（', " (").replace('）', ")");
            let input = text(sheet.get_value((row, 1)));
            assert_eq!(brackets(&input), brackets(s["input"].as_str().unwrap()));
            let kind = match s["kind"].as_str().unwrap() {
                "activity" => "activity data",
                _ => "emission factor",
            };
            assert_eq!(text(sheet.get_value((row, 2))), kind);
            assert_eq!(
                text(sheet.get_value((row, 3))),
                s["stage"].as_str().unwrap_or_default()
            );
            assert_eq!(figure(row, 4), json_decimal(&s["contribution"]), "{input}");
            assert_eq!(figure(row, 5), json_decimal(&s["minus_10"]), "{input}");
            assert_eq!(figure(row, 6), json_decimal(&s["plus_10"]), "{input}");
            row += 1;
        }
    }
    // A blank row, the block's title and its header.
    assert_eq!(text(sheet.get_value((row, 0))), "");
    assert_eq!(text(sheet.get_value((row + 1, 0))), "Monte Carlo");
    assert_eq!(text(sheet.get_value((row + 2, 6))), "high");
    row += 3;
    for p in json["products"].as_array().unwrap() {
        let u = &p["uncertainty"];
        let id = p["id"].as_str().unwrap();
        for (label, key) in [("total kgCO2e", "total"), ("per unit kgCO2e", "per_unit")] {
            assert_eq!(text(sheet.get_value((row, 0))), id);
            assert_eq!(text(sheet.get_value((row, 1))), label);
            for (c, stat) in ["mean", "median", "sd", "low", "high"].iter().enumerate() {
                assert_eq!(
                    figure(row, 2 + c as u32),
                    json_decimal(&u[key][stat]),
                    "{id} {key} {stat}"
                );
            }
            row += 1;
        }
        let confidence = u["confidence"].as_str().unwrap().trim_end_matches('%');
        let iterations = u["iterations"].as_u64().unwrap().to_string();
        for (label, want) in [
            ("confidence %", confidence),
            ("iterations", iterations.as_str()),
            ("Approach 1 ±%", u["approach1_pct"].as_str().unwrap()),
            (
                "exact lines % of emissions",
                u["exact_share_pct"].as_str().unwrap(),
            ),
        ] {
            assert_eq!(text(sheet.get_value((row, 1))), label, "{id}");
            assert_eq!(
                figure(row, 2),
                Decimal::from_str(want).unwrap(),
                "{id} {label}"
            );
            row += 1;
        }
        for name in u["exact_inputs"].as_array().unwrap() {
            assert_eq!(text(sheet.get_value((row, 0))), id);
            assert_eq!(text(sheet.get_value((row, 1))), "exact line");
            let line = text(sheet.get_value((row, 2)));
            assert!(line.starts_with(name.as_str().unwrap()), "{line} / {name}");
            row += 1;
        }
    }
    assert_eq!(
        row as usize,
        sheet.height(),
        "nothing after the last product"
    );
    (sheet, json)
}

#[test]
fn the_sensitivity_sheet_has_the_json_figures_and_the_monte_carlo_block() {
    let (sheet, json) = sensitivity_matches_json("samples/chennuo-2023.yaml", "sensitivity");
    // The largest input: the 18 t lorry's factor, 67318.57 kgCO2e of 116767.89; a tenth of
    // it either way, cached exactly.
    assert_eq!(
        text(sheet.get_value((1, 1))),
        "重型柴油货车运输（载重 18 t）"
    );
    assert_eq!(text(sheet.get_value((1, 3))), "transport");
    assert_eq!(
        json["products"][0]["sensitivity"][0]["plus_10"],
        "123499.74"
    );
    // A freight line is named with its supplier, as in `diff`.
    let names: Vec<String> = (1..sheet.height() as u32)
        .map(|r| text(sheet.get_value((r, 1))))
        .collect();
    assert!(names.iter().any(|n| n == "散件 (浙江万伏)"), "{names:?}");

    // The study sample: a factor over several stages has no stage, and two lines are exact.
    let (sheet, json) = sensitivity_matches_json("samples/kettle-2024.yaml", "sensitivity-kettle");
    assert_eq!(json["products"][0]["sensitivity"][0]["stage"], Value::Null);
    assert_eq!(text(sheet.get_value((1, 3))), "");
    assert_eq!(
        json["products"][0]["uncertainty"]["exact_inputs"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_totals_at_ten_percent_are_live_formulas_on_the_product_sheet() {
    let xlsx = xlsx_of(
        "samples/chennuo-2023.yaml",
        "sensitivity-formulas",
        "calc.xlsx",
    );
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let formulas = wb.worksheet_formula("Sensitivity").unwrap();
    let formula = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
    // smart-unit's total: the row after its three stages (1-based).
    let total = cfp_verify::exports::workbook::totals_row(18) + 3 + 1;
    assert_eq!(formula(1, 5), format!("'smart-unit'!B{total}-E2/10"));
    assert_eq!(formula(1, 6), format!("'smart-unit'!B{total}+E2/10"));
    let sheet = wb.worksheet_range("Sensitivity").unwrap();
    // 116767.89 - 6731.857 (unrounded: the figures are cached exactly).
    let minus = decimal(sheet.get_value((1, 5)));
    assert_eq!(
        minus.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        Decimal::from_str("110036.03").unwrap()
    );
}

#[test]
fn the_same_file_gives_the_same_bytes() {
    // The workbook's creation date is the report's date of issue, not the time of the run.
    let bytes = |name: &str| {
        std::fs::read(xlsx_of("samples/chennuo-2023.yaml", "deterministic", name)).unwrap()
    };
    let first = bytes("a.xlsx");
    // Excel's timestamps are to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(first == bytes("b.xlsx"), "two runs differ");
}

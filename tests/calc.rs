//! The figures: the spec's table for the seed, exact conversions, rounding modes.

mod common;

use common::{assert_golden, cfp, root, sample_with};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let run = cfp(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("calc --json prints JSON")
}

#[test]
fn seed_figures_are_the_specs() {
    let v = json(&["calc", "--json", "samples/chennuo-2023.yaml"]);
    let p = &v["products"];
    let expected = [
        // id, output, stages, total, per unit, per unit total, shares, score
        (
            "smart-unit",
            "10567",
            ["42900.00", "67318.57", "6549.31"],
            "116767.89",
            ["4.06", "6.37", "0.62"],
            "11.05",
            ["36.74", "57.65", "5.61"],
            "4.30",
        ),
        (
            "distribution-box",
            "328",
            ["560.00", "349.56", "203.29"],
            "1112.84",
            ["1.71", "1.07", "0.62"],
            "3.39",
            ["50.32", "31.41", "18.27"],
            "4.52",
        ),
    ];
    for (i, (id, output, stages, total, per_unit, per_unit_total, shares, score)) in
        expected.iter().enumerate()
    {
        let q = &p[i];
        assert_eq!(q["id"], *id);
        assert_eq!(q["output"], *output);
        for (j, stage) in ["materials", "transport", "production"].iter().enumerate() {
            assert_eq!(q["stages"][stage], stages[j], "{id} {stage}");
            assert_eq!(q["per_unit"][stage], per_unit[j], "{id} {stage} per unit");
            assert_eq!(q["share_pct"][stage], shares[j], "{id} {stage} share");
        }
        assert_eq!(q["total"], *total);
        assert_eq!(q["per_unit"]["total"], *per_unit_total);
        assert_eq!(q["data_quality"]["score"], *score);
        assert_eq!(q["data_quality"]["grade"], 2);
    }
    // The seed's printed period total leaves out the materials stage: material.
    let rec = &p[0]["reconciliation"][0];
    assert_eq!(rec["figure"], "total");
    assert_eq!(rec["claimed"], "73867.89");
    assert_eq!(rec["computed"], "116767.89");
    assert_eq!(rec["difference_pct"], "-36.74");
    assert_eq!(rec["material"], true);
    assert_eq!(p[0]["reconciliation"][1]["material"], false);
    assert_eq!(p[1]["reconciliation"][0]["material"], false);
    assert_eq!(p[1]["reconciliation"][1]["material"], false);
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"material-misstatement"), "{codes:?}");
}

#[test]
fn results_json_keys_are_the_specs() {
    let v = json(&["calc", "--json", "samples/chennuo-2023.yaml"]);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    // `opinion` only because the sample has a `verification` section.
    // The contract's keys in its order; the results' own description (added keys) before
    // the products.
    assert_eq!(
        keys(&v),
        [
            "format",
            "results_format",
            "report",
            "units",
            "rounding",
            "products",
            "opinion",
            "warnings"
        ]
    );
    assert_eq!(v["results_format"], "cfp-verify-results/1");
    assert_eq!(
        v["report"],
        serde_json::json!({"number": "JZNT-CFP-2024-003", "revision": 1})
    );
    assert_eq!(
        v["rounding"],
        serde_json::json!({"mode": "half-up", "places": 2})
    );
    assert_eq!(v["units"]["emissions"], "kgCO2e");
    assert_eq!(
        keys(&json(&[
            "calc",
            "--json",
            "tests/fixtures/valid/minimal.yaml"
        ])),
        [
            "format",
            "results_format",
            "report",
            "units",
            "rounding",
            "products",
            "warnings"
        ]
    );
    assert_eq!(keys(&v["opinion"]), ["type", "assurance", "open_findings"]);
    assert_eq!(v["format"], "cfp-verify/1");
    let p = &v["products"][0];
    assert_eq!(
        keys(p),
        [
            "id",
            "output",
            "stages",
            "total",
            "per_unit",
            "share_pct",
            "data_quality",
            "reconciliation",
            // The sample asks for a Monte Carlo analysis; sensitivity is always given.
            "uncertainty",
            "sensitivity"
        ]
    );
    assert_eq!(
        keys(&p["uncertainty"]),
        [
            "confidence",
            "iterations",
            "total",
            "per_unit",
            "approach1_pct",
            "exact_inputs",
            "exact_share_pct"
        ]
    );
    assert_eq!(
        keys(&p["uncertainty"]["total"]),
        ["mean", "median", "sd", "low", "high"]
    );
    assert_eq!(
        keys(&p["sensitivity"][0]),
        [
            "input",
            "kind",
            "factor",
            "stage",
            "contribution",
            "minus_10",
            "plus_10"
        ]
    );
    assert_eq!(keys(&p["stages"]), ["materials", "transport", "production"]);
    assert_eq!(
        keys(&p["per_unit"]),
        ["materials", "transport", "production", "total"]
    );
    assert_eq!(keys(&p["data_quality"]), ["score", "grade"]);
    assert_eq!(
        keys(&p["reconciliation"][0]),
        [
            "figure",
            "claimed",
            "computed",
            "difference_pct",
            "material"
        ]
    );
    // `code` and `message` first, as they always were; then the additions.
    assert_eq!(
        keys(&v["warnings"][0]),
        ["code", "message", "messages", "product", "figures"]
    );
}

#[test]
fn results_json_matches_the_golden_files() {
    for (input, golden) in [
        (
            "samples/chennuo-2023.yaml",
            "tests/golden/chennuo-2023.json",
        ),
        (
            "tests/fixtures/valid/minimal.yaml",
            "tests/golden/minimal.json",
        ),
    ] {
        let run = cfp(&["calc", "--json", input]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_golden(&root().join(golden), &run.stdout);
    }
}

#[test]
fn conversions_are_exact() {
    // 500 kg x 2.1 tCO2e/t; 0.5 t x 200 km x 0.129 kgCO2e/tkm; 3600 MJ = 1 MWh x 0.5703
    // tCO2/MWh; 100 GJ x 1 kgCH4/GJ x 28 (AR5); 0.2 kgSF6 x 23500 (AR5).
    let v = json(&["calc", "--json", "tests/fixtures/valid/minimal.yaml"]);
    let p = &v["products"][0];
    assert_eq!(p["stages"]["materials"], "1050.00");
    assert_eq!(p["stages"]["transport"], "12.90");
    assert_eq!(p["stages"]["production"], "8070.30");
    assert_eq!(p["total"], "9133.20");
    assert_eq!(p["data_quality"]["score"], "2.56");
    assert_eq!(p["data_quality"]["grade"], 4);
    assert_eq!(p["reconciliation"][0]["claimed"], "9100.00");
}

#[test]
fn gwp_sets_change_process_emissions() {
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gwp");
    std::fs::create_dir_all(&dir).unwrap();
    // Production: 570.3 (grid) + 100 kgCH4 x GWP + 0.2 kgSF6 x GWP.
    for (set, production) in [("AR4", "7630.30"), ("AR5", "8070.30"), ("AR6", "8590.30")] {
        let file = dir.join(format!("{set}.yaml"));
        std::fs::write(&file, minimal.replace("gwp: AR5", &format!("gwp: {set}"))).unwrap();
        let v = json(&["calc", "--json", file.to_str().unwrap()]);
        assert_eq!(
            v["products"][0]["stages"]["production"], production,
            "{set}"
        );
    }
}

#[test]
fn exact_halves_round_by_the_mode() {
    // One transport line of 1 t x 1 km x 0.125 kgCO2e/tkm = 0.125 kgCO2e exactly.
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let halves = minimal
        .replace(
            "distance: 200 km, mass: 500 kg",
            "distance: 1 km, mass: 1 t",
        )
        .replace("value: 0.129 kgCO2e/tkm", "value: 0.125 kgCO2e/tkm");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("halves");
    std::fs::create_dir_all(&dir).unwrap();
    for (mode, expected) in [("half-up", "0.13"), ("half-even", "0.12")] {
        let file = dir.join(format!("{mode}.yaml"));
        let text = halves.replace(
            "  gwp: AR5\n",
            &format!("  gwp: AR5\n  rounding: {{mode: {mode}, places: 2}}\n"),
        );
        std::fs::write(&file, text).unwrap();
        let v = json(&["calc", "--json", file.to_str().unwrap()]);
        assert_eq!(v["products"][0]["stages"]["transport"], expected, "{mode}");
    }
    // The seed's first transport line, 65 t x 561 km x 0.129 = 4703.985, in the table.
    let dir2 = dir.join("seed");
    std::fs::create_dir_all(&dir2).unwrap();
    for (mode, expected) in [("half-up", "4703.99"), ("half-even", "4703.98")] {
        let file = dir2.join(format!("{mode}.yaml"));
        std::fs::write(
            &file,
            sample_with("mode: half-up", &format!("mode: {mode}")),
        )
        .unwrap();
        let run = cfp(&["calc", file.to_str().unwrap()]);
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains("transport[0]"))
            .unwrap();
        assert!(line.contains(expected), "{mode}: {line}");
    }
}

#[test]
fn calc_prints_every_figure_as_a_table() {
    let run = cfp(&["calc", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for needle in [
        "智能配电装置 (smart-unit), output 10567 台",
        "116767.89",
        "11.05",
        "36.74",
        "data quality 4.30 (grade 2)",
        "data quality 4.52 (grade 2)",
        "claimed total 73867.89 kgCO2e, verified 116767.89: difference -36.74%, MATERIAL MISSTATEMENT (5%)",
        "4703.99",
        "42900.00",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in\n{out}");
    }
}

#[test]
fn check_lists_the_findings_in_both_languages() {
    let run = cfp(&["check", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for needle in [
        "samples/chennuo-2023.yaml:301:14: products[0].claimed.total: warning[material-misstatement]:",
        "声明的产品碳足迹总量 73867.89 kgCO2e 与核查值 116767.89 kgCO2e 相差 -36.74%",
        "by -36.74%, beyond the materiality threshold of 5%: a material misstatement.",
        "warning[transport-without-acquisition]",
        "真空开关管、壳体、互感器、绝缘件、弹簧机构、散件、瓷瓶",
        "the rounded per-unit figures add up to 3.40, the rounded total is 3.39",
        "16 lines of the stage “Raw material transport” give the emission factor score 3, but the category of the factor “Road freight, heavy diesel truck (18 t payload)” (national factor) implies 2.",
        "warning[old-factor]",
        "warning[claims-inconsistent]",
        "the claimed total of 73867.89 kgCO2e divided by the output is 6.99 kgCO2e per unit, but the claimed figure per unit is 11.05 kgCO2e",
        "valid: 2 products, 14 findings",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in\n{out}");
    }
}

#[test]
fn results_json_warnings_carry_both_languages_and_the_figures() {
    let run = cfp(&["calc", "--json", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let w = &v["warnings"][0];
    assert_eq!(w["code"], "material-misstatement");
    assert_eq!(w["message"], w["messages"]["en"]);
    assert!(
        w["messages"]["zh"]
            .as_str()
            .unwrap()
            .starts_with("智能配电装置：声明的产品碳足迹总量 73867.89 kgCO2e")
    );
    assert_eq!(w["product"], "smart-unit");
    let f = &w["figures"];
    assert_eq!(f["figure"], "total");
    assert_eq!(f["claimed"], "73867.89");
    assert_eq!(f["computed"], "116767.89");
    assert_eq!(f["difference"], "-36.74");
    assert_eq!(f["threshold"], "5");
    let old = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "old-factor")
        .unwrap();
    assert_eq!(old["factor"], "cable");
    assert_eq!(old["figures"]["year"], "2005");
    assert_eq!(old["figures"]["age"], "18");
}

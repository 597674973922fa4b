//! Uncertainty and sensitivity: the Monte Carlo figures against closed forms (within their
//! own sampling error), IPCC Approach 1, the ±10% sensitivity, the findings, the
//! reproducibility of the stream, and the errors of badly written uncertainties.
//!
//! Closed forms, computed independently (Python, `math`), are shown beside the figures.

mod common;

use std::str::FromStr;

use common::{cfp, folder, root};
use rust_decimal::Decimal;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/valid/uncertainty.yaml";

fn json_of(file: &str) -> Value {
    let run = cfp(&["calc", "--json", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("calc --json prints JSON")
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("{v} is a decimal string")),
    )
    .unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Asserts `|actual − expected| <= tolerance`, all written as decimals.
fn near(what: &str, actual: &Value, expected: &str, tolerance: &str) {
    let (a, e, t) = (
        dec(actual),
        Decimal::from_str(expected).unwrap(),
        Decimal::from_str(tolerance).unwrap(),
    );
    assert!((a - e).abs() <= t, "{what}: {a} is not within {t} of {e}");
}

/// Writes the fixture with each `(find, replace)` applied once, to a fresh folder.
fn fixture_with(name: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(root().join(FIXTURE)).unwrap();
    for (find, replace) in edits {
        assert!(text.contains(find), "the fixture has no `{find}`");
        text = text.replacen(find, replace, 1);
    }
    let file = folder("uncertainty", name).join(format!("{name}.yaml"));
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

/// Writes `text` as `name` in a fresh folder and runs `check` on it, which must fail; its
/// problems.
fn check_fails(name: &str, text: &str) -> String {
    let file = folder("uncertainty", name).join(format!("{name}.yaml"));
    std::fs::write(&file, text).unwrap();
    let run = cfp(&["check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{name} is an error:\n{}", run.stderr);
    run.stderr
}

#[test]
fn three_lines_with_normal_factors_match_the_closed_form() {
    let json = json_of(FIXTURE);
    let p = &json["products"][0];
    assert_eq!(p["total"], "1000.00");
    let u = &p["uncertainty"];
    assert_eq!(u["confidence"], "95%");
    assert_eq!(u["iterations"], 20000);
    // sd = sqrt(50² + 80²) / 1.96 = 48.1326; the 95% interval is 1000 ± 1.95996 sd.
    // Sampling errors at n = 20000 (4 of each): mean 4 × 48.13/√n = 1.36; sd 4 × sd/√(2n)
    // = 0.96; median 4 × √(0.25/n)/φ(0) × sd = 1.71; the 2.5% and 97.5% quantiles
    // 4 × √(0.025 × 0.975/n)/φ(1.96) × sd = 3.64.
    let t = &u["total"];
    near("mean", &t["mean"], "1000", "1.36");
    near("median", &t["median"], "1000", "1.71");
    near("sd", &t["sd"], "48.13", "0.96");
    near("low", &t["low"], "905.66", "3.64");
    near("high", &t["high"], "1094.34", "3.64");
    // Per functional unit: the same over the output of 100.
    near("per-unit mean", &u["per_unit"]["mean"], "10", "0.0136");
    near("per-unit low", &u["per_unit"]["low"], "9.0566", "0.0364");
    // IPCC Approach 1: √(50² + 80²) / 1000 = 9.434%.
    assert_eq!(u["approach1_pct"], "9.43");
    // The exact third line makes up 10% of the emissions, above 5%: a finding.
    assert_eq!(u["exact_inputs"], serde_json::json!(["丙线电力"]));
    assert_eq!(u["exact_share_pct"], "10.00");
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["uncertainty-exact-inputs"]);
    let w = &json["warnings"][0];
    assert_eq!(w["product"], "widget");
    assert_eq!(w["figures"]["share"], "10.00");
    assert_eq!(w["figures"]["limit"], "5");
    assert!(
        w["messages"]["en"]
            .as_str()
            .unwrap()
            .contains("Line C electricity has no uncertainty"),
        "{w}"
    );
}

#[test]
fn sensitivity_moves_each_input_by_a_tenth_of_its_contribution() {
    let json = json_of(FIXTURE);
    let rows = json["products"][0]["sensitivity"].as_array().unwrap();
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["input"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["contribution"].as_str().unwrap(),
                r["minus_10"].as_str().unwrap(),
                r["plus_10"].as_str().unwrap(),
            )
        })
        .collect();
    // Largest first, the line before its factor; every input here is above 1%.
    assert_eq!(
        got,
        [
            ("甲线电力", "activity", "500.00", "950.00", "1050.00"),
            ("甲电力因子", "factor", "500.00", "950.00", "1050.00"),
            ("乙线电力", "activity", "400.00", "960.00", "1040.00"),
            ("乙电力因子", "factor", "400.00", "960.00", "1040.00"),
            ("丙线电力", "activity", "100.00", "990.00", "1010.00"),
            ("丙电力因子", "factor", "100.00", "990.00", "1010.00"),
        ]
    );
    assert_eq!(rows[1]["factor"], "power-a");
    assert_eq!(rows[0]["stage"], "production");
}

#[test]
fn inputs_below_one_percent_are_left_out_of_the_sensitivity() {
    // Line C at 9 kWh: 0.9 kgCO2e of 900.9, just under 1%; at 10 kWh exactly 1/91 > 1%.
    let file = fixture_with(
        "floor",
        &[(
            "quantity: 1000 kWh, factor: power-c",
            "quantity: 9 kWh, factor: power-c",
        )],
    );
    let json = json_of(&file);
    let names: Vec<&str> = json["products"][0]["sensitivity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲线电力", "甲电力因子", "乙线电力", "乙电力因子"]);
}

/// The fixture reduced to one line of 1000 kgCO2e (2000 kWh at 0.5 kgCO2e/kWh) whose factor
/// has the uncertainty `spread`; the other two lines are zero.
fn one_line(name: &str, spread: &str) -> String {
    fixture_with(
        name,
        &[
            ("uncertainty: \"±10%\"", &format!("uncertainty: {spread}")),
            ("value: 0.4 kgCO2e/kWh", "value: 0 kgCO2e/kWh"),
            ("value: 0.1 kgCO2e/kWh", "value: 0 kgCO2e/kWh"),
            ("uncertainty: \"±20%\"", ""),
            (
                "quantity: 1000 kWh, factor: power-a",
                "quantity: 2000 kWh, factor: power-a",
            ),
        ],
    )
}

#[test]
fn a_lognormal_factor_matches_its_analytic_quantiles() {
    // One line of 1000 kgCO2e whose factor has a GSD of 1.2 (σ = ln 1.2 = 0.18232): median
    // 1000, 95% interval 1000 × 1.2^∓1.95996 = 699.53 to 1429.53, mean 1000 × e^(σ²/2) =
    // 1016.76, sd 186.93. Sampling errors (4 of each, n = 20000): the quantiles 1.38% in
    // log space, the median 0.65%, the mean 4 × 186.93/√n = 5.29.
    let file = one_line("lognormal", "{lognormal: 1.2}");
    let json = json_of(&file);
    let p = &json["products"][0];
    assert_eq!(p["total"], "1000.00");
    let t = &p["uncertainty"]["total"];
    near("median", &t["median"], "1000", "6.5");
    near("low", &t["low"], "699.53", "9.7");
    near("high", &t["high"], "1429.53", "19.8");
    near("mean", &t["mean"], "1016.76", "5.29");
    near("sd", &t["sd"], "186.93", "8");
    // Approach 1 takes 1.96 standard deviations: 1.96 × 186.93 / 1000 = 36.64%.
    assert_eq!(p["uncertainty"]["approach1_pct"], "36.64");
}

#[test]
fn the_same_file_gives_the_same_figures_and_another_file_another_stream() {
    let a = cfp(&["calc", "--json", FIXTURE]);
    let b = cfp(&["calc", "--json", FIXTURE]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    // A comment changes the file's bytes, hence the seed: other draws, the same exact total.
    let other = fixture_with(
        "comment",
        &[("format: cfp-verify/1", "format: cfp-verify/1\n# reseeded")],
    );
    let c = json_of(&other);
    let a: Value = serde_json::from_str(&a.stdout).unwrap();
    assert_eq!(c["products"][0]["total"], a["products"][0]["total"]);
    let (ua, uc) = (
        &a["products"][0]["uncertainty"]["total"],
        &c["products"][0]["uncertainty"]["total"],
    );
    assert_ne!(ua["mean"], uc["mean"]);
    assert_ne!(ua["low"], uc["low"]);
    // Still within sampling error of the closed form.
    near("mean", &uc["mean"], "1000", "1.36");
}

#[test]
fn the_same_file_renders_the_same_pdf_bytes() {
    let dir = folder("uncertainty", "bytes");
    let pdf = |name: &str| {
        let out = dir.join(name);
        let run = cfp(&["render", FIXTURE, "--output", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        std::fs::read(out).unwrap()
    };
    assert!(pdf("a.pdf") == pdf("b.pdf"), "two renders differ");
}

/// A tiny deterministic generator for the property test's figures.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[test]
fn with_every_uncertainty_at_zero_the_interval_is_the_exact_total() {
    let zeros = [
        "\"±0%\"",
        "{lognormal: 1}",
        "{triangular: {min: \"0%\", max: \"0%\"}}",
        "{uniform: {min: \"-0%\", max: \"+0%\"}}",
    ];
    let mut rng = Lcg(0x5eed);
    for case in 0..12 {
        let spread = |rng: &mut Lcg| zeros[rng.next(4) as usize];
        let (a, b, c) = (spread(&mut rng), spread(&mut rng), spread(&mut rng));
        let q = |rng: &mut Lcg| format!("{}.{:03} kWh", rng.next(100_000), rng.next(1000));
        let (qa, qb, qc) = (q(&mut rng), q(&mut rng), q(&mut rng));
        let line_c = format!("quantity: {qc}, factor: power-c, uncertainty: {c}");
        let file = fixture_with(
            &format!("zero-{case}"),
            &[
                ("uncertainty: \"±10%\"", &format!("uncertainty: {a}")),
                ("uncertainty: \"±20%\"", &format!("uncertainty: {b}")),
                (
                    "quantity: 1000 kWh, factor: power-a",
                    &format!("quantity: {qa}, factor: power-a, uncertainty: {b}"),
                ),
                (
                    "quantity: 1000 kWh, factor: power-b",
                    &format!("quantity: {qb}, factor: power-b"),
                ),
                ("quantity: 1000 kWh, factor: power-c", &line_c),
                ("output: 100", &format!("output: {}", 1 + rng.next(5000))),
            ],
        );
        let json = json_of(&file);
        let p = &json["products"][0];
        let u = &p["uncertainty"];
        for key in ["mean", "median", "low", "high"] {
            assert_eq!(
                u["total"][key], p["total"],
                "case {case} ({file}): total {key}"
            );
            assert_eq!(
                u["per_unit"][key], p["per_unit"]["total"],
                "case {case}: per-unit {key}"
            );
        }
        assert_eq!(u["total"]["sd"], "0.00", "case {case}");
        assert_eq!(u["exact_inputs"], serde_json::json!([]), "case {case}");
        if p["total"] != "0.00" {
            assert_eq!(u["approach1_pct"], "0.00", "case {case}");
        }
    }
}

#[test]
fn a_file_without_monte_carlo_has_sensitivity_but_no_uncertainty() {
    let json = json_of("tests/fixtures/valid/minimal.yaml");
    let p = &json["products"][0];
    assert!(p.get("uncertainty").is_none(), "{p}");
    assert!(!p["sensitivity"].as_array().unwrap().is_empty());
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.iter().any(|c| c.starts_with("uncertainty")),
        "{codes:?}"
    );
}

#[test]
fn a_shared_item_is_drawn_once_for_every_product() {
    // The study sample: the site electricity (±2%) and the grid factor (±5%) are shared by
    // both products. Drawn once per iteration, the products move together; the sample's
    // intervals are reproducible figures, pinned here.
    let a = json_of("samples/kettle-2024.yaml");
    let b = json_of("samples/kettle-2024.yaml");
    assert_eq!(a, b);
    for p in a["products"].as_array().unwrap() {
        let u = &p["uncertainty"];
        assert!(dec(&u["total"]["low"]) < dec(&p["total"]));
        assert!(dec(&u["total"]["high"]) > dec(&p["total"]));
    }
}

/// Each badly written uncertainty, and the one line `check` prints about it.
#[test]
fn badly_written_uncertainties_are_located_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "\"±10%\"",
            "{lognormal: 0.9}",
            ":45:30: factors.power-a.uncertainty.lognormal: a geometric standard deviation of 0.9: it is 1 or more",
        ),
        (
            "\"±10%\"",
            "{triangular: {min: \"+10%\", max: \"-5%\"}}",
            ":45:19: factors.power-a.uncertainty.triangular: `min` (+10%) is above `max` (-5%)",
        ),
        (
            "\"±10%\"",
            "{uniform: {min: \"-120%\", max: \"+10%\"}}",
            ":45:34: factors.power-a.uncertainty.uniform.min: `min` (-120%) makes the amount negative, which it cannot be",
        ),
        (
            "\"±10%\"",
            "{triangular: {min: \"+5%\", max: \"+10%\"}}",
            ":45:19: factors.power-a.uncertainty.triangular: the value as written lies outside the range `min` (+5%) to `max` (+10%)",
        ),
        (
            "\"±10%\"",
            "{triangular: {min: 0.52 kgCO2e/kWh, max: 0.6 kgCO2e/kWh}}",
            "the value as written lies outside the range `min` (0.52 kgCO2e/kWh, +4% of the value) to `max` (0.6 kgCO2e/kWh, +20% of the value)",
        ),
        (
            "\"±10%\"",
            "{triangular: {min: 0.45 kgCO2e/kg, max: 0.6 kgCO2e/kWh}}",
            ":45:37: factors.power-a.uncertainty.triangular.min: `0.45 kgCO2e/kg` is in kgCO2e/kg, but the factor is in kgCO2e/kWh",
        ),
        (
            "\"±10%\"",
            "{lognormla: 1.2}",
            ":45:5: factors.power-a.uncertainty: unknown distribution `lognormla`",
        ),
        (
            "\"±10%\"",
            "{gamma: 2}",
            "factors.power-a.uncertainty: unknown distribution `gamma`",
        ),
        (
            "\"±10%\"",
            "\"±120%\"",
            ":45:18: factors.power-a.uncertainty: `±120%` puts values below zero inside the 95% interval",
        ),
        (
            "\"±10%\"",
            "\"10%\"",
            "factors.power-a.uncertainty: `10%` is not an uncertainty",
        ),
        (
            "\"±10%\"",
            "[1, 2]",
            "factors.power-a.uncertainty: expected an uncertainty, found a list",
        ),
        (
            "\"±10%\"",
            "{triangular: {min: \"-10%\"}}",
            "factors.power-a.uncertainty.triangular.max: missing required key `max`",
        ),
        (
            "iterations: 20000",
            "iterations: 10",
            ":22:29: engagement.uncertainty.iterations: 10 iterations: from 100 to 1000000",
        ),
        (
            "confidence: \"95%\"",
            "confidence: \"100%\"",
            "engagement.uncertainty.confidence: a confidence of `100%`: it lies strictly between 0% and 100%",
        ),
        (
            "quantity: 1000 kWh, factor: power-b,",
            "quantity: 1000 kWh, factor: power-b, uncertainty: {uniform: {min: 900 kWh, max: 1000 t}},",
            "products[0].energy[1].uncertainty.uniform.max: `1000 t` is a mass, but the quantity (1000 kWh) is an energy",
        ),
    ];
    for (i, (find, replace, expected)) in cases.iter().enumerate() {
        let file = fixture_with(&format!("bad-{i}"), &[(find, replace)]);
        let run = cfp(&["check", &file]);
        assert_eq!(
            run.code, 1,
            "case {i} ({replace}) is an error:\n{}",
            run.stderr
        );
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&file) && first.contains(expected),
            "case {i} ({replace}):\nexpected …{expected}…\nfound    {first}"
        );
    }
}

#[test]
fn a_freight_line_takes_its_bounds_as_percentages() {
    let text = std::fs::read_to_string(common::sample()).unwrap();
    let find = "mass: 65 t, count: 13000 只, factor: road-18t,";
    assert!(text.contains(find));
    let bad = text.replacen(find, "mass: 65 t, count: 13000 只, factor: road-18t, uncertainty: {uniform: {min: 60 t, max: \"+5%\"}},", 1);
    let stderr = check_fails("freight", &bad);
    assert!(
        stderr.contains("products[0].transport[0].uncertainty.uniform.min: `60 t`: the bounds of a freight line's uncertainty are percentages of mass x distance"),
        "{stderr}"
    );
}

#[test]
fn an_analysis_too_large_for_memory_is_refused_before_it_runs() {
    // 70 products × 1,000,000 iterations: 70 million results, above the 64 million kept.
    let text = std::fs::read_to_string(root().join(FIXTURE)).unwrap();
    let text = text.replacen("iterations: 20000", "iterations: 1000000", 1);
    let at = text.find("products:\n").unwrap() + "products:\n".len();
    let mut big = text[..at].to_owned();
    for k in 0..70 {
        big.push_str(&text[at..].replacen("id: widget", &format!("id: w{k}"), 1));
    }
    let stderr = check_fails("big", &big);
    assert!(
        stderr.contains(":22:29: engagement.uncertainty.iterations: 1000000 iterations for 70 products keep 70000000 results, more than the 64000000 that fit in memory\n  hint: at most 914285 iterations for 70 products"),
        "{stderr}"
    );
}

#[test]
fn approach_1_far_from_the_monte_carlo_interval_is_a_finding() {
    // A lognormal factor with a GSD of 3: the 95% interval runs from T/8.6 to 8.6 T, a width
    // of 8.50 T; Approach 1 takes 1.96 standard deviations each side, 2 × 1.96 × 2.799 T =
    // 10.97 T: 29% wider, beyond the 10% tolerance.
    let file = one_line("methods", "{lognormal: 3}");
    let json = json_of(&file);
    let p = &json["products"][0];
    // Approach 1: 1.96 × √(e^(ln²3) − 1) × e^(ln²3 / 2) = 548.60% of the total.
    assert_eq!(p["uncertainty"]["approach1_pct"], "548.60");
    let w = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "uncertainty-methods")
        .unwrap_or_else(|| panic!("no uncertainty-methods finding in {json}"));
    assert_eq!(w["product"], "widget");
    assert_eq!(w["figures"]["approach1"], "548.60");
    assert_eq!(w["figures"]["a1_width"], "10971.92");
    assert_eq!(w["figures"]["tolerance"], "10");
    assert_eq!(w["figures"]["low"], p["uncertainty"]["total"]["low"]);
    // The closed-form case agrees within the tolerance: no such finding.
    let json = json_of(FIXTURE);
    assert!(
        !json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "uncertainty-methods")
    );
}

//! Figures are rounded exactly once: `calc --json` against an arbitrary-precision reference
//! that nobody here wrote (Python's `fractions`), on lines whose exact products need far
//! more than the 28 significant digits of a 96-bit decimal.
//!
//! Needs python3.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{cfp, folder};
use serde_json::Value;

/// A small deterministic generator (splitmix64): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` random decimal digits, the first not zero.
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|i| {
                let d = self.next() % if i == 0 { 9 } else { 10 };
                char::from(b'0' + d as u8 + u8::from(i == 0))
            })
            .collect()
    }
}

/// One product with one line: the YAML of the line, and the decimal operands whose product
/// is its kgCO2e, for the reference.
struct Case {
    factor: String,
    line: String,
    stage: &'static str,
    operands: Vec<String>,
    output: String,
}

fn cases(rng: &mut Rng, n: usize, int_digits: usize) -> Vec<Case> {
    let mut out = vec![Case {
        // The issue's line: exactly 907221158765339.00499999999995…, printed …339.01 once.
        factor: "67.76770033299787411647109880 kgCO2e/kg".into(),
        line: "{name: Steel, quantity: 13387220671609.38 kg, factor: f0, data: {activity: periodic, calibration: compliant}}".into(),
        stage: "materials",
        operands: vec!["13387220671609.38".into(), "67.76770033299787411647109880".into()],
        output: "1".into(),
    }];
    for i in 1..n {
        // 28 significant digits, between 0.01 and 100.
        let int = (rng.next() % 3) as usize;
        let factor = match int {
            0 => format!("0.{}", rng.digits(28)),
            k => {
                let d = rng.digits(28);
                format!("{}.{}", &d[..k], &d[k..])
            }
        };
        let len = 1 + (rng.next() % 7) as usize;
        let output = rng.digits(len);
        let case = if i % 3 == 0 {
            let (m, g) = (rng.digits(6), rng.digits(3));
            let mass = format!("{m}.{g}");
            let (d, e) = (rng.digits(4), rng.digits(1));
            let distance = format!("{d}.{e}");
            Case {
                factor: format!("{factor} kgCO2e/tkm"),
                line: format!(
                    "{{material: Steel, mode: road, distance: {distance} km, mass: {mass} t, factor: f{i}, data: {{activity: periodic, calibration: accepted}}}}"
                ),
                stage: "transport",
                operands: vec![mass, distance, factor],
                output,
            }
        } else {
            let (q, c) = (rng.digits(int_digits), rng.digits(2));
            let quantity = format!("{q}.{c}");
            Case {
                factor: format!("{factor} kgCO2e/kg"),
                line: format!(
                    "{{name: Steel, quantity: {quantity} kg, factor: f{i}, data: {{activity: periodic, calibration: compliant}}}}"
                ),
                stage: "materials",
                operands: vec![quantity, factor],
                output,
            }
        };
        out.push(case);
    }
    out
}

fn engagement(cases: &[Case], rounding: &str) -> String {
    let mut y = String::from(
        "format: cfp-verify/1\nreport: {number: EXACT-1, revision: 1, issued: 2024-03-01, status: draft}\n\
         engagement:\n  criteria: [ISO 14067]\n  assurance: limited\n  materiality: \"5%\"\n  cutoff: {process: \"1%\", total: \"5%\"}\n  coverage: \"95%\"\n\
         \x20 period: {from: 2023-01-01, to: 2023-12-31}\n  site_visit: {from: 2024-02-04, to: 2024-02-06}\n  gwp: AR5\n",
    );
    y.push_str(&format!("  rounding: {rounding}\n"));
    y.push_str(
        "verifier:\n  name: Test Body\n  team: [{name: Zhang San, role: lead, on_site: true}]\n  reviewers: [{name: Wang Wu}]\n\
         client: {name: Test Client, credit_code: 91410307773667579P}\nboundary: {type: cradle-to-gate}\nfactors:\n",
    );
    for (i, c) in cases.iter().enumerate() {
        y.push_str(&format!(
            "  f{i}: {{value: {}, source: Test, category: national}}\n",
            c.factor
        ));
    }
    y.push_str("products:\n");
    for (i, c) in cases.iter().enumerate() {
        y.push_str(&format!(
            "  - {{id: p{i}, name: P{i}, functional_unit: piece, output: {}, {}: [{}]}}\n",
            c.output, c.stage, c.line
        ));
    }
    y
}

/// Python's exact rationals: total and per unit of each case, rounded once.
fn reference(cases: &[Case], places: u32, half_even: bool) -> Vec<(String, String)> {
    const SCRIPT: &str = r#"
import sys, json
from fractions import Fraction
from math import floor
places, half_even = int(sys.argv[1]), sys.argv[2] == "even"
def rnd(x):
    s = x * 10**places
    if half_even:
        n = round(s)  # Fraction.__round__ rounds halves to even, exactly
    else:
        n = floor(abs(s) + Fraction(1, 2)) * (1 if s >= 0 else -1)
    neg = n < 0
    d = str(abs(n)).rjust(places + 1, "0")
    text = d if places == 0 else d[:-places] + "." + d[-places:]
    return ("-" if neg and n != 0 else "") + text
out = []
for case in json.load(sys.stdin):
    kg = Fraction(1)
    for o in case["operands"]:
        kg *= Fraction(o)
    out.append([rnd(kg), rnd(kg / Fraction(case["output"]))])
print(json.dumps(out))
"#;
    let input: Vec<Value> = cases
        .iter()
        .map(|c| serde_json::json!({"operands": c.operands, "output": c.output}))
        .collect();
    let mut child = Command::new("python3")
        .args([
            "-c",
            SCRIPT,
            &places.to_string(),
            if half_even { "even" } else { "up" },
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is needed by this test");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the reference script failed");
    let v: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    v
}

fn compare(
    name: &str,
    rounding: &str,
    places: u32,
    half_even: bool,
    n: usize,
    seed: u64,
    int_digits: usize,
) {
    let cases = cases(&mut Rng(seed), n, int_digits);
    let dir = folder("exact", name);
    let file = dir.join("e.yaml");
    std::fs::write(&file, engagement(&cases, rounding)).unwrap();
    let run = cfp(&["calc", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let expected = reference(&cases, places, half_even);
    let mut wrong = Vec::new();
    for (i, (total, per_unit)) in expected.iter().enumerate() {
        let p = &json["products"][i];
        let stage = p["stages"][cases[i].stage].as_str().unwrap();
        for (what, ours, theirs) in [
            ("total", p["total"].as_str().unwrap(), total),
            ("stage", stage, total),
            (
                "per unit",
                p["per_unit"]["total"].as_str().unwrap(),
                per_unit,
            ),
        ] {
            if ours != theirs {
                wrong.push(format!("p{i} {what}: {ours}, exactly {theirs}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} figures are not the exact figure rounded once:\n{}",
        wrong.len(),
        3 * n,
        wrong.join("\n")
    );
}

#[test]
fn line_totals_and_per_unit_figures_are_rounded_once_half_up() {
    compare(
        "half-up",
        "{mode: half-up, places: 2}",
        2,
        false,
        300,
        1,
        14,
    );
}

#[test]
fn ten_places_half_even_print_ten_places_at_any_size() {
    // Up to about 1e20 kgCO2e with ten decimals: 31 digits.
    compare(
        "half-even-10",
        "{mode: half-even, places: 10}",
        10,
        true,
        120,
        2,
        18,
    );
}

#[test]
fn the_largest_numbers_multiply_exactly() {
    // 28 nines (the largest number a file may hold) x 2.1 tCO2e/t: exact, not refused.
    let dir = folder("exact", "largest");
    let file = dir.join("e.yaml");
    let cases = vec![Case {
        factor: "2.1 tCO2e/t".into(),
        line: "{name: Steel, quantity: 9999999999999999999999999999 kg, factor: f0, data: {activity: periodic, calibration: compliant}}".into(),
        stage: "materials",
        operands: vec![],
        output: "3".into(),
    }];
    std::fs::write(&file, engagement(&cases, "{mode: half-up, places: 2}")).unwrap();
    let run = cfp(&["calc", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["products"][0]["total"],
        "20999999999999999999999999997.90"
    );
    assert_eq!(
        json["products"][0]["per_unit"]["total"],
        "6999999999999999999999999999.30"
    );
}

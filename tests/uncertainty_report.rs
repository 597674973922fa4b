//! The report's section 3.5, uncertainty and sensitivity: rendered and read back with
//! pdftotext. The Monte Carlo figures it prints are those of `calc --json`; the sensitivity
//! table and the tornado chart are there with or without a Monte Carlo analysis; the
//! allocation sensitivity table is in the section.
//!
//! Needs poppler-utils.

mod common;

use std::path::PathBuf;

use common::{cfp, folder, poppler};

/// Renders `engagement` in `lang` (`zh+en`, `zh`, `en`) and returns the PDF's text.
fn text_of(engagement: &str, name: &str, lang: &str) -> String {
    let pdf: PathBuf = folder("uncertainty-report", name).join("report.pdf");
    let run = cfp(&[
        "render",
        engagement,
        "-o",
        pdf.to_str().unwrap(),
        "--lang",
        lang,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    poppler("pdftotext", &[pdf.to_str().unwrap(), "-"])
}

/// Without white space: pdftotext breaks lines in cells.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Section 3.5 of a report's text (squashed): from its heading (the last occurrence, after
/// the contents) to the heading of section 4.
fn section(text: &str, heading: &str, next: &str) -> String {
    let text = squash(text);
    let start = text
        .rfind(&squash(heading))
        .unwrap_or_else(|| panic!("no {heading:?} in the report"));
    let rest = &text[start..];
    let end = rest
        .find(&squash(next))
        .unwrap_or_else(|| panic!("no {next:?} after {heading:?}"));
    rest[..end].to_owned()
}

/// The products' Monte Carlo figures as `calc --json` gives them.
fn monte_carlo(engagement: &str) -> Vec<serde_json::Value> {
    let run = cfp(&["calc", "--json", engagement]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["uncertainty"].clone())
        .collect()
}

#[test]
fn the_sample_prints_its_monte_carlo_interval_and_sensitivity_in_both_languages() {
    let text = text_of("samples/chennuo-2023.yaml", "sample", "zh+en");
    let s = section(&text, "3.5 不确定性与敏感性分析", "四、");
    assert!(
        s.contains(&squash("3.5 Uncertainty and sensitivity")),
        "{s}"
    );
    assert!(s.contains(&squash("10000 次迭代，置信水平 95%")), "{s}");
    assert!(s.contains(&squash("10000 iterations, a confidence level of 95%")));
    assert!(s.contains(&squash("IPCC Approach 1 (error propagation)")));
    for u in monte_carlo("samples/chennuo-2023.yaml") {
        for part in ["total", "per_unit"] {
            let (low, high) = (&u[part]["low"], &u[part]["high"]);
            let interval = format!("{}–{}", low.as_str().unwrap(), high.as_str().unwrap());
            assert!(s.contains(&interval), "no {interval} in section 3.5: {s}");
            for figure in ["mean", "median", "sd"] {
                let x = u[part][figure].as_str().unwrap();
                assert!(s.contains(x), "no {part} {figure} {x} in section 3.5");
            }
        }
        let a1 = format!("±{}%", u["approach1_pct"].as_str().unwrap());
        assert!(s.contains(&a1), "no {a1} in section 3.5");
    }
    assert!(s.contains(&squash("95% 置信区间")) && s.contains(&squash("95% interval")));
    // The inputs, named: a factor, a line's activity data with its supplier.
    for name in [
        "重型柴油货车运输（载重 18 t）（排放因子）",
        "Road freight, heavy diesel truck (18 t payload) (emission factor)",
        "铝件（活动数据）",
        "Aluminium parts (activity data)",
        "散件（乐清赣江）（活动数据）",
        "Loose parts (Yueqing Ganjiang) (activity data)",
        "全国电网平均排放因子（排放因子）",
    ] {
        assert!(s.contains(&squash(name)), "no {name:?} in section 3.5");
    }
    // Every line has an uncertainty in the sample.
    assert!(s.contains(&squash("none is treated as exact")));
    // The tornado chart: the total it is centred on, its legend, and that it shows the 12
    // largest of the first product's 19 inputs.
    assert!(
        s.contains(&squash("As calculated: 116767.89 kgCO2e")),
        "{s}"
    );
    assert!(s.contains(&squash("输入 −10%")) && s.contains(&squash("Input +10%")));
    assert!(
        s.contains(&squash("the 12 largest of the 19 inputs")),
        "{s}"
    );
    // The data-quality section stays before it.
    assert!(squash(&text).contains(&squash("3.4 Data quality")));
}

#[test]
fn one_language_prints_the_section_in_that_language() {
    // The first product's 95% interval, as calc gives it.
    let total = &monte_carlo("samples/chennuo-2023.yaml")[0]["total"];
    let interval = format!(
        "{}–{}",
        total["low"].as_str().unwrap(),
        total["high"].as_str().unwrap()
    );
    let zh = text_of("samples/chennuo-2023.yaml", "zh", "zh");
    let s = section(&zh, "3.5 不确定性与敏感性分析", "四、");
    assert!(s.contains(&squash("95% 置信区间")) && s.contains(&interval));
    assert!(!s.contains("interval") && !s.contains("Uncertainty"), "{s}");
    let en = text_of("samples/chennuo-2023.yaml", "en", "en");
    let s = section(&en, "3.5 Uncertainty and sensitivity", "4 Conclusion");
    assert!(s.contains(&squash("95% interval")) && s.contains(&interval));
    assert!(
        !s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{s}"
    );
}

#[test]
fn without_a_monte_carlo_analysis_the_section_has_the_sensitivity_only() {
    let text = text_of("tests/fixtures/valid/minimal.yaml", "minimal", "zh+en");
    let s = section(&text, "3.5 不确定性与敏感性分析", "四、");
    assert!(s.contains(&squash(
        "No quantitative (Monte Carlo) uncertainty analysis"
    )));
    assert!(s.contains(&squash("sensitivity of the total to each input (±10%)")));
    assert!(s.contains(&squash("Steel (activity data)")), "{s}");
    assert!(s.contains(&squash("钢材（排放因子）")), "{s}");
    // The unnamed factor, by its value, unit and source.
    assert!(
        s.contains(&squash("0.5703 tCO2/MWh (Test source) (emission factor)")),
        "{s}"
    );
    assert!(s.contains(&squash("As calculated: 9133.20 kgCO2e")), "{s}");
    for absent in [
        "uncertainty of the footprint",
        "95% interval",
        "IPCC Approach 1",
        "Sensitivity of the totals to the allocation procedure",
    ] {
        assert!(
            !s.contains(&squash(absent)),
            "{absent:?} in section 3.5: {s}"
        );
    }
}

#[test]
fn the_allocation_sensitivity_is_in_the_section() {
    let text = text_of("samples/kettle-2024.yaml", "kettle", "en");
    let s = section(&text, "3.5 Uncertainty and sensitivity", "4 Conclusion");
    assert!(
        s.contains(&squash(
            "Sensitivity of the totals to the allocation procedure"
        )),
        "{s}"
    );
    assert!(s.contains(&squash("These inventory lines have no uncertainty")));
    let before = &squash(&text)[..squash(&text).rfind(&squash("3.5 Uncertainty")).unwrap()];
    assert!(!before.contains(&squash("Sensitivity of the totals to the allocation")));
}

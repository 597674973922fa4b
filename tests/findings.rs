//! Every finding code is raised by the situation it describes, and only then: each case
//! changes the minimal engagement so that one check fires, and the unchanged file does not
//! raise that code.

mod common;

use common::{cfp, folder, root};
use serde_json::Value;

fn minimal() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap()
}

/// The finding codes of `text`, from `calc --json`.
fn codes(name: &str, text: &str) -> Vec<String> {
    let dir = folder("findings", name);
    let file = dir.join("e.yaml");
    std::fs::write(&file, text).unwrap();
    let run = cfp(&["calc", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect()
}

fn edit(find: &str, replace: &str) -> String {
    let text = minimal();
    assert!(
        text.contains(find),
        "the minimal engagement has no `{find}`"
    );
    text.replacen(find, replace, 1)
}

#[test]
fn each_finding_code_is_raised_by_its_situation() {
    let plain = codes("plain", &minimal());
    let cases: Vec<(&str, String)> = vec![
        (
            "empty-stage",
            edit(
                "    process:\n      - {name: {zh: SF6 泄漏, en: SF6 leakage}, quantity: 0.2 kgSF6, data: {activity: estimated, calibration: none}}\n",
                "",
            )
            .replace(
                "    energy:\n      - {name: {zh: 电力, en: Electricity}, quantity: 3600 MJ, factor: grid, data: {activity: continuous, calibration: compliant}}\n      - {name: {zh: 天然气, en: Natural gas}, quantity: 100 GJ, factor: gas-ch4, data: {activity: continuous, calibration: compliant}}\n",
                "",
            )
            .replace("  grid:\n    value: 0.5703 tCO2/MWh\n    source: Test source\n    category: national\n", "")
            .replace("  gas-ch4:\n    name: {zh: 天然气燃烧甲烷, en: Methane from natural gas}\n    value: 1 kgCH4/GJ\n    source: Test source\n    category: international\n", ""),
        ),
        (
            "unused-factor",
            edit(
                "factors:\n",
                "factors:\n  spare:\n    value: 1 kgCO2e/kg\n    source: Test source\n    category: national\n",
            ),
        ),
        (
            "cutoff-process",
            edit(
                "  type: cradle-to-gate\n",
                "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 资本设备, en: Capital goods}, share: \"2%\"}\n",
            ),
        ),
        (
            "cutoff-total",
            edit(
                "  type: cradle-to-gate\n",
                "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 甲, en: A}, share: \"0.9%\"}\n    - {item: {zh: 乙, en: B}, share: \"0.9%\"}\n    - {item: {zh: 丙, en: C}, share: \"0.9%\"}\n    - {item: {zh: 丁, en: D}, share: \"0.9%\"}\n    - {item: {zh: 戊, en: E}, share: \"0.9%\"}\n    - {item: {zh: 己, en: F}, share: \"0.9%\"}\n",
            ),
        ),
        (
            "coverage",
            edit("coverage: \"95%\"", "coverage: \"99.9%\"").replacen(
                "  type: cradle-to-gate\n",
                "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 资本设备, en: Capital goods}, share: \"0.5%\"}\n",
                1,
            ),
        ),
        (
            "site-visit-order",
            edit(
                "site_visit: {from: 2024-02-04, to: 2024-02-06}",
                "site_visit: {from: 2023-12-04, to: 2023-12-06}",
            ),
        ),
        (
            "document-review-order",
            edit(
                "  gwp: AR5\n",
                "  gwp: AR5\n  document_review: {from: 2024-02-20, to: 2024-03-05}\n",
            ),
        ),
        (
            // 9.1 tCO2e for 1000 units is 9.05 to 9.15 kg each, not 18.2.
            "claims-inconsistent",
            edit(
                "      total: 9.1 tCO2e\n",
                "      total: 9.1 tCO2e\n      per_unit: 18.2 kgCO2e\n",
            ),
        ),
    ];
    for (code, text) in &cases {
        assert!(
            !plain.contains(&code.to_string()),
            "the unchanged file already raises {code}"
        );
        let found = codes(code, text);
        assert!(
            found.contains(&code.to_string()),
            "{code} not raised: {found:?}"
        );
    }
}

/// Claims that agree as far as each is rounded raise nothing: 9.1 tCO2e (9050 to 9150 kg) for
/// 1000 units allows 9.05 to 9.15 kg per unit, each per-unit figure being itself rounded.
#[test]
fn claims_that_agree_as_rounded_are_not_inconsistent() {
    for (name, per_unit, inconsistent) in [
        ("agree", "9.1 kgCO2e", false),
        ("agree-in-tonnes", "0.00913 tCO2e", false),
        ("edge-low", "9.05 kgCO2e", false),
        ("below", "9.0 kgCO2e", false),
        ("too-low", "9.04 kgCO2e", true),
        ("too-high", "9.3 kgCO2e", true),
    ] {
        let text = edit(
            "      total: 9.1 tCO2e\n",
            &format!("      total: 9.1 tCO2e\n      per_unit: {per_unit}\n"),
        );
        let found = codes(&format!("claims-{name}"), &text);
        assert_eq!(
            found.contains(&"claims-inconsistent".to_owned()),
            inconsistent,
            "{per_unit}: {found:?}"
        );
    }
}

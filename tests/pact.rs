//! `export --pact`: PACT v3 ProductFootprints, checked against a JSON Schema of the v3 data
//! model (`tests/fixtures/pact/`).

mod common;

use common::{cfp, root};
use serde_json::Value;

fn export(file: &str) -> Vec<Value> {
    let run = cfp(&["export", file, "--pact"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    json.as_array().expect("an array").clone()
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        root().join("tests/fixtures/pact/product-footprint-v3.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn every_footprint_meets_the_v3_schema() {
    let v = validator();
    for file in [
        "samples/chennuo-2023.yaml",
        "tests/fixtures/valid/minimal.yaml",
        "tests/fixtures/valid/origin.yaml",
        "tests/fixtures/valid/grave.yaml",
        "samples/kettle-2024.yaml",
    ] {
        for fp in export(file) {
            let errors: Vec<String> = v
                .iter_errors(&fp)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{file}: {errors:?}");
        }
    }
    // Something wrong is caught: the schema is not a rubber stamp.
    let mut broken = export("samples/chennuo-2023.yaml").remove(0);
    broken["pcf"]["declaredUnitOfMeasurement"] = "pieces".into();
    assert!(!v.is_valid(&broken));
}

#[test]
fn the_figures_are_the_verified_ones_per_unit() {
    let fps = export("samples/chennuo-2023.yaml");
    assert_eq!(fps.len(), 2);
    let figures: Vec<(&str, &str)> = fps
        .iter()
        .map(|f| {
            (
                f["productNameCompany"].as_str().unwrap(),
                f["pcf"]["pcfExcludingBiogenicUptake"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("Intelligent power distribution unit", "11.05"),
            ("Integrated distribution box", "3.39")
        ]
    );
    let pcf = &fps[0]["pcf"];
    assert_eq!(pcf["declaredUnitOfMeasurement"], "piece");
    assert_eq!(pcf["declaredUnitAmount"], "1");
    assert_eq!(pcf["referencePeriodStart"], "2023-01-01T00:00:00Z");
    assert_eq!(
        pcf["referencePeriodEnd"], "2024-01-01T00:00:00Z",
        "the end is exclusive"
    );
    assert_eq!(
        pcf["ipccCharacterizationFactors"],
        serde_json::json!(["AR5"])
    );
    assert_eq!(
        pcf["crossSectoralStandards"],
        serde_json::json!(["ISO14067"])
    );
    assert_eq!(pcf["exemptedEmissionsPercent"], "0.4");
    assert_eq!(
        pcf["verification"]["providerName"],
        "Henan Jingze Energy & Carbon Technology Co., Ltd."
    );
    assert_eq!(pcf["verification"]["completedAt"], "2024-02-11T00:00:00Z");
    assert_eq!(
        fps[0]["companyIds"][0],
        "urn:pact:company:customcode:vendor-assigned:uscc-91410307773667579P"
    );
    assert!(
        pcf.get("productMassPerDeclaredUnit").is_none(),
        "no mass given, none invented"
    );
}

#[test]
fn ids_are_deterministic_and_distinct() {
    let a = export("samples/chennuo-2023.yaml");
    let b = export("samples/chennuo-2023.yaml");
    assert_eq!(a, b);
    assert_ne!(a[0]["id"], a[1]["id"]);
    assert_eq!(
        a[0]["id"],
        cfp_verify::exports::pact::footprint_id("JZNT-CFP-2024-003", "smart-unit").to_string()
    );
}

#[test]
fn the_product_mass_is_given_when_known() {
    let dir = common::folder("pact", "mass");
    let file = dir.join("e.yaml");
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(
        &file,
        minimal.replace("    output: 1000\n", "    mass: 2500 g\n    output: 1000\n"),
    )
    .unwrap();
    let fps = export(file.to_str().unwrap());
    assert_eq!(fps[0]["pcf"]["productMassPerDeclaredUnit"], "2.5");
    assert!(validator().is_valid(&fps[0]));
}

#[test]
fn the_split_by_origin_is_the_inventoried_one() {
    // Per piece (output 1000), from tests/origin.rs's figures: emissions 2837.29 + 62 + 2
    // = 2901.29 -> 2.90; net 2581.29 -> 2.58; fossil 2.84; uptake -320 -> -0.32;
    // dLUC 2 -> 0.00 (0.002, rounded as configured); aircraft 113 -> 0.11.
    let fps = export("tests/fixtures/valid/origin.yaml");
    let pcf = &fps[0]["pcf"];
    for (key, want) in [
        ("pcfExcludingBiogenicUptake", "2.90"),
        ("pcfIncludingBiogenicUptake", "2.58"),
        ("fossilGhgEmissions", "2.84"),
        ("biogenicCO2Uptake", "-0.32"),
        ("landUseChangeGhgEmissions", "0.00"),
        ("aircraftGhgEmissions", "0.11"),
    ] {
        assert_eq!(pcf[key], want, "{key}");
    }
    assert_eq!(
        pcf["secondaryEmissionFactorSources"],
        serde_json::json!([
            {"name": "Test source", "version": "not stated"},
            {"name": "Wood database", "version": "not stated"},
        ])
    );
    assert!(validator().is_valid(&fps[0]));
    // A positive uptake is refused by the official constraint.
    let mut broken = fps[0].clone();
    broken["pcf"]["biogenicCO2Uptake"] = "0.32".into();
    assert!(!validator().is_valid(&broken));
}

#[test]
fn without_a_split_all_is_fossil_and_no_split_is_invented() {
    let fps = export("samples/chennuo-2023.yaml");
    let pcf = &fps[0]["pcf"];
    assert_eq!(pcf["pcfExcludingBiogenicUptake"], pcf["fossilGhgEmissions"]);
    assert_eq!(pcf["pcfIncludingBiogenicUptake"], pcf["fossilGhgEmissions"]);
    for key in [
        "biogenicCO2Uptake",
        "landUseChangeGhgEmissions",
        "aircraftGhgEmissions",
    ] {
        assert!(pcf.get(key).is_none(), "{key}");
    }
    // The database factors are cited; the measured ones are not secondary data.
    let sources = pcf["secondaryEmissionFactorSources"].as_array().unwrap();
    assert!(sources.iter().any(|s| {
        s["name"]
            .as_str()
            .unwrap()
            .starts_with("China Products Carbon Footprint Factors Database")
            && s["version"] == "2019"
    }));
}

#[test]
fn a_cradle_to_grave_footprint_exports_its_cradle_to_gate_part() {
    let fp = export("tests/fixtures/valid/grave.yaml").remove(0);
    let pcf = &fp["pcf"];
    // Cradle to gate, per kettle (output 200): materials 105 + transport 0.05 t x 100 km x
    // 0.129 = 0.645 + production 400 kWh x 0.5703 = 228.12, so 333.765 / 200 = 1.668825.
    assert_eq!(pcf["pcfIncludingBiogenicUptake"], "1.67");
    assert_eq!(pcf["pcfExcludingBiogenicUptake"], "1.67");
    assert_eq!(pcf["fossilGhgEmissions"], "1.67");
    // Distribution, per unit: 1.5 kg x 500 km = 0.75 tkm x 0.129 = 0.09675.
    assert_eq!(pcf["outboundLogisticsGhgEmissions"], "0.10");
    // Use and end of life (6.84 and 0.82 per unit) are not in a PACT footprint.
    assert!(
        fp["comment"]
            .as_str()
            .unwrap()
            .starts_with("Cradle-to-gate part")
    );
    // The sample (cradle to gate) has no outbound logistics.
    let sample = export("samples/chennuo-2023.yaml").remove(0);
    assert!(sample["pcf"].get("outboundLogisticsGhgEmissions").is_none());
}

#[test]
fn a_boundary_without_a_cradle_to_gate_part_is_not_exported() {
    let run = cfp(&["export", "tests/fixtures/valid/gate.yaml", "--pact"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains(
            "a PACT footprint is cradle-to-gate, but the boundary (production) lacks materials, transport: nothing was exported"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn shared_items_are_described_as_allocation_rules() {
    // The kettle sample's site electricity is allocated by mass: 50000 x 1.2 kg against
    // 20000 x 2 kg, i.e. 60000 : 40000.
    let fps = export("samples/kettle-2024.yaml");
    let rules: Vec<&str> = fps
        .iter()
        .map(|fp| fp["pcf"]["allocationRulesDescription"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "Site production electricity allocated by mass: 60.00% to this product",
            "Site production electricity allocated by mass: 40.00% to this product",
        ]
    );
    // Nothing shared, nothing said.
    let sample = export("samples/chennuo-2023.yaml").remove(0);
    assert!(sample["pcf"].get("allocationRulesDescription").is_none());
}

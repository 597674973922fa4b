//! `export --pact`: PACT v3 ProductFootprints, checked against a JSON Schema written from the
//! official v3 data model (`tests/fixtures/pact/`), with this crate's validator and with
//! Python's `jsonschema` (a validator nobody here wrote; `scripts/test` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cfp, root};
use serde_json::Value;

const SCHEMA: &str = "tests/fixtures/pact/product-footprint-v3.schema.json";

/// Every sample and valid fixture.
fn inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain(
            std::fs::read_dir(root().join("samples"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        )
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    files
}

/// `file` with every product's missing `mass` and `fossil_carbon` given (1.5 kg and
/// 0.25 kg), written beside the other test copies; the file itself when it has them all.
fn completed(file: &Path) -> PathBuf {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = String::new();
    let mut product = String::new();
    for line in text.lines() {
        if line.starts_with("  - id:") || !line.starts_with("    ") {
            product.clear();
        }
        if line.starts_with("    output:") && !line.trim_end().ends_with(':') {
            if !product.contains("\n    mass:") {
                out.push_str("    mass: 1.5 kg\n");
            }
            if !product.contains("\n    fossil_carbon:") {
                out.push_str("    fossil_carbon: 0.25 kg\n");
            }
        }
        product.push('\n');
        product.push_str(line);
        out.push_str(line);
        out.push('\n');
    }
    if out == text {
        return file.to_path_buf();
    }
    static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = file.file_stem().unwrap().to_str().unwrap();
    // One folder per copy: tests run in parallel.
    let dir = common::folder("pact", &format!("completed-{name}-{n}"));
    let copy = dir.join(file.file_name().unwrap());
    std::fs::write(&copy, out).unwrap();
    copy
}

fn export(file: &Path) -> Vec<Value> {
    let run = cfp(&["export", file.to_str().unwrap(), "--pact"]);
    assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    json.as_array().expect("an array").clone()
}

fn export_str(file: &str) -> Vec<Value> {
    export(&completed(&root().join(file)))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(SCHEMA)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn errors(v: &jsonschema::Validator, fp: &Value) -> Vec<String> {
    v.iter_errors(fp)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Python's `jsonschema` (Draft 2020-12) on each JSON file: the failures, one per line.
fn python_validate(schema: &Path, files: &[PathBuf]) -> String {
    let script = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
for f in sys.argv[2:]:
    doc = json.load(open(f))
    docs = doc if isinstance(doc, list) else [doc]
    for i, d in enumerate(docs):
        for e in v.iter_errors(d):
            print(f"{f}[{i}] {e.json_path}: {e.message}")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(schema)
        .args(files)
        .output()
        .expect("python3 is needed by this test");
    assert!(
        out.status.success(),
        "python3 with jsonschema (scripts/test installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_export_of_the_samples_and_fixtures_meets_the_v3_model() {
    let v = validator();
    let dir = common::folder("pact", "exports");
    let mut written = Vec::new();
    for file in inputs() {
        let file = completed(&file);
        // Boundaries without the whole cradle-to-gate part are refused (tested below).
        let run = cfp(&["export", file.to_str().unwrap(), "--pact"]);
        if run.code == 1
            && run
                .stderr
                .contains("a PACT footprint is cradle-to-gate, but")
        {
            continue;
        }
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        let fps: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
        assert!(!fps.is_empty());
        for fp in &fps {
            let e = errors(&v, fp);
            assert!(e.is_empty(), "{}: {e:?}", file.display());
        }
        let out = dir.join(format!(
            "{}.json",
            file.file_stem().unwrap().to_str().unwrap()
        ));
        std::fs::write(&out, serde_json::to_string(&fps).unwrap()).unwrap();
        written.push(out);
    }
    assert!(written.len() >= 7, "{written:?}");
    let failures = python_validate(&root().join(SCHEMA), &written);
    assert!(failures.is_empty(), "{failures}");
    // Something wrong is caught, by both: the schema is not a rubber stamp.
    let mut broken = export_str("samples/chennuo-2023.yaml").remove(0);
    broken["pcf"]
        .as_object_mut()
        .unwrap()
        .remove("productMassPerDeclaredUnit");
    assert!(!v.is_valid(&broken));
    let bad = dir.join("broken.json");
    std::fs::write(&bad, broken.to_string()).unwrap();
    assert!(
        python_validate(&root().join(SCHEMA), &[bad])
            .contains("'productMassPerDeclaredUnit' is a required property")
    );
}

#[test]
fn the_schema_is_the_official_models_not_ours() {
    let v = validator();
    let mut fp = export_str("samples/kettle-2024.yaml").remove(0);
    // Properties the model allows and we do not write, and ones it does not name (later
    // revisions, vendors): both accepted, as the model accepts them.
    fp["pcf"]["geographyCountry"] = "CN".into();
    fp["pcf"]["dqi"] =
        serde_json::json!({"technologicalDQR": "1.5", "geographicalDQR": "2", "temporalDQR": "3"});
    fp["pcf"]["productOrSectorSpecificRules"] = serde_json::json!([{"operator": "Other", "ruleNames": ["A rule"], "otherOperatorName": "X"}]);
    fp["pcf"]["otherOperatorName"] = "TfS".into();
    fp["extensions"] = serde_json::json!([{"specVersion": "2.0.0", "dataSchema": "https://example.com/s.json", "data": {}}]);
    fp["productClassifications"] =
        serde_json::json!(["urn:pact:productclassification:un-cpc:4291"]);
    fp["pcf"]["crossSectoralStandards"] = serde_json::json!(["ISO14067", "PACT-3.0", "PAS2050"]);
    assert!(errors(&v, &fp).is_empty(), "{:?}", errors(&v, &fp));
    // The model's rules: one geography at most, uptake not positive, a required mass.
    let mut two = fp.clone();
    two["pcf"]["geographyCountrySubdivision"] = "CN-ZJ".into();
    assert!(!v.is_valid(&two));
    let mut positive = fp.clone();
    positive["pcf"]["biogenicCO2Uptake"] = "0.4".into();
    assert!(!v.is_valid(&positive));
    let mut pieces = fp.clone();
    pieces["pcf"]["declaredUnitOfMeasurement"] = "pieces".into();
    assert!(!v.is_valid(&pieces));
    let mut no_fossil = fp;
    no_fossil["pcf"]
        .as_object_mut()
        .unwrap()
        .remove("fossilCarbonContent");
    assert!(!v.is_valid(&no_fossil));
}

/// The official example footprints of wbcsd/data-exchange-protocol (`spec/v3/examples/`),
/// read from a checkout named by `PACT_SPEC_DIR` (a work tree, or a bare repository at
/// `HEAD`): their licence does not let us copy them into this repository.
fn official_examples() -> Option<Vec<(String, Value)>> {
    let dir = PathBuf::from(std::env::var_os("PACT_SPEC_DIR")?);
    let mut out = Vec::new();
    for name in [
        "example-1",
        "example-2",
        "example-3",
        "example-4",
        "get-footprint-response",
        "list-footprints-response",
    ] {
        let rel = format!("spec/v3/examples/{name}.json");
        let text = match std::fs::read_to_string(dir.join(&rel)) {
            Ok(t) => t,
            Err(_) => {
                // Set but wrong is a failure, not a skip: the test would check nothing.
                let git = Command::new("git")
                    .arg("-C")
                    .arg(&dir)
                    .args(["show", &format!("HEAD:{rel}")])
                    .output()
                    .expect("git runs");
                assert!(
                    git.status.success(),
                    "PACT_SPEC_DIR={}: no {rel} in its work tree or HEAD",
                    dir.display()
                );
                String::from_utf8(git.stdout).expect("the example is UTF-8")
            }
        };
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{rel} in PACT_SPEC_DIR is not JSON: {e}"));
        let fps = match doc.get("data") {
            Some(Value::Array(a)) => a.clone(),
            Some(one) => vec![one.clone()],
            None => vec![doc],
        };
        for fp in fps {
            out.push((name.to_owned(), fp));
        }
    }
    Some(out)
}

#[test]
fn the_official_examples_meet_the_schema() {
    let Some(examples) = official_examples() else {
        eprintln!("skipped: set PACT_SPEC_DIR to a checkout of wbcsd/data-exchange-protocol");
        return;
    };
    assert_eq!(examples.len(), 6);
    let v = validator();
    let dir = common::folder("pact", "official");
    let mut files = Vec::new();
    for (i, (name, fp)) in examples.iter().enumerate() {
        let e = errors(&v, fp);
        assert!(e.is_empty(), "{name}: {e:?}");
        let f = dir.join(format!("{i}-{name}.json"));
        std::fs::write(&f, fp.to_string()).unwrap();
        files.push(f);
    }
    let failures = python_validate(&root().join(SCHEMA), &files);
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn a_product_without_mass_or_fossil_carbon_is_refused_where_it_is_written() {
    let run = cfp(&["export", "samples/chennuo-2023.yaml", "--pact"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    for want in [
        "samples/chennuo-2023.yaml:254:5",
        "products[0]",
        "product `smart-unit` has no `mass`: a PACT footprint requires its `productMassPerDeclaredUnit`",
        "add `mass: 25 kg` (one functional unit, without packaging)",
        "product `distribution-box` has no `fossil_carbon`",
        "samples/chennuo-2023.yaml: 4 problems",
    ] {
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
    }
    // Nothing is written to `-o` either.
    let out = common::folder("pact", "refused").join("f.json");
    let run = cfp(&[
        "export",
        "samples/chennuo-2023.yaml",
        "--pact",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(!out.exists());
    // `check` says so beforehand, at the product, and the file stays valid.
    let check = cfp(&["check", "samples/chennuo-2023.yaml"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with("samples/chennuo-2023.yaml:254:5")
                && l.contains("warning[pact-incomplete]")
                && l.contains("product `smart-unit` has no `mass`")),
        "{}",
        check.stdout
    );
    // A file with both says nothing about PACT.
    let kettle = cfp(&["check", "samples/kettle-2024.yaml"]);
    assert!(
        !kettle.stdout.contains("pact-incomplete"),
        "{}",
        kettle.stdout
    );
}

#[test]
fn the_figures_are_the_verified_ones_per_unit_at_full_precision() {
    let fps = export_str("samples/chennuo-2023.yaml");
    assert_eq!(fps.len(), 2);
    let pcf = &fps[0]["pcf"];
    // 116767.8888… / 10567, exact to 20 places (it does not end), never the report's 11.05.
    let figure = pcf["pcfExcludingBiogenicUptake"].as_str().unwrap();
    assert!(figure.starts_with("11.05"), "{figure}");
    assert_eq!(figure.split_once('.').unwrap().1.len(), 20, "{figure}");
    assert_eq!(pcf["declaredUnitOfMeasurement"], "piece");
    assert_eq!(pcf["declaredUnitAmount"], "1");
    assert_eq!(pcf["productMassPerDeclaredUnit"], "1.5");
    assert_eq!(pcf["fossilCarbonContent"], "0.25");
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
    assert_eq!(pcf["ccsTechnologicalCO2CaptureIncluded"], false);
    assert_eq!(
        pcf["verification"]["providerName"],
        "Henan Jingze Energy & Carbon Technology Co., Ltd."
    );
    assert_eq!(pcf["verification"]["completedAt"], "2024-02-11T00:00:00Z");
    assert_eq!(
        fps[0]["companyIds"][0],
        "urn:pact:company:customcode:vendor-assigned:uscc-91410307773667579P"
    );
    assert_eq!(
        fps[0]["productIds"],
        serde_json::json!(["urn:pact:uscc-91410307773667579p:supplier-id:smart-unit"])
    );
    // Figures of a 50,000,000-unit output are not rounded away: minimal's 9.09 t / 5e7.
    let dir = common::folder("pact", "large");
    let file = dir.join("e.yaml");
    let minimal =
        std::fs::read_to_string(completed(&root().join("tests/fixtures/valid/minimal.yaml")))
            .unwrap();
    std::fs::write(
        &file,
        minimal.replace("    output: 1000\n", "    output: 50000000\n"),
    )
    .unwrap();
    let small = export(&file).remove(0);
    let total = cfp(&["calc", "--json", file.to_str().unwrap()]);
    assert_eq!(total.code, 0, "{}", total.stderr);
    let results: Value = serde_json::from_str(&total.stdout).unwrap();
    assert_eq!(results["products"][0]["per_unit"]["total"], "0.00");
    let figure = small["pcf"]["pcfExcludingBiogenicUptake"].as_str().unwrap();
    assert!(figure.starts_with("0.0001"), "{figure}");
    assert!(validator().is_valid(&small));
}

#[test]
fn exact_quotients_are_written_out_exactly() {
    // Cradle to gate, per kettle (output 200): materials 105 + transport 0.05 t x 100 km x
    // 0.129 = 0.645 + production 400 kWh x 0.5703 = 228.12, so 333.765 / 200 = 1.668825.
    let fp = export_str("tests/fixtures/valid/grave.yaml").remove(0);
    let pcf = &fp["pcf"];
    assert_eq!(pcf["pcfIncludingBiogenicUptake"], "1.668825");
    assert_eq!(pcf["pcfExcludingBiogenicUptake"], "1.668825");
    assert_eq!(pcf["fossilGhgEmissions"], "1.668825");
    // Distribution, per unit: 1.5 kg x 500 km = 0.75 tkm x 0.129 = 0.09675.
    assert_eq!(pcf["outboundLogisticsGhgEmissions"], "0.09675");
    // Use and end of life are not in a PACT footprint.
    assert!(
        fp["comment"]
            .as_str()
            .unwrap()
            .starts_with("Cradle-to-gate part")
    );
    let sample = export_str("samples/chennuo-2023.yaml").remove(0);
    assert!(sample["pcf"].get("outboundLogisticsGhgEmissions").is_none());
}

#[test]
fn ids_are_deterministic_and_distinct() {
    let a = export_str("samples/chennuo-2023.yaml");
    let b = export_str("samples/chennuo-2023.yaml");
    assert_eq!(a, b);
    assert_ne!(a[0]["id"], a[1]["id"]);
    assert_eq!(
        a[0]["id"],
        cfp_verify::exports::pact::footprint_id("JZNT-CFP-2024-003", "smart-unit").to_string()
    );
    assert_ne!(a[0]["productIds"], a[1]["productIds"]);
}

#[test]
fn the_split_by_origin_is_the_inventoried_one() {
    // Per piece (output 1000), from tests/origin.rs's figures: emissions 2837.29 + 62 + 2
    // = 2901.29; net 2581.29; uptake −320; dLUC 2; aircraft 113.
    let fps = export_str("tests/fixtures/valid/origin.yaml");
    let pcf = &fps[0]["pcf"];
    for (key, want) in [
        ("pcfExcludingBiogenicUptake", "2.90129"),
        ("pcfIncludingBiogenicUptake", "2.58129"),
        ("biogenicCO2Uptake", "-0.32"),
        ("landUseChangeGhgEmissions", "0.002"),
        ("aircraftGhgEmissions", "0.113"),
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
}

#[test]
fn what_was_not_assessed_is_left_out() {
    let fps = export_str("samples/chennuo-2023.yaml");
    let pcf = &fps[0]["pcf"];
    assert_eq!(pcf["pcfExcludingBiogenicUptake"], pcf["fossilGhgEmissions"]);
    assert_eq!(pcf["pcfIncludingBiogenicUptake"], pcf["fossilGhgEmissions"]);
    for key in [
        "biogenicCO2Uptake",
        "landUseChangeGhgEmissions",
        "aircraftGhgEmissions",
        "biogenicCarbonContent",
        "dqi",
        "packagingGhgEmissions",
    ] {
        assert!(pcf.get(key).is_none(), "{key}");
    }
    // The fossil carbon content is the file's, never an invented 0.
    let kettle = export_str("samples/kettle-2024.yaml");
    assert_eq!(kettle[0]["pcf"]["fossilCarbonContent"], "0.3");
    assert_eq!(kettle[1]["pcf"]["fossilCarbonContent"], "0.51");
    // The database factors are cited; the measured ones are not secondary data.
    let sources = pcf["secondaryEmissionFactorSources"].as_array().unwrap();
    assert!(sources.iter().any(|s| {
        s["name"]
            .as_str()
            .unwrap()
            .starts_with("China Products Carbon Footprint Factors Database")
            && s["version"] == "2019"
    }));
    // Only the exported stages' sources: the kettle's end-of-life treatment is not cited.
    let kettle_sources = kettle[0]["pcf"]["secondaryEmissionFactorSources"].to_string();
    assert!(kettle_sources.contains("air freight"), "{kettle_sources}");
    assert!(
        !kettle_sources.contains("treatment of small household appliances"),
        "{kettle_sources}"
    );
}

#[test]
fn the_primary_data_share_is_the_part_without_secondary_factors() {
    // minimal.yaml: every factor is a database one (national, international) but the SF6
    // line has none (a gas weighed by its GWP): 0.2 kg x 23500 (AR5) = 4700 of 9133.2 kg,
    // so 470000 / 9133.2 = 51.460605264310427889458… percent, to 20 places half-even.
    let fp = export_str("tests/fixtures/valid/minimal.yaml").remove(0);
    assert_eq!(fp["pcf"]["primaryDataShare"], "51.46060526431042788946");
    assert_eq!(fp["pcf"]["pcfExcludingBiogenicUptake"], "9.1332");
}

#[test]
fn a_boundary_without_a_cradle_to_gate_part_is_not_exported() {
    let file = completed(&root().join("tests/fixtures/valid/gate.yaml"));
    let run = cfp(&["export", file.to_str().unwrap(), "--pact"]);
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
    let fps = export_str("samples/kettle-2024.yaml");
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
    let sample = export_str("samples/chennuo-2023.yaml").remove(0);
    assert!(sample["pcf"].get("allocationRulesDescription").is_none());
}

/// `calc --json` of every sample and valid fixture meets the results' own schema
/// (`schema --results`), as Python's `jsonschema` reads it; results without their products
/// do not.
#[test]
fn every_results_json_meets_the_results_schema() {
    let dir = common::folder("pact", "results");
    let run = cfp(&["schema", "--results"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema = dir.join("results.schema.json");
    std::fs::write(&schema, &run.stdout).unwrap();
    let mut written = Vec::new();
    let mut first: Option<Value> = None;
    for (i, file) in inputs().iter().enumerate() {
        let run = cfp(&["calc", "--json", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        let out = dir.join(format!("{i}.json"));
        std::fs::write(&out, &run.stdout).unwrap();
        first.get_or_insert_with(|| serde_json::from_str(&run.stdout).unwrap());
        written.push(out);
    }
    let failures = python_validate(&schema, &written);
    assert!(failures.is_empty(), "{failures}");
    let mut broken = first.unwrap();
    broken.as_object_mut().unwrap().remove("products");
    let path = dir.join("broken.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let failures = python_validate(&schema, &[path]);
    assert!(
        failures.contains("'products' is a required property"),
        "{failures}"
    );
}

//! The JSON Schema from `cfp-verify schema`: every sample validates, structurally wrong
//! files do not.

mod common;

use cfp_verify::input::yaml::{self, Node, Value};
use common::{cfp, root};
use serde_json::{Map, Value as Json};

/// A YAML tree as JSON, resolving plain scalars as an editor's YAML 1.2 core schema does.
fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(s) if s.plain => {
            let t = s.text.as_str();
            if s.is_null() {
                Json::Null
            } else if let Ok(b) = t.parse::<bool>() {
                Json::Bool(b)
            } else if let Ok(i) = t.parse::<i64>() {
                Json::from(i)
            } else if let Some(f) = t
                .parse::<f64>()
                .ok()
                .filter(|_| t.chars().any(|c| c.is_ascii_digit()))
            {
                serde_json::Number::from_f64(f).map_or(Json::String(t.into()), Json::Number)
            } else {
                Json::String(t.into())
            }
        }
        Value::Scalar(s) => Json::String(s.text.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn validator() -> jsonschema::Validator {
    let run = cfp(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Json = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn instance(path: &str) -> Json {
    let bytes = std::fs::read(root().join(path)).unwrap();
    let (node, _) = yaml::parse(&bytes).expect("YAML");
    to_json(&node)
}

#[test]
fn every_sample_validates() {
    let v = validator();
    let mut files = vec![
        "samples/chennuo-2023.yaml".to_owned(),
        "samples/kettle-2024.yaml".to_owned(),
    ];
    for dir in ["tests/fixtures/valid", "tests/fixtures/render"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p.strip_prefix(root()).unwrap().display().to_string());
            }
        }
    }
    for f in &files {
        let json = instance(f);
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{f}: {errors:?}");
    }
    // The starter `init` writes, too.
    let starter = cfp_verify::starter::starter(
        &[
            cfp_verify::engagement::Language::Zh,
            cfp_verify::engagement::Language::En,
        ],
        "CFP-20240301-starter",
    );
    let (node, _) = yaml::parse(starter.as_bytes()).unwrap();
    assert!(v.is_valid(&to_json(&node)), "the starter");
}

#[test]
fn structurally_wrong_files_do_not_validate() {
    let v = validator();
    for f in [
        "unknown-key",
        "missing-key",
        "unknown-gwp",
        "unknown-language",
        "unsupported-format",
        "several-problems",
    ] {
        let json = instance(&format!("tests/fixtures/invalid/{f}.yaml"));
        assert!(!v.is_valid(&json), "{f} validates, but should not");
    }
}

#[test]
fn descriptions_are_in_both_languages() {
    let run = cfp(&["schema"]);
    for text in [
        "报告编号",
        "Report number",
        "排放因子编号",
        "Factor id",
        "四舍五入",
    ] {
        assert!(run.stdout.contains(text), "no `{text}` in the schema");
    }
}

/// Runs `tests/standard_schema.py`: PyYAML reads each file and Python's `jsonschema`
/// (Draft 2020-12) validates it against `cfp-verify schema`. Each file's errors.
fn standard_errors(files: &[std::path::PathBuf]) -> Map<String, Json> {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    let run = cfp(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(&schema, &run.stdout).unwrap();
    let out = std::process::Command::new("python3")
        .arg(root().join("tests/standard_schema.py"))
        .arg(&schema)
        .args(files)
        .output()
        .expect("python3 runs (scripts/test installs it with jsonschema and PyYAML)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("the script prints JSON") {
        Json::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Every sample, every valid fixture and the starter `init` writes, read by a standard YAML
/// parser (where `{en: Chennuo Co., Ltd.}` has a third key `Ltd.`), validate.
#[test]
fn standard_parser_and_validator_accept_every_sample() {
    let mut files = vec![
        root().join("samples/chennuo-2023.yaml"),
        root().join("samples/kettle-2024.yaml"),
    ];
    for dir in ["tests/fixtures/valid", "tests/fixtures/render"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for lang in ["zh+en", "zh", "en"] {
        let folder = dir.path().join(lang);
        let run = cfp(&["init", folder.to_str().unwrap(), "--lang", lang]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        files.push(folder.join("engagement.yaml"));
    }
    // The valid fixtures keep the idiom unquoted, as files written to the format page have
    // it: `check` accepts it (with a warning), so the schema must too.
    let minimal = root().join("tests/fixtures/valid/minimal.yaml");
    assert!(
        std::fs::read_to_string(&minimal)
            .unwrap()
            .contains("en: Test Client Co., Ltd.}")
    );
    let run = cfp(&["check", minimal.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("warning[unquoted-comma]"),
        "{}",
        run.stdout
    );
    assert!(files.len() > 15, "{files:?}");
    let errors = standard_errors(&files);
    assert_eq!(errors.len(), files.len());
    for (file, e) in &errors {
        assert_eq!(e, &Json::Array(vec![]), "{file}");
    }
}

/// Writes `minimal.yaml` with `from` replaced by `to` into `dir` as `name.yaml`.
fn variant(dir: &std::path::Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    assert!(minimal.contains(from), "{from}");
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, minimal.replacen(from, to, 1)).unwrap();
    path
}

/// Values `check` accepts are valid in the schema too: whole numbers quoted, texts and
/// counts written as numbers.
#[test]
fn what_check_accepts_the_standard_validator_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files = vec![
        variant(d, "revision-quoted", "revision: 1", "revision: \"1\""),
        variant(
            d,
            "year-quoted",
            "    category: national\n  truck",
            "    category: national\n    year: \"2019\"\n  truck",
        ),
        variant(
            d,
            "name-number",
            "name: {zh: 部件, en: Widget}",
            "name: 2024",
        ),
        variant(
            d,
            "count-number",
            "mass: 500 kg, factor: truck",
            "mass: 500 kg, count: 13, factor: truck",
        ),
        variant(
            d,
            "places-quoted",
            "  gwp: AR5",
            "  gwp: AR5\n  rounding: {places: \"3\"}",
        ),
        variant(
            d,
            "score-quoted",
            "calibration: compliant}}",
            "calibration: compliant}, scores: {activity: \"3\"}}",
        ),
        variant(
            d,
            "equipment-count",
            "  credit_code: 91410307773667579P",
            "  credit_code: 91410307773667579P\n  equipment:\n    - {name: X, count: \"3\"}",
        ),
    ];
    for f in &files {
        let run = cfp(&["check", f.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}: {}", f.display(), run.stderr);
    }
    for (file, e) in standard_errors(&files) {
        assert_eq!(e, Json::Array(vec![]), "{file}");
    }
}

/// What `check` refuses for reasons a schema can say, the standard validator refuses too.
#[test]
fn what_check_refuses_the_standard_validator_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut files = vec![
        variant(d, "revision-0", "revision: 1", "revision: 0"),
        variant(
            d,
            "score-7",
            "calibration: compliant}}",
            "calibration: compliant}, scores: {activity: 7}}",
        ),
        variant(
            d,
            "score-0",
            "calibration: compliant}}",
            "calibration: compliant}, scores: {factor: 0}}",
        ),
        variant(
            d,
            "places-11",
            "  gwp: AR5",
            "  gwp: AR5\n  rounding: {places: 11}",
        ),
        variant(
            d,
            "languages-twice",
            "  status: reviewed",
            "  status: reviewed\n  languages: [en, en]",
        ),
        variant(
            d,
            "languages-none",
            "  status: reviewed",
            "  status: reviewed\n  languages: []",
        ),
        variant(
            d,
            "criteria-none",
            "  criteria:\n    - {zh: 《ISO 14067：2018》, en: \"ISO 14067:2018\"}",
            "  criteria: []",
        ),
        variant(
            d,
            "reviewers-none",
            "  reviewers:\n    - {name: {zh: 王五, en: Wang Wu}}",
            "  reviewers: []",
        ),
        // A lower-case stray key is not the idiom `check` joins back: an unknown key.
        variant(
            d,
            "text-unknown-key",
            "name: {zh: 部件, en: Widget}",
            "name: {zh: 部件, en: Widget, fr: }",
        ),
        variant(d, "text-empty", "name: {zh: 部件, en: Widget}", "name: {}"),
    ];
    for f in [
        "unknown-key",
        "missing-key",
        "unknown-gwp",
        "unknown-language",
        "unknown-stage",
        "unsupported-format",
        "several-problems",
        "shared-empty-products",
    ] {
        files.push(root().join(format!("tests/fixtures/invalid/{f}.yaml")));
    }
    for f in &files {
        let run = cfp(&["check", f.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{}: check accepts it", f.display());
    }
    for (file, e) in standard_errors(&files) {
        let errors = e.as_array().unwrap();
        assert!(!errors.is_empty(), "{file}: the schema accepts it");
        assert!(
            errors
                .iter()
                .all(|e| !e.as_str().unwrap().starts_with("unreadable")),
            "{file}: {errors:?}"
        );
    }
}

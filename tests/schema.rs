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
    let starter = cfp_verify::starter::starter(&[
        cfp_verify::engagement::Language::Zh,
        cfp_verify::engagement::Language::En,
    ]);
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

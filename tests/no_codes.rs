//! The PDF never shows machine codes, ids or keys: every valid fixture and both samples (in
//! every language mode) are rendered and their text layer (pdftotext) scanned for the finding
//! codes, the engagement's factor, product and register ids, and backticks.
//!
//! The rule for a match: case-sensitive, as a whole word (the characters either side are not
//! letters, digits, `-` or `_`, so `truck` does not match `trucks` nor `road-18t` match
//! `broad-18t`). An id that equals (ignoring case) a name printed for the same thing is
//! skipped: the factor `steel` named "Steel", the factor `cable` named "Cable" print their
//! names legitimately, and a match could not tell the two apart. A finding code that is one
//! ordinary English word (`coverage`, no `-`) is skipped too: the English text uses the
//! word. Register ids are never skipped.
//!
//! Backticks: none, except those of the engagement's own texts (`markup.yaml` writes
//! `` `c` `` in its names on purpose, and the report prints it literally): each backticked
//! span of the file is taken out of the text before the scan.
//!
//! Needs poppler-utils.

mod common;

use std::path::{Path, PathBuf};

use common::{cfp, folder, poppler, root};

/// Every occurrence of `word` in `text` as a whole word (see the module's rule).
fn whole_word(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

/// What must not be printed for the engagement `file`: (kind, id) pairs.
fn forbidden(file: &Path) -> Vec<(&'static str, String)> {
    let v = cfp_verify::load(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let e = &v.engagement;
    let named = |id: &str, names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(id));
    let mut out: Vec<(&'static str, String)> = cfp_verify::checks::CODES
        .iter()
        .filter(|c| c.contains('-'))
        .map(|c| ("finding code", (*c).to_owned()))
        .collect();
    for f in &e.factors {
        let names: Vec<&str> = f
            .name
            .iter()
            .flat_map(|n| [n.zh.as_str(), n.en.as_str()])
            .collect();
        if !named(&f.id, &names) {
            out.push(("factor id", f.id.clone()));
        }
    }
    for p in &e.products {
        if !named(&p.id, &[&p.name.zh, &p.name.en]) {
            out.push(("product id", p.id.clone()));
        }
    }
    for r in e.verification.iter().flat_map(|v| &v.register) {
        out.push(("register id", r.id.clone()));
    }
    out
}

/// Renders `file` in `lang`, scans its text and returns it.
fn scan(file: &Path, lang: Option<&str>) -> String {
    let name = format!(
        "{}-{}",
        file.file_stem().unwrap().to_string_lossy(),
        lang.unwrap_or("default")
    );
    let dir = folder("no-codes", &name);
    let pdf = dir.join("report.pdf");
    let mut args = vec![
        "render",
        file.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ];
    if let Some(l) = lang {
        args.extend_from_slice(&["--lang", l]);
    }
    let run = cfp(&args);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.len() > 1000, "{name}: no text layer");
    // The file's own backticked spans, printed literally, are the user's text.
    let source = std::fs::read_to_string(file).unwrap();
    let mut rest = text.clone();
    for span in source.split('`').skip(1).step_by(2) {
        if !span.contains('\n') {
            rest = rest.replace(&format!("`{span}`"), "");
        }
    }
    assert!(
        !rest.contains('`'),
        "{name}: a backtick in the report: {:?}",
        rest.lines().find(|l| l.contains('`'))
    );
    let found: Vec<String> = forbidden(file)
        .into_iter()
        .filter(|(_, id)| whole_word(&text, id))
        .map(|(kind, id)| format!("{kind} `{id}`"))
        .collect();
    assert!(found.is_empty(), "{name}: the report prints {found:?}");
    text
}

fn valid_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn the_word_rule_matches_whole_words_only() {
    assert!(whole_word("the factor truck is", "truck"));
    assert!(whole_word("(road-18t)", "road-18t"));
    assert!(!whole_word("trucks", "truck"));
    assert!(!whole_word("broad-18t", "road-18t"));
    assert!(!whole_word("Truck", "truck"));
}

#[test]
fn no_valid_fixture_prints_a_code_or_id() {
    for file in valid_fixtures() {
        scan(&file, None);
    }
}

#[test]
fn the_samples_print_no_code_or_id_in_any_language() {
    for sample in ["samples/chennuo-2023.yaml", "samples/kettle-2024.yaml"] {
        let sample = root().join(sample);
        for lang in [None, Some("zh"), Some("en"), Some("zh+en"), Some("en+zh")] {
            scan(&sample, lang);
        }
    }
}

/// A factor without a `name` is called by its value, unit and source, in the annex's
/// sentences (the table of factors prints `/` in its name column): never by its id.
#[test]
fn an_unnamed_factor_is_called_by_its_value_unit_and_source() {
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let text = minimal.replacen(
        "factors:\n",
        "factors:\n  spare:\n    value: 1 kgCO2e/kg\n    source: {zh: 备用来源, en: Spare source}\n    category: national\n",
        1,
    );
    let dir = folder("no-codes", "unnamed-input");
    let file = dir.join("unnamed.yaml");
    std::fs::write(&file, text).unwrap();
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let text = squash(&scan(&file, None));
    for needle in [
        "排放因子“1kgCO2e/kg（备用来源）”未被任何清单数据使用。",
        "Thefactor“1kgCO2e/kg(Sparesource)”isnotusedbyanyinventoryline.",
        "未在核查发现中处理",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
}

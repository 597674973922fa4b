//! Golden files that pin what the tool says, so that a refactoring changes nothing by
//! accident: the report's view-model (every string the templates print), `check`, `calc`
//! and `diff` text, and the whole of `check`'s stderr for every invalid fixture.
//!
//! After an intended change: `SNAPSHOTS=overwrite cargo test --release --test pinned`, then
//! review the diff of `tests/golden/`.

mod common;

use common::{assert_golden, cfp, folder, human_cfp, root, sample_with};

/// The engagements the goldens are made from: (name, path from the repository root).
const VALID: &[(&str, &str)] = &[
    ("chennuo-2023", "samples/chennuo-2023.yaml"),
    ("minimal", "tests/fixtures/valid/minimal.yaml"),
];

#[test]
fn the_view_model_is_pinned() {
    for (name, path) in VALID {
        let v = cfp_verify::load(&root().join(path)).unwrap();
        let languages = v.engagement.report.languages.clone();
        let view = cfp_verify::report::view::build(&v, &languages, &v.source, None);
        let mut json = serde_json::to_string_pretty(&view).unwrap();
        json.push('\n');
        assert_golden(
            &root().join(format!("tests/golden/view/{name}.json")),
            &json,
        );
    }
}

#[test]
fn check_and_calc_text_are_pinned() {
    for (name, path) in VALID {
        for command in ["check", "calc"] {
            let run = cfp(&[command, path]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_golden(
                &root().join(format!("tests/golden/{command}/{name}.txt")),
                &run.stdout,
            );
        }
        // Findings in the human format: the line, a caret and the path, as problems are.
        let run = human_cfp(&["check", path]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_golden(
            &root().join(format!("tests/golden/check/{name}.human")),
            &run.stdout,
        );
    }
}

#[test]
fn diff_text_is_pinned() {
    let dir = folder("pinned", "diff");
    let corrected = dir.join("corrected.yaml");
    std::fs::write(
        &corrected,
        sample_with(
            "distance: 1326 km, mass: 60 t",
            "distance: 1326 km, mass: 75 t",
        ),
    )
    .unwrap();
    let run = cfp(&[
        "diff",
        "samples/chennuo-2023.yaml",
        corrected.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_golden(
        &root().join("tests/golden/diff/chennuo-2023.txt"),
        &run.stdout,
    );
}

#[test]
fn every_invalid_fixtures_stderr_is_pinned() {
    let files = common::invalid_fixtures();
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        let name = file.file_stem().unwrap().to_string_lossy();
        // The short form scripts read, and the default form people read (plain: piped).
        for (run, ext) in [
            (cfp(&["check", &rel]), "stderr"),
            (human_cfp(&["check", &rel]), "human"),
        ] {
            assert!(!run.stderr.contains('\u{1b}'), "{rel}: colour when piped");
            let golden = root().join(format!("tests/golden/invalid/{name}.{ext}"));
            if let Err(e) = std::panic::catch_unwind(|| assert_golden(&golden, &run.stderr)) {
                failures.push(
                    e.downcast_ref::<String>()
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! A batch renders each engagement exactly as `render` renders it alone: the same PDF and
//! the same results JSON, byte for byte, whatever the other engagements of the batch.

mod common;

use std::path::{Path, PathBuf};

use common::{cfp, root};

fn folder(name: &str) -> PathBuf {
    common::folder("batch", name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `report.number` and `report.revision` as the file writes them.
fn revision(file: &Path) -> (String, String) {
    let text = std::fs::read_to_string(file).unwrap();
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.trim_start().strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{}: no `{key}`", file.display()))
            .to_owned()
    };
    (field("number: "), field("revision: "))
}

#[test]
fn a_batch_renders_each_file_as_a_single_render_does() {
    let dir = folder("same-as-single");
    // An engagement in English only, written for this test from the minimal one.
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let english = minimal
        .replacen("number: TEST-CFP-001", "number: TEST-CFP-EN", 1)
        .replacen("  revision: 1\n", "  revision: 1\n  languages: [en]\n", 1);
    assert!(english.contains("languages: [en]") && english.contains("TEST-CFP-EN"));
    let english_file = dir.join("english.yaml");
    std::fs::write(&english_file, english).unwrap();
    let mut files: Vec<PathBuf> = vec![
        root().join("samples/chennuo-2023.yaml"),
        root().join("samples/kettle-2024.yaml"),
        // Markup in the text, a second product's origin, forty lines, a second revision
        // whose first is not archived, images.
        root().join("tests/fixtures/valid/markup.yaml"),
        root().join("tests/fixtures/valid/origin.yaml"),
        root().join("tests/fixtures/render/long.yaml"),
        root().join("tests/fixtures/render/sparse.yaml"),
        root().join("tests/fixtures/render/signed.yaml"),
    ];
    files.push(english_file);

    let archive = dir.join("archive");
    let mut args = vec!["render"];
    args.extend(files.iter().map(|f| s(f)));
    args.extend(["--archive", s(&archive)]);
    let run = cfp(&args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("{} rendered, 0 failed", files.len())),
        "{}",
        run.stdout
    );

    for (i, file) in files.iter().enumerate() {
        // Alone, with an archive of its own (empty, as the batch's was when it started).
        let single = dir.join(format!("single-{i}"));
        std::fs::create_dir_all(&single).unwrap();
        let pdf = single.join("report.pdf");
        let run = cfp(&[
            "render",
            s(file),
            "-o",
            s(&pdf),
            "--archive",
            s(&single.join("archive")),
        ]);
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        let (number, rev) = revision(file);
        let batch = archive.join(&number).join(format!("r{rev}"));
        assert!(
            std::fs::read(&pdf).unwrap() == std::fs::read(batch.join("report.pdf")).unwrap(),
            "{}: the batch's PDF differs from the single render's",
            file.display()
        );
        assert_eq!(
            std::fs::read_to_string(single.join("report.json")).unwrap(),
            std::fs::read_to_string(batch.join("results.json")).unwrap(),
            "{}: the batch's results JSON differs from the single render's",
            file.display()
        );
    }
}

#[test]
fn a_batch_still_refuses_two_files_of_the_same_revision_and_renders_nothing() {
    let dir = folder("clash");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(inputs.join("a.yaml"), &minimal).unwrap();
    std::fs::write(
        inputs.join("b.yaml"),
        minimal.replace("output: 1000", "output: 2000"),
    )
    .unwrap();
    std::fs::write(
        inputs.join("c.yaml"),
        minimal.replace("number: TEST-CFP-001", "number: OTHER-1"),
    )
    .unwrap();
    // An invalid file of the same revision is not archived: it does not clash.
    std::fs::write(
        inputs.join("d.yaml"),
        minimal.replace("output: 1000", "output: 0"),
    )
    .unwrap();
    let archive = dir.join("archive");
    let run = cfp(&["render", s(&inputs), "--archive", s(&archive)]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("TEST-CFP-001 r1: ")
            && run.stderr.contains("a.yaml, ")
            && run.stderr.contains("b.yaml"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("d.yaml"), "{}", run.stderr);
    assert!(!archive.join("OTHER-1").exists(), "nothing is rendered");

    // Without the clash: the valid ones rendered, the invalid one reported.
    std::fs::remove_file(inputs.join("b.yaml")).unwrap();
    let run = cfp(&["render", s(&inputs), "--archive", s(&archive)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("2 rendered, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("must be more than 0"), "{}", run.stderr);
    assert!(archive.join("OTHER-1/r1/report.pdf").is_file());
    assert!(archive.join("TEST-CFP-001/r1/report.pdf").is_file());
}

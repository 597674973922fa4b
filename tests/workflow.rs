//! Working the way consultants work: `init`, batches, shell completions.

mod common;

use std::path::PathBuf;

use common::{cfp, root};

fn folder(name: &str) -> PathBuf {
    common::folder("workflow", name)
}

#[test]
fn init_writes_a_starter_that_checks_and_renders_and_never_overwrites() {
    for lang in ["zh+en", "zh", "en"] {
        let dir = folder(&format!("init-{}", lang.replace('+', "-")));
        let run = cfp(&["init", dir.to_str().unwrap(), "--lang", lang]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let file = dir.join("engagement.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let cjk = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .any(|l| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        assert_eq!(
            cjk,
            lang != "en",
            "{lang}: Chinese text in the starter = {cjk}"
        );
        let run = cfp(&["check", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{lang}: {}", run.stderr);
        assert!(run.stdout.contains("valid: 1 product"), "{}", run.stdout);
        let out = dir.join("out");
        let run = cfp(&[
            "render",
            file.to_str().unwrap(),
            "--archive",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{lang}: {}", run.stderr);
        // The starter's own report number (from its folder and the date) names the folder.
        let number = text
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("number: "))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap();
        assert!(number.starts_with("CFP-"), "{number}");
        assert!(out.join(number).join("r1/report.pdf").is_file());

        std::fs::write(&file, "my edits").unwrap();
        let run = cfp(&["init", dir.to_str().unwrap()]);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "my edits");
    }
}

#[test]
fn a_batch_renders_every_file_and_reports_each_failure() {
    let dir = folder("batch");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    for i in 1..=3 {
        let text = minimal.replace("number: TEST-CFP-001", &format!("number: BATCH-{i}"));
        std::fs::write(inputs.join(format!("e{i}.yaml")), text).unwrap();
    }
    std::fs::copy(
        root().join("tests/fixtures/invalid/unknown-factor.yaml"),
        inputs.join("broken.yaml"),
    )
    .unwrap();
    std::fs::write(inputs.join("notes.txt"), "not an engagement").unwrap();
    let archive = dir.join("out");
    let run = cfp(&[
        "render",
        inputs.to_str().unwrap(),
        "--archive",
        archive.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "one failure fails the batch");
    assert!(
        run.stdout.contains("3 rendered, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("broken.yaml: failed"), "{}", run.stdout);
    assert!(
        run.stderr.contains("unknown factor `truk`"),
        "{}",
        run.stderr
    );
    for i in 1..=3 {
        assert!(
            archive.join(format!("BATCH-{i}/r1/report.pdf")).is_file(),
            "BATCH-{i}"
        );
    }
    // Same input, same bytes, also in parallel.
    let single = dir.join("single.pdf");
    let run = cfp(&[
        "render",
        inputs.join("e2.yaml").to_str().unwrap(),
        "-o",
        single.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read(single).unwrap()
            == std::fs::read(archive.join("BATCH-2/r1/report.pdf")).unwrap()
    );
    // `-o` names one file: not for a batch.
    let run = cfp(&["render", inputs.to_str().unwrap(), "-o", "x.pdf"]);
    assert_eq!(run.code, 2);
}

#[test]
fn completions_are_printed_for_the_usual_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let run = cfp(&["completions", shell]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for word in ["cfp-verify", "render", "verify", "archive"] {
            assert!(run.stdout.contains(word), "{shell}: no `{word}`");
        }
    }
}

/// Starts `cfp-verify watch ARGS` in `dir`, its output to `log.txt` (returned) and
/// `err.txt` there.
fn watch(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, std::path::PathBuf) {
    let log = dir.join("log.txt");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .arg("watch")
        .args(args)
        .current_dir(dir)
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(dir.join("err.txt")).unwrap())
        .spawn()
        .unwrap();
    (child, log)
}

/// Waits up to 20 s for `ready`, checking every 100 ms.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn watch_renders_on_change_and_keeps_the_last_good_pdf() {
    let dir = folder("watch");
    let file = dir.join("e.yaml");
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(&file, &minimal).unwrap();
    let (mut child, log) = watch(&dir, &["e.yaml", "--archive", "out"]);
    let pdf = dir.join("out/preview/e.pdf");
    let json = dir.join("out/preview/e.json");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for("the first render", || {
        read_log().contains("watching e.yaml")
    });
    let first = std::fs::read(&pdf).unwrap();

    // Broken input: reported, and the PDF stays as it was.
    std::fs::write(&file, minimal.replace("output: 1000", "output: 0")).unwrap();
    let read_err = || std::fs::read_to_string(dir.join("err.txt")).unwrap_or_default();
    wait_for("the error", || read_err().contains("must be more than 0"));
    assert!(read_err().contains("the last good PDF is kept"));
    assert!(std::fs::read(&pdf).unwrap() == first);

    // Fixed input: rendered again.
    std::fs::write(&file, minimal.replace("output: 1000", "output: 2000")).unwrap();
    wait_for("the second render", || {
        std::fs::read_to_string(&json).is_ok_and(|j| j.contains("\"output\": \"2000\""))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(std::fs::read(&pdf).unwrap() != first);
}

#[test]
fn watch_takes_the_render_options_font_dir_included() {
    let dir = folder("watch-fonts");
    let file = dir.join("e.yaml");
    std::fs::copy(root().join("tests/fixtures/valid/minimal.yaml"), &file).unwrap();
    let fonts = root().join("fonts");

    // A folder that cannot be read is refused before anything is watched.
    let run = cfp(&[
        "watch",
        file.to_str().unwrap(),
        "--font-dir",
        "no-such-fonts",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no-such-fonts: cannot read the fonts"),
        "{}",
        run.stderr
    );
    // As for `render`, `-o` names a PDF.
    let run = cfp(&["watch", file.to_str().unwrap(), "-o", "x.txt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("must end in `.pdf`"), "{}", run.stderr);

    let pdf = dir.join("preview.pdf");
    let (mut child, log) = watch(
        &dir,
        &[
            "e.yaml",
            "-o",
            "preview.pdf",
            "--font-dir",
            fonts.to_str().unwrap(),
        ],
    );
    wait_for("the first render", || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("watching e.yaml"))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        pdf.exists(),
        "{}",
        std::fs::read_to_string(dir.join("err.txt")).unwrap()
    );
    // Made with the extra fonts: `verify` needs them too.
    let run = cfp(&[
        "verify",
        pdf.to_str().unwrap(),
        "--font-dir",
        fonts.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn watch_after_a_burst_of_saves_shows_the_last_one_as_render_makes_it() {
    let dir = folder("watch-burst");
    let file = dir.join("e.yaml");
    let minimal =
        std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(&file, &minimal).unwrap();
    let (mut child, log) = watch(&dir, &["e.yaml", "-o", "preview.pdf"]);
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for("the first render", || {
        read_log().contains("watching e.yaml")
    });
    let pdf = dir.join("preview.pdf");
    let json = dir.join("preview.json");

    // Twenty saves within a few milliseconds, as editors and formatters make them: a new
    // file renamed over the old one, or the file written in place.
    let text = |i: usize| minimal.replace("output: 1000", &format!("output: {}", 1001 + i));
    for i in 0..20 {
        if i % 2 == 0 {
            let tmp = dir.join(".e.yaml.tmp");
            std::fs::write(&tmp, text(i)).unwrap();
            std::fs::rename(&tmp, &file).unwrap();
        } else {
            std::fs::write(&file, text(i)).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(i as u64 % 4));
    }
    wait_for("the last save's render", || {
        std::fs::read_to_string(&json).is_ok_and(|j| j.contains("\"output\": \"1020\""))
    });
    // The JSON is written after the PDF: the PDF in place is the last save's.
    let _ = child.kill();
    let _ = child.wait();

    let fresh = dir.join("fresh.pdf");
    let run = cfp(&[
        "render",
        file.to_str().unwrap(),
        "-o",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read(&pdf).unwrap() == std::fs::read(&fresh).unwrap(),
        "the watched PDF is not the render of the last save"
    );
    assert_eq!(
        std::fs::read_to_string(&json).unwrap(),
        std::fs::read_to_string(dir.join("fresh.json")).unwrap()
    );
}

//! Every invalid fixture gives exit code 1 and exactly the problems its header expects,
//! each located by line and YAML path.
//!
//! A fixture's header lines `# expect: LINE PATH FRAGMENT` (`-` for no line or path) name
//! the problems `check` must print; no other problem may be printed.

mod common;

use common::{cfp, root};

struct Expect {
    line: Option<usize>,
    path: Option<String>,
    fragment: String,
}

fn expectations(bytes: &[u8]) -> Vec<Expect> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let line = parts.next().unwrap();
            let path = parts.next().unwrap();
            Expect {
                line: (line != "-").then(|| line.parse().expect("a line number")),
                path: (path != "-").then(|| path.to_owned()),
                fragment: parts.next().unwrap().to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_invalid_fixture_is_reported_where_it_is() {
    let files = common::invalid_fixtures();
    assert!(files.len() >= 28, "the fixtures are there");
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        let expects = expectations(&std::fs::read(file).unwrap());
        assert!(!expects.is_empty(), "{rel} has no `# expect:` line");
        let run = cfp(&["check", &rel]);
        if run.code != 1 {
            failures.push(format!("{rel}: exit code {} instead of 1", run.code));
        }
        let problems: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with("  "))
            .collect();
        // The last line counts the problems.
        let want_count = format!(
            "{rel}: {} problem{}",
            expects.len(),
            if expects.len() == 1 { "" } else { "s" }
        );
        if problems.last() != Some(&want_count.as_str()) {
            failures.push(format!(
                "{rel}: expected `{want_count}`, got:\n{}",
                run.stderr
            ));
        }
        for e in &expects {
            let prefix = match e.line {
                Some(line) => format!("{rel}:{line}:"),
                None => format!("{rel}: "),
            };
            let body = match &e.path {
                Some(path) => format!(": {path}: "),
                None => String::new(),
            };
            let found = problems
                .iter()
                .any(|l| l.starts_with(&prefix) && l.contains(&body) && l.contains(&e.fragment));
            if !found {
                failures.push(format!(
                    "{rel}: no line `{prefix}…{body}…{}` in:\n{}",
                    e.fragment, run.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hints_say_what_to_write() {
    let run = cfp(&["check", "tests/fixtures/invalid/unknown-key.yaml"]);
    assert!(
        run.stderr.contains("  hint: did you mean `assurance`?"),
        "{}",
        run.stderr
    );
    let run = cfp(&["check", "tests/fixtures/invalid/unknown-factor.yaml"]);
    assert!(
        run.stderr
            .contains("did you mean `truck`? known factors: `steel`, `truck`, `grid` or `gas-ch4`"),
        "{}",
        run.stderr
    );
    let run = cfp(&["check", "tests/fixtures/invalid/unknown-unit.yaml"]);
    assert!(
        run.stderr.contains("known units: `g`, `kg` or `t`"),
        "{}",
        run.stderr
    );
    let run = cfp(&["check", "tests/fixtures/invalid/thousands-separator.yaml"]);
    assert!(run.stderr.contains("write `1000`"), "{}", run.stderr);
}

#[test]
fn a_comma_in_a_flow_mapping_is_explained() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("comma");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("e.yaml");
    let text = common::sample_with("quantity: 356.46 kWh", "quantity: 3,356.46 kWh");
    std::fs::write(&file, text).unwrap();
    let run = cfp(&["check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown key `356.46 kWh`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("a comma inside `{…}` ends a value"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_unreadable_files_exit_1() {
    assert_eq!(cfp(&[]).code, 2);
    assert_eq!(cfp(&["frobnicate"]).code, 2);
    assert_eq!(cfp(&["calc"]).code, 2);
    assert_eq!(cfp(&["calc", "--nope", "x.yaml"]).code, 2);
    let run = cfp(&["check", "no/such/file.yaml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("no/such/file.yaml: cannot read the file"),
        "{}",
        run.stderr
    );
}

//! Hostile and unusual input: bounded work and output on huge or malicious files, and clear
//! messages for what is not a file, names file systems reserve, and values a PDF cannot hold.
//!
//! No test here measures time (timed tests are flaky on a busy machine); each asserts on
//! what bounds the work or the output instead.

mod common;

use std::path::Path;

use common::{cfp, folder, sample, sample_with};

/// Writes `text` as `name` in a fresh folder for `test` and returns its path.
fn write(test: &str, name: &str, text: &str) -> String {
    let file = folder("hostile", test).join(name);
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

/// The lines of `stderr` that are problems (not hints), without the count on the last line.
fn problem_lines(stderr: &str) -> Vec<&str> {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("  ")).collect();
    lines[..lines.len().saturating_sub(1)].to_vec()
}

#[test]
fn fifty_thousand_unknown_keys_are_counted_and_the_first_thousand_shown() {
    let mut text = std::fs::read_to_string(sample()).unwrap();
    for i in 0..50_000 {
        text.push_str(&format!("unknown_key_{i}: 1\n"));
    }
    let file = write("keys", "keys.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    // The count is exact; the listing stops at a thousand (in file order) and says so.
    assert!(
        run.stderr.ends_with(&format!("{file}: 50000 problems\n")),
        "{}",
        &run.stderr[run.stderr.len().saturating_sub(500)..]
    );
    let lines = problem_lines(&run.stderr);
    assert_eq!(lines.len(), cfp_verify::SHOWN_PROBLEMS + 1);
    assert!(lines[0].contains(": unknown_key_0: unknown key `unknown_key_0`"));
    assert!(lines[999].contains(": unknown_key_999: unknown key"));
    assert_eq!(
        lines[1000],
        format!("{file}: … 49000 more problems not shown; fix these first, then check again")
    );
}

#[test]
fn many_unknown_factor_references_give_short_hints() {
    // 6,000 factors and 6,000 lines that name none of them.
    let minimal = common::root().join("tests/fixtures/valid/minimal.yaml");
    let mut text = std::fs::read_to_string(minimal).unwrap();
    let mut factors = String::from("factors:\n");
    for i in 0..6000 {
        factors.push_str(&format!(
            "  factor-number-{i}:\n    value: 1 kgCO2e/kg\n    source: S\n    category: national\n"
        ));
    }
    let mut lines = String::from("    materials:\n");
    for i in 0..6000 {
        lines.push_str(&format!(
            "      - {{name: X, quantity: 1 kg, factor: factor-numbr-{i}, data: {{activity: periodic, calibration: compliant}}}}\n"
        ));
    }
    text = text
        .replacen("factors:\n", &factors, 1)
        .replacen("    materials:\n", &lines, 1);
    let file = write("refs", "refs.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with(&format!("{file}: 6000 problems\n")));
    // Before, every hint listed all 6,000 factors: hundreds of megabytes.
    assert!(
        run.stderr.len() < 1_000_000,
        "{} bytes of messages",
        run.stderr.len()
    );
    // Still helpful: the likeliest factor, a few others, and how many more there are.
    assert!(
        run.stderr.contains(
            "unknown factor `factor-numbr-0`\n  hint: did you mean `factor-number-0`? known factors: `factor-number-0`, `factor-number-1`,"
        ),
        "{}",
        &run.stderr[..2000]
    );
    assert!(
        run.stderr.contains("… and 5996 more"),
        "{}",
        &run.stderr[..2000]
    );
}

/// The sample with `lines` more transport lines for its first product.
fn large_inventory(lines: usize) -> String {
    let line = "      - {material: {zh: 真空开关管, en: Vacuum interrupters}, supplier: {zh: 武汉飞特, en: Wuhan Feite}, mode: road, distance: 561 km, mass: 65 t, count: 13000 只, factor: road-18t,\n         data: {activity: periodic, calibration: compliant}, scores: {activity: 3, factor: 3, calibration: 6}}\n";
    sample_with(
        "    transport:\n",
        &format!("    transport:\n{}", line.repeat(lines)),
    )
}

#[test]
fn a_legitimate_inventory_of_15400_lines_is_read() {
    let file = write("large", "large.yaml", &large_inventory(15_400));
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("valid: 2 products"), "{}", run.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&cfp(&["calc", &file, "--json"]).stdout).unwrap();
    assert!(json["products"][0].is_object());
}

#[test]
fn an_alias_bomb_is_refused_naming_the_limit_and_the_reason() {
    let mut text = String::from("format: cfp-verify/1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let file = write("bomb", "bomb.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    let limit = cfp_verify::input::yaml::MAX_ALIAS_NODES;
    assert!(
        run.stderr.contains(&format!(
            "the aliases (`*name`) up to here copy more than {limit} values"
        )) && run.stderr.contains("alias bomb"),
        "{}",
        run.stderr
    );
    // Located at the alias that crossed the limit, on the line of `a6` or later.
    let line: usize = run.stderr.split(':').nth(1).unwrap().parse().unwrap();
    assert!((7..=10).contains(&line), "{}", run.stderr);
}

#[test]
fn deep_nesting_is_refused_before_anything_recurses() {
    let text = format!(
        "format: cfp-verify/1\nx: {}1{}\n",
        "[".repeat(150),
        "]".repeat(150)
    );
    let file = write("deep", "deep.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("nested more than 100 levels deep"),
        "{}",
        run.stderr
    );
    let text = format!("format: cfp-verify/1\nx:\n{}1\n", "- ".repeat(5000));
    let file = write("deep", "block.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("nested more than 100 levels deep"),
        "{}",
        run.stderr
    );
}

#[test]
fn report_numbers_that_file_systems_reserve_are_refused() {
    for (number, why) in [
        ("CON", "`CON`, a device name Windows reserves"),
        ("con", "`CON`, a device name Windows reserves"),
        ("NUL.txt", "`NUL`, a device name Windows reserves"),
        ("COM1", "`COM1`, a device name Windows reserves"),
        ("lpt1.pdf", "`LPT1`, a device name Windows reserves"),
        ("AUX", "`AUX`, a device name Windows reserves"),
        ("Prn", "`PRN`, a device name Windows reserves"),
        ("x.", "ends with `.`"),
        ("-rf", "starts with `-`"),
        ("'.'", "starts with `.`"),
        ("'..'", "starts with `.`"),
    ] {
        let text = sample_with("number: JZNT-CFP-2024-003", &format!("number: {number}"));
        let file = write("numbers", "n.yaml", &text);
        let run = cfp(&["check", &file]);
        assert_eq!(run.code, 1, "{number}: {}", run.stderr);
        let shown = number.trim_matches('\'');
        assert!(
            run.stderr.starts_with(&format!(
                "{file}:9:11: report.number: report number `{shown}` cannot be part of a file name: it "
            )) && run.stderr.contains(why)
                && run.stderr.contains("\n  hint: "),
            "{number}: {}",
            run.stderr
        );
    }
    // Names that only look like them are fine.
    for number in ["CONTRACT-7", "COM10", "X.CON", "NULL-1"] {
        let text = sample_with("number: JZNT-CFP-2024-003", &format!("number: {number}"));
        let file = write("numbers", "ok.yaml", &text);
        assert_eq!(cfp(&["check", &file]).code, 0, "{number}");
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_directory_or_fifo_is_not_called_missing() {
    let dir = folder("hostile", "kinds");
    let as_dir = dir.join("engagement.yaml");
    std::fs::create_dir(&as_dir).unwrap();
    let fifo = dir.join("fifo.yaml");
    mkfifo(&fifo);
    for command in ["check", "calc", "render"] {
        // `render` of a folder renders the engagements in it, by design.
        if command != "render" {
            let run = cfp(&[command, as_dir.to_str().unwrap()]);
            assert_eq!(run.code, 1, "{command}");
            assert!(
                run.stderr.starts_with(&format!(
                    "{}: cannot read the file: it is a directory",
                    as_dir.display()
                )),
                "{command}: {}",
                run.stderr
            );
        }
        // A FIFO would block a plain read forever; it is refused at once.
        let run = cfp(&[command, fifo.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{command}");
        assert!(
            run.stderr.contains(&format!(
                "{}: cannot read the file: it is not a regular file but a FIFO (named pipe)",
                fifo.display()
            )),
            "{command}: {}",
            run.stderr
        );
    }

    // Paths inside the engagement.
    let eng = folder("hostile", "asset-kinds");
    std::fs::create_dir_all(eng.join("assets/logo.png")).unwrap();
    mkfifo(&eng.join("assets/chart.png"));
    let text = sample_with(
        "  address: {zh: 河南省郑州市金水区",
        "  logo: assets/logo.png\n  address: {zh: 河南省郑州市金水区",
    )
    .replacen(
        "  credit_code:",
        "  org_chart: assets/chart.png\n  credit_code:",
        1,
    );
    std::fs::write(eng.join("e.yaml"), text).unwrap();
    let run = cfp(&["check", eng.join("e.yaml").to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(": verifier.logo: file `assets/logo.png` is a directory\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            ": client.org_chart: file `assets/chart.png` is not a regular file but a FIFO (named pipe)\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn a_text_longer_than_a_pdf_string_is_refused_where_it_is() {
    let limit = cfp_verify::validate::MAX_TEXT_BYTES;
    let long = "x".repeat(limit + 1);
    let text = sample_with("model: /", &format!("model: \"{long}\""));
    let file = write("long", "long.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(&format!(
            "{file}:257:12: products[0].model: a text of {} bytes: at most {limit} fit in a PDF string",
            limit + 1
        )),
        "{}",
        run.stderr
    );
    // At the limit, and with tabs and line breaks in a text, the file is valid.
    let text = sample_with("model: /", &format!("model: \"{}\"", "x".repeat(limit))).replacen(
        "  title: {zh: 产品碳足迹评价报告, en: Product Carbon Footprint Verification Report}",
        "  title: \"产品碳足迹\\t评价报告\\nProduct Carbon Footprint\"",
        1,
    );
    let file = write("long", "ok.yaml", &text);
    let run = cfp(&["check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

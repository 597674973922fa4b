//! No inventory line is lost from the PDF: a stage with many lines breaks across pages
//! in every table that lists lines, and no row runs over the page footer.
//!
//! Needs poppler-utils (`.ci/run` installs it).

mod common;

use common::{cfp, folder, poppler, root};

/// Lines in the one long stage.
const LINES: u32 = 100;

/// The emissions of line `i` in hundredths of a kgCO2e: 1000.17, 1001.17, … 1099.17.
fn hundredths(i: u32) -> u32 {
    100_017 + 100 * i
}

/// Line `i`'s emissions as the report prints them (two places): `1000.17`.
fn figure(i: u32) -> String {
    let c = hundredths(i);
    format!("{}.{:02}", c / 100, c % 100)
}

/// Line `i`'s quantity in kg: half its emissions, for a factor of 2 tCO2e/t (`500.085`).
fn quantity(i: u32) -> String {
    let milli = hundredths(i) * 5;
    format!("{}.{:03}", milli / 1000, milli % 1000)
}

/// The minimal engagement with one materials stage of `LINES` lines and a factor of exactly 2.
fn engagement() -> String {
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml"))
        .expect("fixture readable");
    let line = "      - {name: {zh: 钢材, en: Steel}, quantity: 500 kg, factor: steel, data: {activity: periodic, calibration: compliant}}\n";
    assert!(text.contains(line), "the fixture has its steel line");
    let lines: String = (0..LINES)
        .map(|i| {
            format!(
                "      - {{name: {{zh: 钢材{n:03}, en: Steel {n:03}}}, quantity: {q} kg, factor: steel, data: {{activity: periodic, calibration: compliant}}}}\n",
                n = i + 1,
                q = quantity(i)
            )
        })
        .collect();
    let factor = "    value: 2.1 tCO2e/t\n";
    assert!(text.contains(factor), "the fixture has its steel factor");
    text.replacen(line, &lines, 1)
        .replacen(factor, "    value: 2 tCO2e/t\n", 1)
}

/// How often `needle` occurs in `haystack` as a whole number: not inside a longer one.
fn occurrences(haystack: &str, needle: &str) -> usize {
    let part_of_number = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
    haystack
        .match_indices(needle)
        .filter(|(at, _)| {
            !part_of_number(haystack[..*at].chars().next_back())
                && !part_of_number(haystack[at + needle.len()..].chars().next())
        })
        .count()
}

#[test]
fn a_stage_of_a_hundred_lines_keeps_every_line_in_every_table() {
    let dir = folder("rows", "hundred");
    let yaml = dir.join("long-stage.yaml");
    std::fs::write(&yaml, engagement()).unwrap();
    let pdf = dir.join("long-stage.pdf");
    let run = cfp(&[
        "render",
        yaml.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "render failed: {}", run.stderr);

    let text = poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    // pdftotext ends every page with a form feed.
    let pages: Vec<&str> = text.trim_end_matches('\u{c}').split('\u{c}').collect();

    // The tables that list the materials lines with their emissions: the A × B = C
    // calculation and the data-quality table. Each line is in both, once each.
    let missing: Vec<String> = (0..LINES)
        .map(figure)
        .filter(|f| occurrences(&text, f) != 2)
        .map(|f| format!("{f} ({} times)", occurrences(&text, &f)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {LINES} lines are not printed once in each of the two tables: {missing:?}",
        missing.len()
    );

    // The data-quality table is the last table listing the lines: after its caption each
    // line is there once, over several pages, and every such page names the stage.
    let caption = pages
        .iter()
        .position(|p| p.contains("部件数据质量评价"))
        .expect("the data-quality table has its caption");
    let with_lines: Vec<usize> = (caption..pages.len())
        .filter(|&n| (0..LINES).any(|i| occurrences(pages[n], &figure(i)) > 0))
        .collect();
    for i in 0..LINES {
        let found: usize = with_lines
            .iter()
            .map(|&n| occurrences(pages[n], &figure(i)))
            .sum();
        assert_eq!(found, 1, "line {} in the data-quality table", i + 1);
    }
    assert!(
        with_lines.len() >= 3,
        "a hundred rows take several pages, not {}",
        with_lines.len()
    );
    for &n in &with_lines {
        assert!(
            pages[n].contains("原材料获取") && pages[n].contains("Raw material acquisition"),
            "page {} of the data-quality table does not name the stage:\n{}",
            n + 1,
            pages[n]
        );
    }

    // The calculation table too breaks over several pages.
    let calculation: Vec<usize> = (0..caption)
        .filter(|&n| (0..LINES).any(|i| occurrences(pages[n], &figure(i)) > 0))
        .collect();
    assert!(
        calculation.len() >= 3,
        "the calculation table's hundred rows take several pages, not {}",
        calculation.len()
    );

    // Nothing is printed over or below the footer: on every page but the cover, the
    // last line of text is the page number.
    let total = pages.len();
    for (n, page) in pages.iter().enumerate().skip(1) {
        let last = page
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        assert!(
            last.trim().ends_with(&format!("Page {} of {total}", n + 1)),
            "page {}: a row runs into the footer: {last:?}",
            n + 1
        );
    }
}

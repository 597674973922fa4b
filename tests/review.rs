//! What a careful reader checks on every report, automated over the review set's sparse
//! engagements (scripts/review renders the same set for the eye): no heading without
//! content, no id of the file and no text printed twice (`X / X`) in the text layer, the
//! statement on one page; and what a technical reviewer needs to find: the cut-off test and
//! the coverage, the scoring rules, the revision history from the first issue.
//!
//! Needs poppler-utils (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};

use common::{cfp, folder, poppler};

/// The sparse engagements and the long one, with the language modes they are read in.
const SET: [(&str, &[&str]); 7] = [
    ("tests/fixtures/valid/minimal.yaml", &[]),
    ("tests/fixtures/valid/gate.yaml", &[]),
    ("tests/fixtures/valid/partial.yaml", &[]),
    ("tests/fixtures/render/sparse.yaml", &[]),
    ("tests/fixtures/render/sparse.yaml", &["--lang", "en"]),
    ("tests/fixtures/render/sparse.yaml", &["--lang", "zh"]),
    ("tests/fixtures/render/long.yaml", &[]),
];

/// A rendered report: its PDF and generated typst source.
struct Rendered {
    name: String,
    pdf: PathBuf,
    typst: String,
}

/// Renders `file` with `extra` arguments into a folder of its own.
fn render(file: &str, extra: &[&str]) -> Rendered {
    let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
    let name = format!("{stem}{}", extra.join(""));
    // A folder of its own per render: tests run in parallel and may render the same file.
    static RENDERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RENDERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = folder("review", &format!("{name}-{n}"));
    let (pdf, typ) = (dir.join("r.pdf"), dir.join("r.typ"));
    let mut args = vec![
        "render",
        file,
        "-o",
        pdf.to_str().unwrap(),
        "--typst",
        typ.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = cfp(&args);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let typst = std::fs::read_to_string(&typ).unwrap();
    Rendered { name, pdf, typst }
}

/// The text layer of pages `first..=last` (all when `None`), laid out.
fn text(pdf: &Path, pages: Option<(u32, u32)>) -> String {
    let mut args: Vec<String> = vec!["-layout".into()];
    if let Some((f, l)) = pages {
        args.extend(["-f".into(), f.to_string(), "-l".into(), l.to_string()]);
    }
    args.extend([pdf.to_str().unwrap().to_owned(), "-".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    poppler("pdftotext", &args)
}

/// The text without white space: pdftotext breaks lines in paragraphs and cells.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The headings of the generated source (`== 1.1 …`) followed by nothing but headings of
/// the same or a higher level, or by the end: `level title` for each.
fn empty_headings(typst: &str) -> Vec<String> {
    let lines: Vec<&str> = typst.lines().collect();
    let level = |l: &str| {
        let n = l.chars().take_while(|c| *c == '=').count();
        (n > 0 && l[n..].starts_with(' ')).then_some(n)
    };
    let mut empty = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(n) = level(l) else { continue };
        // The heading's other languages (`#subtitle`) and blank lines are not content.
        let next = lines[i + 1..]
            .iter()
            .find(|x| !x.trim().is_empty() && !x.starts_with("#subtitle("));
        if next.is_none_or(|x| level(x).is_some_and(|m| m <= n)) {
            empty.push(format!("{n} {l}"));
        }
    }
    empty
}

#[test]
fn no_heading_is_without_content() {
    let samples: [(&str, &[&str]); 2] = [
        ("samples/chennuo-2023.yaml", &[]),
        ("samples/kettle-2024.yaml", &[]),
    ];
    for (file, extra) in SET.into_iter().chain(samples) {
        let r = render(file, extra);
        let empty = empty_headings(&r.typst);
        assert!(empty.is_empty(), "{}: empty headings {empty:?}", r.name);
    }
}

#[test]
fn the_check_finds_an_empty_heading() {
    let typst = "== 1.1 A\n#subtitle(2, [A])\n\n=== 1.1.1 B\n\n== 1.2 C\ntext\n= 2 D\n";
    assert_eq!(empty_headings(typst), ["3 === 1.1.1 B", "1 = 2 D"]);
}

/// Cells printing one text twice, `X / X`: the layout's cells are split at runs of spaces.
fn doubled(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        for cell in line.split("  ").map(str::trim).filter(|c| !c.is_empty()) {
            let parts: Vec<&str> = cell.split(" / ").map(str::trim).collect();
            if parts.windows(2).any(|w| !w[0].is_empty() && w[0] == w[1]) {
                found.push(cell.to_owned());
            }
        }
    }
    found
}

#[test]
fn no_text_is_printed_twice_and_no_id_is_printed() {
    // The ids of the files that are not also their names.
    let ids: [(&str, &[&str]); 4] = [
        ("minimal", &["widget", "truck", "grid", "gas-ch4", "steel"]),
        ("gate", &["widget", "grid"]),
        ("partial", &["widget"]),
        ("sparse", &["swp-12"]),
    ];
    for (file, extra) in SET {
        let r = render(file, extra);
        let all = text(&r.pdf, None);
        let twice = doubled(&all);
        assert!(twice.is_empty(), "{}: printed twice {twice:?}", r.name);
        let words: Vec<&str> = all
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .collect();
        for (stem, ids) in ids {
            if r.name.starts_with(stem) {
                for id in ids {
                    assert!(!words.contains(id), "{}: the id `{id}` is printed", r.name);
                }
            }
        }
    }
}

#[test]
fn the_check_finds_a_doubled_text() {
    assert_eq!(
        doubled("  批准人 / Approved by    Wang Lei / Wang Lei\n 张三 / Zhang San"),
        ["Wang Lei / Wang Lei"]
    );
}

#[test]
fn the_statement_is_on_one_page() {
    for (file, extra) in SET {
        let r = render(file, extra);
        let page2 = squash(&text(&r.pdf, Some((2, 2))));
        let page3 = squash(&text(&r.pdf, Some((3, 3))));
        let english = extra.contains(&"en");
        let (title, date, contents) = if english {
            ("Verificationstatement", "Dateofissue", "Contents")
        } else {
            ("产品碳足迹评价声明", "签发日期", "目录")
        };
        assert!(page2.contains(title), "{}: no statement on page 2", r.name);
        assert!(
            page2.contains(date),
            "{}: the signature is not on page 2",
            r.name
        );
        assert!(
            page3.contains(contents),
            "{}: page 3 is not the contents",
            r.name
        );
    }
}

#[test]
fn a_sparse_report_shows_the_cut_off_test_the_scoring_rules_and_its_history() {
    let r = render("tests/fixtures/render/sparse.yaml", &["--lang", "en"]);
    let all = squash(&text(&r.pdf, None));
    for expected in [
        // The cut-off test: each excluded item's share, the sum and the coverage.
        "Cut-offtestoftheexcludedprocesses",
        "Packaging0.3%withinthe1%cut-off",
        "Wastewatertreatment—notestimated",
        "Total0.4%withinthe5%cut-off",
        "coversanestimated99.6%oftheemissions,meetingtherequired95%",
        // The scoring rules.
        "Continuousmeasurement6",
        "Periodicmeasurementornameplatedata3",
        "Ownestimate1",
        "Measuredormass-balancefactor6",
        "Internationalfactor1",
        "Nocalibrationrequirement1",
        // The history from the first issue, which the archive does not hold.
        "r1—Firstissue",
        "r220May2024Cablequantitycorrected",
        // No attachments: the chapter is left out and the next ones renumbered.
        "6Verificationfindings",
        "7Revisionhistory",
        // The criteria are 1.1.1 when neither party has a profile.
        "1.1.1Criteria",
    ] {
        assert!(all.contains(expected), "no `{expected}` in\n{all}");
    }
    for absent in ["Attachments", "1.1.2", "Theclient1.1", "None."] {
        assert!(!all.contains(absent), "`{absent}` is printed");
    }
}

#[test]
fn the_evaluation_tables_show_the_quantities_evaluated() {
    let r = render("samples/chennuo-2023.yaml", &["--lang", "en"]);
    let all = squash(&text(&r.pdf, None));
    for expected in [
        "ValuesIntelligentpowerdistributionunitAluminiumparts:3t",
        "ValuesIntegrateddistributionboxCable:4000m",
        "Roadfreight:521849.40tkm(deliveries:16)",
    ] {
        assert!(all.contains(expected), "no `{expected}`");
    }
}

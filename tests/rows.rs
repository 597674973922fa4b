//! No inventory line is lost from the PDF: a stage listed in full breaks across pages in
//! every table that lists lines, a longer stage is summarised in the body and listed line by
//! line in the annex, and no row runs over the page footer.
//!
//! Needs poppler-utils (`.ci/run` installs it).

mod common;

use common::{cfp, folder, poppler, root};

/// Lines in the one long stage: the most the body lists in full (`view::FULL_STAGE`).
const LINES: u32 = 30;

/// Lines in a stage the body summarises.
const MANY: u32 = 100;

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

/// The minimal engagement with one materials stage of `lines` lines and a factor of exactly 2.
fn engagement(lines: u32) -> String {
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml"))
        .expect("fixture readable");
    let line = "      - {name: {zh: 钢材, en: Steel}, quantity: 500 kg, factor: steel, data: {activity: periodic, calibration: compliant}}\n";
    assert!(text.contains(line), "the fixture has its steel line");
    let lines: String = (0..lines)
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
    // Electricity large enough that no steel line reaches 1% of the total: the sensitivity
    // table, which lists such inputs, then lists none of them.
    let power = "quantity: 3600 MJ,";
    assert!(text.contains(power), "the fixture has its electricity line");
    text.replacen(line, &lines, 1)
        .replacen(factor, "    value: 2 tCO2e/t\n", 1)
        .replacen(power, "quantity: 360000000 MJ,", 1)
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

/// Renders the engagement with a stage of `lines` lines; the text of its pages, and the PDF.
fn render(name: &str, lines: u32) -> (Vec<String>, std::path::PathBuf) {
    let dir = folder("rows", name);
    let yaml = dir.join("long-stage.yaml");
    std::fs::write(&yaml, engagement(lines)).unwrap();
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
    let pages: Vec<String> = text
        .trim_end_matches('\u{c}')
        .split('\u{c}')
        .map(str::to_owned)
        .collect();
    nothing_below_the_footer(&pages);
    (pages, pdf)
}

#[test]
fn a_stage_listed_in_full_keeps_every_line_in_every_table() {
    let (pages, _) = render("full", LINES);
    let text = pages.concat();

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
        .filter(|&n| (0..LINES).any(|i| occurrences(&pages[n], &figure(i)) > 0))
        .collect();
    for i in 0..LINES {
        let found: usize = with_lines
            .iter()
            .map(|&n| occurrences(&pages[n], &figure(i)))
            .sum();
        assert_eq!(found, 1, "line {} in the data-quality table", i + 1);
    }
    assert!(
        with_lines.len() >= 2,
        "thirty rows take more than a page, not {}",
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
        .filter(|&n| (0..LINES).any(|i| occurrences(&pages[n], &figure(i)) > 0))
        .collect();
    assert!(
        calculation.len() >= 2,
        "the calculation table's thirty rows take more than a page, not {}",
        calculation.len()
    );
}

#[test]
fn a_stage_of_a_hundred_lines_is_summarised_and_listed_line_by_line_in_the_annex() {
    let (pages, pdf) = render("hundred", MANY);
    let text = pages.concat();
    // Line i's emissions grow with i: the fifteen largest are the last fifteen.
    let largest = MANY - 15..MANY;
    let annex = annex_start(&pages);
    for i in 0..MANY {
        let f = figure(i);
        let in_annex: usize = pages[annex..].iter().map(|p| occurrences(p, &f)).sum();
        assert_eq!(in_annex, 1, "line {} ({f}) in the annex's listing", i + 1);
        // The body: the calculation and data-quality tables list the largest lines only.
        let in_body: usize = pages[..annex].iter().map(|p| occurrences(p, &f)).sum();
        let expected = if largest.contains(&i) { 2 } else { 0 };
        assert_eq!(in_body, expected, "line {} ({f}) in the body", i + 1);
    }
    // The others in one row, their exact sum: lines 1 to 85, 1000.17 + … + 1084.17.
    let rest: u32 = (0..MANY - 15).map(hundredths).sum();
    let rest = format!("{}.{:02}", rest / 100, rest % 100);
    assert_eq!(rest, "88584.45");
    assert_eq!(
        occurrences(&text, &rest),
        2,
        "the other 85 lines' sum in the calculation and data-quality tables"
    );
    assert!(
        text.contains("其余 85 行（见表 A-1）") && text.contains("The other 85 lines (Table A-1)"),
        "the summed row says where the lines are"
    );
    // The sum is in the emissions column: it ends where the column's heading (`C = A×B`,
    // repeated on each page the table takes) ends.
    let boxes = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let right_edge = |page: &str, word: &str| {
        page.split("<word ").find_map(|w| {
            let (attrs, rest) = w.split_once('>')?;
            (rest.split('<').next()? == word).then(|| {
                let x = attrs.split("xMax=\"").nth(1)?.split('"').next()?;
                x.parse::<f64>().ok()
            })?
        })
    };
    let page = boxes
        .split("<page ")
        .find(|p| right_edge(p, &rest).is_some() && right_edge(p, "A×B").is_some())
        .expect("the summed row on a page of the calculation table");
    let (sum, heading) = (
        right_edge(page, &rest).unwrap(),
        right_edge(page, "A×B").unwrap(),
    );
    assert!(
        (sum - heading).abs() < 1.0,
        "the other lines' sum ends at x = {sum}, the emissions column at {heading}"
    );
    // The largest lines are listed under their numbers in the annex: line 100 first.
    let body = pages[..annex].concat();
    let calc = body
        .find("C = A×B")
        .expect("the materials calculation table's header");
    let first = body[calc..].lines().find(|l| l.contains("钢材")).unwrap();
    assert!(
        first.trim_start().starts_with("100 ") && first.contains("1099.17"),
        "{first}"
    );
}

/// The first page of the annex listing the stage's lines: its heading and table A-1 (the
/// body's summed row names table A-1 too).
fn annex_start(pages: &[String]) -> usize {
    pages
        .iter()
        .position(|p| p.contains("附录：清单行明细") && p.contains("表 A-1"))
        .expect("the annex lists the stage's lines")
}

/// Nothing is printed over or below the footer: on every page but the cover, the last line
/// of text is the page number.
fn nothing_below_the_footer(pages: &[String]) {
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

#[test]
fn a_stage_of_a_thousand_lines_renders_in_a_few_dozen_pages_with_every_line_in_the_annex() {
    // Until the body summarised long stages, such a stage listed every line in one cell of
    // the activity-data table and typst gave up ("maximum grouping depth exceeded").
    let lines = 1000;
    let (pages, _) = render("thousand", lines);
    assert!(
        pages.len() < 70,
        "{} pages: the body lists 15 lines, the annex one per line",
        pages.len()
    );
    let text = pages.concat();
    assert!(
        text.contains("其余 985 行（见表 A-1）"),
        "the body sums the other lines"
    );
    let annex = annex_start(&pages);
    let listed: usize = (0..lines)
        .filter(|&i| {
            pages[annex..]
                .iter()
                .any(|p| occurrences(p, &figure(i)) > 0)
        })
        .count();
    assert_eq!(
        listed, lines as usize,
        "every line's emissions in the annex"
    );
}

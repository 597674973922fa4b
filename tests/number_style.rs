//! `report.number_style: grouped` sets off thousands in the PDF with a thin space; the JSON
//! written beside it, `calc --json` and `check` keep plain figures.

mod common;

use common::{cfp, folder, poppler, sample_with};

/// Renders the sample with `number_style` (or none) and returns the PDF's text and the JSON
/// written beside it.
fn render(style: Option<&str>, name: &str) -> (String, String, std::path::PathBuf) {
    let dir = folder("number_style", name);
    let yaml = dir.join("engagement.yaml");
    let text = match style {
        Some(s) => sample_with(
            "  languages: [zh, en]\n",
            &format!("  languages: [zh, en]\n  number_style: {s}\n"),
        ),
        None => sample_with("", ""),
    };
    std::fs::write(&yaml, text).unwrap();
    let pdf = dir.join("report.pdf");
    let run = cfp(&[
        "render",
        yaml.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let json = std::fs::read_to_string(dir.join("report.json")).unwrap();
    (text, json, yaml)
}

#[test]
fn grouped_figures_in_the_pdf_plain_figures_everywhere_else() {
    let (text, json, yaml) = render(Some("grouped"), "grouped");
    // The smart unit's total and its materials (the file's own sentences are as written).
    assert!(text.contains("116 767.89"), "the total is grouped");
    assert!(text.contains("42 900.00"));
    // Figures of three digits or fewer, years and report numbers are left alone.
    assert!(text.contains("2023"));
    assert!(text.contains("JZNT-CFP-2024-003"));
    assert!(json.contains("\"116767.89\"") && !json.contains('\u{2009}'));
    let calc = cfp(&["calc", "--json", yaml.to_str().unwrap()]);
    assert!(calc.stdout.contains("\"116767.89\"") && !calc.stdout.contains('\u{2009}'));
    let check = cfp(&["check", yaml.to_str().unwrap()]);
    assert!(!check.stdout.contains('\u{2009}') && !check.stderr.contains('\u{2009}'));
}

#[test]
fn plain_is_the_default() {
    let (text, _, _) = render(None, "default");
    assert!(text.contains("116767.89"));
    assert!(!text.contains("116 767.89"));
    let (plain, _, _) = render(Some("plain"), "plain");
    assert!(plain.contains("116767.89"));
}

#[test]
fn an_unknown_style_is_refused() {
    let dir = folder("number_style", "unknown");
    let yaml = dir.join("engagement.yaml");
    std::fs::write(
        &yaml,
        sample_with(
            "  languages: [zh, en]\n",
            "  languages: [zh, en]\n  number_style: commas\n",
        ),
    )
    .unwrap();
    let run = cfp(&["check", yaml.to_str().unwrap()]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("number_style"), "{}", run.stderr);
}

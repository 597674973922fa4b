//! The report: rendered, read back with poppler's pdftotext and pdffonts, and compared.
//!
//! Needs poppler-utils (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, assert_golden, cfp, human_cfp, poppler, root};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn text_of(pdf: &Path) -> String {
    poppler("pdftotext", &[pdf.to_str().unwrap(), "-"])
}

/// Renders `engagement` to `name` under the test folder; returns the run and the PDF path.
fn render(engagement: &str, name: &str, extra: &[&str]) -> (Run, PathBuf) {
    let pdf = tmp(name);
    let _ = std::fs::remove_file(&pdf);
    let mut args = vec!["render", engagement, "-o", pdf.to_str().unwrap()];
    args.extend_from_slice(extra);
    (cfp(&args), pdf)
}

/// `haystack` contains `needle`, ignoring white space (pdftotext breaks lines in cells).
fn has(haystack: &str, needle: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(haystack).contains(&squash(needle))
}

/// Pixels of page `page` that are clearly red (the watermark is the only red on a page).
fn red_pixels(pdf: &Path, page: u32) -> usize {
    let prefix = pdf.with_extension(format!("p{page}"));
    let p = page.to_string();
    let args = [
        "-r",
        "20",
        "-f",
        &p,
        "-l",
        &p,
        "-singlefile",
        pdf.to_str().unwrap(),
        prefix.to_str().unwrap(),
    ];
    let out = Command::new("pdftoppm")
        .args(args)
        .output()
        .expect("pdftoppm (poppler-utils)");
    assert!(out.status.success());
    let ppm = std::fs::read(prefix.with_extension(format!("p{page}.ppm"))).unwrap();
    // P6 header: magic, width, height, maxval, each followed by white space.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    ppm[i + 1..]
        .chunks_exact(3)
        .filter(|px| {
            i32::from(px[0]) - i32::from(px[1]) > 10 && i32::from(px[0]) - i32::from(px[2]) > 10
        })
        .count()
}

fn contains_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

#[test]
fn the_sample_report_holds_every_section_in_both_languages() {
    let (run, pdf) = render("samples/chennuo-2023.yaml", "sample.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.stdout.trim();
    assert!(line.starts_with(&format!("{}: ", pdf.display())), "{line}");
    assert!(
        line.contains(" pages, ") && line.contains(" KB, ") && line.ends_with(" s"),
        "{line}"
    );
    let json = std::fs::read_to_string(pdf.with_extension("json")).unwrap();
    assert!(json.contains("\"total\": \"116767.89\""));

    let text = text_of(&pdf);
    for needle in [
        // cover and statement
        "产品碳足迹评价报告",
        "Product Carbon Footprint Verification",
        "JZNT-CFP-2024-003",
        "产品碳足迹评价声明",
        "Verification statement",
        "目录",
        "Contents",
        // sections in the seed's order
        "一、项目评价概述",
        "1 Overview of the verification",
        "二、评价程序和步骤",
        "三、评价发现",
        "四、评价结论",
        "五、产品碳足迹改善措施",
        "六、附件",
        "七、核查发现",
        // tables numbered per section, in both languages
        "表 2.1-1",
        "Table 2.1-1",
        "表 3.3-1",
        "Table 3.4-2",
        // the figures
        "116767.89",
        "67318.57",
        "4703.99",
        "11.05",
        "36.74",
        "1112.84",
        "3.39",
        "4.30",
        "4.52",
        // the conclusion follows the figures: a material misstatement
        "存在实质性偏差",
        "a material misstatement",
        "73867.89",
        "−36.74",
        // citations and the factor note
        "41432X0012019A",
        "46320X0022005A",
        "环办气候函〔2023〕43号",
        "coaxial cable",
        // footer, signature block, hotspot, findings, fingerprint
        "第 2 页 共",
        "Page 2 of",
        "批准人",
        "郑大朋",
        "原材料运输",
        "Material misstatement",
        "SHA-256",
    ] {
        assert!(has(&text, needle), "the report lacks `{needle}`");
    }
    // Findings are printed by their titles: no machine codes, no YAML ids, no backticks.
    for code in ["material-misstatement", "score-override", "road-18t", "`"] {
        assert!(!text.contains(code), "the report prints `{code}`");
    }
    assert!(
        has(&text, "核查意见：保留意见") && has(&text, "except for the effects of the matters"),
        "a misstated report must not be called fair"
    );
    let sha = {
        use sha2::{Digest, Sha256};
        let bytes = std::fs::read(root().join("samples/chennuo-2023.yaml")).unwrap();
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(
        has(&text, &sha),
        "the SHA-256 of the engagement file is printed"
    );
    // Approved: no watermark.
    assert_eq!(
        red_pixels(&pdf, 2),
        0,
        "an approved report has no watermark"
    );
}

#[test]
fn a_fair_report_says_so() {
    let (run, pdf) = render("tests/fixtures/valid/minimal.yaml", "fair.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    // Limited assurance, nothing affecting the opinion: unmodified, in the negative form.
    assert!(has(&text, "核查意见：无保留意见"));
    assert!(has(&text, "我们未发现任何事项使我们相信"));
    assert!(has(&text, "nothing has come to our attention"));
    // Not approved: the watermark is on the pages.
    assert!(red_pixels(&pdf, 2) > 50, "no watermark on a draft");
    assert!(red_pixels(&pdf, 5) > 50, "no watermark on a draft");
}

#[test]
fn fonts_are_embedded_subsets() {
    let (run, pdf) = render("samples/chennuo-2023.yaml", "fonts.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fonts = poppler("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{fonts}");
    for (row, family) in rows
        .iter()
        .zip(["NotoSansCJKsc-Bold", "NotoSerifCJKsc-Regular"])
    {
        assert!(row.contains(family), "{fonts}");
        let cols: Vec<&str> = row.split_whitespace().collect();
        // emb sub uni
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{row}"
        );
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (a, pdf_a) = render("samples/chennuo-2023.yaml", "same-a.pdf", &[]);
    let (b, pdf_b) = render("samples/chennuo-2023.yaml", "same-b.pdf", &[]);
    assert_eq!((a.code, b.code), (0, 0));
    assert!(
        std::fs::read(pdf_a).unwrap() == std::fs::read(pdf_b).unwrap(),
        "two renders differ"
    );
}

#[test]
fn markup_in_the_engagement_is_printed_literally() {
    let (run, pdf) = render("tests/fixtures/valid/markup.yaml", "markup.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    let evil = r#"#read("/etc/passwd") {{ 7*7 }} *x* $x$ ] @ref <l> \ \\ // #(1+1) _u_ `c`"#;
    for prefix in ["部件 ", "Widget ", "Source "] {
        assert!(
            has(&text, &format!("{prefix}{evil}")),
            "`{prefix}…` not printed literally"
        );
    }
    assert!(!text.contains("root:"), "a file was read");
}

#[test]
fn one_language_means_no_text_of_the_other() {
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "en.pdf",
        &["--lang", "en"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    assert!(text.contains("Verification statement") && text.contains("Page 2 of"));
    assert!(!contains_cjk(&text), "Chinese text in an English report");

    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "zh.pdf",
        &["--lang", "zh"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    assert!(text.contains("产品碳足迹评价声明") && text.contains("第 2 页"));
    for english in [
        "Verification statement",
        "Page ",
        "Table ",
        "Conclusion",
        "DRAFT",
        "Widget",
        "Zhang San",
    ] {
        assert!(!text.contains(english), "`{english}` in a Chinese report");
    }
}

#[test]
fn a_missing_glyph_is_an_error_that_names_it() {
    let (run, pdf) = render("tests/fixtures/render/missing-glyph.yaml", "glyph.pdf", &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no font has a glyph for 1 character"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`㐀` (U+3400), first on line 30"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--font-dir"), "{}", run.stderr);
    assert!(!pdf.exists(), "no PDF after a failed render");
}

#[test]
fn a_failed_render_keeps_the_previous_file() {
    let pdf = tmp("kept.pdf");
    std::fs::write(&pdf, b"the previous report").unwrap();
    let templates = tmp("broken-templates");
    std::fs::create_dir_all(templates.join("default")).unwrap();
    std::fs::write(templates.join("default/style.typ.j2"), "#let x = (\n").unwrap();
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "-o",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("main.typ:"),
        "the typst error is located: {}",
        run.stderr
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), b"the previous report");
    let leftovers: Vec<_> = std::fs::read_dir(pdf.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_template_error_names_the_template_file_and_line() {
    let templates = tmp("syntax-error-templates");
    std::fs::create_dir_all(templates.join("default")).unwrap();
    let file = templates.join("default/report.typ.j2");
    std::fs::write(&file, "= Report\n{{ report.number }\nmore\n").unwrap();
    let pdf = tmp("syntax-error.pdf");
    let _ = std::fs::remove_file(&pdf);
    let args = [
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "-o",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ];
    let name = file.display().to_string();

    // Human: the file and line, the offending line itself and a caret under it.
    let run = human_cfp(&args);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("error: syntax error"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{name}:2:")), "{}", run.stderr);
    assert!(
        run.stderr.contains("2 │ {{ report.number }"),
        "the offending line is shown: {}",
        run.stderr
    );
    assert!(run.stderr.contains('^'), "{}", run.stderr);

    // Short: one grep-friendly line.
    let run = cfp(&args);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("{name}:2:")) && lines[0].contains(": syntax error"),
        "{}",
        run.stderr
    );
    assert!(!pdf.exists());
}

#[test]
fn a_typst_error_shows_the_generated_line() {
    let templates = tmp("typst-error-templates");
    std::fs::create_dir_all(templates.join("default")).unwrap();
    std::fs::write(
        templates.join("default/report.typ.j2"),
        "= Report\n#let x = (\n",
    )
    .unwrap();
    let run = human_cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "-o",
        tmp("typst-error.pdf").to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("error: unclosed delimiter")
            && run.stderr.contains("main.typ:2:10")
            && run.stderr.contains("2 │ #let x = ("),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--typst FILE"), "{}", run.stderr);
}

#[test]
fn a_template_folder_overrides_the_wording() {
    let templates = tmp("custom-templates");
    std::fs::create_dir_all(templates.join("default")).unwrap();
    let style = std::fs::read_to_string(root().join("templates/default/style.typ.j2")).unwrap();
    std::fs::write(
        templates.join("default/style.typ.j2"),
        format!("{style}\n#show \"Contents\": \"Table of contents (custom)\"\n"),
    )
    .unwrap();
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "custom.pdf",
        &["--templates", templates.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(text_of(&pdf).contains("Table of contents (custom)"));
}

#[test]
fn a_template_folder_rewords_the_sentences_headings_and_captions_of_the_report() {
    // Only the catalogue: the report's sentences, headings, captions, table numbers and page
    // footer are all keys of it, so a body rewords them without copying a template.
    let templates = tmp("reworded-sentences");
    std::fs::create_dir_all(templates.join("common")).unwrap();
    std::fs::write(
        templates.join("common/wording.yaml"),
        concat!(
            "text.statement.engagement: {en: \"{client} asked {verifier} to verify {products} (custom statement).\"}\n",
            "heading.emissions-by-stage: {zh: \"各阶段排放（自定义）\", en: \"Stage emissions (custom)\"}\n",
            "caption.footprint-summary: {en: \"Summary of the {product} footprint\"}\n",
            "label.table-number: {en: \"Tab. {n} —\"}\n",
            "label.page-x-of-y: {en: \"p. {page} [of {pages}] #*_\"}\n",
        ),
    )
    .unwrap();
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "reworded-sentences.pdf",
        &["--templates", templates.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Test Client Co., Ltd. asked Test Verification Body to verify Widget (custom statement).",
        "各阶段排放（自定义）",
        "Stage emissions (custom)",
        "Tab. 1.2-1 — Products",
        "— Summary of the Widget footprint",
        // Typst's markup characters in a text are printed as they are.
        "/ p. 2 [of ",
        "] #*_",
    ] {
        assert!(flat.contains(needle), "no `{needle}` in {flat}");
    }
    for gone in [
        "was engaged by",
        "Emissions by stage",
        "Widget: summary",
        "Page 2 of",
    ] {
        assert!(!flat.contains(gone), "`{gone}` is still printed");
    }
    // The other language of a reworded key stays.
    assert!(has(&text, "受测试客户有限公司委托"), "{flat}");
}

#[test]
fn invalid_input_renders_nothing() {
    let (run, pdf) = render(
        "tests/fixtures/invalid/unknown-factor.yaml",
        "invalid.pdf",
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unknown factor `truk`"));
    assert!(!pdf.exists() && !pdf.with_extension("json").exists());
}

#[test]
fn the_generated_typst_matches_the_golden_file() {
    let typ = tmp("sample.typ");
    let (run, _) = render(
        "samples/chennuo-2023.yaml",
        "golden.pdf",
        &["--typst", typ.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_golden(
        &root().join("tests/golden/chennuo-2023.typ"),
        &std::fs::read_to_string(typ).unwrap(),
    );
}

#[test]
fn signatures_seal_logo_and_revision_history_are_printed() {
    let (run, pdf) = render("tests/fixtures/render/signed.yaml", "signed.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let images = poppler("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let pages_with = |width: &str| -> Vec<String> {
        images
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|c| c[2] == "image" && c[3] == width)
            .map(|c| c[0].to_owned())
            .collect()
    };
    // The 240 px signature and 200 px seal: on the statement page and in the conclusion.
    assert_eq!(pages_with("240").len(), 2, "{images}");
    assert_eq!(pages_with("200").len(), 2, "{images}");
    assert_eq!(
        pages_with("300"),
        ["1"],
        "the logo is on the cover: {images}"
    );
    assert_eq!(
        pages_with("400").len(),
        1,
        "the organisation chart: {images}"
    );
    let text = text_of(&pdf);
    for needle in [
        "赵六",
        "Zhao Liu",
        "r2",
        "TEST-CFP-001 r1",
        "修订记录",
        "Revision history",
        "更正运输距离",
        "Corrected a transport distance",
    ] {
        assert!(has(&text, needle), "the report lacks `{needle}`");
    }
    // Page 3: the statement page has the (red) seal.
    assert_eq!(red_pixels(&pdf, 3), 0, "approved: no watermark");
}

#[test]
fn an_engagement_without_boundary_items_prints_no_empty_table() {
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "no-boundary-rows.pdf",
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    assert!(
        has(&text, "The system boundary is cradle to gate"),
        "{text}"
    );
    assert!(!has(&text, "Processes included and excluded"), "{text}");
    // The sample lists its processes, so it keeps the table.
    let (run, pdf) = render("samples/chennuo-2023.yaml", "boundary-rows.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(has(&text_of(&pdf), "Processes included and excluded"));
}

/// A templates folder whose catalogue rewords one label and one finding sentence.
fn reworded_templates(name: &str) -> std::path::PathBuf {
    let templates = tmp(name);
    std::fs::create_dir_all(templates.join("common")).unwrap();
    std::fs::write(
        templates.join("common/wording.yaml"),
        "# one label and one finding, in one language or both\n\
         label.report-number: {en: \"Certificate No.\"}\n\
         finding.old-factor: {zh: \"因子“{factor}”来自 {year} 年。\", en: \"Factor “{factor}” is from {year}, {age} years too old.\"}\n",
    )
    .unwrap();
    templates
}

#[test]
fn the_wording_catalogue_is_overridden_from_a_templates_folder() {
    let templates = reworded_templates("reworded-templates");
    let (run, pdf) = render(
        "samples/chennuo-2023.yaml",
        "reworded.pdf",
        &["--templates", templates.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Certificate No."), "{flat}");
    assert!(!flat.contains("Report number"), "the label is replaced");
    assert!(flat.contains("报告编号"), "the other language stays");
    assert!(
        flat.contains("Factor “Cable” is from 2005, 18 years too old."),
        "{flat}"
    );
    assert!(flat.contains("因子“电缆”来自 2005 年。"), "{flat}");

    // `check` words its findings from the same catalogue.
    let run = cfp(&[
        "check",
        "samples/chennuo-2023.yaml",
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("warning[old-factor]:\n  因子“电缆”来自 2005 年。\n  Factor “Cable” is from 2005, 18 years too old."), "{}", run.stdout);
    // The report records and attaches the catalogue; `verify` vouches for it with the folder.
    let run = cfp(&["verify", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("common/wording.yaml"), "{}", run.stdout);
    let run = cfp(&[
        "verify",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_bad_catalogue_key_or_placeholder_is_an_error_naming_the_file_and_key() {
    let templates = tmp("bad-wording");
    std::fs::create_dir_all(templates.join("common")).unwrap();
    let file = templates.join("common/wording.yaml");
    for (text, needle) in [
        (
            "label.report-number: {en: x}\nlabel.reprot-number: {en: y}\n",
            "common/wording.yaml:2: unknown key `label.reprot-number` (did you mean `label.report-number`?)",
        ),
        (
            "finding.old-factor: {en: \"{factor} {product}\"}\n",
            "common/wording.yaml:1: `finding.old-factor`: the placeholder {product} is not one this text can have; it can have {age}, {factor}, {year}",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        for args in [
            vec!["check", "tests/fixtures/valid/minimal.yaml"],
            vec![
                "render",
                "tests/fixtures/valid/minimal.yaml",
                "-o",
                tmp("bad-wording.pdf").to_str().unwrap().to_owned().leak(),
            ],
        ] {
            let mut args = args;
            args.extend(["--templates", templates.to_str().unwrap()]);
            let run = cfp(&args);
            assert_eq!(run.code, 1, "{}", run.stdout);
            assert!(run.stderr.contains(needle), "{}", run.stderr);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
    }
}

#[test]
fn an_unknown_style_is_an_error_listing_the_styles() {
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "no-style.pdf",
        &["--style", "gbt-24067"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("unknown style `gbt-24067`; the styles are `default`"),
        "{}",
        run.stderr
    );
    assert!(!pdf.exists());

    // A style is a folder: one in `--templates DIR` is a style too.
    let templates = tmp("styled-templates");
    std::fs::create_dir_all(templates.join("gbt-24067")).unwrap();
    let report = std::fs::read_to_string(root().join("templates/default/report.typ.j2")).unwrap();
    std::fs::write(
        templates.join("gbt-24067/report.typ.j2"),
        report.replace(
            "{%- include \"./style.typ.j2\" %}",
            "{%- include \"default/style.typ.j2\" %}\nGB/T 24067-2024 style",
        ),
    )
    .unwrap();
    let (run, pdf) = render(
        "tests/fixtures/valid/minimal.yaml",
        "gbt-style.pdf",
        &[
            "--style",
            "gbt-24067",
            "--templates",
            templates.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(text_of(&pdf).contains("GB/T 24067-2024 style"));
    let run = cfp(&[
        "verify",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The text between `from` and the next `to` (or the end), for looking at one section.
fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in the report"));
    let rest = &text[start..];
    rest[from.len()..]
        .find(to)
        .map_or(rest, |end| &rest[..from.len() + end])
}

#[test]
fn section_7_prints_the_findings_register_numbered_and_worded() {
    let (run, pdf) = render("samples/chennuo-2023.yaml", "register.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    // Section 7 (not the contents' line of the same name): from its heading to the annex.
    let body = &text[text.rfind("七、核查发现").expect("section 7")..];
    let s7 = section(body, "七、核查发现", "附录：自动核查结果");
    for needle in [
        "7 Verification findings",
        "核查发现及处理情况",
        "Findings and how they were dealt with",
        // types and statuses in words
        "实质性偏差",
        "Misstatement",
        "不符合项",
        "Nonconformity",
        "观察项",
        "Observation",
        "未关闭",
        "Open",
        "已关闭",
        "Closed",
        // what an entry concerns, the date it was raised, a response and a conclusion
        "智能配电装置的实质性偏差",
        "Material misstatement (Intelligent power distribution unit)",
        "发现（2024 年 2 月 5 日）",
        "Raised (5 February 2024)",
        "受评价方回复：声明值取自内部核算表的早期版本",
        "Client’s response: The claimed figure was taken from an early version",
        "Conclusion: The scores are the team’s professional judgement",
    ] {
        assert!(has(s7, needle), "section 7 lacks {needle:?}:\n{s7}");
    }
    // Numbered 1 to 5 (each number a cell of its own), the types in file order.
    let numbers: Vec<&str> = s7
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert!(
        numbers.starts_with(&["1", "2", "3", "4", "5"])
            || numbers.ends_with(&["1", "2", "3", "4", "5"]),
        "{numbers:?}"
    );
    let squashed: String = s7.chars().filter(|c| !c.is_whitespace()).collect();
    let mut at = 0;
    for kind in [
        "实质性偏差Misstatement",
        "不符合项Nonconformity",
        "不符合项Nonconformity",
        "观察项Observation",
        "观察项Observation",
    ] {
        let found = squashed[at..]
            .find(kind)
            .unwrap_or_else(|| panic!("no {kind:?} after byte {at}:\n{s7}"));
        at += found + kind.len();
    }
    // A closed observation the client did not answer says nothing of a response.
    assert!(!has(s7, "The client has not responded yet"), "{s7}");
    // Never the file's ids.
    for id in ["CAR-01", "CAR-02", "CAR-03", "OBS-01", "OBS-02"] {
        assert!(!text.contains(id), "the report prints the id {id}");
    }
}

#[test]
fn the_annex_words_each_check_with_its_disposition() {
    let (run, pdf) = render("samples/chennuo-2023.yaml", "annex.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    let body = &text[text.rfind("附录：自动核查结果").expect("the annex")..];
    let annex = body;
    for needle in [
        "Annex: automatic checks",
        // the misstatement, worded, with the register entry that answers it
        "The claimed figure equals the verified one without the stage “Raw material acquisition”.",
        "见核查发现第 1 项，未关闭",
        "See finding 1, open",
        // a score override: the factor's category in words, answered by a closed observation
        "the category of the factor “Aluminium parts” (national factor) implies 2.",
        "因子“铝件”属于国内排放因子，对应 2 分。",
        "See finding 4, closed",
        // the box's missing acquisitions: the third entry
        "See finding 3, open",
        // a check no entry answers
        "未在核查发现中处理",
        "Not addressed in the findings register",
    ] {
        assert!(has(annex, needle), "the annex lacks {needle:?}:\n{annex}");
    }
    // The misstatement's row: its sentence, then its disposition.
    let squashed: String = annex.chars().filter(|c| !c.is_whitespace()).collect();
    let sentence = squashed.find("“Rawmaterialacquisition”.").unwrap();
    let disposition = squashed.find("Seefinding1,open").unwrap();
    assert!(sentence < disposition);
}

#[test]
fn without_a_register_section_7_says_so_and_the_annex_has_the_checks() {
    let (run, pdf) = render("tests/fixtures/valid/minimal.yaml", "no-register.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = text_of(&pdf);
    assert!(has(&text, "评价组未记录核查发现。自动核查的结果见附录。"));
    assert!(has(
        &text,
        "The team recorded no findings. The results of the automatic checks are in the annex."
    ));
    assert!(has(&text, "The automatic checks found nothing to report."));
}

#[test]
fn a_report_without_improvement_measures_does_not_announce_them() {
    let (run, pdf) = render("tests/fixtures/valid/minimal.yaml", "no-measures.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let flat: String = text_of(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("本次评价未提出具体的改善措施"), "{flat}");
    assert!(!flat.contains("the measures below address them"), "{flat}");
    // With measures, they are announced.
    let (run, pdf) = render("samples/chennuo-2023.yaml", "measures.pdf", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let flat: String = text_of(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("the measures below address them"), "{flat}");
}

#[test]
fn the_results_beside_the_pdf_are_the_ones_inside_it_reworded_too() {
    // The folder rewords a finding (`finding.old-factor`), which the results JSON carries.
    let templates = reworded_templates("reworded-results");
    let (run, pdf) = render(
        "samples/chennuo-2023.yaml",
        "reworded-results.pdf",
        &["--templates", templates.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let beside = std::fs::read(pdf.with_extension("json")).unwrap();
    let files = cfp_verify::report::verify::attachments(&std::fs::read(&pdf).unwrap()).unwrap();
    let inside = files.get("results.json").expect("results attached");
    assert!(String::from_utf8_lossy(&beside).contains("years too old"));
    assert_eq!(&beside, inside);
}

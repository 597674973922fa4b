//! The page layout of the review set: no page in the middle of a section is left mostly
//! blank (a table that could not break, a block pushed to the next page), no section's last
//! page either (a short chapter follows the one before), and nothing runs off a page (a row
//! taller than the page, cut at its foot). Each PDF is drawn
//! at 30 dpi in grey by poppler's pdftoppm and the blank part of each page's body is measured
//! from its pixels; the sections' first pages come from the PDF's bookmarks (lopdf).

mod common;

use common::{cfp, folder, poppler};
use std::collections::BTreeSet;
use std::path::Path;

/// The most of a page's body that may be blank, except on the last page of a section.
const MOST_BLANK: f64 = 0.40;

/// The most of a section's last page that may be blank (the document's last page aside): a
/// chapter starts a new page only when less than half of one is left, and otherwise follows
/// the one before, so no short chapter leaves a page mostly blank.
const MOST_BLANK_AT_END: f64 = 0.55;

/// A pixel darker than this is ink (0 black, 255 white); light table fills are not.
const INK: u8 = 200;

/// One page drawn in grey: width, height and pixels, row by row.
struct Grey {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

/// Reads a binary PGM (`P5`, 8-bit) as pdftoppm writes it.
fn read_pgm(path: &Path) -> Grey {
    let (magic, width, height, pixels) = read_pnm(path);
    assert_eq!(magic, "P5", "{}: not a binary PGM", path.display());
    assert_eq!(pixels.len(), width * height, "{}", path.display());
    Grey {
        width,
        height,
        pixels,
    }
}

/// Reads a binary PGM or PPM (8-bit): its magic number, width, height and samples.
fn read_pnm(path: &Path) -> (String, usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    // Four whitespace-separated fields (magic, width, height, maxval), then one whitespace.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..at]).unwrap().to_owned());
    }
    assert_eq!(fields[3], "255", "{}: not 8-bit", path.display());
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (fields[0].clone(), width, height, bytes[at + 1..].to_vec())
}

/// Whether anything is drawn in the bottom 1.1 cm of the page, below the footer: content that
/// ran off the page (a row taller than a page that could not break), and was cut.
fn runs_off(page: &Grey) -> bool {
    let edge = page.height * (297 - 11) / 297;
    page.pixels[edge * page.width..].iter().any(|&p| p < INK)
}

/// The share of the page's body (A4 inside the template's top and bottom margins, 2.7 cm and
/// 2.4 cm) below its last ink: the blank left at the bottom of the page.
fn blank_below(page: &Grey) -> f64 {
    let top = page.height * 27 / 297 + 1;
    let bottom = page.height * (297 - 24) / 297 - 1;
    let last_ink = (top..bottom)
        .rev()
        .find(|&y| {
            page.pixels[y * page.width..(y + 1) * page.width]
                .iter()
                .any(|&p| p < INK)
        })
        .unwrap_or(top);
    (bottom - last_ink) as f64 / (bottom - top) as f64
}

/// The pages (1-based) on which a level-1 heading (a section) begins, from the bookmarks.
fn section_starts(pdf: &Path) -> BTreeSet<usize> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let toc = doc.get_toc().expect("the report has bookmarks");
    toc.toc
        .iter()
        .filter(|e| e.level == 1)
        .map(|e| e.page)
        .collect()
}

/// Renders `file` (with `args`) and returns the pages after the contents, but the last, that
/// are more blank than they may be (`MOST_BLANK` mid-section, `MOST_BLANK_AT_END` at a
/// section's end), with their blank share.
fn blank_pages(name: &str, file: &str, args: &[&str]) -> Vec<(usize, f64)> {
    let dir = folder("layout", name);
    let pdf = dir.join("report.pdf");
    let mut all = vec!["render", file, "-o", pdf.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = cfp(&all);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    poppler(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "30",
            pdf.to_str().unwrap(),
            dir.join("p").to_str().unwrap(),
        ],
    );
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    // p-01.pgm … p-43.pgm: the digits are zero-padded, so the names sort as the pages do.
    pages.sort();
    let cut: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, path)| runs_off(&read_pgm(path)))
        .map(|(i, _)| i + 1)
        .collect();
    assert!(cut.is_empty(), "{name}: content runs off pages {cut:?}");
    let starts = section_starts(&pdf);
    let first = *starts.first().expect("the report has sections");
    let count = pages.len();
    pages
        .iter()
        .enumerate()
        .map(|(i, path)| (i + 1, blank_below(&read_pgm(path))))
        .filter(|&(page, blank)| {
            // The cover, statement and contents come before the first section; a section's
            // last page ends where it ends.
            let last_of_section = starts.contains(&(page + 1));
            let most = if last_of_section {
                MOST_BLANK_AT_END
            } else {
                MOST_BLANK
            };
            page >= first && page < count && blank > most
        })
        .collect()
}

/// Asserts that no page of the report of `file` after the contents, but its last, is mostly
/// blank.
fn assert_no_blank_pages(name: &str, file: &str, args: &[&str]) {
    let blank = blank_pages(name, file, args);
    assert!(
        blank.is_empty(),
        "{name}: pages more than {:.0}% blank in the middle of a section, or {:.0}% at its end (page, blank share): {blank:?}",
        MOST_BLANK * 100.0,
        MOST_BLANK_AT_END * 100.0
    );
}

#[test]
fn the_sample_has_no_mostly_blank_page_mid_section_in_any_language_mode() {
    assert_no_blank_pages("bilingual", "samples/chennuo-2023.yaml", &[]);
    assert_no_blank_pages("zh", "samples/chennuo-2023.yaml", &["--lang", "zh"]);
    assert_no_blank_pages("en", "samples/chennuo-2023.yaml", &["--lang", "en"]);
}

#[test]
fn other_engagements_have_no_mostly_blank_page_mid_section() {
    assert_no_blank_pages("kettle", "samples/kettle-2024.yaml", &[]);
    assert_no_blank_pages("minimal", "tests/fixtures/valid/minimal.yaml", &[]);
    assert_no_blank_pages("gate", "tests/fixtures/valid/gate.yaml", &[]);
    assert_no_blank_pages("partial", "tests/fixtures/valid/partial.yaml", &[]);
    assert_no_blank_pages("sparse", "tests/fixtures/render/sparse.yaml", &[]);
    assert_no_blank_pages("long", "tests/fixtures/render/long.yaml", &[]);
}

/// The sample rendered in Chinese and English, as `report.pdf` in a fresh folder `name`.
fn sample_pdf(name: &str) -> std::path::PathBuf {
    let pdf = folder("layout", name).join("report.pdf");
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    pdf
}

/// The sample rendered in Chinese and English, as text (pdftotext).
fn sample_text() -> String {
    poppler("pdftotext", &[sample_pdf("text").to_str().unwrap(), "-"])
}

#[test]
fn freight_rows_name_their_supplier_and_headers_state_the_conversion() {
    let text = sample_text();
    // Three lines of vacuum interrupters from three suppliers are told apart.
    for supplier in [
        "真空开关管（武汉飞特）",
        "真空开关管（大禹汉光）",
        "真空开关管（锦州华光）",
    ] {
        assert!(text.contains(supplier), "no `{supplier}` in the report");
    }
    // Tonnes times tCO2e/t in kgCO2e: the formula in the header says ×1000.
    assert!(
        text.contains("C = A×B×1000"),
        "the conversion is not in a header"
    );
}

#[test]
fn key_value_tables_have_no_header_row() {
    // The generated typst of the sample, as pinned: the statement's facts and the client's
    // table are drawn by `kv` (no header, labels shaded), never as a table with a header.
    let typst = std::fs::read_to_string(common::root().join("tests/golden/chennuo-2023.typ"))
        .expect("golden typst");
    // A stacked label keeps its last two characters in a box (`企业` + `名称`).
    for label in ["实质性和排除门槛", "#\"企业\";#box[#\"名称\";]"] {
        let at = typst.find(label).unwrap_or_else(|| panic!("no `{label}`"));
        let table = typst[..at].rfind("table(").unwrap_or(0);
        let kv = typst[..at].rfind("#kv(").expect("a kv table");
        assert!(kv > table, "`{label}` is not in a key-value table");
    }
}

#[test]
fn header_rows_are_shaded() {
    // The header fill of style.typ.j2, #e8eef5, drawn: pages in colour at 30 dpi, and the
    // pages with a pixel of that colour (give or take the antialiasing) counted.
    let pdf = sample_pdf("fill");
    let dir = pdf.parent().unwrap().to_path_buf();
    poppler(
        "pdftoppm",
        &[
            "-r",
            "30",
            pdf.to_str().unwrap(),
            dir.join("p").to_str().unwrap(),
        ],
    );
    let shaded = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ppm"))
        .filter(|p| {
            let (magic, _, _, rgb) = read_pnm(p);
            assert_eq!(magic, "P6");
            rgb.chunks(3).any(|px| {
                let near = |v: u8, want: u8| v.abs_diff(want) <= 2;
                near(px[0], 0xe8) && near(px[1], 0xee) && near(px[2], 0xf5)
            })
        })
        .count();
    assert!(shaded >= 15, "header fill on {shaded} pages only");
}

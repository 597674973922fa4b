//! Issue, correct, archive: PDF/A with its sources attached, the archive, `verify`, `diff`.
//!
//! Needs poppler-utils (pdfdetach, pdfinfo).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cfp, poppler, root, sample_with};

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("archive")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Renders the sample into `dir/A`; returns the revision folder.
fn archive_sample(dir: &Path) -> PathBuf {
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&dir.join("A")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir.join("A/JZNT-CFP-2024-003/r1")
}

#[test]
fn the_archive_holds_the_report_its_results_and_its_source() {
    let dir = folder("layout");
    let rev = archive_sample(&dir);
    let names = common::names(&rev);
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "engagement.yaml",
            "report.pdf",
            "results.json"
        ]
    );
    let sample = std::fs::read(root().join("samples/chennuo-2023.yaml")).unwrap();
    assert_eq!(std::fs::read(rev.join("engagement.yaml")).unwrap(), sample);
    let sums = std::fs::read_to_string(rev.join("SHA256SUMS")).unwrap();
    for name in ["engagement.yaml", "report.pdf", "results.json"] {
        let hex = cfp_verify::report::archive::sha256_hex(&std::fs::read(rev.join(name)).unwrap());
        assert!(sums.contains(&format!("{hex}  {name}\n")), "{sums}");
    }
    let ok = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&rev)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn attachments_come_back_byte_identical() {
    let dir = folder("detach");
    let rev = archive_sample(&dir);
    let pdf = rev.join("report.pdf");
    let list = poppler("pdfdetach", &["-list", s(&pdf)]);
    assert!(
        list.contains("engagement.yaml") && list.contains("results.json"),
        "{list}"
    );
    let out = dir.join("detached");
    std::fs::create_dir_all(&out).unwrap();
    poppler("pdfdetach", &["-saveall", "-o", s(&out), s(&pdf)]);
    assert_eq!(
        std::fs::read(out.join("engagement.yaml")).unwrap(),
        std::fs::read(root().join("samples/chennuo-2023.yaml")).unwrap()
    );
    assert_eq!(
        std::fs::read(out.join("results.json")).unwrap(),
        std::fs::read(rev.join("results.json")).unwrap()
    );
    // The workbook, with every line’s exact figures, is the one `calc --xlsx` writes.
    let xlsx = dir.join("export.xlsx");
    let run = cfp(&["calc", "samples/chennuo-2023.yaml", "--xlsx", s(&xlsx)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(out.join("workbook.xlsx")).unwrap(),
        std::fs::read(&xlsx).unwrap()
    );
    // The images the engagement uses travel too.
    let signed = dir.join("signed.pdf");
    let run = cfp(&[
        "render",
        "tests/fixtures/render/signed.yaml",
        "-o",
        s(&signed),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = poppler("pdfdetach", &["-list", s(&signed)]);
    for image in [
        "assets/logo.png",
        "assets/org.png",
        "assets/seal.png",
        "assets/sign.png",
    ] {
        assert!(list.contains(image), "{image} not attached: {list}");
    }
}

#[test]
fn the_metadata_claims_pdf_a_3_and_pdf_ua_1() {
    let dir = folder("xmp");
    let pdf = archive_sample(&dir).join("report.pdf");
    let xmp = poppler("pdfinfo", &["-meta", s(&pdf)]);
    for claim in [
        "<pdfaid:part>3</pdfaid:part>",
        "<pdfaid:conformance>A</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        "产品碳足迹评价报告",
        "河南景泽能碳科技有限公司",
        "JZNT-CFP-2024-003",
        "r1",
        "晨诺电气科技集团有限公司",
        "zh+en",
    ] {
        assert!(xmp.contains(claim), "the XMP lacks {claim}");
    }
}

#[test]
fn verify_passes_on_a_fresh_render_anywhere() {
    let dir = folder("verify");
    let pdf = archive_sample(&dir).join("report.pdf");
    // Alone in another folder: the PDF carries everything.
    let lonely = dir.join("elsewhere");
    std::fs::create_dir_all(&lonely).unwrap();
    std::fs::copy(&pdf, lonely.join("copy.pdf")).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .args(["verify", "copy.pdf"])
        .current_dir(&lonely)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("copy.pdf: verified"), "{stdout}");
}

#[test]
fn verify_fails_on_appended_bytes() {
    let dir = folder("appended");
    let pdf = archive_sample(&dir).join("report.pdf");
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"\n% appended\n");
    let tampered = dir.join("tampered.pdf");
    std::fs::write(&tampered, bytes).unwrap();
    let run = cfp(&["verify", s(&tampered)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("NOT verified") && run.stdout.contains("bytes differ"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_fails_when_the_attached_engagement_was_altered() {
    let dir = folder("altered");
    let pdf = archive_sample(&dir).join("report.pdf");
    let mut doc = lopdf::Document::load(&pdf).unwrap();
    let sample = std::fs::read(root().join("samples/chennuo-2023.yaml")).unwrap();
    let mut altered = false;
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.decompressed_content().is_ok_and(|c| c == sample)
        {
            let changed = String::from_utf8(sample.clone()).unwrap().replacen(
                "distance: 1326 km, mass: 60 t",
                "distance: 1326 km, mass: 75 t",
                1,
            );
            stream.dict.remove(b"Filter");
            stream.set_content(changed.into_bytes());
            altered = true;
        }
    }
    assert!(altered, "the attached engagement was found");
    let tampered = dir.join("altered.pdf");
    doc.save(&tampered).unwrap();
    let run = cfp(&["verify", s(&tampered)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("the attached figures differ"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("products[0].stages.transport: \"67318.57\" -> \"69884.38\""),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_rejects_a_pdf_without_our_attachment() {
    let dir = folder("foreign");
    // A PDF rendered by typst with no attachment at all.
    let fonts = cfp_verify::report::world::Fonts::embedded();
    let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let source = "#set document(title: \"Not a report\", date: auto)\n#set text(font: \"Noto Serif CJK SC\")\nHello".to_owned();
    let world = cfp_verify::report::world::ReportWorld::new(source, date, fonts);
    let pdf = cfp_verify::report::pdf::compile(&world, "x", date).unwrap();
    let foreign = dir.join("foreign.pdf");
    std::fs::write(&foreign, pdf.bytes).unwrap();
    let run = cfp(&["verify", s(&foreign)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no attached `engagement.yaml`"),
        "{}",
        run.stderr
    );
    let run = cfp(&["verify", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a readable PDF"), "{}", run.stderr);
}

#[test]
fn an_approved_revision_is_never_overwritten_silently() {
    let dir = folder("approved");
    let rev = archive_sample(&dir);
    let before: Vec<Vec<u8>> = [
        "report.pdf",
        "results.json",
        "engagement.yaml",
        "SHA256SUMS",
    ]
    .iter()
    .map(|n| std::fs::read(rev.join(n)).unwrap())
    .collect();
    // The same input again: a quiet success.
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&dir.join("A")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("already archived, identical"),
        "{}",
        run.stdout
    );
    // Different output for the same approved revision: refused, nothing touched.
    let changed = dir.join("changed.yaml");
    std::fs::write(
        &changed,
        sample_with(
            "distance: 1326 km, mass: 60 t",
            "distance: 1326 km, mass: 75 t",
        ),
    )
    .unwrap();
    let run = cfp(&["render", s(&changed), "--archive", s(&dir.join("A"))]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("archived as approved")
            && run.stderr.contains("raise `report.revision` to 2"),
        "{}",
        run.stderr
    );
    let after: Vec<Vec<u8>> = [
        "report.pdf",
        "results.json",
        "engagement.yaml",
        "SHA256SUMS",
    ]
    .iter()
    .map(|n| std::fs::read(rev.join(n)).unwrap())
    .collect();
    assert!(before == after, "the archived revision changed");
    // Nothing but the revision and the number's lock file.
    let mut leftovers: Vec<_> = std::fs::read_dir(rev.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, [".lock", "r1"]);
}

#[test]
fn a_draft_revision_may_be_replaced() {
    let dir = folder("draft");
    let archive = dir.join("A");
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "--archive",
        s(&archive),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let changed = dir.join("minimal.yaml");
    let text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    std::fs::write(&changed, text.replace("output: 1000", "output: 2000")).unwrap();
    let run = cfp(&["render", s(&changed), "--archive", s(&archive)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("replaced the unapproved revision"),
        "{}",
        run.stdout
    );
    let json = std::fs::read_to_string(archive.join("TEST-CFP-001/r1/results.json")).unwrap();
    assert!(json.contains("\"output\": \"2000\""));
}

#[test]
fn writes_into_an_unwritable_place_fail_cleanly() {
    // /proc refuses new files even for root.
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "-o",
        "/proc/cfp-verify-test/report.pdf",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "--archive",
        "/proc/cfp-verify-test",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("/proc/cfp-verify-test"),
        "{}",
        run.stderr
    );
    // A folder in the way of the file: nothing partial is left beside it.
    let dir = folder("blocked");
    let blocked = dir.join("report.pdf");
    std::fs::create_dir_all(&blocked).unwrap();
    let run = cfp(&[
        "render",
        "tests/fixtures/valid/minimal.yaml",
        "-o",
        s(&blocked),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.pdf"], "only the blocking folder remains");
}

#[test]
fn diff_reports_exactly_the_changed_figures() {
    let dir = folder("diff");
    let corrected = dir.join("corrected.yaml");
    std::fs::write(
        &corrected,
        sample_with(
            "distance: 1326 km, mass: 60 t",
            "distance: 1326 km, mass: 75 t",
        ),
    )
    .unwrap();
    let run = cfp(&["diff", "samples/chennuo-2023.yaml", s(&corrected), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let figures: Vec<(String, String, String, String)> = d["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["figure"].as_str().unwrap().to_owned(),
                f["old"].as_str().unwrap().to_owned(),
                f["new"].as_str().unwrap().to_owned(),
                f["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("transport", "67318.57", "69884.38", "2565.81"),
        ("total", "116767.89", "119333.70", "2565.81"),
        ("per_unit", "11.05", "11.29", "0.24"),
    ]
    .map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned()));
    assert_eq!(figures, expected);
    assert!(
        d["figures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["product"] == "smart-unit")
    );
    let lines = d["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["line"], "散件 (浙江万伏)");
    // The same from the archived PDFs, as a table.
    let archived = archive_sample(&dir).join("report.pdf");
    let run = cfp(&["diff", s(&archived), s(&corrected)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("67318.57 ->       69884.38  (+2565.81)"),
        "{}",
        run.stdout
    );
    let run = cfp(&[
        "diff",
        "samples/chennuo-2023.yaml",
        "samples/chennuo-2023.yaml",
    ]);
    assert_eq!(run.stdout, "no figure and no inventory line changed\n");
}

#[test]
fn a_second_revision_shows_what_changed_since_the_first() {
    let dir = folder("revision");
    let archive = dir.join("A");
    archive_sample(&dir);
    let r2 = dir.join("r2.yaml");
    let text = revision_2(
        sample_with(
            "distance: 1326 km, mass: 60 t",
            "distance: 1326 km, mass: 75 t",
        ),
        "{zh: 更正运输量, en: Corrected a mass}",
    );
    std::fs::write(&r2, text).unwrap();
    let run = cfp(&["render", s(&r2), "--archive", s(&archive)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = archive.join("JZNT-CFP-2024-003/r2/report.pdf");
    let text = poppler("pdftotext", &[s(&pdf), "-"]);
    for needle in [
        "修订记录",
        "与上一版本相比变化的数值",
        "119333.70",
        "2565.81",
        "更正运输量",
    ] {
        assert!(text.contains(needle), "the revision history lacks {needle}");
    }
    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The sample `text` as its revision 2, issued on 2024-03-01, with the change `note`.
fn revision_2(text: String, note: &str) -> String {
    text.replacen(
        "  revision: 1\n",
        &format!(
            "  revision: 2\n  changes:\n    - {{revision: 2, date: 2024-03-01, note: {note}}}\n"
        ),
        1,
    )
    .replacen("issued: 2024-02-11", "issued: 2024-03-01", 1)
}

/// A second revision of the sample whose grid factor is twice as uncertain (±10%, not ±5%).
fn wider_grid(dir: &Path) -> PathBuf {
    let r2 = dir.join("r2.yaml");
    let text = revision_2(
        sample_with("uncertainty: \"±5%\"", "uncertainty: \"±10%\""),
        "{zh: 电网因子不确定性更正, en: Corrected the grid factor's uncertainty}",
    );
    std::fs::write(&r2, text).unwrap();
    r2
}

fn calc_json(file: &str) -> serde_json::Value {
    let run = cfp(&["calc", file, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// `new - old` of two decimal strings, as the diff writes it (`+` added in the table).
fn difference(old: &str, new: &str) -> String {
    use std::str::FromStr;
    let d = |x: &str| rust_decimal::Decimal::from_str(x).unwrap();
    (d(new) - d(old)).to_string()
}

#[test]
fn diff_reports_how_the_monte_carlo_interval_changed() {
    let dir = folder("diff-uncertainty");
    let r2 = wider_grid(&dir);
    let old = "samples/chennuo-2023.yaml";
    let (a, b) = (calc_json(old), calc_json(s(&r2)));
    let run = cfp(&["diff", old, s(&r2), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // A spread is no figure and no line: only the Monte Carlo results changed.
    assert_eq!(d["figures"], serde_json::json!([]));
    assert_eq!(d["lines"], serde_json::json!([]));
    let changes = d["uncertainty"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    let table = cfp(&["diff", old, s(&r2)]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .starts_with("uncertainty (Monte Carlo, total kgCO2e; approach1 in % of the total)\n"),
        "{}",
        table.stdout
    );
    let mut listed = 0;
    for (i, change) in changes.iter().enumerate() {
        let (pa, pb) = (&a["products"][i], &b["products"][i]);
        let id = pa["id"].as_str().unwrap();
        assert_eq!(change["product"], id);
        assert_eq!(change["status"], "changed");
        let (ua, ub) = (&pa["uncertainty"], &pb["uncertainty"]);
        for side in ["old", "new"] {
            assert_eq!(change[side]["confidence"], "95%");
            assert_eq!(change[side]["iterations"], 10000);
        }
        for (figure, label, was, is) in [
            ("low", "low 95%", &ua["total"]["low"], &ub["total"]["low"]),
            (
                "high",
                "high 95%",
                &ua["total"]["high"],
                &ub["total"]["high"],
            ),
            ("mean", "mean", &ua["total"]["mean"], &ub["total"]["mean"]),
            (
                "approach1_pct",
                "approach1 %",
                &ua["approach1_pct"],
                &ub["approach1_pct"],
            ),
        ] {
            // Both intervals in full, as `calc --json` gives them.
            assert_eq!(&change["old"][figure], was, "{id} {figure}");
            assert_eq!(&change["new"][figure], is, "{id} {figure}");
            let (was, is) = (was.as_str().unwrap(), is.as_str().unwrap());
            let row = change["figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["figure"] == figure);
            if was == is {
                assert!(row.is_none(), "{id} {figure}: unchanged, not listed");
                continue;
            }
            listed += 1;
            let row = row.unwrap_or_else(|| panic!("{id} {figure} changed: listed"));
            let change = difference(was, is);
            assert_eq!(row["old"], was);
            assert_eq!(row["new"], is);
            assert_eq!(row["change"], change.as_str(), "{id} {figure}");
            // The table: old -> new, and the difference with its sign.
            let sign = if change.starts_with('-') { "" } else { "+" };
            let line = format!("  {id:<20} {label:<11} {was:>14} -> {is:>14}  ({sign}{change})\n");
            assert!(table.stdout.contains(&line), "{line}\n{}", table.stdout);
        }
    }
    assert!(listed >= 4, "the intervals moved");
    // Approach 1 is exact arithmetic (no draws): the grid's wider spread widens it for the
    // distribution box, whose electricity is a larger part of its total.
    let pct = |v: &serde_json::Value| {
        let text = v["products"][1]["uncertainty"]["approach1_pct"]
            .as_str()
            .unwrap();
        <rust_decimal::Decimal as std::str::FromStr>::from_str(text).unwrap()
    };
    assert!(pct(&b) > pct(&a), "{} -> {}", pct(&a), pct(&b));
    let box_row = changes[1]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == "approach1_pct")
        .expect("the distribution box's Approach 1 changed");
    assert!(!box_row["change"].as_str().unwrap().starts_with('-'));
}

#[test]
fn diff_says_when_the_monte_carlo_analysis_was_added_or_removed() {
    let dir = folder("diff-uncertainty-added");
    let text = std::fs::read_to_string(common::sample()).unwrap();
    let request = text
        .lines()
        .find(|l| l.starts_with("  uncertainty: {iterations"))
        .expect("the sample asks for a Monte Carlo analysis");
    let none = dir.join("none.yaml");
    std::fs::write(&none, text.replacen(&format!("{request}\n"), "", 1)).unwrap();
    let with = "samples/chennuo-2023.yaml";
    let a = calc_json(with);
    assert!(
        calc_json(s(&none))["products"][0]
            .get("uncertainty")
            .is_none()
    );
    for (from, to, status) in [(s(&none), with, "added"), (with, s(&none), "removed")] {
        let run = cfp(&["diff", from, to, "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let d: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let changes = d["uncertainty"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        let table = cfp(&["diff", from, to]).stdout;
        for (change, p) in changes.iter().zip(a["products"].as_array().unwrap()) {
            let u = &p["uncertainty"];
            assert_eq!(change["status"], status);
            assert_eq!(change["figures"], serde_json::json!([]));
            let (gone, kept) = if status == "added" {
                ("old", "new")
            } else {
                ("new", "old")
            };
            assert!(change[gone].is_null());
            assert_eq!(change[kept]["low"], u["total"]["low"]);
            assert_eq!(change[kept]["high"], u["total"]["high"]);
            let words = format!(
                "95% interval {} to {}, mean {}, Approach 1 ±{}%, 10000 iterations",
                u["total"]["low"].as_str().unwrap(),
                u["total"]["high"].as_str().unwrap(),
                u["total"]["mean"].as_str().unwrap(),
                u["approach1_pct"].as_str().unwrap(),
            );
            let line = match status {
                "added" => format!(
                    "  {:<20} analysis added: {words}\n",
                    p["id"].as_str().unwrap()
                ),
                _ => format!(
                    "  {:<20} analysis removed (was {words})\n",
                    p["id"].as_str().unwrap()
                ),
            };
            assert!(table.contains(&line), "{line}\n{table}");
        }
    }
}

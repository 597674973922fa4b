//! The statement page and the opinion: the wording of each opinion type at each level of
//! assurance, in both languages, printed word for word on the statement page and in the
//! conclusion; the statement on one page (page 2, after the cover) in every language mode.
//!
//! Needs poppler-utils (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};

use common::{cfp, folder, poppler, sample_with};

/// Renders `yaml` (the engagement's text) to `dir/name.pdf` with `extra` arguments.
fn render(dir: &Path, name: &str, yaml: &str, extra: &[&str]) -> PathBuf {
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, yaml).unwrap();
    let pdf = dir.join(format!("{name}.pdf"));
    let mut args = vec![
        "render",
        file.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = cfp(&args);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    pdf
}

/// The text of pages `first..=last` (all when `None`), white space and end-of-line hyphens
/// removed: pdftotext breaks lines in paragraphs and cells.
fn text(pdf: &Path, pages: Option<(u32, u32)>) -> String {
    let mut args: Vec<String> = Vec::new();
    if let Some((f, l)) = pages {
        args.extend(["-f".into(), f.to_string(), "-l".into(), l.to_string()]);
    }
    args.extend([pdf.to_str().unwrap().to_owned(), "-".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    squash(&poppler("pdftotext", &args).replace("-\n", ""))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The number of pages of `pdf`.
fn pages(pdf: &Path) -> u32 {
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// The sample with the given opinion and level of assurance; `unmodified` in a reviewed
/// report (an approved one may not be unmodified with an open material misstatement).
fn variant(kind: &str, assurance: &str) -> String {
    let mut yaml = sample_with("opinion: modified", &format!("opinion: {kind}")).replacen(
        "assurance: reasonable",
        &format!("assurance: {assurance}"),
        1,
    );
    if kind == "unmodified" {
        yaml = yaml.replacen("status: approved", "status: reviewed", 1);
    }
    yaml
}

#[test]
fn each_opinion_is_worded_for_its_type_and_assurance_in_both_languages() {
    let dir = folder("statement", "opinions");
    // (type, assurance, heading zh, heading en, sentence zh, sentence en): each sentence a
    // fragment of the opinion paragraph, found on the statement page and in the conclusion.
    let cases = [
        (
            "unmodified",
            "reasonable",
            "核查意见：无保留意见",
            "Opinion: unmodified",
            "我们认为，晨诺电气科技集团有限公司生产的智能配电装置、综合配电箱在",
            "In our opinion, the carbon footprints (cradle to gate) of Intelligent power distribution unit, Integrated distribution box made by Chennuo Electric Technology Group Co., Ltd. for the period 1 January 2023 – 31 December 2023 are fairly stated, in all material respects",
        ),
        (
            "modified",
            "reasonable",
            "核查意见：保留意见",
            "Opinion: modified (qualified)",
            "我们认为，除“形成保留意见的基础”所述事项的影响外，晨诺电气科技集团有限公司生产的",
            "In our opinion, except for the effects of the matters described in the basis for the qualified opinion, the carbon footprints",
        ),
        (
            "adverse",
            "reasonable",
            "核查意见：否定意见",
            "Opinion: adverse",
            "我们认为，由于“形成否定意见的基础”所述事项的重要性，晨诺电气科技集团有限公司生产的",
            "In our opinion, because of the significance of the matters described in the basis for the adverse opinion",
        ),
        (
            "disclaimer",
            "reasonable",
            "核查意见：无法表示意见",
            "Opinion: disclaimer of opinion",
            "我们无法获取充分、适当的证据为发表核查意见提供基础，因此不对晨诺电气科技集团有限公司生产的",
            "we have not been able to obtain sufficient appropriate evidence to provide a basis for an opinion. Accordingly, we do not express an opinion on the carbon footprints",
        ),
        (
            "unmodified",
            "limited",
            "核查意见：无保留意见",
            "Opinion: unmodified",
            "根据我们执行的程序和获取的证据，我们未发现任何事项使我们相信晨诺电气科技集团有限公司生产的",
            "Based on the procedures performed and the evidence obtained, nothing has come to our attention that causes us to believe that the carbon footprints",
        ),
        (
            "modified",
            "limited",
            "核查意见：保留意见",
            "Opinion: modified (qualified)",
            "根据我们执行的程序和获取的证据，除“形成保留意见的基础”所述事项的影响外，我们未发现任何事项使我们相信",
            "except for the effects of the matters described in the basis for the qualified opinion, nothing has come to our attention that causes us to believe that",
        ),
        (
            "adverse",
            "limited",
            "核查意见：否定意见",
            "Opinion: adverse",
            "根据我们执行的程序和获取的证据，由于“形成否定意见的基础”所述事项的重要性，晨诺电气科技集团有限公司生产的",
            "Based on the procedures performed and the evidence obtained, because of the significance of the matters described in the basis for the adverse opinion",
        ),
        (
            "disclaimer",
            "limited",
            "核查意见：无法表示意见",
            "Opinion: disclaimer of opinion",
            "我们无法获取充分、适当的证据为得出有限保证的核查结论提供基础，因此不对",
            "to provide a basis for a limited assurance conclusion. Accordingly, we do not express an opinion on",
        ),
    ];
    for (kind, assurance, head_zh, head_en, zh, en) in cases {
        let pdf = render(
            &dir,
            &format!("{kind}-{assurance}"),
            &variant(kind, assurance),
            &[],
        );
        let statement = text(&pdf, Some((2, 2)));
        let rest = text(&pdf, Some((3, pages(&pdf))));
        for needle in [head_zh, head_en, zh, en] {
            let needle = squash(needle);
            assert!(
                statement.contains(&needle),
                "{kind}/{assurance}: the statement page lacks `{needle}`"
            );
            assert!(
                rest.contains(&needle),
                "{kind}/{assurance}: the conclusion lacks `{needle}`"
            );
        }
        // The positive form only with reasonable assurance, the negative only with limited.
        let negative = statement.contains(&squash("nothing has come to our attention"));
        assert_eq!(
            negative,
            assurance == "limited" && matches!(kind, "unmodified" | "modified"),
            "{kind}/{assurance}"
        );
        assert_eq!(
            statement.contains("未发现任何事项"),
            negative,
            "{kind}/{assurance}"
        );
        // The basis for any opinion but an unmodified one, from `verification.basis`.
        let basis = squash("The client’s claimed carbon footprint of the intelligent power");
        assert_eq!(
            statement.contains(&basis),
            kind != "unmodified",
            "{kind}/{assurance}: the basis"
        );
        // The intended users, given in the sample.
        assert!(
            statement.contains(&squash("Intended users")),
            "{kind}/{assurance}"
        );
        assert!(statement.contains("报告使用者"), "{kind}/{assurance}");
    }
}

#[test]
fn a_file_without_a_verification_section_states_a_derived_opinion() {
    let dir = folder("statement", "derived");
    // The sample without its verification section: its material misstatement modifies.
    let sample = std::fs::read_to_string(common::sample()).unwrap();
    let yaml = {
        let mut out = String::new();
        let mut skipping = false;
        for line in sample.lines() {
            if line.starts_with("verification:") {
                skipping = true;
                continue;
            }
            if skipping && !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
                skipping = false;
            }
            if !skipping {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.replacen("status: approved", "status: reviewed", 1)
    };
    let pdf = render(&dir, "no-verification", &yaml, &[]);
    let statement = text(&pdf, Some((2, 2)));
    for needle in [
        "核查意见：保留意见",
        "Opinion: modified (qualified)",
        "except for the effects of the matters",
        // No basis given: the material misstatements are the basis.
        "a material misstatement",
        "存在实质性偏差",
    ] {
        assert!(statement.contains(&squash(needle)), "lacks `{needle}`");
    }
    // The minimal fixture: nothing affects the opinion, limited assurance.
    let pdf = render(
        &dir,
        "minimal",
        &std::fs::read_to_string(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap(),
        &[],
    );
    let statement = text(&pdf, Some((2, 2)));
    for needle in [
        "核查意见：无保留意见",
        "Opinion: unmodified",
        "nothing has come to our attention",
        "我们未发现任何事项使我们相信",
    ] {
        assert!(statement.contains(&squash(needle)), "lacks `{needle}`");
    }
    assert!(!statement.contains(&squash("except for")));
    // The old wording, fair regardless of the findings, is gone.
    assert!(!statement.contains("没有发现任何实质性偏差"));
}

#[test]
fn the_statement_fits_on_page_two_in_every_language_mode() {
    let dir = folder("statement", "one-page");
    let sample = std::fs::read_to_string(common::sample()).unwrap();
    let minimal =
        std::fs::read_to_string(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    // (file, name, mode, first sentence, date of issue, signature label) per language.
    let zh = ("（以下简称“评价方”）受", "签发日期");
    let en = ("(the verifier) was engaged by", "Date of issue");
    for (yaml, name, dates) in [
        (&sample, "sample", ("2024年2月11日", "11 February 2024")),
        (&minimal, "minimal", ("2024年3月1日", "1 March 2024")),
    ] {
        for (mode, langs) in [
            ("zh+en", vec![(zh, dates.0), (en, dates.1)]),
            ("zh", vec![(zh, dates.0)]),
            ("en", vec![(en, dates.1)]),
        ] {
            let pdf = render(&dir, &format!("{name}-{mode}"), yaml, &["--lang", mode]);
            let two = text(&pdf, Some((2, 2)));
            let three = text(&pdf, Some((3, 3)));
            for ((first, label), date) in langs {
                for needle in [first, label, date] {
                    assert!(
                        two.contains(&squash(needle)),
                        "{name} {mode}: page 2 lacks `{needle}`"
                    );
                }
                assert!(
                    !three.contains(&squash(label)),
                    "{name} {mode}: the signature block runs onto page 3"
                );
            }
        }
    }
}

#[test]
fn the_statement_notes_figures_that_do_not_add_up_once_rounded() {
    let dir = folder("statement", "rounding");
    let sample = std::fs::read_to_string(common::sample()).unwrap();
    let pdf = render(&dir, "sample", &sample, &[]);
    let two = text(&pdf, Some((2, 2)));
    // The integrated distribution box: 1.71 + 1.07 + 0.62 = 3.40, its total 3.39.
    for needle in [
        "注：表中数值经修约，综合配电箱各阶段数值之和与合计不完全一致。",
        "Note: figures are rounded; the stages of Integrated distribution box do not add up exactly to the total.",
    ] {
        assert!(two.contains(&squash(needle)), "page 2 lacks `{needle}`");
    }
    let minimal =
        std::fs::read_to_string(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let pdf = render(&dir, "minimal", &minimal, &[]);
    assert!(!text(&pdf, Some((2, 2))).contains(&squash("Note: figures are rounded")));
}

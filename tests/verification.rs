//! The findings register and the opinion (ISO 14064-3): what an approved report must
//! answer, where the problems are reported, the opinion derived and given in the JSON, and
//! the missing stages a misstatement is explained by.

mod common;

use common::{Run, cfp, folder, root, sample_with};
use serde_json::Value;

/// Runs `args` on `text` written to a fresh folder (`{}` in `args` is the file).
fn run_on(name: &str, text: &str, args: &[&str]) -> Run {
    let dir = folder("verification", name);
    let file = dir.join("e.yaml");
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "{}" { file.as_str() } else { a })
        .collect();
    cfp(&args)
}

fn json_of(name: &str, text: &str) -> Value {
    let run = run_on(name, text, &["calc", "--json", "{}"]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The problem lines (not the hints, not the count) of a run.
fn problems(run: &Run) -> Vec<&str> {
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("  "))
        .collect();
    lines[..lines.len().saturating_sub(1)].to_vec()
}

/// The minimal engagement, approved, changed by `(find, replace)` pairs.
fn approved(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml"))
        .unwrap()
        .replacen("status: reviewed", "status: approved", 1)
        .replacen(
            "    - {name: {zh: 王五, en: Wang Wu}}\n",
            "    - {name: {zh: 王五, en: Wang Wu}}\n  approver: {name: {zh: 赵六, en: Zhao Liu}}\n",
            1,
        );
    for (find, replace) in edits {
        assert!(
            text.contains(find),
            "the minimal engagement has no `{find}`"
        );
        text = text.replacen(find, replace, 1);
    }
    text
}

const BOUNDARY: &str = "  type: cradle-to-gate\n";

/// Each check that affects the opinion: the edit that raises it alone, its title and
/// whether it concerns the product.
fn situations() -> Vec<(&'static str, &'static str, bool, String)> {
    vec![
        (
            "material-misstatement",
            "Material misstatement",
            true,
            approved(&[("total: 9.1 tCO2e", "total: 5 tCO2e")]),
        ),
        (
            "coverage",
            "Inventory coverage too low",
            false,
            approved(&[
                ("coverage: \"95%\"", "coverage: \"99.9%\""),
                (
                    BOUNDARY,
                    "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 资本设备, en: Capital goods}, share: \"0.5%\"}\n",
                ),
            ]),
        ),
        (
            "cutoff-process",
            "Excluded process above the cut-off",
            false,
            approved(&[(
                BOUNDARY,
                "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 资本设备, en: Capital goods}, share: \"2%\"}\n",
            )]),
        ),
        (
            "cutoff-total",
            "Excluded processes above the total cut-off",
            false,
            approved(&[
                ("coverage: \"95%\"", "coverage: \"90%\""),
                (
                    BOUNDARY,
                    "  type: cradle-to-gate\n  excluded:\n    - {item: {zh: 甲, en: A}, share: \"0.9%\"}\n    - {item: {zh: 乙, en: B}, share: \"0.9%\"}\n    - {item: {zh: 丙, en: C}, share: \"0.9%\"}\n    - {item: {zh: 丁, en: D}, share: \"0.9%\"}\n    - {item: {zh: 戊, en: E}, share: \"0.9%\"}\n    - {item: {zh: 己, en: F}, share: \"0.9%\"}\n",
                ),
            ]),
        ),
        (
            "transport-without-acquisition",
            "Transported materials without acquisition emissions",
            true,
            approved(&[(
                "    transport:\n",
                "    transport:\n      - {material: {zh: 铜材, en: Copper}, mode: road, distance: 100 km, mass: 100 kg, factor: truck, data: {activity: periodic, calibration: accepted}}\n",
            )]),
        ),
    ]
}

fn register(entries: &str) -> String {
    format!("\nverification:\n  basis: {{zh: 依据, en: Basis}}\n  findings:\n{entries}")
}

#[test]
fn an_approved_report_answers_each_check_that_affects_the_opinion() {
    for (code, title, per_product, text) in situations() {
        let run = run_on(code, &text, &["check", "{}"]);
        assert_eq!(run.code, 1, "{code}: {}", run.stderr);
        let lines = problems(&run);
        assert_eq!(lines.len(), 1, "{code}: one problem: {}", run.stderr);
        let want = if per_product {
            format!("the check “{title}” for the product “Widget” is not answered")
        } else {
            format!("the check “{title}” is not answered")
        };
        assert!(lines[0].contains(&want), "{code}: {}", run.stderr);
        let product = if per_product { ", product: widget" } else { "" };
        assert!(
            run.stderr.contains(&format!(
                "`- {{id: CAR-01, type: {}, about: {{check: {code}{product}}}",
                if code == "material-misstatement" {
                    "misstatement"
                } else {
                    "nonconformity"
                }
            )),
            "{code}: the hint shows the entry: {}",
            run.stderr
        );
        // Answered, the file is valid (and the opinion modified: the entry is open and material).
        let answered = format!(
            "{text}{}",
            register(&format!(
                "    - {{id: CAR-01, type: nonconformity, about: {{check: {code}{product}}}, raised: x, status: open}}\n"
            ))
        );
        let json = json_of(&format!("{code}-answered"), &answered);
        assert_eq!(json["opinion"]["type"], "modified", "{code}");
        assert_eq!(json["opinion"]["open_findings"][0], "CAR-01", "{code}");
        // An entry for another product does not answer a finding about this one.
        if per_product {
            let elsewhere = answered.replace(", product: widget}", ", product: nothing}");
            let run = run_on(&format!("{code}-elsewhere"), &elsewhere, &["check", "{}"]);
            assert_eq!(run.code, 1);
            assert!(
                run.stderr.contains("unknown product `nothing`"),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn the_fixture_locates_one_problem_per_unanswered_check() {
    let run = cfp(&["check", "tests/fixtures/invalid/approved-unanswered.yaml"]);
    assert_eq!(run.code, 1);
    let lines = problems(&run);
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].contains(":40:52: boundary.excluded[0].share: "),
        "{}",
        run.stderr
    );
    assert!(
        lines[2].contains(":78:14: products[0].claimed.total: "),
        "{}",
        run.stderr
    );
}

#[test]
fn drafts_and_reviewed_reports_may_leave_them_unanswered() {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/invalid/approved-unanswered.yaml"))
            .unwrap();
    for status in ["draft", "reviewed"] {
        let draft = text.replacen("status: approved", &format!("status: {status}"), 1);
        let run = run_on(status, &draft, &["check", "{}"]);
        assert_eq!(run.code, 0, "{status}: {}", run.stderr);
        // Without a register the JSON has no opinion; with one, the unanswered findings
        // count as open and material: the derived opinion is modified (no basis needed yet).
        let json = json_of(&format!("{status}-json"), &draft);
        assert!(json.get("opinion").is_none());
        let with = format!("{draft}\nverification:\n  intended_users: 客户\n");
        let json = json_of(&format!("{status}-register"), &with);
        assert_eq!(
            json["opinion"],
            serde_json::json!({"type": "modified", "assurance": "limited", "open_findings": []})
        );
    }
}

#[test]
fn the_samples_opinion_is_in_the_json() {
    let run = cfp(&["calc", "--json", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["opinion"],
        serde_json::json!({"type": "modified", "assurance": "reasonable",
                           "open_findings": ["CAR-01", "CAR-02", "CAR-03"]})
    );
    // Files without `verification` give the JSON they always gave.
    let run = cfp(&["calc", "--json", "tests/fixtures/valid/minimal.yaml"]);
    assert!(!run.stdout.contains("\"opinion\""));
}

#[test]
fn the_opinion_is_derived_when_absent() {
    let derived = sample_with("  opinion: modified\n", "");
    let json = json_of("derived", &derived);
    assert_eq!(json["opinion"]["type"], "modified");
    // Every material entry closed with its conclusion: unmodified.
    let mut closed = derived.clone();
    for _ in 0..3 {
        closed = closed.replacen(
            "      status: open\n",
            "      status: closed\n      conclusion: {zh: 已更正, en: Corrected}\n",
            1,
        );
    }
    let json = json_of("derived-closed", &closed);
    assert_eq!(
        json["opinion"],
        serde_json::json!({"type": "unmodified", "assurance": "reasonable", "open_findings": []})
    );
    // A derived modified opinion without its basis, in an approved report.
    let text = std::fs::read_to_string(common::sample()).unwrap();
    let start = text.find("  basis:\n").unwrap();
    let end = text.find("  intended_users:").unwrap();
    let no_basis =
        format!("{}{}", &text[..start], &text[end..]).replacen("  opinion: modified\n", "", 1);
    let run = run_on("no-basis", &no_basis, &["check", "{}"]);
    assert_eq!(run.code, 1);
    let lines = problems(&run);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].contains(": verification: the opinion is modified (open material entries: `CAR-01`, `CAR-02` or `CAR-03`), and a modified opinion needs its basis"),
        "{}",
        run.stderr
    );
    // Given explicitly, a modified opinion always needs its basis.
    let explicit = format!("{}{}", &text[..start], &text[end..]);
    let run = run_on("explicit-no-basis", &explicit, &["check", "{}"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("verification.opinion: a modified opinion needs its basis"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unmodified_opinion_with_an_open_material_misstatement_is_an_error_when_approved() {
    let text = sample_with("  opinion: modified\n", "  opinion: unmodified\n");
    let line = text
        .lines()
        .position(|l| l == "  opinion: unmodified")
        .unwrap()
        + 1;
    let run = run_on("unmodified", &text, &["check", "{}"]);
    assert_eq!(run.code, 1);
    let lines = problems(&run);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].contains(&format!(
            "e.yaml:{line}:12: verification.opinion: an unmodified opinion, but the register has an open material misstatement: `CAR-01`, `CAR-02` or `CAR-03`"
        )),
        "{}",
        run.stderr
    );
    let draft = text.replacen("status: approved", "status: draft", 1);
    let run = run_on("unmodified-draft", &draft, &["check", "{}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn register_entries_are_checked_where_they_are() {
    let text = sample_with(
        "about: {check: material-misstatement, product: smart-unit}",
        "about: {check: material-misstatment, product: smart-unt}",
    )
    .replacen("    - id: OBS-02\n", "    - id: OBS-01\n", 1)
    .replacen(
        "      status: closed\n      conclusion:\n        zh: 与智能配电装置的情况相同：评分系评价组的专业判断，依据已在数据质量评价中说明，不改变评价结论。\n        en: \"As for the intelligent power distribution unit: the scores are the team's professional judgement, explained in the data quality evaluation; they do not change the conclusion.\"\n",
        "      status: closed\n",
        1,
    );
    let line_of = |s: &str| text.lines().position(|l| l.contains(s)).unwrap() + 1;
    let run = run_on("entries", &text, &["check", "{}"]);
    assert_eq!(run.code, 1);
    let lines = problems(&run);
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    let about = line_of("check: material-misstatment");
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "    - id: OBS-01")
        .nth(1)
        .unwrap()
        .0
        + 1;
    let closed = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "      status: closed")
        .nth(1)
        .unwrap()
        .0
        + 1;
    for want in [
        format!(
            "e.yaml:{about}:22: verification.findings[0].about.check: unknown check `material-misstatment`"
        ),
        format!(
            "e.yaml:{about}:53: verification.findings[0].about.product: unknown product `smart-unt`"
        ),
        format!(
            "e.yaml:{second}:11: verification.findings[4].id: duplicate register id `OBS-01`: verification.findings[3] (line {}) has it too",
            second - 10
        ),
        format!(
            "e.yaml:{closed}:15: verification.findings[4].status: register entry `OBS-01` is closed but has no conclusion"
        ),
    ] {
        assert!(
            lines.iter().any(|l| l.contains(&want)),
            "no `{want}` in:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("hint: did you mean `material-misstatement`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "hint: did you mean `smart-unit`? the products: `smart-unit` or `distribution-box`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_claim_without_whole_stages_is_explained() {
    let run = cfp(&["check", "samples/chennuo-2023.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("The claimed figure equals the verified one without the stage “Raw material acquisition”."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("声明值恰为核查值扣除“原材料获取”阶段排放量后的数值。")
    );
    let json: Value =
        serde_json::from_str(&cfp(&["calc", "--json", "samples/chennuo-2023.yaml"]).stdout)
            .unwrap();
    let misstatement = &json["warnings"][0];
    assert_eq!(misstatement["code"], "material-misstatement");
    assert_eq!(
        misstatement["figures"]["missing_stages"],
        serde_json::json!(["materials"])
    );
    // Without two stages (9133.20 − 1050.00 − 12.90), in tonnes; a claim no set of stages
    // explains keeps the plain sentence.
    let text = approved(&[
        ("status: approved", "status: draft"),
        ("total: 9.1 tCO2e", "total: 8.0703 tCO2e"),
    ]);
    let json = json_of("two-stages", &text);
    assert_eq!(
        json["warnings"][0]["figures"]["missing_stages"],
        serde_json::json!(["materials", "transport"])
    );
    let text = approved(&[
        ("status: approved", "status: draft"),
        ("total: 9.1 tCO2e", "total: 8.0704 tCO2e"),
    ]);
    let json = json_of("no-stages", &text);
    assert_eq!(json["warnings"][0]["code"], "material-misstatement");
    assert!(
        json["warnings"][0]["figures"]
            .get("missing_stages")
            .is_none()
    );
}

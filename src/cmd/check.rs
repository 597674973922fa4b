//! `check`: validate engagement files and print the findings.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::diag::{Diagnostic, Style};
use cfp_verify::engagement::Language;
use cfp_verify::exports::table;
use cfp_verify::input::yaml::{self, Joined};
use cfp_verify::present::wording::Catalogue;
use cfp_verify::report::template::Wording;
use cfp_verify::{Invalid, Verified};
use serde_json::{Value, json};

use super::{Error, print};

/// The code of the warning for a text that other YAML tools read as a mapping.
pub const UNQUOTED_COMMA: &str = "unquoted-comma";

/// Checks each of `files` (`-`: standard input): prints its findings and a one-line
/// summary, or its problems. With `templates`, findings are worded from that folder's
/// wording catalogue, as in its reports. Findings go to stdout in `style`; the problems of
/// one file among several go to stderr in `err_style` (each stream's own colours). With
/// `json`, one JSON document of every file's problems and findings.
/// Exit 1 when any file is invalid.
pub fn run(
    files: &[std::path::PathBuf],
    templates: Option<&Path>,
    style: Style,
    err_style: Style,
    json: bool,
) -> Result<ExitCode, Error> {
    let dir = crate::config::open_templates(templates)?;
    let wording = Wording::load(dir.as_deref())?;
    let mut all_valid = true;
    let mut reports = Vec::new();
    for file in files {
        let name = super::display_name(file);
        let loaded = super::load(file);
        all_valid &= loaded.is_ok();
        if json {
            reports.push(match loaded {
                Ok(v) => valid_json(&v, &name, &wording.catalogue),
                Err(Error::Invalid(invalid)) => invalid_json(&invalid),
                Err(e) => json!({
                    "file": name,
                    "valid": false,
                    "problems": [{"line": null, "column": null, "path": "", "code": null,
                                  "message": {"en": e.to_string()}, "hint": null}],
                    "findings": [],
                }),
            });
            continue;
        }
        match loaded {
            Ok(v) => {
                if super::quiet() {
                    continue;
                }
                let products = v.engagement.products.len();
                let n = v.findings.len();
                let joined = joined_warnings(&v, &name, style);
                let pact = pact_warnings(&v, &name, style);
                print(&format!(
                    "{joined}{}{pact}{name}: valid: {products} product{}, {n} finding{}\n",
                    table::findings_text(&v, &name, &wording.catalogue, style),
                    if products == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                ));
            }
            // Several files: each one's problems are printed, and the others still checked.
            Err(e) if files.len() > 1 => eprintln!("{}", e.report(err_style)),
            Err(e) => return Err(e),
        }
    }
    if json {
        let doc = json!({ "format": "cfp-verify-check/1", "files": reports });
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).expect("JSON values serialize")
        ));
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The warning for each text joined back after a comma (see [`Joined`]), with the quoted
/// form to write instead.
fn joined_diagnostics(v: &Verified) -> Vec<Diagnostic> {
    yaml::joined_texts(&v.source)
        .into_iter()
        .map(|j| {
            let (zh, en) = joined_messages(&j);
            Diagnostic::finding(Some(j.mark), j.path, UNQUOTED_COMMA, vec![en, zh])
        })
        .collect()
}

/// The warning's message in Chinese and English.
fn joined_messages(j: &Joined) -> (String, String) {
    let key = j
        .path
        .segments()
        .last()
        .map(|s| match s {
            cfp_verify::diag::Seg::Key(k) => k.clone(),
            cfp_verify::diag::Seg::Index(i) => i.to_string(),
        })
        .unwrap_or_default();
    let quoted = format!("{key}: {:?}", j.text);
    let rest = j.text.split_once(", ").map_or("", |(_, rest)| rest);
    (
        format!(
            "未加引号的文本含逗号：本工具将其读作“{}”，但其他 YAML 工具（编辑器、JSON Schema 校验）会把“{rest}”读作另一个键；请加引号：{quoted}",
            j.text
        ),
        format!(
            "the text `{}` holds a comma without quotes: cfp-verify reads it whole, but other YAML tools (editors, JSON Schema validators) read `{rest}` as a key of its own; quote it: {quoted}",
            j.text
        ),
    )
}

/// The warnings about unquoted texts, printed as findings are.
fn joined_warnings(v: &Verified, name: &str, style: Style) -> String {
    let diagnostics = joined_diagnostics(v);
    if diagnostics.is_empty() {
        return String::new();
    }
    if style == Style::Short {
        return diagnostics
            .iter()
            .map(|d| {
                let m = d.mark.unwrap_or_default();
                format!(
                    "{name}:{}:{}: {}: warning[{UNQUOTED_COMMA}]: {}\n",
                    m.line, m.col, d.path, d.message
                )
            })
            .collect();
    }
    let source = std::str::from_utf8(&v.source).ok();
    cfp_verify::diag::render_all(name, source, &diagnostics, style)
}

/// What `export --pact` will refuse (a product without `mass`…): warnings, not findings (the
/// report is not concerned), printed as findings are.
fn pact_warnings(v: &Verified, name: &str, style: Style) -> String {
    let pact = cfp_verify::exports::pact::missing_warnings(v);
    match style {
        // As the findings' short lines: the code after `warning`.
        Style::Short => pact
            .iter()
            .map(|d| {
                let place = d
                    .mark
                    .map_or(String::new(), |m| format!(":{}:{}", m.line, m.col));
                let code = d.warning.unwrap_or_default();
                format!(
                    "{name}{place}: {}: warning[{code}]: {}\n",
                    d.path, d.message
                )
            })
            .collect(),
        _ => {
            let source = std::str::from_utf8(&v.source).ok();
            cfp_verify::diag::render_all(name, source, &pact, style)
        }
    }
}

/// A valid file as JSON: its findings (and warnings about unquoted texts and about what the
/// PACT export needs).
fn valid_json(v: &Verified, name: &str, c: &Catalogue) -> Value {
    let e = &v.engagement;
    let mut findings: Vec<Value> = yaml::joined_texts(&v.source)
        .iter()
        .map(|j| {
            let (zh, en) = joined_messages(j);
            json!({
                "line": j.mark.line, "column": j.mark.col, "path": j.path.to_string(),
                "code": UNQUOTED_COMMA, "message": {"zh": zh, "en": en},
            })
        })
        .collect();
    findings.extend(v.findings.iter().map(|f| {
        let message = cfp_verify::present::finding(c, e, f);
        let (line, column, path) = match &f.path {
            Some(path) => {
                let m = v.root.locate(path);
                (json!(m.line), json!(m.col), path.to_string())
            }
            None => (Value::Null, Value::Null, String::new()),
        };
        json!({
            "line": line, "column": column, "path": path, "code": f.code,
            "message": {
                "zh": message.get(Language::Zh),
                "en": message.get(Language::En),
            },
        })
    }));
    findings.extend(
        cfp_verify::exports::pact::missing_warnings(v)
            .iter()
            .map(|d| {
                json!({
                    "line": d.mark.map(|m| m.line), "column": d.mark.map(|m| m.col),
                    "path": d.path.to_string(), "code": d.warning,
                    "message": {"en": d.message},
                })
            }),
    );
    json!({
        "file": name,
        "valid": true,
        "products": e.products.len(),
        "problems": [],
        "findings": findings,
    })
}

/// An invalid file as JSON: its problems (worded in English).
fn invalid_json(invalid: &Invalid) -> Value {
    let problems: Vec<Value> = invalid
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "line": d.mark.map(|m| m.line),
                "column": d.mark.map(|m| m.col),
                "path": d.path.to_string(),
                "code": d.warning,
                "message": {"en": d.message},
                "hint": d.hint,
            })
        })
        .collect();
    json!({
        "file": invalid.file,
        "valid": false,
        "problems": problems,
        "findings": [],
    })
}

//! `check`: validate an engagement file and print the findings.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::diag::Style;
use cfp_verify::exports::table;
use cfp_verify::report::template::Wording;

use super::{Error, print};

/// Prints the findings and a one-line summary; the engagement's problems if it is invalid.
/// With `templates`, findings are worded from that folder's wording catalogue, as in its
/// reports.
/// Findings are printed in `style`, like problems, but on stdout: coloured only when stdout
/// is a terminal.
pub fn run(file: &Path, templates: Option<&Path>, style: Style) -> Result<ExitCode, Error> {
    use std::io::IsTerminal;
    let style = match style {
        Style::Color if !std::io::stdout().is_terminal() => Style::Human,
        other => other,
    };
    let dir = crate::config::open_templates(templates)?;
    let wording = Wording::load(dir.as_deref())?;
    let v = cfp_verify::load(file)?;
    let name = file.display().to_string();
    let products = v.engagement.products.len();
    let n = v.findings.len();
    // What `export --pact` will refuse: warnings, not findings (the report is not concerned).
    let pact = cfp_verify::exports::pact::missing_warnings(&v);
    let source = std::str::from_utf8(&v.source).ok();
    let pact = match style {
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
        _ => cfp_verify::diag::render_all(&name, source, &pact, style),
    };
    print(&format!(
        "{}{}{name}: valid: {products} product{}, {n} finding{}\n",
        table::findings_text(&v, &name, &wording.catalogue, style),
        pact,
        if products == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" },
    ));
    Ok(ExitCode::SUCCESS)
}

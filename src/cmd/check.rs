//! `check`: validate an engagement file and print the findings.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::exports::table;

use super::{Error, print};

/// Prints the findings and a one-line summary; the engagement's problems if it is invalid.
pub fn run(file: &Path) -> Result<ExitCode, Error> {
    let v = cfp_verify::load(file)?;
    let name = file.display().to_string();
    let products = v.engagement.products.len();
    let n = v.findings.len();
    print(&format!(
        "{}{name}: valid: {products} product{}, {n} finding{}\n",
        table::findings_text(&v, &name),
        if products == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" },
    ));
    Ok(ExitCode::SUCCESS)
}

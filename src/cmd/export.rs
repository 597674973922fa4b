//! `export --pact`: the verified footprints for customers' supply-chain platforms.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::exports::pact;

use super::{Error, print, write_out};

/// Prints the PACT ProductFootprints of `file`, or writes them to `output`.
pub fn run(file: &Path, output: Option<&Path>) -> Result<ExitCode, Error> {
    // An output that would replace the engagement is refused first, whatever the file holds.
    if let Some(path) = output
        && cfp_verify::same_file(file, path)
    {
        return Err(Error::IsEngagement(path.to_path_buf()));
    }
    // `-` reads standard input, as `check` and `calc` do.
    let v = super::load(file)?;
    let footprints = match pact::product_footprints(&v) {
        // Each product's missing key, located like the file's own problems.
        Err(pact::Refused::Incomplete(_)) => {
            return Err(Error::Invalid(cfp_verify::Invalid {
                file: super::display_name(file),
                diagnostics: pact::missing_problems(&v),
                source: String::from_utf8(v.source).ok(),
            }));
        }
        other => other?,
    };
    let mut json = serde_json::to_string_pretty(&footprints).expect("JSON values serialize");
    json.push('\n');
    match output {
        Some(path) => {
            let n = v.engagement.products.len();
            let noun = if n == 1 { "footprint" } else { "footprints" };
            write_out(
                file,
                path,
                Ok(json.into_bytes()),
                &format!("{n} product {noun}"),
            )
        }
        None => {
            print(&json);
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `export --pact`: the verified footprints for customers' supply-chain platforms.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::exports::pact;

use super::{Error, print, write_out};

/// Prints the PACT ProductFootprints of `file`, or writes them to `output`.
pub fn run(file: &Path, output: Option<&Path>) -> Result<ExitCode, Error> {
    let v = cfp_verify::load(file)?;
    let footprints = pact::product_footprints(&v)?;
    let mut json = serde_json::to_string_pretty(&footprints).expect("JSON values serialize");
    json.push('\n');
    match output {
        Some(path) => {
            let n = v.engagement.products.len();
            write_out(
                file,
                path,
                Ok(json.into_bytes()),
                &format!("{n} product footprints"),
            )
        }
        None => {
            print(&json);
            Ok(ExitCode::SUCCESS)
        }
    }
}

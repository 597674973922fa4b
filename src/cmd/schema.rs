//! `schema`: the JSON Schema of the engagement format, for editors, or of the results JSON.

use std::process::ExitCode;

use super::print;

/// Prints the engagement format's schema, or with `results` the results JSON's.
pub fn run(results: bool) -> ExitCode {
    if results {
        print(cfp_verify::exports::json::SCHEMA);
    } else {
        print(&cfp_verify::schema());
    }
    ExitCode::SUCCESS
}

//! `schema`: the JSON Schema of the engagement format, for editors.

use std::process::ExitCode;

use super::print;

/// Prints the schema.
pub fn run() -> ExitCode {
    print(&cfp_verify::schema());
    ExitCode::SUCCESS
}

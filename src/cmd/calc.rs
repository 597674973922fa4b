//! `calc`: every figure, as tables, JSON or a workbook.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::exports::{table, workbook};

use super::{Error, print, write_out};

/// Prints the figures of `file` as tables (or JSON), or writes them to the workbook `xlsx`.
pub fn run(file: &Path, json: bool, xlsx: Option<&Path>) -> Result<ExitCode, Error> {
    let v = cfp_verify::load(file)?;
    match xlsx {
        // clap refuses `--json` with `--xlsx`.
        Some(out) if !json => {
            let n = v.engagement.products.len();
            let bytes = workbook::workbook(&v).map_err(Into::into);
            write_out(
                file,
                out,
                bytes,
                &format!("a summary sheet, {n} product sheets and a sensitivity sheet"),
            )
        }
        _ => {
            print(&if json {
                v.json()
            } else {
                table::calc_table(&v)
            });
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `calc`: every figure, as tables, JSON or a workbook.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfp_verify::exports::{table, workbook};

use super::{Error, load, print, write_out};

/// Prints the figures of `files` (`-`: standard input) as tables (or JSON: an array for
/// several files), or writes those of the one file to the workbook `xlsx`.
pub fn run(files: &[PathBuf], json: bool, xlsx: Option<&Path>) -> Result<ExitCode, Error> {
    if let Some(out) = xlsx {
        let [file] = files else {
            return Err(Error::Usage("`--xlsx` takes one engagement file".into()));
        };
        let v = load(file)?;
        let n = v.engagement.products.len();
        let bytes = workbook::workbook(&v).map_err(Into::into);
        return write_out(
            file,
            out,
            bytes,
            &format!(
                "a summary sheet, {n} product sheet{} and a sensitivity sheet",
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    // Every file is read first: an invalid one prints nothing of the others.
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load(file) {
            Ok(v) => loaded.push((file, v)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(match errors.len() {
            1 => errors.remove(0),
            _ => Error::Several(errors),
        });
    }
    let text = match (json, loaded.as_slice()) {
        (true, [(_, v)]) => v.json(),
        (true, _) => {
            let all: Vec<serde_json::Value> = loaded
                .iter()
                .map(|(_, v)| serde_json::from_str(&v.json()).expect("the results are JSON"))
                .collect();
            let mut s = serde_json::to_string_pretty(&all).expect("JSON values serialize");
            s.push('\n');
            s
        }
        (false, [(_, v)]) => table::calc_table(v),
        (false, _) => loaded
            .iter()
            .map(|(file, v)| {
                let name = super::display_name(file);
                format!("==> {name} <==\n{}", table::calc_table(v))
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print(&text);
    Ok(ExitCode::SUCCESS)
}

//! `diff`: figures and lines that changed between two revisions.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::Verified;
use cfp_verify::exports::diff;
use cfp_verify::report::verify;

use super::{Error, print};

/// Prints what changed from `old` to `new` (engagement files or report PDFs), as text or
/// JSON. Problems in both files are reported, not only the first file's.
pub fn run(old: &Path, new: &Path, json: bool) -> Result<ExitCode, Error> {
    let (old, new) = match (load_any(old), load_any(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let mut errors: Vec<Error> = [a.err(), b.err()].into_iter().flatten().collect();
            return Err(match errors.len() {
                1 => errors.remove(0),
                _ => Error::Several(errors),
            });
        }
    };
    let d = diff::diff(&old, &new);
    if json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&d).expect("plain data serializes")
        ));
    } else {
        print(&diff::diff_text(&d));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads an engagement file, or the engagement attached to a report PDF.
fn load_any(path: &Path) -> Result<Verified, Error> {
    let name = path.display().to_string();
    let bytes = cfp_verify::read_regular(path).map_err(|source| Error::Read {
        name: name.clone(),
        source,
    })?;
    if bytes.starts_with(b"%PDF") {
        verify::engagement_of(&bytes, &name).map_err(|source| Error::Verify { name, source })
    } else {
        Ok(cfp_verify::load(path)?)
    }
}

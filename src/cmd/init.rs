//! `init`: a starter engagement.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::Lang;
use crate::config::languages;

use super::Error;

/// Writes `engagement.yaml` into `dir` (made if missing), never over an existing file. Its
/// report number comes from the folder's name and today's date.
pub fn run(dir: &Path, lang: Lang) -> Result<ExitCode, Error> {
    let path = dir.join("engagement.yaml");
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let number = cfp_verify::starter::report_number(&folder_name(dir), &today());
        let text = cfp_verify::starter::starter(&languages(lang), &number);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        f.write_all(text.as_bytes())
    });
    match written {
        Ok(()) => {
            super::say(&format!(
                "{}: a starter engagement; edit it, then `cfp-verify check {0}`",
                path.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::Exists(path)),
        Err(e) => Err(Error::CannotWrite {
            path,
            source: e.into(),
        }),
    }
}

/// The folder's own name (`.` and `..` resolved), or `engagement`.
fn folder_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "engagement".to_owned())
}

/// Today's date (UTC), `YYYY-MM-DD`: a starter is a file to edit, not an output, so the
/// clock may name it.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).map_or_else(
        || "1970-01-01".to_owned(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}

//! `init`: a starter engagement.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::Lang;
use crate::config::languages;

use super::Error;

/// Writes `engagement.yaml` into `dir` (made if missing), never over an existing file.
pub fn run(dir: &Path, lang: Lang) -> Result<ExitCode, Error> {
    let path = dir.join("engagement.yaml");
    let text = cfp_verify::starter::starter(&languages(lang));
    let written = std::fs::create_dir_all(dir).and_then(|()| {
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

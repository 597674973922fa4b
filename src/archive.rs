//! The archive of issued reports: `out/<number>/r<revision>/` holding `report.pdf`,
//! `results.json`, `engagement.yaml` and `SHA256SUMS`.
//!
//! A revision's folder is replaced whole or not at all: the new files are written into a
//! temporary folder beside it, which is then renamed into place. An approved revision is
//! never replaced by different output; identical output is left as it is.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Verified;
use crate::engagement::Status;
use crate::render::{ENGAGEMENT, RESULTS, Report};

/// The PDF's name in a revision's folder.
pub const REPORT: &str = "report.pdf";
/// The checksum file's name (`sha256sum -c SHA256SUMS` checks it).
pub const SUMS: &str = "SHA256SUMS";

/// What storing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new revision folder.
    Written,
    /// A draft or reviewed revision replaced by new output.
    Replaced,
    /// The archived files were already identical.
    Unchanged,
}

/// Why a revision could not be stored.
#[derive(Debug)]
pub enum ArchiveError {
    /// The revision is archived as approved and the new output differs.
    Approved { dir: PathBuf, revision: u32 },
    /// An archived revision whose engagement cannot be read: whether it was approved is unknown.
    Unreadable { dir: PathBuf },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArchiveError::Approved { dir, revision } => write!(
                f,
                "{}: revision {revision} is archived as approved and the new output differs; nothing was written\n  hint: raise `report.revision` to {} and add a `changes` entry, or write elsewhere with `-o`",
                dir.display(),
                revision + 1
            ),
            ArchiveError::Unreadable { dir } => write!(
                f,
                "{}: the archived engagement cannot be read, so whether it was approved is unknown; nothing was written",
                dir.display()
            ),
            ArchiveError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ArchiveError {}

/// The folder of a revision under `root`.
pub fn revision_dir(root: &Path, number: &str, revision: u32) -> PathBuf {
    root.join(number).join(format!("r{revision}"))
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a revision folder, by name, in a fixed order.
fn files(v: &Verified, report: &Report) -> Vec<(&'static str, Vec<u8>)> {
    let mut files = vec![
        (ENGAGEMENT, v.source.clone()),
        (REPORT, report.pdf.clone()),
        (RESULTS, v.json().into_bytes()),
    ];
    let sums: String = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
        .collect();
    files.push((SUMS, sums.into_bytes()));
    files
}

/// Stores the rendered report of `v` under `root` (usually `out`).
pub fn store(
    root: &Path,
    v: &Verified,
    report: &Report,
) -> Result<(PathBuf, Outcome), ArchiveError> {
    let r = &v.engagement.report;
    let dir = revision_dir(root, &r.number, r.revision);
    let new = files(v, report);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| ArchiveError::Io { path, error }
    };
    let existed = dir.is_dir();
    if existed {
        let same = new
            .iter()
            .all(|(name, bytes)| std::fs::read(dir.join(name)).is_ok_and(|old| &old == bytes));
        if same {
            return Ok((dir, Outcome::Unchanged));
        }
        let archived = std::fs::read(dir.join(ENGAGEMENT)).ok();
        match archived.map(|b| crate::load_bytes(ENGAGEMENT, &b, None)) {
            Some(Ok(old)) if old.engagement.report.status == Status::Approved => {
                return Err(ArchiveError::Approved {
                    dir,
                    revision: r.revision,
                });
            }
            Some(Ok(_)) => {}
            Some(Err(_)) => return Err(ArchiveError::Unreadable { dir }),
            // A folder without an engagement was never a complete revision.
            None => {}
        }
    }
    let parent = dir.parent().unwrap_or(root);
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let pid = std::process::id();
    let name = format!("r{}", r.revision);
    let tmp = parent.join(format!(".{name}.new-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let write_all = || -> Result<(), ArchiveError> {
        std::fs::create_dir(&tmp).map_err(io(&tmp))?;
        for (file, bytes) in &new {
            let path = tmp.join(file);
            write_synced(&path, bytes).map_err(io(&path))?;
        }
        if existed {
            std::fs::rename(&dir, &old).map_err(io(&dir))?;
        }
        if let Err(e) = std::fs::rename(&tmp, &dir) {
            if existed {
                // Put the previous revision back.
                let _ = std::fs::rename(&old, &dir);
            }
            return Err(io(&dir)(e));
        }
        Ok(())
    };
    let result = write_all();
    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_dir_all(&old);
    result?;
    Ok((
        dir,
        if existed {
            Outcome::Replaced
        } else {
            Outcome::Written
        },
    ))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

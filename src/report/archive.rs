//! The archive of issued reports: `out/<number>/r<revision>/` holding `report.pdf`,
//! `results.json`, `engagement.yaml` and `SHA256SUMS`.
//!
//! A revision's folder is replaced whole or not at all: the new files are written into a
//! temporary folder beside it, which is then renamed into place. An approved revision is
//! never replaced by different output; identical output is left as it is. One process at a
//! time works in a report number's folder (a lock file), and a replace interrupted by a
//! crash is repaired by the next run.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Verified;
use crate::engagement::Status;
use crate::report::render::{ENGAGEMENT, RESULTS, Report};

/// The PDF's name in a revision's folder.
pub const REPORT: &str = "report.pdf";
/// The checksum file's name (`sha256sum -c SHA256SUMS` checks it).
pub const SUMS: &str = "SHA256SUMS";
/// The signed PDF's name, beside the report it signs (`sign`).
pub const SIGNED: &str = "report.signed.pdf";

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
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The revision is archived as approved and the new output differs.
    #[error(
        "{}: revision {revision} is archived as approved and the new output differs; nothing was written\n  hint: raise `report.revision` to {} and add a `changes` entry, or write elsewhere with `-o`",
        dir.display(),
        revision + 1
    )]
    Approved {
        /// The revision's folder.
        dir: PathBuf,
        /// The revision number.
        revision: u32,
    },
    /// An archived revision whose engagement cannot be read: whether it was approved is unknown.
    #[error(
        "{}: the archived engagement cannot be read, so whether it was approved is unknown; nothing was written",
        dir.display()
    )]
    Unreadable {
        /// The revision's folder.
        dir: PathBuf,
    },
    /// The revision already has a different signed report.
    #[error(
        "{}: the revision is signed already, differently (another key or time); nothing was written\n  hint: `--force` replaces it",
        path.display()
    )]
    Signed {
        /// The signed report.
        path: PathBuf,
    },
    /// A file of the archive could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        #[source]
        error: std::io::Error,
    },
}

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
        (RESULTS, report.results.clone().into_bytes()),
    ];
    let sums: String = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
        .collect();
    files.push((SUMS, sums.into_bytes()));
    files
}

/// The lock file of a report number's folder: one process at a time checks and replaces
/// its revisions.
pub const LOCK: &str = ".lock";

/// Stores the rendered report of `v` under `root` (usually `out`).
///
/// Under an exclusive lock on the report number's folder (other processes wait), it
/// first repairs what an interrupted replace left behind, then decides (identical, approved,
/// replaceable) and renames the new folder into place: the decision and the rename are one
/// critical section, so two processes cannot both pass the approval check.
pub fn store(
    root: &Path,
    v: &Verified,
    report: &Report,
) -> Result<(PathBuf, Outcome), ArchiveError> {
    let r = &v.engagement.report;
    let dir = revision_dir(root, &r.number, r.revision);
    let new = files(v, report);
    let io = |path: &Path| -> Box<dyn FnOnce(std::io::Error) -> ArchiveError> {
        let path = path.to_path_buf();
        Box::new(move |error| ArchiveError::Io { path, error })
    };
    let parent = dir.parent().unwrap_or(root).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let held = lock(&parent)?;
    let result = store_locked(&parent, &dir, r, &new, io);
    drop(held);
    result
}

/// What interrupted replaces leave behind: `.r<N>.old` (the previous folder, renamed
/// away) and `.r<N>.new-*` (a new folder being written).
fn is_leftover(name: &str) -> Option<(String, bool)> {
    let rest = name.strip_prefix('.')?;
    if let Some(rev) = rest.strip_suffix(".old") {
        return is_revision(rev).then(|| (rev.to_owned(), true));
    }
    let (rev, _) = rest.split_once(".new-")?;
    is_revision(rev).then(|| (rev.to_owned(), false))
}

fn is_revision(name: &str) -> bool {
    name.strip_prefix('r')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Puts a report number's folder back in order (under its lock): a revision renamed away
/// by a replace that never finished is restored, and temporary folders are removed.
pub fn repair(parent: &Path) -> std::io::Result<()> {
    let mut leftovers: Vec<(String, bool, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        if let Some((rev, old)) = entry.file_name().to_str().and_then(is_leftover) {
            leftovers.push((rev, old, entry.path()));
        }
    }
    leftovers.sort();
    for (rev, old, path) in leftovers {
        let dir = parent.join(&rev);
        if old && !dir.exists() {
            // The crash came between the two renames: the previous revision is the last
            // complete one. Put it back; this run then decides afresh.
            std::fs::rename(&path, &dir)?;
        } else {
            std::fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

fn store_locked(
    parent: &Path,
    dir: &Path,
    r: &crate::engagement::Report,
    new: &[(&'static str, Vec<u8>)],
    io: impl Fn(&Path) -> Box<dyn FnOnce(std::io::Error) -> ArchiveError>,
) -> Result<(PathBuf, Outcome), ArchiveError> {
    repair(parent).map_err(io(parent))?;
    let existed = dir.is_dir();
    if existed {
        // A signed report beside the revision's files is not part of what is rendered.
        let same = new.iter().all(|(name, bytes)| {
            std::fs::read(dir.join(name)).is_ok_and(|old| {
                if *name == SUMS {
                    without(&old, SIGNED) == *bytes
                } else {
                    &old == bytes
                }
            })
        });
        if same {
            return Ok((dir.to_path_buf(), Outcome::Unchanged));
        }
        let archived = std::fs::read(dir.join(ENGAGEMENT)).ok();
        match archived.map(|b| crate::load_bytes(ENGAGEMENT, &b, None)) {
            Some(Ok(old)) if old.engagement.report.status == Status::Approved => {
                return Err(ArchiveError::Approved {
                    dir: dir.to_path_buf(),
                    revision: r.revision,
                });
            }
            Some(Ok(_)) => {}
            Some(Err(_)) => {
                return Err(ArchiveError::Unreadable {
                    dir: dir.to_path_buf(),
                });
            }
            // A folder without an engagement was never a complete revision.
            None => {}
        }
    }
    let name = format!("r{}", r.revision);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(parent)
        .map_err(io(parent))?;
    for (file, bytes) in new {
        let path = tmp.path().join(file);
        write_synced(&path, bytes).map_err(io(&path))?;
    }
    let old = parent.join(format!(".{name}.old"));
    if existed {
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    let tmp = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if existed {
            // Put the previous revision back.
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io(dir)(e));
    }
    if existed {
        let _ = std::fs::remove_dir_all(&old);
    }
    // The renames are durable once the folder holding them is synced.
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok((
        dir.to_path_buf(),
        if existed {
            Outcome::Replaced
        } else {
            Outcome::Written
        },
    ))
}

/// A checksum list without the line of `name`.
fn without(sums: &[u8], name: &str) -> Vec<u8> {
    let suffix = format!("  {name}");
    sums.split_inclusive(|&b| b == b'\n')
        .filter(|line| !line.trim_ascii_end().ends_with(suffix.as_bytes()))
        .flatten()
        .copied()
        .collect()
}

/// Whether `pdf` is the report of a revision folder in an archive: `report.pdf` beside
/// `SHA256SUMS`.
pub fn is_archived(pdf: &Path) -> bool {
    pdf.file_name().is_some_and(|n| n == REPORT)
        && pdf.parent().is_some_and(|d| d.join(SUMS).is_file())
}

/// What writing the signed report `signed` at `path` would do: nothing when the same bytes
/// are there, write a new file, or replace a different signed report, which only `force`
/// allows (`None`: refused).
pub fn signed_outcome(path: &Path, signed: &[u8], force: bool) -> Option<Outcome> {
    match std::fs::read(path) {
        Ok(old) if old == signed => Some(Outcome::Unchanged),
        Ok(_) if !force => None,
        Ok(_) => Some(Outcome::Replaced),
        Err(_) => Some(Outcome::Written),
    }
}

/// Takes the archive's lock in `parent` (a report's folder): one writer at a time, released
/// when the returned file is dropped.
fn lock(parent: &Path) -> Result<std::fs::File, ArchiveError> {
    let path = parent.join(LOCK);
    let io = |error| ArchiveError::Io {
        path: path.clone(),
        error,
    };
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    lock.lock().map_err(io)?;
    Ok(lock)
}

/// Stores the signed report of the revision folder `dir` as [`SIGNED`] and lists it in
/// `SHA256SUMS`, under the report number's lock. An identical signed report is left as
/// it is; a different one is replaced only with `force`.
pub fn store_signed(dir: &Path, signed: &[u8], force: bool) -> Result<Outcome, ArchiveError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| ArchiveError::Io { path, error }
    };
    let parent = dir.parent().unwrap_or(dir);
    let held = lock(parent)?;
    let path = dir.join(SIGNED);
    let Some(outcome) = signed_outcome(&path, signed, force) else {
        return Err(ArchiveError::Signed { path });
    };
    let sums_path = dir.join(SUMS);
    let sums = std::fs::read(&sums_path).map_err(io(&sums_path))?;
    let mut new_sums = without(&sums, SIGNED);
    new_sums.extend_from_slice(format!("{}  {SIGNED}\n", sha256_hex(signed)).as_bytes());
    if outcome != Outcome::Unchanged {
        crate::report::render::write_atomic(&path, signed).map_err(io(&path))?;
    }
    if new_sums != sums {
        crate::report::render::write_atomic(&sums_path, &new_sums).map_err(io(&sums_path))?;
    }
    drop(held);
    Ok(outcome)
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

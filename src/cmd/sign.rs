//! `sign`: a PAdES signature on an approved report, beside the report it signs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfp_verify::report::archive::{self, Outcome};
use cfp_verify::report::sign::{self, Credentials, KeySource, Password, SignError};
use chrono::{DateTime, FixedOffset};

use crate::cli::SignerArgs;

use super::Error;

/// A signer ready to sign: the key and certificates read, the time resolved.
pub struct Signing {
    /// The key and its certificates.
    pub credentials: Credentials,
    /// `--time`, when given; otherwise each report's issue date.
    pub time: Option<DateTime<FixedOffset>>,
}

impl Signing {
    /// Reads the key `key` and what `args` names.
    pub fn from_args(key: &Path, args: &SignerArgs) -> Result<Signing, SignError> {
        let password = match (&args.password_file, &args.password_env) {
            (Some(f), _) => Some(Password::File(f.clone())),
            (None, Some(v)) => Some(Password::Env(v.clone())),
            (None, None) => None,
        };
        let source = KeySource {
            key: key.to_path_buf(),
            cert: args.cert.clone(),
            chain: args.chain.clone(),
            password,
        };
        let time = args.time.as_deref().map(sign::parse_time).transpose()?;
        Ok(Signing {
            credentials: source.load()?,
            time,
        })
    }
}

/// Where the signed copy of `pdf` goes without `-o`: `NAME.signed.pdf` beside it
/// (`report.signed.pdf` in the archive).
pub fn signed_path(pdf: &Path) -> PathBuf {
    let stem = pdf
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    pdf.with_file_name(format!("{stem}.signed.pdf"))
}

/// Signs `pdf` and writes the signed copy; says where.
pub fn run(
    pdf: &Path,
    key: &Path,
    args: &SignerArgs,
    output: Option<&Path>,
    force: bool,
) -> Result<ExitCode, Error> {
    let name = pdf.display().to_string();
    let failed = |source: SignError| Error::Sign {
        name: name.clone(),
        source,
    };
    let bytes = std::fs::read(pdf).map_err(|source| Error::CannotRead {
        name: name.clone(),
        source,
    })?;
    let signing = Signing::from_args(key, args).map_err(Error::Signer)?;
    let signed = sign::sign(&bytes, &name, &signing.credentials, signing.time).map_err(failed)?;
    let in_archive = output.is_none() && archive::is_archived(pdf);
    let target = output.map_or_else(|| signed_path(pdf), Path::to_path_buf);
    if cfp_verify::same_file(pdf, &target) {
        return Err(Error::Exists(target));
    }
    let outcome = if in_archive {
        // The revision's folder, also for a bare `report.pdf` given from inside it: the lock
        // is its parent's.
        let absolute = std::path::absolute(pdf).unwrap_or_else(|_| pdf.to_path_buf());
        let dir = absolute.parent().unwrap_or(Path::new("."));
        archive::store_signed(dir, &signed, force)
            .map_err(|e| Error::from(super::render::Failure::Archive(e)))?
    } else {
        let Some(outcome) = archive::signed_outcome(&target, &signed, force) else {
            return Err(Error::SignedExists(target));
        };
        if outcome != Outcome::Unchanged {
            cfp_verify::report::render::write_atomic(&target, &signed).map_err(|e| {
                Error::CannotWrite {
                    path: target.clone(),
                    source: e.into(),
                }
            })?;
        }
        outcome
    };
    super::say(&says(&target, &signing, outcome, in_archive));
    Ok(ExitCode::SUCCESS)
}

/// The line `sign` prints.
fn says(target: &Path, signing: &Signing, outcome: Outcome, in_archive: bool) -> String {
    let cert = &signing.credentials.cert.tbs_certificate;
    let note = match outcome {
        Outcome::Written if in_archive => ", listed in SHA256SUMS",
        Outcome::Replaced if in_archive => " (replaced), listed in SHA256SUMS",
        Outcome::Replaced => " (replaced)",
        Outcome::Unchanged => " (already there, identical)",
        Outcome::Written => "",
    };
    format!("{}: signed by {}{note}", target.display(), cert.subject)
}

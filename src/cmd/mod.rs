//! One module per subcommand. Each returns the exit code of a run that went as far as it
//! should, or an [`Error`] that `main` prints.

pub mod calc;
pub mod check;
pub mod completions;
pub mod diff;
pub mod export;
pub mod init;
pub mod render;
pub mod schema;
pub mod sign;
pub mod verify;
pub mod watch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfp_verify::diag::Style;
use cfp_verify::report::verify::VerifyError;
use cfp_verify::{Invalid, ReadError};

use crate::config::ConfigError;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An engagement file with problems.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A command line that cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An engagement that cannot be exported as PACT footprints.
    #[error(transparent)]
    Pact(#[from] cfp_verify::exports::pact::Refused),
    /// A `--templates` folder whose wording catalogue cannot be used.
    #[error(transparent)]
    Wording(#[from] cfp_verify::present::wording::WordingError),
    /// A report that could not be rendered or written (boxed: it is large, and rare).
    #[error(transparent)]
    Render(Box<render::Failure>),
    /// An output that would replace the engagement file it is made from.
    #[error("{}: is the engagement file itself; nothing was written", .0.display())]
    IsEngagement(PathBuf),
    /// A file that `init` would overwrite.
    #[error("{}: already exists; nothing was written", .0.display())]
    Exists(PathBuf),
    /// An output that could not be made or written.
    #[error("{}: cannot write: {source}", path.display())]
    CannotWrite {
        /// The output.
        path: PathBuf,
        /// Why not.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file that could not be read as it is.
    #[error("{name}: cannot read: {source}")]
    CannotRead {
        /// The file as given.
        name: String,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// A file that could not be read as an engagement (a folder, a FIFO, …).
    #[error("{name}: {source}")]
    Read {
        /// The file as given.
        name: String,
        /// Why not.
        #[source]
        source: ReadError,
    },
    /// A PDF that is not a report, or whose report cannot be made again.
    #[error("{name}: {source}")]
    Verify {
        /// The PDF as given.
        name: String,
        /// Why not.
        #[source]
        source: VerifyError,
    },
    /// A report that could not be signed, or a PDF whose signature cannot be checked.
    #[error("{name}: {source}")]
    Sign {
        /// The PDF (or key) as given.
        name: String,
        /// Why not.
        #[source]
        source: cfp_verify::report::sign::SignError,
    },
    /// The signer's key or certificates cannot be used (the error names the file).
    #[error(transparent)]
    Signer(cfp_verify::report::sign::SignError),
    /// A different signed PDF that `sign` would overwrite.
    #[error("{}: already exists and differs (another key or time); nothing was written\n  hint: `--force` replaces it", .0.display())]
    SignedExists(PathBuf),
    /// The file watcher could not be started.
    #[error("cannot watch files: {0}")]
    Watcher(#[source] notify::Error),
    /// A folder could not be watched.
    #[error("{}: cannot watch: {source}", dir.display())]
    Watch {
        /// The folder.
        dir: PathBuf,
        /// Why not.
        #[source]
        source: notify::Error,
    },
    /// Several of the above (both files of a `diff`), each printed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<Error>),
}

impl From<render::Failure> for Error {
    fn from(failure: render::Failure) -> Self {
        Error::Render(Box::new(failure))
    }
}

impl Error {
    /// The exit status: 2 for a usage error, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(e) => e.exit_code(),
            _ => 1,
        }
    }

    /// The message, engagement and template problems in `style`.
    pub fn report(&self, style: Style) -> String {
        match self {
            Error::Invalid(invalid) => invalid.report(style),
            Error::Render(failure) => failure.report(style),
            Error::Several(errors) => errors
                .iter()
                .map(|e| e.report(style))
                .collect::<Vec<_>>()
                .join("\n"),
            e => e.to_string(),
        }
    }
}

/// Prints `text` on standard output; a closed pipe (`| head`) is not worth a message.
fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Writes `bytes` to `path` atomically, never over the engagement file `input`, and says
/// what was written.
fn write_out(
    input: &Path,
    path: &Path,
    bytes: Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>,
    what: &str,
) -> Result<ExitCode, Error> {
    if cfp_verify::same_file(input, path) {
        return Err(Error::IsEngagement(path.to_path_buf()));
    }
    let cannot_write = |source| Error::CannotWrite {
        path: path.to_path_buf(),
        source,
    };
    let bytes = bytes.map_err(cannot_write)?;
    cfp_verify::report::render::write_atomic(path, &bytes).map_err(|e| cannot_write(e.into()))?;
    println!("{}: {what}", path.display());
    Ok(ExitCode::SUCCESS)
}

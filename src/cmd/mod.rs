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
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// A command line that cannot be used, said in words (exit status 2).
    #[error("error: {0}")]
    Usage(String),
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
            Error::Usage(_) => 2,
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

/// Whether `--quiet` was given: only errors and the output asked for are printed.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `--quiet`.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints `text` on standard output, at once. Every command's output goes through here: a
/// closed pipe (`| head`) ends the program quietly; any other write error (`> /dev/full`)
/// ends it with a message and exit status 1, rather than losing the output unsaid.
pub fn print(text: &str) {
    print_bytes(text.as_bytes());
}

/// [`print`] for bytes that are not text (a workbook on `--xlsx -`).
pub fn print_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        stdout_failed(&e);
    }
}

/// Ends the program after a failed write to standard output (see [`print`]).
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("cfp-verify: cannot write to standard output: {e}");
    std::process::exit(1);
}

/// Prints a line that says what was done (`out.pdf: 12 pages …`), unless `--quiet`.
pub fn say(line: &str) {
    if !quiet() {
        print(&format!("{line}\n"));
    }
}

/// The name standard input is given in messages.
pub const STDIN: &str = "<stdin>";

/// Whether `path` is `-`: standard input or output.
pub fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How messages name the file at `path`: `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if is_dash(path) {
        STDIN.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads, validates and calculates the engagement file at `path`, or standard input for
/// `-` (paths inside it are then relative to the current folder).
pub fn load(path: &Path) -> Result<cfp_verify::Verified, Error> {
    if !is_dash(path) {
        return Ok(cfp_verify::load(path)?);
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map_err(|source| {
        Error::CannotRead {
            name: STDIN.into(),
            source,
        }
    })?;
    Ok(cfp_verify::load_bytes(STDIN, &bytes, Some(Path::new(".")))?)
}

/// Writes `bytes` to `path` atomically, never over the engagement file `input`, and says
/// what was written; `-` writes them to standard output.
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
    if is_dash(path) {
        print_bytes(&bytes);
        return Ok(ExitCode::SUCCESS);
    }
    cfp_verify::report::render::write_atomic(path, &bytes).map_err(|e| cannot_write(e.into()))?;
    say(&format!("{}: {what}", path.display()));
    Ok(ExitCode::SUCCESS)
}

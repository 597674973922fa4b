//! cfp-verify: one YAML engagement file -> a validated engagement -> exact footprint
//! figures -> verification findings (and, later, the bilingual report).
//!
//! The library never prints and never exits; `main.rs` turns its results into messages
//! and exit codes.

#![warn(missing_docs)]

pub mod calc;
pub mod checks;
pub mod diag;
pub mod engagement;
pub mod exports;
pub mod input;
pub mod present;
pub mod report;
pub mod starter;
pub mod uncertainty;
pub mod units;
pub mod validate;

use std::fmt;

use sha2::Digest;
use std::path::Path as FsPath;

use calc::Results;
use checks::Finding;
use diag::{Diagnostic, Path, Problems};
use engagement::Engagement;
use exports::json;
use input::{de, model, yaml};

/// A valid engagement with its figures and findings.
#[derive(Debug)]
pub struct Verified {
    /// The engagement as validated: every value read, checked and typed.
    pub engagement: Engagement,
    /// Its figures, exact (rounded only when shown).
    pub results: Results,
    /// What the checks found, in a fixed order; none of them makes the file invalid.
    pub findings: Vec<Finding>,
    /// The parsed file, to say where a finding's path is written.
    pub root: yaml::Node,
    /// The engagement file's bytes, as read.
    pub source: Vec<u8>,
}

impl Verified {
    /// The results JSON (`calc --json`), findings worded with the built-in catalogue.
    pub fn json(&self) -> String {
        self.json_with(present::wording::Catalogue::builtin())
    }

    /// The results JSON, findings worded with the catalogue `c`.
    pub fn json_with(&self, c: &present::wording::Catalogue) -> String {
        json::results_json(&self.engagement, &self.results, &self.findings, c)
    }
}

/// An engagement file that cannot be used, with every problem found in it.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// The file as the user named it.
    pub file: String,
    /// In file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text, to show the lines problems are on (`None` when it is not UTF-8).
    pub source: Option<String>,
}

/// Most problems printed for one file. A broken converter can produce one problem per
/// line of a large inventory; the first thousand show what is wrong, and printing all of
/// them would only scroll those away. The count on the last line stays exact.
pub const SHOWN_PROBLEMS: usize = 1000;

impl Invalid {
    /// Every problem (the first [`SHOWN_PROBLEMS`]) in `style`, then their count.
    pub fn report(&self, style: diag::Style) -> String {
        let shown = &self.diagnostics[..self.diagnostics.len().min(SHOWN_PROBLEMS)];
        let mut out = diag::render_all(&self.file, self.source.as_deref(), shown, style);
        out.push_str(&self.count_lines());
        out
    }

    fn count_lines(&self) -> String {
        let n = self.diagnostics.len();
        let mut out = String::new();
        if n > SHOWN_PROBLEMS {
            out.push_str(&format!(
                "{}: … {} more problems not shown; fix these first, then check again\n",
                self.file,
                n - SHOWN_PROBLEMS
            ));
        }
        out.push_str(&format!(
            "{}: {n} problem{}",
            self.file,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// The short form, one line per problem: what scripts and logs want.
impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.diagnostics.iter().take(SHOWN_PROBLEMS) {
            writeln!(f, "{}", d.render(&self.file))?;
        }
        let n = self.diagnostics.len();
        if n > SHOWN_PROBLEMS {
            writeln!(
                f,
                "{}: … {} more problems not shown; fix these first, then check again",
                self.file,
                n - SHOWN_PROBLEMS
            )?;
        }
        write!(
            f,
            "{}: {n} problem{}",
            self.file,
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Invalid {}

/// The JSON Schema of the engagement format, for editors (`# yaml-language-server: $schema=…`).
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(model::File);
    schema.insert(
        "title".into(),
        "cfp-verify engagement (format cfp-verify/1)".into(),
    );
    let mut schema = schema.to_value();
    model::as_check_reads(&mut schema);
    let mut out = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    out.push('\n');
    out
}

/// True when `a` and `b` both exist and are the same file (after links and `..`).
pub fn same_file(a: &FsPath, b: &FsPath) -> bool {
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(a), Ok(b)) if a == b
    )
}

/// The folder holding `path`: its parent, or `.` for a bare file name.
pub fn folder_of(path: &FsPath) -> &FsPath {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => FsPath::new("."),
    }
}

/// Reads, validates and calculates the engagement file at `path`.
pub fn load(path: &FsPath) -> Result<Verified, Invalid> {
    let name = path.display().to_string();
    let bytes = read_regular(path).map_err(|e| Invalid {
        file: name.clone(),
        diagnostics: vec![Diagnostic::new(None, Path::root(), e.to_string())],
        source: None,
    })?;
    load_bytes(&name, &bytes, Some(folder_of(path)))
}

/// Why [`read_regular`] could not read a file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path is not a regular file; what it is instead (`is a directory`, …).
    #[error("cannot read the file: it {0}")]
    NotAFile(String),
    /// The file system refused.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
}

/// Reads a file that must be a regular file; the error says what it is instead.
///
/// Reading a FIFO would wait for a writer forever, and "Is a directory (os error 21)"
/// reads like a fault of the tool; so the kind of file is checked first.
pub fn read_regular(path: &FsPath) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = not_a_file(&meta) {
        return Err(ReadError::NotAFile(kind));
    }
    std::fs::read(path).map_err(ReadError::Io)
}

/// What a path that is not a regular file is: `is a directory`, `is not a regular file but
/// a FIFO (named pipe)`, …; `None` for a regular file.
pub fn not_a_file(meta: &std::fs::Metadata) -> Option<String> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("is a directory".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_block_device() || t.is_char_device() {
            "a device"
        } else {
            "not a file"
        };
        return Some(format!("is not a regular file but {what}"));
    }
    #[allow(unreachable_code)]
    Some("is not a regular file".into())
}

/// Validates and calculates an engagement given as bytes; `base` is the folder that file
/// paths inside it are relative to.
pub fn load_bytes(name: &str, bytes: &[u8], base: Option<&FsPath>) -> Result<Verified, Invalid> {
    let invalid = |diagnostics| Invalid {
        file: name.to_owned(),
        diagnostics,
        source: std::str::from_utf8(bytes).ok().map(str::to_owned),
    };
    let (root, parse_problems) = yaml::parse(bytes).map_err(invalid)?;
    if let Some(d) = validate::check_format(&root) {
        return Err(invalid(vec![d]));
    }
    let mut problems = Problems::default();
    parse_problems.into_iter().for_each(|d| problems.push(d));
    validate::check_scalars(&root, &mut problems);
    let file: Option<model::File> = de::from_node(&root, &mut problems);
    let engagement = file.map(|f| validate::validate(&f, &root, base, &mut problems));
    let mut engagement = match engagement {
        Some(e) if problems.is_empty() => e,
        _ => return Err(invalid(problems.into_sorted())),
    };
    // The Monte Carlo stream is seeded from the file: the same file, the same figures.
    engagement.seed = sha2::Sha256::digest(bytes).into();
    let results = calc::calculate(&engagement);
    let findings = checks::findings(&engagement, &results);
    let broken = validate::verification_rules(&engagement, &findings, &root);
    if !broken.is_empty() {
        return Err(invalid(broken));
    }
    Ok(Verified {
        engagement,
        results,
        findings,
        root,
        source: bytes.to_vec(),
    })
}

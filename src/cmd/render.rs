//! `render`: one engagement, or a batch rendered in parallel on all cores.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cfp_verify::diag::Style;
use cfp_verify::report::archive::{self, ArchiveError, Outcome};
use cfp_verify::report::render::{self, Options, RenderError, write_atomic};
use cfp_verify::{Invalid, Verified, load};

use crate::config::{RenderConfig, Target};

use super::Error;

/// Why one engagement's report was not rendered or not written.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The engagement file has problems.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// An output could not be written (or would not be writable).
    #[error("{}: cannot write: {source}", path.display())]
    CannotWrite {
        /// The output.
        path: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// The archive refused the revision, or could not be written.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The report could not be signed (`--sign`).
    #[error("{}: {source}", file.display())]
    Sign {
        /// The engagement file.
        file: PathBuf,
        /// Why not.
        #[source]
        source: cfp_verify::report::sign::SignError,
    },
    /// The file changed between the batch's check and its render.
    #[error("{}: changed while the batch was rendering; render it again", .0.display())]
    Changed(PathBuf),
    /// The report could not be made.
    #[error("{}: {source}{}", file.display(), kept.as_ref().map_or(String::new(), Kept::note))]
    Render {
        /// The engagement file.
        file: PathBuf,
        /// Why not (boxed: typst errors carry the whole generated source).
        #[source]
        source: Box<RenderError>,
        /// For a typst error, what became of the generated source.
        kept: Option<Kept>,
    },
}

/// What became of the generated typst source of a report that typst rejected.
#[derive(Debug)]
pub enum Kept {
    /// Not asked for (`--typst` not given).
    NotAsked,
    /// Written where `--typst` said.
    In(PathBuf),
    /// `--typst` named a file that could not be written.
    NotWritten(PathBuf, std::io::Error),
}

impl Kept {
    /// The line printed under the typst errors.
    fn note(&self) -> String {
        match self {
            Kept::NotAsked => {
                "\n  hint: run again with `--typst FILE` to keep the generated typst source".into()
            }
            Kept::In(t) => format!("\n  the generated typst source is in {}", t.display()),
            Kept::NotWritten(t, e) => format!("\n  {}: cannot write: {e}", t.display()),
        }
    }
}

impl Failure {
    /// The failure in `style`: engagement problems, and template and typst errors with
    /// their line, as the engagement's problems are printed.
    pub fn report(&self, style: Style) -> String {
        match self {
            Failure::Invalid(invalid) => invalid.report(style),
            Failure::Render { source, kept, .. } => {
                // The source is named as written, so that `FILE:LINE` opens it.
                let typst_file = match kept {
                    Some(Kept::In(t)) => t.display().to_string(),
                    _ => "main.typ".to_owned(),
                };
                match source.located(style, &typst_file) {
                    Some(located) => {
                        format!(
                            "{located}{}",
                            kept.as_ref().map_or(String::new(), Kept::note)
                        )
                    }
                    None => self.to_string(),
                }
            }
            _ => self.to_string(),
        }
    }
}

/// Renders every engagement of `config`: one line per report, and for a batch a summary.
/// Exit 1 if any failed; 2 when two engagements of a batch would be archived as the same
/// revision (nothing rendered).
pub fn run(config: &RenderConfig) -> Result<ExitCode, Error> {
    if config.batch {
        return Ok(render_batch(config));
    }
    match config.files.first() {
        Some(file) => {
            super::say(&render_file(file, config)?);
            Ok(ExitCode::SUCCESS)
        }
        None => Ok(ExitCode::from(1)),
    }
}

/// What the check before a batch keeps of a file: its revision and the SHA-256 of the bytes
/// checked, or its problems. The loaded engagement itself is dropped: a batch of thousands
/// would otherwise hold them all at once.
enum Checked {
    Valid {
        /// `report.number` and `report.revision`, the archive's folder.
        revision: (String, u32),
        /// The SHA-256 of the file's bytes (the engagement's seed).
        sha256: [u8; 32],
    },
    Invalid(Invalid),
}

/// Runs `work` on every index below `n` in parallel, `workers` threads taking the next index
/// as they finish one.
fn each_in_parallel(n: usize, workers: usize, work: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    work(i);
                }
            });
        }
    });
}

/// Renders the batch: every file is checked first, then the valid ones rendered in parallel.
fn render_batch(config: &RenderConfig) -> ExitCode {
    let files = &config.files;
    let started = Instant::now();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    // Every file is read and checked first: two engagements that would be archived as the
    // same revision are a usage error found before anything is rendered. Only what the
    // check needs is kept; each worker loads its file again when it renders it.
    let checked: Vec<Mutex<Option<Checked>>> = files.iter().map(|_| Mutex::new(None)).collect();
    each_in_parallel(files.len(), workers, |i| {
        let c = match load(&files[i]) {
            Ok(v) => Checked::Valid {
                revision: (
                    v.engagement.report.number.clone(),
                    v.engagement.report.revision,
                ),
                sha256: v.engagement.seed,
            },
            Err(invalid) => Checked::Invalid(invalid),
        };
        *checked[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(c);
    });
    let checked: Vec<Checked> = checked
        .into_iter()
        .map(|c| {
            c.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .expect("every file was checked")
        })
        .collect();
    let mut revisions: BTreeMap<&(String, u32), Vec<&Path>> = BTreeMap::new();
    for (file, c) in files.iter().zip(&checked) {
        if let Checked::Valid { revision, .. } = c {
            revisions.entry(revision).or_default().push(file);
        }
    }
    let clashes: Vec<String> = revisions
        .iter()
        .filter(|(_, f)| f.len() > 1)
        .map(|((number, revision), f)| {
            format!(
                "  {number} r{revision}: {}",
                f.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    if !clashes.is_empty() {
        eprintln!(
            "error: these files would be archived as the same revision; nothing was rendered:\n{}\n  hint: give each engagement its own `report.number`, or raise `report.revision`",
            clashes.join("\n")
        );
        return ExitCode::from(2);
    }
    // Each failure's message, printed after the progress bar is gone.
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let bar = (std::io::stderr().is_terminal() && !super::quiet()).then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    each_in_parallel(files.len(), workers, |i| {
        let file = &files[i];
        let result = match &checked[i] {
            Checked::Valid { sha256, .. } => match load(file) {
                // The file checked, unchanged: its revision is the one checked for clashes.
                Ok(v) if v.engagement.seed == *sha256 => render_one(file, &v, config),
                Ok(_) => Err(Failure::Changed(file.clone())),
                Err(invalid) => Err(Failure::Invalid(invalid)),
            },
            Checked::Invalid(invalid) => Err(Failure::Invalid(invalid.clone())),
        };
        // Typst's memoization would otherwise keep every report in memory. Keeping some
        // of it for the next reports, or for the other worker's report, was measured: no
        // faster, and up to three times the memory.
        typst::comemo::evict(0);
        match (&result, &bar) {
            (Ok(line), Some(bar)) => bar.println(line),
            (Ok(line), None) => super::say(line),
            (Err(_), Some(bar)) => bar.println(format!("{}: failed", file.display())),
            (Err(_), None) => super::say(&format!("{}: failed", file.display())),
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        if let Err(failure) = result {
            failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((i, failure.report(config.style)));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    let mut err = std::io::stderr().lock();
    for (_, message) in &failures {
        let _ = writeln!(err, "{message}");
    }
    let secs = started.elapsed().as_secs_f64();
    super::say(&format!(
        "{} rendered, {} failed, {:.2} s ({:.2} s per report on {workers} threads)",
        files.len() - failures.len(),
        failures.len(),
        secs,
        secs / files.len() as f64
    ));
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Loads and renders one engagement file: its summary line, or why not.
pub fn render_file(file: &Path, config: &RenderConfig) -> Result<String, Failure> {
    let verified = load(file)?;
    render_one(file, &verified, config)
}

/// Renders one loaded engagement: its summary line, or why not. Nothing is written
/// unless the whole render succeeded.
pub fn render_one(
    file: &Path,
    verified: &Verified,
    config: &RenderConfig,
) -> Result<String, Failure> {
    let started = Instant::now();
    let report = &verified.engagement.report;
    let cannot_write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Failure::CannotWrite { path, source }
    };
    // Refuse targets that cannot be written before spending time on the render (a folder
    // that does not exist, a link to a device); they may change while `watch` runs.
    if let Target::Files { pdf, json } = &config.target {
        for path in [pdf, json] {
            render::output_target(path).map_err(cannot_write(path))?;
        }
    }
    // The superseded revision, when it is in the archive: the report shows what changed.
    let previous = (report.revision > 1)
        .then(|| archive::revision_dir(&config.archive, &report.number, report.revision - 1))
        .and_then(|dir| std::fs::read(dir.join(render::ENGAGEMENT)).ok());
    let options = Options {
        previous,
        languages: config.languages.clone(),
        templates: config.templates.clone(),
        style: Some(config.report_style.clone()),
    };
    let rendered = render::render(verified, config.fonts(), &options).map_err(|source| {
        let kept = match (&source, &config.typst) {
            // Asked for: the source is what a template author needs to read.
            (RenderError::Typst { typst, .. }, Some(t)) => {
                Some(match write_atomic(t, typst.as_bytes()) {
                    Ok(()) => Kept::In(t.clone()),
                    Err(e) => Kept::NotWritten(t.clone(), e),
                })
            }
            (RenderError::Typst { .. }, None) => Some(Kept::NotAsked),
            _ => None,
        };
        Failure::Render {
            file: file.to_path_buf(),
            source: Box::new(source),
            kept,
        }
    })?;
    // Signed before anything is written: a report that cannot be signed writes nothing.
    let signed = match &config.sign {
        Some(signing) => Some(
            cfp_verify::report::sign::sign_report(
                &rendered.pdf,
                report,
                &verified.engagement.verifier,
                &signing.credentials,
                signing.time,
            )
            .map_err(|source| Failure::Sign {
                file: file.to_path_buf(),
                source,
            })?,
        ),
        None => None,
    };
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(t) = &config.typst {
        write_atomic(t, rendered.typst.as_bytes()).map_err(cannot_write(t))?;
    }
    let (pdf_path, note) = match &config.target {
        Target::Files { pdf, json } => {
            for (path, bytes) in [
                (pdf, rendered.pdf.as_slice()),
                (json, rendered.results.as_bytes()),
            ] {
                write_atomic(path, bytes).map_err(cannot_write(path))?;
            }
            if let Some(signed) = &signed {
                let path = super::sign::signed_path(pdf);
                write_atomic(&path, signed).map_err(cannot_write(&path))?;
            }
            (pdf.clone(), String::new())
        }
        Target::Archive => {
            let (dir, outcome) = archive::store(&config.archive, verified, &rendered)?;
            let note = match outcome {
                Outcome::Unchanged => " (already archived, identical)",
                Outcome::Replaced => " (replaced the unapproved revision)",
                Outcome::Written => "",
            };
            let mut note = note.to_owned();
            if let Some(signed) = &signed {
                let outcome = archive::store_signed(&dir, signed, false)?;
                note.push_str(match outcome {
                    Outcome::Unchanged => "; signed already, identical",
                    _ => "; signed: report.signed.pdf",
                });
            }
            (dir.join(archive::REPORT), note)
        }
    };
    Ok(format!(
        "{}: {} page{}, {} KB, {:.2} s{note}",
        pdf_path.display(),
        rendered.pages,
        if rendered.pages == 1 { "" } else { "s" },
        rendered.pdf.len().div_ceil(1024),
        started.elapsed().as_secs_f64()
    ))
}

//! The settings of a `render` or `watch` run, resolved once from the command line.
//!
//! Every default (the archive, watch's preview PDF), override (`-o`, `--lang`) and batch
//! rule is decided here, and impossible combinations are refused here; the commands that
//! render never look at the arguments again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cfp_verify::diag::Style;
use cfp_verify::engagement::Language;
use cfp_verify::report::archive;
use cfp_verify::report::template::TemplateDir;
use cfp_verify::report::world::Fonts;

use crate::cli::{Lang, ReportArgs};

/// Which command the settings are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `render`: files or folders of them, into the archive unless `-o` is given.
    Render,
    /// `watch`: one file, to `-o` or a preview PDF in the archive folder.
    Watch,
}

/// Where a report is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Into the archive, `<archive>/<number>/r<revision>/`.
    Archive,
    /// To this PDF, with the results JSON beside it.
    Files {
        /// The report.
        pdf: PathBuf,
        /// The results JSON, the PDF's name ending in `.json`.
        json: PathBuf,
    },
}

/// Everything a run of `render` or `watch` shares.
pub struct RenderConfig {
    /// The engagement files, folders given replaced by their `*.yaml` files.
    pub files: Vec<PathBuf>,
    /// More than one engagement, or a folder of them: rendered in parallel, archived.
    pub batch: bool,
    /// Where each report goes.
    pub target: Target,
    /// The archive folder: where reports go without `-o`, and where the superseded
    /// revision of an engagement is looked up in any case.
    pub archive: PathBuf,
    /// Where to write the generated typst source, if asked.
    pub typst: Option<PathBuf>,
    /// The languages to print; each engagement's own when `None`.
    pub languages: Option<Vec<Language>>,
    /// The `--templates` folder, opened.
    pub templates: Option<Arc<TemplateDir>>,
    /// The report style (`--style`), known to exist.
    pub report_style: String,
    /// The embedded fonts with those of `--font-dir`; `None` for the embedded ones alone.
    extra_fonts: Option<Fonts>,
    /// How problems are printed.
    pub style: Style,
    /// Sign each report (`render --sign`).
    pub sign: Option<Arc<crate::cmd::sign::Signing>>,
}

/// Why the command line cannot be used as given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--style` names a style no templates folder has.
    #[error(transparent)]
    UnknownStyle(#[from] cfp_verify::report::template::UnknownStyle),
    /// `--templates DIR` cannot be opened.
    #[error("{}: cannot read the templates: {source}", dir.display())]
    Templates {
        /// The folder as given.
        dir: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// `--font-dir DIR` cannot be read, or a font in it.
    #[error("{}: cannot read the fonts: {source}", dir.display())]
    Fonts {
        /// The folder as given.
        dir: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// A folder of engagements cannot be listed.
    #[error("{}: {source}", dir.display())]
    Folder {
        /// The folder as given.
        dir: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// `-o` or `--typst` with several engagements.
    #[error("error: `-o` and `--typst` take one engagement; a batch goes to the archive")]
    OneEngagement,
    /// `watch` given a folder.
    #[error("error: `watch` takes one engagement file; {} is a folder", .0.display())]
    WatchFolder(PathBuf),
    /// `-o` that does not name a PDF.
    #[error(
        "{}: `-o` names the report PDF and must end in `.pdf` (the results JSON is written beside it); nothing was written",
        .0.display()
    )]
    NotPdf(PathBuf),
    /// An output that would replace the engagement file, or a file of the archive.
    #[error("{}", .0)]
    Refused(Refusal),
    /// Watch's preview folder cannot be created.
    #[error("{}: cannot create: {source}", dir.display())]
    Preview {
        /// `<archive>/preview`.
        dir: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
}

impl ConfigError {
    /// 2 for a usage error, 1 for a folder or file that cannot be used.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConfigError::OneEngagement | ConfigError::WatchFolder(_) => 2,
            _ => 1,
        }
    }
}

/// An output path that must not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It is the engagement file.
    #[error(
        "{}: is the engagement file itself; the {what} would replace it, nothing was written",
        path.display()
    )]
    IsEngagement {
        /// The output path.
        path: PathBuf,
        /// What would have been written there.
        what: &'static str,
    },
    /// It is in an archived revision's folder, which only the archive writes.
    #[error(
        "{}: is in an archived revision's folder (it has {}); the archive is written by `render` without `-o`, nothing was written",
        path.display(),
        archive::SUMS
    )]
    InArchive {
        /// The output path.
        path: PathBuf,
    },
}

/// Why `path`, where the `what` of `engagement` would be written, must not be, if so.
fn refuse_output(path: &Path, engagement: &Path, what: &'static str) -> Option<Refusal> {
    if cfp_verify::same_file(path, engagement) {
        return Some(Refusal::IsEngagement {
            path: path.to_path_buf(),
            what,
        });
    }
    if cfp_verify::folder_of(path).join(archive::SUMS).is_file() {
        return Some(Refusal::InArchive {
            path: path.to_path_buf(),
        });
    }
    None
}

impl RenderConfig {
    /// Resolves `args` for rendering `inputs` (engagement files, or folders of them) in
    /// `purpose`; problems are printed in `style`.
    ///
    /// Usage errors are found before anything slow is done (opening templates, reading
    /// fonts), so that a wrong command line fails at once.
    pub fn from_args(
        inputs: &[PathBuf],
        args: &ReportArgs,
        purpose: Purpose,
        style: Style,
    ) -> Result<RenderConfig, ConfigError> {
        let mut files = Vec::new();
        for input in inputs {
            if !input.is_dir() {
                files.push(input.clone());
            } else if purpose == Purpose::Watch {
                return Err(ConfigError::WatchFolder(input.clone()));
            } else {
                files.extend(engagements_in(input).map_err(|source| ConfigError::Folder {
                    dir: input.clone(),
                    source,
                })?);
            }
        }
        let batch = files.len() > 1 || inputs.iter().any(|i| i.is_dir());
        if batch && (args.output.is_some() || args.typst.is_some()) {
            return Err(ConfigError::OneEngagement);
        }
        let output = match (&args.output, purpose) {
            (Some(pdf), _) => Some(pdf.clone()),
            // A preview is not an issued report: it stays out of the archive's revisions.
            (None, Purpose::Watch) => {
                let stem = files
                    .first()
                    .and_then(|f| f.file_stem())
                    .map_or("engagement".into(), |s| s.to_string_lossy().into_owned());
                Some(args.archive.join("preview").join(format!("{stem}.pdf")))
            }
            (None, Purpose::Render) => None,
        };
        let target = match output {
            None => Target::Archive,
            Some(pdf) => {
                if !pdf
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("pdf"))
                {
                    return Err(ConfigError::NotPdf(pdf));
                }
                let json = pdf.with_extension("json");
                Target::Files { pdf, json }
            }
        };
        // Batches have no `-o` or `--typst`: a single engagement is all there is to compare.
        if let Some(engagement) = files.first() {
            let outputs = match &target {
                Target::Files { pdf, json } => vec![(pdf, "PDF"), (json, "results JSON")],
                Target::Archive => Vec::new(),
            };
            let typst = args.typst.iter().map(|t| (t, "typst source"));
            for (path, what) in outputs.into_iter().chain(typst) {
                if let Some(why) = refuse_output(path, engagement, what) {
                    return Err(ConfigError::Refused(why));
                }
            }
        }
        if purpose == Purpose::Watch && args.output.is_none() {
            let dir = args.archive.join("preview");
            std::fs::create_dir_all(&dir).map_err(|source| ConfigError::Preview { dir, source })?;
        }
        let templates = open_templates(args.templates.as_deref())?;
        cfp_verify::report::template::check_style(templates.as_deref(), &args.style)?;
        Ok(RenderConfig {
            files,
            batch,
            target,
            archive: args.archive.clone(),
            typst: args.typst.clone(),
            languages: args.lang.map(languages),
            report_style: args.style.clone(),
            templates,
            extra_fonts: extra_fonts(args.font_dir.as_deref())?,
            style,
            sign: None,
        })
    }

    /// The fonts reports are set in.
    pub fn fonts(&self) -> &Fonts {
        self.extra_fonts.as_ref().unwrap_or(Fonts::embedded())
    }
}

/// The engagement files of a folder (`*.yaml`, `*.yml`), sorted.
fn engagements_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Opens `--templates DIR`, if given.
pub fn open_templates(dir: Option<&Path>) -> Result<Option<Arc<TemplateDir>>, ConfigError> {
    dir.map(|d| {
        TemplateDir::open(d)
            .map(Arc::new)
            .map_err(|source| ConfigError::Templates {
                dir: d.to_path_buf(),
                source,
            })
    })
    .transpose()
}

/// The fonts of `--font-dir DIR` with the embedded ones, or `None` for the embedded ones
/// alone.
pub fn extra_fonts(dir: Option<&Path>) -> Result<Option<Fonts>, ConfigError> {
    dir.map(|d| {
        Fonts::with_dir(d).map_err(|source| ConfigError::Fonts {
            dir: d.to_path_buf(),
            source,
        })
    })
    .transpose()
}

/// The languages `--lang` names, in order.
pub fn languages(lang: Lang) -> Vec<Language> {
    match lang {
        Lang::Zh => vec![Language::Zh],
        Lang::En => vec![Language::En],
        Lang::ZhEn => vec![Language::Zh, Language::En],
        Lang::EnZh => vec![Language::En, Language::Zh],
    }
}

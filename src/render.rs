//! A verified engagement -> report view -> typst source -> PDF.

use std::path::Path;

use crate::Verified;
use crate::engagement::Language;
use crate::pdf::{self, TypstError};
use crate::template::{self, TemplateError};
use crate::view;
use crate::world::{Fonts, ReportWorld};

/// How to render.
#[derive(Default)]
pub struct Options<'a> {
    /// The languages to print; the engagement's when `None`.
    pub languages: Option<Vec<Language>>,
    /// A folder whose template files replace the built-in ones.
    pub templates: Option<&'a Path>,
}

/// A rendered report.
pub struct Report {
    /// The generated typst source (for template authors and golden tests).
    pub typst: String,
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Why a report could not be rendered.
#[derive(Debug)]
pub enum RenderError {
    /// Characters no font has, each with the first line of the engagement file using it.
    MissingGlyphs(Vec<(char, Option<usize>)>),
    Template(TemplateError),
    /// A file the engagement names could not be read.
    Asset(String),
    /// Typst rejected the generated source (a template mistake); the source is kept.
    Typst {
        errors: Vec<TypstError>,
        typst: String,
    },
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::MissingGlyphs(chars) => {
                write!(
                    f,
                    "no font has a glyph for {} character{}:",
                    chars.len(),
                    if chars.len() == 1 { "" } else { "s" }
                )?;
                for (c, line) in chars {
                    match line {
                        Some(l) => write!(f, "\n  `{c}` (U+{:04X}), first on line {l}", *c as u32)?,
                        None => write!(f, "\n  `{c}` (U+{:04X})", *c as u32)?,
                    }
                }
                write!(
                    f,
                    "\n  hint: add a font that has them with `--font-dir DIR` (e.g. the full Noto CJK), or replace the characters"
                )
            }
            RenderError::Template(e) => write!(f, "{e}"),
            RenderError::Asset(e) => write!(f, "{e}"),
            RenderError::Typst { errors, .. } => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders the report of `v`. `source` is the engagement file's bytes (its SHA-256 is
/// printed; its lines locate missing glyphs), `base` its folder, for the images it names.
pub fn render(
    v: &Verified,
    source: &[u8],
    base: Option<&Path>,
    fonts: &Fonts,
    options: &Options<'_>,
) -> Result<Report, RenderError> {
    let e = &v.engagement;
    let languages = options
        .languages
        .clone()
        .unwrap_or_else(|| e.report.languages.clone());
    let view = view::build(v, &languages, source);
    let typst = template::render(&view, options.templates).map_err(RenderError::Template)?;

    let missing = fonts.missing_chars(&typst);
    if !missing.is_empty() {
        let text = String::from_utf8_lossy(source);
        let line_of = |c: char| text.lines().position(|l| l.contains(c)).map(|i| i + 1);
        return Err(RenderError::MissingGlyphs(
            missing.into_iter().map(|c| (c, line_of(c))).collect(),
        ));
    }

    let mut world = ReportWorld::new(typst, e.report.issued, fonts);
    let images = [&e.verifier.logo, &e.client.org_chart, &e.verifier.seal]
        .into_iter()
        .chain(e.verifier.approver.as_ref().map(|a| &a.signature))
        .chain(e.client.processes.iter().map(|p| &p.flowchart))
        .flatten();
    for rel in images {
        let Some(base) = base else {
            return Err(RenderError::Asset(format!(
                "`{rel}`: the engagement has no folder to read it from"
            )));
        };
        let bytes = std::fs::read(base.join(rel))
            .map_err(|err| RenderError::Asset(format!("cannot read `{rel}`: {err}")))?;
        world.add_file(&format!("/{rel}"), bytes);
    }
    let ident = format!("{} r{}", e.report.number, e.report.revision);
    match pdf::compile(&world, &ident, e.report.issued) {
        Ok(out) => Ok(Report {
            typst: world.main_source().text().to_owned(),
            pdf: out.bytes,
            pages: out.pages,
        }),
        Err(errors) => Err(RenderError::Typst {
            errors,
            typst: world.main_source().text().to_owned(),
        }),
    }
}

/// Writes `bytes` to `path` all at once: into a temporary file beside it, then renamed over
/// it. A failure leaves no partial file and the previous file, if any, untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

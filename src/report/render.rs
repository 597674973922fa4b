//! A verified engagement -> report view -> typst source -> PDF.

use std::path::Path;
use std::sync::Arc;

use crate::Verified;
use crate::diag::{Located, Style};
use crate::engagement::Language;
use crate::report::pdf::{self, TypstError};
use crate::report::template::{self, Overrides, TemplateDir, TemplateError};
use crate::report::view;
use crate::report::world::{Fonts, ReportWorld};

/// How to render.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The languages to print; the engagement's when `None`.
    pub languages: Option<Vec<Language>>,
    /// A folder of templates that replace the built-in ones of the same name.
    pub templates: Option<Arc<TemplateDir>>,
    /// The report style (a templates folder such as `default/`); `default` when `None`.
    pub style: Option<String>,
    /// The engagement file of the revision this one supersedes: its changes of figures are
    /// printed in the revision history.
    pub previous: Option<Vec<u8>>,
}

/// The attachment holding the superseded revision's engagement file.
pub const PREVIOUS: &str = "previous-engagement.yaml";

/// The options a report was rendered with, attached as `render.json` so that `verify` can
/// render it again.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Recorded {
    /// The program and version that rendered it: `cfp-verify 1.2.0`.
    pub generator: String,
    /// The languages printed, by key, in order: `["zh", "en"]`.
    pub languages: Vec<String>,
    /// The report style (`default` for reports made before styles existed).
    #[serde(default = "default_style")]
    pub style: String,
    /// The templates that replaced built-in ones, attached as `templates/<name>`; empty
    /// when the report was made with the built-in templates only.
    pub templates: Vec<RecordedTemplate>,
}

fn default_style() -> String {
    template::DEFAULT_STYLE.to_owned()
}

/// A template a report was made with that is not built in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordedTemplate {
    /// The template's name in the folder: `default/report.typ.j2`, `common/macros.typ.j2`.
    pub name: String,
    /// The hex SHA-256 of the template's text.
    pub sha256: String,
}

/// The attachment recording the render options.
pub const RECORDED: &str = "render.json";

/// A rendered report.
pub struct Report {
    /// The generated typst source (for template authors and golden tests).
    pub typst: String,
    /// The PDF's bytes (PDF/A-3 with its sources attached).
    pub pdf: Vec<u8>,
    /// The number of pages.
    pub pages: usize,
    /// The results JSON attached to the PDF, worded with the report's catalogue: the one
    /// `results.json` beside the PDF and in the archive, so that all three agree.
    pub results: String,
    /// The templates of the `--templates` folder that the report used, by name.
    pub templates: Overrides,
    /// Things worth saying that do not stop the report (misspelt template names).
    pub warnings: Vec<String>,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Characters no font has, each with the first line of the engagement file using it.
    #[error("{}", missing_glyphs(.0))]
    MissingGlyphs(Vec<(char, Option<usize>)>),
    /// A template could not be read, compiled or rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The `--templates` folder's wording catalogue cannot be used.
    #[error(transparent)]
    Wording(#[from] crate::present::wording::WordingError),
    /// No template folder has the style asked for.
    #[error(transparent)]
    UnknownStyle(#[from] template::UnknownStyle),
    /// The workbook attached to the report could not be written.
    #[error("the workbook could not be written: {0}")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),
    /// The superseded revision's engagement, found in the archive, is not valid.
    #[error("the superseded revision's engagement is not valid:\n{0}")]
    Previous(#[source] crate::Invalid),
    /// A file the engagement names was not read when it was loaded.
    #[error("`{0}` was not read with the engagement")]
    NotRead(String),
    /// Typst rejected the generated source (a template mistake); the source is kept.
    #[error("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Typst {
        /// Every error, in typst's order.
        errors: Vec<TypstError>,
        /// The generated source the errors point into.
        typst: String,
    },
}

/// The message of [`RenderError::MissingGlyphs`].
fn missing_glyphs(chars: &[(char, Option<usize>)]) -> String {
    let mut out = format!(
        "no font has a glyph for {} character{}:",
        chars.len(),
        if chars.len() == 1 { "" } else { "s" }
    );
    for (c, line) in chars {
        match line {
            Some(l) => out.push_str(&format!(
                "\n  `{c}` (U+{:04X}), first on line {l}",
                *c as u32
            )),
            None => out.push_str(&format!("\n  `{c}` (U+{:04X})", *c as u32)),
        }
    }
    out.push_str(
        "\n  hint: add a font that has them with `--font-dir DIR` (e.g. the full Noto CJK), or replace the characters",
    );
    out
}

impl RenderError {
    /// A template or typst error with the line it is on: the line and a caret (human
    /// styles) or one `FILE:LINE:COL: message` line (short), per error. `typst_file` names
    /// the generated source (`main.typ`, or where `--typst` wrote it). `None` for other
    /// errors, and for errors whose place is not known: [`Display`](std::fmt::Display)
    /// says all there is.
    pub fn located(&self, style: Style, typst_file: &str) -> Option<String> {
        match self {
            RenderError::Template(e) => {
                let (file, text) = (e.file.as_deref()?, e.text()?);
                // Some errors (running out of fuel) know their line but not their range.
                let range = e.range().or_else(|| line_range(text, e.line()?))?;
                Located {
                    file,
                    source: text,
                    range,
                    message: &e.message,
                    label: "",
                    hints: &[],
                }
                .render(style)
            }
            RenderError::Typst { errors, typst } => {
                let mut out = Vec::new();
                for e in errors {
                    let located = e.range.clone().and_then(|range| {
                        Located {
                            file: typst_file,
                            source: typst,
                            range,
                            message: &e.message,
                            label: "",
                            hints: &e.hints,
                        }
                        .render(style)
                    });
                    out.push(located.unwrap_or_else(|| {
                        let mut line = format!("{typst_file}: {}", e.message);
                        for h in &e.hints {
                            line.push_str(&format!("\n  hint: {h}"));
                        }
                        line
                    }));
                }
                (!errors.is_empty()).then(|| out.join("\n"))
            }
            _ => None,
        }
    }
}

/// The byte range of the 1-based `line` of `text`, without its line break.
fn line_range(text: &str, line: usize) -> Option<std::ops::Range<usize>> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let len = rest.find('\n').unwrap_or(rest.len());
    Some(start..start + rest[..len].trim_end_matches('\r').len())
}

/// The attachment holding the engagement file's exact bytes.
pub const ENGAGEMENT: &str = "engagement.yaml";
/// The attachment holding the results JSON.
pub const RESULTS: &str = "results.json";
/// The attachment holding the workbook (`calc --xlsx`): every line with its exact
/// figures, including the lines the body of a long inventory sums in one row.
pub const WORKBOOK: &str = "workbook.xlsx";

/// The files an engagement names, in a fixed order.
pub fn asset_paths(e: &crate::engagement::Engagement) -> Vec<&str> {
    let mut paths: Vec<&str> = [&e.verifier.logo, &e.client.org_chart, &e.verifier.seal]
        .into_iter()
        .chain(e.verifier.approver.as_ref().map(|a| &a.signature))
        .chain(e.client.processes.iter().map(|p| &p.flowchart))
        .flatten()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
}

fn mime_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

/// Renders the report of `v` (whose `source` is printed as a SHA-256 and attached, and whose
/// lines locate missing glyphs), with the images read when it was loaded.
pub fn render(v: &Verified, fonts: &Fonts, options: &Options) -> Result<Report, RenderError> {
    let e = &v.engagement;
    let source = v.source.as_slice();
    let languages = options
        .languages
        .clone()
        .unwrap_or_else(|| e.report.languages.clone());
    let changes = match &options.previous {
        Some(bytes) => {
            let old = crate::load_bytes(PREVIOUS, bytes, None).map_err(RenderError::Previous)?;
            Some(crate::exports::diff::diff(&old, v))
        }
        None => None,
    };
    let wording = template::Wording::load(options.templates.as_deref())?;
    let style = options.style.as_deref().unwrap_or(template::DEFAULT_STYLE);
    template::check_style(options.templates.as_deref(), style)?;
    let view = view::build_with(v, &languages, source, changes.as_ref(), &wording.catalogue);
    let rendered = template::render(&view, options.templates.as_ref(), style, &wording)
        .map_err(RenderError::Template)?;
    let typst = rendered.typst;
    let warnings = match (&options.templates, rendered.unused.is_empty()) {
        (Some(dir), false) => vec![format!(
            "{}: {} not used by the report (misspelt?); the templates are {}",
            dir.path().display(),
            rendered
                .unused
                .iter()
                .map(|n| format!("`{n}` is"))
                .collect::<Vec<_>>()
                .join(", "),
            template::builtin_names()
        )],
        _ => Vec::new(),
    };

    let missing = fonts.missing_chars(&typst);
    if !missing.is_empty() {
        let text = String::from_utf8_lossy(source);
        let line_of = |c: char| text.lines().position(|l| l.contains(c)).map(|i| i + 1);
        return Err(RenderError::MissingGlyphs(
            missing.into_iter().map(|c| (c, line_of(c))).collect(),
        ));
    }

    let mut world = ReportWorld::new(String::new(), e.report.issued, fonts);
    let mut attachments = String::from(
        "\n// The report's sources, attached by cfp-verify (not by a template): with them the\n\
         // report can be reproduced and verified from the PDF alone.\n",
    );
    let mut attach = |world: &mut ReportWorld<'_>,
                      name: &str,
                      bytes: Vec<u8>,
                      relationship: &str,
                      mime: &str,
                      description: &str| {
        world.add_file(&format!("/{name}"), bytes);
        attachments.push_str(&format!(
            "#pdf.attach({name}, read({path}, encoding: none), relationship: {relationship:?}, mime-type: {mime:?}, description: {description:?})\n",
            name = template::typst_string(name),
            path = template::typst_string(&format!("/{name}")),
        ));
    };
    attach(
        &mut world,
        ENGAGEMENT,
        source.to_vec(),
        "source",
        "application/yaml",
        "The engagement file this report was made from",
    );
    let results = v.json_with(&wording.catalogue);
    attach(
        &mut world,
        RESULTS,
        results.clone().into_bytes(),
        "data",
        "application/json",
        "The verified figures, as computed",
    );
    let workbook = crate::exports::workbook::workbook(v).map_err(RenderError::Workbook)?;
    attach(
        &mut world,
        WORKBOOK,
        workbook,
        "data",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Every inventory line with its exact figures, as a workbook",
    );
    let recorded = Recorded {
        generator: format!("cfp-verify {}", env!("CARGO_PKG_VERSION")),
        languages: languages.iter().map(|l| l.key().to_owned()).collect(),
        style: style.to_owned(),
        templates: rendered
            .used
            .iter()
            .map(|(name, text)| RecordedTemplate {
                name: name.clone(),
                sha256: crate::report::archive::sha256_hex(text.as_bytes()),
            })
            .collect(),
    };
    let recorded = serde_json::to_string_pretty(&recorded).expect("plain data serializes");
    attach(
        &mut world,
        RECORDED,
        recorded.into_bytes(),
        "supplement",
        "application/json",
        "How the report was rendered",
    );
    if let Some(previous) = &options.previous {
        attach(
            &mut world,
            PREVIOUS,
            previous.clone(),
            "supplement",
            "application/yaml",
            "The engagement file of the superseded revision",
        );
    }
    for (name, text) in &rendered.used {
        let path = format!("templates/{name}");
        attach(
            &mut world,
            &path,
            text.clone().into_bytes(),
            "supplement",
            "text/plain",
            "A template the report was rendered with",
        );
    }
    for rel in asset_paths(e) {
        let bytes = e
            .files
            .get(rel)
            .cloned()
            .ok_or_else(|| RenderError::NotRead(rel.to_owned()))?;
        attach(
            &mut world,
            rel,
            bytes,
            "supplement",
            mime_type(rel),
            "An image the report shows",
        );
    }
    world.set_main(format!("{typst}{attachments}"));
    let ident = format!("{} r{}", e.report.number, e.report.revision);
    match pdf::compile(&world, &ident, e.report.issued) {
        Ok(out) => Ok(Report {
            typst: world.main_source().text().to_owned(),
            pdf: out.bytes,
            pages: out.pages,
            results,
            templates: rendered.used,
            warnings,
        }),
        Err(errors) => Err(RenderError::Typst {
            errors,
            typst: world.main_source().text().to_owned(),
        }),
    }
}

/// The file [`write_atomic`] would replace for `path` (the target of a link), or why it
/// refuses to write there. Checking every output first means nothing is written when one
/// of them cannot be.
pub fn output_target(path: &Path) -> std::io::Result<std::path::PathBuf> {
    use std::io::{Error, ErrorKind};
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let resolved = std::fs::canonicalize(path).map_err(|e| {
                Error::new(
                    e.kind(),
                    format!("a link to a file that cannot be reached: {e}"),
                )
            })?;
            if !std::fs::metadata(&resolved)?.is_file() {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "a link to {}, which is not a regular file; nothing was written",
                        resolved.display()
                    ),
                ));
            }
            resolved
        }
        Ok(m) if !m.is_file() => {
            let what = if m.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{what}; nothing was written"),
            ));
        }
        Ok(_) => path.to_path_buf(),
        Err(e) if e.kind() == ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let dir = crate::folder_of(&target);
    if !dir.is_dir() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    Ok(target)
}

/// Writes `bytes` to `path` all at once: into a temporary file beside it, then renamed over
/// it. A failure leaves no partial file and the previous file, if any, untouched.
///
/// The folder must exist (a misspelt folder is an error, not created). A symbolic link is
/// written through: the file it points to is replaced, the link stays. Anything that is
/// not a regular file (a folder, a device such as `/dev/stdout`, a FIFO) is refused, never
/// replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let target = output_target(path)?;
    let dir = crate::folder_of(&target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A temporary file is private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

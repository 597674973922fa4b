//! A verified engagement -> report view -> typst source -> PDF.

use std::path::Path;

use crate::Verified;
use crate::engagement::Language;
use crate::pdf::{self, TypstError};
use crate::template::{self, Overrides, TemplateError};
use crate::view;
use crate::world::{Fonts, ReportWorld};

/// How to render.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The languages to print; the engagement's when `None`.
    pub languages: Option<Vec<Language>>,
    /// Template files that replace the built-in ones.
    pub templates: Overrides,
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
    pub generator: String,
    pub languages: Vec<String>,
    /// Names of the replaced templates, attached as `templates/<name>`.
    pub templates: Vec<String>,
}

/// The attachment recording the render options.
pub const RECORDED: &str = "render.json";

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

/// The attachment holding the engagement file's exact bytes.
pub const ENGAGEMENT: &str = "engagement.yaml";
/// The attachment holding the results JSON.
pub const RESULTS: &str = "results.json";

/// Where the images an engagement names come from.
pub enum Assets<'a> {
    /// The engagement file's folder.
    Dir(&'a Path),
    /// Files by their path in the engagement (the attachments of a report PDF).
    Files(&'a std::collections::BTreeMap<String, Vec<u8>>),
}

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
/// lines locate missing glyphs), reading the images it names from `assets`.
pub fn render(
    v: &Verified,
    assets: Assets<'_>,
    fonts: &Fonts,
    options: &Options,
) -> Result<Report, RenderError> {
    let e = &v.engagement;
    let source = v.source.as_slice();
    let languages = options
        .languages
        .clone()
        .unwrap_or_else(|| e.report.languages.clone());
    let changes = match &options.previous {
        Some(bytes) => {
            let old = crate::load_bytes(PREVIOUS, bytes, None).map_err(|e| {
                RenderError::Asset(format!(
                    "the superseded revision's engagement is not valid:\n{e}"
                ))
            })?;
            Some(crate::diff::diff(&old, v))
        }
        None => None,
    };
    let view = view::build(v, &languages, source, changes.as_ref());
    let typst = template::render(&view, &options.templates).map_err(RenderError::Template)?;

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
    attach(
        &mut world,
        RESULTS,
        v.json().into_bytes(),
        "data",
        "application/json",
        "The verified figures, as computed",
    );
    let recorded = Recorded {
        generator: format!("cfp-verify {}", env!("CARGO_PKG_VERSION")),
        languages: languages
            .iter()
            .map(|l| match l {
                Language::Zh => "zh".to_owned(),
                Language::En => "en".to_owned(),
            })
            .collect(),
        templates: options.templates.keys().cloned().collect(),
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
    for (name, text) in &options.templates {
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
        let bytes = match assets {
            Assets::Dir(dir) => std::fs::read(dir.join(rel))
                .map_err(|err| RenderError::Asset(format!("cannot read `{rel}`: {err}")))?,
            Assets::Files(files) => files.get(rel).cloned().ok_or_else(|| {
                RenderError::Asset(format!("`{rel}` is not among the report's attachments"))
            })?,
        };
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

//! `verify`: a report PDF carries its engagement file; render it again and compare.
//!
//! The PDF is untrusted input: only the attachments `verify` needs are decompressed, within
//! a size budget, and the templates attached to it are never run. A report made with
//! templates that are not built in is verified only against a templates folder the user
//! names (`verify --templates DIR`), whose templates must be the ones recorded in the PDF.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::{Document, Object, ObjectId};

use crate::report::render::{
    self, ENGAGEMENT, Options, RECORDED, RESULTS, Recorded, RecordedTemplate,
};
use crate::report::template::TemplateDir;
use crate::report::world::Fonts;
use crate::{Invalid, Verified};

/// Most bytes one attachment may decompress to (a guard against decompression bombs).
pub const MAX_ATTACHMENT: usize = 64 << 20;
/// Most bytes all the attachments `verify` reads may decompress to together.
pub const MAX_ATTACHMENTS: usize = 128 << 20;

/// What verifying a report found.
#[derive(Debug)]
pub enum Verdict {
    /// The report is exactly what its attached engagement produces.
    Verified,
    /// The attached figures are not those the engagement gives: listed as
    /// `key: attached -> recomputed`.
    FiguresDiffer(Vec<String>),
    /// The figures agree, but the PDF's bytes are not those rendered now.
    BytesDiffer {
        /// Which program rendered the report (its `render.json`), `unknown` when not recorded.
        generator: String,
    },
    /// The report was made with templates that are not built in, and no templates folder
    /// was given to vouch for them: what it prints cannot be reproduced from the
    /// engagement alone.
    CustomTemplates(Vec<RecordedTemplate>),
    /// The templates folder given is not the one the report was made with.
    TemplatesDiffer {
        /// The templates the report says it was made with.
        recorded: Vec<RecordedTemplate>,
        /// The templates of the folder given now.
        given: Vec<RecordedTemplate>,
    },
}

/// Why a PDF could not be verified at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a PDF that could be read.
    #[error("not a readable PDF: {0}")]
    NotPdf(String),
    /// A PDF without the attachment cfp-verify puts in every report.
    #[error(
        "no attached `{ENGAGEMENT}`: this PDF was not made by cfp-verify `render`, or its attachments were removed"
    )]
    NoEngagement,
    /// An attachment is larger than `verify` reads, or they all are together.
    #[error("{0}; a report's attachments are far smaller: not verified")]
    TooLarge(String),
    /// An attachment the report needs is missing or unreadable.
    #[error("{0}: not verified")]
    Missing(String),
    /// The attached engagement is not valid (with this version of cfp-verify).
    #[error("the attached engagement is not valid:\n{0}")]
    Invalid(#[source] Invalid),
    /// The attached engagement is valid but cannot be rendered again.
    #[error("the attached engagement cannot be rendered again: {0}")]
    Render(#[source] render::RenderError),
}

/// The files attached to a PDF, decompressed on demand within [`MAX_ATTACHMENTS`].
pub struct Attachments {
    doc: Document,
    streams: BTreeMap<String, ObjectId>,
    spent: Cell<usize>,
}

impl Attachments {
    /// Reads the PDF's embedded-files name tree (no attachment is decompressed yet).
    pub fn of(pdf: &[u8]) -> Result<Attachments, VerifyError> {
        let doc = Document::load_mem(pdf).map_err(|e| VerifyError::NotPdf(e.to_string()))?;
        let mut streams = BTreeMap::new();
        let catalog = doc
            .catalog()
            .map_err(|e| VerifyError::NotPdf(e.to_string()))?;
        let tree = catalog
            .get(b"Names")
            .ok()
            .and_then(|n| deref(&doc, n))
            .and_then(|n| n.as_dict().ok())
            .and_then(|n| n.get(b"EmbeddedFiles").ok())
            .and_then(|t| deref(&doc, t));
        if let Some(tree) = tree {
            collect(&doc, tree, &mut streams, 0);
        }
        Ok(Attachments {
            doc,
            streams,
            spent: Cell::new(0),
        })
    }

    /// The attachments' names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.streams.keys().map(String::as_str)
    }

    /// The attachment `name`, decompressed; `None` when the PDF has none of that name.
    pub fn get(&self, name: &str) -> Result<Option<Vec<u8>>, VerifyError> {
        let Some(id) = self.streams.get(name) else {
            return Ok(None);
        };
        let stream = self
            .doc
            .get_object(*id)
            .and_then(Object::as_stream)
            .map_err(|e| {
                VerifyError::Missing(format!("the attachment `{name}` cannot be read: {e}"))
            })?;
        let left = MAX_ATTACHMENTS.saturating_sub(self.spent.get());
        let limit = MAX_ATTACHMENT.min(left);
        let bytes = stream.decompressed_content_with_limit(limit).map_err(|e| {
            VerifyError::TooLarge(format!(
                "the attachment `{name}` decompresses to more than {} MB ({e})",
                limit >> 20
            ))
        })?;
        self.spent.set(self.spent.get() + bytes.len());
        Ok(Some(bytes))
    }
}

/// The files attached to a PDF, by name, all decompressed (within the same limits).
pub fn attachments(pdf: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, VerifyError> {
    let a = Attachments::of(pdf)?;
    let mut files = BTreeMap::new();
    for name in a.names() {
        if let Some(bytes) = a.get(name)? {
            files.insert(name.to_owned(), bytes);
        }
    }
    Ok(files)
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

/// Walks a name tree of file specifications, noting each file's stream.
fn collect(doc: &Document, node: &Object, files: &mut BTreeMap<String, ObjectId>, depth: usize) {
    let Ok(dict) = node.as_dict() else { return };
    if depth > 16 || files.len() > 10_000 {
        return;
    }
    if let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            if let Some(kid) = deref(doc, kid) {
                collect(doc, kid, files, depth + 1);
            }
        }
    }
    let Ok(names) = dict.get(b"Names").and_then(Object::as_array) else {
        return;
    };
    for pair in names.chunks_exact(2) {
        let Some(spec) = deref(doc, &pair[1]).and_then(|s| s.as_dict().ok()) else {
            continue;
        };
        let name = match (&pair[0], spec.get(b"UF").or_else(|_| spec.get(b"F"))) {
            (_, Ok(Object::String(s, _))) | (Object::String(s, _), _) => decode_text(s),
            _ => continue,
        };
        let stream = spec
            .get(b"EF")
            .ok()
            .and_then(|ef| deref(doc, ef))
            .and_then(|ef| ef.as_dict().ok())
            .and_then(|ef| ef.get(b"F").ok());
        if let Some(Object::Reference(id)) = stream {
            files.entry(name).or_insert(*id);
        }
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, or PDFDocEncoding (ASCII here).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The engagement attached to a report PDF, validated, with the images it names taken
/// from the report's attachments.
pub fn engagement_of(pdf: &[u8], name: &str) -> Result<Verified, VerifyError> {
    engagement_in(&Attachments::of(pdf)?, name)
}

fn engagement_in(files: &Attachments, name: &str) -> Result<Verified, VerifyError> {
    let source = files.get(ENGAGEMENT)?.ok_or(VerifyError::NoEngagement)?;
    let mut verified = crate::load_bytes(&format!("{name} ({ENGAGEMENT})"), &source, None)
        .map_err(VerifyError::Invalid)?;
    let paths: Vec<String> = render::asset_paths(&verified.engagement)
        .into_iter()
        .map(str::to_owned)
        .collect();
    for rel in &paths {
        let bytes = files.get(rel)?.ok_or_else(|| {
            VerifyError::Missing(format!(
                "the image `{rel}` the engagement names is not attached"
            ))
        })?;
        verified.engagement.files.insert(rel.clone(), bytes);
    }
    Ok(verified)
}

/// Renders the attached engagement again, with `templates` when the report was made with
/// a templates folder, and compares it with `pdf`.
pub fn verify(
    pdf: &[u8],
    name: &str,
    fonts: &Fonts,
    templates: Option<Arc<TemplateDir>>,
) -> Result<Verdict, VerifyError> {
    let files = Attachments::of(pdf)?;
    if files.get(ENGAGEMENT)?.is_none() {
        return Err(VerifyError::NoEngagement);
    }
    let recorded: Option<Recorded> = files
        .get(RECORDED)?
        .and_then(|b| serde_json::from_slice(&b).ok());
    let recorded_templates = recorded
        .as_ref()
        .map(|r| r.templates.clone())
        .unwrap_or_default();
    if !recorded_templates.is_empty() && templates.is_none() {
        return Ok(Verdict::CustomTemplates(recorded_templates));
    }
    let verified = engagement_in(&files, name)?;
    let mut options = Options {
        templates,
        ..Options::default()
    };
    let mut generator = String::from("unknown");
    if let Some(r) = &recorded {
        generator = r.generator.clone();
        options.style = Some(r.style.clone());
        options.languages = Some(
            r.languages
                .iter()
                .filter_map(|l| crate::engagement::Language::from_key(l))
                .collect(),
        );
    }
    options.previous = files.get(render::PREVIOUS)?;
    let wording = crate::report::template::Wording::load(options.templates.as_deref())
        .map_err(|e| VerifyError::Render(render::RenderError::Wording(e)))?;
    let recomputed = verified.json_with(&wording.catalogue);
    if let Some(attached) = files.get(RESULTS)?
        && attached != recomputed.as_bytes()
    {
        return Ok(Verdict::FiguresDiffer(differences(
            &attached,
            recomputed.as_bytes(),
        )));
    }
    let report = render::render(&verified, fonts, &options).map_err(VerifyError::Render)?;
    let given: Vec<RecordedTemplate> = report
        .templates
        .iter()
        .map(|(name, text)| RecordedTemplate {
            name: name.clone(),
            sha256: crate::report::archive::sha256_hex(text.as_bytes()),
        })
        .collect();
    if given != recorded_templates {
        return Ok(Verdict::TemplatesDiffer {
            recorded: recorded_templates,
            given,
        });
    }
    if report.pdf == pdf {
        Ok(Verdict::Verified)
    } else {
        Ok(Verdict::BytesDiffer { generator })
    }
}

/// The leaves of two JSON documents that differ, as `path: old -> new`.
fn differences(old: &[u8], new: &[u8]) -> Vec<String> {
    let parse = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b).unwrap_or(serde_json::Value::Null)
    };
    let mut out = Vec::new();
    diff_values("", &parse(old), &parse(new), &mut out);
    out
}

fn diff_values(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff_values(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                diff_values(
                    &format!("{path}[{i}]"),
                    x.get(i).unwrap_or(&Value::Null),
                    y.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (x, y) if x != y => out.push(format!("{path}: {x} -> {y}")),
        _ => {}
    }
}

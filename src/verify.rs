//! `verify`: a report PDF carries its engagement file; render it again and compare.

use std::collections::BTreeMap;

use lopdf::{Document, Object};

use crate::render::{self, Assets, ENGAGEMENT, Options, RECORDED, RESULTS, Recorded};
use crate::template::Overrides;
use crate::world::Fonts;
use crate::{Invalid, Verified};

/// Most bytes one attachment may decompress to (a guard against decompression bombs).
const MAX_ATTACHMENT: usize = 64 << 20;

/// What verifying a report found.
#[derive(Debug)]
pub enum Verdict {
    /// The report is exactly what its attached engagement produces.
    Verified,
    /// The attached figures are not those the engagement gives: listed as
    /// `key: attached -> recomputed`.
    FiguresDiffer(Vec<String>),
    /// The figures agree, but the PDF's bytes are not those rendered now.
    BytesDiffer { generator: String },
}

/// Why a PDF could not be verified at all.
#[derive(Debug)]
pub enum VerifyError {
    /// Not a PDF that could be read.
    NotPdf(String),
    /// A PDF without the attachment cfp-verify puts in every report.
    NoEngagement,
    /// The attached engagement is not valid (with this version of cfp-verify).
    Invalid(Invalid),
    Render(render::RenderError),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::NotPdf(e) => write!(f, "not a readable PDF: {e}"),
            VerifyError::NoEngagement => write!(
                f,
                "no attached `{ENGAGEMENT}`: this PDF was not made by cfp-verify `render`, or its attachments were removed"
            ),
            VerifyError::Invalid(e) => write!(f, "the attached engagement is not valid:\n{e}"),
            VerifyError::Render(e) => {
                write!(f, "the attached engagement cannot be rendered again: {e}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// The files attached to a PDF, by name.
pub fn attachments(pdf: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, VerifyError> {
    let doc = Document::load_mem(pdf).map_err(|e| VerifyError::NotPdf(e.to_string()))?;
    let mut files = BTreeMap::new();
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
        collect(&doc, tree, &mut files, 0);
    }
    Ok(files)
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

/// Walks a name tree of file specifications.
fn collect(doc: &Document, node: &Object, files: &mut BTreeMap<String, Vec<u8>>, depth: usize) {
    let Ok(dict) = node.as_dict() else { return };
    if depth > 16 {
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
            .and_then(|ef| ef.get(b"F").ok())
            .and_then(|f| deref(doc, f))
            .and_then(|f| f.as_stream().ok());
        if let Some(bytes) =
            stream.and_then(|s| s.decompressed_content_with_limit(MAX_ATTACHMENT).ok())
        {
            files.insert(name, bytes);
        }
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, or PDFDocEncoding (ASCII here).
fn decode_text(bytes: &[u8]) -> String {
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

/// The engagement attached to a report PDF, validated, with the report's other attachments.
pub fn engagement_of(
    pdf: &[u8],
    name: &str,
) -> Result<(Verified, BTreeMap<String, Vec<u8>>), VerifyError> {
    let files = attachments(pdf)?;
    let source = files.get(ENGAGEMENT).ok_or(VerifyError::NoEngagement)?;
    let verified = crate::load_bytes(&format!("{name} ({ENGAGEMENT})"), source, None)
        .map_err(VerifyError::Invalid)?;
    Ok((verified, files))
}

/// Renders the attached engagement again and compares it with `pdf`.
pub fn verify(pdf: &[u8], name: &str, fonts: &Fonts) -> Result<Verdict, VerifyError> {
    let (verified, files) = engagement_of(pdf, name)?;
    let recorded: Option<Recorded> = files
        .get(RECORDED)
        .and_then(|b| serde_json::from_slice(b).ok());
    let mut options = Options::default();
    let mut generator = String::from("unknown");
    if let Some(r) = &recorded {
        generator = r.generator.clone();
        options.languages = Some(
            r.languages
                .iter()
                .filter_map(|l| match l.as_str() {
                    "zh" => Some(crate::engagement::Language::Zh),
                    "en" => Some(crate::engagement::Language::En),
                    _ => None,
                })
                .collect(),
        );
        let mut templates = Overrides::new();
        for t in &r.templates {
            if let Some(text) = files.get(&format!("templates/{t}")) {
                templates.insert(t.clone(), String::from_utf8_lossy(text).into_owned());
            }
        }
        options.templates = templates;
    }
    options.previous = files.get(render::PREVIOUS).cloned();
    let recomputed = verified.json();
    if let Some(attached) = files.get(RESULTS)
        && attached != recomputed.as_bytes()
    {
        return Ok(Verdict::FiguresDiffer(differences(
            attached,
            recomputed.as_bytes(),
        )));
    }
    let report = render::render(&verified, Assets::Files(&files), fonts, &options)
        .map_err(VerifyError::Render)?;
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

//! Typst source -> PDF bytes, with diagnostics that point into the generated source.

use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::report::world::{ReportWorld, to_datetime};

/// The standards every report meets: PDF/A-3 archives the document with its source
/// attached, PDF/UA-1 makes it accessible (tagged).
pub const STANDARDS: &[PdfStandard] = &[PdfStandard::A_3a, PdfStandard::Ua_1];

/// A compiled PDF.
#[derive(Debug)]
pub struct Pdf {
    /// The PDF's bytes.
    pub bytes: Vec<u8>,
    /// The number of pages.
    pub pages: usize,
}

/// A typst error, located in the generated source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.one_line())]
pub struct TypstError {
    /// 1-based line and column in the generated typst source, when known.
    pub line: Option<(usize, usize)>,
    /// The byte range in the generated typst source the error is about, when known.
    pub range: Option<std::ops::Range<usize>>,
    /// What typst says is wrong.
    pub message: String,
    /// Typst's hints, each a sentence.
    pub hints: Vec<String>,
}

impl TypstError {
    /// `main.typ:LINE:COL: message`, then each hint on an indented line.
    fn one_line(&self) -> String {
        let mut out = match self.line {
            Some((l, c)) => format!("main.typ:{l}:{c}: {}", self.message),
            None => format!("main.typ: {}", self.message),
        };
        for h in &self.hints {
            out.push_str(&format!("\n  hint: {h}"));
        }
        out
    }
}

/// Compiles the world's document and exports it as PDF.
///
/// `ident` gives the PDF a stable document identifier; the timestamp is the report's issue
/// date, so the same input gives the same bytes.
pub fn compile(
    world: &ReportWorld<'_>,
    ident: &str,
    date: chrono::NaiveDate,
) -> Result<Pdf, Vec<TypstError>> {
    let warned = typst::compile::<PagedDocument>(world);
    let document = warned.output.map_err(|errors| locate(world, &errors))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        creator: Smart::Custom(Some(format!("cfp-verify {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(to_datetime(date))),
        page_ranges: None,
        standards: PdfStandards::new(STANDARDS).map_err(|e| {
            vec![TypstError {
                line: None,
                range: None,
                message: e.message().to_string(),
                hints: Vec::new(),
            }]
        })?,
        tagged: true,
        pretty: false,
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| locate(world, &errors))?;
    Ok(Pdf {
        bytes,
        pages: document.pages().len(),
    })
}

fn locate(world: &ReportWorld<'_>, diagnostics: &[SourceDiagnostic]) -> Vec<TypstError> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            // Only spans in the main source are located: the world has no other source.
            let range = world
                .range(d.span)
                .filter(|_| d.span.id() == Some(world.main_source().id()));
            let line = range.as_ref().and_then(|range| {
                let lines = world.main_source().lines();
                let (l, c) = lines.byte_to_line_column(range.start)?;
                Some((l + 1, c + 1))
            });
            TypstError {
                line,
                range,
                message: d.message.to_string(),
                hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::world::Fonts;
    use chrono::NaiveDate;

    fn issued() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 2, 11).unwrap()
    }

    fn world(source: &str) -> ReportWorld<'static> {
        ReportWorld::new(source.to_owned(), issued(), Fonts::embedded())
    }

    #[test]
    fn compiles_chinese_text_to_the_same_bytes_every_time() {
        let source = "#set text(font: \"Noto Serif CJK SC\", lang: \"zh\")\n\
                      #set document(title: \"碳足迹\", date: auto)\n\
                      = 产品碳足迹评价报告\n限包“：堃喆 kgCO#sub[2]e #datetime.today().display()\n";
        let a = compile(&world(source), "TEST-1 r1", issued()).unwrap();
        assert!(a.bytes.starts_with(b"%PDF-"));
        assert_eq!(a.pages, 1);
        let b = compile(&world(source), "TEST-1 r1", issued()).unwrap();
        assert!(a.bytes == b.bytes, "two compilations differ");
        let c = compile(&world(source), "TEST-1 r2", issued()).unwrap();
        assert!(a.bytes != c.bytes, "the identifier is part of the document");
    }

    #[test]
    fn nothing_outside_the_world_is_readable() {
        let err = compile(&world("x\n#read(\"/etc/passwd\")"), "T", issued()).unwrap_err();
        assert_eq!(err[0].line, Some((2, 7)), "{err:?}");
        assert!(err[0].message.contains("denied"), "{err:?}");
        let err = compile(&world("#import \"@preview/x:0.1.0\": *"), "T", issued()).unwrap_err();
        assert!(!err.is_empty());
    }
}

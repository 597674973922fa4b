//! The PDF says which language each run of text is in: English runs carry /Lang en (in the
//! structure tree, on the element or an ancestor, or on the marked content), Chinese runs
//! zh. Screen readers, hyphenation and text extraction depend on it (PDF/UA).

mod common;

use common::{cfp, folder, root};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::collections::BTreeMap;

/// One piece of marked content: its text, and the /Lang of its property list if any.
#[derive(Default)]
struct Marked {
    text: String,
    lang: Option<String>,
}

/// The text of each marked-content sequence, keyed by (page, MCID).
fn marked_content(doc: &Document) -> BTreeMap<(ObjectId, i64), Marked> {
    let mut out: BTreeMap<(ObjectId, i64), Marked> = BTreeMap::new();
    for page in doc.get_pages().into_values() {
        let fonts = doc.get_page_fonts(page).unwrap();
        let encodings: BTreeMap<Vec<u8>, Encoding> = fonts
            .iter()
            .map(|(name, font)| (name.clone(), font.get_font_encoding(doc).unwrap()))
            .collect();
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        let mut font: Option<&Encoding> = None;
        let mut stack: Vec<Option<i64>> = Vec::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => font = op.operands[0].as_name().ok().and_then(|n| encodings.get(n)),
                "BMC" => stack.push(None),
                "BDC" => {
                    let props = match &op.operands[1] {
                        Object::Dictionary(d) => Some(d.clone()),
                        Object::Name(n) => doc
                            .get_page_resources(page)
                            .ok()
                            .and_then(|(r, _)| r.cloned())
                            .and_then(|r| r.get(b"Properties").ok().cloned())
                            .and_then(|p| p.as_dict().ok().cloned())
                            .and_then(|p| p.get(n).ok().cloned())
                            .and_then(|o| match o {
                                Object::Reference(id) => doc.get_dictionary(id).ok().cloned(),
                                Object::Dictionary(d) => Some(d),
                                _ => None,
                            }),
                        _ => None,
                    };
                    let mcid = props
                        .as_ref()
                        .and_then(|p| p.get(b"MCID").ok())
                        .and_then(|m| m.as_i64().ok());
                    if let Some(m) = mcid {
                        let lang = props
                            .as_ref()
                            .and_then(|p| p.get(b"Lang").ok())
                            .and_then(|l| l.as_str().ok())
                            .map(|l| String::from_utf8_lossy(l).into_owned());
                        out.entry((page, m)).or_default().lang = lang;
                    }
                    stack.push(mcid);
                }
                "EMC" => {
                    stack.pop();
                }
                "Tj" | "TJ" => {
                    let Some(mcid) = stack.iter().rev().flatten().next() else {
                        continue;
                    };
                    let Some(encoding) = font else { continue };
                    let strings: Vec<&[u8]> = match &op.operands[0] {
                        Object::String(s, _) => vec![s],
                        Object::Array(a) => a.iter().filter_map(|o| o.as_str().ok()).collect(),
                        _ => vec![],
                    };
                    let text = &mut out.entry((page, *mcid)).or_default().text;
                    for s in strings {
                        text.push_str(&Document::decode_text(encoding, s).unwrap_or_default());
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A structure element's own text (its marked content, not its child elements') and its
/// language: its /Lang, else its ancestors'.
struct Element {
    kind: String,
    text: String,
    lang: String,
}

fn lang_of(dict: &Dictionary) -> Option<String> {
    dict.get(b"Lang")
        .ok()
        .and_then(|l| l.as_str().ok())
        .map(|l| String::from_utf8_lossy(l).into_owned())
}

fn walk(
    doc: &Document,
    id: Option<ObjectId>,
    dict: &Dictionary,
    inherited: &str,
    marked: &BTreeMap<(ObjectId, i64), Marked>,
    out: &mut Vec<Element>,
) {
    let lang = lang_of(dict).unwrap_or_else(|| inherited.to_string());
    let page = dict.get(b"Pg").ok().and_then(|p| p.as_reference().ok());
    let kids = match dict.get(b"K") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(k) => vec![k.clone()],
        Err(_) => vec![],
    };
    let mut text = String::new();
    for kid in kids {
        let (kid, kid_id) = match kid {
            Object::Reference(r) => (doc.get_object(r).unwrap().clone(), Some(r)),
            k => (k, None),
        };
        let mut own = |pg: Option<ObjectId>, mcid: i64| {
            if let Some(m) = pg.and_then(|pg| marked.get(&(pg, mcid))) {
                // A language on the marked content itself wins.
                let l = m.lang.clone().unwrap_or_else(|| lang.clone());
                out.push(Element {
                    kind: "MC".into(),
                    text: m.text.clone(),
                    lang: l,
                });
                text.push_str(&m.text);
            }
        };
        match kid {
            Object::Integer(mcid) => own(page, mcid),
            Object::Dictionary(d) => {
                let kind = d.get(b"Type").ok().and_then(|t| t.as_name().ok());
                match kind {
                    Some(b"MCR") => {
                        let pg = d
                            .get(b"Pg")
                            .ok()
                            .and_then(|p| p.as_reference().ok())
                            .or(page);
                        own(pg, d.get(b"MCID").unwrap().as_i64().unwrap());
                    }
                    Some(b"OBJR") => {}
                    _ => walk(doc, kid_id, &d, &lang, marked, out),
                }
            }
            _ => {}
        }
    }
    let _ = id;
    out.push(Element {
        kind: dict
            .get(b"S")
            .ok()
            .and_then(|s| s.as_name().ok())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        text,
        lang,
    });
}

/// Every structure element and marked-content run of the PDF at `pdf`.
fn elements(pdf: &std::path::Path) -> Vec<Element> {
    let doc = Document::load(pdf).unwrap();
    let marked = marked_content(&doc);
    let catalog = doc.catalog().unwrap();
    let root_lang = lang_of(catalog).unwrap_or_default();
    let tree = catalog
        .get(b"StructTreeRoot")
        .and_then(|r| doc.dereference(r))
        .unwrap()
        .1
        .as_dict()
        .unwrap()
        .clone();
    let mut out = Vec::new();
    walk(&doc, None, &tree, &root_lang, &marked, &mut out);
    out
}

/// English: no Chinese character, and a word of four or more letters, lower case but for
/// the first (not an acronym such as IPCC, nor a unit such as kgCO2e).
fn is_english(text: &str) -> bool {
    !text.chars().any(is_chinese)
        && text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            w.len() >= 4
                && w.chars().all(|c| c.is_ascii_alphabetic())
                && w.chars().skip(1).all(|c| c.is_ascii_lowercase())
        })
}

fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn render(args: &[&str], name: &str) -> std::path::PathBuf {
    let pdf = folder("lang_tags", name).join("report.pdf");
    let mut all = vec!["render", "samples/chennuo-2023.yaml", "-o"];
    all.push(pdf.to_str().unwrap());
    all.extend_from_slice(args);
    let run = cfp(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let _ = root();
    pdf
}

#[test]
fn english_runs_carry_lang_en_and_chinese_runs_zh_in_the_bilingual_report() {
    let all = elements(&render(&[], "bilingual"));
    let runs: Vec<&Element> = all.iter().filter(|e| e.kind == "MC").collect();
    let english: Vec<&&Element> = runs.iter().filter(|e| is_english(&e.text)).collect();
    assert!(english.len() > 500, "{} English runs", english.len());
    let wrong: Vec<String> = english
        .iter()
        .filter(|e| !e.lang.starts_with("en"))
        .map(|e| format!("{:?} ({})", e.text, e.lang))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} English runs are not tagged en: {:#?}",
        wrong.len(),
        english.len(),
        &wrong[..wrong.len().min(40)]
    );
    let chinese_as_en: Vec<String> = runs
        .iter()
        .filter(|e| e.text.chars().any(is_chinese) && !e.lang.starts_with("zh"))
        .map(|e| format!("{:?} ({})", e.text, e.lang))
        .collect();
    assert!(
        chinese_as_en.is_empty(),
        "Chinese runs not tagged zh: {:#?}",
        &chinese_as_en[..chinese_as_en.len().min(40)]
    );
}

#[test]
fn the_english_report_is_english_throughout() {
    let all = elements(&render(&["--lang", "en"], "en"));
    let wrong: Vec<String> = all
        .iter()
        .filter(|e| e.kind == "MC" && is_english(&e.text) && !e.lang.starts_with("en"))
        .map(|e| format!("{:?} ({})", e.text, e.lang))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Every /Alt text of the structure tree (images: logo, signature, seal, charts).
fn alt_texts(pdf: &std::path::Path) -> Vec<String> {
    let doc = Document::load(pdf).unwrap();
    doc.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"Alt").ok())
        .filter_map(|a| lopdf::decode_text_string(a).ok())
        .collect()
}

#[test]
fn one_language_reports_hold_no_text_of_the_other() {
    let pdf = render(&["--lang", "en"], "en-only");
    let text = common::poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let chinese: Vec<&str> = text.lines().filter(|l| l.chars().any(is_chinese)).collect();
    assert!(
        chinese.is_empty(),
        "Chinese in the English report: {chinese:#?}"
    );
    // The counts' Chinese counter words are translated, the power spaced like other units.
    assert!(text.contains("13000 pcs") && text.contains("4000 m") && text.contains("300 W"));
    assert!(text.contains("Category: national factor"), "{text}");

    let pdf = render(&["--lang", "zh"], "zh-only");
    let text = common::poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for english in ["category", "Category", "pcs", "Figure", "Table", "Contents"] {
        assert!(!text.contains(english), "`{english}` in the Chinese report");
    }
    assert!(text.contains("13000 只") && text.contains("因子类别：国内排放因子"));
    for alt in alt_texts(&pdf) {
        assert!(
            !is_english(&alt),
            "English alt text in the Chinese report: {alt}"
        );
    }
}

#[test]
fn the_bilingual_contents_list_both_languages_and_figures_are_numbered() {
    let pdf = render(&[], "contents");
    let text = common::poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let squashed: String = text.split_whitespace().collect();
    assert!(
        squashed.contains("一、项目评价概述/Overviewoftheverification"),
        "{text}"
    );
    assert!(squashed.contains("3.5不确定性与敏感性分析/Uncertaintyandsensitivity"));
    assert!(squashed.contains("图3.3-1") && squashed.contains("Figure3.3-1"));
    assert!(squashed.contains("图3.5-1") && squashed.contains("Figure3.5-1"));
    assert!(!text.contains("图：") && !text.contains("Figure:"));
}

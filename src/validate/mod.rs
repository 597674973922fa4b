//! The file as written ([`model::File`]) -> a validated [`Engagement`], collecting every
//! problem with its YAML path and place: the entry point, the checks of the file as a whole,
//! and the context and helpers (texts, dates, percentages, quantities) every section uses.
//!
//! One module per section of the file: `report` (report and scope), `parties` (verifier
//! and client), `factors`, `products` (boundary, products and their inventory lines),
//! `evaluation` (data evaluation, improvements, attachments); `files` checks and reads the
//! files they name.

mod evaluation;
mod factors;
mod files;
mod parties;
mod products;
mod report;
mod shared;
mod uncertainty;
mod verification;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path as FsPath;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Mark, Path, Problems, Seg};
use crate::engagement::*;
use crate::input::model::{self, Text};
use crate::input::yaml::{Node, Value};
use crate::units::quantity::{self, Dimension, Quantity, ReadError};

pub use parties::check_credit_code;
pub use verification::rules as verification_rules;

/// The only format this version reads.
pub const FORMAT: &str = "cfp-verify/1";

/// Factor-id comparisons "did you mean" may make in one file; see `Cx::suggestions_left`.
const SUGGESTION_BUDGET: usize = 2_000_000;

/// Checks `format` before anything else: a file of another format is not read further.
/// The problem, if there is one.
pub fn check_format(root: &Node) -> Option<Diagnostic> {
    if !matches!(root.value, Value::Map(_)) {
        return Some(Diagnostic::new(
            Some(root.mark),
            Path::root(),
            "expected an engagement: `key: value` lines starting with `format: cfp-verify/1`",
        ));
    }
    let Some(entry) = root.get("format") else {
        return None; // reported as a missing key with the others
    };
    match &entry.value.value {
        Value::Scalar(s) if s.text == FORMAT => None,
        other => {
            let found = match other {
                Value::Scalar(s) => format!("`{}`", s.text),
                _ => "a list or mapping".into(),
            };
            Some(
                Diagnostic::new(
                    Some(entry.value.mark),
                    Path::root().key("format"),
                    format!(
                        "unsupported format {found}; this version of cfp-verify reads `{FORMAT}`"
                    ),
                )
                .with_hint(Some(format!("write `format: {FORMAT}`"))),
            )
        }
    }
}

/// Longest text value, in bytes of UTF-8: the longest string PDF 1.7 readers must accept
/// (ISO 32000-1, annex C, "Architectural limits"). A report's texts are far shorter: the
/// seed's longest, a profile of several paragraphs, is about 9,000 bytes.
pub const MAX_TEXT_BYTES: usize = 32_767;

/// Checks every key and value as written, before they are read as anything: no control
/// characters (a tab or line break only inside a value), no value too long for a PDF.
///
/// Such characters pass through YAML (`"\0"`, `"\x01"`) and through every check of
/// meaning, and then break the typesetter or the terminal that shows a message. Runs before
/// the values are read, so that the place reported is the value itself and later messages
/// about the same value, which would echo the character, stay quiet.
pub fn check_scalars(root: &Node, problems: &mut Problems) {
    fn walk(node: &Node, segs: &mut Vec<Seg>, problems: &mut Problems) {
        match &node.value {
            Value::Scalar(s) => {
                let bad = s
                    .text
                    .chars()
                    .enumerate()
                    .find(|(_, c)| c.is_control() && *c != '\n' && *c != '\t');
                if let Some((i, c)) = bad {
                    problems.push(control_character(node.mark, segs, c, i, "value"));
                } else if s.text.len() > MAX_TEXT_BYTES {
                    problems.push(
                        Diagnostic::new(
                            Some(node.mark),
                            Path::from_segments(segs.clone()),
                            format!(
                                "a text of {} bytes: at most {MAX_TEXT_BYTES} fit in a PDF string",
                                s.text.len()
                            ),
                        )
                        .with_hint(Some("shorten it, or split it over several entries".into())),
                    );
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    segs.push(Seg::Index(i));
                    walk(item, segs, problems);
                    segs.pop();
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    segs.push(Seg::Key(e.key.clone()));
                    match e.key.chars().enumerate().find(|(_, c)| c.is_control()) {
                        Some((i, c)) => {
                            problems.push(control_character(e.key_mark, segs, c, i, "key"))
                        }
                        None => walk(&e.value, segs, problems),
                    }
                    segs.pop();
                }
            }
        }
    }
    walk(root, &mut Vec::new(), problems);
}

fn control_character(mark: Mark, segs: &[Seg], c: char, at: usize, what: &str) -> Diagnostic {
    let allowed = if what == "key" {
        "a key is one word"
    } else {
        "only a tab or a line break may be written in a text"
    };
    Diagnostic::new(
        Some(mark),
        Path::from_segments(segs.to_vec()),
        format!(
            "the {what} holds the control character U+{:04X} (character {} of it), which cannot be printed",
            c as u32,
            at + 1
        ),
    )
    .with_hint(Some(format!("remove it: {allowed}")))
}

/// Validates the whole file. `base` is the engagement file's folder, against which file
/// paths are checked (`None` when the file has no folder, e.g. read from a report PDF).
pub fn validate(
    file: &model::File,
    root: &Node,
    base: Option<&FsPath>,
    problems: &mut Problems,
) -> Engagement {
    let dir = base.map(|b| {
        cap_std::fs::Dir::open_ambient_dir(b, cap_std::ambient_authority()).map_err(|e| (b, e))
    });
    let mut cx = Cx {
        root,
        problems,
        languages: vec![Language::Zh, Language::En],
        broken_factors: HashSet::new(),
        factor_ids: HashMap::new(),
        factor_hints: HashMap::new(),
        suggestions_left: SUGGESTION_BUDGET,
        base,
        dir,
        files: BTreeMap::new(),
    };
    let p = Path::root();
    let report = cx.report(&file.report, &p.key("report"));
    let scope = cx.scope(&file.engagement, &p.key("engagement"));
    let verifier = cx.verifier(&file.verifier, &report, &p.key("verifier"));
    let issued = p.key("report").key("issued");
    let visit = p.key("engagement").key("site_visit");
    if report.status == Status::Approved
        && report.issued < scope.site_visit.to
        && !cx.problems.any_within(&issued)
        && !cx.problems.any_within(&visit)
    {
        cx.error(
            &issued,
            format!(
                "an approved report is issued on or after the site visit ends ({}); `issued` is {}",
                scope.site_visit.to, report.issued
            ),
            Some("correct the dates, or set `report.status` to draft or reviewed".into()),
        );
    }
    let client = cx.client(&file.client, &p.key("client"));
    let boundary = cx.boundary(&file.boundary, &p.key("boundary"));
    let factors = cx.factors(&file.factors, &p.key("factors"));
    let mut products = cx.products(&file.products, &factors, &boundary, &p.key("products"));
    let shared = cx.shared(
        all(&file.shared),
        &boundary.stages,
        &factors,
        &mut products,
        &p.key("shared"),
    );
    if let Some(mc) = scope.uncertainty {
        cx.monte_carlo_size(mc, products.len(), &p.key("engagement").key("uncertainty"));
    }
    let data_evaluation = file
        .data_evaluation
        .as_ref()
        .map(|d| cx.data_evaluation(d, &p.key("data_evaluation")))
        .unwrap_or_default();
    let improvements = cx.improvements(all(&file.improvements), &p.key("improvements"));
    let attachments = cx.attachments(all(&file.attachments), &p.key("attachments"));
    let verification = file
        .verification
        .as_ref()
        .map(|v| cx.verification(v, &products, &p.key("verification")));
    let files = std::mem::take(&mut cx.files);
    Engagement {
        report,
        scope,
        verifier,
        client,
        boundary,
        factors,
        products,
        shared,
        data_evaluation,
        improvements,
        attachments,
        verification,
        files,
        seed: [0; 32],
    }
}

struct Cx<'a> {
    root: &'a Node,
    problems: &'a mut Problems,
    /// The report's languages: every text must exist in each (none when unreadable).
    languages: Vec<Language>,
    /// Factors defined but unreadable: lines that use them are not "unknown".
    broken_factors: HashSet<String>,
    /// Factor id -> index into the factors, for the references of inventory lines.
    factor_ids: HashMap<String, usize>,
    /// The hint for each unknown factor reference already reported: a converter's typo is
    /// usually repeated on every line.
    factor_hints: HashMap<String, String>,
    /// Comparisons left for "did you mean" among the factors. Each unknown reference is
    /// compared with every factor; the budget keeps thousands of unknown references among
    /// thousands of factors from taking minutes, at the price of suggestions for the
    /// first references only.
    suggestions_left: usize,
    base: Option<&'a FsPath>,
    /// A handle on the engagement's folder: files are opened through it, so no path (or
    /// link swapped in later) can lead outside it.
    dir: Option<Result<cap_std::fs::Dir, (&'a FsPath, std::io::Error)>>,
    /// The images read, by their path in the engagement.
    files: BTreeMap<String, Vec<u8>>,
}

impl Cx<'_> {
    fn error(&mut self, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let mark = self.root.locate(path);
        self.problems
            .push(Diagnostic::new(Some(mark), path.clone(), message).with_hint(hint));
    }

    fn read_error(&mut self, path: &Path, e: ReadError) {
        self.error(path, e.message, e.hint);
    }

    fn list<T, U>(
        &mut self,
        items: &[T],
        path: &Path,
        mut each: impl FnMut(&mut Self, &T, &Path) -> U,
    ) -> Vec<U> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| each(self, item, &path.index(i)))
            .collect()
    }

    fn text(&mut self, text: &Text, path: &Path) -> Bi {
        let zh = text.zh.as_deref().map(str::trim);
        let en = text.en.as_deref().map(str::trim);
        for (lang, value) in [("zh", zh), ("en", en)] {
            if value == Some("") {
                self.error(path, format!("empty text (`{lang}`)"), None);
            }
        }
        let needs = |l: Language| self.languages.contains(&l);
        let missing = match (zh, en) {
            (None, None) if !self.languages.is_empty() => Some(("zh", "Chinese")),
            (None, Some(_)) if needs(Language::Zh) => Some(("zh", "Chinese")),
            (Some(_), None) if needs(Language::En) => Some(("en", "English")),
            _ => None,
        };
        if let Some((key, language)) = missing {
            self.error(
                path,
                format!("the {language} text (`{key}`) is missing"),
                Some("write `{zh: …, en: …}`, or one string for both languages".into()),
            );
        }
        let zh = zh.or(en).unwrap_or_default().to_owned();
        let en = en.map_or_else(|| zh.clone(), str::to_owned);
        Bi { zh, en }
    }

    fn opt_text(&mut self, text: &Option<Text>, path: &Path) -> Option<Bi> {
        text.as_ref().map(|t| self.text(t, path))
    }

    fn texts(&mut self, texts: &[Text], path: &Path) -> Vec<Bi> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| self.text(t, &path.index(i)))
            .collect()
    }

    fn date(&mut self, text: &str, path: &Path) -> Option<NaiveDate> {
        let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        match date {
            None => self.error(
                path,
                format!("`{text}` is not a valid date"),
                Some("write an ISO 8601 date, e.g. `2024-02-11`".into()),
            ),
            // chrono reads `-2024` and `12024` as years; a report's dates have four digits,
            // and the typesetter refuses others.
            Some(d) if !(1..=9999).contains(&d.year()) => {
                self.error(
                    path,
                    format!(
                        "`{text}` has the year {}: years run from 1 to 9999",
                        d.year()
                    ),
                    Some("write an ISO 8601 date with a four-digit year, e.g. `2024-02-11`".into()),
                );
                return None;
            }
            Some(_) => {}
        }
        date
    }

    fn span(&mut self, span: &model::Span, path: &Path) -> Span {
        let from = self.date(&span.from, &path.key("from"));
        let to = self.date(&span.to, &path.key("to"));
        match (from, to) {
            (Some(from), Some(to)) => {
                if from > to {
                    self.error(
                        path,
                        format!("reversed span: `from` {from} is after `to` {to}"),
                        Some("swap the two dates".into()),
                    );
                }
                Span { from, to }
            }
            _ => Span {
                from: NaiveDate::default(),
                to: NaiveDate::default(),
            },
        }
    }

    fn percent(&mut self, text: &str, path: &Path) -> Decimal {
        quantity::parse_percent(text).unwrap_or_else(|e| {
            self.read_error(path, e);
            Decimal::ZERO
        })
    }

    /// A quantity of one of `allowed` dimensions (any when empty), zero or more.
    fn quantity(
        &mut self,
        text: &str,
        path: &Path,
        allowed: &[Dimension],
        example: &str,
    ) -> Option<Quantity> {
        let q = match quantity::parse_quantity_of(text, allowed) {
            Ok(q) => q,
            Err(e) => {
                self.read_error(path, e);
                return None;
            }
        };
        if q.value.is_sign_negative() && !q.value.is_zero() {
            self.error(
                path,
                format!("`{text}` is negative: inventory figures are amounts, zero or more"),
                None,
            );
            return None;
        }
        if !allowed.is_empty() && !allowed.contains(&q.unit.dimension) {
            self.error(
                path,
                format!(
                    "`{text}` is {}, but {} is expected here",
                    q.unit.dimension.describe(),
                    allowed[0].describe()
                ),
                Some(format!("e.g. `{example}`")),
            );
            return None;
        }
        Some(q)
    }
}

/// The items of an optional list.
fn all<T>(items: &Option<Vec<T>>) -> &[T] {
    items.as_deref().unwrap_or_default()
}

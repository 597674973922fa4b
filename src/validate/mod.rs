//! The file as written ([`model::File`]) -> a validated [`Engagement`], collecting every
//! problem with its YAML path and place.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path as FsPath;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Mark, Path, Problems, Seg, did_you_mean, one_of, some_of};
use crate::engagement::*;
use crate::input::model::{self, Text};
use crate::input::yaml::{Node, Value};
use crate::units::quantity::{self, Dimension, GwpSet, Quantity, ReadError};
use crate::units::rounding::Rounding;

/// The only format this version reads.
pub const FORMAT: &str = "cfp-verify/1";

/// Factor-id comparisons "did you mean" may make in one file; see `Cx::suggestions_left`.
const SUGGESTION_BUDGET: usize = 2_000_000;

/// Most decimal places a report may round to.
const MAX_PLACES: u32 = 10;

/// Checks `format` before anything else: a file of another format is not read further.
pub fn check_format(root: &Node) -> Result<(), Diagnostic> {
    if !matches!(root.value, Value::Map(_)) {
        return Err(Diagnostic::new(
            Some(root.mark),
            Path::root(),
            "expected an engagement: `key: value` lines starting with `format: cfp-verify/1`",
        ));
    }
    let Some(entry) = root.get("format") else {
        return Ok(()); // reported as a missing key with the others
    };
    match &entry.value.value {
        Value::Scalar(s) if s.text == FORMAT => Ok(()),
        other => {
            let found = match other {
                Value::Scalar(s) => format!("`{}`", s.text),
                _ => "a list or mapping".into(),
            };
            Err(Diagnostic::new(
                Some(entry.value.mark),
                Path::root().key("format"),
                format!("unsupported format {found}; this version of cfp-verify reads `{FORMAT}`"),
            )
            .with_hint(Some(format!("write `format: {FORMAT}`"))))
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
    let products = cx.products(&file.products, &factors, &p.key("products"));
    let data_evaluation = file
        .data_evaluation
        .as_ref()
        .map(|d| cx.data_evaluation(d, &p.key("data_evaluation")))
        .unwrap_or_default();
    let improvements = cx.list(
        all(&file.improvements),
        &p.key("improvements"),
        |cx, i, path| Improvement {
            title: cx.text(&i.title, &path.key("title")),
            text: cx.text(&i.text, &path.key("text")),
        },
    );
    let attachments = cx.list(
        all(&file.attachments),
        &p.key("attachments"),
        |cx, a, path| Attachment {
            title: cx.text(&a.title, &path.key("title")),
            file: cx.file(&a.file, &path.key("file"), false),
        },
    );
    let files = std::mem::take(&mut cx.files);
    Engagement {
        report,
        scope,
        verifier,
        client,
        boundary,
        factors,
        products,
        data_evaluation,
        improvements,
        attachments,
        files,
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

    /// A file the engagement names: relative, inside its folder, a regular file. An image
    /// is read (once: these bytes are what the report shows and attaches) and must decode.
    fn file(&mut self, rel: &Option<String>, path: &Path, image: bool) -> Option<String> {
        let rel = rel.as_deref()?;
        let p = FsPath::new(rel);
        let escapes = p.is_absolute()
            || p.components().any(|c| {
                matches!(
                    c,
                    std::path::Component::ParentDir | std::path::Component::Prefix(_)
                )
            });
        if escapes {
            self.error(
                path,
                format!("`{rel}` leaves the engagement's folder"),
                Some("paths are relative to the engagement file's folder and stay inside it, e.g. `assets/logo.png`".into()),
            );
            return None;
        }
        let (Some(base), Some(dir)) = (self.base, &self.dir) else {
            return Some(rel.to_owned());
        };
        let dir = match dir {
            Ok(dir) => dir,
            Err((folder, e)) => {
                let message = format!(
                    "`{rel}` cannot be read: the folder {} cannot be opened: {e}",
                    folder.display()
                );
                self.error(path, message, None);
                return None;
            }
        };
        match read_inside(dir, rel, image) {
            Ok(bytes) => {
                if image {
                    if let Err(why) = crate::report::world::check_image(rel, &bytes) {
                        self.error(
                            path,
                            format!("`{rel}` cannot be shown: {why}"),
                            Some("give a PNG, JPEG, GIF, WebP or SVG file that opens in an image viewer".into()),
                        );
                        return None;
                    }
                    self.files.insert(rel.to_owned(), bytes);
                }
                Some(rel.to_owned())
            }
            Err(Unreadable::Missing) => {
                self.error(
                    path,
                    format!("file `{rel}` does not exist"),
                    Some(format!("looked for {}", base.join(p).display())),
                );
                None
            }
            Err(Unreadable::Folder | Unreadable::Special) => {
                // The wording only: the file was refused through the folder handle.
                let why = std::fs::metadata(base.join(p))
                    .ok()
                    .and_then(|m| crate::not_a_file(&m))
                    .unwrap_or_else(|| "is not a regular file".into());
                self.error(path, format!("file `{rel}` {why}"), None);
                None
            }
            Err(Unreadable::Outside) => {
                self.error(
                    path,
                    format!("`{rel}` leads outside the engagement's folder (a link?)"),
                    Some("copy the file into the engagement's folder".into()),
                );
                None
            }
            Err(Unreadable::Io(e)) => {
                self.error(path, format!("`{rel}` cannot be read: {e}"), None);
                None
            }
        }
    }

    fn report(&mut self, r: &model::Report, path: &Path) -> Report {
        let lp = path.key("languages");
        if let Some(langs) = r
            .languages
            .as_ref()
            .filter(|_| !self.problems.any_within(&lp))
        {
            if langs.is_empty() {
                self.error(&lp, "no language: write `[zh, en]`, `[zh]` or `[en]`", None);
            } else if langs.len() > 2 || (langs.len() == 2 && langs[0] == langs[1]) {
                self.error(
                    &lp,
                    "write `[zh, en]`, `[en, zh]`, `[zh]` or `[en]`: each language once",
                    None,
                );
            } else {
                self.languages = langs.clone();
            }
        }
        let number = r.number.trim().to_owned();
        let np = path.key("number");
        if let Some((why, hint)) = file_name_problem(&number) {
            self.error(
                &np,
                format!("report number `{number}` cannot be part of a file name: it {why}"),
                Some(hint),
            );
        }
        if r.revision == 0 {
            self.error(&path.key("revision"), "revisions start at 1", None);
        }
        let issued = self.date(&r.issued, &path.key("issued"));
        let changes = self.list(all(&r.changes), &path.key("changes"), |cx, c, cp| {
            if c.revision < 2 || c.revision > r.revision {
                cx.error(
                    &cp.key("revision"),
                    format!(
                        "a change for revision {}, but changes belong to revisions 2 to {}",
                        c.revision, r.revision
                    ),
                    None,
                );
            }
            Change {
                revision: c.revision,
                date: cx.date(&c.date, &cp.key("date")).unwrap_or_default(),
                note: cx.text(&c.note, &cp.key("note")),
            }
        });
        if r.revision > 1 && !changes.iter().any(|c| c.revision == r.revision) {
            self.error(
                &path.key("changes"),
                format!(
                    "revision {} needs a `changes` entry saying what changed since revision {}",
                    r.revision,
                    r.revision - 1
                ),
                Some(format!(
                    "add `changes: [{{revision: {}, date: …, note: {{zh: …, en: …}}}}]`",
                    r.revision
                )),
            );
        }
        let title = match &r.title {
            Some(t) => self.text(t, &path.key("title")),
            None => Bi {
                zh: "产品碳足迹评价报告".into(),
                en: "Product Carbon Footprint Verification Report".into(),
            },
        };
        Report {
            number,
            revision: r.revision,
            supersedes: r.supersedes.clone(),
            issued: issued.unwrap_or_default(),
            status: r.status.unwrap_or(Status::Draft),
            languages: if self.languages.is_empty() {
                vec![Language::Zh, Language::En]
            } else {
                self.languages.clone()
            },
            title,
            changes,
        }
    }

    fn scope(&mut self, e: &model::Engagement, path: &Path) -> Scope {
        if e.criteria.is_empty() {
            self.error(
                &path.key("criteria"),
                "no criteria: list the standards the verification follows",
                Some("e.g. `- {zh: 《ISO 14067：2018 …》, en: \"ISO 14067:2018 …\"}`".into()),
            );
        }
        let rounding = match &e.rounding {
            None => Rounding::default(),
            Some(r) => {
                let places = r.places.unwrap_or(2);
                if places > MAX_PLACES {
                    self.error(
                        &path.key("rounding").key("places"),
                        format!("{places} decimal places: at most {MAX_PLACES}"),
                        None,
                    );
                }
                Rounding {
                    mode: r.mode.unwrap_or(model::RoundingMode::HalfUp),
                    places: places.min(MAX_PLACES),
                }
            }
        };
        let cp = path.key("cutoff");
        Scope {
            criteria: self.texts(&e.criteria, &path.key("criteria")),
            assurance: e.assurance,
            materiality: self.percent(&e.materiality, &path.key("materiality")),
            cutoff_process: self.percent(&e.cutoff.process, &cp.key("process")),
            cutoff_total: self.percent(&e.cutoff.total, &cp.key("total")),
            coverage: self.percent(&e.coverage, &path.key("coverage")),
            period: self.span(&e.period, &path.key("period")),
            document_review: e
                .document_review
                .as_ref()
                .map(|s| self.span(s, &path.key("document_review"))),
            site_visit: self.span(&e.site_visit, &path.key("site_visit")),
            gwp: match e.gwp {
                model::Gwp::AR4 => GwpSet::AR4,
                model::Gwp::AR5 => GwpSet::AR5,
                model::Gwp::AR6 => GwpSet::AR6,
            },
            rounding,
        }
    }

    fn verifier(&mut self, v: &model::Verifier, report: &Report, path: &Path) -> Verifier {
        let tp = path.key("team");
        let team = self.list(&v.team, &tp, |cx, m, mp| TeamMember {
            name: cx.text(&m.name, &mp.key("name")),
            role: m.role,
            field: cx.opt_text(&m.field, &mp.key("field")),
            on_site: m.on_site.unwrap_or(false),
        });
        let leads: Vec<usize> = (0..team.len())
            .filter(|&i| team[i].role == Role::Lead)
            .collect();
        // Misread names or roles would make these comparisons wrong.
        let team_read = !self.problems.any_within(&tp);
        match leads.as_slice() {
            _ if !team_read => {}
            [_] => {}
            [] if team.is_empty() => self.error(
                &tp,
                "the team is empty: name its members, exactly one with `role: lead`",
                None,
            ),
            [] => self.error(
                &tp,
                "no team lead: exactly one member needs `role: lead`",
                Some("e.g. `- {name: 郎嘉琛, role: lead, …}`".into()),
            ),
            [first, rest @ ..] => {
                for &i in rest {
                    self.error(
                        &tp.index(i).key("role"),
                        format!(
                            "a second team lead: {} is already the lead; exactly one member leads",
                            team[*first].name.zh
                        ),
                        Some("make the others `role: member`".into()),
                    );
                }
            }
        }
        let rp = path.key("reviewers");
        let reviewers = self.list(&v.reviewers, &rp, |cx, r, p| Reviewer {
            name: cx.text(&r.name, &p.key("name")),
            field: cx.opt_text(&r.field, &p.key("field")),
            on_site: r.on_site.unwrap_or(false),
        });
        if reviewers.is_empty() {
            self.error(
                &rp,
                "no reviewer: the technical review needs at least one reviewer independent of the team",
                None,
            );
        }
        for (i, r) in reviewers.iter().enumerate().filter(|_| team_read) {
            if let Some(m) = team.iter().find(|m| m.name.matches(&r.name)) {
                self.error(
                    &rp.index(i).key("name"),
                    format!(
                        "{} is also on the verification team: reviewers must be independent of the team",
                        m.name.zh
                    ),
                    Some("name another reviewer, or take this person off the team".into()),
                );
            }
        }
        let approver = v.approver.as_ref().map(|a| {
            let ap = path.key("approver");
            Approver {
                name: self.text(&a.name, &ap.key("name")),
                signature: self.file(&a.signature, &ap.key("signature"), true),
            }
        });
        if report.status == Status::Approved && approver.is_none() {
            self.error(
                &path.key("approver"),
                "the report is approved but names no approver",
                Some(
                    "add `approver: {name: …}`, or set `report.status` to draft or reviewed".into(),
                ),
            );
        }
        Verifier {
            name: self.text(&v.name, &path.key("name")),
            address: self.opt_text(&v.address, &path.key("address")),
            profile: self.opt_text(&v.profile, &path.key("profile")),
            logo: self.file(&v.logo, &path.key("logo"), true),
            team,
            reviewers,
            approver,
            seal: self.file(&v.seal, &path.key("seal"), true),
        }
    }

    fn client(&mut self, c: &model::Client, path: &Path) -> Client {
        let credit_code = c.credit_code.as_ref().map(|code| {
            if let Err(e) = check_credit_code(code.trim()) {
                self.read_error(&path.key("credit_code"), e);
            }
            code.trim().to_owned()
        });
        let industry = c.industry.as_ref().map(|i| Industry {
            code: i.code.trim().to_owned(),
            name: self.text(&i.name, &path.key("industry").key("name")),
        });
        Client {
            name: self.text(&c.name, &path.key("name")),
            credit_code,
            industry,
            address: self.opt_text(&c.address, &path.key("address")),
            founded: c
                .founded
                .as_ref()
                .and_then(|d| self.date(d, &path.key("founded"))),
            legal_form: self.opt_text(&c.legal_form, &path.key("legal_form")),
            profile: self.opt_text(&c.profile, &path.key("profile")),
            energy: self.opt_text(&c.energy, &path.key("energy")),
            org_chart: self.file(&c.org_chart, &path.key("org_chart"), true),
            equipment: self.list(all(&c.equipment), &path.key("equipment"), |cx, e, p| {
                Equipment {
                    name: cx.text(&e.name, &p.key("name")),
                    model: e.model.clone(),
                    power: e.power.clone(),
                    count: e.count,
                    note: cx.opt_text(&e.note, &p.key("note")),
                }
            }),
            processes: self.list(all(&c.processes), &path.key("processes"), |cx, pr, p| {
                Process {
                    name: cx.text(&pr.name, &p.key("name")),
                    steps: cx.texts(&pr.steps, &p.key("steps")),
                    flowchart: cx.file(&pr.flowchart, &p.key("flowchart"), true),
                }
            }),
        }
    }

    fn boundary(&mut self, b: &model::Boundary, path: &Path) -> Boundary {
        Boundary {
            kind: b.kind,
            stages: b.kind.stages(),
            included: b
                .included
                .as_ref()
                .map(|t| self.texts(t, &path.key("included")))
                .unwrap_or_default(),
            excluded: self.list(all(&b.excluded), &path.key("excluded"), |cx, x, p| {
                Excluded {
                    item: cx.text(&x.item, &p.key("item")),
                    share: x.share.as_ref().map(|s| cx.percent(s, &p.key("share"))),
                    path: p.clone(),
                }
            }),
        }
    }

    fn factors(&mut self, factors: &model::Keyed<model::Factor>, path: &Path) -> Vec<Factor> {
        let mut out = Vec::new();
        for (id, f) in &factors.0 {
            let fp = path.key(id);
            if id.trim().is_empty() {
                self.error(&fp, "a factor needs an id", None);
            }
            let (value, unit) = match quantity::parse_factor(&f.value) {
                Ok(v) if !self.problems.any_within(&fp) => v,
                Ok(_) => {
                    self.broken_factors.insert(id.clone());
                    continue;
                }
                Err(e) => {
                    self.read_error(&fp.key("value"), e);
                    self.broken_factors.insert(id.clone());
                    continue;
                }
            };
            if value.is_sign_negative() && !value.is_zero() {
                self.error(&fp.key("value"), format!("`{}` is negative", f.value), None);
            }
            out.push(Factor {
                id: id.clone(),
                name: self.opt_text(&f.name, &fp.key("name")),
                value,
                unit,
                source: self.text(&f.source, &fp.key("source")),
                category: f.category,
                reference: f.reference.clone(),
                year: f.year,
                note: self.opt_text(&f.note, &fp.key("note")),
                evaluation: self.opt_text(&f.evaluation, &fp.key("evaluation")),
                path: fp,
            });
        }
        out
    }

    fn products(
        &mut self,
        products: &[model::Product],
        factors: &[Factor],
        path: &Path,
    ) -> Vec<Product> {
        if products.is_empty() {
            self.error(path, "no product: list at least one", None);
        }
        let mut out: Vec<Product> = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let pp = path.index(i);
            let id = p.id.trim().to_owned();
            if id.is_empty() {
                self.error(&pp.key("id"), "a product needs an id", None);
            } else if id.contains(['\n', '\t']) {
                // Tabs and line breaks pass the check of texts; an id names a sheet and a file.
                self.error(
                    &pp.key("id"),
                    "a product id is one line, without tabs",
                    Some("e.g. `smart-unit`".into()),
                );
            } else if let Some(j) = out.iter().position(|o| o.id == id) {
                let line = self.root.locate(&path.index(j).key("id")).line;
                self.error(
                    &pp.key("id"),
                    format!("duplicate product id `{id}`: products[{j}] (line {line}) has it too"),
                    Some("give each product its own id".into()),
                );
            }
            let output = match quantity::parse_decimal(&p.output) {
                Ok(v) if v > Decimal::ZERO => v,
                Ok(_) => {
                    self.error(
                        &pp.key("output"),
                        format!(
                            "output `{}` must be more than 0: the footprint per unit divides by it",
                            p.output
                        ),
                        None,
                    );
                    Decimal::ONE
                }
                Err(e) => {
                    self.read_error(&pp.key("output"), e);
                    Decimal::ONE
                }
            };
            let lines = self.lines(p, factors, &pp);
            let claimed = p.claimed.as_ref();
            let cp = pp.key("claimed");
            let claim = |cx: &mut Self, text: Option<&String>, key: &str| {
                let kp = cp.key(key);
                let text = text?;
                let q = cx.quantity(text, &kp, &[Dimension::Emissions], "73867.89 kgCO2e")?;
                let kg = q.base();
                Some(Claim { kg, path: kp })
            };
            let claimed_total = claim(self, claimed.and_then(|c| c.total.as_ref()), "total");
            let claimed_per_unit =
                claim(self, claimed.and_then(|c| c.per_unit.as_ref()), "per_unit");
            out.push(Product {
                id,
                name: self.text(&p.name, &pp.key("name")),
                brand: self.opt_text(&p.brand, &pp.key("brand")),
                model: p.model.clone(),
                specification: p.specification.clone(),
                functional_unit: self.text(&p.functional_unit, &pp.key("functional_unit")),
                mass: p
                    .mass
                    .as_ref()
                    .and_then(|m| self.quantity(m, &pp.key("mass"), &[Dimension::Mass], "25 kg")),
                output,
                lines,
                claimed_total,
                claimed_per_unit,
                path: pp,
            });
        }
        out
    }

    fn lines(&mut self, p: &model::Product, factors: &[Factor], pp: &Path) -> Vec<Line> {
        let mut lines = Vec::new();
        for (i, m) in p.materials.iter().flatten().enumerate() {
            let lp = pp.key("materials").index(i);
            let factor = self.factor_ref(&m.factor, factors, &lp);
            let quantity = self.activity(&m.quantity, factor.map(|f| &factors[f]), &lp);
            if let Some(quantity) = quantity {
                let name = self.text(&m.name, &lp.key("name"));
                lines.push(self.line(
                    name,
                    Stage::MATERIALS,
                    Activity::Material { quantity },
                    factor,
                    factors,
                    &m.data,
                    &m.scores,
                    lp,
                ));
            }
        }
        for (i, t) in p.transport.iter().flatten().enumerate() {
            let lp = pp.key("transport").index(i);
            let factor = self.factor_ref(&t.factor, factors, &lp);
            if let Some(f) = factor.map(|f| &factors[f])
                && f.unit.denominator.dimension != Dimension::Freight
            {
                self.error(
                    &lp.key("factor"),
                    format!(
                        "factor `{}` is per {}; a transport line needs a factor per tkm",
                        f.id, f.unit.denominator
                    ),
                    Some("mass x distance x factor: e.g. `0.129 kgCO2e/tkm`".into()),
                );
            }
            let mass = self.quantity(&t.mass, &lp.key("mass"), &[Dimension::Mass], "65 t");
            let distance = self.quantity(
                &t.distance,
                &lp.key("distance"),
                &[Dimension::Length],
                "561 km",
            );
            if let (Some(mass), Some(distance), Some(_)) = (mass, distance, factor) {
                let activity = Activity::Transport {
                    supplier: self.opt_text(&t.supplier, &lp.key("supplier")),
                    mode: t.mode.unwrap_or(TransportMode::Road),
                    mass,
                    distance,
                    count: t.count.clone(),
                };
                let name = self.text(&t.material, &lp.key("material"));
                lines.push(self.line(
                    name,
                    Stage::TRANSPORT,
                    activity,
                    factor,
                    factors,
                    &t.data,
                    &t.scores,
                    lp,
                ));
            }
        }
        for (i, e) in p.energy.iter().flatten().enumerate() {
            let lp = pp.key("energy").index(i);
            let factor = self.factor_ref(&e.factor, factors, &lp);
            if let Some(quantity) = self.activity(&e.quantity, factor.map(|f| &factors[f]), &lp) {
                let name = self.text(&e.name, &lp.key("name"));
                lines.push(self.line(
                    name,
                    Stage::PRODUCTION,
                    Activity::Energy { quantity },
                    factor,
                    factors,
                    &e.data,
                    &e.scores,
                    lp,
                ));
            }
        }
        for (i, g) in p.process.iter().flatten().enumerate() {
            let lp = pp.key("process").index(i);
            let qp = lp.key("quantity");
            let Some(quantity) = self.quantity(&g.quantity, &qp, &[], "") else {
                continue;
            };
            if !quantity.unit.is_emissions() {
                self.error(
                    &qp,
                    format!(
                        "`{}` is {}: a process line gives a mass of gas emitted",
                        g.quantity,
                        quantity.unit.dimension.describe()
                    ),
                    Some("e.g. `0.2 kgSF6`, `3 kgCH4` or `1.5 tCO2`".into()),
                );
                continue;
            }
            let name = self.text(&g.name, &lp.key("name"));
            lines.push(self.line(
                name,
                Stage::PRODUCTION,
                Activity::Process { quantity },
                None,
                factors,
                &g.data,
                &g.scores,
                lp,
            ));
        }
        lines
    }

    /// The index of the factor `id`, or `None` after reporting it unknown.
    fn factor_ref(&mut self, id: &str, factors: &[Factor], lp: &Path) -> Option<usize> {
        let id = id.trim();
        if self.factor_ids.len() != factors.len() {
            self.factor_ids = HashMap::with_capacity(factors.len());
            for (i, f) in factors.iter().enumerate() {
                self.factor_ids.entry(f.id.clone()).or_insert(i);
            }
        }
        let found = self.factor_ids.get(id).copied();
        let unreadable = self.broken_factors.contains(id)
            || self.problems.is_poisoned(&Path::root().key("factors"));
        if found.is_none() && !unreadable {
            let hint = match self.factor_hints.get(id) {
                Some(hint) => hint.clone(),
                None => {
                    let hint = self.factor_hint(id, factors);
                    self.factor_hints.insert(id.to_owned(), hint.clone());
                    hint
                }
            };
            self.error(
                &lp.key("factor"),
                format!("unknown factor `{id}`"),
                Some(hint),
            );
        }
        found
    }

    /// What to write instead of the unknown factor `id`: the likeliest factor, and a few
    /// of the others.
    fn factor_hint(&mut self, id: &str, factors: &[Factor]) -> String {
        let ids: Vec<&str> = factors.iter().map(|f| f.id.as_str()).collect();
        // An id of hundreds of characters is not a typo, and comparing it costs the more.
        let suggestion = if id.chars().count() <= 100 && self.suggestions_left >= ids.len() {
            self.suggestions_left -= ids.len();
            did_you_mean(id, ids.iter().copied())
        } else {
            None
        };
        match suggestion {
            Some(s) => format!("did you mean `{s}`? known factors: {}", some_of(&ids)),
            None if ids.is_empty() => "define it under `factors:`".into(),
            None => format!("known factors: {}", some_of(&ids)),
        }
    }

    /// The activity quantity of a material or energy line, checked against its factor.
    fn activity(&mut self, text: &str, factor: Option<&Factor>, lp: &Path) -> Option<Quantity> {
        let qp = lp.key("quantity");
        let q = self.quantity(text, &qp, &[], "")?;
        let f = factor?;
        let wanted = f.unit.denominator.dimension;
        if q.unit.dimension != wanted {
            self.error(
                &qp,
                format!(
                    "`{text}` is {}, but factor `{}` ({} {}) is per {} ({})",
                    q.unit.dimension.describe(),
                    f.id,
                    f.value,
                    f.unit,
                    f.unit.denominator,
                    wanted.describe()
                ),
                Some(format!(
                    "give the quantity in {}, or use a factor per {}",
                    one_of(&wanted.units()),
                    q.unit
                )),
            );
            return None;
        }
        Some(q)
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        name: Bi,
        stage: Stage,
        activity: Activity,
        factor: Option<usize>,
        factors: &[Factor],
        data: &Option<model::Data>,
        scores: &Option<model::Scores>,
        path: Path,
    ) -> Line {
        let sp = path.key("scores");
        let given = |cx: &mut Self, v: Option<u8>, key: &str| {
            let v = v?;
            if !(1..=6).contains(&v) {
                cx.error(
                    &sp.key(key),
                    format!("score {v}: scores run from 1 to 6"),
                    None,
                );
            }
            Some(v)
        };
        let s = scores.as_ref();
        let activity_score = given(self, s.and_then(|s| s.activity), "activity");
        let factor_score = given(self, s.and_then(|s| s.factor), "factor");
        let calibration_score = given(self, s.and_then(|s| s.calibration), "calibration");
        let implied_factor = factor.map_or(1, |f| factors[f].category.score());
        let implied = match data {
            Some(d) => Scores {
                activity: d.activity.score(),
                factor: implied_factor,
                calibration: d.calibration.score(),
            },
            None => {
                if activity_score.is_none() || calibration_score.is_none() {
                    self.error(
                        &path.key("data"),
                        "missing `data`: how the figure was obtained feeds the data-quality score",
                        Some("add `data: {activity: periodic, calibration: compliant}`".into()),
                    );
                }
                Scores {
                    activity: activity_score.unwrap_or(1),
                    factor: implied_factor,
                    calibration: calibration_score.unwrap_or(1),
                }
            }
        };
        Line {
            name,
            stage,
            activity,
            factor,
            scores: Scores {
                activity: activity_score.unwrap_or(implied.activity),
                factor: factor_score.unwrap_or(implied.factor),
                calibration: calibration_score.unwrap_or(implied.calibration),
            },
            implied,
            path,
        }
    }

    fn data_evaluation(&mut self, d: &model::DataEvaluation, path: &Path) -> DataEvaluation {
        let mut one = |e: &Option<model::Evaluation>, key: &str| {
            let p = path.key(key);
            e.as_ref().map(|e| Evaluation {
                source: self.opt_text(&e.source, &p.key("source")),
                method: self.opt_text(&e.method, &p.key("method")),
                frequency: self.opt_text(&e.frequency, &p.key("frequency")),
                recording: self.opt_text(&e.recording, &p.key("recording")),
                missing: self.opt_text(&e.missing, &p.key("missing")),
                conclusion: self.opt_text(&e.conclusion, &p.key("conclusion")),
            })
        };
        DataEvaluation {
            output: one(&d.output, "output"),
            materials: one(&d.materials, "materials"),
            transport: one(&d.transport, "transport"),
            production: one(&d.production, "production"),
        }
    }
}

/// The items of an optional list.
fn all<T>(items: &Option<Vec<T>>) -> &[T] {
    items.as_deref().unwrap_or_default()
}

/// Names Windows reserves for devices, with or without an extension (`NUL.txt`): a folder
/// named so cannot be created or unpacked there.
const RESERVED_NAMES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Why `s` (a report number, used as a folder name in the archive and in file names) is not
/// safe in every file system and shell, with what to write instead; `None` when it is.
///
/// Safe: letters, digits, `-`, `_` and `.`, at most 100 characters; not `.`-first (hidden,
/// or `.`/`..`), not `-`-first (read as an option by commands), not `.`-last (Windows drops
/// it), and not a Windows device name.
fn file_name_problem(s: &str) -> Option<(String, String)> {
    let example = "e.g. `JZNT-CFP-2024-003`";
    if s.is_empty() {
        return Some((
            "is empty".into(),
            format!("write the report's number, {example}"),
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        let suggestion: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        return Some((
            "has characters other than letters, digits, `-`, `_` and `.`".into(),
            format!(
                "use letters, digits, `-`, `_` and `.` only, e.g. `{}`",
                suggestion.trim_matches(['.', '-'])
            ),
        ));
    }
    if s.len() > 100 {
        return Some((
            format!("has {} characters; at most 100", s.len()),
            format!("shorten it, {example}"),
        ));
    }
    if s.starts_with('.') {
        return Some((
            "starts with `.` (a hidden file, or `.` or `..`)".into(),
            format!("start with a letter or digit, {example}"),
        ));
    }
    if s.starts_with('-') {
        return Some((
            "starts with `-`, which commands read as an option".into(),
            format!("start with a letter or digit, {example}"),
        ));
    }
    if s.ends_with('.') {
        return Some((
            "ends with `.`, which Windows drops from file names".into(),
            format!(
                "end with a letter or digit, e.g. `{}`",
                s.trim_end_matches('.')
            ),
        ));
    }
    let stem = s.split('.').next().unwrap_or(s).to_ascii_uppercase();
    let device = RESERVED_NAMES.contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        return Some((
            format!("is `{stem}`, a device name Windows reserves (with any extension)"),
            format!("add to it, e.g. `CFP-{s}`"),
        ));
    }
    None
}

/// The 31 characters of a unified social credit code (GB 32100-2015): no I, O, S, V, Z.
const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Checks an 18-character unified social credit code and its check digit.
pub fn check_credit_code(code: &str) -> Result<(), ReadError> {
    let chars: Vec<char> = code.chars().collect();
    let err = |message: String, hint: Option<String>| Err(ReadError { message, hint });
    if chars.len() != 18 {
        return err(
            format!(
                "credit code `{code}` has {} characters; a unified social credit code has 18",
                chars.len()
            ),
            None,
        );
    }
    let mut sum = 0;
    for (i, c) in chars.iter().enumerate() {
        let Some(v) = CREDIT_CHARS.find(*c) else {
            return err(
                format!("credit code `{code}` has `{c}`, which such codes never use"),
                Some("digits and capital letters except I, O, S, V and Z".into()),
            );
        };
        if i < 17 {
            sum += v * 3usize.pow(i as u32) % 31;
        }
    }
    let expected = CREDIT_CHARS.as_bytes()[(31 - sum % 31) % 31] as char;
    if chars[17] != expected {
        return err(
            format!(
                "credit code `{code}` has a wrong check digit: `{}` where GB 32100-2015 gives `{expected}`",
                chars[17]
            ),
            Some("check the code against the business licence".into()),
        );
    }
    Ok(())
}

/// Why a file the engagement names cannot be used.
enum Unreadable {
    Missing,
    Folder,
    Special,
    Outside,
    Io(std::io::Error),
}

/// Opens `rel` through `dir`, which refuses `..` and links leading outside; reads it when
/// `read` (the handle is checked to be a regular file before a byte is read).
fn read_inside(dir: &cap_std::fs::Dir, rel: &str, read: bool) -> Result<Vec<u8>, Unreadable> {
    use std::io::{ErrorKind, Read};
    let classify = |e: std::io::Error| match e.kind() {
        ErrorKind::NotFound => Unreadable::Missing,
        ErrorKind::PermissionDenied if e.to_string().contains("outside") => Unreadable::Outside,
        _ => Unreadable::Io(e),
    };
    // Before opening: opening a FIFO would wait for a writer.
    let meta = dir.metadata(rel).map_err(classify)?;
    if meta.is_dir() {
        return Err(Unreadable::Folder);
    }
    if !meta.is_file() {
        return Err(Unreadable::Special);
    }
    if !read {
        return Ok(Vec::new());
    }
    let mut file = dir.open(rel).map_err(classify)?;
    let meta = file.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::Special);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Unreadable::Io)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        assert!(check_credit_code("91410307773667579P").is_ok());
        let e = check_credit_code("91410307773667579Q").unwrap_err();
        assert!(
            e.message
                .contains("check digit: `Q` where GB 32100-2015 gives `P`"),
            "{}",
            e.message
        );
        assert!(check_credit_code("9141030777366757").is_err());
        assert!(check_credit_code("91410307773667579I").is_err());
    }

    #[test]
    fn file_names() {
        let safe = |s| file_name_problem(s).is_none();
        assert!(safe("JZNT-CFP-2024-003"));
        assert!(safe("r1.2"));
        assert!(safe("CONTRACT-7"));
        assert!(safe("COM10"));
        assert!(safe("x.CON"));
        for bad in [
            "",
            "JZNT/CFP",
            "../x",
            "报告",
            ".",
            "..",
            ".hidden",
            "-rf",
            "x.",
            "CON",
            "con",
            "NUL.txt",
            "nul.tar.gz",
            "Aux",
            "PRN",
            "COM1",
            "com9.log",
            "LPT1",
            "lpt0",
        ] {
            assert!(!safe(bad), "`{bad}` passed");
        }
        assert!(file_name_problem("NUL.txt").unwrap().0.contains("`NUL`"));
    }
}

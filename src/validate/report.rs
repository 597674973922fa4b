//! `report` and `engagement`: the report's number, revisions, dates, languages and title;
//! the verification's criteria, thresholds, periods and rounding.

use crate::diag::Path;
use crate::engagement::*;
use crate::input::model;
use crate::units::quantity::GwpSet;
use crate::units::rounding::Rounding;

use super::{Cx, all};

/// Most decimal places a report may round to.
const MAX_PLACES: u32 = 10;

impl Cx<'_> {
    pub(super) fn report(&mut self, r: &model::Report, path: &Path) -> Report {
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
            number_style: r.number_style.unwrap_or_default(),
        }
    }

    pub(super) fn scope(&mut self, e: &model::Engagement, path: &Path) -> Scope {
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
            uncertainty: e
                .uncertainty
                .as_ref()
                .and_then(|u| self.monte_carlo(u, &path.key("uncertainty"))),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! `verification`: the opinion and the findings register (ISO 14064-3); and, once the
//! checks have run, the rules that tie them together ([`rules`]).

use crate::checks::opinion;
use crate::checks::{CODES, Finding};
use crate::diag::{Diagnostic, Path, Problems, did_you_mean, one_of, some_of};
use crate::engagement::*;
use crate::input::model;
use crate::input::yaml::Node;
use crate::present::wording::Catalogue;

use super::{Cx, all};

impl Cx<'_> {
    pub(super) fn verification(
        &mut self,
        v: &model::Verification,
        products: &[Product],
        path: &Path,
    ) -> Verification {
        let basis = self.opt_text(&v.basis, &path.key("basis"));
        if let Some(kind) = v.opinion
            && kind != OpinionType::Unmodified
            && basis.is_none()
        {
            self.error(
                &path.key("opinion"),
                format!(
                    "a {} opinion needs its basis: the matters it rests on",
                    kind.key()
                ),
                Some("add `basis: {zh: …, en: …}` under `verification`".into()),
            );
        }
        let fp = path.key("findings");
        let mut register: Vec<RegisterEntry> = Vec::new();
        for (i, r) in all(&v.findings).iter().enumerate() {
            let entry = self.register_entry(r, products, &fp.index(i));
            let ip = fp.index(i).key("id");
            if !entry.id.is_empty()
                && !self.problems.any_within(&ip)
                && let Some(j) = register.iter().position(|o| o.id == entry.id)
            {
                let line = self.root.locate(&fp.index(j).key("id")).line;
                self.error(
                    &ip,
                    format!(
                        "duplicate register id `{}`: verification.findings[{j}] (line {line}) has it too",
                        entry.id
                    ),
                    Some("give each entry its own id".into()),
                );
            }
            register.push(entry);
        }
        Verification {
            opinion: v.opinion,
            basis,
            intended_users: self.opt_text(&v.intended_users, &path.key("intended_users")),
            register,
        }
    }

    fn register_entry(
        &mut self,
        r: &model::RegisterEntry,
        products: &[Product],
        path: &Path,
    ) -> RegisterEntry {
        let id = r.id.trim().to_owned();
        let ip = path.key("id");
        if id.is_empty() {
            self.error(
                &ip,
                "a register entry needs an id",
                Some("e.g. `CAR-01`".into()),
            );
        } else if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            let suggestion: String = id
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            self.error(
                &ip,
                format!("register id `{id}` has characters other than letters, digits and `-`"),
                Some(format!(
                    "use ASCII letters, digits and `-` only, e.g. `{}`",
                    suggestion.trim_matches('-')
                )),
            );
        }
        let about = r.about.as_ref().map(|a| {
            let ap = path.key("about");
            let check = a.check.trim();
            let known = CODES.iter().copied().find(|c| *c == check);
            if known.is_none() {
                let hint = match did_you_mean(check, CODES.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the checks: {}", one_of(CODES)),
                };
                self.error(
                    &ap.key("check"),
                    format!("unknown check `{check}`"),
                    Some(hint),
                );
            }
            let product = a.product.as_ref().map(|p| p.trim().to_owned());
            if let Some(p) = &product
                && !products.iter().any(|x| &x.id == p)
                && !self.problems.is_poisoned(&Path::root().key("products"))
            {
                let ids: Vec<&str> = products.iter().map(|x| x.id.as_str()).collect();
                let hint = match did_you_mean(p, ids.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? the products: {}", some_of(&ids)),
                    None => format!("the products: {}", some_of(&ids)),
                };
                self.error(
                    &ap.key("product"),
                    format!("unknown product `{p}`"),
                    Some(hint),
                );
            }
            About {
                check: known.unwrap_or_default(),
                product,
            }
        });
        let conclusion = self.opt_text(&r.conclusion, &path.key("conclusion"));
        if r.status == EntryStatus::Closed && conclusion.is_none() {
            self.error(
                &path.key("status"),
                format!("register entry `{id}` is closed but has no conclusion"),
                Some("add the team's `conclusion: {zh: …, en: …}`, or keep `status: open`".into()),
            );
        }
        let can_be_material = matches!(r.kind, EntryType::Misstatement | EntryType::Nonconformity);
        if r.material == Some(true) && !can_be_material {
            self.error(
                &path.key("material"),
                "only a misstatement or a nonconformity can be material",
                Some("change `type`, or remove `material`".into()),
            );
        }
        RegisterEntry {
            id,
            kind: r.kind,
            about,
            raised: self.text(&r.raised, &path.key("raised")),
            date: r
                .date
                .as_ref()
                .and_then(|d| self.date(d, &path.key("date"))),
            response: self.opt_text(&r.response, &path.key("response")),
            status: r.status,
            conclusion,
            material: r.material,
            path: path.clone(),
        }
    }
}

/// The rules of an approved report, once the findings are known; the problems, located.
///
/// - each finding that affects the opinion is answered by a register entry (at the
///   finding's path);
/// - an explicit `unmodified` opinion has no open material misstatement or nonconformity
///   (at `verification.opinion`);
/// - a derived opinion other than unmodified has its basis (at `verification`).
///
/// Draft and reviewed reports break none of them: their unanswered findings count as open.
pub fn rules(e: &Engagement, findings: &[Finding], root: &Node) -> Vec<Diagnostic> {
    let mut problems = Problems::default();
    if e.report.status != Status::Approved {
        return Vec::new();
    }
    let mut push = |path: &Path, message: String, hint: String| {
        problems.push(
            Diagnostic::new(Some(root.locate(path)), path.clone(), message).with_hint(Some(hint)),
        );
    };
    // Checks are named as the report names them; the messages are in English, like every
    // other problem's.
    let words = Catalogue::builtin();
    let register = e
        .verification
        .as_ref()
        .map_or(&[][..], |v| v.register.as_slice());
    let mut next = 1;
    for a in opinion::answered(e, findings) {
        if a.entry.is_some() {
            continue;
        }
        let f = a.finding;
        let check = &crate::present::finding_title(words, f).en;
        let about = match &f.subject.product {
            Some(p) => format!("the check “{check}” for the product “{}”", p.name.en),
            None => format!("the check “{check}”"),
        };
        let id = loop {
            let id = format!("CAR-{next:02}");
            next += 1;
            if !register.iter().any(|r| r.id == id) {
                break id;
            }
        };
        let kind = if f.code == "material-misstatement" {
            "misstatement"
        } else {
            "nonconformity"
        };
        let product = match &f.subject.product {
            Some(p)
                if p.id
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_') =>
            {
                format!(", product: {}", p.id)
            }
            Some(p) => format!(", product: {:?}", p.id),
            None => String::new(),
        };
        push(
            f.path.as_ref().unwrap_or(&Path::root()),
            format!(
                "{about} is not answered in the findings register: an approved report answers every check that affects the opinion"
            ),
            format!(
                "add to `verification.findings`: `- {{id: {id}, type: {kind}, about: {{check: {}{product}}}, raised: {{zh: …, en: …}}, status: open}}`, or keep `report.status` at draft or reviewed",
                f.code
            ),
        );
    }
    let Some(v) = &e.verification else {
        return problems.into_sorted();
    };
    let open_material: Vec<&RegisterEntry> = v
        .register
        .iter()
        .filter(|r| r.is_open() && r.is_material())
        .collect();
    let vp = Path::root().key("verification");
    if v.opinion == Some(OpinionType::Unmodified)
        && let Some(first) = open_material.first()
    {
        let ids: Vec<&str> = open_material.iter().map(|r| r.id.as_str()).collect();
        let kind = match first.kind {
            EntryType::Misstatement => "misstatement",
            _ => "nonconformity",
        };
        push(
            &vp.key("opinion"),
            format!(
                "an unmodified opinion, but the register has an open material {kind}: {}",
                one_of(&ids)
            ),
            "write `opinion: modified` with its `basis`, or close the entries with the team's conclusion".into(),
        );
    }
    if v.opinion.is_none() && v.basis.is_none() {
        let derived = opinion::opinion(e, findings).map(|o| o.kind);
        if let Some(kind) = derived.filter(|k| *k != OpinionType::Unmodified) {
            let ids: Vec<&str> = open_material.iter().map(|r| r.id.as_str()).collect();
            push(
                &vp,
                format!(
                    "the opinion is {} (open material entries: {}), and a {0} opinion needs its basis",
                    kind.key(),
                    one_of(&ids)
                ),
                "add `basis: {zh: …, en: …}` under `verification`: the matters the opinion rests on".into(),
            );
        }
    }
    problems.into_sorted()
}

//! The opinion (ISO 14064-3): which findings affect it, which register entry answers each,
//! and the opinion derived from them. Data only: `validate::verification` turns the rules
//! into problems, `present` and the report word them.
//!
//! Materiality: a register entry is material when the team says so (`material: true`, for a
//! misstatement or nonconformity only) or, by default, when it is a misstatement or a
//! nonconformity answering one of the checks in [`AFFECTING`]. A finding of those checks that
//! no entry answers (possible in a draft) counts as open and material.

use crate::engagement::{Assurance, Engagement, OpinionType, RegisterEntry};

use super::Finding;

/// The finding codes that affect the opinion: an approved report must answer each in the
/// findings register.
pub const AFFECTING: &[&str] = &[
    "material-misstatement",
    "coverage",
    "cutoff-process",
    "cutoff-total",
    "transport-without-acquisition",
];

/// A finding that affects the opinion, with the register entry that answers it.
#[derive(Clone, Copy, Debug)]
pub struct Answered<'a> {
    /// The finding (its code is one of [`AFFECTING`]).
    pub finding: &'a Finding,
    /// The entry answering it; `None` when the register has none (open and material).
    pub entry: Option<&'a RegisterEntry>,
}

/// True when `entry` answers `f`: the same check, and the same product when `f` concerns one.
pub fn answers(entry: &RegisterEntry, f: &Finding) -> bool {
    let Some(about) = &entry.about else {
        return false;
    };
    about.check == f.code
        && match &f.subject.product {
            Some(p) => about.product.as_deref() == Some(p.id.as_str()),
            None => true,
        }
}

/// The register entry answering `f`, with its index in the register: the first open one,
/// else the first closed one. Any finding, whether or not it affects the opinion.
pub fn answering<'a>(
    register: &'a [RegisterEntry],
    f: &Finding,
) -> Option<(usize, &'a RegisterEntry)> {
    let mut matching = register.iter().enumerate().filter(|(_, r)| answers(r, f));
    let first = matching.clone().next();
    matching.find(|(_, r)| r.is_open()).or(first)
}

/// Each finding that affects the opinion, in the findings' order, with the entry that
/// answers it: the first open one, else the first closed one.
pub fn answered<'a>(e: &'a Engagement, findings: &'a [Finding]) -> Vec<Answered<'a>> {
    let register = e
        .verification
        .as_ref()
        .map_or(&[][..], |v| v.register.as_slice());
    findings
        .iter()
        .filter(|f| AFFECTING.contains(&f.code))
        .map(|f| Answered {
            finding: f,
            entry: answering(register, f).map(|(_, r)| r),
        })
        .collect()
}

/// The opinion when the file does not give one: `unmodified` when no open misstatement or
/// nonconformity is material and no finding affecting the opinion is unanswered, `modified`
/// otherwise.
pub fn derive(register: &[RegisterEntry], unanswered: usize) -> OpinionType {
    if unanswered > 0 || register.iter().any(|r| r.is_open() && r.is_material()) {
        OpinionType::Modified
    } else {
        OpinionType::Unmodified
    }
}

/// The opinion of an engagement with a `verification` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opinion {
    /// The opinion given, or derived when the file gives none.
    pub kind: OpinionType,
    /// True when it was derived (`verification.opinion` absent).
    pub derived: bool,
    /// The assurance level, which sets the opinion's form (positive or negative).
    pub assurance: Assurance,
    /// The ids of the register's open entries, in file order.
    pub open: Vec<String>,
    /// The codes of the findings affecting the opinion that no entry answers (only in a
    /// draft or reviewed report: an approved one is invalid then), with their product's id.
    pub unanswered: Vec<(&'static str, Option<String>)>,
}

/// The opinion; `None` when the file has no `verification` section.
pub fn opinion(e: &Engagement, findings: &[Finding]) -> Option<Opinion> {
    let v = e.verification.as_ref()?;
    let unanswered: Vec<(&'static str, Option<String>)> = answered(e, findings)
        .into_iter()
        .filter(|a| a.entry.is_none())
        .map(|a| {
            let f = a.finding;
            (f.code, f.subject.product.as_ref().map(|p| p.id.clone()))
        })
        .collect();
    Some(Opinion {
        kind: v
            .opinion
            .unwrap_or_else(|| derive(&v.register, unanswered.len())),
        derived: v.opinion.is_none(),
        assurance: e.scope.assurance,
        open: v
            .register
            .iter()
            .filter(|r| r.is_open())
            .map(|r| r.id.clone())
            .collect(),
        unanswered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Path;
    use crate::engagement::{About, Bi, EntryStatus, EntryType};

    fn entry(kind: EntryType, check: Option<&'static str>, status: EntryStatus) -> RegisterEntry {
        RegisterEntry {
            id: "X-01".into(),
            kind,
            about: check.map(|check| About {
                check,
                product: None,
            }),
            raised: Bi::default(),
            date: None,
            response: None,
            status,
            conclusion: None,
            material: None,
            path: Path::root(),
        }
    }

    use EntryStatus::{Closed, Open};
    use EntryType::*;
    use OpinionType::{Modified, Unmodified};

    #[test]
    fn an_empty_register_is_unmodified() {
        assert_eq!(derive(&[], 0), Unmodified);
    }

    #[test]
    fn an_unanswered_finding_modifies() {
        assert_eq!(derive(&[], 1), Modified);
    }

    #[test]
    fn an_open_misstatement_answering_an_affecting_check_modifies() {
        let r = [entry(Misstatement, Some("material-misstatement"), Open)];
        assert!(r[0].is_material());
        assert_eq!(derive(&r, 0), Modified);
        let r = [entry(
            Nonconformity,
            Some("transport-without-acquisition"),
            Open,
        )];
        assert_eq!(derive(&r, 0), Modified);
    }

    #[test]
    fn closed_entries_do_not_modify() {
        let r = [entry(Misstatement, Some("material-misstatement"), Closed)];
        assert_eq!(derive(&r, 0), Unmodified);
    }

    #[test]
    fn clarifications_and_observations_are_never_material() {
        for kind in [Clarification, Observation] {
            let mut e = entry(kind, Some("coverage"), Open);
            assert_eq!(derive(std::slice::from_ref(&e), 0), Unmodified);
            e.material = Some(true);
            assert!(!e.is_material());
        }
    }

    #[test]
    fn the_teams_judgement_overrides_the_default() {
        // A misstatement the checks did not see, judged material by the team.
        let mut e = entry(Misstatement, None, Open);
        assert_eq!(derive(std::slice::from_ref(&e), 0), Unmodified);
        e.material = Some(true);
        assert_eq!(derive(std::slice::from_ref(&e), 0), Modified);
        // An answered check judged immaterial.
        let mut e = entry(Nonconformity, Some("cutoff-process"), Open);
        e.material = Some(false);
        assert_eq!(derive(std::slice::from_ref(&e), 0), Unmodified);
    }

    #[test]
    fn other_checks_are_not_material_by_default() {
        let r = [entry(Nonconformity, Some("score-override"), Open)];
        assert_eq!(derive(&r, 0), Unmodified);
    }
}

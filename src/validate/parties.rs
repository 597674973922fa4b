//! `verifier` and `client`: the verification team, its lead and independent reviewers, the
//! approver and the images they sign with; the client's credit code, equipment and processes.

use crate::diag::Path;
use crate::engagement::*;
use crate::input::model;
use crate::units::quantity::ReadError;

use super::{Cx, all};

impl Cx<'_> {
    pub(super) fn verifier(
        &mut self,
        v: &model::Verifier,
        report: &Report,
        path: &Path,
    ) -> Verifier {
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

    pub(super) fn client(&mut self, c: &model::Client, path: &Path) -> Client {
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
                    model: cx.opt_text(&e.model, &p.key("model")),
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
}

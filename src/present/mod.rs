//! Presenting: the one place that rounds a finding's figures and words it, from the
//! wording catalogue, in each language.

pub mod wording;

use rust_decimal::Decimal;

use crate::checks::{Fact, Finding};
use crate::engagement::{Bi, Engagement, Factor, Language};
use crate::units::exact::Exact;
use crate::units::rounding::Rounding;
use wording::Catalogue;

/// A fraction in percent, as written in the file: 0.05 -> `5`.
pub fn percent(fraction: Decimal) -> String {
    (fraction * Decimal::ONE_HUNDRED).normalize().to_string()
}

/// The same text in both languages (a number, a date).
fn same(s: String) -> Bi {
    Bi {
        zh: s.clone(),
        en: s,
    }
}

/// Names joined as a list in each language (`、` / `, `, from the catalogue).
pub fn join(c: &Catalogue, names: &[Bi]) -> Bi {
    let sep = c.word("term.list-separator", &[]);
    let in_lang = |lang: Language| {
        names
            .iter()
            .map(|n| n.get(lang))
            .collect::<Vec<_>>()
            .join(sep.get(lang))
    };
    Bi {
        zh: in_lang(Language::Zh),
        en: in_lang(Language::En),
    }
}

/// A fact as text in each language; terms are worded with the placeholders before them.
/// Figures are written by `figure` (rounded as configured; the report's style adds the
/// grouping and the typographic minus).
fn fact(c: &Catalogue, figure: &dyn Fn(&Exact) -> String, f: &Fact, args: &[(&str, &Bi)]) -> Bi {
    match f {
        Fact::Figure(x) => same(figure(x)),
        Fact::Fraction(x) => same(percent(*x)),
        Fact::Int(n) => same(n.to_string()),
        Fact::Date(d) => same(d.to_string()),
        Fact::Names(names) => join(c, names),
        Fact::Stages(stages) => {
            let quoted: Vec<Bi> = stages
                .iter()
                .map(|s| c.word("term.quoted", &[("name", &c.stage(*s).name)]))
                .collect();
            join(c, &quoted)
        }
        Fact::Term { key, .. } => c.word(key, args),
    }
}

/// A fact for machines (the results JSON): figures rounded as configured, terms by their
/// machine name, names in both languages.
pub fn fact_json(r: Rounding, f: &Fact) -> serde_json::Value {
    use serde_json::Value;
    match f {
        Fact::Figure(x) => Value::String(r.format(x)),
        Fact::Fraction(x) => Value::String(percent(*x)),
        Fact::Int(n) => Value::String(n.to_string()),
        Fact::Date(d) => Value::String(d.to_string()),
        Fact::Names(names) => Value::Array(
            names
                .iter()
                .map(|n| serde_json::json!({"zh": n.zh, "en": n.en}))
                .collect(),
        ),
        Fact::Stages(stages) => Value::Array(
            stages
                .iter()
                .map(|s| Value::String(s.key.to_owned()))
                .collect(),
        ),
        Fact::Term { value, .. } => Value::String((*value).to_owned()),
    }
}

/// The catalogue key of a finding's sentence: `finding.<code>` or `finding.<code>.<variant>`.
pub fn finding_key(f: &Finding) -> String {
    match f.variant {
        Some(v) => format!("finding.{}.{v}", f.code),
        None => format!("finding.{}", f.code),
    }
}

/// A finding worded from the catalogue in both languages, its figures rounded with the
/// engagement's rounding.
pub fn finding(c: &Catalogue, e: &Engagement, f: &Finding) -> Bi {
    let r = e.scope.rounding;
    finding_styled(c, e, f, &|x| r.format(x))
}

/// A finding as the report prints it: like [`finding`], its figures written by `figure` (the
/// report's: grouped by thousands with `report.number_style: grouped`, a negative one with
/// the typographic minus; JSON and check output stay plain).
pub fn finding_styled(
    c: &Catalogue,
    e: &Engagement,
    f: &Finding,
    figure: &dyn Fn(&Exact) -> String,
) -> Bi {
    let mut args: Vec<(&str, Bi)> = Vec::new();
    if let Some(p) = &f.subject.product {
        args.push(("product", p.name.clone()));
        if let Some(product) = e.products.iter().find(|x| x.id == p.id) {
            args.push(("functional_unit", product.functional_unit.clone()));
        }
    }
    if let Some(factor) = &f.subject.factor {
        let name = match e.factors.iter().find(|x| x.id == factor.id) {
            Some(x) => factor_name(c, x),
            None => factor.name.clone(),
        };
        args.push(("factor", name));
    }
    if let Some(s) = f.subject.stage {
        args.push(("stage", c.stage(s).name));
    }
    for (name, value) in &f.figures {
        let refs: Vec<(&str, &Bi)> = args.iter().map(|(n, v)| (*n, v)).collect();
        let text = fact(c, figure, value, &refs);
        args.push((name, text));
    }
    let refs: Vec<(&str, &Bi)> = args.iter().map(|(n, v)| (*n, v)).collect();
    c.word(&finding_key(f), &refs)
}

/// A factor's name as the report prints it: its `name`, or, for a factor without one, its
/// value, unit and source (`term.factor.unnamed`: `0.129 kgCO2e/tkm (Test source)`), never
/// its id in the file.
pub fn factor_name(c: &Catalogue, f: &Factor) -> Bi {
    match &f.name {
        Some(name) => name.clone(),
        None => c.word(
            "term.factor.unnamed",
            &[
                ("value", &same(f.value.to_string())),
                ("unit", &same(f.unit.to_string())),
                ("source", &f.source),
            ],
        ),
    }
}

/// A finding's short title (for the report's table of findings).
pub fn finding_title(c: &Catalogue, f: &Finding) -> Bi {
    c.word(&format!("title.{}", f.code), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sentence a finding can ask for is in the catalogue, with no placeholder the
    /// finding cannot fill.
    #[test]
    fn every_finding_key_is_in_the_catalogue() {
        let c = Catalogue::builtin();
        let variants: &[(&str, &[Option<&str>])] = &[
            (
                "material-misstatement",
                &[
                    None,
                    Some("zero"),
                    Some("missing-stages.one"),
                    Some("missing-stages.many"),
                ],
            ),
            (
                "transport-without-acquisition",
                &[Some("one"), Some("many")],
            ),
            ("score-override", &[Some("one"), Some("many")]),
            ("site-visit-order", &[Some("start"), Some("end")]),
            ("uncertainty-exact-inputs", &[Some("one"), Some("many")]),
        ];
        for code in crate::checks::CODES {
            let vs = variants
                .iter()
                .find(|(c, _)| c == code)
                .map_or(&[None][..], |(_, v)| v);
            for v in vs {
                let key = match v {
                    Some(v) => format!("finding.{code}.{v}"),
                    None => format!("finding.{code}"),
                };
                assert!(c.get(&key).is_some(), "{key}");
            }
            assert!(c.get(&format!("title.{code}")).is_some(), "title.{code}");
        }
    }
}

//! `factors`: each emission factor's value and unit, and the references inventory lines
//! make to them, with "did you mean" for an unknown one.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::diag::{Path, did_you_mean, some_of};
use crate::engagement::*;
use crate::input::model;
use crate::units::quantity::{self, FactorUnit};

use super::Cx;

impl Cx<'_> {
    pub(super) fn factors(
        &mut self,
        factors: &model::Keyed<model::Factor>,
        path: &Path,
    ) -> Vec<Factor> {
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
            let parts = f
                .parts
                .as_ref()
                .and_then(|parts| self.parts(parts, value, unit, &fp.key("parts")));
            let removal = f.removal.as_ref().and_then(|text| {
                let rp = fp.key("removal");
                let removal = self.in_factor_unit(text, unit, &rp)?;
                if matches!(unit.numerator.dimension, quantity::Dimension::GasMass(_)) {
                    self.error(
                        &rp,
                        format!("a removal is CO2 taken up, but the factor is in {unit}"),
                        Some("write the factor in kgCO2e (or kgCO2) per unit".into()),
                    );
                    return None;
                }
                Some(removal)
            });
            let uncertainty = f.uncertainty.as_ref().and_then(|s| {
                let reference = super::uncertainty::Reference::Factor(value, unit);
                self.spread(s, &fp.key("uncertainty"), reference)
            });
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
                parts,
                removal,
                uncertainty,
                path: fp,
            });
        }
        out
    }

    /// A factor's split by origin, each part in the factor's unit; `None` after reporting a
    /// part that cannot be read or parts that do not add up to the value exactly.
    fn parts(
        &mut self,
        parts: &model::Parts,
        value: Decimal,
        unit: FactorUnit,
        pp: &Path,
    ) -> Option<Parts> {
        let mut read = |text: &Option<String>, key: &str| match text {
            Some(text) => self.in_factor_unit(text, unit, &pp.key(key)),
            None => Some(Decimal::ZERO),
        };
        let fossil = read(&parts.fossil, "fossil");
        let biogenic = read(&parts.biogenic, "biogenic");
        let dluc = read(&parts.dluc, "dluc");
        let parts = Parts {
            fossil: fossil?,
            biogenic: biogenic?,
            dluc: dluc?,
        };
        let sum = parts.fossil + parts.biogenic + parts.dluc;
        if sum != value {
            self.error(
                pp,
                format!(
                    "the parts add up to {} {unit}, but the value is {} {unit}",
                    sum.normalize(),
                    value.normalize()
                ),
                Some("fossil + biogenic + dluc must equal the value exactly".into()),
            );
            return None;
        }
        Some(parts)
    }

    /// A figure written in the factor's own unit (a part or a removal), zero or more.
    pub(super) fn in_factor_unit(
        &mut self,
        text: &str,
        unit: FactorUnit,
        path: &Path,
    ) -> Option<Decimal> {
        let (value, u) = match quantity::parse_factor(text) {
            Ok(v) => v,
            Err(e) => {
                self.read_error(path, e);
                return None;
            }
        };
        if u != unit {
            self.error(
                path,
                format!("`{text}` is in {u}, but the factor is in {unit}"),
                Some(format!("write it in {unit}, the factor's unit")),
            );
            return None;
        }
        if value.is_sign_negative() && !value.is_zero() {
            self.error(path, format!("`{text}` is negative"), None);
            return None;
        }
        Some(value)
    }

    /// The index of the factor `id`, or `None` after reporting it unknown.
    pub(super) fn factor_ref(&mut self, id: &str, factors: &[Factor], lp: &Path) -> Option<usize> {
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
}

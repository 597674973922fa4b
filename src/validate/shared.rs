//! `shared`: site-level inventory items, each read like an inventory line and allocated to
//! products by output, mass, value or given shares; every product gets its part as one line.

use rust_decimal::Decimal;

use crate::diag::{Path, did_you_mean, one_of};
use crate::engagement::*;
use crate::input::model;
use crate::units::exact::Exact;
use crate::units::quantity::{self, Dimension};

use super::Cx;

impl Cx<'_> {
    /// Reads the shared items and appends each product's allocated line to its inventory.
    pub(super) fn shared(
        &mut self,
        items: &[model::Shared],
        boundary: &[Stage],
        factors: &[Factor],
        products: &mut [Product],
        path: &Path,
    ) -> Vec<Shared> {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let sp = path.index(i);
            let line = self.shared_line(item, boundary, factors, &sp);
            let targets = self.shared_products(item, products, &sp);
            let shares = targets
                .as_ref()
                .and_then(|t| self.allocate(&item.allocation, t, products, &sp.key("allocation")));
            let (Some(line), Some(shares)) = (line, shares) else {
                continue;
            };
            let k = out.len();
            for (p, share) in &shares {
                products[*p].lines.push(Line {
                    allocation: Some(Allocated {
                        item: k,
                        share: share.clone(),
                    }),
                    ..line.clone()
                });
            }
            out.push(Shared {
                line,
                basis: item.allocation.by,
                shares,
            });
        }
        out
    }

    /// The whole item as a line: an activity (quantity x factor), freight (mass x distance x
    /// factor) or a gas (quantity x GWP).
    fn shared_line(
        &mut self,
        item: &model::Shared,
        boundary: &[Stage],
        factors: &[Factor],
        sp: &Path,
    ) -> Option<Line> {
        let stage = match item.stage.as_deref().map(str::trim) {
            None => Stage::PRODUCTION,
            Some(key) => {
                let known: Vec<&str> = boundary.iter().map(|s| s.key).collect();
                match boundary.iter().find(|s| s.key == key) {
                    Some(s) => *s,
                    None => {
                        self.error(
                            &sp.key("stage"),
                            format!("`{key}` is not a stage of the boundary"),
                            Some(format!("write {}", one_of(&known))),
                        );
                        return None;
                    }
                }
            }
        };
        let factor = match &item.factor {
            Some(id) => Some(self.factor_ref(id, factors, sp)?),
            None => None,
        };
        let activity = if item.mass.is_some() || item.distance.is_some() {
            let (Some(m), Some(d)) = (&item.mass, &item.distance) else {
                self.error(
                    sp,
                    "a freight item needs both `mass` and `distance`",
                    Some("e.g. `mass: 65 t`, `distance: 561 km`".into()),
                );
                return None;
            };
            let Some(f) = factor else {
                self.error(
                    sp,
                    "a freight item needs a `factor` per tkm",
                    Some("e.g. `factor: road-18t`".into()),
                );
                return None;
            };
            if factors[f].unit.denominator.dimension != Dimension::Freight {
                self.error(
                    &sp.key("factor"),
                    format!(
                        "factor `{}` is per {}; a freight item needs a factor per tkm",
                        factors[f].id, factors[f].unit.denominator
                    ),
                    None,
                );
                return None;
            }
            let mass = self.quantity(m, &sp.key("mass"), &[Dimension::Mass], "65 t");
            let distance = self.quantity(d, &sp.key("distance"), &[Dimension::Length], "561 km");
            Activity::Transport {
                supplier: self.opt_text(&item.supplier, &sp.key("supplier")),
                mode: item.mode.unwrap_or(TransportMode::Road),
                mass: mass?,
                distance: distance?,
                count: item.count.clone(),
            }
        } else {
            let Some(text) = &item.quantity else {
                self.error(
                    sp,
                    "missing `quantity`: the site's total to allocate",
                    Some("e.g. `quantity: 11840.44 kWh` with a `factor`".into()),
                );
                return None;
            };
            match factor {
                Some(f) => {
                    let quantity = self.activity(text, Some(&factors[f]), sp)?;
                    if stage == Stage::MATERIALS {
                        Activity::Material { quantity }
                    } else {
                        Activity::Energy { quantity }
                    }
                }
                None => {
                    let qp = sp.key("quantity");
                    let quantity = self.quantity(text, &qp, &[], "")?;
                    if !quantity.unit.is_emissions() {
                        self.error(
                            &qp,
                            format!(
                                "`{text}` is {}: without a `factor`, an item gives a mass of gas emitted",
                                quantity.unit.dimension.describe()
                            ),
                            Some("add `factor: …`, or write e.g. `0.2 kgSF6`".into()),
                        );
                        return None;
                    }
                    Activity::Process {
                        quantity,
                        origin: item.origin.unwrap_or(GasOrigin::Fossil),
                    }
                }
            }
        };
        let name = self.text(&item.name, &sp.key("name"));
        let line = self.line(
            None,
            name,
            stage,
            activity,
            factor,
            factors,
            &item.data,
            &item.scores,
            sp.clone(),
        );
        Some(self.with_spread(&item.uncertainty, line))
    }

    /// The indices of the products the item goes to, in the file's order of products.
    fn shared_products(
        &mut self,
        item: &model::Shared,
        products: &[Product],
        sp: &Path,
    ) -> Option<Vec<usize>> {
        let Some(ids) = &item.products else {
            return Some((0..products.len()).collect());
        };
        let pp = sp.key("products");
        if ids.is_empty() {
            self.error(
                &pp,
                "an empty product list: the item is allocated to no product",
                Some("list the products' ids, or leave `products` out for every product".into()),
            );
            return None;
        }
        let mut found = Vec::new();
        let mut ok = true;
        for (j, id) in ids.iter().enumerate() {
            match self.product_index(id, products, &pp.index(j)) {
                Some(p) if found.contains(&p) => {
                    self.error(
                        &pp.index(j),
                        format!("product `{}` is listed twice", id.trim()),
                        None,
                    );
                    ok = false;
                }
                Some(p) => found.push(p),
                None => ok = false,
            }
        }
        found.sort_unstable();
        ok.then_some(found)
    }

    /// The index of the product `id`, or an error at `path` with the likeliest id.
    fn product_index(&mut self, id: &str, products: &[Product], path: &Path) -> Option<usize> {
        let id = id.trim();
        if let Some(i) = products.iter().position(|p| p.id == id) {
            return Some(i);
        }
        let ids: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
        let hint = match did_you_mean(id, ids.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the products are {}", one_of(&ids)),
        };
        self.error(path, format!("unknown product `{id}`"), Some(hint));
        None
    }

    /// Each target product's share, fractions adding up to exactly 1.
    fn allocate(
        &mut self,
        a: &model::Allocation,
        targets: &[usize],
        products: &[Product],
        ap: &Path,
    ) -> Option<Vec<(usize, Exact)>> {
        let names = |ps: &[usize]| -> String {
            let ids: Vec<String> = ps
                .iter()
                .map(|&p| format!("`{}`", products[p].id))
                .collect();
            match ids.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => ids.concat(),
            }
        };
        let example = |figure: &str| -> String {
            let items: Vec<String> = targets
                .iter()
                .map(|&p| format!("{}: {figure}", products[p].id))
                .collect();
            format!("{{{}}}", items.join(", "))
        };
        let weights: Vec<Exact> = match a.by {
            AllocationBasis::Output | AllocationBasis::Mass => {
                let chosen: Vec<&Product> = targets.iter().map(|&p| &products[p]).collect();
                let Some(w) = basis_weights(a.by, &chosen) else {
                    let without: Vec<usize> = targets
                        .iter()
                        .copied()
                        .filter(|&p| products[p].mass.is_none())
                        .collect();
                    self.error(
                        &ap.key("by"),
                        format!(
                            "allocation by mass needs each product's `mass`; {} {} none",
                            names(&without),
                            if without.len() == 1 { "has" } else { "have" }
                        ),
                        Some("add `mass: …` (one functional unit, e.g. `25 kg`) to those products, or allocate by output".into()),
                    );
                    return None;
                };
                w
            }
            AllocationBasis::Value => {
                let given = self.keyed_figures(
                    a.values.as_ref(),
                    targets,
                    products,
                    ap,
                    "values",
                    |t| {
                        quantity::parse_decimal(t).and_then(|v| {
                            if v < Decimal::ZERO {
                                Err(quantity::ReadError::new(
                                    format!("`{t}` is negative: a value is zero or more"),
                                    None,
                                ))
                            } else {
                                Ok(v)
                            }
                        })
                    },
                    &format!("`values: {}`", example("1200000")),
                )?;
                given.into_iter().map(Exact::from).collect()
            }
            AllocationBasis::Share => {
                let sp = ap.key("shares");
                let given = self.keyed_figures(
                    a.shares.as_ref(),
                    targets,
                    products,
                    ap,
                    "shares",
                    quantity::parse_percent,
                    &format!("`shares: {}`", example("\"50%\"")),
                )?;
                let sum: Decimal = given.iter().sum();
                if sum != Decimal::ONE {
                    self.error(
                        &sp,
                        format!(
                            "the shares add up to {}%, not 100%",
                            (sum * Decimal::ONE_HUNDRED).normalize()
                        ),
                        Some("correct the shares so that they add up to exactly 100%".into()),
                    );
                    return None;
                }
                given.into_iter().map(Exact::from).collect()
            }
        };
        let total: Exact = weights.iter().sum();
        if total.is_zero() {
            self.error(
                &ap.key("by"),
                format!(
                    "the allocation basis adds up to 0 over {}: nothing to divide by",
                    names(targets)
                ),
                Some("give at least one product a value above 0".into()),
            );
            return None;
        }
        Some(
            targets
                .iter()
                .zip(weights)
                .map(|(&p, w)| (p, w.fraction_of(&total)))
                .collect(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    /// The figure under `values` or `shares` of every target product, in their order: every
    /// key a target product, every target given.
    fn keyed_figures(
        &mut self,
        map: Option<&model::Keyed<String>>,
        targets: &[usize],
        products: &[Product],
        ap: &Path,
        key: &str,
        read: impl Fn(&str) -> Result<Decimal, quantity::ReadError>,
        example: &str,
    ) -> Option<Vec<Decimal>> {
        let path = &ap.key(key);
        let Some(map) = map else {
            self.error(
                path,
                format!("missing `{key}`: one figure per product"),
                Some(format!("e.g. {example}")),
            );
            return None;
        };
        let mut figures: Vec<Option<Decimal>> = vec![None; targets.len()];
        let mut ok = true;
        for (id, text) in &map.0 {
            let kp = path.key(id);
            let Some(p) = self.product_index(id, products, &kp) else {
                ok = false;
                continue;
            };
            let Some(slot) = targets.iter().position(|&t| t == p) else {
                self.error(
                    &kp,
                    format!("product `{id}` is not among the item's `products`"),
                    Some("remove it, or add it to `products`".into()),
                );
                ok = false;
                continue;
            };
            match read(text) {
                Ok(v) => figures[slot] = Some(v),
                Err(e) => {
                    self.read_error(&kp, e);
                    ok = false;
                }
            }
        }
        let missing: Vec<usize> = targets
            .iter()
            .zip(&figures)
            .filter(|(_, f)| f.is_none())
            .map(|(&p, _)| p)
            .collect();
        if ok && !missing.is_empty() {
            let ids: Vec<&str> = missing.iter().map(|&p| products[p].id.as_str()).collect();
            self.error(
                path,
                format!("no figure for {} under `{key}`", one_of(&ids)),
                Some(format!(
                    "give every product of the item one, e.g. {example}"
                )),
            );
            return None;
        }
        ok.then(|| figures.into_iter().flatten().collect())
    }
}

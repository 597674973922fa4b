//! `boundary` and `products`: the stages counted and the items left out; each product's id,
//! output and claims, and its inventory lines (materials, transport, energy, process
//! emissions) with their quantities, factors and data-quality scores.

use rust_decimal::Decimal;

use crate::diag::{Path, one_of};
use crate::engagement::*;
use crate::input::model;
use crate::units::quantity::{self, Dimension, Quantity};

use super::{Cx, all};

impl Cx<'_> {
    pub(super) fn boundary(&mut self, b: &model::Boundary, path: &Path) -> Boundary {
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

    pub(super) fn products(
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

    /// The activity quantity of a material or energy line, checked against its factor.
    pub(super) fn activity(
        &mut self,
        text: &str,
        factor: Option<&Factor>,
        lp: &Path,
    ) -> Option<Quantity> {
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
    pub(super) fn line(
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
            allocation: None,
        }
    }
}

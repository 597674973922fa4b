//! `boundary` and `products`: the stages counted and the items left out; each product's id,
//! output and claims, and its inventory lines (materials, transport, energy, process
//! emissions) with their quantities, factors and data-quality scores.

use rust_decimal::Decimal;

use crate::diag::{Path, did_you_mean, one_of};
use crate::engagement::*;
use crate::input::model;
use crate::units::quantity::{self, Dimension, Quantity};

use super::{Cx, all};

impl Cx<'_> {
    pub(super) fn boundary(&mut self, b: &model::Boundary, path: &Path) -> Boundary {
        let kind = b.kind.unwrap_or(BoundaryKind::CradleToGate);
        Boundary {
            kind,
            stages: self.boundary_stages(kind, b.stages.as_deref(), path),
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

    /// The stages of the boundary: the type's, or, for `partial`, those listed, each known,
    /// once, in life-cycle order.
    fn boundary_stages(
        &mut self,
        kind: BoundaryKind,
        listed: Option<&[String]>,
        path: &Path,
    ) -> Vec<Stage> {
        let sp = path.key("stages");
        let keys: Vec<&str> = Stage::REGISTRY.iter().map(|s| s.key).collect();
        let Some(listed) = listed.filter(|_| kind == BoundaryKind::Partial) else {
            if listed.is_some() {
                self.error(
                    &sp,
                    format!(
                        "`stages` is only for a `partial` boundary; `{}` has its own ({})",
                        kind.key(),
                        stage_list(&kind.stages())
                    ),
                    Some("remove `stages`, or set `type: partial`".into()),
                );
            } else if kind == BoundaryKind::Partial {
                self.error(
                    &path.key("type"),
                    "a partial boundary needs `stages`: the life-cycle stages it covers",
                    Some(format!(
                        "add e.g. `stages: [materials, transport, production]`; the stages: {}",
                        one_of(&keys)
                    )),
                );
            }
            return kind.stages();
        };
        if listed.is_empty() {
            self.error(&sp, "no stage: list at least one", None);
        }
        let mut stages: Vec<Stage> = Vec::new();
        for (i, key) in listed.iter().enumerate() {
            let key = key.trim();
            let Some(stage) = Stage::by_key(key) else {
                let hint = match did_you_mean(key, keys.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`? the stages: {}", one_of(&keys)),
                    None => format!("the stages: {}", one_of(&keys)),
                };
                self.error(&sp.index(i), format!("unknown stage `{key}`"), Some(hint));
                continue;
            };
            match stages.last() {
                _ if stages.contains(&stage) => self.error(
                    &sp.index(i),
                    format!("stage `{key}` is listed twice"),
                    Some("list each stage once".into()),
                ),
                Some(&last) if stage < last => {
                    self.error(
                        &sp.index(i),
                        format!(
                            "stage `{key}` comes before `{}` in the life cycle",
                            last.key
                        ),
                        Some(format!("list the stages in this order: {}", one_of(&keys))),
                    );
                    // Kept, so that its lines are not reported as outside the boundary too.
                    stages.push(stage);
                    stages.sort();
                }
                _ => stages.push(stage),
            }
        }
        stages
    }

    pub(super) fn products(
        &mut self,
        products: &[model::Product],
        factors: &[Factor],
        boundary: &Boundary,
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
            let lines = self.lines(p, factors, boundary, &pp);
            let claimed = p.claimed.as_ref();
            let cp = pp.key("claimed");
            let claim = |cx: &mut Self, text: Option<&String>, key: &str| {
                let kp = cp.key(key);
                let text = text?;
                let q = cx.quantity(text, &kp, &[Dimension::Emissions], "73867.89 kgCO2e")?;
                let kg = q.base();
                // Half a unit in the last place written (`73867.89 kgCO2e`: 0.005 kg).
                let half_ulp = quantity::Quantity {
                    // At the 28 places a decimal holds, half a unit is not representable:
                    // one unit in the 28th place is the (slightly wider) tolerance then.
                    value: Decimal::try_new(5, q.value.scale() + 1).unwrap_or(Decimal::new(1, 28)),
                    unit: q.unit,
                }
                .base();
                Some(Claim {
                    kg,
                    half_ulp,
                    path: kp,
                })
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

    /// True when the lists `key` of the product (its lines of `stage`) may be read: no line,
    /// or `stage` is in the boundary; otherwise the error says so.
    fn in_boundary(
        &mut self,
        written: bool,
        key: &str,
        stage: Stage,
        boundary: &Boundary,
        pp: &Path,
    ) -> bool {
        // A boundary written wrong is reported once, not again for each list it leaves out.
        if !written
            || boundary.stages.contains(&stage)
            || self.problems.any_within(&Path::root().key("boundary"))
        {
            return true;
        }
        let hint = if boundary.kind == BoundaryKind::Partial {
            format!(
                "remove the lines, or add `{}` to `boundary.stages`",
                stage.key
            )
        } else if BoundaryKind::CradleToGrave.stages().contains(&stage) {
            format!(
                "remove the lines, or widen the boundary: `type: cradle-to-grave`, or `type: partial` with `{}` in `stages`",
                stage.key
            )
        } else {
            "remove the lines".to_owned()
        };
        self.error(
            &pp.key(key),
            format!(
                "`{key}` lines are outside the boundary {} ({})",
                boundary.kind.names().en.to_lowercase(),
                stage_list(&boundary.stages)
            ),
            Some(hint),
        );
        false
    }

    fn lines(
        &mut self,
        p: &model::Product,
        factors: &[Factor],
        boundary: &Boundary,
        pp: &Path,
    ) -> Vec<Line> {
        let mut lines = Vec::new();
        let inside = |cx: &mut Self, written: bool, key: &str, stage: Stage| {
            cx.in_boundary(written, key, stage, boundary, pp)
        };
        let materials = inside(self, p.materials.is_some(), "materials", Stage::MATERIALS);
        let transport = inside(self, p.transport.is_some(), "transport", Stage::TRANSPORT);
        let energy = inside(self, p.energy.is_some(), "energy", Stage::PRODUCTION);
        let process = inside(self, p.process.is_some(), "process", Stage::PRODUCTION);
        let distribution = inside(
            self,
            p.distribution.is_some(),
            "distribution",
            Stage::DISTRIBUTION,
        );
        let use_ = inside(self, p.use_.is_some(), "use", Stage::USE);
        let end_of_life = inside(
            self,
            p.end_of_life.is_some(),
            "end_of_life",
            Stage::END_OF_LIFE,
        );
        for (i, m) in p.materials.iter().flatten().enumerate() {
            if !materials {
                break;
            }
            let lp = pp.key("materials").index(i);
            let factor = self.factor_ref(&m.factor, factors, &lp);
            let quantity = self.activity(&m.quantity, factor.map(|f| &factors[f]), &lp);
            if let Some(quantity) = quantity {
                let name = self.text(&m.name, &lp.key("name"));
                let line = self.line(
                    m.basis,
                    name,
                    Stage::MATERIALS,
                    Activity::Material { quantity },
                    factor,
                    factors,
                    &m.data,
                    &m.scores,
                    lp,
                );
                lines.push(self.with_spread(&m.uncertainty, line));
            }
        }
        if transport {
            self.freight(
                p.transport.as_deref(),
                "transport",
                Stage::TRANSPORT,
                factors,
                pp,
                &mut lines,
            );
        }
        for (i, e) in p.energy.iter().flatten().enumerate() {
            if !energy {
                break;
            }
            let lp = pp.key("energy").index(i);
            let factor = self.factor_ref(&e.factor, factors, &lp);
            if let Some(quantity) = self.activity(&e.quantity, factor.map(|f| &factors[f]), &lp) {
                let name = self.text(&e.name, &lp.key("name"));
                let line = self.line(
                    e.basis,
                    name,
                    Stage::PRODUCTION,
                    Activity::Energy { quantity },
                    factor,
                    factors,
                    &e.data,
                    &e.scores,
                    lp,
                );
                lines.push(self.with_spread(&e.uncertainty, line));
            }
        }
        for (i, g) in p.process.iter().flatten().enumerate() {
            if !process {
                break;
            }
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
            let line = self.line(
                g.basis,
                name,
                Stage::PRODUCTION,
                Activity::Process {
                    quantity,
                    origin: g.origin.unwrap_or(GasOrigin::Fossil),
                },
                None,
                factors,
                &g.data,
                &g.scores,
                lp,
            );
            lines.push(self.with_spread(&g.uncertainty, line));
        }
        if distribution {
            self.freight(
                p.distribution.as_deref(),
                "distribution",
                Stage::DISTRIBUTION,
                factors,
                pp,
                &mut lines,
            );
        }
        if use_ {
            self.stage_lines(
                p.use_.as_deref(),
                "use",
                Stage::USE,
                factors,
                pp,
                &mut lines,
            );
        }
        if end_of_life {
            self.stage_lines(
                p.end_of_life.as_deref(),
                "end_of_life",
                Stage::END_OF_LIFE,
                factors,
                pp,
                &mut lines,
            );
        }
        lines
    }

    /// The freight lines of one list (`transport`, `distribution`): mass x distance x factor.
    fn freight(
        &mut self,
        list: Option<&[model::TransportLine]>,
        key: &str,
        stage: Stage,
        factors: &[Factor],
        pp: &Path,
        lines: &mut Vec<Line>,
    ) {
        let list = list.unwrap_or_default();
        for (i, t) in list.iter().enumerate() {
            let lp = pp.key(key).index(i);
            let factor = self.factor_ref(&t.factor, factors, &lp);
            if let Some(f) = factor.map(|f| &factors[f])
                && f.unit.denominator.dimension != Dimension::Freight
            {
                self.error(
                    &lp.key("factor"),
                    format!(
                        "factor `{}` is per {}; a {key} line needs a factor per tkm",
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
            let name = match (&t.material, &t.name) {
                (Some(m), None) => Some(self.text(m, &lp.key("material"))),
                (None, Some(n)) => Some(self.text(n, &lp.key("name"))),
                (Some(_), Some(_)) => {
                    self.error(
                        &lp.key("name"),
                        "both `material` and `name`: a freight line names what it carries once",
                        Some("keep one of them".into()),
                    );
                    None
                }
                (None, None) => {
                    self.error(
                        &lp,
                        "missing required key `material`: what the line carries",
                        Some("add `material: …` (or `name: …`)".into()),
                    );
                    None
                }
            };
            if let (Some(mass), Some(distance), Some(_), Some(name)) =
                (mass, distance, factor, name)
            {
                let activity = Activity::Transport {
                    supplier: self.opt_text(&t.supplier, &lp.key("supplier")),
                    mode: t.mode.unwrap_or(TransportMode::Road),
                    mass,
                    distance,
                    count: t.count.clone(),
                };
                let line = self.line(
                    t.basis, name, stage, activity, factor, factors, &t.data, &t.scores, lp,
                );
                lines.push(self.with_spread(&t.uncertainty, line));
            }
        }
    }

    /// The lines of a use or end-of-life list: activity x factor, or, without a factor, a
    /// gas emitted x its GWP.
    fn stage_lines(
        &mut self,
        list: Option<&[model::StageLine]>,
        key: &str,
        stage: Stage,
        factors: &[Factor],
        pp: &Path,
        lines: &mut Vec<Line>,
    ) {
        for (i, l) in list.unwrap_or_default().iter().enumerate() {
            let lp = pp.key(key).index(i);
            let (activity, factor) = match &l.factor {
                Some(f) => {
                    let factor = self.factor_ref(f, factors, &lp);
                    let quantity = self.activity(&l.quantity, factor.map(|f| &factors[f]), &lp);
                    match quantity {
                        Some(quantity) => (Activity::Energy { quantity }, factor),
                        None => continue,
                    }
                }
                None => {
                    let qp = lp.key("quantity");
                    let Some(quantity) = self.quantity(&l.quantity, &qp, &[], "") else {
                        continue;
                    };
                    if !quantity.unit.is_emissions() {
                        self.error(
                            &lp,
                            format!(
                                "missing `factor`: `{}` is {}, not a mass of gas emitted",
                                l.quantity,
                                quantity.unit.dimension.describe()
                            ),
                            Some(
                                "name the line's emission factor, or give a gas emitted such as `0.2 kgSF6`"
                                    .into(),
                            ),
                        );
                        continue;
                    }
                    (
                        Activity::Process {
                            quantity,
                            origin: l.origin.unwrap_or(GasOrigin::Fossil),
                        },
                        None,
                    )
                }
            };
            let name = self.text(&l.name, &lp.key("name"));
            let line = self.line(
                l.basis, name, stage, activity, factor, factors, &l.data, &l.scores, lp,
            );
            lines.push(self.with_spread(&l.uncertainty, line));
        }
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
        basis: Option<model::Basis>,
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
            per_unit: basis == Some(model::Basis::Unit),
            scores: Scores {
                activity: activity_score.unwrap_or(implied.activity),
                factor: factor_score.unwrap_or(implied.factor),
                calibration: calibration_score.unwrap_or(implied.calibration),
            },
            implied,
            path,
            allocation: None,
            uncertainty: None,
        }
    }
}

/// The stages' keys, comma-separated: `materials, transport, production`.
fn stage_list(stages: &[Stage]) -> String {
    let keys: Vec<&str> = stages.iter().map(|s| s.key).collect();
    keys.join(", ")
}

//! Quantitative uncertainty and sensitivity (ISO 14067 6.4.6 and 6.6): a seeded Monte Carlo
//! analysis with IPCC Approach 1 as a cross-check, and the ±10% sensitivity of every input
//! that contributes at least 1% of a product's total.
//!
//! The sensitivity is exact. The Monte Carlo analysis draws floats (it is a statistical
//! estimate); each iteration's result is kept as its difference from the exact total, so
//! that inputs without uncertainty give exactly the exact total, and the figures return to
//! exact arithmetic, rounded once for display, like every other figure.

pub mod sample;

use crate::calc::{ProductResult, Results};
use crate::engagement::{Engagement, MonteCarlo, Product, Stage};
use crate::units::exact::Exact;

use sample::{Draw, Stream, Z95};

/// An input contributing less than this part of a product's total is left out of the
/// sensitivity analysis (1%).
const SENSITIVITY_FLOOR: (i64, i64) = (1, 100);

/// Monte Carlo and Approach 1 intervals whose widths differ by more than this part of the
/// Monte Carlo width are flagged (10%).
pub const METHODS_TOLERANCE: (i64, i64) = (10, 100);

/// Inputs without uncertainty making up more than this part of a product's emissions are
/// flagged (5%).
pub const EXACT_LIMIT: (i64, i64) = (5, 100);

fn fraction((n, d): (i64, i64)) -> Exact {
    Exact::int(n).fraction_of(&Exact::int(d))
}

/// What a sensitivity row changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A line's activity data (index into [`Product::lines`]).
    Activity(usize),
    /// An emission factor's value (index into [`Engagement::factors`]).
    Factor(usize),
}

/// One input of the sensitivity analysis: the product's total with it at −10% and +10%.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sensitivity {
    /// The input changed.
    pub input: Input,
    /// Its stage: the line's, or the one stage all of a factor's lines are in.
    pub stage: Option<Stage>,
    /// Its contribution to the total, kgCO2e: a line's net emissions, a factor's emissions
    /// in the product.
    pub contribution: Exact,
    /// The total with the input at −10%.
    pub minus_10: Exact,
    /// The total with the input at +10%.
    pub plus_10: Exact,
}

/// Statistics of a Monte Carlo result, kgCO2e (per functional unit for `per_unit`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The mean of the iterations.
    pub mean: Exact,
    /// Their median.
    pub median: Exact,
    /// Their standard deviation (n − 1).
    pub sd: Exact,
    /// The interval's lower end, at `(1 − confidence) / 2`.
    pub low: Exact,
    /// The interval's upper end, at `(1 + confidence) / 2`.
    pub high: Exact,
}

impl Stats {
    fn per(&self, output: &Exact) -> Stats {
        let d = |x: &Exact| x.fraction_of(output);
        Stats {
            mean: d(&self.mean),
            median: d(&self.median),
            sd: d(&self.sd),
            low: d(&self.low),
            high: d(&self.high),
        }
    }
}

/// One product's Monte Carlo result and its cross-checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncertainty {
    /// The whole period.
    pub total: Stats,
    /// Per functional unit.
    pub per_unit: Stats,
    /// IPCC Approach 1: the half-width of the 95% interval in percent of the total;
    /// `None` when the total is zero.
    pub approach1_pct: Option<Exact>,
    /// The lines with no uncertainty at all (neither their activity nor their factor),
    /// treated as exact: indices into [`Product::lines`].
    pub exact_lines: Vec<usize>,
    /// Their share of the product's emissions, a fraction of 1.
    pub exact_share: Exact,
}

impl Uncertainty {
    /// True when the Monte Carlo interval and Approach 1's (at 95%) differ in width by more
    /// than [`METHODS_TOLERANCE`] of the Monte Carlo width.
    pub fn methods_disagree(&self, total: &Exact) -> Option<(Exact, Exact)> {
        let mc = &self.total.high - &self.total.low;
        let pct = self.approach1_pct.as_ref()?;
        let a1 = &(&Exact::int(2) * pct).fraction_of(&Exact::int(100)) * &total.abs();
        let gap = (&mc - &a1).abs();
        (gap > &fraction(METHODS_TOLERANCE) * &mc).then_some((mc, a1))
    }

    /// True when the lines treated as exact make up more than [`EXACT_LIMIT`].
    pub fn too_much_exact(&self) -> bool {
        self.exact_share > fraction(EXACT_LIMIT)
    }
}

/// Fills in every product's sensitivity and, when the file asks for it, its Monte Carlo
/// result.
pub fn analyse(e: &Engagement, results: &mut Results) {
    for (p, pr) in e.products.iter().zip(results.products.iter_mut()) {
        pr.sensitivity = sensitivity(e, p, pr);
    }
    if let Some(mc) = e.scope.uncertainty {
        let all = monte_carlo(e, results, mc);
        for (pr, u) in results.products.iter_mut().zip(all) {
            pr.uncertainty = Some(u);
        }
    }
}

/// Every input contributing at least 1% of the total (in size), largest first: each line's
/// activity data, then each factor's value.
pub fn sensitivity(e: &Engagement, p: &Product, pr: &ProductResult) -> Vec<Sensitivity> {
    let mut inputs: Vec<(Input, Option<Stage>, Exact)> = Vec::new();
    for (i, (line, lr)) in p.lines.iter().zip(&pr.lines).enumerate() {
        inputs.push((
            Input::Activity(i),
            Some(line.stage),
            &lr.kg - &lr.origin.removals,
        ));
    }
    let mut by_factor: Vec<Option<(Exact, Vec<Stage>)>> = vec![None; e.factors.len()];
    for (line, lr) in p.lines.iter().zip(&pr.lines) {
        if let Some(f) = line.factor {
            let (contribution, stages) = by_factor[f].get_or_insert_with(Default::default);
            *contribution = &*contribution + &lr.kg;
            if !stages.contains(&line.stage) {
                stages.push(line.stage);
            }
        }
    }
    for (f, found) in by_factor.into_iter().enumerate() {
        if let Some((contribution, stages)) = found {
            let stage = (stages.len() == 1).then(|| stages[0]);
            inputs.push((Input::Factor(f), stage, contribution));
        }
    }
    let floor = &fraction(SENSITIVITY_FLOOR) * &pr.total.abs();
    let tenth = Exact::int(1).fraction_of(&Exact::int(10));
    let mut rows: Vec<Sensitivity> = inputs
        .into_iter()
        .filter(|(_, _, c)| !c.is_zero() && c.abs() >= floor)
        .map(|(input, stage, contribution)| {
            let step = &contribution * &tenth;
            Sensitivity {
                input,
                stage,
                minus_10: &pr.total - &step,
                plus_10: &pr.total + &step,
                contribution,
            }
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.contribution.abs()));
    rows
}

/// One term of a product's total in the sampled path: a line with some uncertainty.
struct Term {
    /// The line's emissions, kgCO2e.
    emissions: f64,
    /// Its removals, kgCO2e (scaled by the activity, not by the factor's value).
    removals: f64,
    /// The draw of its activity data, if uncertain.
    activity: Option<usize>,
    /// The draw of its factor, if uncertain.
    factor: Option<usize>,
}

/// Runs the Monte Carlo analysis: one result per product, in order.
pub fn monte_carlo(e: &Engagement, results: &Results, mc: MonteCarlo) -> Vec<Uncertainty> {
    // The inputs drawn each iteration, in a fixed order: factors, shared items, then each
    // product's own lines. A factor or shared item is drawn once and used by all its lines.
    let mut draws: Vec<Draw> = Vec::new();
    let mut slot = |s: Option<crate::engagement::Spread>| {
        s.map(|s| {
            draws.push(Draw::of(s));
            draws.len() - 1
        })
    };
    let factor_slots: Vec<Option<usize>> = e.factors.iter().map(|f| slot(f.uncertainty)).collect();
    let shared_slots: Vec<Option<usize>> =
        e.shared.iter().map(|s| slot(s.line.uncertainty)).collect();
    let mut terms: Vec<Vec<Term>> = Vec::new();
    let mut exact: Vec<Vec<usize>> = Vec::new();
    for (p, pr) in e.products.iter().zip(&results.products) {
        let (mut t, mut x) = (Vec::new(), Vec::new());
        for (i, (line, lr)) in p.lines.iter().zip(&pr.lines).enumerate() {
            let activity = match &line.allocation {
                Some(a) => shared_slots[a.item],
                None => slot(line.uncertainty),
            };
            let factor = line.factor.and_then(|f| factor_slots[f]);
            if activity.is_none() && factor.is_none() {
                x.push(i);
                continue;
            }
            t.push(Term {
                emissions: lr.kg.to_f64(),
                removals: lr.origin.removals.to_f64(),
                activity,
                factor,
            });
        }
        terms.push(t);
        exact.push(x);
    }

    let n = mc.iterations as usize;
    let mut stream = Stream::new(e.seed);
    let mut m = vec![1.0f64; draws.len()];
    let mut deviations: Vec<Vec<f64>> = vec![Vec::with_capacity(n); terms.len()];
    for _ in 0..n {
        for (m, d) in m.iter_mut().zip(&draws) {
            *m = d.draw(&mut stream);
        }
        for (t, out) in terms.iter().zip(deviations.iter_mut()) {
            let mut dev = 0.0;
            for t in t {
                let a = t.activity.map_or(1.0, |i| m[i]);
                let f = t.factor.map_or(1.0, |i| m[i]);
                dev += t.emissions * (a * f - 1.0) - t.removals * (a - 1.0);
            }
            out.push(dev);
        }
    }

    let confidence = Exact::from(mc.confidence).to_f64();
    e.products
        .iter()
        .zip(&results.products)
        .zip(deviations)
        .zip(exact)
        .map(|(((p, pr), devs), exact_lines)| {
            let total = stats(&pr.total, devs, confidence);
            let exact_share = exact_lines.iter().map(|&i| &pr.lines[i].share).sum();
            Uncertainty {
                per_unit: total.per(&Exact::from(p.output)),
                total,
                approach1_pct: approach1(e, p, pr),
                exact_lines,
                exact_share,
            }
        })
        .collect()
}

/// IPCC Approach 1 (error propagation, first order): the half-width of the 95% interval, in
/// percent of the total. A factor's uncertainty applies to all its lines together.
fn approach1(e: &Engagement, p: &Product, pr: &ProductResult) -> Option<Exact> {
    if pr.total.is_zero() {
        return None;
    }
    let mut variance = 0.0f64;
    let mut by_factor = vec![0.0f64; e.factors.len()];
    for (line, lr) in p.lines.iter().zip(&pr.lines) {
        // An allocated line carries its item's uncertainty.
        if let Some(s) = line.uncertainty {
            let x = (&lr.kg - &lr.origin.removals).to_f64() * Draw::of(s).sd();
            variance += x * x;
        }
        if let Some(f) = line.factor {
            by_factor[f] += lr.kg.to_f64();
        }
    }
    for (f, c) in e.factors.iter().zip(by_factor) {
        if let Some(s) = f.uncertainty {
            let x = c * Draw::of(s).sd();
            variance += x * x;
        }
    }
    let half = Z95 * libm::sqrt(variance) * 100.0;
    Some(Exact::from_f64(half).fraction_of(&pr.total.abs()))
}

/// The statistics of the iterations, each given as its difference from the exact total.
fn stats(total: &Exact, mut devs: Vec<f64>, confidence: f64) -> Stats {
    let n = devs.len();
    // Neumaier's compensated sum, in the iterations' order.
    let (mut sum, mut carry) = (0.0f64, 0.0f64);
    for &d in &devs {
        let t = sum + d;
        carry += if sum.abs() >= d.abs() {
            (sum - t) + d
        } else {
            (d - t) + sum
        };
        sum = t;
    }
    let mean = (sum + carry) / n as f64;
    let squares: f64 = devs.iter().map(|d| (d - mean) * (d - mean)).sum();
    let sd = if n > 1 {
        libm::sqrt(squares / (n - 1) as f64)
    } else {
        0.0
    };
    devs.sort_by(f64::total_cmp);
    let at = |p: f64| total + &Exact::from_f64(quantile(&devs, p));
    Stats {
        mean: total + &Exact::from_f64(mean),
        median: at(0.5),
        sd: Exact::from_f64(sd),
        low: at((1.0 - confidence) / 2.0),
        high: at((1.0 + confidence) / 2.0),
    }
}

/// The `p` quantile of sorted values, interpolated linearly between order statistics (R's
/// type 7, the default of R, NumPy and spreadsheets).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

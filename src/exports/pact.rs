//! `export --pact`: one WBCSD PACT (Technical Specifications v3) ProductFootprint per product.
//!
//! Figures are per functional unit (declared unit `piece`), as exact decimal strings: the
//! exact quotient when it ends within [`PLACES`] decimals, otherwise that quotient rounded
//! half-even to [`PLACES`] decimals; never the report's display rounding. When the
//! engagement separates the origin of emissions (factor `parts` or `removal`, biogenic gas
//! lines, freight by air), the footprint excluding biogenic uptake is all emissions, the one
//! including it is the net footprint, and fossil, land-use change, biogenic uptake (negative)
//! and aircraft emissions are the inventoried split. Otherwise all three footprint figures
//! are the same and the comment says the origin was not separated; figures that were not
//! assessed are left out, never given as 0. Factors from databases or literature (regional,
//! national, international) are secondary emission factor sources; the primary data share
//! is the part of the emissions from the other lines. The two mandatory figures the
//! inventory cannot give, the product's mass and its fossil carbon content, come from the
//! product's `mass` and `fossil_carbon`; a product without them is refused ([`missing`]).

use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Verified;
use crate::calc::Origin;
use crate::diag::Diagnostic;
use crate::engagement::{Bi, BoundaryKind, Category, Engagement, Language, Product, Stage};
use crate::units::exact::Exact;

/// An engagement whose boundary has no cradle-to-gate part to export.
#[derive(Debug, thiserror::Error)]
#[error(
    "a PACT footprint is cradle-to-gate, but the boundary ({}) lacks {}: nothing was exported",
    boundary.join(", "),
    missing.join(", ")
)]
pub struct NotCradleToGate {
    /// The boundary's stage keys.
    pub boundary: Vec<&'static str>,
    /// The cradle-to-gate stages it lacks.
    pub missing: Vec<&'static str>,
}

/// The PACT specification version written.
pub const SPEC_VERSION: &str = "3.0.0";

/// Decimal places of a per-unit figure whose exact quotient does not end sooner.
pub const PLACES: u32 = 20;

/// A mandatory footprint figure that a product's inventory cannot give and its file does
/// not: PACT's `productMassPerDeclaredUnit` (from `mass`) or `fossilCarbonContent` (from
/// `fossil_carbon`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missing {
    /// The product (index into the engagement's products).
    pub product: usize,
    /// The product's key that gives it: `mass` or `fossil_carbon`.
    pub key: &'static str,
}

impl Missing {
    /// The PACT property the key fills.
    pub fn property(&self) -> &'static str {
        match self.key {
            "mass" => "productMassPerDeclaredUnit",
            _ => "fossilCarbonContent",
        }
    }

    /// What to write, as an example.
    pub fn example(&self) -> &'static str {
        match self.key {
            "mass" => "`mass: 25 kg` (one functional unit, without packaging)",
            _ => {
                "`fossil_carbon: 0.35 kg` (the mass of fossil carbon in one functional unit; `0 kg` if it has none)"
            }
        }
    }

    fn message(&self, p: &Product) -> String {
        format!(
            "product `{}` has no `{}`: a PACT footprint requires its `{}`, so `export --pact` refuses it",
            p.id,
            self.key,
            self.property()
        )
    }

    /// Where it is missing: the product's entry, located in `v`'s file.
    fn diagnostic(&self, v: &Verified) -> Diagnostic {
        let p = &v.engagement.products[self.product];
        Diagnostic::new(
            Some(v.root.locate(&p.path)),
            p.path.clone(),
            self.message(p),
        )
        .with_hint(Some(format!("add {}", self.example())))
    }
}

/// What the products lack for a PACT footprint, product by product, in file order.
pub fn missing(e: &Engagement) -> Vec<Missing> {
    e.products
        .iter()
        .enumerate()
        .flat_map(|(product, p)| {
            [
                ("mass", p.mass.is_none()),
                ("fossil_carbon", p.fossil_carbon.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(move |(key, _)| Missing { product, key })
        })
        .collect()
}

/// The products' missing figures as located problems: why `export --pact` refuses.
pub fn missing_problems(v: &Verified) -> Vec<Diagnostic> {
    missing(&v.engagement)
        .iter()
        .map(|m| m.diagnostic(v))
        .collect()
}

/// The products' missing figures as located warnings (code `pact-incomplete`), for `check`:
/// the file is valid, but `export --pact` will refuse it.
pub fn missing_warnings(v: &Verified) -> Vec<Diagnostic> {
    missing(&v.engagement)
        .iter()
        .map(|m| {
            let p = &v.engagement.products[m.product];
            Diagnostic::finding(
                Some(v.root.locate(&p.path)),
                p.path.clone(),
                "pact-incomplete",
                vec![m.message(p)],
            )
            .with_hint(Some(format!("add {}", m.example())))
        })
        .collect()
}

/// The namespace of the footprint ids: `Uuid::new_v5(NAMESPACE_URL, "cfp-verify:pact")`.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"cfp-verify:pact")
}

/// The deterministic id of a product's footprint: a UUID v5 of report number and product id.
pub fn footprint_id(number: &str, product: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{number}/{product}").as_bytes())
}

/// A URN-safe form of free text (`urn:` namespace-specific strings allow few characters).
fn urn_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Free text percent-encoded for a URN (RFC 8141): letters, digits and `-._~` as they are,
/// every other byte of its UTF-8 as `%XX`, so distinct ids stay distinct.
fn urn_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The issuer part of the client's `urn:pact:` identifiers. PACT v3 asks for the domain of
/// the issuer; the engagement file names none, so the client's unified social credit code
/// stands in (`uscc-…`, a single label, so no one takes it for a web domain), or its name.
fn issuer(e: &Engagement, lang: Language) -> String {
    match &e.client.credit_code {
        Some(code) => format!("uscc-{}", code.to_ascii_lowercase()),
        None => urn_encode(&e.client.name.get(lang).to_lowercase()),
    }
}

/// A product's id in the PACT v3 form `urn:pact:{issuer}:supplier-id:{id}`: the id the
/// client (the supplier) gives the product, deterministic.
pub fn product_urn(e: &Engagement, lang: Language, product: &str) -> String {
    format!(
        "urn:pact:{}:supplier-id:{}",
        issuer(e, lang),
        urn_encode(product)
    )
}

/// An exact figure as a PACT decimal string: exact when it ends within [`PLACES`]
/// decimals, else rounded half-even there; no exponent, no trailing zeros, never `-0`.
fn decimal(x: &Exact) -> String {
    x.to_plain(PLACES)
}

/// Whether a line's emissions count as primary data: no emission factor (gases weighed by
/// their GWP), or a factor that is measured, of the same process or equipment, or given by
/// the manufacturer; database and literature factors are secondary.
fn is_primary(e: &Engagement, factor: Option<usize>) -> bool {
    factor.is_none_or(|f| {
        !matches!(
            e.factors[f].category,
            Category::Regional | Category::National | Category::International
        )
    })
}

/// Why nothing was exported.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The boundary has no cradle-to-gate part.
    #[error(transparent)]
    NotCradleToGate(#[from] NotCradleToGate),
    /// Products lack a mandatory figure ([`missing`]); nothing was exported.
    #[error("{}", .0.iter().map(|m| format!("product {}: no `{}` for `{}`", m.product + 1, m.key, m.property())).collect::<Vec<_>>().join("; "))]
    Incomplete(Vec<Missing>),
}

/// The ProductFootprints of every product, as a JSON array: the cradle-to-gate part of the
/// footprint, with a distribution stage, when the boundary has one, as outbound logistics.
/// Refused when the boundary has no cradle-to-gate part or a product lacks its mass or
/// fossil carbon content ([`missing_problems`] locates those).
pub fn product_footprints(v: &Verified) -> Result<Value, Refused> {
    let e = &v.engagement;
    // A PACT footprint is cradle-to-gate: those stages, whatever the boundary. Checked first:
    // a boundary without them is refused whatever masses the products are given.
    let gate_stages = BoundaryKind::CradleToGate.stages();
    let missing: Vec<&'static str> = gate_stages
        .iter()
        .filter(|s| !e.boundary.stages.contains(s))
        .map(|s| s.key)
        .collect();
    if !missing.is_empty() {
        return Err(NotCradleToGate {
            boundary: e.boundary.stages.iter().map(|s| s.key).collect(),
            missing,
        }
        .into());
    }
    let incomplete = self::missing(e);
    if !incomplete.is_empty() {
        return Err(Refused::Incomplete(incomplete));
    }
    let beyond_gate = e.boundary.stages.len() > gate_stages.len();
    let r = e.scope.rounding;
    // PACT data is read worldwide: English where the report has it.
    let lang = if e.report.languages.contains(&Language::En) {
        Language::En
    } else {
        Language::Zh
    };
    let text = |b: &Bi| b.get(lang).to_owned();
    let company_ids = match &e.client.credit_code {
        Some(code) => vec![format!(
            "urn:pact:company:customcode:vendor-assigned:uscc-{code}"
        )],
        None => vec![format!(
            "urn:pact:company:customcode:vendor-assigned:{}",
            urn_part(&text(&e.client.name))
        )],
    };
    let primary = |p: &Product, pr: &crate::calc::ProductResult| -> Exact {
        let mut sum = Exact::zero();
        for (l, lr) in p.lines.iter().zip(&pr.lines) {
            if gate_stages.contains(&l.stage) && is_primary(e, l.factor) {
                sum = &sum + &lr.origin.emissions();
            }
        }
        sum
    };
    let criteria: String = e
        .scope
        .criteria
        .iter()
        .map(|c| format!("{} {}", c.zh, c.en))
        .collect();
    let mut standards = Vec::new();
    if criteria.contains("14067") {
        standards.push("ISO14067");
    }
    if criteria.contains("GHG Protocol") {
        standards.push("GHGP-Product");
    }
    if standards.is_empty() {
        standards.push("ISO14067");
    }
    let exempted: Decimal = e.boundary.excluded.iter().filter_map(|x| x.share).sum();
    let timestamp = |d: chrono::NaiveDate| format!("{}T00:00:00Z", d.format("%Y-%m-%d"));
    let period_end = e.scope.period.to.succ_opt().unwrap_or(e.scope.period.to);
    let boundary: Vec<String> = e.boundary.included.iter().map(text).collect();
    let separated = e.origin_separated();
    let footprints: Vec<Value> = e
        .products
        .iter()
        .zip(&v.results.products)
        .enumerate()
        .map(|(k, (p, pr))| {
            let output = Exact::from(p.output);
            let per_unit = |kg: &Exact| decimal(&kg.fraction_of(&output));
            // The cradle-to-gate stages' figures; the whole footprint when that is all there is.
            let mut gate = Origin::default();
            for &s in &gate_stages {
                if let Some(o) = pr.by_origin.get(s) {
                    gate.add(o);
                }
            }
            let o = &gate;
            let mut description = text(&p.name);
            for (label, value) in [("brand", p.brand.as_ref().map(text)), ("model", p.model.clone()), ("specification", p.specification.clone())] {
                if let Some(value) = value.filter(|v| v != "/") {
                    description.push_str(&format!("; {label} {value}"));
                }
            }
            description.push_str(&format!("; functional unit: one {}", p.functional_unit.en));
            let mut pcf = json!({
                "declaredUnitOfMeasurement": "piece",
                "declaredUnitAmount": "1",
                "referencePeriodStart": timestamp(e.scope.period.from),
                "referencePeriodEnd": timestamp(period_end),
                "pcfExcludingBiogenicUptake": per_unit(&o.emissions()),
                "pcfIncludingBiogenicUptake": per_unit(&o.net()),
                "fossilGhgEmissions": per_unit(&o.fossil),
                "fossilCarbonContent": p.fossil_carbon.map(|c| decimal(&c.base())).unwrap_or_default(),
                "ipccCharacterizationFactors": [format!("{:?}", e.scope.gwp)],
                "crossSectoralStandards": standards,
                "exemptedEmissionsPercent": (exempted * Decimal::ONE_HUNDRED).normalize().to_string(),
                "packagingEmissionsIncluded": false,
                // The engagement format has no carbon capture and storage: none is counted.
                "ccsTechnologicalCO2CaptureIncluded": false,
                "verification": {
                    "coverage": "product level",
                    "providerName": text(&e.verifier.name),
                    "completedAt": timestamp(e.report.issued),
                    "standardName": "ISO 14064-3",
                    "comments": format!("Verification report {} r{}", e.report.number, e.report.revision),
                },
            });
            if separated {
                pcf["biogenicCO2Uptake"] = Value::String(per_unit(&(&Exact::zero() - &o.removals)));
                pcf["landUseChangeGhgEmissions"] = Value::String(per_unit(&o.dluc));
                pcf["aircraftGhgEmissions"] = Value::String(per_unit(&o.aircraft));
            }
            // The site-level items shared with this product, and how (ISO 14067 6.4.6).
            let rules: Vec<String> = e
                .shared
                .iter()
                .filter_map(|item| {
                    let (_, share) = item.shares.iter().find(|(i, _)| *i == k)?;
                    Some(format!(
                        "{} allocated by {}: {}% to this product",
                        text(&item.line.name),
                        item.basis.key(),
                        r.format(share * &Exact::int(100))
                    ))
                })
                .collect();
            if !rules.is_empty() {
                pcf["allocationRulesDescription"] = Value::String(rules.join("; "));
            }
            if let Some(d) = pr.by_origin.get(Stage::DISTRIBUTION) {
                pcf["outboundLogisticsGhgEmissions"] = Value::String(per_unit(&d.emissions()));
            }
            if !boundary.is_empty() {
                pcf["boundaryProcessesDescription"] = Value::String(boundary.join("; "));
            }
            // The factors of the lines exported: the cradle-to-gate stages and distribution.
            let used: Vec<usize> = p
                .lines
                .iter()
                .filter(|l| gate_stages.contains(&l.stage) || l.stage == Stage::DISTRIBUTION)
                .filter_map(|l| l.factor)
                .collect();
            let sources = secondary_sources(e, &used, lang);
            if !sources.is_empty() {
                pcf["secondaryEmissionFactorSources"] = Value::Array(sources);
            }
            pcf["productMassPerDeclaredUnit"] =
                Value::String(p.mass.map(|m| decimal(&m.base())).unwrap_or_default());
            // In percent of the emissions (excluding biogenic uptake); none when there are none.
            if let Some(share) = primary(p, pr).checked_div(&o.emissions()) {
                pcf["primaryDataShare"] = Value::String(decimal(&(&share * &Exact::int(100))));
            }
            json!({
                "id": footprint_id(&e.report.number, &p.id).to_string(),
                "specVersion": SPEC_VERSION,
                "created": timestamp(e.report.issued),
                "status": "Active",
                "companyName": text(&e.client.name),
                "companyIds": company_ids,
                "productDescription": description,
                "productIds": [product_urn(e, lang, &p.id)],
                "productNameCompany": text(&p.name),
                "comment": format!(
                    "Cradle-to-gate{}, verified by {} (report {} r{}). {}",
                    if beyond_gate {
                        " part of a footprint whose boundary goes further (distribution, if inventoried, as outbound logistics)"
                    } else {
                        ""
                    },
                    text(&e.verifier.name),
                    e.report.number,
                    e.report.revision,
                    if separated {
                        "Emissions are reported by origin as inventoried (fossil, biogenic, land-use change); biogenic CO2 uptake is the inventoried removals; emissions of factors whose origin was not separated are reported as fossil; the fossil carbon content is the one the verified file gives; biogenic carbon content was not assessed and is left out; no carbon capture and storage is counted."
                    } else {
                        "The origin of emissions was not separated, so the figures including and excluding biogenic uptake are equal and all emissions are reported as fossil; the fossil carbon content is the one the verified file gives; biogenic carbon content was not assessed and is left out; no carbon capture and storage is counted."
                    }
                ),
                "pcf": pcf,
            })
        })
        .collect();
    Ok(Value::Array(footprints))
}

/// The secondary emission factor sources of the factors `used` (indices): each database or
/// literature factor's citation (regional, national or international category), with its
/// data year as the version, once each, in file order.
fn secondary_sources(e: &Engagement, used: &[usize], lang: Language) -> Vec<Value> {
    let mut seen = Vec::new();
    for (i, f) in e
        .factors
        .iter()
        .enumerate()
        .filter(|(i, _)| used.contains(i))
    {
        let secondary = !is_primary(e, Some(i));
        let name = f.source.get(lang).trim().to_owned();
        if !secondary || name.is_empty() {
            continue;
        }
        let version = f
            .year
            .map_or_else(|| "not stated".to_owned(), |y| y.to_string());
        if !seen.contains(&(name.clone(), version.clone())) {
            seen.push((name, version));
        }
    }
    seen.into_iter()
        .map(|(name, version)| json!({"name": name, "version": version}))
        .collect()
}

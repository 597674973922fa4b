//! `export --pact`: one WBCSD PACT (Technical Specifications v3) ProductFootprint per product.
//!
//! Figures are per functional unit (declared unit `piece`), as decimal strings rounded as the
//! engagement says. When the engagement separates the origin of emissions (factor `parts` or
//! `removal`, biogenic gas lines, freight by air), the footprint excluding biogenic uptake is
//! all emissions, the one including it is the net footprint, and fossil, land-use change,
//! biogenic uptake (negative) and aircraft emissions are the inventoried split. Otherwise all
//! three footprint figures are the same and the comment says the origin was not separated.
//! Factors from databases or literature (regional, national, international) are listed as
//! secondary emission factor sources. Carbon content is not assessed.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Verified;
use crate::calc::Origin;
use crate::engagement::{Bi, BoundaryKind, Category, Engagement, Language, Stage};
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

/// The ProductFootprints of every product, as a JSON array: the cradle-to-gate part of the
/// footprint, with a distribution stage, when the boundary has one, as outbound logistics.
pub fn product_footprints(v: &Verified) -> Result<Value, NotCradleToGate> {
    let e = &v.engagement;
    // A PACT footprint is cradle-to-gate: those stages, whatever the boundary.
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
        });
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
    let sources = secondary_sources(e, lang);
    let footprints: Vec<Value> = e
        .products
        .iter()
        .zip(&v.results.products)
        .enumerate()
        .map(|(k, (p, pr))| {
            let output = Exact::from(p.output);
            let per_unit = |kg: &Exact| r.format(kg.fraction_of(&output));
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
                "fossilCarbonContent": "0",
                "ipccCharacterizationFactors": [format!("{:?}", e.scope.gwp)],
                "crossSectoralStandards": standards,
                "exemptedEmissionsPercent": (exempted * Decimal::ONE_HUNDRED).normalize().to_string(),
                "boundaryProcessesDescription": boundary.join("; "),
                "packagingEmissionsIncluded": false,
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
            if !sources.is_empty() {
                pcf["secondaryEmissionFactorSources"] = Value::Array(sources.clone());
            }
            if let Some(mass) = p.mass.map(|m| m.base()) {
                pcf["productMassPerDeclaredUnit"] = Value::String(mass.to_plain(28));
            }
            json!({
                "id": footprint_id(&e.report.number, &p.id).to_string(),
                "specVersion": SPEC_VERSION,
                "created": timestamp(e.report.issued),
                "status": "Active",
                "companyName": text(&e.client.name),
                "companyIds": company_ids,
                "productDescription": description,
                "productIds": [format!("urn:pact:product:customcode:vendor-assigned:{}", urn_part(&p.id))],
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
                        "Emissions are reported by origin as inventoried (fossil, biogenic, land-use change); biogenic CO2 uptake is the inventoried removals; emissions of factors whose origin was not separated are reported as fossil; carbon content was not assessed."
                    } else {
                        "The origin of emissions was not separated, so the figures including and excluding biogenic uptake are equal and all emissions are reported as fossil; carbon content was not assessed."
                    }
                ),
                "pcf": pcf,
            })
        })
        .collect();
    Ok(Value::Array(footprints))
}

/// The secondary emission factor sources: each database or literature factor's citation
/// (regional, national or international category), with its data year as the version,
/// once each, in file order.
fn secondary_sources(e: &Engagement, lang: Language) -> Vec<Value> {
    let mut seen = Vec::new();
    for f in &e.factors {
        let secondary = matches!(
            f.category,
            Category::Regional | Category::National | Category::International
        );
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

//! `init`: a commented starter engagement that `check` accepts and `render` renders.

use crate::engagement::Language;

/// The starter engagement in `languages`: texts as `{zh: …, en: …}`, or one language; its
/// report number is `number` (see [`report_number`]).
pub fn starter(languages: &[Language], number: &str) -> String {
    let both = languages.len() > 1;
    let first = languages.first().copied().unwrap_or(Language::Zh);
    let t = |zh: &str, en: &str| -> String {
        let quote = |s: &str| {
            if s.contains([':', ',', '#', '{', '}', '[', ']', '&', '*', '"', '\'']) {
                format!("{s:?}")
            } else {
                s.to_owned()
            }
        };
        match (both, first) {
            (true, _) => format!("{{zh: {}, en: {}}}", quote(zh), quote(en)),
            (false, Language::Zh) => quote(zh),
            (false, Language::En) => quote(en),
        }
    };
    let langs = languages
        .iter()
        .map(|l| l.key())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"# A starter engagement for cfp-verify: replace every value with your engagement's.
# Check it with `cfp-verify check engagement.yaml`, render it with `cfp-verify render engagement.yaml`.
# Texts are one string, or {{zh: …, en: …}} in a bilingual report. Quantities are a number,
# one space and a unit ("65 t", "11483.98 kWh"); percentages are strings with % ("5%").
format: cfp-verify/1

report:
  number: {number}            # letters, digits, - _ . only: it names the archive folder
  revision: 1                     # 1 = first issue; +1 with a `changes` entry for each reissue
  issued: 2024-03-01
  status: draft                   # draft | reviewed | approved (approved needs verifier.approver)
  languages: [{langs}]
  number_style: plain             # plain (1550204.46) | grouped (1 550 204.46, in the PDF only)

engagement:
  criteria:                       # the standards, in order
    - {criteria}
  assurance: reasonable           # reasonable | limited
  materiality: "5%"               # a claimed figure off by more is a material misstatement
  cutoff: {{process: "1%", total: "5%"}}
  coverage: "98%"
  period: {{from: 2023-01-01, to: 2023-12-31}}
  document_review: {{from: 2024-01-22, to: 2024-02-02}}
  site_visit: {{from: 2024-02-04, to: 2024-02-06}}
  gwp: AR6                        # AR4 | AR5 | AR6
  rounding: {{mode: half-up, places: 2}}

verifier:
  name: {verifier}
  team:                           # exactly one lead
    - {{name: {lead}, role: lead, field: {field}, on_site: true}}
  reviewers:                      # independent of the team
    - {{name: {reviewer}, on_site: false}}
  # approver: {{name: …, signature: assets/signature.png}}   # needed to approve

client:
  name: {client}
  # credit_code: 91410307773667579P   # 统一社会信用代码, check digit verified

boundary:
  type: cradle-to-gate
  included:
    - {included}
  excluded:
    - {{item: {excluded}, share: "0.5%"}}

factors:                          # id -> factor; `category` sets the data-quality score
  steel:
    name: {steel}
    value: 2.1 tCO2e/t
    source: {source}
    category: national            # measured | same-process | manufacturer | regional | national | international
    year: 2019
  truck:
    name: {truck}
    value: 0.129 kgCO2e/tkm
    source: {source}
    category: national
  grid:
    name: {grid}
    value: 0.5703 tCO2/MWh
    source: {grid_source}
    category: national

products:
  - id: product-1
    name: {product}
    functional_unit: {unit}
    output: 1000                  # units made in the period
    materials:                    # quantity x factor
      - {{name: {steel}, quantity: 12 t, factor: steel, data: {{activity: periodic, calibration: compliant}}}}
    transport:                    # mass x distance x factor
      - {{material: {steel}, supplier: {supplier}, mode: road, distance: 350 km, mass: 12 t, factor: truck,
         data: {{activity: periodic, calibration: compliant}}}}
    energy:                       # quantity x factor
      - {{name: {electricity}, quantity: 25000 kWh, factor: grid, data: {{activity: continuous, calibration: compliant}}}}
    process:                      # direct emissions of a gas x GWP
      - {{name: {leak}, quantity: 0.1 kgSF6, data: {{activity: estimated, calibration: none}}}}
    # claimed: {{total: 40000 kgCO2e, per_unit: 40 kgCO2e}}   # the client's figures, reconciled

# verification:                   # the opinion and the team's findings register (ISO 14064-3)
#   opinion: modified             # unmodified | modified | adverse | disclaimer; derived when absent
#   basis: {{zh: …, en: …}}         # required unless unmodified
#   findings:                     # an approved report answers here each check that affects the opinion
#     - id: CAR-01
#       type: misstatement        # misstatement | nonconformity | clarification | observation
#       about: {{check: material-misstatement, product: product-1}}   # optional: the check it answers
#       raised: {{zh: …, en: …}}
#       date: 2024-02-05          # optional
#       response: {{zh: …, en: …}}  # optional: the client's answer
#       status: open              # open | closed (closed needs a conclusion)
#       # conclusion: {{zh: …, en: …}}
"#,
        number = number,
        criteria = t(
            "《ISO 14067：2018 温室气体 产品碳足迹 量化要求和指南》",
            "ISO 14067:2018 Greenhouse gases — Carbon footprint of products"
        ),
        verifier = t("某某核查机构有限公司", "Example Verification Co., Ltd."),
        lead = t("张三", "Zhang San"),
        field = t("节能", "Energy saving"),
        reviewer = t("李四", "Li Si"),
        client = t("某某制造有限公司", "Example Manufacturing Co., Ltd."),
        included = t(
            "原材料获取、原材料运输和产品生产的排放",
            "Raw materials, their transport and production"
        ),
        excluded = t(
            "资本设备的生产和维修",
            "Production and maintenance of capital goods"
        ),
        steel = t("钢材", "Steel"),
        truck = t("重型柴油货车运输", "Road freight, heavy diesel truck"),
        grid = t("全国电网平均排放因子", "National average grid factor"),
        source = t(
            "中国产品全生命周期温室气体排放系数库",
            "China Products Carbon Footprint Factors Database"
        ),
        grid_source = t(
            "环办气候函〔2023〕43号",
            "MEE notice Huan Ban Qi Hou Han [2023] No. 43"
        ),
        product = t("示例产品", "Example product"),
        unit = t("台", "unit"),
        supplier = t("某某钢铁", "Example Steel"),
        electricity = t("净购入电力", "Purchased electricity"),
        leak = t("SF6 泄漏", "SF6 leakage"),
    )
}

/// A report number for a starter written into the folder `folder` on `date`
/// (`YYYY-MM-DD`): `CFP-20240301-acme-kettle`, so that a second engagement started in
/// another folder, or another day, is never archived over the first. A folder name without
/// letters or digits (`晨诺`) gives eight hex digits of its SHA-256 instead.
pub fn report_number(folder: &str, date: &str) -> String {
    let mut slug = String::new();
    for c in folder.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(folder.as_bytes());
        slug = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    }
    format!("CFP-{}-{slug}", date.replace('-', ""))
}

#[cfg(test)]
mod tests {
    use super::report_number;

    #[test]
    fn report_numbers_differ_by_folder_and_date() {
        assert_eq!(
            report_number("acme kettle", "2024-03-01"),
            "CFP-20240301-acme-kettle"
        );
        assert_ne!(
            report_number("a", "2024-03-01"),
            report_number("b", "2024-03-01")
        );
        assert_ne!(
            report_number("a", "2024-03-01"),
            report_number("a", "2024-03-02")
        );
        assert_ne!(
            report_number("晨诺", "2024-03-01"),
            report_number("景泽", "2024-03-01")
        );
        assert_eq!(
            report_number("晨诺", "2024-03-01").len(),
            "CFP-20240301-".len() + 8
        );
    }
}

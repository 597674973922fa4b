//! Site-level (`shared`) inventory allocated to products: the figures under each basis, the
//! results JSON keys, the warning for mixed functional units and the report's tables.
//!
//! Expected figures are computed independently with Python's `fractions`, shown beside them.

mod common;

use common::{cfp, folder, poppler, root, sample};
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/valid/shared.yaml";

/// An expected allocation row: basis, share %, quantity, unit, kgCO2e.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn json_of(file: &str) -> Value {
    let run = cfp(&["calc", "--json", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("calc --json prints JSON")
}

/// Writes `text` to a fresh folder and returns its path.
fn write(name: &str, text: &str) -> String {
    let file = folder("shared", name).join(format!("{name}.yaml"));
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

/// The fixture with each `(find, replace)` applied once.
fn fixture_with(name: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(root().join(FIXTURE)).unwrap();
    for (find, replace) in edits {
        assert!(text.contains(find), "the fixture has no `{find}`");
        text = text.replacen(find, replace, 1);
    }
    write(name, &text)
}

/// The seed with its two electricity lines replaced by one site total allocated by output.
fn seed_shared() -> String {
    let mut text = std::fs::read_to_string(sample()).unwrap();
    for kwh in ["11483.98", "356.46"] {
        let line = format!(
            "    energy:\n      - {{name: {{zh: 净购入电力, en: Purchased electricity}}, quantity: {kwh} kWh, factor: grid-2022,\n         data: {{activity: continuous, calibration: compliant}}, scores: {{activity: 6, factor: 3, calibration: 6}}}}\n"
        );
        assert!(text.contains(&line), "the sample has no {kwh} kWh line");
        text = text.replacen(&line, "", 1);
    }
    let at = "\n# How the verification team judged";
    assert!(text.contains(at));
    text = text.replacen(
        at,
        "\nshared:\n  - name: {zh: 全厂净购入电力, en: Site purchased electricity}\n    quantity: 11840.44 kWh\n    factor: grid-2022\n    data: {activity: continuous, calibration: compliant}\n    scores: {activity: 6, factor: 3, calibration: 6}\n    allocation: {by: output}\n\n# How the verification team judged",
        1,
    );
    text
}

#[test]
fn the_seeds_site_electricity_allocated_by_output_gives_its_figures() {
    let today = json_of("samples/chennuo-2023.yaml");
    let file = write("seed", &seed_shared());
    let shared = json_of(&file);
    for i in 0..2 {
        let (a, b) = (&today["products"][i], &shared["products"][i]);
        for key in ["stages", "per_unit", "share_pct", "data_quality"] {
            assert_eq!(a[key], b[key], "product {i}: {key}");
        }
    }
    // The seed wrote the allocated kWh rounded (11483.98, 356.46); allocated exactly, the
    // totals move by a cent:
    //   q = F('11840.44'); a = q*10567/10895 = 11483.977005966…; b = q*328/10895 = 356.462994…
    //   a*F('0.5703') = 6549.3120865… (seed 6549.313794), b*F('0.5703') = 203.2908454… (seed 203.289138)
    //   totals 42900 + 67318.5723 + 6549.3120865 = 116767.8843… -> 116767.88 (seed .89)
    //          560 + 349.556… + 203.2908454 = 1112.8469… -> 1112.85 (seed .84)
    let p = &shared["products"];
    assert_eq!(p[0]["total"], "116767.88");
    assert_eq!(p[1]["total"], "1112.85");
    assert_eq!(today["products"][0]["total"], "116767.89");
    let rows = [
        ("96.99", "11483.98", "6549.31"),
        ("3.01", "356.46", "203.29"),
    ];
    for (i, (share, quantity, kg)) in rows.iter().enumerate() {
        let a = &p[i]["allocation"][0];
        assert_eq!(a["item"], "全厂净购入电力");
        assert_eq!(a["by"], "output");
        assert_eq!(a["share_pct"], *share);
        assert_eq!(a["quantity"], *quantity);
        assert_eq!(a["unit"], "kWh");
        assert_eq!(a["emissions"], *kg);
        // Output is the only basis the seed's data support, and the one used.
        assert_eq!(p[i]["allocation_alternatives"], serde_json::json!({}));
    }
    // A file without `shared` has neither key.
    assert!(today["products"][0].get("allocation").is_none());
    assert!(
        today["products"][0]
            .get("allocation_alternatives")
            .is_none()
    );
}

#[test]
fn by_mass_by_share_to_a_subset_and_by_value() {
    let v = json_of(FIXTURE);
    let p = &v["products"];
    // Electricity 12000 kWh x 0.5703 tCO2/MWh = 6843.6 kg, by mass: output x mass =
    //   1000x2, 250x10, 500x1 kg -> 2000 : 2500 : 500 = 0.4 : 0.5 : 0.1
    //   -> 4800, 6000, 1200 kWh; 2737.44, 3421.8, 684.36 kg.
    // SF6 0.3 kg x 23500 (AR5) = 7050 kg, shares 70% / 30% to widget and gadget only
    //   -> 0.21, 0.09 kgSF6; 4935, 2115 kg.
    // Office 600 kWh x 0.5703 = 342.18 kg, by value 300000 : 100000 : 100000 = 0.6 : 0.2 : 0.2
    //   -> 360, 120, 120 kWh; 205.308, 68.436, 68.436 kg.
    // Steel: 500, 100, 50 kg x 2.1 = 1050, 210, 105 kg.
    // Totals: 1050 + 2737.44 + 4935 + 205.308 = 8927.748; 210 + 3421.8 + 2115 + 68.436 =
    //   5815.236; 105 + 684.36 + 68.436 = 857.796.
    let expected: [(&str, &str, &[Row]); 3] = [
        (
            "8927.75",
            "7877.75",
            &[
                ("mass", "40.00", "4800.00", "kWh", "2737.44"),
                ("share", "70.00", "0.21", "kgSF6", "4935.00"),
                ("value", "60.00", "360.00", "kWh", "205.31"),
            ],
        ),
        (
            "5815.24",
            "5605.24",
            &[
                ("mass", "50.00", "6000.00", "kWh", "3421.80"),
                ("share", "30.00", "0.09", "kgSF6", "2115.00"),
                ("value", "20.00", "120.00", "kWh", "68.44"),
            ],
        ),
        (
            "857.80",
            "752.80",
            &[
                ("mass", "10.00", "1200.00", "kWh", "684.36"),
                ("value", "20.00", "120.00", "kWh", "68.44"),
            ],
        ),
    ];
    for (i, (total, production, rows)) in expected.iter().enumerate() {
        assert_eq!(p[i]["total"], *total, "product {i}");
        assert_eq!(p[i]["stages"]["production"], *production, "product {i}");
        let got = p[i]["allocation"].as_array().unwrap();
        assert_eq!(got.len(), rows.len(), "product {i}");
        for (g, (by, share, quantity, unit, kg)) in got.iter().zip(rows.iter()) {
            assert_eq!(g["by"], *by);
            assert_eq!(g["share_pct"], *share);
            assert_eq!(g["quantity"], *quantity);
            assert_eq!(g["unit"], *unit);
            assert_eq!(g["emissions"], *kg);
        }
    }
    // Sensitivity: every item re-allocated by output (1000 : 250 : 500 = 4/7 : 1/7 : 2/7;
    // the SF6 item 1000 : 250 = 0.8 : 0.2) and by mass (SF6 2000 : 2500 = 4/9 : 5/9):
    //   output: 1050 + 7185.78*4/7 + 7050*0.8 = 10796.16; 210 + 7185.78/7 + 1410 = 2646.54;
    //           105 + 7185.78*2/7 = 2158.08
    //   mass:   1050 + 7185.78*0.4 + 7050*4/9 = 7057.6453…; 210 + 7185.78*0.5 + 7050*5/9 =
    //           7719.5566…; 105 + 718.578 = 823.578
    let alternatives = [
        ("10796.16", "10.80", "7057.65", "7.06"),
        ("2646.54", "10.59", "7719.56", "30.88"),
        ("2158.08", "4.32", "823.58", "1.65"),
    ];
    for (i, (out_total, out_unit, mass_total, mass_unit)) in alternatives.iter().enumerate() {
        let a = &p[i]["allocation_alternatives"];
        assert_eq!(a["output"]["total"], *out_total, "product {i}");
        assert_eq!(a["output"]["per_unit"], *out_unit, "product {i}");
        assert_eq!(a["mass"]["total"], *mass_total, "product {i}");
        assert_eq!(a["mass"]["per_unit"], *mass_unit, "product {i}");
    }
    // Data quality treats an allocated line like any other: widget's lines are steel 1050
    // (3, 2, 6: mean 11/3), electricity 2737.44 (6, 2, 6: 14/3), SF6 4935 (1, 1, 1: 1),
    // office 205.308 (3, 2, 6: 11/3); sum(mean x kg) / 8927.748 = 2.49923… -> 2.50, grade 4.
    assert_eq!(p[0]["data_quality"]["score"], "2.50");
    assert_eq!(p[0]["data_quality"]["grade"], 4);
}

#[test]
fn by_output_is_in_proportion_to_output_and_mass_is_the_alternative() {
    let file = fixture_with(
        "by-output",
        &[("allocation: {by: mass}", "allocation: {by: output}")],
    );
    let p = json_of(&file)["products"].clone();
    // 12000 kWh x 1000/1750 = 6857.142…; x 250/1750 = 1714.285…; x 500/1750 = 3428.571…
    // kg: 6843.6 x 4/7 = 3910.6285…; x 1/7 = 977.6571…; x 2/7 = 1955.3142…
    let rows = [
        ("57.14", "6857.14", "3910.63"),
        ("14.29", "1714.29", "977.66"),
        ("28.57", "3428.57", "1955.31"),
    ];
    for (i, (share, quantity, kg)) in rows.iter().enumerate() {
        let a = &p[i]["allocation"][0];
        assert_eq!(a["by"], "output");
        assert_eq!(a["share_pct"], *share);
        assert_eq!(a["quantity"], *quantity);
        assert_eq!(a["emissions"], *kg);
    }
    // Other items are by share and value, so both output and mass are alternatives; the
    // output alternative is as computed in the mass case (10796.16 for widget).
    assert_eq!(
        p[0]["allocation_alternatives"]["output"]["total"],
        "10796.16"
    );
    assert_eq!(p[0]["allocation_alternatives"]["mass"]["total"], "7057.65");
}

#[test]
fn mixed_functional_units_allocated_by_output_are_a_warning() {
    let file = fixture_with(
        "units",
        &[
            ("allocation: {by: mass}", "allocation: {by: output}"),
            (
                "name: {zh: 控制器, en: Controller}\n    functional_unit: {zh: 件, en: piece}",
                "name: {zh: 控制器, en: Controller}\n    functional_unit: {zh: 套, en: set}",
            ),
        ],
    );
    let v = json_of(&file);
    let w: Vec<&Value> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "allocation-units")
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", v["warnings"]);
    let en = w[0]["messages"]["en"].as_str().unwrap();
    assert!(en.contains("Site production electricity"), "{en}");
    assert!(en.contains("piece") && en.contains("set"), "{en}");
    let zh = w[0]["messages"]["zh"].as_str().unwrap();
    assert!(
        zh.contains("全厂生产用电") && zh.contains("按产量分配"),
        "{zh}"
    );
    // Same units: no warning (the fixture by mass, and by output with one unit).
    let same = fixture_with(
        "same-units",
        &[("allocation: {by: mass}", "allocation: {by: output}")],
    );
    let v = json_of(&same);
    assert!(
        !v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "allocation-units")
    );
}

#[test]
fn the_report_prints_the_allocation_and_sensitivity_tables() {
    let dir = folder("shared", "report");
    let pdf = dir.join("shared.pdf");
    let run = cfp(&["render", FIXTURE, "-o", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let text = squash(&text);
    for needle in [
        "全厂数据的分配",
        "AllocationofsitelevelData",
        "全厂总量",
        "Sitetotal",
        "分配依据",
        "12000kWh",
        "按质量",
        "Bymass",
        "按约定比例",
        "Byagreedshares",
        "按经济价值",
        "4800.00kWh",
        "2737.44",
        "0.21kgSF6",
        "4935.00",
        "分配方法的敏感性分析",
        "Sensitivityofthetotalstotheallocationprocedure",
        "10796.16",
        "7057.65",
    ] {
        let needle = needle.replace("AllocationofsitelevelData", "Allocationofsite-leveldata");
        assert!(text.contains(&needle), "{needle} not in the report");
    }
}

#[test]
fn a_freight_item_keeps_its_mode_and_supplier_and_a_gas_item_its_origin() {
    let file = fixture_with(
        "freight-and-gas",
        &[
            (
                "factors:\n",
                "factors:\n  rail-freight:\n    name: {zh: 铁路货运, en: Rail freight}\n    value: 0.01 kgCO2e/tkm\n    source: {zh: 测试来源, en: Test source}\n    category: national\n",
            ),
            (
                "shared:\n",
                "shared:\n  - name: {zh: 外购件铁路运输, en: Rail freight of bought parts}\n    stage: transport\n    mode: rail\n    supplier: {zh: 甲公司, en: Alpha Co.}\n    mass: 10 t\n    distance: 100 km\n    factor: rail-freight\n    data: {activity: periodic, calibration: accepted}\n    allocation: {by: share, shares: {widget: \"50%\", gadget: \"50%\"}}\n    products: [widget, gadget]\n  - name: {zh: 污水处理甲烷, en: Wastewater methane}\n    quantity: 1 kgCH4\n    origin: biogenic\n    data: {activity: estimated, calibration: none}\n    allocation: {by: share, shares: {widget: \"50%\", gadget: \"50%\"}}\n    products: [widget, gadget]\n",
            ),
        ],
    );
    let json = json_of(&file);
    let widget = &json["products"][0];
    // Rail: 10 t x 100 km x 0.01 kgCO2e/tkm = 10 kgCO2e, half each; no air freight.
    assert_eq!(widget["stages"]["transport"], "5.00", "{widget}");
    assert_eq!(widget["origin"]["aircraft"], "0.00", "{widget}");
    // Biogenic CH4 under AR5 (one CH4 value, 28): 1 kg x 28 = 28 kgCO2e, half each.
    assert_eq!(widget["origin"]["biogenic"], "14.00", "{widget}");
    // The supplier and mode are printed as for any freight line.
    let pdf = folder("shared", "freight-and-gas-pdf").join("r.pdf");
    let run = cfp(&["render", &file, "-o", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("Alpha Co."), "the supplier is printed");
}

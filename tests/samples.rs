//! The second sample, `samples/kettle-2024.yaml` (cradle to grave, site electricity shared by
//! mass, factor parts and a removal, air freight, per-unit use and end of life, biogenic CH4):
//! its figures, computed independently with Python's `fractions` (shown beside them), that it
//! checks cleanly and that its report carries the allocation and origin tables.
//!
//! Needs poppler-utils.

mod common;

use common::{cfp, folder, poppler};
use serde_json::Value;

const SAMPLE: &str = "samples/kettle-2024.yaml";

fn results() -> Value {
    let run = cfp(&["calc", "--json", SAMPLE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("calc --json prints JSON")
}

const STAGES: [&str; 6] = common::GRAVE_STAGES;

/// One product's expected figures.
struct Expected {
    id: &'static str,
    output: &'static str,
    stages: [&'static str; 6],
    total: &'static str,
    per_unit: [&'static str; 6],
    per_unit_total: &'static str,
    /// fossil, biogenic, dluc, removals, aircraft
    origin: [&'static str; 5],
    /// share %, allocated kWh, kgCO2e
    allocation: [&'static str; 3],
    /// the other basis (output): total, per unit
    by_output: [&'static str; 2],
}

#[test]
fn the_kettle_sample_gives_its_independently_computed_figures() {
    // from fractions import Fraction as F; AR6 biogenic CH4 27.0; grid F('0.5703') kg/kWh;
    // road F('0.078'), air F('1.13') kgCO2e/tkm.
    //
    // Shared electricity 186500 kWh by mass: output x mass = 50000 x 1.2 : 20000 x 2 =
    //   60000 : 40000 = 3/5 : 2/5 -> 111900 kWh, 111900*F('0.5703') = 6381657/100 = 63816.57;
    //   74600 kWh, 74600*F('0.5703') = 2127219/50 = 42544.38.
    //
    // Kettle (50000 units):
    //   materials: 27500*6.15 + 17500*1.98 + 2000*18.6 + 12500*0.35 + 12500*0.92
    //     = 169125 + 34650 + 37200 + 4375 + 11500 = 256850; removal 12500*1.6 = 20000;
    //     net 236850
    //   transport: (27.5*65 + 17.5*80 + 12.5*40 + 12.5*25)*0.078 + 2*1300*1.13
    //     = 4000*0.078 + 2938 = 312 + 2938 = 3250 (aircraft 2938)
    //   distribution: 50000*1.6 kg = 80 t * 800 km * 0.078 = 4992
    //   use: 50000*400 kWh * 0.5703 = 11406000
    //   end of life: 50000*1.2*0.21 + 50000*0.004 kgCH4*27.0 = 12600 + 5400 = 18000
    //   total 1173290857/100 = 11732908.57; per unit 1173290857/5000000 = 234.658… -> 234.66
    //   biogenic 12500*0.04 + 12500*0.10 + 5400 = 7150; dLUC 12500*0.01 + 12500*0.02 = 375;
    //   fossil = total + removals - biogenic - dLUC = 1174538357/100 = 11745383.57
    //   by output instead (5/7): total - 63816.57 + 186500*5/7*0.5703 = 11745064.107… / 50000
    //     = 234.901…
    //
    // Thermo pot (20000 units):
    //   materials: 18000*6.15 + 12000*1.98 + 1000*18.6 + 8000*0.35 + 8000*0.92
    //     = 110700 + 23760 + 18600 + 2800 + 7360 = 163220; removal 8000*1.6 = 12800;
    //     net 150420
    //   transport: (18*65 + 12*80 + 1*1300 + 8*40 + 8*25)*0.078 = 3950*0.078 = 3081/10 = 308.1
    //   distribution: 20000*2.6 kg = 52 t * 800 km * 0.078 = 16224/5 = 3244.8
    //   use: 20000*730*0.5703 = 8326380
    //   end of life: 20000*2*0.21 + 20000*0.006*27.0 = 8400 + 3240 = 11640
    //   total 213363432/25 = 8534537.28; per unit 26670429/62500 = 426.726… -> 426.73
    //   biogenic 8000*0.04 + 8000*0.10 + 3240 = 4360; dLUC 80 + 160 = 240;
    //   fossil 213568432/25 = 8542737.28; aircraft 0
    //   by output instead (2/7): total - 42544.38 + 186500*2/7*0.5703 = 8522381.742… / 20000
    //     = 426.119…
    let expected = [
        Expected {
            id: "kettle-17l",
            output: "50000",
            stages: [
                "236850.00",
                "3250.00",
                "63816.57",
                "4992.00",
                "11406000.00",
                "18000.00",
            ],
            total: "11732908.57",
            per_unit: ["4.74", "0.07", "1.28", "0.10", "228.12", "0.36"],
            per_unit_total: "234.66",
            origin: ["11745383.57", "7150.00", "375.00", "20000.00", "2938.00"],
            allocation: ["60.00", "111900.00", "63816.57"],
            by_output: ["11745064.11", "234.90"],
        },
        Expected {
            id: "pot-5l",
            output: "20000",
            stages: [
                "150420.00",
                "308.10",
                "42544.38",
                "3244.80",
                "8326380.00",
                "11640.00",
            ],
            total: "8534537.28",
            per_unit: ["7.52", "0.02", "2.13", "0.16", "416.32", "0.58"],
            per_unit_total: "426.73",
            origin: ["8542737.28", "4360.00", "240.00", "12800.00", "0.00"],
            allocation: ["40.00", "74600.00", "42544.38"],
            by_output: ["8522381.74", "426.12"],
        },
    ];
    let v = results();
    let products = v["products"].as_array().unwrap();
    assert_eq!(products.len(), expected.len());
    for (p, e) in products.iter().zip(expected.iter()) {
        assert_eq!(p["id"], e.id);
        assert_eq!(p["output"], e.output, "{}", e.id);
        let keys: Vec<&str> = p["stages"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, STAGES, "{}: the six stages in order", e.id);
        for (i, stage) in STAGES.iter().enumerate() {
            assert_eq!(p["stages"][stage], e.stages[i], "{} {stage}", e.id);
            assert_eq!(
                p["per_unit"][stage], e.per_unit[i],
                "{} per unit {stage}",
                e.id
            );
        }
        assert_eq!(p["total"], e.total, "{}", e.id);
        assert_eq!(p["per_unit"]["total"], e.per_unit_total, "{}", e.id);
        for (i, key) in ["fossil", "biogenic", "dluc", "removals", "aircraft"]
            .iter()
            .enumerate()
        {
            assert_eq!(p["origin"][key], e.origin[i], "{} origin {key}", e.id);
        }
        let a = p["allocation"].as_array().unwrap();
        assert_eq!(a.len(), 1, "{}", e.id);
        assert_eq!(a[0]["item"], "全厂生产用电");
        assert_eq!(a[0]["by"], "mass");
        assert_eq!(a[0]["share_pct"], e.allocation[0], "{}", e.id);
        assert_eq!(a[0]["quantity"], e.allocation[1], "{}", e.id);
        assert_eq!(a[0]["unit"], "kWh");
        assert_eq!(a[0]["emissions"], e.allocation[2], "{}", e.id);
        // The allocated line is the whole of the production stage.
        assert_eq!(p["stages"]["production"], e.allocation[2], "{}", e.id);
        let alt = &p["allocation_alternatives"];
        assert_eq!(alt["output"]["total"], e.by_output[0], "{}", e.id);
        assert_eq!(alt["output"]["per_unit"], e.by_output[1], "{}", e.id);
    }
}

#[test]
fn the_kettle_sample_checks_without_problems() {
    let run = cfp(&["check", SAMPLE]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("valid: 2 products"), "{all}");
    assert!(!all.contains("error"), "{all}");
}

#[test]
fn the_kettle_report_has_the_allocation_and_origin_tables() {
    let pdf = folder("samples", "kettle").join("report.pdf");
    let run = cfp(&["render", SAMPLE, "-o", pdf.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let squash: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in [
        // The allocation table and its sensitivity check.
        "全厂数据的分配/Table3.3-3Allocationofsite-leveldata",
        "分配方法的敏感性分析",
        "全厂生产用电",
        "111900.00kWh",
        "74600.00kWh",
        // The origin tables, one per product, and the aircraft line (the English heading may
        // wrap, and pdftotext then reads the table's first cell between its lines).
        "1.7升不锈钢电热水壶排放来源与清除量",
        "1.7Lstainlesssteelkettle:emissionsby",
        "5升电热水瓶排放来源与清除量",
        "5Lelectricthermopot:emissionsby",
        "originandremovals",
        "生物源CO2清除量",
        "Aircraftemissions",
        // The six-stage summary: use and end of life are there, with their figures.
        "产品使用",
        "生命末期处置",
        "11406000.00",
        "234.66",
        "426.73",
    ] {
        assert!(squash.contains(needle), "the report lacks {needle}");
    }
}

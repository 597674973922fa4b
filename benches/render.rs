//! The benchmark (`cargo bench`): the cases of the README's table, each in fresh processes of
//! the release binary, as a user runs them. Times are medians of wall time; memory is the
//! median peak resident set in MiB, read with GNU time (`/usr/bin/time`, Debian package `time`)
//! when it is installed. At the end, a table of the figures against the goals.
//!
//! - the sample report (44 pages);
//! - a batch of 20 copies of the sample in one `render DIR` run, on all cores;
//! - generated inventories of 1,000, 4,000 and 15,000 lines in one stage (the kettle sample
//!   with its first product's materials replaced), and the growth per line between the
//!   smallest and the largest;
//! - the sample's Monte Carlo analysis alone, in this process;
//! - 20 reports in this process, one after the other.
//!
//! `cargo bench -- --quick` runs each case once and leaves out the 15,000 lines.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cfp_verify::report::render::{self, Options};
use cfp_verify::report::world::Fonts;

mod common;
use common::median;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/chennuo-2023.yaml");
const KETTLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kettle-2024.yaml");
const BIN: &str = env!("CARGO_BIN_EXE_cfp-verify");

/// A case's figures: median wall time in seconds and median peak memory in MiB (`None`
/// without GNU time).
struct Measured {
    secs: f64,
    mb: Option<f64>,
}

impl Measured {
    fn mb(&self) -> String {
        self.mb.map_or_else(
            || "n/a (install GNU time)".into(),
            |m| format!("{m:.0} MiB"),
        )
    }
}

/// Runs `cfp-verify ARGS` `runs` times in fresh processes.
fn fresh(args: &[&str], runs: usize) -> Measured {
    let gnu_time = Path::new("/usr/bin/time");
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let output = if gnu_time.exists() {
            Command::new(gnu_time)
                .args(["-f", "%M", BIN])
                .args(args)
                .output()
        } else {
            Command::new(BIN).args(args).output()
        }
        .expect("the binary runs");
        walls.push(started.elapsed().as_secs_f64());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "cfp-verify {args:?}: {stderr}");
        if let Some(kb) = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse::<f64>().ok())
        {
            peaks.push(kb / 1024.0);
        }
    }
    Measured {
        secs: median(walls),
        mb: (!peaks.is_empty()).then(|| median(peaks)),
    }
}

/// The kettle sample with its first product's materials replaced by `lines` generated
/// lines: parts of five materials, quantities from 1.05 kg to 97.95 kg.
fn inventory(lines: usize) -> String {
    let text = std::fs::read_to_string(KETTLE).expect("the kettle sample is readable");
    let heading = "    materials:\n";
    let start = text.find(heading).expect("the kettle has materials") + heading.len();
    let end = start
        + text[start..]
            .lines()
            .take_while(|l| l.starts_with("      - "))
            .map(|l| l.len() + 1)
            .sum::<usize>();
    let factors = [
        "steel-304",
        "pp",
        "thermostat-ctl",
        "carton-board",
        "pallet-wood",
    ];
    let generated: String = (0..lines)
        .map(|k| {
            format!(
                "      - {{name: {{zh: 零件{n:05}, en: Part {n:05}}}, quantity: {q}.{d}5 kg, factor: {f}, data: {{activity: periodic, calibration: compliant}}}}\n",
                n = k + 1,
                q = k % 97 + 1,
                d = k % 10,
                f = factors[k % factors.len()],
            )
        })
        .collect();
    format!("{}{generated}{}", &text[..start], &text[end..])
}

/// A scratch folder under the system's temporary folder, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfp-verify-bench-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// `n` copies of the sample with distinct report numbers, rendered by one `render DIR` run.
fn batch(n: usize, runs: usize) -> Measured {
    let dir = scratch("batch");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    for i in 0..n {
        let text = sample.replacen(
            "number: JZNT-CFP-2024-003",
            &format!("number: BENCH-{i:03}"),
            1,
        );
        std::fs::write(inputs.join(format!("e{i:03}.yaml")), text).unwrap();
    }
    // A fresh archive for each run: a second run would find every revision archived.
    let mut all = Vec::new();
    for i in 0..runs {
        let out = dir.join(format!("out-{i}"));
        all.push(fresh(
            &["render", s(&inputs), "--archive", s(&out), "--quiet"],
            1,
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        secs: median(all.iter().map(|m| m.secs).collect()),
        mb: all
            .iter()
            .map(|m| m.mb)
            .collect::<Option<Vec<f64>>>()
            .map(median),
    }
}

/// The report of a generated inventory of `lines` lines.
fn lines(lines: usize, runs: usize) -> Measured {
    let dir = scratch(&format!("lines-{lines}"));
    let yaml = dir.join(format!("lines-{lines}.yaml"));
    std::fs::write(&yaml, inventory(lines)).unwrap();
    let m = fresh(
        &["render", s(&yaml), "-o", s(&dir.join("report.pdf"))],
        runs,
    );
    let _ = std::fs::remove_dir_all(&dir);
    m
}

fn in_process(reports: usize) -> (f64, Option<f64>) {
    let fonts = Fonts::embedded();
    let path = Path::new(SAMPLE);
    let mut times = Vec::new();
    for _ in 0..reports {
        let t = Instant::now();
        let verified = cfp_verify::load(path).expect("the sample is valid");
        let report =
            render::render(&verified, fonts, &Options::default()).expect("the sample renders");
        std::hint::black_box(report.pdf.len());
        // Typst memoizes across compilations; without eviction memory grows per report.
        typst::comemo::evict(0);
        times.push(t.elapsed().as_secs_f64());
    }
    (median(times), common::peak_rss_mib("self"))
}

/// The sample's Monte Carlo analysis alone (both products, every input drawn): median
/// milliseconds at 10,000 and at 100,000 iterations.
fn monte_carlo(runs: usize) -> Vec<(u32, f64)> {
    let verified = cfp_verify::load(Path::new(SAMPLE)).expect("the sample is valid");
    let e = &verified.engagement;
    let settings = e
        .scope
        .uncertainty
        .expect("the sample asks for a Monte Carlo analysis");
    [10_000, 100_000]
        .into_iter()
        .map(|iterations| {
            let mc = cfp_verify::engagement::MonteCarlo {
                iterations,
                ..settings
            };
            let times: Vec<f64> = (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    let out = cfp_verify::uncertainty::monte_carlo(e, &verified.results, mc);
                    std::hint::black_box(out);
                    t.elapsed().as_secs_f64()
                })
                .collect();
            (iterations, median(times) * 1000.0)
        })
        .collect()
}

fn main() {
    // `cargo bench -- --quick` keeps it short.
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = |n: usize| if quick { 1 } else { n };
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row = |work: &str, measured: String, goal: &str| {
        println!("{work}: {measured}");
        rows.push([work.to_owned(), measured, goal.to_owned()]);
    };

    let out = scratch("sample");
    let sample = fresh(
        &["render", SAMPLE, "-o", s(&out.join("report.pdf"))],
        runs(11),
    );
    row(
        "sample report (44 pages), fresh process",
        format!("{:.3} s, {}", sample.secs, sample.mb()),
        "≤ 0.15 s, ≤ 100 MB",
    );

    let n = 20;
    let b = batch(n, runs(3));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    row(
        &format!("batch of {n} sample reports, `render DIR`, {workers} workers"),
        format!(
            "{:.3} s per report ({:.2} s), {}",
            b.secs / n as f64,
            b.secs,
            b.mb()
        ),
        "≤ 0.08 s per report, ≤ 400 MB",
    );

    let mut sizes = vec![
        (1_000, runs(5), "≤ 1 s, ≤ 200 MB"),
        (4_000, runs(3), "≤ 3 s, ≤ 400 MB"),
    ];
    if !quick {
        sizes.push((15_000, 3, ""));
    }
    let mut measured = Vec::new();
    for (n, r, goal) in sizes {
        let m = lines(n, r);
        row(
            &format!("{n} lines in one stage, fresh process"),
            format!("{:.2} s, {}", m.secs, m.mb()),
            goal,
        );
        measured.push((n, m));
    }
    if let (Some((n0, first)), Some((n1, last))) = (measured.first(), measured.last())
        && n1 > n0
    {
        let per = (n1 - n0) as f64;
        let mem = match (first.mb, last.mb) {
            (Some(a), Some(b)) => format!("{:.3} MiB", (b - a) / per),
            _ => "n/a".into(),
        };
        row(
            &format!("growth per line, {n0} to {n1} lines"),
            format!("{:.2} ms, {mem}", (last.secs - first.secs) / per * 1000.0),
            "≤ 0.6 ms, ≤ 0.05 MiB",
        );
    }

    let (each, peak) = in_process(20);
    row(
        "20 sample reports in one process, one after the other",
        format!(
            "{each:.3} s each, {}",
            peak.map_or("n/a".into(), |m| format!("{m:.0} MiB"))
        ),
        "",
    );
    for (iterations, ms) in monte_carlo(runs(21)) {
        row(
            &format!("Monte Carlo alone, sample, {iterations} iterations"),
            format!("{ms:.1} ms"),
            "",
        );
    }
    let _ = std::fs::remove_dir_all(&out);

    println!("\n| work | measured | goal |\n|---|---|---|");
    for [work, measured, goal] in rows {
        println!("| {work} | {measured} | {goal} |");
    }
}

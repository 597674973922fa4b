//! Render benchmark (`cargo bench`): the sample report in a fresh process, and many reports
//! in one process; then the sample's Monte Carlo analysis alone. Timings are medians over several runs; memory is the peak resident set.
//!
//! Fresh-process figures use GNU time (`/usr/bin/time`, Debian package `time`) when present.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cfp_verify::report::render::{self, Options};
use cfp_verify::report::world::Fonts;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/chennuo-2023.yaml");

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident set of this process so far, in MB (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn fresh_process(runs: usize) {
    let out = std::env::temp_dir().join("cfp-verify-bench.pdf");
    let bin = env!("CARGO_BIN_EXE_cfp-verify");
    let gnu_time = PathBuf::from("/usr/bin/time");
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let output = if gnu_time.exists() {
            Command::new(&gnu_time)
                .args(["-f", "%M", bin, "render", SAMPLE, "-o"])
                .arg(&out)
                .output()
        } else {
            Command::new(bin)
                .args(["render", SAMPLE, "-o"])
                .arg(&out)
                .output()
        }
        .expect("the binary runs");
        walls.push(started.elapsed().as_secs_f64());
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(kb) = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse::<f64>().ok())
        {
            peaks.push(kb / 1024.0);
        }
    }
    let peak = if peaks.is_empty() {
        "n/a (install GNU time)".to_owned()
    } else {
        format!("{:.0} MB", median(peaks))
    };
    println!(
        "fresh process, sample report: {:.3} s median wall over {runs} runs, peak RSS {peak}",
        median(walls)
    );
}

fn in_process(reports: usize) {
    let fonts = Fonts::embedded();
    let path = std::path::Path::new(SAMPLE);
    let mut times = Vec::new();
    let started = Instant::now();
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
    let total = started.elapsed().as_secs_f64();
    println!(
        "one process, {reports} reports: {:.3} s per report (median {:.3} s, first {:.3} s), peak RSS {}",
        total / reports as f64,
        median(times.clone()),
        times[0],
        peak_rss_mb().map_or("n/a".into(), |m| format!("{m:.0} MB")),
    );
}

/// A batch of `n` copies of the sample (distinct report numbers) in one `render` run.
fn batch(n: usize) {
    let dir = std::env::temp_dir().join("cfp-verify-bench-batch");
    let _ = std::fs::remove_dir_all(&dir);
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
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .arg("render")
        .arg(&inputs)
        .arg("--archive")
        .arg(dir.join("out"))
        .output()
        .expect("the binary runs");
    let secs = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!(
        "batch of {n} reports, one process, all cores: {secs:.2} s, {:.3} s per report",
        secs / n as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sample's Monte Carlo analysis alone (both products, every input drawn), at the
/// sample's 10,000 iterations and at 100,000.
fn monte_carlo(runs: usize) {
    let verified = cfp_verify::load(std::path::Path::new(SAMPLE)).expect("the sample is valid");
    let e = &verified.engagement;
    let settings = e
        .scope
        .uncertainty
        .expect("the sample asks for a Monte Carlo analysis");
    for iterations in [10_000, 100_000] {
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
        println!(
            "Monte Carlo, sample (2 products, {} lines), {iterations} iterations: {:.1} ms median over {runs} runs",
            e.products.iter().map(|p| p.lines.len()).sum::<usize>(),
            median(times) * 1000.0
        );
    }
}

fn main() {
    // `cargo bench -- --quick` (or any filter argument) keeps it short.
    let quick = std::env::args().any(|a| a == "--quick");
    monte_carlo(if quick { 5 } else { 21 });
    fresh_process(if quick { 3 } else { 11 });
    in_process(20);
    batch(if quick { 10 } else { 100 });
}

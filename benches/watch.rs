//! Watch benchmark (`cargo bench --bench watch`): how long after a save the new PDF is there.
//!
//! Starts `cfp-verify watch e.yaml -o out/e.pdf` on a copy of the sample, waits for the first
//! PDF, then edits one figure (the first material's quantity) again and again, saving the way
//! editors do (a new file renamed over the old one) and by writing the file in place. For
//! each save it measures the time from the end of the save until the PDF is replaced
//! (polled every millisecond: a new file, since the PDF is renamed into place), and the
//! render time the watch itself prints. Prints the median and the 90th percentile.
//!
//! `cargo bench --bench watch -- --quick` makes fewer saves; `CFP_VERIFY_BIN=PATH` times
//! another build of the binary (an older release, to compare).

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/chennuo-2023.yaml");
const FIGURE: &str = "quantity: 3 t, factor: aluminium-parts";

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

/// What identifies one version of the PDF: its inode (renamed into place) and time.
fn version(pdf: &Path) -> Option<(u64, i64, i64)> {
    let m = std::fs::metadata(pdf).ok()?;
    Some((m.ino(), m.mtime(), m.mtime_nsec()))
}

#[derive(Clone, Copy, PartialEq)]
enum Save {
    /// Written beside the file, then renamed over it (vim, VS Code, most editors).
    Rename,
    /// Truncated and written in place (nano, `echo >`).
    InPlace,
}

fn save(file: &Path, text: &str, how: Save) {
    match how {
        Save::Rename => {
            let tmp = file.with_file_name(".e.yaml.swp-bench");
            std::fs::write(&tmp, text).unwrap();
            std::fs::rename(&tmp, file).unwrap();
        }
        Save::InPlace => std::fs::write(file, text).unwrap(),
    }
}

/// The render time a summary line ends with (`…, 0.08 s`), in seconds.
fn render_secs(line: &str) -> Option<f64> {
    line.strip_suffix(" s")?.rsplit(", ").next()?.parse().ok()
}

/// The sample with its figure edited, `i` telling the edits apart.
fn edited(sample: &str, i: usize) -> String {
    sample.replacen(
        FIGURE,
        &format!("quantity: 3.{:03} t, factor: aluminium-parts", i + 1),
        1,
    )
}

/// Where a re-render's time goes, in one process as `watch` keeps it: loading the file
/// (YAML, checks, calculation, Monte Carlo), the view and templates, typst's layout and the
/// PDF export, each after the same one-figure edit, with typst's memoization kept between
/// edits (evicted as `watch` does); and the layout and export of the first, cold, and of
/// the last once more, unchanged (the least a render costs).
fn phases(edits: usize) {
    use cfp_verify::report::render;
    use cfp_verify::report::template::{self, Wording};
    use cfp_verify::report::view;
    use cfp_verify::report::world::{Fonts, ReportWorld};
    use typst::foundations::Smart;
    use typst_layout::PagedDocument;
    use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

    let fonts = Fonts::embedded();
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let dir = std::env::temp_dir().join(format!("cfp-verify-bench-phases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("e.yaml");
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    let med = |v: &[f64]| percentile(v.to_vec(), 0.5);
    let wording = Wording::load(None).unwrap();

    // 1. What `watch` runs for each save: load, render, evict down to recent entries.
    let (mut load, mut templ, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut loaded = Vec::new();
    for i in 0..=edits {
        std::fs::write(&file, edited(&sample, i)).unwrap();
        let t = Instant::now();
        let v = cfp_verify::load(&file).expect("the sample is valid");
        let t_load = ms(t);
        let t = Instant::now();
        let report = render::render(&v, fonts, &render::Options::default()).unwrap();
        let t_render = ms(t);
        typst::comemo::evict(10);
        // The view and templates alone (no typst in them).
        let t = Instant::now();
        let view = view::build_with(
            &v,
            &v.engagement.report.languages,
            &v.source,
            None,
            &wording.catalogue,
        );
        let typst_source = template::render(&view, None, template::DEFAULT_STYLE, &wording)
            .unwrap()
            .typst;
        std::hint::black_box(typst_source.len());
        let t_templ = ms(t);
        if i > 0 {
            load.push(t_load);
            templ.push(t_templ);
            total.push(t_load + t_render);
        }
        loaded.push((v, report));
    }
    typst::comemo::evict(0);

    // 2. Typst alone on the same sources: layout, then export, caches kept as above.
    let (mut layout, mut export) = (Vec::new(), Vec::new());
    let (mut cold_layout, mut cold_export) = (0.0, 0.0);
    // The last source is compiled once more, unchanged: the least a render costs.
    let again = loaded.len() - 1;
    let (mut same_layout, mut same_export) = (0.0, 0.0);
    for (i, (v, report)) in loaded.iter().chain(loaded.last()).enumerate() {
        let issued = v.engagement.report.issued;
        let mut world = ReportWorld::new(report.typst.clone(), issued, fonts);
        world.add_file("/engagement.yaml", v.source.clone());
        world.add_file("/results.json", report.results.clone().into_bytes());
        world.add_file("/render.json", b"{}".to_vec());
        world.add_file(
            "/workbook.xlsx",
            cfp_verify::exports::workbook::workbook(v).expect("the workbook is written"),
        );
        let t = Instant::now();
        let document = typst::compile::<PagedDocument>(&world)
            .output
            .expect("the source compiles");
        let t_layout = ms(t);
        let t = Instant::now();
        let options = PdfOptions {
            ident: Smart::Custom("BENCH r1".to_owned()),
            timestamp: Some(Timestamp::new_utc(cfp_verify::report::world::to_datetime(
                issued,
            ))),
            standards: PdfStandards::new(cfp_verify::report::pdf::STANDARDS).unwrap(),
            tagged: true,
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&document, &options).expect("the document exports");
        std::hint::black_box(bytes.len());
        let t_export = ms(t);
        typst::comemo::evict(10);
        if i == 0 {
            cold_layout = t_layout;
            cold_export = t_export;
        } else if i > again {
            same_layout = t_layout;
            same_export = t_export;
        } else {
            layout.push(t_layout);
            export.push(t_export);
        }
    }
    typst::comemo::evict(0);
    println!(
        "one process, re-render after a one-figure edit ({edits} edits, medians): whole {:.0} ms = load {:.1} ms + view and templates {:.1} ms + typst layout {:.0} ms + PDF export {:.0} ms (+ the rest); cold: layout {:.0} ms, export {:.0} ms; unchanged: layout {:.0} ms, export {:.0} ms",
        med(&total),
        med(&load),
        med(&templ),
        med(&layout),
        med(&export),
        cold_layout,
        cold_export,
        same_layout,
        same_export,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let edits = if quick { 6 } else { 15 };
    phases(edits);
    let dir = std::env::temp_dir().join(format!("cfp-verify-bench-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let file = dir.join("src/e.yaml");
    let pdf: PathBuf = dir.join("out/e.pdf");
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    assert!(sample.contains(FIGURE), "the sample has no `{FIGURE}`");
    std::fs::write(&file, &sample).unwrap();

    let bin = std::env::var_os("CFP_VERIFY_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_cfp-verify")),
        PathBuf::from,
    );
    let mut child = Command::new(bin)
        .arg("watch")
        .arg(&file)
        .arg("-o")
        .arg(&pdf)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary runs");
    let (tx, lines) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the watch started");
        if line.starts_with("watching ") {
            break;
        }
    }
    println!(
        "watch, sample report: first PDF after {:.3} s",
        started.elapsed().as_secs_f64()
    );

    for (round, how) in [Save::Rename, Save::InPlace].into_iter().enumerate() {
        let mut waits = Vec::new();
        let mut renders = Vec::new();
        for i in 0..edits {
            // Each save changes the figure, so that each is a new report.
            // A figure not saved before: nothing typst has laid out yet.
            let text = edited(&sample, 100 * (round + 1) + i);
            let before = version(&pdf);
            save(&file, &text, how);
            let saved = Instant::now();
            while version(&pdf) == before {
                assert!(
                    saved.elapsed() < Duration::from_secs(30),
                    "no new PDF 30 s after a save"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            waits.push(saved.elapsed().as_secs_f64() * 1000.0);
            // The summary line follows the PDF.
            if let Ok(line) = lines.recv_timeout(Duration::from_secs(10))
                && let Some(s) = render_secs(&line)
            {
                renders.push(s * 1000.0);
            }
            // A pause, as between two edits; nothing else is rendered meanwhile.
            std::thread::sleep(Duration::from_millis(300));
            while lines.try_recv().is_ok() {}
        }
        let what = match how {
            Save::Rename => "save by rename",
            Save::InPlace => "save in place",
        };
        let render = if renders.is_empty() {
            String::new()
        } else {
            format!(
                " (render as printed: median {:.0} ms)",
                percentile(renders, 0.5)
            )
        };
        println!(
            "watch, {what}, {edits} saves: save -> new PDF median {:.0} ms, p90 {:.0} ms{render}",
            percentile(waits.clone(), 0.5),
            percentile(waits, 0.9),
        );
    }
    // What typst's memoization, kept between saves, costs in memory.
    let peak = common::peak_rss_mib(&child.id().to_string()).map(|m| format!("{m:.0} MiB"));
    println!(
        "watch, after {} saves: peak RSS {}",
        2 * edits + 1,
        peak.as_deref().unwrap_or("n/a")
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

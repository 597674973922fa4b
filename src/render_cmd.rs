//! The `render` command: one engagement, or a batch rendered in parallel on all cores.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cfp_verify::engagement::Language;
use cfp_verify::report::archive::{self, Outcome};
use cfp_verify::report::render::{self, Options, RenderError, write_atomic};
use cfp_verify::report::template::TemplateDir;
use cfp_verify::report::world::Fonts;
use cfp_verify::{Verified, load};

/// What every report of a run shares.
pub struct Settings {
    pub output: Option<PathBuf>,
    pub archive: PathBuf,
    pub languages: Option<Vec<Language>>,
    pub templates: Option<Arc<TemplateDir>>,
    /// The report style (`--style`).
    pub report_style: String,
    pub typst: Option<PathBuf>,
    /// How problems in an engagement file are printed.
    pub style: cfp_verify::diag::Style,
}

/// Opens `--templates DIR`, or says why not.
pub fn open_templates(dir: Option<&Path>) -> Result<Option<Arc<TemplateDir>>, String> {
    dir.map(|d| {
        TemplateDir::open(d)
            .map(Arc::new)
            .map_err(|e| format!("{}: cannot read the templates: {e}", d.display()))
    })
    .transpose()
}

/// The fonts of `--font-dir DIR` with the embedded ones, or `None` for the embedded ones
/// alone (`extra.as_ref().unwrap_or(Fonts::embedded())`); or why not.
pub fn extra_fonts(dir: Option<&Path>) -> Result<Option<Fonts>, String> {
    dir.map(|d| {
        Fonts::with_dir(d).map_err(|e| format!("{}: cannot read the fonts: {e}", d.display()))
    })
    .transpose()
}

/// Renders `inputs` (engagement files, or folders of them): one line per report, and for a
/// batch a summary. Exit 1 if any failed, 2 for a usage error (nothing rendered).
pub fn run(inputs: &[PathBuf], font_dir: Option<&Path>, settings: Settings) -> ExitCode {
    let extra = match extra_fonts(font_dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let fonts = extra.as_ref().unwrap_or(Fonts::embedded());
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            match engagements_in(input) {
                Ok(found) => files.extend(found),
                Err(e) => {
                    eprintln!("{}: {e}", input.display());
                    return ExitCode::from(1);
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    let batch = files.len() > 1 || inputs.iter().any(|i| i.is_dir());
    if batch && (settings.output.is_some() || settings.typst.is_some()) {
        eprintln!("error: `-o` and `--typst` take one engagement; a batch goes to the archive");
        return ExitCode::from(2);
    }
    if !batch {
        return match files.first().map(|f| render_file(f, &settings, fonts)) {
            Some(Ok(line)) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Some(Err(message)) => {
                eprintln!("{message}");
                ExitCode::from(1)
            }
            None => ExitCode::from(1),
        };
    }
    render_batch(&files, &settings, fonts)
}

/// The engagement files of a folder (`*.yaml`, `*.yml`), sorted.
fn engagements_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

fn render_batch(files: &[PathBuf], settings: &Settings, fonts: &Fonts) -> ExitCode {
    let started = Instant::now();
    // Every file is read and checked first: two engagements that would be archived as the
    // same revision are a usage error found before anything is rendered.
    let loaded: Vec<Result<Verified, String>> = files
        .iter()
        .map(|f| load(f).map_err(|invalid| invalid.report(settings.style)))
        .collect();
    let mut revisions: BTreeMap<(String, u32), Vec<&Path>> = BTreeMap::new();
    for (file, v) in files.iter().zip(&loaded) {
        if let Ok(v) = v {
            let r = &v.engagement.report;
            revisions
                .entry((r.number.clone(), r.revision))
                .or_default()
                .push(file);
        }
    }
    let clashes: Vec<String> = revisions
        .iter()
        .filter(|(_, f)| f.len() > 1)
        .map(|((number, revision), f)| {
            format!(
                "  {number} r{revision}: {}",
                f.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    if !clashes.is_empty() {
        eprintln!(
            "error: these files would be archived as the same revision; nothing was rendered:\n{}\n  hint: give each engagement its own `report.number`, or raise `report.revision`",
            clashes.join("\n")
        );
        return ExitCode::from(2);
    }
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let result = match &loaded[i] {
                        Ok(v) => render_one(file, v, settings, fonts),
                        Err(message) => Err(message.clone()),
                    };
                    // Typst's memoization would otherwise keep every report in memory.
                    typst::comemo::evict(0);
                    match (&result, &bar) {
                        (Ok(line), Some(bar)) => bar.println(line),
                        (Ok(line), None) => println!("{line}"),
                        (Err(_), Some(bar)) => bar.println(format!("{}: failed", file.display())),
                        (Err(_), None) => println!("{}: failed", file.display()),
                    }
                    if let Some(bar) = &bar {
                        bar.inc(1);
                    }
                    if let Err(message) = result {
                        failures
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((i, message));
                    }
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    let mut err = std::io::stderr().lock();
    for (_, message) in &failures {
        let _ = writeln!(err, "{message}");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} rendered, {} failed, {:.2} s ({:.2} s per report on {workers} threads)",
        files.len() - failures.len(),
        failures.len(),
        secs,
        secs / files.len() as f64
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Loads and renders one engagement file: its summary line, or every message of its failure.
pub fn render_file(file: &Path, settings: &Settings, fonts: &Fonts) -> Result<String, String> {
    let verified = load(file).map_err(|invalid| invalid.report(settings.style))?;
    render_one(file, &verified, settings, fonts)
}

/// Why `-o` (or `--typst`) may not write to `path`, if it may not.
fn refuse_output(path: &Path, engagement: &Path, what: &str) -> Option<String> {
    if cfp_verify::same_file(path, engagement) {
        return Some(format!(
            "{}: is the engagement file itself; the {what} would replace it, nothing was written",
            path.display()
        ));
    }
    let folder = cfp_verify::folder_of(path);
    if folder.join(archive::SUMS).is_file() {
        return Some(format!(
            "{}: is in an archived revision's folder (it has {}); the archive is written by `render` without `-o`, nothing was written",
            path.display(),
            archive::SUMS
        ));
    }
    None
}

/// Renders one loaded engagement: its summary line, or every message of its failure.
/// Nothing is written unless the whole render succeeded.
pub fn render_one(
    file: &Path,
    verified: &Verified,
    settings: &Settings,
    fonts: &Fonts,
) -> Result<String, String> {
    let started = Instant::now();
    let report = &verified.engagement.report;
    let pdf_target = settings.output.as_ref().map(|pdf| {
        let json = pdf.with_extension("json");
        (pdf.clone(), json)
    });
    // Refuse impossible targets before spending time on the render.
    if let Some((pdf, json)) = &pdf_target {
        if !pdf
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("pdf"))
        {
            return Err(format!(
                "{}: `-o` names the report PDF and must end in `.pdf` (the results JSON is written beside it); nothing was written",
                pdf.display()
            ));
        }
        for (path, what) in [(pdf, "PDF"), (json, "results JSON")] {
            if let Some(why) = refuse_output(path, file, what) {
                return Err(why);
            }
            render::output_target(path)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        }
    }
    if let Some(t) = &settings.typst
        && let Some(why) = refuse_output(t, file, "typst source")
    {
        return Err(why);
    }
    // The superseded revision, when it is in the archive: the report shows what changed.
    let previous = (report.revision > 1)
        .then(|| archive::revision_dir(&settings.archive, &report.number, report.revision - 1))
        .and_then(|dir| std::fs::read(dir.join(render::ENGAGEMENT)).ok());
    let options = Options {
        previous,
        languages: settings.languages.clone(),
        templates: settings.templates.clone(),
        style: Some(settings.report_style.clone()),
    };
    let cannot_write =
        |path: &Path, e: std::io::Error| format!("{}: cannot write: {e}", path.display());
    let rendered = match render::render(verified, fonts, &options) {
        Ok(r) => r,
        Err(e) => {
            let mut message = format!("{}: {e}", file.display());
            if let RenderError::Typst { typst: source, .. } = &e {
                match &settings.typst {
                    // Asked for: the source is what a template author needs to read.
                    Some(t) => match write_atomic(t, source.as_bytes()) {
                        Ok(()) => message.push_str(&format!(
                            "\n  the generated typst source is in {}",
                            t.display()
                        )),
                        Err(e) => message.push_str(&format!("\n  {}", cannot_write(t, e))),
                    },
                    None => message.push_str(
                        "\n  hint: run again with `--typst FILE` to keep the generated typst source",
                    ),
                }
            }
            return Err(message);
        }
    };
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(t) = &settings.typst {
        write_atomic(t, rendered.typst.as_bytes()).map_err(|e| cannot_write(t, e))?;
    }
    let (pdf_path, note) = match &pdf_target {
        Some((pdf, json)) => {
            let results = verified.json();
            for (path, bytes) in [(pdf, rendered.pdf.as_slice()), (json, results.as_bytes())] {
                write_atomic(path, bytes).map_err(|e| cannot_write(path, e))?;
            }
            (pdf.clone(), "")
        }
        None => {
            let (dir, outcome) = archive::store(&settings.archive, verified, &rendered)
                .map_err(|e| e.to_string())?;
            let note = match outcome {
                Outcome::Unchanged => " (already archived, identical)",
                Outcome::Replaced => " (replaced the unapproved revision)",
                Outcome::Written => "",
            };
            (dir.join(archive::REPORT), note)
        }
    };
    Ok(format!(
        "{}: {} page{}, {} KB, {:.2} s{note}",
        pdf_path.display(),
        rendered.pages,
        if rendered.pages == 1 { "" } else { "s" },
        rendered.pdf.len().div_ceil(1024),
        started.elapsed().as_secs_f64()
    ))
}

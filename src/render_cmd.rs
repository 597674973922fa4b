//! The `render` command: one engagement, or a batch rendered in parallel on all cores.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cfp_verify::archive::{self, Outcome};
use cfp_verify::engagement::Language;
use cfp_verify::load;
use cfp_verify::render::{self, Assets, Options, RenderError, write_atomic};
use cfp_verify::template::{self, Overrides};
use cfp_verify::world::Fonts;

/// What every report of a run shares.
pub struct Settings {
    pub output: Option<PathBuf>,
    pub archive: PathBuf,
    pub languages: Option<Vec<Language>>,
    pub templates: Overrides,
    pub typst: Option<PathBuf>,
}

/// Renders `inputs` (engagement files, or folders of them): one line per report, and for a
/// batch a summary. Exit 1 if any failed.
pub fn run(
    inputs: &[PathBuf],
    font_dir: Option<&Path>,
    templates: Option<&Path>,
    mut settings: Settings,
) -> ExitCode {
    let extra_fonts;
    let fonts = match font_dir {
        None => Fonts::embedded(),
        Some(dir) => match Fonts::with_dir(dir) {
            Ok(f) => {
                extra_fonts = f;
                &extra_fonts
            }
            Err(e) => {
                eprintln!("{}: cannot read the fonts: {e}", dir.display());
                return ExitCode::from(1);
            }
        },
    };
    if let Some(dir) = templates {
        match template::read_overrides(dir) {
            Ok(t) => settings.templates = t,
            Err(e) => {
                eprintln!("{}: cannot read the templates: {e}", dir.display());
                return ExitCode::from(1);
            }
        }
    }
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
        return match files.first().map(|f| render_one(f, &settings, fonts)) {
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
                    let result = render_one(file, settings, fonts);
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

/// Renders one engagement: its summary line, or every message of its failure.
pub fn render_one(file: &Path, settings: &Settings, fonts: &Fonts) -> Result<String, String> {
    let started = Instant::now();
    let verified = load(file).map_err(|invalid| invalid.to_string())?;
    let report = &verified.engagement.report;
    // The superseded revision, when it is in the archive: the report shows what changed.
    let previous = (report.revision > 1)
        .then(|| archive::revision_dir(&settings.archive, &report.number, report.revision - 1))
        .and_then(|dir| std::fs::read(dir.join(render::ENGAGEMENT)).ok());
    let options = Options {
        previous,
        languages: settings.languages.clone(),
        templates: settings.templates.clone(),
    };
    let base = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let rendered = render::render(&verified, Assets::Dir(base), fonts, &options).map_err(|e| {
        let mut message = format!("{}: {e}", file.display());
        if let RenderError::Typst { typst: source, .. } = &e {
            let dump = match &settings.output {
                Some(pdf) => pdf.with_extension("typ"),
                None => settings
                    .archive
                    .join(format!("{}-r{}.typ", report.number, report.revision)),
            };
            if write_atomic(&dump, source.as_bytes()).is_ok() {
                message.push_str(&format!(
                    "\n  the generated typst source is in {}",
                    dump.display()
                ));
            }
        }
        message
    })?;
    let cannot_write =
        |path: &Path, e: std::io::Error| format!("{}: cannot write: {e}", path.display());
    if let Some(t) = &settings.typst {
        write_atomic(t, rendered.typst.as_bytes()).map_err(|e| cannot_write(t, e))?;
    }
    let (pdf_path, note) = match &settings.output {
        Some(pdf) => {
            let json = verified.json();
            for (path, bytes) in [
                (pdf.clone(), rendered.pdf.as_slice()),
                (pdf.with_extension("json"), json.as_bytes()),
            ] {
                write_atomic(&path, bytes).map_err(|e| cannot_write(&path, e))?;
            }
            (pdf.clone(), "")
        }
        None => {
            let (dir, outcome) = archive::store(&settings.archive, &verified, &rendered)
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

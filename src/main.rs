//! The `cfp-verify` binary: parses arguments, calls the library, prints, sets the exit code.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::archive::{self, Outcome};
use cfp_verify::engagement::Language;
use cfp_verify::render::{self, Assets, Options, RenderError, write_atomic};
use cfp_verify::verify::{self, Verdict};
use cfp_verify::world::Fonts;
use cfp_verify::{Verified, diff, load, table, template};
use cli::{Cli, Command, Lang};

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { file } => run(&file, |v, name| {
            let products = v.engagement.products.len();
            let n = v.findings.len();
            format!(
                "{}{name}: valid: {products} product{}, {n} finding{}\n",
                table::findings_text(v, name),
                if products == 1 { "" } else { "s" },
                if n == 1 { "" } else { "s" },
            )
        }),
        Command::Calc { file, json } => {
            run(
                &file,
                |v, _| {
                    if json { v.json() } else { table::calc_table(v) }
                },
            )
        }
        Command::Verify { pdf } => verify_report(&pdf),
        Command::Diff { old, new, json } => diff_files(&old, &new, json),
        Command::Render {
            file,
            output,
            archive,
            lang,
            templates,
            font_dir,
            typst,
        } => render_report(
            &file,
            output,
            &archive,
            lang,
            templates.as_deref(),
            font_dir.as_deref(),
            typst.as_deref(),
        ),
    }
}

/// `render`: PDF and results JSON, written atomically; one summary line.
fn render_report(
    file: &Path,
    output: Option<std::path::PathBuf>,
    archive_root: &Path,
    lang: Option<Lang>,
    templates: Option<&Path>,
    font_dir: Option<&Path>,
    typst: Option<&Path>,
) -> ExitCode {
    let started = std::time::Instant::now();
    let verified = match load(file) {
        Ok(v) => v,
        Err(invalid) => {
            eprintln!("{invalid}");
            return ExitCode::from(1);
        }
    };
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
    let report = &verified.engagement.report;
    // The superseded revision, when it is in the archive: the report shows what changed.
    let previous = (report.revision > 1)
        .then(|| archive::revision_dir(archive_root, &report.number, report.revision - 1))
        .and_then(|dir| std::fs::read(dir.join(render::ENGAGEMENT)).ok());
    let options = Options {
        previous,
        languages: lang.map(|l| match l {
            Lang::Zh => vec![Language::Zh],
            Lang::En => vec![Language::En],
            Lang::ZhEn => vec![Language::Zh, Language::En],
            Lang::EnZh => vec![Language::En, Language::Zh],
        }),
        templates: match templates.map(template::read_overrides).transpose() {
            Ok(t) => t.unwrap_or_default(),
            Err(e) => {
                eprintln!("cannot read the templates: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let base = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let rendered = match render::render(&verified, Assets::Dir(base), fonts, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            if let RenderError::Typst { typst: source, .. } = &e {
                let dump = match &output {
                    Some(pdf) => pdf.with_extension("typ"),
                    None => {
                        Path::new("out").join(format!("{}-r{}.typ", report.number, report.revision))
                    }
                };
                if write_atomic(&dump, source.as_bytes()).is_ok() {
                    eprintln!("  the generated typst source is in {}", dump.display());
                }
            }
            return ExitCode::from(1);
        }
    };
    if let Some(t) = typst
        && let Err(e) = write_atomic(t, rendered.typst.as_bytes())
    {
        eprintln!("{}: cannot write: {e}", t.display());
        return ExitCode::from(1);
    }
    let (pdf_path, note) = match output {
        Some(pdf) => {
            let json = verified.json();
            for (path, bytes) in [
                (pdf.clone(), rendered.pdf.as_slice()),
                (pdf.with_extension("json"), json.as_bytes()),
            ] {
                if let Err(e) = write_atomic(&path, bytes) {
                    eprintln!("{}: cannot write: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
            (pdf, "")
        }
        None => match archive::store(archive_root, &verified, &rendered) {
            Ok((dir, outcome)) => (
                dir.join(archive::REPORT),
                match outcome {
                    Outcome::Unchanged => " (already archived, identical)",
                    Outcome::Replaced => " (replaced the unapproved revision)",
                    Outcome::Written => "",
                },
            ),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        },
    };
    println!(
        "{}: {} page{}, {} KB, {:.2} s{note}",
        pdf_path.display(),
        rendered.pages,
        if rendered.pages == 1 { "" } else { "s" },
        rendered.pdf.len().div_ceil(1024),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// Loads `file` and prints what `output` makes of it; exit 1 with every problem if invalid.
fn run(file: &Path, output: impl Fn(&Verified, &str) -> String) -> ExitCode {
    let name = file.display().to_string();
    match load(file) {
        Ok(verified) => {
            // A closed pipe (`| head`) is not worth a message.
            let _ = std::io::stdout().write_all(output(&verified, &name).as_bytes());
            ExitCode::SUCCESS
        }
        Err(invalid) => {
            eprintln!("{invalid}");
            ExitCode::from(1)
        }
    }
}

/// Reads an engagement file, or the engagement attached to a report PDF.
fn load_any(path: &Path) -> Result<Verified, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.starts_with(b"%PDF") {
        let name = path.display().to_string();
        verify::engagement_of(&bytes, &name)
            .map(|(v, _)| v)
            .map_err(|e| format!("{name}: {e}"))
    } else {
        load(path).map_err(|e| e.to_string())
    }
}

/// `verify`: render the attached engagement again and compare.
fn verify_report(pdf: &Path) -> ExitCode {
    let name = pdf.display().to_string();
    let bytes = match std::fs::read(pdf) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return ExitCode::from(1);
        }
    };
    match verify::verify(&bytes, &name, Fonts::embedded()) {
        Ok(Verdict::Verified) => {
            println!("{name}: verified: the PDF is exactly what its attached engagement gives");
            ExitCode::SUCCESS
        }
        Ok(Verdict::FiguresDiffer(changes)) => {
            println!(
                "{name}: NOT verified: the attached figures differ from those the attached engagement gives:"
            );
            for c in changes {
                println!("  {c}");
            }
            ExitCode::from(1)
        }
        Ok(Verdict::BytesDiffer { generator }) => {
            let this = format!("cfp-verify {}", env!("CARGO_PKG_VERSION"));
            let why = if generator == this {
                "the PDF was changed after it was rendered".to_owned()
            } else {
                format!("it was made by {generator}, this is {this}: verify it with that version")
            };
            println!(
                "{name}: NOT verified: the figures agree with the attached engagement, but the PDF's bytes differ: {why}"
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::from(1)
        }
    }
}

/// `diff`: figures and lines that changed.
fn diff_files(old: &Path, new: &Path, json: bool) -> ExitCode {
    let (old, new) = match (load_any(old), load_any(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            for e in [a.err(), b.err()].into_iter().flatten() {
                eprintln!("{e}");
            }
            return ExitCode::from(1);
        }
    };
    let d = diff::diff(&old, &new);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&d).expect("plain data serializes")
        );
    } else {
        print!("{}", diff::diff_text(&d));
    }
    ExitCode::SUCCESS
}

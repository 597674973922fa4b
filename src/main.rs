//! The `cfp-verify` binary: parses arguments, calls the library, prints, sets the exit code.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::engagement::Language;
use cfp_verify::render::{self, Options, RenderError, write_atomic};
use cfp_verify::world::Fonts;
use cfp_verify::{Verified, load, table};
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
        Command::Render {
            file,
            output,
            lang,
            templates,
            font_dir,
            typst,
        } => render_report(
            &file,
            output,
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
    let pdf_path = output.unwrap_or_else(|| {
        Path::new("out").join(format!("{}-r{}.pdf", report.number, report.revision))
    });
    let options = Options {
        languages: lang.map(|l| match l {
            Lang::Zh => vec![Language::Zh],
            Lang::En => vec![Language::En],
            Lang::ZhEn => vec![Language::Zh, Language::En],
            Lang::EnZh => vec![Language::En, Language::Zh],
        }),
        templates,
    };
    let rendered = match render::render(&verified, &verified.source, file.parent(), fonts, &options)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            if let RenderError::Typst { typst: source, .. } = &e {
                let dump = pdf_path.with_extension("typ");
                if write_atomic(&dump, source.as_bytes()).is_ok() {
                    eprintln!("  the generated typst source is in {}", dump.display());
                }
            }
            return ExitCode::from(1);
        }
    };
    let json = verified.json();
    let mut writes = vec![
        (pdf_path.clone(), rendered.pdf.as_slice()),
        (pdf_path.with_extension("json"), json.as_bytes()),
    ];
    if let Some(t) = typst {
        writes.push((t.to_path_buf(), rendered.typst.as_bytes()));
    }
    for (path, bytes) in writes {
        if let Err(e) = write_atomic(&path, bytes) {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    println!(
        "{}: {} page{}, {} KB, {:.2} s",
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

//! The `cfp-verify` binary: parses arguments, calls the library, prints, sets the exit code.

mod cli;
mod render_cmd;
mod watch_cmd;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::diag::Style;
use cfp_verify::engagement::Language;
use cfp_verify::exports::{diff, table};
use cfp_verify::report::template::Wording;
use cfp_verify::report::verify::{self, Verdict};
use cfp_verify::report::world::Fonts;
use cfp_verify::{Verified, load};
use cli::{Cli, Command, DiagnosticFormat, Lang, ReportArgs};

/// How problems are printed in this run, set once from `--diagnostic-format`.
static STYLE: std::sync::OnceLock<Style> = std::sync::OnceLock::new();

/// The style problems are printed in.
fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = STYLE.set(match cli.diagnostic_format {
        DiagnosticFormat::Short => Style::Short,
        DiagnosticFormat::Human => {
            use std::io::IsTerminal;
            let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || !std::io::stderr().is_terminal();
            if plain { Style::Human } else { Style::Color }
        }
    });
    match cli.command {
        Command::Check { file, templates } => {
            let wording = match render_cmd::open_templates(templates.as_deref())
                .and_then(|dir| Wording::load(dir.as_deref()).map_err(|e| e.to_string()))
            {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(1);
                }
            };
            run(&file, |v, name| {
                let products = v.engagement.products.len();
                let n = v.findings.len();
                format!(
                    "{}{name}: valid: {products} product{}, {n} finding{}\n",
                    table::findings_text(v, name, &wording.catalogue),
                    if products == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                )
            })
        }
        Command::Calc {
            file,
            json,
            xlsx: Some(out),
        } if !json => {
            let Some(v) = load_or_report(&file) else {
                return ExitCode::from(1);
            };
            let bytes = cfp_verify::exports::workbook::workbook(&v).map_err(|e| e.to_string());
            let n = v.engagement.products.len();
            write_out(
                &file,
                &out,
                bytes,
                &format!("a summary sheet and {n} product sheets"),
            )
        }
        Command::Calc { file, json, .. } => {
            run(
                &file,
                |v, _| {
                    if json { v.json() } else { table::calc_table(v) }
                },
            )
        }
        Command::Verify {
            pdf,
            templates,
            font_dir,
            timeout,
        } => verify_report(&pdf, templates.as_deref(), font_dir.as_deref(), timeout),
        Command::Watch { file, report } => {
            let templates = report.templates.clone();
            match settings(report, None) {
                Ok(s) => watch_cmd::run(&file, templates.as_deref(), s),
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Export {
            file,
            pact: _,
            output,
        } => {
            let Some(v) = load_or_report(&file) else {
                return ExitCode::from(1);
            };
            let mut json =
                serde_json::to_string_pretty(&cfp_verify::exports::pact::product_footprints(&v))
                    .expect("JSON values serialize");
            json.push('\n');
            match output {
                Some(path) => {
                    let n = v.engagement.products.len();
                    write_out(
                        &file,
                        &path,
                        Ok(json.into_bytes()),
                        &format!("{n} product footprints"),
                    )
                }
                None => {
                    print!("{json}");
                    ExitCode::SUCCESS
                }
            }
        }
        Command::Schema => {
            print!("{}", cfp_verify::schema());
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "cfp-verify",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Init { dir, lang } => init(dir.as_deref().unwrap_or(Path::new(".")), lang),
        Command::Diff { old, new, json } => diff_files(&old, &new, json),
        Command::Render {
            files,
            report,
            font_dir,
            typst,
        } => match settings(report, typst) {
            Ok(s) => render_cmd::run(&files, font_dir.as_deref(), s),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(1)
            }
        },
    }
}

/// The render settings of `render` and `watch`.
fn settings(
    args: ReportArgs,
    typst: Option<std::path::PathBuf>,
) -> Result<render_cmd::Settings, String> {
    Ok(render_cmd::Settings {
        templates: render_cmd::open_templates(args.templates.as_deref())?,
        report_style: args.style,
        output: args.output,
        archive: args.archive,
        languages: args.lang.map(languages),
        typst,
        style: style(),
    })
}

/// Loads `file`, or prints every problem in it and gives `None`.
fn load_or_report(file: &Path) -> Option<Verified> {
    load(file)
        .map_err(|invalid| eprintln!("{}", invalid.report(style())))
        .ok()
}

/// Writes `bytes` to `path` atomically; one line saying what, or why not.
fn write_out(input: &Path, path: &Path, bytes: Result<Vec<u8>, String>, what: &str) -> ExitCode {
    if cfp_verify::same_file(input, path) {
        eprintln!(
            "{}: is the engagement file itself; nothing was written",
            path.display()
        );
        return ExitCode::from(1);
    }
    match bytes
        .and_then(|b| cfp_verify::report::render::write_atomic(path, &b).map_err(|e| e.to_string()))
    {
        Ok(()) => {
            println!("{}: {what}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: cannot write: {e}", path.display());
            ExitCode::from(1)
        }
    }
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
            eprintln!("{}", invalid.report(style()));
            ExitCode::from(1)
        }
    }
}

/// Reads an engagement file, or the engagement attached to a report PDF.
fn load_any(path: &Path) -> Result<Verified, String> {
    let bytes = cfp_verify::read_regular(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.starts_with(b"%PDF") {
        let name = path.display().to_string();
        verify::engagement_of(&bytes, &name).map_err(|e| format!("{name}: {e}"))
    } else {
        load(path).map_err(|e| e.report(style()))
    }
}

/// `verify`: render the attached engagement again and compare.
fn verify_report(
    pdf: &Path,
    templates: Option<&Path>,
    font_dir: Option<&Path>,
    timeout: u64,
) -> ExitCode {
    let name = pdf.display().to_string();
    // A watchdog: a hostile PDF must not keep `verify` busy for ever.
    {
        let name = name.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(timeout));
            eprintln!("{name}: not verified within {timeout} s (`--timeout`); given up");
            std::process::exit(1);
        });
    }
    let bytes = match std::fs::read(pdf) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return ExitCode::from(1);
        }
    };
    let templates = match render_cmd::open_templates(templates) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let extra = match render_cmd::extra_fonts(font_dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let fonts = extra.as_ref().unwrap_or(Fonts::embedded());
    let list = |t: &[cfp_verify::report::render::RecordedTemplate]| {
        t.iter()
            .map(|t| format!("\n  {}  sha256 {}", t.name, t.sha256))
            .collect::<String>()
    };
    match verify::verify(&bytes, &name, fonts, templates) {
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
        Ok(Verdict::CustomTemplates(t)) => {
            println!(
                "{name}: NOT verified: the report was made with templates that are not built in, so what it prints is not determined by its engagement alone:{}\n  hint: if you vouch for these templates, verify with `--templates DIR` holding them",
                list(&t)
            );
            ExitCode::from(1)
        }
        Ok(Verdict::TemplatesDiffer { recorded, given }) => {
            println!(
                "{name}: NOT verified: the report was made with the templates{}\nbut the templates folder gives{}",
                if recorded.is_empty() {
                    " built in".to_owned()
                } else {
                    list(&recorded)
                },
                if given.is_empty() {
                    " none that the report uses".to_owned()
                } else {
                    list(&given)
                },
            );
            ExitCode::from(1)
        }
        Ok(Verdict::BytesDiffer { generator }) => {
            let this = format!("cfp-verify {}", env!("CARGO_PKG_VERSION"));
            let why = if generator == this {
                "the PDF was changed after it was rendered (or made with other fonts: `--font-dir`)"
                    .to_owned()
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

/// `init`: a starter engagement in `dir`, never over an existing file.
fn init(dir: &Path, lang: Lang) -> ExitCode {
    use std::io::Write;
    let path = dir.join("engagement.yaml");
    let text = cfp_verify::starter::starter(&languages(lang));
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        f.write_all(text.as_bytes())
    });
    match written {
        Ok(()) => {
            println!(
                "{}: a starter engagement; edit it, then `cfp-verify check {0}`",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("{}: already exists; nothing was written", path.display());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{}: cannot write: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

fn languages(lang: Lang) -> Vec<Language> {
    match lang {
        Lang::Zh => vec![Language::Zh],
        Lang::En => vec![Language::En],
        Lang::ZhEn => vec![Language::Zh, Language::En],
        Lang::EnZh => vec![Language::En, Language::Zh],
    }
}

//! `verify`: render a report's attached engagement again and compare.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::report::render::RecordedTemplate;
use cfp_verify::report::verify::{self, Verdict};
use cfp_verify::report::world::Fonts;

use crate::config::{extra_fonts, open_templates};

use super::Error;

/// Says whether `pdf` is exactly what its attached engagement gives, with the templates
/// of `templates` and the fonts of `font_dir`; gives up after `timeout` seconds.
/// Exit 0 verified, 1 not.
pub fn run(
    pdf: &Path,
    templates: Option<&Path>,
    font_dir: Option<&Path>,
    timeout: u64,
) -> Result<ExitCode, Error> {
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
    let bytes = std::fs::read(pdf).map_err(|source| Error::CannotRead {
        name: name.clone(),
        source,
    })?;
    let templates = open_templates(templates)?;
    let extra = extra_fonts(font_dir)?;
    let fonts = extra.as_ref().unwrap_or(Fonts::embedded());
    let verdict =
        verify::verify(&bytes, &name, fonts, templates).map_err(|source| Error::Verify {
            name: name.clone(),
            source,
        })?;
    let verified = matches!(verdict, Verdict::Verified);
    super::print(&format!("{}\n", says(&name, verdict)));
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What the verdict on the PDF `name` means, in words.
fn says(name: &str, verdict: Verdict) -> String {
    let list = |t: &[RecordedTemplate]| {
        t.iter()
            .map(|t| format!("\n  {}  sha256 {}", t.name, t.sha256))
            .collect::<String>()
    };
    match verdict {
        Verdict::Verified => {
            format!("{name}: verified: the PDF is exactly what its attached engagement gives")
        }
        Verdict::FiguresDiffer(changes) => format!(
            "{name}: NOT verified: the attached figures differ from those the attached engagement gives:{}",
            changes
                .iter()
                .map(|c| format!("\n  {c}"))
                .collect::<String>()
        ),
        Verdict::CustomTemplates(t) => format!(
            "{name}: NOT verified: the report was made with templates that are not built in, so what it prints is not determined by its engagement alone:{}\n  hint: if you vouch for these templates, verify with `--templates DIR` holding them",
            list(&t)
        ),
        Verdict::TemplatesDiffer { recorded, given } => format!(
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
        ),
        Verdict::BytesDiffer { generator } => {
            let this = format!("cfp-verify {}", env!("CARGO_PKG_VERSION"));
            let why = if generator == this {
                "the PDF was changed after it was rendered (or made with other fonts: `--font-dir`)"
                    .to_owned()
            } else {
                format!("it was made by {generator}, this is {this}: verify it with that version")
            };
            format!(
                "{name}: NOT verified: the figures agree with the attached engagement, but the PDF's bytes differ: {why}"
            )
        }
    }
}

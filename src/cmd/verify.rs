//! `verify`: render a report's attached engagement again and compare.

use std::path::Path;
use std::process::ExitCode;

use cfp_verify::report::render::RecordedTemplate;
use cfp_verify::report::sign::{self, Signature, Trust};
use cfp_verify::report::verify::{self, Verdict};
use cfp_verify::report::world::Fonts;

use crate::config::{extra_fonts, open_templates};

use super::Error;

/// Says whether `pdf` is exactly what its attached engagement gives, with the templates
/// of `templates` and the fonts of `font_dir`; for a signed PDF, first whether the
/// signature holds and who signed, and whether the signer chains to a CA of `trust`.
/// Gives up after `timeout` seconds. Exit 0 verified, 1 not.
pub fn run(
    pdf: &Path,
    templates: Option<&Path>,
    font_dir: Option<&Path>,
    trust: &[std::path::PathBuf],
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
    let mut anchors = Vec::new();
    for ca in trust {
        anchors.extend(sign::keys::trusted(ca).map_err(Error::Signer)?);
    }
    let not_verified = |why: String| {
        super::print(&format!("{name}: NOT verified: {why}\n"));
        Ok(ExitCode::from(1))
    };
    let (report, signature) = match sign::check(&bytes, &anchors) {
        None if !trust.is_empty() => {
            return not_verified("the PDF is not signed (`--trust` asks for a signature)".into());
        }
        None => (&bytes[..], None),
        Some(Err(broken)) => return not_verified(broken.to_string()),
        Some(Ok(signature)) => (&bytes[..signature.unsigned], Some(signature)),
    };
    let templates = open_templates(templates)?;
    let extra = extra_fonts(font_dir)?;
    let fonts = extra.as_ref().unwrap_or(Fonts::embedded());
    let verdict =
        verify::verify(report, &name, fonts, templates).map_err(|source| Error::Verify {
            name: name.clone(),
            source,
        })?;
    let mut verified = matches!(verdict, Verdict::Verified);
    if let Some(s) = &signature {
        super::print(&format!("{}\n", signed(&name, s)));
        if matches!(s.trust, Trust::Untrusted) {
            verified = false;
            super::print(&format!(
                "{name}: NOT verified: the signer's certificate does not chain to a CA given with `--trust`\n"
            ));
        }
    }
    if verified && signature.is_some() {
        super::print(&format!(
            "{name}: verified: the signature is valid over the whole file, and the signed report is exactly what its attached engagement gives\n"
        ));
    } else if !matches!(verdict, Verdict::Verified) || signature.is_none() {
        super::print(&format!("{}\n", says(&name, verdict)));
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Who signed, when and why, and whether the certificate chains to a trusted CA.
fn signed(name: &str, s: &Signature) -> String {
    let c = &s.signer;
    let trust = match &s.trust {
        Trust::NotAsked => "not checked (give the CA with `--trust CA.pem`)".to_owned(),
        Trust::ChainsTo(ca) => format!("chains to the trusted CA {ca}"),
        Trust::Untrusted => "does NOT chain to any CA given with `--trust`".to_owned(),
    };
    format!(
        "{name}: signed (PAdES, the signature is cryptographically valid over the whole file but its value)\n  signer:   {}\n  issuer:   {}\n  serial:   {}\n  valid:    {} to {}\n  key:      {}\n  time:     {}\n  reason:   {}{}\n  trust:    {trust}",
        c.subject,
        c.issuer,
        c.serial,
        c.not_before,
        c.not_after,
        c.key,
        s.fields.time,
        s.fields.reason,
        s.fields
            .location
            .as_ref()
            .map(|l| format!("\n  location: {l}"))
            .unwrap_or_default(),
    )
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

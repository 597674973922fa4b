//! The `cfp-verify` binary: parses arguments, dispatches to a command, and turns its
//! errors into messages and exit codes.

#![warn(missing_docs)]

mod cli;
mod cmd;
mod config;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::diag::Style;
use cli::{Cli, Command, DiagnosticFormat};
use config::{Purpose, RenderConfig};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = style(cli.diagnostic_format);
    match run(cli.command, style) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.report(style));
            ExitCode::from(e.exit_code())
        }
    }
}

/// How problems are printed: `--diagnostic-format`, coloured on a terminal unless
/// `NO_COLOR` is set.
fn style(format: DiagnosticFormat) -> Style {
    use std::io::IsTerminal;
    match format {
        DiagnosticFormat::Short => Style::Short,
        DiagnosticFormat::Human => {
            let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || !std::io::stderr().is_terminal();
            if plain { Style::Human } else { Style::Color }
        }
    }
}

/// Runs `command`.
fn run(command: Command, style: Style) -> Result<ExitCode, cmd::Error> {
    match command {
        Command::Check { file, templates } => cmd::check::run(&file, templates.as_deref(), style),
        Command::Calc { file, json, xlsx } => cmd::calc::run(&file, json, xlsx.as_deref()),
        Command::Render {
            files,
            report,
            sign,
            signer,
        } => {
            let mut config = RenderConfig::from_args(&files, &report, Purpose::Render, style)?;
            match &sign {
                Some(key) => {
                    let signing =
                        cmd::sign::Signing::from_args(key, &signer).map_err(cmd::Error::Signer)?;
                    config.sign = Some(std::sync::Arc::new(signing));
                }
                None if signer.given() => {
                    use clap::CommandFactory;
                    Cli::command()
                        .error(
                            clap::error::ErrorKind::MissingRequiredArgument,
                            "`--cert`, `--chain`, `--password-*` and `--time` sign a report: give the key with `--sign KEY`",
                        )
                        .exit()
                }
                None => {}
            }
            cmd::render::run(&config)
        }
        Command::Sign {
            pdf,
            key,
            signer,
            output,
            force,
        } => cmd::sign::run(&pdf, &key, &signer, output.as_deref(), force),
        Command::Watch { file, report } => {
            let config = RenderConfig::from_args(&[file], &report, Purpose::Watch, style)?;
            cmd::watch::run(&config)
        }
        Command::Verify {
            pdf,
            templates,
            font_dir,
            trust,
            timeout,
        } => cmd::verify::run(
            &pdf,
            templates.as_deref(),
            font_dir.as_deref(),
            &trust,
            timeout,
        ),
        Command::Diff { old, new, json } => cmd::diff::run(&old, &new, json),
        Command::Export {
            file,
            pact: _,
            output,
        } => cmd::export::run(&file, output.as_deref()),
        Command::Init { dir, lang } => {
            cmd::init::run(dir.as_deref().unwrap_or(Path::new(".")), lang)
        }
        Command::Schema { results } => Ok(cmd::schema::run(results)),
        Command::Completions { shell } => Ok(cmd::completions::run(shell)),
    }
}

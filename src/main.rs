//! The `cfp-verify` binary: parses arguments, dispatches to a command, and turns its
//! errors into messages and exit codes.

#![warn(missing_docs)]

mod cli;
mod cmd;
mod config;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use cfp_verify::diag::Style;
use cli::{Cli, ColorChoice, Command, DiagnosticFormat};
use config::{Purpose, RenderConfig};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` are output like any other: a failed write is an error.
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            use std::io::IsTerminal;
            let text = e.render();
            cmd::print(&if std::io::stdout().is_terminal() {
                text.ansi().to_string()
            } else {
                text.to_string()
            });
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    cmd::set_quiet(cli.quiet);
    // Problems go to standard error, findings to standard output: each styled for its stream
    // (`--diagnostic-format`, coloured as `--color` says; `auto`: on a terminal unless
    // `NO_COLOR` is set).
    use std::io::IsTerminal;
    let style = pick(
        cli.diagnostic_format,
        cli.color,
        std::io::stderr().is_terminal(),
    );
    let out_style = pick(
        cli.diagnostic_format,
        cli.color,
        std::io::stdout().is_terminal(),
    );
    match run(cli.command, style, out_style) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.report(style));
            ExitCode::from(e.exit_code())
        }
    }
}

/// The style for a stream that is a terminal or not.
fn pick(format: DiagnosticFormat, color: ColorChoice, terminal: bool) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match (format, color) {
        (DiagnosticFormat::Short, _) => Style::Short,
        (DiagnosticFormat::Human, ColorChoice::Always) => Style::Color,
        (DiagnosticFormat::Human, ColorChoice::Auto) if terminal && !no_color => Style::Color,
        (DiagnosticFormat::Human, _) => Style::Human,
    }
}

/// Runs `command`.
fn run(command: Command, style: Style, out_style: Style) -> Result<ExitCode, cmd::Error> {
    match command {
        Command::Check {
            files,
            json,
            templates,
        } => cmd::check::run(&files, templates.as_deref(), out_style, style, json),
        Command::Calc { files, json, xlsx } => cmd::calc::run(&files, json, xlsx.as_deref()),
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

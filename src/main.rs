//! The `cfp-verify` binary: parses arguments, calls the library, prints, sets the exit code.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::{Verified, load, table};
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (file, run): (&std::path::Path, fn(&Verified, &str, bool) -> String) = match &cli.command {
        Command::Check { file } => (file, check),
        Command::Calc { file, .. } => (file, calc),
    };
    let json = matches!(cli.command, Command::Calc { json: true, .. });
    let name = file.display().to_string();
    match load(file) {
        Ok(verified) => {
            let out = run(&verified, &name, json);
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = std::io::stdout().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(invalid) => {
            eprintln!("{invalid}");
            ExitCode::from(1)
        }
    }
}

fn check(v: &Verified, name: &str, _json: bool) -> String {
    let products = v.engagement.products.len();
    let n = v.findings.len();
    format!(
        "{}{name}: valid: {products} product{}, {n} finding{}\n",
        table::findings_text(v, name),
        if products == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" },
    )
}

fn calc(v: &Verified, _name: &str, json: bool) -> String {
    if json { v.json() } else { table::calc_table(v) }
}

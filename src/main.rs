//! The `cfp-verify` binary: parses arguments, calls the library, prints, sets the exit code.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cfp_verify::{Verified, load, table};
use cli::{Cli, Command};

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
            eprintln!("{invalid}");
            ExitCode::from(1)
        }
    }
}

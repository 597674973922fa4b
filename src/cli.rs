//! The command line: clap types for the subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Product carbon footprint verification reports from one YAML engagement file.
#[derive(Debug, Parser)]
#[command(name = "cfp-verify", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate an engagement file and print the verification findings.
    ///
    /// Exit status: 0 valid (findings are warnings), 1 invalid, 2 usage error.
    Check {
        /// The engagement file (YAML, format cfp-verify/1).
        file: PathBuf,
    },
    /// Print every figure per product: stage totals, per unit, shares, lines, data quality
    /// and the reconciliation of claimed figures.
    Calc {
        /// The engagement file (YAML, format cfp-verify/1).
        file: PathBuf,
        /// Print the results as JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
}

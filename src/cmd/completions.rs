//! `completions`: a shell completion script.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;

/// Prints the completion script for `shell`.
pub fn run(shell: clap_complete::Shell) -> ExitCode {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "cfp-verify",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}

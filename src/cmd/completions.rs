//! `completions`: a shell completion script.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;

use super::print;

/// Prints the completion script for `shell`.
pub fn run(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cfp-verify", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        script = mend_bash(&script);
    }
    print(&script);
    ExitCode::SUCCESS
}

/// Works around clap-rs/clap#6421: for a binary name with a hyphen, the bash script's loop
/// names a subcommand's state `cfp__verify__subcmd__render`, while its `case` arms spell it
/// `cfp__subcmd__verify__subcmd__render`, so no subcommand's options ever complete. The
/// arms are renamed as the loop names them (nothing else in the script has the wrong name).
fn mend_bash(script: &str) -> String {
    script.replace("cfp__subcmd__verify", "cfp__verify")
}

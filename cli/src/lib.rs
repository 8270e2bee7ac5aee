//! The `trustsim` command line: who can assume this AWS IAM role?
//!
//! The binary (`src/main.rs`) only calls [`main`]: arguments are parsed (clap), turned into a
//! validated request early, and handed to the library crates. See `docs/cli.md`. [`render`]
//! runs `analyze` on one input held in memory and gives every output format, for the fuzz
//! target `render` and for tests.

mod analyze_cmd;
mod config;
mod context_arg;
mod diff;
mod eval_cmd;
mod human;
mod input;
pub mod render;
mod sarif;
mod triage;
mod walk;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Who can assume this AWS IAM role?
#[derive(Parser, Debug)]
#[command(name = "trustsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate a simulated AssumeRole request against a trust policy.
    Eval(eval_cmd::EvalArgs),
    /// Could any caller the owner did not mean to trust assume these roles?
    Analyze(analyze_cmd::AnalyzeArgs),
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text (the default on a terminal).
    Human,
    /// The JSON of the contract (the default otherwise).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers (`analyze` only).
    Sarif,
}

/// Runs the command line: parses the arguments and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; everything else is invalid input (exit 1), never
            // the deny status 2 that clap would use.
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Eval(args) => eval_cmd::run(&args),
        Command::Analyze(args) => analyze_cmd::run(&args),
    }
}

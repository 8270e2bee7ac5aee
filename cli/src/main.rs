//! `trustsim`: who can assume this AWS IAM role? The command line lives in the library
//! (`src/lib.rs`), so that the fuzz target and tests can reach its renderers.

fn main() -> std::process::ExitCode {
    trustsim_cli::main()
}

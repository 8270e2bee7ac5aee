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
mod diff_cmd;
pub mod error;
mod eval_cmd;
pub mod exit;
mod human;
pub mod render;
mod sarif;
mod triage;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

pub use analyze_cmd::{AnalyzeArgs, FailOn, Kind};
pub use error::CliError;
pub use eval_cmd::EvalArgs;
pub use exit::Exit;

/// Who can assume this AWS IAM role?
#[derive(Parser, Debug)]
#[command(
    name = "trustsim",
    version,
    about = "Who can assume this AWS IAM role?",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour in the human output: `auto` (on a terminal, unless `NO_COLOR` is set), `always`
    /// or `never`.
    #[arg(long, value_enum, default_value_t = Colour::Auto, global = true)]
    color: Colour,
    /// Write the report to FILE instead of standard output (`-`: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE", global = true)]
    output: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate a simulated AssumeRole request against a trust policy.
    Eval(eval_cmd::EvalArgs),
    /// Could any caller the owner did not mean to trust assume these roles?
    Analyze(analyze_cmd::AnalyzeArgs),
    /// Does this change let anyone new assume the roles? (OLD NEW, or --git REV PATHS)
    Diff(diff_cmd::DiffArgs),
    /// Print a shell completion script (for example `trustsim completions bash >
    /// ~/.local/share/bash-completion/completions/trustsim`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): `trustsim man` for trustsim(1), `trustsim man analyze` for
    /// trustsim-analyze(1), for `man -l -` or a `man1` folder.
    Man {
        /// The subcommand whose page to print (`eval`, `analyze`, `completions`, `man`).
        subcommand: Option<String>,
    },
}

/// When the human output is coloured (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Colour {
    /// On a terminal, unless the environment sets `NO_COLOR`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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

/// Where a command writes and how: its report (standard output or `-o FILE`), its notes,
/// warnings and errors (standard error), and what the report's defaults depend on.
pub struct Io<'a> {
    /// The report.
    pub out: &'a mut dyn Write,
    /// Notes, warnings and errors.
    pub err: &'a mut dyn Write,
    /// The report goes to a terminal: the format defaults to `human`, not `json`.
    pub terminal: bool,
    /// The human output is coloured.
    pub colour: bool,
    /// A progress bar may be drawn on standard error (a terminal) for large scans.
    pub progress: bool,
}

/// Runs `trustsim analyze` with these arguments, writing as `io` says; the exit status.
pub fn analyze(args: &AnalyzeArgs, io: &mut Io<'_>) -> Exit {
    analyze_cmd::run(args, io)
}

/// Runs `trustsim eval` with these arguments, writing as `io` says; the exit status.
pub fn eval(args: &EvalArgs, io: &mut Io<'_>) -> Exit {
    eval_cmd::run(args, io)
}

/// The file of `-o FILE`: checked writable before the command runs, but emptied only when the
/// report's first bytes come, so that a run refused for a bad option leaves the file as it was
/// (and one it created, empty, is removed).
struct OutputFile {
    file: std::fs::File,
    path: PathBuf,
    /// The report has started: the old contents are gone.
    started: bool,
    /// The file did not exist before the run.
    created: bool,
}

impl OutputFile {
    fn open(path: &std::path::Path) -> std::io::Result<Self> {
        let created = !path.exists();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
            started: false,
            created,
        })
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.started {
            self.file.set_len(0)?;
            self.started = true;
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.created && !self.started {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes`; the error, if any.
fn io_write(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(bytes)
}

/// The status after writing `what`: a closed pipe (the reader has gone, as with `| head`) is
/// not an error; any other write error is.
fn written(io: &mut Io<'_>, result: std::io::Result<()>, what: &str) -> Exit {
    match result {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            let _ = writeln!(io.err, "trustsim: error: cannot write {what}: {e}");
            Exit::Invalid
        }
    }
}

/// `trustsim man [SUBCOMMAND]`: trustsim(1), or trustsim-SUBCOMMAND(1) with its options.
fn man_page(subcommand: Option<&str>, io: &mut Io<'_>) -> Exit {
    let cli = Cli::command();
    let page = match subcommand {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub
                .clone()
                .name(format!("trustsim-{name}"))
                .version(env!("CARGO_PKG_VERSION")),
            None => {
                let names: Vec<String> = cli
                    .get_subcommands()
                    .map(|s| s.get_name().to_owned())
                    .collect();
                let _ = writeln!(
                    io.err,
                    "trustsim: error: `{name}` is not a subcommand\n  help: one of {}",
                    names.join(", ")
                );
                return Exit::Invalid;
            }
        },
    };
    let mut roff = Vec::new();
    match clap_mangen::Man::new(page).render(&mut roff) {
        Ok(()) => {
            let result = io_write(&mut *io.out, &roff);
            written(io, result, "the man page")
        }
        Err(e) => {
            let _ = writeln!(io.err, "trustsim: error: cannot render the man page: {e}");
            Exit::Invalid
        }
    }
}

/// Runs the command line: parses the process's arguments and runs the subcommand on its
/// standard output and standard error.
pub fn main() -> Exit {
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    run_from(std::env::args_os(), &mut stdout, &mut stderr, true)
}

/// Runs `trustsim` with these arguments (the first is the program's name, as in `argv`),
/// writing the report to `out` (or to the file of `-o FILE`) and notes, warnings and errors to
/// `err`. With `own_streams`, `out` and `err` are the process's standard output and error, and
/// the defaults follow them (the human format and colour on a terminal, a progress bar); without
/// it the report defaults to JSON, with no colour (unless `--color always`) and no progress bar.
pub fn run_from<I, T>(argv: I, out: &mut dyn Write, err: &mut dyn Write, own_streams: bool) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; everything else is invalid input (exit 1), never
            // the deny status 2 that clap would use.
            let failed = e.use_stderr();
            if own_streams {
                let _ = e.print();
            } else if failed {
                let _ = write!(err, "{}", e.render());
            } else {
                let _ = write!(out, "{}", e.render());
            }
            return if failed { Exit::Invalid } else { Exit::Success };
        }
    };
    let to_file = cli.output.as_ref().filter(|p| p.as_os_str() != "-");
    let mut file = match to_file.map(|p| OutputFile::open(p)).transpose() {
        Ok(f) => f.map(std::io::BufWriter::new),
        Err(e) => {
            let _ = writeln!(
                err,
                "trustsim: error: {}: cannot write the report: {e}",
                to_file.map(|p| p.display().to_string()).unwrap_or_default()
            );
            return Exit::Invalid;
        }
    };
    let terminal = own_streams && file.is_none() && std::io::stdout().is_terminal();
    let colour = match cli.color {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let out: &mut dyn Write = match &mut file {
        Some(f) => f,
        None => out,
    };
    let mut io = Io {
        out,
        err,
        terminal,
        colour,
        progress: own_streams && std::io::stderr().is_terminal(),
    };
    let status = match cli.command {
        Command::Eval(args) => eval_cmd::run(&args, &mut io),
        Command::Analyze(args) => analyze_cmd::run(&args, &mut io),
        Command::Diff(args) => diff_cmd::run(&args, &mut io),
        Command::Completions { shell } => {
            // Generated in memory: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "trustsim", &mut script);
            let result = io_write(&mut *io.out, &script);
            written(&mut io, result, "the completion script")
        }
        Command::Man { subcommand } => man_page(subcommand.as_deref(), &mut io),
    };
    if let Err(e) = io.out.flush() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(io.err, "trustsim: error: cannot write the report: {e}");
            return Exit::Invalid;
        }
    }
    status
}

//! The command line's own input errors (flag values, the config file, the baseline, the
//! output), one type with a variant per kind and its data, as thiserror and miette
//! diagnostics. Errors of the inputs themselves are the library's (`sources::ScanError`,
//! `PolicyError`); every error is printed from its diagnostic, the message and then its help
//! (`sources::error_text`).

/// An input error of the command line itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// An account ID that is not 12 digits (`--account`, `--trusted-account`, or the config).
    #[error("{what} `{value}` is not a 12-digit account ID")]
    #[diagnostic(code(trustsim::cli::account))]
    Account {
        /// The flag, or the config key and file.
        what: String,
        /// The value given.
        value: String,
    },
    /// An organization ID that is not `o-` and 10 to 32 letters or digits.
    #[error("{what} `{value}` is not an organization ID")]
    #[diagnostic(
        code(trustsim::cli::organization),
        help("an organization ID is `o-` and 10 to 32 lower-case letters or digits (AWS Organizations API Reference, \"Organization\")")
    )]
    Organization {
        /// The flag, or the config key and file.
        what: String,
        /// The value given.
        value: String,
    },
    /// A `--parameter` that is not `NAME=VALUE`.
    #[error("--parameter `{value}` is not NAME=VALUE")]
    #[diagnostic(
        code(trustsim::cli::parameter),
        help("for example --parameter Env=prod or --parameter TrustedAccounts=111122223333,444455556666")
    )]
    Parameter {
        /// The value given.
        value: String,
    },
    /// A partition trustsim does not know.
    #[error("--partition `{value}` is not a partition")]
    #[diagnostic(code(trustsim::cli::partition))]
    Partition {
        /// The value given.
        value: String,
        /// The partitions there are.
        #[help]
        help: String,
    },
    /// A config file that cannot be read or is wrong, at its line.
    #[error("{place}: {message}")]
    #[diagnostic(code(trustsim::cli::config))]
    Config {
        /// The file, and the line when known (`trustsim.toml:12`).
        place: String,
        /// What is wrong.
        message: String,
        /// What would be right.
        #[help]
        help: Option<String>,
    },
    /// A baseline that cannot be read or is not a report, at its line or JSON Pointer.
    #[error("{place}: {message}")]
    #[diagnostic(code(trustsim::cli::baseline))]
    Baseline {
        /// The file, and the line or pointer.
        place: String,
        /// What is wrong.
        message: String,
        /// What would be right.
        #[help]
        help: Option<String>,
    },
}

impl CliError {
    /// A config error without a help.
    pub(crate) fn config(place: impl Into<String>, message: impl Into<String>) -> Self {
        CliError::Config {
            place: place.into(),
            message: message.into(),
            help: None,
        }
    }

    /// A config error with a help.
    pub(crate) fn config_help(
        place: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        CliError::Config {
            place: place.into(),
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// A baseline error, with a help when given.
    pub(crate) fn baseline(
        place: impl Into<String>,
        message: impl Into<String>,
        help: Option<&str>,
    ) -> Self {
        CliError::Baseline {
            place: place.into(),
            message: message.into(),
            help: help.map(str::to_owned),
        }
    }
}

//! The input errors of [`super::scan`]: one type, a variant per kind of error with its data.
//! Each names the file (and the JSON Pointer, or the line and column) in its message, and says
//! what would be right in its `help` (a miette diagnostic). [`error_text`] writes an error as
//! the command line prints it and the JSON report lists it.

use std::fmt::Write as _;

use crate::policy::PolicyError;
use crate::sources::terraform_config::ConfigError;

/// An input trustsim cannot read, or that holds no role where one was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ScanError {
    /// A file that cannot be read (`(standard input)` for `-`).
    #[error("{path}: cannot read: {reason}")]
    #[diagnostic(code(trustsim::scan::unreadable))]
    Unreadable {
        /// The file.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A directory whose entries cannot be listed.
    #[error("{path}: cannot read directory: {reason}")]
    #[diagnostic(code(trustsim::scan::unreadable_directory))]
    UnreadableDirectory {
        /// The directory.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A link, named directly, to nothing.
    #[error("{path}: a link to nothing: {reason}")]
    #[diagnostic(code(trustsim::scan::dangling_link))]
    DanglingLink {
        /// The link.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// A FIFO, socket or device named directly.
    #[error("{path}: {kind}, not a regular file")]
    #[diagnostic(
        code(trustsim::scan::not_regular),
        help("trustsim reads files and directories; give `-` to read standard input")
    )]
    NotRegular {
        /// The file.
        path: String,
        /// `a FIFO`, `a socket`, `a device`.
        kind: &'static str,
    },
    /// A path that names nothing and is no glob pattern.
    #[error("{path}: no such file or directory")]
    #[diagnostic(code(trustsim::scan::no_such_path))]
    NoSuchPath {
        /// The path as given.
        path: String,
    },
    /// A glob pattern the glob crate refuses.
    #[error("{pattern}: not a valid pattern: {reason}")]
    #[diagnostic(code(trustsim::scan::bad_pattern))]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// A glob pattern that matches nothing.
    #[error("{pattern}: the pattern matches no file")]
    #[diagnostic(code(trustsim::scan::no_match))]
    NoMatch {
        /// The pattern.
        pattern: String,
    },
    /// A match of a glob pattern that cannot be read.
    #[error("{pattern}: {reason}")]
    #[diagnostic(code(trustsim::scan::glob_entry))]
    GlobEntry {
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// A file past the size trustsim reads for anything (read no further).
    #[error("{path}: (document root): the file is larger than {limit} bytes, more than trustsim reads for {what}")]
    #[diagnostic(code(trustsim::scan::too_large_to_read))]
    TooLargeToRead {
        /// The file.
        path: String,
        /// The limit, in words (`4,194,304`).
        limit: String,
        /// What the file was read as.
        what: String,
        /// What to do.
        #[help]
        help: String,
    },
    /// A file larger than its kind allows (checked before it is parsed).
    #[error("{path}: (document root): the file is {size} bytes, more than trustsim reads for {what} (at most {max})")]
    #[diagnostic(code(trustsim::scan::too_large))]
    TooLarge {
        /// The file.
        path: String,
        /// Its size, in words.
        size: String,
        /// The limit, in words.
        max: String,
        /// What the file was read as.
        what: String,
        /// What to do.
        #[help]
        help: String,
    },
    /// A file that is not UTF-8 text.
    #[error(
        "{path}: line {line}, column {column}: the file is not UTF-8 text (byte 0x{byte:02X})"
    )]
    #[diagnostic(
        code(trustsim::scan::not_utf8),
        help("save it as UTF-8; IAM policy documents may hold only tab, line feed, carriage return and the characters U+0020 to U+00FF (IAM User Guide, \"IAM and AWS STS quotas\")")
    )]
    NotUtf8 {
        /// The file.
        path: String,
        /// The line of the first byte that is not UTF-8.
        line: usize,
        /// Its column, in characters.
        column: usize,
        /// The byte.
        byte: u8,
    },
    /// A document, or an element of it, that trustsim cannot read: the place (a file, or a role
    /// in one) and the policy error, with its JSON Pointer.
    #[error("{place}: {pointer}: {message}")]
    #[diagnostic(code(trustsim::scan::policy))]
    Policy {
        /// The file, or the role in it (`file (line 12)`).
        place: String,
        /// The JSON Pointer of the bad element, or `(document root)`.
        pointer: String,
        /// What is wrong.
        message: String,
        /// What would be right.
        #[help]
        help: Option<String>,
    },
    /// An error in a Terraform file, at its line.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Terraform(ConfigError),
    /// A file named directly that is no input kind.
    #[error(
        "{path}: not a trust policy, CloudFormation template, Terraform plan or account export"
    )]
    #[diagnostic(
        code(trustsim::scan::no_kind),
        help("a trust policy has `Statement`; a template `Resources`; a plan `format_version`; an export `RoleDetailList` (or give --input-kind)")
    )]
    NoKind {
        /// The file.
        path: String,
    },
    /// A file named directly that holds no role of its kind.
    #[error("{path}: holds no IAM role: {why}")]
    #[diagnostic(
        code(trustsim::scan::no_role),
        help("name the files that define roles, or a directory (where a file without roles is a note); give --allow-empty when that is expected")
    )]
    NoRole {
        /// The file.
        path: String,
        /// Its kind, in words (`a CloudFormation template with no ...`).
        why: &'static str,
    },
    /// No role at all in any of the paths.
    #[error("no roles found in {paths}{skipped}")]
    #[diagnostic(
        code(trustsim::scan::no_roles),
        help("check the paths; give --allow-empty when an input without roles is expected")
    )]
    NoRoles {
        /// The paths, as given.
        paths: String,
        /// The files a walk passed over, in words, or nothing.
        skipped: String,
    },
}

impl ScanError {
    /// The error of a policy error at a place.
    pub fn policy(place: impl Into<String>, error: &PolicyError) -> Self {
        ScanError::Policy {
            place: place.into(),
            pointer: error.pointer.to_string(),
            message: error.message.clone(),
            help: error.help.clone(),
        }
    }
}

/// An error as `trustsim` prints it after `trustsim: error: ` and as the JSON report's
/// `errors` list it: the message, then `  help: ...` on a line of its own when the diagnostic
/// has a help (miette's `Diagnostic::help`).
pub fn error_text(e: &dyn miette::Diagnostic) -> String {
    let mut s = e.to_string();
    if let Some(h) = e.help() {
        let _ = write!(s, "\n  help: {h}");
    }
    s
}

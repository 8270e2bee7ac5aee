//! The exit statuses of `trustsim`, in one place (docs/cli.md, "Exit status").

use std::process::{ExitCode, Termination};

/// How a run of `trustsim` ended. The numbers are part of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: `eval` allowed the request (or read every line of a batch); `analyze` found nothing
    /// that fails the run; help, version, completions and the man page.
    Success,
    /// 1: invalid input: an unreadable file, an invalid policy, request or template, a bad flag
    /// value, nothing to analyse, or output that could not be written.
    Invalid,
    /// 2: `eval` denied the request (`ExplicitDeny` or `ImplicitDeny`).
    Denied,
    /// 3: `analyze` found a finding at or above `--fail-on` that is not informational,
    /// suppressed or in the baseline (even when some inputs had errors).
    Found,
}

impl Exit {
    /// The number the process exits with.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Invalid => 1,
            Exit::Denied => 2,
            Exit::Found => 3,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

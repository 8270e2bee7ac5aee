//! Errors and warnings from reading a trust policy.

use thiserror::Error;

use crate::pointer::Pointer;

/// A trust policy that AWS would reject, or that trustsim cannot read. `pointer` names the bad
/// element.
#[derive(Clone, Debug, PartialEq, Eq, Error, miette::Diagnostic)]
#[error("{pointer}: {message}")]
#[diagnostic(code(trustsim::policy))]
pub struct PolicyError {
    /// Where in the document.
    pub pointer: Pointer,
    /// What is wrong.
    pub message: String,
    /// What would be right.
    #[help]
    pub help: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(pointer: Pointer, message: impl Into<String>) -> Self {
        Self {
            pointer,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Something AWS accepts but that probably does not do what its author meant (a condition key
/// no one sets, a value that never matches, a principal that matches nobody).
#[derive(Clone, Debug, PartialEq, Eq, Error, miette::Diagnostic)]
#[error("{pointer}: {message}")]
#[diagnostic(code(trustsim::policy::warning), severity(Warning))]
pub struct PolicyWarning {
    /// Where in the document.
    pub pointer: Pointer,
    /// What looks wrong.
    pub message: String,
}

//! Errors raised while compiling a condition. Evaluation itself never fails.

use thiserror::Error;

/// Why a condition (operator, key, values) cannot be compiled. Each variant that concerns one
/// policy value carries its `index` in the condition's value list, so a caller can build the
/// JSON Pointer of the bad element.
#[derive(Clone, Debug, PartialEq, Eq, Error, miette::Diagnostic)]
pub enum ConditionError {
    /// The operator name is not one IAM knows.
    #[error("unknown condition operator `{operator}`")]
    #[diagnostic(code(trustsim::condition::unknown_operator))]
    UnknownOperator {
        /// The operator as written.
        operator: String,
        /// A known operator the author probably meant.
        #[help]
        suggestion: Option<String>,
    },
    /// `NullIfExists` (with or without a set qualifier).
    #[error("`{operator}` is not a condition operator: `Null` takes no `IfExists` suffix")]
    #[diagnostic(
        code(trustsim::condition::null_if_exists),
        help("use `Null` alone: it already tests whether the key is present")
    )]
    NullIfExists {
        /// The operator as written.
        operator: String,
    },
    /// The condition key name is empty or malformed.
    #[error("invalid condition key `{key}`: {reason}")]
    #[diagnostic(code(trustsim::condition::invalid_key))]
    InvalidKey {
        /// The key as written.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A policy value that does not parse for its operator (a date that is not a date, ...).
    #[error("`{value}` is not a valid {expected} for `{operator}`: {reason}")]
    #[diagnostic(code(trustsim::condition::invalid_value))]
    InvalidValue {
        /// Position of the value in the condition's value list.
        index: usize,
        /// The value as written.
        value: String,
        /// The operator as written.
        operator: String,
        /// What kind of value the operator takes ("date", "CIDR", ...).
        expected: &'static str,
        /// What is wrong with it.
        reason: String,
        /// An example of a valid value.
        #[help]
        help: Option<String>,
    },
    /// A policy variable in an operator that does not take them.
    #[error("`{operator}` does not support policy variables, but `{value}` uses one")]
    #[diagnostic(
        code(trustsim::condition::variable_not_supported),
        help("policy variables work only with String and ARN operators (IAM User Guide, \"IAM policy elements: Variables and tags\")")
    )]
    VariableNotSupported {
        /// Position of the value in the condition's value list.
        index: usize,
        /// The value as written.
        value: String,
        /// The operator as written.
        operator: String,
    },
    /// A `${...}` in a value that is not a well-formed policy variable.
    #[error("`{value}` has a malformed policy variable: {reason}")]
    #[diagnostic(
        code(trustsim::condition::invalid_variable),
        help("write a variable as `${{aws:username}}` or with a default as `${{aws:username, 'none'}}`; use `${{$}}` for a literal `$`")
    )]
    InvalidVariable {
        /// Position of the value in the condition's value list.
        index: usize,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ConditionError {
    /// The position of the offending value in the condition's value list, when one value is
    /// at fault.
    pub fn value_index(&self) -> Option<usize> {
        match self {
            ConditionError::InvalidValue { index, .. }
            | ConditionError::InvalidVariable { index, .. }
            | ConditionError::VariableNotSupported { index, .. } => Some(*index),
            _ => None,
        }
    }
}

/// A policy value that IAM's policy validation flags only as a warning (a date, number, boolean
/// or base-64 value that does not parse: checks `TYPE_MISMATCH_DATE`, `TYPE_MISMATCH_NUMBER`,
/// `TYPE_MISMATCH_BOOLEAN`, `TYPE_MISMATCH_STRING` are GENERAL_WARNINGs in the IAM User Guide's
/// "IAM policy validation check reference"). The condition compiles; the value matches no
/// request value.
#[derive(Clone, Debug, PartialEq, Eq, Error, miette::Diagnostic)]
#[error("`{value}` is not a valid {expected} for `{operator}`, so it matches no request value")]
#[diagnostic(code(trustsim::condition::value_never_matches))]
pub struct ConditionWarning {
    /// Position of the value in the condition's value list.
    pub index: usize,
    /// The value as written.
    pub value: String,
    /// The operator as written.
    pub operator: String,
    /// What kind of value the operator takes.
    pub expected: &'static str,
    /// How to write a valid value.
    #[help]
    pub help: Option<String>,
}

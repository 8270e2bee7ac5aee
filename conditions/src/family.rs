//! One module per operator family: how a policy value is compiled and how one request value
//! compares with it (the positive comparison only; negation, sets, `IfExists` and absent keys are
//! applied in one place, `apply.rs`).

pub mod arn;
pub mod binary;
pub mod bool;
pub mod date;
pub mod ip;
pub mod numeric;
pub mod string;

use crate::err::ConditionError;
use crate::operator::Operator;

/// Builds the error for a policy value that does not parse for its operator.
pub(crate) fn invalid(
    operator: Operator,
    index: usize,
    value: &str,
    expected: &'static str,
    reason: impl Into<String>,
    help: Option<&str>,
) -> ConditionError {
    ConditionError::InvalidValue {
        index,
        value: value.to_owned(),
        operator: operator.to_string(),
        expected,
        reason: reason.into(),
        help: help.map(str::to_owned),
    }
}

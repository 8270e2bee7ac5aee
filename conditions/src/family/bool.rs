//! `Bool`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Boolean
//! condition operators": compares a key to `true` or `false`; policy variables are supported.
//! Values are read without regard to case (`True`, `TRUE`), on both sides. A policy value that is
//! neither is rejected when the condition is compiled; a request value that is neither matches
//! nothing.

use crate::key::Context;
use crate::variables::Template;

/// A compiled `Bool` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoolValue {
    /// `true` or `false`.
    Literal(bool),
    /// A policy variable, read as a boolean per request.
    Template(Template),
}

/// Reads `true` / `false` in any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl BoolValue {
    /// Does `request` compare true with this value?
    pub fn matches(&self, request: &str, ctx: &dyn Context) -> bool {
        let Some(r) = parse_bool(request) else {
            return false;
        };
        match self {
            BoolValue::Literal(b) => r == *b,
            BoolValue::Template(t) => t
                .resolve_text(ctx)
                .and_then(|v| parse_bool(&v))
                .is_some_and(|b| b == r),
        }
    }
}

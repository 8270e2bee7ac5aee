//! `Bool`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Boolean
//! condition operators": compares a key to `true` or `false`. Policy variables are not taken (see
//! [`crate::operator::BaseOperator::supports_variables`]). Values are read without regard to case
//! (`True`, `TRUE`) on both sides: the documentation is silent on case, and `true`/`false` are
//! JSON literals that a policy may also write unquoted. A policy value that is neither compiles
//! with a warning and matches nothing; so does a request value that is neither.

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

/// Does the request value equal the policy's boolean?
pub fn matches(policy: bool, request: &str) -> bool {
    parse_bool(request) == Some(policy)
}

/// One request value of each class `Bool` tells apart: true, false, and neither (which matches
/// no policy value; with two `Bool` conditions on one key, only it makes both false).
pub const REPRESENTATIVES: [&str; 3] = ["true", "false", "x"];

//! String condition operators: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
//! `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "String
//! condition operators": `StringEquals` is an exact, case-sensitive match; `...IgnoreCase`
//! ignores case; `StringLike` is case-sensitive and accepts `*` and `?` anywhere. Policy
//! variables are supported by all six. In `StringEquals` a `*` is an ordinary character.

use crate::key::Context;
use crate::operator::Comparison;
use crate::variables::Template;
use crate::wildcard::Pattern;

/// A compiled policy value of a string operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringValue {
    /// A value without policy variables, compiled (wildcards only for `*Like`).
    Literal(Pattern),
    /// A value with policy variables, resolved per request.
    Template(Template),
}

impl StringValue {
    /// Compiles `text` for `comparison` (wildcards are read only for [`Comparison::Like`]).
    pub fn compile(text: &str, comparison: Comparison, template: Option<Template>) -> Self {
        match template {
            Some(t) => StringValue::Template(t),
            None if comparison == Comparison::Like => StringValue::Literal(Pattern::new(text)),
            None => StringValue::Literal(Pattern::literal(text)),
        }
    }

    /// Does `request` compare true with this value?
    pub fn matches(&self, request: &str, comparison: Comparison, ctx: &dyn Context) -> bool {
        match (self, comparison) {
            (StringValue::Literal(p), Comparison::EqualsIgnoreCase) => {
                equals_ignore_case(request, p.as_str())
            }
            (StringValue::Literal(p), _) => p.matches(request),
            (StringValue::Template(t), Comparison::Like) => t
                .resolve_tokens(ctx)
                .is_some_and(|tokens| Pattern::from_tokens(tokens).matches(request)),
            (StringValue::Template(t), Comparison::EqualsIgnoreCase) => t
                .resolve_text(ctx)
                .is_some_and(|v| equals_ignore_case(request, &v)),
            (StringValue::Template(t), _) => t.resolve_text(ctx).is_some_and(|v| v == request),
        }
    }
}

/// Case-insensitive equality by Unicode lower-case mapping, without allocating.
pub fn equals_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

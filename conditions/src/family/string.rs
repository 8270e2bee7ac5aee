//! String condition operators: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
//! `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "String
//! condition operators": `StringEquals` is an exact, case-sensitive match; `...IgnoreCase`
//! ignores case; `StringLike` is case-sensitive and accepts `*` and `?` anywhere. Policy
//! variables are supported by all six. In `StringEquals` a `*` is an ordinary character.

use crate::key::Context;
use crate::operator::Comparison;
use crate::symbolic::{fold_eq, Source, Tok};
use crate::variables::Template;
use crate::wildcard::{tokenize, Pattern, Token};

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

/// Case-insensitive equality, character by character ([`fold_eq`]), without allocating.
pub fn equals_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().count() == b.chars().count() && a.chars().zip(b.chars()).all(|(x, y)| fold_eq(x, y))
}

/// The symbolic view of one policy value ([`crate::symbolic::patterns`]): `*` and `?` are
/// wildcards for `*Like` only, every character of an `...IgnoreCase` value matches its case
/// class, and any other character matches itself. `None` for a value of the other source, or
/// whose variable the context lacks (it matches nothing).
pub(crate) fn symbolic(
    value: &StringValue,
    comparison: Comparison,
    source: Source<'_>,
) -> Option<Vec<Tok>> {
    let tokens: Vec<Token> = match (value, source) {
        (StringValue::Literal(p), Source::Literals) => match p.exact_text() {
            Some(t) => t.chars().map(Token::Char).collect(),
            None => tokenize(p.as_str()).collect(),
        },
        (StringValue::Template(t), Source::Templates(ctx)) => t.resolve_tokens(ctx)?,
        _ => return None,
    };
    let text = |t: Token| match t {
        Token::Char(c) => c,
        Token::AnyOne => '?',
        Token::AnyRun => '*',
    };
    Some(
        tokens
            .into_iter()
            .map(|t| match (t, comparison) {
                (Token::AnyOne, Comparison::Like) => Tok::One(None),
                (Token::AnyRun, Comparison::Like) => Tok::Run(None),
                (t, Comparison::EqualsIgnoreCase) => Tok::Fold(text(t)),
                (t, _) => Tok::Char(text(t)),
            })
            .collect(),
    )
}

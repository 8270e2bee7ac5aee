//! ARN condition operators: `ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Amazon
//! Resource Name (ARN) condition operators": `ArnEquals` and `ArnLike` are both a "case-sensitive
//! match of the ARN. Each of the six colon-delimited components of the ARN is checked separately
//! and each can include multi-character match wildcards (*) or single-character match wildcards
//! (?)". So the two compare the same way, and a `*` never matches across a component boundary
//! (the sixth component, the resource, is everything after the fifth colon and may contain
//! colons). Policy variables are supported. A request value that is not an ARN matches nothing.

use crate::arn::Arn;
use crate::key::Context;
use crate::symbolic::{Source, Tok};
use crate::variables::Template;
use crate::wildcard::{tokenize, Pattern, Token};

/// An ARN pattern: one wildcard pattern per component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnPattern {
    parts: [Pattern; 6],
}

impl ArnPattern {
    /// Compiles pattern text; fails when it has fewer than six colon-separated components.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::from_tokens(tokenize(text).collect())
    }

    /// Compiles resolved tokens (a colon coming from a policy variable separates components
    /// like any other, since AWS substitutes the variable before comparing).
    pub fn from_tokens(tokens: Vec<Token>) -> Result<Self, String> {
        let mut it = split(tokens)?.into_iter().map(Pattern::from_tokens);
        let mut next = || it.next().unwrap_or_else(|| Pattern::literal(""));
        Ok(Self {
            parts: [next(), next(), next(), next(), next(), next()],
        })
    }

    /// The pattern of each component, `arn` first.
    pub fn parts(&self) -> &[Pattern; 6] {
        &self.parts
    }

    /// Does the request ARN match, component by component?
    pub fn matches(&self, request: &str) -> bool {
        Arn::parse(request).is_some_and(|arn| {
            let parts = arn.parts();
            self.parts
                .iter()
                .zip(parts.iter())
                .all(|(p, v)| p.matches(v))
        })
    }
}

/// Splits pattern tokens at their first five colons into the six components.
fn split(tokens: Vec<Token>) -> Result<Vec<Vec<Token>>, String> {
    let mut parts: Vec<Vec<Token>> = vec![Vec::new()];
    for t in tokens {
        match (t, parts.len()) {
            (Token::Char(':'), n) if n < 6 => parts.push(Vec::new()),
            (t, _) => {
                if let Some(last) = parts.last_mut() {
                    last.push(t);
                }
            }
        }
    }
    if parts.len() < 6 {
        return Err(format!(
            "an ARN has six colon-separated components (arn:partition:service:region:account-id:resource); this has {}",
            parts.len()
        ));
    }
    Ok(parts)
}

/// The symbolic view of one policy value ([`crate::symbolic::patterns`]): `arn`, then the
/// components as [`ArnPattern::from_tokens`] splits them, each wildcard of the first five kept
/// inside its component (it matches no `:`), the resource's free to span colons. A request
/// value matches it exactly when [`ArnPattern::matches`] holds: it starts `arn:` and its first
/// five colons separate matching components. `None` when the value cannot match anything (no
/// six components, a first component that `arn` does not match, a variable the context lacks)
/// or belongs to the other source.
pub(crate) fn symbolic(value: &ArnValue, source: Source<'_>) -> Option<Vec<Tok>> {
    let tokens: Vec<Token> = match (value, source) {
        (ArnValue::Literal(p), Source::Literals) => {
            let mut t = Vec::new();
            for (i, part) in p.parts().iter().enumerate() {
                if i > 0 {
                    t.push(Token::Char(':'));
                }
                match part.exact_text() {
                    Some(x) => t.extend(x.chars().map(Token::Char)),
                    None => t.extend(tokenize(part.as_str())),
                }
            }
            t
        }
        (ArnValue::Template(t), Source::Templates(ctx)) => t.resolve_tokens(ctx)?,
        _ => return None,
    };
    let parts = split(tokens).ok()?;
    if !Pattern::from_tokens(parts.first()?.clone()).matches("arn") {
        return None;
    }
    let mut out: Vec<Tok> = "arn".chars().map(Tok::Char).collect();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let inside = (i < 5).then_some(':');
        out.push(Tok::Char(':'));
        out.extend(part.iter().map(|t| match t {
            Token::Char(c) => Tok::Char(*c),
            Token::AnyOne => Tok::One(inside),
            Token::AnyRun => Tok::Run(inside),
        }));
    }
    Some(out)
}

impl std::fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d, e, g] = &self.parts;
        write!(f, "{a}:{b}:{c}:{d}:{e}:{g}")
    }
}

/// A compiled policy value of an ARN operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArnValue {
    /// A value without policy variables.
    Literal(Box<ArnPattern>),
    /// A value with policy variables, resolved per request.
    Template(Template),
    /// A value with fewer than six components (`*`, `arn:aws:*`). AWS documents ARN matching
    /// only component by component, six of them; IAM is not documented to refuse such a
    /// value, so the policy is accepted with a warning and the value matches no ARN (its
    /// components cannot be compared one by one). The analysis never calls a verdict that
    /// rests on it a proof (docs/operators.md, "ARN values with fewer than six components").
    Short(String),
}

impl ArnValue {
    /// Does `request` match this value?
    pub fn matches(&self, request: &str, ctx: &dyn Context) -> bool {
        match self {
            ArnValue::Literal(p) => p.matches(request),
            ArnValue::Short(_) => false,
            ArnValue::Template(t) => t
                .resolve_tokens(ctx)
                .and_then(|tokens| ArnPattern::from_tokens(tokens).ok())
                .is_some_and(|p| p.matches(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stay_inside_their_component() {
        let p = ArnPattern::parse("arn:aws:iam::*:role/*").ok();
        assert!(p
            .as_ref()
            .is_some_and(|p| p.matches("arn:aws:iam::123456789012:role/a/b:c")));
        // `*` in the account component cannot swallow the colon before the resource.
        let p = ArnPattern::parse("arn:aws:iam::*").ok();
        assert!(p.is_none());
        let p = ArnPattern::parse("arn:aws:sns:*:123456789012:*").ok();
        assert!(p
            .as_ref()
            .is_some_and(|p| !p.matches("arn:aws:sns:us-east-1:999:123456789012:x")));
        assert!(p
            .as_ref()
            .is_some_and(|p| p.matches("arn:aws:sns:us-east-1:123456789012:topic:sub")));
    }
}

//! Policy variables in condition values: `${aws:username}`, `${aws:PrincipalTag/team}`, any
//! context key, the special characters `${*}`, `${?}`, `${$}`, and defaults
//! `${aws:username, 'none'}`.
//!
//! AWS: IAM User Guide, "IAM policy elements: Variables and tags": variables are recognised only
//! in policies whose `Version` is `2012-10-17` (under `2008-10-17` the text is literal); the
//! special characters stand for a literal `*`, `?` and `$`; "To add a default value to a
//! variable, surround the default value with single quotes (' '), and separate the variable text
//! and the default value with a comma and space (, )" (trustsim also accepts the comma without
//! the space); and a variable whose key is not present in
//! the request (with no default) makes the value that uses it match nothing ("Policy variables
//! with no value": positive operators "do not match", negated ones "do match against a null
//! value"). A multivalued key cannot be a variable ("You can't use a multivalued condition key as
//! a variable"). The syntax errors follow the policy validation checks `MISSING_BRACE_IN_VARIABLE`,
//! `EMPTY_VARIABLE`, `UNSUPPORTED_SPACE_IN_VARIABLE` and `MISSING_QUOTE_IN_VARIABLE` (IAM User
//! Guide, "IAM policy validation check reference").

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while1};
use nom::character::complete::{char as ch, space0};
use nom::combinator::{all_consuming, map, opt, value};
use nom::sequence::{delimited, preceded, tuple};
use nom::IResult;

use crate::err::ConditionError;
use crate::key::{ConditionKey, Context};
use crate::wildcard::{tokenize, Token};

/// The policy language version, which decides whether `${...}` is a variable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2012-10-17`: policy variables are substituted.
    #[default]
    V2012_10_17,
    /// `2008-10-17`, or no `Version` element: `${...}` is literal text.
    V2008_10_17,
}

/// One piece of a value that uses policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text from the policy (in `*Like` and ARN operators its `*` and `?` are wildcards).
    Text(String),
    /// `${*}`, `${?}` or `${$}`: a literal character, never a wildcard.
    Special(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        /// The context key whose value is substituted.
        key: ConditionKey,
        /// Used when the key is absent from the request.
        default: Option<String>,
    },
}

/// A condition value that contains at least one policy variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

/// What a variable resolves to in one request.
enum Resolved<'a> {
    Text(&'a str),
    Missing,
}

impl Template {
    /// Parses `text` as a template. Returns `Ok(None)` when the text has no variable (or the
    /// version does not recognise them), so the caller compiles it as a plain literal.
    pub fn parse(
        text: &str,
        version: PolicyVersion,
        index: usize,
    ) -> Result<Option<Template>, ConditionError> {
        if version == PolicyVersion::V2008_10_17 || !text.contains("${") {
            return Ok(None);
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            if !before.is_empty() {
                pieces.push(Piece::Text(before.to_owned()));
            }
            let end = after
                .find('}')
                .ok_or_else(|| ConditionError::InvalidVariable {
                    index,
                    value: text.to_owned(),
                    reason: "`${` is not closed by `}`".to_owned(),
                })?;
            let (body, tail) = after.split_at(end + 1);
            pieces.push(parse_variable(body).map_err(|reason| {
                ConditionError::InvalidVariable {
                    index,
                    value: text.to_owned(),
                    reason,
                }
            })?);
            rest = tail;
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(Some(Template {
            source: text.to_owned(),
            pieces,
        }))
    }

    /// The value as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The template's pieces.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The keys the template reads.
    pub fn variables(&self) -> impl Iterator<Item = &ConditionKey> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Variable { key, .. } => Some(key),
            _ => None,
        })
    }

    /// The value with every variable substituted, or `None` when a variable cannot be resolved
    /// (its key is absent with no default, or has other than exactly one value).
    pub fn resolve_text(&self, ctx: &dyn Context) -> Option<String> {
        let mut out = String::with_capacity(self.source.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Special(c) => out.push(*c),
                Piece::Variable { key, default } => match resolve(key, default, ctx) {
                    Resolved::Text(t) => out.push_str(t),
                    Resolved::Missing => return None,
                },
            }
        }
        Some(out)
    }

    /// The value as wildcard tokens: `*` and `?` written in the policy text are wildcards,
    /// characters that come from a variable or a special-character escape are literal.
    pub fn resolve_tokens(&self, ctx: &dyn Context) -> Option<Vec<Token>> {
        let mut out = Vec::with_capacity(self.source.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.extend(tokenize(t)),
                Piece::Special(c) => out.push(Token::Char(*c)),
                Piece::Variable { key, default } => match resolve(key, default, ctx) {
                    Resolved::Text(t) => out.extend(t.chars().map(Token::Char)),
                    Resolved::Missing => return None,
                },
            }
        }
        Some(out)
    }
}

/// A variable resolves to the key's single value. AWS: "Variables and tags", section "Request
/// information that you can use for policy variables": a key that is not present (and has no
/// default) cannot be substituted. A multivalued key has no single value to substitute, so it
/// is treated the same way.
fn resolve<'a>(
    key: &ConditionKey,
    default: &'a Option<String>,
    ctx: &'a dyn Context,
) -> Resolved<'a> {
    match ctx.get(key) {
        Some([one]) if !ctx.is_multivalued(key.folded()) => Resolved::Text(one),
        Some(_) => Resolved::Missing,
        None => match default {
            Some(d) => Resolved::Text(d),
            None => Resolved::Missing,
        },
    }
}

fn parse_variable(body: &str) -> Result<Piece, String> {
    match all_consuming(variable)(body) {
        Ok((_, piece)) => piece,
        Err(_) => Err(format!(
            "`{body}` is not a variable: expected `${{key}}` or `${{key, 'default'}}`"
        )),
    }
}

type VarResult = Result<Piece, String>;

fn variable(input: &str) -> IResult<&str, VarResult> {
    delimited(tag("${"), alt((special, named)), ch('}'))(input)
}

fn special(input: &str) -> IResult<&str, VarResult> {
    alt((
        value(Ok(Piece::Special('*')), ch('*')),
        value(Ok(Piece::Special('?')), ch('?')),
        value(Ok(Piece::Special('$')), ch('$')),
    ))(input)
}

fn named(input: &str) -> IResult<&str, VarResult> {
    map(
        tuple((
            take_while1(|c: char| !matches!(c, '}' | ',' | '\'' | '$' | '{') && !c.is_whitespace()),
            opt(preceded(
                tuple((ch(','), space0)),
                delimited(ch('\''), take_till(|c| c == '\''), ch('\'')),
            )),
        )),
        |(name, default): (&str, Option<&str>)| {
            ConditionKey::new(name)
                .map(|key| Piece::Variable {
                    key,
                    default: default.map(str::to_owned),
                })
                .map_err(|e| e.to_string())
        },
    )(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ContextMap;

    fn t(s: &str) -> Template {
        match Template::parse(s, PolicyVersion::V2012_10_17, 0) {
            Ok(Some(t)) => t,
            other => unreachable!("{s}: {other:?}"),
        }
    }

    #[test]
    fn substitutes_and_defaults() {
        let mut ctx = ContextMap::new();
        ctx.insert("aws:username", "alice");
        assert_eq!(
            t("home/${aws:username}/*").resolve_text(&ctx).as_deref(),
            Some("home/alice/*")
        );
        assert_eq!(
            t("${AWS:UserName}").resolve_text(&ctx).as_deref(),
            Some("alice")
        );
        assert_eq!(
            t("${aws:PrincipalTag/team, 'none'}")
                .resolve_text(&ctx)
                .as_deref(),
            Some("none")
        );
        assert_eq!(
            t("${aws:PrincipalTag/team,'none'}")
                .resolve_text(&ctx)
                .as_deref(),
            Some("none")
        );
        assert_eq!(t("${aws:PrincipalTag/team}").resolve_text(&ctx), None);
        assert_eq!(
            t("a${*}b${?}c${$}").resolve_text(&ctx).as_deref(),
            Some("a*b?c$")
        );
    }

    #[test]
    fn special_characters_are_literal_tokens() {
        let ctx = ContextMap::new();
        let tokens = t("${*}*").resolve_tokens(&ctx);
        assert_eq!(tokens, Some(vec![Token::Char('*'), Token::AnyRun]));
    }

    #[test]
    fn old_version_and_plain_text_are_not_templates() {
        assert_eq!(
            Template::parse("${aws:username}", PolicyVersion::V2008_10_17, 0),
            Ok(None)
        );
        assert_eq!(
            Template::parse("$100", PolicyVersion::V2012_10_17, 0),
            Ok(None)
        );
    }

    #[test]
    fn malformed_variables_are_errors() {
        for bad in [
            "${aws:username",
            "${}",
            "${a b}",
            "${ aws:username}",
            "${aws:username }",
            "${aws:username, none}",
            "${aws:username, 'x'",
        ] {
            assert!(
                matches!(
                    Template::parse(bad, PolicyVersion::V2012_10_17, 3),
                    Err(ConditionError::InvalidVariable { index: 3, .. })
                ),
                "{bad}"
            );
        }
    }
}

//! `--context KEY=VALUE` for quick what-if questions: `KEY=VALUE` sets one value,
//! `KEY=[A,B]` a multivalued key, `KEY=[]` a multivalued key with no values. Parsed with nom.

use nom::branch::alt;
use nom::bytes::complete::{is_not, take_till1};
use nom::character::complete::char as ch;
use nom::combinator::{all_consuming, map, rest};
use nom::multi::separated_list0;
use nom::sequence::{delimited, separated_pair};
use nom::IResult;

/// A parsed `--context` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextArg {
    /// `KEY=VALUE`.
    One(String, String),
    /// `KEY=[A,B]`.
    Many(String, Vec<String>),
}

fn list(input: &str) -> IResult<&str, Vec<String>> {
    delimited(
        ch('['),
        separated_list0(ch(','), map(is_not(",]"), |s: &str| s.trim().to_owned())),
        ch(']'),
    )(input)
}

fn arg(input: &str) -> IResult<&str, ContextArg> {
    let (input, (key, value)) = separated_pair(
        take_till1(|c| c == '='),
        ch('='),
        alt((map(all_consuming(list), Some), map(rest, |_| None))),
    )(input)?;
    Ok((
        input,
        match value {
            Some(v) => ContextArg::Many(key.to_owned(), v),
            None => ContextArg::One(key.to_owned(), String::new()),
        },
    ))
}

/// Parses `KEY=VALUE` / `KEY=[A,B]`.
pub fn parse(text: &str) -> Result<ContextArg, String> {
    match arg(text) {
        Ok((_, ContextArg::One(key, _))) => {
            let value = text.get(key.len() + 1..).unwrap_or("").to_owned();
            Ok(ContextArg::One(key, value))
        }
        Ok((_, many)) => Ok(many),
        Err(_) => Err(format!(
            "`{text}` is not KEY=VALUE (or KEY=[A,B] for a multivalued key)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            parse("aws:SourceAccount=444455556666"),
            Ok(ContextArg::One(
                "aws:SourceAccount".into(),
                "444455556666".into()
            ))
        );
        assert_eq!(
            parse("aws:TagKeys=[team, env]"),
            Ok(ContextArg::Many(
                "aws:TagKeys".into(),
                vec!["team".into(), "env".into()]
            ))
        );
        assert_eq!(
            parse("aws:TagKeys=[]"),
            Ok(ContextArg::Many("aws:TagKeys".into(), vec![]))
        );
        assert_eq!(parse("k="), Ok(ContextArg::One("k".into(), String::new())));
        assert_eq!(
            parse("k=a=b"),
            Ok(ContextArg::One("k".into(), "a=b".into()))
        );
        assert!(parse("=x").is_err());
        assert!(parse("novalue").is_err());
    }
}

//! Condition operator names as they appear in a policy, e.g.
//! `ForAllValues:StringNotEqualsIfExists`, parsed into a closed [`Operator`].
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators" (the operator list and
//! the `...IfExists` suffix) and "Set operators for multivalued context keys" (the
//! `ForAllValues:` and `ForAnyValue:` prefixes). Operator names are matched exactly as AWS
//! spells them; a near miss gets a suggestion.

use std::fmt;

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::combinator::{all_consuming, opt};
use nom::sequence::terminated;
use nom::IResult;

use crate::err::ConditionError;

macro_rules! base_operators {
    ($($name:ident => $family:ident, $negated:literal;)*) => {
        /// A condition operator without its qualifier or `IfExists` suffix.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BaseOperator {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl BaseOperator {
            /// Every operator, in the order of the IAM User Guide's table.
            pub const ALL: &'static [BaseOperator] = &[$(BaseOperator::$name),*];

            /// The operator's name as written in a policy.
            pub fn name(self) -> &'static str {
                match self { $(BaseOperator::$name => stringify!($name)),* }
            }

            /// The family that defines how values compare.
            pub fn family(self) -> Family {
                match self { $(BaseOperator::$name => Family::$family),* }
            }

            /// True for the operators AWS documents as negated matching (`...Not...`).
            pub fn is_negated(self) -> bool {
                match self { $(BaseOperator::$name => $negated),* }
            }
        }
    };
}

base_operators! {
    StringEquals => String, false;
    StringNotEquals => String, true;
    StringEqualsIgnoreCase => String, false;
    StringNotEqualsIgnoreCase => String, true;
    StringLike => String, false;
    StringNotLike => String, true;
    NumericEquals => Numeric, false;
    NumericNotEquals => Numeric, true;
    NumericLessThan => Numeric, false;
    NumericLessThanEquals => Numeric, false;
    NumericGreaterThan => Numeric, false;
    NumericGreaterThanEquals => Numeric, false;
    DateEquals => Date, false;
    DateNotEquals => Date, true;
    DateLessThan => Date, false;
    DateLessThanEquals => Date, false;
    DateGreaterThan => Date, false;
    DateGreaterThanEquals => Date, false;
    Bool => Bool, false;
    BinaryEquals => Binary, false;
    IpAddress => Ip, false;
    NotIpAddress => Ip, true;
    ArnEquals => Arn, false;
    ArnLike => Arn, false;
    ArnNotEquals => Arn, true;
    ArnNotLike => Arn, true;
    Null => Null, false;
}

/// How an operator compares values: one module of `family/` each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// String operators.
    String,
    /// Numeric operators.
    Numeric,
    /// Date operators.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// ARN operators.
    Arn,
    /// `Null`.
    Null,
}

impl Family {
    /// The family's name as the IAM User Guide's section headings use it.
    pub fn name(self) -> &'static str {
        match self {
            Family::String => "String",
            Family::Numeric => "Numeric",
            Family::Date => "Date",
            Family::Bool => "Boolean",
            Family::Binary => "Binary",
            Family::Ip => "IP address",
            Family::Arn => "ARN",
            Family::Null => "Null",
        }
    }
}

/// The comparison a positive operator makes (its negated twin, if any, negates it per value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Equal (case-sensitive unless the operator says otherwise).
    Equals,
    /// Equal ignoring case (`StringEqualsIgnoreCase`).
    EqualsIgnoreCase,
    /// Wildcard match (`StringLike`, `ArnLike`, `ArnEquals`).
    Like,
    /// Request value < policy value.
    LessThan,
    /// Request value <= policy value.
    LessThanEquals,
    /// Request value > policy value.
    GreaterThan,
    /// Request value >= policy value.
    GreaterThanEquals,
    /// Address inside the network (`IpAddress`).
    InNetwork,
    /// Key presence (`Null`).
    Presence,
}

impl BaseOperator {
    /// The positive comparison behind this operator.
    pub fn comparison(self) -> Comparison {
        use BaseOperator as B;
        match self {
            B::StringEquals | B::StringNotEquals | B::NumericEquals | B::NumericNotEquals => {
                Comparison::Equals
            }
            B::DateEquals | B::DateNotEquals | B::Bool | B::BinaryEquals => Comparison::Equals,
            B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => {
                Comparison::EqualsIgnoreCase
            }
            B::StringLike | B::StringNotLike => Comparison::Like,
            B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => Comparison::Like,
            B::NumericLessThan | B::DateLessThan => Comparison::LessThan,
            B::NumericLessThanEquals | B::DateLessThanEquals => Comparison::LessThanEquals,
            B::NumericGreaterThan | B::DateGreaterThan => Comparison::GreaterThan,
            B::NumericGreaterThanEquals | B::DateGreaterThanEquals => Comparison::GreaterThanEquals,
            B::IpAddress | B::NotIpAddress => Comparison::InNetwork,
            B::Null => Comparison::Presence,
        }
    }

    /// Whether the operator's policy values may contain policy variables: String and ARN
    /// operators only. AWS: IAM User Guide, "IAM policy elements: Variables and tags", section
    /// "Where you can use policy variables" ("You can't use a policy variable with other
    /// operators, such as Numeric, Date, Boolean, Binary, IP Address, or Null operators"), and
    /// the policy validation check `INVALID_VARIABLE_FOR_OPERATOR` (an ERROR). The "Condition
    /// operators" page's Boolean section says "Policy variables – Supported"; the two AWS pages
    /// disagree, and trustsim follows the specific one and reports an error rather than guess.
    pub fn supports_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn)
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must pass; passes when the key is absent or empty.
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must pass; fails when absent or empty.
    ForAnyValue,
}

impl SetQualifier {
    /// The prefix as written in a policy, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

/// A full condition operator: optional set qualifier, base operator, optional `IfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    /// `ForAllValues:` / `ForAnyValue:`, if present.
    pub qualifier: Option<SetQualifier>,
    /// The operator proper.
    pub base: BaseOperator,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

impl Operator {
    /// A plain operator with no qualifier and no suffix.
    pub fn plain(base: BaseOperator) -> Self {
        Self {
            qualifier: None,
            base,
            if_exists: false,
        }
    }

    /// Parses an operator as written in a policy's Condition block.
    ///
    /// `Null` takes no `IfExists` suffix (AWS: "Condition operators", section "...IfExists
    /// condition operators": "You can add IfExists to the end of any condition operator name
    /// except the Null condition").
    pub fn parse(text: &str) -> Result<Self, ConditionError> {
        match all_consuming(operator)(text) {
            Ok((_, (qualifier, base, if_exists))) => {
                if base == BaseOperator::Null && if_exists {
                    return Err(ConditionError::NullIfExists {
                        operator: text.to_owned(),
                    });
                }
                Ok(Self {
                    qualifier,
                    base,
                    if_exists,
                })
            }
            Err(_) => Err(ConditionError::UnknownOperator {
                operator: text.to_owned(),
                suggestion: suggest(text),
            }),
        }
    }

    /// True for negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...).
    pub fn is_negated(self) -> bool {
        self.base.is_negated()
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(q) = self.qualifier {
            write!(f, "{}:", q.name())?;
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Operator {
    type Err = ConditionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

type Parsed = (Option<SetQualifier>, BaseOperator, bool);

fn operator(input: &str) -> IResult<&str, Parsed> {
    let (input, qualifier) = opt(terminated(qualifier, tag(":")))(input)?;
    let (input, base) = base_operator(input)?;
    let (input, if_exists) = opt(tag("IfExists"))(input)?;
    Ok((input, (qualifier, base, if_exists.is_some())))
}

fn qualifier(input: &str) -> IResult<&str, SetQualifier> {
    alt((
        nom::combinator::value(SetQualifier::ForAllValues, tag("ForAllValues")),
        nom::combinator::value(SetQualifier::ForAnyValue, tag("ForAnyValue")),
    ))(input)
}

/// Longest operator name that prefixes the input (so `StringEqualsIgnoreCase` wins over
/// `StringEquals`, and `IfExists` is left for the suffix parser).
fn base_operator(input: &str) -> IResult<&str, BaseOperator> {
    let best = BaseOperator::ALL
        .iter()
        .filter(|op| input.starts_with(op.name()))
        .max_by_key(|op| op.name().len());
    match best {
        Some(op) => Ok((input.get(op.name().len()..).unwrap_or(""), *op)),
        None => Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

/// A suggestion for a misspelt operator: the same name in AWS's capitalisation, or a known
/// operator within a small edit distance.
fn suggest(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut candidates: Vec<String> = Vec::new();
    for q in ["", "ForAllValues:", "ForAnyValue:"] {
        for op in BaseOperator::ALL {
            for suffix in ["", "IfExists"] {
                if *op == BaseOperator::Null && !suffix.is_empty() {
                    continue;
                }
                candidates.push(format!("{q}{}{suffix}", op.name()));
            }
        }
    }
    if let Some(c) = candidates.iter().find(|c| c.to_ascii_lowercase() == lower) {
        return Some(c.clone());
    }
    let best = candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .min_by_key(|(d, _)| *d)?;
    (best.0 <= 3).then_some(best.1)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_combination() {
        for q in [
            None,
            Some(SetQualifier::ForAllValues),
            Some(SetQualifier::ForAnyValue),
        ] {
            for base in BaseOperator::ALL {
                for if_exists in [false, true] {
                    let op = Operator {
                        qualifier: q,
                        base: *base,
                        if_exists,
                    };
                    let text = op.to_string();
                    if *base == BaseOperator::Null && if_exists {
                        assert!(matches!(
                            Operator::parse(&text),
                            Err(ConditionError::NullIfExists { .. })
                        ));
                    } else {
                        assert_eq!(Operator::parse(&text).ok(), Some(op), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn ignore_case_is_not_read_as_equals_plus_suffix() {
        let op = Operator::parse("StringEqualsIgnoreCaseIfExists").ok();
        assert_eq!(
            op.map(|o| (o.base, o.if_exists)),
            Some((BaseOperator::StringEqualsIgnoreCase, true))
        );
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let err = Operator::parse("stringequals").err();
        assert!(
            matches!(err, Some(ConditionError::UnknownOperator { suggestion: Some(ref s), .. }) if s == "StringEquals")
        );
        let err = Operator::parse("StringEqual").err();
        assert!(
            matches!(err, Some(ConditionError::UnknownOperator { suggestion: Some(ref s), .. }) if s == "StringEquals")
        );
        let err = Operator::parse("ForAllValue:StringLike").err();
        assert!(
            matches!(err, Some(ConditionError::UnknownOperator { suggestion: Some(ref s), .. }) if s == "ForAllValues:StringLike")
        );
        assert!(Operator::parse("Frobnicate").is_err());
        assert!(Operator::parse("StringEqualsIfExistsIfExists").is_err());
        assert!(Operator::parse(" StringEquals").is_err());
    }
}

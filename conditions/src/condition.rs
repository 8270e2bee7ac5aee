//! A compiled condition: one operator, one key, its policy values, ready to evaluate many
//! times.

use std::fmt::Write as _;

use ipnetwork::IpNetwork;

use crate::apply::{decide, decide_null, Outcome, Reason};
use crate::err::ConditionError;
use crate::family::arn::{ArnPattern, ArnValue};
use crate::family::bool::{parse_bool, BoolValue};
use crate::family::date::Instant;
use crate::family::numeric::Decimal;
use crate::family::string::StringValue;
use crate::family::{binary, invalid, ip};
use crate::key::{ConditionKey, Context};
use crate::operator::{Comparison, Family, Operator};
use crate::variables::{PolicyVersion, Template};

/// Options for compiling conditions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// The policy's `Version`, which decides whether `${...}` is a policy variable.
    pub version: PolicyVersion,
}

/// The compiled policy values of a condition, by family. Exposed so that an analysis can reason
/// over the same compiled forms the evaluator uses (patterns, numbers, instants, networks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    /// String operators.
    String(Vec<StringValue>),
    /// Numeric operators.
    Numeric(Vec<Decimal>),
    /// Date operators.
    Date(Vec<Instant>),
    /// `Bool`.
    Bool(Vec<BoolValue>),
    /// `BinaryEquals` (decoded bytes).
    Binary(Vec<Vec<u8>>),
    /// `IpAddress` / `NotIpAddress`.
    Ip(Vec<IpNetwork>),
    /// ARN operators.
    Arn(Vec<ArnValue>),
    /// `Null` (`true`: the key must be absent).
    Null(Vec<bool>),
}

impl Values {
    /// Number of policy values.
    pub fn len(&self) -> usize {
        match self {
            Values::String(v) => v.len(),
            Values::Numeric(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Binary(v) => v.len(),
            Values::Ip(v) => v.len(),
            Values::Arn(v) => v.len(),
            Values::Null(v) => v.len(),
        }
    }

    /// True when there are no values (never the case for a compiled condition).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One condition: `"Operator": {"key": [values]}` for a single key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    operator: Operator,
    key: ConditionKey,
    raw: Vec<String>,
    values: Values,
}

impl Condition {
    /// Parses the operator and compiles the values. Values are given as text: a policy's JSON
    /// numbers and booleans are compared as their text (`true`, `10`), as AWS does.
    pub fn compile<S: AsRef<str>>(
        operator: &str,
        key: &str,
        values: &[S],
        options: CompileOptions,
    ) -> Result<Self, ConditionError> {
        let operator = Operator::parse(operator)?;
        let key = ConditionKey::new(key)?;
        Self::new(operator, key, values, options)
    }

    /// Compiles the values of an already-parsed operator and key.
    pub fn new<S: AsRef<str>>(
        operator: Operator,
        key: ConditionKey,
        values: &[S],
        options: CompileOptions,
    ) -> Result<Self, ConditionError> {
        if values.is_empty() {
            return Err(ConditionError::NoValues {
                operator: operator.to_string(),
                key: key.as_str().to_owned(),
            });
        }
        let raw: Vec<String> = values.iter().map(|v| v.as_ref().to_owned()).collect();
        let values = compile_values(operator, &raw, options)?;
        Ok(Self {
            operator,
            key,
            raw,
            values,
        })
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The condition key.
    pub fn key(&self) -> &ConditionKey {
        &self.key
    }

    /// The policy values as written.
    pub fn raw_values(&self) -> &[String] {
        &self.raw
    }

    /// The compiled policy values.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// The positive comparison of one request value with the policy value at `index`
    /// (`StringNotEquals` answers as `StringEquals` would). `Null` has no value comparison and
    /// answers `false`. Policy variables are resolved against `ctx`.
    pub fn compares(&self, request: &str, index: usize, ctx: &dyn Context) -> bool {
        let cmp = self.operator.base.comparison();
        match &self.values {
            Values::String(v) => v.get(index).is_some_and(|p| p.matches(request, cmp, ctx)),
            Values::Numeric(v) => v.get(index).is_some_and(|p| p.matches(request, cmp)),
            Values::Date(v) => v.get(index).is_some_and(|p| p.matches(request, cmp)),
            Values::Bool(v) => v.get(index).is_some_and(|p| p.matches(request, ctx)),
            Values::Binary(v) => v.get(index).is_some_and(|p| binary::matches(p, request)),
            Values::Ip(v) => v.get(index).is_some_and(|p| ip::matches(p, request)),
            Values::Arn(v) => v.get(index).is_some_and(|p| p.matches(request, ctx)),
            Values::Null(_) => false,
        }
    }

    /// Evaluates the condition against a request context.
    pub fn evaluate(&self, ctx: &dyn Context) -> Outcome {
        let request = ctx.get(&self.key);
        self.evaluate_values(request, ctx)
    }

    /// Evaluates the condition as if the key had `request` as its values (`None`: absent),
    /// resolving policy variables against `ctx`. The analysis uses this to try candidate values
    /// through exactly the evaluator's semantics.
    pub fn evaluate_values<S: AsRef<str>>(
        &self,
        request: Option<&[S]>,
        ctx: &dyn Context,
    ) -> Outcome {
        match &self.values {
            Values::Null(policy) => decide_null(request, policy),
            values => decide(self.operator, request, values.len(), |v, j| {
                self.compares(v, j, ctx)
            }),
        }
    }

    /// A sentence that explains an outcome of this condition, naming the values compared.
    pub fn explain(&self, outcome: &Outcome, ctx: &dyn Context) -> String {
        let op = self.operator;
        let key = self.key.as_str();
        let request = ctx.get(&self.key).unwrap_or(&[]);
        let req = |i: usize| request.get(i).map_or("?", String::as_str);
        let pol = |j: usize| self.raw.get(j).map_or("?", String::as_str);
        let verdict = if outcome.result { "true" } else { "false" };
        let mut s = String::new();
        let _ = match outcome.reason {
            Reason::KeyAbsent => match (op.qualifier, op.if_exists, op.is_negated()) {
                (Some(q), _, _) if q.name() == "ForAllValues" => write!(s, "`{key}` is not in the request, and ForAllValues is true for an absent key"),
                (_, true, _) => write!(s, "`{key}` is not in the request, so `{op}` is true (IfExists)"),
                (Some(_), _, _) => write!(s, "`{key}` is not in the request, and ForAnyValue is false for an absent key"),
                (None, false, true) => write!(s, "`{key}` is not in the request, and a negated operator is true when its key is absent"),
                (None, false, false) => write!(s, "`{key}` is not in the request, so `{op}` is false"),
            },
            Reason::NoValues => write!(s, "`{key}` is in the request with no values (a null data set), so `{op}` is {verdict}"),
            Reason::Presence { present, .. } => write!(
                s,
                "`{key}` is {} the request, so `Null` with `{}` is {verdict}",
                if present { "in" } else { "not in" },
                self.raw.join("`, `")
            ),
            Reason::ValueMatched { request, policy } => write!(
                s,
                "`{}` {} `{}`, so `{op}` is {verdict}",
                req(request),
                self.relation_text(),
                pol(policy)
            ),
            Reason::ValueUnmatched { request } => write!(
                s,
                "`{}` {} none of `{}`, so `{op}` is {verdict}",
                req(request),
                self.relation_text(),
                self.raw.join("`, `")
            ),
            Reason::AllPassed { count } => write!(s, "all {count} values of `{key}` pass, so `{op}` is {verdict}"),
            Reason::NonePassed { count } => write!(s, "none of the {count} values of `{key}` passes, so `{op}` is {verdict}"),
        };
        s
    }

    fn relation_text(&self) -> &'static str {
        match self.operator.base.comparison() {
            Comparison::Equals => "equals",
            Comparison::EqualsIgnoreCase => "equals (ignoring case)",
            Comparison::Like => "matches",
            Comparison::LessThan => "is less than",
            Comparison::LessThanEquals => "is at most",
            Comparison::GreaterThan => "is greater than",
            Comparison::GreaterThanEquals => "is at least",
            Comparison::InNetwork => "is in",
            Comparison::Presence => "is",
        }
    }
}

fn compile_values(
    op: Operator,
    raw: &[String],
    options: CompileOptions,
) -> Result<Values, ConditionError> {
    let version = if op.base.supports_variables() {
        options.version
    } else {
        PolicyVersion::V2008_10_17
    };
    let cmp = op.base.comparison();
    let no_variables = |text: &str| {
        text.contains("${").then_some(
            "policy variables are not supported by this operator (IAM User Guide, \"Condition operators\")",
        )
    };
    let each = |f: &dyn Fn(usize, &str) -> Result<(), ConditionError>| {
        raw.iter().enumerate().try_for_each(|(i, v)| f(i, v))
    };
    Ok(match op.base.family() {
        Family::String => Values::String(
            raw.iter()
                .enumerate()
                .map(|(i, v)| Ok(StringValue::compile(v, cmp, Template::parse(v, version, i)?)))
                .collect::<Result<_, ConditionError>>()?,
        ),
        Family::Numeric => {
            each(&|i, v| {
                Decimal::parse(v).map(|_| ()).ok_or_else(|| {
                    invalid(op, i, v, "number", "expected an integer or decimal such as `3600` or `0.5`", no_variables(v))
                })
            })?;
            Values::Numeric(raw.iter().filter_map(|v| Decimal::parse(v)).collect())
        }
        Family::Date => {
            each(&|i, v| {
                Instant::parse(v).map(|_| ()).ok_or_else(|| {
                    invalid(
                        op,
                        i,
                        v,
                        "date",
                        "expected an ISO 8601 date/time or epoch seconds",
                        no_variables(v).or(Some("write e.g. `2026-01-01T00:00:00Z`, `2026-01-01` or `1767225600`")),
                    )
                })
            })?;
            Values::Date(raw.iter().filter_map(|v| Instant::parse(v)).collect())
        }
        Family::Bool => Values::Bool(
            raw.iter()
                .enumerate()
                .map(|(i, v)| match Template::parse(v, version, i)? {
                    Some(t) => Ok(BoolValue::Template(t)),
                    None => parse_bool(v).map(BoolValue::Literal).ok_or_else(|| {
                        invalid(op, i, v, "boolean", "expected `true` or `false`", None)
                    }),
                })
                .collect::<Result<_, ConditionError>>()?,
        ),
        Family::Binary => Values::Binary(
            raw.iter()
                .enumerate()
                .map(|(i, v)| {
                    binary::decode(v).ok_or_else(|| {
                        invalid(op, i, v, "base-64 value", "it does not decode as standard base-64", no_variables(v))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Family::Ip => Values::Ip(
            raw.iter()
                .enumerate()
                .map(|(i, v)| {
                    ip::parse_network(v).map_err(|e| {
                        invalid(
                            op,
                            i,
                            v,
                            "IP address or CIDR",
                            e,
                            no_variables(v).or(Some("write e.g. `203.0.113.0/24`, `203.0.113.7` or `2001:db8::/32`")),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Family::Arn => Values::Arn(
            raw.iter()
                .enumerate()
                .map(|(i, v)| match Template::parse(v, version, i)? {
                    Some(t) => Ok(ArnValue::Template(t)),
                    None => ArnPattern::parse(v).map(|p| ArnValue::Literal(Box::new(p))).map_err(|e| {
                        invalid(op, i, v, "ARN", e, Some("write e.g. `arn:aws:events:*:111122223333:rule/*`"))
                    }),
                })
                .collect::<Result<_, ConditionError>>()?,
        ),
        Family::Null => Values::Null(
            raw.iter()
                .enumerate()
                .map(|(i, v)| {
                    parse_bool(v).ok_or_else(|| {
                        invalid(op, i, v, "boolean", "`Null` takes `true` (key absent) or `false` (key present)", None)
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

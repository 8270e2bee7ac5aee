//! A compiled condition: one operator, one key, its policy values, ready to evaluate many
//! times.

use std::fmt::Write as _;

use ipnetwork::IpNetwork;

use crate::apply::{decide, decide_null, Outcome, Reason};
use crate::err::{ConditionError, ConditionWarning};
use crate::family::arn::{ArnPattern, ArnValue};
use crate::family::bool::{self, parse_bool};
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
    /// Numeric operators (`None`: a value that is not a number, which matches nothing).
    Numeric(Vec<Option<Decimal>>),
    /// Date operators (`None`: a value that is not a date, which matches nothing).
    Date(Vec<Option<Instant>>),
    /// `Bool` (`None`: a value that is not a boolean).
    Bool(Vec<Option<bool>>),
    /// `BinaryEquals`, decoded bytes (`None`: not base-64).
    Binary(Vec<Option<Vec<u8>>>),
    /// `IpAddress` / `NotIpAddress`.
    Ip(Vec<IpNetwork>),
    /// ARN operators.
    Arn(Vec<ArnValue>),
    /// `Null` (`true`: the key must be absent; `None`: not a boolean).
    Null(Vec<Option<bool>>),
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
    warnings: Vec<ConditionWarning>,
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

    /// Compiles the values of an already-parsed operator and key. An empty list of values is
    /// accepted, as IAM accepts it (policy validation check `EMPTY_ARRAY_CONDITION` is a
    /// suggestion): no value can then match, so a positive operator is false and a negated one
    /// true for a present key.
    pub fn new<S: AsRef<str>>(
        operator: Operator,
        key: ConditionKey,
        values: &[S],
        options: CompileOptions,
    ) -> Result<Self, ConditionError> {
        let raw: Vec<String> = values.iter().map(|v| v.as_ref().to_owned()).collect();
        let (values, warnings) = compile_values(operator, &raw, options)?;
        Ok(Self {
            operator,
            key,
            raw,
            values,
            warnings,
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

    /// Does a value of this condition rest on semantics AWS does not document (an ARN value
    /// with fewer than six components)?
    pub fn has_undocumented_values(&self) -> bool {
        matches!(&self.values, Values::Arn(v) if v.iter().any(|x| matches!(x, ArnValue::Short(_))))
    }

    /// Values that compiled with a warning (they match no request value).
    pub fn warnings(&self) -> &[ConditionWarning] {
        &self.warnings
    }

    /// The positive comparison of one request value with the policy value at `index`
    /// (`StringNotEquals` answers as `StringEquals` would). `Null` has no value comparison and
    /// answers `false`. Policy variables are resolved against `ctx`.
    pub fn compares(&self, request: &str, index: usize, ctx: &dyn Context) -> bool {
        let cmp = self.operator.base.comparison();
        match &self.values {
            Values::String(v) => v.get(index).is_some_and(|p| p.matches(request, cmp, ctx)),
            Values::Numeric(v) => v
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|p| p.matches(request, cmp)),
            Values::Date(v) => v
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|p| p.matches(request, cmp)),
            Values::Bool(v) => v
                .get(index)
                .copied()
                .flatten()
                .is_some_and(|p| bool::matches(p, request)),
            Values::Binary(v) => v
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|p| binary::matches(p, request)),
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
            Values::Null(policy) => decide_null(self.operator, request, policy),
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
            Reason::QualifiedNull => write!(s, "`{op}` is always {verdict}: a set qualifier on `Null` has no values to test"),
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

type Compiled = (Values, Vec<ConditionWarning>);

fn compile_values(
    op: Operator,
    raw: &[String],
    options: CompileOptions,
) -> Result<Compiled, ConditionError> {
    let family = op.base.family();
    if !op.base.supports_variables() {
        for (i, v) in raw.iter().enumerate() {
            if Template::parse(v, options.version, i)?.is_some() {
                return Err(ConditionError::VariableNotSupported {
                    index: i,
                    value: v.clone(),
                    operator: op.to_string(),
                });
            }
        }
    }
    let cmp = op.base.comparison();
    let mut warnings = Vec::new();
    // Values that IAM's validation only warns about: keep them as `None` (never matches).
    let mut lenient = |expected: &'static str, help: &str, parse: &dyn Fn(&str) -> bool| {
        for (i, v) in raw.iter().enumerate() {
            if !parse(v) {
                warnings.push(ConditionWarning {
                    index: i,
                    value: v.clone(),
                    operator: op.to_string(),
                    expected,
                    help: Some(help.to_owned()),
                });
            }
        }
    };
    let values = match family {
        Family::String => Values::String(
            raw.iter()
                .enumerate()
                .map(|(i, v)| {
                    Ok(StringValue::compile(
                        v,
                        cmp,
                        Template::parse(v, options.version, i)?,
                    ))
                })
                .collect::<Result<_, ConditionError>>()?,
        ),
        Family::Numeric => {
            lenient(
                "number",
                "write an integer or decimal such as `3600` or `0.5`",
                &|v| Decimal::parse(v).is_some(),
            );
            Values::Numeric(raw.iter().map(|v| Decimal::parse(v)).collect())
        }
        Family::Date => {
            lenient("date", "write an ISO 8601 date/time or epoch seconds, e.g. `2026-01-01T00:00:00Z`, `2026-01-01` or `1767225600`", &|v| Instant::parse(v).is_some());
            Values::Date(raw.iter().map(|v| Instant::parse(v)).collect())
        }
        // Policy validation check `INVALID_CONDITION_MULTIPLE_BOOLEAN` (an ERROR): "The
        // condition key does not support multiple Boolean values."
        Family::Bool if raw.len() > 1 => {
            return Err(invalid(
                op,
                1,
                raw.get(1).map_or("", String::as_str),
                "single boolean",
                "`Bool` takes one value, not a list",
                Some("write one value, `true` or `false` (IAM policy validation check INVALID_CONDITION_MULTIPLE_BOOLEAN)"),
            ));
        }
        Family::Bool => {
            lenient("boolean", "write `true` or `false`", &|v| {
                parse_bool(v).is_some()
            });
            Values::Bool(raw.iter().map(|v| parse_bool(v)).collect())
        }
        Family::Null => {
            lenient(
                "boolean",
                "`Null` takes `true` (the key must be absent) or `false` (it must be present)",
                &|v| parse_bool(v).is_some(),
            );
            Values::Null(raw.iter().map(|v| parse_bool(v)).collect())
        }
        Family::Binary => {
            lenient(
                "base-64 value",
                "write the bytes in standard base-64 with padding, e.g. `QmluYXJ5`",
                &|v| binary::decode(v).is_some(),
            );
            Values::Binary(raw.iter().map(|v| binary::decode(v)).collect())
        }
        // IAM's validation treats a bad IP range as an ERROR (`TYPE_MISMATCH_IP_RANGE`).
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
                            Some("write e.g. `203.0.113.0/24`, `203.0.113.7` or `2001:db8::/32`"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        // An ARN operator compares six components. A value with fewer is accepted with a
        // warning and matches nothing ([`ArnValue::Short`]).
        Family::Arn => {
            let mut out = Vec::new();
            for (i, v) in raw.iter().enumerate() {
                match Template::parse(v, options.version, i)? {
                    Some(t) => out.push(ArnValue::Template(t)),
                    None => match ArnPattern::parse(v) {
                        Ok(p) => out.push(ArnValue::Literal(Box::new(p))),
                        Err(_) => {
                            warnings.push(ConditionWarning {
                                index: i,
                                value: v.clone(),
                                operator: op.to_string(),
                                expected: "ARN of six components (arn:partition:service:region:account-id:resource)",
                                help: Some("AWS documents ARN matching component by component only; trustsim reads this value as matching no ARN and calls no verdict that rests on it a proof. Write e.g. `arn:aws:events:*:111122223333:rule/*`, or use `StringLike` for a pattern that is not an ARN".to_owned()),
                            });
                            out.push(ArnValue::Short(v.clone()));
                        }
                    },
                }
            }
            Values::Arn(out)
        }
    };
    Ok((values, warnings))
}

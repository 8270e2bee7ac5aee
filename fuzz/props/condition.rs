//! Target `condition` (structured): one condition, compiled from an operator name (known
//! operators with any qualifier and `IfExists`, or arbitrary text), a key and policy values,
//! then evaluated against a request context. Values come mostly from a pool of texts each
//! family cares about (numbers, dates, IP ranges, ARNs, wildcards, policy variables).
//!
//! Properties (AWS: IAM User Guide, "IAM JSON policy elements: Condition operators"; "Set
//! operators for multivalued context keys"; "IAM JSON policy elements: Condition"):
//! - nothing panics (compile, evaluate, explain, error and warning text);
//! - an error or warning that names a policy value names one that exists;
//! - negation: a negated operator (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...) is the
//!   complement of its positive twin for a single-valued key that is present ("If a single
//!   negated matching condition operator includes multiple values for a context key, those
//!   values are evaluated using a logical NOR"), except on a null data set with a set qualifier
//!   ("The ForAllValues qualifier returns true if ... the context key value resolves to a null
//!   dataset, such as an empty string");
//! - sets: on a key with several values (not a null data set), `ForAnyValue:` is true when the
//!   operator holds for some single value and `ForAllValues:` when it holds for every one;
//!   without a qualifier, a positive operator behaves as `ForAnyValue:` and a negated one as
//!   `ForAllValues:` (the reading `conditions/src/apply.rs` documents);
//! - absent keys: `...IfExists` and `ForAllValues:` are true ("If the key is not present,
//!   evaluate the condition element as true"; "returns true if there are no context keys in the
//!   request"), a plain positive operator is false and a negated one true ("If the policy
//!   condition requires that the key is not matched ... and the right key is not present, the
//!   condition is true"), `ForAnyValue:` without `IfExists` is false;
//! - key names are not case-sensitive: writing the request's key in upper case changes nothing.

use arbitrary::Arbitrary;
use trustsim_evaluator::conditions::family::bool::parse_bool;
use trustsim_evaluator::conditions::{
    BaseOperator, CompileOptions, Condition, ContextMap, Family, Operator, PolicyVersion,
    SetQualifier,
};

/// Texts that the operator families read specially.
const POOL: &[&str] = &[
    "",
    "*",
    "?",
    "a",
    "A",
    "abc",
    "a*",
    "*c",
    "a?c",
    "*a*",
    "é",
    "É",
    "ß",
    "İ",
    "111122223333",
    "444455556666",
    "arn:aws:iam::111122223333:role/x",
    "arn:aws:iam::111122223333:root",
    "arn:aws:events:us-east-1:111122223333:rule/*",
    "arn:aws:events:us-east-1:111122223333:rule/r",
    "arn:*:*:*:*:*",
    "arn:aws:s3:::bucket",
    "arn:aws:sts::111122223333:assumed-role/r/s",
    "0",
    "10",
    "-1.5",
    "1e3",
    "3600",
    "00010",
    "10.0",
    "99999999999999999999999999",
    "2026-01-01T00:00:00Z",
    "2026-01-01",
    "2026-01-01T00:00:00+01:00",
    "1767225600",
    "true",
    "false",
    "TRUE",
    "QmluYXJ5",
    "QmluYXJ5=",
    "203.0.113.0/24",
    "203.0.113.7",
    "203.0.113.7/32",
    "2001:db8::/32",
    "2001:db8::1",
    "::ffff:203.0.113.7",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "${aws:username, 'x'}",
    "${*}",
    "${?}",
    "${$}",
    "${",
    "arn:aws:iam::${aws:PrincipalAccount}:role/*",
    "aws:username",
    "aws:SourceAccount",
    "aws:PrincipalTag/team",
    "sts:ExternalId",
];

/// A text: from the pool, the pool with arbitrary text appended, or arbitrary text.
#[derive(Clone, Debug, Arbitrary)]
pub enum Text {
    /// `POOL[i % len]`.
    Pool(u8),
    /// `POOL[i % len]` followed by the string.
    Extended(u8, String),
    /// Any string.
    Raw(String),
}

impl Text {
    /// The text.
    pub fn text(&self) -> String {
        let pool = |i: &u8| {
            POOL.get(usize::from(*i) % POOL.len())
                .copied()
                .unwrap_or_default()
        };
        match self {
            Text::Pool(i) => pool(i).to_owned(),
            Text::Extended(i, s) => format!("{}{s}", pool(i)),
            Text::Raw(s) => s.clone(),
        }
    }
}

/// The operator as written.
#[derive(Clone, Debug, Arbitrary)]
pub enum OperatorName {
    /// `qualifier % 3` (none, `ForAllValues:`, `ForAnyValue:`), `BaseOperator::ALL[base % n]`,
    /// and the `IfExists` suffix.
    Known {
        /// Which qualifier.
        qualifier: u8,
        /// Which base operator.
        base: u8,
        /// `IfExists`.
        if_exists: bool,
    },
    /// Any text.
    Raw(String),
}

/// The request's values for the key.
#[derive(Clone, Debug, Arbitrary)]
pub enum RequestValues {
    /// The key is absent.
    Absent,
    /// A single-valued key.
    Single(Text),
    /// A multivalued key.
    Many(Vec<Text>),
}

/// One fuzz input.
#[derive(Clone, Debug, Arbitrary)]
pub struct Input {
    /// The operator.
    pub operator: OperatorName,
    /// The condition key (the first of `POOL`'s keys when taken from the pool).
    pub key: Text,
    /// The policy values.
    pub policy: Vec<Text>,
    /// The request's values for the key.
    pub request: RequestValues,
    /// Other keys of the request context (policy variables read them).
    pub others: Vec<(Text, Text)>,
    /// `Version` 2012-10-17 (policy variables on) or 2008-10-17.
    pub v2012: bool,
}

/// The operator name as written in a policy.
pub fn operator_text(name: &OperatorName) -> String {
    match name {
        OperatorName::Known {
            qualifier,
            base,
            if_exists,
        } => {
            let all = BaseOperator::ALL;
            let Some(base) = all.get(usize::from(*base) % all.len()) else {
                return String::new();
            };
            let qualifier = match qualifier % 3 {
                1 => Some(SetQualifier::ForAllValues),
                2 => Some(SetQualifier::ForAnyValue),
                _ => None,
            };
            Operator {
                qualifier,
                base: *base,
                if_exists: *if_exists,
            }
            .to_string()
        }
        OperatorName::Raw(s) => s.clone(),
    }
}

/// The positive or negated twin of an operator, if it has one.
fn twin(base: BaseOperator) -> Option<BaseOperator> {
    use BaseOperator as B;
    let pairs = [
        (B::StringEquals, B::StringNotEquals),
        (B::StringEqualsIgnoreCase, B::StringNotEqualsIgnoreCase),
        (B::StringLike, B::StringNotLike),
        (B::NumericEquals, B::NumericNotEquals),
        (B::DateEquals, B::DateNotEquals),
        (B::IpAddress, B::NotIpAddress),
        (B::ArnEquals, B::ArnNotEquals),
        (B::ArnLike, B::ArnNotLike),
    ];
    pairs.iter().find_map(|(p, n)| {
        if *p == base {
            Some(*n)
        } else if *n == base {
            Some(*p)
        } else {
            None
        }
    })
}

/// Limits that keep one input fast.
const MAX_VALUES: usize = 64;

/// The property.
pub fn check(input: &Input) {
    let op_text = operator_text(&input.operator);
    let key = match &input.key {
        Text::Pool(i) => [
            "aws:username",
            "aws:SourceAccount",
            "aws:PrincipalTag/team",
            "sts:ExternalId",
        ]
        .get(usize::from(*i) % 4)
        .map_or_else(String::new, |k| (*k).to_owned()),
        other => other.text(),
    };
    let values: Vec<String> = input
        .policy
        .iter()
        .take(MAX_VALUES)
        .map(Text::text)
        .collect();
    let options = CompileOptions {
        version: if input.v2012 {
            PolicyVersion::V2012_10_17
        } else {
            PolicyVersion::V2008_10_17
        },
    };
    let mut base_ctx = ContextMap::new();
    for (k, v) in input.others.iter().take(MAX_VALUES) {
        base_ctx.insert(&k.text(), v.text());
    }
    let request: Option<Vec<String>> = match &input.request {
        RequestValues::Absent => None,
        RequestValues::Single(t) => Some(vec![t.text()]),
        RequestValues::Many(ts) => Some(ts.iter().take(MAX_VALUES).map(Text::text).collect()),
    };
    let single = matches!(input.request, RequestValues::Single(_));
    let with_key = |spelling: &str, request: Option<&[String]>, single: bool| {
        let mut ctx = base_ctx.clone();
        match request {
            None => {
                ctx.remove(spelling);
            }
            Some([v]) if single => {
                ctx.insert(spelling, v.clone());
            }
            Some(vs) => {
                ctx.insert_many(spelling, vs.iter().cloned());
            }
        }
        ctx
    };
    let ctx = with_key(&key, request.as_deref(), single);

    let compiled = Condition::compile(&op_text, &key, &values, options);
    let condition = match compiled {
        Err(e) => {
            let _ = e.to_string();
            if let Some(i) = e.value_index() {
                assert!(
                    i < values.len(),
                    "error names value {i} of {}: {e}",
                    values.len()
                );
            }
            return;
        }
        Ok(c) => c,
    };
    for w in condition.warnings() {
        let _ = w.to_string();
        assert!(
            w.index < values.len(),
            "warning names value {} of {}",
            w.index,
            values.len()
        );
    }
    let outcome = condition.evaluate(&ctx);
    let _ = condition.explain(&outcome, &ctx);
    let op = condition.operator();

    // Key names are not case-sensitive.
    let upper = with_key(&key.to_ascii_uppercase(), request.as_deref(), single);
    assert_eq!(
        condition.evaluate(&upper).result,
        outcome.result,
        "`{op}` on `{key}` depends on the key's case"
    );

    let compile_as = |op: Operator| {
        let c = Condition::new(op, condition.key().clone(), &values, options);
        assert!(
            c.is_ok(),
            "`{op}` does not compile with the values `{op_text}` compiled with"
        );
        c.ok()
    };

    // Negation.
    if let (Some(twin), Some([value])) = (twin(op.base), request.as_deref()) {
        if single && (op.qualifier.is_none() || !value.is_empty()) {
            if let Some(other) = compile_as(Operator { base: twin, ..op }) {
                assert_eq!(
                    other.evaluate(&ctx).result,
                    !outcome.result,
                    "`{op}` and `{}` agree on the single value `{value}` with policy values {values:?}",
                    other.operator()
                );
            }
        }
    }

    // Absent keys.
    if request.is_none() && op.base.family() != Family::Null {
        let expected = match (op.qualifier, op.if_exists) {
            (_, true) | (Some(SetQualifier::ForAllValues), _) => true,
            (Some(SetQualifier::ForAnyValue), false) => false,
            (None, false) => op.is_negated(),
        };
        assert_eq!(outcome.result, expected, "`{op}` on an absent key");
    }
    if request.is_none() && op.base == BaseOperator::Null && op.qualifier.is_none() {
        let expected = values.iter().any(|v| parse_bool(v) == Some(true));
        assert_eq!(
            outcome.result, expected,
            "`Null` {values:?} on an absent key"
        );
    }

    // Sets, on several values, when no policy variable reads the context (a multivalued key
    // cannot be a variable, so the single-valued contexts below would resolve differently).
    let uses_variables = input.v2012 && values.iter().any(|v| v.contains("${"));
    let Some(many) = request.as_deref() else {
        return;
    };
    if single
        || many.len() < 2
        || uses_variables
        || op.base.family() == Family::Null
        || op.qualifier.is_some()
    {
        return;
    }
    let plain = Operator {
        qualifier: None,
        if_exists: false,
        ..op
    };
    let Some(plain) = compile_as(plain) else {
        return;
    };
    let each: Vec<bool> = many
        .iter()
        .map(|v| {
            plain
                .evaluate(&with_key(&key, Some(std::slice::from_ref(v)), true))
                .result
        })
        .collect();
    let any = each.iter().any(|r| *r);
    let all = each.iter().all(|r| *r);
    for (qualifier, expected) in [
        (SetQualifier::ForAnyValue, any),
        (SetQualifier::ForAllValues, all),
    ] {
        if let Some(c) = compile_as(Operator {
            qualifier: Some(qualifier),
            ..op
        }) {
            assert_eq!(
                c.evaluate(&ctx).result,
                expected,
                "`{}` on {many:?} against {values:?} (each: {each:?})",
                c.operator()
            );
        }
    }
    let expected = if op.is_negated() { all } else { any };
    assert_eq!(
        outcome.result, expected,
        "`{op}` on {many:?} against {values:?} (each: {each:?})"
    );
}

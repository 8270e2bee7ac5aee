//! The property-testing kit: policies.

use super::*;

/// A generated trust policy: the document and its parsed form. `Debug` prints the document as
/// compact JSON.
#[derive(Clone)]
pub struct GeneratedPolicy {
    /// The JSON document.
    pub document: Value,
    /// The parsed policy.
    pub policy: TrustPolicy,
}

impl fmt::Debug for GeneratedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.document)
    }
}

impl GeneratedPolicy {
    /// Parses a document (for documents made from a generated one).
    pub fn from_document(document: Value) -> Option<Self> {
        let policy = TrustPolicy::from_value(&document).ok()?;
        Some(Self { document, policy })
    }
}

/// The shape of generated policies.
#[derive(Clone, Debug)]
pub struct PolicyShape {
    /// The owner account the principals and values name.
    pub owner: String,
    /// Fewest statements.
    pub min_statements: usize,
    /// Most statements.
    pub max_statements: usize,
    /// Most conditions per statement.
    pub max_conditions: usize,
    /// The probability that a statement is a `Deny`.
    pub deny: f64,
}

impl Default for PolicyShape {
    /// Owner [`OWNER`], one to three statements, up to two conditions each, one in five a Deny.
    fn default() -> Self {
        Self {
            owner: OWNER.to_owned(),
            min_statements: 1,
            max_statements: 3,
            max_conditions: 2,
            deny: 0.2,
        }
    }
}

/// The families of generated conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fam {
    Str,
    Arn,
    Num,
    Date,
    Bool,
    Ip,
    Bin,
}

/// Keys of generated conditions, with values to pick from (`{owner}` is replaced).
pub(super) const KEY_POOL: &[(&str, Fam, &[&str])] = &[
    (
        "aws:SourceAccount",
        Fam::Str,
        &["{owner}", "444455556666", "1111*", "*", "11112222333?"],
    ),
    (
        "aws:SourceArn",
        Fam::Arn,
        &[
            "arn:aws:events:*:{owner}:rule/*",
            "arn:aws:events:us-east-1:*:rule/ci-*",
            "arn:aws:s3:::my-bucket",
            "arn:aws:s3:::logs.*",
            "arn:aws:*:*:{owner}:*",
            "*",
        ],
    ),
    ("aws:SourceOrgID", Fam::Str, &["o-abcdef1234", "o-abc*"]),
    (
        "sts:ExternalId",
        Fam::Str,
        &["abc", "Unique-ID-4711", "a*", "*", "12345"],
    ),
    (
        "aws:PrincipalAccount",
        Fam::Str,
        &["{owner}", "444455556666", "4444*"],
    ),
    (
        "aws:PrincipalArn",
        Fam::Arn,
        &[
            "arn:aws:iam::{owner}:role/admin",
            "arn:aws:iam::444455556666:role/vendor",
            "arn:aws:iam::*:role/ci-*",
            "arn:aws:iam::444455556666:*",
        ],
    ),
    ("aws:PrincipalOrgID", Fam::Str, &["o-abcdef1234", "o-abc*"]),
    (
        "aws:PrincipalServiceName",
        Fam::Str,
        &[
            "events.amazonaws.com",
            "s3.amazonaws.com",
            "*.amazonaws.com",
        ],
    ),
    (
        "aws:PrincipalType",
        Fam::Str,
        &["AssumedRole", "User", "Account"],
    ),
    ("aws:username", Fam::Str, &["bob", "b*"]),
    ("aws:PrincipalTag/team", Fam::Str, &["blue", "b*"]),
    ("aws:RequestTag/team", Fam::Str, &["blue", "*"]),
    ("aws:TagKeys", Fam::Str, &["team", "env", "t*"]),
    ("sts:RoleSessionName", Fam::Str, &["ci-*", "bob"]),
    (
        "aws:SourceIp",
        Fam::Ip,
        &["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32"],
    ),
    ("aws:MultiFactorAuthPresent", Fam::Bool, &["true", "false"]),
    ("aws:SecureTransport", Fam::Bool, &["true", "false"]),
    ("aws:MultiFactorAuthAge", Fam::Num, &["3600", "0"]),
    (
        "aws:CurrentTime",
        Fam::Date,
        &["2020-01-01T00:00:00Z", "2100-01-01T00:00:00Z"],
    ),
    (
        "token.actions.githubusercontent.com:sub",
        Fam::Str,
        &[
            "repo:octo-org/*",
            "repo:octo-org/app:ref:refs/heads/main",
            "repo:*",
            "repo:octo-*",
        ],
    ),
    (
        "token.actions.githubusercontent.com:aud",
        Fam::Str,
        &["sts.amazonaws.com"],
    ),
    (
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1:sub",
        Fam::Str,
        &[
            "system:serviceaccount:prod:app",
            "system:serviceaccount:*:app",
            "system:serviceaccount:prod-*:*",
        ],
    ),
    (
        "cognito-identity.amazonaws.com:aud",
        Fam::Str,
        &[
            "us-east-1:11111111-2222-3333-4444-555555555555",
            "us-east-1:*",
        ],
    ),
    (
        "cognito-identity.amazonaws.com:amr",
        Fam::Str,
        &["authenticated", "unauthenticated"],
    ),
    (
        "accounts.google.com:aud",
        Fam::Str,
        &["1234.apps.googleusercontent.com", "*"],
    ),
    ("saml:sub", Fam::Str, &["alice", "a*"]),
    ("aws:SourceVpce", Fam::Str, &["vpce-1a2b3c4d", "vpce-*"]),
    // Any key may be compared as binary data (base64 of `blue`, of `ABC`).
    ("aws:PrincipalTag/team", Fam::Bin, &["Ymx1ZQ==", "QUJD"]),
];

pub(super) fn principal_pool(owner: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS", "*".to_owned()),
        ("AWS", owner.to_owned()),
        ("AWS", format!("arn:aws:iam::{owner}:root")),
        ("AWS", format!("arn:aws:iam::{owner}:role/admin")),
        ("AWS", THIRD_PARTY.to_owned()),
        ("AWS", format!("arn:aws:iam::{THIRD_PARTY}:role/vendor")),
        ("AWS", format!("arn:aws:iam::{THIRD_PARTY}:user/bob")),
        ("Service", "events.amazonaws.com".to_owned()),
        ("Service", "s3.amazonaws.com".to_owned()),
        ("Service", "autoscaling.amazonaws.com".to_owned()),
        ("Service", "lambda.amazonaws.com".to_owned()),
        (
            "Federated",
            format!("arn:aws:iam::{owner}:oidc-provider/token.actions.githubusercontent.com"),
        ),
        (
            "Federated",
            format!(
                "arn:aws:iam::{owner}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1"
            ),
        ),
        ("Federated", "cognito-identity.amazonaws.com".to_owned()),
        ("Federated", "accounts.google.com".to_owned()),
        (
            "Federated",
            format!("arn:aws:iam::{owner}:saml-provider/corp"),
        ),
    ]
}

pub(super) const POLICY_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:Assume*",
    "sts:*",
];

/// The operators of generated conditions on a key of the family: every operator of the
/// conditions crate's catalogue (`BaseOperator::ALL`) of that family (for ARN keys, the String
/// operators too, which compare ARNs as text), so the kit covers what the evaluator does.
/// `Null` is drawn apart (`condition`).
pub(super) fn operators(fam: Fam) -> Vec<&'static str> {
    use trustsim_conditions::BaseOperator;
    let families: &[Family] = match fam {
        Fam::Str => &[Family::String],
        Fam::Arn => &[Family::Arn, Family::String],
        Fam::Num => &[Family::Numeric],
        Fam::Date => &[Family::Date],
        Fam::Bool => &[Family::Bool],
        Fam::Ip => &[Family::Ip],
        Fam::Bin => &[Family::Binary],
    };
    BaseOperator::ALL
        .iter()
        .filter(|op| families.contains(&op.family()))
        .map(|op| op.name())
        .collect()
}

/// One condition: `(operator, key, value)`.
pub(super) fn condition(owner: &str) -> BoxedStrategy<(String, String, Value)> {
    let owner = owner.to_owned();
    (
        0..KEY_POOL.len(),
        any::<usize>(),
        0u8..12,
        proptest::bool::weighted(0.15),
        vec_of(any::<usize>(), 1..=2),
        0u8..2,
    )
        .prop_map(move |(k, op, qualifier, if_exists, picks, null)| {
            let (key, fam, values) =
                KEY_POOL
                    .get(k)
                    .copied()
                    .unwrap_or(("aws:SourceAccount", Fam::Str, &["*"]));
            let ops = operators(fam);
            let base = ops
                .get(op % ops.len().max(1))
                .copied()
                .unwrap_or("StringEquals");
            if qualifier == 11 {
                let v = if null == 0 { "true" } else { "false" };
                return ("Null".to_owned(), key.to_owned(), json!(v));
            }
            let set_key = matches!(key, "aws:TagKeys" | "cognito-identity.amazonaws.com:amr");
            let prefix = match (qualifier, set_key, fam) {
                (_, _, Fam::Bool | Fam::Num | Fam::Date | Fam::Ip | Fam::Bin) => "",
                (0..=4, true, _) => "ForAnyValue:",
                (5..=7, true, _) => "ForAllValues:",
                (0, false, _) => "ForAnyValue:",
                (1, false, _) => "ForAllValues:",
                _ => "",
            };
            let suffix = if if_exists { "IfExists" } else { "" };
            let mut vals: Vec<String> = Vec::new();
            for p in picks {
                if let Some(v) = values.get(p % values.len().max(1)) {
                    push_unique(&mut vals, v.replace("{owner}", &owner));
                }
            }
            let value = match vals.as_slice() {
                [one] => json!(one),
                _ => json!(vals),
            };
            (format!("{prefix}{base}{suffix}"), key.to_owned(), value)
        })
        .boxed()
}

/// Statements of generated policies (JSON), with the effect drawn by `shape.deny`, or fixed.
pub fn statements(shape: &PolicyShape, effect: Option<Effect>) -> BoxedStrategy<Value> {
    let pool = principal_pool(&shape.owner);
    let principal = Union::new_weighted(vec![
        (1, Just(json!("*")).boxed()),
        (
            6,
            vec_of(select(pool), 1..=3)
                .prop_map(|entries| {
                    let mut map = Map::new();
                    for (kind, value) in entries {
                        match map.get_mut(kind) {
                            None => {
                                map.insert(kind.to_owned(), json!(value));
                            }
                            Some(Value::String(s)) if *s != value => {
                                let first = s.clone();
                                map.insert(kind.to_owned(), json!([first, value]));
                            }
                            Some(Value::Array(list)) if !list.contains(&json!(value)) => {
                                list.push(json!(value));
                            }
                            _ => {}
                        }
                    }
                    Value::Object(map)
                })
                .boxed(),
        ),
    ]);
    let action = Union::new_weighted(vec![
        (4, Just(json!("sts:AssumeRole")).boxed()),
        (2, select(POLICY_ACTIONS).prop_map(|a| json!(a)).boxed()),
        (
            2,
            proptest::sample::subsequence(POLICY_ACTIONS.to_vec(), 1..=3)
                .prop_map(|v| json!(v))
                .boxed(),
        ),
    ]);
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => proptest::bool::weighted(shape.deny)
            .prop_map(|deny| if deny { Effect::Deny } else { Effect::Allow })
            .boxed(),
    };
    (
        effect,
        principal,
        action,
        proptest::bool::weighted(0.1),
        vec_of(condition(&shape.owner), 0..=shape.max_conditions),
        proptest::option::weighted(0.2, 0u32..100),
    )
        .prop_map(|(effect, principal, action, not_action, conditions, sid)| {
            let mut s = Map::new();
            if let Some(n) = sid {
                s.insert("Sid".to_owned(), json!(format!("S{n}")));
            }
            s.insert("Effect".to_owned(), json!(effect.as_str()));
            s.insert("Principal".to_owned(), principal);
            if not_action {
                s.insert("NotAction".to_owned(), json!("sts:TagSession"));
            } else {
                s.insert("Action".to_owned(), action);
            }
            if !conditions.is_empty() {
                let mut block: Map<String, Value> = Map::new();
                for (op, key, value) in conditions {
                    let entry = block.entry(op).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        if !m.keys().any(|k| k.eq_ignore_ascii_case(&key)) {
                            m.insert(key, value);
                        }
                    }
                }
                s.insert("Condition".to_owned(), Value::Object(block));
            }
            Value::Object(s)
        })
        .boxed()
}

/// Arbitrary well-formed trust policies of the default [`PolicyShape`]: principals of every
/// kind (`"*"`, the owner, a third party, services, identity providers), STS actions and
/// wildcards, `NotAction`, and conditions of every operator family (with `IfExists`,
/// `ForAnyValue:` / `ForAllValues:` and `Null`) on the keys that trust policies read, with
/// values that meet (`*`, prefixes, the owner's account) and miss.
pub fn trust_policies() -> BoxedStrategy<GeneratedPolicy> {
    trust_policies_with(&PolicyShape::default())
}

/// [`trust_policies`] of the given shape.
pub fn trust_policies_with(shape: &PolicyShape) -> BoxedStrategy<GeneratedPolicy> {
    let (min, max) = (shape.min_statements.max(1), shape.max_statements.max(1));
    (
        vec_of(statements(shape, None), min..=max.max(min)),
        proptest::bool::weighted(0.1),
    )
        .prop_filter_map("the parser rejects the policy", |(list, single)| {
            let statement = match (single, list.as_slice()) {
                (true, [one]) => one.clone(),
                _ => Value::Array(list),
            };
            GeneratedPolicy::from_document(json!({"Version": "2012-10-17", "Statement": statement}))
        })
        .boxed()
}

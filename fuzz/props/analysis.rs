//! Target `analysis`: `analyze` on every policy `TrustPolicy::from_json` accepts.
//!
//! - it never panics, with and without an owner account;
//! - a threat that is `exposed` or `partial` has a witness (`docs/threats.md`);
//! - every witness is a request `evaluate` allows, also after a round trip through its JSON
//!   form (the form `trustsim eval --request` reads);
//! - every fix is a valid trust policy that denies the witness of its threat.
//!
//! Target `analysis_built` (structured) checks the same on policies built from parts (principals,
//! actions, condition keys and values that the threats care about), so that nearly every input
//! is a policy the analysis reads.

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};
use trustsim_evaluator::{
    analyze, evaluate, AnalysisOptions, Decision, Request, TrustPolicy, Verdict,
};

use super::condition::{OperatorName, Text};

/// Documents larger than this are skipped: the analysis is exercised on policy-sized inputs.
const MAX_LEN: usize = 4096;

/// The property.
pub fn check(data: &[u8]) {
    if data.len() > MAX_LEN {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = TrustPolicy::from_json(text) {
        check_policy(&policy);
    }
}

/// The property on one policy.
pub fn check_policy(policy: &TrustPolicy) {
    for account in [None, Some("111122223333".to_owned())] {
        let analysis = analyze(
            policy,
            &AnalysisOptions {
                account,
                ..Default::default()
            },
        );
        let _ = analysis.threats_json();
        for t in &analysis.threats {
            let name = t.threat.name();
            if matches!(t.verdict, Verdict::Exposed | Verdict::Partial) {
                assert!(
                    t.witness.is_some(),
                    "{name}: {:?} without a witness",
                    t.verdict
                );
            }
            let Some(witness) = &t.witness else {
                continue;
            };
            let json = witness.to_json();
            assert_eq!(
                evaluate(policy, witness).decision,
                Decision::Allow,
                "{name}: the witness {json} is not allowed"
            );
            let again = Request::from_value(&json);
            assert!(
                again.is_ok(),
                "{name}: the witness {json} does not read back: {:?}",
                again.as_ref().err()
            );
            if let Ok(again) = again {
                assert_eq!(
                    evaluate(policy, &again).decision,
                    Decision::Allow,
                    "{name}: the witness {json} read back from its JSON is not allowed"
                );
            }
            if let Some(fix) = &t.fix {
                let fixed = TrustPolicy::from_value(fix);
                assert!(
                    fixed.is_ok(),
                    "{name}: the fix {fix} is not a policy: {:?}",
                    fixed.as_ref().err()
                );
                if let Ok(fixed) = fixed {
                    assert_ne!(
                        evaluate(&fixed, witness).decision,
                        Decision::Allow,
                        "{name}: the fix {fix} still allows the witness {json}"
                    );
                }
            }
        }
    }
}

/// Principals the threats tell apart: everyone, accounts (the owner's and another), roles,
/// services, identity providers.
const PRINCIPALS: &[(&str, &str)] = &[
    ("*", "*"),
    ("AWS", "*"),
    ("AWS", "111122223333"),
    ("AWS", "444455556666"),
    ("AWS", "arn:aws:iam::111122223333:root"),
    ("AWS", "arn:aws:iam::444455556666:root"),
    ("AWS", "arn:aws:iam::111122223333:role/admin"),
    ("AWS", "arn:aws:iam::444455556666:role/partner"),
    ("AWS", "arn:aws:iam::444455556666:user/alice"),
    (
        "AWS",
        "arn:aws:sts::444455556666:assumed-role/partner/session",
    ),
    ("Service", "events.amazonaws.com"),
    ("Service", "lambda.amazonaws.com"),
    ("Service", "scheduler.amazonaws.com"),
    ("Service", "ec2.amazonaws.com"),
    (
        "Federated",
        "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
    ),
    ("Federated", "arn:aws:iam::111122223333:saml-provider/corp"),
    ("Federated", "accounts.google.com"),
    ("Federated", "cognito-identity.amazonaws.com"),
];

const ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:*",
    "*",
    "sts:Assume*",
    "sts:AssumeRole?",
];

const KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "sts:ExternalId",
    "token.actions.githubusercontent.com:sub",
    "token.actions.githubusercontent.com:aud",
    "accounts.google.com:aud",
    "cognito-identity.amazonaws.com:aud",
    "cognito-identity.amazonaws.com:amr",
    "saml:aud",
    "aws:PrincipalTag/team",
    "aws:RequestTag/team",
    "aws:TagKeys",
    "sts:SourceIdentity",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:MultiFactorAuthPresent",
    "aws:userid",
    "aws:username",
];

const VALUES: &[&str] = &[
    "111122223333",
    "444455556666",
    "arn:aws:events:us-east-1:111122223333:rule/*",
    "arn:aws:events:*:111122223333:*",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:iam::*:role/admin",
    "o-abc123",
    "secret-external-id",
    "repo:org/repo:ref:refs/heads/main",
    "repo:org/*",
    "repo:*",
    "sts.amazonaws.com",
    "us-east-1:1234abcd-12ab-34cd-56ef-1234567890ab",
    "authenticated",
    "https://signin.aws.amazon.com/saml",
    "events.amazonaws.com",
    "team-a",
    "*",
    "true",
    "false",
    "203.0.113.0/24",
    "2026-01-01T00:00:00Z",
    "${aws:PrincipalAccount}",
    "${aws:username}",
];

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list.get(usize::from(i) % list.len().max(1))
        .copied()
        .unwrap_or_default()
}

/// A value of the built policy: from `VALUES`, or any text of the `condition` target.
#[derive(Clone, Debug, Arbitrary)]
pub enum BuiltValue {
    /// `VALUES[i % len]`.
    Pool(u8),
    /// A text as the `condition` target makes them.
    Text(Text),
}

/// A condition of a built statement.
#[derive(Clone, Debug, Arbitrary)]
pub struct BuiltCondition {
    /// The operator.
    pub operator: OperatorName,
    /// `KEYS[i % len]`, or any text.
    pub key: Result<u8, Text>,
    /// The values; one value is written as a string rather than a list.
    pub values: Vec<BuiltValue>,
}

/// A statement of a built policy.
#[derive(Clone, Debug, Arbitrary)]
pub struct BuiltStatement {
    /// `Deny` rather than `Allow`.
    pub deny: bool,
    /// Indices into `PRINCIPALS`.
    pub principals: Vec<u8>,
    /// Indices into `ACTIONS`.
    pub actions: Vec<u8>,
    /// `NotAction` rather than `Action`.
    pub not_action: bool,
    /// The conditions.
    pub conditions: Vec<BuiltCondition>,
}

/// One input of `analysis_built`.
#[derive(Clone, Debug, Arbitrary)]
pub struct Built {
    /// `Version` 2012-10-17 rather than none.
    pub versioned: bool,
    /// The statements.
    pub statements: Vec<BuiltStatement>,
}

impl Built {
    /// The policy document.
    pub fn document(&self) -> Value {
        let statements: Vec<Value> = self
            .statements
            .iter()
            .take(6)
            .map(|s| {
                let mut principal = Map::new();
                let mut everyone = false;
                for i in s.principals.iter().take(4) {
                    match pick_principal(*i) {
                        ("*", _) => everyone = true,
                        (kind, name) => {
                            let entry = principal
                                .entry(kind.to_owned())
                                .or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(list) = entry {
                                list.push(Value::String(name.to_owned()));
                            }
                        }
                    }
                }
                let principal = if everyone || principal.is_empty() {
                    json!("*")
                } else {
                    Value::Object(principal)
                };
                let mut actions: Vec<&str> = s
                    .actions
                    .iter()
                    .take(4)
                    .map(|i| pick(ACTIONS, *i))
                    .collect();
                if actions.is_empty() {
                    actions.push("sts:AssumeRole");
                }
                let mut condition = Map::new();
                for c in s.conditions.iter().take(4) {
                    let op = super::condition::operator_text(&c.operator);
                    let key = match &c.key {
                        Ok(i) => pick(KEYS, *i).to_owned(),
                        Err(t) => t.text(),
                    };
                    let values: Vec<Value> = c
                        .values
                        .iter()
                        .take(4)
                        .map(|v| match v {
                            BuiltValue::Pool(i) => Value::String(pick(VALUES, *i).to_owned()),
                            BuiltValue::Text(t) => Value::String(t.text()),
                        })
                        .collect();
                    let values = match values.as_slice() {
                        [one] => one.clone(),
                        _ => Value::Array(values),
                    };
                    let entry = condition
                        .entry(op)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(keys) = entry {
                        keys.insert(key, values);
                    }
                }
                let mut st = Map::new();
                st.insert(
                    "Effect".into(),
                    json!(if s.deny { "Deny" } else { "Allow" }),
                );
                st.insert("Principal".into(), principal);
                st.insert(
                    if s.not_action { "NotAction" } else { "Action" }.into(),
                    json!(actions),
                );
                if !condition.is_empty() {
                    st.insert("Condition".into(), Value::Object(condition));
                }
                Value::Object(st)
            })
            .collect();
        let mut doc = Map::new();
        if self.versioned {
            doc.insert("Version".into(), json!("2012-10-17"));
        }
        doc.insert("Statement".into(), Value::Array(statements));
        Value::Object(doc)
    }
}

fn pick_principal(i: u8) -> (&'static str, &'static str) {
    PRINCIPALS
        .get(usize::from(i) % PRINCIPALS.len())
        .copied()
        .unwrap_or(("*", "*"))
}

/// The property of `analysis_built`: the policy, if it is one, passes [`check_policy`] and the
/// checks of [`super::common::check_policy`].
pub fn check_built(input: &Built) {
    if let Ok(policy) = TrustPolicy::from_value(&input.document()) {
        super::common::check_policy(&policy);
        check_policy(&policy);
    }
}

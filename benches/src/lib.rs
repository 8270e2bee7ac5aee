//! Shared inputs for trustsim's criterion benches (the benches live in `benches/`).

/// A service role with two conditions (the seed article's fix plus an `aws:SourceArn` check).
pub const TWO_CONDITIONS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "TrustEvents", "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {
      "StringEquals": {"aws:SourceAccount": "111122223333"},
      "ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/*"}
    }
  }]
}"#;

/// Five statements: accounts, a role, a service, GitHub OIDC, and a Deny.
pub const FIVE_STATEMENTS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123412341234:role/ALICE"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"sts:ExternalId": "12345"}}},
    {"Effect": "Allow", "Principal": {"AWS": ["444455556666", "arn:aws:iam::777788889999:root"]}, "Action": ["sts:AssumeRole", "sts:TagSession"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
     "Action": "sts:AssumeRoleWithWebIdentity",
     "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                   "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*:ref:refs/heads/main"}}},
    {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
     "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}
  ]
}"#;

/// Typical trust policies for the analysis bench (written for trustsim, in the shapes the
/// seed articles and AWS's documentation describe).
pub const TYPICAL: &[(&str, &str)] = &[
    (
        "service, no condition",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#,
    ),
    ("service, source account and ARN", TWO_CONDITIONS),
    (
        "third party with ExternalId",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "vendor-assigned-0042"}}}]}"#,
    ),
    (
        "GitHub OIDC",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/app:*"}}}]}"#,
    ),
    (
        "public with organization",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}}]}"#,
    ),
    ("five statements", FIVE_STATEMENTS),
];

/// Hostile inputs for `benches/hostile.rs`: policies and values that grow with `n`, in the shapes
/// an attacker controls in CI (a pull request that edits a trust policy or a claim pattern).
pub mod hostile {
    use serde_json::{json, Value};

    fn wrap(statements: Vec<Value>) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    /// A GitHub OIDC role whose `sub` pattern has `n` wildcards: `repo:*a*a*...*a*b`.
    pub fn stars(n: usize) -> Value {
        let pattern = format!("repo:{}b", "*a".repeat(n));
        wrap(vec![json!({"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"token.actions.githubusercontent.com:sub": pattern}}})])
    }

    /// A value of `n` characters that a `stars` pattern almost matches (`repo:aaaa...a`).
    pub fn long_value(n: usize) -> String {
        format!("repo:{}", "a".repeat(n))
    }

    /// A service role allowed only from `n` networks (`IpAddress` with `n` CIDRs).
    pub fn cidrs(n: usize) -> Value {
        let nets: Vec<String> = (0..n)
            .map(|i| format!("10.{}.{}.0/24", (i / 256) % 256, i % 256))
            .collect();
        wrap(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"IpAddress": {"aws:SourceIp": nets}}}),
        ])
    }

    /// `n` statements, each trusting a third-party account with its own external ID.
    pub fn statements(n: usize) -> Value {
        wrap(
            (0..n)
                .map(|i| {
                    json!({"Effect": "Allow",
                        "Principal": {"AWS": format!("arn:aws:iam::{:012}:root", 444_455_550_000u64 + i as u64)},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": format!("vendor-{i}")}}})
                })
                .collect(),
        )
    }

    /// One public statement with `n` conditions on `n` different keys the attacker chooses.
    pub fn keys(n: usize) -> Value {
        let conds: serde_json::Map<String, Value> = (0..n)
            .map(|i| (format!("aws:RequestTag/k{i}"), json!(format!("v{i}"))))
            .collect();
        wrap(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": conds}}),
        ])
    }

    /// One public statement with `n` conditions on `n` different keys the attacker chooses, each
    /// with ten values.
    pub fn keys_of_ten(n: usize) -> Value {
        let conds: serde_json::Map<String, Value> = (0..n)
            .map(|i| {
                let values: Vec<String> = (0..10).map(|j| format!("v{i}-{j}")).collect();
                (format!("aws:RequestTag/k{i}"), json!(values))
            })
            .collect();
        wrap(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": conds}}),
        ])
    }

    /// A service role whose `aws:SourceArn` must match one of `n` patterns.
    pub fn patterns(n: usize) -> Value {
        let arns: Vec<String> = (0..n)
            .map(|i| format!("arn:aws:events:*:111122223333:rule/app-{i}-*"))
            .collect();
        wrap(vec![
            json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:SourceArn": arns}}}),
        ])
    }

    /// A public role with `n` numeric conditions on different keys (each key gets
    /// representatives around its constants, so the candidate product grows).
    pub fn numeric_keys(n: usize) -> Value {
        let conds: serde_json::Map<String, Value> = (0..n)
            .map(|i| (format!("aws:RequestTag/n{i}"), json!(["10", "20", "30"])))
            .collect();
        wrap(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"NumericLessThan": conds}}),
        ])
    }
}

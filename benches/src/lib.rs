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

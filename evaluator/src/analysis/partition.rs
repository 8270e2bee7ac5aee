//! Partitions: an AWS account lives in exactly one partition, so the attackers of a role are
//! accounts, services and identities of the role's partition, and every ARN the analysis builds
//! for them (callers, `aws:SourceArn`, witnesses, fixes) is written in that partition
//! (`docs/threats.md` 2.7).
//!
//! Sources:
//! - IAM User Guide, *IAM identifiers* (reference_identifiers.html), ARN format:
//!   `arn:partition:service:region:account:resource`, where the partition is "the partition
//!   that the resource is in"; the commercial Regions are `aws`, China `aws-cn`, GovCloud (US)
//!   `aws-us-gov`.
//! - AWS General Reference, *Amazon Resource Names (ARNs)* (reference-arns.html), the same list.
//! - The ISO partitions are the identifiers the AWS SDKs' partition metadata
//!   (`partitions.json`) names for the isolated Regions: `aws-iso`, `aws-iso-b`, `aws-iso-e`,
//!   `aws-iso-f`; and `aws-eusc` for the AWS European Sovereign Cloud.

use crate::policy::{PolicyPrincipal, TrustPolicy};

/// Every partition the analysis knows, `aws` first.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Is `name` a partition the analysis knows?
pub fn is_known(name: &str) -> bool {
    PARTITIONS.contains(&name)
}

/// The partitions a role may be in: the given one, or else `aws` and every known partition the
/// policy names (in a principal ARN or in the first field of a condition's ARN value). Trying
/// each and keeping the worst verdict is sound whichever of them the role is really in.
pub fn candidates(policy: &TrustPolicy, given: Option<&str>) -> Vec<String> {
    if let Some(p) = given {
        return vec![p.to_owned()];
    }
    let mut out = vec!["aws".to_owned()];
    let mut add = |p: &str| {
        if is_known(p) && !out.iter().any(|o| o == p) {
            out.push(p.to_owned());
        }
    };
    for s in &policy.statements {
        for e in &s.principals {
            match &e.principal {
                PolicyPrincipal::Iam(id) => {
                    if let Some(p) = id.partition.as_deref() {
                        add(p);
                    }
                }
                PolicyPrincipal::Federated(name) => {
                    if let Some(p) = arn_partition(name) {
                        add(p);
                    }
                }
                _ => {}
            }
        }
        for c in &s.conditions {
            for v in c.condition.raw_values() {
                if let Some(p) = arn_partition(v) {
                    add(p);
                }
            }
        }
    }
    out
}

/// The partition field of an ARN-shaped text, when it is written without wildcards.
fn arn_partition(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("arn:")?;
    let p = rest.split(':').next()?;
    (!p.is_empty() && !p.contains(['*', '?', '$'])).then_some(p)
}

/// The partition of a role ARN (`arn:aws-cn:iam::111122223333:role/r` gives `aws-cn`).
pub fn of_arn(arn: &str) -> Option<String> {
    arn_partition(arn)
        .filter(|p| is_known(p))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn policy(v: serde_json::Value) -> TrustPolicy {
        TrustPolicy::from_value(&v).unwrap()
    }

    #[test]
    fn candidates_are_aws_and_the_partitions_a_policy_names() {
        let p = policy(serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": ["arn:aws-cn:iam::444455556666:root"]},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws-us-gov:events:*:*:rule/*", "arn:*:s3:::b"]}}}]}));
        assert_eq!(candidates(&p, None), ["aws", "aws-cn", "aws-us-gov"]);
        assert_eq!(candidates(&p, Some("aws-iso")), ["aws-iso"]);
        assert_eq!(
            of_arn("arn:aws-us-gov:iam::111122223333:role/r").as_deref(),
            Some("aws-us-gov")
        );
        assert_eq!(of_arn("arn:nope:iam::111122223333:role/r"), None);
    }
}

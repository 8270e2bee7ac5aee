//! Known `aws:` and `sts:` condition keys, so that a key no AWS service sets (a typo such as
//! `aws:SourceAcount`) is reported instead of silently never matching.
//!
//! AWS: IAM User Guide, "AWS global condition context keys" (the `aws:` keys), and the Service
//! Authorization Reference, "Actions, resources, and condition keys for AWS Security Token
//! Service" (the `sts:` keys). Keys of identity providers (`accounts.google.com:aud`,
//! `token.actions.githubusercontent.com:sub`, `<oidc-host>:sub`, `saml:*`) are named after the
//! provider and are not listed here.

use trustsim_conditions::key::fold;

/// Keys that are complete names.
const EXACT: &[&str] = &[
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:referer",
    "aws:userid",
    "aws:username",
    "sts:AWSServiceName",
    "sts:DurationSeconds",
    "sts:ExternalId",
    "sts:IdentityTokenAudience",
    "sts:RequestContextProviders",
    "sts:RoleAuthorizedByIdp",
    "sts:RoleSessionName",
    "sts:SigningAlgorithm",
    "sts:SourceIdentity",
    "sts:TaskPolicyArn",
    "sts:TransitiveTagKeys",
];

/// Keys that take a suffix (`aws:PrincipalTag/team`).
const PREFIXES: &[&str] = &[
    "aws:PrincipalTag/",
    "aws:RequestTag/",
    "aws:ResourceTag/",
    "sts:RequestContext/",
];

/// What is known about a condition key's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// A documented `aws:`/`sts:` key, or a provider's own key.
    Known,
    /// An `aws:`/`sts:` key AWS does not document; with the closest documented key.
    Unknown {
        /// A documented key within a small edit distance.
        suggestion: Option<&'static str>,
    },
    /// An OIDC key written with `https://`, which never matches (keys are the provider URL
    /// without the scheme: IAM User Guide, "Available keys for AWS OIDC federation").
    WithScheme,
}

/// Checks a condition key name.
pub fn check(key: &str) -> KeyCheck {
    let folded = fold(key);
    if folded.starts_with("https://") || folded.starts_with("http://") {
        return KeyCheck::WithScheme;
    }
    if !(folded.starts_with("aws:") || folded.starts_with("sts:")) {
        return KeyCheck::Known;
    }
    if EXACT.iter().any(|k| fold(k) == folded)
        || PREFIXES
            .iter()
            .any(|p| folded.starts_with(&fold(p)) && folded.len() > p.len())
    {
        return KeyCheck::Known;
    }
    let suggestion = EXACT
        .iter()
        .map(|k| (distance(&folded, &fold(k)), *k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    KeyCheck::Unknown { suggestion }
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(usize::MAX - 1) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_unknown_with_a_suggestion() {
        assert_eq!(
            check("aws:SourceAcount"),
            KeyCheck::Unknown {
                suggestion: Some("aws:SourceAccount")
            }
        );
        assert_eq!(check("AWS:SOURCEACCOUNT"), KeyCheck::Known);
        assert_eq!(check("aws:PrincipalTag/team"), KeyCheck::Known);
        assert!(
            matches!(check("aws:PrincipalTag/"), KeyCheck::Unknown { .. }),
            "a tag key needs a name"
        );
        assert_eq!(
            check("aws:FrobnicateEverything"),
            KeyCheck::Unknown { suggestion: None }
        );
        assert_eq!(
            check("token.actions.githubusercontent.com:sub"),
            KeyCheck::Known
        );
        assert_eq!(
            check("https://oidc.eks.us-east-1.amazonaws.com/id/X:sub"),
            KeyCheck::WithScheme
        );
    }
}

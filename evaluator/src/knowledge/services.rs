//! AWS services by how they come to assume a customer's role (`data/services.tsv`):
//! `pass-role` services assume a role only after a principal passes it to them with
//! `iam:PassRole`, which a principal can do only for a role of its own account, so a forged
//! request from another account cannot reach the role (`forged-service` is `restricted`, with
//! a hardening note where AWS still recommends source conditions); `configured` services act
//! for any account that configures them, so a role trusting them without `aws:SourceAccount` /
//! `aws:SourceArn` is `exposed`. A service the table does not list is analysed as `configured`,
//! and the explanation says it is not in the table.

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/services.tsv");

/// How a service comes to assume a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Only after `iam:PassRole` by a principal of the role's own account.
    PassRole,
    /// For any account that configures it.
    Configured,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The service principal (`ecs-tasks.amazonaws.com`).
    pub principal: &'static str,
    /// How it comes to assume a role.
    pub class: Class,
    /// Which source keys its documentation shows it sending (`account`, `arn`, `both`,
    /// `unknown`, `-`).
    pub source_keys: &'static str,
    /// AWS recommends `aws:SourceAccount` / `aws:SourceArn` in the trust policy anyway.
    pub hardening: bool,
    /// The page.
    pub citation: &'static str,
}

/// Every row of the table.
pub fn table() -> &'static [Service] {
    static ROWS: OnceLock<Vec<Service>> = OnceLock::new();
    ROWS.get_or_init(|| {
        super::rows(TABLE)
            .filter_map(|r| match r.as_slice() {
                [principal, class, source_keys, hardening, citation] => Some(Service {
                    principal: principal.trim(),
                    class: match class.trim() {
                        "pass-role" => Class::PassRole,
                        "configured" => Class::Configured,
                        _ => return None,
                    },
                    source_keys: source_keys.trim(),
                    hardening: hardening.trim() == "yes",
                    citation: citation.trim(),
                }),
                _ => None,
            })
            .collect()
    })
}

/// The row of a service principal. Service principal names are compared without regard to
/// case, as IAM compares principals.
///
/// A regional name `SERVICE.REGION.amazonaws.com` (`states.us-east-1.amazonaws.com`, or
/// `states.stack-region.amazonaws.com` for a template's `${AWS::Region}`) is the row of
/// `SERVICE.amazonaws.com`: AWS names a service in an opt-in Region so, and the service is the
/// same (AWS CDK API Reference, "ServicePrincipalOpts", `region`: "the region name needs to be
/// included to reference the correct service principal", rendered `SERVICE.REGION.amazonaws.com`).
pub fn service(principal: &str) -> Option<&'static Service> {
    let find = |name: &str| {
        table()
            .iter()
            .find(|s| s.principal.eq_ignore_ascii_case(name))
    };
    find(principal).or_else(|| {
        let rest = principal.strip_suffix(".amazonaws.com")?;
        let (name, region) = rest.rsplit_once('.')?;
        (region == crate::sources::STACK_REGION || is_region(region))
            .then(|| find(&format!("{name}.amazonaws.com")))
            .flatten()
    })
}

/// A Region code: `us-east-1`, `ap-southeast-3`, `us-gov-west-1`, `eusc-de-east-1` (letters,
/// then hyphen-separated lower-case words, then a number).
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .iter()
            .rev()
            .skip(1)
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The row of a service that assumes a role only after `iam:PassRole`.
pub fn requires_pass_role(principal: &str) -> Option<&'static Service> {
    service(principal).filter(|s| s.class == Class::PassRole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_whole_and_cited() {
        assert_eq!(
            super::super::header(TABLE),
            ["principal", "class", "source_keys", "hardening", "citation"]
        );
        assert_eq!(
            super::super::rows(TABLE).count(),
            table().len(),
            "a malformed row"
        );
        let mut seen = std::collections::HashSet::new();
        for s in table() {
            assert!(s.principal.ends_with(".amazonaws.com"), "{s:?}");
            assert!(s.citation.contains("https://"), "{s:?}");
            assert!(
                ["account", "arn", "both", "unknown", "-"].contains(&s.source_keys),
                "{s:?}"
            );
            assert!(seen.insert(s.principal), "{} twice", s.principal);
        }
    }

    #[test]
    fn the_seed_cases_keep_their_classes() {
        // The seed article's EventBridge role must stay caught; EC2 and Lambda need PassRole.
        assert_eq!(
            service("events.amazonaws.com").map(|s| s.class),
            Some(Class::Configured)
        );
        assert!(requires_pass_role("ec2.amazonaws.com").is_some());
        assert!(requires_pass_role("Lambda.amazonaws.com").is_some());
        assert!(service("unknown-thing.amazonaws.com").is_none());
        // Regional names are the service's own row; a three-part name is not a Region.
        assert_eq!(
            service("states.us-east-1.amazonaws.com").map(|s| s.principal),
            Some("states.amazonaws.com")
        );
        assert!(service("states.stack-region.amazonaws.com").is_some());
        assert!(service("states.useast1.amazonaws.com").is_none());
        assert!(service("monitoring.rds.amazonaws.com").is_some());
    }
}

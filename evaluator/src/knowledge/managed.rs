//! Roles whose trust policy AWS writes and owns (`data/managed_roles.tsv`): service-linked
//! roles and IAM Identity Center roles. Their findings are informational (`aws-managed`): the
//! owner cannot act on them, so they never fail a run and get no fix.

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/managed_roles.tsv");

/// A kind of AWS-managed role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedRole {
    /// `service-linked` or `identity-center`.
    pub kind: &'static str,
    /// Why the owner cannot act on its trust policy, in words.
    pub why: &'static str,
    /// The AWS page.
    pub citation: &'static str,
    /// The path prefix that marks it.
    pub path_prefix: &'static str,
}

/// Every row of the table.
pub fn table() -> &'static [ManagedRole] {
    static ROWS: OnceLock<Vec<ManagedRole>> = OnceLock::new();
    ROWS.get_or_init(|| {
        super::rows(TABLE)
            .filter_map(|r| match r.as_slice() {
                [path_prefix, kind, why, citation] => Some(ManagedRole {
                    kind,
                    why,
                    citation,
                    path_prefix,
                }),
                _ => None,
            })
            .collect()
    })
}

/// The kind of AWS-managed role that a role with this path is, if any. The path is the role's
/// IAM path (`/aws-service-role/ecs.amazonaws.com/`), as an account export gives it or as read
/// from the role's ARN ([`path_of_arn`]).
pub fn managed_role(path: &str) -> Option<&'static ManagedRole> {
    table().iter().find(|m| path.starts_with(m.path_prefix))
}

/// The IAM path of a role ARN (`arn:aws:iam::111122223333:role/aws-service-role/x/Name` →
/// `/aws-service-role/x/`); `/` for a role without a path.
pub fn path_of_arn(arn: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":role/")?;
    Some(match rest.rfind('/') {
        Some(i) => format!("/{}/", rest.get(..i).unwrap_or_default()),
        None => "/".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_whole() {
        assert_eq!(
            super::super::header(TABLE),
            ["path_prefix", "kind", "why", "citation"]
        );
        let rows: Vec<_> = super::super::rows(TABLE).collect();
        assert_eq!(rows.len(), table().len(), "a row without four columns");
        for m in table() {
            assert!(m.path_prefix.starts_with('/') && m.path_prefix.ends_with('/'));
            assert!(m.citation.contains("https://docs.aws.amazon.com/"), "{m:?}");
        }
    }

    #[test]
    fn paths_from_arns() {
        assert_eq!(
            path_of_arn("arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS").as_deref(),
            Some("/aws-service-role/ecs.amazonaws.com/")
        );
        assert_eq!(
            path_of_arn("arn:aws:iam::111122223333:role/deployer").as_deref(),
            Some("/")
        );
        assert_eq!(path_of_arn("arn:aws:iam::111122223333:root"), None);
    }

    #[test]
    fn each_kind_is_recognised_by_its_path() {
        let slr = managed_role("/aws-service-role/support.amazonaws.com/");
        assert_eq!(slr.map(|m| m.kind), Some("service-linked"));
        let sso = managed_role("/aws-reserved/sso.amazonaws.com/eu-west-1/");
        assert_eq!(sso.map(|m| m.kind), Some("identity-center"));
        assert_eq!(managed_role("/"), None);
        assert_eq!(managed_role("/service-role/"), None);
    }
}

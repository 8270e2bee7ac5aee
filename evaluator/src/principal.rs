//! Principals: the IAM identities named in a trust policy's `Principal` element, and the caller
//! of a simulated request.
//!
//! AWS: IAM User Guide, "AWS JSON policy elements: Principal" (account, IAM user, IAM role,
//! role session, federated user, service and federated principals; "You cannot use a wildcard to
//! match part of a principal name or ARN"), and "IAM identifiers" (ARN formats:
//! `arn:aws:iam::ACCOUNT:root`, `...:user/PATH/NAME`, `...:role/PATH/NAME`,
//! `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:aws:sts::ACCOUNT:federated-user/NAME`).

use std::fmt;

use trustsim_conditions::arn::Arn;

/// An IAM identity: an account (its root), a user, a role, a role session or a federated user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IamIdentity {
    /// `aws`, `aws-cn`, ... (`None` when given as a bare account ID).
    pub partition: Option<String>,
    /// Twelve-digit account ID.
    pub account: String,
    /// Which kind of identity.
    pub kind: IamKind,
}

/// The kinds of IAM identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IamKind {
    /// The account itself (`123456789012` or `arn:aws:iam::123456789012:root`).
    Account,
    /// `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    User {
        /// `/` or `/path/`.
        path: String,
        /// The user name.
        name: String,
    },
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    Role {
        /// `/` or `/path/`.
        path: String,
        /// The role name.
        name: String,
    },
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    AssumedRole {
        /// The role name (session ARNs carry no path).
        role: String,
        /// The role session name.
        session: String,
    },
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser {
        /// The federated user name.
        name: String,
    },
}

/// Is `s` a twelve-digit AWS account ID?
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl IamIdentity {
    /// Parses an account ID or an IAM/STS principal ARN. Returns a message saying what is wrong
    /// otherwise.
    pub fn parse(text: &str) -> Result<Self, String> {
        if is_account_id(text) {
            return Ok(Self {
                partition: None,
                account: text.to_owned(),
                kind: IamKind::Account,
            });
        }
        if text.contains('*') || text.contains('?') {
            return Err(
                "a principal cannot contain a wildcard, except `*` alone for everyone".to_owned(),
            );
        }
        let arn = Arn::parse(text).ok_or_else(|| {
            "expected a 12-digit account ID or an ARN such as `arn:aws:iam::111122223333:role/name`".to_owned()
        })?;
        if arn.service.is_empty() {
            return Err(
                "the ARN's service field is empty: a principal ARN reads `arn:aws:iam::ACCOUNT:...` (one `::`, for the empty region)"
                    .to_owned(),
            );
        }
        if arn.service != "iam" && arn.service != "sts" {
            return Err(format!(
                "`{}` ARNs are not principals: use an `iam` or `sts` ARN",
                arn.service
            ));
        }
        if !is_account_id(arn.account) {
            return Err(format!("`{}` is not a 12-digit account ID", arn.account));
        }
        if !arn.region.is_empty() {
            return Err("IAM and STS principal ARNs have an empty region field".to_owned());
        }
        let kind = match arn.service {
            "iam" => iam_kind(arn.resource)?,
            "sts" => sts_kind(arn.resource)?,
            other => {
                return Err(format!(
                    "`{other}` ARNs are not principals: use an `iam` or `sts` ARN"
                ))
            }
        };
        Ok(Self {
            partition: Some(arn.partition.to_owned()),
            account: arn.account.to_owned(),
            kind,
        })
    }

    /// The identity's ARN (a bare account becomes its `:root` ARN in partition `aws`).
    pub fn arn(&self) -> String {
        let p = self.partition.as_deref().unwrap_or("aws");
        let a = &self.account;
        match &self.kind {
            IamKind::Account => format!("arn:{p}:iam::{a}:root"),
            IamKind::User { path, name } => format!("arn:{p}:iam::{a}:user{path}{name}"),
            IamKind::Role { path, name } => format!("arn:{p}:iam::{a}:role{path}{name}"),
            IamKind::AssumedRole { role, session } => {
                format!("arn:{p}:sts::{a}:assumed-role/{role}/{session}")
            }
            IamKind::FederatedUser { name } => format!("arn:{p}:sts::{a}:federated-user/{name}"),
        }
    }

    /// Does a trust policy that names `self` trust the caller `caller`? AWS: "Principal":
    /// an account principal delegates to every identity of the account; a role principal is
    /// matched by that role's sessions; a session or user ARN matches only itself.
    pub fn trusts(&self, caller: &IamIdentity) -> bool {
        if self.account != caller.account {
            return false;
        }
        if let (Some(a), Some(b)) = (&self.partition, &caller.partition) {
            if a != b {
                return false;
            }
        }
        match (&self.kind, &caller.kind) {
            (IamKind::Account, _) => true,
            (IamKind::User { name: a, .. }, IamKind::User { name: b, .. }) => a == b,
            (IamKind::Role { name: a, .. }, IamKind::Role { name: b, .. }) => a == b,
            (IamKind::Role { name: a, .. }, IamKind::AssumedRole { role: b, .. }) => a == b,
            (
                IamKind::AssumedRole {
                    role: a,
                    session: s,
                },
                IamKind::AssumedRole {
                    role: b,
                    session: t,
                },
            ) => a == b && s == t,
            (IamKind::FederatedUser { name: a }, IamKind::FederatedUser { name: b }) => a == b,
            _ => false,
        }
    }

    /// The value of `aws:PrincipalType` for this caller. AWS: "AWS global condition context
    /// keys", `aws:PrincipalType` (`Account`, `User`, `FederatedUser`, `AssumedRole`,
    /// `Anonymous`).
    pub fn principal_type(&self) -> &'static str {
        match self.kind {
            IamKind::Account => "Account",
            IamKind::User { .. } => "User",
            IamKind::Role { .. } | IamKind::AssumedRole { .. } => "AssumedRole",
            IamKind::FederatedUser { .. } => "FederatedUser",
        }
    }

    /// The value of `aws:PrincipalArn`: for a role session, the role's ARN. AWS: "AWS global
    /// condition context keys", `aws:PrincipalArn`.
    pub fn principal_arn(&self) -> String {
        match &self.kind {
            IamKind::AssumedRole { role, .. } => {
                let p = self.partition.as_deref().unwrap_or("aws");
                format!("arn:{p}:iam::{}:role/{role}", self.account)
            }
            _ => self.arn(),
        }
    }
}

fn split_path(rest: &str, what: &str) -> Result<(String, String), String> {
    let (path, name) = match rest.rfind('/') {
        Some(i) => (
            format!("/{}", rest.get(..=i).unwrap_or("")),
            rest.get(i + 1..).unwrap_or(""),
        ),
        None => ("/".to_owned(), rest),
    };
    if name.is_empty() {
        return Err(format!("the {what} ARN has no name"));
    }
    Ok((path, name.to_owned()))
}

fn iam_kind(resource: &str) -> Result<IamKind, String> {
    if resource == "root" {
        return Ok(IamKind::Account);
    }
    if let Some(rest) = resource.strip_prefix("user/") {
        let (path, name) = split_path(rest, "user")?;
        return Ok(IamKind::User { path, name });
    }
    if let Some(rest) = resource.strip_prefix("role/") {
        let (path, name) = split_path(rest, "role")?;
        return Ok(IamKind::Role { path, name });
    }
    Err(format!(
        "`{resource}` is not a principal: an IAM principal ARN ends in `root`, `user/NAME` or `role/NAME`"
    ))
}

fn sts_kind(resource: &str) -> Result<IamKind, String> {
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        if let Some((role, session)) = rest.split_once('/') {
            if !role.is_empty() && !session.is_empty() && !session.contains('/') {
                return Ok(IamKind::AssumedRole {
                    role: role.to_owned(),
                    session: session.to_owned(),
                });
            }
        }
        return Err(
            "a role session ARN is `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`".to_owned(),
        );
    }
    if let Some(name) = resource.strip_prefix("federated-user/") {
        if !name.is_empty() && !name.contains('/') {
            return Ok(IamKind::FederatedUser {
                name: name.to_owned(),
            });
        }
    }
    Err(format!(
        "`{resource}` is not a principal: an STS principal ARN ends in `assumed-role/ROLE/SESSION` or `federated-user/NAME`"
    ))
}

impl fmt::Display for IamIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.partition) {
            (IamKind::Account, None) => f.write_str(&self.account),
            _ => f.write_str(&self.arn()),
        }
    }
}

/// Web identity providers that are named, not given as provider ARNs. AWS: "Principal",
/// section "Federated user principals" (`cognito-identity.amazonaws.com`,
/// `accounts.google.com`, `graph.facebook.com`, `www.amazon.com`).
pub const WEB_IDENTITY_PROVIDERS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// Is this text a federated principal (a named web identity provider, or an `oidc-provider/`
/// or `saml-provider/` ARN)?
pub fn is_federated_name(text: &str) -> bool {
    WEB_IDENTITY_PROVIDERS.contains(&text)
        || Arn::parse(text).is_some_and(|a| {
            a.service == "iam"
                && (a.resource.starts_with("oidc-provider/")
                    || a.resource.starts_with("saml-provider/"))
        })
}

/// Is this text shaped like a service principal (`events.amazonaws.com`,
/// `ec2.amazonaws.com.cn`, ...)?
pub fn is_service_name(text: &str) -> bool {
    !text.is_empty()
        && !is_federated_name(text)
        && (text.ends_with(".amazonaws.com")
            || text.ends_with(".amazon.com")
            || text.ends_with(".amazonaws.com.cn"))
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IamIdentity {
        match IamIdentity::parse(s) {
            Ok(i) => i,
            Err(e) => unreachable!("{s}: {e}"),
        }
    }

    #[test]
    fn account_principals_trust_everyone_in_the_account() {
        let root = id("arn:aws:iam::111122223333:root");
        let bare = id("111122223333");
        for caller in [
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/ci/run-1",
            "arn:aws:iam::111122223333:role/path/x",
        ] {
            assert!(root.trusts(&id(caller)));
            assert!(bare.trusts(&id(caller)));
        }
        assert!(!root.trusts(&id("arn:aws:iam::444455556666:user/alice")));
    }

    #[test]
    fn role_principals_trust_their_sessions_only() {
        let role = id("arn:aws:iam::111122223333:role/team/ci");
        assert!(role.trusts(&id("arn:aws:sts::111122223333:assumed-role/ci/s")));
        assert!(!role.trusts(&id("arn:aws:sts::111122223333:assumed-role/other/s")));
        assert!(!role.trusts(&id("arn:aws:iam::111122223333:user/ci")));
        let session = id("arn:aws:sts::111122223333:assumed-role/ci/s");
        assert!(!session.trusts(&id("arn:aws:sts::111122223333:assumed-role/ci/t")));
    }

    #[test]
    fn rejects_partial_wildcards_and_non_principals() {
        for bad in [
            "arn:aws:iam::*:root",
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:s3:::bucket",
            "11112222333",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:sts::111122223333:assumed-role/ci",
        ] {
            assert!(IamIdentity::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn principal_arn_of_a_session_is_its_role() {
        let s = id("arn:aws:sts::111122223333:assumed-role/ci/s");
        assert_eq!(s.principal_arn(), "arn:aws:iam::111122223333:role/ci");
        assert_eq!(s.principal_type(), "AssumedRole");
    }
}

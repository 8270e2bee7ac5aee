//! Trust policies: the JSON document is read into a validated form in which every statement,
//! principal, action and condition keeps its JSON Pointer, operators are parsed and patterns
//! compiled.
//!
//! AWS: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
//! language"; for what a role trust policy may not contain, the policy validation checks
//! "Role trust policy syntax error notprincipal" ("Role trust policies do not support
//! NotPrincipal"), "Role trust policy syntax error resource" ("You cannot specify a resource")
//! and the Principal page ("You cannot use a wildcard to match part of a principal name or
//! ARN").

pub mod action;
pub mod err;
pub mod keys;
mod parse;

use trustsim_conditions::{Condition, PolicyVersion};

pub use action::{ActionPattern, ActionSet};
pub use err::{PolicyError, PolicyWarning};

use crate::pointer::Pointer;
use crate::principal::IamIdentity;

/// A parsed and validated role trust policy.
#[derive(Clone, Debug)]
pub struct TrustPolicy {
    /// The `Version` element as written, if any.
    pub version: Option<String>,
    /// The `Id` element, if any.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// Things AWS accepts that probably do not do what was meant.
    pub warnings: Vec<PolicyWarning>,
    /// The document as read (fixes are written as edits of it).
    pub document: serde_json::Value,
    /// The characters IAM counts against its role trust policy length quota (all but white
    /// space, in the compact JSON of the document).
    pub length: usize,
}

impl TrustPolicy {
    /// Parses a trust policy from JSON text (duplicate keys and nesting deeper than
    /// [`crate::json::MAX_DEPTH`] are errors).
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let value = crate::json::parse(text, "the document")?;
        Self::from_value(&value)
    }

    /// Reads a trust policy from a JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PolicyError> {
        parse::policy(value)
    }

    /// The warning that the policy is longer than AWS's role trust policy length quota
    /// ([`crate::limits::AWS_TRUST_POLICY_CHARS`]), if it is.
    pub fn quota_warning(&self) -> Option<&PolicyWarning> {
        if self.length <= crate::limits::AWS_TRUST_POLICY_CHARS {
            return None;
        }
        self.warnings
            .iter()
            .find(|w| w.pointer.as_str().is_empty() && w.message.starts_with("the policy has"))
    }

    /// The policy language version that governs policy variables: `2012-10-17` enables them;
    /// `2008-10-17` or no `Version` leaves `${...}` as literal text. AWS: "IAM JSON policy
    /// elements: Version" and "Variables and tags" ("If you don't include the Version element
    /// ... variables like ${aws:username} are treated as literal strings").
    pub fn variable_version(&self) -> PolicyVersion {
        match self.version.as_deref() {
            Some("2012-10-17") => PolicyVersion::V2012_10_17,
            _ => PolicyVersion::V2008_10_17,
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// As written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One statement of a trust policy.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Position in the `Statement` list (0 when `Statement` is a single object).
    pub index: usize,
    /// The `Sid`, if any.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Who the statement applies to.
    pub principals: Vec<PrincipalEntry>,
    /// Which actions.
    pub actions: ActionSet,
    /// The conditions, all of which must hold (AND).
    pub conditions: Vec<ConditionEntry>,
    /// Where the statement is.
    pub pointer: Pointer,
}

/// One principal named in a statement, with its location.
#[derive(Clone, Debug)]
pub struct PrincipalEntry {
    /// The principal.
    pub principal: PolicyPrincipal,
    /// Where it is written.
    pub pointer: Pointer,
}

/// A principal as a trust policy names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyPrincipal {
    /// `"Principal": "*"` or `{"AWS": "*"}`: everyone. AWS: "Principal", section "All
    /// principals" (the two forms are equivalent).
    Everyone,
    /// An account, user, role, role session or federated user.
    Iam(IamIdentity),
    /// A unique ID such as `AROA...` or `AIDA...`: IAM shows these for principals that were
    /// deleted after the policy was saved; they match no caller.
    UniqueId(String),
    /// A service principal (`events.amazonaws.com`).
    Service(String),
    /// An identity provider (`accounts.google.com`, an `oidc-provider/` or `saml-provider/` ARN).
    Federated(String),
    /// A canonical user ID (an S3 concept; matches no STS caller).
    CanonicalUser(String),
}

/// One compiled condition with its location
/// (`/Statement/0/Condition/StringEquals/aws:SourceAccount`).
#[derive(Clone, Debug)]
pub struct ConditionEntry {
    /// The compiled condition.
    pub condition: Condition,
    /// Where it is written.
    pub pointer: Pointer,
}

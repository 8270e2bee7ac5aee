//! Where trust policies come from: a bare policy document, a CloudFormation template (JSON or
//! YAML, short-form tags included), the JSON of `terraform show -json`, or the output of
//! `aws iam get-account-authorization-details`. This module only finds roles and their trust
//! policies; it evaluates nothing.
//!
//! CloudFormation intrinsics are resolved where their value is known: `AWS::AccountId` (from
//! the owner account), `AWS::Partition`, `AWS::URLSuffix`, `Ref` of a parameter with a
//! `Default`, and `Fn::Sub` / `Fn::Join` / `Fn::Select` over those. Anything else (`Fn::GetAtt`,
//! a parameter without default, `Fn::ImportValue`, ...) becomes an opaque placeholder
//! `<unresolved ...>`: a value the owner controls and the attacker cannot produce, and the role
//! carries a note saying so. An unresolved principal becomes a role of the owner's account
//! named after the reference. `Fn::If` takes its first branch, with a note.
//! (AWS CloudFormation User Guide, "Intrinsic function reference" and "Pseudo parameters
//! reference".)

mod account_export;
pub use account_export::ExportRoles;
mod cloudformation;
mod lines;
mod scan;
pub use scan::{
    error_text, place_error, read_text, scan, scan_text, text_of, FoundRole, ScanError,
    ScanOptions, ScanReport,
};
pub mod template_fix;
pub mod terraform_config;
mod terraform_plan;
mod yaml;

pub use cloudformation::{in_words, STACK_REGION, UNRESOLVED_PROVIDER_HOST, UNRESOLVED_SERVICE};
pub use yaml::{read_export_outline, read_export_value, read_value};

use std::path::Path;

use serde_json::Value;

use crate::pointer::Pointer;
use crate::policy::PolicyError;
/// The kinds of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A trust policy document.
    Policy,
    /// A CloudFormation template.
    CloudFormation,
    /// `terraform show -json` output.
    Terraform,
    /// `aws iam get-account-authorization-details` output.
    AccountExport,
}

impl InputKind {
    /// The name used by `--input-kind`.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::CloudFormation => "cloudformation",
            InputKind::Terraform => "terraform",
            InputKind::AccountExport => "account-export",
        }
    }
}

/// A role found in an input, with its trust policy as a JSON document.
#[derive(Clone, Debug, Default)]
pub struct Role {
    /// The role's name (logical ID, Terraform address, or role name).
    pub name: String,
    /// Where it is: `path#/Resources/Name`, `path#address`, `path#/RoleDetailList/3`.
    pub source: String,
    /// The line of the role in the input, when the input has lines.
    pub line: Option<usize>,
    /// For a bare policy file, the line where each statement starts (empty when not known).
    pub statement_lines: Vec<usize>,
    /// The role's account, when the input says.
    pub account: Option<String>,
    /// The role's partition, when the input gives its ARN.
    pub partition: Option<String>,
    /// The trust policy, intrinsics resolved.
    pub document: Value,
    /// What could not be resolved.
    pub notes: Vec<String>,
    /// The role's IAM path (`/aws-service-role/ecs.amazonaws.com/`), when the input says.
    pub path: Option<String>,
    /// The role's ARN, when the input says (account exports, Terraform state).
    pub arn: Option<String>,
    /// Findings the template itself accepts (CloudFormation `Metadata: {trustsim: {ignore:
    /// [...]}}` on the role resource).
    pub ignores: Vec<InlineIgnore>,
    /// When the template's conditions are not decided by its parameter values: each policy the
    /// role can deploy with, and the condition values that give it (`document` is the first).
    /// Empty when the role has one policy.
    pub branches: Vec<Branch>,
    /// True when the conditions allow more deployable policies than
    /// [`crate::limits::MAX_TEMPLATE_BRANCHES`]: `branches` holds the first ones, and no verdict
    /// over them alone is a proof.
    pub branches_truncated: bool,
    /// The template the role comes from, for showing a fix in it
    /// ([`template_fix::cloudformation`]); with `template_yaml` when it is written in YAML.
    pub template: Option<std::sync::Arc<Value>>,
    /// Is `template` written in YAML?
    pub template_yaml: bool,
    /// The Terraform module the role comes from, for showing a fix in its `.tf` file
    /// ([`template_fix::terraform`]).
    pub module: Option<std::sync::Arc<terraform_config::ModuleFiles>>,
}

/// One policy a role can deploy with, under the condition values that give it.
#[derive(Clone, Debug, Default)]
pub struct Branch {
    /// The values of the undecided conditions on this branch, in the order met
    /// ([`crate::analysis::branches::When`]).
    pub when: Vec<(String, bool)>,
    /// The trust policy, intrinsics resolved.
    pub document: Value,
    /// What could not be resolved on this branch.
    pub notes: Vec<String>,
}

impl Branch {
    /// `when IsProd is false and UseVendor is true`; empty when no condition is undecided.
    pub fn label(&self) -> String {
        if self.when.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = self
            .when
            .iter()
            .map(crate::analysis::branches::in_words)
            .collect();
        format!("when {}", parts.join(" and "))
    }
}

/// A finding that a template accepts inline: `Metadata: {trustsim: {ignore: [{threat: ...,
/// reason: ...}]}}` on a CloudFormation role resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineIgnore {
    /// The threat's stable name.
    pub threat: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// Where the entry is (`/Resources/Role/Metadata/trustsim/ignore/0`).
    pub pointer: String,
}

/// Which kind of input a value is, from its content.
pub fn detect(value: &Value) -> Option<InputKind> {
    let obj = value.as_object()?;
    if obj.contains_key("RoleDetailList") {
        return Some(InputKind::AccountExport);
    }
    if obj.contains_key("planned_values")
        || obj.contains_key("prior_state")
        || (obj.contains_key("format_version") && obj.contains_key("terraform_version"))
    {
        return Some(InputKind::Terraform);
    }
    if obj.get("Resources").is_some_and(Value::is_object)
        || obj.contains_key("AWSTemplateFormatVersion")
    {
        return Some(InputKind::CloudFormation);
    }
    if obj.contains_key("Statement") {
        return Some(InputKind::Policy);
    }
    None
}

/// The kind of a JSON text too large for a trust policy or a template, from the first key of its
/// top-level object, read without parsing the rest: `format_version`, `terraform_version`, or
/// a key of `terraform show -json` for a plan; a key of
/// `aws iam get-account-authorization-details` for an export. `None` for any other text, which
/// is then refused by size before it is parsed.
pub fn large_input_kind(text: &str) -> Option<InputKind> {
    let rest = text.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let key = rest.get(..rest.find('"')?)?;
    match key {
        "format_version" | "terraform_version" | "planned_values" | "prior_state" | "values"
        | "resource_changes" | "configuration" => Some(InputKind::Terraform),
        "UserDetailList" | "GroupDetailList" | "RoleDetailList" | "Policies" | "IsTruncated"
        | "Marker" => Some(InputKind::AccountExport),
        _ => None,
    }
}

/// The roles of an input of the given kind.
pub fn roles(
    kind: InputKind,
    value: &Value,
    text: &str,
    path: &Path,
    owner: Option<&str>,
) -> Result<Vec<Role>, PolicyError> {
    roles_with(kind, value, text, path, owner, &[])
}

/// [`roles`], with CloudFormation parameter values given for the deployment (`--parameter
/// NAME=VALUE`): they take the place of the parameters' defaults, as the values of a stack
/// deployment do. A name the template does not declare is left out.
pub fn roles_with(
    kind: InputKind,
    value: &Value,
    text: &str,
    path: &Path,
    owner: Option<&str>,
    parameters: &[(String, String)],
) -> Result<Vec<Role>, PolicyError> {
    let deployment = Deployment {
        owner: owner.map(str::to_owned),
        partition: None,
        parameters: parameters.to_vec(),
    };
    roles_for(kind, value, text, path, &deployment)
}

/// What is known of the deployment a template is read for.
#[derive(Clone, Debug, Default)]
pub struct Deployment {
    /// The owner account (`AWS::AccountId`).
    pub owner: Option<String>,
    /// The partition (`AWS::Partition`, `AWS::URLSuffix`); `aws` when not given.
    pub partition: Option<String>,
    /// CloudFormation parameter values, in place of the defaults.
    pub parameters: Vec<(String, String)>,
}

/// The roles of an input of the given kind, read for a deployment.
pub fn roles_for(
    kind: InputKind,
    value: &Value,
    text: &str,
    path: &Path,
    deployment: &Deployment,
) -> Result<Vec<Role>, PolicyError> {
    let file = path.display().to_string();
    let owner = deployment.owner.as_deref();
    match kind {
        InputKind::Policy => Ok(vec![Role {
            name: path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            source: file,
            account: owner.map(str::to_owned),
            document: value.clone(),
            statement_lines: lines::statement_lines(text),
            ..Role::default()
        }]),
        InputKind::CloudFormation => cloudformation::cloudformation(value, text, &file, deployment),
        InputKind::Terraform => terraform_plan::terraform(value, text, &file, owner),
        InputKind::AccountExport => account_export::account_export(value.clone(), text, &file),
    }
}

/// The roles of an account export, as [`roles_for`] gives them, moving the documents out of
/// the value instead of copying them.
pub fn export_roles(value: Value, text: &str, path: &Path) -> Result<Vec<Role>, PolicyError> {
    account_export::account_export(value, text, &path.display().to_string())
}

/// The pointer of a top-level element that has the wrong shape, or the root when the element
/// is missing: an error's pointer names an element that exists (RFC 6901, section 4: a pointer
/// to a missing member is an error condition), as a policy without `Statement` is reported at
/// its root.
pub(super) fn member_or_root(value: &Value, key: &str) -> Pointer {
    if value.get(key).is_some() {
        Pointer::root().key(key)
    } else {
        Pointer::root()
    }
}

// ------------------------------------------------------------------ CloudFormation
/// An error inside a document embedded as text (a string holding JSON): the pointer of the
/// string, and inside it the pointer the parser gave.
pub(super) fn embedded_error(at: &Pointer, e: &PolicyError, help: &str) -> PolicyError {
    let inner = if e.pointer.as_str().is_empty() {
        String::new()
    } else {
        format!("at {} inside it: ", e.pointer)
    };
    PolicyError::new(at.clone(), format!("{inner}{}", e.message)).help(
        e.help
            .clone()
            .map_or_else(|| help.to_owned(), |h| format!("{h}; {help}")),
    )
}

#[cfg(test)]
mod tests {
    use super::account_export::url_decode;
    use super::*;

    #[test]
    fn url_decoding() {
        assert_eq!(
            url_decode("%7B%22a%22%3A1%7D").ok().as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(url_decode("ab%zz").err().map(|e| e.0), Some(2));
        assert_eq!(url_decode("%+1").err().map(|e| e.0), Some(0));
    }

    #[test]
    fn errors_point_at_elements_that_exist() {
        let policy = serde_json::json!({"Statement": []});
        for kind in [InputKind::CloudFormation, InputKind::AccountExport] {
            let e = roles(kind, &policy, "", Path::new("p.json"), None).err();
            assert_eq!(e.map(|e| e.pointer), Some(Pointer::root()), "{kind:?}");
        }
        let wrong = serde_json::json!({"Resources": [], "RoleDetailList": {}});
        for (kind, at) in [
            (InputKind::CloudFormation, "/Resources"),
            (InputKind::AccountExport, "/RoleDetailList"),
        ] {
            let e = roles(kind, &wrong, "", Path::new("t.json"), None).err();
            assert_eq!(
                e.map(|e| e.pointer.as_str().to_owned()).as_deref(),
                Some(at),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn yaml_short_forms_become_long_forms() {
        let v = read_value(
            "a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub 'x-${AWS::AccountId}'\n",
            Path::new("t.yaml"),
        )
        .unwrap_or_default();
        assert_eq!(v["a"], serde_json::json!({"Ref": "X"}));
        assert_eq!(v["b"], serde_json::json!({"Fn::GetAtt": ["R", "Arn"]}));
        assert_eq!(
            v["c"],
            serde_json::json!({"Fn::Sub": "x-${AWS::AccountId}"})
        );
    }
}

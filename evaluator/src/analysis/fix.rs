//! Fixes: a patched trust policy that keeps the intended principals and closes a threat, built
//! from the seed articles' advice. The analysis re-analyses every fix and offers it only when
//! the threat comes out `restricted` (or `not-applicable`, when the fix removes the trust
//! itself, as replacing `"*"` does).
//!
//! - forged-service: `StringEquals aws:SourceAccount <owner>` on the statements that trust a
//!   service (IAM User Guide, "The confused deputy problem", cross-service prevention).
//! - confused-deputy: `StringEquals sts:ExternalId <placeholder>` on the statements that trust
//!   a third party (IAM User Guide, "Access to AWS accounts owned by third parties").
//! - federated: `aud` and `sub` conditions for the provider (IAM User Guide, "Create a role for
//!   OpenID Connect federation"; GitHub: `repo:ORG/REPO:*`; EKS: the service account; Cognito:
//!   the identity pool and `authenticated`).
//! - public: `"*"` replaced by the owner account.
//!
//! A statement that trusts the threat's principal together with others is split, so the other
//! principals are not affected by the new condition. Values the user must fill in are written
//! in capitals (`OWNER_ACCOUNT_ID`, `EXTERNAL_ID_FROM_THIRD_PARTY`, `YOUR_ORG/YOUR_REPO`).

use serde_json::{json, Map, Value};

/// The stand-in a fix writes for the owner's account when the analysis does not know it; a fix
/// shown in a template writes the template's own expression for the account in its place.
pub const OWNER_ACCOUNT: &str = "OWNER_ACCOUNT_ID";

use super::threat::Patch;
use super::{AnalysisOptions, Threat};
use crate::policy::TrustPolicy;

/// Proposes a fix for `threat`, or `None` when there is no sound one to offer. Each Allow
/// statement is patched by the threat's module (`threat/<name>.rs`).
pub fn propose(policy: &TrustPolicy, threat: Threat, options: &AnalysisOptions) -> Option<Value> {
    let mut doc = policy.document.clone();
    let statements = statements_mut(&mut doc)?;
    let model = threat.model();
    let mut out: Vec<Value> = Vec::new();
    let mut changed = false;
    for (index, raw) in statements.into_iter().enumerate() {
        let is_allow = raw.get("Effect").and_then(Value::as_str) == Some("Allow");
        let Some(parsed) = policy.statements.get(index).filter(|_| is_allow) else {
            out.push(raw);
            continue;
        };
        match model.patch(&raw, parsed, options) {
            Patch::Keep => out.push(raw),
            Patch::Into(list) => {
                out.extend(list);
                changed = true;
            }
            Patch::Refuse => return None,
        }
    }
    if !changed {
        return None;
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("Statement".to_owned(), Value::Array(out));
        obj.entry("Version").or_insert(json!("2012-10-17"));
    }
    Some(doc)
}

fn statements_mut(doc: &mut Value) -> Option<Vec<Value>> {
    match doc.get("Statement")? {
        Value::Array(list) => Some(list.clone()),
        obj @ Value::Object(_) => Some(vec![obj.clone()]),
        _ => None,
    }
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn principal_values(stmt: &Value, kind: &str) -> Vec<String> {
    stmt.get("Principal")
        .and_then(|p| p.get(kind))
        .map(as_list)
        .unwrap_or_default()
}

/// Splits a statement into the part whose principals satisfy `pick` (with the same actions and
/// conditions) and the rest. Returns `(None, _)` when nothing is picked.
pub(crate) fn split(
    stmt: &Value,
    pick: impl Fn(&str, &str) -> bool,
) -> (Option<Value>, Vec<Value>) {
    let Some(Value::Object(principal)) = stmt.get("Principal") else {
        return (None, vec![stmt.clone()]);
    };
    let mut picked = Map::new();
    let mut kept = Map::new();
    for (kind, values) in principal {
        let (a, b): (Vec<String>, Vec<String>) =
            as_list(values).into_iter().partition(|v| pick(kind, v));
        if !a.is_empty() {
            picked.insert(kind.clone(), list_value(a));
        }
        if !b.is_empty() {
            kept.insert(kind.clone(), list_value(b));
        }
    }
    if picked.is_empty() {
        return (None, vec![stmt.clone()]);
    }
    if kept.is_empty() {
        // Every principal is picked: the statement stays as written.
        return (Some(stmt.clone()), Vec::new());
    }
    let mut target = stmt.clone();
    if let Some(obj) = target.as_object_mut() {
        obj.insert("Principal".to_owned(), Value::Object(picked));
        obj.remove("Sid");
    }
    let rest = if kept.is_empty() {
        Vec::new()
    } else {
        let mut r = stmt.clone();
        if let Some(obj) = r.as_object_mut() {
            obj.insert("Principal".to_owned(), Value::Object(kept));
        }
        vec![r]
    };
    if let (Some(sid), Some(obj)) = (
        stmt.get("Sid").and_then(Value::as_str),
        target.as_object_mut(),
    ) {
        if rest.is_empty() {
            obj.insert("Sid".to_owned(), json!(sid));
        }
    }
    (Some(target), rest)
}

fn list_value(v: Vec<String>) -> Value {
    match v.as_slice() {
        [one] => json!(one),
        _ => json!(v),
    }
}

/// Sets `operator: {key: value}` in the statement's Condition, replacing any condition on the
/// same key (in any operator, any case), so a weak condition cannot remain beside the new one.
pub(crate) fn set_condition(stmt: &mut Value, operator: &str, key: &str, value: Value) {
    let Some(obj) = stmt.as_object_mut() else {
        return;
    };
    let cond = obj.entry("Condition").or_insert_with(|| json!({}));
    let Some(cond) = cond.as_object_mut() else {
        return;
    };
    for (_, keys) in cond.iter_mut() {
        if let Some(keys) = keys.as_object_mut() {
            keys.retain(|k, _| !k.eq_ignore_ascii_case(key));
        }
    }
    cond.retain(|_, keys| keys.as_object().is_none_or(|k| !k.is_empty()));
    let block = cond.entry(operator).or_insert_with(|| json!({}));
    if let Some(block) = block.as_object_mut() {
        block.insert(key.to_owned(), value);
    }
}

pub(crate) fn federated_conditions(stmt: &mut Value, provider: &str) {
    let host = provider
        .split_once(":oidc-provider/")
        .map_or(provider, |(_, h)| h);
    if provider.contains(":saml-provider/") {
        set_condition(
            stmt,
            "StringEquals",
            "saml:aud",
            json!("https://signin.aws.amazon.com/saml"),
        );
        set_condition(
            stmt,
            "StringEquals",
            "saml:sub",
            json!("ALLOWED_SAML_SUBJECT"),
        );
        return;
    }
    match host {
        "cognito-identity.amazonaws.com" => {
            set_condition(
                stmt,
                "StringEquals",
                "cognito-identity.amazonaws.com:aud",
                json!("IDENTITY_POOL_ID"),
            );
            set_condition(
                stmt,
                "ForAnyValue:StringLike",
                "cognito-identity.amazonaws.com:amr",
                json!("authenticated"),
            );
        }
        "accounts.google.com" => set_condition(
            stmt,
            "StringEquals",
            "accounts.google.com:aud",
            json!("YOUR_OAUTH_CLIENT_ID"),
        ),
        "graph.facebook.com" => set_condition(
            stmt,
            "StringEquals",
            "graph.facebook.com:app_id",
            json!("YOUR_APP_ID"),
        ),
        "www.amazon.com" => set_condition(
            stmt,
            "StringEquals",
            "www.amazon.com:app_id",
            json!("YOUR_APP_ID"),
        ),
        h if h.starts_with("token.actions.githubusercontent.com") => {
            set_condition(
                stmt,
                "StringEquals",
                &format!("{h}:aud"),
                json!("sts.amazonaws.com"),
            );
            set_condition(
                stmt,
                "StringLike",
                &format!("{h}:sub"),
                json!("repo:YOUR_ORG/YOUR_REPO:*"),
            );
        }
        h if h.starts_with("oidc.eks.") => {
            set_condition(
                stmt,
                "StringEquals",
                &format!("{h}:aud"),
                json!("sts.amazonaws.com"),
            );
            set_condition(
                stmt,
                "StringEquals",
                &format!("{h}:sub"),
                json!("system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT"),
            );
        }
        "gitlab.com" => {
            set_condition(
                stmt,
                "StringLike",
                "gitlab.com:sub",
                json!("project_path:YOUR_GROUP/YOUR_PROJECT:*"),
            );
        }
        "app.terraform.io" => {
            set_condition(
                stmt,
                "StringEquals",
                "app.terraform.io:aud",
                json!("aws.workload.identity"),
            );
            set_condition(
                stmt,
                "StringLike",
                "app.terraform.io:sub",
                json!("organization:YOUR_ORG:*"),
            );
        }
        h => {
            set_condition(
                stmt,
                "StringEquals",
                &format!("{h}:sub"),
                json!("ALLOWED_SUBJECT"),
            );
        }
    }
}

pub(crate) fn replace_everyone(stmt: &mut Value, owner_root: &str) {
    let Some(obj) = stmt.as_object_mut() else {
        return;
    };
    match obj.get_mut("Principal") {
        Some(Value::String(_)) => {
            obj.insert("Principal".to_owned(), json!({"AWS": owner_root}));
        }
        Some(Value::Object(map)) => {
            if let Some(aws) = map.get_mut("AWS") {
                let list: Vec<String> = as_list(aws)
                    .into_iter()
                    .map(|v| if v == "*" { owner_root.to_owned() } else { v })
                    .collect();
                *aws = list_value(list);
            }
        }
        _ => {}
    }
}

//! A fix shown in the template's own language: the analysis proposes a patched trust policy
//! (resolved, with the owner's account as a literal); for a CloudFormation role this module
//! carries the same change into the statement as the template writes it (intrinsics kept,
//! short-form tags in YAML), writes the owner's account as `${AWS::AccountId}` so that the
//! template stays account-agnostic, resolves the patched template again and re-analyses it: the
//! patch is shown only when the role's policy then closes the threat as the fix claims.

mod terraform;

pub use terraform::terraform;

use serde_json::{Map, Value};

use super::{roles_for, Deployment, InputKind};
use crate::analysis::{analyze_threat, AnalysisOptions, Threat, Verdict};
use crate::policy::TrustPolicy;

/// The statements of a document, as a list.
fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The owner's account written as CloudFormation writes it: a string holding it becomes
/// `{"Fn::Sub": "...${AWS::AccountId}..."}`.
fn account_agnostic(v: &Value, owner: Option<&str>) -> Value {
    // Without the owner's account the fix holds its stand-in, which the template can name.
    let owner = Some(owner.unwrap_or(crate::analysis::fix::OWNER_ACCOUNT));
    match (v, owner) {
        (Value::String(s), Some(a)) if s == a => {
            let mut m = Map::new();
            m.insert("Ref".to_owned(), Value::String("AWS::AccountId".to_owned()));
            Value::Object(m)
        }
        (Value::String(s), Some(a)) if s.contains(a) => {
            let mut m = Map::new();
            m.insert(
                "Fn::Sub".to_owned(),
                Value::String(s.replace(a, "${AWS::AccountId}")),
            );
            Value::Object(m)
        }
        (Value::Array(items), _) => {
            Value::Array(items.iter().map(|x| account_agnostic(x, owner)).collect())
        }
        (Value::Object(m), _) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), account_agnostic(x, owner)))
                .collect(),
        ),
        (other, _) => other.clone(),
    }
}

/// The template statement with the fix's change carried over: the `Condition` entries the fix
/// adds, and a `Principal` it replaces. `None` when the change is of another kind.
fn patch_statement(
    raw: &Value,
    before: &Value,
    after: &Value,
    owner: Option<&str>,
) -> Option<Value> {
    let mut out = raw.as_object()?.clone();
    let (b, a) = (before.as_object()?, after.as_object()?);
    for (key, new) in a {
        if b.get(key) == Some(new) {
            continue;
        }
        match key.as_str() {
            "Condition" => {
                let mut cond = match out.get("Condition") {
                    Some(Value::Object(m)) => m.clone(),
                    None => Map::new(),
                    // An intrinsic or a string: not a shape this module edits.
                    Some(_) => return None,
                };
                let old = b.get("Condition").and_then(Value::as_object);
                for (op, keys) in new.as_object()? {
                    for (k, v) in keys.as_object()? {
                        if old
                            .and_then(|o| o.get(op))
                            .and_then(|o| o.get(k))
                            .is_some_and(|x| x == v)
                        {
                            continue;
                        }
                        let block = cond
                            .entry(op.clone())
                            .or_insert_with(|| Value::Object(Map::new()));
                        block
                            .as_object_mut()?
                            .insert(k.clone(), account_agnostic(v, owner));
                    }
                }
                out.insert("Condition".to_owned(), Value::Object(cond));
            }
            "Principal" => {
                out.insert("Principal".to_owned(), account_agnostic(new, owner));
            }
            _ => return None,
        }
    }
    // A key the fix removes (other than formatting) is not carried over.
    if b.keys().any(|k| !a.contains_key(k)) {
        return None;
    }
    Some(Value::Object(out))
}

/// One statement of a template as the fix changes it, written in the template's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementChange {
    /// Where it is: `Resources/R/Properties/AssumeRolePolicyDocument/Statement/0`.
    pub place: String,
    /// The statement as the template writes it.
    pub before: String,
    /// The statement with the fix.
    pub after: String,
}

/// The fix of `threat` for the role `name` of a CloudFormation template, as the template's
/// statements before and after, in YAML (short-form tags) or JSON like the file; `None` when
/// the change cannot be carried into the template as written, or when the patched template,
/// resolved again, does not close the threat.
#[allow(clippy::too_many_arguments)]
pub fn cloudformation(
    template: &Value,
    yaml: bool,
    name: &str,
    deployment: &Deployment,
    resolved: &Value,
    fix: &Value,
    threat: Threat,
    options: &AnalysisOptions,
) -> Option<Vec<StatementChange>> {
    let doc_at = template
        .get("Resources")?
        .get(name)?
        .get("Properties")?
        .get("AssumeRolePolicyDocument")?;
    let raw_statements = statements(doc_at);
    let before = statements(resolved);
    let after = statements(fix);
    // Only changes to statements, one for one (no statement added or removed).
    if raw_statements.len() != before.len() || before.len() != after.len() {
        return None;
    }
    let mut patched_template = template.clone();
    let mut changed: Vec<(usize, Value, Value)> = Vec::new();
    for (i, ((raw, b), a)) in raw_statements.iter().zip(&before).zip(&after).enumerate() {
        if b == a {
            continue;
        }
        let new = patch_statement(raw, b, a, deployment.owner.as_deref())?;
        changed.push((i, (*raw).clone(), new));
    }
    if changed.is_empty() {
        return None;
    }
    {
        let doc = patched_template
            .get_mut("Resources")?
            .get_mut(name)?
            .get_mut("Properties")?
            .get_mut("AssumeRolePolicyDocument")?;
        for (i, _, new) in &changed {
            match doc.get_mut("Statement")? {
                Value::Array(items) => *items.get_mut(*i)? = new.clone(),
                one => *one = new.clone(),
            }
        }
    }
    // Resolved again, every policy the role can deploy with closes the threat.
    let roles = roles_for(
        InputKind::CloudFormation,
        &patched_template,
        "",
        std::path::Path::new("patched"),
        deployment,
    )
    .ok()?;
    let role = roles.into_iter().find(|r| r.name == name)?;
    let docs: Vec<&Value> = if role.branches.is_empty() {
        vec![&role.document]
    } else {
        role.branches.iter().map(|b| &b.document).collect()
    };
    for d in docs {
        let p = TrustPolicy::from_value(d).ok()?;
        if !matches!(
            analyze_threat(&p, threat, options).verdict,
            Verdict::Restricted | Verdict::NotApplicable
        ) {
            return None;
        }
    }
    let render = |v: &Value| {
        if yaml {
            to_yaml(v, 0)
        } else {
            serde_json::to_string_pretty(v).unwrap_or_default()
        }
    };
    Some(
        changed
            .into_iter()
            .map(|(i, old, new)| StatementChange {
                place: format!(
                    "Resources/{name}/Properties/AssumeRolePolicyDocument/Statement/{i}"
                ),
                before: render(&old),
                after: render(&new),
            })
            .collect(),
    )
}

/// A scalar as YAML: plain when unambiguous, else double-quoted (JSON string syntax is valid
/// YAML).
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:*$@{}".contains(c))
        && !s.starts_with(['*', '{', '@', '-', ':'])
        && !s.contains(": ")
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "on" | "off")
        && s.parse::<f64>().is_err();
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// The short-form tag of a one-key intrinsic (`{"Fn::Sub": x}` → `!Sub`), as CloudFormation's
/// YAML writes it (AWS CloudFormation User Guide, "Intrinsic function reference": "Short form").
fn short_tag(v: &Value) -> Option<(&'static str, &Value)> {
    let m = v.as_object().filter(|m| m.len() == 1)?;
    let (k, arg) = m.iter().next()?;
    let tag = match k.as_str() {
        "Ref" => "!Ref",
        "Fn::Sub" => "!Sub",
        "Fn::GetAtt" => "!GetAtt",
        "Fn::Join" => "!Join",
        "Fn::If" => "!If",
        "Fn::Select" => "!Select",
        "Fn::Split" => "!Split",
        "Fn::ImportValue" => "!ImportValue",
        "Fn::FindInMap" => "!FindInMap",
        "Fn::Equals" => "!Equals",
        "Fn::Not" => "!Not",
        "Fn::And" => "!And",
        "Fn::Or" => "!Or",
        "Fn::Base64" => "!Base64",
        "Fn::Cidr" => "!Cidr",
        "Fn::GetAZs" => "!GetAZs",
        "Condition" => "!Condition",
        _ => return None,
    };
    Some((tag, arg))
}

/// A value as block YAML at an indentation, short-form tags for intrinsics.
fn to_yaml(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    if let Some((tag, arg)) = short_tag(v) {
        if arg.is_string() {
            return format!("{pad}{tag} {}\n", inline(arg));
        }
    }
    match v {
        Value::Object(m) if m.is_empty() => format!("{pad}{{}}\n"),
        Value::Object(m) => {
            let mut out = String::new();
            for (k, x) in m {
                out.push_str(&format!(
                    "{pad}{}:{}",
                    scalar(k),
                    inline_or_block(x, indent)
                ));
            }
            out
        }
        Value::Array(items) if items.is_empty() => format!("{pad}[]\n"),
        Value::Array(items) => {
            let mut out = String::new();
            for x in items {
                let body = to_yaml(x, indent + 2);
                let trimmed = body.get(indent + 2..).unwrap_or("");
                out.push_str(&format!("{pad}- {trimmed}"));
            }
            out
        }
        other => format!("{pad}{}\n", inline(other)),
    }
}

/// After `key:`: ` value` on the line for scalars and tagged scalars, else a nested block.
fn inline_or_block(v: &Value, indent: usize) -> String {
    if let Some((tag, arg)) = short_tag(v) {
        if arg.is_string() {
            return format!(" {tag} {}\n", inline(arg));
        }
        if tag == "!GetAtt" {
            if let Some(parts) = arg.as_array() {
                let joined: Vec<String> = parts.iter().map(inline).collect();
                return format!(" {tag} {}\n", joined.join("."));
            }
        }
        return format!(" {tag}\n{}", to_yaml(arg, indent + 2));
    }
    match v {
        Value::Object(m) if !m.is_empty() => format!("\n{}", to_yaml(v, indent + 2)),
        Value::Array(a) if !a.is_empty() => format!("\n{}", to_yaml(v, indent + 2)),
        other => format!(" {}\n", inline(other)),
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => scalar(s),
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Array(a) if a.is_empty() => "[]".to_owned(),
        Value::Null => "null".to_owned(),
        other if other.is_object() || other.is_array() => {
            serde_json::to_string(other).unwrap_or_default()
        }
        other => other.to_string(),
    }
}

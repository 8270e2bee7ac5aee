//! `data "aws_iam_policy_document"` rendered as the JSON policy the AWS provider writes
//! (Terraform AWS provider documentation, data source `aws_iam_policy_document`): `statement`
//! blocks (`sid`, `effect` defaulting to `Allow`, `actions`, `not_actions`, `principals` and
//! `not_principals` with `type` and `identifiers`, `condition` with `test`, `variable` and
//! `values`), `dynamic` blocks over known collections, `source_policy_documents` (their
//! statements first) and `override_policy_documents` (a statement with the same non-empty `sid`
//! replaces the earlier one, others are added), and `&{...}` written as the policy variable
//! `${...}`. A principal `type = "*"` renders `"Principal": "*"`; `type = "AWS"` with
//! `identifiers = ["*"]` renders `{"AWS": "*"}`.

use hcl::structure::{Block, Body};
use serde_json::{json, Map, Value};

use super::eval::{display, has_unresolved, text, Eval};

/// A block's body with its `dynamic` blocks of the given names expanded: each element of a
/// known `for_each` gives one block, its `content` evaluated with the iterator (`NAME.key`,
/// `NAME.value`) in scope. The blocks are returned as (name, evaluated attributes, nested
/// blocks) through the callback.
fn blocks<'b>(
    ev: &mut Eval,
    body: &'b Body,
    name: &str,
    each: &mut dyn FnMut(&mut Eval, &'b Body) -> Result<(), String>,
) -> Result<(), String> {
    for b in body.blocks() {
        if b.identifier.as_str() == name {
            each(ev, &b.body)?;
        } else if b.identifier.as_str() == "dynamic" && label(b) == Some(name) {
            let for_each = attr(&b.body, "for_each")
                .ok_or_else(|| format!("a `dynamic \"{name}\"` block has no `for_each`"))?;
            let collection = ev.value(for_each);
            let iterator = attr(&b.body, "iterator")
                .map(display)
                .unwrap_or_else(|| name.to_owned());
            let items: Vec<(Value, Value)> = match collection {
                Value::Array(list) => list.into_iter().map(|v| (v.clone(), v)).collect(),
                Value::Object(map) => map
                    .into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
                Value::Null => Vec::new(),
                other if has_unresolved(&other) => {
                    return Err(format!(
                        "a `dynamic \"{name}\"` block iterates over `{}`, whose value is not known from the module's files",
                        display(for_each)
                    ))
                }
                other => vec![(other.clone(), other)],
            };
            let Some(content) = b.body.blocks().find(|c| c.identifier.as_str() == "content") else {
                return Err(format!("a `dynamic \"{name}\"` block has no `content`"));
            };
            for (k, v) in items {
                let depth = ev.scope.len();
                ev.scope
                    .push((iterator.clone(), json!({"key": k, "value": v})));
                let r = each(ev, &content.body);
                ev.scope.truncate(depth);
                r?;
            }
        }
    }
    Ok(())
}

fn label(b: &Block) -> Option<&str> {
    b.labels.first().map(|l| l.as_str())
}

fn attr<'b>(body: &'b Body, key: &str) -> Option<&'b hcl::expr::Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map(|a| &a.expr)
}

/// `&{...}` is how a policy variable is written in the provider's documents; the JSON says
/// `${...}`.
fn policy_text(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("&{", "${")),
        Value::Array(items) => Value::Array(items.into_iter().map(policy_text).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, policy_text(v))).collect())
        }
        other => other,
    }
}

fn list(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn principals(ev: &mut Eval, body: &Body, name: &str) -> Result<Option<Value>, String> {
    let mut out = Map::new();
    let mut star = false;
    let mut any = false;
    blocks(ev, body, name, &mut |ev, p| {
        any = true;
        let ty = attr(p, "type")
            .map(|e| text(&ev.value(e)))
            .unwrap_or_default();
        let ids = attr(p, "identifiers")
            .map(|e| list(ev.value(e)))
            .unwrap_or_default();
        if ty == "*" {
            star = true;
            return Ok(());
        }
        let entry = out.entry(ty).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = entry {
            for id in ids {
                if !a.contains(&id) {
                    a.push(id);
                }
            }
        }
        Ok(())
    })?;
    if star {
        return Ok(Some(Value::String("*".to_owned())));
    }
    Ok(any.then_some(Value::Object(out)))
}

fn statement(ev: &mut Eval, body: &Body) -> Result<Value, String> {
    let mut s = Map::new();
    if let Some(e) = attr(body, "sid") {
        let sid = text(&ev.value(e));
        if !sid.is_empty() {
            s.insert("Sid".to_owned(), Value::String(sid));
        }
    }
    let effect = attr(body, "effect")
        .map(|e| ev.value(e))
        .unwrap_or_else(|| Value::String("Allow".to_owned()));
    s.insert("Effect".to_owned(), effect);
    for (key, json_key) in [("actions", "Action"), ("not_actions", "NotAction")] {
        if let Some(e) = attr(body, key) {
            s.insert(json_key.to_owned(), Value::Array(list(ev.value(e))));
        }
    }
    if let Some(p) = principals(ev, body, "principals")? {
        s.insert("Principal".to_owned(), p);
    }
    if let Some(p) = principals(ev, body, "not_principals")? {
        s.insert("NotPrincipal".to_owned(), p);
    }
    let mut conditions = Map::new();
    blocks(ev, body, "condition", &mut |ev, c| {
        let test = attr(c, "test")
            .map(|e| text(&ev.value(e)))
            .unwrap_or_default();
        let variable = attr(c, "variable")
            .map(|e| text(&ev.value(e)))
            .unwrap_or_default();
        let values = attr(c, "values")
            .map(|e| list(ev.value(e)))
            .unwrap_or_default();
        let block = conditions
            .entry(test)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = block {
            if m.contains_key(&variable) {
                return Err(format!(
                    "two `condition` blocks test `{variable}` with the same operator; versions of the AWS provider keep the last one's values or merge them (terraform-provider-aws issue #33068), so the policy is not known: write one block with all the values"
                ));
            }
            m.insert(variable, Value::Array(values));
        }
        Ok(())
    })?;
    if !conditions.is_empty() {
        s.insert("Condition".to_owned(), Value::Object(conditions));
    }
    Ok(policy_text(Value::Object(s)))
}

/// The statements of a document given as JSON text (a `source_policy_documents` or
/// `override_policy_documents` element).
fn statements_of(ev: &mut Eval, v: &Value, what: &str) -> Result<Vec<Value>, String> {
    let doc = match v {
        Value::String(s) if !s.contains("<unresolved") => serde_json::from_str::<Value>(s)
            .map_err(|e| format!("an element of `{what}` is not JSON: {e}"))?,
        Value::Object(_) => v.clone(),
        _ => {
            return Err(format!(
                "an element of `{what}` is not known from the module's files"
            ))
        }
    };
    let _ = ev;
    Ok(match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    })
}

/// Adds statements; one with the same non-empty `Sid` as an earlier one replaces it.
fn merge(into: &mut Vec<Value>, from: Vec<Value>) {
    for s in from {
        let sid = s
            .get("Sid")
            .and_then(Value::as_str)
            .filter(|x| !x.is_empty());
        match sid.and_then(|id| {
            into.iter()
                .position(|t| t.get("Sid").and_then(Value::as_str) == Some(id))
        }) {
            Some(i) => {
                if let Some(slot) = into.get_mut(i) {
                    *slot = s;
                }
            }
            None => into.push(s),
        }
    }
}

/// The JSON policy of a `data "aws_iam_policy_document"` body.
pub(super) fn render(ev: &mut Eval, body: &Body) -> Result<Value, String> {
    let mut out: Vec<Value> = Vec::new();
    for key in ["source_policy_documents", "source_json"] {
        if let Some(e) = attr(body, key) {
            for d in list(ev.value(e)) {
                let s = statements_of(ev, &d, key)?;
                merge(&mut out, s);
            }
        }
    }
    let mut own = Vec::new();
    blocks(ev, body, "statement", &mut |ev, b| {
        own.push(statement(ev, b)?);
        Ok(())
    })?;
    merge(&mut out, own);
    for key in ["override_policy_documents", "override_json"] {
        if let Some(e) = attr(body, key) {
            for d in list(ev.value(e)) {
                let s = statements_of(ev, &d, key)?;
                merge(&mut out, s);
            }
        }
    }
    let version = attr(body, "version")
        .map(|e| ev.value(e))
        .unwrap_or_else(|| Value::String("2012-10-17".to_owned()));
    Ok(json!({"Version": version, "Statement": out}))
}

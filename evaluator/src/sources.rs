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

use std::path::Path;

use serde_json::{Map, Value};

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
#[derive(Clone, Debug)]
pub struct Role {
    /// The role's name (logical ID, Terraform address, or role name).
    pub name: String,
    /// Where it is: `path#/Resources/Name`, `path#address`, `path#/RoleDetailList/3`.
    pub source: String,
    /// The line of the role in the input, when the input has lines.
    pub line: Option<usize>,
    /// The role's account, when the input says.
    pub account: Option<String>,
    /// The trust policy, intrinsics resolved.
    pub document: Value,
    /// What could not be resolved.
    pub notes: Vec<String>,
}

/// Reads a file's text as a JSON or YAML value. YAML short-form tags become their long forms
/// (`!Ref x` → `{"Ref": "x"}`, `!GetAtt a.b` → `{"Fn::GetAtt": ["a", "b"]}`, `!Sub s` →
/// `{"Fn::Sub": s}`).
pub fn read_value(text: &str, path: &Path) -> Result<Value, PolicyError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return crate::json::parse(text, "the file");
    }
    let yaml: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
        let kind = if path.extension().is_some_and(|x| x == "json") {
            "JSON"
        } else {
            "YAML"
        };
        PolicyError::new(
            Pointer::root(),
            format!("the file is not valid {kind}: {e}"),
        )
    })?;
    Ok(from_yaml(yaml))
}

fn from_yaml(v: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(from_yaml).collect()),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => format!("{other:?}"),
                };
                out.insert(key, from_yaml(v));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = from_yaml(t.value);
            let key = if name == "Ref" || name == "Condition" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            let inner = match (name, inner) {
                ("GetAtt", Value::String(s)) => match s.split_once('.') {
                    Some((a, b)) => Value::Array(vec![
                        Value::String(a.to_owned()),
                        Value::String(b.to_owned()),
                    ]),
                    None => Value::String(s),
                },
                (_, v) => v,
            };
            let mut m = Map::new();
            m.insert(key, inner);
            Value::Object(m)
        }
    }
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

/// The roles of an input of the given kind.
pub fn roles(
    kind: InputKind,
    value: &Value,
    text: &str,
    path: &Path,
    owner: Option<&str>,
) -> Result<Vec<Role>, PolicyError> {
    let file = path.display().to_string();
    match kind {
        InputKind::Policy => Ok(vec![Role {
            name: path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            source: file,
            line: None,
            account: owner.map(str::to_owned),
            document: value.clone(),
            notes: Vec::new(),
        }]),
        InputKind::CloudFormation => cloudformation(value, text, &file, owner),
        InputKind::Terraform => terraform(value, text, &file, owner),
        InputKind::AccountExport => account_export(value, text, &file),
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

// ------------------------------------------------------------------ CloudFormation

struct Cfn<'a> {
    params: &'a Map<String, Value>,
    owner: Option<&'a str>,
    notes: Vec<String>,
}

fn placeholder(what: &str) -> String {
    format!("<unresolved {what}>")
}

impl Cfn<'_> {
    fn reference(&mut self, name: &str) -> Option<String> {
        match name {
            "AWS::AccountId" => match self.owner {
                Some(a) => Some(a.to_owned()),
                None => {
                    self.note("AWS::AccountId is unknown: give --account");
                    None
                }
            },
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            p => match self.params.get(p).and_then(|d| d.get("Default")) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::Array(items)) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => {
                    if self.params.contains_key(p) {
                        self.note(&format!("parameter `{p}` has no default"));
                    } else {
                        self.note(&format!("`Ref {p}` refers to a resource"));
                    }
                    None
                }
            },
        }
    }

    fn note(&mut self, n: &str) {
        let n = format!("{n}: kept as an opaque value the owner controls");
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// Resolves intrinsics inside a value. `None` removes the value (`AWS::NoValue`).
    fn resolve(&mut self, v: &Value) -> Option<Value> {
        match v {
            Value::Array(items) => Some(Value::Array(
                items.iter().filter_map(|i| self.resolve(i)).collect(),
            )),
            Value::Object(map) if map.len() == 1 => {
                let (k, arg) = map.iter().next()?;
                match k.as_str() {
                    "Ref" if arg.as_str() == Some("AWS::NoValue") => None,
                    "Ref" => {
                        let name = arg.as_str().unwrap_or("");
                        Some(Value::String(
                            self.reference(name)
                                .unwrap_or_else(|| placeholder(&format!("Ref {name}"))),
                        ))
                    }
                    "Fn::Sub" => Some(Value::String(self.sub(arg))),
                    "Fn::Join" => {
                        let delim = arg.get(0).and_then(Value::as_str).unwrap_or("");
                        let parts = arg.get(1).and_then(|p| self.resolve(p));
                        let parts: Vec<String> = match parts {
                            Some(Value::Array(items)) => items.iter().map(text_of).collect(),
                            Some(other) => vec![text_of(&other)],
                            None => Vec::new(),
                        };
                        Some(Value::String(parts.join(delim)))
                    }
                    "Fn::Select" => {
                        let index = arg.get(0).and_then(|i| {
                            i.as_u64()
                                .or_else(|| i.as_str().and_then(|s| s.parse().ok()))
                        });
                        let list = arg.get(1).and_then(|l| self.resolve(l));
                        match (index, list) {
                            (Some(i), Some(Value::Array(items))) => {
                                items.get(usize::try_from(i).ok()?).cloned()
                            }
                            _ => Some(Value::String(placeholder("Fn::Select"))),
                        }
                    }
                    "Fn::Split" => {
                        let delim = arg.get(0).and_then(Value::as_str).unwrap_or(",");
                        match arg.get(1).and_then(|t| self.resolve(t)) {
                            Some(Value::String(text)) if !text.contains("<unresolved") => {
                                Some(Value::Array(
                                    text.split(delim)
                                        .map(|p| Value::String(p.to_owned()))
                                        .collect(),
                                ))
                            }
                            _ => Some(Value::String(placeholder("Fn::Split"))),
                        }
                    }
                    "Fn::If" => {
                        let cond = arg.get(0).and_then(Value::as_str).unwrap_or("?").to_owned();
                        self.notes.push(format!(
                            "Fn::If on condition `{cond}`: analysed with its first branch"
                        ));
                        arg.get(1).and_then(|b| self.resolve(b))
                    }
                    other if other.starts_with("Fn::") => {
                        self.note(&format!("`{other}`"));
                        Some(Value::String(placeholder(other)))
                    }
                    _ => Some(Value::Object(self.resolve_map(map))),
                }
            }
            Value::Object(map) => Some(Value::Object(self.resolve_map(map))),
            other => Some(other.clone()),
        }
    }

    fn resolve_map(&mut self, map: &Map<String, Value>) -> Map<String, Value> {
        map.iter()
            .filter_map(|(k, v)| self.resolve(v).map(|r| (k.clone(), r)))
            .collect()
    }

    fn sub(&mut self, arg: &Value) -> String {
        let (template, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(items) => (
                items.first().and_then(Value::as_str).unwrap_or(""),
                items.get(1),
            ),
            _ => ("", None),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            out.push_str(before);
            let Some(end) = after.find('}') else {
                out.push_str(after);
                rest = "";
                break;
            };
            let name = after.get(2..end).unwrap_or("");
            rest = after.get(end + 1..).unwrap_or("");
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let from_vars = vars.and_then(|v| v.get(name)).cloned();
            let value = match from_vars {
                Some(v) => self.resolve(&v).map(|r| text_of(&r)),
                None if name.contains('.') => {
                    self.note(&format!("`${{{name}}}` (an attribute)"));
                    None
                }
                None => self.reference(name),
            };
            out.push_str(&value.unwrap_or_else(|| placeholder(name)));
        }
        out.push_str(rest);
        out
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Principals that did not resolve become a role of the owner's account named after the
/// reference, so the document stays a valid trust policy.
fn repair_principals(doc: &mut Value, owner: Option<&str>) {
    let account = owner.unwrap_or("000000000000");
    let statements: Vec<&mut Value> = match doc.get_mut("Statement") {
        Some(Value::Array(list)) => list.iter_mut().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for s in statements {
        let Some(Value::Object(principal)) = s.get_mut("Principal") else {
            continue;
        };
        // A service or provider that did not resolve is kept as an explicit unknown one, so the
        // analysis still covers "some service" / "some provider" of the owner's choosing.
        for (kind, replacement) in [
            ("Service", "unresolved-service.amazonaws.com".to_owned()),
            (
                "Federated",
                format!("arn:aws:iam::{account}:oidc-provider/unresolved.example.com"),
            ),
        ] {
            if let Some(v) = principal.get_mut(kind) {
                let fix = |x: &mut Value| {
                    if x.as_str().is_some_and(|t| t.contains("<unresolved")) {
                        *x = Value::String(replacement.clone());
                    }
                };
                match v {
                    Value::Array(items) => items.iter_mut().for_each(fix),
                    other => fix(other),
                }
            }
        }
        if let Some(aws) = principal.get_mut("AWS") {
            let fix = |v: &mut Value| {
                if let Value::String(text) = v {
                    if text.contains("<unresolved") {
                        let name: String = text
                            .chars()
                            .map(|c| {
                                if c.is_ascii_alphanumeric() || c == '-' {
                                    c
                                } else {
                                    '-'
                                }
                            })
                            .collect::<String>()
                            .trim_matches('-')
                            .to_owned();
                        *text = format!("arn:aws:iam::{account}:role/{name}");
                    } else if text.contains("arn:aws:iam::<unresolved")
                        || text.starts_with("arn:aws:iam:::")
                    {
                        *text = text
                            .replace("::<unresolved AWS::AccountId>:", &format!("::{account}:"));
                    }
                }
            };
            match aws {
                Value::Array(items) => items.iter_mut().for_each(fix),
                other => fix(other),
            }
        }
    }
}

fn cloudformation(
    value: &Value,
    text: &str,
    file: &str,
    owner: Option<&str>,
) -> Result<Vec<Role>, PolicyError> {
    let empty = Map::new();
    let params = value
        .get("Parameters")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let resources = value
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            PolicyError::new(
                Pointer::root().key("Resources"),
                "a CloudFormation template needs a `Resources` object",
            )
        })?;
    let mut out = Vec::new();
    for (name, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        if kind != "AWS::IAM::Role" && kind != "AWS::Serverless::Function" {
            continue;
        }
        let Some(doc) = resource
            .get("Properties")
            .and_then(|p| p.get("AssumeRolePolicyDocument"))
        else {
            continue;
        };
        let mut cfn = Cfn {
            params,
            owner,
            notes: Vec::new(),
        };
        let mut document = cfn.resolve(doc).unwrap_or(Value::Null);
        if let Value::String(s) = &document {
            // A document given as a JSON string.
            document = crate::json::parse(s, "the AssumeRolePolicyDocument").map_err(|e| {
                PolicyError::new(Pointer::root().key("Resources").key(name), e.message)
            })?;
        }
        repair_principals(&mut document, owner);
        out.push(Role {
            name: name.clone(),
            source: format!(
                "{file}#{}",
                Pointer::root().key("Resources").key(name).as_str()
            ),
            line: line_of(text, &format!("{name}:"))
                .or_else(|| line_of(text, &format!("\"{name}\""))),
            account: owner.map(str::to_owned),
            document,
            notes: cfn.notes,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ Terraform

fn terraform(
    value: &Value,
    text: &str,
    file: &str,
    owner: Option<&str>,
) -> Result<Vec<Role>, PolicyError> {
    let mut found: Vec<(String, Value, Option<String>)> = Vec::new();
    fn walk(module: &Value, out: &mut Vec<(String, Value, Option<String>)>) {
        for r in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("type").and_then(Value::as_str) != Some("aws_iam_role")
                || r.get("mode").and_then(Value::as_str) == Some("data")
            {
                continue;
            }
            let address = r
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if out.iter().any(|(a, _, _)| *a == address) {
                continue;
            }
            let values = r.get("values").cloned().unwrap_or(Value::Null);
            let arn = values.get("arn").and_then(Value::as_str).map(str::to_owned);
            out.push((address, values, arn));
        }
        for child in module
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, out);
        }
    }
    if let Some(root) = value
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        walk(root, &mut found);
    }
    if let Some(root) = value
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|p| p.get("root_module"))
    {
        walk(root, &mut found);
    }
    let mut out = Vec::new();
    for (address, values, arn) in found {
        let account = arn
            .as_deref()
            .and_then(|a| crate::principal::IamIdentity::parse(a).ok())
            .map(|id| id.account)
            .or_else(|| owner.map(str::to_owned));
        let (document, notes) = match values.get("assume_role_policy") {
            Some(Value::String(s)) => (
                crate::json::parse(s, "assume_role_policy").map_err(|e| {
                    PolicyError::new(Pointer::root(), format!("{address}: {}", e.message))
                })?,
                Vec::new(),
            ),
            Some(v @ Value::Object(_)) => (v.clone(), Vec::new()),
            _ => (
                Value::Null,
                vec!["assume_role_policy is not known until apply".to_owned()],
            ),
        };
        out.push(Role {
            name: address.clone(),
            source: format!("{file}#{address}"),
            line: line_of(text, &format!("\"{address}\"")),
            account,
            document,
            notes,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ account export

/// Percent-decoding of the URL-encoded documents the IAM API returns (RFC 3986).
fn url_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(if b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn account_export(value: &Value, text: &str, file: &str) -> Result<Vec<Role>, PolicyError> {
    let list = value
        .get("RoleDetailList")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            PolicyError::new(
                Pointer::root().key("RoleDetailList"),
                "`RoleDetailList` must be a list",
            )
        })?;
    let mut out = Vec::new();
    for (i, role) in list.iter().enumerate() {
        let at = Pointer::root().key("RoleDetailList").index(i);
        let name = role
            .get("RoleName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let arn = role.get("Arn").and_then(Value::as_str);
        let account = arn
            .and_then(|a| crate::principal::IamIdentity::parse(a).ok())
            .map(|id| id.account);
        let document = match role.get("AssumeRolePolicyDocument") {
            Some(Value::String(s)) => {
                let decoded = url_decode(s).ok_or_else(|| {
                    PolicyError::new(
                        at.key("AssumeRolePolicyDocument"),
                        "the document is not valid URL encoding",
                    )
                })?;
                crate::json::parse(&decoded, "the AssumeRolePolicyDocument")
                    .map_err(|e| PolicyError::new(at.key("AssumeRolePolicyDocument"), e.message))?
            }
            Some(v) => v.clone(),
            None => {
                return Err(PolicyError::new(
                    at,
                    format!("role `{name}` has no AssumeRolePolicyDocument"),
                ))
            }
        };
        out.push(Role {
            name: name.clone(),
            source: format!("{file}#{}", at.as_str()),
            line: line_of(text, &format!("\"{name}\"")),
            account,
            document,
            notes: Vec::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_decoding() {
        assert_eq!(
            url_decode("%7B%22a%22%3A1%7D").as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(url_decode("%zz"), None);
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

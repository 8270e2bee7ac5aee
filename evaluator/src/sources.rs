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

use std::cell::{Cell, RefCell};
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Value};

use crate::limits::MAX_YAML_NODES;

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

/// Reads `Metadata.trustsim.ignore` of a CloudFormation resource.
fn inline_ignores(resource: &Value, at: &Pointer) -> Result<Vec<InlineIgnore>, PolicyError> {
    let Some(meta) = resource.get("Metadata").and_then(|m| m.get("trustsim")) else {
        return Ok(Vec::new());
    };
    let at = at.key("Metadata").key("trustsim");
    let obj = meta.as_object().ok_or_else(|| {
        PolicyError::new(at.clone(), "`Metadata.trustsim` must be an object")
            .help("write `trustsim: {ignore: [{threat: confused-deputy, reason: ...}]}`")
    })?;
    if let Some(k) = obj.keys().find(|k| *k != "ignore") {
        return Err(
            PolicyError::new(at.key(k), format!("`{k}` is not a trustsim setting"))
                .help("the only inline setting is `ignore`, a list of `{threat, reason}`"),
        );
    }
    let list = match obj.get("ignore") {
        None => return Ok(Vec::new()),
        Some(Value::Array(l)) => l,
        Some(_) => {
            return Err(
                PolicyError::new(at.key("ignore"), "`ignore` must be a list")
                    .help("write `ignore: [{threat: confused-deputy, reason: ...}]`"),
            )
        }
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let p = at.key("ignore").index(i);
        let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
        if let Some(k) = entry
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "threat" && *k != "reason"))
        {
            return Err(PolicyError::new(
                p.key(k),
                format!("`{k}` is not a field of an ignore entry"),
            )
            .help("an inline ignore entry has `threat` and `reason`"));
        }
        let threat = field("threat").ok_or_else(|| {
            PolicyError::new(p.key("threat"), "an ignore entry needs `threat`")
                .help("one of public, forged-service, confused-deputy, federated, account-wide")
        })?;
        if crate::analysis::Threat::from_name(&threat).is_none() {
            return Err(
                PolicyError::new(p.key("threat"), format!("`{threat}` is not a threat")).help(
                    "one of public, forged-service, confused-deputy, federated, account-wide",
                ),
            );
        }
        let reason = field("reason")
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                PolicyError::new(p.key("reason"), "an ignore entry needs a `reason`")
                    .help("say why the finding is accepted; it is shown beside the finding")
            })?;
        out.push(InlineIgnore {
            threat,
            reason,
            pointer: p.as_str().to_owned(),
        });
    }
    Ok(out)
}

/// Reads a file's text as a JSON or YAML value. YAML short-form tags become their long forms
/// (`!Ref x` → `{"Ref": "x"}`, `!GetAtt a.b` → `{"Fn::GetAtt": ["a", "b"]}`, `!Sub s` →
/// `{"Fn::Sub": s}`). YAML is read with the same duplicate-key and depth rules as JSON, and at
/// most [`MAX_YAML_NODES`] values (aliases counted at each use), so that a YAML bomb is an error.
pub fn read_value(text: &str, path: &Path) -> Result<Value, PolicyError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return crate::json::parse(text, "the file");
    }
    let kind = if path.extension().is_some_and(|x| x == "json") {
        "JSON"
    } else {
        "YAML"
    };
    let own: RefCell<Option<PolicyError>> = RefCell::new(None);
    let budget = Cell::new(MAX_YAML_NODES);
    let de = serde_norway::Deserializer::from_str(text);
    let seed = YamlSeed {
        path: Pointer::root(),
        depth: 0,
        budget: &budget,
        own: &own,
    };
    seed.deserialize(de).map_err(|e| {
        if let Some(mine) = own.take() {
            return mine;
        }
        let text = e.to_string();
        if text.contains("repetition limit exceeded") || text.contains("recursion limit exceeded") {
            return PolicyError::new(
                Pointer::root(),
                format!("the file is not valid {kind} for trustsim: {text} (its aliases expand too far: a YAML bomb?)"),
            )
            .help("write the values out instead of repeating anchors with `*alias`; CloudFormation templates rarely need aliases");
        }
        let help = if kind == "JSON" {
            "a JSON document is one object: keys and strings in double quotes, `,` between items, no trailing `,`"
        } else {
            "check the indentation and quoting at that line (YAML indents with spaces, never tabs)"
        };
        PolicyError::new(Pointer::root(), format!("the file is not valid {kind}: {e}")).help(help)
    })
}

/// Reads YAML into a JSON value, counting values against a budget.
struct YamlSeed<'a> {
    path: Pointer,
    depth: usize,
    budget: &'a Cell<usize>,
    own: &'a RefCell<Option<PolicyError>>,
}

impl<'a> YamlSeed<'a> {
    fn fail<E: de::Error>(&self, e: PolicyError) -> E {
        let text = e.message.clone();
        *self.own.borrow_mut() = Some(e);
        E::custom(text)
    }

    /// Counts one value; an error when the budget is spent.
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(self.fail(
                PolicyError::new(
                    self.path.clone(),
                    format!(
                        "the YAML expands to more than {} values, more than trustsim reads (aliases count at every use: a YAML bomb?)",
                        crate::limits::thousands(MAX_YAML_NODES)
                    ),
                )
                .help("write the values out instead of repeating anchors with `*alias`; CloudFormation templates rarely need aliases"),
            )),
        }
    }

    fn child(&self, path: Pointer) -> YamlSeed<'a> {
        YamlSeed {
            path,
            depth: self.depth + 1,
            budget: self.budget,
            own: self.own,
        }
    }

    fn enter<E: de::Error>(&self) -> Result<(), E> {
        self.take()?;
        if self.depth >= crate::limits::MAX_DEPTH {
            return Err(self.fail(
                PolicyError::new(
                    self.path.clone(),
                    format!(
                        "the document nests deeper than {} levels, more than trustsim reads",
                        crate::limits::MAX_DEPTH
                    ),
                )
                .help("a CloudFormation template nests about fifteen levels deep at most: Resources, a resource, Properties, AssumeRolePolicyDocument and the policy"),
            ));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for YamlSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for YamlSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.take()?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.child(self.path.index(out.len())))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let path = self.path.key(&key);
            if out.contains_key(&key) {
                return Err(self.fail(
                    PolicyError::new(
                        path,
                        format!("`{key}` appears twice in the same mapping"),
                    )
                    .help(format!("keep one `{key}`: CloudFormation and IAM never let the last one silently win")),
                ));
            }
            let v = map.next_value_seed(self.child(path))?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Ref x`): its long form.
        self.enter()?;
        let (tag, contents): (String, _) = data.variant()?;
        let name = tag.trim_start_matches('!').to_owned();
        let key = if name == "Ref" || name == "Condition" {
            name.clone()
        } else {
            format!("Fn::{name}")
        };
        let inner = contents.newtype_variant_seed(self.child(self.path.key(&key)))?;
        let inner = match (name.as_str(), inner) {
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
        Ok(Value::Object(m))
    }
}

/// A mapping key as text (`1`, `true` and `null` keys read as their text).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key that is text, a number or a boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
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
    let file = path.display().to_string();
    match kind {
        InputKind::Policy => Ok(vec![Role {
            name: path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            source: file,
            line: None,
            account: owner.map(str::to_owned),
            partition: None,
            document: value.clone(),
            notes: Vec::new(),
            path: None,
            arn: None,
            ignores: Vec::new(),
        }]),
        InputKind::CloudFormation => cloudformation(value, text, &file, owner, parameters),
        InputKind::Terraform => terraform(value, text, &file, owner),
        InputKind::AccountExport => account_export(value, text, &file),
    }
}

/// The pointer of a top-level element that has the wrong shape, or the root when the element
/// is missing: an error's pointer names an element that exists (RFC 6901, section 4: a pointer
/// to a missing member is an error condition), as a policy without `Statement` is reported at
/// its root.
fn member_or_root(value: &Value, key: &str) -> Pointer {
    if value.get(key).is_some() {
        Pointer::root().key(key)
    } else {
        Pointer::root()
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

// ------------------------------------------------------------------ CloudFormation

struct Cfn<'a> {
    params: &'a Map<String, Value>,
    /// Values given for the deployment, which take the place of defaults.
    overrides: &'a [(String, String)],
    /// The template's `Conditions`.
    conditions: &'a Map<String, Value>,
    owner: Option<&'a str>,
    notes: Vec<String>,
    /// Nesting of condition references being evaluated (a cycle stops at [`MAX_CONDITION_DEPTH`]).
    depth: usize,
}

/// Deepest chain of `Condition` references evaluated (CloudFormation rejects cycles; a template
/// that has one gets an unknown value, not a hang).
const MAX_CONDITION_DEPTH: usize = 32;

/// Does a resolved value hold a value that is not known?
fn has_unresolved(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("<unresolved"),
        Value::Array(items) => items.iter().any(has_unresolved),
        Value::Object(m) => m.values().any(has_unresolved),
        _ => false,
    }
}

fn placeholder(what: &str) -> String {
    format!("<unresolved {what}>")
}

impl Cfn<'_> {
    /// The value of a named condition under the parameters' defaults, when it is known
    /// (AWS CloudFormation User Guide, "Conditions syntax" and "Condition functions":
    /// `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`).
    fn condition(&mut self, name: &str) -> Option<bool> {
        if self.depth >= MAX_CONDITION_DEPTH {
            return None;
        }
        let expr = self.conditions.get(name)?;
        self.depth += 1;
        let r = self.truth(expr);
        self.depth -= 1;
        r
    }

    fn truth(&mut self, v: &Value) -> Option<bool> {
        let Value::Object(m) = v else {
            return None;
        };
        if m.len() != 1 {
            return None;
        }
        let (k, a) = m.iter().next()?;
        match k.as_str() {
            "Condition" => self.condition(a.as_str()?),
            "Fn::Equals" => {
                let x = self.known(a.get(0)?)?;
                let y = self.known(a.get(1)?)?;
                Some(x == y)
            }
            "Fn::Not" => self.truth(a.get(0)?).map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let and = k == "Fn::And";
                let mut unknown = false;
                for x in a.as_array()? {
                    match self.truth(x) {
                        Some(b) if b != and => return Some(b),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(and)
            }
            _ => None,
        }
    }

    /// A value whose every part is known, as text for comparison (`Fn::Equals` compares the
    /// values as CloudFormation renders them: numbers and booleans as their text).
    fn known(&mut self, v: &Value) -> Option<Value> {
        let notes = self.notes.len();
        let r = self.resolve(v).unwrap_or(Value::String(String::new()));
        // Notes about values that only decide a condition are not the role's.
        self.notes.truncate(notes);
        if has_unresolved(&r) {
            return None;
        }
        Some(match r {
            Value::Number(n) => Value::String(n.to_string()),
            Value::Bool(b) => Value::String(b.to_string()),
            other => other,
        })
    }

    /// A list parameter (`CommaDelimitedList`, `List<...>`) with a default, as its list.
    fn list_parameter(&self, name: &str) -> Option<Value> {
        let p = self.params.get(name)?;
        let ty = p.get("Type").and_then(Value::as_str)?;
        if ty != "CommaDelimitedList" && !ty.starts_with("List<") {
            return None;
        }
        let given = self.given(name).map(|v| Value::String(v.to_owned()));
        match given.as_ref().or_else(|| p.get("Default"))? {
            Value::String(s) => Some(Value::Array(
                s.split(',')
                    .map(|x| Value::String(x.trim().to_owned()))
                    .collect(),
            )),
            Value::Array(items) => Some(Value::Array(items.clone())),
            _ => None,
        }
    }

    /// The value given for a declared parameter, if any.
    fn given(&self, name: &str) -> Option<&str> {
        if !self.params.contains_key(name) {
            return None;
        }
        self.overrides
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn reference(&mut self, name: &str) -> Option<String> {
        if let Some(v) = self.given(name) {
            return Some(v.to_owned());
        }
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
            // The stack's own values: known to the owner, not to trustsim.
            p @ ("AWS::Region" | "AWS::StackName" | "AWS::StackId" | "AWS::NotificationARNs") => {
                self.note(&format!("pseudo parameter `{p}`"));
                None
            }
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
                    "Ref" if arg.as_str().and_then(|n| self.list_parameter(n)).is_some() => {
                        arg.as_str().and_then(|n| self.list_parameter(n))
                    }
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
                        match self.condition(&cond) {
                            Some(true) => arg.get(1).and_then(|b| self.resolve(b)),
                            Some(false) => arg.get(2).and_then(|b| self.resolve(b)),
                            None => {
                                let n = format!(
                                    "Fn::If on condition `{cond}`, whose value the parameter defaults do not decide: analysed with its first branch"
                                );
                                if !self.notes.contains(&n) {
                                    self.notes.push(n);
                                }
                                arg.get(1).and_then(|b| self.resolve(b))
                            }
                        }
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

/// The stand-in for a service principal that did not resolve.
pub const UNRESOLVED_SERVICE: &str = "unresolved-service.amazonaws.com";
/// The host of the stand-in for an identity provider that did not resolve.
pub const UNRESOLVED_PROVIDER_HOST: &str = "unresolved.example.com";

/// Text for the user with the stand-ins of unresolved principals said in words, so that no
/// internal placeholder reaches an explanation or a residual.
pub fn in_words(text: &str) -> String {
    let mut out = text.replace(
        UNRESOLVED_SERVICE,
        "a service whose name the template leaves unresolved",
    );
    // `arn:<partition>:iam::<account>:oidc-provider/unresolved.example.com`
    while let Some(end) = out.find(&format!("oidc-provider/{UNRESOLVED_PROVIDER_HOST}")) {
        let start = out.get(..end).and_then(|h| h.rfind("arn:")).unwrap_or(end);
        let stop = end + "oidc-provider/".len() + UNRESOLVED_PROVIDER_HOST.len();
        out.replace_range(
            start..stop,
            "an identity provider the template leaves unresolved",
        );
    }
    out
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
            ("Service", UNRESOLVED_SERVICE.to_owned()),
            (
                "Federated",
                format!("arn:aws:iam::{account}:oidc-provider/{UNRESOLVED_PROVIDER_HOST}"),
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
    overrides: &[(String, String)],
) -> Result<Vec<Role>, PolicyError> {
    let empty = Map::new();
    let params = value
        .get("Parameters")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let conditions = value
        .get("Conditions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let resources = value
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            PolicyError::new(
                member_or_root(value, "Resources"),
                "a CloudFormation template needs a `Resources` object",
            )
            .help("add `Resources:` with the template's resources, e.g. an `AWS::IAM::Role` (AWS CloudFormation User Guide, \"CloudFormation template Resources syntax\")")
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
            overrides,
            conditions,
            owner,
            notes: Vec::new(),
            depth: 0,
        };
        // A resource whose condition is false under the defaults is not deployed.
        if let Some(c) = resource.get("Condition").and_then(Value::as_str) {
            if cfn.condition(c) == Some(false) {
                out.push(Role {
                    name: name.clone(),
                    source: format!(
                        "{file}#{}",
                        Pointer::root().key("Resources").key(name).as_str()
                    ),
                    line: line_of(text, &format!("{name}:")),
                    account: owner.map(str::to_owned),
                    partition: None,
                    document: Value::Null,
                    notes: vec![format!(
                        "not deployed: its condition `{c}` is false under the parameter defaults"
                    )],
                    path: None,
                    arn: None,
                    ignores: Vec::new(),
                });
                continue;
            }
        }
        let mut document = cfn.resolve(doc).unwrap_or(Value::Null);
        if let Value::String(s) = &document {
            // A document given as a JSON string.
            let at = Pointer::root()
                .key("Resources")
                .key(name)
                .key("Properties")
                .key("AssumeRolePolicyDocument");
            document = crate::json::parse(s, "the AssumeRolePolicyDocument text").map_err(|e| {
                embedded_error(
                    &at,
                    &e,
                    "give the document as a JSON or YAML object, or as a JSON string of one",
                )
            })?;
        }
        repair_principals(&mut document, owner);
        let at = Pointer::root().key("Resources").key(name);
        let ignores = inline_ignores(resource, &at)?;
        let path = resource
            .get("Properties")
            .and_then(|p| p.get("Path"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        out.push(Role {
            path,
            arn: None,
            ignores,
            name: name.clone(),
            source: format!(
                "{file}#{}",
                Pointer::root().key("Resources").key(name).as_str()
            ),
            line: line_of(text, &format!("{name}:"))
                .or_else(|| line_of(text, &format!("\"{name}\""))),
            account: owner.map(str::to_owned),
            partition: None,
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
    type Found = (String, Value, Option<String>, Pointer);
    let mut found: Vec<Found> = Vec::new();
    fn walk(module: &Value, at: &Pointer, out: &mut Vec<Found>) {
        for (i, r) in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
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
            if out.iter().any(|(a, _, _, _)| *a == address) {
                continue;
            }
            let values = r.get("values").cloned().unwrap_or(Value::Null);
            let arn = values.get("arn").and_then(Value::as_str).map(str::to_owned);
            let p = at.key("resources").index(i).key("values");
            out.push((address, values, arn, p));
        }
        for (i, child) in module
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            walk(child, &at.key("child_modules").index(i), out);
        }
    }
    if let Some(root) = value
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        let at = Pointer::root().key("planned_values").key("root_module");
        walk(root, &at, &mut found);
    }
    if let Some(root) = value
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|p| p.get("root_module"))
    {
        let at = Pointer::root()
            .key("prior_state")
            .key("values")
            .key("root_module");
        walk(root, &at, &mut found);
    }
    let mut out = Vec::new();
    for (address, values, arn, at) in found {
        let account = arn
            .as_deref()
            .and_then(|a| crate::principal::IamIdentity::parse(a).ok())
            .map(|id| id.account)
            .or_else(|| owner.map(str::to_owned));
        let (document, notes) = match values.get("assume_role_policy") {
            Some(Value::String(s)) => (
                crate::json::parse(s, &format!("the assume_role_policy of {address}")).map_err(
                    |e| {
                        embedded_error(
                            &at.key("assume_role_policy"),
                            &e,
                            "fix the policy in the Terraform source (`jsonencode` or `aws_iam_policy_document` write valid JSON) and run `terraform show -json` again",
                        )
                    },
                )?,
                Vec::new(),
            ),
            Some(v @ Value::Object(_)) => (v.clone(), Vec::new()),
            _ => (
                Value::Null,
                vec!["assume_role_policy is not known until apply".to_owned()],
            ),
        };
        let path = values
            .get("path")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                arn.as_deref()
                    .and_then(crate::knowledge::managed::path_of_arn)
            });
        out.push(Role {
            path,
            arn: arn.clone(),
            ignores: Vec::new(),
            name: address.clone(),
            source: format!("{file}#{address}"),
            line: line_of(text, &format!("\"{address}\"")),
            account,
            partition: arn.as_deref().and_then(crate::analysis::partition::of_arn),
            document,
            notes,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ account export

/// Percent-decoding of the URL-encoded documents the IAM API returns (RFC 3986). On error, the
/// byte offset of the bad escape and what is wrong.
fn url_decode(s: &str) -> Result<String, (usize, String)> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3).unwrap_or("");
            let byte = u8::from_str_radix(hex, 16)
                .ok()
                .filter(|_| hex.len() == 2 && hex.bytes().all(|h| h.is_ascii_hexdigit()));
            match byte {
                Some(x) => out.push(x),
                None => {
                    let shown: String = s.get(i..).unwrap_or("").chars().take(3).collect();
                    return Err((
                        i,
                        format!(
                            "`{shown}` is not a percent escape (`%` and two hexadecimal digits)"
                        ),
                    ));
                }
            }
            i += 3;
        } else {
            out.push(if b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| {
        (
            e.utf8_error().valid_up_to(),
            "the decoded document is not UTF-8".to_owned(),
        )
    })
}

/// An error inside a document embedded as text (a string holding JSON): the pointer of the
/// string, and inside it the pointer the parser gave.
fn embedded_error(at: &Pointer, e: &PolicyError, help: &str) -> PolicyError {
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

fn account_export(value: &Value, text: &str, file: &str) -> Result<Vec<Role>, PolicyError> {
    let list = value
        .get("RoleDetailList")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            PolicyError::new(
                member_or_root(value, "RoleDetailList"),
                "`RoleDetailList` must be a list",
            )
            .help("give the output of `aws iam get-account-authorization-details` unchanged")
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
                let p = at.key("AssumeRolePolicyDocument");
                let decoded = url_decode(s).map_err(|(offset, what)| {
                    PolicyError::new(
                        p.clone(),
                        format!("the URL-encoded document of role `{name}` is not valid: {what} at character {}", offset + 1),
                    )
                    .help("give the document as `aws iam get-account-authorization-details` returns it (percent-encoded JSON), or as a JSON object")
                })?;
                crate::json::parse(&decoded, "the decoded AssumeRolePolicyDocument").map_err(
                    |e| {
                        embedded_error(
                            &p,
                            &e,
                            "give the document as `aws iam get-account-authorization-details` returns it",
                        )
                    },
                )?
            }
            Some(v) => v.clone(),
            None => {
                return Err(PolicyError::new(
                    at,
                    format!("role `{name}` has no AssumeRolePolicyDocument"),
                )
                .help("each entry of `RoleDetailList` has its trust policy in `AssumeRolePolicyDocument`, as `aws iam get-account-authorization-details` writes it"))
            }
        };
        let path = role
            .get("Path")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| arn.and_then(crate::knowledge::managed::path_of_arn));
        out.push(Role {
            name: name.clone(),
            source: format!("{file}#{}", at.as_str()),
            line: line_of(text, &format!("\"{name}\"")),
            account,
            partition: arn.and_then(crate::analysis::partition::of_arn),
            document,
            notes: Vec::new(),
            path,
            arn: arn.map(str::to_owned),
            ignores: Vec::new(),
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

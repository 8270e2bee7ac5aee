//! CloudFormation templates: `AWS::IAM::Role` and `AWS::Serverless::Function` resources, their
//! intrinsics resolved where their value is known.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{embedded_error, member_or_root, Branch, Deployment, InlineIgnore, Role};
use crate::limits::MAX_TEMPLATE_BRANCHES;
use crate::pointer::Pointer;
use crate::policy::PolicyError;

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
/// What a template gives every resolution: its parameters, the deployment's values, its
/// conditions, the owner, and for each parameter the literals the conditions compare it with.
struct Template<'a> {
    params: &'a Map<String, Value>,
    /// Values given for the deployment, which take the place of defaults.
    overrides: &'a [(String, String)],
    /// The template's `Conditions`.
    conditions: &'a Map<String, Value>,
    /// The template's `Mappings`.
    mappings: &'a Map<String, Value>,
    owner: Option<&'a str>,
    /// `AWS::Partition`.
    partition: &'a str,
    /// For each `Ref` that a condition compares (`Fn::Equals [!Ref Env, prod]`), the values it
    /// is compared with.
    compared: BTreeMap<String, BTreeSet<String>>,
}

/// A value the template's defaults leave unknown and a condition depends on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Atom {
    /// A parameter or pseudo parameter without a known value, compared with literals.
    Var(String),
    /// Any other comparison whose value is not known (kept as its JSON text): both outcomes
    /// are taken as possible.
    Free(String),
}

/// Values assumed for atoms, along one path of [`explore`].
#[derive(Clone, Debug, Default)]
struct Assumption {
    /// A variable's value: `Some(literal)`, or `None` for "none of the literals compared".
    vars: BTreeMap<String, Option<String>>,
    free: BTreeMap<String, bool>,
}

struct Cfn<'a> {
    t: &'a Template<'a>,
    assume: &'a Assumption,
    notes: Vec<String>,
    /// Nesting of condition references being evaluated (a cycle stops at [`MAX_CONDITION_DEPTH`]).
    depth: usize,
    /// The first atom without an assumed value that left a deciding condition unknown.
    pending: Option<Atom>,
    /// Conditions (of `Fn::If` and of the resource) whose value came from an assumption.
    consulted: Vec<(String, bool)>,
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

/// The name of a `{"Ref": name}`.
fn ref_name(v: &Value) -> Option<&str> {
    v.as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get("Ref"))
        .and_then(Value::as_str)
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
            return self.free(&format!("{{\"Condition\":{name:?}}}"));
        }
        let Some(expr) = self.t.conditions.get(name) else {
            // CloudFormation refuses a template that names a condition it does not declare.
            return self.free(&format!("{{\"Condition\":{name:?}}}"));
        };
        self.depth += 1;
        let r = self.truth(expr);
        self.depth -= 1;
        r
    }

    /// The value of a condition that decides a resource or an `Fn::If`, recorded in
    /// [`Cfn::consulted`] when it came from an assumption. An atom found while evaluating a
    /// condition that turns out decided does not count as pending.
    fn deciding(&mut self, name: &str) -> Option<bool> {
        let before = self.pending.clone();
        let r = self.condition(name);
        match r {
            Some(b) => {
                self.pending = before;
                if !self.assume.vars.is_empty() || !self.assume.free.is_empty() {
                    let alone = Cfn {
                        t: self.t,
                        assume: &Assumption::default(),
                        notes: Vec::new(),
                        depth: 0,
                        pending: None,
                        consulted: Vec::new(),
                    }
                    .condition(name);
                    if alone.is_none() && !self.consulted.iter().any(|(n, _)| n == name) {
                        self.consulted.push((name.to_owned(), b));
                    }
                }
            }
            None => {
                if self.pending.is_none() {
                    self.pending = Some(Atom::Free(format!("{{\"Condition\":{name:?}}}")));
                }
            }
        }
        r
    }

    /// The assumed value of a comparison trustsim cannot decide, or `None` (and the atom
    /// pending).
    fn free(&mut self, key: &str) -> Option<bool> {
        if let Some(b) = self.assume.free.get(key) {
            return Some(*b);
        }
        if self.pending.is_none() {
            self.pending = Some(Atom::Free(key.to_owned()));
        }
        None
    }

    fn truth(&mut self, v: &Value) -> Option<bool> {
        let text = v.to_string();
        let Some((k, a)) = v
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            return self.free(&text);
        };
        match k.as_str() {
            "Condition" => match a.as_str() {
                Some(name) => self.condition(name),
                None => self.free(&text),
            },
            "Fn::Equals" => {
                let (Some(l), Some(r)) = (a.get(0), a.get(1)) else {
                    return self.free(&text);
                };
                let x = self.known(l);
                let y = self.known(r);
                match (x, y) {
                    (Some(x), Some(y)) => Some(x == y),
                    (x @ (None | Some(Value::String(_))), y @ (None | Some(Value::String(_)))) => {
                        let var = match (x, y) {
                            (None, Some(_)) => ref_name(l),
                            (Some(_), None) => ref_name(r),
                            _ => None,
                        };
                        match var.map(|n| (n, self.assume.vars.get(n))) {
                            // A variable that is none of the literals it is compared with.
                            Some((_, Some(None))) => Some(false),
                            Some((n, None)) if self.t.compared.contains_key(n) => {
                                if self.pending.is_none() {
                                    self.pending = Some(Atom::Var(n.to_owned()));
                                }
                                None
                            }
                            _ => self.free(&text),
                        }
                    }
                    _ => self.free(&text),
                }
            }
            "Fn::Not" => match a.get(0) {
                Some(x) => self.truth(x).map(|b| !b),
                None => self.free(&text),
            },
            "Fn::And" | "Fn::Or" => {
                let and = k == "Fn::And";
                let Some(items) = a.as_array() else {
                    return self.free(&text);
                };
                let mut unknown = false;
                for x in items {
                    match self.truth(x) {
                        Some(b) if b != and => return Some(b),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(and)
            }
            _ => self.free(&text),
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
        let p = self.t.params.get(name)?;
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
        if !self.t.params.contains_key(name) {
            return None;
        }
        self.t
            .overrides
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn reference(&mut self, name: &str) -> Option<String> {
        // An SSM parameter type: the default (or the value given) is the name of a Systems
        // Manager parameter, whose value CloudFormation reads at deploy time (AWS
        // CloudFormation User Guide, "CloudFormation Parameters syntax", "Supported SSM
        // parameter types"): the value is the owner's, never the path.
        if self
            .t
            .params
            .get(name)
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            .is_some_and(|ty| ty.starts_with("AWS::SSM::Parameter::Value<"))
        {
            self.note(&format!(
                "parameter `{name}` is read from SSM Parameter Store at deploy time"
            ));
            return None;
        }
        if let Some(v) = self.given(name) {
            return Some(v.to_owned());
        }
        if let Some(Some(v)) = self.assume.vars.get(name) {
            return Some(v.clone());
        }
        match name {
            "AWS::AccountId" => match self.t.owner {
                Some(a) => Some(a.to_owned()),
                None => {
                    self.note("AWS::AccountId is unknown: give --account");
                    None
                }
            },
            // AWS CloudFormation User Guide, "Pseudo parameters reference": `AWS::Partition` is
            // the partition of the stack's Region, and `AWS::URLSuffix` is `amazonaws.com`,
            // `amazonaws.com.cn` in the China Regions.
            "AWS::Partition" => Some(self.t.partition.to_owned()),
            "AWS::URLSuffix" => match self.t.partition {
                "aws-cn" => Some("amazonaws.com.cn".to_owned()),
                p if p == "aws" || p == "aws-us-gov" => Some("amazonaws.com".to_owned()),
                p => {
                    self.note(&format!("`AWS::URLSuffix` in partition {p}"));
                    None
                }
            },
            // The stack's Region: some Region the owner deploys in. In a service principal
            // (`states.${AWS::Region}.amazonaws.com`) it stands as [`STACK_REGION`].
            // In a condition it is a value the conditions compare, like a parameter without
            // default.
            "AWS::Region" if self.depth > 0 => None,
            "AWS::Region" => Some(STACK_REGION.to_owned()),
            // The stack's own values: known to the owner, not to trustsim.
            p @ ("AWS::StackName" | "AWS::StackId" | "AWS::NotificationARNs") => {
                self.note(&format!("pseudo parameter `{p}`"));
                None
            }
            p => match self.t.params.get(p).and_then(|d| d.get("Default")) {
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
                    if self.t.params.contains_key(p) {
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
                    "Fn::FindInMap" => Some(self.find_in_map(arg)),
                    "Fn::If" => {
                        let cond = arg.get(0).and_then(Value::as_str).unwrap_or("?").to_owned();
                        // Undecided: [`explore`] takes each value in turn; until then the
                        // first branch stands in.
                        let branch = if self.deciding(&cond) == Some(false) {
                            2
                        } else {
                            1
                        };
                        arg.get(branch).and_then(|b| self.resolve(b))
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

    /// `Fn::FindInMap [MapName, TopLevelKey, SecondLevelKey]` (AWS CloudFormation User Guide,
    /// "Fn::FindInMap": the value of the two keys in the template's `Mappings`; with the
    /// `AWS::LanguageExtensions` transform, a fourth `{DefaultValue: ...}` for missing keys). A
    /// key the deployment does not fix (`AWS::Region`, a parameter without default) can be any
    /// key of the map: each in turn is a possible deployment, explored as an undecided condition
    /// is, unless every one gives the same value.
    fn find_in_map(&mut self, arg: &Value) -> Value {
        let default = arg
            .get(3)
            .and_then(|d| d.get("DefaultValue"))
            .and_then(|d| self.resolve(d));
        let map_name = arg.get(0).and_then(|m| self.known(m));
        let Some(map) = map_name
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|n| self.t.mappings.get(n))
            .and_then(Value::as_object)
        else {
            self.note("`Fn::FindInMap` of a map the template does not declare");
            return Value::String(placeholder("Fn::FindInMap"));
        };
        let map_name = map_name
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut level = map;
        let mut found: Option<&Value> = None;
        for at in [1, 2] {
            let key_expr = arg.get(at).cloned().unwrap_or(Value::Null);
            let key = self
                .known(&key_expr)
                .and_then(|k| k.as_str().map(str::to_owned))
                .filter(|k| k != STACK_REGION);
            let chosen = match key {
                Some(k) => level.get(&k),
                None => {
                    // A parameter's `AllowedValues` bound the keys it can read.
                    let allowed: Option<Vec<String>> = key_expr
                        .get("Ref")
                        .and_then(Value::as_str)
                        .and_then(|p| self.t.params.get(p))
                        .and_then(|p| p.get("AllowedValues"))
                        .and_then(Value::as_array)
                        .map(|l| l.iter().map(text_of).collect());
                    let candidates: Vec<(&String, &Value)> = level
                        .iter()
                        .filter(|(k, _)| allowed.as_ref().is_none_or(|a| a.contains(k)))
                        .collect();
                    let value_of = |v: &Value| -> Option<Value> {
                        match at {
                            1 => arg
                                .get(2)
                                .and_then(|k2| k2.as_str())
                                .and_then(|k2| v.get(k2))
                                .cloned(),
                            _ => Some(v.clone()),
                        }
                    };
                    let first = candidates.first().and_then(|(_, v)| value_of(v));
                    let same =
                        first.is_some() && candidates.iter().all(|(_, v)| value_of(v) == first);
                    if same {
                        candidates.first().map(|(_, v)| *v)
                    } else {
                        let shown = match key_expr.get("Ref").and_then(Value::as_str) {
                            Some(name) => format!("${{{name}}}"),
                            None => serde_json::to_string(&key_expr).unwrap_or_default(),
                        };
                        let mut pick = None;
                        let n = candidates.len();
                        for (i, (k, v)) in candidates.iter().enumerate() {
                            let atom = format!("Fn::FindInMap {map_name}: key {shown} is {k}");
                            let take = if i + 1 == n {
                                true
                            } else {
                                match self.free(&atom) {
                                    Some(b) => b,
                                    // Pending: [`explore`] takes each outcome in turn.
                                    None => return Value::String(placeholder("Fn::FindInMap")),
                                }
                            };
                            if take {
                                let label = format!(
                                    "{}{shown} is {k} (the key of {map_name} read)",
                                    crate::analysis::branches::CHOICE
                                );
                                if !self.consulted.iter().any(|(c, _)| *c == label) {
                                    self.consulted.push((label, true));
                                }
                                pick = Some(*v);
                                break;
                            }
                        }
                        pick
                    }
                }
            };
            match (at, chosen) {
                (1, Some(Value::Object(next))) => level = next,
                (2, Some(v)) => found = Some(v),
                _ => break,
            }
        }
        match (found, default) {
            (Some(v), _) => self.resolve(v).unwrap_or(Value::Null),
            (None, Some(d)) => d,
            (None, None) => {
                // CloudFormation refuses the stack: no role is deployed with this value.
                self.note(&format!(
                    "`Fn::FindInMap` of {map_name} with keys it does not have (CloudFormation would refuse the stack)"
                ));
                Value::String(placeholder("Fn::FindInMap"))
            }
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

/// The stand-in for the stack's Region (`AWS::Region`), which the owner chooses: a service
/// principal `states.stack-region.amazonaws.com` is the regional name of Step Functions (the
/// knowledge tables read `SERVICE.REGION.amazonaws.com` as `SERVICE.amazonaws.com`), and an ARN
/// in it is one of the owner's. Said `${AWS::Region}` in words ([`in_words`]).
pub const STACK_REGION: &str = "stack-region";

/// The stand-in for a service principal that did not resolve.
pub const UNRESOLVED_SERVICE: &str = "unresolved-service.amazonaws.com";
/// The host of the stand-in for an identity provider that did not resolve.
pub const UNRESOLVED_PROVIDER_HOST: &str = "unresolved.example.com";

/// Text for the user with the stand-ins of unresolved principals said in words, so that no
/// internal placeholder reaches an explanation or a residual.
pub fn in_words(text: &str) -> String {
    let mut out = text
        .replace(&format!(".{STACK_REGION}."), ".${AWS::Region}.")
        .replace(&format!(":{STACK_REGION}:"), ":${AWS::Region}:");
    out = out.replace(
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

/// A value of an ARN condition operator (`ArnLike aws:PrincipalArn`, `ArnEquals aws:SourceArn`,
/// with or without `IfExists`) that did not resolve (`!GetAtt Role.Arn`, a parameter without
/// default, `Fn::ImportValue`) becomes an ARN of a role in the owner's account named after the
/// reference: an ARN the owner controls and the attacker cannot produce, so the policy is
/// analysed instead of refused.
fn repair_arn_conditions(doc: &mut Value, owner: Option<&str>) {
    let account = owner.unwrap_or("000000000000");
    let statements = statements_mut(doc);
    for s in statements {
        let Some(Value::Object(conditions)) = s.get_mut("Condition") else {
            continue;
        };
        for (op, block) in conditions.iter_mut() {
            let base = op.rsplit(':').next().unwrap_or(op);
            if !base.starts_with("Arn") {
                continue;
            }
            let Value::Object(keys) = block else {
                continue;
            };
            for v in keys.values_mut() {
                let fix = |x: &mut Value| {
                    if let Value::String(text) = x {
                        if text.contains("<unresolved") {
                            *text = format!("arn:aws:iam::{account}:role/{}", stand_in_name(text));
                        }
                    }
                };
                match v {
                    Value::Array(items) => items.iter_mut().for_each(fix),
                    other => fix(other),
                }
            }
        }
    }
}

/// The statements of a document, a single statement object as a list of one.
fn statements_mut(doc: &mut Value) -> Vec<&mut Value> {
    match doc.get_mut("Statement") {
        Some(Value::Array(list)) => list.iter_mut().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A role name made of an unresolved reference's text (`unresolved-Fn--GetAtt`).
fn stand_in_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_owned()
}

/// Principals that did not resolve become a role of the owner's account named after the
/// reference, so the document stays a valid trust policy.
pub(super) fn repair_principals(doc: &mut Value, owner: Option<&str>) {
    repair_arn_conditions(doc, owner);
    let account = owner.unwrap_or("000000000000");
    let statements = statements_mut(doc);
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
                        *text = format!("arn:aws:iam::{account}:role/{}", stand_in_name(text));
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

/// For each `Ref` that a condition compares with a value (`Fn::Equals [!Ref Env, prod]`, either
/// side), the values; and `AllowedValues`, when the parameter declares them, in their place.
fn compared_values(conditions: &Map<String, Value>) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(v: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(pair)) = m.get("Fn::Equals") {
                    if let (Some(l), Some(r)) = (pair.first(), pair.get(1)) {
                        for (x, y) in [(l, r), (r, l)] {
                            if let (Some(name), Some(lit)) = (ref_name(x), literal(y)) {
                                out.entry(name.to_owned()).or_default().insert(lit);
                            }
                        }
                    }
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    fn literal(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    let mut out = BTreeMap::new();
    conditions.values().for_each(|c| walk(c, &mut out));
    out
}

/// The values a variable takes in [`explore`]: the parameter's `AllowedValues` when it declares
/// them (CloudFormation refuses any other value), else each value it is compared with and
/// "none of them" (`None`).
fn domain(t: &Template, var: &str) -> Vec<Option<String>> {
    let allowed = t
        .params
        .get(var)
        .and_then(|p| p.get("AllowedValues"))
        .and_then(Value::as_array);
    if let Some(list) = allowed.filter(|l| !l.is_empty()) {
        return list.iter().map(|v| Some(text_of(v))).collect();
    }
    let mut out: Vec<Option<String>> = t
        .compared
        .get(var)
        .into_iter()
        .flatten()
        .cloned()
        .map(Some)
        .collect();
    out.push(None);
    out
}

/// One end of [`explore`]: the resource's condition value and its resolved policy (when
/// deployed) under one assumption.
struct Leaf {
    when: Vec<(String, bool)>,
    deployed: bool,
    document: Value,
    notes: Vec<String>,
}

/// Resolves a role under every assumption that decides the conditions it depends on: a
/// depth-first walk that, where a condition's value is unknown, takes each value of the first
/// atom it depends on in turn. Returns false when it stopped at
/// [`MAX_TEMPLATE_BRANCHES`] ends.
fn explore(
    t: &Template,
    resource: &Value,
    doc: &Value,
    sam_role: Option<&Value>,
    assume: &Assumption,
    out: &mut Vec<Leaf>,
) -> bool {
    if out.len() >= MAX_TEMPLATE_BRANCHES {
        return false;
    }
    let mut cfn = Cfn {
        t,
        assume,
        notes: Vec::new(),
        depth: 0,
        pending: None,
        consulted: Vec::new(),
    };
    let condition = resource.get("Condition").and_then(Value::as_str);
    let mut deployed = match condition {
        Some(c) => cfn.deciding(c),
        None => Some(true),
    };
    // A SAM function's own role exists where its `Role` property is `AWS::NoValue`.
    if let (Some(true), Some(role)) = (deployed, sam_role) {
        if cfn.resolve(role).is_some() {
            deployed = Some(false);
        }
    }
    let document = if deployed == Some(true) {
        cfn.resolve(doc).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    match cfn.pending.take() {
        Some(Atom::Var(v)) => {
            for value in domain(t, &v) {
                let mut next = assume.clone();
                next.vars.insert(v.clone(), value);
                if !explore(t, resource, doc, sam_role, &next, out) {
                    return false;
                }
            }
            true
        }
        Some(Atom::Free(key)) => {
            for b in [true, false] {
                let mut next = assume.clone();
                next.free.insert(key.clone(), b);
                if !explore(t, resource, doc, sam_role, &next, out) {
                    return false;
                }
            }
            true
        }
        None => {
            out.push(Leaf {
                when: cfn.consulted,
                deployed: deployed == Some(true),
                document,
                notes: cfn.notes,
            });
            true
        }
    }
}

pub(super) fn cloudformation(
    value: &Value,
    text: &str,
    file: &str,
    deployment: &Deployment,
) -> Result<Vec<Role>, PolicyError> {
    let owner = deployment.owner.as_deref();
    let overrides = deployment.parameters.as_slice();
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
    let mappings = value
        .get("Mappings")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let template = Template {
        params,
        overrides,
        conditions,
        mappings,
        owner,
        partition: deployment.partition.as_deref().unwrap_or("aws"),
        compared: compared_values(conditions),
    };
    let mut out = Vec::new();
    let lines = super::lines::resource_lines(text);
    let shared = std::sync::Arc::new(value.clone());
    let sam_default = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    });
    for (name, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        if kind != "AWS::IAM::Role" && kind != "AWS::Serverless::Function" {
            continue;
        }
        let props = resource.get("Properties");
        let sam = kind == "AWS::Serverless::Function";
        // A SAM function without `Role` gets an execution role that AWS SAM creates, trusting
        // Lambda unless `AssumeRolePolicyDocument` says otherwise (AWS Serverless Application
        // Model Developer Guide, "AWS::Serverless::Function": properties `Role` and
        // `AssumeRolePolicyDocument`); with `Role` the role is elsewhere, and where `Role` is
        // `Fn::If` with `AWS::NoValue` on one side, SAM creates it on that side.
        let sam_role = props.and_then(|p| p.get("Role")).filter(|_| sam);
        let doc = match props.and_then(|p| p.get("AssumeRolePolicyDocument")) {
            Some(d) => d,
            None if sam => &sam_default,
            None => continue,
        };
        let at = Pointer::root().key("Resources").key(name);
        let source = format!("{file}#{}", at.as_str());
        let line = lines.get(name).copied();
        let mut leaves = Vec::new();
        let complete = explore(
            &template,
            resource,
            doc,
            sam_role,
            &Assumption::default(),
            &mut leaves,
        );
        if sam_role.is_some() && leaves.iter().all(|l| !l.deployed) {
            continue;
        }
        let mut branches: Vec<Branch> = Vec::new();
        let mut not_deployed: Vec<String> = Vec::new();
        for leaf in leaves {
            if !leaf.deployed {
                let label = Branch {
                    when: leaf.when,
                    ..Branch::default()
                }
                .label();
                not_deployed.push(label);
                continue;
            }
            let mut document = leaf.document;
            if let Value::String(s) = &document {
                // A document given as a JSON string.
                let at = at.key("Properties").key("AssumeRolePolicyDocument");
                document =
                    crate::json::parse(s, "the AssumeRolePolicyDocument text").map_err(|e| {
                        embedded_error(
                        &at,
                        &e,
                        "give the document as a JSON or YAML object, or as a JSON string of one",
                    )
                    })?;
            }
            repair_principals(&mut document, owner);
            // Combinations that give the same policy are one branch (the first one's values).
            if !branches.iter().any(|b| b.document == document) {
                branches.push(Branch {
                    when: leaf.when,
                    document,
                    notes: leaf.notes,
                });
            }
        }
        let Some(first) = branches.first() else {
            let c = resource
                .get("Condition")
                .and_then(Value::as_str)
                .unwrap_or("");
            out.push(Role {
                name: name.clone(),
                source,
                line,
                account: owner.map(str::to_owned),
                document: Value::Null,
                notes: vec![format!(
                    "not deployed: its condition `{c}` is false under the parameter values"
                )],
                ..Role::default()
            });
            continue;
        };
        let mut notes: Vec<String> = Vec::new();
        for b in &branches {
            for n in &b.notes {
                if !notes.contains(n) {
                    notes.push(n.clone());
                }
            }
        }
        if branches.len() > 1 {
            notes.push(format!(
                "the parameter values do not decide the template's conditions or the keys it reads in its mappings: {} deployable policies analysed, the worst reported",
                branches.len()
            ));
        }
        if !not_deployed.is_empty() {
            notes.push(format!(
                "not deployed {} (the parameter values do not decide it)",
                not_deployed.join(", or ")
            ));
        }
        if !complete {
            notes.push(format!("the template's conditions allow more than {MAX_TEMPLATE_BRANCHES} combinations: the first {MAX_TEMPLATE_BRANCHES} were analysed, so no verdict over them is a proof"));
        }
        if sam {
            notes.push(format!(
                "the execution role AWS SAM creates for the function ({name}Role){}",
                if props
                    .and_then(|p| p.get("AssumeRolePolicyDocument"))
                    .is_some()
                {
                    ", with the function's AssumeRolePolicyDocument"
                } else {
                    ", with SAM's default trust policy (lambda.amazonaws.com)"
                }
            ));
        }
        let ignores = inline_ignores(resource, &at)?;
        let path = resource
            .get("Properties")
            .and_then(|p| p.get("Path"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let document = first.document.clone();
        let single = branches.len() == 1 && first.when.is_empty() && complete;
        out.push(Role {
            path,
            ignores,
            name: name.clone(),
            source,
            line,
            account: owner.map(str::to_owned),
            document,
            notes,
            branches: if single { Vec::new() } else { branches },
            branches_truncated: !complete,
            template: Some(shared.clone()),
            template_yaml: !text.trim_start().starts_with('{'),
            ..Role::default()
        });
    }
    Ok(out)
}

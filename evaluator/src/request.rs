//! Simulated AssumeRole requests: the caller, the action, the role and the request context.
//!
//! JSON form (`shared` contract): `{"action": "sts:AssumeRole", "principal": {"AWS": "..."},
//! "role": "arn:aws:iam::111122223333:role/x", "context": {"aws:SourceAccount": "..."}}`.
//!
//! Keys AWS derives from the caller are filled in unless the context gives them (a value, or
//! `null` to mark them absent). AWS: IAM User Guide, "AWS global condition context keys":
//! `aws:PrincipalArn` (for a role session, the role's ARN), `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`, `aws:userid`
//! (for an account root, the account ID) and `aws:username` (IAM users only). What does not
//! follow from the ARN (a role's unique ID, tags, organization) is left to the context.
//!
//! Session tags and source identity need their own permission in the trust policy: a request
//! that passes session tags (`aws:RequestTag/*`, `aws:TagKeys`, `sts:TransitiveTagKeys`) must
//! also be allowed `sts:TagSession`, and one that sets `sts:SourceIdentity` must also be allowed
//! `sts:SetSourceIdentity` (IAM User Guide, "Passing session tags in AWS STS", section
//! "Permissions required to add session tags", and "Monitor and control actions taken with
//! assumed roles", section "Permissions required to set source identity"). trustsim evaluates
//! each of these actions and allows the request only if every one is allowed.

use serde_json::{Map, Value};
use trustsim_conditions::ContextMap;

use crate::json::json_kind;
use crate::limits::{thousands, MAX_CONTEXT_KEYS, MAX_CONTEXT_VALUES, MAX_CONTEXT_VALUE_CHARS};
use crate::pointer::Pointer;
use crate::policy::PolicyError;

use crate::principal::{is_account_id, is_federated_name, IamIdentity, IamKind};

/// A problem in a request document (same shape as a policy error: a pointer and a message).
pub type RequestError = PolicyError;

/// The caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// An IAM identity (account root, user, role session, federated user).
    Aws(IamIdentity),
    /// An AWS service principal, e.g. `events.amazonaws.com`.
    Service(String),
    /// An identity provider: a named web identity provider or a provider ARN.
    Federated(String),
}

impl Principal {
    /// Reads a principal given as a bare string, inferring its kind (contract: an IAM/STS ARN or
    /// 12-digit account is `AWS`; a name ending in `.amazonaws.com` or `.amazon.com` is
    /// `Service`, except the web identity providers and provider ARNs, which are `Federated`).
    pub fn infer(text: &str) -> Result<Self, String> {
        if is_federated_name(text) {
            return Ok(Principal::Federated(text.to_owned()));
        }
        if is_account_id(text) || text.starts_with("arn:") {
            return IamIdentity::parse(text).map(Principal::Aws);
        }
        if text.ends_with(".amazonaws.com") || text.ends_with(".amazon.com") {
            return Ok(Principal::Service(text.to_owned()));
        }
        Err(format!(
            "cannot tell what kind of principal `{text}` is; write {{\"AWS\": ...}}, {{\"Service\": ...}} or {{\"Federated\": ...}}"
        ))
    }

    /// As the contract writes it: `{"AWS": "..."}`, `{"Service": "..."}` or `{"Federated": "..."}`.
    pub fn to_json(&self) -> Value {
        match self {
            Principal::Aws(id) => serde_json::json!({"AWS": id.to_string()}),
            Principal::Service(s) => serde_json::json!({"Service": s}),
            Principal::Federated(s) => serde_json::json!({"Federated": s}),
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::Aws(id) => write!(f, "{id}"),
            Principal::Service(s) | Principal::Federated(s) => f.write_str(s),
        }
    }
}

/// The STS actions a request may name.
pub const ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

/// Serialized in the contract's request format ([`Request::to_json`]).
impl serde::Serialize for Request {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&self.to_json(), s)
    }
}

/// A simulated request against a role's trust policy.
#[derive(Clone, Debug)]
pub struct Request {
    action: String,
    action_lower: String,
    principal: Principal,
    role: Option<IamIdentity>,
    context: ContextMap,
    /// Lower-cased actions that must also be allowed (session tags, source identity).
    implied: Vec<(String, String)>,
    /// Folded names of the keys derived from the caller (not given by the request).
    derived: Vec<String>,
    /// Keys the request marked absent, as given.
    absent: Vec<String>,
}

impl Request {
    /// Starts a request from a caller, for `sts:AssumeRole`.
    pub fn builder(principal: Principal) -> RequestBuilder {
        RequestBuilder {
            action: "sts:AssumeRole".to_owned(),
            principal,
            role: None,
            context: ContextMap::new(),
            absent: Vec::new(),
        }
    }

    /// Reads a request from JSON text.
    pub fn from_json(text: &str) -> Result<Self, RequestError> {
        let value = crate::json::parse(text, "the request")?;
        Self::from_value(&value)
    }

    /// Reads a request from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, RequestError> {
        let root = Pointer::root();
        let obj = value.as_object().ok_or_else(|| {
            PolicyError::new(
                root.clone(),
                format!("a request must be a JSON object, not {}", json_kind(value)),
            )
            .help("write {\"principal\": {...}, \"action\": ..., \"context\": {...}}")
        })?;
        let mut action = "sts:AssumeRole".to_owned();
        let mut principal = None;
        let mut role = None;
        let mut context: Option<&Map<String, Value>> = None;
        for (k, v) in obj {
            let at = root.key(k);
            match k.as_str() {
                "action" => {
                    let s = v.as_str().ok_or_else(|| {
                        PolicyError::new(
                            at.clone(),
                            format!("`action` must be a string, not {}", json_kind(v)),
                        )
                        .help("e.g. \"action\": \"sts:AssumeRoleWithWebIdentity\"")
                    })?;
                    action = s.to_owned();
                }
                "principal" => principal = Some(principal_of(v, &at)?),
                "role" => match v {
                    Value::Null => {}
                    Value::String(s) => role = Some(s.clone()),
                    other => {
                        return Err(PolicyError::new(
                            at,
                            format!("`role` must be a role ARN string, not {}", json_kind(other)),
                        )
                        .help("e.g. \"role\": \"arn:aws:iam::111122223333:role/target\""))
                    }
                },
                "context" => {
                    context = Some(v.as_object().ok_or_else(|| {
                        PolicyError::new(
                            at.clone(),
                            format!(
                                "`context` must be an object of key: value, not {}",
                                json_kind(v)
                            ),
                        )
                        .help("e.g. \"context\": {\"aws:SourceAccount\": \"111122223333\"}")
                    })?)
                }
                other => {
                    return Err(
                        PolicyError::new(at, format!("unknown request field `{other}`"))
                            .help("a request has `action`, `principal`, `role` and `context`"),
                    )
                }
            }
        }
        let principal = principal.ok_or_else(|| {
            PolicyError::new(root.clone(), "the request has no `principal`")
                .help("add e.g. \"principal\": {\"Service\": \"events.amazonaws.com\"}")
        })?;
        let mut b = Request::builder(principal).action(&action);
        if let Some(r) = role {
            b = b.role(&r);
        }
        if let Some(ctx) = context {
            let at = root.key("context");
            if ctx.len() > MAX_CONTEXT_KEYS {
                return Err(PolicyError::new(
                    at,
                    format!(
                        "the context has {} keys, more than trustsim reads (at most {})",
                        thousands(ctx.len()),
                        thousands(MAX_CONTEXT_KEYS)
                    ),
                )
                .help("give only the keys the policy's conditions read"));
            }
            for (k, v) in ctx {
                let p = at.key(k);
                if let Value::Array(items) = v {
                    if items.len() > MAX_CONTEXT_VALUES {
                        return Err(PolicyError::new(
                            p,
                            format!(
                                "{} values is more than trustsim reads for one key (at most {})",
                                thousands(items.len()),
                                thousands(MAX_CONTEXT_VALUES)
                            ),
                        )
                        .help("AWS sends at most 50 session tags; give the values the conditions compare"));
                    }
                }
                let text = |x: &Value, p: &Pointer| -> Result<String, RequestError> {
                    if let Value::String(s) = x {
                        let n = s.chars().count();
                        if n > MAX_CONTEXT_VALUE_CHARS {
                            return Err(PolicyError::new(
                                p.clone(),
                                format!(
                                    "the value is {} characters long, more than trustsim reads (at most {})",
                                    thousands(n),
                                    thousands(MAX_CONTEXT_VALUE_CHARS)
                                ),
                            )
                            .help("give the value as AWS would send it; no STS request carries a value this long"));
                        }
                    }
                    match x {
                        Value::String(s) => Ok(s.clone()),
                        Value::Bool(b) => Ok(b.to_string()),
                        Value::Number(n) => Ok(n.to_string()),
                        other => Err(PolicyError::new(p.clone(), format!("a context value must be a string, number, boolean, list of those, or null, not {}", json_kind(other)))
                            .help("write a multivalued key as a list of strings, e.g. \"aws:TagKeys\": [\"team\", \"env\"]")),
                    }
                };
                b = match v {
                    Value::Null => b.absent(k),
                    Value::Array(items) => {
                        let vals = items
                            .iter()
                            .enumerate()
                            .map(|(i, x)| text(x, &p.index(i)))
                            .collect::<Result<Vec<_>, _>>()?;
                        b.context_many(k, vals)
                    }
                    other => b.context(k, text(other, &p)?),
                };
            }
        }
        b.build()
    }

    /// The action, as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action, lower-cased (action names compare case-insensitively).
    pub fn action_lower(&self) -> &str {
        &self.action_lower
    }

    /// Every action the request needs allowed: the action itself, then `sts:TagSession` /
    /// `sts:SetSourceIdentity` when the request passes session tags / a source identity.
    pub fn actions(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.action.as_str(), self.action_lower.as_str()))
            .chain(self.implied.iter().map(|(a, l)| (a.as_str(), l.as_str())))
    }

    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The role being assumed, when known.
    pub fn role(&self) -> Option<&IamIdentity> {
        self.role.as_ref()
    }

    /// The request context, derived keys included.
    pub fn context(&self) -> &ContextMap {
        &self.context
    }

    /// The request in the contract's JSON form. Keys derived from the caller are left out
    /// (reading the JSON derives them again); keys the request set absent are `null`.
    pub fn to_json(&self) -> Value {
        let mut ctx = Map::new();
        for (k, vals, multi) in self.context.iter() {
            if self.derived.contains(&trustsim_conditions::key::fold(k)) {
                continue;
            }
            ctx.insert(
                k.to_owned(),
                if multi {
                    Value::Array(vals.iter().cloned().map(Value::String).collect())
                } else {
                    vals.first().cloned().map_or(Value::Null, Value::String)
                },
            );
        }
        for k in &self.absent {
            let folded = trustsim_conditions::key::fold(k);
            let derivable = crate::facts::DERIVED_KEYS.contains(&folded.as_str());
            if derivable && !self.context.contains(k) {
                ctx.insert(k.clone(), Value::Null);
            }
        }
        let mut out = Map::new();
        out.insert("action".to_owned(), Value::String(self.action.clone()));
        out.insert("principal".to_owned(), self.principal.to_json());
        if let Some(r) = &self.role {
            out.insert("role".to_owned(), Value::String(r.arn()));
        }
        out.insert("context".to_owned(), Value::Object(ctx));
        Value::Object(out)
    }
}

fn principal_of(v: &Value, at: &Pointer) -> Result<Principal, RequestError> {
    match v {
        Value::String(s) => Principal::infer(s).map_err(|e| {
            PolicyError::new(at.clone(), e)
                .help("name the kind: {\"AWS\": \"arn:aws:iam::111122223333:role/ci\"}, {\"Service\": \"events.amazonaws.com\"} or {\"Federated\": \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"}")
        }),
        Value::Object(map) if map.len() == 1 => {
            let Some((k, v)) = map.iter().next() else {
                return Err(PolicyError::new(at.clone(), "`principal` is empty"));
            };
            let p = at.key(k);
            let s = v
                .as_str()
                .ok_or_else(|| {
                    PolicyError::new(p.clone(), "the principal must be one string")
                        .help("a request has one caller, e.g. {\"AWS\": \"arn:aws:iam::111122223333:role/ci\"}")
                })?;
            match k.as_str() {
                "AWS" => IamIdentity::parse(s).map(Principal::Aws).map_err(|e| {
                    PolicyError::new(p, format!("`{s}` is not an AWS principal: {e}"))
                        .help("give a 12-digit account ID or an IAM or STS ARN such as arn:aws:sts::111122223333:assumed-role/ci/session")
                }),
                "Service"
                    if crate::principal::is_service_name(s)
                        || (s.contains('.') && !s.contains('*')) =>
                {
                    Ok(Principal::Service(s.to_owned()))
                }
                "Service" => Err(PolicyError::new(
                    p,
                    format!("`{s}` is not a service principal"),
                )
                .help("a service principal is a DNS-style name such as \"events.amazonaws.com\"")),
                "Federated" if !s.is_empty() && !s.contains('*') => {
                    Ok(Principal::Federated(s.to_owned()))
                }
                "Federated" => Err(PolicyError::new(
                    p,
                    format!("`{s}` is not a federated principal"),
                )
                .help("give the identity provider without wildcards, e.g. \"cognito-identity.amazonaws.com\" or an oidc-provider ARN")),
                other => Err(
                    PolicyError::new(p, format!("unknown principal kind `{other}`"))
                        .help("use `AWS`, `Service` or `Federated`"),
                ),
            }
        }
        Value::Object(map) => Err(PolicyError::new(
            at.clone(),
            format!(
                "`principal` must have exactly one of `AWS`, `Service`, `Federated`, not {}",
                map.len()
            ),
        )
        .help("a request has one caller: evaluate each caller in its own request")),
        other => Err(PolicyError::new(
            at.clone(),
            format!(
                "`principal` must be a string or an object such as {{\"AWS\": \"...\"}}, not {}",
                json_kind(other)
            ),
        )
        .help("e.g. \"principal\": {\"Service\": \"events.amazonaws.com\"}")),
    }
}

/// Builds a [`Request`] for library users.
#[derive(Clone, Debug)]
pub struct RequestBuilder {
    action: String,
    principal: Principal,
    role: Option<String>,
    context: ContextMap,
    absent: Vec<String>,
}

impl RequestBuilder {
    /// The action (default `sts:AssumeRole`).
    pub fn action(mut self, action: &str) -> Self {
        action.clone_into(&mut self.action);
        self
    }

    /// The role's ARN (gives the owner account).
    pub fn role(mut self, arn: &str) -> Self {
        self.role = Some(arn.to_owned());
        self
    }

    /// A single-valued context key.
    pub fn context(mut self, key: &str, value: impl Into<String>) -> Self {
        self.context.insert(key, value);
        self
    }

    /// A multivalued context key.
    pub fn context_many<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.context.insert_many(key, values);
        self
    }

    /// Marks a key absent, even one AWS would derive from the caller.
    pub fn absent(mut self, key: &str) -> Self {
        self.context.remove(key);
        self.absent.push(key.to_owned());
        self
    }

    /// Checks the action and role, derives keys, and builds the request.
    pub fn build(self) -> Result<Request, RequestError> {
        let lower = self.action.to_ascii_lowercase();
        if !ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(&lower)) {
            return Err(PolicyError::new(
                Pointer::root().key("action"),
                format!("`{}` is not an action a trust policy decides", self.action),
            )
            .help(format!("use one of {}", ACTIONS.join(", "))));
        }
        let role = match &self.role {
            None => None,
            Some(r) => match IamIdentity::parse(r) {
                Ok(id) if matches!(id.kind, IamKind::Role { .. }) => Some(id),
                _ => {
                    return Err(PolicyError::new(
                        Pointer::root().key("role"),
                        format!("`{r}` is not a role ARN"),
                    )
                    .help("write arn:aws:iam::ACCOUNT:role/NAME"))
                }
            },
        };
        let mut context = self.context;
        let mut derived = Vec::new();
        let mut derive = |key: &str, value: String| {
            let folded = trustsim_conditions::key::fold(key);
            if !context.contains(key)
                && !self
                    .absent
                    .iter()
                    .any(|a| trustsim_conditions::key::fold(a) == folded)
            {
                context.insert(key, value);
                derived.push(folded);
            }
        };
        match &self.principal {
            Principal::Aws(id) => {
                derive("aws:PrincipalArn", id.principal_arn());
                derive("aws:PrincipalAccount", id.account.clone());
                derive("aws:PrincipalType", id.principal_type().to_owned());
                derive("aws:PrincipalIsAWSService", "false".to_owned());
                match &id.kind {
                    IamKind::Account => derive("aws:userid", id.account.clone()),
                    IamKind::User { name, .. } => derive("aws:username", name.clone()),
                    _ => {}
                }
            }
            Principal::Service(name) => {
                derive("aws:PrincipalIsAWSService", "true".to_owned());
                derive("aws:PrincipalServiceName", name.clone());
            }
            Principal::Federated(_) => {}
        }
        let passes_tags = context
            .folded()
            .any(|(k, v)| crate::facts::passes_session_tags(k, v));
        let sets_source_identity = context
            .folded()
            .any(|(k, _)| crate::facts::sets_source_identity(k));
        let implied: Vec<(String, String)> =
            crate::facts::implied_actions(&lower, passes_tags, sets_source_identity)
                .into_iter()
                .map(|(a, l)| (a.to_owned(), l.to_owned()))
                .collect();
        Ok(Request {
            action: self.action,
            action_lower: lower,
            principal: self.principal,
            role,
            context,
            implied,
            derived,
            absent: self.absent,
        })
    }
}

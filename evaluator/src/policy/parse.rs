//! From a JSON value to a validated [`TrustPolicy`]. Every error names the JSON Pointer of the
//! element at fault.

use serde_json::{Map, Value};
use trustsim_conditions::{CompileOptions, Condition, ConditionError, ConditionKey, Operator};

use super::action::{ActionPattern, ActionSet};
use super::err::{PolicyError, PolicyWarning};
use super::keys::{self, KeyCheck};
use super::{ConditionEntry, Effect, PolicyPrincipal, PrincipalEntry, Statement, TrustPolicy};
use crate::json::json_kind;
use crate::pointer::Pointer;
use crate::principal::{is_federated_name, IamIdentity};

use crate::limits::{
    thousands, AWS_TRUST_POLICY_CHARS, AWS_TRUST_POLICY_CHARS_MAX, MAX_CONDITIONS_PER_STATEMENT,
    MAX_POLICY_BYTES, MAX_POLICY_STRING_CHARS, MAX_STATEMENTS, MAX_VALUES,
    MAX_VALUES_PER_CONDITION,
};

/// Counts the bytes of a document's compact JSON, and the characters IAM counts against its
/// length quota (all but white space), without building the text.
#[derive(Default)]
struct Size {
    bytes: usize,
    chars: usize,
}

impl std::io::Write for Size {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len();
        // Count characters, not bytes: skip UTF-8 continuation bytes.
        self.chars += buf
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80 && !b.is_ascii_whitespace())
            .count();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A string of the policy longer than trustsim reads.
fn check_length(text: &str, at: &Pointer, what: &str) -> Result<(), PolicyError> {
    let n = text.chars().count();
    if n > MAX_POLICY_STRING_CHARS {
        return Err(PolicyError::new(
            at.clone(),
            format!(
                "{what} is {} characters long, more than trustsim reads (at most {})",
                thousands(n),
                thousands(MAX_POLICY_STRING_CHARS)
            ),
        )
        .help(format!(
            "no string can be longer than the largest role trust policy AWS accepts, {} characters (IAM User Guide, \"IAM and AWS STS quotas\")",
            thousands(AWS_TRUST_POLICY_CHARS_MAX)
        )));
    }
    Ok(())
}

/// What would be right for an element of the wrong type.
fn example(what: &str) -> String {
    let e = match what {
        "a trust policy" => "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {...}, \"Action\": \"sts:AssumeRole\"}]}",
        "a statement" => "{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}",
        "`Condition`" => "{\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\"}}",
        "`Version`" => "\"2012-10-17\"",
        "`Effect`" => "\"Allow\" or \"Deny\"",
        "`Sid`" | "`Id`" => "\"TrustEvents\"",
        "`Principal.AWS`" => "\"arn:aws:iam::111122223333:root\", or a list of such strings",
        "`Principal.Service`" => "\"events.amazonaws.com\", or a list of such strings",
        "`Principal.Federated`" => "\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"",
        "`Principal.CanonicalUser`" => "a canonical user ID in quotes",
        "`Action`" | "`NotAction`" => "\"sts:AssumeRole\", or [\"sts:AssumeRole\", \"sts:TagSession\"]",
        w if w.starts_with("the keys of") => "{\"aws:SourceAccount\": \"111122223333\"}: each key with a value or a list of values",
        _ => return "see the IAM User Guide, \"IAM JSON policy element reference\"".to_owned(),
    };
    format!("write e.g. {e}")
}

fn expect_object<'a>(
    v: &'a Value,
    at: &Pointer,
    what: &str,
) -> Result<&'a Map<String, Value>, PolicyError> {
    v.as_object().ok_or_else(|| {
        PolicyError::new(
            at.clone(),
            format!("{what} must be an object, not {}", json_kind(v)),
        )
        .help(example(what))
    })
}

fn expect_string<'a>(v: &'a Value, at: &Pointer, what: &str) -> Result<&'a str, PolicyError> {
    v.as_str().ok_or_else(|| {
        PolicyError::new(
            at.clone(),
            format!("{what} must be a string, not {}", json_kind(v)),
        )
        .help(example(what))
    })
}

/// A string or a non-empty list of strings, each with its pointer.
fn string_list<'a>(
    v: &'a Value,
    at: &Pointer,
    what: &str,
) -> Result<Vec<(&'a str, Pointer)>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![(s.as_str(), at.clone())]),
        Value::Array(items) if items.is_empty() => Err(PolicyError::new(
            at.clone(),
            format!("{what} is an empty list"),
        )
        .help(format!("give at least one value: {}", example(what)))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let p = at.index(i);
                expect_string(item, &p, what).map(|s| (s, p))
            })
            .collect(),
        other => Err(PolicyError::new(
            at.clone(),
            format!(
                "{what} must be a string or a list of strings, not {}",
                json_kind(other)
            ),
        )
        .help(example(what))),
    }
}

pub(super) fn policy(value: &Value) -> Result<TrustPolicy, PolicyError> {
    let root = Pointer::root();
    let doc = expect_object(value, &root, "a trust policy")?;
    let mut warnings = Vec::new();
    let mut size = Size::default();
    // Writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut size, value);
    if size.bytes > MAX_POLICY_BYTES {
        return Err(PolicyError::new(
            root,
            format!(
                "the policy is {} bytes as compact JSON, more than trustsim reads (at most {})",
                thousands(size.bytes),
                thousands(MAX_POLICY_BYTES)
            ),
        )
        .help(format!(
            "IAM takes a role trust policy of at most {} characters (not counting white space) and by default {} (IAM User Guide, \"IAM and AWS STS quotas\"); split the trust among roles",
            thousands(AWS_TRUST_POLICY_CHARS_MAX),
            thousands(AWS_TRUST_POLICY_CHARS)
        )));
    }
    if size.chars > AWS_TRUST_POLICY_CHARS {
        warnings.push(PolicyWarning {
            pointer: Pointer::root(),
            message: format!(
                "the policy has {} characters not counting white space; AWS's role trust policy length quota is {} by default and at most {} (IAM User Guide, \"IAM and AWS STS quotas\"), so IAM {}",
                thousands(size.chars),
                thousands(AWS_TRUST_POLICY_CHARS),
                thousands(AWS_TRUST_POLICY_CHARS_MAX),
                if size.chars > AWS_TRUST_POLICY_CHARS_MAX { "rejects it" } else { "rejects it unless the account's quota was raised" }
            ),
        });
    }
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    for (k, v) in doc {
        let at = root.key(k);
        match k.as_str() {
            "Version" => {
                let s = expect_string(v, &at, "`Version`")?;
                if s != "2012-10-17" && s != "2008-10-17" {
                    return Err(PolicyError::new(at, format!("`{s}` is not a policy language version"))
                        .help("use \"2012-10-17\" (IAM User Guide, \"IAM JSON policy elements: Version\")"));
                }
                version = Some(s.to_owned());
            }
            "Id" => id = Some(expect_string(v, &at, "`Id`")?.to_owned()),
            "Statement" => statement = Some((v, at)),
            other => return Err(unknown_element(&at, other, &["Version", "Id", "Statement"])),
        }
    }
    let Some((statement, at)) = statement else {
        return Err(PolicyError::new(root, "the policy has no `Statement`")
            .help("add \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {...}, \"Action\": \"sts:AssumeRole\"}]"));
    };
    if version.is_none() {
        warnings.push(PolicyWarning {
            pointer: Pointer::root(),
            message: "no `Version`: policy variables such as ${aws:username} are read as literal text; add \"Version\": \"2012-10-17\"".to_owned(),
        });
    }
    let options = CompileOptions {
        version: match version.as_deref() {
            Some("2012-10-17") => trustsim_conditions::PolicyVersion::V2012_10_17,
            _ => trustsim_conditions::PolicyVersion::V2008_10_17,
        },
    };
    let items: Vec<(&Value, Pointer)> = match statement {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, s)| (s, at.index(i)))
            .collect(),
        Value::Object(_) => vec![(statement, at.clone())],
        other => {
            return Err(PolicyError::new(
                at,
                format!(
                    "`Statement` must be an object or a list of objects, not {}",
                    json_kind(other)
                ),
            )
            .help("write e.g. \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]"))
        }
    };
    if items.len() > MAX_STATEMENTS {
        return Err(PolicyError::new(
            at,
            format!(
                "{} statements is more than trustsim reads (at most {})",
                thousands(items.len()),
                thousands(MAX_STATEMENTS)
            ),
        )
        .help("merge statements that share an effect, principal and action; AWS's length quota leaves room for about 120 statements"));
    }
    if items.is_empty() {
        warnings.push(PolicyWarning {
            pointer: at.clone(),
            message: "`Statement` is empty, so the policy trusts no one".to_owned(),
        });
    }
    let mut statements = Vec::with_capacity(items.len());
    let mut total_values = 0usize;
    let mut sids: Vec<(String, Pointer)> = Vec::new();
    for (index, (value, p)) in items.into_iter().enumerate() {
        let s = statement_of(value, &p, index, options, &mut warnings, &mut total_values)?;
        if let Some(sid) = &s.sid {
            if !sid.is_empty() {
                if let Some((_, first)) = sids.iter().find(|(x, _)| x == sid) {
                    return Err(PolicyError::new(p.key("Sid"), format!("the Sid `{sid}` is used twice (first at {first})"))
                        .help("Sids must be unique within a policy (IAM User Guide, \"IAM JSON policy elements: Sid\")"));
                }
                sids.push((sid.clone(), p.key("Sid")));
            }
        }
        statements.push(s);
    }
    Ok(TrustPolicy {
        version,
        id,
        statements,
        warnings,
        document: value.clone(),
        length: size.chars,
    })
}

fn unknown_element(at: &Pointer, name: &str, known: &[&str]) -> PolicyError {
    let lower = name.to_ascii_lowercase();
    let help = match known.iter().find(|k| k.to_ascii_lowercase() == lower) {
        Some(k) => format!("element names are case-sensitive: write `{k}`"),
        None => format!(
            "the elements allowed here are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    PolicyError::new(at.clone(), format!("unknown element `{name}`")).help(help)
}

fn statement_of(
    value: &Value,
    at: &Pointer,
    index: usize,
    options: CompileOptions,
    warnings: &mut Vec<PolicyWarning>,
    total_values: &mut usize,
) -> Result<Statement, PolicyError> {
    let obj = expect_object(value, at, "a statement")?;
    let mut sid = None;
    let mut effect = None;
    let mut principals = None;
    let mut actions = None;
    let mut conditions = Vec::new();
    for (k, v) in obj {
        let p = at.key(k);
        match k.as_str() {
            "Sid" => {
                let s = expect_string(v, &p, "`Sid`")?;
                if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(PolicyError::new(p, format!("the Sid `{s}` has characters other than letters and digits"))
                        .help("a Sid may contain only A-Z, a-z and 0-9 (IAM User Guide, \"IAM JSON policy elements: Sid\")"));
                }
                sid = Some(s.to_owned());
            }
            "Effect" => {
                effect = Some(match expect_string(v, &p, "`Effect`")? {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(PolicyError::new(p, format!("`{other}` is not an effect"))
                            .help("write \"Allow\" or \"Deny\" (case-sensitive; IAM User Guide, \"IAM JSON policy elements: Effect\")"))
                    }
                })
            }
            "Principal" => principals = Some(principal_of(v, &p, warnings)?),
            "NotPrincipal" => {
                return Err(PolicyError::new(p, "role trust policies do not support `NotPrincipal`")
                    .help("name the trusted principals in `Principal` (IAM policy validation check \"Role trust policy syntax error notprincipal\")"))
            }
            "Action" | "NotAction" => {
                if actions.is_some() {
                    return Err(PolicyError::new(p, "a statement has either `Action` or `NotAction`, not both")
                        .help("keep `Action` and list the actions it allows"));
                }
                let list = string_list(v, &p, &format!("`{k}`"))?
                    .into_iter()
                    .map(|(s, ap)| {
                        check_length(s, &ap, "the action")?;
                        ActionPattern::new(s, ap.clone()).map_err(|e| PolicyError::new(ap, format!("`{s}`: {e}")).help("write a service prefix and an action name, e.g. \"sts:AssumeRole\" or \"sts:*\""))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                actions = Some(if k == "Action" { ActionSet::Action(list) } else { ActionSet::NotAction(list) });
            }
            "Resource" | "NotResource" => {
                return Err(PolicyError::new(p, format!("a role trust policy cannot have `{k}`"))
                    .help("the role itself is the resource: remove the element (IAM policy validation check \"Role trust policy syntax error resource\")"))
            }
            "Condition" => conditions = conditions_of(v, &p, options, warnings, total_values)?,
            other => {
                return Err(unknown_element(
                    &p,
                    other,
                    &["Sid", "Effect", "Principal", "Action", "NotAction", "Condition"],
                ))
            }
        }
    }
    let effect = effect.ok_or_else(|| {
        PolicyError::new(at.clone(), "the statement has no `Effect`")
            .help("add \"Effect\": \"Allow\" or \"Deny\"")
    })?;
    let principals = principals.ok_or_else(|| {
        PolicyError::new(at.clone(), "the statement has no `Principal`")
            .help("a role trust policy must say who may assume the role, e.g. \"Principal\": {\"Service\": \"events.amazonaws.com\"}")
    })?;
    let actions = actions.ok_or_else(|| {
        PolicyError::new(at.clone(), "the statement has no `Action`")
            .help("add \"Action\": \"sts:AssumeRole\"")
    })?;
    Ok(Statement {
        index,
        sid,
        effect,
        principals,
        actions,
        conditions,
        pointer: at.clone(),
    })
}

fn principal_of(
    v: &Value,
    at: &Pointer,
    warnings: &mut Vec<PolicyWarning>,
) -> Result<Vec<PrincipalEntry>, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(vec![PrincipalEntry {
            principal: PolicyPrincipal::Everyone,
            pointer: at.clone(),
        }]),
        Value::String(s) => Err(PolicyError::new(at.clone(), format!("`\"Principal\": \"{s}\"` is not a principal"))
            .help("write \"*\" for everyone, or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}")),
        Value::Object(map) => {
            if map.is_empty() {
                return Err(PolicyError::new(at.clone(), "`Principal` is empty").help("name at least one principal, e.g. {\"Service\": \"events.amazonaws.com\"}"));
            }
            let mut out = Vec::new();
            for (k, v) in map {
                let p = at.key(k);
                for (text, vp) in string_list(v, &p, &format!("`Principal.{k}`"))? {
                    check_length(text, &vp, "the principal")?;
                    let principal = match k.as_str() {
                        "AWS" => aws_principal(text, &vp)?,
                        "Service" => service_principal(text, &vp)?,
                        "Federated" => federated_principal(text, &vp, warnings)?,
                        "CanonicalUser" => {
                            warnings.push(PolicyWarning {
                                pointer: vp.clone(),
                                message: "a canonical user ID identifies an S3 account owner and matches no caller of sts:AssumeRole".to_owned(),
                            });
                            PolicyPrincipal::CanonicalUser(text.to_owned())
                        }
                        other => return Err(unknown_element(&p, other, &["AWS", "Service", "Federated", "CanonicalUser"])),
                    };
                    out.push(PrincipalEntry { principal, pointer: vp });
                }
            }
            Ok(out)
        }
        other => Err(PolicyError::new(at.clone(), format!("`Principal` must be \"*\" or an object, not {}", json_kind(other)))
            .help("write \"*\" for everyone, or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}")),
    }
}

fn aws_principal(text: &str, at: &Pointer) -> Result<PolicyPrincipal, PolicyError> {
    if text == "*" {
        return Ok(PolicyPrincipal::Everyone);
    }
    // Unique IDs of deleted principals (IAM User Guide, "IAM identifiers", section "Unique
    // identifiers": AIDA users, AROA roles).
    if text.len() >= 16
        && (text.starts_with("AIDA") || text.starts_with("AROA"))
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Ok(PolicyPrincipal::UniqueId(text.to_owned()));
    }
    IamIdentity::parse(text).map(PolicyPrincipal::Iam).map_err(|e| {
        PolicyError::new(at.clone(), format!("`{text}` is not a valid AWS principal: {e}"))
            .help("use \"*\", a 12-digit account ID, or an IAM/STS ARN such as arn:aws:iam::111122223333:role/name (IAM User Guide, \"AWS JSON policy elements: Principal\")")
    })
}

fn service_principal(text: &str, at: &Pointer) -> Result<PolicyPrincipal, PolicyError> {
    if text.contains('*') || text.contains('?') {
        return Err(PolicyError::new(
            at.clone(),
            format!("`{text}`: a service principal cannot contain a wildcard"),
        )
        .help("name the service, e.g. \"events.amazonaws.com\""));
    }
    let ok = !text.is_empty()
        && text.contains('.')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !ok {
        return Err(
            PolicyError::new(at.clone(), format!("`{text}` is not a service principal"))
                .help("a service principal is a DNS-style name such as \"events.amazonaws.com\""),
        );
    }
    Ok(PolicyPrincipal::Service(text.to_owned()))
}

fn federated_principal(
    text: &str,
    at: &Pointer,
    warnings: &mut Vec<PolicyWarning>,
) -> Result<PolicyPrincipal, PolicyError> {
    if text.contains('*') || text.contains('?') {
        return Err(PolicyError::new(
            at.clone(),
            format!("`{text}`: a federated principal cannot contain a wildcard"),
        )
        .help("name the identity provider, e.g. arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com (IAM User Guide, \"AWS JSON policy elements: Principal\")"));
    }
    if !is_federated_name(text) {
        if text.is_empty() || text.contains(' ') {
            return Err(PolicyError::new(at.clone(), format!("`{text}` is not a federated principal"))
                .help("use an identity provider ARN such as arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com, or cognito-identity.amazonaws.com"));
        }
        warnings.push(PolicyWarning {
            pointer: at.clone(),
            message: format!("`{text}` is neither an oidc-provider/saml-provider ARN nor a known web identity provider"),
        });
    }
    Ok(PolicyPrincipal::Federated(text.to_owned()))
}

fn condition_values(
    v: &Value,
    at: &Pointer,
    total: &mut usize,
) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value, p: &Pointer| -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(PolicyError::new(
                p.clone(),
                format!(
                    "a condition value must be a string, number or boolean, not {}",
                    json_kind(other)
                ),
            )
            .help("write one value, e.g. \"111122223333\", or a list of values, e.g. [\"111122223333\", \"444455556666\"]")),
        }
    };
    let values = match v {
        Value::Array(items) => {
            if items.len() > MAX_VALUES_PER_CONDITION {
                return Err(PolicyError::new(
                    at.clone(),
                    format!(
                        "{} values is more than trustsim reads for one key (at most {})",
                        thousands(items.len()),
                        thousands(MAX_VALUES_PER_CONDITION)
                    ),
                )
                .help("use wildcards (`StringLike`, `ArnLike`) or CIDR ranges (`IpAddress`) to cover many values with one"));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, x)| scalar(x, &at.index(i)))
                .collect::<Result<Vec<_>, _>>()?
        }
        other => vec![scalar(other, at)?],
    };
    for (i, text) in values.iter().enumerate() {
        let p = if matches!(v, Value::Array(_)) {
            at.index(i)
        } else {
            at.clone()
        };
        check_length(text, &p, "the condition value")?;
    }
    *total += values.len();
    if *total > MAX_VALUES {
        return Err(PolicyError::new(
            at.clone(),
            format!(
                "the policy has more than {} condition values, more than trustsim reads",
                thousands(MAX_VALUES)
            ),
        )
        .help("use wildcards (`StringLike`, `ArnLike`) or CIDR ranges (`IpAddress`) to cover many values with one"));
    }
    Ok(values)
}

fn conditions_of(
    v: &Value,
    at: &Pointer,
    options: CompileOptions,
    warnings: &mut Vec<PolicyWarning>,
    total_values: &mut usize,
) -> Result<Vec<ConditionEntry>, PolicyError> {
    let ops = expect_object(v, at, "`Condition`")?;
    let count: usize = ops
        .values()
        .map(|k| k.as_object().map_or(1, Map::len))
        .sum();
    if count > MAX_CONDITIONS_PER_STATEMENT {
        return Err(PolicyError::new(
            at.clone(),
            format!(
                "the statement has {} conditions (operator and key pairs), more than trustsim reads (at most {})",
                thousands(count),
                thousands(MAX_CONDITIONS_PER_STATEMENT)
            ),
        )
        .help("give a key several values instead of repeating it under many operators"));
    }
    if ops.is_empty() {
        warnings.push(PolicyWarning {
            pointer: at.clone(),
            message: "the `Condition` block is empty and has no effect".to_owned(),
        });
    }
    let mut out = Vec::new();
    for (op_text, keys_value) in ops {
        let op_at = at.key(op_text);
        let operator = Operator::parse(op_text).map_err(|e| condition_error(&op_at, &e, false))?;
        let keys = expect_object(keys_value, &op_at, &format!("the keys of `{op_text}`"))?;
        if keys.is_empty() {
            warnings.push(PolicyWarning {
                pointer: op_at.clone(),
                message: format!("`{op_text}` has no keys and has no effect"),
            });
        }
        let mut seen: Vec<(String, &str)> = Vec::new();
        for (key_text, values_value) in keys {
            let key_at = op_at.key(key_text);
            let key =
                ConditionKey::new(key_text).map_err(|e| condition_error(&key_at, &e, false))?;
            if let Some((_, first)) = seen.iter().find(|(f, _)| f == key.folded()) {
                return Err(PolicyError::new(key_at, format!("`{key_text}` appears twice in `{op_text}` (also as `{first}`): key names are not case-sensitive"))
                    .help("merge the values into one key (IAM policy validation check DUPLICATE_KEYS_WITH_DIFFERENT_CASE)"));
            }
            seen.push((key.folded().to_owned(), key_text));
            match keys::check(key_text) {
                KeyCheck::Known => {}
                KeyCheck::Unknown { suggestion } => warnings.push(PolicyWarning {
                    pointer: key_at.clone(),
                    message: match suggestion {
                        Some(s) => format!("no AWS service sets `{key_text}`, so this condition never sees a value; did you mean `{s}`?"),
                        None => format!("no AWS service sets `{key_text}`, so this condition never sees a value"),
                    },
                }),
                KeyCheck::WithScheme => warnings.push(PolicyWarning {
                    pointer: key_at.clone(),
                    message: format!("`{key_text}` starts with a URL scheme; OIDC condition keys are the provider URL without `https://`, so this key is never set"),
                }),
            }
            let values = condition_values(values_value, &key_at, total_values)?;
            if values.is_empty() {
                warnings.push(PolicyWarning {
                    pointer: key_at.clone(),
                    message: format!("`{key_text}` has an empty list of values: a positive operator can then never match"),
                });
            }
            let is_list = matches!(values_value, Value::Array(_));
            let condition = Condition::new(operator, key, &values, options)
                .map_err(|e| condition_error(&key_at, &e, is_list))?;
            for w in condition.warnings() {
                let p = if is_list {
                    key_at.index(w.index)
                } else {
                    key_at.clone()
                };
                warnings.push(PolicyWarning {
                    pointer: p,
                    message: w.to_string(),
                });
            }
            out.push(ConditionEntry {
                condition,
                pointer: key_at,
            });
        }
    }
    Ok(out)
}

fn condition_error(at: &Pointer, e: &ConditionError, is_list: bool) -> PolicyError {
    let pointer = match e.value_index() {
        Some(i) if is_list => at.index(i),
        _ => at.clone(),
    };
    let help = match e {
        ConditionError::UnknownOperator { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
        ConditionError::UnknownOperator { .. } => Some("see docs/operators.md for the operators IAM knows".to_owned()),
        ConditionError::InvalidValue { help, .. } => help.clone(),
        ConditionError::NullIfExists { .. } => Some("use `Null` alone: it already tests whether the key is present".to_owned()),
        ConditionError::VariableNotSupported { .. } => Some("policy variables work only with String and ARN operators".to_owned()),
        ConditionError::InvalidKey { .. } => Some("a condition key is a name such as `aws:SourceAccount` or `token.actions.githubusercontent.com:sub` (IAM User Guide, \"AWS global condition context keys\")".to_owned()),
        ConditionError::InvalidVariable { .. } => Some("write `${aws:username}`, or `${aws:username, 'default'}`; use `${$}` for a literal `$`".to_owned()),
    };
    PolicyError {
        pointer,
        message: e.to_string(),
        help,
    }
}

//! The output of `aws iam get-account-authorization-details`: its `RoleDetailList`.

use serde_json::Value;

use super::{embedded_error, member_or_root, Role};
use crate::pointer::Pointer;
use crate::policy::PolicyError;

/// Percent-decoding of the URL-encoded documents the IAM API returns (RFC 3986). On error, the
/// byte offset of the bad escape and what is wrong.
pub(super) fn url_decode(s: &str) -> Result<String, (usize, String)> {
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

/// The roles of an export, taking their documents out of the value (an organization's export
/// holds hundreds of thousands: they are moved, not copied).
pub(super) fn account_export(
    mut value: Value,
    text: &str,
    file: &str,
) -> Result<Vec<Role>, PolicyError> {
    let list = match value.get_mut("RoleDetailList").map(Value::take) {
        Some(Value::Array(list)) => list,
        _ => {
            return Err(PolicyError::new(
                member_or_root(&value, "RoleDetailList"),
                "`RoleDetailList` must be a list",
            )
            .help("give the output of `aws iam get-account-authorization-details` unchanged"))
        }
    };
    drop(value);
    let mut out = Vec::with_capacity(list.len());
    let lines = super::lines::field_lines(text, "RoleName");
    for (i, mut role) in list.into_iter().enumerate() {
        let given = role.get_mut("AssumeRolePolicyDocument").map(Value::take);
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
        let document = match given {
            Some(Value::String(s)) => {
                let p = at.key("AssumeRolePolicyDocument");
                let decoded = url_decode(&s).map_err(|(offset, what)| {
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
            Some(v) => v,
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
            line: lines.get(&name).copied(),
            account,
            partition: arn.and_then(crate::analysis::partition::of_arn),
            document,
            notes: Vec::new(),
            path,
            arn: arn.map(str::to_owned),
            ignores: Vec::new(),
            ..Role::default()
        });
    }
    Ok(out)
}

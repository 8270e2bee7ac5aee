//! The output of `aws iam get-account-authorization-details`: its `RoleDetailList`.

use std::collections::BTreeMap;
use std::path::Path;

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
    let list = take_list(&mut value)?;
    drop(value);
    let lines = super::lines::field_lines(text, "RoleName");
    list.into_iter()
        .enumerate()
        .map(|(i, role)| entry_role(i, role, &lines, file))
        .collect()
}

/// The export's `RoleDetailList`, taken out of it.
fn take_list(value: &mut Value) -> Result<Vec<Value>, PolicyError> {
    match value.get_mut("RoleDetailList").map(Value::take) {
        Some(Value::Array(list)) => Ok(list),
        _ => Err(PolicyError::new(
            member_or_root(value, "RoleDetailList"),
            "`RoleDetailList` must be a list",
        )
        .help("give the output of `aws iam get-account-authorization-details` unchanged")),
    }
}

/// The role of the `RoleDetailList` entry at index `i` (its document moved out of it).
/// `lines` gives the line of each role name in the text.
fn entry_role(
    i: usize,
    mut role: Value,
    lines: &BTreeMap<String, usize>,
    file: &str,
) -> Result<Role, PolicyError> {
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
            crate::json::parse(&decoded, "the decoded AssumeRolePolicyDocument").map_err(|e| {
                embedded_error(
                    &p,
                    &e,
                    "give the document as `aws iam get-account-authorization-details` returns it",
                )
            })?
        }
        Some(v) if !v.is_null() => v,
        _ => {
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
    Ok(Role {
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
    })
}

/// An account export in JSON, read a role at a time: the whole text is checked at once, as
/// strictly as [`super::export_roles`] reads it (syntax, duplicate keys, nesting, the shape of
/// `RoleDetailList`), but each role is built only when [`ExportRoles::role`] asks for it, so an
/// organization's export is held as its text and not also as a tree of every role.
pub struct ExportRoles {
    text: String,
    file: String,
    /// Where each `RoleDetailList` entry is in the text.
    spans: Vec<std::ops::Range<usize>>,
    /// The line of each role name.
    lines: BTreeMap<String, usize>,
}

/// The file and the number of roles, not the text (an organization's export is hundreds of
/// megabytes).
impl std::fmt::Debug for ExportRoles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRoles")
            .field("file", &self.file())
            .field("roles", &self.len())
            .finish()
    }
}

impl ExportRoles {
    /// Checks the export `text` of the file `path` and finds its roles.
    pub fn read(text: String, path: &Path) -> Result<ExportRoles, PolicyError> {
        let outline = crate::json::parse_export_outline(&text, "the file")?;
        ExportRoles::from_outline(outline, text, path)
    }

    /// The roles of the export `text` (of the file `path`), already checked by
    /// [`crate::json::parse_export_outline`], which gave `outline`.
    pub fn from_outline(
        mut outline: Value,
        text: String,
        path: &Path,
    ) -> Result<ExportRoles, PolicyError> {
        let count = take_list(&mut outline)?.len();
        // The text is valid JSON (checked above): where each entry is.
        #[derive(serde::Deserialize)]
        struct Entries<'a> {
            #[serde(rename = "RoleDetailList", borrow)]
            list: Vec<&'a serde_json::value::RawValue>,
        }
        let entries: Entries<'_> = serde_json::from_str(&text).map_err(|e| {
            PolicyError::new(
                Pointer::root().key("RoleDetailList"),
                format!("the roles could not be found: {e}"),
            )
        })?;
        let base = text.as_ptr() as usize;
        let spans: Vec<_> = entries
            .list
            .iter()
            .map(|raw| {
                let start = raw.get().as_ptr() as usize - base;
                start..start + raw.get().len()
            })
            .collect();
        if spans.len() != count {
            return Err(PolicyError::new(
                Pointer::root().key("RoleDetailList"),
                format!("found {} roles where the list has {count}", spans.len()),
            ));
        }
        let lines = super::lines::field_lines(&text, "RoleName");
        Ok(ExportRoles {
            text,
            file: path.display().to_string(),
            spans,
            lines,
        })
    }

    /// The file the export was read from, as its roles' sources name it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// How many roles the export has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the export has no role.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The role at index `i` of `RoleDetailList`, as [`super::export_roles`] gives it.
    pub fn role(&self, i: usize) -> Result<Role, PolicyError> {
        let span = self.spans.get(i).cloned().unwrap_or(0..0);
        let entry = crate::json::parse_export_role(&self.text, span, i)?;
        entry_role(i, entry, &self.lines, &self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pretty-printed export of three roles (as the AWS CLI writes it), the second with its
    /// document URL-encoded as the IAM API returns it.
    const EXPORT: &str = r#"{
    "UserDetailList": [{"UserName": "u", "Tags": []}],
    "RoleDetailList": [
        {
            "Path": "/",
            "RoleName": "first",
            "Arn": "arn:aws:iam::111122223333:role/first",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
            },
            "Tags": [{"Key": "team", "Value": "a"}]
        },
        {
            "RoleName": "second",
            "Arn": "arn:aws-cn:iam::111122223333:role/service-role/second",
            "AssumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22*%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
        },
        {"RoleName": "third", "AssumeRolePolicyDocument": {"Statement": []}}
    ],
    "Policies": []
}"#;

    fn eager(text: &str) -> Result<Vec<Role>, PolicyError> {
        let value = crate::json::parse_export(text, "the file")?;
        account_export(value, text, "e.json")
    }

    fn lazy(text: &str) -> Result<Vec<Result<Role, PolicyError>>, PolicyError> {
        let roles = ExportRoles::read(text.to_owned(), Path::new("e.json"))?;
        Ok((0..roles.len()).map(|i| roles.role(i)).collect())
    }

    /// What a reader gives of a role, to compare the two readers.
    fn shown(r: &Role) -> String {
        format!(
            "{} {} {:?} {:?} {:?} {:?} {:?} {}",
            r.name, r.source, r.line, r.account, r.partition, r.path, r.arn, r.document
        )
    }

    #[test]
    fn roles_read_one_at_a_time_are_the_roles_read_at_once() {
        let at_once: Vec<String> = eager(EXPORT)
            .unwrap_or_default()
            .iter()
            .map(shown)
            .collect();
        let one_at_a_time: Vec<String> = lazy(EXPORT)
            .unwrap_or_default()
            .iter()
            .map(|r| r.as_ref().map(shown).unwrap_or_else(|e| e.to_string()))
            .collect();
        assert_eq!(at_once.len(), 3);
        assert_eq!(one_at_a_time, at_once);
        assert!(at_once[1].contains("\"AWS\":\"*\""), "{}", at_once[1]);
        assert!(at_once[1].contains("Some(\"aws-cn\")"), "{}", at_once[1]);
    }

    #[test]
    fn an_error_inside_a_role_is_found_before_any_role_is_read() {
        // A duplicate key in the third role's document, on line 4 of the text.
        let text = "{\"RoleDetailList\": [\n  {\"RoleName\": \"a\", \"AssumeRolePolicyDocument\": {\"Statement\": []}},\n  {\"RoleName\": \"b\", \"AssumeRolePolicyDocument\": {\"Statement\": []}},\n  {\"RoleName\": \"c\", \"AssumeRolePolicyDocument\": {\"Statement\": [], \"Statement\": []}}\n]}";
        let at_once = eager(text).err();
        let one_at_a_time = lazy(text).err();
        assert!(
            at_once
                .as_ref()
                .map(ToString::to_string)
                .as_deref()
                .is_some_and(|e| e
                    .contains("/RoleDetailList/2/AssumeRolePolicyDocument/Statement")
                    && e.contains("line 4")),
            "{at_once:?}"
        );
        assert_eq!(one_at_a_time, at_once);
    }

    #[test]
    fn an_entry_read_alone_is_placed_in_the_whole_text() {
        // The same error, found by reading the entry alone, has the pointer, line and column
        // the whole text gives it.
        let text = "{\"RoleDetailList\": [\n  {\"RoleName\": \"a\"},\n  {\"RoleName\": \"b\", \"RoleName\": \"c\"}\n]}";
        let whole = crate::json::parse_export(text, "the file").err();
        let start = text.find("{\"RoleName\": \"b\"").unwrap_or(0);
        let end = text.rfind('}').map_or(0, |i| i - 1);
        let alone = crate::json::parse_export_role(text, start..end, 1).err();
        assert!(
            whole
                .as_ref()
                .map(ToString::to_string)
                .as_deref()
                .is_some_and(
                    |e| e.contains("/RoleDetailList/1/RoleName") && e.contains("line 3 column")
                ),
            "{whole:?}"
        );
        assert_eq!(alone, whole);
    }

    #[test]
    fn a_role_without_a_document_is_an_error_of_that_role_alone() {
        let text = "{\"RoleDetailList\": [{\"RoleName\": \"a\", \"AssumeRolePolicyDocument\": null}, {\"RoleName\": \"b\", \"AssumeRolePolicyDocument\": {\"Statement\": []}}]}";
        let roles = lazy(text).unwrap_or_default();
        assert_eq!(roles.len(), 2);
        let first = roles[0].as_ref().err().map(|e| e.to_string());
        assert!(
            first
                .as_deref()
                .is_some_and(|e| e.contains("/RoleDetailList/0")
                    && e.contains("role `a` has no AssumeRolePolicyDocument")),
            "{first:?}"
        );
        assert_eq!(roles[1].as_ref().ok().map(|r| r.name.as_str()), Some("b"));
    }

    #[test]
    fn the_shape_of_the_list_is_checked_before_any_role_is_read() {
        let e = lazy("{\"RoleDetailList\": {}}")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("must be a list")),
            "{e:?}"
        );
    }
}

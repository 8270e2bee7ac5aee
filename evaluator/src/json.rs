//! Reading JSON documents strictly: a duplicate key anywhere is an error naming its JSON
//! Pointer, instead of the last value silently winning. AWS: IAM User Guide, "Grammar of the
//! IAM JSON policy language": "Individual elements must not contain multiple instances of the
//! same key" (for example two `Effect` elements, where a lenient reader would keep only the
//! second).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::pointer::Pointer;
use crate::policy::PolicyError;

pub use crate::limits::MAX_DEPTH;

/// Parses JSON text into a value, rejecting duplicate keys and excessive nesting.
pub fn parse(text: &str, what: &str) -> Result<Value, PolicyError> {
    parse_with(text, what, Keep::All)
}

/// [`parse`] for an account export (`aws iam get-account-authorization-details`): the whole
/// text is checked as strictly (duplicate keys, nesting, syntax, with the same errors), but only
/// what the export's reader uses is built: each `RoleDetailList` entry's `RoleName`, `Arn`,
/// `Path` and `AssumeRolePolicyDocument`. `UserDetailList`, `GroupDetailList`, `Policies` and
/// a role's other members (inline policies, tags, instance profiles) are `null`, so an
/// organization's export of hundreds of megabytes is not held as a tree.
pub fn parse_export(text: &str, what: &str) -> Result<Value, PolicyError> {
    parse_with(text, what, Keep::Export)
}

/// [`parse_export`] for an export read a role at a time (see
/// `sources::account_export::ExportRoles`): the whole text is checked as strictly, but
/// `RoleDetailList` is built as a list of `null`s, one per role, and nothing else of the roles.
pub fn parse_export_outline(text: &str, what: &str) -> Result<Value, PolicyError> {
    parse_with(text, what, Keep::ExportOutline)
}

/// One `RoleDetailList` entry of an export: `text[span]` is the entry at index `index` of the
/// list, read as [`parse_export`] reads each entry (only `RoleName`, `Arn`, `Path` and
/// `AssumeRolePolicyDocument` are built). An error's pointer and line are those in the whole
/// text.
pub fn parse_export_role(
    text: &str,
    span: std::ops::Range<usize>,
    index: usize,
) -> Result<Value, PolicyError> {
    let list = Crumb::Key("RoleDetailList", &Crumb::Root);
    let at = Crumb::Index(index, &list);
    let entry = text.get(span.clone()).unwrap_or("");
    parse_in(entry, "the file", at, 2, Keep::ExportRole, || {
        let before = text.get(..span.start).unwrap_or("");
        let line = before.matches('\n').count();
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        (line, column)
    })
}

fn parse_with(text: &str, what: &str, keep: Keep) -> Result<Value, PolicyError> {
    parse_in(text, what, Crumb::Root, 0, keep, || (0, 0))
}

/// Reads `text`, which sits at `at` and `depth` in its document. `origin` gives, for an error
/// only, the lines and the columns before the text's first character in the whole document.
fn parse_in(
    text: &str,
    what: &str,
    at: Crumb<'_>,
    depth: usize,
    keep: Keep,
    origin: impl FnOnce() -> (usize, usize),
) -> Result<Value, PolicyError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result = Seed { at, depth, keep }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    result.map_err(|e| {
        let msg = e.to_string();
        // Our own errors carry their pointer, message and help (see `located`); serde_json
        // appends the position.
        let position = format!(" at line {} column {}", e.line(), e.column());
        let bare = msg.strip_suffix(&position).unwrap_or(&msg);
        let (lines, columns) = origin();
        let position = if e.line() == 0 {
            position
        } else {
            let column = if e.line() == 1 {
                e.column() + columns
            } else {
                e.column()
            };
            format!(" at line {} column {column}", e.line() + lines)
        };
        match unlocated(bare) {
            Some((pointer, rest, help)) => {
                let e = PolicyError::new(pointer_from(pointer), format!("{rest}{position}"));
                if help.is_empty() {
                    e
                } else {
                    e.help(help.to_owned())
                }
            }
            None => PolicyError::new(
                at.pointer(),
                format!("{what} is not valid JSON: {bare}{position}"),
            )
            .help(syntax_help(&e)),
        }
    })
}

/// What would be right, for a JSON syntax error.
fn syntax_help(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "the text ends too early: close every `{`, `[` and `\"`",
        _ => "a JSON document is one object: keys and strings in double quotes, `,` between items, no trailing `,`",
    }
}

/// The text of an error of ours at `at`: the lengths of the pointer and of the message, each
/// followed by a tab, then the pointer, the message and the help. The lengths are needed because
/// a key, and so the pointer and the message that names it, may itself contain a tab.
fn located(at: &Pointer, message: &str, help: &str) -> String {
    format!(
        "{}\t{}\t{}{message}{help}",
        at.as_str().len(),
        message.len(),
        at.as_str()
    )
}

/// The pointer, the message and the help of a text made by [`located`].
fn unlocated(text: &str) -> Option<(&str, &str, &str)> {
    let (pointer_len, rest) = text.split_once('\t')?;
    let (message_len, rest) = rest.split_once('\t')?;
    let pointer_len: usize = pointer_len.parse().ok()?;
    let message_end = pointer_len.checked_add(message_len.parse().ok()?)?;
    Some((
        rest.get(..pointer_len)?,
        rest.get(pointer_len..message_end)?,
        rest.get(message_end..)?,
    ))
}

fn pointer_from(text: &str) -> Pointer {
    // Rebuild the pointer from its escaped segments.
    let mut p = Pointer::root();
    for seg in text.split('/').skip(1) {
        p = p.key(&seg.replace("~1", "/").replace("~0", "~"));
    }
    p
}

fn too_deep<E: de::Error>(at: &Pointer) -> E {
    E::custom(located(
        at,
        &format!("the document nests deeper than {MAX_DEPTH} levels, more than trustsim reads"),
        "a trust policy nests at most five levels deep: Statement, a statement, Condition, an operator, a key",
    ))
}

/// Where a value is, as a chain of borrowed steps from the root: the pointer text is built
/// only for an error, not for every value read.
#[derive(Clone, Copy)]
enum Crumb<'a> {
    Root,
    Key(&'a str, &'a Crumb<'a>),
    Index(usize, &'a Crumb<'a>),
}

impl Crumb<'_> {
    fn pointer(&self) -> Pointer {
        match self {
            Crumb::Root => Pointer::root(),
            Crumb::Key(k, parent) => parent.pointer().key(k),
            Crumb::Index(i, parent) => parent.pointer().index(*i),
        }
    }
}

/// Which parts of a value are built (all, by default; see [`parse_export`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Everything.
    All,
    /// Nothing: the value is checked and read as `null`.
    Nothing,
    /// An export's top level: not its users, groups and managed policies.
    Export,
    /// An export's `RoleDetailList`: each entry as a role.
    ExportRoles,
    /// An export's top level, its roles read later one at a time (see
    /// [`parse_export_outline`]).
    ExportOutline,
    /// An export's `RoleDetailList` read for its length: each entry checked and built as `null`.
    ExportNulls,
    /// One `RoleDetailList` entry: the members the export's reader uses.
    ExportRole,
}

impl Keep {
    /// What is kept of the member `key` of an object kept as `self`.
    fn member(self, key: &str) -> Keep {
        match self {
            Keep::All | Keep::ExportRoles => Keep::All,
            Keep::Nothing | Keep::ExportNulls => Keep::Nothing,
            Keep::Export if key == "RoleDetailList" => Keep::ExportRoles,
            Keep::ExportOutline if key == "RoleDetailList" => Keep::ExportNulls,
            // The export's other lists; any other member is kept, so that a file which only
            // starts like an export is detected as it would be otherwise.
            Keep::Export | Keep::ExportOutline
                if matches!(key, "UserDetailList" | "GroupDetailList" | "Policies") =>
            {
                Keep::Nothing
            }
            Keep::Export | Keep::ExportOutline => Keep::All,
            Keep::ExportRole
                if matches!(
                    key,
                    "RoleName" | "Arn" | "Path" | "AssumeRolePolicyDocument"
                ) =>
            {
                Keep::All
            }
            Keep::ExportRole => Keep::Nothing,
        }
    }

    /// What is kept of an element of an array kept as `self`.
    fn element(self) -> Keep {
        match self {
            Keep::Nothing | Keep::ExportNulls => Keep::Nothing,
            Keep::ExportRoles => Keep::ExportRole,
            Keep::All | Keep::Export | Keep::ExportOutline | Keep::ExportRole => Keep::All,
        }
    }
}

struct Seed<'a> {
    at: Crumb<'a>,
    depth: usize,
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        if self.keep == Keep::Nothing {
            return Ok(Value::Null);
        }
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        if self.keep == Keep::Nothing {
            return Ok(Value::Null);
        }
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(&self.at.pointer()));
        }
        let keep = self.keep.element();
        let mut out = Vec::new();
        let mut n = 0;
        while let Some(v) = seq.next_element_seed(Seed {
            at: Crumb::Index(n, &self.at),
            depth: self.depth + 1,
            keep,
        })? {
            n += 1;
            if self.keep != Keep::Nothing {
                out.push(v);
            }
        }
        if self.keep == Keep::Nothing {
            return Ok(Value::Null);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(&self.at.pointer()));
        }
        let mut out = Map::new();
        // Keys of an object not built, for the duplicate check.
        let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        while let Some(key) = map.next_key::<String>()? {
            let twice = if self.keep == Keep::Nothing {
                seen.contains(&key)
            } else {
                out.contains_key(&key)
            };
            if twice {
                return Err(de::Error::custom(located(
                    &self.at.pointer().key(&key),
                    &format!(
                        "`{key}` appears twice in the same object; AWS rejects duplicate elements"
                    ),
                    &format!(
                        "keep one `{key}` (IAM User Guide, \"Grammar of the IAM JSON policy language\")"
                    ),
                )));
            }
            let v = map.next_value_seed(Seed {
                at: Crumb::Key(&key, &self.at),
                depth: self.depth + 1,
                keep: self.keep.member(&key),
            })?;
            if self.keep == Keep::Nothing {
                seen.insert(key);
            } else {
                out.insert(key, v);
            }
        }
        if self.keep == Keep::Nothing {
            return Ok(Value::Null);
        }
        Ok(Value::Object(out))
    }
}

/// How a JSON value's type reads in a message: "a string", "an array", "null", ...
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_named_by_pointer() {
        let e = parse(
            r#"{"Statement": [{"Effect": "Deny", "Effect": "Allow"}]}"#,
            "the policy",
        )
        .err();
        assert_eq!(
            e.as_ref().map(|e| e.pointer.as_str()),
            Some("/Statement/0/Effect")
        );
        assert!(e.is_some_and(|e| e
            .message
            .starts_with("`Effect` appears twice in the same object")));
        let e = parse(r#"{"a/b": {"x": 1, "x": 2}}"#, "the policy").err();
        assert_eq!(
            e.map(|e| e.pointer.as_str().to_owned()),
            Some("/a~1b/x".to_owned())
        );
    }

    #[test]
    fn pointers_survive_tabs_in_keys() {
        // Caught by the `policy` fuzz property (input fuzz/regressions/policy/tab-in-key): the
        // pointer was cut at the key's tab and named an element that does not exist.
        let e = parse("{\"a\\tb\": {\"x\": 1, \"x\": 2}}", "the policy").err();
        assert_eq!(e.as_ref().map(|e| e.pointer.as_str()), Some("/a\tb/x"));
        assert!(e
            .as_ref()
            .is_some_and(|e| e.message.starts_with("`x` appears twice")));
        assert!(e.is_some_and(|e| e.help.is_some_and(|h| h.starts_with("keep one `x`"))));
        // A tab in the duplicate key itself, so in the message and the help too.
        let e = parse("{\"\\t\": 1, \"\\t\": 2}", "the policy").err();
        assert_eq!(e.as_ref().map(|e| e.pointer.as_str()), Some("/\t"));
        assert!(
            e.is_some_and(|e| e.message.starts_with("`\t` appears twice")
                && e.help.is_some_and(|h| h.starts_with("keep one `\t`")))
        );
    }

    /// An export is checked as strictly as any document (the same error, at the same pointer,
    /// inside the parts it does not build), and only the roles' used members are built.
    #[test]
    fn exports_are_checked_whole_and_built_in_part() {
        let dup = r#"{"UserDetailList": [{"UserName": "a", "Tags": [{"Key": 1, "Key": 2}]}], "RoleDetailList": []}"#;
        let whole = parse(dup, "the file").err();
        let part = parse_export(dup, "the file").err();
        assert_eq!(
            part.as_ref().map(|e| e.pointer.as_str()),
            Some("/UserDetailList/0/Tags/0/Key")
        );
        assert_eq!(
            whole.map(|e| (e.pointer, e.message)),
            part.map(|e| (e.pointer, e.message))
        );
        let deep = format!(
            r#"{{"Policies": [{}{}], "RoleDetailList": []}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(parse_export(&deep, "the file").is_err_and(|e| e.message.contains("nests deeper")));
        let export = r#"{"UserDetailList": [{"UserName": "u"}], "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "Path": "/", "Tags": [{"Key": "k", "Value": "v"}], "AssumeRolePolicyDocument": {"Statement": []}}], "Marker": "m"}"#;
        let v = parse_export(export, "the file").ok();
        assert_eq!(
            v,
            Some(
                serde_json::json!({"UserDetailList": null, "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "Path": "/", "Tags": null, "AssumeRolePolicyDocument": {"Statement": []}}], "Marker": "m"})
            )
        );
        // Not an export's shape: built whole, as `parse` builds it.
        let other = r#"{"RoleDetailList": {"a": [1, {"b": "c"}]}}"#;
        assert_eq!(parse_export(other, "x").ok(), parse(other, "x").ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let e = parse(&deep, "the policy").err();
        assert!(e.is_some_and(|e| e.message.contains("nests deeper")));
        assert!(parse("[[1, {\"a\": [true, null, 2.5]}]]", "x").is_ok());
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let e = parse("{\"Statement\": [", "the policy").err();
        assert!(
            e.is_some_and(|e| e.message.starts_with("the policy is not valid JSON")
                && e.message.contains("line 1"))
        );
    }
}

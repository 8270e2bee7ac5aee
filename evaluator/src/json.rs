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
    let mut de = serde_json::Deserializer::from_str(text);
    let result = Seed {
        path: Pointer::root(),
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    result.map_err(|e| {
        let msg = e.to_string();
        // Our own errors carry their pointer, message and help (see `located`); serde_json
        // appends the position.
        let position = format!(" at line {} column {}", e.line(), e.column());
        let bare = msg.strip_suffix(&position).unwrap_or(&msg);
        match unlocated(bare) {
            Some((pointer, rest, help)) => {
                let e = PolicyError::new(pointer_from(pointer), format!("{rest}{position}"));
                if help.is_empty() {
                    e
                } else {
                    e.help(help.to_owned())
                }
            }
            None => PolicyError::new(Pointer::root(), format!("{what} is not valid JSON: {msg}"))
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

struct Seed {
    path: Pointer,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
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
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
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
            return Err(too_deep(&self.path));
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed {
            path: self.path.index(out.len()),
            depth: self.depth + 1,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(&self.path));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.path.key(&key);
            if out.contains_key(&key) {
                return Err(de::Error::custom(located(
                    &path,
                    &format!(
                        "`{key}` appears twice in the same object; AWS rejects duplicate elements"
                    ),
                    &format!(
                        "keep one `{key}` (IAM User Guide, \"Grammar of the IAM JSON policy language\")"
                    ),
                )));
            }
            let v = map.next_value_seed(Seed {
                path,
                depth: self.depth + 1,
            })?;
            out.insert(key, v);
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

//! YAML and JSON text as a JSON value, CloudFormation short-form tags as long forms.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Value};

use crate::limits::MAX_YAML_NODES;
use crate::pointer::Pointer;
use crate::policy::PolicyError;

/// [`read_value`] for a file read as an account export: JSON text is checked as strictly but
/// only the roles' members the export's reader uses are built ([`crate::json::parse_export`]);
/// YAML is read as [`read_value`] reads it.
pub fn read_export_value(text: &str, path: &Path) -> Result<Value, PolicyError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return crate::json::parse_export(text, "the file");
    }
    read_value(text, path)
}

/// [`read_export_value`], but a JSON export's roles are checked and not built:
/// `RoleDetailList` holds one `null` per role, for [`super::ExportRoles::from_outline`] to read
/// them one at a time.
pub fn read_export_outline(text: &str, path: &Path) -> Result<Value, PolicyError> {
    if text.trim_start().starts_with('{') {
        return crate::json::parse_export_outline(text, "the file");
    }
    read_export_value(text, path)
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
    if let Some(line) = deep_flow(text) {
        return Err(PolicyError::new(
            Pointer::root(),
            format!(
                "at line {line}, the document nests deeper than {} levels, more than trustsim reads",
                crate::limits::MAX_DEPTH
            ),
        )
        .help("a CloudFormation template nests about fifteen levels deep at most: Resources, a resource, Properties, AssumeRolePolicyDocument and the policy"));
    }
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

/// The line at which YAML flow collections (`[...]`, `{...}`) nest deeper than twice
/// [`crate::limits::MAX_DEPTH`], found by one linear pass before parsing: the YAML parser's
/// time grows with the square of flow nesting, so deep flow text is refused before it reaches
/// the parser (the deserializer refuses any document deeper than `MAX_DEPTH` anyway; the margin
/// keeps this estimate from refusing a document that parses). Quoted scalars, comments and
/// block scalars (`|`, `>`) are skipped; in block context a bracket opens a collection only
/// where a value starts (YAML 1.2, "Flow Collection Styles").
fn deep_flow(text: &str) -> Option<usize> {
    let limit = 2 * crate::limits::MAX_DEPTH;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    // The indentation of a line that opened a block scalar, while its content lasts.
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut prev = ' ';
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let before = chars.get(..i).unwrap_or(&[]);
            i += 1;
            if let Some(q) = quote {
                match (q, c) {
                    ('"', '\\') => i += 1,
                    ('\'', '\'') if chars.get(i) == Some(&'\'') => i += 1,
                    _ if c == q => quote = None,
                    _ => {}
                }
                prev = c;
                continue;
            }
            let token_start = prev.is_whitespace() || "[{,:".contains(prev);
            match c {
                '#' if prev.is_whitespace() => break,
                '"' | '\'' if token_start => quote = Some(c),
                '[' | '{' if depth > 0 || value_start(before) => {
                    depth += 1;
                    if depth > limit {
                        return Some(n + 1);
                    }
                }
                ']' | '}' if depth > 0 => depth -= 1,
                '|' | '>' if depth == 0 && value_start(before) => {
                    let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
                    let rest = rest.split(" #").next().unwrap_or("").trim();
                    if rest
                        .chars()
                        .all(|x| x.is_ascii_digit() || x == '-' || x == '+')
                    {
                        block_scalar = Some(indent);
                        break;
                    }
                }
                _ => {}
            }
            prev = c;
        }
    }
    None
}

/// Does a value start after this text of a line (in block context): nothing but indentation,
/// a `- ` or `? ` indicator, a `key: `, or a tag (`!Sub `) or an anchor (`&a `) after one of
/// those? Looks back over the last token only, so that a line costs time linear in its length.
fn value_start(before: &[char]) -> bool {
    let Some((&last, _)) = before.split_last() else {
        return true;
    };
    if !last.is_whitespace() {
        return false;
    }
    let end = before.len()
        - before
            .iter()
            .rev()
            .take_while(|c| c.is_whitespace())
            .count();
    let Some(head) = before.get(..end) else {
        return true;
    };
    let start = head.len() - head.iter().rev().take_while(|c| !c.is_whitespace()).count();
    let token = head.get(start..).unwrap_or(&[]);
    match token {
        [] => true,
        ['-' | '?'] => true,
        [.., ':'] => true,
        ['!' | '&', ..] => value_start(head.get(..start).unwrap_or(&[])),
        _ => false,
    }
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

//! A fix shown in a Terraform module's own language: the change the analysis proposes, carried
//! into the `.tf` file as text edits at the places the parser reports, so that everything else in
//! the file (comments, alignment, the other roles) stays as written. Two ways of writing a trust
//! policy are edited: `jsonencode({...})` with a literal `Statement` list, and a local
//! `data "aws_iam_policy_document"` whose statements are its own `statement` blocks. The owner's
//! account is written `data.aws_caller_identity.NAME.account_id` (the module's own data source,
//! or a new `data "aws_caller_identity" "current" {}`), so that the module stays
//! account-agnostic (Terraform AWS provider documentation, data source `aws_caller_identity`).
//! The patched module is read again and re-analysed: the patch is shown only when every policy
//! the role can then deploy with closes the threat.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, Object, ObjectKey};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use serde_json::{Map, Value};

use super::StatementChange;
use crate::analysis::{analyze_threat, AnalysisOptions, Threat, Verdict};
use crate::policy::TrustPolicy;
use crate::sources::terraform_config::{module_roles, ModuleFiles};
use crate::sources::Deployment;

/// One text edit: the bytes of `range` replaced by `text` (an insertion when it is empty).
struct Edit {
    range: Range<usize>,
    text: String,
}

/// How the owner's account is written, and whether a fix used it.
struct Account {
    owner: Option<String>,
    expr: String,
    used: bool,
}

/// The statements of a document, as a list.
fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A quoted HCL string: JSON escapes, and `${` / `%{` doubled so that they stay literal
/// (Terraform Language documentation, "Strings and Templates": "Escape Sequences").
fn quoted(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// An object key: bare when it is an identifier, else quoted.
fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_owned()
    } else {
        quoted(k)
    }
}

/// A JSON value as an HCL expression, the owner's account written account-agnostic.
fn hcl(v: &Value, account: &mut Account) -> String {
    match v {
        Value::String(s) => match account.owner.as_deref() {
            Some(a) if s == a => {
                account.used = true;
                account.expr.clone()
            }
            Some(a) if s.contains(a) => {
                account.used = true;
                let parts: Vec<String> = s
                    .split(a)
                    .map(|p| quoted(p).trim_matches('"').to_owned())
                    .collect();
                format!("\"{}\"", parts.join(&format!("${{{}}}", account.expr)))
            }
            _ => quoted(s),
        },
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|x| hcl(x, account)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{} = {}", key(k), hcl(x, account)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn key_name(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(i) => Some(i.as_str().to_owned()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
        ObjectKey::Expression(_) => None,
    }
}

/// The value of `name` in an object literal.
fn entry<'o>(o: &'o Object, name: &str) -> Option<&'o Expression> {
    o.iter()
        .find(|(k, _)| key_name(k).as_deref() == Some(name))
        .map(|(_, v)| v.expr())
}

/// The start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The end of the line holding byte `at` (the index of its newline, or the text's end).
fn line_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i)
}

fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// An insertion of `item` (`KEY = VALUE`) as the last entry of the object literal at `span`.
fn insert_entry(text: &str, span: &Range<usize>, item: &str) -> Option<Edit> {
    let close = span.end.checked_sub(1)?;
    if text.get(close..span.end)? != "}" {
        return None;
    }
    let inner = text.get(span.start + 1..close)?;
    let ls = line_start(text, close);
    if inner.contains('\n') && text.get(ls..close)?.trim().is_empty() {
        // One entry per line: the new one above the closing brace, indented as the others.
        let indent = inner
            .lines()
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .map(indentation)
            .map_or_else(
                || format!("{}  ", indentation(text.get(ls..close).unwrap_or(""))),
                str::to_owned,
            );
        return Some(Edit {
            range: ls..ls,
            text: format!("{indent}{item}\n"),
        });
    }
    let before = text.get(..close)?.trim_end();
    let at = before.len();
    let sep = if before.ends_with(['{', ',']) {
        " "
    } else {
        ", "
    };
    let tail = if at == close { " " } else { "" };
    Some(Edit {
        range: at..at,
        text: format!("{sep}{item}{tail}"),
    })
}

/// A replacement of the expression at `span`.
fn replace(span: Option<Range<usize>>, text: String) -> Option<Edit> {
    Some(Edit { range: span?, text })
}

/// Edits for a `jsonencode` statement object.
fn jsonencode_edits(
    text: &str,
    stmt: &Object,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    account: &mut Account,
) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    let span = stmt.span()?;
    for (k, new) in after {
        if before.get(k) == Some(new) {
            continue;
        }
        match k.as_str() {
            "Condition" => {
                let old = before.get("Condition").and_then(Value::as_object);
                let Some(src) = entry(stmt, "Condition") else {
                    let item = format!("Condition = {}", hcl(new, account));
                    edits.push(insert_entry(text, &span, &item)?);
                    continue;
                };
                let Expression::Object(cond) = src else {
                    return None;
                };
                for (op, keys) in new.as_object()? {
                    let old_keys = old.and_then(|o| o.get(op)).and_then(Value::as_object);
                    let added: Map<String, Value> = keys
                        .as_object()?
                        .iter()
                        .filter(|(k, v)| old_keys.and_then(|o| o.get(*k)) != Some(*v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if added.is_empty() {
                        continue;
                    }
                    let Some(block) = entry(cond, op) else {
                        let item = format!("{} = {}", key(op), hcl(&Value::Object(added), account));
                        edits.push(insert_entry(text, &cond.span()?, &item)?);
                        continue;
                    };
                    let Expression::Object(block) = block else {
                        return None;
                    };
                    for (ck, v) in &added {
                        match entry(block, ck) {
                            Some(e) => edits.push(replace(e.span(), hcl(v, account))?),
                            None => {
                                let item = format!("{} = {}", key(ck), hcl(v, account));
                                edits.push(insert_entry(text, &block.span()?, &item)?);
                            }
                        }
                    }
                }
            }
            "Principal" => {
                let src = entry(stmt, "Principal")?;
                edits.push(replace(src.span(), hcl(new, account))?);
            }
            _ => return None,
        }
    }
    Some(edits)
}

fn string_attr(body: &Body, name: &str) -> Option<String> {
    match &body.get_attribute(name)?.value {
        Expression::String(s) => Some(s.value().clone()),
        _ => None,
    }
}

/// The lines of a block, when it stands alone on them: from its line's start to just after its
/// last line's newline.
fn own_lines(text: &str, span: &Range<usize>) -> Option<Range<usize>> {
    let ls = line_start(text, span.start);
    let le = line_end(text, span.end);
    let alone =
        text.get(ls..span.start)?.trim().is_empty() && text.get(span.end..le)?.trim().is_empty();
    alone.then(|| ls..(le + 1).min(text.len()))
}

/// A nested block as text, at an indentation.
fn block_text(indent: &str, ident: &str, attrs: &[(&str, String)]) -> String {
    let width = attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = format!("{indent}{ident} {{\n");
    for (k, v) in attrs {
        out.push_str(&format!("{indent}  {k:width$} = {v}\n"));
    }
    out.push_str(&format!("{indent}}}\n"));
    out
}

/// Edits for a `statement` block of an `aws_iam_policy_document`.
fn document_edits(
    text: &str,
    stmt: &Block,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    account: &mut Account,
) -> Option<Vec<Edit>> {
    let span = stmt.span()?;
    let close = span.end.checked_sub(1)?;
    let ls = line_start(text, close);
    if text.get(close..span.end)? != "}" || !text.get(ls..close)?.trim().is_empty() {
        return None;
    }
    let indent = format!("{}  ", indentation(text.get(ls..close)?));
    let mut edits = Vec::new();
    for (k, new) in after {
        if before.get(k) == Some(new) {
            continue;
        }
        match k.as_str() {
            "Condition" => {
                let old = before.get("Condition").and_then(Value::as_object);
                for (op, keys) in new.as_object()? {
                    for (ck, v) in keys.as_object()? {
                        let was = old.and_then(|o| o.get(op)).and_then(|o| o.get(ck));
                        if was == Some(v) {
                            continue;
                        }
                        let values = match v {
                            Value::Array(_) => hcl(v, account),
                            one => hcl(&Value::Array(vec![one.clone()]), account),
                        };
                        let existing = stmt.body.get_blocks("condition").find(|b| {
                            string_attr(&b.body, "test").as_deref() == Some(op)
                                && string_attr(&b.body, "variable").as_deref() == Some(ck)
                        });
                        match (existing, was) {
                            (Some(b), _) => {
                                let attr = b.body.get_attribute("values")?;
                                edits.push(replace(attr.value.span(), values)?);
                            }
                            // The key is written in a way this module does not edit.
                            (None, Some(_)) => return None,
                            (None, None) => edits.push(Edit {
                                range: ls..ls,
                                text: block_text(
                                    &indent,
                                    "condition",
                                    &[
                                        ("test", quoted(op)),
                                        ("variable", quoted(ck)),
                                        ("values", values),
                                    ],
                                ),
                            }),
                        }
                    }
                }
            }
            "Principal" => {
                if stmt.body.has_blocks("not_principals") {
                    return None;
                }
                let mut text_new = String::new();
                for (ty, ids) in new.as_object()? {
                    let ids = match ids {
                        Value::Array(_) => hcl(ids, account),
                        one => hcl(&Value::Array(vec![one.clone()]), account),
                    };
                    text_new.push_str(&block_text(
                        &indent,
                        "principals",
                        &[("type", quoted(ty)), ("identifiers", ids)],
                    ));
                }
                let old: Vec<Range<usize>> = stmt
                    .body
                    .get_blocks("principals")
                    .map(|b| b.span().and_then(|s| own_lines(text, &s)))
                    .collect::<Option<_>>()?;
                let mut old = old.into_iter();
                match old.next() {
                    Some(first) => {
                        edits.push(Edit {
                            range: first,
                            text: text_new,
                        });
                        edits.extend(old.map(|range| Edit {
                            range,
                            text: String::new(),
                        }));
                    }
                    None => edits.push(Edit {
                        range: ls..ls,
                        text: text_new,
                    }),
                }
            }
            _ => return None,
        }
    }
    Some(edits)
}

/// Applies edits to a text; `None` when two of them overlap.
fn apply(text: &str, mut edits: Vec<(usize, Edit)>) -> Option<String> {
    edits.sort_by_key(|(seq, e)| (e.range.start, *seq));
    for pair in edits.windows(2) {
        if let [(_, a), (_, b)] = pair {
            if a.range.end > b.range.start {
                return None;
            }
        }
    }
    let mut out = text.to_owned();
    for (_, e) in edits.iter().rev() {
        out.replace_range(e.range.clone(), &e.text);
    }
    Some(out)
}

fn is_hcl(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".tf")
}

fn labels(b: &Block) -> Vec<&str> {
    b.labels.iter().map(|l| l.as_str()).collect()
}

/// Where a role's statements are written.
enum Written<'b> {
    /// `jsonencode({... Statement = [{...}, ...]})`: the statement objects.
    Jsonencode(Vec<&'b Object>),
    /// A local `aws_iam_policy_document`, in file `usize`: its `statement` blocks.
    Document(usize, String, Vec<&'b Block>),
}

/// The statements of the role's policy as written, with the file of the role.
fn written<'b>(
    files: &[(PathBuf, String)],
    bodies: &'b [(usize, Body)],
    role: &str,
) -> Option<(usize, Written<'b>)> {
    let want = role.strip_prefix("aws_iam_role.")?;
    let (file, block) = bodies.iter().find_map(|(i, body)| {
        body.get_blocks("resource")
            .find(|b| labels(b) == ["aws_iam_role", want])
            .map(|b| (*i, b))
    })?;
    let policy = &block.body.get_attribute("assume_role_policy")?.value;
    match policy {
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 => {
            let Some(Expression::Object(doc)) = f.args.get(0) else {
                return None;
            };
            let list = match entry(doc, "Statement")? {
                Expression::Array(items) => items
                    .iter()
                    .map(|e| match e {
                        Expression::Object(o) => Some(o),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                Expression::Object(o) => vec![o],
                _ => return None,
            };
            Some((file, Written::Jsonencode(list)))
        }
        Expression::Traversal(_) => {
            let shown = files.get(file)?.1.get(policy.span()?)?;
            let parts: Vec<&str> = shown.trim().split('.').collect();
            let ["data", "aws_iam_policy_document", name, "json"] = parts.as_slice() else {
                return None;
            };
            let (doc_file, doc) = bodies.iter().find_map(|(i, body)| {
                body.get_blocks("data")
                    .find(|b| labels(b) == ["aws_iam_policy_document", *name])
                    .map(|b| (*i, b))
            })?;
            // Statements that come from elsewhere, or repeat, are not edited here.
            let from_elsewhere = [
                "source_policy_documents",
                "override_policy_documents",
                "source_json",
                "override_json",
                "count",
                "for_each",
            ]
            .iter()
            .any(|a| doc.body.has_attribute(a))
                || doc.body.has_blocks("dynamic");
            if from_elsewhere {
                return None;
            }
            let blocks = doc.body.get_blocks("statement").collect();
            Some((
                file,
                Written::Document(doc_file, (*name).to_owned(), blocks),
            ))
        }
        _ => None,
    }
}

/// The name of the module's `data "aws_caller_identity"`, if it declares one.
fn caller_identity(bodies: &[(usize, Body)]) -> Option<String> {
    bodies.iter().find_map(|(_, body)| {
        body.get_blocks("data")
            .find_map(|b| match labels(b).as_slice() {
                ["aws_caller_identity", name] => Some((*name).to_owned()),
                _ => None,
            })
    })
}

fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).map_or(0, |t| t.matches('\n').count()) + 1
}

/// The fix of `threat` for the Terraform role `name` (`aws_iam_role.NAME`) of a module, as the
/// statements of its `.tf` file before and after; `None` when the policy is not written in a
/// way this module edits (a `.tf.json` file, a heredoc, a policy built elsewhere), or when the
/// patched module, read again, does not close the threat.
#[allow(clippy::too_many_arguments)]
pub fn terraform(
    module: &ModuleFiles,
    name: &str,
    deployment: &Deployment,
    resolved: &Value,
    fix: &Value,
    threat: Threat,
    options: &AnalysisOptions,
) -> Option<Vec<StatementChange>> {
    let bodies: Vec<(usize, Body)> = module
        .files
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| is_hcl(p))
        .filter_map(|(i, (_, t))| hcl_edit::parser::parse_body(t).ok().map(|b| (i, b)))
        .collect();
    let (role_file, where_) = written(&module.files, &bodies, name)?;
    let before = statements(resolved);
    let after = statements(fix);
    let declared = caller_identity(&bodies);
    let mut account = Account {
        // Without the owner's account the fix holds its stand-in, which the module can name.
        owner: Some(
            deployment
                .owner
                .clone()
                .unwrap_or_else(|| crate::analysis::fix::OWNER_ACCOUNT.to_owned()),
        ),
        expr: format!(
            "data.aws_caller_identity.{}.account_id",
            declared.as_deref().unwrap_or("current")
        ),
        used: false,
    };
    let (file, count) = match &where_ {
        Written::Jsonencode(list) => (role_file, list.len()),
        Written::Document(f, _, list) => (*f, list.len()),
    };
    if count != before.len() || before.len() != after.len() {
        return None;
    }
    let text = &module.files.get(file)?.1;
    let mut edits: Vec<(usize, Edit)> = Vec::new();
    // For each changed statement: its span, its label, and the edits' byte delta.
    let mut changed: Vec<(Range<usize>, String, isize)> = Vec::new();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        if b == a {
            continue;
        }
        let (b, a) = (b.as_object()?, a.as_object()?);
        let (span, label, these) = match &where_ {
            Written::Jsonencode(list) => {
                let o = list.get(i)?;
                (
                    o.span()?,
                    format!("{name}: assume_role_policy, Statement {i}"),
                    jsonencode_edits(text, o, b, a, &mut account)?,
                )
            }
            Written::Document(_, doc, list) => {
                let s = list.get(i)?;
                (
                    s.span()?,
                    format!(
                        "data.aws_iam_policy_document.{doc}: statement block {}",
                        i + 1
                    ),
                    document_edits(text, s, b, a, &mut account)?,
                )
            }
        };
        let delta: isize = these
            .iter()
            .map(|e| {
                isize::try_from(e.text.len()).unwrap_or(0)
                    - isize::try_from(e.range.len()).unwrap_or(0)
            })
            .sum();
        changed.push((span, label, delta));
        let base = edits.len();
        edits.extend(these.into_iter().enumerate().map(|(k, e)| (base + k, e)));
    }
    if changed.is_empty() {
        return None;
    }
    let patched = apply(text, edits)?;
    let mut files: Vec<(PathBuf, String)> = module.files.clone();
    files.get_mut(file)?.1 = patched.clone();
    let mut extra = None;
    if account.used && declared.is_none() {
        let block = "data \"aws_caller_identity\" \"current\" {}\n".to_owned();
        let role_text = &mut files.get_mut(role_file)?.1;
        if !role_text.ends_with('\n') {
            role_text.push('\n');
        }
        role_text.push('\n');
        role_text.push_str(&block);
        extra = Some(StatementChange {
            place: format!(
                "{}: a new data source, the owner's account",
                module.files.get(role_file)?.0.display()
            ),
            before: String::new(),
            after: block,
        });
    }
    // Read again, every policy the role can deploy with closes the threat.
    let read = module_roles(&module.dir, &files, deployment);
    let role = read.roles.into_iter().find(|r| r.name == name)?;
    let docs: Vec<&Value> = if role.branches.is_empty() {
        vec![&role.document]
    } else {
        role.branches.iter().map(|b| &b.document).collect()
    };
    for d in docs {
        let p = TrustPolicy::from_value(d).ok()?;
        if !matches!(
            analyze_threat(&p, threat, options).verdict,
            Verdict::Restricted | Verdict::NotApplicable
        ) {
            return None;
        }
    }
    let path = module.files.get(file)?.0.display().to_string();
    let mut shift: isize = 0;
    let mut out: Vec<StatementChange> = Vec::new();
    for (span, label, delta) in changed {
        let start = line_start(text, span.start);
        let end = line_end(text, span.end);
        let new_start = start.checked_add_signed(shift)?;
        let new_end = line_end(&patched, span.end.checked_add_signed(shift + delta)?);
        out.push(StatementChange {
            place: format!("{path}, line {} ({label})", line_of(text, span.start)),
            before: text.get(start..end)?.to_owned(),
            after: patched.get(new_start..new_end)?.to_owned(),
        });
        shift += delta;
    }
    out.extend(extra);
    Some(out)
}

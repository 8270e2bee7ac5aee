//! Terraform configuration read directly: the `.tf` and `.tf.json` files of one directory (a
//! module), as checkov and tfsec read them, without a plan. Every `resource "aws_iam_role"` is a
//! role; its `assume_role_policy` is `jsonencode({...})`, a JSON string or heredoc,
//! `file("...")` or `templatefile("...", {...})` next to the module, or
//! `data.aws_iam_policy_document.NAME.json` (`document`). Values come from
//! `terraform.tfvars` and `*.auto.tfvars` in the directory, `--parameter NAME=VALUE`, and the
//! variables' defaults, in that order of precedence (Terraform Language documentation, "Input
//! Variables": "Variable Definition Precedence"); what the files do not give is an opaque value
//! the owner controls, with a note (`eval`). A conditional whose condition is not known is
//! explored both ways, as CloudFormation conditions are.
//!
//! Inline acceptance: a comment `# trustsim:ignore THREAT REASON` (or `//`) on the lines just
//! above the role's `resource` line.

mod document;
mod eval;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::expr::Expression;
use hcl::structure::{Block, Body};
use serde_json::Value;

use super::{Branch, Deployment, InlineIgnore, Role};
use crate::limits::{MAX_DEPTH, MAX_POLICY_FILE_BYTES, MAX_TEMPLATE_BRANCHES};
use eval::{has_unresolved, Assumption, Eval};

/// An error in a Terraform file, at a line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{}", self.place_and_message())]
#[diagnostic(code(trustsim::terraform))]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// The line (1-based), when known.
    pub line: Option<usize>,
    /// The column (1-based), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    #[help]
    pub help: String,
}

impl ConfigError {
    /// `FILE: line L, column C: message` (the Display; the help is the diagnostic's).
    fn place_and_message(&self) -> String {
        let place = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(": line {l}, column {c}"),
            (Some(l), None) => format!(": line {l}"),
            _ => String::new(),
        };
        format!("{}{place}: {}", self.file.display(), self.message)
    }
}

/// Is this a Terraform configuration file (`.tf`, `.tf.json`) or a variable definitions file
/// (`.tfvars`, `.tfvars.json`)?
pub fn is_terraform_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tf.json") || name.ends_with(".tfvars")
}

/// A module's files as read: its directory and each file's path and text.
#[derive(Debug, Default)]
pub struct ModuleFiles {
    /// The module's directory.
    pub dir: PathBuf,
    /// Each file, as `(path, text)`.
    pub files: Vec<(PathBuf, String)>,
}

/// What [`module_roles`] found.
#[derive(Debug, Default)]
pub struct ModuleRoles {
    /// The roles, in file and then declaration order.
    pub roles: Vec<Role>,
    /// Files that do not parse, and roles whose policy cannot be known.
    pub errors: Vec<ConfigError>,
    /// Roles that are not created under the module's values (`count = 0`).
    pub notes: Vec<String>,
}

/// A module's declarations, borrowed from its parsed files.
pub(crate) struct Module<'a> {
    dir: &'a Path,
    variables: BTreeMap<String, Option<&'a Expression>>,
    /// Values given for variables (tfvars files, then `--parameter`).
    given: BTreeMap<String, Value>,
    locals: BTreeMap<String, &'a Expression>,
    documents: BTreeMap<String, &'a Body>,
    owner: Option<&'a str>,
    partition: &'a str,
}

impl Module<'_> {
    /// A file next to the module (`file("${path.module}/trust.json")`): a relative path inside
    /// the module's directory tree, at most [`MAX_POLICY_FILE_BYTES`].
    fn read(&self, path: &str, _depth: usize) -> Result<String, String> {
        let rel = Path::new(path);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err("a path outside the module's directory, not read".to_owned());
        }
        let full = self.dir.join(rel);
        let meta = std::fs::metadata(&full).map_err(|e| format!("cannot read it: {e}"))?;
        if meta.len() > u64::try_from(MAX_POLICY_FILE_BYTES).unwrap_or(u64::MAX) {
            return Err("larger than a policy file can be".to_owned());
        }
        std::fs::read_to_string(&full).map_err(|e| format!("cannot read it: {e}"))
    }
}

/// One parsed file of the module.
struct Parsed {
    path: PathBuf,
    text: String,
    body: Body,
}

/// Deepest bracket nesting read: deeper text is refused before parsing, so that a hostile file
/// cannot exhaust the parser's stack.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        for c in line.chars() {
            match c {
                '{' | '[' | '(' => {
                    depth += 1;
                    if depth > 4 * MAX_DEPTH {
                        return Some(i + 1);
                    }
                }
                '}' | ']' | ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

fn parse(path: &Path, text: &str) -> Result<Body, ConfigError> {
    let err = |line, column, message: String, help: &str| ConfigError {
        file: path.to_path_buf(),
        line,
        column,
        message,
        help: help.to_owned(),
    };
    if let Some(line) = too_deep(text) {
        return Err(err(
            Some(line),
            None,
            format!("brackets nest more than {} deep", 4 * MAX_DEPTH),
            "Terraform configuration is rarely nested this deeply; check the file",
        ));
    }
    let name = path.to_string_lossy();
    if name.ends_with(".json") {
        let value = crate::json::parse(text, "the file").map_err(|e| {
            err(
                None,
                None,
                format!("at {}: {}", e.pointer, e.message),
                "a `.tf.json` file is one JSON object (Terraform Language documentation, \"JSON Configuration Syntax\")",
            )
        })?;
        return json_body(&value, 0).map_err(|m| {
            err(None, None, m, "a `.tf.json` file is one JSON object of block types (Terraform Language documentation, \"JSON Configuration Syntax\")")
        });
    }
    hcl::parse(text).map_err(|e| match e {
        hcl::Error::Parse(p) => err(
            Some(p.location().line()),
            Some(p.location().column()),
            format!("not valid HCL: {}", p.message()),
            "fix the syntax at that place (`terraform validate` says the same)",
        ),
        other => err(
            None,
            None,
            format!("not valid HCL: {other}"),
            "fix the file's syntax",
        ),
    })
}

/// The nested block types of the bodies trustsim reads, for `.tf.json` (where a block and an
/// attribute look alike: Terraform's JSON syntax decides by the schema).
const NESTED_BLOCKS: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "dynamic",
    "content",
];

/// A `.tf.json` object as a body (Terraform Language documentation, "JSON Configuration
/// Syntax"): `resource`/`data` have two labels, `variable`/`output`/`module`/`provider` one,
/// `locals` none; strings are templates.
fn json_body(v: &Value, labels: usize) -> Result<Body, String> {
    let _ = labels;
    let Value::Object(top) = v else {
        return Err("the top level is not an object".to_owned());
    };
    let mut body = Body::builder();
    for (kind, content) in top {
        let n = match kind.as_str() {
            "resource" | "data" => 2,
            "variable" | "output" | "module" | "provider" => 1,
            "locals" | "terraform" => 0,
            _ => continue,
        };
        for block in labelled(kind, content, n, Vec::new())? {
            body = body.add_block(block);
        }
    }
    Ok(body.build())
}

fn labelled(kind: &str, v: &Value, n: usize, labels: Vec<String>) -> Result<Vec<Block>, String> {
    if n == 0 {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            let mut b = Block::builder(kind);
            for l in &labels {
                b = b.add_label(l.as_str());
            }
            out.push(b.add_structures(json_structures(item)?).build());
        }
        return Ok(out);
    }
    let Value::Object(m) = v else {
        return Err(format!(
            "`{kind}` {} is not an object of labels",
            labels.join(".")
        ));
    };
    let mut out = Vec::new();
    for (label, inner) in m {
        let mut l = labels.clone();
        l.push(label.clone());
        out.extend(labelled(kind, inner, n - 1, l)?);
    }
    Ok(out)
}

fn json_structures(v: &Value) -> Result<Vec<hcl::structure::Structure>, String> {
    let Value::Object(m) = v else {
        return Err("a block's content is not an object".to_owned());
    };
    let mut out = Vec::new();
    for (k, x) in m {
        if NESTED_BLOCKS.contains(&k.as_str()) {
            let n = usize::from(k == "dynamic");
            out.extend(
                labelled(k, x, n, Vec::new())?
                    .into_iter()
                    .map(hcl::structure::Structure::Block),
            );
        } else {
            out.push(hcl::structure::Structure::Attribute(
                hcl::structure::Attribute::new(k.as_str(), json_expr(x)),
            ));
        }
    }
    Ok(out)
}

/// A JSON value as an expression: strings are templates (`"${var.x}"`).
fn json_expr(v: &Value) -> Expression {
    match v {
        Value::String(s) if s.contains("${") || s.contains("%{") => {
            Expression::TemplateExpr(Box::new(hcl::expr::TemplateExpr::QuotedString(
                s.replace('\\', "\\\\").replace('"', "\\\""),
            )))
        }
        Value::String(s) => Expression::String(s.clone()),
        Value::Array(a) => Expression::Array(a.iter().map(json_expr).collect()),
        Value::Object(m) => Expression::Object(
            m.iter()
                .map(|(k, v)| (hcl::expr::ObjectKey::from(k.as_str()), json_expr(v)))
                .collect(),
        ),
        Value::Bool(b) => Expression::Bool(*b),
        Value::Number(n) => serde_json::from_value::<hcl::Number>(Value::Number(n.clone()))
            .map_or(Expression::Null, Expression::Number),
        Value::Null => Expression::Null,
    }
}

fn block_label(b: &Block, i: usize) -> Option<&str> {
    b.labels.get(i).map(|l| l.as_str())
}

fn attribute<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map(|a| &a.expr)
}

/// The lines (1-based, in order) where blocks `IDENT "LABEL" ...` with these labels start in a
/// native `.tf` file (none for `.tf.json`, where a duplicate key is the JSON reader's error).
fn header_lines(text: &str, ident: &str, labels: &[&str]) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let mut words = l.split_whitespace();
            words.next() == Some(ident)
                && labels
                    .iter()
                    .all(|want| words.next().is_some_and(|w| w.trim_matches('"') == *want))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// For each file, the line of each `resource "aws_iam_role" "NAME"` (computed once per file);
/// in a `.tf.json` file, the line of the `"NAME":` key after `"aws_iam_role":`.
fn role_lines(text: &str, json: bool) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    if json {
        let mut inside = false;
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("\"aws_iam_role\"") {
                inside = true;
                continue;
            }
            if inside {
                if let Some(rest) = t.strip_prefix('"') {
                    if let Some((name, after)) = rest.split_once('"') {
                        if after.trim_start().starts_with(':') && after.contains('{') {
                            out.entry(name.to_owned()).or_insert(i + 1);
                        }
                    }
                }
            }
        }
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix("resource") else {
            continue;
        };
        let quoted: Vec<&str> = rest.split('"').skip(1).step_by(2).collect();
        if let [ty, name, ..] = quoted.as_slice() {
            if *ty == "aws_iam_role" {
                out.entry((*name).to_owned()).or_insert(i + 1);
            }
        }
    }
    out
}

/// `# trustsim:ignore THREAT REASON` comments on the lines just above `line`.
fn inline_ignores(text: &str, line: usize, file: &Path) -> Result<Vec<InlineIgnore>, ConfigError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut at = line.saturating_sub(1);
    while at > 0 {
        let Some(l) = lines.get(at - 1) else { break };
        let t = l.trim();
        let Some(comment) = t
            .strip_prefix('#')
            .or_else(|| t.strip_prefix("//"))
            .map(str::trim)
        else {
            break;
        };
        if let Some(rest) = comment.strip_prefix("trustsim:ignore") {
            let rest = rest.trim();
            let (threat, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let bad = |m: String, h: &str| ConfigError {
                file: file.to_path_buf(),
                line: Some(at),
                column: None,
                message: m,
                help: h.to_owned(),
            };
            if crate::analysis::Threat::from_name(threat).is_none() {
                return Err(bad(
                    format!("`{threat}` is not a threat"),
                    "write `# trustsim:ignore THREAT REASON`, THREAT one of public, forged-service, confused-deputy, federated, account-wide",
                ));
            }
            if reason.trim().is_empty() {
                return Err(bad(
                    "an inline ignore needs a reason".to_owned(),
                    "say why the finding is accepted: `# trustsim:ignore confused-deputy vendor X, reviewed 2026-11`",
                ));
            }
            out.push(InlineIgnore {
                threat: threat.to_owned(),
                reason: reason.trim().to_owned(),
                pointer: format!("line {at}"),
            });
        }
        at -= 1;
    }
    Ok(out)
}

/// Variable values from `terraform.tfvars` and `*.auto.tfvars` (HCL attributes).
fn tfvars(parsed: &[Parsed], m: &Module) -> BTreeMap<String, Value> {
    let mut files: Vec<&Parsed> = parsed
        .iter()
        .filter(|p| {
            let n = p
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n == "terraform.tfvars" || n.ends_with(".auto.tfvars")
        })
        .collect();
    // terraform.tfvars first, then *.auto.tfvars in lexical order (later ones win).
    files.sort_by_key(|p| {
        (
            !p.path.ends_with("terraform.tfvars"),
            p.path.file_name().map(|n| n.to_os_string()),
        )
    });
    let mut out = BTreeMap::new();
    let none = Assumption::new();
    for f in files {
        for a in f.body.attributes() {
            let mut ev = Eval::new(m, &none);
            out.insert(a.key.as_str().to_owned(), ev.value(&a.expr));
        }
    }
    out
}

/// The roles of one module: the Terraform files of one directory, as `(path, text)`. Files that
/// do not parse are errors (the others are still read); so is a role whose policy cannot be
/// known from the files.
pub fn module_roles(
    dir: &Path,
    files: &[(PathBuf, String)],
    deployment: &Deployment,
) -> ModuleRoles {
    let mut errors = Vec::new();
    let mut notes_out = Vec::new();
    let mut parsed = Vec::new();
    for (path, text) in files {
        match parse(path, text) {
            Ok(body) => parsed.push(Parsed {
                path: path.clone(),
                text: text.clone(),
                body,
            }),
            Err(e) => errors.push(e),
        }
    }
    let mut module = Module {
        dir,
        variables: BTreeMap::new(),
        given: BTreeMap::new(),
        locals: BTreeMap::new(),
        documents: BTreeMap::new(),
        owner: deployment.owner.as_deref(),
        partition: deployment.partition.as_deref().unwrap_or("aws"),
    };
    let mut roles: Vec<(&Parsed, &Block)> = Vec::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    // Where each block this reader uses was declared: Terraform refuses a module that declares
    // one twice, so a second declaration is an error here too, not a silent winner.
    let mut declared: BTreeMap<String, (PathBuf, Option<usize>)> = BTreeMap::new();
    let mut occurrences: BTreeMap<(PathBuf, String), usize> = BTreeMap::new();
    for p in &parsed {
        for b in p.body.blocks() {
            let labels: Vec<&str> = (0..2).filter_map(|i| block_label(b, i)).collect();
            let used = match (b.identifier.as_str(), labels.as_slice()) {
                ("variable", [name]) => Some(format!("variable \"{name}\"")),
                ("data", ["aws_iam_policy_document", name]) => {
                    Some(format!("data \"aws_iam_policy_document\" \"{name}\""))
                }
                ("resource", ["aws_iam_role", name]) => {
                    Some(format!("resource \"aws_iam_role\" \"{name}\""))
                }
                _ => None,
            };
            if let Some(what) = used {
                let n = occurrences
                    .entry((p.path.clone(), what.clone()))
                    .or_insert(0);
                let line = header_lines(&p.text, b.identifier.as_str(), &labels)
                    .get(*n)
                    .copied();
                *n += 1;
                if let Some((file, first)) = declared.get(&what) {
                    let at = match first {
                        Some(l) => format!("{}:{l}", file.display()),
                        None => file.display().to_string(),
                    };
                    errors.push(ConfigError {
                        file: p.path.clone(),
                        line,
                        column: None,
                        message: format!("`{what}` is declared twice; the first is at {at}"),
                        help: "keep one: Terraform refuses a module that declares a resource, data source or variable twice (Terraform Language documentation, \"Resource Blocks\": the type and name together must be unique within a module; \"Input Variables\")".to_owned(),
                    });
                    continue;
                }
                declared.insert(what, (p.path.clone(), line));
            }
            match (b.identifier.as_str(), block_label(b, 0), block_label(b, 1)) {
                ("variable", Some(name), _) => {
                    if let Some(ty) = attribute(&b.body, "type") {
                        types.insert(name.to_owned(), ty.to_string().trim().to_owned());
                    }
                    module
                        .variables
                        .insert(name.to_owned(), attribute(&b.body, "default"));
                }
                ("locals", _, _) => {
                    for a in b.body.attributes() {
                        module.locals.insert(a.key.as_str().to_owned(), &a.expr);
                    }
                }
                ("data", Some("aws_iam_policy_document"), Some(name)) => {
                    module.documents.insert(name.to_owned(), &b.body);
                }
                ("resource", Some("aws_iam_role"), Some(_)) => roles.push((p, b)),
                _ => {}
            }
        }
    }
    let mut given = tfvars(&parsed, &module);
    for (k, v) in &deployment.parameters {
        if module.variables.contains_key(k) {
            // A list or map is written in HCL, as with `terraform -var` (Terraform Language
            // documentation, "Input Variables": "Variables on the Command Line").
            let complex = v.trim_start().starts_with(['[', '{']);
            let value = match hcl::parse(&format!("v = {v}")) {
                Ok(body) if complex => {
                    let none = Assumption::new();
                    let mut ev = Eval::new(&module, &none);
                    body.attributes()
                        .next()
                        .map_or(Value::Null, |a| ev.value(&a.expr))
                }
                // A `bool` or `number` variable converts the text (Terraform Language
                // documentation, "Type Constraints": "Conversion of Primitive Types").
                _ => match (types.get(k).map(String::as_str), v.as_str()) {
                    (Some("bool"), "true") => Value::Bool(true),
                    (Some("bool"), "false") => Value::Bool(false),
                    (Some("number"), n) => n
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| Value::String(v.clone()), Value::Number),
                    _ => Value::String(v.clone()),
                },
            };
            given.insert(k.clone(), value);
        }
    }
    module.given = given;
    let shared = std::sync::Arc::new(ModuleFiles {
        dir: dir.to_path_buf(),
        files: files.to_vec(),
    });
    let mut out = Vec::new();
    let mut lines: BTreeMap<PathBuf, BTreeMap<String, usize>> = BTreeMap::new();
    for (p, block) in roles {
        let name = block_label(block, 1).unwrap_or("").to_owned();
        let address = format!("aws_iam_role.{name}");
        let line = lines
            .entry(p.path.clone())
            .or_insert_with(|| role_lines(&p.text, p.path.to_string_lossy().ends_with(".json")))
            .get(&name)
            .copied();
        let err = |message: String, help: &str| ConfigError {
            file: p.path.clone(),
            line,
            column: None,
            message,
            help: help.to_owned(),
        };
        let Some(policy) = attribute(&block.body, "assume_role_policy") else {
            errors.push(err(
                format!("`{address}` has no `assume_role_policy`"),
                "the AWS provider requires it (Terraform AWS provider documentation, resource `aws_iam_role`)",
            ));
            continue;
        };
        let ignores = match line {
            Some(l) => match inline_ignores(&p.text, l, &p.path) {
                Ok(i) => i,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
            None => Vec::new(),
        };
        let count = attribute(&block.body, "count");
        match explore_role(&module, count, policy) {
            Ok((branches, complete, mut notes)) => {
                let Some(first) = branches.first() else {
                    notes_out.push(format!(
                        "{}#{address}: not created: its `count` is 0 under the module's values",
                        p.path.display()
                    ));
                    continue;
                };
                for key in ["count", "for_each"] {
                    if attribute(&block.body, key).is_some() {
                        notes.push(format!("`{key}`: every instance is read with the same policy, as written"));
                    }
                }
                if branches.len() > 1 {
                    notes.push(format!("the module's values do not decide its conditionals: {} policies analysed, the worst reported", branches.len()));
                }
                if !complete {
                    notes.push(format!("the module's conditionals allow more than {MAX_TEMPLATE_BRANCHES} combinations: the first {MAX_TEMPLATE_BRANCHES} were analysed, so no verdict over them is a proof"));
                }
                let path = attribute(&block.body, "path").and_then(|e| {
                    let none = Assumption::new();
                    match Eval::new(&module, &none).value(e) {
                        Value::String(s) if !s.contains("<unresolved") => Some(s),
                        _ => None,
                    }
                });
                let single = branches.len() == 1 && first.when.is_empty() && complete;
                out.push(Role {
                    name: address.clone(),
                    source: format!("{}#{address}", p.path.display()),
                    line,
                    account: deployment.owner.clone(),
                    document: first.document.clone(),
                    notes,
                    path,
                    ignores,
                    branches: if single { Vec::new() } else { branches },
                    branches_truncated: !complete,
                    module: Some(shared.clone()),
                    ..Role::default()
                });
            }
            Err(why) => errors.push(err(
                format!("the `assume_role_policy` of `{address}`: {why}"),
                "trustsim reads what the module's files say; for a policy built from module outputs or resources, analyse the plan instead (`terraform show -json plan.out > plan.json`)",
            )),
        }
    }
    ModuleRoles {
        roles: out,
        errors,
        notes: notes_out,
    }
}

type Explored = (Vec<Branch>, bool, Vec<String>);

/// The policies a role can have: each unknown conditional explored both ways. A combination
/// whose `count` is 0 creates no role; one whose policy is null is not deployable (the provider
/// requires the policy). A combination whose policy is not known stops the proof: the result is
/// marked incomplete, and it is an error when no combination gives a policy.
fn explore_role(
    m: &Module,
    count: Option<&Expression>,
    policy: &Expression,
) -> Result<Explored, String> {
    let mut leaves: Vec<Branch> = Vec::new();
    let mut stack: Vec<Assumption> = vec![Assumption::new()];
    let mut complete = true;
    let mut unknown: Option<String> = None;
    let mut notes = Vec::new();
    while let Some(assume) = stack.pop() {
        if leaves.len() >= MAX_TEMPLATE_BRANCHES {
            complete = false;
            break;
        }
        let mut ev = Eval::new(m, &assume);
        let created = count.map(|c| ev.value(c));
        let doc = if created.as_ref().and_then(Value::as_f64) == Some(0.0) {
            None
        } else {
            Some(policy_value(&mut ev, policy))
        };
        if let Some(key) = ev.pending.take() {
            // Depth first, the true side first.
            for b in [false, true] {
                let mut next = assume.clone();
                next.insert(key.clone(), b);
                stack.push(next);
            }
            continue;
        }
        let label = Branch {
            when: ev.consulted.clone(),
            ..Branch::default()
        }
        .label();
        match doc {
            None => {}
            Some(Err(PolicyValue::Null)) if !label.is_empty() => {
                notes.push(format!("no policy {label}: not deployable"));
            }
            Some(Err(PolicyValue::Null)) => {}
            Some(Err(PolicyValue::Unknown(why))) => {
                complete = false;
                if !label.is_empty() {
                    notes.push(format!("the policy is not known {label}: {why}"));
                }
                unknown.get_or_insert(why);
            }
            Some(Ok(mut doc)) => {
                crate::sources::cloudformation::repair_principals(&mut doc, m.owner);
                if !leaves.iter().any(|l| l.document == doc) {
                    leaves.push(Branch {
                        when: ev.consulted,
                        document: doc,
                        notes: ev.notes,
                    });
                }
            }
        }
    }
    if leaves.is_empty() {
        if let Some(why) = unknown {
            return Err(why);
        }
    }
    for l in &leaves {
        for n in &l.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    Ok((leaves, complete, notes))
}

/// Why a combination gives no policy.
enum PolicyValue {
    /// The policy is null: no role can be created so.
    Null,
    /// The policy cannot be known from the files.
    Unknown(String),
}

/// The trust policy as a JSON document.
fn policy_value(ev: &mut Eval, policy: &Expression) -> Result<Value, PolicyValue> {
    // `jsonencode({...})`: the object itself.
    if let Expression::FuncCall(f) = policy {
        if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 {
            if let Some(arg) = f.args.first() {
                let v = ev.value(arg);
                if v.is_object() {
                    return Ok(v);
                }
            }
        }
    }
    match ev.value(policy) {
        Value::String(s) if s.trim_start().starts_with('{') => {
            crate::json::parse(&s, "the policy text").map_err(|e| {
                PolicyValue::Unknown(format!("at {} of its JSON: {}", e.pointer, e.message))
            })
        }
        Value::String(s) if has_unresolved(&Value::String(s.clone())) => {
            let why: Vec<&str> = ev
                .notes
                .iter()
                .map(|n| n.trim_end_matches(": kept as an opaque value the owner controls"))
                .collect();
            Err(PolicyValue::Unknown(format!(
                "its value is {}, not known from the module's files ({})",
                crate::sources::in_words(&s),
                why.join("; ")
            )))
        }
        Value::Object(m) => Ok(Value::Object(m)),
        Value::Null => Err(PolicyValue::Null),
        other => Err(PolicyValue::Unknown(format!(
            "it is {other}, not a JSON policy"
        ))),
    }
}

//! Terraform expressions as JSON values, where their value is known from the module's files:
//! literals, string templates, `var.` (from `terraform.tfvars`, `*.auto.tfvars`, `--parameter`
//! or the variable's `default`), `local.`, `data.aws_iam_policy_document.NAME.json`,
//! `data.aws_caller_identity.NAME.account_id` (the owner account), `data.aws_partition`,
//! `data.aws_region`, `path.module`, `for` expressions, conditionals, operators and the common
//! functions (Terraform Language documentation, "Expressions" and "Functions"). Anything else
//! (module outputs, resource attributes, other data sources, unknown functions) is an opaque
//! value the owner controls, `<unresolved ...>`, with a note.

use std::collections::BTreeMap;

use hcl::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, Operation, TemplateExpr, TraversalOperator,
    UnaryOperator,
};
use hcl::template::{Element, Template};
use serde_json::{Map, Value};

use super::Module;
use crate::limits::MAX_DEPTH;
use crate::sources::STACK_REGION;

/// An opaque value: one the owner controls and the attacker cannot produce.
pub(super) fn placeholder(what: &str) -> Value {
    Value::String(format!("<unresolved {what}>"))
}

/// Does a value hold an opaque part?
pub(super) fn has_unresolved(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("<unresolved"),
        Value::Array(items) => items.iter().any(has_unresolved),
        Value::Object(m) => m.values().any(has_unresolved),
        _ => false,
    }
}

/// Values assumed for conditionals whose condition is not known, along one path of the
/// module's exploration (the same condition text always takes the same value).
pub(super) type Assumption = BTreeMap<String, bool>;

/// One evaluation of expressions of a module.
pub(super) struct Eval<'a> {
    pub(super) m: &'a Module<'a>,
    pub(super) assume: &'a Assumption,
    pub(super) notes: Vec<String>,
    /// The first unknown condition of a conditional met.
    pub(super) pending: Option<String>,
    /// Conditions whose value came from an assumption, in the order met.
    pub(super) consulted: Vec<(String, bool)>,
    /// Names in scope: `for` variables, `dynamic` block iterators, `templatefile` variables.
    pub(super) scope: Vec<(String, Value)>,
    depth: usize,
}

impl<'a> Eval<'a> {
    pub(super) fn new(m: &'a Module<'a>, assume: &'a Assumption) -> Self {
        Eval {
            m,
            assume,
            notes: Vec::new(),
            pending: None,
            consulted: Vec::new(),
            scope: Vec::new(),
            depth: 0,
        }
    }

    pub(super) fn note(&mut self, what: &str) {
        let n = format!("{what}: kept as an opaque value the owner controls");
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    fn opaque(&mut self, what: &str, why: &str) -> Value {
        self.note(&format!("`{what}` ({why})"));
        placeholder(what)
    }

    /// The value of an expression.
    pub(super) fn value(&mut self, e: &Expression) -> Value {
        if self.depth >= MAX_DEPTH {
            return self.opaque("...", "nested too deeply");
        }
        self.depth += 1;
        let v = self.value_inner(e);
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self, e: &Expression) -> Value {
        match e {
            Expression::Null => Value::Null,
            Expression::Bool(b) => Value::Bool(*b),
            Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
            Expression::String(s) => Value::String(s.clone()),
            Expression::Array(items) => Value::Array(items.iter().map(|x| self.value(x)).collect()),
            Expression::Object(obj) => {
                let mut out = Map::new();
                for (k, v) in obj {
                    let key = match k {
                        ObjectKey::Identifier(id) => id.as_str().to_owned(),
                        ObjectKey::Expression(x) => text(&self.value(x)),
                        _ => "<unresolved an object key>".to_owned(),
                    };
                    let v = self.value(v);
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            Expression::TemplateExpr(t) => self.template(t),
            Expression::Variable(v) => match self.lookup(v.as_str()) {
                Some(x) => x,
                None => self.opaque(v.as_str(), "a name trustsim does not know"),
            },
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators),
            Expression::FuncCall(f) => self.call(f),
            Expression::Parenthesis(x) => self.value(x),
            Expression::Conditional(c) => match self.truth(&c.cond_expr) {
                Some(true) => self.value(&c.true_expr),
                Some(false) => self.value(&c.false_expr),
                None => {
                    // Undecided: the exploration takes each value in turn; until then the
                    // true side stands in.
                    self.value(&c.true_expr)
                }
            },
            Expression::Operation(op) => self.operation(op),
            Expression::ForExpr(f) => {
                let collection = self.value(&f.collection_expr);
                let items: Vec<(Value, Value)> = match collection {
                    Value::Array(list) => list
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (Value::from(i), v))
                        .collect(),
                    Value::Object(map) => map
                        .into_iter()
                        .map(|(k, v)| (Value::String(k), v))
                        .collect(),
                    other if has_unresolved(&other) => {
                        return self.opaque(&display(e), "a `for` over a value not known");
                    }
                    _ => Vec::new(),
                };
                let mut list = Vec::new();
                let mut map = Map::new();
                for (k, v) in items {
                    let depth = self.scope.len();
                    if let Some(kv) = &f.key_var {
                        self.scope.push((kv.as_str().to_owned(), k));
                    }
                    self.scope.push((f.value_var.as_str().to_owned(), v));
                    let keep = match &f.cond_expr {
                        Some(c) => self.truth(c),
                        None => Some(true),
                    };
                    if keep.is_none() {
                        self.scope.truncate(depth);
                        return self.opaque(&display(e), "a `for` whose `if` is not known");
                    }
                    if keep == Some(true) {
                        let value = self.value(&f.value_expr);
                        match &f.key_expr {
                            Some(ke) => {
                                let key = text(&self.value(ke));
                                map.insert(key, value);
                            }
                            None => list.push(value),
                        }
                    }
                    self.scope.truncate(depth);
                }
                if f.key_expr.is_some() {
                    Value::Object(map)
                } else {
                    Value::Array(list)
                }
            }
            other => self.opaque(&display(other), "an expression trustsim does not evaluate"),
        }
    }

    fn lookup(&self, name: &str) -> Option<Value> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// A string template: literals, and interpolations rendered as text. `%{ }` directives
    /// make the whole string opaque.
    fn template(&mut self, t: &TemplateExpr) -> Value {
        match Template::from_expr(t) {
            Ok(tpl) => self.render(&tpl),
            Err(_) => self.opaque("a string template", "not a template trustsim reads"),
        }
    }

    pub(super) fn render(&mut self, tpl: &Template) -> Value {
        let mut out = String::new();
        for el in tpl.elements() {
            match el {
                Element::Literal(s) => out.push_str(s),
                Element::Interpolation(i) => {
                    let v = self.value(&i.expr);
                    // A lone interpolation keeps its value's type (`"${var.list}"`).
                    if tpl.elements().len() == 1 {
                        return v;
                    }
                    out.push_str(&text(&v));
                }
                Element::Directive(_) => {
                    return self.opaque("a `%{ }` template directive", "not evaluated");
                }
            }
        }
        Value::String(out)
    }

    fn traversal(&mut self, base: &Expression, ops: &[TraversalOperator]) -> Value {
        let name = |op: Option<&TraversalOperator>| match op {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str().to_owned()),
            _ => None,
        };
        let shown = display(&Expression::Traversal(Box::new(hcl::expr::Traversal::new(
            base.clone(),
            ops.to_vec(),
        ))));
        let root = match base {
            Expression::Variable(v) => v.as_str().to_owned(),
            other => {
                let v = self.value(other);
                return self.apply(v, ops, &shown);
            }
        };
        if let Some(v) = self.lookup(&root) {
            return self.apply(v, ops, &shown);
        }
        let first = name(ops.first());
        match (root.as_str(), first.as_deref()) {
            ("var", Some(var)) => {
                let v = self.variable(var);
                self.apply(v, ops.get(1..).unwrap_or(&[]), &shown)
            }
            ("local", Some(local)) => {
                let v = match self.m.locals.get(local) {
                    Some(expr) => self.value(expr),
                    None => return self.opaque(&shown, "no such local value"),
                };
                self.apply(v, ops.get(1..).unwrap_or(&[]), &shown)
            }
            ("path", Some("module" | "root" | "cwd")) => Value::String(".".to_owned()),
            ("data", Some(kind)) => {
                let instance = name(ops.get(1));
                // `data.X.NAME[0].json`, `data.X.NAME["k"].json`, `data.X.NAME[*].json`: the
                // instances of a `count` or `for_each` data source.
                let (skip, which) = match ops.get(2) {
                    Some(TraversalOperator::Index(e)) => (1, Some(Some(self.value(e)))),
                    Some(TraversalOperator::LegacyIndex(i)) => (1, Some(Some(Value::from(*i)))),
                    Some(TraversalOperator::AttrSplat | TraversalOperator::FullSplat) => {
                        (1, Some(None))
                    }
                    _ => (0, None),
                };
                let attr = name(ops.get(2 + skip));
                let rest = ops.get(3 + skip..).unwrap_or(&[]);
                if let (
                    Some("aws_iam_policy_document"),
                    Some(doc),
                    Some("json" | "minified_json"),
                ) = (Some(kind), instance.as_deref(), attr.as_deref())
                {
                    let v = self.policy_document_instances(doc, which, &shown);
                    return self.apply(v, rest, &shown);
                }
                match (kind, instance.as_deref(), attr.as_deref()) {
                    ("aws_caller_identity", Some(_), Some("account_id")) => match self.m.owner {
                        Some(a) => Value::String(a.to_owned()),
                        None => {
                            self.note("the caller's account is unknown: give --account");
                            placeholder("AWS::AccountId")
                        }
                    },
                    ("aws_partition", Some(_), Some("partition")) => {
                        Value::String(self.m.partition.to_owned())
                    }
                    ("aws_partition", Some(_), Some("dns_suffix")) => match self.m.partition {
                        "aws-cn" => Value::String("amazonaws.com.cn".to_owned()),
                        "aws" | "aws-us-gov" => Value::String("amazonaws.com".to_owned()),
                        p => self.opaque(&shown, &format!("the DNS suffix of {p}")),
                    },
                    ("aws_region", Some(_), Some("name" | "region" | "id")) => {
                        Value::String(STACK_REGION.to_owned())
                    }
                    _ => self.opaque(&shown, "a data source"),
                }
            }
            ("module", _) => self.opaque(&shown, "a module output"),
            ("each" | "count" | "self", _) => self.opaque(&shown, "an instance value"),
            _ => self.opaque(&shown, "a resource attribute"),
        }
    }

    /// Attribute and index operators on a known value.
    fn apply(&mut self, mut v: Value, ops: &[TraversalOperator], shown: &str) -> Value {
        for op in ops {
            if has_unresolved(&v) && !matches!(v, Value::Object(_) | Value::Array(_)) {
                return v;
            }
            let next = match op {
                TraversalOperator::GetAttr(id) => v.get(id.as_str()).cloned(),
                TraversalOperator::Index(e) => match self.value(e) {
                    Value::Number(n) => n
                        .as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .and_then(|i| v.get(i).cloned()),
                    Value::String(s) => v.get(&s).cloned(),
                    _ => None,
                },
                TraversalOperator::LegacyIndex(i) => {
                    usize::try_from(*i).ok().and_then(|i| v.get(i).cloned())
                }
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => None,
            };
            v = match next {
                Some(x) => x,
                None => return self.opaque(shown, "not known from the module's files"),
            };
        }
        v
    }

    fn variable(&mut self, name: &str) -> Value {
        if let Some(v) = self.m.given.get(name) {
            return v.clone();
        }
        match self.m.variables.get(name) {
            Some(Some(default)) => self.value(default),
            Some(None) => {
                self.note(&format!("variable `{name}` has no default"));
                placeholder(&format!("var.{name}"))
            }
            None => self.opaque(&format!("var.{name}"), "no such variable"),
        }
    }

    /// The truth of a condition, when known; else the condition is pending (or its assumed
    /// value is used).
    pub(super) fn truth(&mut self, e: &Expression) -> Option<bool> {
        // `&&`, `||`, `!` and parentheses over conditions: each unknown part is its own atom.
        match e {
            Expression::Parenthesis(x) => return self.truth(x),
            Expression::Operation(op) => match op.as_ref() {
                Operation::Unary(u) if u.operator == UnaryOperator::Not => {
                    return self.truth(&u.expr).map(|b| !b)
                }
                Operation::Binary(b)
                    if matches!(b.operator, BinaryOperator::And | BinaryOperator::Or) =>
                {
                    let and = b.operator == BinaryOperator::And;
                    let before = self.pending.clone();
                    let l = self.truth(&b.lhs_expr);
                    if l == Some(!and) {
                        self.pending = before;
                        return l;
                    }
                    let r = self.truth(&b.rhs_expr);
                    return match (l, r) {
                        (_, Some(x)) if x != and => {
                            self.pending = before;
                            Some(x)
                        }
                        (Some(_), Some(_)) => Some(and),
                        _ => None,
                    };
                }
                _ => {}
            },
            _ => {}
        }
        let notes = self.notes.len();
        let v = self.value(e);
        self.notes.truncate(notes);
        match v {
            Value::Bool(b) => Some(b),
            _ => {
                let key = display(e);
                match self.assume.get(&key) {
                    Some(b) => {
                        if !self.consulted.iter().any(|(k, _)| *k == key) {
                            self.consulted.push((key, *b));
                        }
                        Some(*b)
                    }
                    None => {
                        if self.pending.is_none() {
                            self.pending = Some(key);
                        }
                        None
                    }
                }
            }
        }
    }

    fn operation(&mut self, op: &Operation) -> Value {
        match op {
            Operation::Unary(u) => {
                let v = self.value(&u.expr);
                match (u.operator, v) {
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Neg, Value::Number(n)) => n
                        .as_f64()
                        .and_then(|f| serde_json::Number::from_f64(-f))
                        .map_or(Value::Null, Value::Number),
                    _ => placeholder("an operation"),
                }
            }
            Operation::Binary(b) => {
                let l = self.value(&b.lhs_expr);
                let r = self.value(&b.rhs_expr);
                if has_unresolved(&l) || has_unresolved(&r) {
                    return placeholder("an operation");
                }
                let num = |v: &Value| v.as_f64().or_else(|| v.as_str()?.parse().ok());
                let number =
                    |f: f64| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
                match b.operator {
                    BinaryOperator::Eq => Value::Bool(l == r),
                    BinaryOperator::NotEq => Value::Bool(l != r),
                    BinaryOperator::And => match (l, r) {
                        (Value::Bool(x), Value::Bool(y)) => Value::Bool(x && y),
                        _ => placeholder("an operation"),
                    },
                    BinaryOperator::Or => match (l, r) {
                        (Value::Bool(x), Value::Bool(y)) => Value::Bool(x || y),
                        _ => placeholder("an operation"),
                    },
                    op => match (num(&l), num(&r)) {
                        (Some(x), Some(y)) => match op {
                            BinaryOperator::Less => Value::Bool(x < y),
                            BinaryOperator::LessEq => Value::Bool(x <= y),
                            BinaryOperator::Greater => Value::Bool(x > y),
                            BinaryOperator::GreaterEq => Value::Bool(x >= y),
                            BinaryOperator::Plus => number(x + y),
                            BinaryOperator::Minus => number(x - y),
                            BinaryOperator::Mul => number(x * y),
                            BinaryOperator::Div => number(x / y),
                            BinaryOperator::Mod => number(x % y),
                            _ => placeholder("an operation"),
                        },
                        _ => placeholder("an operation"),
                    },
                }
            }
        }
    }

    /// The functions trust policies are written with (Terraform Language documentation,
    /// "Built-in Functions"); any other is opaque.
    fn call(&mut self, f: &FuncCall) -> Value {
        let name = f.name.name.as_str();
        let args: Vec<Value> = f.args.iter().map(|a| self.value(a)).collect();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let strs = |v: &Value| -> Vec<Value> {
            match v {
                Value::Array(items) => items.clone(),
                Value::Null => Vec::new(),
                other => vec![other.clone()],
            }
        };
        match name {
            "jsonencode" => Value::String(serde_json::to_string(&arg(0)).unwrap_or_default()),
            "jsondecode" => match arg(0) {
                Value::String(s) if !s.contains("<unresolved") => {
                    serde_json::from_str(&s).unwrap_or_else(|_| placeholder("jsondecode(...)"))
                }
                _ => self.opaque("jsondecode(...)", "of a value not known"),
            },
            "file" => match arg(0) {
                Value::String(p) if !p.contains("<unresolved") => {
                    self.m.read(&p, self.depth).map_or_else(
                        |why| self.opaque(&format!("file(\"{p}\")"), &why),
                        Value::String,
                    )
                }
                _ => self.opaque("file(...)", "a path not known"),
            },
            "templatefile" => match (arg(0), arg(1)) {
                (Value::String(p), Value::Object(vars)) if !p.contains("<unresolved") => {
                    match self.m.read(&p, self.depth) {
                        Ok(text) => match text.parse::<Template>() {
                            Ok(tpl) => {
                                let depth = self.scope.len();
                                self.scope.extend(vars);
                                let v = self.render(&tpl);
                                self.scope.truncate(depth);
                                match v {
                                    Value::String(s) => Value::String(s),
                                    other => Value::String(text_of_any(&other)),
                                }
                            }
                            Err(_) => self.opaque(
                                &format!("templatefile(\"{p}\")"),
                                "not a template trustsim reads",
                            ),
                        },
                        Err(why) => self.opaque(&format!("templatefile(\"{p}\")"), &why),
                    }
                }
                _ => self.opaque("templatefile(...)", "a path or variables not known"),
            },
            "format" => match arg(0) {
                Value::String(fmt) => {
                    Value::String(format_text(&fmt, args.get(1..).unwrap_or(&[])))
                }
                _ => self.opaque("format(...)", "a format not known"),
            },
            "join" => {
                let sep = text(&arg(0));
                let parts: Vec<String> = args
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .flat_map(strs)
                    .map(|v| text(&v))
                    .collect();
                Value::String(parts.join(&sep))
            }
            "concat" | "flatten" => {
                let mut out = Vec::new();
                for a in &args {
                    for x in strs(a) {
                        match x {
                            Value::Array(inner) if name == "flatten" => out.extend(inner),
                            other => out.push(other),
                        }
                    }
                }
                Value::Array(out)
            }
            "distinct" | "toset" | "compact" => {
                let mut out: Vec<Value> = Vec::new();
                for x in strs(&arg(0)) {
                    if name == "compact" && (x.is_null() || x.as_str() == Some("")) {
                        continue;
                    }
                    if !out.contains(&x) {
                        out.push(x);
                    }
                }
                Value::Array(out)
            }
            "tolist" => Value::Array(strs(&arg(0))),
            "tostring" => Value::String(text(&arg(0))),
            "merge" => {
                let mut out = Map::new();
                for a in &args {
                    match a {
                        Value::Object(m) => out.extend(m.clone()),
                        Value::Null => {}
                        _ => return self.opaque("merge(...)", "of values not known"),
                    }
                }
                Value::Object(out)
            }
            "lower" | "upper" | "trimspace" => match arg(0) {
                Value::String(s) if !s.contains("<unresolved") => Value::String(match name {
                    "lower" => s.to_lowercase(),
                    "upper" => s.to_uppercase(),
                    _ => s.trim().to_owned(),
                }),
                other => other,
            },
            // `replace(string, substring, replacement)`; a substring in slashes is a regular
            // expression (RE2 syntax, `$1` for groups), as in Terraform's "replace Function".
            "replace" => match (arg(0), arg(1), arg(2)) {
                (Value::String(s), Value::String(a), Value::String(b))
                    if !s.contains("<unresolved") =>
                {
                    match a.strip_prefix('/').and_then(|x| x.strip_suffix('/')) {
                        Some(pattern) => match regex::Regex::new(pattern) {
                            Ok(re) => Value::String(re.replace_all(&s, b.as_str()).into_owned()),
                            Err(_) => self.opaque(
                                "replace(...)",
                                "a regular expression trustsim cannot read",
                            ),
                        },
                        None => Value::String(s.replace(&a, &b)),
                    }
                }
                _ => self.opaque("replace(...)", "of values not known"),
            },
            "slice" => match (arg(0), arg(1).as_u64(), arg(2).as_u64()) {
                (Value::Array(items), Some(a), Some(b)) => {
                    let a = usize::try_from(a).unwrap_or(usize::MAX);
                    let b = usize::try_from(b).unwrap_or(usize::MAX);
                    Value::Array(items.get(a..b.min(items.len())).unwrap_or(&[]).to_vec())
                }
                _ => self.opaque("slice(...)", "of values not known"),
            },
            "keys" | "values" => match arg(0) {
                Value::Object(m) => Value::Array(if name == "keys" {
                    m.keys().cloned().map(Value::String).collect()
                } else {
                    m.values().cloned().collect()
                }),
                _ => self.opaque(&format!("{name}(...)"), "of a value not known"),
            },
            "coalescelist" => args
                .iter()
                .find(|v| v.as_array().is_some_and(|a| !a.is_empty()))
                .cloned()
                .unwrap_or_else(|| Value::Array(Vec::new())),
            "trimprefix" | "trimsuffix" => match (arg(0), arg(1)) {
                (Value::String(s), Value::String(x)) if !s.contains("<unresolved") => {
                    Value::String(if name == "trimprefix" {
                        s.strip_prefix(&x).unwrap_or(&s).to_owned()
                    } else {
                        s.strip_suffix(&x).unwrap_or(&s).to_owned()
                    })
                }
                (other, _) => other,
            },
            "contains" => match arg(0) {
                Value::Array(items) if !has_unresolved(&arg(1)) && !has_unresolved(&arg(0)) => {
                    Value::Bool(items.contains(&arg(1)))
                }
                _ => self.opaque("contains(...)", "of values not known"),
            },
            "one" => match arg(0) {
                Value::Array(items) if items.len() <= 1 => {
                    items.into_iter().next().unwrap_or(Value::Null)
                }
                _ => self.opaque("one(...)", "of a value not known"),
            },
            "coalesce" => args
                .iter()
                .find(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .unwrap_or(Value::Null),
            "try" => args
                .iter()
                .find(|v| !has_unresolved(v))
                .cloned()
                .unwrap_or_else(|| arg(0)),
            "element" => match (arg(0), arg(1).as_u64()) {
                (Value::Array(items), Some(i)) if !items.is_empty() => {
                    let i = usize::try_from(i).unwrap_or(0) % items.len();
                    items.get(i).cloned().unwrap_or(Value::Null)
                }
                _ => self.opaque("element(...)", "of values not known"),
            },
            "lookup" => match (arg(0), arg(1)) {
                (Value::Object(m), Value::String(k)) => {
                    m.get(&k).cloned().unwrap_or_else(|| arg(2))
                }
                _ => self.opaque("lookup(...)", "of values not known"),
            },
            "length" => match arg(0) {
                Value::Array(a) => Value::from(a.len()),
                Value::Object(m) => Value::from(m.len()),
                Value::String(s) if !s.contains("<unresolved") => Value::from(s.chars().count()),
                _ => self.opaque("length(...)", "of a value not known"),
            },
            other => self.opaque(
                &format!("{other}(...)"),
                "a function trustsim does not evaluate",
            ),
        }
    }

    /// `data.aws_iam_policy_document.NAME.json`, of one instance (`Some(index or key)`), of
    /// all (`Some(None)`, a splat: a list), or of the data source itself (`None`). With `count`
    /// or `for_each`, each instance is rendered with `count.index` or `each` in scope
    /// (Terraform Language documentation, "The count Meta-Argument", "The for_each
    /// Meta-Argument").
    fn policy_document_instances(
        &mut self,
        name: &str,
        which: Option<Option<Value>>,
        shown: &str,
    ) -> Value {
        let Some(body) = self.m.documents.get(name).copied() else {
            return self.opaque(shown, "no such policy document in the module");
        };
        let attr = |k: &str| {
            body.attributes()
                .find(|a| a.key.as_str() == k)
                .map(|a| &a.expr)
        };
        // The scope of each instance: `count` = {index}, `each` = {key, value}.
        let instances: Vec<(Value, Option<(String, Value)>)> = if let Some(c) = attr("count") {
            match self.value(c).as_u64() {
                Some(n) => (0..n.min(1_000))
                    .map(|i| {
                        (
                            Value::from(i),
                            Some(("count".to_owned(), serde_json::json!({"index": i}))),
                        )
                    })
                    .collect(),
                None => return self.opaque(shown, "a `count` not known"),
            }
        } else if let Some(f) = attr("for_each") {
            let pairs: Vec<(Value, Value)> = match self.value(f) {
                Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
                Value::Array(l) => l.into_iter().map(|v| (v.clone(), v)).collect(),
                _ => return self.opaque(shown, "a `for_each` not known"),
            };
            pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Some(("each".to_owned(), serde_json::json!({"key": k, "value": v}))),
                    )
                })
                .collect()
        } else {
            vec![(Value::Null, None)]
        };
        let chosen: Vec<&(Value, Option<(String, Value)>)> = match &which {
            Some(Some(key)) => instances
                .iter()
                .filter(|(k, _)| k == key || (k.as_u64().is_some() && k.as_u64() == key.as_u64()))
                .collect(),
            _ => instances.iter().collect(),
        };
        let mut out = Vec::new();
        for (_, scope) in chosen {
            if self.depth > MAX_DEPTH / 2 {
                return self.opaque(shown, "policy documents nested too deeply");
            }
            let depth = self.scope.len();
            if let Some(s) = scope {
                self.scope.push(s.clone());
            }
            let r = super::document::render(self, body);
            self.scope.truncate(depth);
            match r {
                Ok(doc) => out.push(Value::String(
                    serde_json::to_string(&doc).unwrap_or_default(),
                )),
                Err(why) => return self.opaque(shown, &why),
            }
        }
        match which {
            Some(None) => Value::Array(out),
            _ => match out.into_iter().next() {
                Some(v) => v,
                None => self.opaque(shown, "an instance that does not exist"),
            },
        }
    }
}

/// A value as template text: strings as they are, numbers and booleans as written, anything
/// else opaque.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        _ => "<unresolved a list or object in a string>".to_owned(),
    }
}

fn text_of_any(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `format`: `%s`, `%d`, `%v` and `%%` (Terraform Language documentation, "format Function").
fn format_text(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(_) => out.push_str(&next.next().map(text).unwrap_or_default()),
            None => out.push('%'),
        }
    }
    out
}

/// An expression as HCL text (for notes and condition labels).
pub(super) fn display(e: &Expression) -> String {
    let s = e.to_string();
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        let cut: String = one_line.chars().take(117).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

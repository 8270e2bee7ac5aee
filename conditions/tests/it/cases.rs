//! Table-driven operator tests: every file in `tests/cases/` is a list of cases for one base
//! operator (all its qualifier and `IfExists` forms), each stating the condition, the request
//! context and the expected result or error.
//!
//! Case file format:
//! ```json
//! {"operator": "StringLike",
//!  "doc": "IAM User Guide > ... > String condition operators",
//!  "cases": [
//!    {"name": "...", "condition": {"StringLike": {"aws:SourceArn": ["arn:*"]}},
//!     "context": {"aws:SourceArn": "arn:aws:x"}, "expected": true},
//!    {"name": "...", "condition": {...}, "error": "InvalidValue", "index": 0},
//!    {"name": "...", "condition": {...}, "warning": 1, "expected": false}
//!  ]}
//! ```
//! `context` values: a string (one value), an array (a multivalued key, possibly empty), or
//! `null` (absent, like leaving the key out). Condition values may be strings, numbers,
//! booleans or arrays of them. `version` (`"2008-10-17"`) turns policy variables off. `source`
//! names the AWS documentation example a case comes from. `warning: N` says value N compiles
//! with a warning (a value IAM's validation only warns about, which then matches nothing).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use trustsim_conditions::{
    BaseOperator, CompileOptions, Condition, ConditionError, ContextMap, PolicyVersion,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    operator: String,
    doc: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    condition: BTreeMap<String, BTreeMap<String, Value>>,
    #[serde(default)]
    context: BTreeMap<String, Value>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    expected: Option<bool>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    warning: Option<usize>,
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn values(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

fn context(case: &Case) -> ContextMap {
    let mut ctx = ContextMap::new();
    for (k, v) in &case.context {
        match v {
            Value::Null => {}
            Value::Array(items) => {
                ctx.insert_many(k, items.iter().map(text));
            }
            other => {
                ctx.insert(k, text(other));
            }
        }
    }
    ctx
}

fn error_name(e: &ConditionError) -> &'static str {
    match e {
        ConditionError::UnknownOperator { .. } => "UnknownOperator",
        ConditionError::NullIfExists { .. } => "NullIfExists",
        ConditionError::InvalidKey { .. } => "InvalidKey",
        ConditionError::InvalidValue { .. } => "InvalidValue",
        ConditionError::InvalidVariable { .. } => "InvalidVariable",
        ConditionError::VariableNotSupported { .. } => "VariableNotSupported",
    }
}

/// Runs one case; returns a failure message or `None`.
fn run(file: &str, base: &str, case: &Case) -> Option<String> {
    let version = match case.version.as_deref() {
        Some("2008-10-17") => PolicyVersion::V2008_10_17,
        Some("2012-10-17") | None => PolicyVersion::V2012_10_17,
        Some(other) => return Some(format!("{file}: {}: unknown version {other}", case.name)),
    };
    let options = CompileOptions { version };
    let ctx = context(case);
    let mut results = Vec::new();
    for (op, keys) in &case.condition {
        if !op.contains(base) && case.error.is_none() {
            return Some(format!(
                "{file}: {}: operator `{op}` does not belong in {base}.json",
                case.name
            ));
        }
        for (key, vals) in keys {
            match Condition::compile(op, key, &values(vals), options) {
                Ok(cond) => {
                    let warned: Vec<usize> = cond.warnings().iter().map(|w| w.index).collect();
                    match case.warning {
                        Some(i) if !warned.contains(&i) => {
                            return Some(format!(
                                "{file}: {}: expected a warning on value {i}, got {warned:?}",
                                case.name
                            ));
                        }
                        None if !warned.is_empty() => {
                            return Some(format!(
                                "{file}: {}: unexpected warnings on values {warned:?}",
                                case.name
                            ));
                        }
                        _ => {}
                    }
                    let outcome = cond.evaluate(&ctx);
                    results.push((outcome.result, cond.explain(&outcome, &ctx)));
                }
                Err(e) => {
                    return match (&case.error, case.expected) {
                        (Some(want), _) if want == error_name(&e) => {
                            match (case.index, e.value_index()) {
                                (Some(i), Some(j)) if i != j => Some(format!(
                                    "{file}: {}: error at value {j}, expected value {i}: {e}",
                                    case.name
                                )),
                                _ => None,
                            }
                        }
                        _ => Some(format!("{file}: {}: unexpected error: {e}", case.name)),
                    };
                }
            }
        }
    }
    if let Some(want) = &case.error {
        return Some(format!(
            "{file}: {}: expected error {want}, but it compiled",
            case.name
        ));
    }
    // Conditions in one block are ANDed (IAM User Guide, "Conditions with multiple context
    // keys or values").
    let got = results.iter().all(|(r, _)| *r);
    match case.expected {
        Some(want) if want == got => None,
        Some(want) => Some(format!(
            "{file}: {}: expected {want}, got {got}: {}",
            case.name,
            results
                .iter()
                .map(|(_, e)| e.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        None => Some(format!(
            "{file}: {}: neither `expected` nor `error`",
            case.name
        )),
    }
}

#[test]
fn operator_case_tables() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    let mut seen_ops = std::collections::BTreeSet::new();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let body = std::fs::read_to_string(path).unwrap_or_default();
        let file: CaseFile = match serde_json::from_str(&body) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        if format!("{}.json", file.operator) != name {
            failures.push(format!("{name}: names operator {}", file.operator));
        }
        if file.doc.is_empty() {
            failures.push(format!("{name}: no doc reference"));
        }
        for case in &file.cases {
            total += 1;
            for op in case.condition.keys() {
                seen_ops.insert(op.clone());
            }
            if let Some(f) = run(&name, &file.operator, case) {
                failures.push(f);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every base operator, with every qualifier and IfExists form, appears in some case.
    let mut missing = Vec::new();
    for base in BaseOperator::ALL {
        for q in ["", "ForAllValues:", "ForAnyValue:"] {
            for s in ["", "IfExists"] {
                if *base == BaseOperator::Null && !s.is_empty() {
                    continue;
                }
                let op = format!("{q}{}{s}", base.name());
                if !seen_ops.contains(&op) {
                    missing.push(op);
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operators with no case: {}",
        missing.join(", ")
    );
    assert!(total >= 300, "only {total} cases");
}

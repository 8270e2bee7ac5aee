//! SARIF 2.1.0 output for `trustsim analyze`: one rule per threat, one result per threat that
//! is not restricted, located at the file and line of the role (for a bare policy, the line of
//! the statement that lets the attacker in, else line 1). Paths are relative to a `uriBaseId`
//! (`%SRCROOT%`, from `--sarif-root`, by default the current directory) given in
//! `originalUriBaseIds`; a file outside the root is a `file://` URI. Input errors and skipped
//! files are the invocation's `toolExecutionNotifications`. The witness, the residual and the
//! fix travel in the result's `properties`.
//! (OASIS, "Static Analysis Results Interchange Format (SARIF) Version 2.1.0": 3.4.4
//! "uriBaseId", 3.14.14 "originalUriBaseIds", 3.20 "invocation object", 3.30 "region object";
//! GitHub Docs, "SARIF support for code scanning".)

use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};
use trustsim_evaluator::{Threat, Verdict};

use crate::analyze_cmd::Role;
use crate::triage::Status;

/// The docs section that describes the threats, in the repository.
fn docs_uri() -> String {
    format!(
        "{}/blob/main/docs/threats.md#12-the-five-threats",
        env!("CARGO_PKG_REPOSITORY")
    )
}

fn rule(threat: Threat) -> Value {
    let text = threat.rule();
    let (title, url) = text.reference;
    json!({
        "id": threat.name(),
        "name": text.name,
        "shortDescription": {"text": text.short},
        "fullDescription": {"text": text.full},
        "defaultConfiguration": {"level": if threat.is_informational() { "note" } else { "error" }},
        "helpUri": docs_uri(),
        "help": {
            "text": format!("{}\n\nHow to fix: {}\n\nAWS: {title}, {url}\n\nThe result's properties hold the witness request (who gets in) and trustsim's fix, which it re-analyses before it shows it.", text.full, text.fix),
            "markdown": format!("{}\n\n**How to fix:** {}\n\n**AWS:** [{title}]({url})\n\nThe result's properties hold the witness request (who gets in) and trustsim's fix, which it re-analyses before it shows it. See [trustsim's threat model]({}).", text.full, text.fix, docs_uri()),
        },
    })
}

/// A path made absolute against the current directory, `.` and `..` taken out, links resolved
/// where the file exists: the same file gives the same URI however it was typed.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    if let Ok(real) = std::fs::canonicalize(&joined) {
        return real;
    }
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path as a URI reference: `/` separators, and every byte outside the unreserved set and `/`
/// percent-encoded (RFC 3986, section 2).
fn encode(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where files are, relative to the root.
pub struct Root {
    real: PathBuf,
}

impl Root {
    /// The root: `--sarif-root`, or the current directory.
    pub fn new(dir: Option<&Path>) -> Root {
        Root {
            real: absolute(dir.unwrap_or(Path::new("."))),
        }
    }

    /// The `artifactLocation` of a file, and its URI as the fingerprints name it.
    fn artifact(&self, file: &str) -> (Value, String) {
        let abs = absolute(Path::new(file));
        match abs.strip_prefix(&self.real) {
            Ok(rel) => {
                let uri = encode(rel);
                (json!({"uri": uri, "uriBaseId": "%SRCROOT%"}), uri)
            }
            Err(_) => {
                let uri = format!("file://{}", encode(&abs));
                (json!({"uri": uri}), uri)
            }
        }
    }

    fn base(&self) -> Value {
        let mut uri = format!("file://{}", encode(&self.real));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        json!({"%SRCROOT%": {"uri": uri}})
    }
}

/// A message of the run (an input error or a note) as a notification, located at its file when
/// it starts with one (`path: ...`).
fn notification(root: &Root, level: &str, text: &str) -> Value {
    let file = text
        .split(": ")
        .next()
        .map(|f| f.split('#').next().unwrap_or(f))
        .filter(|f| Path::new(f).is_file());
    match file {
        Some(f) => json!({
            "level": level,
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": root.artifact(f).0}}],
        }),
        None => json!({"level": level, "message": {"text": text}}),
    }
}

/// A sentence starting with a capital.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The SARIF log for the analysed roles, with the run's input errors and notes.
pub fn log(roles: &[Role], errors: &[String], notes: &[String], root: &Root) -> Value {
    let rules: Vec<Value> = Threat::ALL.iter().map(|t| rule(*t)).collect();
    let mut results = Vec::new();
    for r in roles {
        for (k, t) in r.analysis.threats.iter().enumerate() {
            let hardening = t.verdict == Verdict::Restricted && t.informational.is_some();
            if !hardening
                && !matches!(
                    t.verdict,
                    Verdict::Exposed | Verdict::Partial | Verdict::Inconclusive
                )
            {
                continue;
            }
            let status = r.status.get(k).cloned().unwrap_or(Status::Quiet);
            let index = Threat::ALL.iter().position(|x| *x == t.threat).unwrap_or(0);
            let level = match t.verdict {
                _ if hardening || matches!(status, Status::Informational(_)) => "note",
                Verdict::Exposed => "error",
                _ => "warning",
            };
            // A suppressed finding stays in the log with a suppression (SARIF 2.1.0, section
            // 3.35 "suppression object"): `inSource` for an inline entry, `external` for the
            // config file and the baseline. GitHub code scanning shows it as dismissed.
            let suppressions = match &status {
                Status::Suppressed { reason, by } => {
                    let kind = if by.contains("#/") {
                        "inSource"
                    } else {
                        "external"
                    };
                    json!([{"kind": kind, "status": "accepted", "justification": format!("{reason} ({by})")}])
                }
                _ => json!([]),
            };
            let mut text = format!(
                "{}. Role {} ({}).",
                sentence(t.explanation.trim_end_matches('.')),
                r.name,
                t.verdict.name()
            );
            if let Some(res) = &t.residual {
                text.push_str(&format!(" Who gets in: {res}."));
            }
            if t.fix.is_some() {
                text.push_str(
                    " A fix that trustsim proves closes it is in the result's properties.",
                );
            }
            let (file, fragment) = r.source.split_once('#').unwrap_or((r.source.as_str(), ""));
            let (artifact, uri) = root.artifact(file);
            let place = if fragment.is_empty() {
                uri.clone()
            } else {
                format!("{uri}#{fragment}")
            };
            // The role's line; for a bare policy, the statement's; else the file's first line.
            let line = r
                .line
                .filter(|l| *l >= 1)
                .or_else(|| {
                    t.statements
                        .first()
                        .and_then(|i| r.statement_lines.get(*i))
                        .copied()
                })
                .unwrap_or(1);
            let physical = json!({"artifactLocation": artifact, "region": {"startLine": line}});
            let identity = if r.identity.starts_with("arn:") {
                r.identity.clone()
            } else {
                place.clone()
            };
            results.push(json!({
                "ruleId": t.threat.name(),
                "ruleIndex": index,
                "level": level,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"name": r.name, "fullyQualifiedName": r.source, "kind": "resource"}],
                }],
                "partialFingerprints": {
                    "trustsimRole/v1": format!("{place}:{}", t.threat.name()),
                    "trustsimRole/v2": format!("{identity}:{}", t.threat.name()),
                },
                "suppressions": suppressions,
                "properties": {
                    "verdict": t.verdict.name(),
                    "statements": t.statements,
                    "witness": t.witness.as_ref().map(trustsim_evaluator::Request::to_json),
                    "residual": t.residual,
                    "fix": t.fix,
                    "exact": t.exact,
                    "account": r.account,
                    "status": status.name(),
                    "principals": r.principals.get(k),
                    "informational": match &status { Status::Informational(w) => Some(w.clone()), _ => None },
                },
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustsim",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
            "originalUriBaseIds": root.base(),
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": errors
                    .iter()
                    .map(|e| notification(root, "error", e))
                    .chain(notes.iter().map(|n| notification(root, "note", n)))
                    .collect::<Vec<_>>(),
            }],
        }],
    })
}

//! SARIF 2.1.0 output for `trustsim analyze`: one rule per threat, one result per threat that
//! is not restricted, located at the file (and line) of the role. The witness, the residual and
//! the fix travel in the result's `properties`.
//! (OASIS, "Static Analysis Results Interchange Format (SARIF) Version 2.1.0".)

use serde_json::{json, Value};
use trustsim_evaluator::{Threat, Verdict};

use crate::analyze_cmd::Role;
use crate::triage::Status;

fn rule(threat: Threat) -> Value {
    let text = threat.rule();
    let (name, short, full) = (text.name, text.short, text.full);
    json!({
        "id": threat.name(),
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": if threat.is_informational() { "note" } else { "error" }},
        "help": {"text": "See docs/threats.md: the witness request in the result's properties shows who gets in, and the fix is a patched trust policy that trustsim proves closes the hole."},
    })
}

/// The file part of a role's source (`path#pointer` → `path`), as a URI reference.
fn uri(source: &str) -> String {
    source
        .split('#')
        .next()
        .unwrap_or(source)
        .replace('\\', "/")
}

/// The SARIF log for the analysed roles.
pub fn log(roles: &[Role]) -> Value {
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
                "{} `{}`: {} ({})",
                t.threat.name(),
                r.name,
                t.explanation,
                t.verdict.name()
            );
            if let Some(res) = &t.residual {
                text.push_str(&format!(". Who gets in: {res}"));
            }
            if t.fix.is_some() {
                text.push_str(
                    ". A fix that trustsim proves restricted is in the result's properties.",
                );
            }
            let physical = match r.line.filter(|l| *l >= 1) {
                Some(line) => {
                    json!({"artifactLocation": {"uri": uri(&r.source)}, "region": {"startLine": line}})
                }
                None => json!({"artifactLocation": {"uri": uri(&r.source)}}),
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
                    "trustsimRole/v1": format!("{}:{}", r.source, t.threat.name()),
                    "trustsimRole/v2": format!("{}:{}", r.identity, t.threat.name()),
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
                "informationUri": "https://example.invalid/trustsim",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

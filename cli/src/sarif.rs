//! SARIF 2.1.0 output for `trustsim analyze`: one rule per threat, one result per threat that
//! is not restricted, located at the file (and line) of the role. The witness, the residual and
//! the fix travel in the result's `properties`.
//! (OASIS, "Static Analysis Results Interchange Format (SARIF) Version 2.1.0".)

use serde_json::{json, Value};
use trustsim_evaluator::{Threat, Verdict};

use crate::analyze_cmd::Role;

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
        for t in &r.analysis.threats {
            if !matches!(
                t.verdict,
                Verdict::Exposed | Verdict::Partial | Verdict::Inconclusive
            ) {
                continue;
            }
            let index = Threat::ALL.iter().position(|x| *x == t.threat).unwrap_or(0);
            let level = match t.verdict {
                _ if t.threat.is_informational() => "note",
                Verdict::Exposed => "error",
                _ => "warning",
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
                "partialFingerprints": {"trustsimRole/v1": format!("{}:{}", r.source, t.threat.name())},
                "properties": {
                    "verdict": t.verdict.name(),
                    "statements": t.statements,
                    "witness": t.witness.as_ref().map(trustsim_evaluator::Request::to_json),
                    "residual": t.residual,
                    "fix": t.fix,
                    "exact": t.exact,
                    "account": r.account,
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

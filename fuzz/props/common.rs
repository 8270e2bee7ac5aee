//! Checks shared by the targets that read whole policies: pointers that resolve, and sample
//! requests that evaluate without panicking and with the same decision on the fast path.

use serde_json::Value;
use trustsim_evaluator::{
    decide, evaluate, PolicyError, PolicyPrincipal, Principal, Request, TrustPolicy,
};

/// Does the JSON Pointer (RFC 6901) name an element of `doc`?
pub fn resolves(doc: &Value, pointer: &str) -> bool {
    doc.pointer(pointer).is_some()
}

/// An error about `doc` must name an element of it.
pub fn check_error(doc: &Value, err: &PolicyError) {
    // Rendering never panics.
    let _ = err.to_string();
    assert!(
        resolves(doc, err.pointer.as_str()),
        "error pointer `{}` does not resolve in the document: {err}",
        err.pointer.as_str()
    );
}

/// At most this many callers and contexts are tried per policy, to keep each input fast.
const MAX_CALLERS: usize = 8;

/// Every pointer of an accepted policy resolves in its document, and sample requests (the
/// policy's own principals and condition values, and strangers) evaluate without panicking,
/// with `evaluate` and `decide` agreeing.
pub fn check_policy(policy: &TrustPolicy) {
    let doc = &policy.document;
    for s in &policy.statements {
        assert!(
            resolves(doc, s.pointer.as_str()),
            "statement pointer `{}`",
            s.pointer.as_str()
        );
        for p in &s.principals {
            assert!(
                resolves(doc, p.pointer.as_str()),
                "principal pointer `{}`",
                p.pointer.as_str()
            );
        }
        for c in &s.conditions {
            assert!(
                resolves(doc, c.pointer.as_str()),
                "condition pointer `{}`",
                c.pointer.as_str()
            );
        }
    }
    for w in &policy.warnings {
        assert!(
            resolves(doc, w.pointer.as_str()),
            "warning pointer `{}`: {w}",
            w.pointer.as_str()
        );
    }
    for request in sample_requests(policy) {
        let evaluation = evaluate(policy, &request);
        assert_eq!(
            evaluation.decision,
            decide(policy, &request),
            "evaluate and decide disagree on {}",
            request.to_json()
        );
        let _ = evaluation.to_json(&request);
    }
}

/// Callers named by the policy (and some it does not name), each with three contexts: none,
/// every condition key with its first policy value, every key with all its policy values.
pub fn sample_requests(policy: &TrustPolicy) -> Vec<Request> {
    let mut callers: Vec<(Principal, &str)> = Vec::new();
    let named = policy
        .statements
        .iter()
        .flat_map(|s| s.principals.iter())
        .filter_map(|e| match &e.principal {
            PolicyPrincipal::Iam(id) => Some((Principal::Aws(id.clone()), "sts:AssumeRole")),
            PolicyPrincipal::Service(s) => Some((Principal::Service(s.clone()), "sts:AssumeRole")),
            PolicyPrincipal::Federated(f) => Some((
                Principal::Federated(f.clone()),
                "sts:AssumeRoleWithWebIdentity",
            )),
            _ => None,
        });
    callers.extend(named.take(MAX_CALLERS));
    for (text, action) in [
        (
            "arn:aws:sts::444455556666:assumed-role/stranger/session",
            "sts:AssumeRole",
        ),
        ("events.amazonaws.com", "sts:AssumeRole"),
        ("accounts.google.com", "sts:AssumeRoleWithWebIdentity"),
    ] {
        if let Ok(p) = Principal::infer(text) {
            callers.push((p, action));
        }
    }
    let conditions: Vec<(&str, &[String])> = policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .map(|c| (c.condition.key().as_str(), c.condition.raw_values()))
        .collect();
    let mut out = Vec::new();
    for (caller, action) in callers {
        for shape in 0..3 {
            let mut b = Request::builder(caller.clone())
                .action(action)
                .role("arn:aws:iam::111122223333:role/target");
            for (key, values) in &conditions {
                b = match shape {
                    1 => match values.first() {
                        Some(v) => b.context(key, v.clone()),
                        None => b.absent(key),
                    },
                    2 => b.context_many(key, values.iter().cloned()),
                    _ => b,
                };
            }
            if let Ok(r) = b.build() {
                out.push(r);
            }
        }
    }
    out
}

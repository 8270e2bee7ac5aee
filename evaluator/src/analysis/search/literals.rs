//! The literal strings of a policy's conditions (a fresh value differs from all of them).

use super::*;

/// Every literal string in the policy's conditions (a fresh value differs from all of them).
pub fn literals(policy: &TrustPolicy) -> Vec<String> {
    literals_of(policy.statements.iter())
}

/// The literal strings of some statements' conditions, each once, in document order (linear in
/// their total length).
pub(super) fn literals_of<'a>(
    statements: impl Iterator<Item = &'a crate::policy::Statement>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    let mut add = |t: &str, out: &mut Vec<String>| {
        if !t.is_empty() && seen.insert(t.to_owned()) {
            out.push(t.to_owned());
        }
    };
    for s in statements {
        for c in &s.conditions {
            if matches!(
                c.condition.operator().base.family(),
                Family::String | Family::Arn
            ) {
                for v in c.condition.raw_values() {
                    for piece in v.split([':', '/']) {
                        add(piece, &mut out);
                    }
                    add(v, &mut out);
                }
            }
        }
    }
    out
}

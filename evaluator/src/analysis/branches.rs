//! The analysis of a role that can deploy with more than one trust policy: a CloudFormation
//! template whose `Conditions` the parameter values do not decide gives one policy per
//! deployable combination of condition values ([`crate::sources::Branch`]). The role is as
//! exposed as its worst policy, threat by threat, and each finding names the condition values
//! under which it happens.

use super::{Analysis, Verdict};
use crate::limits::MAX_TEMPLATE_BRANCHES;

/// The condition values of one policy: `(condition, value)` in the order met. A choice among
/// more than two values (the key a `Fn::FindInMap` reads) is one entry whose name starts with
/// [`CHOICE`] and says the choice, with `true`.
pub type When = Vec<(String, bool)>;

/// The start of a [`When`] entry that records a choice rather than a condition's value.
pub const CHOICE: &str = "choice: ";

/// One entry of a [`When`] in words: `IsProd is false`, or the choice it records.
pub fn in_words((name, value): &(String, bool)) -> String {
    match name.strip_prefix(CHOICE) {
        Some(choice) => choice.to_owned(),
        None => format!("{name} is {value}"),
    }
}

/// The worst of the analyses of a role's policies, threat by threat: for each threat the result
/// of the first policy with the worst verdict. A finding whose verdict depends on the
/// conditions is prefixed by the condition values that every policy with that verdict shares
/// (`when IsProd is false: ...`).
/// When `truncated` (more combinations than [`MAX_TEMPLATE_BRANCHES`]), a threat that no
/// analysed policy exposes is `inconclusive`: the policies not analysed may.
///
/// Returns the merged analysis and, for each threat, the index of the policy it came from.
/// `branches` is never empty in use; an empty list gives an empty analysis.
pub fn worst_of(branches: &[(When, Analysis)], truncated: bool) -> (Analysis, Vec<usize>) {
    let Some((_, first)) = branches.first() else {
        return (
            Analysis {
                account: None,
                threats: Vec::new(),
                notes: Vec::new(),
            },
            Vec::new(),
        );
    };
    let mut threats = Vec::new();
    let mut origin = Vec::new();
    for (i, base) in first.threats.iter().enumerate() {
        let mut pick = 0;
        let mut worst = base.verdict;
        for (b, (_, a)) in branches.iter().enumerate().skip(1) {
            if let Some(t) = a.threats.get(i) {
                if t.verdict > worst {
                    worst = t.verdict;
                    pick = b;
                }
            }
        }
        let all_same = branches
            .iter()
            .all(|(_, a)| a.threats.get(i).is_some_and(|t| t.verdict == worst));
        let Some((when, a)) = branches.get(pick) else {
            continue;
        };
        let Some(mut t) = a.threats.get(i).cloned() else {
            continue;
        };
        if !all_same {
            // The values every policy with the worst verdict shares: the ones that matter.
            let shared: Vec<String> = when
                .iter()
                .filter(|pair| {
                    branches.iter().all(|(w, a)| {
                        a.threats.get(i).is_none_or(|t| t.verdict != worst) || w.contains(pair)
                    })
                })
                .map(in_words)
                .collect();
            if !shared.is_empty() {
                t.explanation = format!("when {}: {}", shared.join(" and "), t.explanation);
            }
        }
        if truncated && matches!(t.verdict, Verdict::Restricted | Verdict::NotApplicable) {
            t.verdict = Verdict::Inconclusive;
            t.exact = false;
            t.fix = None;
            t.explanation = format!(
                "the template's conditions allow more than {MAX_TEMPLATE_BRANCHES} deployable policies and the {MAX_TEMPLATE_BRANCHES} analysed do not let this attacker in; the others were not analysed. {}",
                t.explanation
            );
        }
        threats.push(t);
        origin.push(pick);
    }
    let mut notes: Vec<String> = Vec::new();
    for (_, a) in branches {
        for n in &a.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    (
        Analysis {
            account: first.account.clone(),
            threats,
            notes,
        },
        origin,
    )
}

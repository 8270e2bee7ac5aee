//! The regression set of the differential test against iam-simulate (`docs/differential.md`):
//! every case of `differential/cases.jsonl` is evaluated with the library and must get its
//! `expected` decision, the one AWS's documentation gives as investigated for the case's cause.
//!
//! The set holds every disagreement of the last run (iam-simulate's decision is kept in `other`)
//! and a spread of agreeing cases; `run.sh` and `regression.mjs` in `differential/` rebuild it.
//! The causes and their verdicts, with the IAM User Guide pages they rest on, are in
//! `docs/differential.md`, "Disagreements by cause". `differential/minimal.jsonl` holds one
//! minimal reproduction (or more) of every cause, with its policy written out, since some causes
//! show only with policies the corpus does not have; it is checked here too.

// Helpers outside `#[test]` functions panic on a broken set too.

use std::collections::BTreeMap;

use serde::Deserialize;
use trustsim_evaluator::testing::explain;
use trustsim_evaluator::{evaluate, Request, TrustPolicy};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    policy: String,
    request: serde_json::Value,
    expected: String,
    other: String,
    cause: String,
}

fn cases() -> Vec<Case> {
    let path = trustsim_corpus::root()
        .join("differential")
        .join("cases.jsonl");
    let text = trustsim_corpus::read(&path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The causes `docs/differential.md` records a verdict for (`agree` for agreeing cases).
const CAUSES: &[&str] = &[
    "agree",
    "arn-first-component",
    "null-empty-string",
    "forallvalues-empty-string",
    "date-epoch-seconds",
    "date-lenient-parsing",
    "numeric-lenient-parsing",
    "plain-operator-on-list",
    "principal-name-case",
    "foranyvalue-ifexists-absent",
    "foranyvalue-empty-string",
    "unparseable-value-negated",
    "single-valued-key-as-list",
    "federated-caller-account-arn",
];

#[test]
fn every_case_gets_its_documented_decision() {
    let cases = cases();
    assert!(
        cases.len() >= 100,
        "the regression set has only {} cases",
        cases.len()
    );
    let mut policies: BTreeMap<String, TrustPolicy> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(
            CAUSES.contains(&case.cause.as_str()),
            "{}: cause `{}` is not one of docs/differential.md",
            case.id,
            case.cause
        );
        if case.cause == "agree" {
            assert_eq!(
                case.expected, case.other,
                "{}: an agreeing case must have the same decision on both sides",
                case.id
            );
        }
        if !policies.contains_key(&case.policy) {
            let path = trustsim_corpus::policy_path(&case.policy);
            let text = trustsim_corpus::read(&path).unwrap();
            let policy = TrustPolicy::from_json(&text)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", case.id, path.display()));
            policies.insert(case.policy.clone(), policy);
        }
        let policy = &policies[&case.policy];
        let request = Request::from_value(&case.request)
            .unwrap_or_else(|e| panic!("{}: the request is invalid: {e}", case.id));
        let decision = evaluate(policy, &request).decision;
        if decision.as_str() != case.expected {
            failures.push(format!(
                "{} (policy {}, cause {}): expected {}, got {} (iam-simulate: {})\n{}",
                case.id,
                case.policy,
                case.cause,
                case.expected,
                decision.as_str(),
                case.other,
                explain(policy, &request)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differential cases changed decision:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Minimal {
    id: String,
    cause: String,
    policy: serde_json::Value,
    request: serde_json::Value,
    expected: String,
    other: String,
}

/// Every cause of `docs/differential.md` has a minimal reproduction, and trustsim gives it the
/// documented decision (iam-simulate's, `other`, differs; `check-minimal.mjs` checks that side).
#[test]
fn every_cause_has_a_minimal_reproduction_with_its_documented_decision() {
    let path = trustsim_corpus::root()
        .join("differential")
        .join("minimal.jsonl");
    let text = trustsim_corpus::read(&path).unwrap();
    let minimal: Vec<Minimal> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for cause in CAUSES.iter().filter(|c| **c != "agree") {
        assert!(
            minimal.iter().any(|m| m.cause == *cause),
            "cause `{cause}` has no minimal reproduction in {}",
            path.display()
        );
    }
    for m in &minimal {
        assert!(
            CAUSES.contains(&m.cause.as_str()),
            "{}: unknown cause",
            m.id
        );
        assert_ne!(
            m.expected, m.other,
            "{}: a reproduction must disagree",
            m.id
        );
        let policy = TrustPolicy::from_value(&m.policy).unwrap();
        let request = Request::from_value(&m.request).unwrap();
        let decision = evaluate(&policy, &request).decision;
        assert_eq!(
            decision.as_str(),
            m.expected,
            "{} ({}):\n{}",
            m.id,
            m.cause,
            explain(&policy, &request)
        );
    }
}

/// The set keeps its disagreements: a rebuild that lost them would test nothing new.
#[test]
fn the_set_keeps_disagreements_of_several_causes() {
    let cases = cases();
    let disagreeing: std::collections::BTreeSet<&str> = cases
        .iter()
        .filter(|c| c.cause != "agree")
        .map(|c| c.cause.as_str())
        .collect();
    assert!(
        disagreeing.len() >= 3,
        "only {disagreeing:?} among the causes"
    );
    for c in cases.iter().filter(|c| c.cause != "agree") {
        assert_ne!(c.expected, c.other, "{}: a disagreement that agrees", c.id);
    }
}

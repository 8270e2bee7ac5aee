//! Target `render`: one input read, analysed and rendered as `trustsim analyze FILE` does
//! (`trustsim_cli::render::analyze_text`), in the three output formats, checked against each
//! other. It lives outside `props/` because it needs the command line's library, which the
//! evaluator's replay test cannot link; `cli/tests/it/fuzz_replay.rs` replays it instead.
//!
//! The text is read as the file a user would name: a JSON text as `input.json` (and, when it
//! has a `resource` key, also as `main.tf.json`), any other text as `input.yaml` (and, when it
//! looks like HCL, also as `main.tf`); each with and without an owner account. Then:
//!
//! - nothing panics;
//! - a run is never silent: it has a role or an input error;
//! - the JSON report: its `errors` are the run's errors; its `summary` counts agree with the
//!   roles' statuses; every role has one result per threat, each naming a known threat and
//!   verdict;
//! - the SARIF log: every result's `ruleId` is the rule at its `ruleIndex`; its file is the
//!   input, relative to `%SRCROOT%`; its `startLine` is a line the text has; its message is a
//!   sentence; it is the JSON result of the same role and threat, with the same verdict; every
//!   JSON result that is a finding has a SARIF result; fingerprints are unique; the run is
//!   successful exactly when there is no input error, and every error and note is a
//!   notification;
//! - the human text names every role and has no colour codes.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;
use trustsim_cli::render::{analyze_text, Rendered};
use trustsim_evaluator::Threat;

const VERDICTS: [&str; 5] = [
    "restricted",
    "partial",
    "exposed",
    "inconclusive",
    "not-applicable",
];

/// The threats' names, in order.
fn threat_names() -> Vec<&'static str> {
    Threat::ALL.iter().map(|t| t.name()).collect()
}

/// The property, on every reading of the text.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut names = Vec::new();
    if trimmed.starts_with(['{', '[']) {
        names.push("input.json");
        if text.contains("\"resource\"") {
            names.push("main.tf.json");
        }
    } else {
        names.push("input.yaml");
        if text.contains("resource \"") || text.contains("data \"") {
            names.push("main.tf");
        }
    }
    for name in names {
        for account in [None, Some("111122223333")] {
            let rendered = analyze_text(Path::new("/src"), name, text, account);
            check_run(name, text, &rendered);
        }
    }
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The checks of one run.
pub fn check_run(name: &str, text: &str, r: &Rendered) {
    let json = &r.json;
    let roles = json["roles"].as_array().cloned().unwrap_or_default();
    assert!(
        !roles.is_empty() || !r.errors.is_empty(),
        "{name}: a run with no role and no error"
    );
    assert_eq!(
        strs(&json["errors"]),
        r.errors.iter().map(String::as_str).collect::<Vec<_>>(),
        "{name}: the report's errors"
    );
    // The summary counts the statuses.
    let statuses: Vec<&str> = roles
        .iter()
        .flat_map(|role| role["threats"].as_array().into_iter().flatten())
        .filter_map(|t| t["status"].as_str())
        .collect();
    let count = |s: &str| statuses.iter().filter(|x| **x == s).count() as u64;
    let summary = &json["summary"];
    assert_eq!(
        summary["roles"].as_u64(),
        Some(roles.len() as u64),
        "{name}: summary.roles"
    );
    assert_eq!(
        summary["findings"].as_u64(),
        Some(count("fails")),
        "{name}: summary.findings"
    );
    assert_eq!(
        summary["below_threshold"].as_u64(),
        Some(count("below-threshold")),
        "{name}: summary.below_threshold"
    );
    assert_eq!(
        summary["informational"].as_u64(),
        Some(count("informational")),
        "{name}: summary.informational"
    );
    let failing_roles = roles
        .iter()
        .filter(|role| {
            role["threats"]
                .as_array()
                .is_some_and(|ts| ts.iter().any(|t| t["status"] == "fails"))
        })
        .count() as u64;
    assert_eq!(
        summary["roles_with_findings"].as_u64(),
        Some(failing_roles),
        "{name}: summary.roles_with_findings"
    );
    for role in &roles {
        let threats = role["threats"].as_array().cloned().unwrap_or_default();
        let named: Vec<&str> = threats
            .iter()
            .filter_map(|t| t["threat"].as_str())
            .collect();
        assert_eq!(
            named,
            threat_names(),
            "{name}: one result per threat, in order"
        );
        for t in &threats {
            let verdict = t["verdict"].as_str().unwrap_or("");
            assert!(VERDICTS.contains(&verdict), "{name}: verdict `{verdict}`");
        }
        let role_name = role["role"].as_str().unwrap_or("");
        assert!(
            r.human.contains(role_name),
            "{name}: the human text does not name role `{role_name}`"
        );
    }
    assert!(
        !r.human.contains('\u{1b}'),
        "{name}: colour codes in the human text"
    );
    check_sarif(name, text, r, &roles);
}

fn check_sarif(name: &str, text: &str, r: &Rendered, roles: &[Value]) {
    let run = &r.sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(rules, threat_names(), "{name}: the rules");
    let lines = text.lines().count().max(1) as u64;
    let results = run["results"].as_array().cloned().unwrap_or_default();
    let mut fingerprints = HashSet::new();
    let mut placed = HashSet::new();
    for res in &results {
        let rule = res["ruleId"].as_str().unwrap_or("");
        let index = res["ruleIndex"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok());
        assert_eq!(
            index.and_then(|i| rules.get(i)).copied(),
            Some(rule),
            "{name}: ruleIndex"
        );
        let location = &res["locations"][0];
        let artifact = &location["physicalLocation"]["artifactLocation"];
        assert_eq!(
            artifact["uri"].as_str(),
            Some(name),
            "{name}: the result's uri"
        );
        assert_eq!(
            artifact["uriBaseId"].as_str(),
            Some("%SRCROOT%"),
            "{name}: uriBaseId"
        );
        let line = location["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap_or(0);
        assert!(
            (1..=lines).contains(&line),
            "{name}: startLine {line} of a text of {lines} lines"
        );
        let message = res["message"]["text"].as_str().unwrap_or("");
        assert!(
            message.chars().next().is_some_and(|c| !c.is_lowercase()),
            "{name}: the message is not a sentence: {message}"
        );
        let fp = res["partialFingerprints"]["trustsimRole/v1"]
            .as_str()
            .unwrap_or("");
        assert!(
            fingerprints.insert(fp.to_owned()),
            "{name}: fingerprint `{fp}` twice"
        );
        // The JSON result of the same role and threat.
        let source = location["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap_or("");
        let twin = roles
            .iter()
            .filter(|role| role["source"] == source)
            .flat_map(|role| role["threats"].as_array().into_iter().flatten())
            .find(|t| t["threat"] == rule);
        let Some(twin) = twin else {
            panic!("{name}: SARIF result {rule} of `{source}` has no JSON result");
        };
        assert_eq!(
            twin["verdict"], res["properties"]["verdict"],
            "{name}: {rule} of `{source}`: verdicts differ"
        );
        placed.insert((source.to_owned(), rule.to_owned()));
    }
    for role in roles {
        let source = role["source"].as_str().unwrap_or("");
        for t in role["threats"].as_array().into_iter().flatten() {
            let verdict = t["verdict"].as_str().unwrap_or("");
            if matches!(verdict, "exposed" | "partial" | "inconclusive") {
                let rule = t["threat"].as_str().unwrap_or("");
                assert!(
                    placed.contains(&(source.to_owned(), rule.to_owned())),
                    "{name}: the {verdict} {rule} of `{source}` has no SARIF result"
                );
            }
        }
    }
    let invocation = &run["invocations"][0];
    assert_eq!(
        invocation["executionSuccessful"].as_bool(),
        Some(r.errors.is_empty()),
        "{name}: executionSuccessful"
    );
    let notifications = invocation["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let levels: Vec<&str> = notifications
        .iter()
        .filter_map(|n| n["level"].as_str())
        .collect();
    let expected: Vec<&str> = r
        .errors
        .iter()
        .map(|_| "error")
        .chain(r.notes.iter().map(|_| "note"))
        .collect();
    assert_eq!(levels, expected, "{name}: the notifications");
}

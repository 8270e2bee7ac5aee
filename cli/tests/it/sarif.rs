//! SARIF that code scanning can place: every result has a line (for a bare policy, the line of
//! the statement that lets the attacker in), paths are relative to `%SRCROOT%` however they were
//! typed, input errors and skipped files are notifications, and each rule has its own help.

use crate::support;

use std::process::Command;

use serde_json::Value;
use support::scratch;

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {
      "Effect": "Allow",
      "Principal": {"Service": "events.amazonaws.com"},
      "Action": "sts:AssumeRole"
    }
  ]
}"#;

fn sarif(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(dir)
        .args([
            "analyze",
            "--format",
            "sarif",
            "--no-config",
            "--fail-on",
            "never",
        ])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap(),
    )
}

#[test]
fn results_are_placed_at_their_statement_relative_to_the_root() {
    let dir = scratch("sarif-place");
    std::fs::create_dir_all(dir.join("roles")).unwrap();
    std::fs::write(dir.join("roles/events.json"), POLICY).unwrap();
    let (_, a) = sarif(&dir, &["roles/events.json"]);
    let (_, b) = sarif(&dir, &["./roles/../roles/events.json"]);
    let result = &a["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "roles/events.json");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // Statement 1 (events, no aws:SourceAccount) starts on line 5.
    assert_eq!(location["region"]["startLine"], 5, "{result}");
    // However the path was typed, the same URI and fingerprints.
    let other = &b["runs"][0]["results"][0];
    assert_eq!(other["locations"][0]["physicalLocation"], *location);
    assert_eq!(other["partialFingerprints"], result["partialFingerprints"]);
    let base = a["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    // The message reads as a sentence, not `rule role:`.
    let text = result["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Statement 1 lets in events.amazonaws.com"),
        "{text}"
    );
    // With another root, the path is relative to it.
    let (_, c) = sarif(&dir, &["roles/events.json", "--sarif-root", "roles"]);
    assert_eq!(
        c["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "events.json"
    );
}

#[test]
fn input_errors_and_skips_are_notifications() {
    let dir = scratch("sarif-notes");
    std::fs::write(dir.join("good.json"), POLICY).unwrap();
    std::fs::write(dir.join("broken.json"), "{\"Statement\": [").unwrap();
    std::fs::write(dir.join("package.json"), r#"{"name": "app"}"#).unwrap();
    let (code, log) = sarif(&dir, &["."]);
    assert_eq!(code, Some(1));
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    let levels: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["level"].as_str().unwrap(),
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    assert!(levels.contains(&("error", "broken.json")), "{levels:?}");
    assert!(levels.contains(&("note", "package.json")), "{levels:?}");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn each_rule_has_its_own_help() {
    let dir = scratch("sarif-rules");
    std::fs::write(dir.join("p.json"), POLICY).unwrap();
    let (_, log) = sarif(&dir, &["p.json"]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let helps: Vec<&str> = rules
        .iter()
        .map(|r| r["help"]["markdown"].as_str().unwrap())
        .collect();
    for (r, h) in rules.iter().zip(&helps) {
        assert!(
            h.contains("**How to fix:**") && h.contains("https://docs.aws.amazon.com/"),
            "{h}"
        );
        assert!(r["help"]["text"].as_str().unwrap().contains("How to fix:"));
        assert!(r["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("docs/threats.md#12-the-five-threats"));
    }
    let distinct: std::collections::BTreeSet<&&str> = helps.iter().collect();
    assert_eq!(distinct.len(), rules.len(), "one help per rule");
}

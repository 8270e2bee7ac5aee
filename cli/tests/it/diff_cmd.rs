//! `trustsim diff`: OLD and NEW of any input kind, roles matched by identity, the classes that
//! widened or narrowed with replayed witnesses, `--git REV`, the formats and the exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::scratch;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn trustsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `trustsim diff ARGS --format json` in `dir`: the report, after checking the exit status.
fn diff_report(dir: &Path, args: &[&str], status: i32) -> Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = trustsim(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(status),
        "{all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

fn class<'a>(report: &'a Value, role: usize, threat: &str) -> &'a Value {
    report["roles"][role]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == threat)
        .unwrap()
}

#[test]
fn dropping_the_source_account_widens_with_a_witness_and_fails() {
    let dir = examples();
    let report = diff_report(
        &dir,
        &[
            "eventbridge-role-fixed.json",
            "eventbridge-role.json",
            "--account",
            "111122223333",
        ],
        3,
    );
    assert_eq!(report["roles"][0]["status"], "changed");
    let forged = class(&report, 0, "forged-service");
    assert_eq!(forged["change"], "widened");
    assert_eq!(forged["exact"], true);
    assert_eq!(forged["verdicts"]["old"], "restricted");
    assert_eq!(forged["verdicts"]["new"], "exposed");
    // The witness, replayed: the new policy allows it, the old one does not.
    let witness = serde_json::to_string(&forged["widened"]).unwrap();
    let scratch = scratch("diff-witness");
    let request = scratch.join("witness.json");
    std::fs::write(&request, witness).unwrap();
    let now = trustsim(
        &dir,
        &[
            "eval",
            "eventbridge-role.json",
            "--request",
            request.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(now.status.code(), Some(0));
    let before = trustsim(
        &dir,
        &[
            "eval",
            "eventbridge-role-fixed.json",
            "--request",
            request.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(before.status.code(), Some(2));
    assert_eq!(report["summary"]["widened"], 1);
    // --fail-on never reports without failing; the converse change narrows and passes.
    let never = trustsim(
        &dir,
        &[
            "diff",
            "eventbridge-role-fixed.json",
            "eventbridge-role.json",
            "--fail-on",
            "never",
            "--format",
            "json",
        ],
    );
    assert_eq!(never.status.code(), Some(0));
    let back = trustsim(
        &dir,
        &[
            "diff",
            "eventbridge-role.json",
            "eventbridge-role-fixed.json",
            "--account",
            "111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(back.status.code(), Some(0));
    assert_eq!(
        class(&json_of(&back), 0, "forged-service")["change"],
        "narrowed"
    );
}

#[test]
fn a_policy_against_itself_is_unchanged_in_every_class() {
    let out = trustsim(
        &examples(),
        &[
            "diff",
            "externalid-role.json",
            "externalid-role.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let report = json_of(&out);
    assert_eq!(report["roles"][0]["status"], "unchanged");
    for c in report["roles"][0]["classes"].as_array().unwrap() {
        assert_eq!(c["change"], "unchanged", "{c}");
        assert_eq!(c["widened"], Value::Null);
    }
}

#[test]
fn git_revisions_added_and_removed_roles_and_sarif() {
    let repo = scratch("diff-git");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "ci@example.invalid"]);
    git(&["config", "user.name", "ci"]);
    std::fs::create_dir_all(repo.join("templates")).unwrap();
    let copy = |from: &str, to: &str| {
        std::fs::copy(examples().join(from), repo.join("templates").join(to)).unwrap();
    };
    copy("eventbridge-template-fixed.yaml", "app.yaml");
    copy("eventbridge-role-fixed.json", "old-role.json");
    git(&["add", "."]);
    git(&["commit", "-qm", "fixed"]);
    copy("eventbridge-template.yaml", "app.yaml");
    std::fs::remove_file(repo.join("templates/old-role.json")).unwrap();
    copy("externalid-role.json", "new-role.json");
    let report = diff_report(
        &repo,
        &["--git", "HEAD", "templates", "--account", "111122223333"],
        3,
    );
    let status = |name: &str| {
        report["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == name)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        status("CentralEventBusToInvoiceProcessingEventBusRole").as_deref(),
        Some("changed")
    );
    assert_eq!(status("old-role").as_deref(), Some("removed"));
    assert_eq!(status("new-role").as_deref(), Some("added"));
    assert_eq!(report["summary"]["added"], 1);
    assert_eq!(report["summary"]["removed"], 1);
    // SARIF: one result, the widened class, at the new template's line of the role.
    let sarif = trustsim(
        &repo,
        &[
            "diff",
            "--git",
            "HEAD",
            "templates",
            "--account",
            "111122223333",
            "--format",
            "sarif",
        ],
    );
    let log = json_of(&sarif);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "trustsim/diff/forged-service");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "templates/app.yaml"
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );
    // A revision that does not exist is an input error.
    let bad = trustsim(&repo, &["diff", "--git", "no-such-rev", "templates"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn one_path_without_git_is_refused() {
    let out = trustsim(&examples(), &["diff", "eventbridge-role.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give OLD and NEW, or --git REV"));
}

#[test]
fn an_account_export_matches_roles_by_arn_and_finds_the_one_that_changed() {
    let original = examples().join("account-export/ordinary-account.json");
    let mut export: Value =
        serde_json::from_str(&std::fs::read_to_string(&original).unwrap()).unwrap();
    let roles = export["RoleDetailList"].as_array_mut().unwrap();
    // Another order of the roles, and one role's ExternalId dropped.
    roles.reverse();
    let vendor = roles
        .iter_mut()
        .find(|r| r["RoleName"] == "monitoring-vendor-integration")
        .unwrap();
    vendor["AssumeRolePolicyDocument"]["Statement"][0]
        .as_object_mut()
        .unwrap()
        .remove("Condition");
    let dir = scratch("diff-export");
    let changed = dir.join("export.json");
    std::fs::write(&changed, serde_json::to_string_pretty(&export).unwrap()).unwrap();
    let report = diff_report(
        &dir,
        &[
            original.to_str().unwrap(),
            "export.json",
            "--account",
            "111122223333",
        ],
        3,
    );
    assert_eq!(report["summary"]["added"], 0);
    assert_eq!(report["summary"]["removed"], 0);
    let changed: Vec<&Value> = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "changed")
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        changed[0]["identity"],
        "arn:aws:iam::111122223333:role/monitoring-vendor-integration"
    );
    let deputy = changed[0]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "confused-deputy")
        .unwrap();
    assert_eq!(deputy["change"], "widened");
}

/// A template whose trust policy depends on a condition that no parameter value decides.
fn branching_template(when_not_prod: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Scheduler:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: events.amazonaws.com}}
            Action: sts:AssumeRole
            Condition: !If
              - IsProd
              - {{StringEquals: {{aws:SourceAccount: "111122223333"}}}}
              - {when_not_prod}
"#
    )
}

#[test]
fn a_template_is_compared_on_every_branch_its_conditions_leave_open() {
    let dir = scratch("diff-branches");
    let guarded = r#"{StringEquals: {aws:SourceAccount: "111122223333"}}"#;
    std::fs::write(dir.join("old.yaml"), branching_template(guarded)).unwrap();
    // Only the branch that is not the first changes: its condition is dropped.
    std::fs::write(
        dir.join("new.yaml"),
        branching_template("!Ref AWS::NoValue"),
    )
    .unwrap();
    let report = diff_report(
        &dir,
        &["old.yaml", "new.yaml", "--account", "111122223333"],
        3,
    );
    let forged = class(&report, 0, "forged-service");
    assert_eq!(forged["change"], "widened", "{forged}");
    let when = forged["when"].as_str().unwrap_or_default();
    assert!(when.contains("IsProd") && when.contains("false"), "{when}");
    // The same template on both sides: unchanged on every branch, and proved.
    let same = trustsim(
        &dir,
        &[
            "diff",
            "old.yaml",
            "old.yaml",
            "--account",
            "111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(same.status.code(), Some(0));
    for c in json_of(&same)["roles"][0]["classes"].as_array().unwrap() {
        assert_eq!(c["change"], "unchanged", "{c}");
    }
}

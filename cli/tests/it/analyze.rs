//! `trustsim analyze` end to end: the contract's JSON, exit statuses for `--fail-on`, and
//! directory scans mixing good, broken and unrelated files.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn trustsim(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(args)
        .output()
        .expect("run trustsim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trustsim-analyze-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn threat<'a>(role: &'a Value, name: &str) -> &'a Value {
    role["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["threat"] == name)
        .unwrap()
}

#[test]
fn seed_role_is_exposed_with_witness_and_proven_fix() {
    let (code, out, err) = trustsim(&[
        "analyze",
        &example("eventbridge-role.json"),
        "--account",
        "111122223333",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let role = &v["roles"][0];
    assert_eq!(role["role"], "eventbridge-role");
    assert_eq!(role["account"], "111122223333");
    let names: Vec<&str> = role["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["threat"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "public",
            "forged-service",
            "confused-deputy",
            "federated",
            "account-wide"
        ]
    );
    let f = threat(role, "forged-service");
    assert_eq!(f["verdict"], "exposed");
    assert_eq!(f["statements"], json!([0]));
    assert_eq!(
        f["witness"]["principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert_eq!(
        f["fix"]["Statement"][0]["Condition"],
        json!({"StringEquals": {"aws:SourceAccount": "111122223333"}})
    );
    assert_eq!(threat(role, "public")["verdict"], "not-applicable");
    // The witness, fed to `trustsim eval`, is allowed; against the fix it is not.
    let dir = scratch("witness");
    std::fs::write(dir.join("w.json"), f["witness"].to_string()).unwrap();
    std::fs::write(dir.join("fix.json"), f["fix"].to_string()).unwrap();
    let w = dir.join("w.json").display().to_string();
    assert_eq!(
        trustsim(&[
            "eval",
            &example("eventbridge-role.json"),
            "--request",
            &w,
            "--format",
            "json"
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        trustsim(&[
            "eval",
            &dir.join("fix.json").display().to_string(),
            "--request",
            &w,
            "--format",
            "json"
        ])
        .0,
        Some(2)
    );
}

#[test]
fn fixed_role_is_restricted_and_exits_zero() {
    let (code, out, _) = trustsim(&[
        "analyze",
        &example("eventbridge-role-fixed.json"),
        "--account",
        "111122223333",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        threat(&v["roles"][0], "forged-service")["verdict"],
        "restricted"
    );
    assert_eq!(
        threat(&v["roles"][0], "forged-service")["witness"],
        Value::Null
    );
}

#[test]
fn fail_on_levels() {
    let dir = scratch("failon");
    let p = dir.join("partial.json");
    std::fs::write(&p, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sts:AssumeRole", "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}]}"#).unwrap();
    let p = p.display().to_string();
    assert_eq!(
        trustsim(&["analyze", &p, "--format", "json"]).0,
        Some(0),
        "partial is below the default `exposed`"
    );
    assert_eq!(
        trustsim(&["analyze", &p, "--format", "json", "--fail-on", "partial"]).0,
        Some(3)
    );
    assert_eq!(
        trustsim(&[
            "analyze",
            &example("eventbridge-role.json"),
            "--format",
            "json",
            "--fail-on",
            "never"
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        trustsim(&["analyze", &p, "--fail-on", "sometimes"]).0,
        Some(1),
        "usage errors are input errors"
    );
    assert_eq!(trustsim(&["analyze", &p, "--account", "12345"]).0, Some(1));
}

#[test]
fn directory_scan_mixes_good_broken_and_unrelated_files() {
    let dir = scratch("dir");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::copy(
        example("eventbridge-role-fixed.json"),
        dir.join("a-good.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("b-broken.json"),
        r#"{"Statement": [{"Effect": "Allow", "NotPrincipal": "*", "Action": "sts:AssumeRole"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("c-unrelated.json"),
        r#"{"name": "package.json, not a policy"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not json").unwrap();
    std::fs::copy(
        example("externalid-role.json"),
        dir.join("nested/d-vendor.json"),
    )
    .unwrap();
    let (code, out, err) = trustsim(&[
        "analyze",
        &dir.display().to_string(),
        "--account",
        "111122223333",
        "--format",
        "json",
    ]);
    assert_eq!(
        code,
        Some(1),
        "a broken file is an input error, the others are still analysed: {err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let roles: Vec<&str> = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["a-good", "d-vendor"]);
    assert!(err.contains("b-broken.json: /Statement/0/NotPrincipal: role trust policies do not support `NotPrincipal`"), "{err}");
    assert!(
        err.contains("c-unrelated.json: skipped: not a trust policy"),
        "{err}"
    );
    assert!(!err.contains("notes.txt"));
    assert_eq!(
        threat(&v["roles"][1], "confused-deputy")["verdict"],
        "restricted"
    );
}

#[test]
fn human_output_leads_with_what_is_open() {
    let (code, out, _) = trustsim(&[
        "analyze",
        &example("eventbridge-role.json"),
        "--format",
        "human",
    ]);
    assert_eq!(code, Some(3));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("eventbridge-role ("), "{out}");
    assert!(
        lines[1].starts_with("  exposed forged-service: statement 0 lets in events.amazonaws.com"),
        "{out}"
    );
    assert!(out.contains("fix (proven to close it):"), "{out}");
    assert!(out.contains("note: the owner account is unknown"), "{out}");
    assert!(
        out.contains("OWNER_ACCOUNT_ID"),
        "without --account the fix names a placeholder: {out}"
    );
}

#[test]
fn missing_paths_are_input_errors() {
    let (code, _, err) = trustsim(&["analyze", "/nonexistent/trust.json", "--format", "json"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("/nonexistent/trust.json: no such file or directory"),
        "{err}"
    );
}

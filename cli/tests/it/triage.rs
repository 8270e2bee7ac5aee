//! Findings a security engineer keeps, end to end: the realistic account export
//! (`examples/account-export/`) fails the run only on its truly open roles, with and without a
//! zone of trust; suppressions in `trustsim.toml`, inline in CloudFormation and from a baseline
//! stay in the output, and stop covering a finding whose access grew; exit statuses when
//! findings and input errors meet.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn trustsim_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run trustsim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trustsim-triage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn export() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/account-export/ordinary-account.json")
        .display()
        .to_string()
}

/// The export with a second account trusted beside the vendor of `acme-finops-readonly`: access
/// that grew since a finding was accepted.
fn grown_export(dir: &Path) -> PathBuf {
    let original = std::fs::read_to_string(export()).unwrap();
    let text = original.replace(
        "\"AWS\": \"arn:aws:iam::777788889999:root\"",
        "\"AWS\": [\"arn:aws:iam::777788889999:root\", \"arn:aws:iam::555566667777:root\"]",
    );
    assert_ne!(text, original, "the fixture names the vendor");
    let grown = dir.join("grown.json");
    std::fs::write(&grown, text).unwrap();
    grown
}

/// Runs trustsim in `dir` and reads its JSON report.
fn json_run(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let (code, out, err) = trustsim_in(dir, args);
    (code, serde_json::from_str(&out).unwrap(), err)
}

fn expected() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/account-export/expected.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// (role, threat) of every finding with this status.
fn with_status(report: &Value, status: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in report["roles"].as_array().unwrap() {
        for t in r["threats"].as_array().unwrap() {
            if t["status"] == status {
                out.insert((
                    r["role"].as_str().unwrap().to_owned(),
                    t["threat"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

fn open_roles() -> BTreeSet<(String, String)> {
    let e = expected();
    let open: BTreeMap<String, Vec<String>> = serde_json::from_value(e["open"].clone()).unwrap();
    open.into_iter()
        .flat_map(|(r, ts)| ts.into_iter().map(move |t| (r.clone(), t)))
        .collect()
}

fn zone_args() -> Vec<String> {
    let e = expected();
    let mut a = vec![
        "--trusted-org".to_owned(),
        e["trusted_org"].as_str().unwrap().to_owned(),
    ];
    for acc in e["trusted_accounts"].as_array().unwrap() {
        a.push("--trusted-account".to_owned());
        a.push(acc.as_str().unwrap().to_owned());
    }
    a
}

fn analyse_export(extra: &[String]) -> (Option<i32>, Value, String) {
    let dir = scratch("export");
    let x = export();
    let mut args = vec![
        "analyze",
        x.as_str(),
        "--account",
        "111122223333",
        "--format",
        "json",
    ];
    args.extend(extra.iter().map(String::as_str));
    json_run(&dir, &args)
}

#[test]
fn an_ordinary_account_fails_only_on_its_open_roles_with_a_zone_of_trust() {
    let (code, report, _) = analyse_export(&zone_args());
    assert_eq!(code, Some(3));
    assert_eq!(with_status(&report, "fails"), open_roles());
    // Service-linked and Identity Center roles are informational and carry no fix.
    for r in report["roles"].as_array().unwrap() {
        if !r["aws_managed"].is_null() {
            for t in r["threats"].as_array().unwrap() {
                assert!(t["fix"].is_null(), "{}", r["role"]);
                assert!(t["status"].is_null() || t["status"] == "informational");
            }
        }
    }
    let managed = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["aws_managed"].is_null())
        .count();
    assert_eq!(managed, 9, "3 Identity Center and 6 service-linked roles");
}

#[test]
fn without_a_zone_the_organizations_accounts_are_third_parties() {
    let (code, report, _) = analyse_export(&[]);
    assert_eq!(code, Some(3));
    let fails = with_status(&report, "fails");
    let mut want = open_roles();
    for r in [
        "OrganizationAccountAccessRole",
        "security-audit-readonly",
        "shared-services-ci-deploy",
    ] {
        want.insert((r.to_owned(), "confused-deputy".to_owned()));
    }
    assert_eq!(fails, want);
}

#[test]
fn suppressions_stay_visible_and_cover_only_what_was_accepted() {
    let dir = scratch("suppress");
    let x = export();
    std::fs::write(
        dir.join("trustsim.toml"),
        "account = \"111122223333\"\n\n[[ignore]]\nrole = \"acme-finops-*\"\nthreat = \"confused-deputy\"\nreason = \"contract signed; vendor has no ExternalId support yet\"\nverdict = \"exposed\"\nprincipals = [\"arn:aws:iam::777788889999:root\"]\n\n[[ignore]]\nrole = \"nothing-matches\"\nthreat = \"public\"\nreason = \"stale\"\n",
    )
    .unwrap();
    let (code, report, err) = json_run(&dir, &["analyze", &x, "--format", "json"]);
    assert_eq!(code, Some(3), "{err}");
    let suppressed = with_status(&report, "suppressed");
    assert!(suppressed.contains(&(
        "acme-finops-readonly".to_owned(),
        "confused-deputy".to_owned()
    )));
    let role = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "acme-finops-readonly")
        .unwrap();
    let t = role["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["threat"] == "confused-deputy")
        .unwrap();
    assert_eq!(
        t["suppressed"]["by"],
        format!("{}:3", dir.join("trustsim.toml").display())
    );
    assert!(err.contains("matches no finding"), "{err}");
    assert_eq!(report["summary"]["suppressed"], 1);
    // SARIF carries the suppression.
    let (_, sarif, _) = trustsim_in(&dir, &["analyze", &x, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["suppressions"][0]["kind"] == "external"));

    // The same entry no longer covers the role once another account is trusted too.
    let grown = grown_export(&dir);
    let (_, report, err) = json_run(
        &dir,
        &["analyze", grown.to_str().unwrap(), "--format", "json"],
    );
    assert!(with_status(&report, "fails").contains(&(
        "acme-finops-readonly".to_owned(),
        "confused-deputy".to_owned()
    )));
    assert!(err.contains("no longer covered"), "{err}");
}

#[test]
fn a_baseline_accepts_todays_findings_and_catches_new_ones() {
    let dir = scratch("baseline");
    let x = export();
    let base = dir.join("baseline.json");
    let (code, _, _) = trustsim_in(
        &dir,
        &[
            "analyze",
            &x,
            "--account",
            "111122223333",
            "--format",
            "json",
            "--write-baseline",
            base.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(3));
    let (code, report, err) = json_run(
        &dir,
        &[
            "analyze",
            &x,
            "--account",
            "111122223333",
            "--format",
            "json",
            "--baseline",
            base.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(with_status(&report, "fails").is_empty());
    assert!(!with_status(&report, "suppressed").is_empty());
    // A role that is now open to a new principal fails again.
    let grown = grown_export(&dir);
    let (code, report, err) = json_run(
        &dir,
        &[
            "analyze",
            grown.to_str().unwrap(),
            "--account",
            "111122223333",
            "--format",
            "json",
            "--baseline",
            base.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(
        with_status(&report, "fails"),
        [(
            "acme-finops-readonly".to_owned(),
            "confused-deputy".to_owned()
        )]
        .into_iter()
        .collect()
    );
    assert!(err.contains("grew beyond the baseline"), "{err}");
}

#[test]
fn inline_cloudformation_ignores_are_read_and_checked() {
    let dir = scratch("inline");
    let t = dir.join("template.yaml");
    std::fs::write(
        &t,
        "Resources:\n  VendorRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      trustsim:\n        ignore:\n          - threat: confused-deputy\n            reason: vendor onboarding, ticket SEC-12\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: 'arn:aws:iam::777788889999:root'}\n            Action: sts:AssumeRole\n",
    )
    .unwrap();
    let (code, report, err) = json_run(
        &dir,
        &[
            "analyze",
            t.to_str().unwrap(),
            "--account",
            "111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let s = with_status(&report, "suppressed");
    assert!(s.contains(&("VendorRole".to_owned(), "confused-deputy".to_owned())));
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "Resources:\n  VendorRole:\n    Type: AWS::IAM::Role\n    Metadata:\n      trustsim:\n        ignore:\n          - threat: confused-deputy\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement: []\n",
    )
    .unwrap();
    let (code, _, err) = trustsim_in(
        &dir,
        &["analyze", bad.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("/Resources/VendorRole/Metadata/trustsim/ignore/0/reason"),
        "{err}"
    );
}

#[test]
fn findings_win_over_input_errors_and_both_are_reported() {
    let dir = scratch("precedence");
    std::fs::write(dir.join("broken.json"), "{ not json").unwrap();
    std::fs::write(
        dir.join("open.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("closed.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let d = dir.display().to_string();
    // Finding and input error: 3, with the error counted on stderr.
    let (code, _, err) = trustsim_in(&dir, &["analyze", &d, "--format", "json"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("1 input error(s)"), "{err}");
    // Input error alone: 1.
    std::fs::remove_file(dir.join("open.json")).unwrap();
    let (code, _, err) = trustsim_in(&dir, &["analyze", &d, "--format", "json"]);
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn config_file_errors_name_the_line_and_flags_win() {
    let dir = scratch("config");
    std::fs::write(
        dir.join("trustsim.toml"),
        "account = \"111122223333\"\ntrusted_acounts = [\"222233334444\"]\n",
    )
    .unwrap();
    let x = export();
    let (code, _, err) = trustsim_in(&dir, &["analyze", &x, "--format", "json"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("trustsim.toml:2"), "{err}");
    // --no-config skips it; an invalid flag value is an error naming the flag.
    let (code, _, err) = trustsim_in(
        &dir,
        &[
            "analyze",
            &x,
            "--no-config",
            "--trusted-account",
            "12",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("--trusted-account `12`"), "{err}");
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// CloudFormation evaluates `Conditions` from the parameters: with the CDK bootstrap template's
/// defaults (`TrustedAccounts: ''`), `HasTrustedAccounts` is false and its `Fn::If` removes the
/// cross-account statement, so all five roles are analysed (AWS CloudFormation User Guide,
/// "Condition functions" and "Pseudo parameters reference", `AWS::NoValue`).
#[test]
fn the_cdk_bootstrap_template_is_read_as_cloudformation_deploys_it() {
    let dir = scratch("cdk");
    let t = fixture("cdk-bootstrap/bootstrap-template.yaml");
    let (code, report, err) = json_run(
        &dir,
        &[
            "analyze",
            &t,
            "--account",
            "111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{err}");
    assert_eq!(report["roles"].as_array().unwrap().len(), 5);
    assert!(with_status(&report, "fails").is_empty());
}

/// A branch chosen by a condition the defaults decide is the one deployed: here the open one.
#[test]
fn conditions_decide_fn_if_from_the_parameter_defaults() {
    let dir = scratch("cond");
    let t = dir.join("template.yaml");
    std::fs::write(
        &t,
        "Parameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  IsDev: !Not [!Condition IsProd]\nResources:\n  AppRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: !If [IsProd, {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:role/deployer'}, {AWS: '*'}]\n            Action: sts:AssumeRole\n  DevOnly:\n    Type: AWS::IAM::Role\n    Condition: IsProd\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n",
    )
    .unwrap();
    let (code, report, err) = json_run(
        &dir,
        &[
            "analyze",
            t.to_str().unwrap(),
            "--account",
            "111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(3), "{err}");
    let fails = with_status(&report, "fails");
    // "*" (the branch deployed under `Env: dev`) lets in every account, and every service.
    assert!(
        fails.contains(&("AppRole".to_owned(), "public".to_owned())),
        "{fails:?}"
    );
    assert!(fails.iter().all(|(r, _)| r == "AppRole"), "{fails:?}");
    // The role whose condition is false is not deployed, and a note says so.
    assert!(
        err.contains("not deployed: its condition `IsProd` is false"),
        "{err}"
    );
}

/// `--parameter` gives a deployment's value: CDK's `TrustedAccounts` turns on the cross-account
/// statements, whose third party is a confused-deputy finding unless it is in the zone of trust.
#[test]
fn parameters_take_the_place_of_defaults() {
    let dir = scratch("params");
    let t = fixture("cdk-bootstrap/bootstrap-template.yaml");
    let args = [
        "analyze",
        t.as_str(),
        "--account",
        "111122223333",
        "--format",
        "json",
        "--parameter",
        "TrustedAccounts=444455556666",
    ];
    let (code, report, err) = json_run(&dir, &args);
    assert_eq!(code, Some(3), "{err}");
    let fails = with_status(&report, "fails");
    assert_eq!(fails.len(), 4, "{fails:?}");
    assert!(
        fails.iter().all(|(_, t)| t == "confused-deputy"),
        "{fails:?}"
    );
    let mut zoned: Vec<&str> = args.to_vec();
    zoned.extend(["--trusted-account", "444455556666"]);
    let (code, report, err) = json_run(&dir, &zoned);
    assert_eq!(code, Some(0), "{err}");
    assert!(with_status(&report, "fails").is_empty());
    let (code, _, err) = trustsim_in(
        &dir,
        &["analyze", t.as_str(), "--parameter", "TrustedAccounts"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("is not NAME=VALUE"), "{err}");
}

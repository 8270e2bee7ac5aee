//! `trustsim analyze` on the inputs security engineers hold: CloudFormation (YAML short forms
//! and JSON long forms), Terraform plans, and account exports.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn analyze(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .arg("analyze")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

fn verdict(role: &Value, threat: &str) -> String {
    role["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["threat"] == threat)
        .unwrap()["verdict"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn role<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == name)
        .unwrap_or_else(|| panic!("no role {name} in {v}"))
}

#[test]
fn seed_template_is_exposed_before_its_fix_and_restricted_after() {
    let (code, v, _) = analyze(&[&path("../examples/eventbridge-template.yaml")]);
    assert_eq!(code, Some(3));
    let r = role(&v, "CentralEventBusToInvoiceProcessingEventBusRole");
    assert_eq!(verdict(r, "forged-service"), "exposed");
    assert!(r["source"].as_str().unwrap().ends_with(
        "eventbridge-template.yaml#/Resources/CentralEventBusToInvoiceProcessingEventBusRole"
    ));
    assert_eq!(r["line"], 9);
    let (code, v, _) = analyze(&[&path("../examples/eventbridge-template-fixed.yaml")]);
    assert_eq!(code, Some(0));
    let r = role(&v, "CentralEventBusToInvoiceProcessingEventBusRole");
    assert_eq!(verdict(r, "forged-service"), "restricted");
    assert!(
        r["notes"]
            .to_string()
            .contains("parameter `AnAccountIdThatWeTrust` has no default"),
        "{}",
        r["notes"]
    );
    assert_eq!(
        v["roles"].as_array().unwrap().len(),
        1,
        "only IAM roles are reported"
    );
}

#[test]
fn yaml_short_forms_are_resolved_or_kept_opaque() {
    let (_, v, err) = analyze(&[
        &path("tests/fixtures/short-forms.yaml"),
        "--account",
        "111122223333",
    ]);
    assert!(err.is_empty(), "{err}");
    let deploy = role(&v, "DeployRole");
    // !Sub with pseudo parameters, !Select, !If (IsProd is true under the default Env: prod)
    // and !Join over a parameter's default resolve to repo:octo-org/deploy:ref:refs/heads/main:
    // restricted.
    assert_eq!(verdict(deploy, "federated"), "restricted");
    let notes = deploy["notes"].to_string();
    assert!(!notes.contains("Fn::If"), "{notes}");
    assert!(
        notes.contains("`Fn::GetAtt`: kept as an opaque value the owner controls"),
        "{notes}"
    );
    assert!(notes.contains("`Fn::ImportValue`"), "{notes}");
    // An unresolved principal is taken as a role of the owner's account, not a third party.
    assert_eq!(verdict(deploy, "confused-deputy"), "not-applicable");
    assert_eq!(
        verdict(role(&v, "BuildRole"), "forged-service"),
        "restricted"
    );
}

#[test]
fn json_template_long_forms() {
    let (_, v, _) = analyze(&[
        &path("tests/fixtures/template.json"),
        "--account",
        "111122223333",
    ]);
    let roles: Vec<&str> = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["VendorRole", "SchedulerRole"]);
    // Fn::Sub over a parameter default names the vendor; Ref of a parameter without default is
    // an opaque ExternalId the attacker cannot send.
    assert_eq!(
        verdict(role(&v, "VendorRole"), "confused-deputy"),
        "restricted"
    );
    // Fn::Join with AWS::URLSuffix names the service; Ref AWS::AccountId is the owner.
    assert_eq!(
        verdict(role(&v, "SchedulerRole"), "forged-service"),
        "restricted"
    );
    let (_, v, _) = analyze(&[&path("tests/fixtures/template.json")]);
    assert!(role(&v, "SchedulerRole")["notes"]
        .to_string()
        .contains("AWS::AccountId is unknown"));
}

#[test]
fn terraform_plan_roles_in_modules_and_prior_state() {
    let (code, v, _) = analyze(&[
        &path("tests/fixtures/plan.json"),
        "--account",
        "111122223333",
    ]);
    assert_eq!(code, Some(3));
    let roles: Vec<&str> = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "aws_iam_role.ci",
            "module.lambda.aws_iam_role.exec",
            "aws_iam_role.legacy"
        ]
    );
    assert_eq!(
        verdict(role(&v, "aws_iam_role.ci"), "federated"),
        "exposed",
        "aud without sub"
    );
    assert_eq!(
        verdict(
            role(&v, "module.lambda.aws_iam_role.exec"),
            "forged-service"
        ),
        "restricted",
        "lambda takes passed roles only"
    );
    assert_eq!(
        verdict(role(&v, "aws_iam_role.legacy"), "public"),
        "exposed"
    );
    assert_eq!(role(&v, "aws_iam_role.legacy")["account"], "111122223333");
}

#[test]
fn account_export_with_url_encoded_documents() {
    let (_, v, _) = analyze(&[&path("tests/fixtures/account-export.json")]);
    let events = role(&v, "events-role");
    assert_eq!(
        events["account"], "777788889999",
        "the account comes from the role ARN"
    );
    assert_eq!(verdict(events, "forged-service"), "exposed");
    assert_eq!(
        events["threats"][1]["fix"]["Statement"][0]["Condition"]["StringEquals"]
            ["aws:SourceAccount"],
        "777788889999"
    );
    assert_eq!(
        verdict(role(&v, "vendor-role"), "confused-deputy"),
        "restricted"
    );
    assert!(role(&v, "vendor-role")["source"]
        .as_str()
        .unwrap()
        .ends_with("account-export.json#/RoleDetailList/1"));
}

#[test]
fn input_kind_can_be_forced_and_broken_files_do_not_stop_the_scan() {
    let (code, v, err) = analyze(&[
        &path("tests/fixtures/broken.yaml"),
        &path("../examples/eventbridge-template.yaml"),
    ]);
    assert_eq!(
        code,
        Some(3),
        "the good template is still analysed and its finding counts"
    );
    assert_eq!(v["roles"].as_array().unwrap().len(), 1);
    assert!(
        err.contains("broken.yaml: (document root): the file is not valid YAML"),
        "{err}"
    );
    let (code, _, err) = analyze(&[
        &path("../examples/eventbridge-role.json"),
        "--input-kind",
        "terraform",
    ]);
    assert_eq!(
        code,
        Some(1),
        "a file named on the command line with no role is an error: {err}"
    );
    assert!(
        err.contains(
            "eventbridge-role.json: holds no IAM role: a Terraform plan with no `aws_iam_role`"
        ),
        "{err}"
    );
    let (_, v, _) = analyze(&[
        &path("../examples/eventbridge-role.json"),
        "--input-kind",
        "policy",
    ]);
    assert_eq!(verdict(&v["roles"][0], "forged-service"), "exposed");
}

#[test]
fn sarif_output_is_valid_and_locates_findings() {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args([
            "analyze",
            &path("../examples/eventbridge-template.yaml"),
            &path("tests/fixtures/plan.json"),
            "--account",
            "111122223333",
            "--format",
            "sarif",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The published schema's `language` patterns have a stray `]`
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which strict regex checking rejects; they are
    // corrected to the intended `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$` before compiling.
    let text = include_str!("../fixtures/sarif-2.1.0-rtm.5.json").replace(
        r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#,
        r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#,
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".to_owned());
    assert!(
        !validator.is_valid(&broken),
        "the schema check catches a bad level"
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "public",
            "forged-service",
            "confused-deputy",
            "federated",
            "account-wide"
        ]
    );
    let forged = results
        .iter()
        .find(|r| {
            r["ruleId"] == "forged-service"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with("eventbridge-template.yaml")
        })
        .unwrap();
    assert_eq!(forged["level"], "error");
    assert_eq!(
        forged["locations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );
    assert_eq!(
        forged["properties"]["witness"]["principal"]["Service"],
        "events.amazonaws.com"
    );
    assert_eq!(
        forged["properties"]["fix"]["Statement"][0]["Condition"]["StringEquals"]
            ["aws:SourceAccount"],
        "111122223333"
    );
    // Restricted threats are not results.
    assert!(!results.iter().any(|r| r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("(restricted)")));
}

#[test]
fn glob_patterns_and_more_short_forms() {
    let (_, v, err) = analyze(&[&path("tests/fixtures/*.yaml"), "--account", "111122223333"]);
    assert!(
        err.contains("broken.yaml"),
        "the pattern reaches the broken file too: {err}"
    );
    let tagged = role(&v, "TaggedRole");
    let notes = tagged["notes"].to_string();
    // !Split inside !Select is unresolved, so the principal is opaque; !FindInMap, !Base64 and
    // !Cidr are kept opaque with notes.
    assert!(
        notes.contains("`Fn::FindInMap`")
            && notes.contains("`Fn::Base64`")
            && notes.contains("`Fn::Cidr`"),
        "{notes}"
    );
    let (code, _, err) = analyze(&[&path("tests/fixtures/*.nothing")]);
    assert_eq!(code, Some(1));
    assert!(err.contains("the pattern matches no file"), "{err}");
}

//! Real CloudFormation templates read as CloudFormation deploys them: the AWS Deployment
//! Framework's multi-role templates (parameters of several types, `Conditions`, `Fn::If`,
//! pseudo parameters, `Fn::GetAtt` in ARN conditions), AWS SAM's translator inputs (the roles
//! SAM creates for functions) and the synthesized template of a small CDK app
//! (`tests/fixtures/templates/`, sources and licences in `tests/fixtures/README.md`). Golden
//! snapshots of the verdicts.

use crate::support;

use serde_json::Value;
use support::verdicts;

fn run(args: &[&str]) -> (Option<i32>, Value, String) {
    support::run_in_fixtures("templates", args)
}

const OWNER: &str = "111122223333";

/// Every role of every template is analysed with no input error; the notes name the roles their
/// conditions leave undeployed.
#[test]
fn real_templates_with_their_defaults() {
    let (code, report, err) = run(&["analyze", ".", "--account", OWNER]);
    // The CDK app's events role trusts EventBridge without source conditions.
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{err}");
    assert!(
        err.contains("adf-main.yml#/Resources/OrganizationsRole: not deployed: its condition `CreateCrossAccountAccessRole` is false"),
        "{err}"
    );
    let roles = report["roles"].as_array().unwrap();
    assert!(roles.len() >= 60, "{}", roles.len());
    // SAM's implicit execution roles are analysed as SAM writes them.
    assert!(roles.iter().any(|r| r["source"]
        .as_str()
        .unwrap()
        .ends_with("sam/function_with_condition.yaml#/Resources/ConditionFunction")));
    insta::assert_snapshot!("real_templates_defaults", verdicts(&report));
}

/// A deployment value decides a condition: the ADF management-account role is deployed when
/// `AllowBootstrappingOfManagementAccount` is `Yes`.
#[test]
fn a_parameter_value_deploys_a_conditional_role() {
    let (_, report, err) = run(&[
        "analyze",
        "adf-main.yml",
        "--account",
        OWNER,
        "--parameter",
        "AllowBootstrappingOfManagementAccount=Yes",
    ]);
    assert!(!err.contains("OrganizationsRole: not deployed"), "{err}");
    let org = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "OrganizationsRole")
        .expect("the role is deployed");
    insta::assert_snapshot!(
        "adf_organizations_role",
        verdicts(&serde_json::json!({"roles": [org]}))
    );
}

//! A fix shown in the template's own language (`sources::template_fix`): the statement as the
//! template writes it, with the change carried over and the owner's account written as
//! `AWS::AccountId`. The test applies the shown statement to the template itself, resolves the
//! patched template again and re-analyses it: the threat is closed, as the fix claims.

use std::path::Path;

use serde_json::Value;
use trustsim_evaluator::analysis::{analyze, analyze_threat, AnalysisOptions, Verdict};
use trustsim_evaluator::sources::{self, Deployment, InputKind};
use trustsim_evaluator::{Threat, TrustPolicy};

const OWNER: &str = "111122223333";

const TEMPLATE: &str = r#"
Parameters:
  VendorAccount:
    Type: String
    Default: "999988887777"
Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${VendorAccount}:root
            Action: sts:AssumeRole
  EventsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: sts:AssumeRole
"#;

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..AnalysisOptions::default()
    }
}

fn deployment() -> Deployment {
    Deployment {
        owner: Some(OWNER.to_owned()),
        ..Deployment::default()
    }
}

/// The shown patch for `role` and `threat`, and the template with the patched statement put
/// in place of the original (the patch's kept and added lines, read as YAML).
fn patched(template: &Value, role: &str, threat: Threat) -> (String, Value) {
    let roles = sources::roles_for(
        InputKind::CloudFormation,
        template,
        TEMPLATE,
        Path::new("t.yaml"),
        &deployment(),
    )
    .unwrap();
    let r = roles.iter().find(|r| r.name == role).unwrap();
    let policy = TrustPolicy::from_value(&r.document).unwrap();
    let analysis = analyze(&policy, &options());
    let fix = analysis.result(threat).fix.clone().expect("a fix");
    let changes = sources::template_fix::cloudformation(
        template,
        true,
        role,
        &deployment(),
        &r.document,
        &fix,
        threat,
        &options(),
    )
    .expect("the fix can be written in the template");
    assert_eq!(changes.len(), 1);
    let statement = sources::read_value(&changes[0].after, Path::new("s.yaml")).unwrap();
    let patch = format!("{}\n{}", changes[0].before, changes[0].after);
    let mut t = template.clone();
    t["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0] = statement;
    (patch, t)
}

fn verdict_after(t: &Value, role: &str, threat: Threat) -> Verdict {
    let roles = sources::roles_for(
        InputKind::CloudFormation,
        t,
        "",
        Path::new("t.yaml"),
        &deployment(),
    )
    .unwrap();
    let r = roles.iter().find(|r| r.name == role).unwrap();
    analyze_threat(
        &TrustPolicy::from_value(&r.document).unwrap(),
        threat,
        &options(),
    )
    .verdict
}

#[test]
fn a_vendor_fix_keeps_the_templates_own_expressions() {
    let template = sources::read_value(TEMPLATE, Path::new("t.yaml")).unwrap();
    let (patch, t) = patched(&template, "VendorRole", Threat::ConfusedDeputy);
    // The principal stays as the template writes it; only the condition is added.
    assert!(
        patch.contains("  AWS: !Sub arn:${AWS::Partition}:iam::${VendorAccount}:root"),
        "{patch}"
    );
    assert!(
        patch.contains("Condition:\n  StringEquals:\n    sts:ExternalId:"),
        "{patch}"
    );
    assert_eq!(
        verdict_after(&t, "VendorRole", Threat::ConfusedDeputy),
        Verdict::Restricted
    );
}

#[test]
fn a_service_fix_names_the_account_as_the_template_does() {
    let template = sources::read_value(TEMPLATE, Path::new("t.yaml")).unwrap();
    let (patch, t) = patched(&template, "EventsRole", Threat::ForgedService);
    // Account-agnostic: the owner's account is `AWS::AccountId`, not the literal.
    assert!(
        patch.contains("aws:SourceAccount: !Ref AWS::AccountId"),
        "{patch}"
    );
    assert!(!patch.contains(OWNER), "{patch}");
    assert_eq!(
        verdict_after(&t, "EventsRole", Threat::ForgedService),
        Verdict::Restricted
    );
}

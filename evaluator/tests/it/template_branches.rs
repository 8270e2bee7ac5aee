//! A CloudFormation template whose `Conditions` its parameter values do not decide: the role is
//! reported as exposed as the worst policy it can deploy with (issue: "`Fn::If` never hides an
//! open branch").
//!
//! The property: for a generated template whose role document is `Fn::If` over two conditions
//! on two parameters without defaults, the verdict of each threat after
//! [`sources::roles`] and [`branches::worst_of`] is the worst of the four policies analysed one
//! by one; and fixing one parameter by a deployment value leaves exactly the two policies of
//! that value.

#![cfg(feature = "proptest")]

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{json, Value};
use trustsim_evaluator::analysis::branches::{self, When};
use trustsim_evaluator::analysis::{analyze, AnalysisOptions, Verdict};
use trustsim_evaluator::sources::{self, InputKind};
use trustsim_evaluator::testing::trust_policies;
use trustsim_evaluator::{Threat, TrustPolicy};

const OWNER: &str = "111122223333";

/// `Fn::If [IsA, Fn::If [IsB, p0, p1], Fn::If [IsB, p2, p3]]` as the role's whole document.
fn template(policies: &[Value; 4]) -> Value {
    json!({
        "Parameters": {"A": {"Type": "String"}, "B": {"Type": "String"}},
        "Conditions": {
            "IsA": {"Fn::Equals": [{"Ref": "A"}, "yes"]},
            "IsB": {"Fn::Not": [{"Fn::Equals": ["no", {"Ref": "B"}]}]}
        },
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Fn::If": ["IsA",
                {"Fn::If": ["IsB", policies[0], policies[1]]},
                {"Fn::If": ["IsB", policies[2], policies[3]]}]}
        }}}
    })
}

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..AnalysisOptions::default()
    }
}

/// The role's merged verdicts, as the CLI computes them.
fn merged(template: &Value, parameters: &[(String, String)]) -> (Vec<(Threat, Verdict)>, usize) {
    let roles = sources::roles_with(
        InputKind::CloudFormation,
        template,
        "",
        Path::new("t.json"),
        Some(OWNER),
        parameters,
    )
    .unwrap();
    let role = &roles[0];
    let docs: Vec<(When, &Value)> = if role.branches.is_empty() {
        vec![(Vec::new(), &role.document)]
    } else {
        role.branches
            .iter()
            .map(|b| (b.when.clone(), &b.document))
            .collect()
    };
    let analyses: Vec<_> = docs
        .iter()
        .map(|(w, d)| {
            let p = TrustPolicy::from_value(d).unwrap();
            (w.clone(), analyze(&p, &options()))
        })
        .collect();
    let (a, _) = branches::worst_of(&analyses, role.branches_truncated);
    (
        a.threats.iter().map(|t| (t.threat, t.verdict)).collect(),
        docs.len(),
    )
}

/// The worst verdict of each threat over the given documents analysed one by one.
fn worst(docs: &[&Value]) -> Vec<(Threat, Verdict)> {
    let analyses: Vec<_> = docs
        .iter()
        .map(|d| analyze(&TrustPolicy::from_value(d).unwrap(), &options()))
        .collect();
    Threat::ALL
        .iter()
        .map(|t| {
            let v = analyses.iter().map(|a| a.result(*t).verdict).max().unwrap();
            (*t, v)
        })
        .collect()
}

fn distinct(docs: &[&Value]) -> usize {
    let mut seen: Vec<&Value> = Vec::new();
    for d in docs {
        if !seen.contains(d) {
            seen.push(d);
        }
    }
    seen.len()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6966),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_verdict_is_the_worst_of_the_deployable_policies(
        p0 in trust_policies(), p1 in trust_policies(),
        p2 in trust_policies(), p3 in trust_policies(),
    ) {
        let docs = [p0.document, p1.document, p2.document, p3.document];
        let t = template(&docs);
        let all: Vec<&Value> = docs.iter().collect();
        let (got, n) = merged(&t, &[]);
        prop_assert_eq!(n, distinct(&all), "one analysed policy per distinct deployable policy");
        prop_assert_eq!(got, worst(&all));
        // A deployment value for A decides IsA: only that side's two policies deploy.
        let (got, _) = merged(&t, &[("A".to_owned(), "yes".to_owned())]);
        prop_assert_eq!(got, worst(&[&docs[0], &docs[1]]));
        let (got, _) = merged(&t, &[("A".to_owned(), "other".to_owned())]);
        prop_assert_eq!(got, worst(&[&docs[2], &docs[3]]));
    }
}

/// The issue's example: `Env` defaults to `dev`, so the `"*"` branch is the one deployed; with no
/// default, both deploy and the finding names the condition value.
#[test]
fn an_open_branch_is_never_hidden() {
    let mut t = json!({
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Fn::If": ["IsProd",
                    {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/deployer"}},
                    {"AWS": "*"}]}}]}
        }}}
    });
    let public = |t: &Value, params: &[(String, String)]| {
        let (v, _) = merged(t, params);
        v.into_iter()
            .find(|(th, _)| *th == Threat::Public)
            .map(|(_, v)| v)
    };
    assert_eq!(public(&t, &[]), Some(Verdict::Exposed));
    assert_eq!(
        public(&t, &[("Env".to_owned(), "prod".to_owned())]),
        Some(Verdict::NotApplicable)
    );
    t["Parameters"]["Env"] = json!({"Type": "String"});
    assert_eq!(public(&t, &[]), Some(Verdict::Exposed));
    let roles = sources::roles(
        InputKind::CloudFormation,
        &t,
        "",
        Path::new("t.json"),
        Some(OWNER),
    )
    .unwrap();
    let labels: Vec<String> = roles[0].branches.iter().map(|b| b.label()).collect();
    assert_eq!(labels, ["when IsProd is true", "when IsProd is false"]);
}

/// `AllowedValues` bound a parameter: a condition comparing it with a value it cannot take is
/// decided, and only the allowed values' policies are analysed.
#[test]
fn allowed_values_bound_the_combinations() {
    let t = json!({
        "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
        "Conditions": {"IsTest": {"Fn::Equals": [{"Ref": "Env"}, "test"]}},
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Fn::If": ["IsTest", {"AWS": "*"},
                    {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Env}-deployer"}}]}}]}
        }}}
    });
    let roles = sources::roles(
        InputKind::CloudFormation,
        &t,
        "",
        Path::new("t.json"),
        Some(OWNER),
    )
    .unwrap();
    let principals: Vec<&Value> = roles[0]
        .branches
        .iter()
        .map(|b| &b.document["Statement"][0]["Principal"]["AWS"])
        .collect();
    assert_eq!(
        principals,
        [
            &json!("arn:aws:iam::111122223333:role/dev-deployer"),
            &json!("arn:aws:iam::111122223333:role/prod-deployer")
        ]
    );
}

/// Past [`trustsim_evaluator::limits::MAX_TEMPLATE_BRANCHES`] combinations, a threat no analysed
/// policy exposes is `inconclusive`, never `restricted`.
#[test]
fn too_many_combinations_are_inconclusive() {
    let n = 7; // 2^7 = 128 combinations of seven independent conditions
    let mut params = serde_json::Map::new();
    let mut conditions = serde_json::Map::new();
    let mut statements = Vec::new();
    for i in 0..n {
        params.insert(format!("P{i}"), json!({"Type": "String"}));
        conditions.insert(
            format!("C{i}"),
            json!({"Fn::Equals": [{"Ref": format!("P{i}")}, "on"]}),
        );
        statements.push(json!({"Fn::If": [format!("C{i}"),
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": format!("arn:aws:iam::{OWNER}:role/r{i}")}},
            {"Ref": "AWS::NoValue"}]}));
    }
    statements.push(json!({"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "lambda.amazonaws.com"}}));
    let t = json!({
        "Parameters": params, "Conditions": conditions,
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": statements}}}}
    });
    let roles = sources::roles(
        InputKind::CloudFormation,
        &t,
        "",
        Path::new("t.json"),
        Some(OWNER),
    )
    .unwrap();
    assert!(roles[0].branches_truncated);
    assert_eq!(
        roles[0].branches.len(),
        trustsim_evaluator::limits::MAX_TEMPLATE_BRANCHES
    );
    let (verdicts, _) = merged(&t, &[]);
    for (threat, v) in verdicts {
        assert_ne!(v, Verdict::Restricted, "{threat:?}");
    }
}

/// `Fn::FindInMap` reads the template's `Mappings`: a key the deployment fixes gives its value;
/// a key it leaves open (`AWS::Region`, a parameter without default) can be any key of the map
/// (within the parameter's `AllowedValues`), and the role is as exposed as the worst of them.
#[test]
fn a_mapping_read_at_an_open_key_never_hides_an_open_value() {
    let t = json!({
        "Mappings": {
            "Trusted": {
                "us-east-1": {"Principal": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
                "eu-west-1": {"Principal": "*"},
                "ap-south-1": {"Principal": "arn:aws:iam::999988887777:role/deployer"}
            },
            "Same": {"us-east-1": {"Svc": "events.amazonaws.com"}, "eu-west-1": {"Svc": "events.amazonaws.com"}},
            "Stages": {"dev": {"Who": "*"}, "prod": {"Who": "arn:aws:iam::999988887777:role/deployer"}}
        },
        "Parameters": {
            "Stage": {"Type": "String", "AllowedValues": ["prod"]},
            "Pinned": {"Type": "String", "Default": "us-east-1"}
        },
        "Resources": {
            "ByRegion": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": {"Fn::FindInMap": ["Trusted", {"Ref": "AWS::Region"}, "Principal"]}}}]}}},
            "Pinned": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": {"Fn::FindInMap": ["Trusted", {"Ref": "Pinned"}, "Principal"]}}}]}}},
            "SameEverywhere": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"Service": {"Fn::FindInMap": ["Same", {"Ref": "AWS::Region"}, "Svc"]}},
                 "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}}},
            "ByStage": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": {"Fn::FindInMap": ["Stages", {"Ref": "Stage"}, "Who"]}}}]}}}
        }
    });
    let roles = sources::roles(
        InputKind::CloudFormation,
        &t,
        "",
        Path::new("t.json"),
        Some(OWNER),
    )
    .unwrap();
    let role = |n: &str| roles.iter().find(|r| r.name == n).unwrap();
    // Each Region of the map is a deployment: three policies, labelled by the key read.
    let by_region = role("ByRegion");
    let labels: Vec<String> = by_region.branches.iter().map(|b| b.label()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(
        labels.contains(&"when ${AWS::Region} is eu-west-1 (the key of Trusted read)".to_owned()),
        "{labels:?}"
    );
    let principals: Vec<&Value> = by_region
        .branches
        .iter()
        .map(|b| &b.document["Statement"][0]["Principal"]["AWS"])
        .collect();
    assert!(principals.contains(&&json!("*")));
    assert!(principals.contains(&&json!(format!("arn:aws:iam::{OWNER}:root"))));
    // A key the parameters fix, and a map whose keys all agree, give one policy.
    assert!(role("Pinned").branches.is_empty());
    assert_eq!(
        role("Pinned").document["Statement"][0]["Principal"]["AWS"],
        json!(format!("arn:aws:iam::{OWNER}:root"))
    );
    assert!(role("SameEverywhere").branches.is_empty());
    assert_eq!(
        role("SameEverywhere").document["Statement"][0]["Principal"]["Service"],
        json!("events.amazonaws.com")
    );
    // `AllowedValues` keep the parameter to `prod`: the `dev` value is never deployed.
    assert!(role("ByStage").branches.is_empty());
    assert_eq!(
        role("ByStage").document["Statement"][0]["Principal"]["AWS"],
        json!("arn:aws:iam::999988887777:role/deployer")
    );
    // The merged verdict is the worst: public through the eu-west-1 value.
    let one = json!({"Mappings": t["Mappings"], "Resources": {"R": t["Resources"]["ByRegion"]}});
    let (v, _) = merged(&one, &[]);
    assert!(v.contains(&(Threat::Public, Verdict::Exposed)), "{v:?}");
}

/// A SAM function whose `Role` is `Fn::If` with `AWS::NoValue` on one side: where the condition
/// leaves `Role` out, AWS SAM creates the function's role (AWS Serverless Application Model
/// Developer Guide, "AWS::Serverless::Function": `Role`), and that role is analysed; where it
/// gives a role, there is none to analyse.
#[test]
fn a_sam_role_exists_where_its_role_property_is_no_value() {
    let t = json!({
        "Parameters": {"RoleArn": {"Type": "String", "Default": ""}},
        "Conditions": {"HasRole": {"Fn::Not": [{"Fn::Equals": [{"Ref": "RoleArn"}, ""]}]}},
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Role": {"Fn::If": ["HasRole", {"Ref": "RoleArn"}, {"Ref": "AWS::NoValue"}]},
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "*"}}]}}},
            "Given": {"Type": "AWS::Serverless::Function", "Properties": {
                "Role": {"Fn::GetAtt": ["Other", "Arn"]}}}
        }
    });
    let read = |params: &[(&str, &str)]| {
        let deployment = sources::Deployment {
            owner: Some(OWNER.to_owned()),
            parameters: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..sources::Deployment::default()
        };
        sources::roles_for(
            InputKind::CloudFormation,
            &t,
            "",
            Path::new("t.json"),
            &deployment,
        )
        .unwrap()
    };
    // The default leaves `Role` out: the function's own role, open to anyone.
    let roles = read(&[]);
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Fn"], "a function given a role has none of its own");
    assert_eq!(
        roles[0].document["Statement"][0]["Principal"]["AWS"],
        json!("*")
    );
    // A role given: SAM creates none.
    assert!(read(&[("RoleArn", "arn:aws:iam::111122223333:role/r")]).is_empty());
}

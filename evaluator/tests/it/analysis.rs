//! The analysis on the traps that fool shape-matching tools, and on both seed articles. Each
//! test checks the verdict, that the witness is allowed by the concrete evaluator, and that the
//! fix (when offered) comes out restricted.

use serde_json::{json, Value};
use trustsim_evaluator::analysis::analyze_threat;
use trustsim_evaluator::{
    analyze, evaluate, AnalysisOptions, Decision, Threat, TrustPolicy, Verdict,
};

const OWNER: &str = "111122223333";

fn policy(v: Value) -> TrustPolicy {
    match TrustPolicy::from_value(&v) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn service(condition: Value) -> Value {
    let mut s = json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"});
    if !condition.is_null() {
        s["Condition"] = condition;
    }
    doc(json!([s]))
}

fn opts() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..Default::default()
    }
}

/// Analyses, checks the witness with the evaluator and the fix with a re-analysis, and returns
/// the verdict.
fn verdict(v: Value, threat: Threat) -> Verdict {
    let p = policy(v);
    let a = analyze(&p, &opts());
    let r = a.result(threat).clone();
    assert_eq!(a.threats.len(), 5, "every threat is reported");
    match r.verdict {
        Verdict::Exposed | Verdict::Partial => {
            let w = match &r.witness {
                Some(w) => w,
                None => panic!("{threat:?} {:?} without a witness", r.verdict),
            };
            assert_eq!(
                evaluate(&p, w).decision,
                Decision::Allow,
                "witness not allowed: {}",
                w.to_json()
            );
            if r.verdict == Verdict::Partial {
                assert!(r.residual.is_some(), "partial without a residual");
            }
            if let Some(fix) = &r.fix {
                let fixed = policy(fix.clone());
                let after = analyze_threat(&fixed, threat, &opts()).verdict;
                assert!(
                    matches!(after, Verdict::Restricted | Verdict::NotApplicable),
                    "fix not restricted: {fix}: {after:?}"
                );
                assert_ne!(
                    evaluate(&fixed, w).decision,
                    Decision::Allow,
                    "fix still allows the witness"
                );
            }
        }
        Verdict::Restricted | Verdict::NotApplicable | Verdict::Inconclusive => {
            assert!(r.witness.is_none());
            assert!(r.fix.is_none());
            // A restricted verdict is a proof; an incomplete search says so.
            assert_eq!(
                r.verdict == Verdict::Inconclusive,
                !r.exact,
                "{}",
                r.explanation
            );
        }
    }
    r.verdict
}

// ------------------------------------------------------------------ forged service

#[test]
fn seed_eventbridge_without_source_account_is_exposed() {
    let text = include_str!("../../../examples/eventbridge-role.json");
    let p = match TrustPolicy::from_json(text) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let a = analyze(&p, &opts());
    let r = a.result(Threat::ForgedService).clone();
    assert_eq!(r.verdict, Verdict::Exposed);
    assert!(
        r.explanation.contains("events.amazonaws.com"),
        "{}",
        r.explanation
    );
    assert!(r.explanation.contains("no condition on aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths"), "{}", r.explanation);
    let fix = r.fix.unwrap_or_else(|| panic!("no fix"));
    assert_eq!(
        fix["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!(OWNER)
    );
    assert_eq!(
        verdict(
            serde_json::from_str(text).unwrap_or_default(),
            Threat::ForgedService
        ),
        Verdict::Exposed
    );
}

#[test]
fn seed_eventbridge_with_source_account_is_restricted() {
    let text = include_str!("../../../examples/eventbridge-role-fixed.json");
    assert_eq!(
        verdict(
            serde_json::from_str(text).unwrap_or_default(),
            Threat::ForgedService
        ),
        Verdict::Restricted
    );
}

#[test]
fn trap_string_like_star_on_source_account_restricts_nothing() {
    assert_eq!(
        verdict(
            service(json!({"StringLike": {"aws:SourceAccount": "*"}})),
            Threat::ForgedService
        ),
        Verdict::Exposed
    );
}

#[test]
fn trap_arn_like_with_wildcard_account_restricts_nothing() {
    let v = service(json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}}));
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Exposed);
}

#[test]
fn arn_like_with_the_owner_account_restricts() {
    let v = service(json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/*"}}));
    // events is not documented to always send the key; the key absent fails ArnLike, so still
    // restricted in both worlds.
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Restricted);
}

#[test]
fn trap_if_exists_passes_when_the_service_omits_the_key() {
    let v = service(json!({"StringEqualsIfExists": {"aws:SourceAccount": OWNER}}));
    assert_eq!(verdict(v.clone(), Threat::ForgedService), Verdict::Partial);
    let r = analyze(&policy(v), &opts())
        .result(Threat::ForgedService)
        .clone();
    assert!(
        r.residual
            .as_deref()
            .is_some_and(|s| s.contains("only if events.amazonaws.com omits aws:SourceAccount")),
        "{:?}",
        r.residual
    );
}

#[test]
fn if_exists_on_a_documented_service_is_restricted() {
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "autoscaling.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": OWNER}}}]),
    );
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Restricted);
}

#[test]
fn trap_negated_operator_passes_on_an_absent_key() {
    let v = service(json!({"StringNotEquals": {"aws:SourceAccount": "444455556666"}}));
    assert_eq!(
        verdict(v, Threat::ForgedService),
        Verdict::Exposed,
        "another account differs from the one excluded"
    );
}

#[test]
fn trap_upper_case_key_names_still_count() {
    assert_eq!(
        verdict(
            service(json!({"StringEquals": {"AWS:SOURCEACCOUNT": OWNER}})),
            Threat::ForgedService
        ),
        Verdict::Restricted
    );
}

#[test]
fn trap_prefix_pattern_on_the_account_is_partial() {
    let v = service(json!({"StringLike": {"aws:SourceAccount": "1111*"}}));
    assert_eq!(verdict(v.clone(), Threat::ForgedService), Verdict::Partial);
    let r = analyze(&policy(v), &opts())
        .result(Threat::ForgedService)
        .clone();
    let residual = r.residual.unwrap_or_default();
    assert!(residual.contains("1111*"), "{residual}");
}

#[test]
fn trap_for_all_values_on_an_absent_set() {
    let v = service(json!({"ForAllValues:StringEquals": {"aws:SourceAccount": OWNER}}));
    assert_eq!(
        verdict(v, Threat::ForgedService),
        Verdict::Partial,
        "the service may omit the key; ForAllValues passes then"
    );
}

#[test]
fn trap_deny_the_attacker_sidesteps() {
    let v = doc(json!([
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "blocked"}}}
    ]));
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Exposed);
}

#[test]
fn a_deny_that_matches_every_forged_request_protects() {
    let v = doc(json!([
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"StringNotEquals": {"aws:SourceAccount": OWNER}}}
    ]));
    // The Deny catches a forged request that carries another account; when the service omits
    // the key the negated condition is true too, so the Deny applies either way.
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Restricted);
}

#[test]
fn trap_assume_star_covers_assume_role() {
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:Assume*"}]),
    );
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Exposed);
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:TagSession"}]),
    );
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Restricted);
}

#[test]
fn trap_policy_variable_tautology() {
    let v = service(json!({"StringEquals": {"aws:SourceAccount": "${aws:SourceAccount}"}}));
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Exposed);
}

#[test]
fn source_org_id_with_a_literal_restricts() {
    let v = service(json!({"StringEquals": {"aws:SourceOrgID": "o-abcdef1234"}}));
    assert_eq!(verdict(v, Threat::ForgedService), Verdict::Restricted);
}

#[test]
fn statement_trusting_a_service_and_an_account_is_split_by_the_fix() {
    let v = doc(
        json!([{"Sid": "Both", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com", "AWS": "arn:aws:iam::111122223333:root"},
        "Action": "sts:AssumeRole"}]),
    );
    assert_eq!(verdict(v.clone(), Threat::ForgedService), Verdict::Exposed);
    let r = analyze(&policy(v), &opts())
        .result(Threat::ForgedService)
        .clone();
    let fix = r.fix.unwrap_or_else(|| panic!("no fix"));
    let statements = fix["Statement"].as_array().cloned().unwrap_or_default();
    assert_eq!(statements.len(), 2, "{fix}");
    assert_eq!(
        statements[0]["Principal"],
        json!({"AWS": "arn:aws:iam::111122223333:root"})
    );
    assert!(statements[0].get("Condition").is_none());
}

// ------------------------------------------------------------------ confused deputy

#[test]
fn seed_external_id_role_is_restricted_and_without_it_exposed() {
    let with: Value = serde_json::from_str(include_str!("../../../examples/externalid-role.json"))
        .unwrap_or_default();
    assert_eq!(verdict(with, Threat::ConfusedDeputy), Verdict::Restricted);
    let without = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123412341234:role/ALICE"}, "Action": "sts:AssumeRole"}]),
    );
    assert_eq!(verdict(without, Threat::ConfusedDeputy), Verdict::Exposed);
}

#[test]
fn external_id_traps() {
    let third = |c: Value| {
        doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole", "Condition": c}]),
        )
    };
    assert_eq!(
        verdict(
            third(json!({"StringLike": {"sts:ExternalId": "*"}})),
            Threat::ConfusedDeputy
        ),
        Verdict::Exposed
    );
    assert_eq!(
        verdict(
            third(json!({"StringEqualsIfExists": {"sts:ExternalId": "abc"}})),
            Threat::ConfusedDeputy
        ),
        Verdict::Partial,
        "a deputy that does not implement ExternalId sends none, and IfExists then passes"
    );
    assert_eq!(
        verdict(
            third(json!({"StringLike": {"sts:ExternalId": "cust-*"}})),
            Threat::ConfusedDeputy
        ),
        Verdict::Partial
    );
    assert_eq!(
        verdict(
            third(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            Threat::ConfusedDeputy
        ),
        Verdict::Exposed,
        "MFA is a different control"
    );
    assert_eq!(
        verdict(
            third(json!({"StringEquals": {"sts:ExternalId": "abc"}})),
            Threat::ConfusedDeputy
        ),
        Verdict::Restricted
    );
}

#[test]
fn the_owners_own_account_is_not_a_third_party() {
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "sts:AssumeRole"}]),
    );
    assert_eq!(
        verdict(v.clone(), Threat::ConfusedDeputy),
        Verdict::NotApplicable
    );
    let unknown_owner = analyze(&policy(v), &AnalysisOptions::default());
    assert_eq!(
        unknown_owner.result(Threat::ConfusedDeputy).verdict,
        Verdict::Exposed
    );
    assert!(unknown_owner
        .notes
        .iter()
        .any(|n| n.contains("owner account is unknown")));
}

// ------------------------------------------------------------------ public

#[test]
fn public_trust() {
    let star = |c: Value| {
        let mut s = json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"});
        if !c.is_null() {
            s["Condition"] = c;
        }
        doc(json!([s]))
    };
    assert_eq!(verdict(star(Value::Null), Threat::Public), Verdict::Exposed);
    assert_eq!(
        verdict(
            star(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}})),
            Threat::Public
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            star(json!({"StringEquals": {"aws:PrincipalAccount": OWNER}})),
            Threat::Public
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            star(json!({"StringLike": {"aws:PrincipalAccount": "1111*"}})),
            Threat::Public
        ),
        Verdict::Partial
    );
    assert_eq!(
        verdict(
            star(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}})),
            Threat::Public
        ),
        Verdict::Exposed,
        "any account can create a role named admin"
    );
    assert_eq!(
        verdict(
            star(json!({"StringEquals": {"sts:ExternalId": "secret"}})),
            Threat::Public
        ),
        Verdict::Exposed,
        "a direct caller chooses its own ExternalId"
    );
    assert_eq!(
        verdict(
            star(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            Threat::Public
        ),
        Verdict::Exposed
    );
    assert_eq!(
        verdict(
            star(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            Threat::Public
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            star(json!({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}})),
            Threat::Public
        ),
        Verdict::Exposed,
        "a variable tautology"
    );
    assert_eq!(
        verdict(
            star(json!({"StringEquals": {"aws:SourceAccount": OWNER}})),
            Threat::Public
        ),
        Verdict::Restricted,
        "a direct caller carries no aws:SourceAccount"
    );
}

// ------------------------------------------------------------------ federated

fn github(c: Value) -> Value {
    let mut s = json!({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}});
    if !c.is_null() {
        s["Condition"] = c;
    }
    doc(json!([s]))
}

#[test]
fn github_oidc() {
    assert_eq!(
        verdict(github(Value::Null), Threat::Federated),
        Verdict::Exposed
    );
    assert_eq!(
        verdict(
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})
            ),
            Threat::Federated
        ),
        Verdict::Exposed,
        "aud alone gives no tenant isolation"
    );
    assert_eq!(
        verdict(
            github(
                json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}})
            ),
            Threat::Federated
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            github(json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}})),
            Threat::Federated
        ),
        Verdict::Exposed
    );
    assert_eq!(
        verdict(
            github(json!({"StringLike": {"token.actions.githubusercontent.com:sub": "*"}})),
            Threat::Federated
        ),
        Verdict::Exposed
    );
    assert_eq!(
        verdict(
            github(
                json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-*"}})
            ),
            Threat::Federated
        ),
        Verdict::Partial,
        "organizations whose name starts with octo- get in"
    );
}

/// GitHub Docs, "OpenID Connect reference", "Customizing the subject claims for an organization
/// or repository": an organization or repository admin picks which claims make up its tokens'
/// subject, as `key:value` pairs joined by `:`. A subject that does not start with `repo:` can
/// therefore be minted by any repository whose template starts with that claim, and the values
/// of claims such as `workflow` and `environment` are the repository's own choice.
#[test]
fn github_custom_subject_templates() {
    let sub = |op: &str, v: &str| {
        verdict(
            github(json!({op: {"token.actions.githubusercontent.com:sub": v}})),
            Threat::Federated,
        )
    };
    assert_eq!(
        sub(
            "StringEquals",
            "workflow:github-actions:repo:myOrg/myRepo:ref:refs/heads/MyBranch"
        ),
        Verdict::Exposed,
        "an attacker's workflow may be named `github-actions:repo:myOrg/...`"
    );
    assert_eq!(
        sub("StringEquals", "environment:prod"),
        Verdict::Exposed,
        "any repository with a template of just `environment` and an environment `prod`"
    );
    assert_eq!(
        sub("StringLike", "repository_owner:octo-org:*"),
        Verdict::Restricted,
        "the owner claim is the repository's real organization"
    );
    assert_eq!(
        sub("StringLike", "job_workflow_ref:octo-org/*"),
        Verdict::Restricted
    );
    assert_eq!(
        sub("StringLike", "repo:octo-org/*"),
        Verdict::Restricted,
        "customizing the template never changes the repo claim's value"
    );
}

#[test]
fn cognito_and_eks() {
    let cognito = |c: Value| {
        doc(
            json!([{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Condition": c}]),
        )
    };
    assert_eq!(
        verdict(
            cognito(
                json!({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}})
            ),
            Threat::Federated
        ),
        Verdict::Exposed,
        "without aud, any identity pool's users get in"
    );
    assert_eq!(
        verdict(
            cognito(
                json!({"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd"}})
            ),
            Threat::Federated
        ),
        Verdict::Restricted
    );
    let eks = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE";
    let pod = |c: Value| {
        doc(
            json!([{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": format!("arn:aws:iam::111122223333:oidc-provider/{eks}")}, "Condition": c}]),
        )
    };
    assert_eq!(
        verdict(
            pod(json!({"StringEquals": {format!("{eks}:aud"): "sts.amazonaws.com"}})),
            Threat::Federated
        ),
        // An EKS cluster's issuer is scoped to the cluster (evaluator/data/identity_providers.tsv):
        // any pod with a service account there gets in, not the whole internet.
        Verdict::Partial
    );
    assert_eq!(
        verdict(
            pod(
                json!({"StringEquals": {format!("{eks}:sub"): "system:serviceaccount:app:reader"}})
            ),
            Threat::Federated
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            pod(json!({"StringLike": {format!("{eks}:sub"): "system:serviceaccount:*:*"}})),
            Threat::Federated
        ),
        Verdict::Partial
    );
}

// ------------------------------------------------------------------ account-wide and applicability

#[test]
fn account_wide_and_not_applicable() {
    let v =
        doc(json!([{"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "sts:AssumeRole"}]));
    assert_eq!(verdict(v.clone(), Threat::AccountWide), Verdict::Exposed);
    for t in [
        Threat::Public,
        Threat::ForgedService,
        Threat::Federated,
        Threat::ConfusedDeputy,
    ] {
        assert_eq!(verdict(v.clone(), t), Verdict::NotApplicable, "{t:?}");
    }
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci"}}}]),
    );
    assert_eq!(
        verdict(v, Threat::AccountWide),
        Verdict::Restricted,
        "only the named role gets in; other principals of the account do not"
    );
}

#[test]
fn services_that_take_passed_roles_cannot_be_forged_from_another_account() {
    let v = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]),
    );
    assert_eq!(
        verdict(v.clone(), Threat::ForgedService),
        Verdict::Restricted
    );
    let r = analyze(&policy(v), &opts())
        .result(Threat::ForgedService)
        .clone();
    assert!(r.explanation.contains("iam:PassRole"), "{}", r.explanation);
    // A policy that also trusts EventBridge is still judged on EventBridge.
    let both = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "events.amazonaws.com"]}, "Action": "sts:AssumeRole"}]),
    );
    assert_eq!(verdict(both, Threat::ForgedService), Verdict::Exposed);
}

#[test]
fn witnesses_tell_the_attack_and_are_valid_requests() {
    let p = policy(service(Value::Null));
    let a = analyze(&p, &opts());
    let w = a
        .result(Threat::ForgedService)
        .witness
        .clone()
        .unwrap_or_else(|| panic!("no witness"));
    let json = w.to_json();
    assert_eq!(
        json["principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    let account = json["context"]["aws:SourceAccount"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(account.len() == 12 && account != OWNER, "{json}");
    // The JSON is a request the evaluator reads back to the same decision.
    let again = trustsim_evaluator::Request::from_value(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(evaluate(&p, &again).decision, Decision::Allow);
    assert!(
        json["context"].get("aws:PrincipalServiceName").is_none(),
        "derived keys are left out: {json}"
    );
}

#[test]
fn soundness_regressions_found_in_review() {
    // A user with a path: aws:username is the part after the last `/`.
    let star = |c: Value| {
        let mut s = json!({"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRole", "sts:TagSession"]});
        if !c.is_null() {
            s["Condition"] = c;
        }
        doc(json!([s]))
    };
    assert_eq!(
        verdict(
            star(
                json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/a/*"}, "StringEquals": {"aws:username": "bob"}})
            ),
            Threat::Public
        ),
        Verdict::Exposed
    );
    // A set whose members only need to exist.
    assert_eq!(
        verdict(
            star(json!({"ForAnyValue:StringLike": {"aws:TagKeys": "*"}})),
            Threat::Public
        ),
        Verdict::Exposed
    );
    // Three existential constraints on one set key need three members.
    assert_eq!(
        verdict(
            star(
                json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}, "ForAnyValue:StringLike": {"aws:TagKeys": "b*"}, "ForAnyValue:StringNotLike": {"aws:TagKeys": ["a", "b*"]}})
            ),
            Threat::Public
        ),
        Verdict::Exposed
    );
    // S3-style source ARNs carry no account (AWS Config, a service any account configures,
    // delivering to a bucket).
    let s3 = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}}]),
    );
    assert_ne!(verdict(s3, Threat::ForgedService), Verdict::Restricted);
    // ExternalIds may have capitals.
    let third = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
        "Condition": {"StringLike": {"sts:ExternalId": "A*"}}}]),
    );
    assert_eq!(verdict(third, Threat::ConfusedDeputy), Verdict::Partial);
    // A pod in another namespace may name its service account `app`.
    let eks = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE";
    let pod = doc(
        json!([{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": format!("arn:aws:iam::111122223333:oidc-provider/{eks}")},
        "Condition": {"StringLike": {format!("{eks}:sub"): "system:serviceaccount:*:app"}}}]),
    );
    // Partial: only pods of that cluster (a tenant-scoped issuer) get in.
    assert_eq!(verdict(pod, Threat::Federated), Verdict::Partial);
    // The attacker cannot go back in time.
    assert_eq!(
        verdict(
            star(json!({"DateLessThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}})),
            Threat::Public
        ),
        Verdict::Restricted
    );
    assert_eq!(
        verdict(
            star(json!({"DateGreaterThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}})),
            Threat::Public
        ),
        Verdict::Exposed
    );
    // A caller reaching STS through its own VPC endpoint.
    assert_eq!(
        verdict(
            star(json!({"StringLike": {"aws:SourceVpc": "vpc-*"}})),
            Threat::Public
        ),
        Verdict::Exposed
    );
    // Many values on one key do not crash the solver.
    let many: Vec<String> = (0..70).map(|i| format!("1111222233{i:02}")).collect();
    let _ = verdict(
        service(json!({"StringEquals": {"aws:SourceAccount": many}})),
        Threat::ForgedService,
    );
    // A public fix is proven by the threat no longer applying.
    let p = policy(star(Value::Null));
    assert!(analyze(&p, &opts()).result(Threat::Public).fix.is_some());
}

#[test]
fn variables_on_caller_keys_are_flagged_inexact() {
    let v = doc(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:RoleSessionName": "${aws:PrincipalAccount}"}}}]),
    );
    let r = analyze_threat(&policy(v), Threat::Public, &opts());
    assert!(
        !r.exact || r.verdict == Verdict::Exposed,
        "{:?} exact={}",
        r.verdict,
        r.exact
    );
}

#[test]
fn every_threat_has_a_result_and_a_missing_one_is_inconclusive_not_a_proof() {
    let policy =
        TrustPolicy::from_json(include_str!("../../../examples/eventbridge-role.json")).unwrap();
    let mut a = analyze(&policy, &AnalysisOptions::default());
    assert!(a.is_complete());
    for t in Threat::ALL {
        assert_eq!(a.result(t).threat, t);
    }
    // An analysis put together by hand, without the forged-service result.
    a.threats.retain(|r| r.threat != Threat::ForgedService);
    assert!(!a.is_complete());
    let missing = a.result(Threat::ForgedService);
    assert_eq!(missing.verdict, Verdict::Inconclusive);
    assert!(!missing.exact);
    assert_eq!(missing.explanation, "forged-service was not analysed");
    assert!(!a.is_exposed_to(Threat::ForgedService));
}

#[test]
fn threats_and_verdicts_display_as_the_command_line_writes_them() {
    let names: Vec<String> = Threat::ALL.iter().map(ToString::to_string).collect();
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
    for v in [
        Verdict::NotApplicable,
        Verdict::Restricted,
        Verdict::Inconclusive,
        Verdict::Partial,
        Verdict::Exposed,
    ] {
        assert_eq!(v.to_string(), v.name());
    }
    assert_eq!(Verdict::NotApplicable.to_string(), "not-applicable");
}

//! `analysis::diff`, the decision procedure of `trustsim diff`, on the named cases: each
//! change says which class got wider or narrower, with a witness the evaluator replays, and
//! changes that let no one new in are proved unchanged.

use serde_json::{json, Value};
use trustsim_evaluator::analysis::diff::{diff, Change, Class, Diff};
use trustsim_evaluator::{decide, AnalysisOptions, Decision, Principal, Threat, TrustPolicy};

const OWNER: &str = "111122223333";
const GITHUB: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";

fn policy(statements: Value) -> TrustPolicy {
    TrustPolicy::from_value(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
}

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..Default::default()
    }
}

fn compare(old: &TrustPolicy, new: &TrustPolicy, options: &AnalysisOptions) -> Diff {
    let d = diff(old, new, options);
    // Every witness is replayed, whatever the case.
    for c in &d.classes {
        if let Some(w) = &c.widened {
            assert_eq!(decide(new, w), Decision::Allow, "{:?}", c.class);
            assert_ne!(decide(old, w), Decision::Allow, "{:?}", c.class);
        }
        if let Some(w) = &c.narrowed {
            assert_eq!(decide(old, w), Decision::Allow, "{:?}", c.class);
            assert_ne!(decide(new, w), Decision::Allow, "{:?}", c.class);
        }
    }
    d
}

/// The account of an IAM caller.
fn account(r: &trustsim_evaluator::Request) -> Option<String> {
    match r.principal() {
        Principal::Aws(id) => Some(id.account.clone()),
        _ => None,
    }
}

fn changes(d: &Diff) -> Vec<(Class, Change)> {
    d.classes
        .iter()
        .map(|c| (c.class, c.change()))
        .filter(|(_, c)| *c != Change::Unchanged)
        .collect()
}

fn github(sub: &str) -> Value {
    json!([{"Effect": "Allow", "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": sub}}}])
}

#[test]
fn adding_everyone_widens_public_trust() {
    let old = policy(
        json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"}, "Action": "sts:AssumeRole"}]),
    );
    let new = policy(json!([
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]));
    let d = compare(&old, &new, &options());
    assert_eq!(d.class(Threat::Public).change(), Change::Widened);
    assert!(d.widened());
    // The converse: removing it narrows.
    assert_eq!(
        compare(&new, &old, &options())
            .class(Threat::Public)
            .change(),
        Change::Narrowed
    );
}

#[test]
fn a_repository_wildcard_is_judged_by_who_can_match_it() {
    let old = policy(github("repo:org/app:ref:refs/heads/main"));
    // Every repository of the owner's own organization: an attacker cannot create one there
    // (the federated class is tokens the attacker can get: other organizations), so the
    // attacker classes are unchanged, and proved so.
    let org = compare(&old, &policy(github("repo:org/*")), &options());
    assert_eq!(changes(&org), []);
    assert!(org.class(Threat::Federated).exact);
    // Any organization's repository: an attacker's own repository now gets in.
    let any = compare(&old, &policy(github("repo:*")), &options());
    let federated = any.class(Threat::Federated);
    assert_eq!(federated.change(), Change::Widened);
    let w = federated.widened.as_ref().unwrap().to_json();
    let sub = w["context"]["token.actions.githubusercontent.com:sub"]
        .as_str()
        .unwrap();
    assert!(!sub.starts_with("repo:org/"), "{sub}");
    assert_eq!(
        changes(&any),
        [(Class::Threat(Threat::Federated), Change::Widened)]
    );
}

#[test]
fn dropping_the_source_account_widens_forged_service_requests() {
    let old = policy(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": OWNER}}}]),
    );
    let new = policy(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
    );
    let d = compare(&old, &new, &options());
    assert_eq!(
        changes(&d),
        [(Class::Threat(Threat::ForgedService), Change::Widened)]
    );
    let w = d
        .class(Threat::ForgedService)
        .widened
        .as_ref()
        .unwrap()
        .to_json();
    assert_ne!(w["context"]["aws:SourceAccount"], json!(OWNER), "{w}");
}

#[test]
fn string_like_with_the_same_value_is_unchanged_unless_the_value_has_wildcards() {
    let with = |op: &str, value: &str| {
        policy(
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/vendor"}, "Action": "sts:AssumeRole",
            "Condition": {op: {"sts:ExternalId": value}}}]),
        )
    };
    let d = compare(
        &with("StringEquals", "abc-123"),
        &with("StringLike", "abc-123"),
        &options(),
    );
    assert_eq!(changes(&d), []);
    for c in &d.classes {
        assert!(c.exact, "{:?}: {:?}", c.class, c.why_inexact);
    }
    let d = compare(
        &with("StringEquals", "abc-*"),
        &with("StringLike", "abc-*"),
        &options(),
    );
    assert_eq!(d.class(Threat::ConfusedDeputy).change(), Change::Widened);
}

#[test]
fn reordering_statements_changes_nothing() {
    let a = json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": OWNER}}});
    let b = github("repo:org/app:*")[0].clone();
    let c = json!({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
        "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}});
    let d = compare(
        &policy(json!([a.clone(), b.clone(), c.clone()])),
        &policy(json!([c, a, b])),
        &options(),
    );
    assert_eq!(changes(&d), []);
    assert!(!d.widened());
}

#[test]
fn adding_a_deny_narrows() {
    let allow = json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"});
    let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}});
    let d = compare(
        &policy(json!([allow.clone()])),
        &policy(json!([allow, deny])),
        &options(),
    );
    assert_eq!(d.class(Threat::Public).change(), Change::Narrowed);
    assert!(!d.widened());
}

#[test]
fn a_new_trusted_account_widens_for_that_account_only_in_the_zone_or_not() {
    let old = policy(
        json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]),
    );
    let new = policy(
        json!([{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"]}, "Action": "sts:AssumeRole"}]),
    );
    let outside = compare(&old, &new, &options());
    let widened: Vec<Class> = outside
        .classes
        .iter()
        .filter(|c| c.change() == Change::Widened)
        .map(|c| c.class)
        .collect();
    assert!(!widened.is_empty());
    assert!(
        !widened.contains(&Class::Threat(Threat::Public)),
        "no account the policy does not name gets in"
    );
    for t in widened {
        let w = outside.class(t).widened.as_ref().unwrap();
        assert_eq!(
            account(w).as_deref(),
            Some("777788889999"),
            "{t:?}: {}",
            w.to_json()
        );
    }
    // The same account in the zone of trust: still a change, and still that account alone.
    let zone = AnalysisOptions {
        trusted_accounts: vec!["777788889999".to_owned()],
        ..options()
    };
    let inside = compare(&old, &new, &zone);
    for c in &inside.classes {
        if let Some(w) = &c.widened {
            assert_eq!(account(w).as_deref(), Some("777788889999"), "{:?}", c.class);
        }
    }
}

#[test]
fn allowing_session_tags_widens_for_a_caller_that_passes_them() {
    // Found by the property test: `*` may assume the role but not tag its session; the new
    // policy trusts EventBridge alone, but with sts:TagSession too. A forged EventBridge
    // request with session tags was denied and is allowed now.
    let old = policy(json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]));
    let new = policy(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["sts:Assume*", "sts:TagSession"]}]),
    );
    let d = compare(&old, &new, &options());
    let forged = d.class(Threat::ForgedService);
    assert_eq!(forged.change(), Change::Widened);
    let w = forged.widened.as_ref().unwrap().to_json();
    assert!(
        w["context"].get("aws:TagKeys").is_some()
            || w["context"].get("sts:TransitiveTagKeys").is_some(),
        "{w}"
    );
    // And the public class narrowed: `*` without tags no longer gets in.
    assert_eq!(d.class(Threat::Public).change(), Change::Narrowed);
}

#[test]
fn a_role_of_the_owners_own_account_let_in_widens_the_owner_account_class_alone() {
    let ec2 = json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"});
    let admin = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "sts:AssumeRole"});
    let d = compare(
        &policy(json!([ec2.clone()])),
        &policy(json!([ec2.clone(), admin])),
        &options(),
    );
    assert_eq!(changes(&d), [(Class::OwnerAccount, Change::Widened)]);
    let w = d
        .class(Class::OwnerAccount)
        .widened
        .as_ref()
        .unwrap()
        .to_json();
    assert_eq!(
        w["principal"]["AWS"], "arn:aws:sts::111122223333:assumed-role/admin/attacker-session",
        "{w}"
    );
    // A role of a trusted account: the zone-of-trust class, not an attacker's.
    let partner = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999900001111:role/deploy"}, "Action": "sts:AssumeRole"});
    let zone = AnalysisOptions {
        trusted_accounts: vec!["999900001111".to_owned()],
        ..options()
    };
    let d = compare(
        &policy(json!([ec2.clone()])),
        &policy(json!([ec2, partner])),
        &zone,
    );
    let widened: Vec<Class> = changes(&d)
        .into_iter()
        .filter(|(_, c)| *c == Change::Widened)
        .map(|(c, _)| c)
        .collect();
    assert!(widened.contains(&Class::ZoneOfTrust), "{widened:?}");
    assert!(!widened.contains(&Class::OwnerAccount));
    assert!(!widened.contains(&Class::Threat(Threat::Public)));
}

#[test]
fn every_public_web_identity_provider_is_tried_through_everyone() {
    // Found by an adversarial review: an `IfExists` on Google's claim sets Google apart, and a
    // Facebook or Cognito identity gets in through "*". Both the analysis and the diff see it.
    let old = policy(json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]));
    let new = policy(json!([{"Effect": "Allow", "Principal": "*",
        "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"],
        "Condition": {"StringEqualsIfExists": {"accounts.google.com:aud": "myapp"}}}]));
    let d = compare(&old, &new, &options());
    let federated = d.class(Threat::Federated);
    assert_eq!(federated.change(), Change::Widened);
    let provider = federated.widened.as_ref().unwrap().principal().to_string();
    assert_ne!(provider, "accounts.google.com");
    let a = trustsim_evaluator::analyze(&new, &options());
    assert_eq!(
        a.result(Threat::Federated).verdict,
        trustsim_evaluator::Verdict::Exposed
    );
    // A Deny of Google alone does not close "*" to the others either.
    let deny_google = policy(json!([
        {"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]},
        {"Effect": "Deny", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]));
    assert_eq!(
        compare(&old, &deny_google, &options())
            .class(Threat::Federated)
            .change(),
        Change::Widened
    );
}

#[test]
fn services_through_everyone_are_told_apart_by_their_source_arn_namespace() {
    // Found by an adversarial review: excluding EventBridge (and SNS) by `aws:SourceArn` left
    // only them tried, and other services got in while the analysis said restricted.
    let old = policy(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}, "StringEquals": {"aws:SourceAccount": OWNER}}}]),
    );
    for excluded in [
        json!(["arn:aws:events:*"]),
        json!(["arn:aws:events:*", "arn:aws:sns:*"]),
    ] {
        let new = policy(
            json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"},
                          "StringNotLike": {"aws:SourceArn": excluded},
                          "Null": {"aws:SourceArn": "false"}}}]),
        );
        let a = trustsim_evaluator::analyze(&new, &options());
        assert_eq!(
            a.result(Threat::ForgedService).verdict,
            trustsim_evaluator::Verdict::Exposed,
            "{excluded}"
        );
        let d = compare(&old, &new, &options());
        assert_eq!(
            d.class(Threat::ForgedService).change(),
            Change::Widened,
            "{excluded}"
        );
    }
}

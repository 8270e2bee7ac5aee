//! The open roles that the analysis once reported `restricted` (issue "Never ok on an open
//! role"), each as a named test: its verdict, its witness replayed by the concrete evaluator,
//! and its fix (when one is offered) analysed again. Every case names the AWS page its rule
//! follows; `docs/threats.md` explains the model.

use serde_json::{json, Value};
use trustsim_evaluator::analysis::analyze_threat;
use trustsim_evaluator::{
    analyze, evaluate, AnalysisOptions, Decision, Threat, ThreatResult, TrustPolicy, Verdict,
};

const OWNER: &str = "111122223333";

fn options(partition: Option<&str>) -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        partition: partition.map(str::to_owned),
        ..Default::default()
    }
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Analyses `policy` for `threat`, checks that the verdict is one of `expected`, that the
/// result is exact, that a witness is allowed by `evaluate`, and that a fix, when offered,
/// closes the threat; returns the result.
fn check(
    policy: &Value,
    threat: Threat,
    partition: Option<&str>,
    expected: &[Verdict],
) -> ThreatResult {
    let p = TrustPolicy::from_value(policy).unwrap();
    let opts = options(partition);
    let analysis = analyze(&p, &opts);
    let r = analysis.result(threat).clone();
    assert!(
        expected.contains(&r.verdict),
        "{}: expected {:?}, got {:?}: {}",
        threat.name(),
        expected,
        r.verdict,
        r.explanation
    );
    if matches!(r.verdict, Verdict::Exposed | Verdict::Partial) {
        let w = r.witness.as_ref().expect("a witness");
        assert_eq!(
            evaluate(&p, w).decision,
            Decision::Allow,
            "witness {}",
            w.to_json()
        );
    }
    if let Some(fix) = &r.fix {
        let fixed = TrustPolicy::from_value(fix).unwrap();
        let again = analyze_threat(&fixed, threat, &opts);
        assert!(
            matches!(again.verdict, Verdict::Restricted | Verdict::NotApplicable),
            "the fix leaves {:?}",
            again.verdict
        );
    }
    r
}

fn star(condition: Value, actions: Value) -> Value {
    doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": actions, "Condition": condition}]),
    )
}

// ------------------------------------------------------------ 1. policy variables (VARS)

/// IAM User Guide, "IAM policy elements: Variables and tags": `${aws:PrincipalAccount}` is the
/// caller's own account, so every account can create a role named `deployer` that matches.
#[test]
fn variable_principal_account_in_the_principal_arn_is_every_account() {
    let p = star(
        json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/deployer"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::Public, None, &[Verdict::Exposed]);
    assert!(r.exact);
    let w = r.witness.unwrap().to_json();
    assert!(w.to_string().contains(":role/deployer"), "{w}");
}

/// Both tags are the caller's (session tags are request parameters, principal tags its own):
/// it sets them equal.
#[test]
fn variable_request_tag_equal_to_principal_tag_is_chosen_by_the_attacker() {
    let p = star(
        json!({"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}}),
        json!(["sts:AssumeRole", "sts:TagSession"]),
    );
    assert!(check(&p, Threat::Public, None, &[Verdict::Exposed]).exact);
    // With a second predicate on the session tag, the principal tag must meet it too.
    let p = star(
        json!({"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
               "StringLike": {"aws:RequestTag/team": "adm*"}}),
        json!(["sts:AssumeRole", "sts:TagSession"]),
    );
    let r = check(&p, Threat::Public, None, &[Verdict::Exposed]);
    assert!(r.witness.unwrap().to_json().to_string().contains("adm"));
}

#[test]
fn variable_principal_account_as_a_tag_or_session_name_is_the_attackers() {
    for condition in [
        json!({"StringEquals": {"aws:PrincipalTag/owner": "${aws:PrincipalAccount}"}}),
        json!({"StringEquals": {"sts:RoleSessionName": "${aws:PrincipalAccount}"}}),
        json!({"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}),
    ] {
        let p = star(condition.clone(), json!("sts:AssumeRole"));
        let r = check(&p, Threat::Public, None, &[Verdict::Exposed]);
        assert!(r.exact, "{condition}");
    }
}

/// A default only the owner's account meets: the owner is not an attacker.
#[test]
fn variable_default_that_only_the_owner_meets_is_restricted() {
    let p = star(
        json!({"StringEquals": {"aws:PrincipalAccount": "${aws:SourceAccount, '111122223333'}"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::Public, None, &[Verdict::Restricted]);
    assert!(r.exact);
}

// ------------------------------------------------------------ 2. deputies without ExternalId

/// IAM User Guide, "Access to AWS accounts owned by third parties": the third party assigns
/// the ExternalId; one that does not implement it sends none, for every customer.
#[test]
fn deputy_admitted_only_without_external_id_is_exposed() {
    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
        "Condition": {"Null": {"sts:ExternalId": "true"}}}]));
    let r = check(&p, Threat::ConfusedDeputy, None, &[Verdict::Exposed]);
    assert!(r.exact);
}

#[test]
fn deputy_if_exists_external_id_is_partial_with_the_no_external_id_residual() {
    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:role/vendor"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEqualsIfExists": {"sts:ExternalId": "abc"}}}]));
    let r = check(&p, Threat::ConfusedDeputy, None, &[Verdict::Partial]);
    assert!(r.residual.unwrap().contains("sends no ExternalId"));
    let w = r.witness.unwrap().to_json();
    assert!(w["context"].get("sts:ExternalId").is_none(), "{w}");
    // An ExternalId required outright stays restricted.
    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:role/vendor"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}}]));
    check(&p, Threat::ConfusedDeputy, None, &[Verdict::Restricted]);
}

// ------------------------------------------------------------ 3. partitions

/// IAM User Guide, "IAM identifiers": an ARN names its partition; an account is in one.
#[test]
fn attackers_live_in_the_roles_partition() {
    let p = star(
        json!({"ArnLike": {"aws:PrincipalArn": "arn:aws-us-gov:iam::*:role/admin"}}),
        json!("sts:AssumeRole"),
    );
    // Named by the policy, and given.
    for given in [None, Some("aws-us-gov")] {
        let r = check(&p, Threat::Public, given, &[Verdict::Exposed]);
        assert!(r
            .witness
            .unwrap()
            .to_json()
            .to_string()
            .contains("arn:aws-us-gov:"));
    }
    // A role in `aws` cannot be assumed from GovCloud: no attacker of its own partition gets in.
    check(&p, Threat::Public, Some("aws"), &[Verdict::Restricted]);

    let p = star(
        json!({"ArnLike": {"aws:SourceArn": "arn:aws-us-gov:events:*:*:rule/*"}}),
        json!("sts:AssumeRole"),
    );
    check(
        &p,
        Threat::ForgedService,
        None,
        &[Verdict::Exposed, Verdict::Partial],
    );

    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws-cn:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]));
    let r = check(
        &p,
        Threat::ConfusedDeputy,
        Some("aws-cn"),
        &[Verdict::Exposed],
    );
    assert!(r
        .witness
        .unwrap()
        .to_json()
        .to_string()
        .contains("arn:aws-cn:"));
}

// ------------------------------------------------------------ 4. claims AWS may not pass

/// Service Authorization Reference (STS) lists `job_workflow_ref`; GitHub's "Configuring
/// OpenID Connect in Amazon Web Services" says custom claims are unavailable in AWS: the claim
/// may be absent, and then `...IfExists` passes.
#[test]
fn github_claim_aws_may_not_pass_is_open_where_it_is_absent() {
    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLikeIfExists": {"token.actions.githubusercontent.com:job_workflow_ref": "octo-org/wf/.github/workflows/deploy.yml@*"}}}]));
    let r = check(
        &p,
        Threat::Federated,
        None,
        &[Verdict::Exposed, Verdict::Partial],
    );
    if r.verdict == Verdict::Partial {
        assert!(r.residual.unwrap().contains("job_workflow_ref"));
    }
}

/// A claim AWS documents for no provider is never a proof either way.
#[test]
fn undocumented_claim_is_never_a_pin() {
    let p = doc(json!([{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringNotEquals": {"token.actions.githubusercontent.com:ref_type": "tag"}}}]));
    check(
        &p,
        Threat::Federated,
        None,
        &[Verdict::Exposed, Verdict::Partial],
    );
}

// ------------------------------------------------------------ 5. IAM paths

/// IAM User Guide, "IAM identifiers": whoever creates a user or role picks its path.
#[test]
fn iam_paths_are_chosen_by_the_attacker() {
    for (op, arn) in [
        ("ArnEquals", "arn:aws:iam::*:user/team/*"),
        ("ArnLike", "arn:aws:iam::*:role/team/*"),
        ("StringLike", "arn:aws:iam::*:user/team/*"),
    ] {
        let p = star(
            json!({op: {"aws:PrincipalArn": arn}}),
            json!("sts:AssumeRole"),
        );
        let r = check(&p, Threat::Public, None, &[Verdict::Exposed]);
        assert!(r.exact);
        assert!(r.witness.unwrap().to_json().to_string().contains("/team/"));
    }
}

// ------------------------------------------------------------ 6. accounts named in patterns

#[test]
fn an_account_pinned_by_a_pattern_is_a_third_party() {
    let p = star(
        json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999988887777:role/vendor-*"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::ConfusedDeputy, None, &[Verdict::Exposed]);
    assert!(r
        .witness
        .unwrap()
        .to_json()
        .to_string()
        .contains("999988887777"));
    check(&p, Threat::Public, None, &[Verdict::Restricted]);
}

// ------------------------------------------------------------ inconclusive, never restricted

/// A search bound is no proof: 70 account IDs on an EventBridge role exceed the 64 predicates
/// a key keeps (docs/threats.md 4.1).
#[test]
fn a_search_bound_gives_inconclusive() {
    let accounts: Vec<String> = (0..70)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i))
        .collect();
    let p = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": accounts}}}]),
    );
    let r = check(&p, Threat::ForgedService, None, &[Verdict::Inconclusive]);
    assert!(!r.exact);
    assert!(r.explanation.contains("not complete"), "{}", r.explanation);
}

/// A variable whose key the attacker's ARN determines inside text with wildcards is not
/// resolved exactly: inconclusive (4.2), not restricted.
#[test]
fn an_unresolved_variable_gives_inconclusive() {
    let p = star(
        json!({"StringLike": {"aws:PrincipalTag/x": "*-${aws:PrincipalTag/y}-*"},
               "StringEquals": {"aws:PrincipalTag/x": "q"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::Public, None, &[Verdict::Inconclusive]);
    assert!(!r.exact);
}

/// Mixed string and numeric conditions on one key (4.3).
#[test]
fn mixed_predicates_give_inconclusive_or_a_witness() {
    let p = star(
        json!({"StringLike": {"aws:PrincipalTag/n": "1*"}, "NumericGreaterThan": {"aws:PrincipalTag/n": "5"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(
        &p,
        Threat::Public,
        None,
        &[Verdict::Inconclusive, Verdict::Exposed],
    );
    assert_ne!(r.verdict, Verdict::Restricted);
}

/// Through `"*"`, only a list of services is tried: a pattern on `aws:PrincipalServiceName`
/// that none of them matches may still match a real service (docs/threats.md 4.5).
#[test]
fn a_service_name_pattern_outside_the_tried_services_gives_inconclusive() {
    let p = star(
        json!({"StringLike": {"aws:PrincipalServiceName": "kafka*"}}),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::ForgedService, None, &[Verdict::Inconclusive]);
    assert!(
        r.explanation.contains("aws:PrincipalServiceName"),
        "{}",
        r.explanation
    );
}

/// Found while moving the analysis onto the conditions' symbolic view: the solver's alphabet
/// knew `k` and `K` for a case-folded `k`, but not the Kelvin sign, which `StringEqualsIgnoreCase`
/// also takes (IAM User Guide, "Condition operators", "String condition operators": exact
/// matching, ignoring case). A principal tag is the attacker's own (IAM User Guide, "Passing
/// session tags in AWS STS": the caller's own tags).
#[test]
fn a_case_folded_letter_has_every_character_of_its_case_class() {
    let p = star(
        json!({
            "StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "k"},
            "StringNotEquals": {"aws:PrincipalTag/team": ["k", "K"]}
        }),
        json!("sts:AssumeRole"),
    );
    let r = check(&p, Threat::Public, None, &[Verdict::Exposed]);
    let w = r.witness.unwrap().to_json().to_string();
    assert!(w.contains('\u{212A}'), "{w}");
}

/// A `Bool` key set to neither `true` nor `false` matches no `Bool` condition (IAM User Guide,
/// "Condition operators", "Boolean condition operators"): with both values denied, only such
/// a value gets in (the `Bool` representatives include one, beside the string cells).
#[test]
fn a_bool_key_that_is_neither_true_nor_false_is_a_class_of_its_own() {
    let p = doc(json!([
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringLike": {"aws:PrincipalTag/flag": "*"}}},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:PrincipalTag/flag": "true"}}},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:PrincipalTag/flag": "false"}}}
    ]));
    check(&p, Threat::Public, None, &[Verdict::Exposed]);
}

/// Numbers are compared as exact decimals ("Numeric condition operators"); representatives
/// once came from floating point, which merges these two bounds and misses the value between.
#[test]
fn a_number_between_two_close_bounds_is_found() {
    let p = star(
        json!({
            "NumericGreaterThan": {"aws:PrincipalTag/level": "1.0000000000000001"},
            "NumericLessThan": {"aws:PrincipalTag/level": "1.0000000000000002"}
        }),
        json!("sts:AssumeRole"),
    );
    check(&p, Threat::Public, None, &[Verdict::Exposed]);
}

/// Found by `kit.rs`'s `equivalent_policies_and_requests_decide_alike`: with a GitHub provider
/// (an open issuer) and an EKS cluster's provider (one tenant) in two statements, the
/// `federated` verdict was `exposed` or `partial` depending on which statement came first (the
/// tenant downgrade looked only at the statement the witness came through). Both orders are
/// `exposed` now: anyone with a GitHub Actions token gets in.
#[test]
fn federated_verdict_does_not_depend_on_statement_order() {
    let github = json!({"Effect": "Allow", "Action": "sts:*",
        "Principal": {"Federated": format!("arn:aws:iam::{OWNER}:oidc-provider/token.actions.githubusercontent.com")}});
    let eks = json!({"Effect": "Allow", "Action": "sts:*",
        "Principal": {"Federated": format!("arn:aws:iam::{OWNER}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1")}});
    for statements in [json!([github, eks]), json!([eks, github])] {
        let p = doc(statements);
        let r = check(&p, Threat::Federated, None, &[Verdict::Exposed]);
        assert_eq!(r.statements.len(), 2, "{p}");
    }
}

/// `ArnLike aws:SourceArn "arn:aws:*"` (fewer than six components) is accepted with a warning;
/// AWS does not document how it matches, so the forged-service verdict is `inconclusive`, never
/// `restricted` (docs/operators.md, "ARN values with fewer than six components").
#[test]
fn a_short_arn_value_is_never_a_proof() {
    let p = doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "events.amazonaws.com"},
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:*"}}}]));
    let policy = TrustPolicy::from_value(&p).unwrap();
    assert!(policy
        .warnings
        .iter()
        .any(|w| w.message.contains("six components")));
    let r = analyze_threat(&policy, Threat::ForgedService, &options(None));
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.explanation);
    // With a full ARN the same statement is a proof.
    let p = doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "events.amazonaws.com"},
        "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:events:*:{OWNER}:rule/*")}}}]));
    let r = analyze_threat(
        &TrustPolicy::from_value(&p).unwrap(),
        Threat::ForgedService,
        &options(None),
    );
    assert_eq!(r.verdict, Verdict::Restricted, "{}", r.explanation);
}

/// Found by the fuzz target `analysis` (fuzz/README.md, "Runs"): an `ArnLike` `aws:SourceArn`
/// whose account component is `111122223333*`. An account ID is 12 digits (AWS Account
/// Management Reference Guide, "View AWS account identifiers"), so the pattern names the owner's
/// account alone and the role is not open to a forged service; the analysis reports it open
/// with a witness from the owner's own account, which its fix cannot deny. The attacker's fresh
/// account is now never one of the zone of trust, also where the policy names it only inside a
/// pattern.
#[test]
fn source_arn_account_wildcard_after_twelve_digits_is_the_owner_alone() {
    let policy = doc(json!([{
        "Effect": "Allow",
        "Principal": {"Service": ["appstream.amazonaws.com"]},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {
            "aws:SourceArn": "arn:aws:appstream:us-east-1:111122223333*:fleet/example-your-fleet-name"
        }}
    }]));
    let parsed = TrustPolicy::from_value(&policy).unwrap();
    let result = analyze_threat(&parsed, Threat::ForgedService, &options(None));
    if let Some(witness) = &result.witness {
        let account = witness.to_json()["context"]["aws:SourceAccount"].clone();
        assert_ne!(
            account,
            json!(OWNER),
            "the witness is the owner's own resource"
        );
    }
    assert_eq!(result.verdict, Verdict::Restricted);
    // Eleven digits and a wildcard name ten accounts: nine of them are other people's.
    let open = doc(json!([{
        "Effect": "Allow",
        "Principal": {"Service": ["appstream.amazonaws.com"]},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {
            "aws:SourceArn": "arn:aws:appstream:us-east-1:11112222333*:fleet/example-your-fleet-name"
        }}
    }]));
    let result = check(&open, Threat::ForgedService, None, &[Verdict::Partial]);
    let witness = result.witness.unwrap().to_json();
    let account = witness["context"]["aws:SourceAccount"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        account.starts_with("11112222333") && account != OWNER,
        "{account}"
    );
}

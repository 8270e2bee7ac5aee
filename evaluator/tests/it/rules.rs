//! Table tests for the trust policy rules: parse errors (exact message and pointer), principal
//! forms, actions, statements and Deny, derived keys, implied actions, and both seed articles'
//! examples.

use serde_json::json;
use trustsim_evaluator::{
    decide, evaluate, Decision, PolicyWarning, Principal, Request, TrustPolicy,
};

fn policy(v: serde_json::Value) -> TrustPolicy {
    match TrustPolicy::from_value(&v) {
        Ok(p) => p,
        Err(e) => panic!("policy does not parse: {e}"),
    }
}

fn stmt(extra: serde_json::Value) -> serde_json::Value {
    let mut s = json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"});
    if let (Some(obj), Some(add)) = (s.as_object_mut(), extra.as_object()) {
        for (k, v) in add {
            if v.is_null() {
                obj.remove(k);
            } else {
                obj.insert(k.clone(), v.clone());
            }
        }
    }
    json!({"Version": "2012-10-17", "Statement": [s]})
}

fn req(v: serde_json::Value) -> Request {
    match Request::from_value(&v) {
        Ok(r) => r,
        Err(e) => panic!("request does not parse: {e}"),
    }
}

// ---------------------------------------------------------------- parse errors

#[test]
fn parse_errors_name_the_element_and_say_what_is_wrong() {
    let cases: Vec<(&str, serde_json::Value, &str, &str)> = vec![
        ("not an object", json!([1]), "", "a trust policy must be an object, not an array"),
        ("no statement", json!({"Version": "2012-10-17"}), "", "the policy has no `Statement`"),
        ("unknown top-level element", json!({"Version": "2012-10-17", "Statement": [], "Foo": 1}), "/Foo", "unknown element `Foo`"),
        ("lower-case element", json!({"version": "2012-10-17", "Statement": []}), "/version", "unknown element `version`"),
        ("bad version", json!({"Version": "2012-10-18", "Statement": []}), "/Version", "`2012-10-18` is not a policy language version"),
        ("version not a string", json!({"Version": 2012, "Statement": []}), "/Version", "`Version` must be a string, not a number"),
        ("statement is a string", json!({"Statement": "x"}), "/Statement", "`Statement` must be an object or a list of objects, not a string"),
        ("statement entry not an object", json!({"Statement": [1]}), "/Statement/0", "a statement must be an object, not a number"),
        ("NotPrincipal", stmt(json!({"Principal": null, "NotPrincipal": {"AWS": "111122223333"}})), "/Statement/0/NotPrincipal", "role trust policies do not support `NotPrincipal`"),
        ("Resource", stmt(json!({"Resource": "*"})), "/Statement/0/Resource", "a role trust policy cannot have `Resource`"),
        ("NotResource", stmt(json!({"NotResource": "*"})), "/Statement/0/NotResource", "a role trust policy cannot have `NotResource`"),
        ("missing principal", stmt(json!({"Principal": null})), "/Statement/0", "the statement has no `Principal`"),
        ("missing effect", stmt(json!({"Effect": null})), "/Statement/0", "the statement has no `Effect`"),
        ("missing action", stmt(json!({"Action": null})), "/Statement/0", "the statement has no `Action`"),
        ("effect is case-sensitive", stmt(json!({"Effect": "allow"})), "/Statement/0/Effect", "`allow` is not an effect"),
        ("both Action and NotAction", stmt(json!({"NotAction": "sts:TagSession"})), "/Statement/0/NotAction", "a statement has either `Action` or `NotAction`, not both"),
        ("action with two colons", stmt(json!({"Action": "sts:Assume:Role"})), "/Statement/0/Action", "`sts:Assume:Role`: an action can contain only one colon"),
        ("action without colon", stmt(json!({"Action": ["sts:AssumeRole", "AssumeRole"]})), "/Statement/0/Action/1", "`AssumeRole`: an action is written `service:Action`, e.g. `sts:AssumeRole`"),
        ("empty action list", stmt(json!({"Action": []})), "/Statement/0/Action", "`Action` is an empty list"),
        ("unknown statement element", stmt(json!({"Condtion": {}})), "/Statement/0/Condtion", "unknown element `Condtion`"),
        ("Sid with a space", stmt(json!({"Sid": "Trust events"})), "/Statement/0/Sid", "the Sid `Trust events` has characters other than letters and digits"),
        ("principal string other than *", stmt(json!({"Principal": "111122223333"})), "/Statement/0/Principal", "`\"Principal\": \"111122223333\"` is not a principal"),
        ("partial wildcard in account", stmt(json!({"Principal": {"AWS": "arn:aws:iam::*:root"}})), "/Statement/0/Principal/AWS", "`arn:aws:iam::*:root` is not a valid AWS principal: a principal cannot contain a wildcard, except `*` alone for everyone"),
        ("partial wildcard in role", stmt(json!({"Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/ci-*"]}})), "/Statement/0/Principal/AWS/1", "`arn:aws:iam::111122223333:role/ci-*` is not a valid AWS principal: a principal cannot contain a wildcard, except `*` alone for everyone"),
        ("account id too short", stmt(json!({"Principal": {"AWS": "11112222333"}})), "/Statement/0/Principal/AWS", "`11112222333` is not a valid AWS principal: expected a 12-digit account ID or an ARN such as `arn:aws:iam::111122223333:role/name`"),
        ("group is not a principal", stmt(json!({"Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"}})), "/Statement/0/Principal/AWS", "`arn:aws:iam::111122223333:group/admins` is not a valid AWS principal: `group/admins` is not a principal: an IAM principal ARN ends in `root`, `user/NAME` or `role/NAME`"),
        ("wildcard service", stmt(json!({"Principal": {"Service": "*.amazonaws.com"}})), "/Statement/0/Principal/Service", "`*.amazonaws.com`: a service principal cannot contain a wildcard"),
        ("unknown principal kind", stmt(json!({"Principal": {"Account": "111122223333"}})), "/Statement/0/Principal/Account", "unknown element `Account`"),
        ("principal list of numbers", stmt(json!({"Principal": {"AWS": [111122223333u64]}})), "/Statement/0/Principal/AWS/0", "`Principal.AWS` must be a string, not a number"),
        ("unknown operator", stmt(json!({"Condition": {"StringEqual": {"aws:SourceAccount": "111122223333"}}})), "/Statement/0/Condition/StringEqual", "unknown condition operator `StringEqual`"),
        ("operator with a leading space", stmt(json!({"Condition": {" StringLike": {"aws:SourceAccount": "1*"}}})), "/Statement/0/Condition/ StringLike", "unknown condition operator ` StringLike`"),
        ("NullIfExists", stmt(json!({"Condition": {"NullIfExists": {"aws:SourceAccount": "true"}}})), "/Statement/0/Condition/NullIfExists", "`NullIfExists` is not a condition operator: `Null` takes no `IfExists` suffix"),
        ("condition not an object", stmt(json!({"Condition": ["StringEquals"]})), "/Statement/0/Condition", "`Condition` must be an object, not an array"),
        ("operator block not an object", stmt(json!({"Condition": {"StringEquals": ["aws:SourceAccount"]}})), "/Statement/0/Condition/StringEquals", "the keys of `StringEquals` must be an object, not an array"),
        ("null condition value", stmt(json!({"Condition": {"StringEquals": {"aws:SourceAccount": null}}})), "/Statement/0/Condition/StringEquals/aws:SourceAccount", "a condition value must be a string, number or boolean, not null"),
        ("nested object value", stmt(json!({"Condition": {"StringEquals": {"aws:SourceAccount": ["1", {"a": 1}]}}})), "/Statement/0/Condition/StringEquals/aws:SourceAccount/1", "a condition value must be a string, number or boolean, not an object"),
        ("bad CIDR", stmt(json!({"Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "203.0.113.0/33"]}}})), "/Statement/0/Condition/IpAddress/aws:SourceIp/1", "`203.0.113.0/33` is not a valid IP address or CIDR for `IpAddress`: the prefix `/33` must be a number from 0 to 32"),
        ("variable in a Numeric operator", stmt(json!({"Condition": {"NumericLessThan": {"sts:DurationSeconds": "${aws:username}"}}})), "/Statement/0/Condition/NumericLessThan/sts:DurationSeconds", "`NumericLessThan` does not support policy variables, but `${aws:username}` uses one"),
        ("duplicate key in different case", stmt(json!({"Condition": {"StringEquals": {"aws:SourceAccount": "1", "AWS:SourceAccount": "2"}}})), "/Statement/0/Condition/StringEquals/AWS:SourceAccount", "`AWS:SourceAccount` appears twice in `StringEquals` (also as `aws:SourceAccount`): key names are not case-sensitive"),
        ("duplicate Sid", json!({"Statement": [
            {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Sid": "A", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}), "/Statement/1/Sid", "the Sid `A` is used twice (first at /Statement/0/Sid)"),
    ];
    let mut failures = Vec::new();
    for (name, doc, pointer, message) in &cases {
        match TrustPolicy::from_value(doc) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                if e.pointer.as_str() != *pointer || e.message != *message {
                    failures.push(format!(
                        "{name}: got {:?} `{}`",
                        e.pointer.as_str(),
                        e.message
                    ));
                }
                if e.help.is_none()
                    && !matches!(
                        *name,
                        "statement entry not an object"
                            | "not an object"
                            | "version not a string"
                            | "statement is a string"
                            | "principal list of numbers"
                            | "null condition value"
                            | "nested object value"
                            | "condition not an object"
                            | "operator block not an object"
                            | "both Action and NotAction"
                            | "action with two colons"
                            | "action without colon"
                            | "group is not a principal"
                            | "account id too short"
                            | "duplicate key in different case"
                            | "duplicate Sid"
                            | "empty action list"
                    )
                {
                    failures.push(format!("{name}: no help"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_json_is_an_error_at_the_root() {
    let e = TrustPolicy::from_json("{\"Statement\": [").err();
    assert!(
        e.as_ref().is_some_and(|e| e.pointer.as_str().is_empty()
            && e.message.starts_with("the document is not valid JSON")),
        "{e:?}"
    );
}

fn warnings_of(v: serde_json::Value) -> Vec<PolicyWarning> {
    policy(v).warnings
}

#[test]
fn accepted_but_suspicious_documents_get_warnings() {
    let w = warnings_of(stmt(
        json!({"Condition": {"StringEquals": {"aws:SourceAcount": "111122223333"}}}),
    ));
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].pointer.as_str(),
        "/Statement/0/Condition/StringEquals/aws:SourceAcount"
    );
    assert!(
        w[0].message.contains("did you mean `aws:SourceAccount`?"),
        "{}",
        w[0].message
    );

    let w = warnings_of(
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}),
    );
    assert!(w
        .iter()
        .any(|w| w.pointer.as_str().is_empty() && w.message.starts_with("no `Version`")));

    let w = warnings_of(stmt(
        json!({"Condition": {"DateLessThan": {"aws:CurrentTime": ["2026-01-01", "someday"]}}}),
    ));
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].pointer.as_str(),
        "/Statement/0/Condition/DateLessThan/aws:CurrentTime/1"
    );

    let w = warnings_of(stmt(
        json!({"Condition": {"StringEquals": {"https://oidc.eks.us-east-1.amazonaws.com/id/X:sub": "s"}}}),
    ));
    assert!(w[0].message.contains("without `https://`"));

    assert!(warnings_of(stmt(
        json!({"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}})
    ))
    .is_empty());
}

#[test]
fn statement_may_be_a_single_object_and_values_numbers_or_booleans() {
    let p = policy(json!({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"AWS": "123412341234"}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}}}));
    let r = req(
        json!({"principal": {"AWS": "arn:aws:iam::123412341234:user/alice"},
        "context": {"aws:MultiFactorAuthPresent": true, "aws:MultiFactorAuthAge": 60}}),
    );
    assert_eq!(decide(&p, &r), Decision::Allow);
    let r = req(
        json!({"principal": {"AWS": "arn:aws:iam::123412341234:user/alice"},
        "context": {"aws:MultiFactorAuthPresent": true, "aws:MultiFactorAuthAge": 7200}}),
    );
    assert_eq!(decide(&p, &r), Decision::ImplicitDeny);
}

// ---------------------------------------------------------------- principals

fn trusts(principal: serde_json::Value, caller: serde_json::Value) -> Decision {
    let p = policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole*"}]}),
    );
    decide(&p, &req(json!({"principal": caller})))
}

#[test]
fn principal_matching_follows_the_principal_page() {
    use Decision::{Allow, ImplicitDeny};
    let alice = json!({"AWS": "arn:aws:iam::111122223333:user/alice"});
    let session = json!({"AWS": "arn:aws:sts::111122223333:assumed-role/ci/run-42"});
    let other = json!({"AWS": "arn:aws:sts::444455556666:assumed-role/ci/run-42"});
    let events = json!({"Service": "events.amazonaws.com"});
    let github = json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"});
    let table: Vec<(&str, serde_json::Value, serde_json::Value, Decision)> = vec![
        ("\"*\" trusts an IAM user", json!("*"), alice.clone(), Allow),
        ("\"*\" trusts a service", json!("*"), events.clone(), Allow),
        (
            "AWS \"*\" trusts another account's session",
            json!({"AWS": "*"}),
            other.clone(),
            Allow,
        ),
        (
            "account ID trusts its users",
            json!({"AWS": "111122223333"}),
            alice.clone(),
            Allow,
        ),
        (
            "account ID trusts its role sessions",
            json!({"AWS": "111122223333"}),
            session.clone(),
            Allow,
        ),
        (
            "account ID does not trust another account",
            json!({"AWS": "111122223333"}),
            other.clone(),
            ImplicitDeny,
        ),
        (
            ":root trusts its role sessions",
            json!({"AWS": "arn:aws:iam::111122223333:root"}),
            session.clone(),
            Allow,
        ),
        (
            "role ARN trusts its sessions",
            json!({"AWS": "arn:aws:iam::111122223333:role/ci"}),
            session.clone(),
            Allow,
        ),
        (
            "role ARN with a path trusts its sessions",
            json!({"AWS": "arn:aws:iam::111122223333:role/build/ci"}),
            session.clone(),
            Allow,
        ),
        (
            "role ARN does not trust another role's sessions",
            json!({"AWS": "arn:aws:iam::111122223333:role/deploy"}),
            session.clone(),
            ImplicitDeny,
        ),
        (
            "role ARN does not trust the same name in another account",
            json!({"AWS": "arn:aws:iam::111122223333:role/ci"}),
            other.clone(),
            ImplicitDeny,
        ),
        (
            "session ARN trusts that session",
            json!({"AWS": "arn:aws:sts::111122223333:assumed-role/ci/run-42"}),
            session.clone(),
            Allow,
        ),
        (
            "session ARN does not trust another session",
            json!({"AWS": "arn:aws:sts::111122223333:assumed-role/ci/run-43"}),
            session.clone(),
            ImplicitDeny,
        ),
        (
            "user ARN trusts the user",
            json!({"AWS": "arn:aws:iam::111122223333:user/alice"}),
            alice.clone(),
            Allow,
        ),
        (
            "user ARN does not trust a role session",
            json!({"AWS": "arn:aws:iam::111122223333:user/ci"}),
            session.clone(),
            ImplicitDeny,
        ),
        (
            "service trusts that service",
            json!({"Service": ["ec2.amazonaws.com", "events.amazonaws.com"]}),
            events.clone(),
            Allow,
        ),
        (
            "service does not trust IAM callers",
            json!({"Service": "events.amazonaws.com"}),
            alice.clone(),
            ImplicitDeny,
        ),
        (
            "another service",
            json!({"Service": "lambda.amazonaws.com"}),
            events.clone(),
            ImplicitDeny,
        ),
        (
            "provider ARN trusts that provider",
            json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}),
            github.clone(),
            Allow,
        ),
        (
            "provider does not trust another provider",
            json!({"Federated": "accounts.google.com"}),
            github.clone(),
            ImplicitDeny,
        ),
        (
            "deleted principal's unique ID trusts nobody",
            json!({"AWS": "AROAEXAMPLEID1234567"}),
            session.clone(),
            ImplicitDeny,
        ),
        (
            "canonical user trusts no STS caller",
            json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}),
            alice.clone(),
            ImplicitDeny,
        ),
    ];
    let failures: Vec<String> = table
        .into_iter()
        .filter_map(|(name, principal, caller, want)| {
            let got = trusts(principal, caller);
            (got != want).then(|| format!("{name}: expected {want}, got {got}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn principal_strings_are_inferred_per_the_contract() {
    let cases = [
        ("111122223333", "AWS"),
        ("arn:aws:iam::111122223333:role/x", "AWS"),
        ("events.amazonaws.com", "Service"),
        ("cognito-identity.amazonaws.com", "Federated"),
        ("accounts.google.com", "Federated"),
        ("www.amazon.com", "Federated"),
        ("arn:aws:iam::111122223333:saml-provider/okta", "Federated"),
    ];
    for (text, kind) in cases {
        let got = Principal::infer(text).map(|p| p.to_json());
        let key = got
            .as_ref()
            .ok()
            .and_then(|v| v.as_object())
            .and_then(|o| o.keys().next().cloned());
        assert_eq!(key.as_deref(), Some(kind), "{text}");
    }
    assert!(Principal::infer("alice").is_err());
    assert!(Principal::infer("arn:aws:iam::111122223333:group/g").is_err());
}

// ---------------------------------------------------------------- actions and statements

#[test]
fn actions_match_case_insensitively_with_wildcards() {
    let caller = json!({"principal": "events.amazonaws.com"});
    for (action, want) in [
        (json!("sts:AssumeRole"), Decision::Allow),
        (json!("STS:assumerole"), Decision::Allow),
        (json!("sts:Assume*"), Decision::Allow),
        (json!("sts:*"), Decision::Allow),
        (json!("*"), Decision::Allow),
        (json!("sts:AssumeRole?"), Decision::ImplicitDeny),
        (json!("sts:AssumeRoleWithSAML"), Decision::ImplicitDeny),
        (json!(["s3:GetObject", "sts:AssumeRole"]), Decision::Allow),
    ] {
        let p = policy(stmt(json!({"Action": action.clone()})));
        assert_eq!(decide(&p, &req(caller.clone())), want, "{action}");
    }
    let p = policy(stmt(json!({"Action": null, "NotAction": "sts:TagSession"})));
    assert_eq!(decide(&p, &req(caller.clone())), Decision::Allow);
    let p = policy(stmt(json!({"Action": null, "NotAction": "sts:Assume*"})));
    assert_eq!(decide(&p, &req(caller)), Decision::ImplicitDeny);
}

#[test]
fn statements_or_and_explicit_deny_wins() {
    let p = policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}
    ]}));
    let inside = req(json!({"principal": "arn:aws:iam::111122223333:user/alice"}));
    let e = evaluate(&p, &inside);
    assert_eq!(e.decision, Decision::Allow);
    assert_eq!(e.actions[0].statements, vec![0]);
    // The service has no aws:PrincipalAccount: the negated condition is true on an absent key,
    // so the Deny applies.
    let service = req(json!({"principal": "events.amazonaws.com"}));
    let e = evaluate(&p, &service);
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert!(e.statements[2].applies && e.statements[1].applies);
    assert!(e.statements[2].conditions[0]
        .explanation
        .contains("not in the request"));
    let nobody = policy(json!({"Version": "2012-10-17", "Statement": []}));
    assert_eq!(decide(&nobody, &inside), Decision::ImplicitDeny);
}

// ---------------------------------------------------------------- requests

#[test]
fn derived_keys_follow_the_caller_unless_the_context_sets_them() {
    let r = req(json!({"principal": "arn:aws:sts::111122223333:assumed-role/ci/run-1"}));
    let ctx = r.context();
    let get = |k: &str| {
        ctx.iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v, _)| v.to_vec())
    };
    assert_eq!(
        get("aws:PrincipalArn"),
        Some(vec!["arn:aws:iam::111122223333:role/ci".to_owned()])
    );
    assert_eq!(
        get("aws:PrincipalAccount"),
        Some(vec!["111122223333".to_owned()])
    );
    assert_eq!(
        get("aws:PrincipalType"),
        Some(vec!["AssumedRole".to_owned()])
    );
    assert_eq!(
        get("aws:PrincipalIsAWSService"),
        Some(vec!["false".to_owned()])
    );
    assert_eq!(get("aws:username"), None);

    let r = req(
        json!({"principal": "arn:aws:iam::111122223333:user/alice", "context": {"aws:PrincipalAccount": null, "aws:username": "mallory"}}),
    );
    let ctx = r.context();
    let get = |k: &str| {
        ctx.iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v, _)| v.to_vec())
    };
    assert_eq!(
        get("aws:PrincipalAccount"),
        None,
        "null marks a derived key absent"
    );
    assert_eq!(
        get("aws:username"),
        Some(vec!["mallory".to_owned()]),
        "the context wins"
    );

    let r = req(json!({"principal": {"Service": "events.amazonaws.com"}}));
    let ctx = r.context();
    let get = |k: &str| {
        ctx.iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v, _)| v.to_vec())
    };
    assert_eq!(
        get("aws:PrincipalServiceName"),
        Some(vec!["events.amazonaws.com".to_owned()])
    );
    assert_eq!(
        get("aws:PrincipalIsAWSService"),
        Some(vec!["true".to_owned()])
    );
    assert_eq!(get("aws:SourceAccount"), None);
}

#[test]
fn request_errors_name_the_field() {
    let cases = [
        (json!({"principal": "alice"}), "/principal"),
        (
            json!({"principal": {"AWS": "arn:aws:iam::1:root"}}),
            "/principal/AWS",
        ),
        (
            json!({"principal": {"AWS": "a", "Service": "b"}}),
            "/principal",
        ),
        (
            json!({"principal": "events.amazonaws.com", "action": "s3:GetObject"}),
            "/action",
        ),
        (
            json!({"principal": "events.amazonaws.com", "role": "arn:aws:iam::111122223333:user/x"}),
            "/role",
        ),
        (
            json!({"principal": "events.amazonaws.com", "context": {"k": {"a": 1}}}),
            "/context/k",
        ),
        (
            json!({"principal": "events.amazonaws.com", "context": {"k": [1, null]}}),
            "/context/k/1",
        ),
        (
            json!({"principal": "events.amazonaws.com", "extra": 1}),
            "/extra",
        ),
        (json!({}), ""),
    ];
    for (doc, pointer) in cases {
        match Request::from_value(&doc) {
            Ok(_) => panic!("accepted {doc}"),
            Err(e) => assert_eq!(e.pointer.as_str(), pointer, "{doc}: {}", e.message),
        }
    }
}

#[test]
fn session_tags_and_source_identity_need_their_own_actions() {
    let only_assume = policy(stmt(json!({"Principal": {"AWS": "111122223333"}})));
    let with_tags = policy(stmt(
        json!({"Principal": {"AWS": "111122223333"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}),
    ));
    let with_source = policy(stmt(
        json!({"Principal": {"AWS": "111122223333"}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}),
    ));
    let tagged = req(
        json!({"principal": "arn:aws:iam::111122223333:user/a", "context": {"aws:RequestTag/team": "x", "aws:TagKeys": ["team"]}}),
    );
    let sourced = req(
        json!({"principal": "arn:aws:iam::111122223333:user/a", "context": {"sts:SourceIdentity": "alice"}}),
    );
    let plain = req(json!({"principal": "arn:aws:iam::111122223333:user/a"}));
    assert_eq!(decide(&only_assume, &plain), Decision::Allow);
    assert_eq!(decide(&only_assume, &tagged), Decision::ImplicitDeny);
    assert_eq!(decide(&with_tags, &tagged), Decision::Allow);
    assert_eq!(decide(&with_tags, &sourced), Decision::ImplicitDeny);
    assert_eq!(decide(&with_source, &sourced), Decision::Allow);
    let e = evaluate(&only_assume, &tagged);
    assert_eq!(
        e.actions
            .iter()
            .map(|a| (a.action.as_str(), a.decision))
            .collect::<Vec<_>>(),
        vec![
            ("sts:AssumeRole", Decision::Allow),
            ("sts:TagSession", Decision::ImplicitDeny)
        ]
    );
    // A Deny on TagSession denies the whole request.
    let deny_tags = policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:*"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession"}]}));
    assert_eq!(decide(&deny_tags, &tagged), Decision::ExplicitDeny);
    assert_eq!(decide(&deny_tags, &plain), Decision::Allow);
}

#[test]
fn notes_say_what_identity_policies_must_also_allow() {
    let p = policy(stmt(json!({"Principal": {"AWS": "111122223333"}})));
    let same = req(
        json!({"principal": "arn:aws:iam::111122223333:user/a", "role": "arn:aws:iam::111122223333:role/r"}),
    );
    let e = evaluate(&p, &same);
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("only through its account")),
        "{:?}",
        e.notes
    );
    let p = policy(stmt(
        json!({"Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"}}),
    ));
    let cross = req(
        json!({"principal": "arn:aws:sts::444455556666:assumed-role/ci/s", "role": "arn:aws:iam::111122223333:role/r"}),
    );
    let e = evaluate(&p, &cross);
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("Cross-account policy evaluation logic")),
        "{:?}",
        e.notes
    );
    let named_same = policy(stmt(
        json!({"Principal": {"AWS": "arn:aws:iam::111122223333:user/a"}}),
    ));
    assert!(evaluate(&named_same, &same).notes.is_empty());
}

#[test]
fn policy_variables_follow_the_version() {
    let doc = |version: Option<&str>| {
        let mut d = stmt(json!({"Principal": {"AWS": "111122223333"},
            "Condition": {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}}));
        if let Some(obj) = d.as_object_mut() {
            match version {
                Some(v) => obj.insert("Version".into(), json!(v)),
                None => obj.remove("Version"),
            };
        }
        policy(d)
    };
    let r = req(
        json!({"principal": "arn:aws:iam::111122223333:user/alice", "context": {"sts:RoleSessionName": "alice"}}),
    );
    let literal = req(
        json!({"principal": "arn:aws:iam::111122223333:user/alice", "context": {"sts:RoleSessionName": "${aws:username}"}}),
    );
    assert_eq!(decide(&doc(Some("2012-10-17")), &r), Decision::Allow);
    assert_eq!(decide(&doc(Some("2008-10-17")), &r), Decision::ImplicitDeny);
    assert_eq!(decide(&doc(Some("2008-10-17")), &literal), Decision::Allow);
    assert_eq!(decide(&doc(None), &literal), Decision::Allow);
}

// ---------------------------------------------------------------- the seed articles

const EVENTBRIDGE: &str = include_str!("../../../examples/eventbridge-role.json");
const EVENTBRIDGE_FIXED: &str = include_str!("../../../examples/eventbridge-role-fixed.json");
const EXTERNAL_ID: &str = include_str!("../../../examples/externalid-role.json");

fn events_for(account: Option<&str>) -> Request {
    let mut b = Request::builder(Principal::Service("events.amazonaws.com".into()))
        .role("arn:aws:iam::111122223333:role/CentralEventBusToInvoiceProcessingEventBusRole");
    if let Some(a) = account {
        b = b.context("aws:SourceAccount", a);
    }
    match b.build() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn seed_eventbridge_role_without_source_account_lets_any_account_in() {
    let p = match TrustPolicy::from_json(EVENTBRIDGE) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        decide(&p, &events_for(Some("111122223333"))),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, &events_for(Some("444455556666"))),
        Decision::Allow,
        "forged request from another account"
    );
}

#[test]
fn seed_eventbridge_role_with_source_account_only_lets_the_owner_in() {
    let p = match TrustPolicy::from_json(EVENTBRIDGE_FIXED) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        decide(&p, &events_for(Some("111122223333"))),
        Decision::Allow
    );
    let e = evaluate(&p, &events_for(Some("444455556666")));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.statements[0].conditions[0].explanation,
        "`444455556666` equals none of `111122223333`, so `StringEquals` is false"
    );
    assert_eq!(
        decide(&p, &events_for(None)),
        Decision::ImplicitDeny,
        "a service that omits the key is not let in"
    );
}

fn alice(external_id: Option<&str>) -> Request {
    let mut b = Request::builder(
        Principal::infer("arn:aws:sts::123412341234:assumed-role/ALICE/for-bob")
            .unwrap_or(Principal::Service("x.amazonaws.com".into())),
    );
    if let Some(x) = external_id {
        b = b.context("sts:ExternalId", x);
    }
    match b.build() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn seed_external_id_role_with_the_right_external_id() {
    let p = match TrustPolicy::from_json(EXTERNAL_ID) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(decide(&p, &alice(Some("12345"))), Decision::Allow);
}

#[test]
fn seed_external_id_role_with_a_wrong_external_id() {
    let p = match TrustPolicy::from_json(EXTERNAL_ID) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(decide(&p, &alice(Some("67890"))), Decision::ImplicitDeny);
}

#[test]
fn seed_external_id_role_with_no_external_id() {
    let p = match TrustPolicy::from_json(EXTERNAL_ID) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let e = evaluate(&p, &alice(None));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert!(e.statements[0].conditions[0]
        .explanation
        .contains("`sts:ExternalId` is not in the request"));
}

#[test]
fn duplicate_elements_are_rejected_not_last_wins() {
    // A lenient JSON reader would keep the second `Effect` and read this as an Allow.
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow",
        "Principal": "*", "Action": "sts:AssumeRole"}]}"#;
    let e = TrustPolicy::from_json(text).err();
    assert_eq!(
        e.as_ref().map(|e| e.pointer.as_str()),
        Some("/Statement/0/Effect")
    );
    assert!(e.is_some_and(|e| e.message.starts_with("`Effect` appears twice in the same object; AWS rejects duplicate elements at line 1 column")));
    let text = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "1", "aws:SourceAccount": "2"}}}}"#;
    let e = TrustPolicy::from_json(text).err();
    assert_eq!(
        e.map(|e| e.pointer.as_str().to_owned()),
        Some("/Statement/Condition/StringEquals/aws:SourceAccount".to_owned())
    );
    let e =
        Request::from_json(r#"{"principal": "events.amazonaws.com", "principal": "111122223333"}"#)
            .err();
    assert_eq!(
        e.map(|e| e.pointer.as_str().to_owned()),
        Some("/principal".to_owned())
    );
}

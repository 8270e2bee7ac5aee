//! Every row of the provenance table, tested through the analysis: a policy that trusts the
//! row's attacker and requires `StringEquals <key> "literal-value-x"` is exposed exactly when the
//! row lets the attacker spell that value (a chosen value), and restricted when the value is
//! fixed, fresh, structured, service-set or absent.

use serde_json::json;
use trustsim_evaluator::analysis::analyze_threat;
use trustsim_evaluator::analysis::provenance::{Kind, TABLE};
use trustsim_evaluator::{AnalysisOptions, Threat, TrustPolicy, Verdict};

fn principal_and_action(threat: Threat, key: &str) -> (serde_json::Value, &'static str, String) {
    match threat {
        Threat::Public => (json!("*"), "sts:AssumeRole", key.to_owned()),
        Threat::ForgedService => (
            json!({"Service": "events.amazonaws.com"}),
            "sts:AssumeRole",
            key.to_owned(),
        ),
        Threat::ConfusedDeputy => (
            json!({"AWS": "arn:aws:iam::444455556666:role/vendor"}),
            "sts:AssumeRole",
            key.to_owned(),
        ),
        Threat::AccountWide => (
            json!({"AWS": "111122223333"}),
            "sts:AssumeRole",
            key.to_owned(),
        ),
        Threat::Federated => {
            if key.starts_with("saml:") {
                (
                    json!({"Federated": "arn:aws:iam::111122223333:saml-provider/idp"}),
                    "sts:AssumeRoleWithSAML",
                    key.to_owned(),
                )
            } else if let Some(claim) = key.strip_prefix(':') {
                (
                    json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/idp.example.com"}),
                    "sts:AssumeRoleWithWebIdentity",
                    format!("idp.example.com:{claim}"),
                )
            } else if let Some((host, _)) = key.split_once(':').filter(|(h, _)| h.contains('.')) {
                let provider = if matches!(
                    host,
                    "cognito-identity.amazonaws.com"
                        | "accounts.google.com"
                        | "graph.facebook.com"
                        | "www.amazon.com"
                ) {
                    host.to_owned()
                } else {
                    format!("arn:aws:iam::111122223333:oidc-provider/{host}")
                };
                (
                    json!({"Federated": provider}),
                    "sts:AssumeRoleWithWebIdentity",
                    key.to_owned(),
                )
            } else {
                (
                    json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}),
                    "sts:AssumeRoleWithWebIdentity",
                    key.to_owned(),
                )
            }
        }
    }
}

#[test]
fn every_row_decides_a_literal_condition_as_its_kind_says() {
    let mut failures = Vec::new();
    let mut tested = 0;
    for row in TABLE {
        if row.template.contains("{ip}") {
            continue; // addresses are compared with IpAddress, tested in tests/analysis.rs
        }
        let key = if row.key.ends_with('/') || row.key.ends_with(':') {
            format!("{}team", row.key)
        } else {
            row.key.to_owned()
        };
        let (principal, action, key) = principal_and_action(row.threat, &key);
        let set = matches!(row.kind, Kind::Set | Kind::OptionalSet);
        let operator = if set {
            "ForAnyValue:StringEquals"
        } else {
            "StringEquals"
        };
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": [action, "sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": {operator: {key.clone(): "literal-value-x"}}}]});
        let policy = match TrustPolicy::from_value(&doc) {
            Ok(p) => p,
            Err(e) => panic!("{}: {e}", row.key),
        };
        let spellable = row.template == "{chosen}" && row.kind != Kind::Absent;
        let want = if spellable {
            Verdict::Exposed
        } else {
            Verdict::Restricted
        };
        let got = analyze_threat(
            &policy,
            row.threat,
            &AnalysisOptions {
                account: Some("111122223333".to_owned()),
                ..Default::default()
            },
        )
        .verdict;
        tested += 1;
        if got != want {
            failures.push(format!(
                "{:?} {} ({:?} {}): expected {want:?}, got {got:?}",
                row.threat, key, row.kind, row.template
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(tested > 100, "only {tested} rows tested");
}

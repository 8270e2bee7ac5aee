//! Every row of the AWS knowledge tables (`evaluator/data/*.tsv`), as a policy and its
//! expected verdict: a service that needs `iam:PassRole` cannot be forged from another account,
//! a service that acts for any account that configures it can; a public issuer lets anyone in,
//! a tenant's issuer only that tenant's identities, the owner's SAML provider is informational.

use serde_json::json;
use trustsim_evaluator::knowledge::{providers, services};
use trustsim_evaluator::{
    analyze, evaluate, AnalysisOptions, Decision, Threat, TrustPolicy, Verdict,
};

const OWNER: &str = "111122223333";

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..Default::default()
    }
}

#[test]
fn every_service_row_gives_its_verdict() {
    assert!(services::table().len() >= 20, "the table was read");
    for s in services::table() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": s.principal}, "Action": "sts:AssumeRole"}]});
        let p = TrustPolicy::from_value(&doc).unwrap();
        let a = analyze(&p, &options());
        let r = a.result(Threat::ForgedService);
        match s.class {
            services::Class::PassRole => {
                assert_eq!(
                    r.verdict,
                    Verdict::Restricted,
                    "{}: {}",
                    s.principal,
                    r.explanation
                );
                assert!(r.explanation.contains("iam:PassRole"), "{}", r.explanation);
                assert_eq!(
                    r.explanation.contains("hardening"),
                    s.hardening,
                    "{}: {}",
                    s.principal,
                    r.explanation
                );
                assert_eq!(r.informational.is_some(), s.hardening, "{}", s.principal);
            }
            services::Class::Configured => {
                assert_eq!(
                    r.verdict,
                    Verdict::Exposed,
                    "{}: {}",
                    s.principal,
                    r.explanation
                );
                let w = r.witness.as_ref().unwrap();
                assert_eq!(evaluate(&p, w).decision, Decision::Allow);
                assert!(!r.explanation.contains("not in trustsim's service table"));
            }
        }
    }
    // A service the table does not know is analysed as configurable, and said so.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "made-up.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let a = analyze(&TrustPolicy::from_value(&doc).unwrap(), &options());
    let r = a.result(Threat::ForgedService);
    assert_eq!(r.verdict, Verdict::Exposed);
    assert!(
        r.explanation.contains("not in trustsim's service table"),
        "{}",
        r.explanation
    );
}

#[test]
fn every_provider_row_gives_its_verdict() {
    assert!(providers::table().len() >= 10, "the table was read");
    for row in providers::table() {
        let issuer = row.issuer.replace('*', "tenant1");
        let (principal, action) = match row.class {
            providers::Class::OwnerRun => (
                format!("arn:aws:iam::{OWNER}:saml-provider/corp-idp"),
                "sts:AssumeRoleWithSAML",
            ),
            // The built-in web identity providers are named without an ARN.
            _ if trustsim_evaluator::principal::WEB_IDENTITY_PROVIDERS
                .contains(&issuer.as_str()) =>
            {
                (issuer.clone(), "sts:AssumeRoleWithWebIdentity")
            }
            _ => (
                format!("arn:aws:iam::{OWNER}:oidc-provider/{issuer}"),
                "sts:AssumeRoleWithWebIdentity",
            ),
        };
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": principal}, "Action": action}]});
        let Ok(p) = TrustPolicy::from_value(&doc) else {
            panic!("{issuer}: the policy does not parse");
        };
        let a = analyze(&p, &options());
        let r = a.result(Threat::Federated);
        match row.class {
            providers::Class::Public => {
                assert_eq!(r.verdict, Verdict::Exposed, "{issuer}: {}", r.explanation);
                assert!(r.informational.is_none());
            }
            providers::Class::Tenant => {
                assert_eq!(r.verdict, Verdict::Partial, "{issuer}: {}", r.explanation);
                assert!(
                    r.residual.as_deref().unwrap_or("").contains(row.inside),
                    "{issuer}"
                );
            }
            providers::Class::OwnerRun => {
                assert!(
                    r.informational
                        .as_deref()
                        .unwrap_or("")
                        .starts_with("provider-wide"),
                    "{issuer}"
                );
                assert!(r.fix.is_none());
                assert_ne!(a.worst(), Verdict::Exposed);
            }
        }
    }
}

#[test]
fn placeholders_of_unresolved_principals_are_said_in_words() {
    use trustsim_evaluator::sources::in_words;
    let t = in_words(
        "statement 0 lets in unresolved-service.amazonaws.com; any identity of arn:aws:iam::111122223333:oidc-provider/unresolved.example.com gets in",
    );
    assert_eq!(
        t,
        "statement 0 lets in a service whose name the template leaves unresolved; any identity of an identity provider the template leaves unresolved gets in"
    );
    assert!(!t.contains("unresolved-service") && !t.contains("example.com"));
}

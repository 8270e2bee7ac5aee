//! `federated`: any identity of an OIDC or SAML provider the policy trusts, with the claims it
//! can mint for itself (IAM User Guide, "Available keys for AWS OIDC federation" and "Available
//! keys for SAML-based AWS STS federation"; the provider rows of `provenance.rs`). AWS may not
//! pass every claim a provider's token carries (docs/threats.md 2.4).

use serde_json::Value;

use super::{Patch, RuleText, ScenarioContext, Scenarios, ThreatModel};
use crate::analysis::fix;
use crate::analysis::search::{Caller, KeysMode, Scenario};
use crate::analysis::{AnalysisOptions, Threat};
use crate::policy::{PolicyPrincipal, Statement};
use crate::request::Principal;

pub(crate) struct Federated;

/// A scenario for the provider `name` (an ARN or a web identity host) whose claims are read
/// under `provider`.
fn provider_scenario(
    cx: &ScenarioContext<'_>,
    label: String,
    name: String,
    provider: String,
) -> Scenario {
    let saml = name.contains(":saml-provider/");
    Scenario {
        threat: Threat::Federated,
        label,
        caller: Caller::Fixed(Principal::Federated(name)),
        action: if saml {
            "sts:AssumeRoleWithSAML"
        } else {
            "sts:AssumeRoleWithWebIdentity"
        },
        provider: Some(provider),
        service_names: Vec::new(),
        service_sends_source_keys: true,
        partition: cx.partition.to_owned(),
        keys: KeysMode::Attacker,
    }
}

impl ThreatModel for Federated {
    fn name(&self) -> &'static str {
        "federated"
    }

    fn informational(&self) -> bool {
        false
    }

    fn rule(&self) -> RuleText {
        RuleText {
            name: "WeakFederation",
            short: "Identities the owner does not control can assume the role through a trusted identity provider",
            full: "The trust policy trusts an identity provider without conditions (such as sub and aud) that keep out the provider's other users.",
        }
    }

    fn none_trusted(&self) -> &'static str {
        "no statement allows an identity provider"
    }

    fn protective_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    fn fresh_words(&self) -> &'static str {
        "own organization or identity at the provider"
    }

    fn omitted_residual(&self, _scenario: &Scenario, keys: &str) -> String {
        format!(
            "only if AWS does not pass {keys} from the provider's token (AWS's documentation and the provider's disagree on whether it does); the conditions on it fail for the attacker's own values"
        )
    }

    fn party_may_omit_keys(&self) -> Option<bool> {
        Some(true)
    }

    fn scenarios(
        &self,
        cx: &ScenarioContext<'_>,
        principal: &PolicyPrincipal,
        index: usize,
        out: &mut Scenarios,
    ) {
        match principal {
            // Any web identity: a Google account (no registration needed), and every provider
            // whose claims the policy reads.
            PolicyPrincipal::Everyone => {
                let owner_id = cx.owner.unwrap_or("111122223333");
                let partition = cx.partition;
                let mut providers: Vec<(String, String)> = vec![(
                    "accounts.google.com".to_owned(),
                    "accounts.google.com".to_owned(),
                )];
                for c in cx
                    .policy
                    .statements
                    .iter()
                    .flat_map(|s| s.conditions.iter())
                {
                    // Condition key names are case-insensitive ("IAM JSON policy elements:
                    // Condition", "condition key names are not case-sensitive"), so the
                    // provider is read from the folded key.
                    let folded = c.condition.key().folded();
                    let entry = if folded.starts_with("saml:") {
                        let arn = format!("arn:{partition}:iam::{owner_id}:saml-provider/idp");
                        Some((arn.clone(), arn))
                    } else if let Some((host, _)) = folded.rsplit_once(':').filter(|(h, _)| {
                        h.contains('.')
                            && !folded.starts_with("aws:")
                            && !folded.starts_with("sts:")
                    }) {
                        if crate::principal::WEB_IDENTITY_PROVIDERS.contains(&host) {
                            Some((host.to_owned(), host.to_owned()))
                        } else {
                            Some((
                                format!("arn:{partition}:iam::{owner_id}:oidc-provider/{host}"),
                                host.to_owned(),
                            ))
                        }
                    } else {
                        None
                    };
                    if let Some(e) = entry {
                        if !providers.iter().any(|p| p.0 == e.0) {
                            providers.push(e);
                        }
                    }
                }
                for (name, provider) in providers {
                    let label = format!("any web identity through \"*\", e.g. one of {provider}");
                    out.add(provider_scenario(cx, label, name, provider), index);
                }
            }
            PolicyPrincipal::Federated(name) => {
                let provider = match name.split_once(":oidc-provider/") {
                    Some((_, host)) => host.to_owned(),
                    None => name.clone(),
                };
                let label = format!("any identity of {name}");
                out.add(provider_scenario(cx, label, name.clone(), provider), index);
            }
            PolicyPrincipal::Iam(_)
            | PolicyPrincipal::UniqueId(_)
            | PolicyPrincipal::Service(_)
            | PolicyPrincipal::CanonicalUser(_) => {}
        }
    }

    /// A GitHub or EKS subject and audience of the attacker's own.
    fn uncovered(
        &self,
        _policy: &crate::policy::TrustPolicy,
        _scenarios: &[Scenario],
    ) -> Vec<&'static str> {
        Vec::new()
    }

    fn decorations(&self, scenario: &Scenario, _account: &str) -> Vec<(String, String)> {
        let mut add = Vec::new();
        if let Some(p) = scenario.provider.as_deref() {
            if p.starts_with("token.actions.githubusercontent.com") {
                add.push((
                    format!("{p}:sub"),
                    "repo:attacker-org/attacker-repo:ref:refs/heads/main".to_owned(),
                ));
                add.push((format!("{p}:aud"), "sts.amazonaws.com".to_owned()));
            } else if p.starts_with("oidc.eks.") {
                add.push((
                    format!("{p}:sub"),
                    "system:serviceaccount:attacker-namespace:attacker".to_owned(),
                ));
                add.push((format!("{p}:aud"), "sts.amazonaws.com".to_owned()));
            }
        }
        add
    }

    /// `aud` and `sub` conditions for each trusted provider (`fix::federated_conditions`).
    fn patch(&self, raw: &Value, _parsed: &Statement, _options: &AnalysisOptions) -> Patch {
        let (target, rest) = fix::split(raw, |kind, _| kind == "Federated");
        match target {
            Some(mut t) => {
                for p in &fix::principal_values(&t, "Federated") {
                    fix::federated_conditions(&mut t, p);
                }
                let mut out = rest;
                out.push(t);
                Patch::Into(out)
            }
            None => Patch::Keep,
        }
    }
}

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
        zone: Vec::new(),
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
            fix: "Require the provider's audience (`aud`) and subject (`sub`) claims to name the owner's own application and identities: for GitHub Actions `token.actions.githubusercontent.com:sub` with `repo:ORG/REPO:...`, for EKS the service account, for Cognito the identity pool and `amr`.",
            reference: ("IAM User Guide, \"Create a role for OpenID Connect federation\"", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"),
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
            // Any web identity: every public web identity provider (anyone can get a token of
            // each, and each is told apart from the others by its own claims, by an `IfExists`
            // on another's, or by a statement naming it), and every provider whose claims the
            // policy reads. (An OIDC or SAML provider of another account cannot be used: a
            // provider must be registered in the role's account; IAM User Guide, "Create an
            // OpenID Connect (OIDC) identity provider in IAM".)
            PolicyPrincipal::Everyone => {
                let owner_id = cx.owner.unwrap_or("111122223333");
                let partition = cx.partition;
                // Google first: its witness is the one shown when any provider gets in.
                let mut public: Vec<&str> = crate::principal::WEB_IDENTITY_PROVIDERS.to_vec();
                public.sort_by_key(|p| *p != "accounts.google.com");
                let mut providers: Vec<(String, String)> = public
                    .iter()
                    .map(|p| ((*p).to_owned(), (*p).to_owned()))
                    .collect();
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
                    let label = format!("an identity of {provider} through \"*\"");
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

    /// The provider table (`knowledge::providers`): the owner's own SAML provider makes the
    /// finding informational (`provider-wide`); an issuer scoped to one tenant lets in only
    /// the identities that tenant admits (`partial`, with who in the residual); an issuer the
    /// table does not know is analysed as public, and the explanation says so.
    fn qualify(
        &self,
        policy: &crate::policy::TrustPolicy,
        options: &AnalysisOptions,
        result: &mut crate::analysis::ThreatResult,
    ) {
        use crate::analysis::Verdict;
        use crate::knowledge::providers::{classify, Class};
        if !matches!(result.verdict, Verdict::Exposed | Verdict::Partial) {
            return;
        }
        // The search reports the statement its witness came through; another statement may
        // let in identities of another provider. Each is searched alone (with the policy's
        // denials), so that the verdict does not depend on the statements' order.
        let others: Vec<usize> = policy
            .statements
            .iter()
            .filter(|s| {
                s.effect == crate::policy::Effect::Allow
                    && !result.statements.contains(&s.index)
                    && s.principals
                        .iter()
                        .any(|p| matches!(p.principal, PolicyPrincipal::Federated(_)))
            })
            .map(|s| s.index)
            .collect();
        for i in others {
            let mut alone = policy.clone();
            alone
                .statements
                .retain(|s| s.index == i || s.effect == crate::policy::Effect::Deny);
            let r = crate::analysis::search_threat(&alone, super::Threat::Federated, options);
            if matches!(r.verdict, Verdict::Exposed | Verdict::Partial) {
                result.statements.push(i);
            }
        }
        result.statements.sort_unstable();
        let mut named: Vec<&str> = Vec::new();
        let mut everyone = false;
        for s in policy
            .statements
            .iter()
            .filter(|s| result.statements.contains(&s.index))
        {
            for p in &s.principals {
                match &p.principal {
                    PolicyPrincipal::Federated(n) => named.push(n),
                    PolicyPrincipal::Everyone => everyone = true,
                    _ => {}
                }
            }
        }
        if everyone || named.is_empty() {
            return;
        }
        let rows: Vec<_> = named.iter().map(|n| (*n, classify(n))).collect();
        let own_saml = |n: &str| n.split(':').nth(4).is_some_and(|a| options.in_zone(a));
        if rows
            .iter()
            .all(|(n, r)| r.is_some_and(|r| r.class == Class::OwnerRun) && own_saml(n))
        {
            let cite = rows
                .first()
                .and_then(|(_, r)| *r)
                .map_or("", |r| r.citation);
            result.informational = Some(format!(
                "provider-wide: any user that your own SAML identity provider assigns to this role; who that is is decided in the identity provider ({cite})"
            ));
            result.fix = None;
            return;
        }
        let unknown: Vec<&str> = rows
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !unknown.is_empty() {
            result.explanation.push_str(&format!(
                "; the issuer of {} is not in trustsim's provider table, so anyone is assumed able to get a token from it",
                unknown.join(", ")
            ));
            return;
        }
        if rows
            .iter()
            .all(|(_, r)| r.is_some_and(|r| r.class == Class::Tenant))
        {
            let who: Vec<String> = rows
                .iter()
                .filter_map(|(n, r)| r.map(|r| format!("{}: {}", n, r.inside)))
                .collect();
            let scope = format!(
                "only identities that the issuer's own tenant gives tokens to ({})",
                who.join("; ")
            );
            result.verdict = Verdict::Partial;
            result.residual = Some(match result.residual.take() {
                Some(r) => format!("{scope}; and {r}"),
                None => scope,
            });
            result
                .explanation
                .push_str("; the issuer is scoped to one tenant, not the open internet");
        }
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

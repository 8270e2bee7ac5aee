//! `forged-service`: a trusted AWS service working for the attacker's own account or resource
//! (the first seed article; IAM User Guide, "The confused deputy problem", cross-service
//! confused deputy prevention). The service reports the attacker's account in
//! `aws:SourceAccount` / `aws:SourceArn`, or omits them (docs/threats.md 2.4). Services that
//! assume a role only after `iam:PassRole` in the role's own account cannot be directed at it
//! from outside.

use serde_json::{json, Value};

use super::{Patch, RuleText, ScenarioContext, Scenarios, ThreatModel};
use crate::analysis::fix;
use crate::analysis::scenario::{literal_values, service_names, star_services};
use crate::analysis::search::{Caller, KeysMode, Scenario};
use crate::analysis::{provenance, AnalysisOptions, Threat};
use crate::policy::{PolicyPrincipal, Statement, TrustPolicy};
use crate::request::Principal;

pub(crate) struct ForgedService;

fn service_scenario(
    cx: &ScenarioContext<'_>,
    label: String,
    name: &str,
    sends_keys: bool,
) -> Scenario {
    Scenario {
        threat: Threat::ForgedService,
        label,
        caller: Caller::Fixed(Principal::Service(name.to_owned())),
        action: "sts:AssumeRole",
        provider: None,
        service_names: service_names(cx.policy, name),
        service_sends_source_keys: sends_keys,
        partition: cx.partition.to_owned(),
        keys: KeysMode::Attacker,
        zone: Vec::new(),
    }
}

impl ThreatModel for ForgedService {
    fn name(&self) -> &'static str {
        "forged-service"
    }

    fn informational(&self) -> bool {
        false
    }

    fn rule(&self) -> RuleText {
        RuleText {
            name: "ForgedServiceRequest",
            short: "A trusted AWS service working for another account can assume the role",
            full: "The trust policy trusts a service principal without a condition on aws:SourceAccount, aws:SourceArn or aws:SourceOrgID that another account's resources cannot meet.",
            fix: "Add a condition that only the owner's own resources meet: StringEquals aws:SourceAccount with the owner's account, or ArnLike aws:SourceArn with the resources that use the role. trustsim's fix adds aws:SourceAccount.",
            reference: ("IAM User Guide, \"The confused deputy problem\" (cross-service confused deputy prevention)", "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"),
        }
    }

    fn none_trusted(&self) -> &'static str {
        "no statement allows a service principal"
    }

    fn protective_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("aws:sourceaccount", "aws:SourceAccount"),
            ("aws:sourcearn", "aws:SourceArn"),
            ("aws:sourceorgid", "aws:SourceOrgID"),
            ("aws:sourceorgpaths", "aws:SourceOrgPaths"),
        ]
    }

    fn fresh_words(&self) -> &'static str {
        "account ID or organization"
    }

    fn omitted_residual(&self, scenario: &Scenario, keys: &str) -> String {
        let service = match &scenario.caller {
            Caller::Fixed(Principal::Service(name)) => name.as_str(),
            _ => "the service",
        };
        format!(
            "only if {service} omits {keys} when it assumes the role (its documentation does not say that it always sends them); the conditions on them fail for another account's values"
        )
    }

    fn party_may_omit_keys(&self) -> Option<bool> {
        // Decided per service (`SERVICES_SENDING_SOURCE_KEYS`) when the scenario is built.
        None
    }

    fn scenarios(
        &self,
        cx: &ScenarioContext<'_>,
        principal: &PolicyPrincipal,
        index: usize,
        out: &mut Scenarios,
    ) {
        match principal {
            // "*" trusts every service: each service the policy names or tells apart.
            PolicyPrincipal::Everyone => {
                let mut names: Vec<String> = literal_values(cx.policy, "aws:principalservicename")
                    .into_iter()
                    .filter(|n| n.contains('.'))
                    .collect();
                for n in star_services(cx.policy) {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
                names.retain(|n| crate::knowledge::services::requires_pass_role(n).is_none());
                for name in names {
                    let label = format!(
                        "any AWS service through \"*\", e.g. {name} working for another account"
                    );
                    out.add(service_scenario(cx, label, &name, false), index);
                }
            }
            PolicyPrincipal::Service(name)
                if crate::knowledge::services::requires_pass_role(name).is_some() =>
            {
                out.passed_roles.push((name.clone(), index));
            }
            PolicyPrincipal::Service(name) => {
                let label = format!("{name} working for another account");
                let sends = provenance::SERVICES_SENDING_SOURCE_KEYS.contains(&name.as_str());
                out.add(service_scenario(cx, label, name, sends), index);
            }
            PolicyPrincipal::Iam(_)
            | PolicyPrincipal::UniqueId(_)
            | PolicyPrincipal::Federated(_)
            | PolicyPrincipal::CanonicalUser(_) => {}
        }
    }

    /// Through `"*"`, a pattern on `aws:PrincipalServiceName` may match a service that none of
    /// the services tried stands for (docs/threats.md 4.5).
    fn uncovered(&self, policy: &TrustPolicy, scenarios: &[Scenario]) -> Vec<&'static str> {
        let through_star = scenarios
            .iter()
            .any(|s| s.label.starts_with("any AWS service"));
        let pattern = policy
            .statements
            .iter()
            .flat_map(|s| s.conditions.iter())
            .filter(|c| c.condition.key().folded() == "aws:principalservicename")
            .flat_map(|c| c.condition.raw_values())
            .any(|v| v.contains(['*', '?', '$']));
        if through_star && pattern {
            vec!["a pattern on aws:PrincipalServiceName may match a service the analysis does not try through \"*\" (4.5)"]
        } else {
            Vec::new()
        }
    }

    fn decorations(&self, scenario: &Scenario, account: &str) -> Vec<(String, String)> {
        let svc = scenario
            .service_names
            .first()
            .cloned()
            .unwrap_or_else(|| "service".to_owned());
        vec![
            ("aws:SourceAccount".to_owned(), account.to_owned()),
            (
                "aws:SourceArn".to_owned(),
                format!(
                    "arn:{}:{svc}:us-east-1:{account}:attacker-resource",
                    scenario.partition
                ),
            ),
        ]
    }

    /// `StringEquals aws:SourceAccount <owner>` on the statements that trust a service.
    /// A trusted service that the service table does not list is analysed as one any account
    /// can configure; the explanation says so.
    fn qualify(
        &self,
        policy: &crate::policy::TrustPolicy,
        _options: &AnalysisOptions,
        result: &mut crate::analysis::ThreatResult,
    ) {
        if !matches!(
            result.verdict,
            crate::analysis::Verdict::Exposed | crate::analysis::Verdict::Partial
        ) {
            return;
        }
        let mut unknown: Vec<&str> = Vec::new();
        for s in policy
            .statements
            .iter()
            .filter(|s| result.statements.contains(&s.index))
        {
            for p in &s.principals {
                if let PolicyPrincipal::Service(n) = &p.principal {
                    if crate::knowledge::services::service(n).is_none()
                        && !unknown.contains(&n.as_str())
                    {
                        unknown.push(n);
                    }
                }
            }
        }
        if !unknown.is_empty() {
            result.explanation.push_str(&format!(
                "; {} is not in trustsim's service table, so it is taken to act for any account that configures it",
                unknown.join(", ")
            ));
        }
    }

    fn patch(&self, raw: &Value, _parsed: &Statement, options: &AnalysisOptions) -> Patch {
        let (target, rest) = fix::split(raw, |kind, _| kind == "Service");
        match target {
            Some(mut t) => {
                fix::set_condition(
                    &mut t,
                    "StringEquals",
                    "aws:SourceAccount",
                    json!(options
                        .account
                        .clone()
                        .unwrap_or_else(|| fix::OWNER_ACCOUNT.to_owned())),
                );
                let mut out = rest;
                out.push(t);
                Patch::Into(out)
            }
            None => Patch::Keep,
        }
    }
}

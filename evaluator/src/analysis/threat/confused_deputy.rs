//! `confused-deputy`: a third party the policy trusts (an account other than the owner's,
//! named as a principal or pinned by a condition through `"*"`), acting for another of its
//! customers. It sends the ExternalId it assigned that customer, or none when it does not
//! implement ExternalId (IAM User Guide, "Access to AWS accounts owned by third parties";
//! the second seed article).

use serde_json::{json, Value};

use super::{Patch, RuleText, ScenarioContext, Scenarios, ThreatModel};
use crate::analysis::fix;
use crate::analysis::scenario::{iam_callers, pinned_accounts};
use crate::analysis::search::{Caller, Scenario};
use crate::analysis::{AnalysisOptions, Threat};
use crate::policy::{PolicyPrincipal, Statement};
use crate::principal::IamKind;
use crate::request::Principal;

pub(crate) struct ConfusedDeputy;

impl ThreatModel for ConfusedDeputy {
    fn name(&self) -> &'static str {
        "confused-deputy"
    }

    fn informational(&self) -> bool {
        false
    }

    fn rule(&self) -> RuleText {
        RuleText {
            name: "ConfusedDeputy",
            short: "A trusted third party acting for another customer can assume the role",
            full: "The trust policy trusts another account without an sts:ExternalId condition that the third party's other customers cannot meet.",
            fix: "Require StringEquals sts:ExternalId with the external ID the third party assigned to the owner (the third party gives it; never reuse one of your own).",
            reference: ("IAM User Guide, \"Access to AWS accounts owned by third parties\"", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"),
        }
    }

    fn none_trusted(&self) -> &'static str {
        "no statement allows a principal of another account"
    }

    fn protective_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[("sts:externalid", "sts:ExternalId")]
    }

    fn fresh_words(&self) -> &'static str {
        "ExternalId (the one the third party assigns them)"
    }

    fn omitted_residual(&self, _scenario: &Scenario, keys: &str) -> String {
        format!(
            "only if the third party sends no ExternalId (a third party that does not implement ExternalId sends none, for every customer); the conditions on {keys} fail for the ExternalId it assigns another customer"
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
            PolicyPrincipal::Everyone => {
                for account in pinned_accounts(cx.policy, cx.owner) {
                    // An account of the zone of trust is no third party (its trust is
                    // reported under `account-wide`).
                    if cx.options.in_zone(&account) {
                        continue;
                    }
                    let label = format!(
                        "a principal of account {account} (through \"*\") acting for another customer"
                    );
                    let caller = Caller::FromPrincipalArn(iam_callers(
                        cx.partition,
                        &account,
                        &["role", "user"],
                        "{leaf}",
                    ));
                    out.add(Scenario::new(Threat::ConfusedDeputy, label, caller), index);
                }
            }
            PolicyPrincipal::Iam(id) if !cx.options.in_zone(&id.account) => {
                let label = format!("the third party {id} acting for another customer");
                let partition = id.partition.as_deref().unwrap_or(cx.partition);
                let caller = match &id.kind {
                    IamKind::Account => Caller::FromPrincipalArn(iam_callers(
                        partition,
                        &id.account,
                        &["role", "user"],
                        "{leaf}",
                    )),
                    IamKind::Role { name, .. } => match Principal::infer(&format!(
                        "arn:{partition}:sts::{}:assumed-role/{name}/deputy-session",
                        id.account
                    )) {
                        Ok(p) => Caller::Fixed(p),
                        Err(_) => return,
                    },
                    _ => Caller::Fixed(Principal::Aws(id.clone())),
                };
                out.add(Scenario::new(Threat::ConfusedDeputy, label, caller), index);
            }
            PolicyPrincipal::Iam(_)
            | PolicyPrincipal::UniqueId(_)
            | PolicyPrincipal::Service(_)
            | PolicyPrincipal::Federated(_)
            | PolicyPrincipal::CanonicalUser(_) => {}
        }
    }

    fn uncovered(
        &self,
        _policy: &crate::policy::TrustPolicy,
        _scenarios: &[Scenario],
    ) -> Vec<&'static str> {
        Vec::new()
    }

    fn decorations(&self, _scenario: &Scenario, _account: &str) -> Vec<(String, String)> {
        vec![(
            "sts:ExternalId".to_owned(),
            "id-the-deputy-assigned-to-the-attacker".to_owned(),
        )]
    }

    /// `StringEquals sts:ExternalId <placeholder>` on the statements that trust a third party.
    fn qualify(
        &self,
        _policy: &crate::policy::TrustPolicy,
        _options: &AnalysisOptions,
        _result: &mut crate::analysis::ThreatResult,
    ) {
    }

    fn patch(&self, raw: &Value, parsed: &Statement, options: &AnalysisOptions) -> Patch {
        let owner = options.account.as_ref();
        let third_party = |kind: &str, value: &str| {
            kind == "AWS"
                && value != "*"
                && parsed.principals.iter().any(|e| match &e.principal {
                    PolicyPrincipal::Iam(id) => {
                        id.to_string() == value && Some(&id.account) != owner
                    }
                    _ => false,
                })
        };
        let (target, rest) = fix::split(raw, third_party);
        match target {
            Some(mut t) => {
                fix::set_condition(
                    &mut t,
                    "StringEquals",
                    "sts:ExternalId",
                    json!("EXTERNAL_ID_FROM_THIRD_PARTY"),
                );
                let mut out = rest;
                out.push(t);
                Patch::Into(out)
            }
            None => Patch::Keep,
        }
    }
}

//! `account-wide` (informational): any principal of a trusted account, subject to its own
//! identity policies (IAM User Guide, "AWS JSON policy elements: Principal", account
//! principals). Reported, never failing a run; no fix is offered, since trusting one's own or
//! a partner's account on purpose is common.

use serde_json::Value;

use super::{Patch, RuleText, ScenarioContext, Scenarios, ThreatModel};
use crate::analysis::scenario::iam_callers;
use crate::analysis::search::{Caller, Scenario};
use crate::analysis::{AnalysisOptions, Threat};
use crate::policy::{PolicyPrincipal, Statement};
use crate::principal::IamKind;
use crate::request::Principal;

pub(crate) struct AccountWide;

impl ThreatModel for AccountWide {
    fn name(&self) -> &'static str {
        "account-wide"
    }

    fn informational(&self) -> bool {
        true
    }

    fn rule(&self) -> RuleText {
        RuleText {
            name: "AccountWideTrust",
            short: "Any principal of a trusted account whose identity policy allows it can assume the role",
            full: "The trust policy trusts a whole account; which of its principals may assume the role then depends on their identity policies.",
            fix: "Name the roles of the trusted account that may assume the role (in `Principal`, or with ArnLike aws:PrincipalArn), so that the account's identity policies alone do not decide.",
            reference: ("IAM User Guide, \"AWS JSON policy elements: Principal\" (AWS account principals)", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts"),
        }
    }

    fn none_trusted(&self) -> &'static str {
        "no statement allows a whole account"
    }

    fn protective_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    fn fresh_words(&self) -> &'static str {
        "principal name"
    }

    fn omitted_residual(&self, _scenario: &Scenario, keys: &str) -> String {
        format!("only if {keys} is absent from the request")
    }

    fn party_may_omit_keys(&self) -> Option<bool> {
        None
    }

    fn scenarios(
        &self,
        cx: &ScenarioContext<'_>,
        principal: &PolicyPrincipal,
        index: usize,
        out: &mut Scenarios,
    ) {
        let PolicyPrincipal::Iam(id) = principal else {
            return;
        };
        let partition = id.partition.as_deref().unwrap_or(cx.partition);
        let zone = if cx.owner != Some(id.account.as_str()) && cx.options.in_zone(&id.account) {
            " (in your zone of trust)"
        } else {
            ""
        };
        match &id.kind {
            IamKind::Account => {
                let label = format!("any principal of account {}{zone}", id.account);
                let caller = Caller::FromPrincipalArn(iam_callers(
                    partition,
                    &id.account,
                    &["role", "user"],
                    "{id}",
                ));
                out.add(Scenario::new(Threat::AccountWide, label, caller), index);
            }
            // A principal of a trusted account of the zone is no third party: its trust is
            // reported here instead of under `confused-deputy`.
            _ if !zone.is_empty() => {
                let label = format!("{id}{zone}");
                let caller = match &id.kind {
                    IamKind::Role { name, .. } => match Principal::infer(&format!(
                        "arn:{partition}:sts::{}:assumed-role/{name}/session",
                        id.account
                    )) {
                        Ok(p) => Caller::Fixed(p),
                        Err(_) => return,
                    },
                    _ => Caller::Fixed(Principal::Aws(id.clone())),
                };
                out.add(Scenario::new(Threat::AccountWide, label, caller), index);
            }
            _ => {}
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
        Vec::new()
    }

    fn qualify(
        &self,
        _policy: &crate::policy::TrustPolicy,
        _options: &AnalysisOptions,
        _result: &mut crate::analysis::ThreatResult,
    ) {
    }

    fn patch(&self, _raw: &Value, _parsed: &Statement, _options: &AnalysisOptions) -> Patch {
        Patch::Refuse
    }
}

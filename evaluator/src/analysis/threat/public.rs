//! `public`: any AWS principal in an account of its own, through `"Principal": "*"` (or
//! `{"AWS": "*"}`). The attacker picks its principal's name, path and tags and every request
//! parameter, but not its account (shared/design/threat-model.md).

use serde_json::Value;

use super::{Patch, RuleText, ScenarioContext, Scenarios, ThreatModel};
use crate::analysis::fix;
use crate::analysis::scenario::iam_callers;
use crate::analysis::search::{Caller, Scenario};
use crate::analysis::{AnalysisOptions, Threat};
use crate::policy::{PolicyPrincipal, Statement};

pub(crate) struct Public;

impl ThreatModel for Public {
    fn name(&self) -> &'static str {
        "public"
    }

    fn informational(&self) -> bool {
        false
    }

    fn rule(&self) -> RuleText {
        RuleText {
            name: "PublicTrust",
            short: "Any AWS principal of another account can assume the role",
            full: "The trust policy allows \"*\" (or AWS \"*\") and no condition keeps out principals of accounts the owner does not name.",
            fix: "Name the accounts or roles that may assume the role in `Principal`, or keep `\"*\"` only with a condition on aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn that names them. trustsim's fix puts the owner's account in place of `\"*\"`.",
            reference: ("IAM User Guide, \"AWS JSON policy elements: Principal\"", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"),
        }
    }

    fn none_trusted(&self) -> &'static str {
        "no statement allows \"*\""
    }

    fn protective_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("aws:principalaccount", "aws:PrincipalAccount"),
            ("aws:principalorgid", "aws:PrincipalOrgID"),
            ("aws:principalorgpaths", "aws:PrincipalOrgPaths"),
            ("aws:principalarn", "aws:PrincipalArn"),
        ]
    }

    fn fresh_words(&self) -> &'static str {
        "account ID or organization"
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
        if *principal == PolicyPrincipal::Everyone {
            out.add(
                Scenario::new(
                    Threat::Public,
                    "any AWS principal of another account".to_owned(),
                    Caller::FromPrincipalArn(iam_callers(
                        cx.partition,
                        "{account}",
                        &["role", "user", "root"],
                        "{leaf}",
                    )),
                ),
                index,
            );
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

    /// `"*"` replaced by the owner's account root, only when the owner is known.
    fn qualify(
        &self,
        _policy: &crate::policy::TrustPolicy,
        _options: &AnalysisOptions,
        _result: &mut crate::analysis::ThreatResult,
    ) {
    }

    fn patch(&self, raw: &Value, parsed: &Statement, options: &AnalysisOptions) -> Patch {
        let everyone = parsed
            .principals
            .iter()
            .any(|e| e.principal == PolicyPrincipal::Everyone);
        let Some(owner) = options.account.as_ref() else {
            return Patch::Refuse;
        };
        if !everyone {
            return Patch::Keep;
        }
        let partition = options.partition.as_deref().unwrap_or("aws");
        let mut t = raw.clone();
        fix::replace_everyone(&mut t, &format!("arn:{partition}:iam::{owner}:root"));
        Patch::Into(vec![t])
    }
}

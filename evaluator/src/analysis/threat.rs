//! The threat classes, one module each (`threat/<name>.rs`), behind one trait.
//!
//! A threat says who its attackers are (the scenarios it opens for each trusted principal),
//! which condition keys protect against it, how its findings are worded (explanations,
//! residuals, the SARIF rule), which keys make a witness's story plain, and how to patch a
//! policy against it. Adding a threat is adding a variant to [`Threat`], a module here, and one
//! arm in [`Threat::model`]: the compiler then asks for every method.

mod account_wide;
mod confused_deputy;
mod federated;
mod forged_service;
mod public;

use serde_json::Value;

use super::search::Scenario;
use super::AnalysisOptions;
use crate::policy::{PolicyPrincipal, Statement, TrustPolicy};

/// The threat classes (stable names: see [`Threat::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Threat {
    /// Any AWS principal in an account the policy does not name.
    Public,
    /// A trusted AWS service working for the attacker's own account.
    ForgedService,
    /// A trusted third party acting for another of its customers.
    ConfusedDeputy,
    /// Any identity of a trusted identity provider.
    Federated,
    /// Any principal of a trusted account (informational).
    AccountWide,
}

/// Serialized by its stable name (`forged-service`).
impl serde::Serialize for Threat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The stable name of [`Threat::name`] (`forged-service`), as the command line writes it.
impl std::fmt::Display for Threat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The words of a threat's SARIF rule.
#[derive(Clone, Copy, Debug)]
pub struct RuleText {
    /// The rule's name (`PublicTrust`).
    pub name: &'static str,
    /// One line.
    pub short: &'static str,
    /// A paragraph.
    pub full: &'static str,
    /// How to fix it, in a sentence or two.
    pub fix: &'static str,
    /// The AWS page that documents the rule: its title and address.
    pub reference: (&'static str, &'static str),
}

impl Threat {
    /// Every threat, in report order.
    pub const ALL: [Threat; 5] = [
        Threat::Public,
        Threat::ForgedService,
        Threat::ConfusedDeputy,
        Threat::Federated,
        Threat::AccountWide,
    ];

    /// The module that models the threat.
    pub(crate) fn model(self) -> &'static dyn ThreatModel {
        match self {
            Threat::Public => &public::Public,
            Threat::ForgedService => &forged_service::ForgedService,
            Threat::ConfusedDeputy => &confused_deputy::ConfusedDeputy,
            Threat::Federated => &federated::Federated,
            Threat::AccountWide => &account_wide::AccountWide,
        }
    }

    /// The stable name used in output and tests.
    pub fn name(self) -> &'static str {
        self.model().name()
    }

    /// Parses a stable name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Informational threats are reported but never fail a run (`account-wide`).
    pub fn is_informational(self) -> bool {
        self.model().informational()
    }

    /// The SARIF rule's words.
    pub fn rule(self) -> RuleText {
        self.model().rule()
    }
}

/// What the scenarios of one threat are built from.
pub(crate) struct ScenarioContext<'a> {
    pub(crate) policy: &'a TrustPolicy,
    pub(crate) owner: Option<&'a str>,
    pub(crate) partition: &'a str,
    /// The options, for the zone of trust.
    pub(crate) options: &'a AnalysisOptions,
}

/// The scenarios found so far, each with the statements that trust its caller, and the trusted
/// services that only assume roles passed to them.
#[derive(Default)]
pub(crate) struct Scenarios {
    pub(crate) list: Vec<(Scenario, Vec<usize>)>,
    pub(crate) passed_roles: Vec<(String, usize)>,
}

impl Scenarios {
    /// Adds statement `index` to the scenario of the same label, or the scenario itself.
    pub(crate) fn add(&mut self, scenario: Scenario, index: usize) {
        match self
            .list
            .iter_mut()
            .find(|(s, _)| s.label == scenario.label)
        {
            Some((_, list)) => list.push(index),
            None => self.list.push((scenario, vec![index])),
        }
    }
}

/// A patch of one Allow statement against a threat.
pub(crate) enum Patch {
    /// The statement does not trust the threat's principals: it stays.
    Keep,
    /// The statement becomes these.
    Into(Vec<Value>),
    /// No sound fix can be offered for this policy.
    Refuse,
}

/// One threat's model. Every method is required, so a new threat handles every question.
pub(crate) trait ThreatModel: Sync {
    /// The stable name (`public`, `forged-service`, ...).
    fn name(&self) -> &'static str;
    /// Reported but never failing a run.
    fn informational(&self) -> bool;
    /// The SARIF rule.
    fn rule(&self) -> RuleText;
    /// The explanation when no statement trusts the class.
    fn none_trusted(&self) -> &'static str;
    /// The condition keys that protect against the threat, folded, with their spelling.
    fn protective_keys(&self) -> &'static [(&'static str, &'static str)];
    /// What tells the attackers of a `partial` verdict apart, in words.
    fn fresh_words(&self) -> &'static str;
    /// The residual of a request allowed only when the party omits `keys`.
    fn omitted_residual(&self, scenario: &Scenario, keys: &str) -> String;
    /// Whether the party the attacker goes through may omit its `service`-kind keys (two
    /// worlds, docs/threats.md 2.4), for scenarios that do not decide it themselves.
    fn party_may_omit_keys(&self) -> Option<bool>;
    /// The scenarios that `principal`, trusted by Allow statement `index`, opens.
    fn scenarios(
        &self,
        cx: &ScenarioContext<'_>,
        principal: &PolicyPrincipal,
        index: usize,
        out: &mut Scenarios,
    );
    /// Keys that make a witness's story plain (added only where the policy does not read them).
    fn decorations(&self, scenario: &Scenario, account: &str) -> Vec<(String, String)>;
    /// Cases of this policy the threat's model does not cover: reasons that a search which finds
    /// nothing is no proof (the verdict is then `inconclusive`).
    fn uncovered(&self, policy: &TrustPolicy, scenarios: &[Scenario]) -> Vec<&'static str>;
    /// Qualifies the search's result with what the threat knows of the trusted parties (for
    /// `federated`, the provider table: a tenant's issuer, the owner's SAML provider).
    fn qualify(
        &self,
        policy: &TrustPolicy,
        options: &AnalysisOptions,
        result: &mut super::ThreatResult,
    );
    /// The patch of one Allow statement (`raw` as written, `parsed` as read).
    fn patch(&self, raw: &Value, parsed: &Statement, options: &AnalysisOptions) -> Patch;
}

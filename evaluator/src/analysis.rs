//! Adversarial analysis: could any caller the owner did not mean to trust assume the role?
//!
//! For each threat of the threat model (public, forged-service, confused-deputy, federated,
//! account-wide) the analysis builds the attacker's request space from the provenance table
//! ([`provenance`]) and decides, exactly for what it models, whether some request of that space
//! is allowed (`search`, over the string solver `solver`). `exposed` and `partial` come with
//! a witness request that the concrete evaluator allows (checked before it is reported);
//! `restricted` is a claim that no request of the class is allowed. The procedure and its limits
//! are in `docs/threats.md`.

pub mod branches;
pub mod diff;
pub(crate) mod fix;
pub mod partition;
pub mod provenance;
pub(crate) mod scenario;
pub(crate) mod search;
pub(crate) mod solver;
mod threat;

pub use threat::{RuleText, Threat};

use serde_json::Value;

use crate::eval::{decide, evaluate, Decision};
use crate::policy::TrustPolicy;
use crate::principal::is_account_id;
use crate::request::Request;
use search::Scenario;

/// A threat's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// No principal of this class is trusted.
    NotApplicable,
    /// No attacker of the class gets in: a proof, given only when the search was complete.
    Restricted,
    /// The analysis could not decide: no attacker request was found, but the search was not
    /// complete (a bound was reached, or a case the model does not cover); the explanation
    /// says why.
    Inconclusive,
    /// Only some attackers get in (see the residual).
    Partial,
    /// Every attacker of the class gets in.
    Exposed,
}

impl Verdict {
    /// As written in output.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Exposed => "exposed",
            Verdict::Partial => "partial",
            Verdict::Restricted => "restricted",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotApplicable => "not-applicable",
        }
    }
}

/// Serialized by its name (`not-applicable`).
impl serde::Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The name of [`Verdict::name`] (`not-applicable`), as the command line writes it.
impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of a threat an `Analysis` has none for: inconclusive, not analysed.
fn not_analysed(threat: Threat) -> &'static ThreatResult {
    /// One result per threat, by name, so that the lookup needs no index.
    struct NotAnalysed {
        public: ThreatResult,
        forged_service: ThreatResult,
        confused_deputy: ThreatResult,
        federated: ThreatResult,
        account_wide: ThreatResult,
    }
    fn result(threat: Threat) -> ThreatResult {
        ThreatResult {
            threat,
            verdict: Verdict::Inconclusive,
            statements: Vec::new(),
            explanation: format!("{} was not analysed", threat.name()),
            witness: None,
            residual: None,
            fix: None,
            exact: false,
            informational: None,
        }
    }
    static RESULTS: std::sync::LazyLock<NotAnalysed> = std::sync::LazyLock::new(|| NotAnalysed {
        public: result(Threat::Public),
        forged_service: result(Threat::ForgedService),
        confused_deputy: result(Threat::ConfusedDeputy),
        federated: result(Threat::Federated),
        account_wide: result(Threat::AccountWide),
    });
    match threat {
        Threat::Public => &RESULTS.public,
        Threat::ForgedService => &RESULTS.forged_service,
        Threat::ConfusedDeputy => &RESULTS.confused_deputy,
        Threat::Federated => &RESULTS.federated,
        Threat::AccountWide => &RESULTS.account_wide,
    }
}

/// Options for [`analyze`].
#[derive(Clone, Debug, Default)]
pub struct AnalysisOptions {
    /// The role owner's account, when known (from `--account`, the role ARN or the input).
    pub account: Option<String>,
    /// The role's partition (`aws`, `aws-cn`, `aws-us-gov`, ...), when known (from
    /// `--partition` or the role ARN). Attackers live in the role's partition. When it is
    /// unknown, the analysis tries `aws` and every partition the policy names, and reports the
    /// worst ([`partition::candidates`]).
    pub partition: Option<String>,
    /// Accounts besides the owner's in the owner's zone of trust (`--trusted-account`, as in
    /// IAM Access Analyzer): a principal of one is not a third party, so `confused-deputy` does
    /// not apply to it; it is reported under `account-wide` (informational).
    pub trusted_accounts: Vec<String>,
    /// The owner's organization (`--trusted-org`), in the zone of trust. A condition pinning
    /// `aws:PrincipalOrgID` or `aws:SourceOrgID` to it restricts a statement to insiders (an
    /// outsider's organization is a fresh value, never this literal).
    pub trusted_org: Option<String>,
}

impl AnalysisOptions {
    /// Is the account in the owner's zone of trust (the owner's own, or a trusted one)?
    pub fn in_zone(&self, account: &str) -> bool {
        self.account.as_deref() == Some(account)
            || self.trusted_accounts.iter().any(|a| a == account)
    }
}

/// The answer for one threat. Serialized as an entry of the `threats` of `trustsim analyze
/// --format json` (docs/cli.md): the threat and verdict by name, the witness as a request in the
/// contract's format.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ThreatResult {
    /// The threat.
    pub threat: Threat,
    /// Its verdict.
    pub verdict: Verdict,
    /// Statements that let the attacker in (or, when restricted, that trust the class).
    pub statements: Vec<usize>,
    /// Why.
    pub explanation: String,
    /// An allowed request, for `exposed` and `partial`.
    pub witness: Option<Request>,
    /// Which attackers get in, for `partial`.
    pub residual: Option<String>,
    /// A patched policy that the analysis proves closes this threat (`restricted`, or
    /// `not-applicable` when the fix removes the trust itself, as for `"*"`).
    pub fix: Option<Value>,
    /// False when a search bound was reached or a policy variable made candidates approximate.
    pub exact: bool,
    /// Set when the finding is informational although its threat is not (`provider-wide`:
    /// the owner's own SAML identity provider): reported, never failing a run, no fix. On a
    /// `restricted` result: a hardening note (a PassRole service for which AWS still
    /// recommends source conditions).
    pub informational: Option<String>,
}

/// The analysis of one trust policy.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Analysis {
    /// The owner account used.
    pub account: Option<String>,
    /// One result per threat, in [`Threat::ALL`] order.
    pub threats: Vec<ThreatResult>,
    /// Remarks on the analysis (unknown owner, approximations).
    pub notes: Vec<String>,
}

impl Analysis {
    /// The result for a threat. [`analyze`] gives one for every threat; an `Analysis` put
    /// together by hand that lacks one answers `inconclusive` ("not analysed"), never a proof.
    ///
    /// ```
    /// use trustsim_evaluator::{analyze, AnalysisOptions, Threat, TrustPolicy, Verdict};
    /// let policy = TrustPolicy::from_json(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#).unwrap();
    /// let analysis = analyze(&policy, &AnalysisOptions::default());
    /// assert_eq!(analysis.result(Threat::ForgedService).verdict, Verdict::Exposed);
    /// assert_eq!(analysis.result(Threat::Public).verdict.to_string(), "not-applicable");
    /// ```
    pub fn result(&self, threat: Threat) -> &ThreatResult {
        self.threats
            .iter()
            .find(|t| t.threat == threat)
            .unwrap_or_else(|| not_analysed(threat))
    }

    /// Whether the analysis has a result of its own for every threat (an [`analyze`] result
    /// always has).
    pub fn is_complete(&self) -> bool {
        Threat::ALL
            .iter()
            .all(|t| self.threats.iter().any(|r| r.threat == *t))
    }

    /// Is the role exposed (or partly exposed) to this threat?
    pub fn is_exposed_to(&self, threat: Threat) -> bool {
        matches!(
            self.result(threat).verdict,
            Verdict::Exposed | Verdict::Partial
        )
    }

    /// The witnesses of every threat that is not restricted: who can assume the role, as
    /// requests the evaluator allows.
    pub fn who_can_assume(&self) -> Vec<(Threat, &Request)> {
        self.threats
            .iter()
            .filter_map(|t| t.witness.as_ref().map(|w| (t.threat, w)))
            .collect()
    }

    /// The worst verdict.
    pub fn worst(&self) -> Verdict {
        self.threats
            .iter()
            .filter(|t| !t.threat.is_informational() && t.informational.is_none())
            .map(|t| t.verdict)
            .max()
            .unwrap_or(Verdict::NotApplicable)
    }

    /// The contract's JSON for the `threats` of one role.
    pub fn threats_json(&self) -> Value {
        serde_json::to_value(&self.threats).unwrap_or(Value::Null)
    }
}

/// Analyses a trust policy against every threat.
pub fn analyze(policy: &TrustPolicy, options: &AnalysisOptions) -> Analysis {
    let mut threats: Vec<ThreatResult> = Threat::ALL
        .iter()
        .map(|t| analyze_threat(policy, *t, options))
        .collect();
    for t in &mut threats {
        if matches!(t.verdict, Verdict::Exposed | Verdict::Partial) && t.informational.is_none() {
            t.fix = fix::propose(policy, t.threat, options)
                .filter(|candidate| fix_is_proven(candidate, t.threat, options));
        }
    }
    let mut notes = Vec::new();
    if options.account.is_none() {
        notes.push("the owner account is unknown: every account the policy names is treated as a third party; give --account or the role ARN".to_owned());
    }
    if threats.iter().any(|t| !t.exact) {
        notes.push("some results are not exact: a search bound was reached, a policy variable reads a key the attacker chooses, or one key has both string and non-string conditions (see `exact`)".to_owned());
    }
    Analysis {
        account: options.account.clone(),
        threats,
        notes,
    }
}

/// The patched policy the analysis proposes against `threat` (the seed articles' advice, in
/// the statements that trust the threat's principals), before it is re-analysed: [`analyze`]
/// reports it as `fix` only when the threat then comes out `restricted` or `not-applicable`.
pub fn propose_fix(
    policy: &TrustPolicy,
    threat: Threat,
    options: &AnalysisOptions,
) -> Option<Value> {
    fix::propose(policy, threat, options)
}

fn fix_is_proven(candidate: &Value, threat: Threat, options: &AnalysisOptions) -> bool {
    TrustPolicy::from_value(candidate)
        .map(|p| {
            matches!(
                analyze_threat(&p, threat, options).verdict,
                Verdict::Restricted | Verdict::NotApplicable
            )
        })
        .unwrap_or(false)
}

/// Analyses one threat (no fix).
pub fn analyze_threat(
    policy: &TrustPolicy,
    threat: Threat,
    options: &AnalysisOptions,
) -> ThreatResult {
    let mut result = search_threat(policy, threat, options);
    threat.model().qualify(policy, options, &mut result);
    // An ARN condition value with fewer than six components matches no ARN in trustsim's
    // reading, which AWS does not document: a verdict that no attacker gets in is then no
    // proof (docs/operators.md, "ARN values with fewer than six components").
    if result.verdict == Verdict::Restricted {
        if let Some(v) = policy.statements.iter().find_map(|s| {
            s.conditions
                .iter()
                .find(|c| c.condition.has_undocumented_values())
                .map(|c| c.pointer.clone())
        }) {
            result.verdict = Verdict::Inconclusive;
            result.exact = false;
            result.explanation = format!(
                "{}; but the ARN condition at {v} has a value of fewer than six components, whose matching AWS does not document (trustsim reads it as matching no ARN), so this is no proof",
                result.explanation
            );
        }
    }
    result
}

/// The search's answer for one threat, before the threat qualifies it with what it knows of
/// the trusted parties.
fn search_threat(policy: &TrustPolicy, threat: Threat, options: &AnalysisOptions) -> ThreatResult {
    let (scenarios, passed_roles) = scenario::scenarios(policy, threat, options);
    let mut result = ThreatResult {
        threat,
        verdict: Verdict::NotApplicable,
        statements: Vec::new(),
        explanation: threat.model().none_trusted().to_owned(),
        witness: None,
        residual: None,
        fix: None,
        exact: true,
        informational: None,
    };
    if scenarios.is_empty() && !passed_roles.is_empty() {
        let names: Vec<&str> = passed_roles.iter().map(|(n, _)| n.as_str()).collect();
        result.verdict = Verdict::Restricted;
        result.statements = passed_roles.iter().map(|(_, i)| *i).collect();
        result.explanation = format!(
            "{} assumes a role only for a principal that passed it with iam:PassRole, which must be in the role's own account, so another account cannot direct it to this role",
            names.join(", ")
        );
        let hardening: Vec<String> = names
            .iter()
            .filter_map(|n| crate::knowledge::services::requires_pass_role(n))
            .filter(|s| s.hardening)
            .map(|s| format!("{} ({})", s.principal, s.citation))
            .collect();
        if !hardening.is_empty() {
            let note = format!(
                "hardening: AWS still recommends aws:SourceAccount or aws:SourceArn in the trust policy of {}",
                hardening.join(", ")
            );
            result.explanation.push_str(&format!("; {note}"));
            // Reported for information (SARIF level `note`); the verdict stays a proof.
            result.informational = Some(note);
        }
        return result;
    }
    if scenarios.is_empty() {
        return result;
    }
    let literals = search::literals(policy);
    let mut why_inexact: Vec<&'static str> = Vec::new();
    let mut restricted_labels = Vec::new();
    let mut trusting: Vec<usize> = Vec::new();
    for (scenario, statements) in &scenarios {
        trusting.extend(statements.iter().copied());
        let scenario = &Scenario {
            zone: options
                .account
                .iter()
                .chain(&options.trusted_accounts)
                .cloned()
                .collect(),
            ..scenario.clone()
        };
        let outcome = search::run(policy, scenario, &literals);
        for reason in outcome.limits.reasons() {
            if !why_inexact.contains(&reason) {
                why_inexact.push(reason);
            }
        }
        result.exact &= outcome.limits.is_exact();
        let Some(witness) = outcome.witness.clone() else {
            restricted_labels.push(scenario.label.clone());
            continue;
        };
        // A witness that gets in only because the service omits its source keys stays as it
        // is: decorating it would add one of those keys.
        let witness = if outcome.only_if_omitted {
            witness
        } else {
            decorate(
                policy,
                scenario,
                witness,
                outcome.witness_fresh.as_deref(),
                &literals,
            )
        };
        // The evaluator must allow the witness; otherwise the analysis reports nothing. The
        // decision alone is checked first; the full trace (linear in the policy, with text for
        // every condition) only for a witness that changes the verdict, so that a policy with
        // many scenarios is not traced once per scenario.
        if decide(policy, &witness) != Decision::Allow {
            result.exact = false;
            let reason = "a candidate request the search allowed was refused when rebuilt";
            if !why_inexact.contains(&reason) {
                why_inexact.push(reason);
            }
            continue;
        }
        let unknown = unknown_claims(scenario, &witness);
        // A policy that a legitimate party sending its keys (its source keys, its ExternalId,
        // the provider's claims) cannot use at all is used only by parties that omit them, and
        // such a party omits them for every customer: every attacker of the class gets in.
        let only_omitting = outcome.only_if_omitted && exposed_by_omission(policy, scenario);
        let verdict = if (outcome.only_if_omitted && !only_omitting)
            || !outcome.all_fresh && !outcome.only_if_omitted
            || !unknown.is_empty()
        {
            Verdict::Partial
        } else {
            Verdict::Exposed
        };
        if verdict <= result.verdict
            && result.verdict != Verdict::Restricted
            && result.verdict != Verdict::NotApplicable
        {
            continue;
        }
        let evaluation = evaluate(policy, &witness);
        let allowing: Vec<usize> = evaluation
            .actions
            .first()
            .map(|a| a.statements.clone())
            .unwrap_or_default();
        result.verdict = verdict;
        result.statements = allowing.clone();
        result.explanation = explain_open(policy, threat, &scenario.label, &allowing, &evaluation);
        result.residual = (verdict == Verdict::Partial).then(|| {
            if unknown.is_empty() {
                residual(policy, threat, scenario, &outcome, &witness)
            } else {
                format!(
                    "only if AWS passes {} from the provider's token with a value the attacker picks: AWS does not document {} as a condition key for this provider",
                    unknown.join(", "),
                    if unknown.len() == 1 { "it" } else { "them" }
                )
            }
        });
        result.witness = Some(witness);
    }
    if result.verdict == Verdict::NotApplicable {
        // No request was found: cases the threat's model does not cover make that no proof.
        let found: Vec<Scenario> = scenarios.iter().map(|(s, _)| s.clone()).collect();
        for reason in threat.model().uncovered(policy, &found) {
            result.exact = false;
            if !why_inexact.contains(&reason) {
                why_inexact.push(reason);
            }
        }
        trusting.sort_unstable();
        trusting.dedup();
        result.statements = trusting.clone();
        if result.exact {
            result.verdict = Verdict::Restricted;
            result.explanation = explain_closed(policy, &restricted_labels, &trusting);
        } else {
            // No request was found, but the search was not complete: that is no proof.
            result.verdict = Verdict::Inconclusive;
            result.explanation = format!(
                "no request from {} was found, but the search was not complete ({}), so the analysis cannot prove that none is allowed",
                restricted_labels.join(", "),
                why_inexact.join("; ")
            );
        }
    }
    result
}

fn explain_open(
    policy: &TrustPolicy,
    threat: Threat,
    label: &str,
    allowing: &[usize],
    e: &crate::eval::Evaluation,
) -> String {
    let mut parts = Vec::new();
    for i in allowing {
        let Some(trace) = e.statements.iter().find(|t| t.index == *i) else {
            continue;
        };
        let protective: Vec<&crate::eval::ConditionTrace> = trace
            .conditions
            .iter()
            .filter(|c| {
                let k = c.key.to_ascii_lowercase();
                let keys = threat.model().protective_keys();
                keys.iter().any(|(f, _)| *f == k) || threat == Threat::Federated || !keys.is_empty()
            })
            .collect();
        let keys = threat.model().protective_keys();
        let guarded = policy.statements.get(*i).is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| keys.iter().any(|(f, _)| *f == c.condition.key().folded()))
        });
        let mut text = format!("statement {i} lets in {label}");
        if trace.conditions.is_empty() {
            text.push_str(" with no condition");
            if !keys.is_empty() {
                text.push_str(&format!(" on {}", pretty_keys(keys)));
            }
        } else {
            if !keys.is_empty() && !guarded {
                text.push_str(&format!(" with no condition on {}", pretty_keys(keys)));
            }
            let held: Vec<String> = protective
                .iter()
                .map(|c| format!("{} {}: {}", c.operator, c.key, c.explanation))
                .collect();
            if !held.is_empty() {
                text.push_str("; its conditions hold for the attacker: ");
                text.push_str(&held.join("; "));
            }
        }
        parts.push(text);
    }
    parts.join(". ")
}

fn pretty_keys(keys: &[(&str, &str)]) -> String {
    let names: Vec<&str> = keys.iter().map(|(_, spelled)| *spelled).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

fn explain_closed(policy: &TrustPolicy, labels: &[String], statements: &[usize]) -> String {
    let mut conds = Vec::new();
    for i in statements {
        if let Some(s) = policy.statements.get(*i) {
            let list: Vec<String> = s
                .conditions
                .iter()
                .map(|c| {
                    format!(
                        "{} {} `{}`",
                        c.condition.operator(),
                        c.condition.key(),
                        c.condition.raw_values().join("`, `")
                    )
                })
                .collect();
            if list.is_empty() {
                conds.push(format!(
                    "statement {i} does not cover the attacker's request"
                ));
            } else {
                conds.push(format!("statement {i} requires {}", list.join(" and ")));
            }
        }
    }
    let who = labels.join(", ");
    let who = if who.starts_with("any principal of account") {
        format!("{who} other than the principals the policy names")
    } else {
        who
    };
    format!("no request from {who} is allowed: {}", conds.join("; "))
}

/// The claims of the scenario's provider that the witness carries and AWS does not document.
fn unknown_claims(scenario: &Scenario, witness: &Request) -> Vec<String> {
    if scenario.threat != Threat::Federated {
        return Vec::new();
    }
    witness
        .context()
        .iter()
        .filter(|(k, _, _)| {
            provenance::lookup(
                scenario.threat,
                &trustsim_conditions::key::fold(k),
                scenario.provider.as_deref(),
            )
            .is_some_and(|r| std::ptr::eq(r, &provenance::UNKNOWN_CLAIM))
        })
        .map(|(k, _, _)| k.to_owned())
        .collect()
}

/// Is every attacker of the class let in because the party omits its `service`-kind keys?
/// True when a request with all of them absent gets in for every fresh value, and no
/// legitimate request that sends any one of them (with whatever values the owner's use needs)
/// is admitted: the policy is then used only by a party that omits them all, and such a party
/// omits them for every customer. Both searches must be exact.
fn exposed_by_omission(policy: &TrustPolicy, scenario: &Scenario) -> bool {
    let literals = search::literals(policy);
    let mut keys: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        let folded = c.condition.key().folded();
        let row = provenance::lookup(scenario.threat, folded, scenario.provider.as_deref());
        if row.is_some_and(|r| r.kind == provenance::Kind::Service)
            && !keys.iter().any(|k| k == folded)
        {
            keys.push(folded.to_owned());
        }
    }
    if keys.is_empty() {
        return false;
    }
    let with = |mode: search::KeysMode| Scenario {
        keys: mode,
        service_sends_source_keys: true,
        ..scenario.clone()
    };
    for k in keys {
        let legitimate = search::run(policy, &with(search::KeysMode::Legitimate(k)), &literals);
        if legitimate.witness.is_some() || !legitimate.limits.is_exact() {
            return false;
        }
    }
    let omitted = search::run(policy, &with(search::KeysMode::Omitted), &literals);
    omitted.witness.is_some() && omitted.all_fresh && omitted.limits.is_exact()
}

/// The `service`-kind keys (source keys, ExternalId, claims) of the scenario's policy that the
/// witness leaves out.
fn omitted_keys(policy: &TrustPolicy, scenario: &Scenario, witness: &Request) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        let key = c.condition.key();
        let row = provenance::lookup(scenario.threat, key.folded(), scenario.provider.as_deref());
        if row.is_some_and(|r| r.kind == provenance::Kind::Service)
            && trustsim_conditions::Context::get_folded(witness.context(), key.folded()).is_none()
            && !out.iter().any(|o| o.eq_ignore_ascii_case(key.as_str()))
        {
            out.push(key.as_str().to_owned());
        }
    }
    out
}

fn residual(
    policy: &TrustPolicy,
    threat: Threat,
    scenario: &Scenario,
    outcome: &search::Outcome,
    witness: &Request,
) -> String {
    if outcome.only_if_omitted {
        let keys = omitted_keys(policy, scenario, witness).join(" and ");
        return threat.model().omitted_residual(scenario, &keys);
    }
    let what = threat.model().fresh_words();
    let keys: Vec<String> = policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .map(|c| {
            format!(
                "{} {} `{}`",
                c.condition.operator(),
                c.condition.key(),
                c.condition.raw_values().join("`, `")
            )
        })
        .collect();
    match (&outcome.witness_fresh, &outcome.failing_fresh) {
        (Some(ok), Some(bad)) => format!(
            "only attackers whose {what} fits the policy's conditions ({}): e.g. `{ok}` gets in and `{bad}` does not",
            keys.join("; ")
        ),
        _ => format!("only some attackers, depending on {what}"),
    }
}

/// Adds to a witness the keys that make its story plain (the forged `aws:SourceAccount`, the
/// ExternalId the deputy assigned, the attacker's GitHub subject), for keys the policy does not
/// read, and keeps the result only if the evaluator still allows it.
pub(crate) fn decorate(
    policy: &TrustPolicy,
    scenario: &Scenario,
    witness: Request,
    fresh: Option<&str>,
    literals: &[String],
) -> Request {
    let mentioned = |k: &str| {
        let f = trustsim_conditions::key::fold(k);
        policy
            .statements
            .iter()
            .flat_map(|s| s.conditions.iter())
            .any(|c| c.condition.key().folded() == f)
    };
    // The account the witness already names (in its aws:SourceArn), so the keys agree.
    let named = witness.context().iter().find_map(|(k, v, _)| {
        (k.eq_ignore_ascii_case("aws:SourceArn") || k.eq_ignore_ascii_case("aws:SourceAccount"))
            .then(|| {
                v.first()
                    .map(|x| x.split(':').nth(4).unwrap_or(x).to_owned())
            })
            .flatten()
            .filter(|a| is_account_id(a))
    });
    let account = named
        .or_else(|| fresh.filter(|f| is_account_id(f)).map(str::to_owned))
        .or_else(|| {
            ["444455556666", "999988887777"]
                .into_iter()
                .find(|a| !literals.iter().any(|l| l == a))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let mut add = scenario.threat.model().decorations(scenario, &account);
    add.retain(|(k, _)| !mentioned(k));
    if add.is_empty() {
        return witness;
    }
    let mut json = witness.to_json();
    if let Some(ctx) = json.get_mut("context").and_then(Value::as_object_mut) {
        for (k, v) in add {
            ctx.entry(k).or_insert(Value::String(v));
        }
    }
    match Request::from_value(&json) {
        Ok(r) if crate::eval::decide(policy, &r) == Decision::Allow => r,
        _ => witness,
    }
}

/// Is this an AWS Organizations organization ID: `o-` and 10 to 32 lower-case letters or
/// digits (AWS Organizations API Reference, "Organization": the `Id` pattern
/// `^o-[a-z0-9]{10,32}$`)?
///
/// ```
/// use trustsim_evaluator::analysis::is_organization_id;
/// assert!(is_organization_id("o-a1b2c3d4e5"));
/// assert!(!is_organization_id("o-A1B2C3D4E5") && !is_organization_id("o-short") && !is_organization_id("a1b2c3d4e5"));
/// ```
pub fn is_organization_id(text: &str) -> bool {
    text.strip_prefix("o-").is_some_and(|body| {
        (10..=32).contains(&body.len())
            && body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The owner account from an explicit option or a role ARN.
pub fn owner_from(account: Option<&str>, role_arn: Option<&str>) -> Option<String> {
    if let Some(a) = account.filter(|a| is_account_id(a)) {
        return Some(a.to_owned());
    }
    role_arn
        .and_then(|r| crate::principal::IamIdentity::parse(r).ok())
        .map(|id| id.account)
}

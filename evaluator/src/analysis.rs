//! Adversarial analysis: could any caller the owner did not mean to trust assume the role?
//!
//! For each threat of the threat model (public, forged-service, confused-deputy, federated,
//! account-wide) the analysis builds the attacker's request space from the provenance table
//! ([`provenance`]) and decides, exactly for what it models, whether some request of that space
//! is allowed ([`search`], over the string solver [`solver`]). `exposed` and `partial` come with
//! a witness request that the concrete evaluator allows (checked before it is reported);
//! `restricted` is a claim that no request of the class is allowed. The procedure and its limits
//! are in `docs/threats.md`.

pub mod fix;
pub mod partition;
pub mod provenance;
pub mod search;
pub mod solver;

use serde_json::{json, Value};

use crate::eval::{decide, evaluate, Decision};
use crate::policy::{Effect, PolicyPrincipal, TrustPolicy};
use crate::principal::{is_account_id, IamKind};
use crate::request::{Principal, Request};
use search::{Caller, Scenario};

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

impl Threat {
    /// Every threat, in report order.
    pub const ALL: [Threat; 5] = [
        Threat::Public,
        Threat::ForgedService,
        Threat::ConfusedDeputy,
        Threat::Federated,
        Threat::AccountWide,
    ];

    /// The stable name used in output and tests.
    pub fn name(self) -> &'static str {
        match self {
            Threat::Public => "public",
            Threat::ForgedService => "forged-service",
            Threat::ConfusedDeputy => "confused-deputy",
            Threat::Federated => "federated",
            Threat::AccountWide => "account-wide",
        }
    }

    /// Parses a stable name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

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
}

/// The answer for one threat.
#[derive(Clone, Debug)]
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
}

/// The analysis of one trust policy.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The owner account used.
    pub account: Option<String>,
    /// One result per threat, in [`Threat::ALL`] order.
    pub threats: Vec<ThreatResult>,
    /// Remarks on the analysis (unknown owner, approximations).
    pub notes: Vec<String>,
}

impl Analysis {
    /// The result for a threat.
    pub fn result(&self, threat: Threat) -> Option<&ThreatResult> {
        self.threats.iter().find(|t| t.threat == threat)
    }

    /// Is the role exposed (or partly exposed) to this threat?
    pub fn is_exposed_to(&self, threat: Threat) -> bool {
        self.result(threat)
            .is_some_and(|r| matches!(r.verdict, Verdict::Exposed | Verdict::Partial))
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
            .filter(|t| t.threat != Threat::AccountWide)
            .map(|t| t.verdict)
            .max()
            .unwrap_or(Verdict::NotApplicable)
    }

    /// The contract's JSON for the `threats` of one role.
    pub fn threats_json(&self) -> Value {
        Value::Array(
            self.threats
                .iter()
                .map(|t| {
                    json!({
                        "threat": t.threat.name(),
                        "verdict": t.verdict.name(),
                        "statements": t.statements,
                        "explanation": t.explanation,
                        "witness": t.witness.as_ref().map(Request::to_json),
                        "residual": t.residual,
                        "fix": t.fix,
                        "exact": t.exact,
                    })
                })
                .collect(),
        )
    }
}

/// Analyses a trust policy against every threat.
pub fn analyze(policy: &TrustPolicy, options: &AnalysisOptions) -> Analysis {
    let mut threats: Vec<ThreatResult> = Threat::ALL
        .iter()
        .map(|t| analyze_threat(policy, *t, options))
        .collect();
    for t in &mut threats {
        if matches!(t.verdict, Verdict::Exposed | Verdict::Partial) {
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
    let partitions = partition::candidates(policy, options.partition.as_deref());
    let mut scenarios: Vec<Trusted> = Vec::new();
    let mut passed_roles: Vec<(String, usize)> = Vec::new();
    for p in &partitions {
        let (found, passed) = scenarios_in(policy, threat, options.account.as_deref(), p);
        for (mut sc, statements) in found {
            if partitions.len() > 1 && p != "aws" {
                sc.label = format!("{} (partition {p})", sc.label);
            }
            scenarios.push((sc, statements));
        }
        for r in passed {
            if !passed_roles.contains(&r) {
                passed_roles.push(r);
            }
        }
    }
    let mut result = ThreatResult {
        threat,
        verdict: Verdict::NotApplicable,
        statements: Vec::new(),
        explanation: match threat {
            Threat::Public => "no statement allows \"*\"".to_owned(),
            Threat::ForgedService => "no statement allows a service principal".to_owned(),
            Threat::ConfusedDeputy => {
                "no statement allows a principal of another account".to_owned()
            }
            Threat::Federated => "no statement allows an identity provider".to_owned(),
            Threat::AccountWide => "no statement allows a whole account".to_owned(),
        },
        witness: None,
        residual: None,
        fix: None,
        exact: true,
    };
    if scenarios.is_empty() && !passed_roles.is_empty() {
        let names: Vec<&str> = passed_roles.iter().map(|(n, _)| n.as_str()).collect();
        result.verdict = Verdict::Restricted;
        result.statements = passed_roles.iter().map(|(_, i)| *i).collect();
        result.explanation = format!(
            "{} assumes a role only for a principal that passed it with iam:PassRole, which must be in the role's own account, so another account cannot direct it to this role",
            names.join(", ")
        );
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
        let only_omitting = outcome.only_if_omitted && usable_only_omitting(policy, scenario);
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

fn key_names(threat: Threat) -> &'static [&'static str] {
    match threat {
        Threat::ForgedService => &[
            "aws:sourceaccount",
            "aws:sourcearn",
            "aws:sourceorgid",
            "aws:sourceorgpaths",
        ],
        Threat::ConfusedDeputy => &["sts:externalid"],
        Threat::Public => &[
            "aws:principalaccount",
            "aws:principalorgid",
            "aws:principalorgpaths",
            "aws:principalarn",
        ],
        Threat::Federated | Threat::AccountWide => &[],
    }
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
                key_names(threat).contains(&k.as_str())
                    || threat == Threat::Federated
                    || !key_names(threat).is_empty()
            })
            .collect();
        let keys = key_names(threat);
        let guarded = policy.statements.get(*i).is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| keys.contains(&c.condition.key().folded()))
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

fn pretty_keys(keys: &[&str]) -> String {
    let names: Vec<&str> = keys
        .iter()
        .map(|k| match *k {
            "aws:sourceaccount" => "aws:SourceAccount",
            "aws:sourcearn" => "aws:SourceArn",
            "aws:sourceorgid" => "aws:SourceOrgID",
            "aws:sourceorgpaths" => "aws:SourceOrgPaths",
            "sts:externalid" => "sts:ExternalId",
            "aws:principalaccount" => "aws:PrincipalAccount",
            "aws:principalorgid" => "aws:PrincipalOrgID",
            "aws:principalorgpaths" => "aws:PrincipalOrgPaths",
            "aws:principalarn" => "aws:PrincipalArn",
            other => other,
        })
        .collect();
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

/// Can the policy be used only by a party that omits its `service`-kind keys? True when the
/// legitimate party, sending them with whatever values the owner's use needs, is refused (and
/// that search was exact).
fn usable_only_omitting(policy: &TrustPolicy, scenario: &Scenario) -> bool {
    let legitimate = Scenario {
        legitimate: true,
        service_sends_source_keys: true,
        ..scenario.clone()
    };
    let outcome = search::run(policy, &legitimate, &search::literals(policy));
    outcome.witness.is_none() && outcome.limits.is_exact()
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
        return match (&scenario.caller, threat) {
            (_, Threat::ConfusedDeputy) => format!(
                "only if the third party sends no ExternalId (a third party that does not implement ExternalId sends none, for every customer); the conditions on {keys} fail for the ExternalId it assigns another customer"
            ),
            (_, Threat::Federated) => format!(
                "only if AWS does not pass {keys} from the provider's token (AWS's documentation and the provider's disagree on whether it does); the conditions on it fail for the attacker's own values"
            ),
            (Caller::Fixed(Principal::Service(name)), _) => format!(
                "only if {name} omits {keys} when it assumes the role (its documentation does not say that it always sends them); the conditions on them fail for another account's values"
            ),
            _ => format!(
                "only if the service omits {keys} when it assumes the role (its documentation does not say that it always sends them); the conditions on them fail for another account's values"
            ),
        };
    }
    let what = match threat {
        Threat::ConfusedDeputy => "ExternalId (the one the third party assigns them)",
        Threat::Federated => "own organization or identity at the provider",
        Threat::AccountWide => "principal name",
        _ => "account ID or organization",
    };
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
fn decorate(
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
    let mut add: Vec<(String, String)> = Vec::new();
    match scenario.threat {
        Threat::ForgedService => {
            let svc = scenario
                .service_names
                .first()
                .cloned()
                .unwrap_or_else(|| "service".to_owned());
            add.push(("aws:SourceAccount".to_owned(), account.clone()));
            add.push((
                "aws:SourceArn".to_owned(),
                format!(
                    "arn:{}:{svc}:us-east-1:{account}:attacker-resource",
                    scenario.partition
                ),
            ));
        }
        Threat::ConfusedDeputy => add.push((
            "sts:ExternalId".to_owned(),
            "id-the-deputy-assigned-to-the-attacker".to_owned(),
        )),
        Threat::Federated => {
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
        }
        Threat::Public | Threat::AccountWide => {}
    }
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

/// A scenario with the statements that trust its caller.
type Trusted = (Scenario, Vec<usize>);

/// The attacker scenarios of a threat, each with the statements that trust its caller, and the
/// trusted services that only assume roles passed to them (with their statements).
fn scenarios_in(
    policy: &TrustPolicy,
    threat: Threat,
    owner: Option<&str>,
    partition: &str,
) -> (Vec<Trusted>, Vec<(String, usize)>) {
    let (mut out, passed) = scenarios_of(policy, threat, owner, partition);
    for (sc, _) in &mut out {
        sc.partition = partition.to_owned();
        // A third party may not implement ExternalId, and AWS may not pass a provider claim:
        // such keys are searched in both worlds, as an undocumented service's source keys are.
        if matches!(threat, Threat::ConfusedDeputy | Threat::Federated) {
            sc.service_sends_source_keys = false;
        }
    }
    (out, passed)
}

/// The ARN templates of an IAM caller of `account` (a placeholder or an account ID) in
/// `partition`, for each form: `role` and `user` with or without an IAM path (IAM User Guide,
/// "IAM identifiers": a friendly name follows an optional path, and whoever creates a user or
/// role chooses both), and `root`. `leaf` is the placeholder of the name after the last `/`.
fn iam_callers(partition: &str, account: &str, forms: &[&str], leaf: &str) -> Vec<String> {
    let mut out = Vec::new();
    for form in forms {
        if *form == "root" {
            out.push(format!("arn:{partition}:iam::{account}:root"));
        } else {
            out.push(format!("arn:{partition}:iam::{account}:{form}/{leaf}"));
            out.push(format!(
                "arn:{partition}:iam::{account}:{form}/{{name}}/{leaf}"
            ));
        }
    }
    out
}

fn scenarios_of(
    policy: &TrustPolicy,
    threat: Threat,
    owner: Option<&str>,
    partition: &str,
) -> (Vec<Trusted>, Vec<(String, usize)>) {
    let allow = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow);
    let mut out: Vec<(Scenario, Vec<usize>)> = Vec::new();
    let mut passed_roles: Vec<(String, usize)> = Vec::new();
    let add =
        |key: String, scenario: Scenario, index: usize, out: &mut Vec<(Scenario, Vec<usize>)>| {
            match out.iter_mut().find(|(s, _)| s.label == key) {
                Some((_, list)) => list.push(index),
                None => out.push((scenario, vec![index])),
            }
        };
    for s in allow {
        for e in &s.principals {
            match (&e.principal, threat) {
                // "*" trusts every service, every web identity, and every third party too.
                (PolicyPrincipal::Everyone, Threat::ForgedService) => {
                    let mut names: Vec<String> = literal_values(policy, "aws:principalservicename")
                        .into_iter()
                        .filter(|n| n.contains('.'))
                        .collect();
                    for n in star_services(policy) {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                    names.retain(|n| {
                        !provenance::SERVICES_REQUIRING_PASS_ROLE.contains(&n.as_str())
                    });
                    for name in names {
                        let label = format!("any AWS service through \"*\", e.g. {name} working for another account");
                        let sc = Scenario {
                            threat,
                            label: label.clone(),
                            caller: Caller::Fixed(Principal::Service(name.clone())),
                            action: "sts:AssumeRole",
                            provider: None,
                            service_names: service_names(policy, &name),
                            service_sends_source_keys: false,
                            partition: String::new(),
                            legitimate: false,
                        };
                        add(label, sc, s.index, &mut out);
                    }
                }
                (PolicyPrincipal::Everyone, Threat::Federated) => {
                    // Any web identity: a Google account (no registration needed), and every
                    // provider whose claims the policy reads.
                    let owner_id = owner.unwrap_or("111122223333");
                    let mut providers: Vec<(String, String, bool)> = vec![(
                        "accounts.google.com".to_owned(),
                        "accounts.google.com".to_owned(),
                        false,
                    )];
                    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
                        // Condition key names are case-insensitive ("IAM JSON policy elements:
                        // Condition", "condition key names are not case-sensitive"), so the
                        // provider is read from the folded key: `TOKEN.actions...:aud` names the
                        // same provider as `token.actions...:aud`.
                        let folded = c.condition.key().folded();
                        let entry = if folded.starts_with("saml:") {
                            Some((
                                format!("arn:{partition}:iam::{owner_id}:saml-provider/idp"),
                                format!("arn:{partition}:iam::{owner_id}:saml-provider/idp"),
                                true,
                            ))
                        } else if let Some((host, _)) = folded.rsplit_once(':').filter(|(h, _)| {
                            h.contains('.')
                                && !folded.starts_with("aws:")
                                && !folded.starts_with("sts:")
                        }) {
                            if crate::principal::WEB_IDENTITY_PROVIDERS.contains(&host) {
                                Some((host.to_owned(), host.to_owned(), false))
                            } else {
                                Some((
                                    format!("arn:{partition}:iam::{owner_id}:oidc-provider/{host}"),
                                    host.to_owned(),
                                    false,
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
                    for (name, provider, saml) in providers {
                        let label =
                            format!("any web identity through \"*\", e.g. one of {provider}");
                        let sc = Scenario {
                            threat,
                            label: label.clone(),
                            caller: Caller::Fixed(Principal::Federated(name)),
                            action: if saml {
                                "sts:AssumeRoleWithSAML"
                            } else {
                                "sts:AssumeRoleWithWebIdentity"
                            },
                            provider: Some(provider),
                            service_names: Vec::new(),
                            service_sends_source_keys: true,
                            partition: String::new(),
                            legitimate: false,
                        };
                        add(label, sc, s.index, &mut out);
                    }
                }
                (PolicyPrincipal::Everyone, Threat::ConfusedDeputy) => {
                    for account in pinned_accounts(policy, owner) {
                        let label = format!("a principal of account {account} (through \"*\") acting for another customer");
                        let sc = Scenario::new(
                            threat,
                            label.clone(),
                            Caller::FromPrincipalArn(iam_callers(
                                partition,
                                &account,
                                &["role", "user"],
                                "{leaf}",
                            )),
                        );
                        add(label, sc, s.index, &mut out);
                    }
                }
                (PolicyPrincipal::Everyone, Threat::Public) => {
                    let label = "any AWS principal of another account".to_owned();
                    let sc = Scenario::new(
                        threat,
                        label.clone(),
                        Caller::FromPrincipalArn(iam_callers(
                            partition,
                            "{account}",
                            &["role", "user", "root"],
                            "{leaf}",
                        )),
                    );
                    add(label, sc, s.index, &mut out);
                }
                (PolicyPrincipal::Service(name), Threat::ForgedService)
                    if provenance::SERVICES_REQUIRING_PASS_ROLE.contains(&name.as_str()) =>
                {
                    passed_roles.push((name.clone(), s.index));
                }
                (PolicyPrincipal::Service(name), Threat::ForgedService) => {
                    let label = format!("{name} working for another account");
                    let sc = Scenario {
                        threat,
                        label: label.clone(),
                        caller: Caller::Fixed(Principal::Service(name.clone())),
                        action: "sts:AssumeRole",
                        provider: None,
                        service_names: service_names(policy, name),
                        service_sends_source_keys: provenance::SERVICES_SENDING_SOURCE_KEYS
                            .contains(&name.as_str()),
                        partition: String::new(),
                        legitimate: false,
                    };
                    add(label, sc, s.index, &mut out);
                }
                (PolicyPrincipal::Iam(id), Threat::ConfusedDeputy)
                    if Some(id.account.as_str()) != owner =>
                {
                    let label = format!("the third party {id} acting for another customer");
                    let caller = match &id.kind {
                        IamKind::Account => Caller::FromPrincipalArn(iam_callers(
                            id.partition.as_deref().unwrap_or(partition),
                            &id.account,
                            &["role", "user"],
                            "{leaf}",
                        )),
                        IamKind::Role { name, .. } => match Principal::infer(&format!(
                            "arn:{}:sts::{}:assumed-role/{name}/deputy-session",
                            id.partition.as_deref().unwrap_or(partition),
                            id.account
                        )) {
                            Ok(p) => Caller::Fixed(p),
                            Err(_) => continue,
                        },
                        _ => Caller::Fixed(Principal::Aws(id.clone())),
                    };
                    let sc = Scenario::new(threat, label.clone(), caller);
                    add(label, sc, s.index, &mut out);
                }
                (PolicyPrincipal::Federated(name), Threat::Federated) => {
                    let saml = name.contains(":saml-provider/");
                    let provider = match name.split_once(":oidc-provider/") {
                        Some((_, host)) => host.to_owned(),
                        None => name.clone(),
                    };
                    let label = format!("any identity of {name}");
                    let sc = Scenario {
                        threat,
                        label: label.clone(),
                        caller: Caller::Fixed(Principal::Federated(name.clone())),
                        action: if saml {
                            "sts:AssumeRoleWithSAML"
                        } else {
                            "sts:AssumeRoleWithWebIdentity"
                        },
                        provider: Some(provider),
                        service_names: Vec::new(),
                        service_sends_source_keys: true,
                        partition: String::new(),
                        legitimate: false,
                    };
                    add(label, sc, s.index, &mut out);
                }
                (PolicyPrincipal::Iam(id), Threat::AccountWide) if id.kind == IamKind::Account => {
                    let label = format!("any principal of account {}", id.account);
                    let sc = Scenario::new(
                        threat,
                        label.clone(),
                        Caller::FromPrincipalArn(iam_callers(
                            id.partition.as_deref().unwrap_or(partition),
                            &id.account,
                            &["role", "user"],
                            "{id}",
                        )),
                    );
                    add(label, sc, s.index, &mut out);
                }
                _ => {}
            }
        }
    }
    (out, passed_roles)
}

/// The service namespaces a service's `aws:SourceArn` may name: the one its principal suggests,
/// and those the policy's own `aws:SourceArn` patterns name (so the analysis never claims a
/// restriction because it guessed the namespace wrong).
pub(crate) fn service_names(policy: &TrustPolicy, principal: &str) -> Vec<String> {
    let mut names = Vec::new();
    let labels: Vec<&str> = principal
        .trim_end_matches(".amazonaws.com")
        .trim_end_matches(".amazon.com")
        .split('.')
        .collect();
    if let Some(last) = labels.last() {
        names.push((*last).to_owned());
    }
    if let Some(first) = labels.first() {
        if !names.contains(&(*first).to_owned()) {
            names.push((*first).to_owned());
        }
    }
    for s in &policy.statements {
        for c in &s.conditions {
            if c.condition.key().folded() == "aws:sourcearn" {
                for v in c.condition.raw_values() {
                    if let Some(ns) = v.split(':').nth(2) {
                        if !ns.is_empty()
                            && !ns.contains('*')
                            && !ns.contains('?')
                            && !names.contains(&ns.to_owned())
                        {
                            names.push(ns.to_owned());
                        }
                    }
                }
            }
        }
    }
    names
}

/// The literal values of every condition on `key` (folded name).
/// Service principals that stand for "any AWS service" reached through `"*"`, in the order they
/// are tried. They are principals of services that assume roles, from the service pages of the
/// IAM User Guide ("AWS services that work with IAM") and the confused-deputy pages of the
/// services that send `aws:SourceAccount`.
const STAR_SERVICES: &[&str] = &[
    "events.amazonaws.com",
    "sns.amazonaws.com",
    "s3.amazonaws.com",
    "logs.amazonaws.com",
    "firehose.amazonaws.com",
    "states.amazonaws.com",
    "scheduler.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "codepipeline.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "sagemaker.amazonaws.com",
    "glue.amazonaws.com",
    "backup.amazonaws.com",
    "config.amazonaws.com",
    "ssm.amazonaws.com",
    "apigateway.amazonaws.com",
    "batch.amazonaws.com",
    "datasync.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "eks.amazonaws.com",
    "pods.eks.amazonaws.com",
    "bedrock.amazonaws.com",
    "edgelambda.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "iot.amazonaws.com",
    "autoscaling.amazonaws.com",
];

/// The services of [`STAR_SERVICES`] that the forged-service threat tries through `"*"`: one for
/// each different way the policy tells services apart, by its `aws:PrincipalServiceName`
/// conditions and by the service principals its statements name (a policy that excludes
/// EventBridge by name, or denies it in a statement of its own, is judged by SNS too, and so
/// on). With neither, EventBridge alone stands for every service. A service outside the list
/// that the policy tells apart from every listed one is not tried (docs/threats.md, 4.5).
fn star_services(policy: &TrustPolicy) -> Vec<String> {
    let named: Vec<&str> = policy
        .statements
        .iter()
        .flat_map(|s| s.principals.iter())
        .filter_map(|e| match &e.principal {
            PolicyPrincipal::Service(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let conditions: Vec<&trustsim_conditions::Condition> = policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .map(|c| &c.condition)
        .filter(|c| c.key().folded() == "aws:principalservicename")
        .collect();
    let ctx = trustsim_conditions::ContextMap::new();
    let mut seen: Vec<Vec<bool>> = Vec::new();
    let mut out = Vec::new();
    for name in STAR_SERVICES {
        let answers: Vec<bool> = conditions
            .iter()
            .map(|c| c.evaluate_values(Some(&[*name]), &ctx).result)
            .chain(named.iter().map(|n| n.eq_ignore_ascii_case(name)))
            .collect();
        if !seen.contains(&answers) {
            seen.push(answers);
            out.push((*name).to_owned());
        }
    }
    out
}

/// The accounts other than the owner's that a condition pins the caller to: a 12-digit
/// `aws:PrincipalAccount` value, or the account field of an `aws:PrincipalArn` value when that
/// field is a literal account ID, whatever wildcards the rest of the ARN holds
/// (`arn:aws:iam::999988887777:role/vendor-*` trusts principals of 999988887777). Such an
/// account is a third party the policy trusts.
fn pinned_accounts(policy: &TrustPolicy, owner: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        let folded = c.condition.key().folded();
        for v in c.condition.raw_values() {
            let account = match folded {
                "aws:principalaccount" => Some(v.as_str()),
                "aws:principalarn" => v.split(':').nth(4),
                _ => None,
            };
            if let Some(a) = account.filter(|a| is_account_id(a) && Some(*a) != owner) {
                if !out.iter().any(|o| o == a) {
                    out.push(a.to_owned());
                }
            }
        }
    }
    out
}

fn literal_values(policy: &TrustPolicy, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        if c.condition.key().folded() == key {
            for v in c.condition.raw_values() {
                if !v.contains('*') && !v.contains('?') && !v.contains("${") && !out.contains(v) {
                    out.push(v.clone());
                }
            }
        }
    }
    out
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

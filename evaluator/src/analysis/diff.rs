//! Does a change to a trust policy let anyone new in? For each class of callers (each threat
//! class, the owner's own account, the zone of trust: [`Class`]), the analysis's own search, run
//! over both policies at once: its candidates come from every statement of the old
//! and the new policy together (so they tell apart every predicate either policy reads, the
//! product of the two), and a witness must be allowed by one policy and denied by the other
//! (`search::Target::Differs`). A class is **widened** when some request of it is allowed by the
//! new policy and denied by the old one, **narrowed** for the converse, **unchanged** when the
//! search in both directions was complete and found none (a proof, as `restricted` is), and
//! **inconclusive** when a bound was reached or the class holds a case the model does not cover.
//! Every witness is replayed by the evaluator against both policies before it is reported.
//!
//! ```
//! use trustsim_evaluator::analysis::diff::{diff, Change};
//! use trustsim_evaluator::{AnalysisOptions, Threat, TrustPolicy};
//! let old = TrustPolicy::from_json(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!   "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
//!   "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}"#).unwrap();
//! let new = TrustPolicy::from_json(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!   "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#).unwrap();
//! let options = AnalysisOptions { account: Some("111122223333".into()), ..Default::default() };
//! let d = diff(&old, &new, &options);
//! assert_eq!(d.class(Threat::ForgedService).change(), Change::Widened);
//! assert_eq!(diff(&new, &old, &options).class(Threat::ForgedService).change(), Change::Narrowed);
//! assert_eq!(diff(&old, &old, &options).class(Threat::ForgedService).change(), Change::Unchanged);
//! ```

use super::search::{self, Scenario, Target};
use super::{scenario, AnalysisOptions, Threat};
use crate::eval::{decide, Decision};
use crate::policy::TrustPolicy;
use crate::request::{Principal, Request};

/// How a class of callers fares from the old policy to the new.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// No request of the class is allowed by one policy and denied by the other: a proof.
    Unchanged,
    /// Some request of the class that the old policy allowed is denied now, and none is let in
    /// that was not before.
    Narrowed,
    /// The search could not decide (a bound was reached, or a case the model does not cover).
    Inconclusive,
    /// Some request of the class is allowed by the new policy and was denied by the old one
    /// (whatever else changed).
    Widened,
}

impl Change {
    /// As written in output: `unchanged`, `narrowed`, `inconclusive`, `widened`.
    pub fn name(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Narrowed => "narrowed",
            Change::Inconclusive => "inconclusive",
            Change::Widened => "widened",
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A class of callers: a threat class, or the owner's own account, or the accounts of the zone
/// of trust (callers the owner trusts on purpose, whose changes a reviewer still wants to see:
/// a change that lets a role of the owner's account in widens `owner-account`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// The attackers of a threat.
    Threat(Threat),
    /// Any IAM role or user of the owner's account.
    OwnerAccount,
    /// Any IAM role or user of an account of the zone of trust (`trusted_accounts`).
    ZoneOfTrust,
}

impl Class {
    /// Every class `diff` compares, in report order.
    pub const ALL: [Class; 7] = [
        Class::Threat(Threat::Public),
        Class::Threat(Threat::ForgedService),
        Class::Threat(Threat::ConfusedDeputy),
        Class::Threat(Threat::Federated),
        Class::Threat(Threat::AccountWide),
        Class::OwnerAccount,
        Class::ZoneOfTrust,
    ];

    /// As written in output: the threat's name, `owner-account` or `zone-of-trust`.
    pub fn name(self) -> &'static str {
        match self {
            Class::Threat(t) => t.name(),
            Class::OwnerAccount => "owner-account",
            Class::ZoneOfTrust => "zone-of-trust",
        }
    }
}

impl From<Threat> for Class {
    fn from(t: Threat) -> Self {
        Class::Threat(t)
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One class of callers, compared.
#[derive(Clone, Debug)]
pub struct ClassDiff {
    /// The class.
    pub class: Class,
    /// A request of the class that the new policy allows and the old one denies.
    pub widened: Option<Request>,
    /// A request of the class that the old policy allowed and the new one denies.
    pub narrowed: Option<Request>,
    /// Whether both searches were complete (no bound reached, every case modelled).
    pub exact: bool,
    /// Why they were not, in words (empty when they were).
    pub why_inexact: Vec<&'static str>,
}

impl ClassDiff {
    /// The headline: widened when anything got in that did not before, else narrowed, else
    /// unchanged when both searches were complete, else inconclusive.
    pub fn change(&self) -> Change {
        if self.widened.is_some() {
            Change::Widened
        } else if self.narrowed.is_some() && self.exact {
            Change::Narrowed
        } else if self.exact {
            Change::Unchanged
        } else {
            Change::Inconclusive
        }
    }
}

/// Serialized as a class of `trustsim diff --format json` (docs/cli.md, "trustsim diff"):
/// `threat`, `change`, the `widened` and `narrowed` witnesses (requests in the contract's
/// format, or null), `exact` and `why_inexact`.
impl serde::Serialize for ClassDiff {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ClassDiff", 6)?;
        st.serialize_field("class", self.class.name())?;
        st.serialize_field("change", self.change().name())?;
        st.serialize_field("widened", &self.widened)?;
        st.serialize_field("narrowed", &self.narrowed)?;
        st.serialize_field("exact", &self.exact)?;
        st.serialize_field("why_inexact", &self.why_inexact)?;
        st.end()
    }
}

/// Every class of callers, compared.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Diff {
    /// One per class, in [`Class::ALL`] order.
    pub classes: Vec<ClassDiff>,
}

impl Diff {
    /// The comparison of a class (a [`Threat`] or a [`Class`]).
    pub fn class(&self, class: impl Into<Class>) -> &ClassDiff {
        let class = class.into();
        // `diff` builds one entry per class; a hand-built `Diff` without one gets a class that
        // is inconclusive, never a proof.
        self.classes
            .iter()
            .find(|c| c.class == class)
            .unwrap_or_else(|| unreachable_class())
    }

    /// Whether any class got wider.
    pub fn widened(&self) -> bool {
        self.classes.iter().any(|c| c.change() == Change::Widened)
    }
}

/// A placeholder for [`Diff::class`] on a `Diff` with no classes (only a hand-built one):
/// inconclusive, never a proof.
fn unreachable_class() -> &'static ClassDiff {
    static EMPTY: std::sync::LazyLock<ClassDiff> = std::sync::LazyLock::new(|| ClassDiff {
        class: Class::Threat(Threat::Public),
        widened: None,
        narrowed: None,
        exact: false,
        why_inexact: vec!["the class was not compared"],
    });
    &EMPTY
}

/// Compares `old` and `new` for every class, with the owner and zone of trust of `options`
/// (without an owner, `owner-account` is unchanged for want of callers; likewise
/// `zone-of-trust` without trusted accounts).
pub fn diff(old: &TrustPolicy, new: &TrustPolicy, options: &AnalysisOptions) -> Diff {
    Diff {
        classes: Class::ALL
            .iter()
            .map(|c| match c {
                Class::Threat(t) => diff_threat(old, new, *t, options),
                Class::OwnerAccount => diff_accounts(
                    old,
                    new,
                    Class::OwnerAccount,
                    options.account.iter().cloned().collect(),
                    options,
                ),
                Class::ZoneOfTrust => diff_accounts(
                    old,
                    new,
                    Class::ZoneOfTrust,
                    options.trusted_accounts.clone(),
                    options,
                ),
            })
            .collect(),
    }
}

/// Compares `old` and `new` for the IAM principals of `accounts`: one scenario per account and
/// partition (those either policy names), its callers the account's root and any role or user
/// of it, by any name.
fn diff_accounts(
    old: &TrustPolicy,
    new: &TrustPolicy,
    class: Class,
    accounts: Vec<String>,
    options: &AnalysisOptions,
) -> ClassDiff {
    let both = union(old, new);
    let partitions = super::partition::candidates(&both, options.partition.as_deref());
    let mut scenarios = Vec::new();
    for account in &accounts {
        for partition in &partitions {
            // Names the owner chooses (they may be the policy's own), not fresh ones.
            let caller = search::Caller::FromPrincipalArn(scenario::iam_callers(
                partition,
                account,
                &["root", "role", "user"],
                "{leaf}",
            ));
            let mut s = Scenario::new(
                Threat::AccountWide,
                format!("any role or user of account {account}"),
                caller,
            );
            s.partition = partition.clone();
            scenarios.push(s);
        }
    }
    // The principals of these accounts that either policy names, each as itself (a role as a
    // session of it): the search's candidate names come from conditions, not from `Principal`.
    for statement in &both.statements {
        for entry in &statement.principals {
            let crate::policy::PolicyPrincipal::Iam(id) = &entry.principal else {
                continue;
            };
            if !accounts.contains(&id.account) {
                continue;
            }
            let partition = id.partition.as_deref().unwrap_or("aws");
            let caller = match &id.kind {
                crate::principal::IamKind::Role { name, .. } => {
                    match Principal::infer(&format!(
                        "arn:{partition}:sts::{}:assumed-role/{name}/attacker-session",
                        id.account
                    )) {
                        Ok(p) => search::Caller::Fixed(p),
                        Err(_) => continue,
                    }
                }
                crate::principal::IamKind::Account => continue,
                _ => search::Caller::Fixed(Principal::Aws(id.clone())),
            };
            let mut s = Scenario::new(Threat::AccountWide, id.to_string(), caller);
            s.partition = partition.to_owned();
            scenarios.push(s);
        }
    }
    compare(
        old,
        new,
        &both,
        class,
        Threat::AccountWide,
        &scenarios,
        options,
    )
}

/// Both policies' statements in one policy: what the search plans its candidates from. A
/// statement of its own adds the request parameters that imply more actions (session tags imply
/// `sts:TagSession`, a source identity `sts:SetSourceIdentity`; IAM User Guide, "Passing
/// session tags in AWS STS" and "Monitor and control actions taken with assumed roles"): one
/// policy alone is never easier to get into with them, but two policies can differ on them
/// (one allows `sts:TagSession` and the other not), so the candidates include requests with and
/// without them. The statement is only planned from: decisions are the two policies' own.
fn union(old: &TrustPolicy, new: &TrustPolicy) -> TrustPolicy {
    // Only where some Allow statement of either policy covers the implied action can the
    // parameters make a difference: without one, every request that passes them is denied by
    // both (and planning them would multiply the candidates for nothing).
    let allows = |action: &str| {
        old.statements
            .iter()
            .chain(&new.statements)
            .any(|s| s.effect == crate::policy::Effect::Allow && s.actions.covers(action).0)
    };
    let mut keys = serde_json::Map::new();
    if allows("sts:tagsession") {
        keys.insert("aws:TagKeys".to_owned(), "false".into());
        keys.insert("sts:TransitiveTagKeys".to_owned(), "false".into());
    }
    if allows("sts:setsourceidentity") {
        keys.insert("sts:SourceIdentity".to_owned(), "false".into());
    }
    let implying = if keys.is_empty() {
        Vec::new()
    } else {
        TrustPolicy::from_value(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"Null": keys},
            }],
        }))
        .map(|p| p.statements)
        .unwrap_or_default()
    };
    // A statement of the new policy written as one of the old adds no predicate: planned once
    // (a reordering or a small edit costs what one policy does, not two).
    let old_raw = raw_statements(old);
    let new_raw = raw_statements(new);
    let repeated = |i: usize| {
        new_raw
            .get(i)
            .is_some_and(|s| old_raw.iter().any(|o| o == s))
    };
    TrustPolicy {
        version: new.version.clone(),
        id: new.id.clone(),
        statements: old
            .statements
            .iter()
            .chain(
                new.statements
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !repeated(*i))
                    .map(|(_, s)| s),
            )
            .chain(&implying)
            .cloned()
            .collect(),
        warnings: Vec::new(),
        document: serde_json::Value::Null,
        length: old.length + new.length,
    }
}

/// The statements of a policy as written (one per parsed statement, in order), or none when the
/// policy carries no document.
fn raw_statements(policy: &TrustPolicy) -> Vec<serde_json::Value> {
    let raw = match policy.document.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    if raw.len() == policy.statements.len() {
        raw
    } else {
        Vec::new()
    }
}

/// Compares `old` and `new` for one threat class.
pub fn diff_threat(
    old: &TrustPolicy,
    new: &TrustPolicy,
    threat: Threat,
    options: &AnalysisOptions,
) -> ClassDiff {
    let both = union(old, new);
    let (scenarios, _) = scenario::scenarios(&both, threat, options);
    let scenarios: Vec<Scenario> = scenarios.into_iter().map(|(s, _)| s).collect();
    compare(
        old,
        new,
        &both,
        Class::Threat(threat),
        threat,
        &scenarios,
        options,
    )
}

/// The search in both directions over the scenarios of a class.
fn compare(
    old: &TrustPolicy,
    new: &TrustPolicy,
    both: &TrustPolicy,
    class: Class,
    threat: Threat,
    scenarios: &[Scenario],
    options: &AnalysisOptions,
) -> ClassDiff {
    let literals = search::literals(both);
    let mut result = ClassDiff {
        class,
        widened: None,
        narrowed: None,
        exact: true,
        why_inexact: Vec::new(),
    };
    let zone: Vec<String> = options
        .account
        .iter()
        .chain(&options.trusted_accounts)
        .cloned()
        .collect();
    let mut searched: Vec<Scenario> = Vec::new();
    for scenario in scenarios {
        // The attackers of a threat are none of the zone's accounts; the owner's and the
        // zone's own callers are.
        let scenario = Scenario {
            zone: if matches!(class, Class::Threat(_)) {
                zone.clone()
            } else {
                Vec::new()
            },
            ..scenario.clone()
        };
        for (allowed, denied, slot) in [(new, old, true), (old, new, false)] {
            let found = if slot {
                &result.widened
            } else {
                &result.narrowed
            };
            if found.is_some() {
                continue;
            }
            let outcome = search::run_for(
                both,
                &scenario,
                &literals,
                Target::Differs { allowed, denied },
            );
            for reason in outcome.limits.reasons() {
                if !result.why_inexact.contains(&reason) {
                    result.why_inexact.push(reason);
                }
            }
            result.exact &= outcome.limits.is_exact();
            // Replayed: allowed by one, denied by the other, or not reported. Decorated as the
            // analysis decorates its witnesses (a source ARN beside the source account, ...)
            // where the decorated request still differs; else as found.
            let differs = |w: &Request| {
                decide(allowed, w) == Decision::Allow && decide(denied, w) != Decision::Allow
            };
            let witness = outcome.witness.filter(|w| differs(w)).map(|w| {
                if outcome.only_if_omitted {
                    return w;
                }
                let decorated = super::decorate(
                    both,
                    &scenario,
                    w.clone(),
                    outcome.witness_fresh.as_deref(),
                    &literals,
                );
                if differs(&decorated) {
                    decorated
                } else {
                    w
                }
            });
            if slot {
                result.widened = witness;
            } else {
                result.narrowed = witness;
            }
        }
        searched.push(scenario);
    }
    // Cases the model does not cover, in either policy, make "no difference" no proof.
    if matches!(class, Class::Threat(_)) && (result.widened.is_none() || result.narrowed.is_none())
    {
        for policy in [old, new] {
            for reason in threat.model().uncovered(policy, &searched) {
                result.exact = false;
                if !result.why_inexact.contains(&reason) {
                    result.why_inexact.push(reason);
                }
            }
        }
    }
    result
}

//! The search: for one attacker scenario (a caller shape and the provenance of every key the
//! policy reads), is some request allowed, for every fresh value or only for some?
//!
//! 1. Each key the policy reads gets its provenance row (absent, fixed, fresh, chosen, ...).
//! 2. The fresh values (the attacker's account, organization, assigned IDs) are split into
//!    classes with [`solver::fresh_classes`]: values in one class leave every predicate in the
//!    same state, so they are interchangeable.
//! 3. For a representative of each class, every key's attacker-controlled text is explored with
//!    [`solver::cells`]: one witness per achievable combination of the predicates on that key.
//!    Non-string operators get one representative per interval between the policy's constants.
//! 4. The product of the candidates is evaluated with the concrete evaluator (`decide`), so the
//!    analysis cannot disagree with evaluation, and every witness is an allowed request.

use std::collections::BTreeMap;

use trustsim_conditions::family::arn::ArnValue;
use trustsim_conditions::family::string::StringValue;
use trustsim_conditions::symbolic::{self, Source};
use trustsim_conditions::{Condition, Family, Values};

use super::provenance::{self, Kind, REGIONS};
use super::solver::{self, FreshShape, Glob, Seg, Tok};
use super::Threat;
use crate::eval::{decide, Decision};
use crate::policy::TrustPolicy;
use crate::request::{Principal, Request};

mod candidates;
mod literals;
mod predicates;
mod template;
mod variables;

use self::candidates::{base_context, caller_from_arn, candidates, describe, search_combo};
pub use self::literals::literals;
use self::literals::literals_of;
use self::predicates::{caller_form_globs, globs_of, is_derived, lift};
use self::template::{expand, shape, substitute};
use self::variables::{fresh_var, resolve_variables, templates_of, whole_variable};

/// Who the attacker calls as.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A fixed principal.
    Fixed(Principal),
    /// An IAM principal built from the value chosen for `aws:PrincipalArn` (templates given).
    FromPrincipalArn(Vec<String>),
}

/// One attacker scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The threat.
    pub threat: Threat,
    /// Words for the attacker ("events.amazonaws.com working for another account").
    pub label: String,
    /// The caller.
    pub caller: Caller,
    /// The action it calls.
    pub action: &'static str,
    /// The provider host or ARN, for federated callers.
    pub provider: Option<String>,
    /// For services: the service namespaces its `aws:SourceArn` may name.
    pub service_names: Vec<String>,
    /// Whether `service`-kind keys are surely present (documented services).
    pub service_sends_source_keys: bool,
    /// The partition the attacker lives in (the role's): every ARN built for it is in it.
    pub partition: String,
    /// How the `service`-kind keys (source keys, ExternalId, claims) are set, instead of the
    /// two worlds of the attacker (docs/threats.md 2.4).
    pub keys: KeysMode,
    /// The accounts of the zone of trust (the owner's, the trusted ones): the attacker's fresh
    /// account is none of them, also where the policy names them only inside a pattern
    /// (`arn:aws:sqs:*:111122223333*:q` names the owner alone: an account ID is 12 digits, AWS
    /// Account Management Reference Guide, "View AWS account identifiers").
    pub zone: Vec<String>,
}

impl Scenario {
    /// An `sts:AssumeRole` scenario with no provider, no service namespaces, and any service
    /// source keys present.
    pub fn new(threat: Threat, label: String, caller: Caller) -> Self {
        Self {
            threat,
            label,
            caller,
            action: "sts:AssumeRole",
            provider: None,
            service_names: Vec::new(),
            service_sends_source_keys: true,
            partition: "aws".to_owned(),
            keys: KeysMode::Attacker,
            zone: Vec::new(),
        }
    }
}

/// How a scenario's `service`-kind keys are set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeysMode {
    /// The attacker's values, in the worlds of `service_sends_source_keys`.
    Attacker,
    /// The legitimate party's request: this key (folded) present with whatever non-empty value
    /// the owner's own use needs, the other such keys present or absent.
    Legitimate(String),
    /// Every such key absent.
    Omitted,
}

/// Why a search could not be exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// A search bound was reached.
    pub truncated: bool,
    /// A policy variable reads a key the attacker chooses; its candidates are approximate.
    pub variables: bool,
    /// One key has both string and non-string predicates; its candidates are approximate.
    pub mixed: bool,
}

impl Limits {
    /// No bound was reached and no approximation was made.
    pub fn is_exact(&self) -> bool {
        !self.truncated && !self.variables && !self.mixed
    }

    /// Why the search was not exact, in words (empty when it was).
    pub fn reasons(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.truncated {
            out.push("a search bound was reached (docs/threats.md 4.1)");
        }
        if self.variables {
            out.push("a policy variable could not be resolved for every attacker (4.2)");
        }
        if self.mixed {
            out.push("one key has both string and non-string conditions (4.3)");
        }
        out
    }
}

/// The outcome of a scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Some allowed request, if any.
    pub witness: Option<Request>,
    /// Whether every fresh class (in the world where service keys are present) got in.
    pub all_fresh: bool,
    /// Whether some request got in only in the world where the service omits its source keys.
    pub only_if_omitted: bool,
    /// A fresh value that does not get in, when only some do.
    pub failing_fresh: Option<String>,
    /// The fresh value of the witness.
    pub witness_fresh: Option<String>,
    /// Whether the search was exact.
    pub limits: Limits,
}

/// Bound on the candidate requests one search evaluates.
const MAX_COMBINATIONS: usize = 400_000;

/// Bound on the work of one search, in statement and condition checks: each candidate request
/// costs one per statement and one per condition of the policy, so a policy with many keys gets
/// fewer candidates and the search time stays bounded (policies of up to 10 statements and
/// conditions in all keep the full [`MAX_COMBINATIONS`]). Reaching either bound makes the result
/// inexact (`exact: false`).
const MAX_CHECKS: usize = 4_400_000;

/// A key the policy reads, with everything the search needs about it.
#[derive(Clone)]
struct KeyPlan {
    name: String,
    /// Conditions on this key (or, for the caller's ARN, on a key derived from it: the folded
    /// key to lift through) whose values hold policy variables that the scenario's fixed caller
    /// does not determine: resolved per fresh assignment and per value of the keys they read
    /// ([`resolve_variables`]).
    vars: Vec<(Option<String>, Condition)>,
    kind: Kind,
    /// Template alternatives, each a list of segments where fresh variables are named.
    templates: Vec<Vec<TSeg>>,
    globs: Vec<Glob>,
    extra: Vec<String>,
    /// Most existential constraints on this key (sizes the candidate sets).
    conditions: usize,
    /// `aws:CurrentTime` / `aws:EpochTime`: only the representatives at or after now.
    time: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TSeg {
    Lit(String),
    Chosen,
    /// A non-empty chosen name.
    Name,
    /// A non-empty chosen name without `/` (the friendly name of an IAM user or role, after
    /// its path).
    Leaf,
    Fresh(&'static str),
    Ip,
}

/// What a candidate request must do to be a witness.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// Be allowed by the policy searched.
    Allowed,
    /// Be allowed by `allowed` and denied by `denied` (`trustsim diff`: a request one policy
    /// lets in and the other does not). The policy searched must hold every statement of both,
    /// so that the candidates tell apart every predicate either reads.
    Differs {
        /// The policy that must allow it.
        allowed: &'a TrustPolicy,
        /// The policy that must deny it.
        denied: &'a TrustPolicy,
    },
}

impl Target<'_> {
    /// Does the request meet the target (`policy` is the policy searched)?
    pub(crate) fn holds(&self, policy: &TrustPolicy, request: &Request) -> bool {
        match self {
            Target::Allowed => decide(policy, request) == Decision::Allow,
            Target::Differs { allowed, denied } => {
                decide(allowed, request) == Decision::Allow
                    && decide(denied, request) != Decision::Allow
            }
        }
    }
}

/// Runs a scenario against the policy.
pub fn run(policy: &TrustPolicy, scenario: &Scenario, literals: &[String]) -> Outcome {
    run_for(policy, scenario, literals, Target::Allowed)
}

/// Runs a scenario against the policy for a target: [`run`] is [`Target::Allowed`].
pub fn run_for(
    policy: &TrustPolicy,
    scenario: &Scenario,
    literals: &[String],
    target: Target<'_>,
) -> Outcome {
    let mut limits = Limits::default();
    // Keys the policy reads, by folded name, with the conditions on each. A statement whose
    // principal names no caller of the scenario never applies, so its conditions cannot change
    // a decision and do not shape the candidates (this keeps a scenario's search independent of
    // the policy's other principals: a policy trusting many accounts is analysed in time linear
    // in each scenario's statements, not in all of them).
    let mut conds: BTreeMap<String, (String, Vec<&Condition>)> = BTreeMap::new();
    let accounts = caller_accounts(&scenario.caller);
    let relevant: Vec<&crate::policy::Statement> = policy
        .statements
        .iter()
        .filter(|s| may_apply(s, &scenario.caller, &accounts))
        .collect();
    // Keys that only statements which cannot apply read are still planned (with no predicate):
    // the attacker's request carries them as the provenance says, so witnesses stay realistic.
    for s in &policy.statements {
        for c in &s.conditions {
            let key = c.condition.key();
            conds
                .entry(key.folded().to_owned())
                .or_insert_with(|| (key.as_str().to_owned(), Vec::new()));
            // A key that a policy variable reads is part of the request too, whether or not a
            // condition tests it.
            for t in templates_of(&c.condition) {
                for k in t.variables() {
                    conds
                        .entry(k.folded().to_owned())
                        .or_insert_with(|| (k.as_str().to_owned(), Vec::new()));
                }
            }
        }
    }
    for s in &relevant {
        for c in &s.conditions {
            let key = c.condition.key();
            conds
                .entry(key.folded().to_owned())
                .or_insert_with(|| (key.as_str().to_owned(), Vec::new()))
                .1
                .push(&c.condition);
        }
    }
    // Literals of statements that cannot apply do not shape the fresh classes either.
    // The candidates are decided against the statements that may apply only: the decision is
    // the same (the others never apply), at a cost that does not grow with the rest.
    let sub = TrustPolicy {
        version: policy.version.clone(),
        id: policy.id.clone(),
        statements: relevant.iter().map(|s| (*s).clone()).collect(),
        warnings: Vec::new(),
        document: serde_json::Value::Null,
        length: policy.length,
    };
    let relevant: rustc_hash::FxHashSet<String> =
        literals_of(relevant.into_iter()).into_iter().collect();
    let mut literals: Vec<String> = literals
        .iter()
        .filter(|l| relevant.contains(*l))
        .cloned()
        .collect();
    // The attacker's own values are never the zone's accounts (the legitimate party's may be).
    if scenario.keys == KeysMode::Attacker {
        for a in &scenario.zone {
            if !literals.contains(a) {
                literals.push(a.clone());
            }
        }
    }
    let literals = literals.as_slice();
    let worlds: Vec<bool> = if scenario.service_sends_source_keys {
        vec![true]
    } else {
        vec![true, false]
    };
    let mut result = Outcome {
        witness: None,
        all_fresh: false,
        only_if_omitted: false,
        failing_fresh: None,
        witness_fresh: None,
        limits: Limits::default(),
    };
    for present in worlds {
        let (w, all, failing, wf) = run_world(
            &sub,
            scenario,
            &conds,
            literals,
            present,
            target,
            &mut limits,
        );
        if let Some(w) = w {
            if present {
                result.all_fresh = all;
                result.failing_fresh = failing;
                result.witness_fresh = wf;
                result.witness = Some(w);
                break;
            }
            result.only_if_omitted = true;
            result.witness = Some(w);
            result.witness_fresh = wf;
        }
    }
    result.limits = limits;
    result
}

type World = (Option<Request>, bool, Option<String>, Option<String>);

/// The accounts of an IAM caller built from templates (`None`: any account, a fresh value).
fn caller_accounts(caller: &Caller) -> Vec<Option<&str>> {
    match caller {
        Caller::Fixed(_) => Vec::new(),
        Caller::FromPrincipalArn(templates) => templates
            .iter()
            .map(|t| t.split(':').nth(4).filter(|a| !a.contains('{')))
            .collect(),
    }
}

/// Could the statement's `Principal` name some caller of the scenario? (Conservative: true
/// whenever it cannot tell.) `accounts` comes from [`caller_accounts`].
fn may_apply(
    statement: &crate::policy::Statement,
    caller: &Caller,
    accounts: &[Option<&str>],
) -> bool {
    use crate::policy::PolicyPrincipal;
    match caller {
        Caller::Fixed(p) => crate::eval::principal_matches(statement, p).is_some(),
        // The callers are IAM principals of the templates' accounts.
        Caller::FromPrincipalArn(_) => statement.principals.iter().any(|e| match &e.principal {
            PolicyPrincipal::Everyone => true,
            PolicyPrincipal::Iam(id) => accounts.iter().any(|a| a.is_none_or(|a| a == id.account)),
            PolicyPrincipal::UniqueId(_)
            | PolicyPrincipal::Service(_)
            | PolicyPrincipal::Federated(_)
            | PolicyPrincipal::CanonicalUser(_) => false,
        }),
    }
}

fn run_world(
    policy: &TrustPolicy,
    scenario: &Scenario,
    conds: &BTreeMap<String, (String, Vec<&Condition>)>,
    literals: &[String],
    service_keys_present: bool,
    target: Target<'_>,
    limits: &mut Limits,
) -> World {
    // The caller's own key, for IAM callers.
    let mut plans: Vec<KeyPlan> = Vec::new();
    if let Caller::FromPrincipalArn(templates) = &scenario.caller {
        plans.push(KeyPlan {
            name: "aws:PrincipalArn".to_owned(),
            kind: Kind::Value,
            templates: templates
                .iter()
                .flat_map(|t| expand(t, &[], &scenario.partition))
                .collect(),
            globs: Vec::new(),
            extra: Vec::new(),
            conditions: 1,
            time: false,
            vars: Vec::new(),
        });
    }
    let base = base_context(scenario);
    // Predicates a whole-value variable `${R}` on key K hands to R: K's value is R's, so R's
    // candidates must tell K's other predicates apart (VARS).
    let mut transfers: Vec<(String, Vec<Glob>)> = Vec::new();
    for (folded, (name, list)) in conds {
        if scenario.threat != Threat::Public
            && scenario.threat != Threat::AccountWide
            && scenario.threat != Threat::ConfusedDeputy
            && is_derived(folded)
        {
            continue;
        }
        let mut globs: Vec<Glob> = list
            .iter()
            .flat_map(|c| globs_of(c, Source::Literals, limits))
            .collect();
        // Values with policy variables: resolved now when the fixed caller determines every key
        // they read, and otherwise per fresh assignment and candidate (`resolve_variables`).
        let mut vars: Vec<(Condition, Vec<trustsim_conditions::variables::Template>)> = Vec::new();
        for c in list {
            let templates = templates_of(c);
            if templates.is_empty() {
                continue;
            }
            if templates
                .iter()
                .all(|t| t.variables().all(|k| base.contains(k.as_str())))
            {
                globs.extend(globs_of(c, Source::Templates(&base), limits));
                continue;
            }
            vars.push(((*c).clone(), templates));
        }
        let static_globs = globs.clone();
        let mut plan_vars: Vec<(Option<String>, Condition)> = Vec::new();
        for (c, templates) in vars {
            for t in &templates {
                match whole_variable(t) {
                    Some(r) => transfers.push((r, static_globs.clone())),
                    None => {
                        // Text around the variable: exact only when that text is literal,
                        // every key read is a fresh value of the caller (known before it
                        // chooses), and no other predicate on the key interacts with it.
                        let literal_text = t.pieces().iter().all(|p| match p {
                            trustsim_conditions::variables::Piece::Text(x) => {
                                !x.contains(['*', '?'])
                            }
                            _ => true,
                        });
                        let fresh_only = t.variables().all(|k| fresh_var(k.folded()).is_some());
                        if !(literal_text && fresh_only && static_globs.is_empty()) {
                            limits.variables = true;
                        }
                    }
                }
            }
            let lift_key =
                (is_derived(folded) && folded != "aws:principalarn").then(|| folded.clone());
            plan_vars.push((lift_key, c));
        }
        if is_derived(folded) {
            if let Some(p) = plans.first_mut().filter(|p| p.name == "aws:PrincipalArn") {
                p.vars.extend(plan_vars.iter().cloned());
            }
            plan_vars.clear();
        }
        if is_derived(folded) && folded != "aws:principalarn" {
            // Predicates on keys derived from an IAM caller become predicates on its ARN, so
            // that the search and the fresh-account classes see them.
            if let Some(p) = plans.first_mut().filter(|p| p.name == "aws:PrincipalArn") {
                p.globs.extend(
                    globs
                        .iter()
                        .flat_map(|g| lift(folded, g, &scenario.partition)),
                );
                // A `Null` condition has no string predicate to lift, yet it tells callers
                // apart by their form: `aws:username` is present for IAM users only ("AWS
                // global condition context keys"). Predicates on the form keep a user, a role
                // and a root caller each in a cell of its own.
                if list
                    .iter()
                    .any(|c| c.operator().base.family() == Family::Null)
                {
                    p.globs.extend(caller_form_globs(&scenario.partition));
                }
            }
            continue;
        }
        if folded == "aws:principalarn" {
            if let Some(p) = plans.first_mut().filter(|p| p.name == "aws:PrincipalArn") {
                p.globs.extend(globs);
                p.extra = symbolic::representatives(list, false);
            }
            continue;
        }
        let row = provenance::lookup(scenario.threat, folded, scenario.provider.as_deref());
        let (kind, template) = match row {
            None => (Kind::Absent, ""),
            // The second world: the party may omit the key (each such key on its own).
            Some(r) if r.kind == Kind::Service && !service_keys_present => {
                (Kind::Optional, r.template)
            }
            // The legitimate party's own request: whatever value the owner's use needs (never
            // empty: STS takes an ExternalId of 2 characters or more, and a service's source
            // keys name an account or a resource).
            Some(r) if r.kind == Kind::Service && scenario.keys != KeysMode::Attacker => {
                match &scenario.keys {
                    KeysMode::Legitimate(k) if k == folded => (Kind::Value, "{name}"),
                    KeysMode::Legitimate(_) => (Kind::Optional, "{name}"),
                    _ => (Kind::Absent, ""),
                }
            }
            Some(r) if r.kind == Kind::Service => (Kind::Value, r.template),
            Some(r) => (r.kind, r.template),
        };
        let fresh_ip = template.contains("{ip}");
        let mut extra = symbolic::representatives(list, fresh_ip);
        // Both string and non-string predicates on one key: the representatives of each kind
        // need not satisfy the other's, so the search is not exact.
        let has_string = !globs.is_empty();
        let has_other = list.iter().any(|c| {
            !matches!(
                c.operator().base.family(),
                Family::String | Family::Arn | Family::Null
            )
        });
        limits.mixed |= has_string && has_other;
        // The attacker can wait, but not go back: request times are now or later.
        let time = matches!(folded.as_str(), "aws:currenttime" | "aws:epochtime");
        if time {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i128::from(d.as_secs()));
            extra.retain(|v| {
                trustsim_conditions::family::date::Instant::parse(v)
                    .is_some_and(|i| i.epoch_seconds() >= now)
            });
            extra.push(now.to_string());
        }
        let set = matches!(kind, Kind::Set | Kind::OptionalSet);
        let mut templates = if kind == Kind::Absent {
            Vec::new()
        } else {
            expand(template, &scenario.service_names, &scenario.partition)
        };
        if set {
            // Members of a set are not empty (tag keys, claim values): an empty string alone
            // would be a null data set.
            for t in &mut templates {
                for seg in t.iter_mut() {
                    if *seg == TSeg::Chosen {
                        *seg = TSeg::Name;
                    }
                }
            }
        }
        if globs.len() > 64 {
            globs.truncate(64);
            limits.truncated = true;
        }
        plans.push(KeyPlan {
            name: name.clone(),
            kind,
            templates,
            globs,
            extra,
            conditions: list.len(),
            time,
            vars: plan_vars,
        });
    }
    // Whole-value variables: the referencing key's predicates go to the key it reads (lifted
    // onto the caller's ARN for a key derived from it).
    let transferred = !transfers.is_empty();
    for (r, globs) in transfers {
        if is_derived(&r) && r != "aws:principalarn" {
            if let Some(p) = plans.first_mut().filter(|p| p.name == "aws:PrincipalArn") {
                p.globs
                    .extend(globs.iter().flat_map(|g| lift(&r, g, &scenario.partition)));
            }
        } else if let Some(p) = plans
            .iter_mut()
            .find(|p| trustsim_conditions::key::fold(&p.name) == r)
        {
            p.globs.extend(globs);
        }
    }
    // The solver's membership vectors hold 64 predicates per key; more makes it inexact.
    for p in &mut plans {
        if p.globs.len() > 64 {
            p.globs.truncate(64);
            limits.truncated = true;
        }
    }
    // Template alternatives (Regions, service namespaces) that leave every predicate of the key
    // in the same state are interchangeable: keep one of each. Not so the caller's own ARN
    // forms: a role, a user and the root differ in the keys derived from them (`aws:username`,
    // `aws:PrincipalType`), which policy variables and `Null` conditions read.
    for p in plans.iter_mut().filter(|p| p.name != "aws:PrincipalArn") {
        let mut kept: Vec<(Vec<u128>, Vec<TSeg>)> = Vec::new();
        for t in std::mem::take(&mut p.templates) {
            let lead: String = t
                .iter()
                .take_while(|s| matches!(s, TSeg::Lit(_)))
                .map(|s| match s {
                    TSeg::Lit(l) => l.as_str(),
                    _ => "",
                })
                .collect();
            let rest: Vec<TSeg> = t
                .iter()
                .skip_while(|s| matches!(s, TSeg::Lit(_)))
                .cloned()
                .collect();
            let states: Vec<u128> = p.globs.iter().map(|g| g.state_after(&lead)).collect();
            let dup = kept.iter().any(|(st, t2)| {
                *st == states
                    && t2
                        .iter()
                        .skip_while(|s| matches!(s, TSeg::Lit(_)))
                        .eq(rest.iter())
            });
            if !dup {
                kept.push((states, t));
            }
        }
        p.templates = kept.into_iter().map(|(_, t)| t).collect();
    }
    // Fresh classes, per fresh variable, over every key whose template holds it.
    let mut vars: Vec<&'static str> = Vec::new();
    for p in &plans {
        for t in &p.templates {
            for s in t {
                if let TSeg::Fresh(v) = s {
                    if !vars.contains(v) {
                        vars.push(v);
                    }
                }
            }
        }
    }
    let vars_read = plans.iter().any(|p| !p.vars.is_empty()) || transferred;
    let mut reps_per_var: Vec<(&'static str, Vec<String>)> = Vec::new();
    for v in &vars {
        let mut pairs: Vec<solver::FreshUse> = Vec::new();
        for p in &plans {
            for t in &p.templates {
                if let Some(pos) = t.iter().position(|s| s == &TSeg::Fresh(v)) {
                    let prefix: String = t
                        .iter()
                        .take(pos)
                        .map(|s| match s {
                            TSeg::Lit(l) => l.clone(),
                            _ => String::new(),
                        })
                        .collect();
                    // The literal text after the fresh value, and whether the value ends there:
                    // values that leave each predicate in one state after that text (or, at the
                    // end, that it matches alike) are alike. Not so where a policy variable
                    // reads keys (its substituted text is compared with the fresh value's, 4.2).
                    let rest = t.get(pos + 1..).unwrap_or_default();
                    let lits = rest.iter().take_while(|s| matches!(s, TSeg::Lit(_)));
                    let (suffix, end) = if vars_read {
                        (String::new(), false)
                    } else {
                        (
                            lits.clone()
                                .map(|s| match s {
                                    TSeg::Lit(l) => l.as_str(),
                                    _ => "",
                                })
                                .collect(),
                            lits.count() == rest.len(),
                        )
                    };
                    for g in &p.globs {
                        pairs.push(solver::FreshUse {
                            glob: g,
                            prefix: prefix.clone(),
                            suffix: suffix.clone(),
                            end,
                        });
                    }
                }
            }
        }
        // A fresh value differs from every literal, also where the key's template writes text
        // before it (`vpce-{id}` against `vpce-1a2b3c4d`).
        let mut excluded: Vec<String> = literals.to_vec();
        let mut known: rustc_hash::FxHashSet<String> = literals.iter().cloned().collect();
        let prefixes: rustc_hash::FxHashSet<&str> = pairs
            .iter()
            .map(|u| u.prefix.as_str())
            .filter(|p| !p.is_empty())
            .collect();
        for prefix in prefixes {
            for l in literals {
                if let Some(rest) = l.strip_prefix(prefix).filter(|r| !r.is_empty()) {
                    if known.insert(rest.to_owned()) {
                        excluded.push(rest.to_owned());
                    }
                }
            }
        }
        let (reps, truncated) = solver::fresh_classes(shape(v), &pairs, &excluded);
        limits.truncated |= truncated;
        reps_per_var.push((v, reps));
    }
    // Every combination of class representatives.
    let mut combos: Vec<Vec<(&'static str, String)>> = vec![Vec::new()];
    for (v, reps) in &reps_per_var {
        combos = combos
            .iter()
            .flat_map(|c| {
                reps.iter().map(move |r| {
                    let mut x = c.clone();
                    x.push((*v, r.clone()));
                    x
                })
            })
            .collect();
    }
    let mut witness = None;
    let mut witness_fresh = None;
    let mut failing = None;
    let mut succeeded = 0;
    // Candidates of keys without a fresh value are the same for every class: compute them once.
    let fixed: Vec<Option<Vec<Option<Vec<String>>>>> = plans
        .iter()
        .map(|p| {
            let fresh = p
                .templates
                .iter()
                .any(|t| t.iter().any(|s| matches!(s, TSeg::Fresh(_))));
            (!fresh && p.vars.is_empty()).then(|| candidates(p, &[], limits))
        })
        .collect();
    for combo in &combos {
        match search_combo(policy, scenario, &plans, &fixed, combo, target, limits) {
            Some(r) => {
                succeeded += 1;
                if witness.is_none() {
                    witness = Some(r);
                    witness_fresh = Some(describe(combo));
                }
            }
            None => {
                if failing.is_none() {
                    failing = Some(describe(combo));
                }
            }
        }
    }
    let all = succeeded == combos.len() && !combos.is_empty();
    (
        witness,
        all,
        if all { None } else { failing },
        witness_fresh,
    )
}

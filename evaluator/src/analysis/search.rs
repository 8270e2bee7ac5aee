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

fn shape(var: &str) -> FreshShape {
    // `id2` is a second, independent identifier (a user ID beside an app ID).
    match var {
        "account" => FreshShape::Digits(12),
        "org" => FreshShape::OrgId,
        _ => FreshShape::Word,
    }
}

/// Expands a provenance template into alternatives: `|` separates forms, Regions and service
/// names are finite choices, and `{partition}` is the scenario's partition.
fn expand(template: &str, services: &[String], partition: &str) -> Vec<Vec<TSeg>> {
    template
        .split('|')
        .flat_map(|t| expand_one(t, services, partition))
        .collect()
}

fn expand_one(template: &str, services: &[String], partition: &str) -> Vec<Vec<TSeg>> {
    let mut out: Vec<Vec<TSeg>> = vec![Vec::new()];
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(start) = rest.find('{') {
            let (lit, tail) = rest.split_at(start);
            if !lit.is_empty() {
                for o in &mut out {
                    o.push(TSeg::Lit(lit.to_owned()));
                }
            }
            let end = tail.find('}').unwrap_or(tail.len().saturating_sub(1));
            let var = tail.get(1..end).unwrap_or("");
            rest = tail.get(end + 1..).unwrap_or("");
            let choices: Option<Vec<String>> = match var {
                "region" => Some(REGIONS.iter().map(|r| (*r).to_owned()).collect()),
                "service" => Some(services.to_vec()),
                "partition" => Some(vec![partition.to_owned()]),
                _ => None,
            };
            match choices {
                Some(list) => {
                    out = out
                        .iter()
                        .flat_map(|o| {
                            list.iter().map(move |c| {
                                let mut v = o.clone();
                                v.push(TSeg::Lit(c.clone()));
                                v
                            })
                        })
                        .collect();
                }
                None => {
                    let seg = match var {
                        "chosen" | "now" => TSeg::Chosen,
                        "name" => TSeg::Name,
                        "leaf" => TSeg::Leaf,
                        "ip" => TSeg::Ip,
                        "account" => TSeg::Fresh("account"),
                        "org" => TSeg::Fresh("org"),
                        "tenant" => TSeg::Fresh("tenant"),
                        "id2" => TSeg::Fresh("id2"),
                        "id3" => TSeg::Fresh("id3"),
                        "id4" => TSeg::Fresh("id4"),
                        "id5" => TSeg::Fresh("id5"),
                        _ => TSeg::Fresh("id"),
                    };
                    for o in &mut out {
                        o.push(seg.clone());
                    }
                }
            }
        } else {
            for o in &mut out {
                o.push(TSeg::Lit(rest.to_owned()));
            }
            rest = "";
        }
    }
    // Merge adjacent literals so that a fresh segment's prefix is one string.
    out.into_iter()
        .map(|segs| {
            let mut merged: Vec<TSeg> = Vec::new();
            for s in segs {
                match (merged.last_mut(), s) {
                    (Some(TSeg::Lit(a)), TSeg::Lit(b)) => a.push_str(&b),
                    (_, s) => merged.push(s),
                }
            }
            merged
        })
        .collect()
}

/// The solver predicates of a condition: its symbolic view (`trustsim_conditions::symbolic`),
/// compiled. A pattern longer than the solver takes makes the search inexact.
fn globs_of(cond: &Condition, which: Source<'_>, limits: &mut Limits) -> Vec<Glob> {
    let mut out = Vec::new();
    for (_, toks) in symbolic::patterns(cond, which) {
        match Glob::new(toks) {
            Some(g) => out.push(g),
            None => limits.truncated = true,
        }
    }
    out
}

/// A predicate on a key derived from an IAM caller, as a predicate on the caller's
/// `aws:PrincipalArn` (`arn:aws:iam::ACCOUNT:role/NAME`, `...:user/NAME`, `...:root`).
/// `arn:aws:iam::*:user/*`, `arn:aws:iam::*:role/*` and `arn:aws:iam::*:root`: predicates that
/// tell the forms of an IAM caller's ARN apart.
fn caller_form_globs(partition: &str) -> Vec<Glob> {
    let lit = |s: &str| s.chars().map(Tok::Char).collect::<Vec<_>>();
    [":user/", ":role/", ":root"]
        .iter()
        .filter_map(|form| {
            let mut t = lit(&format!("arn:{partition}:iam::"));
            t.push(Tok::Run(Some(':')));
            t.extend(lit(form));
            if form.ends_with('/') {
                t.push(Tok::Run(None));
            }
            Glob::new(t)
        })
        .collect()
}

fn lift(folded: &str, g: &Glob, partition: &str) -> Vec<Glob> {
    let lit = |s: &str| s.chars().map(Tok::Char).collect::<Vec<_>>();
    let head = lit(&format!("arn:{partition}:iam::"));
    let mut out: Vec<Vec<Tok>> = Vec::new();
    match folded {
        "aws:principalaccount" => {
            let mut t = head.clone();
            t.extend(g.tokens().iter().copied());
            t.push(Tok::Char(':'));
            t.push(Tok::Run(None));
            out.push(t);
        }
        "aws:username" => {
            // `user/NAME` or `user/PATH/NAME`: the name is the part after the last `/`.
            let name: Vec<Tok> = g
                .tokens()
                .iter()
                .map(|t| match t {
                    Tok::Run(_) => Tok::Run(Some('/')),
                    Tok::One(_) => Tok::One(Some('/')),
                    t => *t,
                })
                .collect();
            for with_path in [false, true] {
                let mut t = head.clone();
                t.push(Tok::Run(Some(':')));
                t.extend(lit(":user/"));
                if with_path {
                    t.push(Tok::Run(None));
                    t.push(Tok::Char('/'));
                }
                t.extend(name.iter().copied());
                out.push(t);
            }
        }
        "aws:principaltype" => {
            let text: Option<String> = g
                .tokens()
                .iter()
                .map(|t| match t {
                    Tok::Char(c) | Tok::Fold(c) => Some(*c),
                    _ => None,
                })
                .collect();
            let mut t = head.clone();
            t.push(Tok::Run(Some(':')));
            match text.map(|x| x.to_ascii_lowercase()).as_deref() {
                Some("assumedrole") => {
                    t.extend(lit(":role/"));
                    t.push(Tok::Run(None));
                }
                Some("user") => {
                    t.extend(lit(":user/"));
                    t.push(Tok::Run(None));
                }
                Some("account") => t.extend(lit(":root")),
                _ => return Vec::new(),
            }
            out.push(t);
        }
        _ => {}
    }
    out.into_iter().filter_map(Glob::new).collect()
}

/// Keys whose value follows from the caller (`facts::CALLER_KEYS`).
fn is_derived(folded: &str) -> bool {
    crate::facts::is_caller_key(folded)
}

/// Runs a scenario against the policy.
pub fn run(policy: &TrustPolicy, scenario: &Scenario, literals: &[String]) -> Outcome {
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
    let literals: Vec<String> = literals
        .iter()
        .filter(|l| relevant.contains(*l))
        .cloned()
        .collect();
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
        let (w, all, failing, wf) =
            run_world(&sub, scenario, &conds, literals, present, &mut limits);
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
    let mut reps_per_var: Vec<(&'static str, Vec<String>)> = Vec::new();
    for v in &vars {
        let mut pairs: Vec<(&Glob, String)> = Vec::new();
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
                    for g in &p.globs {
                        pairs.push((g, prefix.clone()));
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
            .map(|(_, p)| p.as_str())
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
        match search_combo(policy, scenario, &plans, &fixed, combo, limits) {
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

/// A request context seen through a candidate's values: keys set or made absent by the
/// candidate, and otherwise the caller's derived keys.
struct Overlay<'a> {
    base: &'a trustsim_conditions::ContextMap,
    set: Vec<(&'a str, &'a [String], bool)>,
    absent: Vec<&'a str>,
}

impl trustsim_conditions::Context for Overlay<'_> {
    fn get_folded(&self, folded: &str) -> Option<&[String]> {
        if let Some((_, v, _)) = self.set.iter().find(|(k, _, _)| *k == folded) {
            return Some(v);
        }
        if self.absent.contains(&folded) {
            return None;
        }
        self.base.get_folded(folded)
    }

    fn is_multivalued(&self, folded: &str) -> bool {
        match self.set.iter().find(|(k, _, _)| *k == folded) {
            Some((_, _, multi)) => *multi,
            None => self.base.is_multivalued(folded),
        }
    }
}

/// A fresh assignment in words: `111122223333` alone, or `org o-a, id x` for several.
fn describe(combo: &[(&'static str, String)]) -> String {
    match combo {
        [(_, one)] => one.clone(),
        _ => combo
            .iter()
            .map(|(v, f)| format!("{v} {f}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn base_context(scenario: &Scenario) -> trustsim_conditions::ContextMap {
    let mut ctx = trustsim_conditions::ContextMap::new();
    if let Caller::Fixed(p) = &scenario.caller {
        if let Ok(r) = Request::builder(p.clone()).action(scenario.action).build() {
            for (k, v, multi) in r.context().iter() {
                match (multi, v) {
                    (false, [one]) => {
                        ctx.insert(k, one.clone());
                    }
                    _ => {
                        ctx.insert_many(k, v.iter().cloned());
                    }
                }
            }
        }
    }
    ctx
}

fn substitute(t: &[TSeg], combo: &[(&'static str, String)]) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    for s in t {
        let seg = match s {
            TSeg::Lit(l) => Seg::Lit(l.clone()),
            TSeg::Chosen => Seg::Chosen,
            TSeg::Name => {
                out.push(Seg::One);
                Seg::Chosen
            }
            TSeg::Leaf => {
                out.push(Seg::OneNot('/'));
                Seg::ChosenNot('/')
            }
            TSeg::Ip => Seg::Lit(String::new()),
            TSeg::Fresh(v) => Seg::Lit(
                combo
                    .iter()
                    .find(|(n, _)| n == v)
                    .map(|(_, f)| f.clone())
                    .unwrap_or_default(),
            ),
        };
        match (out.last_mut(), seg) {
            (Some(Seg::Lit(a)), Seg::Lit(b)) => a.push_str(&b),
            (_, s) => out.push(s),
        }
    }
    out
}

/// The compiled values of a condition that hold policy variables.
fn templates_of(c: &Condition) -> Vec<trustsim_conditions::variables::Template> {
    match c.values() {
        Values::String(v) => v
            .iter()
            .filter_map(|x| match x {
                StringValue::Template(t) => Some(t.clone()),
                StringValue::Literal(_) => None,
            })
            .collect(),
        Values::Arn(v) => v
            .iter()
            .filter_map(|x| match x {
                ArnValue::Template(t) => Some(t.clone()),
                ArnValue::Literal(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The key a value reads when it is nothing but one variable (`${R}` or `${R, 'default'}`).
fn whole_variable(t: &trustsim_conditions::variables::Template) -> Option<String> {
    match t.pieces() {
        [trustsim_conditions::variables::Piece::Variable { key, .. }] => {
            Some(key.folded().to_owned())
        }
        _ => None,
    }
}

/// Keys whose value in an attacker's request is one of its fresh values, known to it before it
/// chooses the rest: its account, its organization, and a service's source account.
fn fresh_var(folded: &str) -> Option<&'static str> {
    match folded {
        "aws:principalaccount" | "aws:sourceaccount" => Some("account"),
        "aws:principalorgid" | "aws:sourceorgid" => Some("org"),
        _ => None,
    }
}

/// The context in which policy variables are resolved for one fresh assignment: the fixed
/// caller's derived keys, the caller's account (fresh or written in its ARN templates), and
/// every key whose whole value is one fresh value.
fn fresh_context(
    scenario: &Scenario,
    plans: &[KeyPlan],
    combo: &[(&'static str, String)],
) -> trustsim_conditions::ContextMap {
    let mut ctx = base_context(scenario);
    let value_of = |v: &str| combo.iter().find(|(n, _)| *n == v).map(|(_, x)| x.clone());
    if let Some(p) = plans.first().filter(|p| p.name == "aws:PrincipalArn") {
        let accounts: Vec<Option<String>> = p
            .templates
            .iter()
            .map(|t| {
                let text: Vec<String> = t
                    .iter()
                    .map(|s| match s {
                        TSeg::Lit(l) => l.clone(),
                        TSeg::Fresh(v) => value_of(v).unwrap_or_default(),
                        _ => "\u{0}".to_owned(),
                    })
                    .collect();
                text.concat().split(':').nth(4).map(str::to_owned)
            })
            .collect();
        if let Some(Some(first)) = accounts.first() {
            if !first.contains('\u{0}') && accounts.iter().all(|a| a.as_ref() == Some(first)) {
                ctx.insert("aws:PrincipalAccount", first.clone());
            }
        }
    }
    for p in plans {
        if let [t] = p.templates.as_slice() {
            let [TSeg::Fresh(v)] = t.as_slice() else {
                continue;
            };
            if matches!(p.kind, Kind::Value | Kind::Optional) {
                if let Some(x) = value_of(v) {
                    ctx.insert(&p.name, x);
                }
            }
        }
    }
    ctx
}

/// Most assignments of the keys a variable reads that are tried for one key.
const MAX_VARIABLE_ASSIGNMENTS: usize = 64;

/// The candidates of every key for one fresh assignment. A key with variable-bearing
/// conditions gets, besides its own predicates, those conditions resolved under every
/// assignment of the keys they read: the fresh context, each candidate of another key (absent
/// included), and for a key derived from the caller, each candidate caller. Its cells then
/// hold, for each assignment, a value that meets (or misses) the resolved pattern, and the
/// product of candidates pairs it with that assignment.
fn resolve_variables(
    scenario: &Scenario,
    plans: &[KeyPlan],
    fixed: &[Option<Vec<Option<Vec<String>>>>],
    combo: &[(&'static str, String)],
    limits: &mut Limits,
) -> Vec<Vec<Option<Vec<String>>>> {
    let mut lists: Vec<Option<Vec<Option<Vec<String>>>>> = plans
        .iter()
        .zip(fixed)
        .map(|(p, f)| {
            p.vars
                .is_empty()
                .then(|| f.clone().unwrap_or_else(|| candidates(p, combo, limits)))
        })
        .collect();
    if plans.iter().all(|p| p.vars.is_empty()) {
        return lists.into_iter().map(Option::unwrap_or_default).collect();
    }
    let ctx = fresh_context(scenario, plans, combo);
    let from_arn = matches!(scenario.caller, Caller::FromPrincipalArn(_));
    for (i, plan) in plans.iter().enumerate() {
        if plan.vars.is_empty() {
            continue;
        }
        let mut refs: Vec<String> = Vec::new();
        for (_, c) in &plan.vars {
            for t in templates_of(c) {
                for k in t.variables() {
                    if !refs.iter().any(|r| r == k.folded()) {
                        refs.push(k.folded().to_owned());
                    }
                }
            }
        }
        let mut envs: Vec<trustsim_conditions::ContextMap> = vec![ctx.clone()];
        for r in &refs {
            if ctx.contains(r) {
                continue;
            }
            let j = plans
                .iter()
                .position(|p| trustsim_conditions::key::fold(&p.name) == *r);
            let assignments: Vec<Vec<(String, String)>> = match j {
                Some(j) if j != i => match lists.get(j).and_then(Option::as_ref) {
                    Some(values) => values
                        .iter()
                        .map(|v| match v.as_deref() {
                            Some([one]) => vec![(r.clone(), one.clone())],
                            _ => Vec::new(),
                        })
                        .collect(),
                    None => {
                        limits.variables = true;
                        continue;
                    }
                },
                _ if from_arn && i != 0 && is_derived(r) => {
                    match lists.first().and_then(Option::as_ref) {
                        Some(arns) => arns
                            .iter()
                            .filter_map(|a| {
                                let arn = a.as_ref()?.first()?;
                                let p = caller_from_arn(arn)?;
                                let req =
                                    Request::builder(p).action(scenario.action).build().ok()?;
                                let mut kv: Vec<(String, String)> = req
                                    .context()
                                    .iter()
                                    .filter(|(k, v, multi)| {
                                        !multi
                                            && v.len() == 1
                                            && is_derived(&trustsim_conditions::key::fold(k))
                                    })
                                    .filter_map(|(k, v, _)| {
                                        Some((k.to_owned(), v.first()?.clone()))
                                    })
                                    .filter(|(k, _)| !k.eq_ignore_ascii_case("aws:PrincipalArn"))
                                    .collect();
                                kv.push(("aws:PrincipalArn".to_owned(), arn.clone()));
                                Some(kv)
                            })
                            .collect(),
                        None => {
                            limits.variables = true;
                            continue;
                        }
                    }
                }
                // The caller's own ARN reading a key derived from itself: not resolved.
                _ if is_derived(r) && from_arn => {
                    limits.variables = true;
                    continue;
                }
                // A key the request never carries: the variable reads it as absent, in the
                // search as in evaluation.
                _ => continue,
            };
            let mut next = Vec::new();
            for env in &envs {
                for a in &assignments {
                    let mut e = env.clone();
                    for (k, v) in a {
                        e.insert(k, v.clone());
                    }
                    next.push(e);
                }
            }
            if next.len() > MAX_VARIABLE_ASSIGNMENTS {
                next.truncate(MAX_VARIABLE_ASSIGNMENTS);
                limits.truncated = true;
            }
            envs = next;
        }
        let mut p2 = plan.clone();
        for env in &envs {
            for (lift_key, c) in &plan.vars {
                let globs = globs_of(c, Source::Templates(env), limits);
                match lift_key {
                    Some(k) => p2
                        .globs
                        .extend(globs.iter().flat_map(|g| lift(k, g, &scenario.partition))),
                    None => p2.globs.extend(globs),
                }
            }
        }
        if p2.globs.len() > 64 {
            p2.globs.truncate(64);
            limits.truncated = true;
        }
        if let Some(slot) = lists.get_mut(i) {
            *slot = Some(candidates(&p2, combo, limits));
        }
    }
    lists.into_iter().map(Option::unwrap_or_default).collect()
}

/// Candidate values of one key (None: absent).
fn candidates(
    plan: &KeyPlan,
    combo: &[(&'static str, String)],
    limits: &mut Limits,
) -> Vec<Option<Vec<String>>> {
    let mut singles: Vec<String> = Vec::new();
    let any_ip = plan.templates.iter().any(|t| t.contains(&TSeg::Ip));
    for t in &plan.templates {
        if t.contains(&TSeg::Ip) {
            continue;
        }
        let segs = substitute(t, combo);
        // The whole value is the attacker's text: non-string representatives (numbers, dates,
        // booleans) are values it can send. Inside a structured value they are not.
        let whole = matches!(segs.as_slice(), [Seg::Chosen] | [Seg::One, Seg::Chosen]);
        let mut variants = vec![segs.clone()];
        // Chosen text may be empty; set operators read an empty value as a null data set, so a
        // non-empty witness of each cell is explored too.
        if let Some(i) = segs.iter().position(|x| *x == Seg::Chosen) {
            let mut v = segs.clone();
            v.splice(i..=i, [Seg::One, Seg::Chosen]);
            variants.push(v);
        }
        for v in variants {
            let c = solver::cells(&v, &plan.globs);
            limits.truncated |= c.truncated;
            for (_, w) in c.cells {
                if !singles.contains(&w) {
                    singles.push(w);
                }
            }
        }
        if whole {
            for e in &plan.extra {
                if !singles.contains(e) {
                    singles.push(e.clone());
                }
            }
        }
    }
    if any_ip {
        for e in &plan.extra {
            if !singles.contains(e) {
                singles.push(e.clone());
            }
        }
        if plan.extra.is_empty() {
            singles.push("198.51.100.77".to_owned());
        }
    }
    if plan.time {
        singles = plan.extra.clone();
    }
    let one = |v: &Vec<String>| v.iter().map(|s| Some(vec![s.clone()])).collect::<Vec<_>>();
    // A set needs at most one member per existential constraint on its key (universal
    // constraints hold for subsets too), so sets of up to that many cell witnesses suffice.
    let size = plan.conditions.clamp(1, 3);
    if plan.conditions > 3 && matches!(plan.kind, Kind::Set | Kind::OptionalSet) {
        limits.truncated = true;
    }
    let sets = |v: &Vec<String>| {
        let mut out: Vec<Option<Vec<String>>> = vec![Some(Vec::new())];
        let mut layer: Vec<(usize, Vec<String>)> = vec![(0, Vec::new())];
        for _ in 0..size {
            let mut next = Vec::new();
            for (start, set) in &layer {
                for (i, a) in v.iter().enumerate().skip(*start) {
                    let mut s2 = set.clone();
                    s2.push(a.clone());
                    out.push(Some(s2.clone()));
                    next.push((i + 1, s2));
                }
            }
            layer = next;
        }
        out
    };
    match plan.kind {
        Kind::Absent => vec![None],
        Kind::Value | Kind::Service => one(&singles),
        Kind::Optional | Kind::Existential => std::iter::once(None).chain(one(&singles)).collect(),
        Kind::Set => sets(&singles),
        Kind::OptionalSet => std::iter::once(None).chain(sets(&singles)).collect(),
    }
}

fn caller_from_arn(arn: &str) -> Option<Principal> {
    let id = crate::principal::IamIdentity::parse(arn).ok()?;
    let p = id.partition.clone().unwrap_or_else(|| "aws".to_owned());
    match &id.kind {
        crate::principal::IamKind::Role { name, .. } => Principal::infer(&format!(
            "arn:{p}:sts::{}:assumed-role/{name}/attacker-session",
            id.account
        ))
        .ok(),
        _ => Some(Principal::Aws(id)),
    }
}

fn search_combo(
    policy: &TrustPolicy,
    scenario: &Scenario,
    plans: &[KeyPlan],
    fixed: &[Option<Vec<Option<Vec<String>>>>],
    combo: &[(&'static str, String)],
    limits: &mut Limits,
) -> Option<Request> {
    let lists = resolve_variables(scenario, plans, fixed, combo, limits);
    let total: usize = lists
        .iter()
        .map(Vec::len)
        .try_fold(1usize, |a, n| a.checked_mul(n.max(1)))
        .unwrap_or(usize::MAX);
    let cost = policy.statements.len()
        + policy
            .statements
            .iter()
            .map(|s| s.conditions.len())
            .sum::<usize>();
    let budget = MAX_COMBINATIONS.min(MAX_CHECKS / cost.max(11));
    if total > budget {
        limits.truncated = true;
    }
    let folded: Vec<String> = plans
        .iter()
        .map(|p| trustsim_conditions::key::fold(&p.name))
        .collect();
    let session_default =
        scenario.action == "sts:AssumeRole" && !folded.iter().any(|k| k == "sts:rolesessionname");
    let session_value = vec!["attacker-session".to_owned()];
    let main_action = scenario.action.to_ascii_lowercase();
    // The caller and its derived keys, built once per caller.
    let mut bases: Vec<(usize, Option<Request>)> = Vec::new();
    let mut index = vec![0usize; lists.len()];
    for _ in 0..total.min(budget) {
        let value = |i: usize| lists.get(i).and_then(|l| l.get(*index.get(i)?));
        let caller_slot = match scenario.caller {
            Caller::Fixed(_) => 0,
            Caller::FromPrincipalArn(_) => index.first().copied().unwrap_or(0),
        };
        if !bases.iter().any(|(k, _)| *k == caller_slot) {
            let principal = match &scenario.caller {
                Caller::Fixed(p) => Some(p.clone()),
                Caller::FromPrincipalArn(_) => value(0)
                    .cloned()
                    .flatten()
                    .and_then(|v| v.first().and_then(|a| caller_from_arn(a))),
            };
            let base =
                principal.and_then(|p| Request::builder(p).action(scenario.action).build().ok());
            bases.push((caller_slot, base));
        }
        let base = bases
            .iter()
            .find(|(k, _)| *k == caller_slot)
            .and_then(|(_, b)| b.as_ref());
        if let Some(base) = base {
            let mut overlay = Overlay {
                base: base.context(),
                set: Vec::new(),
                absent: Vec::new(),
            };
            for (i, plan) in plans.iter().enumerate() {
                let key = folded.get(i).map_or("", String::as_str);
                match value(i) {
                    Some(Some(v)) => overlay.set.push((
                        key,
                        v.as_slice(),
                        matches!(plan.kind, Kind::Set | Kind::OptionalSet),
                    )),
                    _ => overlay.absent.push(key),
                }
            }
            if session_default {
                overlay
                    .set
                    .push(("sts:rolesessionname", session_value.as_slice(), false));
            }
            let tags = overlay
                .set
                .iter()
                .any(|(k, v, _)| crate::facts::passes_session_tags(k, v));
            let source = overlay
                .set
                .iter()
                .any(|(k, _, _)| crate::facts::sets_source_identity(k));
            let mut actions: Vec<&str> = vec![main_action.as_str()];
            actions.extend(
                crate::facts::implied_actions(&main_action, tags, source)
                    .into_iter()
                    .map(|(_, lower)| lower),
            );
            let fast =
                crate::eval::decide_parts(policy, base.principal(), actions.into_iter(), &overlay);
            if fast == Decision::Allow {
                // The witness is a real request, checked again by the evaluator.
                if let Some(r) = build(scenario, plans, &lists, &index) {
                    if decide(policy, &r) == Decision::Allow {
                        return Some(r);
                    }
                }
            }
        }
        // Next combination (odometer).
        for (i, slot) in index.iter_mut().enumerate() {
            *slot += 1;
            if *slot < lists.get(i).map_or(1, |l| l.len().max(1)) {
                break;
            }
            *slot = 0;
        }
    }
    None
}

fn build(
    scenario: &Scenario,
    plans: &[KeyPlan],
    lists: &[Vec<Option<Vec<String>>>],
    index: &[usize],
) -> Option<Request> {
    let value = |i: usize| {
        lists
            .get(i)
            .and_then(|l| l.get(*index.get(i)?))
            .cloned()
            .flatten()
    };
    let principal = match &scenario.caller {
        Caller::Fixed(p) => p.clone(),
        Caller::FromPrincipalArn(_) => caller_from_arn(value(0)?.first()?)?,
    };
    let mut b = Request::builder(principal).action(scenario.action);
    for (i, plan) in plans.iter().enumerate() {
        match value(i) {
            None => {
                if plan.name != "aws:PrincipalArn" {
                    b = b.absent(&plan.name);
                }
            }
            Some(v) => {
                let set = matches!(plan.kind, Kind::Set | Kind::OptionalSet);
                b = if set {
                    b.context_many(&plan.name, v)
                } else {
                    b.context(&plan.name, v.into_iter().next().unwrap_or_default())
                };
            }
        }
    }
    if !plans
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("sts:RoleSessionName"))
        && scenario.action == "sts:AssumeRole"
    {
        b = b.context("sts:RoleSessionName", "attacker-session");
    }
    b.build().ok()
}

/// Every literal string in the policy's conditions (a fresh value differs from all of them).
pub fn literals(policy: &TrustPolicy) -> Vec<String> {
    literals_of(policy.statements.iter())
}

/// The literal strings of some statements' conditions, each once, in document order (linear in
/// their total length).
fn literals_of<'a>(statements: impl Iterator<Item = &'a crate::policy::Statement>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    let mut add = |t: &str, out: &mut Vec<String>| {
        if !t.is_empty() && seen.insert(t.to_owned()) {
            out.push(t.to_owned());
        }
    };
    for s in statements {
        for c in &s.conditions {
            if matches!(
                c.condition.operator().base.family(),
                Family::String | Family::Arn
            ) {
                for v in c.condition.raw_values() {
                    for piece in v.split([':', '/']) {
                        add(piece, &mut out);
                    }
                    add(v, &mut out);
                }
            }
        }
    }
    out
}

//! Candidate values of each key, and the product of candidates run through the concrete
//! evaluator (`decide`) to find an allowed request.

use super::*;

/// A request context seen through a candidate's values: keys set or made absent by the
/// candidate, and otherwise the caller's derived keys.
pub(super) struct Overlay<'a> {
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
pub(super) fn describe(combo: &[(&'static str, String)]) -> String {
    match combo {
        [(_, one)] => one.clone(),
        _ => combo
            .iter()
            .map(|(v, f)| format!("{v} {f}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub(super) fn base_context(scenario: &Scenario) -> trustsim_conditions::ContextMap {
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

/// Candidate values of one key (None: absent).
pub(super) fn candidates(
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

pub(super) fn caller_from_arn(arn: &str) -> Option<Principal> {
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

pub(super) fn search_combo(
    policy: &TrustPolicy,
    scenario: &Scenario,
    plans: &[KeyPlan],
    fixed: &[Option<Vec<Option<Vec<String>>>>],
    combo: &[(&'static str, String)],
    target: super::Target<'_>,
    limits: &mut Limits,
) -> Option<Request> {
    // The policy a witness must be allowed by: the decision alone, checked first.
    let allowing = match target {
        super::Target::Allowed => policy,
        super::Target::Differs { allowed, .. } => allowed,
    };
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
    let mut bases: Vec<(usize, Option<std::rc::Rc<Request>>)> = Vec::new();
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
            let base = principal.and_then(|p| base_request(p, scenario.action));
            bases.push((caller_slot, base));
        }
        let base = bases
            .iter()
            .find(|(k, _)| *k == caller_slot)
            .and_then(|(_, b)| b.as_deref());
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
            let fast = crate::eval::decide_parts(
                allowing,
                base.principal(),
                actions.iter().copied(),
                &overlay,
            );
            // For a difference, the other policy must deny it too: decided here first, so that
            // candidates both policies allow are not built as requests.
            let fast = match target {
                super::Target::Differs { denied, .. }
                    if fast == Decision::Allow
                        && crate::eval::decide_parts(
                            denied,
                            base.principal(),
                            actions.iter().copied(),
                            &overlay,
                        ) == Decision::Allow =>
                {
                    Decision::ImplicitDeny
                }
                _ => fast,
            };
            if fast == Decision::Allow {
                // The witness is a real request, checked again by the evaluator.
                if let Some(r) = build(scenario, plans, &lists, &index) {
                    if target.holds(policy, &r) {
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

/// The request of `principal` calling `action` with nothing else given: the caller's derived
/// keys, which every candidate of the caller shares. The same callers come back in every
/// threat, world and combination, so the requests are kept per thread (bounded, as the
/// solver's memos).
fn base_request(principal: Principal, action: &'static str) -> Option<std::rc::Rc<Request>> {
    type Bases = rustc_hash::FxHashMap<(Principal, &'static str), Option<std::rc::Rc<Request>>>;
    thread_local! {
        static MEMO: std::cell::RefCell<Bases> = std::cell::RefCell::default();
    }
    crate::analysis::solver::memoised(
        &MEMO,
        (principal.clone(), action),
        || {
            Request::builder(principal)
                .action(action)
                .build()
                .ok()
                .map(std::rc::Rc::new)
        },
        |_| 1,
    )
}

pub(super) fn build(
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

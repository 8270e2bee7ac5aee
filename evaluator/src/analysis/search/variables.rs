//! Policy variables in the search: which values a variable reads, the context a fresh
//! assignment fixes, and the resolution of variable-bearing conditions per assignment.

use super::*;

/// The compiled values of a condition that hold policy variables.
pub(super) fn templates_of(c: &Condition) -> Vec<trustsim_conditions::variables::Template> {
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
                ArnValue::Literal(_) | ArnValue::Short(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The key a value reads when it is nothing but one variable (`${R}` or `${R, 'default'}`).
pub(super) fn whole_variable(t: &trustsim_conditions::variables::Template) -> Option<String> {
    match t.pieces() {
        [trustsim_conditions::variables::Piece::Variable { key, .. }] => {
            Some(key.folded().to_owned())
        }
        _ => None,
    }
}

/// Keys whose value in an attacker's request is one of its fresh values, known to it before it
/// chooses the rest: its account, its organization, and a service's source account.
pub(super) fn fresh_var(folded: &str) -> Option<&'static str> {
    match folded {
        "aws:principalaccount" | "aws:sourceaccount" => Some("account"),
        "aws:principalorgid" | "aws:sourceorgid" => Some("org"),
        _ => None,
    }
}

/// The context in which policy variables are resolved for one fresh assignment: the fixed
/// caller's derived keys, the caller's account (fresh or written in its ARN templates), and
/// every key whose whole value is one fresh value.
pub(super) fn fresh_context(
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
pub(super) const MAX_VARIABLE_ASSIGNMENTS: usize = 64;

/// The candidates of every key for one fresh assignment. A key with variable-bearing
/// conditions gets, besides its own predicates, those conditions resolved under every
/// assignment of the keys they read: the fresh context, each candidate of another key (absent
/// included), and for a key derived from the caller, each candidate caller. Its cells then
/// hold, for each assignment, a value that meets (or misses) the resolved pattern, and the
/// product of candidates pairs it with that assignment.
pub(super) fn resolve_variables(
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

//! The property-testing kit: requests.

use super::*;

/// Callers for requests: the principals the policy trusts (or callers they trust: a role's
/// sessions, principals of a trusted account), and others.
pub(super) fn caller_pool(aim: &Aim, owner: &str) -> BoxedStrategy<Principal> {
    let mut trusted: Vec<Principal> = Vec::new();
    let mut others: Vec<Principal> = Vec::new();
    let mut accounts: Vec<String> = vec![owner.to_owned(), THIRD_PARTY.to_owned()];
    for id in &aim.iam {
        let p = id.partition.as_deref().unwrap_or("aws");
        match &id.kind {
            IamKind::Account => push_unique(&mut accounts, id.account.clone()),
            IamKind::Role { name, .. } => {
                if let Ok(c) = Principal::infer(&format!(
                    "arn:{p}:sts::{}:assumed-role/{name}/s",
                    id.account
                )) {
                    trusted.push(c);
                }
            }
            _ => trusted.push(Principal::Aws(id.clone())),
        }
    }
    for s in &aim.services {
        trusted.push(Principal::Service(s.clone()));
    }
    for f in &aim.providers {
        trusted.push(Principal::Federated(f.clone()));
    }
    for s in ["events.amazonaws.com", "s3.amazonaws.com"] {
        let p = Principal::Service(s.to_owned());
        if !trusted.contains(&p) {
            others.push(p);
        }
    }
    let google = Principal::Federated("accounts.google.com".to_owned());
    if !trusted.contains(&google) {
        others.push(google);
    }
    let in_account = (
        select(accounts),
        0u8..3,
        iam_name(aim),
        session_name(),
        text(DIGITS, 12, 12),
        proptest::bool::weighted(0.2),
    )
        .prop_filter_map(
            "not a principal",
            |(a, kind, name, session, random, fresh)| {
                let a = if fresh { random } else { a };
                let arn = match kind {
                    0 => format!("arn:aws:sts::{a}:assumed-role/{name}/{session}"),
                    1 => format!("arn:aws:iam::{a}:user/{name}"),
                    _ => format!("arn:aws:iam::{a}:root"),
                };
                Principal::infer(&arn).ok()
            },
        );
    let mut arms: Vec<(u32, BoxedStrategy<Principal>)> = vec![(2, in_account.boxed())];
    if !others.is_empty() {
        arms.push((1, select(others).boxed()));
    }
    if !trusted.is_empty() {
        arms.push((4, select(trusted).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// A context key in a request: its name, its values, and whether it is multivalued (`None`:
/// absent).
pub(super) type ContextEntry = Option<(String, Vec<String>, bool)>;

/// A caller, with the `aws:SourceAccount` and `aws:SourceArn` it sends (services).
pub(super) type SourcedCaller = (Principal, Option<(String, String)>);

/// One key's value in a request: absent, one value, or (for keys read by set operators, or
/// sometimes) several.
pub(super) fn context_value(aim: &Aim, key: &KeyFacts, absent: u32) -> BoxedStrategy<ContextEntry> {
    let name = key.name.clone();
    let (n1, n2) = (name.clone(), name);
    let value = if key.folded == "aws:sourceip" {
        Union::new(vec![
            address(Some(key)),
            chosen(aim, Some(key)),
            select(
                key.networks
                    .iter()
                    .map(|n| n.ip().to_string())
                    .chain(std::iter::once("203.0.113.9".to_owned()))
                    .collect::<Vec<_>>(),
            )
            .boxed(),
        ])
        .boxed()
    } else if matches!(key.folded.as_str(), "aws:currenttime" | "aws:epochtime") {
        Union::new(vec![later(Some(key)), chosen(aim, Some(key))]).boxed()
    } else {
        chosen(aim, Some(key))
    };
    Union::new_weighted(vec![
        (absent, Just(None).boxed()),
        (
            if key.multi { 1 } else { 4 },
            value
                .clone()
                .prop_map(move |v| Some((n1.clone(), vec![v], false)))
                .boxed(),
        ),
        (
            if key.multi { 3 } else { 1 },
            vec_of(value, 0..=3)
                .prop_map(move |v| Some((n2.clone(), v, true)))
                .boxed(),
        ),
    ])
    .boxed()
}

/// Requests from `caller_pool`, with each of the aim's keys absent (weight `absent`, against 5
/// for present).
pub(super) fn requests_for(aim: Aim, owner: &str, absent: u32) -> BoxedStrategy<Request> {
    let values: Vec<BoxedStrategy<ContextEntry>> = aim
        .keys
        .iter()
        .map(|k| context_value(&aim, k, absent))
        .collect();
    let owner = owner.to_owned();
    (
        caller_pool(&aim, &owner),
        Union::new_weighted(vec![
            (3, Just("sts:AssumeRole").boxed()),
            (2, select(ACTIONS).boxed()),
        ]),
        proptest::bool::weighted(0.3),
        values,
    )
        .prop_filter_map(
            "the request did not build",
            move |(principal, action, role, values)| {
                let mut b = Request::builder(principal).action(action);
                if role {
                    b = b.role(&format!("arn:aws:iam::{owner}:role/target"));
                }
                for (key, vals, multi) in values.into_iter().flatten() {
                    b = if multi {
                        b.context_many(&key, vals)
                    } else {
                        b.context(&key, vals.into_iter().next().unwrap_or_default())
                    };
                }
                b.build().ok()
            },
        )
        .boxed()
}

/// Arbitrary well-formed requests: IAM callers of the owner's, the third party's and random
/// accounts, services and identity providers; every STS action; and any of the keys
/// [`trust_policies`] reads, absent, single or multivalued, with values near the ones those
/// policies write. `owner` names the owner account (the role's, when a role ARN is given).
pub fn requests(owner: &str) -> BoxedStrategy<Request> {
    let mut aim = Aim {
        owner: Some(owner.to_owned()),
        keys: Vec::new(),
        texts: Vec::new(),
        excluded: BTreeSet::new(),
        named_accounts: BTreeSet::new(),
        digit_runs: Vec::new(),
        near_words: Vec::new(),
        iam_names: vec!["admin".to_owned(), "vendor".to_owned(), "bob".to_owned()],
        everyone: false,
        services: Vec::new(),
        iam: Vec::new(),
        providers: Vec::new(),
    };
    for (key, fam, values) in KEY_POOL {
        let values: Vec<String> = values.iter().map(|v| v.replace("{owner}", owner)).collect();
        aim.texts.extend(values.iter().cloned());
        aim.keys.push(KeyFacts {
            name: (*key).to_owned(),
            folded: trustsim_conditions::key::fold(key),
            patterns: if matches!(fam, Fam::Str | Fam::Arn) {
                values.clone()
            } else {
                Vec::new()
            },
            networks: if *fam == Fam::Ip {
                values.iter().filter_map(|v| v.parse().ok()).collect()
            } else {
                Vec::new()
            },
            values,
            multi: matches!(*key, "aws:TagKeys" | "cognito-identity.amazonaws.com:amr"),
        });
    }
    requests_for(aim, owner, 20)
}

/// Requests aimed at one policy, from any caller (not only attackers): the principals it
/// trusts (and others), any action, and every key its conditions read, absent or with values
/// built from its own (wildcards filled, near misses, addresses near its networks, ...). Good
/// for comparing two policies, or a policy and a transformed copy, where random requests would
/// almost all be denied.
pub fn requests_near(policy: &TrustPolicy, owner: &str) -> BoxedStrategy<Request> {
    requests_for(Aim::of(policy, Some(owner)), owner, 1)
}

/// Requests of the owner's own legitimate kinds, which no threat's attacker sends: each service
/// the policy trusts working for the owner (`aws:SourceAccount` the owner, `aws:SourceArn` a
/// resource of the owner's account), and principals of the owner's account. Other keys the
/// policy reads are absent or take values near the policy's.
pub fn owner_requests(policy: &TrustPolicy, owner: &str) -> BoxedStrategy<Request> {
    let aim = Aim::of(policy, Some(owner));
    let mut callers: Vec<(u32, BoxedStrategy<SourcedCaller>)> = Vec::new();
    let owner_s = owner.to_owned();
    let owner_principals = (0u8..3, iam_name(&aim), session_name()).prop_filter_map(
        "not a principal",
        move |(kind, name, session)| {
            let arn = match kind {
                0 => format!("arn:aws:sts::{owner_s}:assumed-role/{name}/{session}"),
                1 => format!("arn:aws:iam::{owner_s}:user/{name}"),
                _ => format!("arn:aws:iam::{owner_s}:root"),
            };
            Principal::infer(&arn).ok().map(|p| (p, None))
        },
    );
    callers.push((1, owner_principals.boxed()));
    for service in &aim.services {
        let namespaces = crate::analysis::scenario::service_names(policy, service);
        let source_arn = aim.key("aws:sourcearn");
        let resource = match source_arn {
            Some(k) => chosen(&aim, Some(k)),
            None => text(WORD_CHARS, 1, 8),
        };
        let (service, owner_s) = (service.clone(), owner.to_owned());
        let namespaces = if namespaces.is_empty() {
            vec!["events".to_owned()]
        } else {
            namespaces
        };
        callers.push((
            1,
            (select(namespaces), select(REGIONS), resource)
                .prop_map(move |(ns, region, resource)| {
                    let tail = resource
                        .rsplit_once(':')
                        .map_or(resource.clone(), |(_, t)| t.to_owned());
                    (
                        Principal::Service(service.clone()),
                        Some((
                            owner_s.clone(),
                            format!("arn:aws:{ns}:{region}:{owner_s}:{tail}"),
                        )),
                    )
                })
                .boxed(),
        ));
    }
    let values: Vec<BoxedStrategy<ContextEntry>> = aim
        .keys
        .iter()
        .filter(|k| k.folded != "aws:sourceaccount" && k.folded != "aws:sourcearn")
        .map(|k| context_value(&aim, k, 1))
        .collect();
    (Union::new_weighted(callers), values)
        .prop_filter_map(
            "the request did not build",
            |((principal, source), values)| {
                let mut b = Request::builder(principal);
                if let Some((account, arn)) = source {
                    b = b
                        .context("aws:SourceAccount", account)
                        .context("aws:SourceArn", arn);
                }
                for (key, vals, multi) in values.into_iter().flatten() {
                    b = if multi {
                        b.context_many(&key, vals)
                    } else {
                        b.context(&key, vals.into_iter().next().unwrap_or_default())
                    };
                }
                b.build().ok()
            },
        )
        .boxed()
}

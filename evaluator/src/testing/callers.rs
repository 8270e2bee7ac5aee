//! The property-testing kit: callers.

use super::*;

#[derive(Clone, Debug)]
pub(super) enum Account {
    Fresh,
    Fixed(String),
}

#[derive(Clone, Debug)]
pub(super) enum Name {
    Fresh,
    Chosen(String),
}

/// A caller before the fresh values are known.
#[derive(Clone, Debug)]
pub(super) enum Caller {
    Fixed(Principal),
    Session {
        partition: String,
        account: Account,
        role: Name,
        session: String,
    },
    User {
        partition: String,
        account: Account,
        path: String,
        name: Name,
    },
    Root {
        partition: String,
        account: Account,
    },
}

impl Caller {
    pub(super) fn resolve(&self, fresh: &Fresh) -> Option<Principal> {
        let account = |a: &Account| match a {
            Account::Fresh => fresh.account.clone(),
            Account::Fixed(s) => s.clone(),
        };
        let name = |n: &Name| match n {
            Name::Fresh => fresh.id.clone(),
            Name::Chosen(s) => s.clone(),
        };
        let arn = match self {
            Caller::Fixed(p) => return Some(p.clone()),
            Caller::Session {
                partition,
                account: a,
                role,
                session,
            } => format!(
                "arn:{partition}:sts::{}:assumed-role/{}/{session}",
                account(a),
                name(role)
            ),
            Caller::User {
                partition,
                account: a,
                path,
                name: n,
            } => format!("arn:{partition}:iam::{}:user{path}{}", account(a), name(n)),
            Caller::Root {
                partition,
                account: a,
            } => format!("arn:{partition}:iam::{}:root", account(a)),
        };
        Principal::infer(&arn).ok()
    }
}

pub(super) fn session_name() -> BoxedStrategy<String> {
    text(WORD_CHARS, 2, 12)
}

/// Role sessions of any role of an account (a role name aimed at the policy's names).
pub(super) fn sessions_in(aim: &Aim, partition: &str, account: Account) -> BoxedStrategy<Caller> {
    let partition = partition.to_owned();
    (iam_name(aim), session_name())
        .prop_map(move |(role, session)| Caller::Session {
            partition: partition.clone(),
            account: account.clone(),
            role: Name::Chosen(role),
            session,
        })
        .boxed()
}

/// One attacker scenario: who calls, with what, for which threat.
pub(super) struct Scene {
    pub(super) label: String,
    pub(super) caller: BoxedStrategy<Caller>,
    pub(super) action: &'static str,
    pub(super) provider: Option<String>,
    pub(super) services: Vec<String>,
    /// The service always sends `aws:SourceAccount` and `aws:SourceArn`.
    pub(super) documented: bool,
    pub(super) stand_in: bool,
}

impl Scene {
    pub(super) fn fixed(label: String, principal: Principal, action: &'static str) -> Self {
        Scene {
            label,
            caller: Just(Caller::Fixed(principal)).boxed(),
            action,
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: false,
        }
    }
}

pub(super) fn stand_in_account(aim: &Aim) -> String {
    ["444455556666", "555566667777", "666677778888"]
        .into_iter()
        .find(|a| !aim.named_accounts.contains(*a))
        .unwrap_or("777788889999")
        .to_owned()
}

pub(super) fn public_scenes(aim: &Aim) -> Vec<Scene> {
    let caller = Union::new_weighted(vec![
        (3, sessions_in(aim, "aws", Account::Fresh)),
        (
            2,
            (select(vec!["/", "/team/", "/a/b/"]), iam_name(aim))
                .prop_map(|(path, name)| Caller::User {
                    partition: "aws".to_owned(),
                    account: Account::Fresh,
                    path: path.to_owned(),
                    name: Name::Chosen(name),
                })
                .boxed(),
        ),
        (
            1,
            Just(Caller::Root {
                partition: "aws".to_owned(),
                account: Account::Fresh,
            })
            .boxed(),
        ),
    ])
    .boxed();
    vec![Scene {
        label: "a principal of an account of its own".to_owned(),
        caller,
        action: "sts:AssumeRole",
        provider: None,
        services: Vec::new(),
        documented: false,
        stand_in: false,
    }]
}

pub(super) fn forged_scenes(policy: &TrustPolicy, aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in &aim.services {
        if crate::knowledge::services::requires_pass_role(name).is_some() {
            continue;
        }
        seen.push(name.clone());
        let mut s = Scene::fixed(
            format!("{name} working for another account"),
            Principal::Service(name.clone()),
            "sts:AssumeRole",
        );
        s.services = crate::analysis::scenario::service_names(policy, name);
        s.documented = SERVICES_SENDING_SOURCE_KEYS.contains(&name.as_str());
        out.push(s);
    }
    if aim.everyone {
        let mut names: Vec<String> = aim
            .literal_values("aws:principalservicename")
            .into_iter()
            .filter(|n| n.contains('.'))
            .collect();
        names.extend(star_services().iter().map(|s| (*s).to_owned()));
        for name in names {
            if crate::knowledge::services::requires_pass_role(&name).is_some()
                || seen.contains(&name)
            {
                continue;
            }
            seen.push(name.clone());
            let mut s = Scene::fixed(
                format!("any AWS service through \"*\", e.g. {name} working for another account"),
                Principal::Service(name.clone()),
                "sts:AssumeRole",
            );
            s.services = crate::analysis::scenario::service_names(policy, &name);
            out.push(s);
        }
    }
    if out.is_empty() {
        let name = "events.amazonaws.com";
        let mut s = Scene::fixed(
            format!("{name}, which the policy does not trust, working for another account"),
            Principal::Service(name.to_owned()),
            "sts:AssumeRole",
        );
        s.services = crate::analysis::scenario::service_names(policy, name);
        s.stand_in = true;
        out.push(s);
    }
    out
}

pub(super) fn deputy_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    for id in &aim.iam {
        if aim.is_owner(&id.account) {
            continue;
        }
        let partition = id.partition.clone().unwrap_or_else(|| "aws".to_owned());
        let caller = match &id.kind {
            IamKind::Account => sessions_in(aim, &partition, Account::Fixed(id.account.clone())),
            IamKind::Role { name, .. } => {
                let (partition, account, role) =
                    (partition.clone(), id.account.clone(), name.clone());
                session_name()
                    .prop_map(move |session| Caller::Session {
                        partition: partition.clone(),
                        account: Account::Fixed(account.clone()),
                        role: Name::Chosen(role.clone()),
                        session,
                    })
                    .boxed()
            }
            _ => Just(Caller::Fixed(Principal::Aws(id.clone()))).boxed(),
        };
        out.push(Scene {
            label: format!("the third party {id} acting for another customer"),
            caller,
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: false,
        });
    }
    if aim.everyone {
        let mut accounts: Vec<String> = Vec::new();
        for a in aim.literal_values("aws:principalaccount") {
            if is_account_id(&a) {
                push_unique(&mut accounts, a);
            }
        }
        for arn in aim.literal_values("aws:principalarn") {
            if let Some(a) = arn.split(':').nth(4).filter(|a| is_account_id(a)) {
                push_unique(&mut accounts, a);
            }
        }
        for account in accounts {
            if aim.is_owner(&account) {
                continue;
            }
            out.push(Scene {
                label: format!(
                    "a principal of account {account} (through \"*\") acting for another customer"
                ),
                caller: sessions_in(aim, "aws", Account::Fixed(account.clone())),
                action: "sts:AssumeRole",
                provider: None,
                services: Vec::new(),
                documented: false,
                stand_in: false,
            });
        }
    }
    if out.is_empty() {
        let account = stand_in_account(aim);
        out.push(Scene {
            label: format!(
                "a principal of account {account}, which the policy does not name, acting for another customer"
            ),
            caller: sessions_in(aim, "aws", Account::Fixed(account)),
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: true,
        });
    }
    out
}

pub(super) fn federated_scene(name: &str, provider: &str, label: String) -> Scene {
    let saml = name.contains(":saml-provider/");
    let mut s = Scene::fixed(
        label,
        Principal::Federated(name.to_owned()),
        if saml {
            "sts:AssumeRoleWithSAML"
        } else {
            "sts:AssumeRoleWithWebIdentity"
        },
    );
    s.provider = Some(provider.to_owned());
    s
}

pub(super) fn federated_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in &aim.providers {
        let provider = match name.split_once(":oidc-provider/") {
            Some((_, host)) => host.to_owned(),
            None => name.clone(),
        };
        seen.push(name.clone());
        out.push(federated_scene(
            name,
            &provider,
            format!("any identity of {name}"),
        ));
    }
    if aim.everyone {
        let owner = aim.owner.clone().unwrap_or_else(|| OWNER.to_owned());
        let mut providers: Vec<(String, String)> = vec![(
            "accounts.google.com".to_owned(),
            "accounts.google.com".to_owned(),
        )];
        for k in &aim.keys {
            let entry = if k.folded.starts_with("saml:") {
                let arn = format!("arn:aws:iam::{owner}:saml-provider/idp");
                Some((arn.clone(), arn))
            } else if let Some((host, _)) = k.name.rsplit_once(':').filter(|(h, _)| {
                h.contains('.') && !k.folded.starts_with("aws:") && !k.folded.starts_with("sts:")
            }) {
                if WEB_IDENTITY_PROVIDERS.contains(&host) {
                    Some((host.to_owned(), host.to_owned()))
                } else {
                    Some((
                        format!("arn:aws:iam::{owner}:oidc-provider/{host}"),
                        host.to_owned(),
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
        for (name, provider) in providers {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            out.push(federated_scene(
                &name,
                &provider,
                format!("any web identity through \"*\", e.g. one of {provider}"),
            ));
        }
    }
    if out.is_empty() {
        let mut s = federated_scene(
            "accounts.google.com",
            "accounts.google.com",
            "a Google identity, which the policy does not trust".to_owned(),
        );
        s.stand_in = true;
        out.push(s);
    }
    out
}

pub(super) fn account_wide_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut accounts: Vec<(String, String)> = Vec::new();
    for id in aim.iam.iter().filter(|id| id.kind == IamKind::Account) {
        let entry = (
            id.partition.clone().unwrap_or_else(|| "aws".to_owned()),
            id.account.clone(),
        );
        if !accounts.contains(&entry) {
            accounts.push(entry);
        }
    }
    let stand_in = accounts.is_empty();
    if stand_in {
        accounts.push(("aws".to_owned(), stand_in_account(aim)));
    }
    for (partition, account) in accounts {
        let (p1, a1) = (partition.clone(), account.clone());
        let caller = Union::new(vec![
            session_name()
                .prop_map(move |session| Caller::Session {
                    partition: p1.clone(),
                    account: Account::Fixed(a1.clone()),
                    role: Name::Fresh,
                    session,
                })
                .boxed(),
            Just(Caller::User {
                partition,
                account: Account::Fixed(account.clone()),
                path: "/".to_owned(),
                name: Name::Fresh,
            })
            .boxed(),
        ])
        .boxed();
        out.push(Scene {
            label: if stand_in {
                format!("a principal of account {account}, which the policy does not trust")
            } else {
                format!("any principal of account {account}")
            },
            caller,
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in,
        });
    }
    out
}

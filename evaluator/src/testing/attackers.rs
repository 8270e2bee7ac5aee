//! The property-testing kit: attacker requests.

use super::*;

/// A request an attacker of a threat can send.
#[derive(Clone)]
pub struct AttackerRequest {
    /// The threat whose attacker sends it.
    pub threat: Threat,
    /// Who the attacker is, in words (`events.amazonaws.com working for another account`).
    pub scenario: String,
    /// True when the policy trusts no principal of the threat's class and the request comes
    /// from a stand-in the policy does not name (EventBridge, a Google identity, a principal of
    /// an account the policy does not name). Under `"*"`, a confused-deputy or account-wide
    /// stand-in is trusted after all: it is then a public attacker.
    pub stand_in: bool,
    /// The request.
    pub request: Request,
}

impl fmt::Debug for AttackerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} attacker ({}): {}",
            self.threat.name(),
            self.scenario,
            self.request.to_json()
        )
    }
}

pub(super) fn scene_requests(
    threat: Threat,
    aim: &Arc<Aim>,
    scene: Scene,
) -> BoxedStrategy<AttackerRequest> {
    let mut names: Vec<(String, String)> = aim
        .keys
        .iter()
        .map(|k| (k.name.clone(), k.folded.clone()))
        .collect();
    if !names.iter().any(|(_, f)| f == "sts:rolesessionname") {
        names.push((
            "sts:RoleSessionName".to_owned(),
            "sts:rolesessionname".to_owned(),
        ));
    }
    let mut drafts: Vec<BoxedStrategy<KeyDraft>> = Vec::new();
    for (name, folded) in &names {
        if DERIVED.contains(&folded.as_str()) {
            continue;
        }
        let Some(row) = provenance::lookup(threat, folded, scene.provider.as_deref()) else {
            continue;
        };
        let ctx = DraftCtx {
            aim,
            key: aim.key(folded),
            services: &scene.services,
            set: matches!(row.kind, Kind::Set | Kind::OptionalSet),
            time: matches!(folded.as_str(), "aws:currenttime" | "aws:epochtime"),
        };
        drafts.push(key_draft(name, row.kind, row.template, &ctx));
    }
    let noise = noise(threat, aim, &names, scene.provider.as_deref());
    let Scene {
        label,
        caller,
        action,
        documented,
        stand_in,
        ..
    } = scene;
    (
        caller,
        fresh_values(aim),
        drafts,
        proptest::bool::weighted(0.75),
        noise,
    )
        .prop_filter_map(
            "the attacker's principal or request did not build",
            move |(caller, fresh, drafts, sends, noise)| {
                let principal = caller.resolve(&fresh)?;
                let mut b = Request::builder(principal).action(action);
                for d in drafts.into_iter().chain(noise) {
                    if d.service && !(documented || sends) {
                        continue;
                    }
                    let Some(values) = d.values else {
                        continue;
                    };
                    let texts: Vec<String> = values.iter().map(|p| render(p, &fresh)).collect();
                    if d.multi {
                        b = b.context_many(&d.name, texts);
                    } else if let Some(v) = texts.into_iter().next() {
                        b = b.context(&d.name, v);
                    }
                }
                Some(AttackerRequest {
                    threat,
                    scenario: label.clone(),
                    stand_in,
                    request: b.build().ok()?,
                })
            },
        )
        .boxed()
}

/// Request parameters the policy does not read but the attacker may send (session tags, a
/// source identity), when the provenance table lets it: they only add the actions
/// `sts:TagSession` / `sts:SetSourceIdentity` the request needs.
pub(super) fn noise(
    threat: Threat,
    aim: &Aim,
    names: &[(String, String)],
    provider: Option<&str>,
) -> BoxedStrategy<Vec<KeyDraft>> {
    let reads = |prefix: &str| names.iter().any(|(_, f)| f.starts_with(prefix));
    let may = |key: &str| {
        provenance::lookup(threat, key, provider)
            .is_some_and(|r| matches!(r.kind, Kind::Optional | Kind::Existential))
    };
    let text_draft = |name: String, value: String, multi: bool| KeyDraft {
        name,
        values: Some(vec![vec![Piece::Text(value)]]),
        multi,
        service: false,
    };
    let tags = !reads("aws:requesttag/") && !reads("aws:tagkeys") && may("aws:requesttag/x");
    let source = !reads("sts:sourceidentity") && may("sts:sourceidentity");
    let tag: BoxedStrategy<Vec<KeyDraft>> = if tags {
        Union::new_weighted(vec![
            (4, Just(Vec::new()).boxed()),
            (
                1,
                (text(WORD_CHARS, 1, 8), chosen(aim, None))
                    .prop_map(move |(k, v)| {
                        vec![
                            text_draft(format!("aws:RequestTag/{k}"), v, false),
                            text_draft("aws:TagKeys".to_owned(), k, true),
                        ]
                    })
                    .boxed(),
            ),
        ])
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let identity: BoxedStrategy<Vec<KeyDraft>> = if source {
        Union::new_weighted(vec![
            (4, Just(Vec::new()).boxed()),
            (
                1,
                text(WORD_CHARS, 2, 12)
                    .prop_map(move |v| vec![text_draft("sts:SourceIdentity".to_owned(), v, false)])
                    .boxed(),
            ),
        ])
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (tag, identity)
        .prop_map(|(a, b)| a.into_iter().chain(b).collect())
        .boxed()
}

/// Requests an attacker of `threat` can send against `policy`, aimed near the policy's
/// boundary (see the module documentation). `owner` is the role owner's account, when known:
/// no attacker comes from it, and for [`Threat::ConfusedDeputy`] its principals are not third
/// parties.
///
/// The strategy always yields requests: when the policy trusts no principal of the class, they
/// come from a stand-in ([`AttackerRequest::stand_in`]).
pub fn attacker_requests(
    policy: &TrustPolicy,
    threat: Threat,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    let aim = Arc::new(Aim::of(policy, owner));
    let scenes = match threat {
        Threat::Public => public_scenes(&aim),
        Threat::ForgedService => forged_scenes(policy, &aim),
        Threat::ConfusedDeputy => deputy_scenes(&aim),
        Threat::Federated => federated_scenes(&aim),
        Threat::AccountWide => account_wide_scenes(&aim),
    };
    let strategies: Vec<BoxedStrategy<AttackerRequest>> = scenes
        .into_iter()
        .map(|s| scene_requests(threat, &aim, s))
        .collect();
    Union::new(strategies).boxed()
}

/// Forged-service requests: each service the policy trusts (except `ec2.amazonaws.com` and
/// `lambda.amazonaws.com`, which only assume roles passed to them), working for a fresh account
/// with `aws:SourceAccount` and an `aws:SourceArn` of that account (regional, global or
/// S3-style), or without either key when the service is not documented to send them.
pub fn forged_service_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::ForgedService, owner)
}

/// Public requests: a role session, user or root of a fresh account with any name, tags and
/// request parameters (ExternalId, session tags, MFA, ...).
pub fn public_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::Public, owner)
}

/// Confused-deputy requests: each trusted third party (a principal of another account than the
/// owner's) acting for another customer, with the fresh ExternalId it assigned to that
/// customer, which is not one the policy names.
pub fn confused_deputy_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::ConfusedDeputy, owner)
}

/// Federated requests: any identity of each trusted identity provider, with a subject of its
/// own (a GitHub organization, an EKS namespace, a Cognito pool, ... not named by the policy)
/// and any audience the provider lets it have.
pub fn federated_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::Federated, owner)
}

/// Account-wide requests: existing roles and users (names of their own) of each account the
/// policy trusts as a whole.
pub fn account_wide_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::AccountWide, owner)
}

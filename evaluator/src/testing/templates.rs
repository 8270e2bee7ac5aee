//! The property-testing kit: values from templates.

use super::*;

#[derive(Clone, Debug)]
pub(super) enum Piece {
    Text(String),
    Fresh(FreshVar),
}

pub(super) fn render(pieces: &[Piece], fresh: &Fresh) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Fresh(v) => fresh.get(*v),
        })
        .collect()
}

/// One key's values in a request, before the fresh values are known.
#[derive(Clone, Debug)]
pub(super) struct KeyDraft {
    pub(super) name: String,
    pub(super) values: Option<Vec<Vec<Piece>>>,
    pub(super) multi: bool,
    /// A `service`-kind key: present only in the world where the service sends it.
    pub(super) service: bool,
}

pub(super) fn now_secs() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i128::from(d.as_secs()))
}

/// A time at or after now (epoch seconds), near the key's dates.
pub(super) fn later(key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    let now = now_secs();
    let mut dates: Vec<String> = Vec::new();
    for v in key.map(|k| k.values.as_slice()).unwrap_or_default() {
        if let Some(i) = trustsim_conditions::family::date::Instant::parse(v) {
            for d in [-1, 0, 1] {
                let s = i.epoch_seconds() + d;
                if s >= now {
                    push_unique(&mut dates, s.to_string());
                }
            }
        }
    }
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
        (1, Just(now.to_string()).boxed()),
        (
            2,
            (0i128..=10 * 366 * 86_400)
                .prop_map(move |d| (now + d).to_string())
                .boxed(),
        ),
    ];
    if !dates.is_empty() {
        arms.push((2, select(dates).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// The attacker's own address: outside every network and string pattern the policy writes on
/// the key (the owner's ranges), often just outside one.
pub(super) fn address(key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let networks: Vec<ipnetwork::IpNetwork> = key.map(|k| k.networks.clone()).unwrap_or_default();
    let patterns: Vec<Pattern> = key
        .map(|k| k.patterns.iter().map(|p| Pattern::new(p)).collect())
        .unwrap_or_default();
    let mut near: Vec<IpAddr> = Vec::new();
    for n in &networks {
        match n {
            ipnetwork::IpNetwork::V4(v4) => {
                let lo = u32::from(v4.network());
                let hi = u32::from(v4.broadcast());
                near.push(IpAddr::V4(Ipv4Addr::from(lo.wrapping_sub(1))));
                near.push(IpAddr::V4(Ipv4Addr::from(hi.wrapping_add(1))));
            }
            ipnetwork::IpNetwork::V6(v6) => {
                let lo = u128::from(v6.network());
                let size = 128u32.saturating_sub(u32::from(v6.prefix()));
                let span = if size >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size) - 1
                };
                near.push(IpAddr::V6(Ipv6Addr::from(lo.wrapping_sub(1))));
                near.push(IpAddr::V6(Ipv6Addr::from(
                    lo.wrapping_add(span).wrapping_add(1),
                )));
            }
        }
    }
    let outside = move |a: IpAddr| -> String {
        let ok = |a: &IpAddr| {
            let s = a.to_string();
            !networks.iter().any(|n| n.contains(*a)) && !patterns.iter().any(|p| p.matches(&s))
        };
        if ok(&a) {
            return a.to_string();
        }
        for i in 1u32..=4000 {
            let c = IpAddr::V4(Ipv4Addr::from(
                0x0B00_0000u32.wrapping_add(i.wrapping_mul(0x0101_0101)),
            ));
            if ok(&c) {
                return c.to_string();
            }
        }
        for i in 1u128..=4000 {
            let c = IpAddr::V6(Ipv6Addr::from(
                0x2a05_0000_0000_0000_0000_0000_0000_0000u128 + i * 0x0001_0001_0001_0001_0001,
            ));
            if ok(&c) {
                return c.to_string();
            }
        }
        a.to_string()
    };
    let mut arms: Vec<(u32, BoxedStrategy<IpAddr>)> = vec![
        (
            3,
            any::<u32>()
                .prop_map(|n| IpAddr::V4(Ipv4Addr::from(n)))
                .boxed(),
        ),
        (
            1,
            any::<u128>()
                .prop_map(|n| IpAddr::V6(Ipv6Addr::from(n)))
                .boxed(),
        ),
    ];
    if !near.is_empty() {
        arms.push((3, select(near).boxed()));
    }
    Union::new_weighted(arms).prop_map(outside).boxed()
}

/// Context for turning one key's template into a strategy.
pub(super) struct DraftCtx<'a> {
    pub(super) aim: &'a Aim,
    pub(super) key: Option<&'a KeyFacts>,
    pub(super) services: &'a [String],
    /// Set members are never empty.
    pub(super) set: bool,
    pub(super) time: bool,
}

/// One `|`-alternative of a provenance template.
pub(super) fn draft(template: &str, ctx: &DraftCtx<'_>) -> BoxedStrategy<Vec<Piece>> {
    let mut parts: Vec<BoxedStrategy<Piece>> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(start) = rest.find('{') else {
            parts.push(Just(Piece::Text(rest.to_owned())).boxed());
            break;
        };
        let lit = rest.get(..start).unwrap_or_default();
        if !lit.is_empty() {
            parts.push(Just(Piece::Text(lit.to_owned())).boxed());
        }
        let tail = rest.get(start..).unwrap_or_default();
        let end = tail.find('}').unwrap_or(tail.len());
        let var = tail.get(1..end).unwrap_or_default();
        rest = tail.get(end + 1..).unwrap_or_default();
        let piece: BoxedStrategy<Piece> = match var {
            "account" => Just(Piece::Fresh(FreshVar::Account)).boxed(),
            "org" => Just(Piece::Fresh(FreshVar::Org)).boxed(),
            "tenant" => Just(Piece::Fresh(FreshVar::Tenant)).boxed(),
            "id" => Just(Piece::Fresh(FreshVar::Id)).boxed(),
            // Further assigned identifiers (GitHub's repository and owner IDs): drawn as the
            // second one, which keeps the samples attacker requests.
            "id2" | "id3" | "id4" | "id5" => Just(Piece::Fresh(FreshVar::Id2)).boxed(),
            // The kit's attackers live in the commercial partition.
            "partition" => Just(Piece::Text("aws".to_owned())).boxed(),
            "region" => select(REGIONS)
                .prop_map(|r| Piece::Text(r.to_owned()))
                .boxed(),
            "service" => {
                if ctx.services.is_empty() {
                    Just(Piece::Text("events".to_owned())).boxed()
                } else {
                    select(ctx.services.to_vec()).prop_map(Piece::Text).boxed()
                }
            }
            "ip" => address(ctx.key).prop_map(Piece::Text).boxed(),
            _ if ctx.time => later(ctx.key).prop_map(Piece::Text).boxed(),
            "name" => non_empty(chosen(ctx.aim, ctx.key))
                .prop_map(Piece::Text)
                .boxed(),
            _ if ctx.set => non_empty(chosen(ctx.aim, ctx.key))
                .prop_map(Piece::Text)
                .boxed(),
            _ => chosen(ctx.aim, ctx.key).prop_map(Piece::Text).boxed(),
        };
        parts.push(piece);
    }
    parts.boxed()
}

pub(super) fn key_draft(
    name: &str,
    kind: Kind,
    template: &str,
    ctx: &DraftCtx<'_>,
) -> BoxedStrategy<KeyDraft> {
    let alts: Vec<BoxedStrategy<Vec<Piece>>> = template.split('|').map(|t| draft(t, ctx)).collect();
    let one: BoxedStrategy<Vec<Piece>> = if alts.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        Union::new(alts).boxed()
    };
    let multi = matches!(kind, Kind::Set | Kind::OptionalSet);
    let values: BoxedStrategy<Option<Vec<Vec<Piece>>>> = match kind {
        Kind::Value | Kind::Service => one.prop_map(|d| Some(vec![d])).boxed(),
        Kind::Optional | Kind::Existential => Union::new_weighted(vec![
            (1, Just(None).boxed()),
            (3, one.prop_map(|d| Some(vec![d])).boxed()),
        ])
        .boxed(),
        Kind::Set => vec_of(one, 0..=3).prop_map(Some).boxed(),
        Kind::OptionalSet => Union::new_weighted(vec![
            (1, Just(None).boxed()),
            (3, vec_of(one, 0..=3).prop_map(Some).boxed()),
        ])
        .boxed(),
        Kind::Absent => Just(None).boxed(),
    };
    let name = name.to_owned();
    let service = kind == Kind::Service;
    values
        .prop_map(move |values| KeyDraft {
            name: name.clone(),
            values,
            multi,
            service,
        })
        .boxed()
}

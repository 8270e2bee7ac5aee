//! Value templates: provenance templates expanded into alternatives of literal, chosen and
//! fresh segments, and fresh values substituted into them.

use super::*;

pub(super) fn shape(var: &str) -> FreshShape {
    // `id2` is a second, independent identifier (a user ID beside an app ID).
    match var {
        "account" => FreshShape::Digits(12),
        "org" => FreshShape::OrgId,
        _ => FreshShape::Word,
    }
}

/// Expands a provenance template into alternatives: `|` separates forms, Regions and service
/// names are finite choices, and `{partition}` is the scenario's partition.
pub(super) fn expand(template: &str, services: &[String], partition: &str) -> Vec<Vec<TSeg>> {
    template
        .split('|')
        .flat_map(|t| expand_one(t, services, partition))
        .collect()
}

pub(super) fn expand_one(template: &str, services: &[String], partition: &str) -> Vec<Vec<TSeg>> {
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

pub(super) fn substitute(t: &[TSeg], combo: &[(&'static str, String)]) -> Vec<Seg> {
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

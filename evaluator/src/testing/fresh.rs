//! The property-testing kit: fresh values.

use super::*;

/// The fresh values of one attacker: AWS or a provider assigns them, the attacker cannot pick.
#[derive(Clone, Debug)]
pub(super) struct Fresh {
    pub(super) account: String,
    pub(super) org: String,
    pub(super) tenant: String,
    pub(super) id: String,
    pub(super) id2: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FreshVar {
    Account,
    Org,
    Tenant,
    Id,
    Id2,
}

impl Fresh {
    pub(super) fn get(&self, v: FreshVar) -> &str {
        match v {
            FreshVar::Account => &self.account,
            FreshVar::Org => &self.org,
            FreshVar::Tenant => &self.tenant,
            FreshVar::Id => &self.id,
            FreshVar::Id2 => &self.id2,
        }
    }
}

pub(super) fn fresh_account(candidate: &str, aim: &Aim) -> String {
    let mut digits: String = candidate
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    while digits.len() < 12 {
        digits.push('0');
    }
    let ok = |a: &str| !aim.named_accounts.contains(a) && !aim.excluded.contains(a);
    if ok(&digits) {
        return digits;
    }
    let head: String = digits.chars().take(6).collect();
    let tail: u32 = digits
        .chars()
        .skip(6)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    for i in 1..1_000_000u32 {
        let a = format!("{head}{:06}", (tail + i) % 1_000_000);
        if ok(&a) {
            return a;
        }
    }
    digits
}

pub(super) fn fresh_word(candidate: &str, aim: &Aim) -> String {
    let mut w: String = candidate
        .chars()
        .filter(|c| WORD_CHARS.contains(*c))
        .collect();
    if w.is_empty() {
        w.push('x');
    }
    if !aim.excluded.contains(&w) {
        return w;
    }
    for i in 0..100_000u32 {
        let c = format!("{w}{i}");
        if !aim.excluded.contains(&c) {
            return c;
        }
    }
    w
}

pub(super) fn fresh_org(candidate: &str, aim: &Aim) -> String {
    let mut tail: String = candidate
        .trim_start_matches("o-")
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| ORG_CHARS.contains(*c))
        .collect();
    if tail.is_empty() {
        tail.push('x');
    }
    let org = format!("o-{tail}");
    if !aim.excluded.contains(&org) {
        return org;
    }
    for i in 0..100_000u32 {
        let c = format!("o-{tail}{i}");
        if !aim.excluded.contains(&c) {
            return c;
        }
    }
    org
}

pub(super) fn fresh_values(aim: &Arc<Aim>) -> BoxedStrategy<Fresh> {
    let mut accounts: Vec<(u32, BoxedStrategy<String>)> = vec![(1, text(DIGITS, 12, 12))];
    if !aim.digit_runs.is_empty() {
        accounts.push((
            1,
            (
                select(aim.digit_runs.clone()),
                1..=12usize,
                text(DIGITS, 12, 12),
            )
                .prop_map(|(run, keep, rest)| {
                    let head: String = run.chars().take(keep).collect();
                    let n = head.chars().count();
                    format!(
                        "{head}{}",
                        rest.chars().take(12 - n.min(12)).collect::<String>()
                    )
                })
                .boxed(),
        ));
    }
    let mut words: Vec<(u32, BoxedStrategy<String>)> = vec![(1, text(WORD_CHARS, 1, 12))];
    if !aim.near_words.is_empty() {
        words.push((
            1,
            (
                select(aim.near_words.clone()),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
                text(WORD_CHARS, 0, 3),
            )
                .prop_map(|(v, how, c, at, more)| format!("{}{more}", mutate(&v, how, c, at)))
                .boxed(),
        ));
    }
    let orgs: Vec<(u32, BoxedStrategy<String>)> = {
        let near: Vec<String> = aim
            .excluded
            .iter()
            .filter(|v| v.starts_with("o-"))
            .map(|v| fill(v, ""))
            .collect();
        let mut arms = vec![(1, text(ORG_CHARS, 1, 12))];
        if !near.is_empty() {
            arms.push((
                1,
                (select(near), 2..=14usize, text(ORG_CHARS, 0, 3))
                    .prop_map(|(v, keep, more)| {
                        format!("{}{more}", v.chars().take(keep).collect::<String>())
                    })
                    .boxed(),
            ));
        }
        arms
    };
    let word = Union::new_weighted(words);
    let (a1, a2, a3) = (Arc::clone(aim), Arc::clone(aim), Arc::clone(aim));
    (
        Union::new_weighted(accounts).prop_map(move |a| fresh_account(&a, &a1)),
        Union::new_weighted(orgs).prop_map(move |o| fresh_org(&o, &a2)),
        (word.clone(), word.clone(), word).prop_map(move |(t, i, j)| {
            (
                fresh_word(&t, &a3),
                fresh_word(&i, &a3),
                fresh_word(&j, &a3),
            )
        }),
    )
        .prop_map(|(account, org, (tenant, id, id2))| Fresh {
            account,
            org,
            tenant,
            id,
            id2,
        })
        .boxed()
}

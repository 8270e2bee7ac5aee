//! The property-testing kit: text strategies.

use super::*;

pub(super) fn text(chars: &'static str, min: usize, max: usize) -> BoxedStrategy<String> {
    let alphabet: Vec<char> = chars.chars().collect();
    if alphabet.is_empty() {
        return Just(String::new()).boxed();
    }
    vec_of(select(alphabet), min..=max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// `*` replaced by `fill`, `?` by its first character (or `x`).
pub(super) fn fill(pattern: &str, fill: &str) -> String {
    let one = fill.chars().next().unwrap_or('x');
    pattern
        .chars()
        .flat_map(|c| match c {
            '*' => fill.chars().collect::<Vec<_>>(),
            '?' => vec![one],
            c => vec![c],
        })
        .collect()
}

/// A near miss of `s`: one character dropped, added, changed, or the case flipped.
pub(super) fn mutate(s: &str, how: u8, c: char, at: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let at = if n == 0 { 0 } else { at % n };
    match how % 6 {
        0 => chars.iter().take(n.saturating_sub(1)).collect(),
        1 => chars.iter().copied().chain(std::iter::once(c)).collect(),
        2 => chars
            .iter()
            .map(|x| {
                if x.is_ascii_uppercase() {
                    x.to_ascii_lowercase()
                } else {
                    x.to_ascii_uppercase()
                }
            })
            .collect(),
        3 => chars
            .iter()
            .enumerate()
            .map(|(i, x)| if i == at { c } else { *x })
            .collect(),
        4 => std::iter::once(c).chain(chars.iter().copied()).collect(),
        _ => chars.iter().take(at).collect(),
    }
}

/// Text the attacker chooses for a key: the key's own values and patterns (wildcards filled,
/// near misses, tails after `:` or `/`), other values of the policy, special values, and noise.
pub(super) fn chosen(aim: &Aim, key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
        (2, text(CHOSEN_CHARS, 0, 10)),
        (1, select(SPECIAL).prop_map(str::to_owned).boxed()),
    ];
    let on_key: Vec<String> = key.map(|k| k.values.clone()).unwrap_or_default();
    let mut tails: Vec<String> = Vec::new();
    for v in &on_key {
        for (i, ch) in v.char_indices() {
            if ch == ':' || ch == '/' {
                if let Some(t) = v.get(i + 1..) {
                    push_unique(&mut tails, t);
                }
            }
        }
    }
    if !on_key.is_empty() {
        arms.push((4, select(on_key.clone()).boxed()));
        arms.push((
            3,
            (select(on_key.clone()), text(WORD_CHARS, 0, 4))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
        arms.push((
            2,
            (
                select(on_key),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
            )
                .prop_map(|(v, how, c, at)| mutate(&fill(&v, "a"), how, c, at))
                .boxed(),
        ));
    }
    if !tails.is_empty() {
        arms.push((
            2,
            (select(tails), text(WORD_CHARS, 0, 3))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
    }
    if !aim.texts.is_empty() {
        arms.push((
            1,
            (select(aim.texts.clone()), text(WORD_CHARS, 0, 3))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
    }
    let numbers: Vec<String> = key
        .map(|k| {
            k.values
                .iter()
                .filter_map(|v| v.parse::<f64>().ok())
                .flat_map(|n| [n - 1.0, n, n + 1.0])
                .map(|n| {
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        format!("{}", n as i64)
                    } else {
                        format!("{n}")
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if !numbers.is_empty() {
        arms.push((2, select(numbers).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

pub(super) fn non_empty(s: BoxedStrategy<String>) -> BoxedStrategy<String> {
    s.prop_map(|v| if v.is_empty() { "x".to_owned() } else { v })
        .boxed()
}

/// An IAM role or user name: one of the policy's names, a near miss of one, or a random name.
pub(super) fn iam_name(aim: &Aim) -> BoxedStrategy<String> {
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![(2, text(WORD_CHARS, 1, 12))];
    if !aim.iam_names.is_empty() {
        arms.push((3, select(aim.iam_names.clone()).boxed()));
        arms.push((
            2,
            (
                select(aim.iam_names.clone()),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
            )
                .prop_map(|(v, how, c, at)| mutate(&v, how, c, at))
                .prop_map(|v| if v.is_empty() { "x".to_owned() } else { v })
                .boxed(),
        ));
    }
    Union::new_weighted(arms).boxed()
}

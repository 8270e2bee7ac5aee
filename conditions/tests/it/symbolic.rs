//! The symbolic view of each condition family agrees with its concrete comparison on random
//! values: string and ARN patterns match exactly the request values the operator compares true,
//! the tokens treat every character they do not list alike, and the representatives of the
//! numeric, date, `Bool`, binary and IP families leave no class of request values out.

use proptest::prelude::*;
use trustsim_conditions::symbolic::{self, fold_class, fold_eq, Source, Tok};
use trustsim_conditions::{CompileOptions, Condition, ContextMap};

fn compile(op: &str, key: &str, values: &[String]) -> Option<Condition> {
    Condition::compile(op, key, values, CompileOptions::default()).ok()
}

/// Text drawn from pieces (letters that fold in interesting ways, wildcards, separators).
fn text(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(pieces), 0..max).prop_map(|v| v.concat())
}

const STRING_PIECES: &[&str] = &[
    "a", "A", "k", "K", "\u{212A}", "i", "I", "\u{130}", "\u{131}", "\u{df}", "*", "?", ":",
];
const ARN_PIECES: &[&str] = &["arn", ":", "a", "A", "*", "?", "/", "\u{212A}"];
const COMPONENT_PIECES: &[&str] = &["arn", "a", "A", "*", "?", "/", "\u{212A}"];

/// ARN-like text: six components (sometimes five), the last of which may hold colons.
fn arn_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(text(COMPONENT_PIECES, 3), 4..6),
        text(ARN_PIECES, 4),
        proptest::bool::weighted(0.8),
    )
        .prop_map(|(parts, resource, arn)| {
            let head = if arn {
                "arn".to_owned()
            } else {
                "a*".to_owned()
            };
            format!("{head}:{}:{resource}", parts.join(":"))
        })
}

/// The symbolic view of value 0, checked against the concrete comparison of value 0.
fn agrees(cond: &Condition, source: Source<'_>, ctx: &ContextMap, value: &str) -> bool {
    let concrete = cond.compares(value, 0, ctx);
    let view = symbolic::patterns(cond, source)
        .into_iter()
        .find(|(i, _)| *i == 0)
        .is_some_and(|(_, toks)| symbolic::matches(&toks, value));
    concrete == view
}

proptest! {
    #![proptest_config(crate::config(1500))]

    #[test]
    fn string_patterns_match_what_the_operator_compares(
        op in proptest::sample::select(&["StringEquals", "StringEqualsIgnoreCase", "StringLike",
            "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"][..]),
        pattern in text(STRING_PIECES, 6),
        value in text(STRING_PIECES, 6),
    ) {
        let cond = compile(op, "aws:PrincipalTag/x", std::slice::from_ref(&pattern));
        prop_assume!(cond.is_some());
        let cond = cond.unwrap_or_else(|| unreachable!());
        let ctx = ContextMap::new();
        prop_assert!(agrees(&cond, Source::Literals, &ctx, &value), "{op} {pattern:?} {value:?}");
    }

    #[test]
    fn string_templates_match_what_the_operator_compares(
        op in proptest::sample::select(&["StringEquals", "StringEqualsIgnoreCase", "StringLike"][..]),
        before in text(STRING_PIECES, 3),
        after in text(STRING_PIECES, 3),
        tag in text(STRING_PIECES, 3),
        value in text(STRING_PIECES, 7),
    ) {
        let pattern = format!("{before}${{aws:PrincipalTag/y}}{after}");
        let cond = compile(op, "aws:PrincipalTag/x", std::slice::from_ref(&pattern));
        prop_assume!(cond.is_some());
        let cond = cond.unwrap_or_else(|| unreachable!());
        let mut ctx = ContextMap::new();
        ctx.insert("aws:PrincipalTag/y", tag.as_str());
        prop_assert!(
            agrees(&cond, Source::Templates(&ctx), &ctx, &value),
            "{op} {pattern:?} tag {tag:?} {value:?}"
        );
        // The literal source gives a template value no pattern.
        prop_assert!(symbolic::patterns(&cond, Source::Literals).is_empty());
    }

    #[test]
    fn arn_patterns_match_what_the_operator_compares(
        op in proptest::sample::select(&["ArnLike", "ArnEquals", "ArnNotLike"][..]),
        pattern in arn_text(),
        value in prop_oneof![arn_text(), text(ARN_PIECES, 12)],
    ) {
        let cond = compile(op, "aws:SourceArn", std::slice::from_ref(&pattern));
        prop_assume!(cond.is_some());
        let cond = cond.unwrap_or_else(|| unreachable!());
        let ctx = ContextMap::new();
        prop_assert!(agrees(&cond, Source::Literals, &ctx, &value), "{op} {pattern:?} {value:?}");
    }

    #[test]
    fn arn_templates_match_what_the_operator_compares(
        before in arn_text(),
        tag in text(ARN_PIECES, 4),
        value in prop_oneof![arn_text(), text(ARN_PIECES, 12)],
    ) {
        let pattern = format!("{before}${{aws:PrincipalTag/y}}:*");
        let cond = compile("ArnLike", "aws:SourceArn", std::slice::from_ref(&pattern));
        prop_assume!(cond.is_some());
        let cond = cond.unwrap_or_else(|| unreachable!());
        let mut ctx = ContextMap::new();
        ctx.insert("aws:PrincipalTag/y", tag.as_str());
        prop_assert!(
            agrees(&cond, Source::Templates(&ctx), &ctx, &value),
            "{pattern:?} tag {tag:?} {value:?}"
        );
    }

    /// The solver tries only the characters tokens list, plus one stand-in: that is complete
    /// only if every unlisted character is accepted exactly when the stand-in is.
    #[test]
    fn tokens_treat_unlisted_characters_alike(
        base in proptest::sample::select(&['a', 'k', 'K', 's', 'i', '\u{212A}', '\u{130}', ':', '/'][..]),
        kind in 0u8..6,
        c in any::<char>(),
    ) {
        let tok = match kind {
            0 => Tok::Char(base),
            1 => Tok::Fold(base),
            2 => Tok::One(Some(base)),
            3 => Tok::Run(Some(base)),
            4 => Tok::One(None),
            _ => Tok::Run(None),
        };
        let listed = tok.distinguished();
        let stand_in = '\u{E000}';
        prop_assert!(!listed.contains(&stand_in));
        if !listed.contains(&c) {
            prop_assert_eq!(tok.accepts(c), tok.accepts(stand_in), "{:?} {:?}", tok, c);
        }
    }

    #[test]
    fn fold_classes_are_exactly_the_equal_characters(
        a in prop_oneof![any::<char>(), proptest::sample::select(&['k', 'K', '\u{212A}', 's', '\u{17F}', 'i', '\u{130}'][..])],
        b in prop_oneof![any::<char>(), proptest::sample::select(&['k', 'K', '\u{212A}', 's', '\u{17F}', 'I', '\u{131}'][..])],
    ) {
        prop_assert_eq!(fold_class(a).contains(&b), fold_eq(a, b), "{:?} {:?}", a, b);
    }
}

/// Per condition: does the request value compare true with some policy value?
fn vector(conds: &[Condition], value: &str) -> Vec<bool> {
    let ctx = ContextMap::new();
    conds
        .iter()
        .map(|c| (0..c.raw_values().len()).any(|i| c.compares(value, i, &ctx)))
        .collect()
}

/// Every request value has a representative that every condition treats alike.
fn covered(conds: &[Condition], fresh: bool, value: &str) -> Result<(), String> {
    let refs: Vec<&Condition> = conds.iter().collect();
    let reps = symbolic::representatives(&refs, fresh);
    let want = vector(conds, value);
    if reps.iter().any(|r| vector(conds, r) == want) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} ({want:?}) has no representative among {reps:?}"
        ))
    }
}

fn decimal() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(&["", "-", "+"][..]),
        0u32..30,
        proptest::option::of("[0-9]{1,3}"),
    )
        .prop_map(|(s, i, f)| match f {
            Some(f) => format!("{s}{i}.{f}"),
            None => format!("{s}{i}"),
        })
}

fn instant() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..40, proptest::option::of("[0-9]{1,9}")).prop_map(|(s, f)| match f {
            Some(f) => format!("{s}.{f}"),
            None => s.to_string(),
        }),
        (0u32..3).prop_map(|m| format!("1970-01-01T00:00:{:02}Z", m * 10)),
        Just("x".to_owned()),
    ]
}

fn networks() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            (0u8..4, 0u8..4, 20u8..=32).prop_map(|(a, b, p)| format!("10.0.{a}.{b}/{p}")),
            (0u8..4, 8u8..=24).prop_map(|(a, p)| format!("10.{a}.0.0/{p}")),
            Just("0.0.0.0/0".to_owned()),
            (0u16..4, 32u8..=128).prop_map(|(a, p)| format!("2001:db8::{a:x}/{p}")),
            Just("::/0".to_owned()),
        ],
        1..4,
    )
}

fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..5, 0u8..5, 0u8..5).prop_map(|(a, b, c)| format!("10.{a}.{b}.{c}")),
        (0u8..=255).prop_map(|a| format!("{a}.1.2.3")),
        (0u16..6).prop_map(|a| format!("2001:db8::{a:x}")),
        Just("2a00::1".to_owned()),
        Just("not-an-address".to_owned()),
    ]
}

proptest! {
    #![proptest_config(crate::config(800))]

    #[test]
    fn numeric_representatives_cover_every_class(
        spec in proptest::collection::vec((proptest::sample::select(&["NumericEquals",
            "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
            "NumericGreaterThanEquals", "NumericNotEquals"][..]),
            proptest::collection::vec(decimal(), 1..3)), 1..3),
        value in prop_oneof![decimal(), Just("x".to_owned()), Just("1e3".to_owned())],
    ) {
        let conds: Vec<Condition> = spec.iter().filter_map(|(op, v)| compile(op, "k", v)).collect();
        prop_assert!(covered(&conds, false, &value).is_ok(), "{}", covered(&conds, false, &value).err().unwrap_or_default());
    }

    #[test]
    fn date_representatives_cover_every_class(
        spec in proptest::collection::vec((proptest::sample::select(&["DateEquals",
            "DateLessThan", "DateGreaterThanEquals", "DateNotEquals"][..]),
            proptest::collection::vec(instant(), 1..3)), 1..3),
        value in instant(),
    ) {
        let conds: Vec<Condition> = spec.iter().filter_map(|(op, v)| compile(op, "k", v)).collect();
        prop_assert!(covered(&conds, false, &value).is_ok(), "{}", covered(&conds, false, &value).err().unwrap_or_default());
    }

    #[test]
    fn bool_and_binary_representatives_cover_every_class(
        bools in proptest::collection::vec(proptest::sample::select(&["true", "false", "TRUE"][..]), 0..3),
        bytes in proptest::collection::vec(proptest::collection::vec(0u8..3, 0..3), 0..3),
        value in prop_oneof![
            proptest::sample::select(&["true", "false", "True", "x", ""][..]).prop_map(str::to_owned),
            proptest::collection::vec(0u8..3, 0..3).prop_map(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(b)
            }),
        ],
    ) {
        use base64::Engine;
        let mut conds: Vec<Condition> = bools
            .iter()
            .filter_map(|b| compile("Bool", "k", &[(*b).to_owned()]))
            .collect();
        let encoded: Vec<String> = bytes
            .iter()
            .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
            .collect();
        if !encoded.is_empty() {
            conds.extend(compile("BinaryEquals", "k", &encoded));
        }
        prop_assume!(!conds.is_empty());
        prop_assert!(covered(&conds, false, &value).is_ok(), "{}", covered(&conds, false, &value).err().unwrap_or_default());
    }

    #[test]
    fn ip_representatives_cover_every_class(
        spec in proptest::collection::vec(networks(), 1..3),
        value in address(),
    ) {
        let conds: Vec<Condition> = spec.iter().filter_map(|n| compile("IpAddress", "aws:SourceIp", n)).collect();
        prop_assume!(!conds.is_empty());
        prop_assert!(covered(&conds, false, &value).is_ok(), "{}", covered(&conds, false, &value).err().unwrap_or_default());
    }

    /// A fresh address (the attacker's own) is outside every network that is not `/0`, and one
    /// is given per address family.
    #[test]
    fn fresh_addresses_are_outside_the_specific_networks(spec in proptest::collection::vec(networks(), 1..3)) {
        let conds: Vec<Condition> = spec.iter().filter_map(|n| compile("IpAddress", "aws:SourceIp", n)).collect();
        let refs: Vec<&Condition> = conds.iter().collect();
        let reps = symbolic::representatives(&refs, true);
        prop_assert_eq!(reps.len(), 2, "{:?}", reps);
        let specific: Vec<Condition> = spec
            .iter()
            .flatten()
            .filter(|n| !n.ends_with("/0"))
            .filter_map(|n| compile("IpAddress", "aws:SourceIp", std::slice::from_ref(n)))
            .collect();
        for r in &reps {
            prop_assert!(vector(&specific, r).iter().all(|b| !b), "{} in {:?}", r, spec);
        }
    }
}

#[test]
fn the_kelvin_sign_folds_to_k() {
    assert!(fold_eq('\u{212A}', 'k'));
    assert!(fold_class('k').contains(&'\u{212A}'));
    let cond = compile("StringEqualsIgnoreCase", "k", &["k".to_owned()]);
    assert!(cond.is_some_and(|c| c.compares("\u{212A}", 0, &ContextMap::new())));
}

#[test]
fn numbers_between_close_constants_are_represented() {
    // Floating point would merge these two and miss the value between them.
    let conds: Vec<Condition> = [
        ("NumericGreaterThan", "1.0000000000000001"),
        ("NumericLessThan", "1.0000000000000002"),
    ]
    .iter()
    .filter_map(|(op, v)| compile(op, "k", &[(*v).to_owned()]))
    .collect();
    assert_eq!(conds.len(), 2);
    assert!(covered(&conds, false, "1.00000000000000015").is_ok());
}

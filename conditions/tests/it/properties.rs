//! Property tests: the wildcard matcher against a reference, the documented relations between
//! negated and positive operators, and parsers that never panic.

use proptest::prelude::*;
use trustsim_conditions::family::date::Instant;
use trustsim_conditions::family::numeric::DecimalRef;
use trustsim_conditions::{
    CompileOptions, Condition, ContextMap, Operator, Pattern, PolicyVersion,
};

/// Reference matcher: the textbook dynamic programme over (pattern position, value position).
fn reference(pattern: &[char], value: &[char]) -> bool {
    let (m, n) = (pattern.len(), value.len());
    let mut dp = vec![vec![false; n + 1]; m + 1];
    dp[0][0] = true;
    for i in 1..=m {
        if pattern[i - 1] == '*' {
            dp[i][0] = dp[i - 1][0];
        }
        for j in 1..=n {
            dp[i][j] = match pattern[i - 1] {
                '*' => dp[i - 1][j] || dp[i][j - 1],
                '?' => dp[i - 1][j - 1],
                c => dp[i - 1][j - 1] && c == value[j - 1],
            };
        }
    }
    dp[m][n]
}

fn pattern_strategy(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just("*"),
            Just("?"),
            Just("é"),
            Just(":")
        ],
        0..max,
    )
    .prop_map(|v| v.concat())
}

fn value_strategy(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just("a"), Just("b"), Just("é"), Just(":"), Just("*")],
        0..max,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(crate::config(2000))]

    #[test]
    fn wildcard_agrees_with_reference(p in pattern_strategy(12), v in value_strategy(16)) {
        let pc: Vec<char> = p.chars().collect();
        let vc: Vec<char> = v.chars().collect();
        prop_assert_eq!(Pattern::new(&p).matches(&v), reference(&pc, &vc), "pattern {:?} value {:?}", p, v);
    }
}

proptest! {
    #![proptest_config(crate::config(300))]

    #[test]
    fn long_wildcard_patterns_agree_with_reference(p in pattern_strategy(150), v in value_strategy(160)) {
        let pc: Vec<char> = p.chars().collect();
        let vc: Vec<char> = v.chars().collect();
        prop_assert_eq!(Pattern::new(&p).matches(&v), reference(&pc, &vc));
    }
}

const STRING_PAIRS: &[(&str, &str)] = &[
    ("StringEquals", "StringNotEquals"),
    ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    ("StringLike", "StringNotLike"),
    ("NumericEquals", "NumericNotEquals"),
    ("DateEquals", "DateNotEquals"),
    ("ArnLike", "ArnNotLike"),
    ("ArnEquals", "ArnNotEquals"),
    ("IpAddress", "NotIpAddress"),
];

fn family_values(pos: &str) -> Vec<&'static str> {
    match pos {
        p if p.starts_with("Numeric") => vec!["1", "2", "2.0", "-1", "x"],
        p if p.starts_with("Date") => vec!["2020-01-01", "1577836800", "2021-06-01T00:00:00Z", "x"],
        p if p.starts_with("Arn") => vec![
            "arn:aws:iam::111122223333:role/a",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::444455556666:role/b",
            "arn:aws:s3:::b",
        ],
        p if p.starts_with("Ip") => vec!["10.0.0.0/8", "10.1.2.3", "192.0.2.0/24", "2001:db8::/32"],
        _ => vec!["a", "A", "a*", "b?", "*", ""],
    }
}

fn request_values(pos: &str) -> Vec<&'static str> {
    match pos {
        p if p.starts_with("Numeric") => vec!["1", "2", "-1", "1.0", "abc"],
        p if p.starts_with("Date") => {
            vec!["2020-01-01T00:00:00Z", "1577836800", "2021-06-01", "nope"]
        }
        p if p.starts_with("Arn") => vec![
            "arn:aws:iam::111122223333:role/a",
            "arn:aws:iam::444455556666:role/b",
            "arn:aws:s3:::b",
            "not-an-arn",
        ],
        p if p.starts_with("Ip") => vec!["10.1.2.3", "192.0.2.9", "2001:db8::1", "x"],
        _ => vec!["a", "A", "ab", "bc", ""],
    }
}

/// A request shape: the key absent, or present with some values.
fn shape(max_values: usize) -> impl Strategy<Value = Option<Vec<usize>>> {
    proptest::option::weighted(0.85, proptest::collection::vec(0usize..5, 0..max_values))
}

fn eval(op: &str, policy: &[&str], request: &Option<Vec<&str>>) -> Option<bool> {
    let cond = Condition::compile(op, "k", policy, CompileOptions::default()).ok()?;
    let mut ctx = ContextMap::new();
    if let Some(vals) = request {
        ctx.insert_many("k", vals.iter().copied());
    }
    Some(cond.evaluate(&ctx).result)
}

proptest! {
    #![proptest_config(crate::config(1500))]

    /// Plain operators on one value (or an absent key): the negated operator is exactly the
    /// complement of the positive one. AWS: "Condition operators" (negated matching; an absent
    /// key makes the positive false and the negated true).
    #[test]
    fn plain_negation_is_the_complement_on_one_value(
        pair in 0..STRING_PAIRS.len(),
        pol in proptest::collection::vec(0usize..6, 1..4),
        req in proptest::option::weighted(0.8, 0usize..5),
    ) {
        let (pos, neg) = STRING_PAIRS[pair];
        let pvals = family_values(pos);
        let policy: Vec<&str> = pol.iter().map(|i| pvals[i % pvals.len()]).collect();
        let rvals = request_values(pos);
        let request = req.map(|i| vec![rvals[i % rvals.len()]]);
        let (p, n) = (eval(pos, &policy, &request), eval(neg, &policy, &request));
        if let (Some(p), Some(n)) = (p, n) {
            prop_assert_eq!(n, !p, "{} vs {} policy {:?} request {:?}", pos, neg, policy, request);
        }
    }

    /// Set operators are not complements of each other: `ForAllValues:Not...` is the complement
    /// of `ForAnyValue:...`, and `ForAnyValue:Not...` the complement of `ForAllValues:...`
    /// (De Morgan over the request set), for any request set including absent and empty.
    #[test]
    fn set_qualified_negation_follows_de_morgan(
        pair in 0..STRING_PAIRS.len(),
        pol in proptest::collection::vec(0usize..6, 1..4),
        req in shape(4),
    ) {
        let (pos, neg) = STRING_PAIRS[pair];
        let pvals = family_values(pos);
        let policy: Vec<&str> = pol.iter().map(|i| pvals[i % pvals.len()]).collect();
        let rvals = request_values(pos);
        let request = req.map(|v| v.iter().map(|i| rvals[i % rvals.len()]).collect::<Vec<_>>());
        let all_neg = eval(&format!("ForAllValues:{neg}"), &policy, &request);
        let any_pos = eval(&format!("ForAnyValue:{pos}"), &policy, &request);
        let any_neg = eval(&format!("ForAnyValue:{neg}"), &policy, &request);
        let all_pos = eval(&format!("ForAllValues:{pos}"), &policy, &request);
        if let (Some(a), Some(b)) = (all_neg, any_pos) {
            prop_assert_eq!(a, !b, "ForAllValues:{} vs ForAnyValue:{} {:?} {:?}", neg, pos, policy, request);
        }
        if let (Some(a), Some(b)) = (any_neg, all_pos) {
            prop_assert_eq!(a, !b, "ForAnyValue:{} vs ForAllValues:{} {:?} {:?}", neg, pos, policy, request);
        }
        // Where they are NOT complements: on a set with one value inside and one outside the
        // policy set, ForAllValues of both is false and ForAnyValue of both is true.
    }

    /// `IfExists` changes nothing when the key is present, and makes an absent key true (a plain
    /// operator reads a key with no values as absent).
    #[test]
    fn if_exists_only_changes_absent_keys(
        pair in 0..STRING_PAIRS.len(),
        negated in any::<bool>(),
        qualifier in 0usize..3,
        pol in proptest::collection::vec(0usize..6, 1..4),
        req in shape(4),
    ) {
        let base = if negated { STRING_PAIRS[pair].1 } else { STRING_PAIRS[pair].0 };
        let q = ["", "ForAllValues:", "ForAnyValue:"][qualifier];
        let pvals = family_values(base);
        let policy: Vec<&str> = pol.iter().map(|i| pvals[i % pvals.len()]).collect();
        let rvals = request_values(base);
        let request = req.map(|v| v.iter().map(|i| rvals[i % rvals.len()]).collect::<Vec<_>>());
        let plain = eval(&format!("{q}{base}"), &policy, &request);
        let if_exists = eval(&format!("{q}{base}IfExists"), &policy, &request);
        match &request {
            None => prop_assert_eq!(if_exists, plain.map(|_| true)),
            Some(v) if v.is_empty() && q.is_empty() => prop_assert_eq!(if_exists, plain.map(|_| true)),
            Some(_) => prop_assert_eq!(if_exists, plain),
        }
    }

    /// Exact decimal comparison agrees with integer comparison.
    #[test]
    fn numeric_comparison_agrees_with_integers(a in -100_000i64..100_000, b in -100_000i64..100_000, zeros in 0usize..3) {
        let pad = |x: i64| if x < 0 { format!("-{}{}", "0".repeat(zeros), -x) } else { format!("{}{}", "0".repeat(zeros), x) };
        let (pa, pb) = (pad(a), pad(b));
        let da = DecimalRef::parse(&pa);
        let db = DecimalRef::parse(&pb);
        prop_assert!(da.is_some() && db.is_some());
        prop_assert_eq!(da.cmp(&db), a.cmp(&b));
        let fa = format!("{a}.50");
        let fb = format!("{b}.5");
        prop_assert_eq!(DecimalRef::parse(&fa).cmp(&DecimalRef::parse(&fb)), a.cmp(&b));
    }

    /// Every ISO 8601 spelling of an instant equals its epoch seconds.
    #[test]
    fn date_forms_agree(secs in -2_000_000_000i64..4_000_000_000, offset_min in -720i32..720) {
        let offset = chrono::FixedOffset::east_opt(offset_min * 60);
        prop_assume!(offset.is_some());
        let dt = chrono::DateTime::from_timestamp(secs, 0);
        prop_assume!(dt.is_some());
        let (Some(offset), Some(dt)) = (offset, dt) else { return Ok(()); };
        let local = dt.with_timezone(&offset);
        let iso = local.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        prop_assume!(!iso.starts_with('-'));
        prop_assert_eq!(Instant::parse(&iso), Some(Instant::from_epoch_seconds(secs)), "{}", iso);
        if secs >= 0 {
            prop_assert_eq!(Instant::parse(&secs.to_string()), Some(Instant::from_epoch_seconds(secs)));
        }
    }

    /// Parsing and compiling never panic, whatever the input.
    #[test]
    fn parsers_never_panic(op in ".{0,40}", key in ".{0,20}", vals in proptest::collection::vec(".{0,40}", 0..4), v in ".{0,40}") {
        let _ = Operator::parse(&op);
        let _ = Instant::parse(&v);
        let _ = DecimalRef::parse(&v);
        let _ = Pattern::new(&v).matches(&op);
        for version in [PolicyVersion::V2012_10_17, PolicyVersion::V2008_10_17] {
            if let Ok(c) = Condition::compile(&op, &key, &vals, CompileOptions { version }) {
                let mut ctx = ContextMap::new();
                ctx.insert(&key, v.clone());
                let o = c.evaluate(&ctx);
                let _ = c.explain(&o, &ctx);
            }
        }
    }

    /// Compiling well-formed operators with arbitrary values never panics either.
    #[test]
    fn known_operators_with_arbitrary_values(op in 0usize..27, q in 0usize..3, ie in any::<bool>(), vals in proptest::collection::vec("[a-z0-9:/*?${}.,' -]{0,30}", 1..4), v in "[a-z0-9:/*?${}.-]{0,30}") {
        let base = trustsim_conditions::BaseOperator::ALL[op % trustsim_conditions::BaseOperator::ALL.len()];
        let text = format!("{}{}{}", ["", "ForAllValues:", "ForAnyValue:"][q], base.name(), if ie { "IfExists" } else { "" });
        if let Ok(c) = Condition::compile(&text, "aws:SourceArn", &vals, CompileOptions::default()) {
            let mut ctx = ContextMap::new();
            ctx.insert("aws:SourceArn", v.clone());
            ctx.insert("aws:username", v);
            let o = c.evaluate(&ctx);
            prop_assert!(!c.explain(&o, &ctx).is_empty());
        }
    }
}

#[test]
fn set_operators_are_not_complements_of_each_other() {
    // One request value inside the policy set and one outside.
    let req = Some(vec!["a", "x"]);
    assert_eq!(eval("ForAllValues:StringEquals", &["a"], &req), Some(false));
    assert_eq!(
        eval("ForAllValues:StringNotEquals", &["a"], &req),
        Some(false)
    );
    assert_eq!(eval("ForAnyValue:StringEquals", &["a"], &req), Some(true));
    assert_eq!(
        eval("ForAnyValue:StringNotEquals", &["a"], &req),
        Some(true)
    );
    // An absent key: ForAllValues of both true, ForAnyValue of both false.
    assert_eq!(eval("ForAllValues:StringEquals", &["a"], &None), Some(true));
    assert_eq!(
        eval("ForAllValues:StringNotEquals", &["a"], &None),
        Some(true)
    );
    assert_eq!(eval("ForAnyValue:StringEquals", &["a"], &None), Some(false));
    assert_eq!(
        eval("ForAnyValue:StringNotEquals", &["a"], &None),
        Some(false)
    );
}

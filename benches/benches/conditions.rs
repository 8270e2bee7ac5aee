//! Operator families and the wildcard matcher, including adversarial patterns. Each bench
//! asserts its result inside the timed closure, so a bench cannot measure a wrong answer.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use trustsim_conditions::{CompileOptions, Condition, ContextMap, Pattern};

fn condition(op: &str, key: &str, values: &[&str]) -> Condition {
    match Condition::compile(op, key, values, CompileOptions::default()) {
        Ok(c) => c,
        Err(e) => unreachable!("bench condition does not compile: {e}"),
    }
}

fn families(c: &mut Criterion) {
    let mut ctx = ContextMap::new();
    ctx.insert("aws:SourceAccount", "111122223333");
    ctx.insert(
        "aws:SourceArn",
        "arn:aws:events:us-east-1:111122223333:rule/nightly",
    );
    ctx.insert("sts:DurationSeconds", "3600");
    ctx.insert("aws:CurrentTime", "2026-11-22T02:20:00Z");
    ctx.insert("aws:MultiFactorAuthPresent", "true");
    ctx.insert("aws:SourceIp", "203.0.113.77");
    ctx.insert("aws:username", "alice");
    ctx.insert("s3:prefix", "home/alice/docs/report.pdf");
    ctx.insert_many("aws:TagKeys", ["team", "env", "owner"]);
    let cases: Vec<(&str, Condition, bool)> = vec![
        (
            "StringEquals",
            condition(
                "StringEquals",
                "aws:SourceAccount",
                &["444455556666", "111122223333"],
            ),
            true,
        ),
        (
            "StringNotEquals",
            condition("StringNotEquals", "aws:SourceAccount", &["111122223333"]),
            false,
        ),
        (
            "StringLike",
            condition(
                "StringLike",
                "aws:SourceArn",
                &["arn:aws:events:*:111122223333:rule/*"],
            ),
            true,
        ),
        (
            "StringLike with variable",
            condition("StringLike", "s3:prefix", &["home/${aws:username}/*"]),
            true,
        ),
        (
            "ArnLike",
            condition(
                "ArnLike",
                "aws:SourceArn",
                &["arn:aws:events:*:111122223333:rule/*"],
            ),
            true,
        ),
        (
            "NumericLessThanEquals",
            condition("NumericLessThanEquals", "sts:DurationSeconds", &["3600"]),
            true,
        ),
        (
            "DateLessThan",
            condition("DateLessThan", "aws:CurrentTime", &["2027-01-01T00:00:00Z"]),
            true,
        ),
        (
            "Bool",
            condition("Bool", "aws:MultiFactorAuthPresent", &["true"]),
            true,
        ),
        (
            "IpAddress",
            condition(
                "IpAddress",
                "aws:SourceIp",
                &["198.51.100.0/24", "203.0.113.0/24"],
            ),
            true,
        ),
        (
            "ForAllValues:StringEquals",
            condition(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["team", "env", "owner", "cost"],
            ),
            true,
        ),
        (
            "Null",
            condition("Null", "aws:SourceAccount", &["false"]),
            true,
        ),
    ];
    let mut group = c.benchmark_group("operator");
    for (name, cond, want) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let got = black_box(cond).evaluate(black_box(&ctx)).result;
                assert_eq!(got, *want);
            })
        });
    }
    group.finish();
}

fn wildcard(c: &mut Criterion) {
    let long_a = "a".repeat(4096);
    let long_ab = format!("{long_a}b");
    let many_stars = "*a".repeat(10) + "*b";
    let question_run = format!("*{}b", "?".repeat(60));
    let wide = format!("*{}*", "a?".repeat(100));
    let cases: Vec<(&str, Pattern, &str, bool)> = vec![
        (
            "exact",
            Pattern::new("arn:aws:iam::111122223333:role/ci"),
            "arn:aws:iam::111122223333:role/ci",
            true,
        ),
        (
            "prefix",
            Pattern::new("repo:octo-org/*"),
            "repo:octo-org/app:ref:refs/heads/main",
            true,
        ),
        (
            "typical",
            Pattern::new("repo:octo-org/*:ref:refs/heads/main"),
            "repo:octo-org/app:ref:refs/heads/main",
            true,
        ),
        (
            "(*a)x10 *b vs 4096 a (miss)",
            Pattern::new(&many_stars),
            &long_a,
            false,
        ),
        (
            "(*a)x10 *b vs 4096 a + b (hit)",
            Pattern::new(&many_stars),
            &long_ab,
            true,
        ),
        (
            "* ?x60 b vs 4096 a",
            Pattern::new(&question_run),
            &long_a,
            false,
        ),
        (
            "*(a?)x100* (4 words) vs 4096 a",
            Pattern::new(&wide),
            &long_a,
            true,
        ),
    ];
    let mut group = c.benchmark_group("wildcard");
    for (name, pattern, value, want) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let got = black_box(pattern).matches(black_box(value));
                assert_eq!(got, *want);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, families, wildcard);
criterion_main!(benches);

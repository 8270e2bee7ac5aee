//! Concrete evaluation of typical trust policies against allowed and denied requests. Each
//! bench asserts its decision inside the timed closure.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trustsim_benches::{FIVE_STATEMENTS, TWO_CONDITIONS};
use trustsim_evaluator::{decide, evaluate, Decision, Request, TrustPolicy};

fn policy(text: &str) -> TrustPolicy {
    match TrustPolicy::from_json(text) {
        Ok(p) => p,
        Err(e) => unreachable!("bench policy: {e}"),
    }
}

fn request(v: serde_json::Value) -> Request {
    match Request::from_value(&v) {
        Ok(r) => r,
        Err(e) => unreachable!("bench request: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let two = policy(TWO_CONDITIONS);
    let five = policy(FIVE_STATEMENTS);
    let owner = request(
        serde_json::json!({"principal": {"Service": "events.amazonaws.com"},
        "context": {"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/nightly"}}),
    );
    let forged = request(
        serde_json::json!({"principal": {"Service": "events.amazonaws.com"},
        "context": {"aws:SourceAccount": "444455556666", "aws:SourceArn": "arn:aws:events:us-east-1:444455556666:rule/x"}}),
    );
    let github = request(
        serde_json::json!({"action": "sts:AssumeRoleWithWebIdentity",
        "principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "context": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main",
                    "aws:SourceIp": "203.0.113.9"}}),
    );
    let blocked = request(
        serde_json::json!({"principal": "arn:aws:iam::444455556666:user/bob",
        "context": {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "198.51.100.7"}}),
    );
    let cases = [
        ("two conditions, allowed", &two, &owner, Decision::Allow),
        (
            "two conditions, forged (denied)",
            &two,
            &forged,
            Decision::ImplicitDeny,
        ),
        (
            "five statements, GitHub allowed",
            &five,
            &github,
            Decision::Allow,
        ),
        (
            "five statements, explicit deny",
            &five,
            &blocked,
            Decision::ExplicitDeny,
        ),
    ];
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(1));
    for (name, p, r, want) in cases {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(decide(black_box(p), black_box(r)), want))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("evaluate with trace");
    for (name, p, r, want) in cases {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(evaluate(black_box(p), black_box(r)).decision, want))
        });
    }
    group.finish();
    c.bench_function("parse two-condition policy", |b| {
        b.iter(|| assert_eq!(policy(black_box(TWO_CONDITIONS)).statements.len(), 1))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

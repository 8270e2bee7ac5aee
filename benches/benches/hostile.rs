//! Hostile inputs: time against input size, for evaluation and analysis. Each group grows one
//! dimension an attacker controls (wildcards in a pattern, the length of a value, networks in a
//! CIDR list, statements, condition keys, patterns on one key, numeric keys, YAML nesting) so that the figures
//! show whether the cost stays linear, or stays under a bound where the analysis reports
//! `exact: false`. No timing is asserted: read the figures (`cargo bench -p trustsim-benches
//! --bench hostile`), as `docs/errors.md` does.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use serde_json::{json, Value};
use trustsim_benches::hostile;
use trustsim_evaluator::{analyze, decide, AnalysisOptions, Decision, Request, TrustPolicy};

fn policy(v: &Value) -> TrustPolicy {
    match TrustPolicy::from_value(v) {
        Ok(p) => p,
        Err(e) => unreachable!("bench policy: {e}"),
    }
}

fn request(v: Value) -> Request {
    match Request::from_value(&v) {
        Ok(r) => r,
        Err(e) => unreachable!("bench request: {e}"),
    }
}

fn evaluation(c: &mut Criterion) {
    // A pattern with n wildcards against a value of 8,192 characters it almost matches.
    let mut g = c.benchmark_group("hostile/evaluate: wildcards in a pattern (value 8,192 chars)");
    for n in [1usize, 10, 100, 1000, 4000] {
        let p = policy(&hostile::stars(n));
        let r = request(json!({"action": "sts:AssumeRoleWithWebIdentity",
            "principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
            "context": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": hostile::long_value(8192)}}));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| assert_eq!(decide(black_box(&p), black_box(&r)), Decision::ImplicitDeny));
        });
    }
    g.finish();
    // The same pattern (100 wildcards) against values of growing length.
    let mut g = c.benchmark_group("hostile/evaluate: value length (100 wildcards)");
    let p = policy(&hostile::stars(100));
    for n in [100usize, 1000, 10_000, 65_000] {
        let r = request(json!({"action": "sts:AssumeRoleWithWebIdentity",
            "principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
            "context": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": hostile::long_value(n)}}));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| assert_eq!(decide(black_box(&p), black_box(&r)), Decision::ImplicitDeny));
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hostile/evaluate: networks in a CIDR list");
    for n in [10usize, 100, 1000, 5000] {
        let p = policy(&hostile::cidrs(n));
        let r = request(json!({"principal": "arn:aws:iam::444455556666:user/bob",
            "context": {"aws:SourceIp": "192.0.2.1"}}));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| assert_eq!(decide(black_box(&p), black_box(&r)), Decision::ImplicitDeny));
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hostile/evaluate: statements");
    for n in [10usize, 100, 800] {
        let p = policy(&hostile::statements(n));
        let r = request(json!({"principal": "arn:aws:iam::999988887777:user/eve"}));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| assert_eq!(decide(black_box(&p), black_box(&r)), Decision::ImplicitDeny));
        });
    }
    g.finish();
}

fn analysis(c: &mut Criterion) {
    let options = AnalysisOptions {
        account: Some("111122223333".to_owned()),
        ..Default::default()
    };
    type Make = fn(usize) -> Value;
    let groups: [(&str, Make, &[usize]); 7] = [
        (
            "wildcards in a pattern",
            hostile::stars,
            &[1, 10, 100, 1000],
        ),
        (
            "networks in a CIDR list",
            hostile::cidrs,
            &[10, 100, 1000, 5000],
        ),
        ("statements", hostile::statements, &[10, 100, 300, 800]),
        ("condition keys", hostile::keys, &[1, 10, 100, 1000]),
        (
            "condition keys of ten values",
            hostile::keys_of_ten,
            &[10, 100, 1000],
        ),
        ("patterns on one key", hostile::patterns, &[10, 100, 1000]),
        (
            "numeric keys",
            hostile::numeric_keys,
            &[1, 4, 16, 100, 1000],
        ),
    ];
    for (name, make, sizes) in groups {
        let mut g = c.benchmark_group(format!("hostile/analyze: {name}"));
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(3));
        for n in sizes {
            let p = policy(&make(*n));
            g.bench_with_input(BenchmarkId::from_parameter(n), n, |b, _| {
                b.iter(|| {
                    let a = analyze(black_box(&p), black_box(&options));
                    assert_eq!(a.threats.len(), 5);
                })
            });
        }
        g.finish();
    }
}

/// Reading hostile YAML: flow collections nested `n` deep (`[[[...]]]`), refused at the depth
/// limit before the parser sees them, and a block sequence nested as deep (`- - - x`).
fn yaml(c: &mut Criterion) {
    let mut g = c.benchmark_group("hostile/read: YAML nested n deep");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    for n in [100usize, 10_000, 100_000] {
        for (form, text) in [
            ("flow", format!("a: {}1{}\n", "[".repeat(n), "]".repeat(n))),
            ("block", format!("{}x\n", "- ".repeat(n))),
        ] {
            g.bench_with_input(BenchmarkId::new(form, n), &text, |b, text| {
                b.iter(|| {
                    let r = trustsim_evaluator::sources::read_value(
                        black_box(text),
                        std::path::Path::new("t.yaml"),
                    );
                    assert!(r.is_err());
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, evaluation, analysis, yaml);
criterion_main!(benches);

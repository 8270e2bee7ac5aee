//! `analysis::diff` (the decision procedure of `trustsim diff`) on typical pairs: a change that
//! widens one class, and a policy against itself (unchanged, proved). Each bench checks the
//! change inside the timed closure.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use trustsim_benches::{FIVE_STATEMENTS, TWO_CONDITIONS};
use trustsim_evaluator::analysis::diff::{diff, Change};
use trustsim_evaluator::{AnalysisOptions, Threat, TrustPolicy};

fn policy(text: &str) -> TrustPolicy {
    match TrustPolicy::from_json(text) {
        Ok(p) => p,
        Err(e) => unreachable!("bench policy: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let options = AnalysisOptions {
        account: Some("111122223333".to_owned()),
        ..Default::default()
    };
    let fixed = policy(TWO_CONDITIONS);
    let open = policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "TrustEvents", "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#,
    );
    let five = policy(FIVE_STATEMENTS);
    let mut group = c.benchmark_group("diff (5 classes)");
    group.bench_function("two conditions -> none (forged-service widened)", |b| {
        b.iter(|| {
            let d = diff(black_box(&fixed), black_box(&open), &options);
            assert_eq!(d.class(Threat::ForgedService).change(), Change::Widened);
        })
    });
    group.bench_function("two conditions, unchanged", |b| {
        b.iter(|| {
            let d = diff(black_box(&fixed), black_box(&fixed), &options);
            assert!(!d.widened());
        })
    });
    group.bench_function("five statements, unchanged", |b| {
        b.iter(|| {
            let d = diff(black_box(&five), black_box(&five), &options);
            assert!(!d.widened());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

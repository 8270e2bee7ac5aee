//! All five threats for typical trust policies. Each bench checks a known verdict inside the
//! timed closure.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use trustsim_benches::TYPICAL;
use trustsim_evaluator::{analyze, AnalysisOptions, Threat, TrustPolicy, Verdict};

fn bench(c: &mut Criterion) {
    let options = AnalysisOptions {
        account: Some("111122223333".to_owned()),
        ..Default::default()
    };
    let mut group = c.benchmark_group("analyze (5 threats)");
    for (name, text) in TYPICAL {
        let policy = match TrustPolicy::from_json(text) {
            Ok(p) => p,
            Err(e) => unreachable!("bench policy {name}: {e}"),
        };
        let expected = analyze(&policy, &options);
        let forged = expected.result(Threat::ForgedService).verdict;
        group.bench_function(*name, |b| {
            b.iter(|| {
                let a = analyze(black_box(&policy), black_box(&options));
                assert_eq!(a.threats.len(), 5);
                assert_eq!(a.result(Threat::ForgedService).verdict, forged);
            })
        });
    }
    group.finish();
    // Policies the fuzzers found slow (fuzz/open/), with the verdicts they give today.
    let mut slow = c.benchmark_group("analyze (5 threats), found slow by fuzzing");
    slow.sample_size(10);
    let found: &[(&str, &str)] = &[(
        "analysis_built: six statements, NotAction, ForAnyValue/ForAllValues denies",
        include_str!("../../fuzz/open/analysis_built/slow-over-10s.policy.json"),
    )];
    for (name, text) in found {
        let policy = match TrustPolicy::from_json(text) {
            Ok(p) => p,
            Err(e) => unreachable!("fuzz policy {name}: {e}"),
        };
        let expected = analyze(&policy, &options);
        let verdicts: Vec<Verdict> = expected.threats.iter().map(|t| t.verdict).collect();
        slow.bench_function(*name, |b| {
            b.iter(|| {
                let a = analyze(black_box(&policy), black_box(&options));
                let got: Vec<Verdict> = a.threats.iter().map(|t| t.verdict).collect();
                assert_eq!(got, verdicts);
            })
        });
    }
    slow.finish();
    // The verdicts the bench measures, checked once outside the timing.
    let check = |i: usize, t: Threat, v: Verdict| {
        let Some((name, text)) = TYPICAL.get(i) else {
            unreachable!("no bench policy {i}");
        };
        let p = TrustPolicy::from_json(text).ok();
        let got = p
            .map(|p| analyze(&p, &options))
            .map(|a| a.result(t).verdict);
        assert_eq!(got, Some(v), "{name}");
    };
    check(0, Threat::ForgedService, Verdict::Exposed);
    check(1, Threat::ForgedService, Verdict::Restricted);
    check(2, Threat::ConfusedDeputy, Verdict::Restricted);
    check(3, Threat::Federated, Verdict::Restricted);
    check(4, Threat::Public, Verdict::Restricted);
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The whole corpus through trustsim: every policy parses (or fails with the error
//! `expected.json` records for it), every verdict written by hand in `expected.json` holds,
//! every witness is allowed by the concrete evaluator, every fix is proven by re-analysis, and
//! the full analysis of every policy matches its insta snapshot (`tests/it/snapshots/`), so any
//! change in a verdict, witness, explanation or fix shows up in review. The findings table in
//! `README.md` is recomputed here and must match.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use trustsim_corpus::{manifest, policy_path, read, root, Entry};
use trustsim_evaluator::analysis::analyze_threat;
use trustsim_evaluator::{
    analyze, evaluate, Analysis, AnalysisOptions, Decision, Threat, TrustPolicy, Verdict,
};

/// The owner account that the corpus's placeholders use for the role's own account.
const OWNER: &str = "111122223333";

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..Default::default()
    }
}

/// What `expected.json` says of one policy.
struct Expected {
    /// The JSON Pointer of the element trustsim must reject, with the reason.
    error: Option<(String, String)>,
    /// Threat name → (verdict, reason). Threats not listed must be `not-applicable`.
    threats: BTreeMap<String, (String, String)>,
}

fn expected() -> BTreeMap<String, Expected> {
    let path = root().join("expected.json");
    let v: Value = serde_json::from_str(&read(&path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for (id, entry) in v.as_object().expect("expected.json is an object") {
        let entry = entry.as_object().expect("an entry is an object");
        let mut e = Expected {
            error: None,
            threats: BTreeMap::new(),
        };
        for (k, val) in entry {
            let pair = |v: &Value, field: &str| -> (String, String) {
                let s = |f: &str| {
                    v.get(f)
                        .and_then(Value::as_str)
                        .unwrap_or_else(|| panic!("{id}/{k}: missing \"{f}\""))
                        .to_owned()
                };
                (s(field), s("why"))
            };
            if k == "error" {
                e.error = Some(pair(val, "pointer"));
            } else {
                assert!(
                    Threat::from_name(k).is_some(),
                    "{id}: unknown threat name {k:?}"
                );
                let (verdict, why) = pair(val, "verdict");
                assert!(!why.trim().is_empty(), "{id}/{k}: the reason is empty");
                e.threats.insert(k.clone(), (verdict, why));
            }
        }
        out.insert(id.clone(), e);
    }
    out
}

/// A parsed corpus policy with its analysis, or the error trustsim gave.
struct Outcome {
    entry: Entry,
    /// The document, when the file is JSON at all.
    document: Option<Value>,
    result: Result<(TrustPolicy, Analysis), trustsim_evaluator::PolicyError>,
}

fn outcomes() -> Vec<Outcome> {
    manifest()
        .unwrap()
        .into_iter()
        .map(|entry| {
            let text = read(&policy_path(&entry.id)).unwrap();
            let document = serde_json::from_str(&text).ok();
            let result = TrustPolicy::from_json(&text).map(|p| {
                let a = analyze(&p, &options());
                (p, a)
            });
            Outcome {
                entry,
                document,
                result,
            }
        })
        .collect()
}

#[test]
fn manifest_and_files_agree() {
    let entries = manifest().unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let listed: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(
        listed.len(),
        ids.len(),
        "an id is listed twice in manifest.json"
    );
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "manifest.json is kept sorted by id");
    let files: BTreeSet<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .map(|f| {
            let name = f.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json")
                .unwrap_or_else(|| panic!("policies/{name}: not a .json file"))
                .to_owned()
        })
        .collect();
    let files: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    assert_eq!(listed, files, "manifest.json and policies/ list other ids");
    for e in &entries {
        assert!(!e.source.trim().is_empty(), "{}: no source", e.id);
        assert!(!e.licence.trim().is_empty(), "{}: no licence", e.id);
    }
    // Distinct documents, not the same policy under two names.
    let mut seen = BTreeMap::new();
    for e in &entries {
        let text = read(&policy_path(&e.id)).unwrap();
        let canonical = serde_json::from_str(&text).map_or(text, |v| canonical(&v));
        if let Some(other) = seen.insert(canonical, e.id.clone()) {
            panic!("{} and {other} are the same document", e.id);
        }
    }
    let expected = expected();
    for id in expected.keys() {
        assert!(
            listed.contains(id.as_str()),
            "expected.json names {id}, not in the corpus"
        );
    }
}

/// Key order and white space removed, so that two spellings of one document compare equal.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, String> =
                m.iter().map(|(k, v)| (k, canonical(v))).collect();
            let body: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String((*k).clone())))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[test]
fn every_policy_parses_or_fails_as_recorded() {
    let expected = expected();
    let mut problems = Vec::new();
    for o in outcomes() {
        let want = expected.get(&o.entry.id).and_then(|e| e.error.as_ref());
        match (&o.result, want) {
            (Ok(_), None) => {}
            (Ok(_), Some((pointer, _))) => problems.push(format!(
                "{}: parsed, but expected.json records an error at {pointer}",
                o.entry.id
            )),
            (Err(e), None) => problems.push(format!(
                "{}: rejected ({e}); record it in expected.json if that is right",
                o.entry.id
            )),
            (Err(e), Some((pointer, _))) => {
                if e.pointer.as_str() != pointer {
                    problems.push(format!(
                        "{}: rejected at {} ({e}), expected at {pointer}",
                        o.entry.id, e.pointer
                    ));
                }
                // The pointer must name an element that is really there.
                let there = o
                    .document
                    .as_ref()
                    .is_none_or(|d| d.pointer(e.pointer.as_str()).is_some());
                if !there {
                    problems.push(format!(
                        "{}: the error's pointer {} names no element",
                        o.entry.id, e.pointer
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hand_written_verdicts_hold() {
    let expected = expected();
    let with_verdicts = expected.values().filter(|e| e.error.is_none()).count();
    assert!(
        with_verdicts >= 60,
        "expected.json gives verdicts for {with_verdicts} policies; at least 60 are wanted"
    );
    let mut problems = Vec::new();
    for o in outcomes() {
        let (Some(want), Ok((_, analysis))) = (expected.get(&o.entry.id), &o.result) else {
            continue;
        };
        if want.error.is_some() {
            continue;
        }
        for t in &analysis.threats {
            let name = t.threat.name();
            let (verdict, why) = want
                .threats
                .get(name)
                .map_or(("not-applicable", "not listed"), |(v, w)| {
                    (v.as_str(), w.as_str())
                });
            if t.verdict.name() != verdict {
                problems.push(format!(
                    "{} {name}: trustsim says {}, expected.json says {verdict} ({why}); trustsim: {}",
                    o.entry.id,
                    t.verdict.name(),
                    t.explanation
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_witness_is_allowed_and_every_fix_is_proven() {
    let mut witnesses = 0;
    let mut fixes = 0;
    let mut problems = Vec::new();
    for o in outcomes() {
        let Ok((policy, analysis)) = &o.result else {
            continue;
        };
        for t in &analysis.threats {
            let name = t.threat.name();
            let open = matches!(t.verdict, Verdict::Exposed | Verdict::Partial);
            match (&t.witness, open) {
                (Some(w), true) => {
                    witnesses += 1;
                    let decision = evaluate(policy, w).decision;
                    if decision != Decision::Allow {
                        problems.push(format!(
                            "{} {name}: witness {} is {decision:?}",
                            o.entry.id,
                            w.to_json()
                        ));
                    }
                }
                (None, true) => problems.push(format!("{} {name}: no witness", o.entry.id)),
                (Some(_), false) => {
                    problems.push(format!(
                        "{} {name}: a witness for {:?}",
                        o.entry.id, t.verdict
                    ));
                }
                (None, false) => {}
            }
            if let Some(fix) = &t.fix {
                fixes += 1;
                let verdict = TrustPolicy::from_value(fix)
                    .map(|p| analyze_threat(&p, t.threat, &options()).verdict);
                if !matches!(verdict, Ok(Verdict::Restricted | Verdict::NotApplicable)) {
                    problems.push(format!("{} {name}: the fix gives {verdict:?}", o.entry.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(witnesses > 0 && fixes > 0, "the corpus has open threats");
}

#[test]
fn analysis_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for o in outcomes() {
            let body = match &o.result {
                Ok((_, a)) => serde_json::to_string_pretty(&serde_json::json!({
                    "account": a.account,
                    "notes": a.notes,
                    "threats": a.threats_json(),
                }))
                .unwrap(),
                Err(e) => format!("error: {e}\nhelp: {}", e.help.as_deref().unwrap_or("-")),
            };
            insta::assert_snapshot!(o.entry.id.clone(), body);
        }
    });
}

/// Which policies a row of the findings table counts.
type Filter = fn(&Outcome) -> bool;

/// The table in README.md between the markers, recomputed.
#[test]
fn readme_findings_table_is_current() {
    let outcomes = outcomes();
    let analyses: Vec<(&Outcome, &Analysis)> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|(_, a)| (o, a)))
        .collect();
    let count = |threat: Threat, verdict: Verdict, only: Filter| {
        analyses
            .iter()
            .filter(|(o, a)| only(o) && a.result(threat).verdict == verdict)
            .count()
    };
    let any: Filter = |_| true;
    let github: Filter = |o| {
        o.document
            .as_ref()
            .is_some_and(|d| trusts_provider(d, "token.actions.githubusercontent.com"))
    };
    let rows: Vec<(String, Threat, Filter)> = vec![
        (
            "trust an AWS service principal".to_owned(),
            Threat::ForgedService,
            any,
        ),
        (
            "trust a principal of another account".to_owned(),
            Threat::ConfusedDeputy,
            any,
        ),
        (
            "trust GitHub Actions (OIDC)".to_owned(),
            Threat::Federated,
            github,
        ),
        (
            "trust any identity provider".to_owned(),
            Threat::Federated,
            any,
        ),
        ("trust `\"*\"`".to_owned(), Threat::Public, any),
    ];
    let mut table = String::from(
        "| policies that ... | threat | all | exposed | partial | restricted |\n|---|---|---|---|---|---|\n",
    );
    for (label, threat, only) in &rows {
        let [e, p, r] = [Verdict::Exposed, Verdict::Partial, Verdict::Restricted]
            .map(|v| count(*threat, v, *only));
        table.push_str(&format!(
            "| {label} | `{}` | {} | {e} | {p} | {r} |\n",
            threat.name(),
            e + p + r
        ));
    }
    let rejected = outcomes.len() - analyses.len();
    table.push_str(&format!(
        "\n{} policies; {} analysed, {rejected} rejected as AWS would reject them.\n",
        outcomes.len(),
        analyses.len()
    ));
    let readme = read(&root().join("README.md")).unwrap();
    let (start, end) = ("<!-- findings:start -->\n", "<!-- findings:end -->");
    let body = readme
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(body, _)| body)
        .expect("README.md has the findings markers");
    assert_eq!(
        body, table,
        "README.md's findings table is out of date; it should read:\n{table}"
    );
}

/// Does any statement trust this identity provider (its host in a `Federated` principal)?
fn trusts_provider(doc: &Value, host: &str) -> bool {
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one) => vec![one],
        None => vec![],
    };
    statements.iter().any(|s| {
        let federated = s.get("Principal").and_then(|p| p.get("Federated"));
        let names: Vec<&str> = match federated {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        names.iter().any(|n| n.contains(host))
    })
}

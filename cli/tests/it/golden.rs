//! Golden output of `trustsim analyze` in each format over the test fixtures and bundled
//! examples (insta snapshots in `tests/it/snapshots/`): a change in any verdict, witness,
//! explanation, fix or location shows up in review.

use std::process::Command;

fn analyze(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "analyze",
            "tests/fixtures/template.json",
            "tests/fixtures/short-forms.yaml",
            "tests/fixtures/plan.json",
            "tests/fixtures/account-export.json",
            "../examples/eventbridge-template.yaml",
            "../examples/externalid-role.json",
            "--account",
            "111122223333",
            "--fail-on",
            "never",
            "--format",
            format,
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run trustsim");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pretty(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn golden_human() {
    insta::assert_snapshot!("analyze_human", analyze("human"));
}

#[test]
fn golden_json() {
    insta::assert_snapshot!("analyze_json", pretty(&analyze("json")));
}

/// The SARIF log with the checkout's absolute path (in `originalUriBaseIds` and the URI of a
/// file outside the root) written `/CHECKOUT`, so that the snapshot holds wherever it is cloned.
#[test]
fn golden_sarif() {
    let checkout = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
    let text = pretty(&analyze("sarif")).replace(&checkout.display().to_string(), "/CHECKOUT");
    insta::assert_snapshot!("analyze_sarif", text);
}

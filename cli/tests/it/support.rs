//! What the CLI tests over fixture folders share: a JSON run of `trustsim`, and the verdicts of
//! a report as text for golden snapshots.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers; each test file uses some of them"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `trustsim ARGS --format json --no-config` in `dir`: the exit status, the report, and
/// standard error.
pub fn run_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(dir)
        .args(args)
        .args(["--format", "json", "--no-config"])
        .output()
        .expect("run trustsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    (
        out.status.code(),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One line per role (its place and line), then each threat that is not `not-applicable`, with
/// the condition values a finding depends on and whether it is suppressed.
pub fn verdicts(report: &Value) -> String {
    let mut s = String::new();
    for r in report["roles"].as_array().unwrap() {
        let _ = write!(s, "{} (line {})", r["source"].as_str().unwrap(), r["line"]);
        for t in r["threats"].as_array().unwrap() {
            let v = t["verdict"].as_str().unwrap();
            if v == "not-applicable" {
                continue;
            }
            let _ = write!(s, "\n  {} {v}", t["threat"].as_str().unwrap());
            let e = t["explanation"].as_str().unwrap();
            if let Some(rest) = e.strip_prefix("when ") {
                let _ = write!(s, " (when {})", rest.split(':').next().unwrap());
            }
            if t["suppressed"].is_object() {
                s.push_str(" [suppressed]");
            }
        }
        s.push('\n');
    }
    s
}

/// [`run_json`] in `tests/fixtures/FOLDER`, so that sources in the report read relative to it.
pub fn run_in_fixtures(folder: &str, args: &[&str]) -> (Option<i32>, Value, String) {
    run_json(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(folder),
        args,
    )
}

/// A fresh empty directory under the system's temporary directory.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trustsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

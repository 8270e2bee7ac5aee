//! The error table of `docs/errors.md`, checked row by row: each row names an input file in
//! `cli/tests/errors/`, a command, an exit status and the exact standard error. This test runs the
//! real binary from the repository root (so the paths in messages are relative and stable) and
//! compares, so the documentation cannot drift from the code.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cells of a markdown table row (`\|` is a `|` inside a cell).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().unwrap().push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// The text of a code span, as CommonMark reads it: the backtick delimiters removed, then one
/// space at each end when there is one at both.
fn code(span: &str) -> String {
    let span = span.trim();
    let n = span.chars().take_while(|c| *c == '`').count();
    assert!(n > 0, "not a code span: {span}");
    let inner = &span[n..span.len() - n];
    match inner.strip_prefix(' ').and_then(|s| s.strip_suffix(' ')) {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => inner.to_owned(),
    }
}

struct Row {
    number: String,
    file: String,
    args: Vec<String>,
    exit: i32,
    stderr: String,
}

fn rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).expect("read docs/errors.md");
    let mut in_table = false;
    let mut out = Vec::new();
    for line in doc.lines() {
        if line.starts_with("| # | input |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let c = cells(line);
        assert_eq!(c.len(), 6, "a row has six cells: {line}");
        let file = c[1]
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("no file name in {}", c[1]))
            .to_owned();
        let command = code(&c[3]);
        let mut args: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        assert_eq!(args.remove(0), "trustsim", "{command}");
        let stderr = c[5].split("<br>").map(code).collect::<Vec<_>>().join("\n");
        out.push(Row {
            number: c[0].clone(),
            file,
            args,
            exit: c[4]
                .parse()
                .unwrap_or_else(|_| panic!("exit status {}", c[4])),
            stderr,
        });
    }
    out
}

#[test]
fn every_documented_error_is_the_one_printed() {
    let rows = rows();
    assert!(rows.len() >= 45, "only {} rows", rows.len());
    let mut problems = Vec::new();
    for row in &rows {
        assert!(
            row.args
                .iter()
                .any(|a| a == &format!("cli/tests/errors/{}", row.file)),
            "row {} runs its own file",
            row.number
        );
        let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
            .args(&row.args)
            .current_dir(root())
            .env_remove("NO_COLOR")
            .output()
            .expect("run trustsim");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr = stderr.trim_end_matches('\n');
        if stderr != row.stderr {
            problems.push(format!(
                "row {} ({}): standard error differs\n  documented: {}\n  printed:    {}",
                row.number, row.file, row.stderr, stderr
            ));
        }
        if out.status.code() != Some(row.exit) {
            problems.push(format!(
                "row {} ({}): exit status {:?}, documented {}",
                row.number,
                row.file,
                out.status.code(),
                row.exit
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_input_file_has_a_row() {
    let rows = rows();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root().join("cli/tests/errors")).expect("read the inputs") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !rows.iter().any(|r| r.file == name) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "inputs without a row in docs/errors.md: {missing:?}"
    );
}

/// Files too large to keep in the repository: made here, with their messages checked.
#[test]
fn oversized_files_are_refused_without_reading_them_whole() {
    let dir = std::env::temp_dir().join(format!("trustsim-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    let mut text = String::from("{\"Version\": \"2012-10-17\", \"Statement\": []}");
    text.push_str(&" ".repeat(1 << 20));
    std::fs::write(&big, &text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args([
            "eval",
            big.to_str().unwrap(),
            "--principal",
            "events.amazonaws.com",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "trustsim: error: {}: (document root): the file is larger than 1,048,576 bytes, more than trustsim reads for a trust policy\n  help: ",
            big.display()
        )),
        "{err}"
    );
    let yaml = dir.join("big.yaml");
    let mut t = String::from("Resources: {}\nMetadata:\n");
    while t.len() <= 4 << 20 {
        t.push_str("  - padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&yaml, &t).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(["analyze", yaml.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "trustsim: error: {}: (document root): the file is {} bytes, more than trustsim reads for a CloudFormation template (YAML) (at most 4,194,304)",
            yaml.display(),
            trustsim_evaluator::limits::thousands(t.len())
        )),
        "{err}"
    );
    let batch = dir.join("big.jsonl");
    let mut lines = "x".repeat(trustsim_evaluator::limits::MAX_BATCH_LINE_BYTES + 1);
    lines.push('\n');
    lines.push_str(r#"{"id": 2, "policy": {"Statement": []}, "request": {"principal": "events.amazonaws.com"}}"#);
    std::fs::write(&batch, &lines).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(["eval", "--batch", batch.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let got: Vec<&str> = stdout.lines().collect();
    assert_eq!(got.len(), 2, "{stdout}");
    assert!(
        got[0]
            .starts_with(r#"{"id":null,"error":"line 1: the line is longer than 1,179,648 bytes"#),
        "{}",
        got[0]
    );
    assert_eq!(got[1], r#"{"id":2,"decision":"ImplicitDeny"}"#);
    let _ = std::fs::remove_dir_all(&dir);
}

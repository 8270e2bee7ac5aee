//! The second robustness sweep: inputs that used to hang the scan or pass in silence. Each input
//! is made at test time. Link cycles, a FIFO in a scanned directory, a huge policy, files with
//! no role, an empty directory, extensions in capitals, a byte-order mark, and `eval --batch`
//! as a coprocess on standard input.

#![cfg(unix)]

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{run_json, scratch};

const EVENTS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn roles(report: &Value) -> Vec<String> {
    report["roles"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["source"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn link_cycles_are_walked_once() {
    let dir = scratch("links");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/role.json"), EVENTS).unwrap();
    symlink(".", dir.join("sub/s1")).unwrap();
    symlink(".", dir.join("sub/s2")).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    symlink("role.json", dir.join("sub/again.json")).unwrap();
    symlink("nowhere.json", dir.join("sub/dangling.json")).unwrap();
    let (code, report, err) = run_json(&dir, &["analyze", "sub"]);
    assert_eq!(code, Some(0), "{err}");
    // One role: every link leads back to a directory or a file already read.
    assert_eq!(roles(&report).len(), 1, "{report}");
    assert!(err.contains("sub/s1: skipped: the directory"), "{err}");
    // `again.json` comes first in order, so the link is read and the file it names is not.
    assert!(err.contains("sub/role.json: skipped: the file"), "{err}");
    assert!(err.contains("sub/up/sub: skipped: the directory"), "{err}");
    assert!(
        err.contains("skipped sub/dangling.json: a link to nothing"),
        "{err}"
    );
}

#[test]
fn a_fifo_never_blocks_the_scan() {
    let dir = scratch("fifo");
    std::fs::write(dir.join("role.json"), EVENTS).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let (code, report, err) = run_json(&dir, &["analyze", "."]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(roles(&report).len(), 1);
    assert!(
        err.contains("pipe.json: skipped: a FIFO, not a regular file"),
        "{err}"
    );
    // Named directly, it is an error (and is not opened).
    let (code, _, err) = run_json(&dir, &["analyze", "pipe.json"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("pipe.json: a FIFO, not a regular file\n  help: trustsim reads files and directories; give `-` to read standard input"),
        "{err}"
    );
}

#[test]
fn a_huge_policy_is_refused_by_size_before_it_is_parsed() {
    let dir = scratch("huge");
    let statement = r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},"#;
    let mut text = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    while text.len() <= 5 << 20 {
        text.push_str(statement);
    }
    text.push_str(r#"{}]}"#);
    std::fs::write(dir.join("big.json"), &text).unwrap();
    let (code, _, err) = run_json(&dir, &["analyze", "big.json"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("big.json: (document root): the file is ")
            && err.contains("more than trustsim reads for a trust policy or a CloudFormation template (at most 4,194,304)"),
        "{err}"
    );
}

#[test]
fn a_named_file_without_roles_is_an_error() {
    let dir = scratch("no-roles");
    for (name, text) in [
        ("empty.json", ""),
        ("null.json", "null"),
        ("list.json", "[]"),
        ("string.yaml", "just a string\n"),
        ("package.json", r#"{"name": "app"}"#),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
        let (code, _, err) = run_json(&dir, &["analyze", name]);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!(
                "{name}: not a trust policy, CloudFormation template, Terraform plan or account export"
            )),
            "{name}: {err}"
        );
    }
    std::fs::write(
        dir.join("no-roles.yaml"),
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    )
    .unwrap();
    let (code, _, err) = run_json(&dir, &["analyze", "no-roles.yaml"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "no-roles.yaml: holds no IAM role: a CloudFormation template with no `AWS::IAM::Role`"
        ),
        "{err}"
    );
    let (code, _, err) = run_json(&dir, &["analyze", "no-roles.yaml", "--allow-empty"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn nothing_to_analyse_is_an_error_unless_allowed() {
    let dir = scratch("empty-dir");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/README.md"), "# docs").unwrap();
    std::fs::write(dir.join("docs/unrelated.json"), r#"{"name": "app"}"#).unwrap();
    let (code, _, err) = run_json(&dir, &["analyze", "empty"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no roles found in empty"), "{err}");
    let (code, _, err) = run_json(&dir, &["analyze", "docs"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("no roles found in docs (1 other file(s) were not read"),
        "{err}"
    );
    let (code, _, err) = run_json(&dir, &["analyze", "docs/*.json"]);
    assert_eq!(code, Some(1), "a glob of unrelated files: {err}");
    let (code, report, err) = run_json(&dir, &["analyze", "empty", "--allow-empty"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["summary"]["roles"], 0);
}

#[test]
fn extensions_compare_without_case_and_a_byte_order_mark_is_read() {
    let dir = scratch("names");
    std::fs::write(dir.join("ROLE.JSON"), EVENTS).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(EVENTS.as_bytes());
    std::fs::write(dir.join("bom.Json"), &bom).unwrap();
    std::fs::write(
        dir.join("t.YML"),
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}\n",
    )
    .unwrap();
    let (code, report, err) = run_json(&dir, &["analyze", "."]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(roles(&report).len(), 3, "{report}");
    // `eval` reads the byte-order mark as `analyze` does.
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(&dir)
        .args([
            "eval",
            "bom.Json",
            "--principal",
            "ec2.amazonaws.com",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"decision\":\"Allow\"") || stdout.contains("Allow"),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

fn batch_line(id: usize) -> String {
    format!(
        r#"{{"id": {id}, "policy": {EVENTS}, "request": {{"principal": "ec2.amazonaws.com"}}}}"#
    )
}

#[test]
fn batch_on_standard_input_answers_each_line_before_the_next() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(["eval", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A coprocess: one request, then wait for its answer, with standard input still open. The
    // wait has a generous guard so that a deadlock fails the test instead of hanging it.
    let guard = std::time::Duration::from_secs(120);
    for id in 1..=3 {
        writeln!(stdin, "{}", batch_line(id)).unwrap();
        stdin.flush().unwrap();
        let answer: Value = serde_json::from_str(
            &rx.recv_timeout(guard)
                .expect("an answer before the next request"),
        )
        .unwrap();
        assert_eq!(answer["id"], id);
        assert_eq!(answer["decision"], "Allow");
    }
    // An unknown field is an error for its line only.
    writeln!(
        stdin,
        r#"{{"id": 9, "policy": {EVENTS}, "request": {{}}, "requets": 1}}"#
    )
    .unwrap();
    stdin.flush().unwrap();
    let answer: Value = serde_json::from_str(&rx.recv_timeout(guard).unwrap()).unwrap();
    assert_eq!(answer["id"], 9);
    assert_eq!(
        answer["error"],
        "line 4: unknown field `requets`; a line has `id`, `policy` and `request`"
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_reader_that_goes_away_ends_the_batch_quietly() {
    let dir = scratch("broken-pipe");
    let lines: String = (0..20_000).map(|i| batch_line(i) + "\n").collect();
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(["eval", "--batch"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"id\":0"), "{first}");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(Path::new(&path).exists());
}

#[test]
fn analyze_reads_standard_input_as_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(["analyze", "-", "--format", "json", "--no-config"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(EVENTS.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(roles(&report), ["-"]);
}

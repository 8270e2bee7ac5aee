//! The console examples of `docs/cli.md` are the binary's real output: each `$ trustsim ...`
//! command of a ```` ```console ```` block is run from the repository root (after the block's
//! `$ cat FILE` inputs are written to a scratch directory, where the command then runs), and
//! what it prints must be the lines the docs show under it; `$ echo $?` checks the exit status.
//! A documented line `...` stands for any lines the docs leave out. Commands piped into `jq` run
//! through `sh` when `jq` is installed; commands on files the docs only describe (`bad.json`)
//! are not run; the test counts the ones that are, so that it cannot pass on none.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The blocks of a Markdown text fenced as ```` ```console ````, as lines.
fn console_blocks(md: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in md.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```console") => current = Some(Vec::new()),
            (Some(_), "```") => out.extend(current.take()),
            (Some(b), _) => b.push(line),
            (None, _) => {}
        }
    }
    out
}

/// A command's words (single quotes group, as the shell does for these examples).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Do the printed lines match the documented ones, where a documented `...` line stands for any
/// lines (none included)?
fn matches(want: &[String], got: &[String]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "..." => {
            (0..=got.len()).any(|skip| matches(rest, got.get(skip..).unwrap_or(&[])))
        }
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, more)| g == w && matches(rest, more)),
    }
}

fn normal(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_owned()).collect()
}

#[test]
fn every_console_example_of_the_cli_docs_is_the_binarys_output() {
    let md = std::fs::read_to_string(root().join("docs/cli.md")).unwrap();
    let scratch = support::scratch("docs-examples");
    let mut checked = 0;
    let jq = Command::new("jq").arg("--version").output().is_ok();
    let mut failures = Vec::new();
    for block in console_blocks(&md) {
        // (command, documented output) in order.
        let mut steps: Vec<(&str, Vec<&str>)> = Vec::new();
        for line in &block {
            match line.strip_prefix("$ ") {
                Some(cmd) => steps.push((cmd, Vec::new())),
                None => {
                    if let Some((_, out)) = steps.last_mut() {
                        out.push(line);
                    }
                }
            }
        }
        let mut dir = root();
        let mut last_code: Option<i32> = None;
        for (cmd, shown) in steps {
            let w = words(cmd);
            match w.first().map(String::as_str) {
                Some("cat") if w.len() == 2 => {
                    std::fs::write(scratch.join(&w[1]), shown.join("\n") + "\n").unwrap();
                    dir = scratch.clone();
                    continue;
                }
                Some("echo") if cmd == "echo $?" => {
                    if let Some(code) = last_code {
                        checked += 1;
                        if shown != [code.to_string().as_str()] {
                            failures.push(format!("`{cmd}` after the previous command: docs say {shown:?}, the binary exits {code}"));
                        }
                    }
                    continue;
                }
                Some("trustsim") => {}
                _ => continue,
            }
            last_code = None;
            let piped = cmd.contains('|');
            if piped && !(cmd.contains("| jq") && jq) {
                continue;
            }
            let files_exist = w.iter().skip(1).filter(|a| !a.starts_with('-')).all(|a| {
                let looks_like_file = [".json", ".jsonl", ".yaml", ".yml"]
                    .iter()
                    .any(|x| a.ends_with(x));
                !looks_like_file || dir.join(a).exists()
            });
            if !files_exist {
                continue;
            }
            let out = if piped {
                let bin = Path::new(env!("CARGO_BIN_EXE_trustsim"));
                let script = format!("{}{}", bin.display(), cmd.trim_start_matches("trustsim"));
                Command::new("sh")
                    .current_dir(&dir)
                    .args(["-c", &script])
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap()
            } else {
                Command::new(env!("CARGO_BIN_EXE_trustsim"))
                    .current_dir(&dir)
                    .args(&w[1..])
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap()
            };
            last_code = out.status.code();
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
            let want: Vec<String> = shown.iter().map(|l| l.trim_end().to_owned()).collect();
            let mut got = normal(&printed);
            // The docs leave the blank line between one command's output and the next `$` out
            // or in; trailing blank lines do not count.
            while got.last().is_some_and(String::is_empty) {
                got.pop();
            }
            let mut want = want;
            while want.last().is_some_and(String::is_empty) {
                want.pop();
            }
            if !matches(&want, &got) {
                failures.push(format!(
                    "`{cmd}`\n--- docs\n{}\n--- binary\n{}",
                    want.join("\n"),
                    got.join("\n")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} examples differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked >= 15, "only {checked} examples were run");
}

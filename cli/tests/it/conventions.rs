//! The command line as people expect it: `--version` on every subcommand, completions and the
//! man page, `--color`, `-o/--output`, `-` for standard input, the exit statuses, and `eval
//! --format sarif` refused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::scratch;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn trustsim(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .current_dir(examples())
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // A command that refuses before it reads may have exited already: a closed pipe here
        // is its answer, not a failure of the test.
        let _ = input.write_all(text.as_bytes());
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_subcommand_prints_the_version() {
    let version = env!("CARGO_PKG_VERSION");
    for (args, name) in [
        (&["--version"][..], "trustsim"),
        (&["eval", "--version"], "trustsim-eval"),
        (&["analyze", "--version"], "trustsim-analyze"),
        (&["completions", "--version"], "trustsim-completions"),
        (&["man", "--version"], "trustsim-man"),
    ] {
        let out = trustsim(args, None);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(text(&out.stdout), format!("{name} {version}\n"), "{args:?}");
    }
}

#[test]
fn completions_and_the_man_page_name_the_subcommands_and_flags() {
    let bash = trustsim(&["completions", "bash"], None);
    assert_eq!(bash.status.code(), Some(0));
    let bash = text(&bash.stdout);
    assert!(bash.contains("_trustsim()"), "{bash}");
    assert!(bash.contains("--trusted-account"), "{bash}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = trustsim(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains("analyze"), "{shell}");
    }
    let unknown = trustsim(&["completions", "tcsh"], None);
    assert_eq!(unknown.status.code(), Some(1));
    let man = trustsim(&["man"], None);
    assert_eq!(man.status.code(), Some(0));
    let man = text(&man.stdout);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH trustsim"),
        "{man}"
    );
    assert!(man.contains("analyze") && man.contains("eval"), "{man}");
}

#[test]
fn color_always_colours_the_human_output_and_never_does_not() {
    let args = |colour: &'static str| {
        [
            "analyze",
            "eventbridge-role.json",
            "--format",
            "human",
            "--fail-on",
            "never",
            "--no-config",
            "--color",
            colour,
        ]
    };
    let always = text(&trustsim(&args("always"), None).stdout);
    assert!(always.contains("\u{1b}["), "{always}");
    let never = text(&trustsim(&args("never"), None).stdout);
    assert!(!never.contains('\u{1b}'), "{never}");
    // Not a terminal: auto is never.
    let auto = text(&trustsim(&args("auto"), None).stdout);
    assert_eq!(auto, never);
    let bad = trustsim(&args("sometimes"), None);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn output_writes_the_report_to_the_file_and_nothing_to_standard_output() {
    let dir = scratch("output");
    let file = dir.join("report.json");
    let out = trustsim(
        &[
            "analyze",
            "eventbridge-role.json",
            "--no-config",
            "-o",
            file.to_str().unwrap(),
        ],
        None,
    );
    // The role is open to a forged service request: 3, as without -o.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["summary"]["roles"], 1);
    // eval too, and `-o -` is standard output.
    let eval = trustsim(
        &[
            "eval",
            "eventbridge-role.json",
            "--request",
            "forged-eventbridge-request.json",
            "--output",
            "-",
        ],
        None,
    );
    assert_eq!(eval.status.code(), Some(0));
    assert!(text(&eval.stdout).contains("\"decision\":\"Allow\""));
    // A file that cannot be created is an input error, before anything runs.
    let unwritable = trustsim(
        &[
            "analyze",
            "eventbridge-role.json",
            "-o",
            dir.join("no/such/dir/r.json").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(unwritable.status.code(), Some(1));
    assert!(text(&unwritable.stderr).contains("cannot write the report"));
}

#[test]
fn a_dash_reads_standard_input_for_the_policy_the_request_and_analyze() {
    let policy = std::fs::read_to_string(examples().join("eventbridge-role.json")).unwrap();
    let request =
        std::fs::read_to_string(examples().join("forged-eventbridge-request.json")).unwrap();
    let eval = trustsim(
        &[
            "eval",
            "-",
            "--request",
            "forged-eventbridge-request.json",
            "--format",
            "json",
        ],
        Some(&policy),
    );
    assert_eq!(eval.status.code(), Some(0), "{}", text(&eval.stderr));
    let eval = trustsim(
        &[
            "eval",
            "eventbridge-role.json",
            "--request",
            "-",
            "--format",
            "json",
        ],
        Some(&request),
    );
    assert_eq!(eval.status.code(), Some(0), "{}", text(&eval.stderr));
    let analyze = trustsim(
        &["analyze", "-", "--no-config", "--format", "json"],
        Some(&policy),
    );
    assert_eq!(analyze.status.code(), Some(3), "{}", text(&analyze.stderr));
    let report: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 1);
}

#[test]
fn eval_refuses_sarif_with_a_reason() {
    let out = trustsim(
        &[
            "eval",
            "eventbridge-role.json",
            "--request",
            "forged-eventbridge-request.json",
            "--format",
            "sarif",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("`--format sarif` is for `trustsim analyze`"),
        "{err}"
    );
    assert!(err.contains("help: give --format json"), "{err}");
}

#[test]
fn exit_statuses_follow_the_contract() {
    use trustsim_cli::Exit;
    // Each status once, from the binary, and the enum's numbers.
    let allow = trustsim(
        &[
            "eval",
            "eventbridge-role.json",
            "--request",
            "forged-eventbridge-request.json",
        ],
        None,
    );
    assert_eq!(allow.status.code(), Some(i32::from(Exit::Success.code())));
    let deny = trustsim(
        &[
            "eval",
            "eventbridge-role.json",
            "--principal",
            "123456789012",
        ],
        None,
    );
    assert_eq!(deny.status.code(), Some(i32::from(Exit::Denied.code())));
    let invalid = trustsim(
        &["eval", "no-such-file.json", "--principal", "123456789012"],
        None,
    );
    assert_eq!(invalid.status.code(), Some(i32::from(Exit::Invalid.code())));
    let found = trustsim(&["analyze", "eventbridge-role.json", "--no-config"], None);
    assert_eq!(found.status.code(), Some(i32::from(Exit::Found.code())));
    assert_eq!(
        [Exit::Success, Exit::Invalid, Exit::Denied, Exit::Found].map(Exit::code),
        [0, 1, 2, 3]
    );
}

#[test]
fn a_closed_pipe_ends_completions_and_the_man_page_quietly() {
    for args in [&["completions", "bash"][..], &["man"], &["man", "analyze"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trustsim"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before reading anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("panicked"), "{args:?}");
    }
}

#[test]
fn each_subcommand_has_its_man_page() {
    for sub in ["eval", "analyze", "completions", "man"] {
        let out = trustsim(&["man", sub], None);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        let page = text(&out.stdout);
        assert!(
            page.contains(&format!(".TH trustsim-{sub} 1")),
            "{sub}: {page}"
        );
    }
    let analyze = text(&trustsim(&["man", "analyze"], None).stdout);
    assert!(analyze.contains("trusted\\-account"), "{analyze}");
    let unknown = trustsim(&["man", "nope"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("`nope` is not a subcommand"));
}

#[test]
fn a_run_refused_before_it_writes_leaves_the_output_file_as_it_was() {
    let dir = scratch("output-kept");
    let kept = dir.join("kept.json");
    std::fs::write(&kept, "earlier report\n").unwrap();
    let bad = ["analyze", "eventbridge-role.json", "--account", "12", "-o"];
    let out = trustsim(&[&bad[..], &[kept.to_str().unwrap()]].concat(), None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "earlier report\n");
    let fresh = dir.join("fresh.json");
    let out = trustsim(&[&bad[..], &[fresh.to_str().unwrap()]].concat(), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(!fresh.exists(), "a file the refused run created is removed");
    // A run that writes replaces the old report.
    let good = ["analyze", "eventbridge-role.json", "--no-config", "-o"];
    let out = trustsim(&[&good[..], &[kept.to_str().unwrap()]].concat(), None);
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&kept).unwrap()).unwrap();
    assert_eq!(report["summary"]["roles"], 1);
}

#[test]
fn standard_input_is_read_once() {
    let out = trustsim(&["eval", "-", "--request", "-"], Some("{}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("standard input can be read once"));
}

//! Integration tests of `trustsim eval`: they run the real binary and check exit statuses, the
//! JSON of the contract (`shared/design/contract.md`), the human form and input errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// A scratch directory under the system temp dir, unique per test and process, removed on drop.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("trustsim-cli-eval-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the fixture directory");
        Fixture { dir }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).expect("write a fixture");
        path
    }

    fn write_bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).expect("write a fixture");
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A bundled example from `examples/`.
fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join(name)
}

fn example_text(name: &str) -> String {
    std::fs::read_to_string(example(name)).expect("read an example")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn trustsim<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run trustsim");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `trustsim eval POLICY --request REQUEST --format FORMAT`.
fn eval_file(policy: &Path, request: &Path, format: &str) -> Run {
    trustsim([
        "eval".as_ref(),
        policy.as_os_str(),
        "--request".as_ref(),
        request.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
    ])
}

/// `trustsim eval POLICY ARGS...`.
fn eval_with(policy: &Path, args: &[&str]) -> Run {
    let mut all: Vec<std::ffi::OsString> = vec!["eval".into(), policy.as_os_str().to_owned()];
    all.extend(args.iter().map(Into::into));
    trustsim(all)
}

const ALICE_SESSION: &str = "arn:aws:sts::123412341234:assumed-role/ALICE/for-carol";
const BOB_READER: &str = "arn:aws:iam::111122223333:role/bob-reader";
const CI_SESSION: &str = "arn:aws:sts::444455556666:assumed-role/ci/s";

/// Trusts the `ci` role for `sts:AssumeRole` only.
const ASSUME_ONLY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Ci", "Effect": "Allow",
   "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"},
   "Action": "sts:AssumeRole"}]}"#;

/// Trusts the `ci` role for `sts:AssumeRole` and `sts:TagSession`.
const ASSUME_AND_TAG: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "CiWithTags", "Effect": "Allow",
   "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"},
   "Action": ["sts:AssumeRole", "sts:TagSession"]}]}"#;

fn assert_invalid(run: &Run, file: &Path, pointer: &str) {
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    let file = file.display().to_string();
    assert!(
        run.stderr.contains(&format!("{file}: {pointer}: ")),
        "stderr should name `{file}` and the pointer `{pointer}`:\n{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Seed article 1: EventBridge role, forged service request

#[test]
fn eventbridge_role_without_source_account_allows_forged_request() {
    let run = eval_file(
        &example("eventbridge-role.json"),
        &example("forged-eventbridge-request.json"),
        "json",
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "Allow");
    let s = &v["statements"][0];
    assert_eq!(v["statements"].as_array().unwrap().len(), 1);
    assert_eq!(s["index"], 0);
    assert_eq!(s["sid"], Value::Null);
    assert_eq!(s["effect"], "Allow");
    assert_eq!(s["applies"], true);
    assert_eq!(s["principal"], true);
    assert_eq!(s["action"], true);
    assert_eq!(s["conditions"], json!([]));
    assert_eq!(s["pointer"], "/Statement/0");
    assert_eq!(
        s["principal_explanation"],
        "/Statement/0/Principal/Service/0 names the caller (service events.amazonaws.com)"
    );
    // The context the conditions saw: the request's keys plus the keys derived from a service.
    assert_eq!(
        v["context"],
        json!({
            "aws:PrincipalIsAWSService": ["true"],
            "aws:PrincipalServiceName": ["events.amazonaws.com"],
            "aws:SourceAccount": ["444455556666"],
            "aws:SourceArn": ["arn:aws:events:us-east-1:444455556666:rule/attacker-rule"]
        })
    );
    assert_eq!(
        v["actions"],
        json!([{"action": "sts:AssumeRole", "decision": "Allow", "statements": [0]}])
    );
}

#[test]
fn eventbridge_role_with_source_account_denies_forged_request() {
    let run = eval_file(
        &example("eventbridge-role-fixed.json"),
        &example("forged-eventbridge-request.json"),
        "json",
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    let s = &v["statements"][0];
    assert_eq!(s["index"], 0);
    assert_eq!(s["sid"], "TrustEvents");
    assert_eq!(s["effect"], "Allow");
    assert_eq!(s["applies"], false);
    assert_eq!(s["principal"], true);
    assert_eq!(s["action"], true);
    assert_eq!(
        s["conditions"],
        json!([{
            "operator": "StringEquals",
            "key": "aws:SourceAccount",
            "result": false,
            "explanation": "`444455556666` equals none of `111122223333`, so `StringEquals` is false",
            "pointer": "/Statement/0/Condition/StringEquals/aws:SourceAccount"
        }])
    );
    assert_eq!(v["context"]["aws:SourceAccount"], json!(["444455556666"]));
    assert_eq!(v["actions"][0]["decision"], "ImplicitDeny");
    assert_eq!(v["actions"][0]["statements"], json!([]));
}

#[test]
fn what_if_forged_service_with_principal_and_context_flags() {
    let args = [
        "--principal",
        "events.amazonaws.com",
        "--context",
        "aws:SourceAccount=444455556666",
        "--format",
        "json",
    ];
    let open = eval_with(&example("eventbridge-role.json"), &args);
    assert_eq!(open.code, Some(0), "stderr: {}", open.stderr);
    assert_eq!(open.json()["decision"], "Allow");

    let fixed = eval_with(&example("eventbridge-role-fixed.json"), &args);
    assert_eq!(fixed.code, Some(2), "stderr: {}", fixed.stderr);
    let v = fixed.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["context"]["aws:SourceAccount"], json!(["444455556666"]));
    assert_eq!(v["context"]["aws:PrincipalIsAWSService"], json!(["true"]));

    // The owner's own account passes the fixed policy (key names are case-insensitive).
    let owner = eval_with(
        &example("eventbridge-role-fixed.json"),
        &[
            "--principal",
            "events.amazonaws.com",
            "--context",
            "AWS:SOURCEACCOUNT=111122223333",
            "--format",
            "json",
        ],
    );
    assert_eq!(owner.code, Some(0), "stderr: {}", owner.stderr);
    let v = owner.json();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["statements"][0]["conditions"][0]["result"], true);
}

// ---------------------------------------------------------------------------------------------
// Seed article 2: sts:ExternalId (confused deputy)

#[test]
fn externalid_role_with_right_external_id_allows() {
    let fx = Fixture::new("externalid_right");
    let request = fx.write(
        "request.json",
        &example_text("deputy-request.json").replace("67890", "12345"),
    );
    let run = eval_file(&example("externalid-role.json"), &request, "json");
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "Allow");
    let c = &v["statements"][0]["conditions"][0];
    assert_eq!(c["operator"], "StringEquals");
    assert_eq!(c["key"], "sts:ExternalId");
    assert_eq!(c["result"], true);
    assert_eq!(
        c["explanation"],
        "`12345` equals `12345`, so `StringEquals` is true"
    );
    assert_eq!(v["context"]["sts:ExternalId"], json!(["12345"]));
    // Derived from the caller's session ARN.
    assert_eq!(
        v["context"]["aws:PrincipalArn"],
        json!(["arn:aws:iam::123412341234:role/ALICE"])
    );
    // The caller is in another account: its identity policy must allow it too.
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0].as_str().unwrap();
    assert!(
        note.contains("123412341234") && note.contains("111122223333"),
        "{note}"
    );
    assert!(note.contains("identity policy"), "{note}");
}

#[test]
fn externalid_role_with_wrong_external_id_denies() {
    let run = eval_file(
        &example("externalid-role.json"),
        &example("deputy-request.json"),
        "json",
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    let s = &v["statements"][0];
    assert_eq!(s["principal"], true, "ALICE's session is the trusted role");
    assert_eq!(s["applies"], false);
    let c = &s["conditions"][0];
    assert_eq!(c["key"], "sts:ExternalId");
    assert_eq!(c["result"], false);
    assert_eq!(
        c["explanation"],
        "`67890` equals none of `12345`, so `StringEquals` is false"
    );
    assert_eq!(v["notes"], json!([]));
}

#[test]
fn externalid_role_without_external_id_denies() {
    let fx = Fixture::new("externalid_none");
    let request = fx.write(
        "request.json",
        &json!({"principal": {"AWS": ALICE_SESSION}, "role": BOB_READER}).to_string(),
    );
    let run = eval_file(&example("externalid-role.json"), &request, "json");
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    let c = &v["statements"][0]["conditions"][0];
    assert_eq!(c["result"], false);
    assert_eq!(
        c["explanation"],
        "`sts:ExternalId` is not in the request, so `StringEquals` is false"
    );
    assert!(
        v["context"].get("sts:ExternalId").is_none(),
        "{}",
        v["context"]
    );
}

// ---------------------------------------------------------------------------------------------
// Decisions beyond the seeds

#[test]
fn explicit_deny_overrides_allow_and_exits_2() {
    let fx = Fixture::new("explicit_deny");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
          {"Sid": "NotFromOutside", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
           "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}]}"#,
    );
    let outside = eval_with(
        &policy,
        &["--principal", "444455556666", "--format", "json"],
    );
    assert_eq!(outside.code, Some(2), "stderr: {}", outside.stderr);
    let v = outside.json();
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["statements"][0]["applies"], true);
    assert_eq!(v["statements"][1]["applies"], true);
    assert_eq!(v["statements"][1]["effect"], "Deny");
    assert_eq!(v["statements"][1]["sid"], "NotFromOutside");
    assert_eq!(v["actions"][0]["statements"], json!([0, 1]));

    let inside = eval_with(
        &policy,
        &["--principal", "111122223333", "--format", "json"],
    );
    assert_eq!(inside.code, Some(0), "stderr: {}", inside.stderr);
    let v = inside.json();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["statements"][1]["applies"], false);
    assert_eq!(v["statements"][1]["conditions"][0]["result"], false);
}

#[test]
fn request_file_takes_booleans_as_strings_and_null_as_absent() {
    let fx = Fixture::new("request_values");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
           "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                         "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}}}]}"#,
    );
    let with_mfa = fx.write(
        "mfa.json",
        &json!({"principal": CI_SESSION, "context": {"aws:MultiFactorAuthPresent": true}})
            .to_string(),
    );
    let run = eval_file(&policy, &with_mfa, "json");
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["context"]["aws:MultiFactorAuthPresent"], json!(["true"]));

    let no_arn = fx.write(
        "noarn.json",
        &json!({"principal": CI_SESSION,
                "context": {"aws:MultiFactorAuthPresent": true, "aws:PrincipalArn": null}})
        .to_string(),
    );
    let run = eval_file(&policy, &no_arn, "json");
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert!(
        v["context"].get("aws:PrincipalArn").is_none(),
        "{}",
        v["context"]
    );
    let arn = &v["statements"][0]["conditions"][1];
    assert_eq!(arn["key"], "aws:PrincipalArn");
    assert_eq!(arn["result"], false);
}

#[test]
fn default_format_is_json_when_stdout_is_not_a_terminal() {
    let run = trustsim([
        "eval".as_ref(),
        example("eventbridge-role-fixed.json").as_os_str(),
        "--request".as_ref(),
        example("forged-eventbridge-request.json").as_os_str(),
    ]);
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert_eq!(run.json()["decision"], "ImplicitDeny");
}

// ---------------------------------------------------------------------------------------------
// Human format

#[test]
fn human_format_allow_names_the_deciding_statement() {
    let run = eval_with(
        &example("eventbridge-role-fixed.json"),
        &[
            "--principal",
            "events.amazonaws.com",
            "--context",
            "aws:SourceAccount=111122223333",
            "--format",
            "human",
        ],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(first, "Allow  sts:AssumeRole by events.amazonaws.com");
    assert!(
        run.stdout
            .contains("decided by statement 0 \"TrustEvents\" (Allow) at /Statement/0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "✓ StringEquals aws:SourceAccount: `111122223333` equals `111122223333`, so `StringEquals` is true"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\x1b'), "no colour when piped");
}

#[test]
fn human_format_deny_shows_the_failing_condition() {
    let run = eval_file(
        &example("eventbridge-role-fixed.json"),
        &example("forged-eventbridge-request.json"),
        "human",
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert!(
        run.stdout.starts_with("ImplicitDeny"),
        "first line: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("does not apply: statement 0 \"TrustEvents\" (Allow) at /Statement/0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "✗ StringEquals aws:SourceAccount: `444455556666` equals none of `111122223333`, so `StringEquals` is false"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn human_format_explicit_deny_is_decided_by_the_deny_statement() {
    let fx = Fixture::new("human_deny");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Sid": "Ci", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"},
           "Action": "sts:AssumeRole"},
          {"Sid": "NoMfaNoEntry", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
           "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#,
    );
    let run = eval_with(&policy, &["--principal", CI_SESSION, "--format", "human"]);
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert!(run.stdout.starts_with("ExplicitDeny  sts:AssumeRole by "));
    assert!(
        run.stdout
            .contains("decided by statement 1 \"NoMfaNoEntry\" (Deny) at /Statement/1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("applies to the main action, but did not decide: statement 0 \"Ci\" (Allow)"),
        "{}",
        run.stdout
    );
    // With MFA the Deny does not apply and its condition says why.
    let run = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--format",
            "human",
        ],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.stdout.starts_with("Allow"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("does not apply: statement 1 \"NoMfaNoEntry\" (Deny)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("✗ BoolIfExists aws:MultiFactorAuthPresent: "),
        "{}",
        run.stdout
    );
}

#[test]
fn human_format_prints_policy_warnings_with_file_and_pointer() {
    let fx = Fixture::new("human_warning");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
           "Action": "sts:AssumeRole",
           "Condition": {"StringEquals": {"aws:SourceAcount": "111122223333"}}}]}"#,
    );
    let run = eval_with(
        &policy,
        &[
            "--principal",
            "events.amazonaws.com",
            "--context",
            "aws:SourceAccount=111122223333",
            "--format",
            "human",
        ],
    );
    // The misspelt key is never set, so the condition fails even for the owner's account.
    assert_eq!(run.code, Some(2), "stdout: {}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "trustsim: warning: {}: /Statement/0/Condition/StringEquals/aws:SourceAcount: ",
            policy.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("aws:SourceAccount"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// What-if flags: session tags, source identity, --absent, --action, --role

#[test]
fn session_tags_need_tag_session_which_assume_role_alone_does_not_give() {
    let fx = Fixture::new("tags_denied");
    let policy = fx.write("policy.json", ASSUME_ONLY);
    let run = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[a,b]",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["context"]["aws:TagKeys"], json!(["a", "b"]));
    assert_eq!(
        v["actions"],
        json!([
            {"action": "sts:AssumeRole", "decision": "Allow", "statements": [0]},
            {"action": "sts:TagSession", "decision": "ImplicitDeny", "statements": []}
        ])
    );
    // The same request without tags is allowed.
    let run = eval_with(&policy, &["--principal", CI_SESSION, "--format", "json"]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.json()["actions"].as_array().unwrap().len(), 1);

    let human = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[a,b]",
            "--format",
            "human",
        ],
    );
    assert_eq!(human.code, Some(2));
    assert!(human.stdout.starts_with("ImplicitDeny"), "{}", human.stdout);
    assert!(
        human.stdout.contains("✗ sts:TagSession: ImplicitDeny"),
        "{}",
        human.stdout
    );
}

#[test]
fn session_tags_allowed_when_tag_session_is_allowed() {
    let fx = Fixture::new("tags_allowed");
    let policy = fx.write("policy.json", ASSUME_AND_TAG);
    let run = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[a, b]",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "Allow");
    // Spaces around list items are trimmed.
    assert_eq!(v["context"]["aws:TagKeys"], json!(["a", "b"]));
    assert_eq!(v["actions"][1]["action"], "sts:TagSession");
    assert_eq!(v["actions"][1]["decision"], "Allow");
    // A request tag (aws:RequestTag/...) passes tags too; an empty list does not.
    let tag = eval_with(
        &fx.write("only.json", ASSUME_ONLY),
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:RequestTag/team=red",
            "--format",
            "json",
        ],
    );
    assert_eq!(tag.code, Some(2), "stderr: {}", tag.stderr);
    assert_eq!(tag.json()["actions"][1]["action"], "sts:TagSession");
    let empty = eval_with(
        &fx.path("only.json"),
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[]",
            "--format",
            "json",
        ],
    );
    assert_eq!(empty.code, Some(0), "stderr: {}", empty.stderr);
    assert_eq!(empty.json()["context"]["aws:TagKeys"], json!([]));
}

#[test]
fn multivalued_context_key_with_for_all_values() {
    let fx = Fixture::new("for_all_values");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"},
           "Action": ["sts:AssumeRole", "sts:TagSession"],
           "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}}]}"#,
    );
    let ok = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[env,team]",
        ],
    );
    assert_eq!(ok.code, Some(0), "stderr: {}", ok.stderr);
    assert_eq!(ok.json()["decision"], "Allow");
    let extra = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "aws:TagKeys=[team,owner]",
        ],
    );
    assert_eq!(extra.code, Some(2), "stderr: {}", extra.stderr);
    let v = extra.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    let c = &v["statements"][0]["conditions"][0];
    assert_eq!(c["operator"], "ForAllValues:StringEquals");
    assert_eq!(c["result"], false);
    assert!(c["explanation"].as_str().unwrap().contains("owner"), "{c}");
}

#[test]
fn source_identity_needs_set_source_identity() {
    let fx = Fixture::new("source_identity");
    let policy = fx.write("policy.json", ASSUME_AND_TAG);
    let run = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "sts:SourceIdentity=alice",
        ],
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["actions"][1]["action"], "sts:SetSourceIdentity");
    assert_eq!(v["actions"][1]["decision"], "ImplicitDeny");
    let both = fx.write(
        "both.json",
        &ASSUME_ONLY.replace(
            r#""Action": "sts:AssumeRole""#,
            r#""Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]"#,
        ),
    );
    let run = eval_with(
        &both,
        &[
            "--principal",
            CI_SESSION,
            "--context",
            "sts:SourceIdentity=alice",
        ],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.json()["actions"][1]["decision"], "Allow");
}

#[test]
fn absent_removes_a_key_derived_from_the_caller() {
    let fx = Fixture::new("absent");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Sid": "CiRoles", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
           "Action": "sts:AssumeRole",
           "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/c*"}}},
          {"Sid": "NeedArn", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
           "Condition": {"Null": {"aws:PrincipalArn": "true"}}}]}"#,
    );
    let derived = eval_with(&policy, &["--principal", CI_SESSION]);
    assert_eq!(derived.code, Some(0), "stderr: {}", derived.stderr);
    let v = derived.json();
    assert_eq!(
        v["context"]["aws:PrincipalArn"],
        json!(["arn:aws:iam::444455556666:role/ci"])
    );
    // Trusted only through the account: the caller's identity policy must allow it too.
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("only through its account"),
        "{}",
        v["notes"]
    );

    let absent = eval_with(
        &policy,
        &["--principal", CI_SESSION, "--absent", "aws:PrincipalArn"],
    );
    assert_eq!(absent.code, Some(2), "stderr: {}", absent.stderr);
    let v = absent.json();
    assert_eq!(v["decision"], "ExplicitDeny");
    assert!(
        v["context"].get("aws:PrincipalArn").is_none(),
        "{}",
        v["context"]
    );
    assert_eq!(
        v["context"]["aws:PrincipalAccount"],
        json!(["444455556666"])
    );
    assert_eq!(v["statements"][1]["conditions"][0]["result"], true);
    // --absent also wins over a --context for the same key.
    let both = eval_with(
        &example("eventbridge-role.json"),
        &[
            "--principal",
            "events.amazonaws.com",
            "--context",
            "aws:SourceAccount=1",
            "--absent",
            "aws:sourceaccount",
        ],
    );
    assert_eq!(both.code, Some(0), "stderr: {}", both.stderr);
    assert!(both.json()["context"].get("aws:SourceAccount").is_none());
}

#[test]
fn action_flag_selects_the_action() {
    let fx = Fixture::new("action");
    let only = fx.write("only.json", ASSUME_ONLY);
    let tag = fx.write("tag.json", ASSUME_AND_TAG);
    let run = eval_with(
        &only,
        &["--principal", CI_SESSION, "--action", "sts:TagSession"],
    );
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let v = run.json();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["statements"][0]["action"], false);
    assert_eq!(
        v["statements"][0]["action_explanation"],
        "no `Action` covers `sts:TagSession`"
    );
    let run = eval_with(
        &tag,
        &["--principal", CI_SESSION, "--action", "sts:TagSession"],
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.json()["actions"][0]["action"], "sts:TagSession");

    let bad = eval_with(&tag, &["--principal", CI_SESSION, "--action", "sts:Bogus"]);
    assert_eq!(bad.code, Some(1));
    assert!(bad.stdout.is_empty());
    assert!(
        bad.stderr
            .contains("`sts:Bogus` is not an action a trust policy decides"),
        "{}",
        bad.stderr
    );
}

#[test]
fn role_flag_decides_the_cross_account_note() {
    let fx = Fixture::new("role");
    let policy = fx.write("policy.json", ASSUME_ONLY);
    let notes = |role: Option<&str>| -> Vec<String> {
        let mut args = vec!["--principal", CI_SESSION];
        if let Some(r) = role {
            args.extend(["--role", r]);
        }
        let run = eval_with(&policy, &args);
        assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
        serde_json::from_value(run.json()["notes"].clone()).unwrap()
    };
    assert_eq!(
        notes(Some("arn:aws:iam::444455556666:role/target")).len(),
        0
    );
    let cross = notes(Some("arn:aws:iam::111122223333:role/target"));
    assert_eq!(cross.len(), 1, "{cross:?}");
    assert!(
        cross[0].starts_with("the caller is in account 444455556666 and the role in 111122223333"),
        "{cross:?}"
    );
    let unknown = notes(None);
    assert_eq!(
        unknown,
        ["the role's ARN was not given, so whether the caller is in the role's account is unknown"]
    );

    let bad = eval_with(
        &policy,
        &[
            "--principal",
            CI_SESSION,
            "--role",
            "arn:aws:iam::444455556666:user/target",
        ],
    );
    assert_eq!(bad.code, Some(1));
    assert!(
        bad.stderr
            .contains("`arn:aws:iam::444455556666:user/target` is not a role ARN"),
        "{}",
        bad.stderr
    );
}

#[test]
fn what_if_flags_are_not_silently_ignored_with_a_request_file() {
    // Either the flag overrides the request file (Allow) or the combination is refused (exit 1);
    // answering for the file's value as if the flag were not there misleads the user.
    let run = eval_with(
        &example("eventbridge-role-fixed.json"),
        &[
            "--request",
            example("forged-eventbridge-request.json").to_str().unwrap(),
            "--context",
            "aws:SourceAccount=111122223333",
        ],
    );
    assert_ne!(run.code, Some(2), "stdout: {}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Invalid input: exit 1, the file and the JSON Pointer on stderr

#[test]
fn malformed_policy_json_is_an_input_error() {
    let fx = Fixture::new("malformed");
    let policy = fx.write(
        "policy.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n",
    );
    let run = eval_file(&policy, &example("forged-eventbridge-request.json"), "json");
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.starts_with(&format!(
            "trustsim: error: {}: (document root): the document is not valid JSON: ",
            policy.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
}

#[test]
fn not_principal_is_an_input_error() {
    let fx = Fixture::new("not_principal");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
           "Action": "sts:AssumeRole"}]}"#,
    );
    let run = eval_file(&policy, &example("forged-eventbridge-request.json"), "json");
    assert_invalid(&run, &policy, "/Statement/0/NotPrincipal");
    assert!(run.stderr.contains("`NotPrincipal`"), "{}", run.stderr);
}

#[test]
fn unknown_condition_operator_is_an_input_error_with_a_suggestion() {
    let fx = Fixture::new("unknown_operator");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
           "Action": "sts:AssumeRole",
           "Condition": {"StringEqual": {"aws:SourceAccount": "111122223333"}}}]}"#,
    );
    let run = eval_file(
        &policy,
        &example("forged-eventbridge-request.json"),
        "human",
    );
    assert_invalid(&run, &policy, "/Statement/0/Condition/StringEqual");
    assert!(
        run.stderr
            .contains("unknown condition operator `StringEqual`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: did you mean `StringEquals`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn resource_element_is_an_input_error() {
    let fx = Fixture::new("resource");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
           "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
    );
    let run = eval_file(&policy, &example("forged-eventbridge-request.json"), "json");
    assert_invalid(&run, &policy, "/Statement/0/Resource");
}

#[test]
fn partial_wildcard_principal_is_an_input_error_at_that_principal() {
    let fx = Fixture::new("partial_wildcard");
    let policy = fx.write(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow",
           "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::*:root"]},
           "Action": "sts:AssumeRole"}]}"#,
    );
    let run = eval_with(&policy, &["--principal", "111122223333"]);
    assert_invalid(&run, &policy, "/Statement/0/Principal/AWS/1");
    assert!(
        run.stderr.contains("`arn:aws:iam::*:root`"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_request_principal_is_an_input_error_naming_the_request_file() {
    let fx = Fixture::new("bad_request_principal");
    let short = fx.write(
        "short.json",
        r#"{"principal": {"AWS": "arn:aws:iam::12345:role/x"}}"#,
    );
    let run = eval_file(&example("eventbridge-role.json"), &short, "json");
    assert_invalid(&run, &short, "/principal/AWS");
    assert!(run.stderr.contains("`12345`"), "{}", run.stderr);

    let vague = fx.write("vague.json", r#"{"principal": "foo"}"#);
    let run = eval_file(&example("eventbridge-role.json"), &vague, "json");
    assert_invalid(&run, &vague, "/principal");
    assert!(
        run.stderr
            .contains("cannot tell what kind of principal `foo` is"),
        "{}",
        run.stderr
    );

    let value = fx.write(
        "value.json",
        r#"{"principal": "events.amazonaws.com", "context": {"aws:SourceAccount": {"a": 1}}}"#,
    );
    let run = eval_file(&example("eventbridge-role.json"), &value, "json");
    assert_invalid(&run, &value, "/context/aws:SourceAccount");
}

#[test]
fn bad_what_if_flags_are_input_errors() {
    let policy = example("eventbridge-role.json");
    let run = eval_with(&policy, &["--principal", "foo"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .starts_with("trustsim: error: --principal: cannot tell what kind of principal `foo`"),
        "{}",
        run.stderr
    );
    let run = eval_with(
        &policy,
        &[
            "--principal",
            "events.amazonaws.com",
            "--context",
            "novalue",
        ],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("--context: `novalue` is not KEY=VALUE"),
        "{}",
        run.stderr
    );
    let run = eval_with(&policy, &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("--request FILE"), "{}", run.stderr);
}

#[test]
fn missing_request_or_policy_file_is_an_input_error() {
    let fx = Fixture::new("missing_file");
    let missing = fx.path("no-such-request.json");
    let run = eval_file(&example("eventbridge-role.json"), &missing, "json");
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains(&format!("{}: cannot read: ", missing.display())),
        "{}",
        run.stderr
    );
    let missing = fx.path("no-such-policy.json");
    let run = eval_file(
        &missing,
        &example("forged-eventbridge-request.json"),
        "json",
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains(&format!("{}: cannot read: ", missing.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_1_not_the_deny_status() {
    let bad_format = trustsim([
        "eval".as_ref(),
        example("eventbridge-role.json").as_os_str(),
        "--request".as_ref(),
        example("forged-eventbridge-request.json").as_os_str(),
        "--format".as_ref(),
        "xml".as_ref(),
    ]);
    assert_eq!(bad_format.code, Some(1), "{}", bad_format.stderr);
    let conflict = eval_with(
        &example("eventbridge-role.json"),
        &[
            "--request",
            example("forged-eventbridge-request.json").to_str().unwrap(),
            "--principal",
            "events.amazonaws.com",
        ],
    );
    assert_eq!(conflict.code, Some(1), "{}", conflict.stderr);
}

// ---------------------------------------------------------------------------------------------
// Batch mode

fn batch_line(id: Value, policy: &str, request: &str) -> String {
    let policy: Value = serde_json::from_str(policy).unwrap();
    let request: Value = serde_json::from_str(request).unwrap();
    json!({"id": id, "policy": policy, "request": request}).to_string()
}

#[test]
fn batch_answers_every_line_in_order() {
    let fx = Fixture::new("batch");
    let forged = example_text("forged-eventbridge-request.json");
    let lines = [
        batch_line(
            json!("open"),
            &example_text("eventbridge-role.json"),
            &forged,
        ),
        batch_line(
            json!("fixed"),
            &example_text("eventbridge-role-fixed.json"),
            &forged,
        ),
        batch_line(
            json!("bad-policy"),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}"#,
            &forged,
        ),
        "this is not json".to_owned(),
        String::new(),
        batch_line(
            json!("bad-request"),
            &example_text("eventbridge-role.json"),
            r#"{"principal": "foo"}"#,
        ),
        batch_line(
            json!(7),
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
                {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}"#,
            r#"{"principal": "123456789012"}"#,
        ),
        batch_line(
            json!("deputy"),
            &example_text("externalid-role.json"),
            &example_text("deputy-request.json"),
        ),
        batch_line(
            json!("tags"),
            ASSUME_ONLY,
            &json!({"principal": CI_SESSION,
            "context": {"aws:TagKeys": ["a", "b"]}})
            .to_string(),
        ),
    ];
    let file = fx.write("batch.jsonl", &(lines.join("\n") + "\n"));
    let run = trustsim(["eval".as_ref(), "--batch".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let out: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 8, "the blank line is skipped: {}", run.stdout);
    assert_eq!(out[0], json!({"id": "open", "decision": "Allow"}));
    assert_eq!(out[1], json!({"id": "fixed", "decision": "ImplicitDeny"}));
    assert_eq!(out[2]["id"], "bad-policy");
    assert!(out[2].get("decision").is_none());
    assert_eq!(
        out[2]["error"],
        "policy: /Statement/0/NotPrincipal: role trust policies do not support `NotPrincipal`"
    );
    assert_eq!(out[3]["id"], Value::Null);
    let not_json = out[3]["error"].as_str().unwrap();
    assert!(
        not_json.starts_with("line 4 is not valid JSON"),
        "{not_json}"
    );
    assert_eq!(out[4]["id"], "bad-request");
    let bad_request = out[4]["error"].as_str().unwrap();
    assert!(
        bad_request.starts_with("request: /principal: cannot tell what kind of principal `foo`"),
        "{bad_request}"
    );
    assert_eq!(out[5], json!({"id": 7, "decision": "ExplicitDeny"}));
    assert_eq!(out[6], json!({"id": "deputy", "decision": "ImplicitDeny"}));
    assert_eq!(out[7], json!({"id": "tags", "decision": "ImplicitDeny"}));
}

#[test]
fn batch_missing_file_is_an_input_error() {
    let fx = Fixture::new("batch_missing");
    let missing = fx.path("none.jsonl");
    let run = trustsim(["eval".as_ref(), "--batch".as_ref(), missing.as_os_str()]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains(&format!("{}: cannot read: ", missing.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn batch_line_that_is_not_utf8_does_not_stop_the_rest() {
    let fx = Fixture::new("batch_utf8");
    let forged = example_text("forged-eventbridge-request.json");
    let mut bytes =
        batch_line(json!("a"), &example_text("eventbridge-role.json"), &forged).into_bytes();
    bytes.extend_from_slice(b"\n{\"id\": \"bad\xff\", \"policy\": {}}\n");
    bytes.extend(
        batch_line(
            json!("c"),
            &example_text("eventbridge-role-fixed.json"),
            &forged,
        )
        .into_bytes(),
    );
    bytes.push(b'\n');
    let file = fx.write_bytes("batch.jsonl", &bytes);
    let run = trustsim(["eval".as_ref(), "--batch".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let out: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 3, "{}", run.stdout);
    assert_eq!(out[0], json!({"id": "a", "decision": "Allow"}));
    assert!(out[1].get("error").is_some(), "{}", out[1]);
    assert_eq!(out[2], json!({"id": "c", "decision": "ImplicitDeny"}));
}

//! Terraform configuration read directly (`.tf`, `.tf.json`, `.tfvars`), as CI scans it without
//! a plan: five real public modules and a hand-written one (`tests/fixtures/terraform/`, sources
//! and licences in `tests/fixtures/README.md`), golden snapshots of their verdicts, and the
//! errors a broken file gives.

use crate::support;

use serde_json::Value;
use support::verdicts;

fn run(args: &[&str]) -> (Option<i32>, Value, String) {
    support::run_in_fixtures("terraform", args)
}

const OWNER: &str = "111122223333";

/// The five real modules with their variables' defaults: every role is read, and none is open.
#[test]
fn real_modules_with_their_defaults() {
    let (code, report, err) = run(&[
        "analyze",
        "iam-role",
        "irsa",
        "cloudposse-iam-role",
        "lambda",
        "lambda-deploy",
        "--account",
        OWNER,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{err}");
    assert_eq!(report["roles"].as_array().unwrap().len(), 5);
    insta::assert_snapshot!("real_modules_defaults", verdicts(&report));
}

/// The modules as a caller sets them: `iam-role` with GitHub OIDC enabled and no subject lets
/// any GitHub repository in; with a subject it does not; IRSA for an EKS cluster's provider; the
/// cloudposse role trusting a vendor account.
#[test]
fn real_modules_as_called() {
    let (code, report, err) = run(&[
        "analyze",
        "iam-role",
        "--account",
        OWNER,
        "--parameter",
        "enable_github_oidc=true",
    ]);
    assert_eq!(code, Some(3), "{err}");
    let mut s = verdicts(&report);
    let (code, report, err) = run(&[
        "analyze",
        "iam-role",
        "--account",
        OWNER,
        "--parameter",
        "enable_github_oidc=true",
        "--parameter",
        "oidc_subjects=[\"example-org/app:ref:refs/heads/main\"]",
    ]);
    assert_eq!(code, Some(0), "{err}");
    s.push_str(&verdicts(&report));
    let (code, report, err) = run(&[
        "analyze",
        "cloudposse-iam-role",
        "--account",
        OWNER,
        "--parameter",
        "principals={AWS=[\"arn:aws:iam::999988887777:root\"]}",
    ]);
    assert_eq!(code, Some(3), "{err}");
    s.push_str(&verdicts(&report));
    let provider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let (code, report, err) = run(&[
        "analyze",
        "irsa",
        "--account",
        OWNER,
        "--parameter",
        &format!("oidc_providers={{main={{provider_arn=\"{provider}\", namespace_service_accounts=[\"default:app\"]}}}}"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    s.push_str(&verdicts(&report));
    insta::assert_snapshot!("real_modules_as_called", s);
}

/// The hand-written module: `jsonencode`, a heredoc, `file()`, documents built on documents,
/// GitHub OIDC, a conditional, `.tf.json`, `terraform.tfvars` (the vendor account it sets wins
/// over the default) and an inline `# trustsim:ignore`.
#[test]
fn every_way_of_writing_a_trust_policy() {
    let (code, report, err) = run(&["analyze", "handmade", "--account", OWNER]);
    assert_eq!(code, Some(3), "{err}");
    let text = report.to_string();
    assert!(
        text.contains("888877776666"),
        "terraform.tfvars sets the vendor"
    );
    let mut s = verdicts(&report);
    // The conditional opens the reader role when its variable is true; with no value at all
    // (no default), both sides deploy and the finding names the condition.
    let (_, report, err) = run(&[
        "analyze",
        "handmade",
        "--account",
        OWNER,
        "--parameter",
        "public_bucket_reader=true",
    ]);
    assert!(report["roles"].is_array(), "{err}");
    s.push_str("-- public_bucket_reader=true\n");
    s.push_str(&verdicts(&report));
    insta::assert_snapshot!("handmade", s);
}

/// An undecided conditional is explored both ways: a variable without default that decides a
/// principal gives the worst of the two policies, naming the condition.
#[test]
fn an_undecided_conditional_never_hides_an_open_side() {
    let dir = support::scratch("tf-undecided");
    std::fs::write(
        dir.join("main.tf"),
        r#"
variable "open" { type = bool }
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
      Principal = { AWS = var.open ? "*" : "arn:aws:iam::111122223333:role/ci" } }]
  })
}
"#,
    )
    .unwrap();
    let (code, report, err) = run(&["analyze", dir.to_str().unwrap(), "--account", OWNER]);
    assert_eq!(code, Some(3), "{err}");
    let public = &report["roles"][0]["threats"][0];
    assert_eq!(public["verdict"], "exposed");
    assert!(
        public["explanation"]
            .as_str()
            .unwrap()
            .starts_with("when var.open is true: "),
        "{public}"
    );
}

/// A folder of Terraform files never passes a gate with "0 roles" by accident: a file that does
/// not parse is an error at its line and column, and a role whose policy cannot be known is an
/// error at its line; the other files are still read.
#[test]
fn broken_terraform_is_an_error_at_its_line() {
    let dir = support::scratch("tf-broken");
    std::fs::write(
        dir.join("broken.tf"),
        "resource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n  assume_role_policy = {\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("unknown.tf"),
        "\n\nresource \"aws_iam_role\" \"u\" {\n  assume_role_policy = module.policy.json\n}\nresource \"aws_iam_role\" \"none\" {\n  name = \"n\"\n}\n",
    )
    .unwrap();
    let (code, report, err) = run(&["analyze", dir.to_str().unwrap(), "--account", OWNER]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 3, "{err}");
    assert!(
        err.contains("broken.tf: line 4, column 3: not valid HCL"),
        "{err}"
    );
    assert!(
        err.contains("unknown.tf: line 3: the `assume_role_policy` of `aws_iam_role.u`: its value is <unresolved module.policy.json>"),
        "{err}"
    );
    assert!(
        err.contains("unknown.tf: line 6: `aws_iam_role.none` has no `assume_role_policy`"),
        "{err}"
    );
}

/// A module that declares a role (or a policy document, or a variable) twice is refused, as
/// Terraform refuses it, at the second declaration's line, also across the module's files;
/// the first is still analysed, once. Found by the `render` fuzzer (two copies of a module in
/// one file gave every role twice, with one SARIF fingerprint).
#[test]
fn a_block_declared_twice_is_an_error_at_the_second() {
    let dir = support::scratch("tf-twice");
    let role = |name: &str| {
        format!("resource \"aws_iam_role\" \"{name}\" {{\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"lambda.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}]\n  }})\n}}\n")
    };
    std::fs::write(
        dir.join("main.tf"),
        format!("{}\n{}variable \"v\" {{}}\n", role("a"), role("a")),
    )
    .unwrap();
    std::fs::write(dir.join("more.tf"), "\n\nvariable \"v\" {\n}\n").unwrap();
    let (code, report, err) = run(&["analyze", dir.to_str().unwrap(), "--account", OWNER]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(report["roles"].as_array().unwrap().len(), 1, "{err}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 2, "{err}");
    assert!(
        err.contains("main.tf: line 8: `resource \"aws_iam_role\" \"a\"` is declared twice; the first is at "),
        "{err}"
    );
    assert!(
        err.contains("more.tf: line 3: `variable \"v\"` is declared twice; the first is at "),
        "{err}"
    );
}

/// An inline ignore needs a threat trustsim knows and a reason.
#[test]
fn an_inline_ignore_is_checked() {
    let dir = support::scratch("tf-ignore");
    std::fs::write(
        dir.join("main.tf"),
        "# trustsim:ignore confused-deputy\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({Statement = []})\n}\n",
    )
    .unwrap();
    let (code, _, err) = run(&["analyze", dir.to_str().unwrap(), "--account", OWNER]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("main.tf: line 1: an inline ignore needs a reason"),
        "{err}"
    );
}

/// A fix is shown as an edit of the `.tf` file where the policy is written in HCL, and as the
/// resolved policy's JSON diff where it is not (a conditional `Condition`).
#[test]
fn a_fix_is_shown_in_the_modules_own_language() {
    let (_, report, err) = run(&["analyze", "handmade", "--account", OWNER]);
    let fix_of = |role: &str| {
        let r = report["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == role)
            .unwrap_or_else(|| panic!("{role}: {err}"));
        let t = r["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["threat"] == "confused-deputy")
            .unwrap();
        assert!(t["fix"].is_object(), "{role} has a fix");
        t["template_fix"].as_str().map(str::to_owned)
    };
    let audit = fix_of("aws_iam_role.audit").expect("an HCL edit");
    assert!(
        audit.contains("main.tf, line 129 (aws_iam_role.audit"),
        "{audit}"
    );
    assert!(
        audit.contains("+     Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Condition = { StringEquals = { \"sts:ExternalId\" = \"EXTERNAL_ID_FROM_THIRD_PARTY\" } } }]"),
        "{audit}"
    );
    assert_eq!(fix_of("aws_iam_role.vendor"), None);
}

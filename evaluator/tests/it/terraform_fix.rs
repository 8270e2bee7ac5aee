//! A fix shown in a Terraform module's own language (`sources::template_fix::terraform`): text
//! edits to the `.tf` file, everything else left as written, the owner's account as
//! `data.aws_caller_identity.NAME.account_id`. Each test applies the shown patch to the file the
//! way a reader would (the shown lines replace the original ones), reads the module again and
//! re-analyses it: the threat is closed, as the fix claims.

use std::path::{Path, PathBuf};

use trustsim_evaluator::analysis::{analyze, analyze_threat, AnalysisOptions, Verdict};
use trustsim_evaluator::sources::template_fix::{self, StatementChange};
use trustsim_evaluator::sources::terraform_config::{module_roles, ModuleFiles};
use trustsim_evaluator::sources::Deployment;
use trustsim_evaluator::{Threat, TrustPolicy};

const OWNER: &str = "111122223333";

const MODULE: &str = r#"# Roles for the fix tests.
resource "aws_iam_role" "delivery" {
  name = "delivery"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "delivery.logs.amazonaws.com" }
      },
    ]
  })
}

data "aws_iam_policy_document" "vendor" {
  statement {
    sid     = "Vendor"
    actions = ["sts:AssumeRole"]

    # The vendor's account, reviewed.
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::999988887777:root"]
    }
  }
}

resource "aws_iam_role" "vendor" {
  name               = "vendor"
  assume_role_policy = data.aws_iam_policy_document.vendor.json
}

resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

resource "aws_iam_role" "heredoc" {
  name               = "heredoc"
  assume_role_policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"Service": "delivery.logs.amazonaws.com"}}]}
  EOT
}
"#;

fn options() -> AnalysisOptions {
    AnalysisOptions {
        account: Some(OWNER.to_owned()),
        ..AnalysisOptions::default()
    }
}

fn deployment() -> Deployment {
    Deployment {
        owner: Some(OWNER.to_owned()),
        ..Deployment::default()
    }
}

fn module(text: &str) -> ModuleFiles {
    ModuleFiles {
        dir: PathBuf::from("."),
        files: vec![(PathBuf::from("main.tf"), text.to_owned())],
    }
}

/// The verdict of `threat` on every policy the role `name` of the module can deploy with.
fn verdicts(text: &str, name: &str, threat: Threat) -> Vec<Verdict> {
    let m = module(text);
    let read = module_roles(Path::new("."), &m.files, &deployment());
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let role = read.roles.iter().find(|r| r.name == name).unwrap();
    let docs: Vec<_> = if role.branches.is_empty() {
        vec![role.document.clone()]
    } else {
        role.branches.iter().map(|b| b.document.clone()).collect()
    };
    docs.iter()
        .map(|d| analyze_threat(&TrustPolicy::from_value(d).unwrap(), threat, &options()).verdict)
        .collect()
}

/// The shown changes for `name` and `threat`.
fn changes(text: &str, name: &str, threat: Threat) -> Option<Vec<StatementChange>> {
    let m = module(text);
    let read = module_roles(Path::new("."), &m.files, &deployment());
    let role = read.roles.iter().find(|r| r.name == name).unwrap();
    let analysis = analyze(
        &TrustPolicy::from_value(&role.document).unwrap(),
        &options(),
    );
    let result = analysis.result(threat);
    assert_eq!(
        result.verdict,
        Verdict::Exposed,
        "{name} is open before the fix"
    );
    let fix = result.fix.clone().expect("a fix");
    template_fix::terraform(
        &m,
        name,
        &deployment(),
        &role.document,
        &fix,
        threat,
        &options(),
    )
}

/// The file as the reader patches it: each shown `after` in place of its `before`, and each new
/// block (an empty `before`) appended.
fn apply(text: &str, shown: &[StatementChange]) -> String {
    let mut out = text.to_owned();
    for c in shown {
        if c.before.is_empty() {
            out.push('\n');
            out.push_str(&c.after);
        } else {
            assert_eq!(
                out.matches(&c.before).count(),
                1,
                "{} is found once",
                c.before
            );
            out = out.replacen(&c.before, &c.after, 1);
        }
    }
    out
}

#[test]
fn a_service_fix_adds_the_condition_and_the_callers_account() {
    let shown = changes(MODULE, "aws_iam_role.delivery", Threat::ForgedService).unwrap();
    assert!(
        shown[0].after.contains(
            "        Condition = { StringEquals = { \"aws:SourceAccount\" = data.aws_caller_identity.current.account_id } }\n      },"
        ),
        "{}",
        shown[0].after
    );
    assert!(!shown[0].after.contains(OWNER));
    // The module declares no caller identity: the fix adds one.
    assert_eq!(shown.len(), 2);
    assert_eq!(
        shown[1].after,
        "data \"aws_caller_identity\" \"current\" {}\n"
    );
    let patched = apply(MODULE, &shown);
    assert_eq!(
        verdicts(&patched, "aws_iam_role.delivery", Threat::ForgedService),
        [Verdict::Restricted]
    );
    // Only the role's statement changed: the other roles read as before.
    for (name, threat) in [
        ("aws_iam_role.vendor", Threat::ConfusedDeputy),
        ("aws_iam_role.open", Threat::Public),
    ] {
        assert_eq!(verdicts(&patched, name, threat), [Verdict::Exposed]);
    }
}

#[test]
fn a_document_fix_adds_a_condition_block_and_keeps_the_comments() {
    let shown = changes(MODULE, "aws_iam_role.vendor", Threat::ConfusedDeputy).unwrap();
    assert_eq!(
        shown.len(),
        1,
        "no account is written, so no data source is added"
    );
    let after = &shown[0].after;
    assert!(
        after.contains("    # The vendor's account, reviewed.\n"),
        "{after}"
    );
    assert!(
        after.contains(
            "    condition {\n      test     = \"StringEquals\"\n      variable = \"sts:ExternalId\"\n"
        ),
        "{after}"
    );
    assert!(shown[0]
        .place
        .contains("data.aws_iam_policy_document.vendor"));
    let patched = apply(MODULE, &shown);
    assert_eq!(
        verdicts(&patched, "aws_iam_role.vendor", Threat::ConfusedDeputy),
        [Verdict::Restricted]
    );
}

#[test]
fn a_public_fix_replaces_the_principal_on_a_one_line_statement() {
    let with_identity = format!("{MODULE}\ndata \"aws_caller_identity\" \"me\" {{}}\n");
    let shown = changes(&with_identity, "aws_iam_role.open", Threat::Public).unwrap();
    // The module's own data source is used, and none is added.
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].after.contains(
            "Principal = { AWS = \"arn:aws:iam::${data.aws_caller_identity.me.account_id}:root\" }"
        ),
        "{}",
        shown[0].after
    );
    let patched = apply(&with_identity, &shown);
    assert_eq!(
        verdicts(&patched, "aws_iam_role.open", Threat::Public),
        // The owner's own account: no statement lets in "*" any more.
        [Verdict::NotApplicable]
    );
}

#[test]
fn a_policy_written_as_text_gets_no_module_fix() {
    // A heredoc is JSON text inside HCL: the fix stays a diff of the resolved policy.
    assert!(changes(MODULE, "aws_iam_role.heredoc", Threat::ForgedService).is_none());
}

#[test]
fn a_condition_the_fix_cannot_edit_gets_no_module_fix() {
    let text = r#"
variable "external_id" {
  type    = string
  default = null
}
resource "aws_iam_role" "vendor" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
      Condition = var.external_id == null ? {} : { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}
"#;
    assert!(changes(text, "aws_iam_role.vendor", Threat::ConfusedDeputy).is_none());
}

//! `sources::scan`, the library's reading of paths as `trustsim analyze` reads them: kinds,
//! walks, globs, notes and errors, and an export's roles read one at a time.

use std::path::{Path, PathBuf};

use trustsim_evaluator::sources::{error_text, scan, FoundRole, InputKind, ScanError, ScanOptions};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn names(roles: Vec<FoundRole>) -> Vec<String> {
    roles.into_iter().map(|r| r.read().unwrap().name).collect()
}

#[test]
fn a_directory_gives_every_role_of_every_kind_and_notes_what_it_skipped() {
    let report = scan(&[examples()], &ScanOptions::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // The request files and expected.json are no input kind: notes, not errors.
    assert!(report
        .notes
        .iter()
        .any(|n| n.ends_with("forged-eventbridge-request.json: skipped: not a trust policy, CloudFormation template, Terraform plan or account export")));
    assert!(report.other_files >= 1, "README.md is passed over");
    let export_roles = report
        .roles
        .iter()
        .filter(|r| matches!(r, FoundRole::Export(..)))
        .count();
    assert!(
        export_roles > 20,
        "the export's roles are read one at a time"
    );
    let names = names(report.roles);
    assert!(names.contains(&"eventbridge-role".to_owned()));
    assert!(names.contains(&"CentralEventBusToInvoiceProcessingEventBusRole".to_owned()));
    assert!(names.contains(&"ecsEventsRole".to_owned()));
}

#[test]
fn a_named_file_of_no_kind_is_an_error_unless_other_files_are_skipped() {
    let request = examples().join("forged-eventbridge-request.json");
    let strict = scan(&[&request], &ScanOptions::default());
    assert_eq!(strict.errors.len(), 1, "{:?}", strict.errors);
    assert!(matches!(strict.errors[0], ScanError::NoKind { .. }));
    assert!(strict.errors[0]
        .to_string()
        .ends_with("forged-eventbridge-request.json: not a trust policy, CloudFormation template, Terraform plan or account export"));
    // The help is the diagnostic's, and the printed text carries it on a line of its own.
    let help = miette::Diagnostic::help(&strict.errors[0])
        .unwrap()
        .to_string();
    assert!(help.starts_with("a trust policy has `Statement`"));
    assert!(error_text(&strict.errors[0]).ends_with(&format!("\n  help: {help}")));
    let lenient = scan(
        &[&request],
        &ScanOptions {
            skip_other_files: true,
            allow_empty: true,
            ..Default::default()
        },
    );
    assert!(lenient.errors.is_empty() && lenient.roles.is_empty());
    assert_eq!(lenient.notes.len(), 1);
}

#[test]
fn globs_missing_paths_and_empty_runs() {
    let pattern = examples().join("eventbridge-*.json");
    let report = scan(&[pattern], &ScanOptions::default());
    assert_eq!(
        names(report.roles),
        ["eventbridge-role-fixed", "eventbridge-role"]
    );
    let none = scan(
        &[examples().join("nothing-*.json")],
        &ScanOptions::default(),
    );
    assert!(
        matches!(&none.errors[0], ScanError::NoMatch { pattern } if pattern.ends_with("nothing-*.json"))
    );
    let missing = scan(&[examples().join("missing.json")], &ScanOptions::default());
    assert!(missing.errors[0]
        .to_string()
        .ends_with("missing.json: no such file or directory"));
    let dir = std::env::temp_dir().join(format!("trustsim-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = scan(&[&dir], &ScanOptions::default());
    assert!(matches!(empty.errors[0], ScanError::NoRoles { .. }));
    assert!(error_text(&empty.errors[0]).starts_with("no roles found in "));
    let allowed = scan(
        &[&dir],
        &ScanOptions {
            allow_empty: true,
            ..Default::default()
        },
    );
    assert!(allowed.errors.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_given_kind_is_read_as_that_kind() {
    let policy = examples().join("eventbridge-role.json");
    let as_template = scan(
        &[&policy],
        &ScanOptions {
            input_kind: Some(InputKind::CloudFormation),
            ..Default::default()
        },
    );
    // A policy read as a template is a template without `Resources`: an error at its root.
    assert_eq!(as_template.errors.len(), 1);
    match &as_template.errors[0] {
        ScanError::Policy {
            pointer,
            message,
            help,
            ..
        } => {
            assert_eq!(pointer, "(document root)");
            assert_eq!(
                message,
                "a CloudFormation template needs a `Resources` object"
            );
            assert!(help
                .as_deref()
                .is_some_and(|h| h.starts_with("add `Resources:`")));
        }
        other => panic!("{other:?}"),
    }
}

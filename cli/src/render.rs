//! One input, held in memory, read and analysed as `trustsim analyze FILE` reads and analyses
//! it, and rendered in every output format: the contract's JSON report, SARIF and the human
//! text. The fuzz target `render` (`fuzz/props/render.rs`) checks these renderings against each
//! other; the command itself goes through the same functions (`sources::scan_text`,
//! `analyze_cmd::analyse`, `triage::triage`, the renderers).

use std::path::{Path, PathBuf};

use serde_json::Value;
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::sources::{self, terraform_config};
use trustsim_evaluator::{AnalysisOptions, Verdict};

use crate::analyze_cmd::{analyse, AnalysisCache, Settings};
use crate::config::Config;

/// Every rendering of one run.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The JSON report (`--format json`), as the contract describes it.
    pub json: Value,
    /// The SARIF 2.1.0 log (`--format sarif`), paths relative to the root given.
    pub sarif: Value,
    /// The human text (`--format human`), without colour.
    pub human: String,
    /// The run's input errors, as standard error shows them (without `trustsim: error: `).
    pub errors: Vec<String>,
    /// The run's notes.
    pub notes: Vec<String>,
}

/// Reads `text` as the file `root/name` named on the command line (a `.tf`, `.tf.json` or
/// `.tfvars` name is a Terraform module of that one file; anything else is detected by its
/// content), analyses its roles with `account` as the owner when it is a 12-digit account ID,
/// triages them with no config file (the default threshold, `exposed`) and renders the run.
pub fn analyze_text(root: &Path, name: &str, text: &str, account: Option<&str>) -> Rendered {
    let account = account
        .filter(|a| owner_from(Some(a), None).is_some())
        .map(str::to_owned);
    let options = AnalysisOptions {
        account,
        ..Default::default()
    };
    let (roles, errors, notes) = analysed(root, name, text, &options);
    Rendered {
        json: crate::analyze_cmd::to_json(&roles, &errors),
        sarif: crate::sarif::log(
            &roles,
            &errors,
            &notes,
            &crate::sarif::Root::new(Some(root)),
        ),
        human: crate::analyze_cmd::human(&roles, false),
        errors,
        notes,
    }
}

/// The JSON report of `trustsim analyze` on `text` read as the file `root/name` (as
/// [`analyze_text`] reads it), with the owner, partition and zone of trust of `options`: the
/// report, the input errors (also in the report's `errors`) and the notes.
#[must_use]
pub fn analyze_json(
    root: &Path,
    name: &str,
    text: &str,
    options: &AnalysisOptions,
) -> (Value, Vec<String>, Vec<String>) {
    let (roles, errors, notes) = analysed(root, name, text, options);
    (crate::analyze_cmd::to_json(&roles, &errors), errors, notes)
}

/// The roles of one input, analysed and triaged as `analyze` does with no config file.
fn analysed(
    root: &Path,
    name: &str,
    text: &str,
    options: &AnalysisOptions,
) -> (Vec<crate::analyze_cmd::Role>, Vec<String>, Vec<String>) {
    let path: PathBuf = root.join(name);
    let settings = Settings {
        scan: sources::ScanOptions {
            deployment: sources::Deployment {
                owner: options.account.clone(),
                partition: options.partition.clone(),
                ..Default::default()
            },
            ..Default::default()
        },
        options: options.clone(),
        cache: AnalysisCache::default(),
    };
    let mut report = sources::ScanReport::default();
    if terraform_config::is_terraform_file(&path) {
        let found = terraform_config::module_roles(
            root,
            &[(path.clone(), text.to_owned())],
            &settings.scan.deployment,
        );
        report
            .errors
            .extend(found.errors.into_iter().map(sources::ScanError::Terraform));
        report.notes.extend(found.notes);
        report.roles.extend(
            found
                .roles
                .into_iter()
                .map(|r| sources::FoundRole::Role(Box::new(r))),
        );
    } else {
        sources::scan_text(&path, text.to_owned(), true, &settings.scan, &mut report);
    }
    let sources::ScanReport {
        roles: jobs,
        errors: scan_errors,
        notes,
        ..
    } = report;
    let mut errors: Vec<String> = scan_errors.iter().map(|e| sources::error_text(e)).collect();
    // As `analyze` does: nothing to analyse is an error.
    if jobs.is_empty() && errors.is_empty() {
        errors.push(format!("no roles found in {}", path.display()));
    }
    let mut roles = Vec::new();
    for job in jobs {
        match job
            .read()
            .map_err(|e| sources::error_text(&e))
            .and_then(|r| analyse(r, &settings))
        {
            Ok(r) => roles.push(r),
            Err(e) => errors.push(e),
        }
    }
    let today = chrono::NaiveDate::default();
    let _ = crate::triage::triage(
        &mut roles,
        &Config::default(),
        None,
        Some(Verdict::Exposed),
        today,
    );
    (roles, errors, notes)
}

//! One input, held in memory, read and analysed as `trustsim analyze FILE` reads and analyses
//! it, and rendered in every output format: the contract's JSON report, SARIF and the human
//! text. The fuzz target `render` (`fuzz/props/render.rs`) checks these renderings against each
//! other; the command itself goes through the same functions (`analyze_cmd::file_roles`,
//! `analyze_cmd::analyse`, `triage::triage`, the renderers).

use std::path::{Path, PathBuf};

use serde_json::Value;
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::sources::{self, terraform_config};
use trustsim_evaluator::{AnalysisOptions, Verdict};

use crate::analyze_cmd::{analyse, file_roles, AnalysisCache, Job, Settings};
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
        input_kind: None,
        allow_empty: false,
        deployment: sources::Deployment {
            owner: options.account.clone(),
            partition: options.partition.clone(),
            ..Default::default()
        },
        options: options.clone(),
        cache: AnalysisCache::default(),
    };
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut jobs = Vec::new();
    if terraform_config::is_terraform_file(&path) {
        let found = terraform_config::module_roles(
            root,
            &[(path.clone(), text.to_owned())],
            &settings.deployment,
        );
        errors.extend(found.errors.iter().map(ToString::to_string));
        notes.extend(found.notes);
        jobs.extend(found.roles.into_iter().map(|r| Job::Role(Box::new(r))));
    } else {
        match file_roles(&path, text.to_owned(), true, &settings) {
            Ok((found, skipped)) => {
                jobs.extend(found);
                notes.extend(skipped);
            }
            Err(e) => errors.push(e),
        }
    }
    // As `analyze` does: nothing to analyse is an error.
    if jobs.is_empty() && errors.is_empty() {
        errors.push(format!("no roles found in {}", path.display()));
    }
    let mut roles = Vec::new();
    for job in jobs {
        match job.role().and_then(|r| analyse(r, &settings)) {
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

//! Target `terraform`: the Terraform configuration reader (`sources::terraform_config`) on one
//! file of a module, `main.tf` (or `main.tf.json` when the text is a JSON object), and the fix
//! written into it (`sources::template_fix::terraform`).
//!
//! - nothing panics, whatever the text;
//! - every error names the file, and a line that the file has;
//! - every role found either lowers to a `TrustPolicy`, which then passes the checks of
//!   [`super::common::check_policy`], or gives an error naming an element of its document;
//! - a fix shown in the module is an edit of the file: each changed text it shows as `before`
//!   is found in the file as written.

use std::path::{Path, PathBuf};

use trustsim_evaluator::analysis::{analyze, AnalysisOptions};
use trustsim_evaluator::sources::template_fix;
use trustsim_evaluator::sources::terraform_config::{module_roles, ModuleFiles};
use trustsim_evaluator::sources::Deployment;
use trustsim_evaluator::TrustPolicy;

/// The property.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = if text.trim_start().starts_with('{') {
        "main.tf.json"
    } else {
        "main.tf"
    };
    let module = ModuleFiles {
        dir: PathBuf::from("."),
        files: vec![(PathBuf::from(name), text.to_owned())],
    };
    let lines = text.lines().count().max(1);
    for owner in [None, Some("111122223333")] {
        let deployment = Deployment {
            owner: owner.map(str::to_owned),
            ..Deployment::default()
        };
        let found = module_roles(Path::new("."), &module.files, &deployment);
        for e in &found.errors {
            assert_eq!(e.file, Path::new(name), "error file: {e}");
            if let Some(l) = e.line {
                assert!(
                    (1..=lines + 1).contains(&l),
                    "error line {l} of {lines}: {e}"
                );
            }
        }
        let options = AnalysisOptions {
            account: owner.map(str::to_owned),
            ..AnalysisOptions::default()
        };
        for role in found.roles {
            let policy = match TrustPolicy::from_value(&role.document) {
                Ok(p) => p,
                Err(e) => {
                    super::common::check_error(&role.document, &e);
                    continue;
                }
            };
            super::common::check_policy(&policy);
            let analysis = analyze(&policy, &options);
            for t in &analysis.threats {
                let Some(fix) = &t.fix else { continue };
                let shown = template_fix::terraform(
                    &module,
                    &role.name,
                    &deployment,
                    &role.document,
                    fix,
                    t.threat,
                    &options,
                );
                for change in shown.into_iter().flatten() {
                    assert!(
                        change.before.is_empty() || text.contains(&change.before),
                        "a fix's `before` is not in the file: {}",
                        change.before
                    );
                }
            }
        }
    }
}

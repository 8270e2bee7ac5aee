//! Target `sources`: the input kinds `trustsim analyze` reads (CloudFormation JSON/YAML,
//! Terraform plans, account exports, bare policies), through `sources::read_value`,
//! `sources::detect` and `sources::roles` with every kind (as `--input-kind` may force one).
//!
//! - nothing panics;
//! - an error of `roles` names an element of the input by its JSON Pointer;
//! - every role found either lowers to a `TrustPolicy`, which then passes the checks of
//!   [`super::common::check_policy`], or gives an error naming an element of its document.

use std::path::Path;

use trustsim_evaluator::sources::{detect, read_value, roles, InputKind};
use trustsim_evaluator::TrustPolicy;

const KINDS: [InputKind; 4] = [
    InputKind::Policy,
    InputKind::CloudFormation,
    InputKind::Terraform,
    InputKind::AccountExport,
];

/// The property.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = if text.trim_start().starts_with(['{', '[']) {
        Path::new("input.json")
    } else {
        Path::new("input.yaml")
    };
    let Ok(value) = read_value(text, path) else {
        return;
    };
    let _ = detect(&value);
    for owner in [None, Some("111122223333")] {
        for kind in KINDS {
            match roles(kind, &value, text, path, owner) {
                Ok(found) => {
                    for role in found {
                        assert!(
                            role.source.starts_with("input."),
                            "role source `{}`",
                            role.source
                        );
                        match TrustPolicy::from_value(&role.document) {
                            Ok(policy) => super::common::check_policy(&policy),
                            Err(e) => super::common::check_error(&role.document, &e),
                        }
                    }
                }
                Err(e) => super::common::check_error(&value, &e),
            }
        }
    }
}

//! Target `policy`: `TrustPolicy::from_json` on arbitrary bytes.
//!
//! - it never panics;
//! - a policy it accepts is the document as read (the same value a plain JSON reader gives),
//!   every pointer in it resolves, and sample requests evaluate (see [`super::common`]);
//! - an error on text that is valid JSON names, by its JSON Pointer, an element of that JSON
//!   (duplicate keys included: a plain reader keeps one of them, at the same pointer).

use serde_json::Value;
use trustsim_evaluator::TrustPolicy;

/// The property.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plain: Option<Value> = serde_json::from_str(text).ok();
    match TrustPolicy::from_json(text) {
        Ok(policy) => {
            assert!(
                plain.as_ref() == Some(&policy.document),
                "the policy's document differs from the JSON text"
            );
            super::common::check_policy(&policy);
        }
        Err(e) => {
            if let Some(doc) = &plain {
                super::common::check_error(doc, &e);
            }
        }
    }
}

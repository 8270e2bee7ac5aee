//! `BinaryEquals`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Binary
//! condition operators": "compares the value of the specified key byte for byte against a
//! base-64 encoded representation of the binary value in the policy". A request context given as
//! JSON has no bytes, so request values are base-64 text too; both sides are decoded and the
//! bytes compared. A request value that is not base-64 matches nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Decodes standard base-64 (with padding).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// Does the base-64 `request` value decode to exactly `policy`?
pub fn matches(policy: &[u8], request: &str) -> bool {
    // Same bytes means same canonical encoding length: reject without decoding when it differs.
    if request.len() != policy.len().div_ceil(3) * 4 {
        return false;
    }
    let mut buf = [0u8; 192];
    if policy.len() <= 189 {
        match STANDARD.decode_slice(request, &mut buf) {
            Ok(n) => buf.get(..n) == Some(policy),
            Err(_) => false,
        }
    } else {
        decode(request).is_some_and(|b| b == policy)
    }
}

/// One request value of each class `BinaryEquals` tells apart: each policy value's bytes, and
/// bytes equal to none of them.
pub fn representatives(policy: &[&[u8]]) -> Vec<String> {
    let mut out: Vec<String> = policy.iter().map(|b| STANDARD.encode(b)).collect();
    let other = (0u16..=256)
        .map(|i| match u8::try_from(i) {
            Ok(b) => vec![b],
            Err(_) => vec![0, 0],
        })
        .find(|b| !policy.contains(&b.as_slice()));
    if let Some(b) = other {
        out.push(STANDARD.encode(b));
    }
    out
}

//! The one place where IAM combines comparisons into a condition's result: OR over policy
//! values, per-value negation (NOR), the `ForAllValues:` / `ForAnyValue:` set qualifiers,
//! `...IfExists`, `Null`, and absent keys.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators":
//! - "If the key that you specify in a policy condition is not present in the request context,
//!   the values do not match and the condition is false. If the policy condition requires that
//!   the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
//!   present, the condition is true." (not for `...IfExists` and `Null`)
//! - section "...IfExists condition operators": "If the condition key is present in the context
//!   of the request, process the key as specified in the policy. If the key is not present,
//!   evaluate the condition element as true."
//!
//! "Conditions with multiple context keys or values": multiple values of one key in
//! one operator are ORed; "If a single negated matching condition operator includes multiple
//! values for a context key, those values are evaluated using a logical NOR." So a negated
//! operator asks, of each request value, that it match none of the policy values.
//!
//! "Set operators for multivalued context keys": `ForAllValues` is true when every request value
//! passes, and also "if there are no context keys in the request"; the "Condition operators" page
//! adds "or if the context key value resolves to a null dataset, such as an empty string".
//! `ForAnyValue` is true when at least one request value passes ("For no matching context key or
//! if the key does not exist, the condition returns false"); the archived 2023 page said it is
//! false for an empty data set too, and trustsim follows that.
//!
//! A plain operator (no set qualifier) applied to a key with several values passes when any
//! value passes the positive comparison, and its negated twin is the NOR of every request value
//! against every policy value (the same reading as a single value, extended to all of them).

use crate::operator::{Operator, SetQualifier};

/// The result of a condition with the reason that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// Whether the condition holds.
    pub result: bool,
    /// What decided it.
    pub reason: Reason,
}

/// What decided a condition. Indices point into the request's values for the key and into the
/// condition's policy values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The key is not in the request.
    KeyAbsent,
    /// The key is in the request with no values (a null data set).
    NoValues,
    /// `Null` compared the key's presence with the policy value at `policy`.
    Presence {
        /// Whether the key is present.
        present: bool,
        /// Index of the policy value that decided (`true` = "must be absent").
        policy: Option<usize>,
    },
    /// `ForAllValues:Null` (always true) or `ForAnyValue:Null` (always false).
    QualifiedNull,
    /// Request value `request` compared true with policy value `policy` (for a negated
    /// operator, this is what made that value fail).
    ValueMatched {
        /// Index into the request values.
        request: usize,
        /// Index into the policy values.
        policy: usize,
    },
    /// Request value `request` compared true with no policy value (for a negated operator,
    /// this is what made that value pass).
    ValueUnmatched {
        /// Index into the request values.
        request: usize,
    },
    /// Every one of `count` request values passed (for a negated operator: matched no policy
    /// value).
    AllPassed {
        /// Number of request values.
        count: usize,
    },
    /// None of `count` request values passed (for a negated operator: each matched some policy
    /// value).
    NonePassed {
        /// Number of request values.
        count: usize,
    },
}

/// Decides a non-`Null` condition from the request's values for its key and the positive
/// comparison `compares(request_value, policy_index)`. This is the whole of IAM's combination
/// logic; the families only say whether one value compares true with another.
pub fn decide<S, F>(
    operator: Operator,
    request: Option<&[S]>,
    policy_len: usize,
    compares: F,
) -> Outcome
where
    S: AsRef<str>,
    F: Fn(&str, usize) -> bool,
{
    let negated = operator.is_negated();
    let check = |i: usize, v: &str| -> (bool, Reason) {
        match (0..policy_len).find(|&j| compares(v, j)) {
            Some(j) => (
                !negated,
                Reason::ValueMatched {
                    request: i,
                    policy: j,
                },
            ),
            None => (negated, Reason::ValueUnmatched { request: i }),
        }
    };
    let outcome = |result, reason| Outcome { result, reason };
    let Some(values) = request else {
        // Absent key: ForAllValues passes; otherwise IfExists passes, a negated operator
        // passes, and a positive one fails.
        let result = match operator.qualifier {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => operator.if_exists,
            None => operator.if_exists || negated,
        };
        return outcome(result, Reason::KeyAbsent);
    };
    match operator.qualifier {
        // A null data set (no values, or an empty string): ForAllValues passes, ForAnyValue
        // fails.
        Some(q) if is_null_dataset(values) => {
            return outcome(q == SetQualifier::ForAllValues, Reason::NoValues);
        }
        // A plain operator with no value to compare reads the key as absent.
        None if values.is_empty() => {
            return outcome(operator.if_exists || negated, Reason::NoValues);
        }
        _ => {}
    }
    // Every value must pass (ForAllValues; a plain negated operator, which is the NOR of every
    // request value against every policy value), or one value must (ForAnyValue; a plain
    // positive operator).
    let every = match operator.qualifier {
        Some(SetQualifier::ForAllValues) => true,
        Some(SetQualifier::ForAnyValue) => false,
        None => negated,
    };
    for (i, v) in values.iter().enumerate() {
        let (pass, reason) = check(i, v.as_ref());
        if pass != every {
            return outcome(pass, reason);
        }
    }
    let reason = match values {
        [only] => check(0, only.as_ref()).1,
        _ if every => Reason::AllPassed {
            count: values.len(),
        },
        _ => Reason::NonePassed {
            count: values.len(),
        },
    };
    outcome(every, reason)
}

/// A null data set: a key present with no values, or whose only value is the empty string.
/// AWS: "Condition operators": "The `ForAllValues` qualifier returns true if there are no context
/// keys in the request or if the context key value resolves to a null dataset, such as an empty
/// string"; `Null` with `false` checks "if the context key exists and its value is not null".
pub fn is_null_dataset<S: AsRef<str>>(values: &[S]) -> bool {
    match values {
        [] => true,
        [only] => only.as_ref().is_empty(),
        _ => false,
    }
}

/// Decides a `Null` condition. AWS: "Condition operators", section "Condition operator to check
/// existence of condition keys": `true` means the key must be absent ("the key doesn't exist —
/// it is null"), `false` that it must be present with a value that is not null. Several values
/// are ORed like any other. With a set qualifier the result is fixed: policy validation check
/// `NULL_WITH_QUALIFIER` ("When you use the `Null` condition operator with `ForAllValues`, the
/// statement always returns `true`. When you use the `Null` condition operator with
/// `ForAnyValue`, the statement always returns `false`.").
pub fn decide_null<S: AsRef<str>>(
    operator: Operator,
    request: Option<&[S]>,
    policy: &[Option<bool>],
) -> Outcome {
    let present = request.is_some_and(|v| !is_null_dataset(v));
    if let Some(q) = operator.qualifier {
        return Outcome {
            result: q == SetQualifier::ForAllValues,
            reason: Reason::QualifiedNull,
        };
    }
    let hit = policy
        .iter()
        .position(|must_be_null| *must_be_null == Some(!present));
    Outcome {
        result: hit.is_some(),
        reason: Reason::Presence {
            present,
            policy: hit,
        },
    }
}

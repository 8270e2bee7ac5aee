//! Limits on what trustsim reads. Trust policies, templates, plans and requests come from other
//! people, and in CI from whoever opens a pull request, so every input is bounded: past a limit
//! trustsim reports an error that names the file, the place and the limit, instead of running out
//! of memory or time. Each limit is far above what AWS itself accepts, where AWS has a quota
//! (IAM User Guide, "IAM and AWS STS quotas"); trustsim warns when a policy is over AWS's quota
//! and refuses it only past its own hard limit. `docs/errors.md` lists the messages.

/// AWS's default quota for the length of a role trust policy, in characters not counting white
/// space (IAM User Guide, "IAM and AWS STS quotas": "Role trust policy length", 2,048 characters
/// by default; IAM does not count white space). A longer policy gets a warning.
pub const AWS_TRUST_POLICY_CHARS: usize = 2_048;

/// The most an account can raise [`AWS_TRUST_POLICY_CHARS`] to (the same page: 8,192
/// characters). The warning says so.
pub const AWS_TRUST_POLICY_CHARS_MAX: usize = 8_192;

/// Hard limit on a trust policy document, in bytes: the longest `AssumeRolePolicyDocument` the
/// IAM API takes at all (IAM API Reference, "CreateRole": length constraints, maximum length of
/// 131,072). A policy file, a batch line's policy, or a role's document in a template, plan or
/// export that is larger is an error.
pub const MAX_POLICY_BYTES: usize = 131_072;

/// Hard limit on a policy file (`trustsim eval POLICY`, or a policy file given to `analyze`), in
/// bytes: room for indentation around a document of [`MAX_POLICY_BYTES`].
pub const MAX_POLICY_FILE_BYTES: usize = 1 << 20;

/// Hard limit on a request file (`trustsim eval --request`), in bytes. A request is a caller and
/// a few context keys; 1 MiB leaves room for very long web identity claims.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Hard limit on one line of a batch file (`trustsim eval --batch`), in bytes: a policy and a
/// request. Longer lines are reported and skipped, without being held in memory.
pub const MAX_BATCH_LINE_BYTES: usize = MAX_POLICY_BYTES + MAX_REQUEST_BYTES;

/// Hard limit on a CloudFormation template, in bytes (JSON or YAML): 4 times CloudFormation's own
/// largest template, 1 MB in an S3 object (AWS CloudFormation User Guide, "CloudFormation
/// quotas": "Template body size in an Amazon S3 object").
pub const MAX_TEMPLATE_BYTES: usize = 4 << 20;

/// Hard limit on any file `trustsim analyze` reads, in bytes: Terraform plans and account
/// exports (`aws iam get-account-authorization-details` for an account with the most roles IAM
/// allows, 5,000, with their policies, is well under this). Files are read only up to this size.
pub const MAX_FILE_BYTES: usize = 128 << 20;

/// Nesting deeper than this is refused, in JSON and YAML alike (a trust policy is at most five
/// levels deep, a CloudFormation template about ten more; without a bound, deep nesting would
/// exhaust the stack).
pub const MAX_DEPTH: usize = 64;

/// Hard limit on the values a YAML document expands to (mapping entries, sequence items and
/// scalars, aliases counted at every use). YAML aliases let a small file stand for an enormous
/// value (the "billion laughs" attack). serde_norway stops after 100 alias uses per event in the
/// file, but one alias of a large anchor still multiplies the size, so trustsim counts the values
/// themselves. A template of [`MAX_TEMPLATE_BYTES`] with no aliases has fewer.
pub const MAX_YAML_NODES: usize = 1_000_000;

/// Hard limit on the statements of a policy. A minimal statement is about 70 characters, so
/// AWS's largest quota, [`AWS_TRUST_POLICY_CHARS_MAX`], holds about 120.
pub const MAX_STATEMENTS: usize = 1_000;

/// Hard limit on the conditions (operator and key pairs) of one statement.
pub const MAX_CONDITIONS_PER_STATEMENT: usize = 1_000;

/// Hard limit on the values of one condition key.
pub const MAX_VALUES_PER_CONDITION: usize = 10_000;

/// Hard limit on the condition values of a whole policy.
pub const MAX_VALUES: usize = 10_000;

/// Hard limit on one string of a policy (a condition value or pattern, a principal, an action),
/// in characters: a string cannot be longer than the whole of the largest policy AWS accepts,
/// [`AWS_TRUST_POLICY_CHARS_MAX`].
pub const MAX_POLICY_STRING_CHARS: usize = AWS_TRUST_POLICY_CHARS_MAX;

/// Hard limit on the keys of a request's context.
pub const MAX_CONTEXT_KEYS: usize = 1_000;

/// Hard limit on the values of one context key in a request.
pub const MAX_CONTEXT_VALUES: usize = 10_000;

/// Hard limit on one context value in a request, in characters (web identity tokens, the longest
/// source of claim values, are far shorter).
pub const MAX_CONTEXT_VALUE_CHARS: usize = 65_536;

/// The number of characters of `text` that IAM counts against [`AWS_TRUST_POLICY_CHARS`]: all
/// but white space.
pub fn counted_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// `131,072`: a limit as the messages write it.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Most policies analysed for one role of a template whose `Conditions` the parameter values do
/// not decide (each deployable combination of condition values that gives a different policy);
/// past it the role's verdicts over the analysed ones are `inconclusive` unless a finding is
/// already proven (docs/cli.md, "What is resolved").
pub const MAX_TEMPLATE_BRANCHES: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_separators() {
        assert_eq!(thousands(131_072), "131,072");
        assert_eq!(thousands(64), "64");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn white_space_is_not_counted() {
        assert_eq!(counted_chars("{ \"a\" :\n 1 }"), 7);
    }
}

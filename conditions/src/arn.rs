//! Amazon Resource Names: `arn:partition:service:region:account-id:resource`.
//!
//! AWS: IAM User Guide, "IAM identifiers", section "IAM ARNs", and the AWS General Reference,
//! "Amazon Resource Names (ARNs)": an ARN has six colon-separated components, and the last
//! (the resource) may itself contain colons or slashes. So an ARN is split at its first five
//! colons and everything after the fifth is the resource.
//!
//! Parsed with nom; shared by the ARN condition operators and principal matching.

use nom::bytes::complete::{tag, take_till};
use nom::character::complete::char as ch;
use nom::combinator::rest;
use nom::sequence::{terminated, tuple};
use nom::IResult;

/// An ARN split into its six components, borrowed from the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// `iam`, `sts`, `s3`, ...
    pub service: &'a str,
    /// Region, empty for global services.
    pub region: &'a str,
    /// Twelve-digit account ID, empty for some services (S3 buckets).
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses text that starts `arn:` and has at least five colons.
    pub fn parse(text: &'a str) -> Option<Self> {
        let (_, (_, partition, service, region, account, resource)) = arn(text).ok()?;
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The components in order, `arn` first.
    pub fn parts(&self) -> [&'a str; 6] {
        [
            "arn",
            self.partition,
            self.service,
            self.region,
            self.account,
            self.resource,
        ]
    }
}

type Parts<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn part(input: &str) -> IResult<&str, &str> {
    terminated(take_till(|c| c == ':'), ch(':'))(input)
}

fn arn(input: &str) -> IResult<&str, Parts<'_>> {
    tuple((
        terminated(tag("arn"), ch(':')),
        part,
        part,
        part,
        part,
        rest,
    ))(input)
}

/// Splits any text at its first five colons into six parts (used for ARN patterns, whose
/// first component may itself be a wildcard). `None` when there are fewer than five colons.
pub fn split_six(text: &str) -> Option<[&str; 6]> {
    let mut parts = [""; 6];
    let mut rest = text;
    for slot in parts.iter_mut().take(5) {
        let (head, tail) = rest.split_once(':')?;
        *slot = head;
        rest = tail;
    }
    if let Some(last) = parts.last_mut() {
        *last = rest;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_keeps_its_colons() {
        let a = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:my-fn:PROD");
        assert_eq!(a.map(|a| a.resource), Some("function:my-fn:PROD"));
        let s3 = Arn::parse("arn:aws:s3:::bucket/key");
        assert_eq!(
            s3.map(|a| (a.region, a.account, a.resource)),
            Some(("", "", "bucket/key"))
        );
    }

    #[test]
    fn rejects_non_arns() {
        assert_eq!(Arn::parse("arn:aws:iam::123"), None);
        assert_eq!(Arn::parse("urn:aws:iam::123:root"), None);
        assert_eq!(Arn::parse(""), None);
        assert_eq!(split_six("a:b:c:d"), None);
        assert_eq!(
            split_six("*:*:*:*:*:*:*"),
            Some(["*", "*", "*", "*", "*", "*:*"])
        );
    }
}

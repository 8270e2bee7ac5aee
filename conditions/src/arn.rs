//! Amazon Resource Names: `arn:partition:service:region:account-id:resource`.
//!
//! AWS: IAM User Guide, "IAM identifiers", section "IAM ARNs", and the AWS General Reference,
//! "Amazon Resource Names (ARNs)": an ARN has six colon-separated components, and the last
//! (the resource) may itself contain colons or slashes. So an ARN is split at its first five
//! colons and everything after the fifth is the resource.
//!
//! Split at its colons directly (every condition on `aws:SourceArn` or `aws:PrincipalArn`
//! splits the request's ARN, so this is on the evaluator's hot path); shared by the ARN
//! condition operators and principal matching.

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
        let rest = text.strip_prefix("arn:")?;
        // The first four colons after `arn:`, found in one pass over the bytes (`:` is ASCII,
        // so each is a character boundary).
        let mut colons = rest
            .bytes()
            .enumerate()
            .filter(|(_, c)| *c == b':')
            .map(|(i, _)| i);
        let (a, b, c, d) = (
            colons.next()?,
            colons.next()?,
            colons.next()?,
            colons.next()?,
        );
        Some(Arn {
            partition: rest.get(..a)?,
            service: rest.get(a + 1..b)?,
            region: rest.get(b + 1..c)?,
            account: rest.get(c + 1..d)?,
            resource: rest.get(d + 1..)?,
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
        // Five colons and nothing after: an empty resource; characters beyond ASCII stay whole.
        let bare = Arn::parse("arn:aws:iam::123412341234:");
        assert_eq!(
            bare.map(|a| (a.account, a.resource)),
            Some(("123412341234", ""))
        );
        let wide = Arn::parse("arn:äws:ß:é:1:ü:x");
        assert_eq!(
            wide.map(|a| a.parts()),
            Some(["arn", "äws", "ß", "é", "1", "ü:x"])
        );
    }

    #[test]
    fn rejects_non_arns() {
        assert_eq!(Arn::parse("arn:aws:iam::123"), None);
        assert_eq!(Arn::parse("urn:aws:iam::123:root"), None);
        assert_eq!(Arn::parse(""), None);
        assert_eq!(Arn::parse("arn:aws:iam::123412341234"), None);
        assert_eq!(Arn::parse("ARN:aws:iam::123412341234:root"), None);
        assert_eq!(split_six("a:b:c:d"), None);
        assert_eq!(
            split_six("*:*:*:*:*:*:*"),
            Some(["*", "*", "*", "*", "*", "*:*"])
        );
    }
}

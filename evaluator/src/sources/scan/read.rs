//! Reading input files within trustsim's limits (`crate::limits`), with errors that
//! name the file, the place and what would be right.

use std::io::Read;
use std::path::Path;

use super::ScanError;
use crate::limits::thousands;

/// Reads a file as UTF-8 text of at most `limit` bytes. Never reads more than `limit + 1` bytes.
///
/// `-` is standard input. A UTF-8 byte-order mark at the start (which Windows tools write) is
/// dropped, for every input alike.
pub fn read_text(path: &Path, limit: usize, what: &str) -> Result<String, ScanError> {
    let take = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(take)
            .read_to_end(&mut bytes)
            .map_err(|e| ScanError::Unreadable {
                path: "(standard input)".to_owned(),
                reason: e.to_string(),
            })?;
    } else {
        let unreadable = |e: std::io::Error| ScanError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        // The whole file is read: room for it at once, not grown by doubling (an export of
        // hundreds of megabytes would hold twice its size).
        let size = file.metadata().map_or(0, |m| m.len()).min(take);
        bytes.reserve_exact(usize::try_from(size).unwrap_or(0));
        file.take(take)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
    }
    if bytes.len() > limit {
        return Err(ScanError::TooLargeToRead {
            path: path.display().to_string(),
            limit: thousands(limit),
            what: what.to_owned(),
            help: too_large_help(what),
        });
    }
    text_of(bytes).map_err(|(line, column, byte)| ScanError::NotUtf8 {
        path: path.display().to_string(),
        line,
        column,
        byte,
    })
}

fn too_large_help(what: &str) -> String {
    match what {
        "a trust policy" => format!(
            "IAM takes a role trust policy of at most {} characters (IAM User Guide, \"IAM and AWS STS quotas\"); check that this is the right file",
            thousands(crate::limits::AWS_TRUST_POLICY_CHARS_MAX)
        ),
        "a request" => "a request is a caller, an action and a few context keys; check that this is the right file".to_owned(),
        "a CloudFormation template" => "CloudFormation itself takes templates of at most 1 MB (AWS CloudFormation User Guide, \"CloudFormation quotas\"); split the template or analyse its roles one by one".to_owned(),
        _ => "split the input (one Terraform plan per module, one account export per account)".to_owned(),
    }
}

/// UTF-8 text, or the line, column and value of the first byte that is not UTF-8.
pub fn text_of(mut bytes: Vec<u8>) -> Result<String, (usize, usize, u8)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let before = bytes.get(..at).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        // Columns count characters, as the JSON parser's positions do.
        let column = std::str::from_utf8(before.get(start..).unwrap_or_default())
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, column, bytes.get(at).copied().unwrap_or(0))
    })
}

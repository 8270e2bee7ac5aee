//! AWS knowledge as data: each table is a tab-separated file in `evaluator/data/`, one row per
//! fact with the AWS page it comes from, read once by the code and tested row by row
//! (`tests/it/knowledge.rs`).
//!
//! - [`managed`]: roles whose trust policy AWS writes and owns (service-linked, IAM Identity
//!   Center).
//! - [`services`]: services by how they come to assume a role (after `iam:PassRole`, or for
//!   any account that configures them).
//! - [`providers`]: identity providers by who can obtain a token (public, tenant, owner-run).

pub mod managed;
pub mod providers;
pub mod services;

/// The rows of a table: lines that are not blank and not `#` comments, split at tabs, the
/// header line (the first row) left out. Every row has as many columns as the header; a table
/// that breaks that rule is a defect of the build, caught by the table's tests.
pub(crate) fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').collect())
}

/// The header of a table, for checks.
#[cfg(test)]
pub(crate) fn header(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .unwrap_or_default()
}

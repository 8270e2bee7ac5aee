//! The trustsim corpus: real-world trust policies that nobody on the team wrote, each with its
//! source and licence (`manifest.json`), and the records the corpus tests check against.
//!
//! This crate only reads the corpus files; the tests in `tests/` run trustsim over them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One policy of the corpus, as `manifest.json` records it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A short stable name; the policy is `policies/<id>.json`.
    pub id: String,
    /// Where it was found: `owner/repo:path` or a documentation page's title and address.
    pub source: String,
    /// The licence of the source (an SPDX name), or `none stated`.
    pub licence: String,
    /// What kind of role it is (service, cross-account, github-oidc, eks-oidc, saml, ...).
    pub kind: String,
    /// What was changed from the original (placeholders for intrinsics), if anything.
    #[serde(default)]
    pub notes: String,
}

/// The corpus folder (this crate's root).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a policy file in the corpus.
pub fn policy_path(id: &str) -> PathBuf {
    root().join("policies").join(format!("{id}.json"))
}

/// Reads `manifest.json`.
pub fn manifest() -> Result<Vec<Entry>, String> {
    let path = root().join("manifest.json");
    let text = read(&path)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a corpus file as text.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

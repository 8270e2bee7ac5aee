//! `trustsim.toml`: the owner's account, the zone of trust, the partition and accepted
//! findings (`[[ignore]]`), found in the current directory or one of its parents, or given with
//! `--config`. Command-line flags win over the file. Unknown keys are errors that name the file
//! and line (docs/cli.md, "The config file").

use crate::error::CliError;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file's name.
pub const FILE_NAME: &str = "trustsim.toml";

/// The settings of a config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The owner's account.
    pub account: Option<String>,
    /// Accounts in the zone of trust.
    #[serde(default)]
    pub trusted_accounts: Vec<String>,
    /// The organization in the zone of trust.
    pub trusted_org: Option<String>,
    /// The roles' partition.
    pub partition: Option<String>,
    /// Accepted findings.
    #[serde(default)]
    pub ignore: Vec<Ignore>,
    /// Where the file is (set after reading).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// One accepted finding: `[[ignore]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// A glob over the role's name or source (`OrganizationAccountAccessRole`,
    /// `templates/*.yaml#*`).
    pub role: String,
    /// The threat's stable name.
    pub threat: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// The last day the entry applies (`2027-06-30`); after it trustsim warns and the finding
    /// counts again.
    pub until: Option<toml::value::Datetime>,
    /// The worst verdict accepted (`partial` or `exposed`; default `exposed`).
    pub verdict: Option<String>,
    /// The principals accepted: the finding's letting-in principals must all be among them.
    pub principals: Option<Vec<String>>,
    /// The residual accepted (for `partial`): the finding's must be the same.
    pub residual: Option<String>,
    /// The entry's line in the file.
    #[serde(skip)]
    pub line: usize,
}

/// The config file that applies: `--config FILE`, or the first `trustsim.toml` in the current
/// directory and its parents.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// Reads and checks a config file. Errors name the file and line.
pub fn load(path: &Path) -> Result<Config, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::config(
            path.display().to_string(),
            format!("cannot read the config file: {e}"),
        )
    })?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| line_at(&text, s.start));
        let place = match line {
            Some(l) => format!("{}:{l}", path.display()),
            None => path.display().to_string(),
        };
        CliError::config_help(
            place,
            e.message(),
            "the keys are account, trusted_accounts, trusted_org, partition and [[ignore]] entries with role, threat, reason, until, verdict, principals, residual (docs/cli.md, \"The config file\")",
        )
    })?;
    // Lines of the `[[ignore]]` entries, in order.
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[ignore]]")
        .map(|(i, _)| i + 1);
    for entry in &mut config.ignore {
        entry.line = lines.next().unwrap_or(0);
        let at = format!("{}:{}", path.display(), entry.line);
        if trustsim_evaluator::Threat::from_name(&entry.threat).is_none() {
            return Err(CliError::config_help(
                at,
                format!("`{}` is not a threat", entry.threat),
                "one of public, forged-service, confused-deputy, federated, account-wide",
            ));
        }
        if entry.reason.trim().is_empty() {
            return Err(CliError::config_help(
                at,
                "an [[ignore]] entry needs a reason",
                "say why the finding is accepted; it is shown beside the finding",
            ));
        }
        if let Some(v) = &entry.verdict {
            if v != "partial" && v != "exposed" && v != "inconclusive" {
                return Err(CliError::config_help(
                    at,
                    format!("verdict `{v}` cannot be accepted"),
                    "one of inconclusive, partial, exposed (the worst verdict the entry accepts)",
                ));
            }
        }
        if let Some(u) = &entry.until {
            if u.date.is_none() || u.time.is_some() {
                return Err(CliError::config(
                    at,
                    "`until` must be a date such as 2027-06-30",
                ));
            }
        }
        glob::Pattern::new(&entry.role)
            .map_err(|e| CliError::config(at, format!("`role` is not a valid glob: {e}")))?;
    }
    config.path = Some(path.to_path_buf());
    Ok(config)
}

impl Ignore {
    /// The day after which the entry stops applying.
    pub fn until_date(&self) -> Option<chrono::NaiveDate> {
        let d = self.until.as_ref()?.date?;
        chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "trustsim-config-{}-{}",
            std::process::id(),
            text.len()
        ));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(FILE_NAME);
        let _ = std::fs::write(&p, text);
        p
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let p = write("account = \"111122223333\"\n\n[[ignore]]\nrole = \"r\"\nthreat = \"public\"\nreason = \"x\"\nseverity = 3\n");
        let e = load(&p).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(":7:"), "{e}");
        assert!(e.contains("severity"), "{e}");
    }

    #[test]
    fn entries_are_checked() {
        let p = write("[[ignore]]\nrole = \"r\"\nthreat = \"everything\"\nreason = \"x\"\n");
        assert!(load(&p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("not a threat"));
        let p = write("[[ignore]]\nrole = \"r\"\nthreat = \"public\"\nreason = \" \"\n");
        assert!(load(&p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("needs a reason"));
        let p = write("trusted_accounts = [\"222233334444\"]\n[[ignore]]\nrole = \"r*\"\nthreat = \"public\"\nreason = \"ok\"\nuntil = 2027-06-30\n");
        let c = load(&p);
        assert!(c.is_ok(), "{c:?}");
        let c = c.unwrap_or_default();
        assert_eq!(c.trusted_accounts, ["222233334444"]);
        assert_eq!(c.ignore.first().map(|i| i.line), Some(2));
        assert_eq!(
            c.ignore.first().and_then(Ignore::until_date),
            chrono::NaiveDate::from_ymd_opt(2027, 6, 30)
        );
    }
}

//! What each finding means for the run: it fails it, it is below the `--fail-on` threshold,
//! it is informational (a role AWS manages, an informational threat), or it is accepted by a
//! `[[ignore]]` entry, an inline CloudFormation entry, or a baseline. A suppression covers the
//! finding as it was accepted (the worst verdict, the principals that let the attacker in, the
//! residual), never the role forever: access that grows beyond it is a new finding.

use crate::error::CliError;
use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};
use trustsim_evaluator::{ThreatResult, Verdict};

use crate::analyze_cmd::Role;
use crate::config::{Config, Ignore};

/// What a threat's result means for the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// No finding (`restricted`, `not-applicable`).
    Quiet,
    /// A finding at or above the `--fail-on` threshold: it fails the run.
    Fails,
    /// A finding below the threshold.
    Below,
    /// Reported for information only: never fails a run, no fix.
    Informational(String),
    /// Accepted by an entry.
    Suppressed {
        /// The entry's reason.
        reason: String,
        /// Where the entry is (`trustsim.toml:12`, `template.yaml#/Resources/R/Metadata/...`,
        /// `baseline report.json`).
        by: String,
    },
}

impl Status {
    /// The stable word for output.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Status::Quiet => None,
            Status::Fails => Some("fails"),
            Status::Below => Some("below-threshold"),
            Status::Informational(_) => Some("informational"),
            Status::Suppressed { .. } => Some("suppressed"),
        }
    }
}

/// Is the verdict a finding (something gets in, or nothing was proven)?
pub fn is_finding(v: Verdict) -> bool {
    matches!(
        v,
        Verdict::Exposed | Verdict::Partial | Verdict::Inconclusive
    )
}

/// What an accepting entry accepted.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    /// The worst verdict (None: any).
    pub verdict: Option<Verdict>,
    /// The principals that may let the attacker in (None: any).
    pub principals: Option<Vec<String>>,
    /// The residual (None: any).
    pub residual: Option<String>,
}

impl Accepted {
    /// Does the finding stay within what was accepted? Returns why not.
    fn covers(&self, t: &ThreatResult, principals: &[String]) -> Result<(), String> {
        if let Some(v) = self.verdict {
            if t.verdict > v {
                return Err(format!(
                    "it was accepted as {}, and is now {}",
                    v.name(),
                    t.verdict.name()
                ));
            }
        }
        if let Some(list) = &self.principals {
            let new: Vec<&String> = principals.iter().filter(|p| !list.contains(p)).collect();
            if !new.is_empty() {
                return Err(format!(
                    "{} now also let(s) the attacker in",
                    new.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if let Some(r) = &self.residual {
            if t.residual.as_deref() != Some(r.as_str()) {
                return Err(format!(
                    "who gets in changed: was \"{r}\", now \"{}\"",
                    t.residual
                        .as_deref()
                        .unwrap_or("every attacker of the class")
                ));
            }
        }
        Ok(())
    }
}

fn verdict_named(name: &str) -> Option<Verdict> {
    [
        Verdict::Exposed,
        Verdict::Partial,
        Verdict::Inconclusive,
        Verdict::Restricted,
        Verdict::NotApplicable,
    ]
    .into_iter()
    .find(|v| v.name() == name)
}

/// A previous JSON report's findings, by role identity and threat.
pub struct Baseline {
    /// The file.
    pub path: String,
    entries: HashMap<(String, String), Accepted>,
}

impl Baseline {
    /// Reads a JSON report written by `trustsim analyze --format json` (or
    /// `--write-baseline`). Errors name the file and the JSON Pointer.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        const REPORT: &str =
            "give a report written by `trustsim analyze --format json` or `--write-baseline`";
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::baseline(
                path.display().to_string(),
                format!("cannot read the baseline: {e}"),
                None,
            )
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            CliError::baseline(
                format!("{}:{}", path.display(), e.line()),
                format!("the baseline is not JSON: {e}"),
                Some(REPORT),
            )
        })?;
        let roles = value
            .get("roles")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                CliError::baseline(
                    format!("{}: /roles", path.display()),
                    "the baseline has no `roles` list",
                    Some(REPORT),
                )
            })?;
        let mut entries = HashMap::new();
        for (i, role) in roles.iter().enumerate() {
            let identity = role
                .get("identity")
                .or_else(|| role.get("source"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    CliError::baseline(
                        format!("{}: /roles/{i}", path.display()),
                        "a role without `identity` or `source`",
                        None,
                    )
                })?;
            for t in role
                .get("threats")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(threat), Some(verdict)) = (
                    t.get("threat").and_then(Value::as_str),
                    t.get("verdict")
                        .and_then(Value::as_str)
                        .and_then(verdict_named),
                ) else {
                    continue;
                };
                if !is_finding(verdict) {
                    continue;
                }
                let principals = t.get("principals").and_then(Value::as_array).map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                });
                entries.insert(
                    (identity.to_owned(), threat.to_owned()),
                    Accepted {
                        verdict: Some(verdict),
                        principals,
                        residual: t.get("residual").and_then(Value::as_str).map(str::to_owned),
                    },
                );
            }
        }
        Ok(Self {
            path: path.display().to_string(),
            entries,
        })
    }
}

fn matches_role(entry: &Ignore, role: &Role) -> bool {
    glob::Pattern::new(&entry.role).is_ok_and(|p| {
        p.matches(&role.name) || p.matches(&role.source) || p.matches(&role.identity)
    })
}

/// Decides the status of every result of every role (`role.status`, aligned with its
/// threats), and returns warnings: expired, unused or too broad entries, and suppressions
/// that no longer cover what they accepted.
pub fn triage(
    roles: &mut [Role],
    config: &Config,
    baseline: Option<&Baseline>,
    threshold: Option<Verdict>,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let mut t = Triage::new(config, baseline, threshold, today);
    for role in roles.iter_mut() {
        t.role(role);
    }
    t.finish()
}

/// The triage of a run, one role at a time (roles are streamed to the report as they are
/// decided): which `[[ignore]]` entries were used, and the warnings so far, in the order
/// [`triage`] gives them.
pub struct Triage<'a> {
    config: &'a Config,
    baseline: Option<&'a Baseline>,
    threshold: Option<Verdict>,
    today: chrono::NaiveDate,
    file: String,
    used: Vec<bool>,
    warnings: Vec<String>,
}

impl<'a> Triage<'a> {
    /// Starts a run: expired entries are warned about at once.
    pub fn new(
        config: &'a Config,
        baseline: Option<&'a Baseline>,
        threshold: Option<Verdict>,
        today: chrono::NaiveDate,
    ) -> Self {
        let mut warnings = Vec::new();
        let mut used = vec![false; config.ignore.len()];
        let file = config
            .path
            .as_ref()
            .map_or_else(|| "trustsim.toml".to_owned(), |p| p.display().to_string());
        for (i, e) in config.ignore.iter().enumerate() {
            if let Some(d) = e.until_date().filter(|d| *d < today) {
                warnings.push(format!(
                    "{file}:{}: the [[ignore]] entry for {} on `{}` expired on {d}; its findings count again",
                    e.line, e.threat, e.role
                ));
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
        }
        Self {
            config,
            baseline,
            threshold,
            today,
            file,
            used,
            warnings,
        }
    }

    /// Decides the status of each of the role's results (`role.status`).
    pub fn role(&mut self, role: &mut Role) {
        let Self {
            config,
            baseline,
            threshold,
            today,
            file,
            used,
            warnings,
        } = self;
        let (config, baseline, threshold, today) = (*config, *baseline, *threshold, *today);
        let mut status = Vec::with_capacity(role.analysis.threats.len());
        for (k, t) in role.analysis.threats.iter().enumerate() {
            let principals = role.principals.get(k).cloned().unwrap_or_default();
            if !is_finding(t.verdict) {
                status.push(Status::Quiet);
                continue;
            }
            if let Some(m) = role.managed {
                status.push(Status::Informational(format!(
                    "aws-managed: {} ({})",
                    m.why, m.kind
                )));
                continue;
            }
            if t.threat.is_informational() {
                status.push(Status::Informational(t.threat.name().to_owned()));
                continue;
            }
            if let Some(why) = &t.informational {
                status.push(Status::Informational(why.clone()));
                continue;
            }
            let mut decided: Option<Status> = None;
            for (i, e) in config.ignore.iter().enumerate() {
                if e.threat != t.threat.name() || !matches_role(e, role) {
                    continue;
                }
                if e.until_date().is_some_and(|d| d < today) {
                    continue;
                }
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                let accepted = Accepted {
                    verdict: e.verdict.as_deref().and_then(verdict_named),
                    principals: e.principals.clone(),
                    residual: e.residual.clone(),
                };
                match accepted.covers(t, &principals) {
                    Ok(()) => {
                        if e.principals.is_none() && e.verdict.is_none() {
                            warnings.push(format!(
                                    "{file}:{}: the [[ignore]] entry for {} on `{}` accepts any access to the role; to accept only today's, add principals = [{}] and verdict = \"{}\"",
                                    e.line,
                                    e.threat,
                                    e.role,
                                    principals.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", "),
                                    t.verdict.name()
                                ));
                        }
                        decided = Some(Status::Suppressed {
                            reason: e.reason.clone(),
                            by: format!("{file}:{}", e.line),
                        });
                        break;
                    }
                    Err(why) => warnings.push(format!(
                        "{} ({}): {} is no longer covered by {file}:{}: {why}",
                        role.name,
                        role.source,
                        t.threat.name(),
                        e.line
                    )),
                }
            }
            if decided.is_none() {
                if let Some(inline) = role.ignores.iter().find(|i| i.threat == t.threat.name()) {
                    decided = Some(Status::Suppressed {
                        reason: inline.reason.clone(),
                        by: format!(
                            "{}#{}",
                            role.source.split('#').next().unwrap_or(&role.source),
                            inline.pointer
                        ),
                    });
                }
            }
            if decided.is_none() {
                if let Some(b) = baseline {
                    if let Some(a) = b
                        .entries
                        .get(&(role.identity.clone(), t.threat.name().to_owned()))
                    {
                        match a.covers(t, &principals) {
                            Ok(()) => {
                                decided = Some(Status::Suppressed {
                                    reason: "in the baseline".to_owned(),
                                    by: format!("baseline {}", b.path),
                                });
                            }
                            Err(why) => warnings.push(format!(
                                "{} ({}): {} grew beyond the baseline: {why}",
                                role.name,
                                role.source,
                                t.threat.name()
                            )),
                        }
                    }
                }
            }
            status.push(decided.unwrap_or_else(|| {
                if threshold.is_some_and(|th| t.verdict >= th) {
                    Status::Fails
                } else {
                    Status::Below
                }
            }));
        }
        role.status = status;
    }

    /// Ends the run: entries that matched nothing are warned about; all warnings in order.
    pub fn finish(mut self) -> Vec<String> {
        let file = &self.file;
        for (i, e) in self.config.ignore.iter().enumerate() {
            if !self.used.get(i).copied().unwrap_or(true) {
                self.warnings.push(format!(
                    "{file}:{}: the [[ignore]] entry for {} on `{}` matches no finding",
                    e.line, e.threat, e.role
                ));
            }
        }
        self.warnings
    }
}

/// The JSON of a status, for a threat's entry in the report.
pub fn status_json(s: &Status) -> (Value, Value, Value) {
    let suppressed = match s {
        Status::Suppressed { reason, by } => json!({"reason": reason, "by": by}),
        _ => Value::Null,
    };
    let informational = match s {
        Status::Informational(why) => json!(why),
        _ => Value::Null,
    };
    (json!(s.name()), suppressed, informational)
}

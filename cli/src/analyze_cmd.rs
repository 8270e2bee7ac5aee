//! `trustsim analyze`: who could assume these roles? One result per threat for every trust
//! policy found, in the contract's JSON or as text.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde_json::{json, Value};
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::sources::{self, InputKind};
use trustsim_evaluator::{analyze, Analysis, AnalysisOptions, TrustPolicy, Verdict};

use trustsim_evaluator::limits::{
    thousands, MAX_FILE_BYTES, MAX_POLICY_FILE_BYTES, MAX_TEMPLATE_BYTES,
};

use crate::eval_cmd::{input_error, place_error};
use crate::input::read_text;

fn too_large(path: &Path, size: usize, max: usize, what: &str, help: &str) -> String {
    format!(
        "{}: (document root): the file is {} bytes, more than trustsim reads for {what} (at most {})\n  help: {help}",
        path.display(),
        thousands(size),
        thousands(max)
    )
}
use crate::Format;

/// Arguments of `trustsim analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Trust policies, CloudFormation templates (JSON or YAML), Terraform plans
    /// (`terraform show -json`), account exports (`aws iam get-account-authorization-details`),
    /// directories searched recursively for `.json`, `.yaml`, `.yml` and `.template` files, or
    /// glob patterns such as `templates/**/*.yaml`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Read every input as this kind instead of detecting it from the content.
    #[arg(long, value_enum)]
    pub input_kind: Option<Kind>,
    /// The role owner's 12-digit account ID (needed for forged-service fixes and to tell the
    /// owner's principals from third parties).
    #[arg(long)]
    pub account: Option<String>,
    /// The role's partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
    /// `aws-iso-e`, `aws-iso-f`, `aws-eusc`): attackers live in the role's partition. A role
    /// ARN in the input (account exports, Terraform state) gives it too. Without either, the
    /// analysis tries `aws` and every partition the policy names, and reports the worst.
    #[arg(long)]
    pub partition: Option<String>,
    /// Output format (default: human on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit with status 3 when a verdict at or above this level is found.
    #[arg(long, value_enum, default_value = "exposed")]
    pub fail_on: FailOn,
}

/// `--input-kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A trust policy document.
    Policy,
    /// A CloudFormation template.
    Cloudformation,
    /// `terraform show -json` output.
    Terraform,
    /// `aws iam get-account-authorization-details` output.
    AccountExport,
}

impl Kind {
    fn input(self) -> InputKind {
        match self {
            Kind::Policy => InputKind::Policy,
            Kind::Cloudformation => InputKind::CloudFormation,
            Kind::Terraform => InputKind::Terraform,
            Kind::AccountExport => InputKind::AccountExport,
        }
    }
}

/// The `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on `exposed`.
    Exposed,
    /// Fail on `inconclusive`, `partial` or `exposed`.
    Partial,
    /// Never fail on a verdict.
    Never,
}

const INVALID: u8 = 1;
const FOUND: u8 = 3;

pub(crate) struct Role {
    pub(crate) source: String,
    pub(crate) name: String,
    pub(crate) line: Option<usize>,
    pub(crate) account: Option<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) analysis: Analysis,
    /// The trust policy as read (for showing fixes as changes).
    pub(crate) document: Value,
}

/// Every `.json` file under a path (the path itself when it is a file), in sorted order.
fn files(path: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(d) => d.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) => {
                errors.push(format!("{}: cannot read directory: {e}", path.display()));
                return;
            }
        };
        entries.sort();
        for e in entries {
            if e.is_dir()
                || e.extension()
                    .is_some_and(|x| x == "json" || x == "yaml" || x == "yml" || x == "template")
            {
                files(&e, out, errors);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// Runs the command.
pub fn run(args: &AnalyzeArgs) -> ExitCode {
    if let Some(a) = &args.account {
        if owner_from(Some(a), None).is_none() {
            eprintln!("trustsim: error: --account `{a}` is not a 12-digit account ID");
            return ExitCode::from(INVALID);
        }
    }
    if let Some(p) = &args.partition {
        if !trustsim_evaluator::analysis::partition::is_known(p) {
            eprintln!(
                "trustsim: error: --partition `{p}` is not a partition\n  help: one of {}",
                trustsim_evaluator::analysis::partition::PARTITIONS.join(", ")
            );
            return ExitCode::from(INVALID);
        }
    }
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut paths = Vec::new();
    for p in &args.paths {
        if p.exists() {
            files(p, &mut paths, &mut errors);
            continue;
        }
        // Not a path: a glob pattern (`templates/**/*.yaml`), expanded with the glob crate.
        let text = p.display().to_string();
        if !text.contains(['*', '?', '[']) {
            errors.push(format!("{text}: no such file or directory"));
            continue;
        }
        match glob::glob(&text) {
            Ok(matches) => {
                let mut found = false;
                for m in matches {
                    match m {
                        Ok(path) => {
                            found = true;
                            files(&path, &mut paths, &mut errors);
                        }
                        Err(e) => errors.push(format!("{text}: {e}")),
                    }
                }
                if !found {
                    errors.push(format!("{text}: the pattern matches no file"));
                }
            }
            Err(e) => errors.push(format!("{text}: not a valid pattern: {e}")),
        }
    }
    let mut roles = Vec::new();
    let mut jobs: Vec<sources::Role> = Vec::new();
    for path in &paths {
        let text = match read_text(path, MAX_FILE_BYTES, "any input") {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let json = text.trim_start().starts_with(['{', '[']);
        if !json && text.len() > MAX_TEMPLATE_BYTES {
            errors.push(too_large(path, text.len(), MAX_TEMPLATE_BYTES, "a CloudFormation template (YAML)", "CloudFormation itself takes templates of at most 1 MB (AWS CloudFormation User Guide, \"CloudFormation quotas\"); split the template"));
            continue;
        }
        let value = match sources::read_value(&text, path) {
            Ok(v) => v,
            Err(e) => {
                errors.push(input_error(path, &e));
                continue;
            }
        };
        let kind = match args
            .input_kind
            .map(Kind::input)
            .or_else(|| sources::detect(&value))
        {
            Some(k) => k,
            None => {
                notes.push(format!(
                    "{}: skipped: not a trust policy, CloudFormation template, Terraform plan or account export",
                    path.display()
                ));
                continue;
            }
        };
        let limit = match kind {
            InputKind::Policy => Some((MAX_POLICY_FILE_BYTES, "a trust policy", "IAM takes a role trust policy of at most 8,192 characters (IAM User Guide, \"IAM and AWS STS quotas\"); check that this is the right file")),
            InputKind::CloudFormation => Some((MAX_TEMPLATE_BYTES, "a CloudFormation template", "CloudFormation itself takes templates of at most 1 MB (AWS CloudFormation User Guide, \"CloudFormation quotas\"); split the template")),
            _ => None,
        };
        if let Some((max, what, help)) = limit {
            if text.len() > max {
                errors.push(too_large(path, text.len(), max, what, help));
                continue;
            }
        }
        let found = match sources::roles(kind, &value, &text, path, args.account.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                errors.push(input_error(path, &e));
                continue;
            }
        };
        for role in found {
            if role.document.is_null() {
                notes.push(format!("{}: {}", role.source, role.notes.join("; ")));
                continue;
            }
            jobs.push(role);
        }
    }
    // A progress bar on a terminal for large scans (standard error only).
    let bar = (std::io::stderr().is_terminal() && jobs.len() >= 100).then(|| {
        let bar = indicatif::ProgressBar::new(u64::try_from(jobs.len()).unwrap_or(u64::MAX));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} analysing {pos}/{len} roles [{bar:30}] {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    // Roles are analysed in parallel; the results keep the input order.
    let analysed: Vec<Result<Role, String>> = jobs
        .into_par_iter()
        .map(|role| {
            if let Some(b) = &bar {
                b.inc(1);
            }
            let account = role.account.clone().or_else(|| args.account.clone());
            let options = AnalysisOptions {
                account: account.clone(),
                partition: role.partition.clone().or_else(|| args.partition.clone()),
            };
            match TrustPolicy::from_value(&role.document) {
                Ok(policy) => {
                    let mut notes = role.notes;
                    if let Some(w) = policy.quota_warning() {
                        notes.push(w.message.clone());
                    }
                    Ok(Role {
                        analysis: analyze(&policy, &options),
                        document: role.document.clone(),
                        source: role.source,
                        name: role.name,
                        line: role.line,
                        account,
                        notes,
                    })
                }
                Err(e) => {
                    let place = match role.line {
                        Some(l) => format!("{} (line {l})", role.source),
                        None => role.source.clone(),
                    };
                    Err(place_error(&place, &e))
                }
            }
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for a in analysed {
        match a {
            Ok(r) => roles.push(r),
            Err(e) => errors.push(e),
        }
    }
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Human
    } else {
        Format::Json
    });
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Json => writeln!(out, "{}", to_json(&roles, &errors)),
        Format::Sarif => writeln!(out, "{}", crate::sarif::log(&roles)),
        Format::Human => write!(
            out,
            "{}",
            human(
                &roles,
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            )
        ),
    };
    for n in &notes {
        eprintln!("trustsim: note: {n}");
    }
    for e in &errors {
        eprintln!("trustsim: error: {e}");
    }
    if written.is_err() {
        return ExitCode::from(INVALID);
    }
    let threshold = match args.fail_on {
        FailOn::Exposed => Some(Verdict::Exposed),
        FailOn::Partial => Some(Verdict::Inconclusive),
        FailOn::Never => None,
    };
    let found = threshold.is_some_and(|t| roles.iter().any(|r| r.analysis.worst() >= t));
    // Below the threshold an undecided threat is still worth a word: it is no proof.
    if !found {
        for r in &roles {
            for t in &r.analysis.threats {
                if t.verdict == Verdict::Inconclusive {
                    eprintln!(
                        "trustsim: warning: {} ({}): {} is inconclusive: {}",
                        r.name,
                        r.source,
                        t.threat.name(),
                        t.explanation
                    );
                }
            }
        }
    }
    if found {
        ExitCode::from(FOUND)
    } else if !errors.is_empty() {
        ExitCode::from(INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

fn to_json(roles: &[Role], errors: &[String]) -> Value {
    json!({
        "roles": roles.iter().map(|r| json!({
            "source": r.source,
            "role": r.name,
            "account": r.account,
            "line": r.line,
            "threats": r.analysis.threats_json(),
            "notes": r.notes.iter().chain(&r.analysis.notes).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "errors": errors,
    })
}

fn human(roles: &[Role], colour: bool) -> String {
    use std::fmt::Write as _;
    let paint = |code: &str, t: &str| {
        if colour {
            format!("\x1b[{code}m{t}\x1b[0m")
        } else {
            t.to_owned()
        }
    };
    let mut s = String::new();
    let mut counts = [0usize; 5];
    for r in roles {
        let place = match r.line {
            Some(l) => format!("{}, line {l}", r.source),
            None => r.source.clone(),
        };
        let _ = writeln!(s, "{} ({place})", paint("1", &r.name));
        for n in &r.notes {
            let _ = writeln!(s, "  {} {n}", paint("2", "note:"));
        }
        let mut open: Vec<&trustsim_evaluator::ThreatResult> = r
            .analysis
            .threats
            .iter()
            .filter(|t| {
                matches!(
                    t.verdict,
                    Verdict::Exposed | Verdict::Partial | Verdict::Inconclusive
                )
            })
            .collect();
        open.sort_by_key(|t| (std::cmp::Reverse(t.verdict), t.threat));
        if open.is_empty() {
            let _ = writeln!(s, "  {} no threat gets in", paint("32", "ok"));
        }
        for t in open {
            let v = match t.verdict {
                Verdict::Exposed => paint("31", "exposed"),
                Verdict::Inconclusive => paint("35", "inconclusive"),
                _ => paint("33", "partial"),
            };
            let info = if t.threat.is_informational() {
                " (informational)"
            } else {
                ""
            };
            let _ = writeln!(s, "  {v} {}{info}: {}", t.threat.name(), t.explanation);
            if let Some(res) = &t.residual {
                let _ = writeln!(s, "      who: {res}");
            }
            if let Some(w) = &t.witness {
                let _ = writeln!(s, "      witness: {}", w.to_json());
            }
            if let Some(fix) = &t.fix {
                let _ = writeln!(s, "      fix (proven to close it):");
                let before = serde_json::to_string_pretty(&r.document).unwrap_or_default();
                let after = serde_json::to_string_pretty(fix).unwrap_or_default();
                for line in crate::diff::lines(&before, &after, 2) {
                    let line = match line.chars().next() {
                        Some('+') => paint("32", &line),
                        Some('-') => paint("31", &line),
                        _ => line,
                    };
                    let _ = writeln!(s, "        {line}");
                }
            }
        }
        for t in &r.analysis.threats {
            let i = match t.verdict {
                Verdict::Exposed => 0,
                Verdict::Partial => 1,
                Verdict::Inconclusive => 2,
                Verdict::Restricted => 3,
                Verdict::NotApplicable => 4,
            };
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
        for n in &r.analysis.notes {
            let _ = writeln!(s, "  {} {n}", paint("2", "note:"));
        }
    }
    let _ = writeln!(
        s,
        "\n{} role(s): {} exposed, {} partial, {} inconclusive, {} restricted, {} not applicable (threat verdicts)",
        roles.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4]
    );
    s
}

//! `trustsim analyze`: who could assume these roles? One result per threat for every trust
//! policy found, in the contract's JSON or as text.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde_json::{json, Value};
use trustsim_evaluator::analysis::branches;
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::sources::{self, InputKind};
use trustsim_evaluator::{analyze, Analysis, AnalysisOptions, TrustPolicy, Verdict};

use crate::error::CliError;
use crate::exit::Exit;
use crate::Io;

use crate::config::Config;
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
    /// Exit with status 3 when a verdict at or above this level is found (default: exposed).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// An account in the owner's zone of trust (repeatable; comma lists accepted): its
    /// principals are not third parties, and their trust is informational (`account-wide`).
    #[arg(long = "trusted-account", value_delimiter = ',')]
    pub trusted_accounts: Vec<String>,
    /// The owner's organization (`o-...`), in the zone of trust.
    #[arg(long)]
    pub trusted_org: Option<String>,
    /// The config file (default: the first `trustsim.toml` in the current directory or its
    /// parents).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A CloudFormation parameter's value for the deployment, `NAME=VALUE` (repeatable): it
    /// takes the place of the parameter's default in every template that declares it.
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    pub parameters: Vec<String>,
    /// Read no config file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// A previous JSON report: its findings do not fail the run while they stay as they were.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write this run's JSON report here, for a later `--baseline`.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// With `--format sarif`: the directory that SARIF paths are relative to (`%SRCROOT%`; by
    /// default the current directory).
    #[arg(long, value_name = "DIR")]
    pub sarif_root: Option<PathBuf>,
    /// Finding no role at all is fine (by default it is an error: a gate that reads nothing
    /// passes nothing).
    #[arg(long)]
    pub allow_empty: bool,
    /// Files named on the command line that are no input kind (a JSON or YAML file that is not
    /// a policy, template, plan or export) are skipped with a note, as in a directory walk,
    /// rather than being errors: for hooks that pass every staged file.
    #[arg(long)]
    pub skip_other_files: bool,
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

pub(crate) struct Role {
    /// A stable identity: the role's ARN when the input gives it, else its source.
    pub(crate) identity: String,
    /// The kind of AWS-managed role it is, if any.
    pub(crate) managed: Option<&'static trustsim_evaluator::knowledge::managed::ManagedRole>,
    /// Findings the template accepts inline.
    pub(crate) ignores: Vec<trustsim_evaluator::sources::InlineIgnore>,
    /// Per threat: the principals of the statements that let the attacker in.
    pub(crate) principals: Vec<Vec<String>>,
    /// Per threat: what the result means for the run.
    pub(crate) status: Vec<crate::triage::Status>,
    pub(crate) source: String,
    pub(crate) name: String,
    pub(crate) line: Option<usize>,
    /// For a bare policy file, the line of each statement.
    pub(crate) statement_lines: Vec<usize>,
    pub(crate) account: Option<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) analysis: Analysis,
    /// For each threat, the trust policy (as read) its result is about, for showing its fix as
    /// a change: the same policy for every threat unless the template has undecided conditions.
    pub(crate) documents: Vec<Value>,
    /// For each threat, its fix as a change of the template the role comes from, when it can be
    /// written there and the patched template, resolved again, closes the threat.
    pub(crate) template_fixes: Vec<Option<String>>,
}

/// How a run reads its inputs and analyses their roles, from the flags and the config file.
pub(crate) struct Settings {
    /// How the inputs are read: `--input-kind`, `--allow-empty`, `--skip-other-files`, and the
    /// owner, partition and parameter values they are resolved with.
    pub(crate) scan: sources::ScanOptions,
    /// The owner's account and zone of trust.
    pub(crate) options: AnalysisOptions,
    /// Analyses of trust policies already seen in this run.
    pub(crate) cache: AnalysisCache,
}

/// The analyses of the run's distinct trust policies, by the policy's text and the role's
/// owner and partition: an account holds many roles with one document (every Lambda execution
/// role trusting `lambda.amazonaws.com`), and an analysis is a function of the policy and the
/// options alone. Bounded: past [`AnalysisCache::MAX`] documents it starts again, so a run over
/// an organization holds a few thousand analyses at most.
#[derive(Default)]
pub(crate) struct AnalysisCache {
    entries: std::sync::Mutex<std::collections::HashMap<CacheKey, Analysis>>,
}

/// A policy's text, the owner's account and the partition.
type CacheKey = (String, Option<String>, Option<String>);

impl AnalysisCache {
    const MAX: usize = 4096;

    /// The analysis of `policy` (whose text is `text`) with `options`, from the cache or made
    /// now.
    fn analyze(&self, text: String, policy: &TrustPolicy, options: &AnalysisOptions) -> Analysis {
        let key = (text, options.account.clone(), options.partition.clone());
        if let Some(a) = self.entries.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return a;
        }
        let a = analyze(policy, options);
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert(key, a.clone());
        }
        a
    }
}

/// One role analysed: every deployable policy of it, the worst verdict per threat, and each
/// fix carried into the template or module it comes from when that can be done.
pub(crate) fn analyse(role: sources::Role, settings: &Settings) -> Result<Role, String> {
    let account = role
        .account
        .clone()
        .or_else(|| settings.options.account.clone());
    let options = AnalysisOptions {
        account: account.clone(),
        partition: role
            .partition
            .clone()
            .or_else(|| settings.options.partition.clone()),
        ..settings.options.clone()
    };
    let deployment = &settings.scan.deployment;
    // One policy, or one per deployable combination of the template's conditions.
    let variants: Vec<(&[(String, bool)], &Value)> = if role.branches.is_empty() {
        vec![(&[], &role.document)]
    } else {
        role.branches
            .iter()
            .map(|b| (b.when.as_slice(), &b.document))
            .collect()
    };
    let mut policies = Vec::new();
    for (when, doc) in &variants {
        match TrustPolicy::from_value(doc) {
            Ok(p) => policies.push((when.to_vec(), p, (*doc).clone())),
            Err(e) => {
                let mut place = match role.line {
                    Some(l) => format!("{} (line {l})", role.source),
                    None => role.source.clone(),
                };
                let label = sources::Branch {
                    when: when.to_vec(),
                    ..Default::default()
                }
                .label();
                if !label.is_empty() {
                    place = format!("{place} ({label})");
                }
                return Err(sources::place_error(&place, &e));
            }
        }
    }
    let mut notes = role.notes;
    for (_, policy, _) in &policies {
        if let Some(w) = policy.quota_warning() {
            if !notes.contains(&w.message) {
                notes.push(w.message.clone());
            }
        }
    }
    let managed = role
        .path
        .as_deref()
        .and_then(trustsim_evaluator::knowledge::managed::managed_role);
    let analyses: Vec<(branches::When, trustsim_evaluator::analysis::Analysis)> = policies
        .iter()
        .map(|(when, policy, doc)| {
            let a = match serde_json::to_string(doc) {
                Ok(text) => settings.cache.analyze(text, policy, &options),
                Err(_) => analyze(policy, &options),
            };
            (when.clone(), a)
        })
        .collect();
    let (mut analysis, origin) = branches::worst_of(&analyses, role.branches_truncated);
    // No internal placeholder reaches the user.
    for t in &mut analysis.threats {
        t.explanation = sources::in_words(&t.explanation);
        t.residual = t.residual.as_deref().map(sources::in_words);
    }
    if managed.is_some() {
        // AWS writes these trust policies: no fix the owner could apply.
        for t in &mut analysis.threats {
            t.fix = None;
        }
    }
    let principals = analysis
        .threats
        .iter()
        .zip(&origin)
        .map(|(t, o)| {
            policies
                .get(*o)
                .map(|(_, p, _)| letting_in(p, &t.statements))
                .unwrap_or_default()
        })
        .collect();
    let documents = origin
        .iter()
        .map(|o| {
            policies
                .get(*o)
                .map(|(_, _, d)| d.clone())
                .unwrap_or_default()
        })
        .collect();
    let template_fixes = analysis
        .threats
        .iter()
        .zip(&documents)
        .map(|(t, d): (&trustsim_evaluator::ThreatResult, &Value)| {
            let fix = t.fix.as_ref()?;
            let changes = match (role.template.as_deref(), role.module.as_deref()) {
                (Some(template), _) => sources::template_fix::cloudformation(
                    template,
                    role.template_yaml,
                    &role.name,
                    deployment,
                    d,
                    fix,
                    t.threat,
                    &options,
                ),
                (None, Some(module)) => sources::template_fix::terraform(
                    module, &role.name, deployment, d, fix, t.threat, &options,
                ),
                (None, None) => None,
            }?;
            Some(
                changes
                    .iter()
                    .map(|c| {
                        let diff = crate::diff::lines(&c.before, &c.after, usize::MAX);
                        format!("{}:\n{}\n", c.place, diff.join("\n"))
                    })
                    .collect::<String>(),
            )
        })
        .collect();
    Ok(Role {
        template_fixes,
        identity: role.arn.clone().unwrap_or_else(|| role.source.clone()),
        managed,
        ignores: role.ignores,
        principals,
        status: Vec::new(),
        analysis,
        documents,
        source: role.source,
        name: role.name,
        line: role.line,
        statement_lines: role.statement_lines,
        account,
        notes,
    })
}

/// Prints an input error of the command line from its diagnostic, and gives the status.
fn fail(io: &mut Io<'_>, e: &CliError) -> Exit {
    let _ = writeln!(io.err, "trustsim: error: {}", sources::error_text(e));
    Exit::Invalid
}

/// Runs the command.
pub fn run(args: &AnalyzeArgs, io: &mut Io<'_>) -> Exit {
    let config = if args.no_config {
        Config::default()
    } else {
        match crate::config::locate(args.config.as_deref()) {
            Some(path) => match crate::config::load(&path) {
                Ok(c) => c,
                Err(e) => return fail(io, &e),
            },
            None => Config::default(),
        }
    };
    let from_file = |what: &str| {
        config
            .path
            .as_ref()
            .map_or_else(|| what.to_owned(), |p| format!("{what} in {}", p.display()))
    };
    // Flags win over the file.
    let account = args.account.clone().or_else(|| config.account.clone());
    let partition = args.partition.clone().or_else(|| config.partition.clone());
    let trusted_accounts: Vec<String> = if args.trusted_accounts.is_empty() {
        config.trusted_accounts.clone()
    } else {
        args.trusted_accounts
            .iter()
            .map(|a| a.trim().to_owned())
            .collect()
    };
    let trusted_org = args
        .trusted_org
        .clone()
        .or_else(|| config.trusted_org.clone());
    if let Some(a) = &account {
        if owner_from(Some(a), None).is_none() {
            let what = if args.account.is_some() {
                "--account".to_owned()
            } else {
                from_file("account")
            };
            let value = a.clone();
            return fail(io, &CliError::Account { what, value });
        }
    }
    for a in &trusted_accounts {
        if owner_from(Some(a), None).is_none() {
            let what = if args.trusted_accounts.is_empty() {
                from_file("trusted_accounts")
            } else {
                "--trusted-account".to_owned()
            };
            let value = a.clone();
            return fail(io, &CliError::Account { what, value });
        }
    }
    if let Some(o) = &trusted_org {
        if !trustsim_evaluator::analysis::is_organization_id(o) {
            let what = if args.trusted_org.is_some() {
                "--trusted-org".to_owned()
            } else {
                from_file("trusted_org")
            };
            let value = o.clone();
            return fail(io, &CliError::Organization { what, value });
        }
    }
    let mut parameters: Vec<(String, String)> = Vec::new();
    for p in &args.parameters {
        match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                parameters.push((k.trim().to_owned(), v.to_owned()));
            }
            _ => {
                return fail(io, &CliError::Parameter { value: p.clone() });
            }
        }
    }
    let baseline = match &args.baseline {
        Some(p) => match crate::triage::Baseline::load(p) {
            Ok(b) => Some(b),
            Err(e) => return fail(io, &e),
        },
        None => None,
    };
    if let Some(p) = &partition {
        if !trustsim_evaluator::analysis::partition::is_known(p) {
            let help = format!(
                "one of {}",
                trustsim_evaluator::analysis::partition::PARTITIONS.join(", ")
            );
            return fail(
                io,
                &CliError::Partition {
                    value: p.clone(),
                    help,
                },
            );
        }
    }
    let settings = Settings {
        scan: sources::ScanOptions {
            input_kind: args.input_kind.map(Kind::input),
            allow_empty: args.allow_empty,
            skip_other_files: args.skip_other_files,
            deployment: sources::Deployment {
                owner: account.clone(),
                partition: partition.clone(),
                parameters,
            },
        },
        options: AnalysisOptions {
            account: account.clone(),
            partition: partition.clone(),
            trusted_accounts,
            trusted_org,
        },
        cache: AnalysisCache::default(),
    };
    let sources::ScanReport {
        roles: jobs,
        notes,
        errors: scan_errors,
        ..
    } = sources::scan(&args.paths, &settings.scan);
    // Every error as it is printed and reported: the message, and the diagnostic's help.
    let mut errors: Vec<String> = scan_errors.iter().map(|e| sources::error_text(e)).collect();
    // A progress bar on a terminal for large scans (standard error only).
    let bar = (io.progress && jobs.len() >= 100).then(|| {
        let bar = indicatif::ProgressBar::new(u64::try_from(jobs.len()).unwrap_or(u64::MAX));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} analysing {pos}/{len} roles [{bar:30}] {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let threshold = match args.fail_on.unwrap_or(FailOn::Exposed) {
        FailOn::Exposed => Some(Verdict::Exposed),
        FailOn::Partial => Some(Verdict::Inconclusive),
        FailOn::Never => None,
    };
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| chrono::DateTime::from_timestamp(i64::try_from(d.as_secs()).ok()?, 0))
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let format = args.format.unwrap_or(if io.terminal {
        Format::Human
    } else {
        Format::Json
    });
    // The JSON report (and a baseline) are written as roles are decided; SARIF and the human
    // text need the whole run and keep the roles.
    let mut report = match format {
        Format::Json => Some(JsonStream::new(std::io::BufWriter::new(&mut *io.out))),
        Format::Sarif | Format::Human => None,
    }
    .transpose();
    let mut baseline_out = match &args.write_baseline {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => JsonStream::new(std::io::BufWriter::new(f)).map(Some),
            Err(e) => Err(e),
        },
        None => Ok(None),
    };
    let mut triage = crate::triage::Triage::new(&config, baseline.as_ref(), threshold, today);
    let mut summary = Summary::default();
    let mut found = false;
    let mut undecided_below: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    // Roles are analysed in parallel, a chunk at a time; the report keeps the input order.
    const CHUNK: usize = 512;
    let mut pending = jobs.into_iter();
    loop {
        let chunk: Vec<sources::FoundRole> = pending.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let analysed: Vec<Result<Role, String>> = chunk
            .into_par_iter()
            .map(|job| {
                if let Some(b) = &bar {
                    b.inc(1);
                }
                job.read()
                    .map_err(|e| sources::error_text(&e))
                    .and_then(|role| analyse(role, &settings))
            })
            .collect();
        for a in analysed {
            let mut r = match a {
                Ok(r) => r,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            triage.role(&mut r);
            summary.add(&r);
            found |= r.status.contains(&crate::triage::Status::Fails);
            // Below the threshold an undecided threat is still worth a word: it is no proof.
            for (t, s) in r.analysis.threats.iter().zip(&r.status) {
                if t.verdict == Verdict::Inconclusive && *s == crate::triage::Status::Below {
                    undecided_below.push(format!(
                        "{} ({}): {} is inconclusive: {}",
                        r.name,
                        r.source,
                        t.threat.name(),
                        t.explanation
                    ));
                }
            }
            if let Ok(Some(out)) = &mut report {
                if out.role(&r).is_err() {
                    // Standard output closed: the rest is not written, and the run fails.
                    report = Ok(None);
                }
            }
            if let Ok(Some(out)) = &mut baseline_out {
                if let Err(e) = out.role(&r) {
                    baseline_out = Err(e);
                }
            }
            if !matches!(format, Format::Json) {
                roles.push(r);
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let warnings = triage.finish();
    let streamed = finish_stream(report, &errors, &summary, format);
    let written = match (streamed, format) {
        (Some(done), _) => done,
        (None, Format::Sarif) => writeln!(
            io.out,
            "{}",
            crate::sarif::log(
                &roles,
                &errors,
                &notes,
                &crate::sarif::Root::new(args.sarif_root.as_deref())
            )
        ),
        (None, _) => write!(io.out, "{}", human(&roles, io.colour)),
    };
    if let Some(p) = &args.write_baseline {
        let done = match baseline_out {
            Ok(Some(out)) => out.finish(&errors, &summary).map(drop),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            errors.push(format!("{}: cannot write the baseline: {e}", p.display()));
        }
    }
    for n in &notes {
        let _ = writeln!(io.err, "trustsim: note: {n}");
    }
    for w in &warnings {
        let _ = writeln!(io.err, "trustsim: warning: {w}");
    }
    for w in &undecided_below {
        let _ = writeln!(io.err, "trustsim: warning: {w}");
    }
    for e in &errors {
        let _ = writeln!(io.err, "trustsim: error: {e}");
    }
    if !errors.is_empty() {
        let _ = writeln!(
            io.err,
            "trustsim: {} input error(s); every other input was analysed",
            errors.len()
        );
    }
    if written.is_err() {
        return Exit::Invalid;
    }
    // Precedence (docs/cli.md, "Exit status"): a finding that fails the run gives 3 even when
    // some inputs had errors (the errors are still counted on standard error); input errors
    // alone give 1 (a path that names nothing is one).
    if found {
        Exit::Found
    } else if !errors.is_empty() {
        Exit::Invalid
    } else {
        Exit::Success
    }
}

/// Ends the JSON report that was written as the roles were decided: `None` when the format is
/// not JSON (nothing was streamed).
fn finish_stream<W: Write>(
    report: std::io::Result<Option<JsonStream<W>>>,
    errors: &[String],
    summary: &Summary,
    format: Format,
) -> Option<std::io::Result<()>> {
    match report {
        Ok(Some(out)) => Some(out.finish(errors, summary).map(drop)),
        Ok(None) => {
            (format == Format::Json).then(|| Err(std::io::Error::other("standard output closed")))
        }
        Err(e) => Some(Err(e)),
    }
}

/// The principals of the statements that let the attacker in, as written (`*`, ARNs, service
/// and provider names), each once.
fn letting_in(policy: &TrustPolicy, statements: &[usize]) -> Vec<String> {
    use trustsim_evaluator::PolicyPrincipal;
    let mut out: Vec<String> = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| statements.contains(&s.index))
    {
        for p in &s.principals {
            let text = match &p.principal {
                PolicyPrincipal::Everyone => "*".to_owned(),
                PolicyPrincipal::Iam(id) => id.to_string(),
                PolicyPrincipal::UniqueId(x)
                | PolicyPrincipal::Service(x)
                | PolicyPrincipal::Federated(x)
                | PolicyPrincipal::CanonicalUser(x) => x.clone(),
            };
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

pub(crate) fn to_json(roles: &[Role], errors: &[String]) -> Value {
    let summary = Summary::of(roles);
    json!({
        "roles": roles.iter().map(RoleReport::of).collect::<Vec<_>>(),
        "errors": errors,
        "summary": summary,
    })
}

/// One role's entry in the JSON report's `roles` (docs/cli.md, "JSON report").
#[derive(serde::Serialize)]
pub(crate) struct RoleReport<'a> {
    source: &'a str,
    identity: &'a str,
    role: &'a str,
    account: Option<&'a str>,
    line: Option<usize>,
    aws_managed: Option<ManagedReport<'a>>,
    threats: Vec<ThreatReport<'a>>,
    notes: Vec<&'a String>,
}

/// Why AWS manages a role's trust policy.
#[derive(serde::Serialize)]
struct ManagedReport<'a> {
    kind: &'a str,
    why: &'a str,
    citation: &'a str,
}

/// One threat of a role: the analysis's result, then what the run made of it.
#[derive(serde::Serialize)]
struct ThreatReport<'a> {
    threat: trustsim_evaluator::Threat,
    verdict: Verdict,
    statements: &'a [usize],
    explanation: &'a str,
    witness: Option<&'a trustsim_evaluator::Request>,
    residual: Option<&'a str>,
    fix: Option<&'a Value>,
    exact: bool,
    /// The informational class the run gives the finding (`aws-managed`, ...), or null.
    informational: Value,
    principals: Option<&'a Vec<String>>,
    status: Value,
    suppressed: Value,
    template_fix: Option<&'a str>,
}

impl<'a> RoleReport<'a> {
    /// The entry of a role.
    pub(crate) fn of(r: &'a Role) -> Self {
        let threats = r
            .analysis
            .threats
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let (status, suppressed, informational) = r.status.get(k).map_or(
                    (Value::Null, Value::Null, Value::Null),
                    crate::triage::status_json,
                );
                ThreatReport {
                    threat: t.threat,
                    verdict: t.verdict,
                    statements: &t.statements,
                    explanation: &t.explanation,
                    witness: t.witness.as_ref(),
                    residual: t.residual.as_deref(),
                    fix: t.fix.as_ref(),
                    exact: t.exact,
                    informational,
                    principals: r.principals.get(k),
                    status,
                    suppressed,
                    template_fix: r.template_fixes.get(k).and_then(|f| f.as_deref()),
                }
            })
            .collect();
        RoleReport {
            source: &r.source,
            identity: &r.identity,
            role: &r.name,
            account: r.account.as_deref(),
            line: r.line,
            aws_managed: r.managed.map(|m| ManagedReport {
                kind: m.kind,
                why: m.why,
                citation: m.citation,
            }),
            threats,
            notes: r.notes.iter().chain(&r.analysis.notes).collect(),
        }
    }
}

/// The JSON report written as its roles are decided, byte for byte what `to_json` gives printed
/// compactly: `{"roles":[` each role `],"errors":[..],"summary":{..}}`. Roles are independent, so
/// a run over an organization's export holds one chunk of roles at a time, not the report.
pub(crate) struct JsonStream<W: Write> {
    out: W,
    roles: usize,
}

impl<W: Write> JsonStream<W> {
    pub(crate) fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\"roles\":[")?;
        Ok(Self { out, roles: 0 })
    }

    pub(crate) fn role(&mut self, r: &Role) -> std::io::Result<()> {
        if self.roles > 0 {
            self.out.write_all(b",")?;
        }
        self.roles += 1;
        serde_json::to_writer(&mut self.out, &RoleReport::of(r)).map_err(std::io::Error::from)
    }

    pub(crate) fn finish(mut self, errors: &[String], summary: &Summary) -> std::io::Result<W> {
        self.out.write_all(b"],\"errors\":")?;
        serde_json::to_writer(&mut self.out, errors).map_err(std::io::Error::from)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary).map_err(std::io::Error::from)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Counts of a run, for the human summary and the JSON `summary`.
#[derive(Default, serde::Serialize)]
pub(crate) struct Summary {
    pub(crate) roles: usize,
    #[serde(rename = "roles_with_findings")]
    pub(crate) roles_failing: usize,
    #[serde(rename = "findings")]
    pub(crate) failing: usize,
    #[serde(rename = "below_threshold")]
    pub(crate) below: usize,
    pub(crate) informational: usize,
    pub(crate) suppressed: usize,
}

impl Summary {
    pub(crate) fn of(roles: &[Role]) -> Self {
        let mut s = Self::default();
        for r in roles {
            s.add(r);
        }
        s
    }

    /// Counts one more role.
    pub(crate) fn add(&mut self, r: &Role) {
        use crate::triage::Status;
        let count = |f: &dyn Fn(&Status) -> bool| r.status.iter().filter(|s| f(s)).count();
        self.roles += 1;
        self.roles_failing += usize::from(r.status.contains(&Status::Fails));
        self.failing += count(&|s| *s == Status::Fails);
        self.below += count(&|s| *s == Status::Below);
        self.informational += count(&|s| matches!(s, Status::Informational(_)));
        self.suppressed += count(&|s| matches!(s, Status::Suppressed { .. }));
    }
}

pub(crate) fn human(roles: &[Role], colour: bool) -> String {
    use crate::triage::Status;
    use std::fmt::Write as _;
    let paint = |code: &str, t: &str| {
        if colour {
            format!("\x1b[{code}m{t}\x1b[0m")
        } else {
            t.to_owned()
        }
    };
    // Worst first: roles with failing findings, then those with findings below the threshold,
    // then the rest, each group in input order.
    let rank = |r: &Role| {
        if r.status.contains(&Status::Fails) {
            0
        } else if r.status.contains(&Status::Below) {
            1
        } else {
            2
        }
    };
    let mut order: Vec<&Role> = roles.iter().collect();
    order.sort_by_key(|r| rank(r));
    let mut s = String::new();
    for r in order {
        let place = match r.line {
            Some(l) => format!("{}, line {l}", r.source),
            None => r.source.clone(),
        };
        let _ = writeln!(s, "{} ({place})", paint("1", &r.name));
        for n in &r.notes {
            let _ = writeln!(s, "  {} {n}", paint("2", "note:"));
        }
        if let Some(m) = r.managed {
            let _ = writeln!(
                s,
                "  {} {}: {} ({})",
                paint("36", "aws-managed"),
                m.kind,
                m.why,
                m.citation
            );
        }
        type Open<'a> = (
            &'a trustsim_evaluator::ThreatResult,
            &'a Status,
            &'a Value,
            Option<&'a String>,
        );
        let mut open: Vec<Open> = r
            .analysis
            .threats
            .iter()
            .zip(&r.status)
            .zip(&r.documents)
            .enumerate()
            .map(|(k, ((t, st), d))| (t, st, d, r.template_fixes.get(k).and_then(Option::as_ref)))
            .filter(|(_, st, _, _)| **st != Status::Quiet)
            .collect();
        open.sort_by_key(|(t, st, _, _)| {
            (
                !matches!(st, Status::Fails | Status::Below),
                std::cmp::Reverse(t.verdict),
                t.threat,
            )
        });
        if open.is_empty() {
            let _ = writeln!(s, "  {} no threat gets in", paint("32", "ok"));
        }
        for (t, st, document, template_fix) in open {
            match st {
                Status::Suppressed { reason, by } => {
                    let _ = writeln!(
                        s,
                        "  {}",
                        paint(
                            "2",
                            &format!(
                                "suppressed {} {}: {reason} ({by})",
                                t.verdict.name(),
                                t.threat.name()
                            )
                        )
                    );
                    continue;
                }
                Status::Informational(_) if r.managed.is_some() => {
                    let _ = writeln!(
                        s,
                        "  {}",
                        paint(
                            "2",
                            &format!(
                                "informational {} {}: {}",
                                t.verdict.name(),
                                t.threat.name(),
                                t.explanation
                            )
                        )
                    );
                    continue;
                }
                _ => {}
            }
            let v = match t.verdict {
                Verdict::Exposed => paint("31", "exposed"),
                Verdict::Inconclusive => paint("35", "inconclusive"),
                _ => paint("33", "partial"),
            };
            let info = if matches!(st, Status::Informational(_)) {
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
            if let Some(patch) = template_fix {
                let _ = writeln!(
                    s,
                    "      fix in the file (resolved again and re-analysed: it closes this):"
                );
                for line in patch.lines() {
                    let line = match line.chars().next() {
                        Some('+') => paint("32", line),
                        Some('-') => paint("31", line),
                        _ => line.to_owned(),
                    };
                    let _ = writeln!(s, "        {line}");
                }
            } else if let Some(fix) = &t.fix {
                let _ = writeln!(s, "      fix (proven to close it):");
                let before = serde_json::to_string_pretty(document).unwrap_or_default();
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
        for n in &r.analysis.notes {
            let _ = writeln!(s, "  {} {n}", paint("2", "note:"));
        }
    }
    let sum = Summary::of(roles);
    let mut line = format!(
        "\n{} role(s): {} with findings, {} finding(s)",
        sum.roles, sum.roles_failing, sum.failing
    );
    if sum.below > 0 {
        let _ = write!(line, "; {} below the --fail-on threshold", sum.below);
    }
    let _ = write!(
        line,
        "; {} informational; {} suppressed",
        sum.informational, sum.suppressed
    );
    let _ = writeln!(s, "{line}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Roles with one document are analysed once, and get the analysis a fresh run gives.
    #[test]
    fn one_analysis_per_distinct_document() -> Result<(), String> {
        let cache = AnalysisCache::default();
        let options = AnalysisOptions {
            account: Some("111122223333".to_owned()),
            ..Default::default()
        };
        let docs = [
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}"#,
        ];
        for text in [docs[0], docs[1], docs[0], docs[0]] {
            let policy = TrustPolicy::from_json(text).map_err(|e| e.to_string())?;
            let got = cache.analyze(text.to_owned(), &policy, &options);
            assert_eq!(
                got.threats_json(),
                analyze(&policy, &options).threats_json()
            );
        }
        let other = AnalysisOptions {
            account: Some("444455556666".to_owned()),
            ..Default::default()
        };
        let policy = TrustPolicy::from_json(docs[1]).map_err(|e| e.to_string())?;
        let got = cache.analyze(docs[1].to_owned(), &policy, &other);
        assert_eq!(got.threats_json(), analyze(&policy, &other).threats_json());
        assert_eq!(cache.entries.lock().map(|m| m.len()).ok(), Some(3));
        Ok(())
    }

    /// The streamed report is, byte for byte, the report built whole, on every bundled example
    /// (and the account export, which has many roles and an error-free summary).
    #[test]
    fn streamed_report_is_the_whole_report() -> Result<(), String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in [root.clone(), root.join("account-export")] {
            for e in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
                let p = e.map_err(|e| e.to_string())?.path();
                if p.is_file() {
                    files.push(p);
                }
            }
        }
        files.sort();
        let settings = Settings {
            scan: sources::ScanOptions {
                allow_empty: true,
                ..Default::default()
            },
            options: AnalysisOptions::default(),
            cache: AnalysisCache::default(),
        };
        let mut roles = Vec::new();
        let mut errors = Vec::new();
        for p in &files {
            let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
            let mut report = sources::ScanReport::default();
            sources::scan_text(p, text, false, &settings.scan, &mut report);
            errors.extend(report.errors.iter().map(|e| sources::error_text(e)));
            for r in report.roles {
                match r
                    .read()
                    .map_err(|e| sources::error_text(&e))
                    .and_then(|r| analyse(r, &settings))
                {
                    Ok(r) => roles.push(r),
                    Err(e) => errors.push(e),
                }
            }
        }
        assert!(roles.len() > 10, "{} roles", roles.len());
        let config = Config::default();
        let _ = crate::triage::triage(
            &mut roles,
            &config,
            None,
            Some(Verdict::Exposed),
            chrono::NaiveDate::default(),
        );
        let mut stream = JsonStream::new(Vec::new()).map_err(|e| e.to_string())?;
        for r in &roles {
            stream.role(r).map_err(|e| e.to_string())?;
        }
        let bytes = stream
            .finish(&errors, &Summary::of(&roles))
            .map_err(|e| e.to_string())?;
        let streamed = String::from_utf8(bytes).map_err(|e| e.to_string())?;
        assert_eq!(streamed, format!("{}\n", to_json(&roles, &errors)));
        Ok(())
    }
}

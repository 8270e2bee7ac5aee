//! `trustsim diff OLD NEW`: does this change let anyone new assume the role? Roles of the two
//! inputs (any input kind, read by `sources::scan`) are matched by their identity, and each
//! matched pair is compared class by class with the analysis's decision procedure
//! (`analysis::diff`): widened, narrowed, unchanged (proved) or inconclusive, with a witness
//! request the evaluator replays. `--git REV` reads OLD from a git revision of the same paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use trustsim_evaluator::analysis::diff::{diff, Change, Class, ClassDiff};
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::sources::{self, ScanOptions};
use trustsim_evaluator::{analyze, AnalysisOptions, TrustPolicy, Verdict};

use crate::error::CliError;
use crate::exit::Exit;
use crate::{Format, Io};

/// Arguments of `trustsim diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// OLD then NEW (each a policy, template, plan, export or directory); with `--git REV`,
    /// the paths to compare with their state at REV.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Read OLD from this git revision of the same paths (`git show REV:PATH`).
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// The role owner's 12-digit account ID.
    #[arg(long)]
    pub account: Option<String>,
    /// An account in the owner's zone of trust (repeatable; comma lists accepted).
    #[arg(long = "trusted-account", value_delimiter = ',')]
    pub trusted_accounts: Vec<String>,
    /// The owner's organization (`o-...`), in the zone of trust.
    #[arg(long)]
    pub trusted_org: Option<String>,
    /// Output format (default: human on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit with status 3 when a class widened (the default), or never.
    #[arg(long, value_enum, default_value_t = DiffFailOn::Widened)]
    pub fail_on: DiffFailOn,
}

/// `--fail-on` of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    /// Some class widened.
    Widened,
    /// Never: report only.
    Never,
}

/// One side's roles, by their identity.
struct Side {
    roles: BTreeMap<String, sources::Role>,
    errors: Vec<String>,
}

/// The identity a role is matched by: its ARN when the input gives one; else its place in the
/// input relative to the path given (`templates/app.yaml#/Resources/Role`), without the file
/// when both sides are single files (so `old.json` and `new.json` match).
fn identity(role: &sources::Role, root: &Path, index: usize, single_files: bool) -> String {
    if let Some(arn) = &role.arn {
        return arn.clone();
    }
    let (file, fragment) = role
        .source
        .split_once('#')
        .unwrap_or((role.source.as_str(), ""));
    if single_files {
        return format!("#{fragment}");
    }
    let file = Path::new(file);
    let relative = file.strip_prefix(root).unwrap_or(file);
    format!("{index}:{}#{fragment}", relative.display())
}

fn read_side(roots: &[PathBuf], single_files: bool, options: &ScanOptions) -> Side {
    let mut side = Side {
        roles: BTreeMap::new(),
        errors: Vec::new(),
    };
    for (i, root) in roots.iter().enumerate() {
        let report = sources::scan(std::slice::from_ref(root), options);
        side.errors
            .extend(report.errors.iter().map(|e| sources::error_text(e)));
        for found in report.roles {
            match found.read() {
                Ok(role) => {
                    let key = identity(&role, root, i, single_files);
                    side.roles.insert(key, role);
                }
                Err(e) => side.errors.push(sources::error_text(&e)),
            }
        }
    }
    side
}

/// OLD at a git revision: each file of the paths at `rev`, written under a scratch folder at
/// the same relative place.
fn from_git(rev: &str, paths: &[PathBuf], scratch: &Path) -> Result<Vec<PathBuf>, String> {
    let mut roots = Vec::new();
    for p in paths {
        let listed = std::process::Command::new("git")
            .args(["ls-tree", "-r", "--name-only", rev, "--"])
            .arg(p)
            .output()
            .map_err(|e| format!("git: cannot run: {e}"))?;
        if !listed.status.success() {
            return Err(format!(
                "git ls-tree {rev} -- {}: {}",
                p.display(),
                String::from_utf8_lossy(&listed.stderr).trim()
            ));
        }
        for file in String::from_utf8_lossy(&listed.stdout).lines() {
            let shown = std::process::Command::new("git")
                .arg("show")
                .arg(format!("{rev}:./{file}"))
                .output()
                .map_err(|e| format!("git: cannot run: {e}"))?;
            if !shown.status.success() {
                return Err(format!(
                    "git show {rev}:./{file}: {}",
                    String::from_utf8_lossy(&shown.stderr).trim()
                ));
            }
            let target = scratch.join(file);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&target, &shown.stdout)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
        roots.push(scratch.join(p));
    }
    Ok(roots)
}

/// A matched, added or removed role, compared.
struct RoleDiff {
    identity: String,
    name: String,
    source: String,
    line: Option<usize>,
    status: &'static str,
    classes: Vec<ClassDiff>,
    /// For a matched role: each threat class's verdict under the old and the new policy (the
    /// analysis's), so that a verdict change (restricted to exposed) reads as the headline.
    verdicts: Vec<(Class, Verdict, Verdict)>,
    /// The condition values of the branch a class's widening was found on (templates whose
    /// conditions the parameters leave open).
    whens: Vec<(Class, String)>,
    /// For an added role: its analysis, as `analyze` reports it.
    added: Option<Value>,
}

fn policy_of(role: &sources::Role) -> Result<TrustPolicy, String> {
    TrustPolicy::from_value(&role.document).map_err(|e| sources::place_error(&role.source, &e))
}

/// For each class widened on a branch, the branch's condition values.
type Whens = Vec<(Class, String)>;

/// Every policy a role can deploy with, by the condition values that give it (`""` for a role
/// with one policy): a template whose conditions the parameters leave open is compared branch
/// by branch, so that a widening on any deployable branch is found.
fn deployable(role: &sources::Role) -> Result<Vec<(String, TrustPolicy)>, String> {
    if role.branches.is_empty() {
        return Ok(vec![(String::new(), policy_of(role)?)]);
    }
    role.branches
        .iter()
        .map(|b| {
            TrustPolicy::from_value(&b.document)
                .map(|p| (b.label(), p))
                .map_err(|e| sources::place_error(&format!("{} ({})", role.source, b.label()), &e))
        })
        .collect()
}

/// The comparison of two roles over their deployable policies: each NEW branch against the OLD
/// branch of the same condition values. A class widened on some branch is widened (the
/// witness's branch is named); one whose branches cannot be paired, or that has more branches
/// than are read, is no proof of "unchanged".
fn compare_roles(
    old: &sources::Role,
    new: &sources::Role,
    options: &AnalysisOptions,
) -> Result<(Vec<ClassDiff>, Whens), String> {
    let old_branches = deployable(old)?;
    let new_branches = deployable(new)?;
    let mut merged: Option<Vec<ClassDiff>> = None;
    let mut whens: Vec<(Class, String)> = Vec::new();
    let paired_all = new_branches
        .iter()
        .all(|(label, _)| old_branches.iter().any(|(l, _)| l == label))
        && old_branches
            .iter()
            .all(|(label, _)| new_branches.iter().any(|(l, _)| l == label));
    for (label, new_policy) in &new_branches {
        // Unpaired: against the OLD default (its first branch).
        let old_policy = old_branches
            .iter()
            .find(|(l, _)| l == label)
            .or_else(|| old_branches.first())
            .map(|(_, p)| p);
        let Some(old_policy) = old_policy else {
            continue;
        };
        let d = diff(old_policy, new_policy, options);
        match &mut merged {
            None => {
                for c in &d.classes {
                    if c.widened.is_some() && !label.is_empty() {
                        whens.push((c.class, label.clone()));
                    }
                }
                merged = Some(d.classes);
            }
            Some(classes) => {
                for (m, c) in classes.iter_mut().zip(d.classes) {
                    if m.widened.is_none() && c.widened.is_some() && !label.is_empty() {
                        whens.push((c.class, label.clone()));
                    }
                    m.widened = m.widened.take().or(c.widened);
                    m.narrowed = m.narrowed.take().or(c.narrowed);
                    m.exact &= c.exact;
                    for r in c.why_inexact {
                        if !m.why_inexact.contains(&r) {
                            m.why_inexact.push(r);
                        }
                    }
                }
            }
        }
    }
    let mut classes = merged.unwrap_or_default();
    let truncated = old.branches_truncated || new.branches_truncated;
    if !paired_all || truncated {
        let why = if truncated {
            "the template has more deployable policies than are read"
        } else {
            "the template's condition branches differ between OLD and NEW"
        };
        for c in &mut classes {
            c.exact = false;
            if !c.why_inexact.contains(&why) {
                c.why_inexact.push(why);
            }
        }
    }
    Ok((classes, whens))
}

/// Runs the command.
pub fn run(args: &DiffArgs, io: &mut Io<'_>) -> Exit {
    let fail = |io: &mut Io<'_>, msg: &str| {
        let _ = writeln!(io.err, "trustsim: error: {msg}");
        Exit::Invalid
    };
    let invalid = |e: CliError| sources::error_text(&e);
    for (flag, a) in args.account.iter().map(|a| ("--account", a)).chain(
        args.trusted_accounts
            .iter()
            .map(|a| ("--trusted-account", a)),
    ) {
        if owner_from(Some(a), None).is_none() {
            let e = CliError::Account {
                what: flag.to_owned(),
                value: a.clone(),
            };
            return fail(io, &invalid(e));
        }
    }
    if let Some(o) = &args.trusted_org {
        if !trustsim_evaluator::analysis::is_organization_id(o) {
            let e = CliError::Organization {
                what: "--trusted-org".to_owned(),
                value: o.clone(),
            };
            return fail(io, &invalid(e));
        }
    }
    let scratch = std::env::temp_dir().join(format!("trustsim-diff-{}", std::process::id()));
    let (old_roots, new_roots): (Vec<PathBuf>, Vec<PathBuf>) = match &args.git {
        Some(rev) => {
            let _ = std::fs::remove_dir_all(&scratch);
            match from_git(rev, &args.paths, &scratch) {
                Ok(old) => (old, args.paths.clone()),
                Err(e) => return fail(io, &e),
            }
        }
        None => match args.paths.as_slice() {
            [old, new] => (vec![old.clone()], vec![new.clone()]),
            _ => {
                return fail(
                    io,
                    "give OLD and NEW, or --git REV and the paths\n  help: trustsim diff old/role.json new/role.json, or trustsim diff --git origin/main templates/",
                )
            }
        },
    };
    let single_files =
        args.git.is_none() && old_roots.iter().chain(&new_roots).all(|p| p.is_file());
    let scan = |owner: Option<String>| ScanOptions {
        allow_empty: true,
        deployment: sources::Deployment {
            owner,
            ..Default::default()
        },
        ..Default::default()
    };
    let old = read_side(&old_roots, single_files, &scan(args.account.clone()));
    let new = read_side(&new_roots, single_files, &scan(args.account.clone()));
    let _ = std::fs::remove_dir_all(&scratch);
    // Each error once: a file both sides read (OLD and NEW the same path) fails alike.
    let mut errors: Vec<String> = Vec::new();
    for e in old.errors.into_iter().chain(new.errors) {
        if !errors.contains(&e) {
            errors.push(e);
        }
    }
    let options_for = |role: &sources::Role| AnalysisOptions {
        account: role.account.clone().or_else(|| args.account.clone()),
        partition: role.partition.clone(),
        trusted_accounts: args.trusted_accounts.clone(),
        trusted_org: args.trusted_org.clone(),
    };
    let mut roles: Vec<RoleDiff> = Vec::new();
    for (key, role) in &new.roles {
        let base = |status: &'static str| RoleDiff {
            identity: key.clone(),
            name: role.name.clone(),
            source: role.source.clone(),
            line: role.line,
            status,
            classes: Vec::new(),
            verdicts: Vec::new(),
            whens: Vec::new(),
            added: None,
        };
        let new_policy = match policy_of(role) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let options = options_for(role);
        match old.roles.get(key) {
            Some(old_role) => {
                let old_policy = match policy_of(old_role) {
                    Ok(p) => p,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let (classes, whens) = match compare_roles(old_role, role, &options) {
                    Ok(c) => c,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let d = trustsim_evaluator::analysis::diff::Diff { classes };
                let mut r = base("changed");
                r.whens = whens;
                if d.classes.iter().all(|c| c.change() == Change::Unchanged) {
                    r.status = "unchanged";
                } else {
                    // The verdicts, for the classes that changed.
                    let (before, after) = (
                        analyze(&old_policy, &options),
                        analyze(&new_policy, &options),
                    );
                    r.verdicts = d
                        .classes
                        .iter()
                        .filter(|c| c.change() != Change::Unchanged)
                        .filter_map(|c| match c.class {
                            Class::Threat(t) => {
                                Some((c.class, before.result(t).verdict, after.result(t).verdict))
                            }
                            _ => None,
                        })
                        .collect();
                }
                r.classes = d.classes;
                roles.push(r);
            }
            None => {
                let mut r = base("added");
                r.added = Some(analyze(&new_policy, &options).threats_json());
                roles.push(r);
            }
        }
    }
    for (key, role) in &old.roles {
        if !new.roles.contains_key(key) {
            roles.push(RoleDiff {
                identity: key.clone(),
                name: role.name.clone(),
                source: role.source.clone(),
                line: role.line,
                status: "removed",
                classes: Vec::new(),
                verdicts: Vec::new(),
                whens: Vec::new(),
                added: None,
            });
        }
    }
    let widened = roles.iter().any(|r| {
        r.classes.iter().any(|c| c.change() == Change::Widened)
            || r.added.as_ref().is_some_and(|a| {
                a.as_array().is_some_and(|l| {
                    l.iter().any(|t| {
                        matches!(t["verdict"].as_str(), Some("exposed" | "partial"))
                            && t["threat"] != "account-wide"
                    })
                })
            })
    });
    let format = args.format.unwrap_or(if io.terminal {
        Format::Human
    } else {
        Format::Json
    });
    let written = match format {
        Format::Json => writeln!(io.out, "{}", report_json(&roles, &errors)),
        Format::Sarif => writeln!(io.out, "{}", sarif(&roles)),
        Format::Human => write!(io.out, "{}", human(&roles)),
    };
    for e in &errors {
        let _ = writeln!(io.err, "trustsim: error: {e}");
    }
    if written.is_err() {
        return Exit::Invalid;
    }
    if widened && args.fail_on == DiffFailOn::Widened {
        Exit::Found
    } else if !errors.is_empty() {
        Exit::Invalid
    } else {
        Exit::Success
    }
}

/// A class of a role, with the analysis's verdicts before and after when it changed, and the
/// branch its widening was found on.
fn class_json(
    c: &ClassDiff,
    verdicts: &[(Class, Verdict, Verdict)],
    whens: &[(Class, String)],
) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let (Some(obj), Some((_, when))) =
        (v.as_object_mut(), whens.iter().find(|(k, _)| *k == c.class))
    {
        obj.insert("when".to_owned(), json!(when));
    }
    if let (Some(obj), Some((_, before, after))) = (
        v.as_object_mut(),
        verdicts.iter().find(|(k, _, _)| *k == c.class),
    ) {
        obj.insert(
            "verdicts".to_owned(),
            json!({"old": before.name(), "new": after.name()}),
        );
    }
    v
}

/// The JSON report (docs/cli.md, "trustsim diff").
fn report_json(roles: &[RoleDiff], errors: &[String]) -> Value {
    let count = |f: &dyn Fn(&RoleDiff) -> bool| roles.iter().filter(|r| f(r)).count();
    let classes = |change: Change| {
        roles
            .iter()
            .flat_map(|r| &r.classes)
            .filter(|c| c.change() == change)
            .count()
    };
    json!({
        "roles": roles.iter().map(|r| json!({
            "identity": r.identity,
            "role": r.name,
            "source": r.source,
            "line": r.line,
            "status": r.status,
            "classes": r.classes.iter().map(|c| class_json(c, &r.verdicts, &r.whens)).collect::<Vec<_>>(),
            "threats": r.added,
        })).collect::<Vec<_>>(),
        "errors": errors,
        "summary": {
            "roles": roles.len(),
            "changed": count(&|r| r.status == "changed"),
            "added": count(&|r| r.status == "added"),
            "removed": count(&|r| r.status == "removed"),
            "widened": classes(Change::Widened),
            "narrowed": classes(Change::Narrowed),
            "inconclusive": classes(Change::Inconclusive),
        },
    })
}

fn human(roles: &[RoleDiff]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for r in roles {
        let _ = writeln!(s, "{} ({}): {}", r.name, r.source, r.status);
        for c in &r.classes {
            match c.change() {
                Change::Unchanged => {}
                change => {
                    let verdicts = r
                        .verdicts
                        .iter()
                        .find(|(k, _, _)| *k == c.class)
                        .filter(|(_, before, after)| before != after)
                        .map(|(_, before, after)| format!(" ({before} -> {after})"))
                        .unwrap_or_default();
                    let when = r
                        .whens
                        .iter()
                        .find(|(k, _)| *k == c.class)
                        .map(|(_, w)| format!(" {w}"))
                        .unwrap_or_default();
                    let _ = writeln!(s, "  {change} {}{verdicts}{when}", c.class);
                    if let Some(w) = &c.widened {
                        let _ = writeln!(s, "      now allowed, denied before: {}", w.to_json());
                    }
                    if let Some(w) = &c.narrowed {
                        let _ = writeln!(s, "      allowed before, denied now: {}", w.to_json());
                    }
                    if change == Change::Inconclusive {
                        let _ = writeln!(s, "      not decided: {}", c.why_inexact.join("; "));
                    }
                }
            }
        }
        if let Some(threats) = r.added.as_ref().and_then(Value::as_array) {
            for t in threats {
                if matches!(t["verdict"].as_str(), Some("exposed" | "partial")) {
                    let _ = writeln!(
                        s,
                        "  {} {}: {}",
                        t["verdict"].as_str().unwrap_or_default(),
                        t["threat"].as_str().unwrap_or_default(),
                        t["explanation"].as_str().unwrap_or_default()
                    );
                }
            }
        }
    }
    let widened = roles
        .iter()
        .flat_map(|r| &r.classes)
        .filter(|c| c.change() == Change::Widened)
        .count();
    let _ = writeln!(
        s,
        "\n{} role(s): {} class(es) widened",
        roles.len(),
        widened
    );
    s
}

/// SARIF 2.1.0: a result for each widened class, at the new role's line.
fn sarif(roles: &[RoleDiff]) -> Value {
    let rules: Vec<Value> = Class::ALL
        .iter()
        .map(|c| {
            let name = match c {
                Class::Threat(t) => t.rule().name,
                Class::OwnerAccount => "OwnerAccount",
                Class::ZoneOfTrust => "ZoneOfTrust",
            };
            json!({
                "id": format!("trustsim/diff/{c}"),
                "name": format!("Widened{name}"),
                "shortDescription": {"text": format!("The change lets in requests of the class {c} that were denied before")},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in roles {
        let file = r.source.split('#').next().unwrap_or_default();
        for c in r.classes.iter().filter(|c| c.change() == Change::Widened) {
            let witness = c
                .widened
                .as_ref()
                .map(|w| w.to_json())
                .unwrap_or(Value::Null);
            results.push(json!({
                "ruleId": format!("trustsim/diff/{}", c.class),
                "level": "error",
                "message": {"text": format!("{}: the change widens {}: this request is allowed now and was denied before: {witness}", r.name, c.class)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": r.line.unwrap_or(1)},
                }}],
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "trustsim", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    })
}

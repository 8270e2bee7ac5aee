//! Every role of a set of paths, read as `trustsim analyze` reads them: files named directly,
//! directories walked recursively, glob patterns; each file's kind detected from its content
//! (or given); sizes checked before any tree is built; Terraform files grouped into modules by
//! directory; an account export's roles read one at a time. [`scan`] is the whole of it, and
//! [`scan_text`] reads one input already in memory.
//!
//! ```
//! use trustsim_evaluator::sources::{scan, ScanOptions};
//! let report = scan(&["../examples/eventbridge-template.yaml"], &ScanOptions::default());
//! assert!(report.errors.is_empty());
//! let roles: Vec<_> = report.roles.into_iter().map(|r| r.read().unwrap()).collect();
//! assert_eq!(roles[0].name, "CentralEventBusToInvoiceProcessingEventBusRole");
//! ```

mod error;
mod read;
mod walk;

pub use error::{error_text, ScanError};
pub use read::{read_text, text_of};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::limits::{thousands, MAX_FILE_BYTES, MAX_POLICY_FILE_BYTES, MAX_TEMPLATE_BYTES};
use crate::policy::PolicyError;
use crate::sources::{self, terraform_config, Deployment, ExportRoles, InputKind, Role};

/// How [`scan`] reads its paths.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Every input read as this kind, instead of the kind its content shows.
    pub input_kind: Option<InputKind>,
    /// A file named directly that holds no role is fine (by default it is an error: a gate
    /// that reads nothing passes nothing), and so is finding no role at all.
    pub allow_empty: bool,
    /// Files named directly are read as a walk reads them: one that is no input kind is a
    /// note, not an error (for hooks that pass every staged file).
    pub skip_other_files: bool,
    /// The owner, partition and parameter values templates are resolved with.
    pub deployment: Deployment,
}

/// What [`scan`] found.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// The roles, in input order (Terraform modules first), each read when its turn comes.
    pub roles: Vec<FoundRole>,
    /// What was skipped and why (a file of no input kind in a directory, a link already
    /// followed, a role a template does not deploy).
    pub notes: Vec<String>,
    /// Input errors, each naming its file and the JSON Pointer or line; the other inputs are
    /// still read.
    pub errors: Vec<ScanError>,
    /// Files a walk passed over because of their names (`README.md`, `main.py`).
    pub other_files: usize,
}

/// A role found by [`scan`]: read already, or the role at an index of an account export, read
/// by [`FoundRole::read`] (an organization's export is held as its text, not as a tree of every
/// role).
#[derive(Debug)]
pub enum FoundRole {
    /// A role read already.
    Role(Box<Role>),
    /// The role at this index of the export's `RoleDetailList`.
    Export(Arc<ExportRoles>, usize),
}

impl FoundRole {
    /// The role, or the error that names where its entry is wrong.
    pub fn read(self) -> Result<Role, ScanError> {
        match self {
            FoundRole::Role(role) => Ok(*role),
            FoundRole::Export(export, i) => export
                .role(i)
                .map_err(|e| ScanError::policy(export.file(), &e)),
        }
    }
}

/// An input error at a place (a file, or a role inside one), with its JSON Pointer and what
/// would be right, as the command line prints it: `PLACE: POINTER: message`, then
/// `  help: ...` on a line of its own.
pub fn place_error(place: &str, e: &PolicyError) -> String {
    error_text(&ScanError::policy(place, e))
}

/// Every role of `paths`: files, directories (searched recursively for `.json`, `.yaml`,
/// `.yml`, `.template`, `.tf`, `.tf.json` and `.tfvars` files, in any case), glob patterns
/// (`templates/**/*.yaml`), and `-` for standard input. docs/cli.md, "trustsim analyze", says
/// what each kind gives and which files are notes rather than errors.
pub fn scan<P: AsRef<Path>>(paths: &[P], options: &ScanOptions) -> ScanReport {
    let mut inputs = walk::Inputs::default();
    for p in paths {
        add_path(&mut inputs, p.as_ref(), !options.skip_other_files);
    }
    let walk::Inputs {
        files,
        notes,
        errors,
        other_files,
        ..
    } = inputs;
    let mut report = ScanReport {
        roles: Vec::new(),
        notes,
        errors,
        other_files,
    };
    let (terraform, others): (Vec<walk::Input>, Vec<walk::Input>) = files
        .into_iter()
        .partition(|i| terraform_config::is_terraform_file(&i.path));
    terraform_modules(&terraform, &options.deployment, &mut report);
    for input in others {
        match read_text(&input.path, MAX_FILE_BYTES, "any input") {
            Ok(text) => scan_text(&input.path, text, input.named, options, &mut report),
            Err(e) => report.errors.push(e),
        }
    }
    // Nothing to analyse is a failed gate, not a pass, unless the caller says it is fine.
    if report.roles.is_empty() && report.errors.is_empty() && !options.allow_empty {
        let skipped = if report.other_files > 0 {
            format!(" ({} other file(s) were not read: only `.json`, `.yaml`, `.yml`, `.template`, `.tf`, `.tf.json` and `.tfvars` are)", report.other_files)
        } else {
            String::new()
        };
        report.errors.push(ScanError::NoRoles {
            paths: paths
                .iter()
                .map(|p| p.as_ref().display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            skipped,
        });
    }
    report
}

/// Adds a path given by the caller: a file, a directory, `-`, or else a glob pattern.
fn add_path(inputs: &mut walk::Inputs, p: &Path, named: bool) {
    if p.as_os_str() == "-" || p.symlink_metadata().is_ok() {
        inputs.add(p, named);
        return;
    }
    // Not a path: a glob pattern (`templates/**/*.yaml`), expanded with the glob crate.
    let text = p.display().to_string();
    if !text.contains(['*', '?', '[']) {
        inputs.errors.push(ScanError::NoSuchPath { path: text });
        return;
    }
    match glob::glob(&text) {
        Ok(matches) => {
            let mut found = false;
            for m in matches {
                match m {
                    Ok(path) => {
                        found = true;
                        inputs.add(&path, false);
                    }
                    Err(e) => inputs.errors.push(ScanError::GlobEntry {
                        pattern: text.clone(),
                        reason: e.to_string(),
                    }),
                }
            }
            if !found {
                inputs.errors.push(ScanError::NoMatch { pattern: text });
            }
        }
        Err(e) => inputs.errors.push(ScanError::BadPattern {
            pattern: text,
            reason: e.to_string(),
        }),
    }
}

/// The roles of the Terraform files among the inputs: the `.tf`, `.tf.json` and `.tfvars`
/// files of each directory are one module.
fn terraform_modules(files: &[walk::Input], deployment: &Deployment, report: &mut ScanReport) {
    let mut modules: std::collections::BTreeMap<PathBuf, Vec<(PathBuf, String)>> =
        std::collections::BTreeMap::new();
    for input in files {
        match read_text(&input.path, MAX_TEMPLATE_BYTES, "a Terraform file") {
            Ok(text) => modules
                .entry(
                    input
                        .path
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_default(),
                )
                .or_default()
                .push((input.path.clone(), text)),
            Err(e) => report.errors.push(e),
        }
    }
    for (dir, files) in modules {
        let found = terraform_config::module_roles(&dir, &files, deployment);
        report
            .errors
            .extend(found.errors.into_iter().map(ScanError::Terraform));
        report.notes.extend(found.notes);
        report.roles.extend(
            found
                .roles
                .into_iter()
                .map(|r| FoundRole::Role(Box::new(r))),
        );
    }
}

fn too_large(path: &Path, size: usize, max: usize, what: &str, help: &str) -> ScanError {
    ScanError::TooLarge {
        path: path.display().to_string(),
        size: thousands(size),
        max: thousands(max),
        what: what.to_owned(),
        help: help.to_owned(),
    }
}

/// The roles of one input that is not Terraform configuration, held in memory as `text` and
/// read as the file `path` (named directly when `named`), added to `report`: a file of no
/// input kind is a note from a walk and an error when named. Sizes are checked before any tree
/// is built.
pub fn scan_text(
    path: &Path,
    text: String,
    named: bool,
    options: &ScanOptions,
    report: &mut ScanReport,
) {
    match file_roles(path, text, named, options) {
        Ok((roles, notes)) => {
            report.roles.extend(roles);
            report.notes.extend(notes);
        }
        Err(e) => report.errors.push(e),
    }
}

fn input_error(path: &Path, e: &PolicyError) -> ScanError {
    ScanError::policy(path.display().to_string(), e)
}

fn file_roles(
    path: &Path,
    text: String,
    named: bool,
    options: &ScanOptions,
) -> Result<(Vec<FoundRole>, Vec<String>), ScanError> {
    let json = text.trim_start().starts_with(['{', '[']);
    if !json && text.len() > MAX_TEMPLATE_BYTES {
        return Err(too_large(path, text.len(), MAX_TEMPLATE_BYTES, "a CloudFormation template (YAML)", "CloudFormation itself takes templates of at most 1 MB (AWS CloudFormation User Guide, \"CloudFormation quotas\"); split the template"));
    }
    // Sizes before trees: past a template's size only a plan or an export can be this large,
    // and both say so in their first key; anything else is refused before it is parsed.
    let given = options.input_kind;
    let large_kind = match given {
        Some(k) => matches!(k, InputKind::Terraform | InputKind::AccountExport),
        None => sources::large_input_kind(&text).is_some(),
    };
    if text.len() > MAX_TEMPLATE_BYTES && !large_kind {
        return Err(too_large(path, text.len(), MAX_TEMPLATE_BYTES, "a trust policy or a CloudFormation template", "only a Terraform plan (its first key `format_version`) or an account export (`UserDetailList`, `RoleDetailList`, ...) is read past this size; check that this is the right file"));
    }
    // An export is read without building what its reader does not use (an organization's
    // export is hundreds of megabytes): chosen with the input kind, or told by its first key.
    let export = match given {
        Some(k) => k == InputKind::AccountExport,
        None => sources::large_input_kind(&text) == Some(InputKind::AccountExport),
    };
    // A JSON export's roles are checked now and read when analysed (see `FoundRole`).
    let outlined = export && text.trim_start().starts_with('{');
    let value = if export {
        sources::read_export_outline(&text, path)
    } else {
        sources::read_value(&text, path)
    }
    .map_err(|e| input_error(path, &e))?;
    let Some(kind) = given.or_else(|| sources::detect(&value)) else {
        let what = "not a trust policy, CloudFormation template, Terraform plan or account export";
        if named {
            return Err(ScanError::NoKind {
                path: path.display().to_string(),
            });
        }
        return Ok((
            Vec::new(),
            vec![format!("{}: skipped: {what}", path.display())],
        ));
    };
    let limit = match kind {
        InputKind::Policy => Some((MAX_POLICY_FILE_BYTES, "a trust policy", "IAM takes a role trust policy of at most 8,192 characters (IAM User Guide, \"IAM and AWS STS quotas\"); check that this is the right file")),
        InputKind::CloudFormation => Some((MAX_TEMPLATE_BYTES, "a CloudFormation template", "CloudFormation itself takes templates of at most 1 MB (AWS CloudFormation User Guide, \"CloudFormation quotas\"); split the template")),
        _ => None,
    };
    if let Some((max, what, help)) = limit {
        if text.len() > max {
            return Err(too_large(path, text.len(), max, what, help));
        }
    }
    if outlined && kind == InputKind::AccountExport {
        let roles =
            ExportRoles::from_outline(value, text, path).map_err(|e| input_error(path, &e))?;
        if roles.is_empty() && named && !options.allow_empty {
            return Err(no_roles(path, kind));
        }
        let roles = Arc::new(roles);
        let found = (0..roles.len())
            .map(|i| FoundRole::Export(roles.clone(), i))
            .collect();
        return Ok((found, Vec::new()));
    }
    let found = if kind == InputKind::AccountExport {
        sources::export_roles(value, &text, path)
    } else {
        sources::roles_for(kind, &value, &text, path, &options.deployment)
    }
    .map_err(|e| input_error(path, &e))?;
    if found.is_empty() && named && !options.allow_empty {
        return Err(no_roles(path, kind));
    }
    let mut notes = Vec::new();
    let mut roles = Vec::new();
    for role in found {
        if role.document.is_null() {
            notes.push(format!("{}: {}", role.source, role.notes.join("; ")));
        } else {
            roles.push(FoundRole::Role(Box::new(role)));
        }
    }
    Ok((roles, notes))
}

/// The error for a file the user named that holds no role of its kind.
fn no_roles(path: &Path, kind: InputKind) -> ScanError {
    let why = match kind {
        InputKind::CloudFormation => {
            "a CloudFormation template with no `AWS::IAM::Role` or `AWS::Serverless::Function`"
        }
        InputKind::Terraform => "a Terraform plan with no `aws_iam_role`",
        InputKind::AccountExport => "an account export whose `RoleDetailList` is empty",
        InputKind::Policy => "a trust policy",
    };
    ScanError::NoRole {
        path: path.display().to_string(),
        why,
    }
}

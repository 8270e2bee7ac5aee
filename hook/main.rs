//! `trustsim-hook`: `trustsim analyze` on the files pre-commit passes (the staged ones), as the
//! hook of `.pre-commit-hooks.yaml` runs it.
//!
//! `trustsim-hook [OPTIONS] FILE...` is `trustsim analyze --skip-other-files --allow-empty
//! --format human [OPTIONS] FILE...` (no `--format human` when the options give a format): a staged JSON or YAML file that holds no role is passed over with a note,
//! and a commit without roles passes. A staged Terraform file stands for its module: every
//! `.tf`, `.tf.json` and `.tfvars` file of its directory is read with it, as Terraform reads a
//! module. The options are `analyze`'s (`--account`, `--trusted-account`, `--config`,
//! `--fail-on`, ...), given in the hook's `args`. The exit status is `analyze`'s: 3 when a
//! finding fails the commit, 1 on input errors (docs/ci.md).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use trustsim_evaluator::sources::terraform_config::is_terraform_file;

/// See `cli/src/main.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Terraform files of the directory `file` is in, `file` among them, in name order.
fn module_files(file: &Path) -> Vec<PathBuf> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_terraform_file(p))
                .collect()
        })
        .unwrap_or_default();
    if !found.iter().any(|p| p.file_name() == file.file_name()) {
        found.push(file.to_path_buf());
    }
    found.sort();
    found
}

/// `analyze`'s arguments for the hook's: options first as given, each staged file (a Terraform
/// file as its module's files), once each.
fn analyze_args(given: Vec<OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "trustsim".into(),
        "analyze".into(),
        "--skip-other-files".into(),
        "--allow-empty".into(),
    ];
    // pre-commit shows the hook's output to a person: readable text unless the args say.
    if !given
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--format"))
    {
        args.extend(["--format".into(), "human".into()]);
    }
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut taking_value = false;
    for a in given {
        let text = a.to_string_lossy().into_owned();
        if taking_value || text.starts_with('-') {
            // An option, or an option's value (`--account 111122223333`).
            taking_value = takes_value(&text);
            args.push(a);
            continue;
        }
        let path = PathBuf::from(&a);
        let files = if is_terraform_file(&path) {
            module_files(&path)
        } else {
            vec![path]
        };
        for f in files {
            if seen.insert(f.clone()) {
                args.push(f.into_os_string());
            }
        }
    }
    args
}

/// Is the next argument this option's value (`--account 111122223333`, `-o report.json`)?
/// Not for a flag (`--no-config`), nor for `--option=value`.
fn takes_value(option: &str) -> bool {
    if option == "-o" {
        return true;
    }
    option.starts_with("--")
        && !option.contains('=')
        && !matches!(
            option,
            "--no-config" | "--allow-empty" | "--skip-other-files" | "--help" | "--version"
        )
}

fn main() -> trustsim_cli::Exit {
    let args = analyze_args(std::env::args_os().skip(1).collect());
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    trustsim_cli::run_from(args, &mut stdout, &mut stderr, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn options_and_their_values_pass_through_and_files_follow_once() {
        let got = analyze_args(
            [
                "--account",
                "111122223333",
                "--no-config",
                "--fail-on=partial",
                "-o",
                "report.json",
                "a.json",
                "a.json",
                "t.yaml",
            ]
            .map(OsString::from)
            .to_vec(),
        );
        assert_eq!(
            strings(&got),
            [
                "trustsim",
                "analyze",
                "--skip-other-files",
                "--allow-empty",
                "--format",
                "human",
                "--account",
                "111122223333",
                "--no-config",
                "--fail-on=partial",
                "-o",
                "report.json",
                "a.json",
                "t.yaml"
            ]
        );
    }

    #[test]
    fn a_terraform_file_stands_for_its_module() {
        let dir = std::env::temp_dir().join(format!("trustsim-hook-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        for f in [
            "main.tf",
            "variables.tf",
            "prod.tfvars",
            "README.md",
            "policy.json",
        ] {
            std::fs::write(dir.join(f), "").unwrap_or_default();
        }
        let got = analyze_args(vec![dir.join("main.tf").into_os_string()]);
        let files: Vec<String> = strings(&got)
            .into_iter()
            .skip(6)
            .map(|p| p.rsplit('/').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(files, ["main.tf", "prod.tfvars", "variables.tf"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

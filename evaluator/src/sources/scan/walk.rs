//! The files `trustsim analyze` reads from its arguments: files named directly, directories
//! walked recursively, glob matches. Each real directory and each real file is read once,
//! however many links lead to it (a link cycle `s -> .` ends there); only regular files are
//! read from a walk, so a FIFO or a device never blocks the scan; what a walk skips is said in a
//! note, and a special file named directly is an error. Extensions compare without case
//! (`ROLE.JSON`, `t.Yaml`); Terraform's `.tf`, `.tf.json` and `.tfvars` are as Terraform names
//! them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ScanError;
use crate::sources::terraform_config;

/// One file to read.
#[derive(Debug)]
pub(super) struct Input {
    pub(super) path: PathBuf,
    /// Named on the command line (not found by a walk or a glob): a file that holds no role is
    /// then an error, not a note.
    pub(super) named: bool,
}

/// What the arguments lead to.
#[derive(Debug, Default)]
pub(super) struct Inputs {
    pub(super) files: Vec<Input>,
    pub(super) notes: Vec<String>,
    pub(super) errors: Vec<ScanError>,
    /// Files a walk passed over because of their names (`README.md`, `main.py`).
    pub(super) other_files: usize,
    /// The real paths already taken, of directories and files.
    seen: HashSet<PathBuf>,
}

/// Is this the name of a file `analyze` reads: `.json`, `.yaml`, `.yml`, `.template` in any
/// case, or a Terraform file?
pub(super) fn is_input_name(path: &Path) -> bool {
    terraform_config::is_terraform_file(path)
        || path.extension().is_some_and(|x| {
            let x = x.to_string_lossy().to_ascii_lowercase();
            matches!(x.as_str(), "json" | "yaml" | "yml" | "template")
        })
}

/// The kind of a special file, in words.
fn special(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a regular file"
}

impl Inputs {
    /// Adds a path: a file named on the command line (`named`) or met in a walk.
    pub(super) fn add(&mut self, path: &Path, named: bool) {
        if path == Path::new("-") && named {
            self.files.push(Input {
                path: path.to_path_buf(),
                named,
            });
            return;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let linked = std::fs::symlink_metadata(path).is_ok();
                let (path, reason) = (path.display().to_string(), e.to_string());
                let what = if linked {
                    ScanError::DanglingLink { path, reason }
                } else {
                    ScanError::Unreadable { path, reason }
                };
                if named {
                    self.errors.push(what);
                } else {
                    self.notes.push(format!("skipped {what}"));
                }
                return;
            }
        };
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !meta.is_dir() && !meta.is_file() {
            let kind = special(&meta);
            if named {
                self.errors.push(ScanError::NotRegular {
                    path: path.display().to_string(),
                    kind,
                });
            } else {
                self.notes.push(format!(
                    "{}: skipped: {kind}, not a regular file",
                    path.display()
                ));
            }
            return;
        }
        if !self.seen.insert(real.clone()) {
            let what = if meta.is_dir() { "directory" } else { "file" };
            self.notes.push(format!(
                "{}: skipped: the {what} {} is already read",
                path.display(),
                real.display()
            ));
            return;
        }
        if meta.is_file() {
            self.files.push(Input {
                path: path.to_path_buf(),
                named,
            });
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(d) => d.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) => {
                self.errors.push(ScanError::UnreadableDirectory {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
                return;
            }
        };
        entries.sort();
        for e in entries {
            if e.is_dir() || is_input_name(&e) {
                self.add(&e, false);
            } else {
                self.other_files += 1;
            }
        }
    }
}

//! The inputs folder lister shared by the two replay tests (`evaluator/tests/fuzz_replay.rs` and
//! `cli/tests/fuzz_replay.rs`), which include this file by path.

use std::path::{Path, PathBuf};

/// The files of a folder, sorted (none when it does not exist).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

//! The inputs folder lister and the panic reader shared by the two replay tests (`evaluator/tests/it/fuzz_replay.rs` and
//! `cli/tests/it/fuzz_replay.rs`), which include this file by path.

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

/// The message of a property's panic, as the fuzzer would show it.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

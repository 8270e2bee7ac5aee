//! The fuzz target `render`'s property (`fuzz/props_cli/render.rs`), replayed without a fuzzer
//! over its starting inputs (the seeds of the `sources` and `terraform` targets, which cover every
//! input kind, and the bundled examples) and `fuzz/regressions/render/*`. The other targets are replayed by `evaluator/tests/it/fuzz_replay.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the property fails loudly, as the fuzzer needs; JSON indexing gives Null, never panics"
)]

#[path = "../../../fuzz/props_cli/render.rs"]
mod render;

use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

#[path = "../../../fuzz/replay_files.rs"]
mod replay_files;
use replay_files::{files, panic_message};

#[test]
fn render() {
    let fuzz = Path::new(ROOT).join("fuzz");
    let mut inputs = files(&fuzz.join("seeds/sources"));
    inputs.extend(files(&fuzz.join("seeds/terraform")));
    assert!(!inputs.is_empty(), "no seeds for target `render`");
    inputs.extend(files(&fuzz.join("regressions/render")));
    inputs.extend(files(&Path::new(ROOT).join("examples")));
    let mut failures = Vec::new();
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        if let Err(payload) = std::panic::catch_unwind(|| render::check(&data)) {
            failures.push(format!("{}: {}", path.display(), panic_message(&*payload)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

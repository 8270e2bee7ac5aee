//! The properties that trustsim's fuzz targets check, one module per target. Each `check`
//! function panics (through `assert!`) when its property fails and returns quietly otherwise.
//!
//! They are compiled twice: as the library of the cargo-fuzz crate (`fuzz/`), whose targets in
//! `fuzz_targets/` call them on the fuzzer's inputs, and as a module of the evaluator's test
//! `evaluator/tests/it/fuzz_replay.rs`, which runs them over `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` on every `cargo test`. The modules therefore name each other
//! through `super::` only.

pub mod analysis;
pub mod common;
pub mod condition;
pub mod policy;
pub mod sources;
pub mod terraform;
pub mod wildcard;

/// The targets, by name (the folder names under `fuzz/seeds/` and `fuzz/regressions/`).
/// `render` has its property in `props_cli/render.rs` (it needs the command line's library) and
/// is replayed by `cli/tests/it/fuzz_replay.rs`, not by [`run`].
pub const TARGETS: [&str; 8] = [
    "policy",
    "condition",
    "wildcard",
    "sources",
    "terraform",
    "analysis",
    "analysis_built",
    "render",
];

/// Runs the property of target `name` on one input, as the fuzz target would. Structured
/// targets read their input from the bytes with `arbitrary`, as libfuzzer-sys does
/// (`arbitrary_take_rest`); bytes that make no input are skipped, as the fuzzer skips them.
/// Returns false for an unknown target.
pub fn run(name: &str, data: &[u8]) -> bool {
    use arbitrary::{Arbitrary, Unstructured};
    match name {
        "policy" => policy::check(data),
        "sources" => sources::check(data),
        "terraform" => terraform::check(data),
        "analysis" => analysis::check(data),
        "condition" => {
            if let Ok(input) = condition::Input::arbitrary_take_rest(Unstructured::new(data)) {
                condition::check(&input);
            }
        }
        "analysis_built" => {
            if let Ok(input) = analysis::Built::arbitrary_take_rest(Unstructured::new(data)) {
                analysis::check_built(&input);
            }
        }
        "wildcard" => {
            if let Ok(input) = wildcard::Input::arbitrary_take_rest(Unstructured::new(data)) {
                wildcard::check(&input);
            }
        }
        _ => return false,
    }
    true
}

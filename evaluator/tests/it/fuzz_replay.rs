//! The fuzz targets' properties (`fuzz/props/`), replayed without a fuzzer over the committed
//! inputs: `fuzz/seeds/<target>/*` (the starting corpus) and `fuzz/regressions/<target>/*`
//! (every input a fuzzer found failing, kept after its fix), plus the collected real-world
//! policies of `corpus/policies/`. `fuzz/README.md` says how to run the fuzzers themselves.

#[path = "../../../fuzz/props/mod.rs"]
mod props;

use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

#[path = "../../../fuzz/replay_files.rs"]
mod replay_files;
use replay_files::{files, panic_message};

/// Runs `target`'s property on each file; returns the files it failed on, with the message.
fn replay(target: &str, inputs: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in inputs {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let result = std::panic::catch_unwind(|| props::run(target, &data));
        match result {
            Ok(true) => {}
            Ok(false) => failures.push(format!("unknown target `{target}`")),
            Err(payload) => {
                failures.push(format!("{}: {}", path.display(), panic_message(&*payload)));
            }
        }
    }
    failures
}

fn replay_target(target: &str) {
    let fuzz = Path::new(ROOT).join("fuzz");
    let seeds = files(&fuzz.join("seeds").join(target));
    assert!(!seeds.is_empty(), "no seeds for target `{target}`");
    let mut inputs = seeds;
    inputs.extend(files(&fuzz.join("regressions").join(target)));
    let failures = replay(target, &inputs);
    assert!(
        failures.is_empty(),
        "target `{target}` fails on {} input(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn policy() {
    replay_target("policy");
}

#[test]
fn condition() {
    replay_target("condition");
}

#[test]
fn wildcard() {
    replay_target("wildcard");
}

#[test]
fn sources() {
    replay_target("sources");
}

#[test]
fn terraform() {
    replay_target("terraform");
}

#[test]
fn analysis() {
    replay_target("analysis");
}

#[test]
fn analysis_built() {
    replay_target("analysis_built");
}

/// Every folder under `fuzz/seeds/` and `fuzz/regressions/` belongs to a target.
#[test]
fn folders_name_targets() {
    for kind in ["seeds", "regressions"] {
        let dir = Path::new(ROOT).join("fuzz").join(kind);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                props::TARGETS.contains(&name.as_str()),
                "fuzz/{kind}/{name} is not a target"
            );
        }
    }
}

/// The real-world policies and templates of `corpus/policies/` pass the properties that read
/// whole documents.
#[test]
fn corpus_policies() {
    let inputs = files(&Path::new(ROOT).join("corpus").join("policies"));
    let json: Vec<PathBuf> = inputs
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .cloned()
        .collect();
    let mut failures = replay("sources", &inputs);
    failures.extend(replay("policy", &json));
    failures.extend(replay("analysis", &json));
    assert!(
        failures.is_empty(),
        "corpus/policies fails on {} input(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

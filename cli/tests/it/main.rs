//! The integration tests of `trustsim-cli`, gathered into one test binary (one link,
//! one process start) with a module per subject; `support` holds what they share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on the inputs they build"
)]

mod analyze;
mod conventions;
mod diff_cmd;
mod docs_examples;
mod errors;
mod eval;
mod fuzz_replay;
mod golden;
mod hostile_inputs;
mod sarif;
mod sources;
mod support;
mod templates;
mod terraform;
mod triage;

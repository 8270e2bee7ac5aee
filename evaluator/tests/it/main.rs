//! The integration tests of `trustsim-evaluator`, gathered into one test binary (one link,
//! one process start) with a module per subject; `support` holds what they share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on the inputs they build"
)]

mod analysis;
mod analysis_properties;
mod diff;
mod fuzz_replay;
mod kit;
mod knowledge;
mod limits;
mod policy_folder;
mod provenance_rows;
mod rules;
mod scan;
mod soundness_regressions;
mod soundness_search;
mod support;
mod template_branches;
mod template_fix;
mod terraform_fix;

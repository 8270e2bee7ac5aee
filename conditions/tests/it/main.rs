//! The integration tests of `trustsim-conditions`, gathered into one test binary (one link,
//! one process start) with a module per subject; `support` holds what they share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on the inputs they build"
)]

mod cases;
mod properties;
mod symbolic;

/// Proptest settings for a property: `cases` cases, chosen so that the default run stays short,
/// or `PROPTEST_CASES` when it is set, for deep runs (`PROPTEST_CASES=100000 cargo test
/// --release -p trustsim-conditions`). Failures persist next to the test file as usual.
fn config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config::with_cases(
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
    )
}

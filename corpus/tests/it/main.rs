//! The integration tests of `trustsim-corpus`, gathered into one test binary (one link,
//! one process start) with a module per subject; `support` holds what they share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on the inputs they build"
)]

mod corpus;
mod differential;

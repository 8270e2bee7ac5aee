//! Shared fixtures for trustsim criterion benches.

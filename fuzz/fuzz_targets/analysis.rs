//! Fuzz target `analysis`: see `props/analysis.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustsim_fuzz::analysis::check(data));

//! Fuzz target `policy`: see `props/policy.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustsim_fuzz::policy::check(data));

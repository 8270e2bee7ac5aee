//! Fuzz target `sources`: see `props/sources.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustsim_fuzz::sources::check(data));

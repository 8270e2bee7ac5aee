//! Fuzz target `wildcard` (structured input): see `props/wildcard.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(
    |input: trustsim_fuzz::wildcard::Input| trustsim_fuzz::wildcard::check(&input)
);

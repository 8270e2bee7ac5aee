//! Fuzz target `condition` (structured input): see `props/condition.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: trustsim_fuzz::condition::Input| {
    trustsim_fuzz::condition::check(&input)
});

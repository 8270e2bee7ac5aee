//! Fuzz target `analysis_built` (structured input): see `props/analysis.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: trustsim_fuzz::analysis::Built| {
    trustsim_fuzz::analysis::check_built(&input)
});

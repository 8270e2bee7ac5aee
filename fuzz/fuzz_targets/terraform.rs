//! Fuzz target `terraform`: see `props/terraform.rs` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustsim_fuzz::terraform::check(data));

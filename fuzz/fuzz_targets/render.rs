//! Fuzz target `render`: see `props_cli/render.rs` for the property.
#![no_main]

#[path = "../props_cli/render.rs"]
mod render;

libfuzzer_sys::fuzz_target!(|data: &[u8]| render::check(data));

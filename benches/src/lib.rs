//! Shared inputs for trustsim's criterion benches (the benches live in `benches/`).

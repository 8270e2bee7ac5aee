//! `trustsim`: who can assume this AWS IAM role? The command line lives in the library
//! (`src/lib.rs`), so that the fuzz target and tests can reach its renderers.

/// mimalloc: the analysis and the readers allocate many small values from several threads;
/// glibc's allocator spent a third of a scan's time in malloc and free and held freed memory in
/// per-thread arenas (benches/README.md, "Profile").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> trustsim_cli::Exit {
    trustsim_cli::main()
}

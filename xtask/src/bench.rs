//! `cargo xtask bench-build`: placeholder replaced below.
use std::path::Path;
/// Runs the build benchmark.
pub fn run(_root: &Path, _args: &[&str]) -> Result<(), String> { Err("not yet".into()) }

//! `cargo xtask test`: every test, including the Prism conformance suite.
//!
//! Installs Prism from the npm registry into `tools/prism/` when it is missing
//! (`npm ci`, pinned by `tools/prism/package-lock.json`), then runs
//! `cargo test --workspace` and the Prism suite (`tests/prism.rs`, ignored by
//! plain `cargo test` because it needs Node).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn run(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    println!("xtask test: `{program} {}` took {:.0} s", args.join(" "), started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Runs the whole test suite.
pub fn run_all(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if !root.join("tools/prism/node_modules/.bin/prism").exists() {
        run(root, "npm", &["ci", "--prefix", "tools/prism", "--no-audit", "--no-fund", "--ignore-scripts"])
            .map_err(|e| format!("{e}; Prism needs Node.js and npm (apt-get install nodejs npm)"))?;
    }
    run(root, &cargo, &["test", "--workspace"])?;
    run(root, &cargo, &["test", "--test", "prism", "--", "--ignored", "--nocapture"])
}

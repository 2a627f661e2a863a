//! `cargo xtask bench-build [--runs N] [--interface builder|positional|both] [--features LIST]`.
//!
//! Measures, for each progenitor interface style, the lines progenitor generates
//! and the seconds a clean build of the `spotnana` crate takes with its
//! dependencies already built (`cargo clean -p spotnana`, incremental compilation
//! off). With `--features`, the Builder interface is measured once more with
//! those features on (`--features schemars`). Prints the median of the runs and
//! the ratio against the Positional baseline measured in the same run.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const INTERFACES: [&str; 2] = ["positional", "builder"];

/// Runs the benchmark; `args` are the flags after `bench-build`.
pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut runs = 3usize;
    let mut interfaces: Vec<&str> = INTERFACES.to_vec();
    let mut features: Option<&str> = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match (*flag, it.next()) {
            ("--runs", Some(n)) => {
                runs = n.parse().map_err(|_| format!("--runs takes a number, not {n:?}"))?;
            }
            ("--interface", Some(&"both")) => interfaces = INTERFACES.to_vec(),
            ("--interface", Some(i)) if INTERFACES.contains(i) => interfaces = vec![*i],
            ("--features", Some(f)) => features = Some(f),
            _ => return Err(format!("usage: cargo xtask bench-build [--runs N] [--interface builder|positional|both] [--features LIST]; got {args:?}")),
        }
    }
    let runs = runs.max(1);
    // (label, interface, features)
    let mut variants: Vec<(String, &str, Option<&str>)> = interfaces.iter().map(|i| (i.to_string(), *i, None)).collect();
    if let Some(f) = features {
        variants.push((format!("builder + {f}"), "builder", Some(f)));
    }
    println!("warming dependencies (not timed)...");
    for (_, interface, features) in &variants {
        cargo(root, &build_args(*features), interface)?;
    }

    let mut rows = Vec::new();
    for (label, interface, features) in &variants {
        let mut secs = Vec::new();
        let mut lines = 0;
        for run in 1..=runs {
            cargo(root, &["clean", "-p", "spotnana"], interface)?;
            let start = Instant::now();
            cargo(root, &build_args(*features), interface)?;
            let s = start.elapsed().as_secs_f64();
            lines = generated_lines(root)?;
            println!("{label:>20} run {run}/{runs}: {s:6.1} s, {lines} generated lines");
            secs.push(s);
        }
        secs.sort_by(f64::total_cmp);
        rows.push((label.as_str(), lines, secs[secs.len() / 2]));
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("\nclean build of the spotnana crate, dependencies built, debug, {cores} cores, median of {runs}:");
    println!("| interface | generated lines | build s (median) | vs positional |");
    println!("|---|---:|---:|---:|");
    let base = rows.iter().find(|r| r.0 == "positional").map(|r| r.2);
    for (interface, lines, median) in &rows {
        let ratio = base.map_or("n/a".to_string(), |b| format!("{:.2}x", median / b));
        println!("| {interface} | {lines} | {median:.1} | {ratio} |");
    }
    Ok(())
}

fn build_args(features: Option<&str>) -> Vec<&str> {
    let mut args = vec!["build", "-p", "spotnana"];
    if let Some(f) = features {
        args.extend(["--features", f]);
    }
    args
}

fn cargo(root: &Path, args: &[&str], interface: &str) -> Result<(), String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .arg("--quiet")
        .current_dir(root)
        .env("SPOTNANA_CODEGEN_INTERFACE", interface)
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Lines in the newest generated `codegen.rs` under `target/debug/build`.
fn generated_lines(root: &Path) -> Result<usize, String> {
    let build = root.join("target/debug/build");
    let newest = std::fs::read_dir(&build)
        .map_err(|e| format!("{}: {e}", build.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path().join("out/codegen.rs"))
        .filter_map(|p| p.metadata().and_then(|m| m.modified()).ok().map(|t| (t, p)))
        .max();
    let (_, path) = newest.ok_or("no generated codegen.rs found under target/debug/build")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text.lines().count())
}

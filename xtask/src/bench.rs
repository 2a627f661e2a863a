//! `cargo xtask bench-build`: what a user pays to build this crate.
//!
//! Each variant is a throwaway binary crate under `target/bench-build/` that
//! depends on this crate by path, with the variant's features, plus tokio and
//! anyhow as a typical user's binary has them, and default profiles (unless the
//! variant sets a build-override opt-level). Each run builds it from nothing
//! (its own empty target directory, crates already downloaded) with
//! `cargo build --timings`, and reports:
//! - the `spotnana` crate's own compile (its lib unit in cargo's timings);
//! - the run of its build script (progenitor generating the client);
//! - the whole first `cargo build`, wall clock;
//! - the peak resident set of any one compiler process (getrusage of the
//!   waited-for children, measured in a fresh `xtask` child per build);
//! - the lines of generated code.
//!
//! Variants are given as `label=features[;opt=N][;root=PATH]`, `features`
//! being this crate's features joined by `+` (`company+rustls`, or `default`),
//! `opt` a build-override opt-level for the user crate, and `root` another
//! checkout of this crate (a worktree of an older commit). Ratios are against
//! the first variant of the same run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

/// The variants measured when none are given: every API, `company` alone,
/// and `air` alone.
const DEFAULT_VARIANTS: [&str; 3] = ["all=default", "company=company+rustls", "air=air+rustls"];

/// One variant: a label, this crate's features, and an optional build-override opt-level.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Name in the table.
    pub label: String,
    /// `default` for the default features, else the features to enable with
    /// `default-features = false`.
    pub features: Vec<String>,
    /// `[profile.dev.build-override] opt-level` for the user crate, when set.
    pub build_override: Option<u8>,
    /// Another checkout of this crate to build instead (a `git worktree` of an
    /// older commit, for a before/after in one run).
    pub root: Option<PathBuf>,
}

/// Parses `label=features[;opt=N][;root=PATH]`.
pub fn parse_variant(spec: &str) -> Result<Variant, String> {
    let usage =
        || format!("variant {spec:?}: expected label=feature+feature[;opt=N][;root=PATH], e.g. company=company+rustls");
    let (label, rest) = spec.split_once('=').ok_or_else(usage)?;
    let mut parts = rest.split(';');
    let features = parts.next().unwrap_or_default();
    if label.is_empty() || features.is_empty() {
        return Err(usage());
    }
    let mut variant = Variant {
        label: label.to_string(),
        features: features.split('+').map(str::to_string).collect(),
        build_override: None,
        root: None,
    };
    for part in parts {
        match part.split_once('=') {
            Some(("opt", n)) => variant.build_override = Some(n.parse::<u8>().map_err(|_| usage())?),
            Some(("root", path)) if !path.is_empty() => variant.root = Some(PathBuf::from(path)),
            _ => return Err(usage()),
        }
    }
    Ok(variant)
}

/// One measured build.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    crate_s: f64,
    build_script_s: f64,
    whole_s: f64,
    peak_rss_mib: f64,
    lines: usize,
}

/// Runs the benchmark; `args` are the flags after `bench-build`.
pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut runs = 1usize;
    let mut variants = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match (*flag, it.next()) {
            ("--runs", Some(n)) => runs = n.parse().map_err(|_| format!("--runs takes a number, not {n:?}"))?,
            ("--variant", Some(v)) => variants.push(parse_variant(v)?),
            _ => {
                return Err(format!(
                    "usage: cargo xtask bench-build [--runs N] [--variant label=features[;opt=N][;root=PATH]]...; got {args:?}"
                ))
            }
        }
    }
    if variants.is_empty() {
        variants = DEFAULT_VARIANTS.iter().map(|v| parse_variant(v)).collect::<Result<_, _>>()?;
    }
    let bench = root.join("target/bench-build");
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for variant in &variants {
        let dir = bench.join(&variant.label);
        write_user_crate(variant.root.as_deref().unwrap_or(root), &dir, variant)?;
        let mut samples = Vec::new();
        for run in 1..=runs.max(1) {
            let sample = match measure(&dir) {
                Ok(sample) => sample,
                // One variant that does not build (an old checkout, a broken
                // feature set) does not cost the others their figures.
                Err(e) => {
                    println!("{:>10} run {run}: FAILED: {e}", variant.label);
                    failed.push(variant.label.clone());
                    break;
                }
            };
            println!(
                "{:>10} run {run}: crate {:.1} s, build script {:.1} s, whole {:.1} s, peak RSS {:.0} MiB, {} lines",
                variant.label, sample.crate_s, sample.build_script_s, sample.whole_s, sample.peak_rss_mib, sample.lines
            );
            samples.push(sample);
        }
        if !samples.is_empty() {
            rows.push((variant, median(&samples)));
        }
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\nfirst build of a user's binary crate (spotnana by path, tokio, anyhow), debug, {cores} cores, median of {} run(s):",
        runs.max(1)
    );
    println!("| variant | features | spotnana crate s | build script s | whole build s | peak RSS MiB | generated lines | crate vs first | whole vs first |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let first = rows.first().map(|(_, s)| *s).unwrap_or_default();
    for (variant, s) in &rows {
        let features = variant.features.join("+")
            + &variant.build_override.map_or(String::new(), |o| format!(", build-override opt-level {o}"));
        println!(
            "| {} | {features} | {:.1} | {:.1} | {:.1} | {:.0} | {} | {:.2}x | {:.2}x |",
            variant.label,
            s.crate_s,
            s.build_script_s,
            s.whole_s,
            s.peak_rss_mib,
            s.lines,
            s.crate_s / first.crate_s,
            s.whole_s / first.whole_s
        );
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("these variants did not build: {}", failed.join(", ")))
    }
}

fn median(samples: &[Sample]) -> Sample {
    let pick = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Sample {
        crate_s: pick(|s| s.crate_s),
        build_script_s: pick(|s| s.build_script_s),
        whole_s: pick(|s| s.whole_s),
        peak_rss_mib: pick(|s| s.peak_rss_mib),
        lines: samples.last().map_or(0, |s| s.lines),
    }
}

/// The user crate's manifest for `variant`, depending on the crate at `root`.
pub fn manifest(root: &Path, variant: &Variant) -> String {
    let dependency = if variant.features == ["default"] {
        format!("spotnana = {{ path = {:?} }}", root.display().to_string())
    } else {
        let features: Vec<String> = variant.features.iter().map(|f| format!("{f:?}")).collect();
        format!(
            "spotnana = {{ path = {:?}, default-features = false, features = [{}] }}",
            root.display().to_string(),
            features.join(", ")
        )
    };
    let profile =
        variant.build_override.map_or(String::new(), |o| format!("\n[profile.dev.build-override]\nopt-level = {o}\n"));
    format!(
        "# Written by `cargo xtask bench-build`: a user's binary crate.\n\
         [package]\nname = \"bench-user\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{dependency}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\nanyhow = \"1\"\n\n\
         # Its own workspace, not part of this repository's.\n[workspace]\n{profile}"
    )
}

const MAIN: &str = "\
// Written by `cargo xtask bench-build`: what a user's first program does.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = spotnana::Client::from_env()?;
    println!(\"{client:?}\");
    Ok(())
}
";

fn write_user_crate(root: &Path, dir: &Path, variant: &Variant) -> Result<(), String> {
    let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
    std::fs::create_dir_all(dir.join("src")).map_err(|e| io(dir, e))?;
    std::fs::write(dir.join("Cargo.toml"), manifest(root, variant)).map_err(|e| io(dir, e))?;
    std::fs::write(dir.join("src/main.rs"), MAIN).map_err(|e| io(dir, e))?;
    // The repository's lock file, so the user crate builds the same versions.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| io(dir, e))?;
    Ok(())
}

/// Builds the user crate in `dir` from an empty target directory.
fn measure(dir: &Path) -> Result<Sample, String> {
    let target = dir.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Crates are downloaded before the clock starts.
    run_quiet(Command::new(&cargo).args(["fetch", "--quiet"]).current_dir(dir))?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let started = Instant::now();
    let output = Command::new(exe)
        .args(["peak-rss", &cargo, "build", "--quiet", "--timings"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run the build: {e}"))?;
    let whole_s = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "the user crate in {} did not build ({}):\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let peak_kib: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kib "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("peak-rss printed no figure: {stdout}"))?;
    let html = std::fs::read_to_string(target.join("cargo-timings/cargo-timing.html"))
        .map_err(|e| format!("cargo wrote no timings: {e}"))?;
    let units = unit_data(&html)?;
    let unit = |mode: &str, target: &str| {
        units
            .iter()
            .filter(|u| u["name"] == "spotnana" && u["mode"] == mode && u["target"] == target)
            .filter_map(|u| u["duration"].as_f64())
            .sum::<f64>()
    };
    Ok(Sample {
        crate_s: unit("todo", ""),
        build_script_s: unit("run-custom-build", " build-script (run)"),
        whole_s,
        peak_rss_mib: peak_kib / 1024.0,
        lines: generated_lines(&target)?,
    })
}

fn run_quiet(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    status.success().then_some(()).ok_or_else(|| format!("{cmd:?} failed ({status})"))
}

/// The `UNIT_DATA` array cargo embeds in its timings page.
pub fn unit_data(html: &str) -> Result<Vec<Value>, String> {
    const START: &str = "const UNIT_DATA = ";
    let at = html.find(START).ok_or("the timings page has no UNIT_DATA")? + START.len();
    let rest = &html[at..];
    let end = rest.find("];").ok_or("UNIT_DATA is not terminated")? + 1;
    serde_json::from_str(&rest[..end]).map_err(|e| format!("UNIT_DATA is not JSON: {e}"))
}

/// Lines in the generated `codegen.rs` under `target/debug/build`.
fn generated_lines(target: &Path) -> Result<usize, String> {
    let build = target.join("debug/build");
    let path: PathBuf = std::fs::read_dir(&build)
        .map_err(|e| format!("{}: {e}", build.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path().join("out/codegen.rs"))
        .find(|p| p.exists())
        .ok_or("no generated codegen.rs found")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text.lines().count())
}

/// `xtask peak-rss PROGRAM ARGS...`: runs the program, waits, and prints the
/// largest resident set any of its descendants reached (`peak-rss-kib N`).
pub fn peak_rss(args: &[&str]) -> Result<(), String> {
    let (program, rest) = args.split_first().ok_or("peak-rss needs a program to run")?;
    let status = Command::new(program).args(rest).status().map_err(|e| format!("cannot run {program}: {e}"))?;
    // SAFETY: `getrusage` only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    println!("peak-rss-kib {}", usage.ru_maxrss);
    status.success().then_some(()).ok_or_else(|| format!("{program} failed ({status})"))
}

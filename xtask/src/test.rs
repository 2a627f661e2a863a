//! `cargo xtask test`: every test, including the Prism conformance suite, and
//! `cargo xtask prism`: the Prism suite alone, with seeds of your choosing.
//!
//! Installs Prism from the npm registry into `tools/prism/` when it is missing
//! (`npm ci`, pinned by `tools/prism/package-lock.json`), then runs
//! `cargo test`, `cargo test -p xtask` and the Prism suite (`tests/every_operation/prism.rs`, ignored by
//! plain `cargo test` because it needs Node).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn run(root: &Path, program: &str, args: &[&str], env: &[(&str, String)]) -> Result<(), String> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    println!("xtask: `{program} {}` took {:.0} s", args.join(" "), started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Runs an example that `cargo test` built.
fn run_example(root: &Path, name: &str, env: &[(&str, String)]) -> Result<(), String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let binary = target.join("debug/examples").join(name);
    let program = binary.to_str().ok_or_else(|| format!("{} is not UTF-8", binary.display()))?;
    run(root, program, &[], env)
}

/// Whether a cargo subcommand (`clippy`, `fmt`) is installed.
fn has(subcommand: &str) -> bool {
    Command::new(cargo()).args([subcommand, "--version"]).output().is_ok_and(|o| o.status.success())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn install_prism(root: &Path) -> Result<(), String> {
    if root.join("tools/prism/node_modules/.bin/prism").exists() {
        return Ok(());
    }
    run(root, "npm", &["ci", "--prefix", "tools/prism", "--no-audit", "--no-fund", "--ignore-scripts"], &[])
        .map_err(|e| format!("{e}; Prism needs Node.js and npm (apt-get install nodejs npm)"))
}

/// Installs the official MCP TypeScript SDK into `tools/mcp-client/` when it
/// is missing (`npm ci`, pinned by its `package-lock.json`): the independent
/// client `tests/mcp.rs` drives `spotnana mcp` with.
fn install_mcp_client(root: &Path) -> Result<(), String> {
    if root.join("tools/mcp-client/node_modules/@modelcontextprotocol/sdk").exists() {
        return Ok(());
    }
    run(root, "npm", &["ci", "--prefix", "tools/mcp-client", "--no-audit", "--no-fund", "--ignore-scripts"], &[])
        .map_err(|e| format!("{e}; the MCP client needs Node.js and npm (apt-get install nodejs npm)"))
}

/// `cargo test`'s features in `run_all`: the defaults and `cli`, so that
/// one build of the crate serves every test, the command line's and the
/// MCP server's among them.
const FEATURES: [&str; 2] = ["--features", "cli"];

const PRISM_SUITE: [&str; 8] =
    ["test", FEATURES[0], FEATURES[1], "--test", "every_operation", "--", "--ignored", "--nocapture"];

/// Runs the whole test suite: every test with the default features and
/// `cli` (the tools, the command line, the MCP server under the official
/// MCP client among them), the pagination, HR feed, webhook and tools
/// examples, the sandbox tests with `company` alone and with no API, and
/// the library's unit tests (built with no API, so without the generated
/// client). The Prism suite runs right after `cargo test`, on its build.
pub fn run_all(root: &Path) -> Result<(), String> {
    gates(root)?;
    install_prism(root)?;
    install_mcp_client(root)?;
    // `--timings` keeps cargo's per-crate build report (target/cargo-timings/).
    // The crate and xtask are tested one at a time: together, cargo would
    // unify their dependencies' features, and every later step (which names
    // the crate alone) would build it again.
    run(root, &cargo(), &["test", "--timings", FEATURES[0], FEATURES[1]], &[])?;
    // Prism next, on the build `cargo test` just made (the same features, so
    // nothing is compiled again).
    run(root, &cargo(), &PRISM_SUITE, &[])?;
    run(root, &cargo(), &["test", "-p", "xtask"], &[])?;
    // `cargo test` has built the examples: they are run as built, without
    // another cargo invocation.
    run_example(root, "pagination", &[])?;
    run_example(root, "hr_feed", &[])?;
    run_example(root, "webhooks", &[("SPOTNANA_WEBHOOK_SECRET", String::new())])?;
    reduced_feature_tests(root)?;
    // The features of the last reduced run, so that its dependencies are reused.
    run(root, &cargo(), &["test", "--lib", "--no-default-features", "--features", "rustls,sandbox"], &[])?;
    run_example(root, "tools", &[])
}

/// The gates every change passes first: the tree is formatted as
/// `rustfmt.toml` says, clippy finds nothing and rustdoc warns of nothing,
/// warnings denied. Clippy runs
/// on the library with no API and with `company` (the hand-written code and
/// one API's generated code, which `src/generated.rs` exempts), and on xtask,
/// whose tests compile the build passes.
pub fn gates(root: &Path) -> Result<(), String> {
    for component in ["fmt", "clippy"] {
        if !has(component) {
            return Err(format!("`cargo {component}` is not installed: rustup component add rustfmt clippy"));
        }
    }
    run(root, &cargo(), &["fmt", "--all", "--check"], &[])?;
    // The second set holds `cli`, so the binary is linted too.
    for features in ["rustls", "rustls,sandbox,webhooks,company,cli"] {
        let args = [
            "clippy",
            "-p",
            "spotnana",
            "--lib",
            "--bins",
            "--no-default-features",
            "--features",
            features,
            "--",
            "-D",
            "warnings",
        ];
        run(root, &cargo(), &args, &[])?;
    }
    run(root, &cargo(), &["clippy", "-p", "xtask", "--all-targets", "--", "-D", "warnings"], &[])?;
    // The docs' links and the crate's front page (the README), warnings denied.
    let docs = [
        "doc",
        "--no-deps",
        "-p",
        "spotnana",
        "--no-default-features",
        "--features",
        "rustls,sandbox,webhooks,company",
    ];
    run(root, &cargo(), &docs, &[("RUSTDOCFLAGS", "-D warnings".to_string())])
}

/// `cargo xtask prism [--seeds LIST] [--ops LIST]`: the Prism suite alone.
///
/// `--seeds` takes `none` (static mode only), a comma-separated list, or a
/// range `A-B` (when neither it nor `SPOTNANA_PRISM_SEEDS` is given, seeds 1
/// and 2: one more than `cargo xtask test` runs); `--ops` takes operation ids, comma-separated.
pub fn run_prism(root: &Path, args: &[&str]) -> Result<(), String> {
    let seeds = std::env::var("SPOTNANA_PRISM_SEEDS").unwrap_or_else(|_| "1,2".to_string());
    let mut env = vec![("SPOTNANA_PRISM_SEEDS", seeds)];
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(format!("{flag} needs a value"))?;
        match *flag {
            "--seeds" => env[0].1 = seed_list(value)?,
            "--ops" => env.push(("SPOTNANA_PRISM_OPS", value.to_string())),
            _ => return Err(format!("unknown flag {flag}: expected --seeds or --ops")),
        }
    }
    install_prism(root)?;
    run(root, &cargo(), &PRISM_SUITE, &env)
}

/// `none`, `1,5,9` or `1-20` as the suite's comma-separated list.
pub fn seed_list(value: &str) -> Result<String, String> {
    if value == "none" {
        return Ok(value.into());
    }
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| format!("{s:?} is not a seed (a whole number)"));
    if let Some((from, to)) = value.split_once('-') {
        let (from, to) = (number(from)?, number(to)?);
        if from > to {
            return Err(format!("seed range {value} is empty"));
        }
        return Ok((from..=to).map(|s| s.to_string()).collect::<Vec<_>>().join(","));
    }
    value
        .split(',')
        .map(number)
        .collect::<Result<Vec<_>, _>>()
        .map(|s| s.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
}

/// The API features, read from the `x-spotnana-apis` tags of the normalised spec.
fn api_features(root: &Path) -> Result<Vec<String>, String> {
    let path = root.join("openapi/spotnana.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut apis = std::collections::BTreeSet::new();
    for key in ["paths", crate::normalize::HANDWRITTEN] {
        for item in doc[key].as_object().into_iter().flat_map(|p| p.values()) {
            for op in item.as_object().into_iter().flat_map(|i| i.values()) {
                let tags = op[crate::normalize::features::APIS].as_array().into_iter().flatten();
                apis.extend(tags.filter_map(|t| t.as_str().map(String::from)));
            }
        }
    }
    Ok(apis.into_iter().collect())
}

/// The every-operation binary (the recording server, the sandbox and the
/// mutating proxy) with `company` alone and with no API: a feature gate
/// that breaks fails here.
fn reduced_feature_tests(root: &Path) -> Result<(), String> {
    for features in ["rustls,sandbox,company", "rustls,sandbox"] {
        let args = ["test", "--no-default-features", "--features", features, "--test", "every_operation"];
        run(root, &cargo(), &args, &[])?;
    }
    Ok(())
}

/// `cargo xtask features`: the library checks with each API feature alone and
/// with none, then the reduced-feature tests.
pub fn features(root: &Path) -> Result<(), String> {
    let apis = api_features(root)?;
    if apis.is_empty() {
        return Err("openapi/spotnana.json tags no operation with x-spotnana-apis; run `cargo xtask regen`".into());
    }
    for api in apis.iter().map(String::as_str).chain(["rustls"]) {
        let features = if api == "rustls" { "rustls".to_string() } else { format!("rustls,sandbox,{api}") };
        run(root, &cargo(), &["check", "--lib", "--no-default-features", "--features", &features], &[])?;
    }
    reduced_feature_tests(root)
}

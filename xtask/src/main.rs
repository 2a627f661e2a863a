//! `cargo xtask <task>`: see `cargo xtask help`.

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <task>

tasks:
  regen           normalise openapi/upstream/*.json into openapi/spotnana.json
                  and openapi/NORMALIZATION.md; print how the API changed and,
                  if it did, write openapi/CHANGES.md (breaking or additive)
  regen --check   fail if those files are out of date (writes nothing)
  bench-build [--runs N] [--variant label=feature+feature[;opt=N][;root=PATH]]...
                  build a throwaway user crate that depends on this one, from
                  nothing, per variant (default: all APIs, company, air); print
                  the crate's compile, the whole build, peak RSS, generated lines
  features        check that the crate builds with each API feature alone and
                  with none, and run the sandbox tests with `company` alone
  gates           cargo fmt --check and clippy (warnings denied), as test runs first
  test            the gates, then every test: cargo test --workspace, the sandbox tests with
                  `company` alone and with no API, the schemars feature's
                  tests and example, then the Prism suite
                  (installs Prism from npm into tools/prism/ first if needed)
  prism [--seeds none|1,2,3|1-20] [--ops id,id]
                  the Prism conformance suite alone: static mode, then
                  dynamic mode with each seed (default: the seeds CI runs)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::regen::repo_root();
    let result = match args.as_slice() {
        ["regen"] => xtask::regen::run(&root, false).map_err(|e| e.to_string()),
        ["regen", "--check"] => xtask::regen::run(&root, true).map_err(|e| e.to_string()),
        ["bench-build", rest @ ..] => xtask::bench::run(&root, rest),
        ["peak-rss", rest @ ..] => xtask::bench::peak_rss(rest),
        ["features"] => xtask::test::features(&root),
        ["test"] => xtask::test::run_all(&root),
        ["gates"] => xtask::test::gates(&root),
        ["prism", rest @ ..] => xtask::test::run_prism(&root, rest),
        [] | ["help"] | ["--help"] | ["-h"] => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(format!("unknown task {:?}\n\n{HELP}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

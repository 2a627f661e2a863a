//! The SDK's tree holds one reqwest and one hyper: oauth2 runs over the SDK's own
//! reqwest client through a hand-written adapter, not over its own reqwest. The
//! command line's crates (feature `cli`) are not in it.

use std::collections::BTreeSet;
use std::process::Command;

#[test]
fn one_reqwest_and_one_hyper() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "-e", "normal", "-p", "spotnana", "--offline", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    let versions = |name: &str| -> BTreeSet<String> {
        tree.lines()
            .filter_map(|l| l.strip_prefix(&format!("{name} v")))
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(versions("reqwest").len(), 1, "reqwest versions: {:?}", versions("reqwest"));
    assert_eq!(versions("hyper").len(), 1, "hyper versions: {:?}", versions("hyper"));
    assert_eq!(versions("oauth2").len(), 1, "oauth2 is in the tree");
    // The command line's crates are the `cli` feature's alone: a library
    // build with the default features never compiles them.
    for cli_only in ["clap", "rmcp"] {
        assert!(versions(cli_only).is_empty(), "{cli_only} is in the default tree");
    }
}

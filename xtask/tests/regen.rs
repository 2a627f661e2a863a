//! `cargo xtask regen` on a copy of the repository's spec files in a temporary
//! directory: an unchanged upstream leaves `openapi/CHANGES.md` alone, `--check`
//! writes nothing, and a changed upstream document writes `CHANGES.md`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use xtask::diff::Verdict;
use xtask::regen::{self, Comparison, RegenError};

fn repo() -> PathBuf {
    regen::repo_root()
}

/// A fresh directory with `openapi/upstream/`, the checked-in outputs and nothing
/// else, and where `CHANGES.md` would go in it.
fn copy_of_repo(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("xtask-regen-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let upstream = dir.join("openapi/upstream");
    fs::create_dir_all(&upstream).expect("temp dir");
    fs::create_dir_all(dir.join("tests/every_operation")).expect("temp dir");
    for entry in fs::read_dir(repo().join("openapi/upstream")).expect("upstream is vendored") {
        let path = entry.expect("readable").path();
        fs::copy(&path, upstream.join(path.file_name().expect("a file"))).expect("copy");
    }
    for file in ["openapi/spotnana.json", "openapi/NORMALIZATION.md", "tests/every_operation/calls.rs"] {
        fs::copy(repo().join(file), dir.join(file)).expect("copy a checked-in output");
    }
    let changes = dir.join("openapi/CHANGES.md");
    (dir, changes)
}

fn compared(root: &Path) -> xtask::diff::ApiDiff {
    match regen::write(root).expect("regen runs") {
        Comparison::Compared(d) => d,
        Comparison::Skipped(why) => panic!("not compared: {why}"),
    }
}

#[test]
fn unchanged_upstream_reports_no_api_changes_and_leaves_changes_md_alone() {
    let (root, changes) = copy_of_repo("unchanged");
    let comparison = regen::write(&root).expect("regen runs");
    assert_eq!(comparison.to_string(), "no API changes");
    assert!(!changes.exists(), "no CHANGES.md is created when nothing changed");

    fs::write(&changes, "the last real change\n").expect("write");
    let d = compared(&root);
    assert_eq!(d.verdict(), Verdict::NoChanges);
    assert_eq!(fs::read_to_string(&changes).expect("still there"), "the last real change\n");
    regen::check_outputs(&root).expect("what regen wrote is what --check expects");
    fs::remove_dir_all(&root).expect("clean up");
}

#[test]
fn changed_upstream_writes_changes_md() {
    let (root, changes) = copy_of_repo("changed");
    let company = root.join("openapi/upstream/company.json");
    let mut doc: Value = serde_json::from_slice(&fs::read(&company).expect("read")).expect("JSON");
    doc["paths"]["/v2/companies/{companyId}/ping"] = json!({
        "get": {
            "tags": ["Companies"],
            "operationId": "pingCompany",
            "parameters": [{ "name": "companyId", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "204": { "description": "Reachable" } }
        }
    });
    doc["paths"]["/v2/companies/{companyId}"]
        .as_object_mut()
        .expect("path item")
        .remove("delete")
        .expect("deleteCompany");
    doc["components"]["schemas"]["Company"]["properties"]["website"] = json!({ "type": "string" });
    fs::write(&company, serde_json::to_string_pretty(&doc).expect("JSON")).expect("write");

    match regen::check_outputs(&root) {
        Err(RegenError::Stale { paths }) => {
            assert!(paths.contains(&PathBuf::from("openapi/spotnana.json")), "{paths:?}")
        }
        other => panic!("--check should find the spec stale: {other:?}"),
    }
    assert!(!changes.exists(), "--check writes nothing");

    let comparison = regen::write(&root).expect("regen runs");
    let summary = comparison.to_string();
    assert!(summary.starts_with("API changes: breaking"), "{summary}");
    assert!(summary.contains("Operations: 1 added, 1 removed"), "{summary}");
    assert!(summary.ends_with("Details in openapi/CHANGES.md."), "{summary}");
    let md = fs::read_to_string(&changes).expect("CHANGES.md is written");
    for line in [
        "**Verdict: breaking**",
        "- `pingCompany` (`GET /v2/companies/{companyId}/ping`)\n",
        "- `deleteCompany` (`DELETE /v2/companies/{companyId}`) — **breaking**",
        "- property `Company.website` added, optional\n",
    ] {
        assert!(md.contains(line), "expected {line:?} in:\n{md}");
    }
    if std::env::var_os("SHOW_CHANGES_MD").is_some() {
        println!("{md}");
    }

    assert_eq!(regen::write(&root).expect("regen runs again").to_string(), "no API changes");
    assert_eq!(fs::read_to_string(&changes).expect("kept"), md, "a second regen keeps the last CHANGES.md");
    fs::remove_dir_all(&root).expect("clean up");
}

//! Each contract between the normaliser, the build and the runtime is defined
//! once, in `src/contract.rs`: no other file of the tree spells an extension
//! key, and the API list agrees with the cargo features and the upstream
//! documents.

use std::path::{Path, PathBuf};

use xtask::contract::{
    APIS, API_TAG, CHRONO_KEY, EXACTLY_ONE_OF_KEY, HANDWRITTEN_KEY, NULL_WHEN_UNSET_KEY, PAGINATION_TAG, SHARED_TAG,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn each_extension_key_is_spelled_only_in_the_contract() {
    let mut files = vec![root().join("build.rs")];
    for dir in ["src", "build", "xtask/src", "tests", "benches", "examples"] {
        rust_files(&root().join(dir), &mut files);
    }
    let contract = root().join("src/contract.rs");
    let keys =
        [API_TAG, SHARED_TAG, PAGINATION_TAG, HANDWRITTEN_KEY, NULL_WHEN_UNSET_KEY, EXACTLY_ONE_OF_KEY, CHRONO_KEY];
    let mut spelled = Vec::new();
    for file in files.iter().filter(|f| **f != contract) {
        let text = std::fs::read_to_string(file).expect("a readable file");
        for key in keys {
            if text.contains(&format!("\"{key}\"")) {
                spelled.push(format!("{} spells \"{key}\"", file.display()));
            }
        }
    }
    assert!(files.len() > 50, "the walk found the tree ({} files)", files.len());
    assert!(spelled.is_empty(), "use xtask::contract / crate::contract instead:\n{}", spelled.join("\n"));
}

#[test]
fn the_api_list_is_the_features_and_the_upstream_documents() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let all_apis = manifest.lines().find_map(|line| line.strip_prefix("all-apis = ")).expect("an all-apis feature");
    let listed: Vec<&str> = all_apis.trim_matches(['[', ']']).split(',').map(|s| s.trim().trim_matches('"')).collect();
    assert_eq!(listed, APIS, "all-apis turns on exactly the contract's APIs, in its order");
    for api in APIS {
        assert!(manifest.lines().any(|line| line == format!("{api} = []")), "Cargo.toml has no `{api}` feature");
        let upstream = root().join(format!("openapi/upstream/{api}.json"));
        assert!(upstream.exists(), "{} is missing", upstream.display());
    }
    let documents = std::fs::read_dir(root().join("openapi/upstream"))
        .expect("openapi/upstream")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(documents, APIS.len(), "one upstream document per API, and no other");
    assert_eq!(spotnana::APIS, APIS);
}

//! Running the `spotnana` binary (feature `cli`) as a process, and what the
//! spec and the normalisation report say it should offer.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary cargo built for this test.
pub const BIN: &str = env!("CARGO_BIN_EXE_spotnana");

/// Runs `spotnana ARGS` with `stdin` as its standard input, without the
/// caller's Spotnana credentials unless `env` sets them.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for name in ["SPOTNANA_CLIENT_ID", "SPOTNANA_CLIENT_SECRET", "SPOTNANA_BASE_URL"] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("the spotnana binary starts");
    child.stdin.take().expect("stdin is piped").write_all(stdin.as_bytes()).expect("stdin takes the input");
    child.wait_with_output().expect("the spotnana binary runs")
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every operation of the spec (generated and hand-written): its id, its
/// method (upper case) and the APIs that publish it.
pub fn spec_operations() -> Vec<(String, String, Vec<String>)> {
    let spec = super::spec();
    let mut ops = Vec::new();
    for key in ["paths", xtask::contract::HANDWRITTEN_KEY] {
        for item in spec[key].as_object().into_iter().flat_map(|p| p.values()) {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
                let apis = op[xtask::contract::API_TAG].as_array().into_iter().flatten();
                let apis = apis.filter_map(|a| a.as_str().map(String::from)).collect();
                ops.push((id.to_string(), method.to_uppercase(), apis));
            }
        }
    }
    ops
}

/// Each operation's method, upper case, by id.
pub fn spec_methods() -> BTreeMap<String, String> {
    spec_operations().into_iter().map(|(id, method, _)| (id, method)).collect()
}

/// What `openapi/NORMALIZATION.md` (rule `operation-access`) says each
/// listed operation is: the `POST`s that read, and the writes.
pub fn reported_access() -> BTreeMap<String, String> {
    let report = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/NORMALIZATION.md"))
        .expect("openapi/NORMALIZATION.md exists");
    let section = report.split("### `operation-access`").nth(1).expect("the report has operation-access");
    let section = section.split("\n### ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- `")?;
            let (id, rest) = rest.split_once('`')?;
            let access = rest.rsplit('`').nth(1)?;
            Some((id.to_string(), access.to_string()))
        })
        .collect()
}

/// The access the docs give `id`: a `GET` reads, a listed operation is what
/// the report says, and anything else is destructive.
pub fn documented_access(id: &str, method: &str, reported: &BTreeMap<String, String>) -> String {
    if method == "GET" {
        return "read".into();
    }
    reported.get(id).cloned().unwrap_or_else(|| "destructive".into())
}

//! `spotnana mcp --sandbox`, driven over stdio by a real MCP client we did
//! not write: the official TypeScript SDK (`@modelcontextprotocol/sdk`,
//! installed into `tools/mcp-client/` by `cargo xtask test` with `npm ci`).
//! `tools/mcp-client/drive.mjs` connects, runs the steps and prints what the
//! SDK returned; the assertions are here.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::cli::{documented_access, reported_access, spec_methods, BIN};

const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/mcp-client");

/// Starts `spotnana mcp --sandbox ARGS` under the MCP client, runs `steps`,
/// and returns the client's report and the server's stderr.
fn drive(args: &[&str], steps: Value) -> (Vec<Value>, String) {
    assert!(
        Path::new(CLIENT).join("node_modules/@modelcontextprotocol/sdk").exists(),
        "the MCP client is not installed: `npm ci --prefix tools/mcp-client` (cargo xtask test does it)"
    );
    let mut server_args = vec![BIN, "mcp", "--sandbox"];
    server_args.extend_from_slice(args);
    let out = Command::new("node")
        .arg(Path::new(CLIENT).join("drive.mjs"))
        .args(&server_args)
        .env("MCP_STEPS", steps.to_string())
        .env_remove("SPOTNANA_CLIENT_ID")
        .env_remove("SPOTNANA_CLIENT_SECRET")
        .output()
        .expect("node runs (Node.js is needed, as for Prism)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the MCP client failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the client prints JSON");
    assert_eq!(report["server"]["name"], "spotnana", "initialize named the server");
    let results = report["results"].as_array().expect("results").clone();
    assert!(results.iter().all(|r| r.get("thrown").is_none()), "a step threw: {results:?}");
    (results, stderr)
}

fn names(list: &Value) -> BTreeSet<String> {
    list["tools"].as_array().expect("tools").iter().filter_map(|t| t["name"].as_str().map(String::from)).collect()
}

fn tool<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["tools"].as_array().expect("tools").iter().find(|t| t["name"] == name).expect("the tool is listed")
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().expect("a text content block")
}

#[test]
fn by_default_only_read_only_tools_and_failures_are_results() {
    let steps = json!([
        { "list": true },
        { "call": "listCompanies", "arguments": { "limit": 5 } },
        { "call": "readCompany", "arguments": {} },
        { "call": "readTrip", "arguments": { "tripId": ".." } },
        { "call": "deleteCompany", "arguments": { "companyId": "6d1e6c0c-1111-4a5e-9d2b-000000000000" } },
        { "call": "createCompany", "arguments": { "body": {} } },
        { "call": "listCompanies", "arguments": {} },
        { "call": "fetchOauth2Token", "arguments": { "body": {
            "grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "sandbox-secret" } } },
    ]);
    let (results, stderr) = drive(&[], steps);

    // Exactly the operations the docs call read-only, each annotated so.
    let methods = spec_methods();
    let reported = reported_access();
    let expected: BTreeSet<String> = methods
        .iter()
        .filter(|(id, method)| documented_access(id, method, &reported) == "read")
        .map(|(id, _)| id.clone())
        .collect();
    assert!(expected.len() > 90, "{}", expected.len());
    assert_eq!(names(&results[0]), expected);
    for t in results[0]["tools"].as_array().expect("tools") {
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{}", t["name"]);
        assert_eq!(t["inputSchema"]["type"], "object", "{}", t["name"]);
    }
    assert!(tool(&results[0], "listCompanies")["description"].as_str().is_some_and(|d| !d.is_empty()));

    // A read call answers JSON that decodes.
    assert_ne!(results[1]["isError"], true, "{}", results[1]);
    let answer: Value = serde_json::from_str(text(&results[1])).expect("the content is JSON");
    assert!(answer["elements"].is_array(), "{answer}");

    // Bad arguments are error results that name the field; the server lives on.
    assert_eq!(results[2]["isError"], true);
    assert!(text(&results[2]).contains("companyId"), "{}", text(&results[2]));
    assert_eq!(results[3]["isError"], true, "the path guard refuses `..`");
    assert!(text(&results[3]).contains("tripId"), "{}", text(&results[3]));

    // Writes that were not allowed are refused, saying how to allow them.
    assert_eq!(results[4]["isError"], true);
    assert!(text(&results[4]).contains("refused") && text(&results[4]).contains("--allow-writes"));
    assert_eq!(results[5]["isError"], true);
    assert!(text(&results[5]).contains("refused"), "{}", text(&results[5]));
    assert_ne!(results[6]["isError"], true, "the server still answers after failures");

    // A token in an answer reaches the agent blanked.
    assert_ne!(results[7]["isError"], true, "{}", results[7]);
    let token: Value = serde_json::from_str(text(&results[7])).expect("JSON");
    assert_eq!(token["access_token"], "[redacted]", "{token}");
    assert!(!stderr.contains("sandbox-secret"), "{stderr}");

    // One log line per call: operation, outcome, duration.
    assert!(stderr.lines().any(|l| l.starts_with("spotnana mcp: listCompanies ok ") && l.ends_with(" ms")), "{stderr}");
    assert!(stderr.contains("spotnana mcp: deleteCompany refused"), "{stderr}");
}

#[test]
fn allow_adds_writes_and_allow_writes_adds_destructive_ones() {
    let body = json!({ "name": "MCP Travel", "billingCurrency": "EUR", "companyRoles": ["ORG"] });
    let steps = json!([{ "list": true }, { "call": "createCompany", "arguments": { "body": body } }]);
    let (results, stderr) = drive(&["--allow", "company"], steps);
    let listed = names(&results[0]);
    assert!(listed.contains("createCompany") && listed.contains("listCompanies"));
    assert!(!listed.contains("deleteCompany") && !listed.contains("updateCompany"), "destructive needs --allow-writes");
    assert!(!listed.contains("createUser"), "only the named API");
    assert_eq!(tool(&results[0], "createCompany")["annotations"]["destructiveHint"], false);
    assert_eq!(tool(&results[0], "createCompany")["annotations"]["readOnlyHint"], false);
    assert!(stderr.contains("deleteCompany books, cancels, modifies or deletes"), "{stderr}");
    assert_ne!(results[1]["isError"], true, "{}", results[1]);
    let created: Value = serde_json::from_str(text(&results[1])).expect("JSON");
    let id = created["id"].as_str().expect("an id").to_string();

    // With --allow-writes, the named destructive operations are tools, and they run.
    let steps = json!([
        { "list": true },
        { "call": "createCompany", "arguments": { "body": body } },
        { "call": "airCreatePnr", "arguments": { "body": {} } },
    ]);
    let (results, _) = drive(&["--allow", "deleteCompany", "--allow", "createCompany", "--allow-writes"], steps);
    let listed = names(&results[0]);
    assert!(listed.contains("deleteCompany") && listed.contains("createCompany"));
    assert!(!listed.contains("updateCompany") && !listed.contains("airCreatePnr"), "only what was named");
    assert_eq!(tool(&results[0], "deleteCompany")["annotations"]["destructiveHint"], true);
    assert!(text(&results[2]).contains("refused"), "a booking that was not named");
    assert_ne!(results[1]["isError"], true, "{}", results[1]);
    assert_ne!(serde_json::from_str::<Value>(text(&results[1])).expect("JSON")["id"], id.as_str(), "a new company");
}

#[test]
fn an_unknown_allow_name_stops_the_server_before_it_serves() {
    let out = Command::new(BIN).args(["mcp", "--sandbox", "--allow", "deleteCompny"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow deleteCompny"));
}

//! The `spotnana` command line, run as a process: `ops`, `call` against the
//! sandbox it starts, `--dry-run`, `schema`, exit codes and refusals.

mod support;

use std::collections::BTreeSet;
use std::net::TcpListener;

use serde_json::Value;
use support::cli::{documented_access, reported_access, run, spec_methods, spec_operations, stderr, stdout};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

#[test]
fn ops_lists_every_operation_with_the_documented_access() {
    let table = run(&["ops"], &[], "");
    assert!(table.status.success(), "{}", stderr(&table));
    assert_eq!(stdout(&table).lines().count(), 210, "one line per operation");

    let listed = json(&run(&["ops", "--json"], &[], ""));
    let listed = listed.as_array().expect("an array");
    let methods = spec_methods();
    assert_eq!(listed.len(), 210);
    assert_eq!(methods.len(), 210, "the spec has 210 operations");
    let reported = reported_access();
    assert!(reported.len() > 40, "the report lists the read POSTs and the writes: {}", reported.len());
    let mut ids = BTreeSet::new();
    for op in listed {
        let id = op["id"].as_str().expect("an id");
        assert!(ids.insert(id), "{id} listed twice");
        let method = &methods[id];
        assert_eq!(op["method"], method.as_str(), "{id}");
        assert_eq!(op["access"], documented_access(id, method, &reported).as_str(), "{id}");
        assert!(op["path"].as_str().is_some_and(|p| p.starts_with('/')), "{id}");
    }

    let company = json(&run(&["ops", "--api", "company", "--json"], &[], ""));
    let company = company.as_array().expect("an array");
    let expected = spec_operations().iter().filter(|(_, _, apis)| apis.iter().any(|a| a == "company")).count();
    assert_eq!(company.len(), expected);
    assert!(company.iter().all(|op| op["apis"].as_array().is_some_and(|a| a.iter().any(|x| x == "company"))));

    let unknown = run(&["ops", "--api", "cruise"], &[], "");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no API `cruise`"), "{}", stderr(&unknown));
}

#[test]
fn call_prints_the_sandbox_answer_as_json() {
    let out = run(&["call", "listCompanies", "--sandbox"], &[], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let answer = json(&out);
    assert!(answer["elements"].is_array(), "{answer}");

    // The input from standard input and from a file, to a create.
    let body = r#"{"body": {"name": "CLI Travel", "billingCurrency": "EUR", "companyRoles": ["ORG"]}}"#;
    let created = run(&["--sandbox", "call", "createCompany", "--input", "-"], &[], body);
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(json(&created)["id"].as_str().is_some_and(|id| id.len() == 36), "{}", stdout(&created));
    let file = std::env::temp_dir().join(format!("spotnana-cli-{}.json", std::process::id()));
    std::fs::write(&file, body).expect("the input file is written");
    let from_file = run(&["--sandbox", "call", "createCompany", "--input", &format!("@{}", file.display())], &[], "");
    let _ = std::fs::remove_file(&file);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
}

#[test]
fn bad_input_exits_non_zero_naming_the_field() {
    let missing = run(&["--sandbox", "call", "readCompany", "--input", "{}"], &[], "");
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("companyId"), "{}", stderr(&missing));
    assert!(missing.stdout.is_empty());

    let unknown = run(&["--sandbox", "call", "listCompanies", "--input", r#"{"colour": 1}"#], &[], "");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("colour"), "{}", stderr(&unknown));

    // A path parameter that would reach another endpoint is refused, by name.
    let traversal = run(&["--sandbox", "call", "readTrip", "--input", r#"{"tripId": ".."}"#], &[], "");
    assert_eq!(traversal.status.code(), Some(2), "{}", stderr(&traversal));
    assert!(stderr(&traversal).contains("tripId"), "{}", stderr(&traversal));
    // An id the spec types as a UUID must parse as one.
    let not_uuid = run(&["--sandbox", "call", "readCompany", "--input", r#"{"companyId": "acme"}"#], &[], "");
    assert_eq!(not_uuid.status.code(), Some(2), "{}", stderr(&not_uuid));
    assert!(stderr(&not_uuid).contains("companyId"), "{}", stderr(&not_uuid));

    let not_json = run(&["--sandbox", "call", "listCompanies", "--input", "{oops"], &[], "");
    assert_eq!(not_json.status.code(), Some(2));
    assert!(stderr(&not_json).contains("not JSON"), "{}", stderr(&not_json));

    let no_such = run(&["call", "listcompanies"], &[], "");
    assert_eq!(no_such.status.code(), Some(2));
    assert!(stderr(&no_such).contains("did you mean listCompanies"), "{}", stderr(&no_such));
}

#[test]
fn errors_get_an_exit_code_per_kind() {
    // Spotnana's error answer: the sandbox's token endpoint refuses these credentials.
    let input = r#"{"body": {"grant_type": "client_credentials", "client_id": "a", "client_secret": "wrong-9f2"}}"#;
    let api = run(&["--sandbox", "call", "fetchOauth2Token", "--input", input], &[], "");
    assert_eq!(api.status.code(), Some(5), "{}", stderr(&api));
    assert!(stderr(&api).contains("401"), "{}", stderr(&api));
    assert!(!stderr(&api).contains("wrong-9f2"), "{}", stderr(&api));

    // No credentials and no --sandbox: a configuration error that says what to do.
    let config = run(&["call", "listCompanies"], &[], "");
    assert_eq!(config.status.code(), Some(3));
    assert!(stderr(&config).contains("SPOTNANA_CLIENT_ID") && stderr(&config).contains("--sandbox"));

    // Nothing listens on the port: connect.
    let closed = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    let env = [("SPOTNANA_CLIENT_ID", "id"), ("SPOTNANA_CLIENT_SECRET", "secret"), ("SPOTNANA_BASE_URL", &url)];
    let connect = run(&["call", "listCompanies"], &env, "");
    assert!(matches!(connect.status.code(), Some(4) | Some(7)), "{:?} {}", connect.status, stderr(&connect));
}

#[test]
fn destructive_calls_need_allow_writes() {
    let input = r#"{"companyId": "6d1e6c0c-1111-4a5e-9d2b-000000000000"}"#;
    let refused = run(&["--sandbox", "call", "deleteCompany", "--input", input], &[], "");
    assert_eq!(refused.status.code(), Some(10), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--allow-writes"));
    // Allowed, it is sent (the sandbox deletes ids it never issued, too).
    let allowed = run(&["--sandbox", "call", "deleteCompany", "--allow-writes", "--input", input], &[], "");
    assert!(allowed.status.success(), "{}", stderr(&allowed));
}

#[test]
fn dry_run_prints_the_request_without_a_token_or_a_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let secret = "cli-test-secret-41d9";
    let env = [("SPOTNANA_CLIENT_ID", "cli-id"), ("SPOTNANA_CLIENT_SECRET", secret), ("SPOTNANA_BASE_URL", &url)];
    let input = r#"{"body": {"name": "Dry Run Co", "billingCurrency": "USD", "companyRoles": ["ORG"]}}"#;
    let out = run(&["call", "createCompany", "--dry-run", "--input", input], &env, "");
    assert!(out.status.success(), "{}", stderr(&out));
    let request = json(&out);
    assert_eq!(request["method"], "POST");
    assert_eq!(request["url"], format!("{url}/v2/companies"));
    assert_eq!(request["body"]["name"], "Dry Run Co");
    let text = stdout(&out).to_lowercase();
    assert!(!text.contains("authorization") && !text.contains("bearer"), "{text}");
    assert!(!text.contains(secret));
    assert!(listener.accept().is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock), "nothing connected");

    // A secret in the body is blanked in what is printed.
    let token = r#"{"body": {"grant_type": "client_credentials", "client_id": "a", "client_secret": "s3cr3t-body"}}"#;
    let out = run(&["call", "fetchOauth2Token", "--dry-run", "--input", token], &[], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("s3cr3t-body"), "{}", stdout(&out));

    // And a token in an answer is blanked in what is printed.
    let token = r#"{"body": {"grant_type": "client_credentials", "client_id": "sandbox-client",
        "client_secret": "sandbox-secret"}}"#;
    let out = run(&["--sandbox", "call", "fetchOauth2Token", "--input", token], &[], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["access_token"], "[redacted]", "{}", stdout(&out));
}

#[test]
fn schema_prints_input_and_output() {
    let out = run(&["schema", "readCompany"], &[], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let schemas = json(&out);
    let required: Vec<&str> =
        schemas["input"]["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required, ["companyId"]);
    assert!(schemas["output"]["$ref"].is_string() || schemas["output"]["properties"].is_object(), "{schemas}");
    assert_eq!(run(&["schema", "noSuchOperation"], &[], "").status.code(), Some(2));
}

//! Every operation in `openapi/spotnana.json` is a typed method that sends the
//! right request: each is called against a recording server on 127.0.0.1, and
//! the method, the filled-in path, the body's content type and the bearer token
//! of what arrived are checked against the spec. `no_panic` calls each one
//! against a server that answers at random.
//!
//! The other suites that call every operation share this binary, so that the
//! 210 typed calls (`calls.rs`) compile once: `sandbox` (the local sandbox,
//! end to end), `full_size` (full-size answers on tokio's worker stacks, as
//! in a user's binary), `mutation` (answers that drift from the spec) and `prism`
//! (conformance against Prism, ignored unless asked for: `cargo test --test
//! every_operation -- --ignored`, which `cargo xtask test` runs).

mod support;

// Written by `cargo xtask regen`, which checks it is current: not formatted here.
#[rustfmt::skip]
#[path = "every_operation/calls.rs"]
mod calls;

#[cfg(feature = "sandbox")]
#[path = "every_operation/full_size.rs"]
mod full_size;
#[cfg(feature = "sandbox")]
#[path = "every_operation/no_panic.rs"]
mod no_panic;

// With no API there is no answer to mutate.
#[cfg(feature = "company")]
#[path = "every_operation/mutation.rs"]
mod mutation;
#[cfg(feature = "all-apis")]
#[path = "every_operation/prism.rs"]
mod prism;
#[path = "every_operation/sandbox.rs"]
mod sandbox;

use serde_json::{json, Value};
use spotnana::{Client, RetryPolicy};
use support::inputs::Inputs;
use support::server::{Reply, TestServer};

fn expected_path(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |path, (name, value)| path.replace(&format!("{{{name}}}"), value))
}

fn essence(content_type: Option<&str>) -> Option<String> {
    content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_string())
}

#[test]
fn every_operation_sends_its_request() {
    support::on_big_stack(every_operation());
}

async fn every_operation() {
    let server = TestServer::start(|_| Reply::json(200, json!({}))).await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("every-operation-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a loopback client builds");
    let doc = support::spec();
    let operations = support::enabled_operations(&doc);
    let inputs = Inputs::default();

    let mut failures = Vec::new();
    let mut checked = 0;
    for op in &operations {
        let before = server.requests().len();
        if std::env::var_os("EVERY_OPERATION_TRACE").is_some() {
            eprintln!("calling {}", op.id);
        }
        let outcome = calls::call(&client, &inputs, &op.id).await;
        let requests = server.requests();
        let sent = &requests[before..];
        let [request] = sent else {
            failures.push(format!("{}: {} requests reached the server ({outcome:?})", op.id, sent.len()));
            continue;
        };
        let values = calls::PATH_VALUES.iter().find(|(id, _)| *id == op.id).map_or(&[][..], |(_, v)| *v);
        let want_path = expected_path(&op.path, values);
        let want_type =
            op.op.pointer("/requestBody/content").and_then(Value::as_object).and_then(|c| c.keys().next().cloned());
        let got_type = essence(request.header("content-type"));
        // Every request but the token request itself carries the bearer token. (The
        // Auth API document declares no security for its API-user operations either,
        // but they answer 401 without a token, so the SDK sends one.)
        let want_auth = (op.path != spotnana::TOKEN_PATH).then_some("Bearer every-operation-token");
        let problems: Vec<String> = [
            (request.method != op.method).then(|| format!("method {} != {}", request.method, op.method)),
            (request.path() != want_path).then(|| format!("path {} != {want_path}", request.path())),
            (got_type != want_type).then(|| format!("content type {got_type:?} != {want_type:?}")),
            (request.header("authorization") != want_auth)
                .then(|| format!("authorization {:?} != {want_auth:?}", request.header("authorization"))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if problems.is_empty() {
            checked += 1;
        } else {
            failures.push(format!("{}: {}", op.id, problems.join("; ")));
        }
    }
    println!("every operation: {checked} of {} sent the request the spec describes", operations.len());
    assert!(failures.is_empty(), "{} operations failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, operations.len());
    if cfg!(feature = "all-apis") {
        assert_eq!(operations.len(), 210, "Spotnana publishes 210 distinct operations");
    }
}

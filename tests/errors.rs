//! What a binary that uses `anyhow` prints when a call fails: `send()`
//! returns `spotnana::Error`, so `?` carries its message, and its `source()`
//! chain, into `anyhow::Error` unchanged, and nothing internal to the SDK
//! (progenitor's error, a status the SDK made up) shows.

mod support;

use std::time::Duration;

use spotnana::sandbox::Sandbox;
use spotnana::{Client, RetryPolicy};
use support::server::{Reply, TestServer};

/// Calls `listCompanies` the way an application would.
async fn list(client: &Client) -> anyhow::Result<usize> {
    let companies = client.list_companies().send().await?;
    Ok(companies.elements.len())
}

/// Reads a company the way an application would.
async fn read(client: &Client, id: &str) -> anyhow::Result<String> {
    let company = client.read_company().company_id(id).send().await?;
    Ok(company.name.clone())
}

/// Checks what `anyhow` prints for `error`: its message is the
/// `spotnana::Error`'s `Display`, every form of it names `expected`, and none
/// shows the SDK's internals.
fn check(error: anyhow::Error, expected: &[&str]) -> spotnana::Error {
    let shown = [error.to_string(), format!("{error:#}"), format!("{error:?}")];
    for text in &shown {
        for needle in expected {
            assert!(text.contains(needle), "{needle:?} missing from {text:?}");
        }
        // The synthetic status as the SDK would print it, not a "599" that
        // a test server's port number holds.
        for internal in
            ["HTTP 599", "status: 599", "no.url.provided", "x-spotnana-sdk-error", "UnexpectedResponse", "progenitor"]
        {
            assert!(!text.contains(internal), "{internal:?} leaked into {text:?}");
        }
    }
    let sdk = error.downcast::<spotnana::Error>().expect("the error is a spotnana::Error");
    assert_eq!(shown[0], sdk.to_string(), "anyhow prints what spotnana::Error's Display says");
    sdk
}

#[tokio::test]
async fn a_wrong_secret_says_the_credentials_were_rejected() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = Client::builder()
        .with_base_url(sandbox.base_url())
        .with_credentials(sandbox.client_id(), "not-the-secret")
        .build()
        .expect("a client");
    let error = list(&client).await.expect_err("a wrong secret fails");
    let sdk = check(error, &["rejected the client credentials", "invalid_client"]);
    assert!(matches!(sdk, spotnana::Error::Auth(_)), "{sdk:?}");
    assert!(!format!("{sdk:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn a_missing_company_says_404_and_what_spotnana_said() {
    // Strict ids: a company nobody created is a 404, as on Spotnana.
    let sandbox = Sandbox::builder().with_strict_ids().start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    let error = read(&client, "6d1e6c0c-2222-4a5e-9d2b-0000000000ff").await.expect_err("no such company");
    let sdk = check(error, &["HTTP 404", "COMPANY_NOT_FOUND", "debugIdentifier"]);
    assert_eq!(sdk.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        sdk.error_response().and_then(|e| e.error_messages.first()?.error_code.clone()).as_deref(),
        Some("COMPANY_NOT_FOUND")
    );
}

#[tokio::test]
async fn a_timeout_says_how_to_raise_it_and_keeps_its_cause() {
    let server = TestServer::start(|_| Reply::Hang).await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("a-static-token")
        .with_request_timeout(Duration::from_millis(200))
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    let error = list(&client).await.expect_err("the server never answers");
    let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    assert!(chain.len() >= 2, "the reqwest error stays reachable as the source: {chain:?}");
    let sdk = check(error, &["timed out", "with_request_timeout"]);
    assert!(matches!(sdk, spotnana::Error::Timeout(_)), "{sdk:?}");
}

#[tokio::test]
async fn an_answer_that_does_not_decode_says_so_and_keeps_the_body() {
    let server = TestServer::start(|_| Reply::json(200, serde_json::json!({ "elements": "not a list" }))).await;
    let client =
        Client::builder().with_base_url(server.url()).with_static_token("a-static-token").build().expect("a client");
    let error = list(&client).await.expect_err("the answer has the wrong shape");
    let sdk = check(error, &["could not decode", "HTTP 200", "not a list"]);
    let spotnana::Error::Decode(decode) = &sdk else { panic!("expected a decode error, got {sdk:?}") };
    assert!(!decode.may_have_applied(), "a GET changes nothing");
    assert_eq!(decode.body(), Some(&br#"{"elements":"not a list"}"#[..]));
}

#[tokio::test]
async fn a_page_that_is_not_json_reads_alike_on_a_documented_and_an_undocumented_status() {
    // `listCompanies` documents 403 with Spotnana's `ErrorResponse`, and not
    // 409; a gateway answers both with an HTML page.
    let mut seen = Vec::new();
    for status in [403u16, 409] {
        let server =
            TestServer::start(move |_| Reply::with(status, "text/html", b"<html><h1>Bad gateway</h1></html>")).await;
        let client = Client::builder()
            .with_base_url(server.url())
            .with_static_token("a-static-token")
            .with_retry_policy(RetryPolicy::disabled())
            .build()
            .expect("a client");
        let error = list(&client).await.expect_err("an error status");
        let sdk = check(error, &[&format!("HTTP {status}")]);
        let spotnana::Error::Api(api) = &sdk else { panic!("HTTP {status}: expected Error::Api, got {sdk:?}") };
        assert_eq!(api.status().as_u16(), status);
        assert!(api.error_response().is_none(), "an HTML page is no ErrorResponse");
        assert_eq!(api.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/html"));
        seen.push(sdk.to_string().replace(&api.status().to_string(), "STATUS"));
    }
    assert_eq!(seen[0], seen[1], "the same message, but for the status");
    assert_eq!(seen[0], "Spotnana answered HTTP STATUS");
}

//! Faults injected in the sandbox drive the SDK's documented behaviour:
//! retries where a request cannot have applied or is idempotent, never a
//! second POST once one may have reached the server, and timeouts.

use std::time::Duration;

use serde_json::json;
use spotnana::sandbox::{Fault, Sandbox};
use spotnana::{types, Client, Error, RetryPolicy};

fn company(name: &str) -> types::CreateCompanyRequest {
    serde_json::from_value(json!({ "name": name, "billingCurrency": "USD", "companyRoles": ["ORG"] }))
        .expect("a company request")
}

/// A client with short retry waits and a request timeout of `timeout`.
fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    Client::builder()
        .with_base_url(sandbox.base_url())
        .with_credentials(sandbox.client_id(), sandbox.client_secret())
        .with_request_timeout(timeout)
        .with_retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(10)))
        .build()
        .expect("a sandbox client")
}

async fn companies(client: &Client) -> usize {
    client.list_companies().send().await.expect("listed").into_inner().elements.len()
}

#[tokio::test]
async fn a_503_is_retried_for_a_get_and_not_for_a_post() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_secs(10));
    sandbox.inject("listCompanies", Fault::status(503), 2).unwrap();
    client.list_companies().send().await.expect("the GET is retried past two 503s");
    assert_eq!(sandbox.requests("listCompanies"), 3, "two faults and the success");

    sandbox.inject("createCompany", Fault::status(503), 1).unwrap();
    let err = client.create_company().body(company("Acme")).send().await.expect_err("the 503 reaches the caller");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.error_response().and_then(|e| e.error_messages[0].error_code.as_deref()), Some("INJECTED_FAULT"));
    assert_eq!(sandbox.requests("createCompany"), 1, "a POST that may have applied is not sent again");
    assert_eq!(companies(&client).await, 0, "a status fault does not apply the request");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_even_for_a_post() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_secs(10));
    let limited = Fault::Status { status: 429, retry_after: Some(Duration::from_secs(1)) };
    sandbox.inject("createCompany", limited, 1).unwrap();
    client
        .create_company()
        .body(company("Acme"))
        .send()
        .await
        .expect("a 429 was refused, not processed, so it is retried");
    assert_eq!(sandbox.requests("createCompany"), 2);
    assert_eq!(companies(&client).await, 1);
}

#[tokio::test]
async fn a_reset_before_apply_is_retried_for_a_get_and_changes_nothing_for_a_post() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_secs(10));
    sandbox.inject("listCompanies", Fault::ResetBeforeApply, 1).unwrap();
    client.list_companies().send().await.expect("the GET is retried after the dropped connection");
    assert_eq!(sandbox.requests("listCompanies"), 2);

    sandbox.inject("createCompany", Fault::ResetBeforeApply, 1).unwrap();
    let err = client.create_company().body(company("Acme")).send().await.expect_err("the reset reaches the caller");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(sandbox.requests("createCompany"), 1, "not sent again");
    assert_eq!(companies(&client).await, 0);
}

#[tokio::test]
async fn a_reset_after_apply_loses_the_answer_but_not_the_change() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_secs(10));
    sandbox.inject("createCompany", Fault::ResetAfterApply, 1).unwrap();
    let err = client.create_company().body(company("Acme")).send().await.expect_err("the answer is lost");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(sandbox.requests("createCompany"), 1, "not sent again");
    assert_eq!(companies(&client).await, 1, "the company was created all the same");
}

#[tokio::test]
async fn a_hang_ends_in_the_client_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_millis(300));
    sandbox.inject("createCompany", Fault::Hang, 1).unwrap();
    let err = client.create_company().body(company("Acme")).send().await.expect_err("no answer comes");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(sandbox.requests("createCompany"), 1, "a POST that timed out is not sent again");

    sandbox.inject("listCompanies", Fault::Hang, 1).unwrap();
    client.list_companies().send().await.expect("the GET is retried after its timeout");
    assert_eq!(sandbox.requests("listCompanies"), 2);
}

#[tokio::test]
async fn a_delay_answers_late_and_past_the_timeout_is_one() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, Duration::from_millis(300));
    sandbox.inject("listCompanies", Fault::Delay(Duration::from_millis(20)), 1).unwrap();
    client.list_companies().send().await.expect("a short delay still answers");
    assert_eq!(sandbox.requests("listCompanies"), 1);

    sandbox.inject("createCompany", Fault::Delay(Duration::from_secs(5)), 1).unwrap();
    let err = client.create_company().body(company("Acme")).send().await.expect_err("the answer comes too late");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn a_fault_for_an_unknown_operation_or_status_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let err = sandbox.inject("createUnicorn", Fault::ResetAfterApply, 1).expect_err("no such operation");
    assert!(err.to_string().contains("createUnicorn"), "{err}");
    assert!(sandbox.inject("listCompanies", Fault::status(42), 1).is_err(), "42 is no HTTP status");
}

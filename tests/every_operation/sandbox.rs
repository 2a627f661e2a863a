//! The local sandbox, end to end through the SDK: every operation answers with a
//! response that decodes into its typed model, invalid requests come back as
//! typed errors carrying Spotnana's `ErrorResponse`, companies are stateful, and
//! the token endpoint's 401, 429 and expiry drive the client's auth layer.

#![cfg_attr(not(feature = "company"), allow(unused_imports, dead_code))]

use crate::support;

use crate::calls;

#[cfg(feature = "all-apis")]
#[path = "../sandbox/families.rs"]
mod families;

#[cfg(feature = "company")]
#[path = "../sandbox/faults.rs"]
mod faults;

#[cfg(feature = "all-apis")]
#[path = "../sandbox/bookings.rs"]
mod bookings;

#[cfg(feature = "all-apis")]
#[path = "../sandbox/safe_creates.rs"]
mod safe_creates;

#[cfg(all(feature = "all-apis", feature = "webhooks"))]
#[path = "../sandbox/webhooks.rs"]
mod webhooks;

use std::time::{Duration, Instant};

use serde_json::json;
use spotnana::sandbox::Sandbox;
use spotnana::{types, Error};
use support::inputs::Inputs;

#[test]
fn every_operation_decodes_against_the_sandbox() {
    support::on_big_stack(async {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let client = sandbox.client().expect("a sandbox client");
        let ids = sandbox.operation_ids();
        let mut inputs = Inputs::default();
        // The token endpoint needs the sandbox's own credentials.
        inputs.overrides.insert(
            "fetchOauth2Token".into(),
            json!({ "client_id": sandbox.client_id(), "client_secret": sandbox.client_secret(), "grant_type": "client_credentials" }),
        );
        let mut failures = Vec::new();
        for create in inputs.seed_lookups().into_iter().filter(|c| ids.iter().any(|id| id == c)) {
            calls::call(&client, &inputs, create).await.expect("the creates the lookups find succeed");
        }
        for id in &ids {
            if let Err(e) = calls::call(&client, &inputs, id).await {
                failures.push(format!("{id}: {e}"));
            }
        }
        let decoded = ids.len() - failures.len();
        println!("sandbox end to end: {decoded} of {} operations decoded into their typed models", ids.len());
        assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
        let expected = support::enabled_operations(&support::spec());
        assert_eq!(ids.len(), expected.len(), "the sandbox serves the operations of the enabled APIs");
        assert_eq!(decoded, expected.len());
        if cfg!(feature = "all-apis") {
            assert_eq!(decoded, 210);
        }
        // One for the client (if it called anything), and one for the
        // fetchOauth2Token call itself.
        let token_calls = usize::from(!ids.is_empty()) + usize::from(cfg!(feature = "auth"));
        assert_eq!(sandbox.token_requests(), token_calls);
    });
}

#[cfg(feature = "company")]
fn new_company(name: &str) -> types::CreateCompanyRequest {
    serde_json::from_value(json!({ "name": name, "billingCurrency": "USD", "companyRoles": ["ORG"] }))
        .expect("a company request")
}

#[cfg(feature = "company")]
#[tokio::test]
async fn companies_you_create_can_be_read_listed_updated_and_deleted() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let created = client.create_company().body(new_company("Acme Travel")).send().await.expect("created").into_inner();
    let id = created.id;
    let read = client.read_company().company_id(id.to_string()).send().await.expect("read back").into_inner();
    assert_eq!(read.name, "Acme Travel");
    assert_eq!(read.billing_currency, "USD");
    let list = client.list_companies().send().await.expect("listed").into_inner();
    assert_eq!(list.elements.len(), 1);
    assert_eq!(list.elements[0].name.as_deref(), Some("Acme Travel"));
    let mut renamed = read.clone();
    renamed.name = "Acme Global".into();
    client.update_company().company_id(id).body(renamed).send().await.expect("updated");
    let read = client.read_company().company_id(id.to_string()).send().await.unwrap().into_inner();
    assert_eq!(read.name, "Acme Global");
    client.delete_company().company_id(id).send().await.expect("deleted");
    let gone = Error::from(client.read_company().company_id(id.to_string()).send().await.expect_err("deleted"));
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404));
    assert!(client.list_companies().send().await.unwrap().into_inner().elements.is_empty());
}

#[cfg(feature = "company")]
#[tokio::test]
async fn an_invalid_request_is_a_typed_error_with_the_error_response() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let err =
        Error::from(client.create_company().body(new_company("")).send().await.expect_err("an empty name is invalid"));
    let Error::Api(api) = &err else { panic!("an API error, got {err:?}") };
    assert_eq!(api.status(), 400);
    assert_eq!(api.error_code(), Some("MISSING_REQUIRED_FIELD"));
    assert!(api.debug_identifier().is_some_and(|d| d.starts_with("sandbox-")));
    let detail = err.error_response().and_then(|e| e.error_messages[0].error_detail.clone());
    assert_eq!(detail.as_deref(), Some("body.name (empty)"));
}

#[cfg(feature = "company")]
#[tokio::test]
async fn expiry_at_the_sandbox_drives_one_refresh() {
    let sandbox = Sandbox::builder().with_token_lifetime(Duration::from_secs(2)).start().await.unwrap();
    let client = sandbox.client().unwrap();
    let started = Instant::now();
    let mut calls = 0;
    while started.elapsed() < Duration::from_millis(2500) {
        client.list_companies().send().await.expect("no call fails across the expiry");
        calls += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(calls > 50);
    assert_eq!(sandbox.token_requests(), 2, "the first token and one refresh");
}

#[cfg(feature = "company")]
#[tokio::test]
async fn a_revoked_token_gets_401_and_one_new_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    client.list_companies().send().await.expect("first call");
    sandbox.revoke_tokens();
    client.list_companies().send().await.expect("the 401 is handled by fetching a new token");
    assert_eq!(sandbox.token_requests(), 2);
}

#[cfg(feature = "company")]
#[tokio::test]
async fn the_token_rate_limit_is_ridden_out_with_backoff() {
    let sandbox = Sandbox::builder().with_token_rate_limit(1, Duration::from_secs(2)).start().await.unwrap();
    sandbox.client().unwrap().list_companies().send().await.expect("the first client uses the only token request");
    let second = sandbox.client().unwrap();
    let started = Instant::now();
    second.list_companies().send().await.expect("the second client waits out the 429");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
    assert!(sandbox.token_requests() >= 3, "at least one 429 before success");
}

#[cfg(feature = "company")]
#[tokio::test]
async fn wrong_credentials_are_rejected_by_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = spotnana::Client::builder()
        .with_base_url(sandbox.base_url())
        .with_credentials(sandbox.client_id(), "wrong")
        .build()
        .unwrap();
    let err = Error::from(client.list_companies().send().await.expect_err("rejected"));
    assert!(matches!(err, Error::Auth(spotnana::auth::AuthError::CredentialsRejected { status: 401, .. })), "{err:?}");
    assert_eq!(sandbox.token_requests(), 1);
}

/// Spotnana's protobuf `oneof` wrappers (`PolicyCurrency` is `CurrencyCodeWrapper
/// | IsLinkedWrapper`) are one struct: the SDK sends the unset members as `null`
/// so exactly one branch of the published `oneOf` matches, and the sandbox, like
/// the spec, refuses a request that sets both.
#[cfg(all(feature = "company", feature = "policy"))]
#[tokio::test]
async fn a_oneof_wrapper_sends_exactly_one_member_and_two_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let mut body = sandbox.example_request("createPolicy").expect("createPolicy takes a body");
    let company = "00000000-0000-4000-8000-000000000132";

    let one: types::CreatePolicyRequest = serde_json::from_value(body.clone()).unwrap();
    let sent = serde_json::to_value(&one).unwrap();
    let currency = &sent["currency"];
    let set: Vec<&String> =
        currency.as_object().unwrap().iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect();
    assert_eq!(set.len(), 1, "exactly one member set in {currency}");
    assert_eq!(currency.as_object().unwrap().len(), 2, "the other member is sent as null: {currency}");
    client.create_policy().company_id(company).body(one).send().await.expect("one member is accepted");

    body["currency"] = json!({ "currencyCode": "USD", "isLinked": true });
    let both: types::CreatePolicyRequest = serde_json::from_value(body).unwrap();
    let err = Error::from(
        client.create_policy().company_id(company).body(both).send().await.expect_err("two members are refused"),
    );
    let Error::Api(api) = err else { panic!("expected an API error, got {err}") };
    assert_eq!(api.status().as_u16(), 400);
    let detail = api
        .error_response()
        .and_then(|r| r.error_messages.first())
        .and_then(|m| m.error_detail.clone())
        .unwrap_or_default();
    assert!(detail.contains("exactly one of currencyCode, isLinked"), "{detail}");
}
